//! A LaTeX lexer over byte offsets. It never fails: every byte of the input ends up in some token (or
//! in whitespace the TeX rules swallow), and it stops at the end of its range.

use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TokenKind {
    /// `\name` (letters and `@`), with an optional `*` that is part of the token.
    ControlWord,
    /// `\` and one character.
    ControlSymbol,
    BeginGroup,
    EndGroup,
    OpenBracket,
    CloseBracket,
    /// `$`
    Math,
    /// `$$`
    DisplayMath,
    /// `~`
    Tie,
    /// `&`
    Align,
    /// `#` (a macro parameter; never prose)
    Parameter,
    /// `%` to the end of the line (the line end and the next line's indent are swallowed).
    Comment,
    /// Whitespace without a blank line.
    Space,
    /// Whitespace with a blank line in it (or a comment followed by a blank line).
    ParBreak,
    /// Any other characters.
    Text,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Token {
    pub(super) kind: TokenKind,
    pub(super) range: Range<usize>,
    /// For control words: the whitespace after it, which TeX swallows.
    pub(super) swallowed: Option<Range<usize>>,
    /// For control words: whether a `*` follows the name (included in `range`).
    pub(super) star: bool,
}

impl Token {
    /// The command name of a control word or symbol, without the backslash and the star.
    pub(super) fn name<'source>(&self, source: &'source str) -> &'source str {
        let end = if self.star {
            self.range.end - 1
        } else {
            self.range.end
        };
        source.get(self.range.start + 1..end).unwrap_or_default()
    }
}

#[derive(Clone, Debug)]
pub(super) struct Lexer<'source> {
    source: &'source str,
    pub(super) position: usize,
    pub(super) end: usize,
    /// After a control word or a comment, the next line end (and the indent after it) is swallowed.
    swallow_line_end: bool,
}

fn is_special(byte: u8) -> bool {
    matches!(
        byte,
        b'\\'
            | b'{'
            | b'}'
            | b'['
            | b']'
            | b'$'
            | b'~'
            | b'&'
            | b'#'
            | b'%'
            | b' '
            | b'\t'
            | b'\n'
            | b'\r'
            | b'\x0b'
            | b'\x0c'
    )
}

pub(super) fn is_space_byte(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
}

impl<'source> Lexer<'source> {
    pub(super) fn new(source: &'source str, range: Range<usize>) -> Self {
        let end = range.end.min(source.len());
        Self {
            source,
            position: range.start.min(end),
            end,
            swallow_line_end: false,
        }
    }

    fn byte(&self, index: usize) -> Option<u8> {
        if index < self.end {
            self.source.as_bytes().get(index).copied()
        } else {
            None
        }
    }

    /// Moves to `position` (clamped to the range), forgetting any swallowing state.
    pub(super) fn seek(&mut self, position: usize) {
        self.position = position.clamp(self.position.min(self.end), self.end);
        self.swallow_line_end = false;
    }

    /// The next token, or `None` at the end of the range.
    pub(super) fn next_token(&mut self) -> Option<Token> {
        loop {
            let start = self.position;
            let byte = self.byte(start)?;
            if is_space_byte(byte) {
                let (end, breaks) = self.whitespace_run(start);
                self.position = end;
                let swallow = std::mem::take(&mut self.swallow_line_end);
                // A blank line breaks the paragraph, also right after a comment or a control word.
                if breaks >= 2 {
                    return Some(self.token(TokenKind::ParBreak, start..end));
                }
                if swallow {
                    continue;
                }
                return Some(self.token(TokenKind::Space, start..end));
            }
            self.swallow_line_end = false;
            let token = match byte {
                b'\\' => return Some(self.control(start)),
                b'{' => self.single(TokenKind::BeginGroup, start),
                b'}' => self.single(TokenKind::EndGroup, start),
                b'[' => self.single(TokenKind::OpenBracket, start),
                b']' => self.single(TokenKind::CloseBracket, start),
                b'~' => self.single(TokenKind::Tie, start),
                b'&' => self.single(TokenKind::Align, start),
                b'#' => self.single(TokenKind::Parameter, start),
                b'$' => {
                    if self.byte(start + 1) == Some(b'$') {
                        self.position = start + 2;
                        self.token(TokenKind::DisplayMath, start..start + 2)
                    } else {
                        self.single(TokenKind::Math, start)
                    }
                }
                b'%' => {
                    let mut end = start + 1;
                    while let Some(next) = self.byte(end) {
                        if next == b'\n' || next == b'\r' {
                            break;
                        }
                        end += 1;
                    }
                    self.position = end;
                    self.swallow_line_end = true;
                    self.token(TokenKind::Comment, start..end)
                }
                _ => {
                    let mut end = start + 1;
                    while let Some(next) = self.byte(end) {
                        if is_special(next) {
                            break;
                        }
                        end += 1;
                    }
                    // Never end inside a UTF-8 sequence (the specials are all ASCII, so this only
                    // matters when the range itself ends inside one).
                    while end < self.end && !self.source.is_char_boundary(end) {
                        end += 1;
                    }
                    self.position = end;
                    self.token(TokenKind::Text, start..end)
                }
            };
            return Some(token);
        }
    }

    fn token(&self, kind: TokenKind, range: Range<usize>) -> Token {
        Token {
            kind,
            range,
            swallowed: None,
            star: false,
        }
    }

    fn single(&mut self, kind: TokenKind, start: usize) -> Token {
        self.position = start + 1;
        self.token(kind, start..start + 1)
    }

    fn control(&mut self, start: usize) -> Token {
        let mut end = start + 1;
        while let Some(next) = self.byte(end) {
            if !(next.is_ascii_alphabetic() || next == b'@') {
                break;
            }
            end += 1;
        }
        if end == start + 1 {
            // A control symbol: one character (possibly multi-byte), or a lone backslash at the end.
            let length = self
                .source
                .get(end..self.end)
                .and_then(|rest| rest.chars().next())
                .map_or(0, char::len_utf8);
            self.position = end + length;
            return self.token(TokenKind::ControlSymbol, start..end + length);
        }
        let mut star = false;
        if self.byte(end) == Some(b'*') {
            star = true;
            end += 1;
        }
        self.position = end;
        // TeX skips the spaces after a control word (and one line end); a blank line still breaks.
        let mut swallowed = None;
        if self.byte(end).is_some_and(is_space_byte) {
            let (space_end, breaks) = self.whitespace_run(end);
            if breaks < 2 {
                swallowed = Some(end..space_end);
                self.position = space_end;
            } else {
                self.swallow_line_end = true;
            }
        }
        Token {
            kind: TokenKind::ControlWord,
            range: start..end,
            swallowed,
            star,
        }
    }

    /// The end of the whitespace run at `start` and how many line ends it holds.
    fn whitespace_run(&self, start: usize) -> (usize, usize) {
        let mut end = start;
        let mut line_ends = 0;
        while let Some(byte) = self.byte(end) {
            match byte {
                b'\n' => line_ends += 1,
                b'\r' => {
                    if self.byte(end + 1) != Some(b'\n') {
                        line_ends += 1;
                    }
                }
                b' ' | b'\t' | b'\x0b' | b'\x0c' => {}
                _ => break,
            }
            end += 1;
        }
        (end, line_ends)
    }
}
