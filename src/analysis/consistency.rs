//! Mentions a document leaves untagged: whole-word occurrences, in its prose, of a term the model
//! tagged elsewhere in the same document, that no entity covers. The consistency diagnostics
//! (`features::consistency`) turn them into hints.

use std::ops::Range;

use aho_corasick::{AhoCorasick, MatchKind};

use super::SourceEntity;
use super::suppress;
use crate::glossary::{self, Origin};
use crate::prose::Paragraph;

/// Terms shorter than this (in characters) are not searched: too many accidental matches.
const MIN_TERM_CHARS: usize = 2;

/// An occurrence of a tagged term that no entity covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Untagged {
    /// Bytes of the document text.
    pub range: Range<usize>,
    /// The term, as the tagged mentions read in prose.
    pub term: String,
}

/// Every untagged whole-word occurrence of a model-tagged term (sorted by position). `entities`
/// are the document's final entities (sorted, not overlapping).
pub fn untagged_mentions(
    suppressed: &[Range<usize>],
    paragraphs: &[Paragraph],
    entities: &[SourceEntity],
) -> Vec<Untagged> {
    let mut terms: Vec<&str> = entities
        .iter()
        .filter(|entity| entity.origin == Origin::Model)
        .map(|entity| entity.text.as_str())
        .filter(|term| {
            term.chars().count() >= MIN_TERM_CHARS && term.chars().any(char::is_alphabetic)
        })
        .collect();
    terms.sort_unstable();
    terms.dedup();
    if terms.is_empty() {
        return Vec::new();
    }
    let Ok(automaton) = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .build(&terms)
    else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for paragraph in paragraphs {
        let prose = paragraph.prose.as_str();
        for hit in automaton.find_iter(prose) {
            let (start, end) = (hit.start(), hit.end());
            if !glossary::is_whole_word(prose, start..end) {
                continue;
            }
            let Some(source) = paragraph.to_source(start..end) else {
                continue;
            };
            let first = entities.partition_point(|entity| entity.range.end <= source.start);
            let covered = entities
                .get(first)
                .is_some_and(|entity| entity.range.start < source.end);
            if covered || suppress::is_suppressed(suppressed, &source) {
                continue;
            }
            found.push(Untagged {
                range: source,
                term: terms[hit.pattern().as_usize()].to_owned(),
            });
        }
    }
    found.sort_by_key(|untagged| untagged.range.start);
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prose::{ExtractOptions, Language, extract};

    #[test]
    fn finds_whole_word_occurrences_no_entity_covers() {
        let text = "SupT1 cells grew. We used SupT1 again, not SupT10, and `SupT1` in code.\n";
        let paragraphs = extract(text, Language::Markdown, &ExtractOptions::default()).paragraphs;
        let entity = SourceEntity {
            range: 0..5,
            label: "cell_line".into(),
            score: 0.9,
            text: "SupT1".into(),
            ..Default::default()
        };
        let found = untagged_mentions(&[], &paragraphs, &[entity]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(&text[found[0].range.clone()], "SupT1");
        assert_eq!(found[0].range.start, text.find("used SupT1").unwrap() + 5);
    }
}
