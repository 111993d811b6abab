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
//!
//! This file holds the extractor's state and its main loop (tokens, text, math, scopes); the
//! rest is split by what it reads: [`arguments`], [`commands`], [`macros`], [`siunitx`] and
//! [`environments`], each an `impl Latex` block of its own.

mod arguments;
mod commands;
mod environments;
mod lexer;
mod macros;
mod outline;
pub mod project;
mod siunitx;
mod table;

pub(crate) use outline::headings;

use std::collections::HashMap;
use std::ops::Range;

use lexer::{Lexer, Token, TokenKind};
use table::Environment;

use super::markdown::{email, is_word_byte, url};
use super::mathtext::math_to_text;
use super::offsets::ProseBuilder;
use super::options::ArgumentKind;
use super::{Collector, ExtractOptions, ParagraphKind};

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

    // ---- commands ----

    // ---- environments ----
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
