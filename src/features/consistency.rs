//! Consistency diagnostics: the same term tagged with different classes in one document, and a
//! term tagged in one place but not in another. Each names the other places (related locations)
//! and carries the term and class a quick fix pins in the glossary.

use std::collections::BTreeMap;
use std::ops::Range;

use super::{Severity, display_class};
use crate::analysis::SourceEntity;
use crate::analysis::consistency::Untagged;

/// The code of "tagged with different classes".
pub const INCONSISTENT_CLASS_CODE: &str = "inconsistent-class";
/// The code of "tagged elsewhere, not here".
pub const UNTAGGED_MENTION_CODE: &str = "untagged-mention";
/// Related locations listed per finding.
const MAX_RELATED: usize = 5;
/// Findings per document, at most (in document order): past that they are noise, and a large
/// publish would slow every keystroke.
pub const MAX_FINDINGS: usize = 100;

/// One consistency finding.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub range: Range<usize>,
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    /// The other mentions (bytes of the document text).
    pub related: Vec<Range<usize>>,
    /// The term and the class a quick fix pins.
    pub term: String,
    pub class: String,
}

/// The findings for a document's (shown) entities and its untagged mentions, at `severity`
/// (`None`: off).
pub fn consistency<'a>(
    entities: impl IntoIterator<Item = &'a SourceEntity>,
    untagged: &[Untagged],
    severity: Option<Severity>,
) -> Vec<Finding> {
    let Some(severity) = severity else {
        return Vec::new();
    };
    // term -> class -> mentions
    let mut by_term: BTreeMap<&'a str, BTreeMap<&'a str, Vec<Range<usize>>>> = BTreeMap::new();
    for entity in entities {
        by_term
            .entry(entity.text.as_str())
            .or_default()
            .entry(entity.label.as_str())
            .or_default()
            .push(entity.range.clone());
    }
    let majority = |classes: &BTreeMap<&str, Vec<Range<usize>>>| -> Option<String> {
        classes
            .iter()
            .max_by(|a, b| a.1.len().cmp(&b.1.len()).then(b.0.cmp(a.0)))
            .map(|(class, _)| (*class).to_owned())
    };
    let mut findings = Vec::new();
    for (term, classes) in &by_term {
        if classes.len() < 2 {
            continue;
        }
        let Some(main) = majority(classes) else {
            continue;
        };
        let main_mentions = &classes[main.as_str()];
        for (class, mentions) in classes {
            if *class == main {
                continue;
            }
            for range in mentions {
                findings.push(Finding {
                    range: range.clone(),
                    severity,
                    code: INCONSISTENT_CLASS_CODE,
                    message: format!(
                        "«{term}» is tagged {} here but {} in {} other place{}",
                        display_class(class),
                        display_class(&main),
                        main_mentions.len(),
                        if main_mentions.len() == 1 { "" } else { "s" }
                    ),
                    related: main_mentions.iter().take(MAX_RELATED).cloned().collect(),
                    term: (*term).to_owned(),
                    class: main.clone(),
                });
            }
        }
    }
    // A term the model tagged in fewer places than it left untagged is usually not an entity:
    // the tagged mentions are the odd ones, not the others.
    let mut untagged_count: BTreeMap<&str, usize> = BTreeMap::new();
    for mention in untagged {
        *untagged_count.entry(mention.term.as_str()).or_default() += 1;
    }
    for mention in untagged {
        let Some(classes) = by_term.get(mention.term.as_str()) else {
            continue;
        };
        let tagged_count: usize = classes.values().map(Vec::len).sum();
        if untagged_count[mention.term.as_str()] > tagged_count {
            continue;
        }
        let Some(main) = majority(classes) else {
            continue;
        };
        let tagged: Vec<Range<usize>> = classes.values().flatten().cloned().collect();
        findings.push(Finding {
            range: mention.range.clone(),
            severity,
            code: UNTAGGED_MENTION_CODE,
            message: format!(
                "«{}» is tagged {} in {} other place{} but not here",
                mention.term,
                display_class(&main),
                tagged.len(),
                if tagged.len() == 1 { "" } else { "s" }
            ),
            related: tagged.into_iter().take(MAX_RELATED).collect(),
            term: mention.term.clone(),
            class: main,
        });
    }
    findings.sort_by_key(|finding| (finding.range.start, finding.range.end));
    findings.truncate(MAX_FINDINGS);
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(range: Range<usize>, text: &str, label: &str) -> SourceEntity {
        SourceEntity {
            range,
            label: label.into(),
            score: 0.9,
            text: text.into(),
            ..Default::default()
        }
    }

    #[test]
    fn different_classes_and_untagged_mentions_with_related_places() {
        let entities = [
            entity(0..4, "IL-2", "protein"),
            entity(10..14, "IL-2", "DNA"),
            entity(20..24, "IL-2", "protein"),
            entity(30..35, "SupT1", "cell_line"),
        ];
        let untagged = [Untagged {
            range: 40..45,
            term: "SupT1".into(),
        }];
        let findings = consistency(&entities, &untagged, Some(Severity::Hint));
        assert_eq!(findings.len(), 2);
        assert_eq!(findings[0].code, INCONSISTENT_CLASS_CODE);
        assert_eq!(findings[0].range, 10..14);
        assert_eq!(
            findings[0].message,
            "«IL-2» is tagged DNA here but protein in 2 other places"
        );
        assert_eq!(findings[0].related, vec![0..4, 20..24]);
        assert_eq!(findings[0].class, "protein");
        assert_eq!(findings[1].code, UNTAGGED_MENTION_CODE);
        assert_eq!(
            findings[1].message,
            "«SupT1» is tagged cell line in 1 other place but not here"
        );
        assert_eq!(findings[1].related, vec![30..35]);
        assert!(consistency(&entities, &untagged, None).is_empty());
        // tagged once, untagged twice: the tagged one is the odd one, no hint
        let twice = [
            untagged[0].clone(),
            Untagged {
                range: 50..55,
                term: "SupT1".into(),
            },
        ];
        let findings = consistency(&entities, &twice, Some(Severity::Hint));
        assert!(
            findings.iter().all(|f| f.code != UNTAGGED_MENTION_CODE),
            "{findings:#?}"
        );
    }
}
