//! The invariants every extraction keeps, as a checker shared by the unit tests, the property tests and
//! the fuzz targets.

use super::{Extraction, PieceKind};

/// Checks the documented invariants of `extraction` for the document `source`; the error says which
/// paragraph and which rule failed.
pub fn check_invariants(source: &str, extraction: &Extraction) -> Result<(), String> {
    let mut mapped: Vec<(usize, usize)> = Vec::new();
    let mut open: Vec<std::ops::Range<usize>> = Vec::new();
    let mut previous_start = 0;
    for (number, paragraph) in extraction.paragraphs.iter().enumerate() {
        let fail = |message: String| {
            Err(format!(
                "paragraph {number} {:?}: {message}",
                paragraph.prose
            ))
        };
        let range = paragraph.source_range.clone();
        if range.start >= range.end || range.end > source.len() {
            return fail(format!(
                "source range {range:?} is empty or outside the source ({} bytes)",
                source.len()
            ));
        }
        if range.start < previous_start {
            return fail(format!(
                "source range {range:?} starts before the previous paragraph"
            ));
        }
        previous_start = range.start;
        while open.last().is_some_and(|outer| outer.end <= range.start) {
            open.pop();
        }
        if let Some(outer) = open.last()
            && range.end > outer.end
        {
            return fail(format!(
                "source range {range:?} overlaps {outer:?} without being nested in it"
            ));
        }
        open.push(range.clone());

        let prose = paragraph.prose.as_str();
        if prose.is_empty()
            || prose.starts_with(char::is_whitespace)
            || prose.ends_with(char::is_whitespace)
        {
            return fail("prose is empty or has whitespace at an end".to_owned());
        }
        if prose.contains("  ") || prose.contains(['\n', '\r', '\t']) {
            return fail("prose has a double space or a line break".to_owned());
        }
        let mut prose_end = 0;
        let mut source_cursor = range.start;
        for piece in paragraph.map.pieces() {
            if piece.prose.start != prose_end || piece.prose.end <= piece.prose.start {
                return fail(format!(
                    "piece {piece:?} is not contiguous with the previous one"
                ));
            }
            prose_end = piece.prose.end;
            if !prose.is_char_boundary(piece.prose.start)
                || !prose.is_char_boundary(piece.prose.end)
                || piece.prose.end > prose.len()
            {
                return fail(format!(
                    "piece {piece:?} does not sit on char boundaries of the prose"
                ));
            }
            if piece.source.end > source.len() || piece.source.start > piece.source.end {
                return fail(format!("piece {piece:?} points outside the source"));
            }
            match piece.kind {
                PieceKind::Verbatim => {
                    if source.get(piece.source.clone()) != Some(&prose[piece.prose.clone()]) {
                        return fail(format!(
                            "Verbatim piece {piece:?} differs from its source bytes"
                        ));
                    }
                }
                PieceKind::Atomic => {
                    if piece.source.is_empty() || source.get(piece.source.clone()).is_none() {
                        return fail(format!(
                            "Atomic piece {piece:?} has an empty or split source range"
                        ));
                    }
                }
                PieceKind::Synthetic => {
                    if !piece.source.is_empty() {
                        return fail(format!(
                            "Synthetic piece {piece:?} has a non-empty source range"
                        ));
                    }
                }
            }
            if piece.kind != PieceKind::Synthetic {
                if piece.source.start < range.start || piece.source.end > range.end {
                    return fail(format!(
                        "piece {piece:?} maps outside the paragraph range {range:?}"
                    ));
                }
                if piece.source.start < source_cursor {
                    return fail(format!(
                        "piece {piece:?} maps before the previous piece (the map is not monotone)"
                    ));
                }
                source_cursor = piece.source.end;
                mapped.push((piece.source.start, piece.source.end));
            }
        }
        if prose_end != prose.len() {
            return fail(format!(
                "pieces cover {prose_end} of {} prose bytes",
                prose.len()
            ));
        }
        for (offset, _) in prose.char_indices() {
            if paragraph.map.piece_at(offset).is_none() {
                return fail(format!("prose byte {offset} maps nowhere"));
            }
        }
        let mut sentence_end = 0;
        for sentence in &paragraph.sentences {
            if sentence.start < sentence_end
                || sentence.end > prose.len()
                || sentence.start >= sentence.end
            {
                return fail(format!(
                    "sentence {sentence:?} is out of order or outside the prose"
                ));
            }
            let (Some(text), Some(gap)) = (
                prose.get(sentence.clone()),
                prose.get(sentence_end..sentence.start),
            ) else {
                return fail(format!("sentence {sentence:?} is not on char boundaries"));
            };
            if text.trim() != text || !gap.trim().is_empty() {
                return fail(format!(
                    "sentence {sentence:?} is not trimmed or skips text"
                ));
            }
            sentence_end = sentence.end;
        }
        if !prose[sentence_end..].trim().is_empty() {
            return fail("the sentences do not cover the end of the prose".to_owned());
        }
    }
    mapped.sort_unstable();
    for pair in mapped.windows(2) {
        if pair[1].0 < pair[0].1 {
            return Err(format!(
                "source bytes {:?} are mapped by two pieces",
                pair[1].0..pair[0].1
            ));
        }
    }
    for problem in &extraction.problems {
        if problem.range.start > problem.range.end || problem.range.end > source.len() {
            return Err(format!("problem {problem:?} points outside the source"));
        }
    }
    Ok(())
}
