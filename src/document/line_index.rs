//! Line/column positions and their conversion to and from byte offsets.
//!
//! This is the only place (with `server/convert.rs`, which calls it) where columns in UTF-8 bytes,
//! UTF-16 code units or UTF-32 code points exist. Everything else in scitag speaks byte offsets
//! into the current document text.
//!
//! The rope's own line metadata is the line index: ropey is built without `unicode_lines`, so only
//! `\n`, `\r\n` and a lone `\r` break lines, exactly as the Language Server Protocol counts them.

use std::fmt;

use ropey::Rope;

/// The unit in which a column (`character`) is counted, negotiated with the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum PositionEncoding {
    /// Bytes of UTF-8.
    Utf8,
    /// UTF-16 code units: the protocol's default and the one every client supports.
    #[default]
    Utf16,
    /// Unicode scalar values.
    Utf32,
}

impl PositionEncoding {
    /// The name used on the wire (`"utf-8"`, `"utf-16"`, `"utf-32"`).
    pub fn as_str(self) -> &'static str {
        match self {
            PositionEncoding::Utf8 => "utf-8",
            PositionEncoding::Utf16 => "utf-16",
            PositionEncoding::Utf32 => "utf-32",
        }
    }

    /// How many units of this encoding `text` occupies.
    pub fn len_of(self, text: &str) -> usize {
        match self {
            PositionEncoding::Utf8 => text.len(),
            PositionEncoding::Utf16 => text.chars().map(char::len_utf16).sum(),
            PositionEncoding::Utf32 => text.chars().count(),
        }
    }
}

impl fmt::Display for PositionEncoding {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// A zero-based line and a column counted in some [`PositionEncoding`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct LineCol {
    pub line: u32,
    pub character: u32,
}

impl LineCol {
    pub fn new(line: u32, character: u32) -> LineCol {
        LineCol { line, character }
    }
}

impl fmt::Display for LineCol {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}:{}", self.line, self.character)
    }
}

/// A position that does not exist in the document.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PositionError {
    #[error("line {line} is past the end of the document, which has {line_count} lines")]
    LineOutOfRange { line: u32, line_count: usize },
}

/// Number of lines as the protocol counts them: a final line break starts one more (empty) line.
pub fn line_count(text: &Rope) -> usize {
    text.len_lines()
}

/// The byte offset of `position` in `text`.
///
/// A column past the end of its line is clamped to the end of the line (the protocol says so),
/// and a column that falls inside a character (for example between the two UTF-16 units of an
/// emoji) is rounded down to the start of that character. A line past the end is an error.
pub fn offset_of(
    text: &Rope,
    position: LineCol,
    encoding: PositionEncoding,
) -> Result<usize, PositionError> {
    let line = position.line as usize;
    if line >= text.len_lines() {
        return Err(PositionError::LineOutOfRange {
            line: position.line,
            line_count: text.len_lines(),
        });
    }
    let line_start_byte = text.line_to_byte(line);
    let line_end_byte = line_content_end(text, line);
    let column = position.character as usize;
    let offset = match encoding {
        PositionEncoding::Utf8 => {
            let wanted = line_start_byte.saturating_add(column).min(line_end_byte);
            // Round down to the start of the character that contains the wanted byte.
            text.char_to_byte(text.byte_to_char(wanted))
        }
        PositionEncoding::Utf16 => {
            let line_start_char = text.line_to_char(line);
            let line_end_char = text.byte_to_char(line_end_byte);
            let line_start_unit = text.char_to_utf16_cu(line_start_char);
            let line_end_unit = text.char_to_utf16_cu(line_end_char);
            let wanted = line_start_unit.saturating_add(column).min(line_end_unit);
            // `utf16_cu_to_char` rounds a unit inside a surrogate pair down to its character.
            text.char_to_byte(text.utf16_cu_to_char(wanted))
        }
        PositionEncoding::Utf32 => {
            let line_start_char = text.line_to_char(line);
            let line_end_char = text.byte_to_char(line_end_byte);
            text.char_to_byte(line_start_char.saturating_add(column).min(line_end_char))
        }
    };
    Ok(offset)
}

/// The position of byte `offset` in `text`. Offsets past the end are clamped to the end and
/// offsets inside a character are rounded down to its start.
pub fn position_of(text: &Rope, offset: usize, encoding: PositionEncoding) -> LineCol {
    locate(text, offset, encoding).0
}

/// [`position_of`], and the byte where the character holding `offset` starts.
fn locate(text: &Rope, offset: usize, encoding: PositionEncoding) -> (LineCol, usize) {
    let offset = offset.min(text.len_bytes());
    let char_index = text.byte_to_char(offset);
    let line = text.char_to_line(char_index);
    let line_start_char = text.line_to_char(line);
    let char_start = text.char_to_byte(char_index);
    let column = match encoding {
        PositionEncoding::Utf8 => char_start - text.line_to_byte(line),
        PositionEncoding::Utf16 => {
            text.char_to_utf16_cu(char_index) - text.char_to_utf16_cu(line_start_char)
        }
        PositionEncoding::Utf32 => char_index - line_start_char,
    };
    (
        LineCol::new(saturating_u32(line), saturating_u32(column)),
        char_start,
    )
}

/// Positions of many offsets of one text, cheap when they come in increasing order (a publish's
/// diagnostics, sorted by place): an offset on the line of the previous one, after it, is found
/// by counting the characters between the two instead of four searches of the rope. Any other
/// offset takes [`position_of`]. Gives exactly what [`position_of`] gives.
pub struct Positions<'a> {
    text: &'a Rope,
    encoding: PositionEncoding,
    cursor: std::cell::Cell<Option<Cursor>>,
}

/// The last offset converted: its byte, position, and where its line's successor starts.
#[derive(Clone, Copy)]
struct Cursor {
    offset: usize,
    position: LineCol,
    next_line: usize,
}

impl<'a> Positions<'a> {
    pub fn new(text: &'a Rope, encoding: PositionEncoding) -> Positions<'a> {
        Positions {
            text,
            encoding,
            cursor: std::cell::Cell::new(None),
        }
    }

    pub fn text(&self) -> &'a Rope {
        self.text
    }

    pub fn encoding(&self) -> PositionEncoding {
        self.encoding
    }

    /// The position of byte `offset`, as [`position_of`].
    pub fn position(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len_bytes());
        if let Some(cursor) = self.cursor.get()
            && cursor.offset <= offset
            && offset < cursor.next_line
            && let Some(between) = self.text.get_byte_slice(cursor.offset..offset)
        {
            let columns = match self.encoding {
                PositionEncoding::Utf8 => between.len_bytes(),
                PositionEncoding::Utf16 => between.chars().map(char::len_utf16).sum(),
                PositionEncoding::Utf32 => between.chars().count(),
            };
            let position = LineCol::new(
                cursor.position.line,
                cursor
                    .position
                    .character
                    .saturating_add(saturating_u32(columns)),
            );
            self.cursor.set(Some(Cursor {
                offset,
                position,
                ..cursor
            }));
            return position;
        }
        // Walks start from the character boundary at or before `offset`.
        let (position, offset) = locate(self.text, offset, self.encoding);
        let line = position.line as usize;
        let next_line = if line + 1 < self.text.len_lines() {
            self.text.line_to_byte(line + 1)
        } else {
            self.text.len_bytes() + 1
        };
        self.cursor.set(Some(Cursor {
            offset,
            position,
            next_line,
        }));
        position
    }
}

/// The byte offset where line `line` ends, before its line break.
pub fn line_content_end(text: &Rope, line: usize) -> usize {
    let next_line_start = if line + 1 < text.len_lines() {
        text.line_to_byte(line + 1)
    } else {
        text.len_bytes()
    };
    let line_start = text.line_to_byte(line);
    let mut end = next_line_start;
    // Strip one line break: `\n`, `\r\n` or `\r`.
    if end > line_start && text.byte(end - 1) == b'\n' {
        end -= 1;
    }
    if end > line_start && text.byte(end - 1) == b'\r' {
        end -= 1;
    }
    end
}

/// The zero-based line that contains byte `offset` (clamped to the document).
pub fn line_of(text: &Rope, offset: usize) -> usize {
    text.byte_to_line(offset.min(text.len_bytes()))
}

/// The byte offset where line `line` starts.
pub fn line_start(text: &Rope, line: usize) -> usize {
    text.line_to_byte(line.min(text.len_lines().saturating_sub(1)))
}

/// How many units of `encoding` the bytes `range` of `text` occupy.
pub fn len_in(text: &Rope, range: std::ops::Range<usize>, encoding: PositionEncoding) -> usize {
    let start = range.start.min(text.len_bytes());
    let end = range.end.clamp(start, text.len_bytes());
    match encoding {
        PositionEncoding::Utf8 => end - start,
        PositionEncoding::Utf16 => {
            text.char_to_utf16_cu(text.byte_to_char(end))
                - text.char_to_utf16_cu(text.byte_to_char(start))
        }
        PositionEncoding::Utf32 => text.byte_to_char(end) - text.byte_to_char(start),
    }
}

fn saturating_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pieces the cursor's texts are made of: line breaks of all three kinds, multi-byte and
    /// astral characters, a ZWJ sequence, a combining mark.
    const PIECES: &[&str] = &[
        "a",
        "word ",
        "\n",
        "\r\n",
        "\r",
        "\n\n",
        "😀",
        "👩‍🔬",
        "中文字",
        "é",
        "\u{301}",
        " ",
    ];

    proptest::proptest! {
        /// The cursor gives what `position_of` gives, in every encoding, for every offset of the
        /// text in increasing order (inside characters and past the end included), then for the
        /// same offsets in any order (backwards jumps, repeats, jumps across lines).
        #[test]
        fn positions_in_any_order_equal_position_of(
            pieces in proptest::collection::vec(proptest::sample::select(PIECES), 0..40),
            shuffled in proptest::collection::vec(0usize..400, 0..80),
        ) {
            let text: String = pieces.concat();
            let rope = Rope::from_str(&text);
            let increasing: Vec<usize> = (0..=text.len() + 2).collect();
            let any_order: Vec<usize> = shuffled.iter().map(|offset| offset % (text.len() + 3)).collect();
            for offsets in [&increasing, &any_order] {
                for encoding in ENCODINGS {
                    let positions = Positions::new(&rope, encoding);
                    for &offset in offsets {
                        proptest::prop_assert_eq!(
                            positions.position(offset),
                            position_of(&rope, offset, encoding),
                            "{} {} in {:?}", encoding, offset, text
                        );
                    }
                }
            }
        }
    }

    const ENCODINGS: [PositionEncoding; 3] = [
        PositionEncoding::Utf8,
        PositionEncoding::Utf16,
        PositionEncoding::Utf32,
    ];

    /// Checks that `needle` (the first occurrence in `text`) sits at `expected` in each encoding,
    /// and that converting back lands on the same byte.
    fn check(text: &str, needle: &str, expected: [(u32, u32); 3]) {
        let rope = Rope::from_str(text);
        let offset = text.find(needle).expect("needle in text");
        for (encoding, (line, character)) in ENCODINGS.into_iter().zip(expected) {
            let position = position_of(&rope, offset, encoding);
            assert_eq!(
                position,
                LineCol::new(line, character),
                "{encoding} position of {needle:?} in {text:?}"
            );
            assert_eq!(
                offset_of(&rope, position, encoding),
                Ok(offset),
                "{encoding} offset of {position}"
            );
        }
    }

    #[test]
    fn ascii() {
        check("hello\nworld", "world", [(1, 0), (1, 0), (1, 0)]);
        check("hello\nworld", "rld", [(1, 2), (1, 2), (1, 2)]);
    }

    #[test]
    fn emoji_counts_two_utf16_units_and_four_bytes() {
        // The LSP-01 case of the research notes.
        let text = "🧬 BRCA1 and 𝛼-actinin";
        check(text, "BRCA1", [(0, 5), (0, 3), (0, 2)]);
        check(text, "𝛼-actinin", [(0, 15), (0, 13), (0, 12)]);
    }

    #[test]
    fn cjk_counts_one_utf16_unit_and_three_bytes() {
        check("蛋白质 p53 は", "p53", [(0, 10), (0, 4), (0, 4)]);
        check("第一行\n蛋白 p53", "p53", [(1, 7), (1, 3), (1, 3)]);
    }

    #[test]
    fn combining_marks_are_separate_code_points() {
        // "é" written as e + U+0301 is two code points, three bytes.
        check("cafe\u{301} IL-2", "IL-2", [(0, 7), (0, 6), (0, 6)]);
    }

    #[test]
    fn crlf_and_lone_cr_break_lines_once() {
        check("a\r\nb\r\nIL-2", "IL-2", [(2, 0), (2, 0), (2, 0)]);
        check("a\rb\rIL-2", "IL-2", [(2, 0), (2, 0), (2, 0)]);
        check("a\r\n\r\nIL-2 x", "x", [(2, 5), (2, 5), (2, 5)]);
    }

    #[test]
    fn unicode_line_separators_do_not_break_lines() {
        // LSP-03: U+2028, U+0085 and form feed are ordinary characters to the protocol.
        check(
            "a\u{2028}b\u{85}c\u{c}d\nIL-2",
            "IL-2",
            [(1, 0), (1, 0), (1, 0)],
        );
        check("a\u{2028}b IL-2", "IL-2", [(0, 6), (0, 4), (0, 4)]);
    }

    #[test]
    fn column_past_end_of_line_is_clamped_to_the_line_end() {
        let rope = Rope::from_str("ab\r\ncd");
        for encoding in ENCODINGS {
            assert_eq!(
                offset_of(&rope, LineCol::new(0, 99), encoding),
                Ok(2),
                "{encoding}"
            );
            assert_eq!(
                offset_of(&rope, LineCol::new(1, 99), encoding),
                Ok(6),
                "{encoding}"
            );
        }
    }

    #[test]
    fn line_past_end_is_an_error() {
        let rope = Rope::from_str("ab\ncd");
        for encoding in ENCODINGS {
            assert_eq!(
                offset_of(&rope, LineCol::new(2, 0), encoding),
                Err(PositionError::LineOutOfRange {
                    line: 2,
                    line_count: 2
                })
            );
        }
        // A trailing line break opens one more, empty line.
        let rope = Rope::from_str("ab\n");
        assert_eq!(
            offset_of(&rope, LineCol::new(1, 0), PositionEncoding::Utf16),
            Ok(3)
        );
    }

    #[test]
    fn column_inside_a_character_rounds_down() {
        let rope = Rope::from_str("x🧬y");
        // UTF-16 unit 2 is the low surrogate of the emoji.
        assert_eq!(
            offset_of(&rope, LineCol::new(0, 2), PositionEncoding::Utf16),
            Ok(1)
        );
        assert_eq!(
            offset_of(&rope, LineCol::new(0, 3), PositionEncoding::Utf16),
            Ok(5)
        );
        // UTF-8 byte 3 is inside the emoji.
        assert_eq!(
            offset_of(&rope, LineCol::new(0, 3), PositionEncoding::Utf8),
            Ok(1)
        );
    }

    #[test]
    fn offsets_past_the_end_clamp_to_the_end() {
        let rope = Rope::from_str("ab\ncé");
        assert_eq!(
            position_of(&rope, 100, PositionEncoding::Utf16),
            LineCol::new(1, 2)
        );
        assert_eq!(
            position_of(&rope, 100, PositionEncoding::Utf8),
            LineCol::new(1, 3)
        );
    }

    #[test]
    fn empty_document_has_one_line() {
        let rope = Rope::from_str("");
        assert_eq!(line_count(&rope), 1);
        assert_eq!(
            offset_of(&rope, LineCol::new(0, 5), PositionEncoding::Utf16),
            Ok(0)
        );
        assert_eq!(
            position_of(&rope, 0, PositionEncoding::Utf16),
            LineCol::new(0, 0)
        );
    }

    #[test]
    fn line_content_end_excludes_every_kind_of_break() {
        let rope = Rope::from_str("ab\r\ncd\ref\ngh");
        assert_eq!(line_content_end(&rope, 0), 2);
        assert_eq!(line_content_end(&rope, 1), 6);
        assert_eq!(line_content_end(&rope, 2), 9);
        assert_eq!(line_content_end(&rope, 3), 12);
    }

    #[test]
    fn lengths_in_each_encoding() {
        let rope = Rope::from_str("a🧬é蛋");
        let all = 0..rope.len_bytes();
        assert_eq!(len_in(&rope, all.clone(), PositionEncoding::Utf8), 10);
        assert_eq!(len_in(&rope, all.clone(), PositionEncoding::Utf16), 5);
        assert_eq!(len_in(&rope, all, PositionEncoding::Utf32), 4);
        assert_eq!(PositionEncoding::Utf16.len_of("a🧬é蛋"), 5);
    }
}
