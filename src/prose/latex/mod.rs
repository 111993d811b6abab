//! LaTeX to prose: a hand-written lexer and a signature table in the spirit of ltex-ls.
//!
//! The extractor is iterative (no recursion over the input's nesting, so deep braces cannot overflow
//! the stack). It keeps:
//! - a stack of *frames*, each a prose builder with the kind of paragraph it writes (the document
//!   body, a footnote, a caption, a list, a table cell) and whether its text is discarded (the
//!   preamble, the body of a float);
//! - a stack of open environments;
//! - a stack of *scopes*: argument groups whose content is being read as prose, with what to do when
//!   the group closes (pop the footnote's frame, read the command's remaining arguments).
//!
//! Arguments that are dropped are skipped by scanning for the matching brace; that scan stops at a
//! blank line, so an unclosed `\cite{` cannot swallow the rest of the document.

mod lexer;
mod outline;
pub mod project;
mod table;

pub(crate) use outline::headings;

use std::collections::HashMap;
use std::ops::Range;

use lexer::{Lexer, Token, TokenKind, is_space_byte};
use table::{Action, Environment, Special};

use super::markdown::{email, is_word_byte, url};
use super::mathtext::{control_word, greek, math_to_text};
use super::offsets::ProseBuilder;
use super::options::{ArgumentKind, CommandAction, EnvironmentAction};
use super::{Collector, ExtractOptions, ParagraphKind};

/// How deep zero-argument macro definitions may refer to each other when they are expanded.
const MAX_MACRO_DEPTH: usize = 4;
/// The longest macro body that is expanded.
const MAX_MACRO_BODY: usize = 300;

pub(crate) fn extract(text: &str, options: &ExtractOptions, collector: &mut Collector) {
    // Macros defined in the other files of the document's project come first; the document's own
    // definitions replace them as they are read.
    let macros: HashMap<String, String> = options.latex_macros.iter().cloned().collect();
    let mut latex = Latex::new(text, 0..text.len(), options, collector, macros, 0);
    latex.preamble = has_document_environment(text);
    if latex.preamble {
        latex.frames[0].sink = true;
    }
    latex.run();
}

/// Whether `\begin{document}` occurs outside a comment.
fn has_document_environment(text: &str) -> bool {
    text.match_indices("\\begin{document}").any(|(index, _)| {
        let line_start = text[..index].rfind('\n').map_or(0, |newline| newline + 1);
        !has_comment_start(&text[line_start..index])
    })
}

fn has_comment_start(line: &str) -> bool {
    let bytes = line.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'\\' => index += 2,
            b'%' => return true,
            _ => index += 1,
        }
    }
    false
}

/// A prose builder and what kind of paragraphs it writes.
struct Frame<'source> {
    builder: ProseBuilder<'source>,
    kind: ParagraphKind,
    /// The text is discarded (preamble, float bodies).
    sink: bool,
}

/// An argument signature: `o`, `m`, `v` per argument (at most 12).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Signature {
    arguments: [u8; 12],
    length: usize,
}

impl Signature {
    fn new(text: &str) -> Self {
        let mut signature = Signature {
            arguments: [0; 12],
            length: 0,
        };
        for &byte in text.as_bytes().iter().take(12) {
            signature.arguments[signature.length] = byte;
            signature.length += 1;
        }
        signature
    }

    fn from_user(arguments: &[ArgumentKind]) -> Self {
        let mut signature = Signature {
            arguments: [0; 12],
            length: 0,
        };
        for argument in arguments.iter().take(12) {
            signature.arguments[signature.length] = match argument {
                ArgumentKind::Optional => b'o',
                ArgumentKind::Required => b'm',
            };
            signature.length += 1;
        }
        signature
    }
}

/// What to do after the arguments of a command are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum After {
    /// A removed construct: a pending space.
    Space,
    /// Nothing (zero-length removal).
    Nothing,
    /// A synthetic placeholder.
    Placeholder(&'static str),
}

/// A plan for reading the arguments of one command.
#[derive(Clone, Copy, Debug)]
struct ArgumentPlan {
    signature: Signature,
    /// Bit `i` set: argument `i` is read as prose.
    keep: u16,
    /// The next argument to read.
    index: usize,
    /// Kept arguments become a paragraph of this kind.
    segment: Option<ParagraphKind>,
    after: After,
    /// Where the command started (for synthetic pieces and problems).
    start: usize,
}

#[derive(Clone, Copy, Debug)]
enum ScopeEnd {
    /// Continue reading the command's arguments.
    Arguments(ArgumentPlan),
    /// A description label: a space after it.
    Label,
}

/// An argument group being read as prose.
#[derive(Clone, Copy, Debug)]
struct Scope {
    /// Where the closing delimiter starts.
    end: usize,
    /// The length of the closing delimiter (0 for an unclosed group or a single-token argument).
    close_length: usize,
    /// The frame stack height when the scope opened (a segment's frame sits just above it).
    frame_level: usize,
    /// The environment stack height when the scope opened.
    environment_level: usize,
    then: ScopeEnd,
}

#[derive(Clone, Debug)]
struct OpenEnvironment {
    name: String,
    behaviour: Option<Environment>,
    /// The frame stack height before the environment pushed its frame (if it did).
    frame_level: usize,
    start: usize,
}

struct Latex<'source, 'collector> {
    source: &'source str,
    lexer: Lexer<'source>,
    frames: Vec<Frame<'source>>,
    environments: Vec<OpenEnvironment>,
    scopes: Vec<Scope>,
    options: &'collector ExtractOptions,
    collector: &'collector mut Collector,
    /// Zero-argument macros defined in the document: name → the prose of their body.
    macros: HashMap<String, String>,
    macro_depth: usize,
    preamble: bool,
    ended: bool,
}

/// A parsed argument: the whole `{...}` / `[...]` and its content.
#[derive(Clone, Debug)]
struct Argument {
    outer: Range<usize>,
    inner: Range<usize>,
}

impl<'source, 'collector> Latex<'source, 'collector> {
    fn new(
        source: &'source str,
        range: Range<usize>,
        options: &'collector ExtractOptions,
        collector: &'collector mut Collector,
        macros: HashMap<String, String>,
        macro_depth: usize,
    ) -> Self {
        Latex {
            source,
            lexer: Lexer::new(source, range),
            frames: vec![Frame {
                builder: ProseBuilder::new(source),
                kind: ParagraphKind::Paragraph,
                sink: false,
            }],
            environments: Vec::new(),
            scopes: Vec::new(),
            options,
            collector,
            macros,
            macro_depth,
            preamble: false,
            ended: false,
        }
    }

    fn run(&mut self) {
        loop {
            self.close_scopes();
            if self.ended {
                break;
            }
            let Some(token) = self.lexer.next_token() else {
                break;
            };
            self.token(token);
        }
        // Close whatever is still open, innermost first.
        while let Some(scope) = self.scopes.pop() {
            if scope.close_length > 0 {
                self.collector.problem(
                    scope.end..scope.end,
                    "a group is still open at the end of the document",
                );
            }
            self.unwind_frames(scope.frame_level);
        }
        for environment in std::mem::take(&mut self.environments).into_iter().rev() {
            if environment.behaviour != Some(Environment::Document) {
                let end = (environment.start + 7 + environment.name.len()).min(self.source.len());
                self.collector.problem(
                    environment.start..end,
                    format!("\\begin{{{}}} is never ended", environment.name),
                );
            }
        }
        self.unwind_frames(0);
    }

    // ---- frames ----

    fn frame(&mut self) -> &mut Frame<'source> {
        if self.frames.is_empty() {
            self.frames.push(Frame {
                builder: ProseBuilder::new(self.source),
                kind: ParagraphKind::Paragraph,
                sink: false,
            });
        }
        let last = self.frames.len() - 1;
        &mut self.frames[last]
    }

    fn builder(&mut self) -> &mut ProseBuilder<'source> {
        &mut self.frame().builder
    }

    /// Ends the current frame's paragraph.
    fn paragraph_break(&mut self) {
        let Some(frame) = self.frames.last_mut() else {
            return;
        };
        if frame.sink {
            let _ = frame.builder.take();
        } else {
            self.collector.emit(&mut frame.builder, frame.kind);
        }
    }

    fn push_frame(&mut self, kind: ParagraphKind, sink: bool) {
        self.frames.push(Frame {
            builder: ProseBuilder::new(self.source),
            kind,
            sink,
        });
    }

    /// Ends and pops frames until `level` remain (at least the base frame when `level` is 0 is
    /// emitted too).
    fn unwind_frames(&mut self, level: usize) {
        while self.frames.len() > level {
            self.paragraph_break();
            self.frames.pop();
        }
    }

    // ---- scopes ----

    fn open_scope(&mut self, argument: &Argument, frame_level: usize, then: ScopeEnd) {
        self.scopes.push(Scope {
            end: argument.inner.end,
            close_length: argument.outer.end - argument.inner.end,
            frame_level,
            environment_level: self.environments.len(),
            then,
        });
        self.lexer.seek(argument.inner.start);
    }

    fn close_scopes(&mut self) {
        while let Some(scope) = self.scopes.last().copied() {
            if self.lexer.position < scope.end {
                return;
            }
            self.scopes.pop();
            if self.lexer.position == scope.end {
                self.lexer.seek(scope.end + scope.close_length);
            }
            if self.environments.len() > scope.environment_level {
                for environment in self.environments.drain(scope.environment_level..) {
                    let end =
                        (environment.start + 7 + environment.name.len()).min(self.source.len());
                    self.collector.problem(
                        environment.start..end,
                        format!(
                            "\\begin{{{}}} is not ended inside its group",
                            environment.name
                        ),
                    );
                }
            }
            self.unwind_frames(scope.frame_level.max(1));
            match scope.then {
                ScopeEnd::Arguments(plan) => {
                    if plan.segment.is_some() && plan.segment != Some(ParagraphKind::Heading) {
                        self.builder().space_for_removal(scope.end);
                    }
                    self.read_arguments(plan);
                }
                ScopeEnd::Label => self.builder().space_for_removal(scope.end),
            }
        }
    }

    // ---- tokens ----

    fn token(&mut self, token: Token) {
        match token.kind {
            TokenKind::Text => self.text(token.range),
            TokenKind::OpenBracket | TokenKind::CloseBracket => {
                self.builder().push_source(token.range)
            }
            TokenKind::Space | TokenKind::Tie => self.builder().space_over(token.range),
            TokenKind::ParBreak => self.paragraph_break(),
            TokenKind::Comment
            | TokenKind::BeginGroup
            | TokenKind::EndGroup
            | TokenKind::Parameter => {}
            TokenKind::Align => {
                if self.in_table_cell() {
                    self.paragraph_break();
                } else {
                    self.builder().space_over(token.range);
                }
            }
            TokenKind::Math => self.inline_math(token.range.start, token.range.end, "$"),
            TokenKind::DisplayMath => self.display_math(token.range.start, token.range.end, "$$"),
            TokenKind::ControlWord | TokenKind::ControlSymbol => self.command(&token),
        }
    }

    /// A text token. Bare URLs and e-mail addresses in it (not written with `\url`) read as a removed
    /// word.
    fn text(&mut self, range: Range<usize>) {
        let bytes = self.source.as_bytes();
        let mut start = range.start;
        let mut index = range.start;
        while index < range.end {
            let previous_is_word = index > range.start && is_word_byte(bytes[index - 1]);
            if matches!(bytes[index], b'h' | b'f' | b'w' | b'H' | b'W')
                && !previous_is_word
                && let Some(length) = url(&self.source[index..range.end], 0)
            {
                self.ligatures(start..index);
                self.builder().space_for_removal(index);
                index += length;
                start = index;
                continue;
            }
            if bytes[index] == b'@'
                && let Some(address) = email(&self.source[range.clone()], index - range.start)
                && range.start + address.start >= start
            {
                self.ligatures(start..range.start + address.start);
                self.builder()
                    .space_for_removal(range.start + address.start);
                index = range.start + address.end;
                start = index;
                continue;
            }
            index += 1;
        }
        self.ligatures(start..range.end);
    }

    /// Text with TeX's ligatures: ``` `` ``` → “, `''` → ”, `` ` `` → ‘, `--` → –, `---` → —.
    fn ligatures(&mut self, range: Range<usize>) {
        let bytes = self.source.as_bytes();
        let mut start = range.start;
        let mut index = range.start;
        while index < range.end {
            let replacement = match bytes[index] {
                b'-' if index + 2 < range.end
                    && bytes[index + 1] == b'-'
                    && bytes[index + 2] == b'-' =>
                {
                    Some(("—", 3))
                }
                b'-' if index + 1 < range.end && bytes[index + 1] == b'-' => Some(("–", 2)),
                b'`' if index + 1 < range.end && bytes[index + 1] == b'`' => Some(("“", 2)),
                b'`' => Some(("‘", 1)),
                b'\'' if index + 1 < range.end && bytes[index + 1] == b'\'' => Some(("”", 2)),
                _ => None,
            };
            if let Some((text, length)) = replacement {
                self.builder().push_source(start..index);
                self.builder().push_atomic(text, index..index + length);
                index += length;
                start = index;
            } else {
                index += 1;
            }
        }
        self.builder().push_source(start..range.end);
    }

    fn in_table_cell(&self) -> bool {
        self.environments
            .iter()
            .rev()
            .find(|environment| {
                matches!(
                    environment.behaviour,
                    Some(
                        Environment::Tabular
                            | Environment::List { .. }
                            | Environment::Block
                            | Environment::Float
                            | Environment::Abstract
                    )
                )
            })
            .is_some_and(|environment| {
                environment.behaviour == Some(Environment::Tabular)
                    && self.frames.len() == environment.frame_level + 1
            })
    }

    /// Where scans for closing delimiters must stop: the end of the innermost argument being read.
    fn limit(&self) -> usize {
        self.scopes
            .last()
            .map_or(self.lexer.end, |scope| scope.end.min(self.lexer.end))
    }

    // ---- math ----

    /// Inline math from `start`; the content starts at `content_start` and ends at `closer`.
    fn inline_math(&mut self, start: usize, content_start: usize, closer: &str) {
        match self.find_math_end(content_start, closer) {
            Ok((content_end, end)) => {
                let content = &self.source[content_start..content_end];
                match math_to_text(content) {
                    Some(text) => self.builder().push_atomic(&text, start..end),
                    None => self.builder().space_for_removal(start),
                }
                self.lexer.seek(end);
            }
            Err(stop) => {
                self.collector.problem(
                    start..stop,
                    format!("math opened here is not closed by {closer} before the paragraph ends"),
                );
                self.builder().space_for_removal(start);
                self.lexer.seek(stop);
            }
        }
    }

    fn display_math(&mut self, start: usize, content_start: usize, closer: &str) {
        match self.find_math_end(content_start, closer) {
            Ok((_, end)) => self.lexer.seek(end),
            Err(stop) => {
                self.collector.problem(start..stop, format!("display math opened here is not closed by {closer} before the paragraph ends"));
                self.lexer.seek(stop);
            }
        }
        self.builder().space_for_removal(start);
    }

    /// Finds `closer` from `from`, skipping escapes and comments. `Ok((content_end, end))`, or
    /// `Err(stop)` at a blank line or the end of the range.
    fn find_math_end(&self, from: usize, closer: &str) -> Result<(usize, usize), usize> {
        let bytes = self.source.as_bytes();
        let closer = closer.as_bytes();
        let end = self.limit();
        let mut index = from;
        while index < end {
            if bytes[index..end].starts_with(closer) {
                return Ok((index, index + closer.len()));
            }
            match bytes[index] {
                b'\\' => index += 2,
                b'%' => {
                    while index < end && bytes[index] != b'\n' {
                        index += 1;
                    }
                }
                b'\n' => {
                    if let Some(stop) = blank_line_at(bytes, index, end) {
                        return Err(stop);
                    }
                    index += 1;
                }
                _ => index += 1,
            }
        }
        Err(end.max(from))
    }

    // ---- arguments ----

    /// Skips spaces (not a blank line) from the lexer position; returns the new position.
    fn skip_spaces(&self, from: usize) -> usize {
        let bytes = self.source.as_bytes();
        let limit = self.limit();
        let mut index = from;
        let mut line_ends = 0;
        while index < limit && is_space_byte(bytes[index]) {
            if bytes[index] == b'\n' {
                line_ends += 1;
                if line_ends >= 2 {
                    return from;
                }
            }
            index += 1;
        }
        index
    }

    /// Reads one argument of kind `kind` (`o`, `m`, `v`) at the lexer position, without moving the
    /// lexer. `stop_at_blank_line`: an unclosed group ends at a blank line (for dropped arguments).
    fn argument(&mut self, kind: u8, stop_at_blank_line: bool) -> Option<Argument> {
        let bytes = self.source.as_bytes();
        let end = self.limit();
        if kind == b'o' {
            let start = self.lexer.position;
            if start >= end || bytes[start] != b'[' {
                return None;
            }
            let close = find_bracket_end(bytes, start, end)?;
            return Some(Argument {
                outer: start..close + 1,
                inner: start + 1..close,
            });
        }
        let start = self.skip_spaces(self.lexer.position);
        if start >= end {
            return None;
        }
        match bytes[start] {
            b'{' => {
                let (close, stop) =
                    find_group_end(bytes, start, end, stop_at_blank_line, kind == b'v');
                match close {
                    Some(close) => Some(Argument {
                        outer: start..close + 1,
                        inner: start + 1..close,
                    }),
                    None => {
                        self.collector
                            .problem(start..start + 1, "this { is never closed");
                        Some(Argument {
                            outer: start..stop,
                            inner: start + 1..stop,
                        })
                    }
                }
            }
            b'}' | b'%' => None,
            b'\\' => {
                let mut token_end = start + 1;
                while token_end < end
                    && (bytes[token_end].is_ascii_alphabetic() || bytes[token_end] == b'@')
                {
                    token_end += 1;
                }
                if token_end == start + 1 {
                    token_end = next_char_boundary(self.source, start + 1, end);
                }
                Some(Argument {
                    outer: start..token_end,
                    inner: start..token_end,
                })
            }
            _ => {
                let token_end = next_char_boundary(self.source, start, end);
                Some(Argument {
                    outer: start..token_end,
                    inner: start..token_end,
                })
            }
        }
    }

    /// Reads the remaining arguments of `plan`: dropped ones are skipped; a kept one opens a scope and
    /// returns (the scope's end continues the plan).
    fn read_arguments(&mut self, mut plan: ArgumentPlan) {
        while plan.index < plan.signature.length {
            let kind = plan.signature.arguments[plan.index];
            let keep = plan.keep & (1 << plan.index) != 0;
            let argument = self.argument(kind, !keep);
            plan.index += 1;
            let Some(argument) = argument else { continue };
            if !keep {
                self.lexer.seek(argument.outer.end);
                continue;
            }
            let frame_level = self.frames.len();
            if let Some(kind) = plan.segment {
                let sink = kind == ParagraphKind::Heading
                    && self.frames.last().is_some_and(|frame| frame.sink);
                if kind == ParagraphKind::Heading || kind == ParagraphKind::Title {
                    self.paragraph_break();
                }
                self.push_frame(kind, sink);
            }
            self.open_scope(&argument, frame_level, ScopeEnd::Arguments(plan));
            return;
        }
        match plan.after {
            After::Space => self.builder().space_for_removal(plan.start),
            After::Nothing => {}
            After::Placeholder(text) => self.builder().push_synthetic(text, plan.start),
        }
    }

    fn start_arguments(
        &mut self,
        signature: &str,
        keep: u16,
        segment: Option<ParagraphKind>,
        after: After,
        start: usize,
    ) {
        self.read_arguments(ArgumentPlan {
            signature: Signature::new(signature),
            keep,
            index: 0,
            segment,
            after,
            start,
        });
    }

    /// Skips one argument (if present) and returns it.
    fn skip_argument(&mut self, kind: u8) -> Option<Argument> {
        let argument = self.argument(kind, true)?;
        self.lexer.seek(argument.outer.end);
        Some(argument)
    }

    // ---- commands ----

    fn command(&mut self, token: &Token) {
        let source = self.source;
        let name = token.name(source);
        let start = token.range.start;
        // User commands come first.
        let user = if token.star {
            self.options
                .command(&format!("{name}*"))
                .or_else(|| self.options.command(name))
        } else {
            self.options.command(name)
        };
        if let Some(user) = user {
            let signature = Signature::from_user(&user.arguments);
            let (keep, after) = match user.action {
                CommandAction::Default => {
                    let mut keep = 0u16;
                    for (index, argument) in user.arguments.iter().enumerate().take(12) {
                        if *argument == ArgumentKind::Required {
                            keep |= 1 << index;
                        }
                    }
                    (keep, After::Nothing)
                }
                CommandAction::Ignore => (0, After::Space),
                CommandAction::Dummy => (0, After::Placeholder("1")),
            };
            self.read_arguments(ArgumentPlan {
                signature,
                keep,
                index: 0,
                segment: None,
                after,
                start,
            });
            return;
        }
        if let Some(action) = table::command(name) {
            self.builtin(token, name, action);
            return;
        }
        if let Some(expansion) = self.macros.get(name) {
            let expansion = expansion.clone();
            self.builder().push_atomic(&expansion, token.range.clone());
            if let Some(swallowed) = token.swallowed.clone() {
                self.builder().space_over(swallowed);
            }
            return;
        }
        self.unknown(token, name);
    }

    fn builtin(&mut self, token: &Token, name: &str, action: Action) {
        let start = token.range.start;
        match action {
            Action::Drop(signature) => {
                self.start_arguments(signature, 0, None, After::Space, start)
            }
            Action::Nothing => {}
            Action::Keep(signature, keep) => {
                self.start_arguments(signature, keep, None, After::Nothing, start)
            }
            Action::Segment(signature, keep, kind) => {
                self.start_arguments(signature, keep, Some(kind), After::Nothing, start);
            }
            Action::Placeholder(signature, text) => {
                self.start_arguments(signature, 0, None, After::Placeholder(text), start)
            }
            Action::Text(text, word) => {
                self.builder().push_atomic(text, token.range.clone());
                if word && let Some(swallowed) = token.swallowed.clone() {
                    self.builder().space_over(swallowed);
                }
            }
            Action::Space => self.builder().space_over(token.range.clone()),
            Action::Accent(mark) => self.accent(token, mark),
            Action::Special(special) => self.special(token, name, special),
        }
    }

    /// An unknown command: the name goes (never into prose), an optional argument right after it
    /// goes, and braced arguments stay as prose unless they look like citation or label keys.
    fn unknown(&mut self, token: &Token, name: &str) {
        let start = token.range.start;
        let lower = name.to_ascii_lowercase();
        if lower.contains("cite") {
            self.start_arguments("oom", 0, None, After::Space, start);
            return;
        }
        if lower.ends_with("ref") {
            self.start_arguments("m", 0, None, After::Placeholder("1"), start);
            return;
        }
        while self.skip_argument(b'o').is_some() {}
        let bytes = self.source.as_bytes();
        let position = self.lexer.position;
        let limit = self.limit();
        if position < limit && bytes[position] == b'{' {
            let (close, _) = find_group_end(bytes, position, limit, true, false);
            if let Some(close) = close
                && looks_like_keys(&self.source[position + 1..close])
            {
                self.lexer.seek(close + 1);
                self.builder().space_for_removal(start);
            }
        }
    }

    fn accent(&mut self, token: &Token, mark: char) {
        let bytes = self.source.as_bytes();
        let end = self.limit();
        let mut position = self.lexer.position;
        if token.kind == TokenKind::ControlSymbol {
            while position < end && matches!(bytes[position], b' ' | b'\t') {
                position += 1;
            }
        }
        // The accented base: `{o}`, `{\i}`, `o`, `\i`.
        let (base_start, base_end, argument_end) = if position < end && bytes[position] == b'{' {
            match find_group_end(bytes, position, end, true, false).0 {
                Some(close) => (position + 1, close, close + 1),
                None => (position, position, position),
            }
        } else {
            (position, end, position)
        };
        let content = self.source.get(base_start..base_end).unwrap_or_default();
        let content_trimmed = content.trim_start();
        let (base, consumed) = if let Some(rest) = content_trimmed
            .strip_prefix("\\i")
            .filter(|rest| !rest.starts_with(|c: char| c.is_ascii_alphabetic()))
        {
            ('i', content.len() - rest.len())
        } else if let Some(rest) = content_trimmed
            .strip_prefix("\\j")
            .filter(|rest| !rest.starts_with(|c: char| c.is_ascii_alphabetic()))
        {
            ('j', content.len() - rest.len())
        } else if let Some(first) = content_trimmed
            .chars()
            .next()
            .filter(|first| first.is_alphabetic())
        {
            (
                first,
                content.len() - content_trimmed.len() + first.len_utf8(),
            )
        } else {
            // Nothing to accent (`\'{}`): the command reads as nothing.
            if argument_end > position {
                self.lexer.seek(argument_end);
            }
            return;
        };
        let end_of_accent = if argument_end > position {
            argument_end
        } else {
            // Unbraced: the base character (and a `{}` after `\i`).
            let mut after = base_start + consumed;
            if self.source[after..end].starts_with("{}") {
                after += 2;
            }
            after
        };
        let mut produced = String::new();
        produced.push(base);
        produced.push(mark);
        if argument_end > position {
            // The rest of a braced group after the base (`\"{oo}`) stays as written.
            let rest = content[consumed..].trim_start_matches("{}");
            produced.push_str(rest.trim());
        }
        self.builder()
            .push_atomic(&produced, token.range.start..end_of_accent);
        self.lexer.seek(end_of_accent);
    }

    fn special(&mut self, token: &Token, name: &str, special: Special) {
        let start = token.range.start;
        let bytes = self.source.as_bytes();
        match special {
            Special::Begin => self.begin(start),
            Special::End => self.end(start),
            Special::Item => self.item(),
            Special::Par => self.paragraph_break(),
            Special::LineBreak => {
                let mut position = self.lexer.position;
                if position < self.limit() && bytes[position] == b'*' {
                    position += 1;
                }
                self.lexer.seek(position);
                self.skip_argument(b'o');
                if self.in_table_cell() {
                    self.paragraph_break();
                } else {
                    self.builder().space_over(token.range.clone());
                }
            }
            Special::Verb => {
                let position = self.lexer.position;
                let delimiter = self
                    .source
                    .get(position..self.limit())
                    .and_then(|rest| rest.chars().next());
                let end = match delimiter {
                    Some(delimiter) if !delimiter.is_whitespace() => {
                        let content_start = position + delimiter.len_utf8();
                        let rest = &self.source[content_start..self.limit()];
                        match rest.find([delimiter, '\n']) {
                            Some(offset) if rest[offset..].starts_with(delimiter) => {
                                content_start + offset + delimiter.len_utf8()
                            }
                            Some(offset) => content_start + offset,
                            None => self.limit(),
                        }
                    }
                    _ => position,
                };
                self.lexer.seek(end);
                self.builder().space_for_removal(start);
            }
            Special::InlineVerbatim => {
                self.skip_argument(b'o');
                if name == "mintinline" || name == "mint" {
                    self.skip_argument(b'm');
                }
                let position = self.lexer.position;
                if position < self.limit() && bytes[position] == b'{' {
                    self.skip_argument(b'v');
                } else {
                    // Delimited like \verb.
                    self.special(token, "verb", Special::Verb);
                    return;
                }
                self.builder().space_for_removal(start);
            }
            Special::Define => self.define(name),
            Special::Def => {
                // \def\name<parameters>{body}
                let Some(name_argument) = self.skip_argument(b'm') else {
                    return;
                };
                let position = self.lexer.position;
                let brace = self.source[position..self.limit()]
                    .find(['{', '\n'])
                    .map(|offset| position + offset);
                let Some(brace) = brace.filter(|brace| bytes[*brace] == b'{') else {
                    return;
                };
                let has_parameters = brace > position;
                self.lexer.seek(brace);
                if let Some(body) = self.skip_argument(b'm')
                    && !has_parameters
                {
                    self.record_macro(name_argument.inner, body.inner);
                }
            }
            Special::Let => {
                self.skip_argument(b'm');
                let mut position = self.skip_spaces(self.lexer.position);
                if position < self.limit() && bytes[position] == b'=' {
                    position = self.skip_spaces(position + 1);
                }
                self.lexer.seek(position);
                self.skip_argument(b'm');
            }
            Special::DefineEnvironment => {
                let signature = if name.starts_with("New") || name.starts_with("Renew") {
                    "mmmm"
                } else {
                    "moomm"
                };
                self.start_arguments(signature, 0, None, After::Nothing, start);
            }
            Special::InlineMathOpen => self.inline_math(start, token.range.end, "\\)"),
            Special::DisplayMathOpen => self.display_math(start, token.range.end, "\\]"),
            Special::Ensuremath => {
                if let Some(argument) = self.skip_argument(b'm') {
                    match math_to_text(&self.source[argument.inner.clone()]) {
                        Some(text) => self.builder().push_atomic(&text, start..argument.outer.end),
                        None => self.builder().space_for_removal(start),
                    }
                }
            }
            Special::Chemistry => {
                self.skip_argument(b'o');
                if let Some(argument) = self.skip_argument(b'm') {
                    match chemistry_text(&self.source[argument.inner.clone()]) {
                        Some(text) => self.builder().push_atomic(&text, start..argument.outer.end),
                        None => self.builder().space_for_removal(start),
                    }
                }
            }
            Special::Quantity
            | Special::Unit
            | Special::Number
            | Special::QuantityRange
            | Special::NumberRange
            | Special::Angle => {
                self.quantity(start, special);
            }
            Special::Cmidrule => {
                let position = self.lexer.position;
                if position < self.limit() && bytes[position] == b'(' {
                    let close = self.source[position..self.limit()]
                        .find(')')
                        .map_or(position, |offset| position + offset + 1);
                    self.lexer.seek(close);
                }
                self.skip_argument(b'o');
                self.skip_argument(b'm');
            }
            Special::Vskip => {
                // A dimension: `\vskip 2pt plus 1fil`, `\kern-1em`, `\hskip\fill`.
                let mut position = self.skip_spaces(self.lexer.position);
                let end = self.limit();
                while position < end
                    && matches!(bytes[position], b'-' | b'+' | b'.' | b',' | b'0'..=b'9')
                {
                    position += 1;
                }
                let unit_start = position;
                while position < end
                    && bytes[position].is_ascii_alphabetic()
                    && position - unit_start < 2
                {
                    position += 1;
                }
                self.lexer.seek(position);
            }
        }
    }

    /// `\newcommand{\name}[n][default]{body}` and friends. Zero-argument definitions are remembered,
    /// so that a later `\name` reads as the prose of its body.
    fn define(&mut self, name: &str) {
        let Some(name_argument) = self.skip_argument(b'm') else {
            return;
        };
        if name.ends_with("DocumentCommand") {
            let specification = self.skip_argument(b'm');
            if let Some(body) = self.skip_argument(b'm')
                && specification.is_some_and(|specification| specification.inner.is_empty())
            {
                self.record_macro(name_argument.inner, body.inner);
            }
            return;
        }
        let count = self.skip_argument(b'o');
        let default = self.skip_argument(b'o');
        let Some(body) = self.skip_argument(b'm') else {
            return;
        };
        let takes_arguments =
            count.is_some_and(|count| self.source[count.inner].trim() != "0") || default.is_some();
        if !takes_arguments {
            self.record_macro(name_argument.inner, body.inner);
        }
    }

    fn record_macro(&mut self, name: Range<usize>, body: Range<usize>) {
        let name = self.source[name]
            .trim()
            .trim_start_matches('\\')
            .trim_end_matches('*');
        if name.is_empty()
            || !name
                .chars()
                .all(|character| character.is_ascii_alphabetic() || character == '@')
        {
            return;
        }
        if body.len() > MAX_MACRO_BODY
            || self.macro_depth >= MAX_MACRO_DEPTH
            || table::command(name).is_some()
        {
            return;
        }
        let mut collector = Collector::default();
        let expansion = {
            let mut inner = Latex::new(
                self.source,
                body,
                self.options,
                &mut collector,
                self.macros.clone(),
                self.macro_depth + 1,
            );
            inner.run_without_emitting()
        };
        if let Some(expansion) = expansion.filter(|expansion| expansion.chars().count() <= 60) {
            self.macros.insert(name.to_owned(), expansion);
        } else {
            self.macros.remove(name);
        }
    }

    /// Runs a macro body and returns its prose (when it is one short paragraph).
    fn run_without_emitting(&mut self) -> Option<String> {
        loop {
            self.close_scopes();
            if self.ended {
                return None;
            }
            let Some(token) = self.lexer.next_token() else {
                break;
            };
            if token.kind == TokenKind::ParBreak {
                return None;
            }
            self.token(token);
        }
        self.scopes.clear();
        let text = self
            .frames
            .first()
            .map(|frame| frame.builder.text().to_owned())
            .unwrap_or_default();
        (!self.collector.has_paragraphs()).then_some(text)
    }

    fn quantity(&mut self, start: usize, special: Special) {
        let source = self.source;
        let signature = match special {
            Special::Quantity | Special::NumberRange => "omm",
            Special::QuantityRange => "ommm",
            _ => "om",
        };
        let mut arguments = Vec::new();
        for kind in signature.bytes() {
            let argument = self.skip_argument(kind);
            if kind != b'o' {
                arguments.push(argument);
            }
        }
        let end = self.lexer.position;
        let text = |argument: &Option<Argument>| {
            argument
                .as_ref()
                .map(|argument| &source[argument.inner.clone()])
        };
        let produced = match special {
            Special::Quantity => text(&arguments[0]).map(number_text).map(|number| {
                match text(&arguments[1]).and_then(unit_text) {
                    Some(unit) if !unit.is_empty() => format!("{number} {unit}"),
                    _ => number,
                }
            }),
            Special::Unit => text(&arguments[0]).and_then(unit_text),
            Special::Number => text(&arguments[0]).map(number_text),
            Special::Angle => text(&arguments[0]).map(|number| format!("{}°", number_text(number))),
            Special::QuantityRange => match (text(&arguments[0]), text(&arguments[1])) {
                (Some(low), Some(high)) => Some(match text(&arguments[2]).and_then(unit_text) {
                    Some(unit) if !unit.is_empty() => {
                        format!("{}–{} {unit}", number_text(low), number_text(high))
                    }
                    _ => format!("{}–{}", number_text(low), number_text(high)),
                }),
                _ => None,
            },
            Special::NumberRange => match (text(&arguments[0]), text(&arguments[1])) {
                (Some(low), Some(high)) => {
                    Some(format!("{}–{}", number_text(low), number_text(high)))
                }
                _ => None,
            },
            _ => None,
        };
        match produced {
            Some(produced) if !produced.trim().is_empty() && end > start => {
                self.builder().push_atomic(&produced, start..end)
            }
            _ => self.builder().space_for_removal(start),
        }
    }

    // ---- environments ----

    fn environment_name(&mut self) -> Option<(String, usize)> {
        let argument = self.skip_argument(b'm')?;
        let name = self.source[argument.inner].trim();
        Some((name.to_owned(), argument.outer.end))
    }

    fn begin(&mut self, start: usize) {
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

    fn end(&mut self, start: usize) {
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
    fn find_environment_end(&self, name: &str, verbatim: bool) -> Option<usize> {
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

    fn item(&mut self) {
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

/// The position after a blank line that starts at the line end `newline`, if there is one.
fn blank_line_at(bytes: &[u8], newline: usize, end: usize) -> Option<usize> {
    let mut index = newline + 1;
    while index < end && matches!(bytes[index], b' ' | b'\t' | b'\r') {
        index += 1;
    }
    (index < end && bytes[index] == b'\n').then_some(newline)
}

fn next_char_boundary(source: &str, start: usize, end: usize) -> usize {
    let mut index = start + 1;
    while index < end && !source.is_char_boundary(index) {
        index += 1;
    }
    index.min(end)
}

/// Finds the `}` matching the `{` at `open`: `(Some(close), _)`, or `(None, stop)` where the scan
/// stopped (a blank line when `stop_at_blank_line`, else the end).
fn find_group_end(
    bytes: &[u8],
    open: usize,
    end: usize,
    stop_at_blank_line: bool,
    verbatim: bool,
) -> (Option<usize>, usize) {
    let mut depth = 0usize;
    let mut index = open;
    while index < end {
        match bytes[index] {
            b'\\' => {
                index += 2;
                continue;
            }
            b'%' if !verbatim => {
                while index < end && bytes[index] != b'\n' {
                    index += 1;
                }
                continue;
            }
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return (Some(index), index + 1);
                }
            }
            b'\n' if stop_at_blank_line => {
                if let Some(stop) = blank_line_at(bytes, index, end) {
                    return (None, stop);
                }
            }
            _ => {}
        }
        index += 1;
    }
    (None, end)
}

/// Finds the `]` matching the `[` at `open`, honouring braces; `None` at a blank line or the end.
fn find_bracket_end(bytes: &[u8], open: usize, end: usize) -> Option<usize> {
    let mut braces = 0usize;
    let mut index = open + 1;
    while index < end {
        match bytes[index] {
            b'\\' => {
                index += 2;
                continue;
            }
            b'{' => braces += 1,
            b'}' => braces = braces.saturating_sub(1),
            b']' if braces == 0 => return Some(index),
            b'\n' => {
                blank_line_at(bytes, index, end)?;
            }
            _ => {}
        }
        index += 1;
    }
    None
}

/// Whether the content of an unknown command's argument is a list of keys (`Bruhns:2009kg`,
/// `fig:one, fig:two`) rather than prose.
fn looks_like_keys(content: &str) -> bool {
    let content = content.trim();
    !content.is_empty()
        && content.split(',').all(|key| {
            let key = key.trim();
            !key.is_empty()
                && !key.contains(char::is_whitespace)
                && key.contains([':', '_'])
                && key
                    .chars()
                    .all(|character| character.is_alphanumeric() || ":_-./+".contains(character))
        })
}

/// `\ce{H2O2}` → `H2O2`: markers and braces go; anything beyond simple formulae is not text.
fn chemistry_text(content: &str) -> Option<String> {
    let mut out = String::new();
    for character in content.chars() {
        match character {
            '^' | '_' | '{' | '}' => {}
            '\\' | '$' | '%' => return None,
            character => out.push(character),
        }
    }
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    (!out.is_empty()).then_some(out)
}

/// A siunitx number: `1e-3` stays, `\pm` → `±`, `\times` → `×`, braces go.
fn number_text(content: &str) -> String {
    let content = content
        .replace("\\pm", "±")
        .replace("\\times", "×")
        .replace("\\,", " ")
        .replace("\\cdot", "·");
    let out: String = content
        .chars()
        .filter(|character| !matches!(character, '{' | '}' | '\\' | '~'))
        .collect();
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A siunitx unit: `\micro\molar` → `µM`, `\milli\gram\per\milli\litre` → `mg/mL`, `mM` → `mM`.
fn unit_text(content: &str) -> Option<String> {
    let mut out = String::new();
    let mut characters = content.chars().peekable();
    while let Some(character) = characters.next() {
        if character == '\\' {
            let name = control_word(&mut characters);
            let symbol = match name.as_str() {
                "yocto" => "y",
                "zepto" => "z",
                "atto" => "a",
                "femto" => "f",
                "pico" => "p",
                "nano" => "n",
                "micro" => "µ",
                "milli" => "m",
                "centi" => "c",
                "deci" => "d",
                "kilo" => "k",
                "mega" => "M",
                "giga" => "G",
                "tera" => "T",
                "molar" | "Molar" | "M" => "M",
                "mole" | "mol" => "mol",
                "gram" | "g" => "g",
                "litre" | "liter" | "L" | "l" => "L",
                "metre" | "meter" | "m" => "m",
                "second" | "s" => "s",
                "minute" => "min",
                "hour" => "h",
                "day" => "d",
                "degreeCelsius" | "celsius" => "°C",
                "degree" => "°",
                "kelvin" => "K",
                "percent" => "%",
                "per" => "/",
                "hertz" => "Hz",
                "dalton" | "Da" => "Da",
                "kDa" => "kDa",
                "volt" => "V",
                "ampere" => "A",
                "joule" => "J",
                "watt" => "W",
                "pascal" => "Pa",
                "bar" => "bar",
                "gray" => "Gy",
                "becquerel" => "Bq",
                "rpm" => "rpm",
                "unit" | "U" => "U",
                "squared" => "²",
                "cubed" => "³",
                "square" | "cubic" | "of" | "tothe" | "raiseto" => "",
                "," | "" => " ",
                _ => {
                    if let Some(letter) = greek(&name) {
                        out.push(letter);
                        continue;
                    }
                    return None;
                }
            };
            out.push_str(symbol);
        } else if matches!(character, '{' | '}' | '^' | '_') {
        } else if character == '~' || character == '.' {
            out.push(' ');
        } else {
            out.push(character);
        }
    }
    Some(out.split_whitespace().collect::<Vec<_>>().join(" "))
}
