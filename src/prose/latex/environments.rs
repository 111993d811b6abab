//! Environments: `\begin` / `\end` with their behaviour (prose, a new paragraph kind, discarded,
//! verbatim, math, a list or a table), and list items.

use super::table;
use super::table::Environment;
use super::{Latex, OpenEnvironment, ScopeEnd};
use crate::prose::ParagraphKind;
use crate::prose::options::EnvironmentAction;

impl<'source, 'collector> Latex<'source, 'collector> {
    pub(super) fn environment_name(&mut self) -> Option<(String, usize)> {
        let argument = self.skip_argument(b'm')?;
        let name = self.source[argument.inner].trim();
        Some((name.to_owned(), argument.outer.end))
    }

    pub(super) fn begin(&mut self, start: usize) {
        let Some((name, _)) = self.environment_name() else {
            return;
        };
        let behaviour = match self.options.environment(&name) {
            Some(EnvironmentAction::Ignore) => Some((Environment::Skip, "")),
            Some(EnvironmentAction::Default) => None,
            None => table::environment(&name),
        };
        let Some((behaviour, signature)) = behaviour else {
            // An unknown environment is transparent; arguments right after `\begin{name}` go.
            while self.skip_argument(b'o').is_some() {}
            let position = self.lexer.position;
            if position < self.limit() && self.source.as_bytes()[position] == b'{' {
                self.skip_argument(b'm');
            }
            self.environments.push(OpenEnvironment {
                name,
                behaviour: None,
                frame_level: self.frames.len(),
                start,
            });
            return;
        };
        match behaviour {
            Environment::Skip | Environment::Verbatim => {
                let end = self.find_environment_end(&name, behaviour == Environment::Verbatim);
                match end {
                    Some(end) => self.lexer.seek(end),
                    None => {
                        self.collector.problem(start..self.lexer.position, format!("\\begin{{{name}}} is never ended; the rest of the document is skipped"));
                        self.lexer.seek(self.limit());
                    }
                }
                self.builder().space_for_removal(start);
                return;
            }
            Environment::Document => {
                // The preamble ends: discard what it wrote and read the body.
                self.scopes.clear();
                self.environments.clear();
                self.unwind_frames(1);
                if let Some(frame) = self.frames.first_mut() {
                    let _ = frame.builder.take();
                    frame.sink = false;
                    frame.kind = ParagraphKind::Paragraph;
                }
                self.preamble = false;
                self.environments.push(OpenEnvironment {
                    name,
                    behaviour: Some(behaviour),
                    frame_level: 1,
                    start,
                });
                return;
            }
            _ => {}
        }
        for kind in signature.bytes() {
            self.skip_argument(kind);
        }
        let frame_level = self.frames.len();
        let parent_sink = self.frames.last().is_some_and(|frame| frame.sink);
        let parent_kind = self
            .frames
            .last()
            .map_or(ParagraphKind::Paragraph, |frame| frame.kind);
        match behaviour {
            Environment::List { .. } => {
                self.paragraph_break();
                self.push_frame(ParagraphKind::ListItem, parent_sink);
            }
            Environment::Abstract => {
                self.paragraph_break();
                self.push_frame(ParagraphKind::Abstract, false);
            }
            Environment::Block => {
                self.paragraph_break();
                let kind = match parent_kind {
                    ParagraphKind::Abstract | ParagraphKind::ListItem | ParagraphKind::Footnote => {
                        parent_kind
                    }
                    _ => ParagraphKind::Paragraph,
                };
                self.push_frame(kind, parent_sink);
            }
            Environment::Float => {
                self.builder().space_for_removal(start);
                self.push_frame(ParagraphKind::Paragraph, true);
            }
            Environment::Tabular => {
                self.builder().space_for_removal(start);
                self.push_frame(ParagraphKind::TableCell, false);
            }
            Environment::Skip | Environment::Verbatim | Environment::Document => {}
        }
        self.environments.push(OpenEnvironment {
            name,
            behaviour: Some(behaviour),
            frame_level,
            start,
        });
    }

    pub(super) fn end(&mut self, start: usize) {
        let Some((name, end)) = self.environment_name() else {
            return;
        };
        let lowest = self
            .scopes
            .last()
            .map_or(0, |scope| scope.environment_level);
        let Some(index) = self
            .environments
            .iter()
            .rposition(|environment| environment.name == name)
        else {
            self.collector.problem(
                start..end,
                format!("\\end{{{name}}} without a matching \\begin"),
            );
            return;
        };
        if index < lowest {
            self.collector.problem(
                start..end,
                format!("\\end{{{name}}} closes an environment opened outside its group"),
            );
            return;
        }
        for environment in self.environments.drain(index + 1..) {
            let end = (environment.start + 7 + environment.name.len()).min(self.source.len());
            self.collector.problem(
                environment.start..end,
                format!(
                    "\\begin{{{}}} is not ended before \\end{{{name}}}",
                    environment.name
                ),
            );
        }
        let Some(environment) = self.environments.pop() else {
            return;
        };
        if environment.behaviour == Some(Environment::Document) {
            self.ended = true;
            return;
        }
        if self.frames.len() > environment.frame_level {
            self.unwind_frames(environment.frame_level.max(1));
        }
        match environment.behaviour {
            Some(Environment::List { .. } | Environment::Abstract | Environment::Block) => {
                self.paragraph_break()
            }
            Some(Environment::Float | Environment::Tabular) => {
                self.builder().space_for_removal(end)
            }
            _ => {}
        }
    }

    /// The end of `\end{name}` matching an environment whose `\begin` was just read.
    pub(super) fn find_environment_end(&self, name: &str, verbatim: bool) -> Option<usize> {
        let source = &self.source[..self.limit()];
        let end_marker = format!("\\end{{{name}}}");
        let begin_marker = format!("\\begin{{{name}}}");
        let mut position = self.lexer.position;
        let mut depth = 1;
        while position < source.len() {
            let rest = &source[position..];
            let next_end = rest.find(&end_marker)?;
            if verbatim {
                return Some(position + next_end + end_marker.len());
            }
            let next_begin = rest[..next_end].find(&begin_marker);
            match next_begin {
                Some(begin) => {
                    depth += 1;
                    position += begin + begin_marker.len();
                }
                None => {
                    depth -= 1;
                    position += next_end + end_marker.len();
                    if depth == 0 {
                        return Some(position);
                    }
                }
            }
        }
        None
    }

    pub(super) fn item(&mut self) {
        let list = self.environments.iter().rev().find(|environment| {
            matches!(
                environment.behaviour,
                Some(
                    Environment::List { .. }
                        | Environment::Tabular
                        | Environment::Float
                        | Environment::Abstract
                        | Environment::Block
                )
            )
        });
        let Some(OpenEnvironment {
            behaviour: Some(Environment::List { labels }),
            frame_level,
            ..
        }) = list.cloned()
        else {
            self.paragraph_break();
            self.skip_argument(b'o');
            return;
        };
        if self.frames.len() > frame_level + 1 {
            self.unwind_frames(frame_level + 1);
        }
        self.paragraph_break();
        if labels && let Some(label) = self.argument(b'o', false) {
            let frame_level = self.frames.len();
            self.open_scope(&label, frame_level, ScopeEnd::Label);
        } else {
            self.skip_argument(b'o');
        }
    }
}
