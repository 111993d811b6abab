//! Semantic tokens: the legend, the encoder and the delta between two token arrays.
//!
//! Rules the encoder keeps (each one a known bug in other servers): tokens are sorted; the start
//! is relative to the previous token only on the same line; columns and lengths are in the
//! negotiated position encoding; a token never spans lines unless the client supports multiline
//! tokens; tokens never overlap. Delta edits count `u32`s, five per token.

use ropey::Rope;
use tower_lsp_server::ls_types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokensEdit,
    SemanticTokensLegend,
};

use crate::document::{self, PositionEncoding};
use crate::features::{Highlight, class_key};

/// The classes of the built-in model, in legend order: the JNLPBA ones, then chemicals, diseases
/// and species. They come first in every legend, whatever the model, so editor themes can rely on
/// them.
pub const STANDARD_TOKEN_TYPES: [&str; 8] = crate::features::STANDARD_CLASS_KEYS;

/// The one modifier: set on mentions scored below the confidence threshold.
pub const LOW_CONFIDENCE_MODIFIER: &str = "lowConfidence";

/// The bit of [`LOW_CONFIDENCE_MODIFIER`] in `tokenModifiers`.
const LOW_CONFIDENCE_BIT: u32 = 1;

/// The token types and modifiers, fixed for the session when the server initializes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Legend {
    token_types: Vec<String>,
}

impl Legend {
    /// The standard types followed by the camelCase name of every other class of `model_classes`.
    pub fn new(model_classes: &[String]) -> Legend {
        let mut token_types: Vec<String> = STANDARD_TOKEN_TYPES
            .iter()
            .map(|name| (*name).to_owned())
            .collect();
        for class in model_classes {
            let key = class_key(class);
            if !key.is_empty() && !token_types.contains(&key) {
                token_types.push(key);
            }
        }
        Legend { token_types }
    }

    /// The index of the token type for a class as the model spells it.
    pub fn token_type(&self, label: &str) -> Option<u32> {
        let key = class_key(label);
        self.token_types
            .iter()
            .position(|name| *name == key)
            .and_then(|index| u32::try_from(index).ok())
    }

    pub fn token_types(&self) -> &[String] {
        &self.token_types
    }

    pub fn to_lsp(&self) -> SemanticTokensLegend {
        SemanticTokensLegend {
            token_types: self
                .token_types
                .iter()
                .map(|name| SemanticTokenType::from(name.clone()))
                .collect(),
            token_modifiers: vec![SemanticTokenModifier::new(LOW_CONFIDENCE_MODIFIER)],
        }
    }
}

/// One token before delta encoding: absolute line and column, in the negotiated encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct AbsoluteToken {
    pub line: u32,
    pub start: u32,
    pub length: u32,
    pub token_type: u32,
    pub modifiers: u32,
}

/// Turns highlights (byte ranges of `text`, sorted, not overlapping) into absolute tokens.
///
/// Without `multiline` support a highlight that crosses line breaks becomes one token per line,
/// leaving out the breaks themselves. Highlights whose class is not in the legend are skipped.
pub fn absolute_tokens(
    highlights: &[Highlight<'_>],
    text: &Rope,
    encoding: PositionEncoding,
    multiline: bool,
    legend: &Legend,
) -> Vec<AbsoluteToken> {
    let mut tokens = Vec::with_capacity(highlights.len());
    let mut unknown_labels: Vec<&str> = Vec::new();
    let text_len = text.len_bytes();
    // The highlights are sorted: the cursor walks along each line instead of searching the rope.
    let positions = document::Positions::new(text, encoding);
    for highlight in highlights {
        let Some(token_type) = legend.token_type(highlight.label) else {
            if !unknown_labels.contains(&highlight.label) {
                unknown_labels.push(highlight.label);
            }
            continue;
        };
        let modifiers = if highlight.low_confidence {
            LOW_CONFIDENCE_BIT
        } else {
            0
        };
        let start = highlight.range.start.min(text_len);
        let end = highlight.range.end.min(text_len);
        if start >= end {
            continue;
        }
        if multiline {
            let position = document::position_of(text, start, encoding);
            let length = document::len_in(text, start..end, encoding);
            push_token(
                &mut tokens,
                position.line,
                position.character,
                length,
                token_type,
                modifiers,
            );
            continue;
        }
        let first = positions.position(start);
        let last = positions.position(end);
        // On one line (nearly every entity): the length is the difference of two columns. A
        // range that ends after a line break ends on the next line; one that ends inside `\r\n`
        // (before its `\n`) holds a `\r` that is no part of a token.
        if last.line == first.line && text.byte(end - 1) != b'\r' {
            let length = (last.character - first.character) as usize;
            push_token(
                &mut tokens,
                first.line,
                first.character,
                length,
                token_type,
                modifiers,
            );
            continue;
        }
        for line in first.line as usize..=document::line_of(text, end - 1) {
            let piece_start = start.max(document::line_start(text, line));
            let piece_end = end.min(document::line_content_end(text, line));
            if piece_start >= piece_end {
                continue;
            }
            let position = document::position_of(text, piece_start, encoding);
            let length = document::len_in(text, piece_start..piece_end, encoding);
            push_token(
                &mut tokens,
                position.line,
                position.character,
                length,
                token_type,
                modifiers,
            );
        }
    }
    if !unknown_labels.is_empty() {
        tracing::warn!(
            "classes {unknown_labels:?} are not in the semantic token legend (fixed when the server started); \
             restart the server to colour them"
        );
    }
    tokens.sort_unstable();
    // Overlapping tokens are not allowed; keep the first of any overlapping pair.
    tokens.dedup_by(|next, previous| {
        next.line == previous.line && next.start < previous.start + previous.length
    });
    tokens
}

fn push_token(
    tokens: &mut Vec<AbsoluteToken>,
    line: u32,
    start: u32,
    length: usize,
    token_type: u32,
    modifiers: u32,
) {
    let Ok(length) = u32::try_from(length) else {
        return;
    };
    if length > 0 {
        tokens.push(AbsoluteToken {
            line,
            start,
            length,
            token_type,
            modifiers,
        });
    }
}

/// Delta-encodes sorted absolute tokens for the wire.
pub fn encode(tokens: &[AbsoluteToken]) -> Vec<SemanticToken> {
    let mut previous_line = 0;
    let mut previous_start = 0;
    tokens
        .iter()
        .map(|token| {
            let delta_line = token.line - previous_line;
            let delta_start = if delta_line == 0 {
                token.start - previous_start
            } else {
                token.start
            };
            previous_line = token.line;
            previous_start = token.start;
            SemanticToken {
                delta_line,
                delta_start,
                length: token.length,
                token_type: token.token_type,
                token_modifiers_bitset: token.modifiers,
            }
        })
        .collect()
}

/// The edit that turns `old` into `new`: one replacement of the differing middle, or nothing.
/// `start` and `deleteCount` count `u32`s, five per token.
pub fn diff(old: &[SemanticToken], new: &[SemanticToken]) -> Vec<SemanticTokensEdit> {
    let prefix = old
        .iter()
        .zip(new)
        .take_while(|(old, new)| old == new)
        .count();
    let old_rest = &old[prefix..];
    let new_rest = &new[prefix..];
    let suffix = old_rest
        .iter()
        .rev()
        .zip(new_rest.iter().rev())
        .take_while(|(old, new)| old == new)
        .count();
    let deleted = &old_rest[..old_rest.len() - suffix];
    let inserted = &new_rest[..new_rest.len() - suffix];
    if deleted.is_empty() && inserted.is_empty() {
        return Vec::new();
    }
    vec![SemanticTokensEdit {
        start: u32::try_from(prefix * 5).unwrap_or(u32::MAX),
        delete_count: u32::try_from(deleted.len() * 5).unwrap_or(u32::MAX),
        data: Some(inserted.to_vec()),
    }]
}

/// Flattens tokens into the wire's `u32` array (for tests and for applying deltas).
pub fn flatten(tokens: &[SemanticToken]) -> Vec<u32> {
    tokens
        .iter()
        .flat_map(|token| {
            [
                token.delta_line,
                token.delta_start,
                token.length,
                token.token_type,
                token.token_modifiers_bitset,
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn legend() -> Legend {
        Legend::new(&[
            "DNA".into(),
            "protein".into(),
            "cell_type".into(),
            "RNA".into(),
            "cell_line".into(),
        ])
    }

    fn highlight(text: &str, needle: &str, label: &'static str) -> Highlight<'static> {
        let start = text.find(needle).expect("needle");
        Highlight {
            range: start..start + needle.len(),
            label,
            low_confidence: false,
        }
    }

    fn data(
        text: &str,
        highlights: &[Highlight<'_>],
        encoding: PositionEncoding,
        multiline: bool,
    ) -> Vec<u32> {
        let rope = Rope::from_str(text);
        flatten(&encode(&absolute_tokens(
            highlights,
            &rope,
            encoding,
            multiline,
            &legend(),
        )))
    }

    #[test]
    fn legend_starts_with_the_standard_types_and_appends_others() {
        assert_eq!(legend().token_types(), STANDARD_TOKEN_TYPES);
        let other = Legend::new(&["GENE_OR_GENE_PRODUCT".into(), "protein".into()]);
        assert_eq!(
            other.token_types(),
            [
                "protein",
                "dna",
                "rna",
                "cellType",
                "cellLine",
                "chemical",
                "disease",
                "species",
                "geneOrGeneProduct"
            ]
        );
        assert_eq!(other.token_type("GENE_OR_GENE_PRODUCT"), Some(8));
        assert_eq!(other.token_type("cell_line"), Some(4));
        assert_eq!(other.token_type("Chemical"), Some(5));
        assert_eq!(other.token_type("gene"), None);
    }

    #[test]
    fn lsp_01_emoji_and_astral_letters_in_each_encoding() {
        let text = "🧬 BRCA1 and 𝛼-actinin";
        let highlights = [
            highlight(text, "BRCA1", "protein"),
            highlight(text, "𝛼-actinin", "protein"),
        ];
        assert_eq!(
            data(text, &highlights, PositionEncoding::Utf16, false),
            [0, 3, 5, 0, 0, 0, 10, 10, 0, 0]
        );
        assert_eq!(
            data(text, &highlights, PositionEncoding::Utf8, false),
            [0, 5, 5, 0, 0, 0, 10, 12, 0, 0]
        );
        assert_eq!(
            data(text, &highlights, PositionEncoding::Utf32, false),
            [0, 2, 5, 0, 0, 0, 10, 9, 0, 0]
        );
    }

    #[test]
    fn lsp_02_an_entity_across_a_line_break_is_split_per_line() {
        let text = "tumor\nnecrosis factor is";
        let highlights = [highlight(text, "tumor\nnecrosis factor", "protein")];
        assert_eq!(
            data(text, &highlights, PositionEncoding::Utf16, false),
            [0, 0, 5, 0, 0, 1, 0, 15, 0, 0]
        );
        // With multiline support it stays one token (the break counts one unit).
        assert_eq!(
            data(text, &highlights, PositionEncoding::Utf16, true),
            [0, 0, 21, 0, 0]
        );
        // CRLF: the break is left out of both pieces.
        let text = "x tumor\r\nnecrosis factor";
        let highlights = [highlight(text, "tumor\r\nnecrosis factor", "protein")];
        assert_eq!(
            data(text, &highlights, PositionEncoding::Utf16, false),
            [0, 2, 5, 0, 0, 1, 0, 15, 0, 0]
        );
    }

    #[test]
    fn start_is_relative_only_on_the_same_line() {
        let text = "IL-2 and IL-4\nthe IL-2R gene";
        let highlights = [
            highlight(text, "IL-2", "protein"),
            highlight(text, "IL-4", "protein"),
            highlight(text, "IL-2R gene", "DNA"),
        ];
        assert_eq!(
            data(text, &highlights, PositionEncoding::Utf16, false),
            [0, 0, 4, 0, 0, 0, 9, 4, 0, 0, 1, 4, 10, 1, 0]
        );
    }

    #[test]
    fn low_confidence_sets_the_modifier_and_unknown_classes_are_skipped() {
        let text = "p53 and BRCA1";
        let mut p53 = highlight(text, "p53", "protein");
        p53.low_confidence = true;
        let highlights = [p53, highlight(text, "BRCA1", "gene")];
        assert_eq!(
            data(text, &highlights, PositionEncoding::Utf16, false),
            [0, 0, 3, 0, 1]
        );
    }

    #[test]
    fn cjk_combining_marks_and_line_separators() {
        let text = "蛋白 p53\ncafe\u{301} IL-2\u{2028} NF-kB";
        let highlights = [
            highlight(text, "p53", "protein"),
            highlight(text, "IL-2", "protein"),
            highlight(text, "NF-kB", "protein"),
        ];
        // U+2028 is not a line break: NF-kB stays on line 1.
        assert_eq!(
            data(text, &highlights, PositionEncoding::Utf16, false),
            [0, 3, 3, 0, 0, 1, 6, 4, 0, 0, 0, 6, 5, 0, 0]
        );
        assert_eq!(
            data(text, &highlights, PositionEncoding::Utf8, false),
            [0, 7, 3, 0, 0, 1, 7, 4, 0, 0, 0, 8, 5, 0, 0]
        );
    }

    #[test]
    fn diff_replaces_only_the_changed_middle() {
        let text = "IL-2 IL-4 IL-6 IL-8";
        let rope = Rope::from_str(text);
        let all = ["IL-2", "IL-4", "IL-6", "IL-8"].map(|needle| highlight(text, needle, "protein"));
        let old = encode(&absolute_tokens(
            &all,
            &rope,
            PositionEncoding::Utf16,
            false,
            &legend(),
        ));
        let fewer = [all[0].clone(), all[1].clone(), all[3].clone()];
        let new = encode(&absolute_tokens(
            &fewer,
            &rope,
            PositionEncoding::Utf16,
            false,
            &legend(),
        ));
        let edits = diff(&old, &new);
        assert_eq!(edits.len(), 1);
        // Apply the edit to the flat array and compare with the full encoding.
        let mut flat = flatten(&old);
        let edit = &edits[0];
        let inserted = flatten(edit.data.as_deref().unwrap_or_default());
        flat.splice(
            edit.start as usize..(edit.start + edit.delete_count) as usize,
            inserted,
        );
        assert_eq!(flat, flatten(&new));
        assert_eq!(edit.start % 5, 0);
        assert!(diff(&new, &new).is_empty());
    }
}
