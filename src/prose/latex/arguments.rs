//! Arguments: reading a command's `{…}` / `[…]` / verbatim arguments as prose or skipping them,
//! following its signature (`ArgumentPlan`), and the scans for a group's or an option's end (which
//! stop at a blank line, so an unclosed group cannot swallow the document).

use super::lexer::is_space_byte;
use super::{
    After, Argument, ArgumentPlan, Latex, ScopeEnd, Signature, blank_line_at, next_char_boundary,
};
use crate::prose::ParagraphKind;

impl<'source, 'collector> Latex<'source, 'collector> {
    /// Skips spaces (not a blank line) from the lexer position; returns the new position.
    pub(super) fn skip_spaces(&self, from: usize) -> usize {
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
    pub(super) fn argument(&mut self, kind: u8, stop_at_blank_line: bool) -> Option<Argument> {
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
    pub(super) fn read_arguments(&mut self, mut plan: ArgumentPlan) {
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

    pub(super) fn start_arguments(
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
    pub(super) fn skip_argument(&mut self, kind: u8) -> Option<Argument> {
        let argument = self.argument(kind, true)?;
        self.lexer.seek(argument.outer.end);
        Some(argument)
    }
}

/// Finds the `}` matching the `{` at `open`: `(Some(close), _)`, or `(None, stop)` where the scan
/// stopped (a blank line when `stop_at_blank_line`, else the end).
pub(super) fn find_group_end(
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
pub(super) fn find_bracket_end(bytes: &[u8], open: usize, end: usize) -> Option<usize> {
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
