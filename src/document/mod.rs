//! Open documents: text in a rope, the client's version, and edits applied in order.
//!
//! A [`Document`] knows nothing about the protocol. Edits arrive as [`TextChange`]s whose
//! positions are [`LineCol`]s in the negotiated [`PositionEncoding`]; the server converts the
//! protocol's types into these at its seam. Applying a change reports the byte range it replaced
//! ([`AppliedEdit`]) so the last good analysis can be moved along with the text.

mod line_index;
mod text_lines;

use std::ops::Range;

use ropey::Rope;

pub use line_index::{
    LineCol, PositionEncoding, PositionError, Positions, len_in, line_content_end, line_count,
    line_of, line_start, offset_of, position_of,
};
pub use text_lines::TextLines;

/// One content change of a `didChange` notification, in document coordinates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextChange {
    /// The replaced range, or `None` to replace the whole text.
    pub range: Option<Range<LineCol>>,
    pub text: String,
}

/// What one applied change did, in bytes of the text as it was just before that change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppliedEdit {
    pub replaced: Range<usize>,
    pub inserted_len: usize,
}

/// A change that could not be applied. The changes before it in the same notification were.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("change {index} has an invalid start: {source}")]
    Start { index: usize, source: PositionError },
    #[error("change {index} has an invalid end: {source}")]
    End { index: usize, source: PositionError },
    #[error("change {index} ends at {end}, before its start {start}")]
    Reversed {
        index: usize,
        start: LineCol,
        end: LineCol,
    },
}

/// The outcome of [`Document::apply_changes`]: the edits that were applied and, if one change was
/// invalid, why the rest were skipped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApplyOutcome {
    pub applied: Vec<AppliedEdit>,
    pub error: Option<EditError>,
}

/// An open document: its text and the version the client gave it.
#[derive(Clone, Debug)]
pub struct Document {
    text: Rope,
    version: i32,
}

impl Document {
    pub fn new(text: &str, version: i32) -> Document {
        Document {
            text: Rope::from_str(text),
            version,
        }
    }

    pub fn version(&self) -> i32 {
        self.version
    }

    /// The text. Cloning a rope is cheap (it shares its nodes), so snapshots clone it.
    pub fn text(&self) -> &Rope {
        &self.text
    }

    pub fn len_bytes(&self) -> usize {
        self.text.len_bytes()
    }

    /// The byte offset of `position`; see [`offset_of`] for clamping rules.
    pub fn offset(
        &self,
        position: LineCol,
        encoding: PositionEncoding,
    ) -> Result<usize, PositionError> {
        offset_of(&self.text, position, encoding)
    }

    /// The position of byte `offset`; see [`position_of`].
    pub fn position(&self, offset: usize, encoding: PositionEncoding) -> LineCol {
        position_of(&self.text, offset, encoding)
    }

    /// Applies `changes` in order, each in the coordinates the previous one left, and sets the
    /// version. A change with an invalid range stops the application there; the error says which.
    pub fn apply_changes(
        &mut self,
        version: i32,
        changes: &[TextChange],
        encoding: PositionEncoding,
    ) -> ApplyOutcome {
        self.version = version;
        let mut outcome = ApplyOutcome::default();
        // A full replacement makes every change before it irrelevant, so start from the last one.
        let first = changes
            .iter()
            .rposition(|change| change.range.is_none())
            .unwrap_or(0);
        for (index, change) in changes.iter().enumerate().skip(first) {
            match self.apply_change(index, change, encoding) {
                Ok(edit) => outcome.applied.push(edit),
                Err(error) => {
                    outcome.error = Some(error);
                    break;
                }
            }
        }
        outcome
    }

    fn apply_change(
        &mut self,
        index: usize,
        change: &TextChange,
        encoding: PositionEncoding,
    ) -> Result<AppliedEdit, EditError> {
        let Some(range) = &change.range else {
            let old_len = self.text.len_bytes();
            self.text = Rope::from_str(&change.text);
            return Ok(AppliedEdit {
                replaced: 0..old_len,
                inserted_len: change.text.len(),
            });
        };
        let start = offset_of(&self.text, range.start, encoding)
            .map_err(|source| EditError::Start { index, source })?;
        let end = offset_of(&self.text, range.end, encoding)
            .map_err(|source| EditError::End { index, source })?;
        if end < start {
            return Err(EditError::Reversed {
                index,
                start: range.start,
                end: range.end,
            });
        }
        let start_char = self.text.byte_to_char(start);
        let end_char = self.text.byte_to_char(end);
        self.text.remove(start_char..end_char);
        self.text.insert(start_char, &change.text);
        Ok(AppliedEdit {
            replaced: start..end,
            inserted_len: change.text.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(start: (u32, u32), end: (u32, u32), text: &str) -> TextChange {
        TextChange {
            range: Some(LineCol::new(start.0, start.1)..LineCol::new(end.0, end.1)),
            text: text.to_owned(),
        }
    }

    fn full(text: &str) -> TextChange {
        TextChange {
            range: None,
            text: text.to_owned(),
        }
    }

    #[test]
    fn changes_apply_in_order_each_in_the_previous_coordinates() {
        let mut document = Document::new("IL-2 binds\nits receptor", 1);
        let outcome = document.apply_changes(
            2,
            &[
                change((0, 0), (0, 0), "The "),
                change((0, 4), (0, 8), "IL-4"),
                change((1, 4), (1, 12), "cytokine receptor"),
            ],
            PositionEncoding::Utf16,
        );
        assert_eq!(outcome.error, None);
        assert_eq!(
            document.text().to_string(),
            "The IL-4 binds\nits cytokine receptor"
        );
        assert_eq!(document.version(), 2);
        assert_eq!(
            outcome.applied[0],
            AppliedEdit {
                replaced: 0..0,
                inserted_len: 4
            }
        );
        assert_eq!(
            outcome.applied[1],
            AppliedEdit {
                replaced: 4..8,
                inserted_len: 4
            }
        );
    }

    #[test]
    fn a_full_change_resets_what_came_before() {
        let mut document = Document::new("old", 1);
        let outcome = document.apply_changes(
            2,
            &[
                change((5, 0), (6, 0), "ignored because a full change follows"),
                full("new text"),
                change((0, 0), (0, 3), "NEW"),
            ],
            PositionEncoding::Utf16,
        );
        assert_eq!(outcome.error, None);
        assert_eq!(document.text().to_string(), "NEW text");
        assert_eq!(outcome.applied.len(), 2);
    }

    #[test]
    fn utf16_edit_after_emoji_and_cjk() {
        let mut document = Document::new("🧬 蛋白 p53\nnext", 1);
        // "p53" starts at UTF-16 column 6 (🧬 = 2, space, 蛋, 白, space).
        document.apply_changes(
            2,
            &[change((0, 6), (0, 9), "TP53")],
            PositionEncoding::Utf16,
        );
        assert_eq!(document.text().to_string(), "🧬 蛋白 TP53\nnext");
        let mut document = Document::new("🧬 蛋白 p53\nnext", 1);
        // The same edit in UTF-8 bytes: 4 + 1 + 3 + 3 + 1 = 12.
        document.apply_changes(
            2,
            &[change((0, 12), (0, 15), "TP53")],
            PositionEncoding::Utf8,
        );
        assert_eq!(document.text().to_string(), "🧬 蛋白 TP53\nnext");
    }

    #[test]
    fn crlf_documents_edit_on_the_right_line() {
        let mut document = Document::new("a\r\nb\r\nc", 1);
        document.apply_changes(
            2,
            &[change((1, 0), (1, 1), "B"), change((2, 1), (2, 1), "!")],
            PositionEncoding::Utf16,
        );
        assert_eq!(document.text().to_string(), "a\r\nB\r\nc!");
    }

    #[test]
    fn combining_mark_edit() {
        let mut document = Document::new("cafe\u{301} x", 1);
        document.apply_changes(2, &[change((0, 6), (0, 7), "y")], PositionEncoding::Utf16);
        assert_eq!(document.text().to_string(), "cafe\u{301} y");
    }

    #[test]
    fn out_of_range_change_stops_and_reports_without_panicking() {
        let mut document = Document::new("one\ntwo", 1);
        let outcome = document.apply_changes(
            2,
            &[
                change((0, 0), (0, 0), ">"),
                change((7, 0), (7, 1), "x"),
                change((0, 0), (0, 0), "never"),
            ],
            PositionEncoding::Utf16,
        );
        assert_eq!(document.text().to_string(), ">one\ntwo");
        assert_eq!(outcome.applied.len(), 1);
        assert!(
            matches!(outcome.error, Some(EditError::Start { index: 1, .. })),
            "{outcome:?}"
        );
        assert_eq!(document.version(), 2);
    }

    #[test]
    fn reversed_range_is_an_error() {
        let mut document = Document::new("one two", 1);
        let outcome =
            document.apply_changes(2, &[change((0, 4), (0, 1), "")], PositionEncoding::Utf16);
        assert!(matches!(outcome.error, Some(EditError::Reversed { .. })));
        assert_eq!(document.text().to_string(), "one two");
    }

    #[test]
    fn edits_at_end_of_document() {
        let mut document = Document::new("ab\n", 1);
        document.apply_changes(2, &[change((1, 0), (1, 0), "cd")], PositionEncoding::Utf16);
        assert_eq!(document.text().to_string(), "ab\ncd");
        // A column past the end of the line is clamped, so this appends.
        document.apply_changes(3, &[change((1, 50), (1, 50), "!")], PositionEncoding::Utf16);
        assert_eq!(document.text().to_string(), "ab\ncd!");
    }
}
