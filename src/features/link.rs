//! What the editor shows of an entity's database links, in core terms: the hover's identifiers,
//! the linking diagnostics with the text that fixes them, and the "Link «term» to …" glossary
//! actions (docs/LINKING.md).

use std::fmt::Write as _;
use std::ops::Range;

use super::{FeatureSettings, Severity};
use crate::analysis::SourceEntity;
use crate::glossary::edit::Change;
use crate::link::{self, Candidate, Linking, MatchKind, Rule, Status};

use super::GlossaryAction;

/// A cell line name that is not in Cellosaurus.
pub const UNKNOWN_CELL_LINE_CODE: &str = "unknown-cell-line";
/// A cell type that names an obsolete Cell Ontology term.
pub const OBSOLETE_CELL_TYPE_CODE: &str = "obsolete-cell-type";
/// A previous (or withdrawn) HGNC symbol of an approved gene.
pub const PREVIOUS_SYMBOL_CODE: &str = "previous-gene-symbol";
/// A withdrawn HGNC entry.
pub const WITHDRAWN_GENE_CODE: &str = "withdrawn-gene";

/// Every code a linking diagnostic carries.
/// The code of "one entry, spelled two ways in the document" (`IL2` here, `IL-2` elsewhere).
pub const MIXED_SPELLING_CODE: &str = "mixed-spelling";
/// Mixed-spelling findings per document, at most.
const MAX_SPELLING_FINDINGS: usize = 100;
pub const LINK_CODES: [&str; 5] = [
    MIXED_SPELLING_CODE,
    UNKNOWN_CELL_LINE_CODE,
    OBSOLETE_CELL_TYPE_CODE,
    PREVIOUS_SYMBOL_CODE,
    WITHDRAWN_GENE_CODE,
];

/// A linking diagnostic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkFinding {
    /// Bytes of the document text.
    pub range: Range<usize>,
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    /// Texts that may replace the mention (the quick fixes), best first.
    pub replacements: Vec<String>,
}

/// The linking diagnostics of `entities`; empty when they are off.
pub fn link_findings(entities: &[SourceEntity], settings: &FeatureSettings) -> Vec<LinkFinding> {
    let Some(severity) = settings.link_severity else {
        return Vec::new();
    };
    let mut findings = Vec::new();
    for entity in entities {
        let Some(linking) = entity.link.as_deref() else {
            continue;
        };
        if entity.range.is_empty() || !settings.is_enabled(&entity.label) {
            continue;
        }
        if let Some((code, message, replacements)) = finding(&entity.text, linking) {
            findings.push(LinkFinding {
                range: entity.range.clone(),
                severity,
                code,
                message,
                replacements,
            });
        }
    }
    findings.extend(mixed_spellings(entities, settings, severity));
    findings
}

/// Whether `a` and `b` are equal but for the case of their first letter.
fn same_but_first_case(a: &str, b: &str) -> bool {
    let mut a_chars = a.chars();
    let mut b_chars = b.chars();
    match (a_chars.next(), b_chars.next()) {
        (Some(x), Some(y)) => {
            x.to_lowercase().eq(y.to_lowercase()) && a_chars.as_str() == b_chars.as_str()
        }
        (None, None) => true,
        _ => false,
    }
}

/// Mentions of one database entry written two ways that differ only by case, hyphens, spaces or
/// Greek letters (`IL2` here, `IL-2` in three other places): each mention of a rarer spelling gets
/// a finding naming the usual one (the most frequent; on a tie the first in the document), with a
/// quick fix that writes it. Different names of one entry (`IL-2`, `interleukin-2`) are not
/// flagged: a writer may well use both.
fn mixed_spellings(
    entities: &[SourceEntity],
    settings: &FeatureSettings,
    severity: Severity,
) -> Vec<LinkFinding> {
    use std::collections::HashMap;
    // identifier -> its spellings in first-seen order, each with its mentions. This runs at every
    // publish: the spelling keys are computed only for identifiers written more than one way.
    type Spelling<'a> = (&'a str, Vec<&'a SourceEntity>);
    type Spellings<'a> = Vec<Spelling<'a>>;
    let mut by_identifier: HashMap<&str, Spellings<'_>> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for entity in entities {
        let Some(identifier) = entity.link.as_deref().and_then(Linking::identifier) else {
            continue;
        };
        if entity.range.is_empty() || !settings.is_enabled(&entity.label) {
            continue;
        }
        let text = entity.text.trim();
        let spellings = by_identifier.entry(identifier).or_insert_with(|| {
            order.push(identifier);
            Vec::new()
        });
        // A capital at a sentence's start is no other spelling (`Human PBMCs`, `human PBMCs`).
        match spellings
            .iter_mut()
            .find(|(spelling, _)| same_but_first_case(spelling, text))
        {
            Some((_, mentions)) => mentions.push(entity),
            None => spellings.push((text, vec![entity])),
        }
    }
    let mut findings = Vec::new();
    for identifier in order {
        let spellings = &by_identifier[identifier];
        if spellings.len() < 2 {
            continue;
        }
        // Spellings of one identifier that differ only by case, hyphens, spaces or Greek letters.
        let mut groups: Vec<(String, Vec<&Spelling<'_>>)> = Vec::new();
        for spelling in spellings {
            let key = link::spelling_key(spelling.0);
            match groups.iter_mut().find(|(other, _)| *other == key) {
                Some((_, members)) => members.push(spelling),
                None => groups.push((key, vec![spelling])),
            }
        }
        for (_, group) in groups.iter().filter(|(_, group)| group.len() >= 2) {
            let usual = group
                .iter()
                .enumerate()
                .max_by(|(a_index, a), (b_index, b)| {
                    a.1.len().cmp(&b.1.len()).then(b_index.cmp(a_index))
                })
                .map(|(_, (spelling, mentions))| (*spelling, mentions.len()))
                .unwrap_or_default();
            for (spelling, mentions) in group.iter().copied() {
                if *spelling == usual.0 {
                    continue;
                }
                for mention in mentions {
                    let places = if usual.1 == 1 { "place" } else { "places" };
                    findings.push(LinkFinding {
                        range: mention.range.clone(),
                        severity,
                        code: MIXED_SPELLING_CODE,
                        message: format!(
                            "«{spelling}» is written «{}» in {} other {places} ({identifier})",
                            usual.0, usual.1
                        ),
                        replacements: vec![usual.0.to_owned()],
                    });
                }
            }
        }
    }
    findings.sort_by_key(|finding| finding.range.start);
    findings.truncate(MAX_SPELLING_FINDINGS);
    findings
}

fn finding(text: &str, linking: &Linking) -> Option<(&'static str, String, Vec<String>)> {
    let text = text.trim();
    if linking.status == Status::Unknown {
        // A cell line's name has a capital or a digit (HeLa, K-562, Jurkat); an all-lowercase
        // phrase the tagger called a cell line ("lymphoma cell lines") is a description, not a name.
        let named = text
            .chars()
            .any(|character| character.is_uppercase() || character.is_ascii_digit());
        if linking.database != link::Database::Cellosaurus || !named {
            return None;
        }
        let mut message = format!(
            "«{text}» is not a cell line name in {}",
            link::CELLOSAURUS_RELEASE
        );
        if !linking.suggestions.is_empty() {
            let _ = write!(
                message,
                "; did you mean {}?",
                linking.suggestions.join(", ")
            );
        }
        return Some((UNKNOWN_CELL_LINE_CODE, message, linking.suggestions.clone()));
    }
    let best = linking.best()?;
    // Found with words in parentheses left out (`CD8 (RPA-T8)`): replacing the whole mention would
    // drop them, so no text is offered.
    let replaceable = linking.rule != Rule::Parentheses;
    match best.matched {
        MatchKind::PreviousSymbol | MatchKind::WithdrawnSymbol if best.name != text => Some((
            PREVIOUS_SYMBOL_CODE,
            format!(
                "«{text}» is a {} in HGNC; the approved symbol is {} ({}, {})",
                best.matched.describe(),
                best.name,
                best.id,
                best.description
            ),
            if replaceable {
                vec![best.name.clone()]
            } else {
                Vec::new()
            },
        )),
        MatchKind::WithdrawnEntry => Some((
            WITHDRAWN_GENE_CODE,
            format!("«{text}» names a withdrawn HGNC entry ({})", best.id),
            Vec::new(),
        )),
        MatchKind::ObsoleteTerm => {
            let replacement = best.replacement.as_deref();
            let message = match replacement {
                Some(new) => format!(
                    "«{text}» is an obsolete Cell Ontology term ({}); replaced by {} {}",
                    best.id, new.id, new.name
                ),
                None => format!(
                    "«{text}» is an obsolete Cell Ontology term ({}) with no replacement",
                    best.id
                ),
            };
            Some((
                OBSOLETE_CELL_TYPE_CODE,
                message,
                replacement
                    .map(|new| new.name.clone())
                    .into_iter()
                    .collect(),
            ))
        }
        _ => None,
    }
}

/// The hover's section on the entity's links, Markdown; empty when it has none.
pub fn hover_section(linking: &Linking) -> String {
    let mut text = String::new();
    match linking.status {
        Status::Linked => {
            if let Some(best) = linking.candidates.first() {
                let _ = writeln!(text, "{}", candidate_line(best));
            }
        }
        Status::Ambiguous => {
            let _ = writeln!(text, "{} candidates:\n", linking.database.name());
            for candidate in &linking.candidates[..linking.tied] {
                let _ = writeln!(text, "- {}", candidate_line(candidate));
            }
        }
        Status::Unknown => {
            let _ = write!(text, "Not found in {}", release(linking.database));
            if !linking.suggestions.is_empty() {
                let _ = write!(text, "; nearest: {}", linking.suggestions.join(", "));
            }
            text.push_str(".\n");
            return text;
        }
    }
    let _ = write!(text, "\n_{}_", linking.reason);
    if linking.rule != Rule::Exact && linking.rule != Rule::Pinned {
        text.push_str(" _Found by a loose rule (docs/LINKING.md)._");
    }
    text.push('\n');
    let others = &linking.candidates[linking.tied.min(linking.candidates.len())..];
    if !others.is_empty() {
        text.push_str("\nLess close:\n");
        for candidate in others {
            let _ = writeln!(
                text,
                "- {} ({})",
                candidate_line(candidate),
                candidate.matched.describe()
            );
        }
    }
    text
}

fn release(database: link::Database) -> &'static str {
    match database {
        link::Database::Hgnc => link::HGNC_RELEASE,
        link::Database::CellOntology => link::CL_RELEASE,
        link::Database::Cellosaurus => link::CELLOSAURUS_RELEASE,
    }
}

/// `[HGNC:6001](…) IL2 — interleukin 2 · UniProt [P60568](…)`.
fn candidate_line(candidate: &Candidate) -> String {
    let prefix = if candidate.id.starts_with("CVCL_") {
        "Cellosaurus "
    } else {
        ""
    };
    let mut line = format!(
        "{prefix}[{}]({}) {}",
        candidate.id,
        candidate.url(),
        candidate.name
    );
    if !candidate.description.is_empty() {
        let _ = write!(line, " — {}", candidate.description);
    }
    for (accession, _) in &candidate.uniprot {
        let _ = write!(
            line,
            " · UniProt [{accession}]({})",
            link::uniprot_url(accession)
        );
    }
    match candidate.matched {
        MatchKind::ObsoleteTerm => {
            line.push_str(" (obsolete");
            if let Some(new) = candidate.replacement.as_deref() {
                let _ = write!(
                    line,
                    "; replaced by [{}]({}) {}",
                    new.id,
                    new.url(),
                    new.name
                );
            }
            line.push(')');
        }
        MatchKind::WithdrawnEntry => line.push_str(" (withdrawn)"),
        _ => {}
    }
    line
}

/// "Link «term» to …" for each candidate of an entity that has more than one (pinning it in the
/// glossary's `[link]` table).
pub fn link_actions(entity: &SourceEntity) -> Vec<GlossaryAction> {
    let Some(linking) = entity.link.as_deref() else {
        return Vec::new();
    };
    if linking.rule == Rule::Pinned || linking.candidates.len() < 2 {
        return Vec::new();
    }
    let term = entity.text.trim();
    linking
        .candidates
        .iter()
        .map(|candidate| GlossaryAction {
            title: format!("Link «{term}» to {} {}", candidate.id, candidate.name),
            term: term.to_owned(),
            change: Change::Link(candidate.id.clone()),
            preferred: false,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::link::Linker;

    fn linker() -> Linker {
        Linker::fixture()
    }

    fn entity(linker: &Linker, label: &str, text: &str) -> SourceEntity {
        SourceEntity {
            range: 10..10 + text.len(),
            label: label.into(),
            text: text.into(),
            link: linker.link(label, text),
            ..Default::default()
        }
    }

    #[test]
    fn hover_shows_ids_names_and_uniprot() {
        let linker = linker();
        let il2 = entity(&linker, "protein", "IL-2");
        let section = hover_section(il2.link.as_deref().unwrap());
        assert!(
            section.starts_with("[HGNC:6001](https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/HGNC:6001) IL2 — interleukin 2 · UniProt [P60568](https://www.uniprot.org/uniprotkb/P60568)"),
            "{section}"
        );
        let line = entity(&linker, "cell_line", "HEK-293T");
        let section = hover_section(line.link.as_deref().unwrap());
        assert!(
            section.starts_with(
                "Cellosaurus [CVCL_0063](https://www.cellosaurus.org/CVCL_0063) HEK293T"
            ),
            "{section}"
        );
        let treg = entity(&linker, "cell_type", "Tregs");
        let section = hover_section(treg.link.as_deref().unwrap());
        assert!(
            section.starts_with(
                "[CL:0000815](http://purl.obolibrary.org/obo/CL_0000815) regulatory T cell"
            ),
            "{section}"
        );
        let cd25 = entity(&linker, "protein", "CD25");
        let section = hover_section(cd25.link.as_deref().unwrap());
        assert!(section.starts_with("HGNC candidates:"), "{section}");
        assert!(
            section.contains("IL2RA") && section.contains("ISG20"),
            "{section}"
        );
    }

    #[test]
    fn one_entry_written_two_ways_is_flagged_on_the_rarer_spelling() {
        let linker = linker();
        let at = |start: usize, label: &str, text: &str| SourceEntity {
            range: start..start + text.len(),
            ..entity(&linker, label, text)
        };
        let entities = vec![
            at(0, "protein", "IL-2"),
            at(20, "protein", "IL2"),
            at(40, "protein", "IL-2"),
            at(60, "protein", "interleukin-2"),
            at(80, "protein", "IL-2 gene"),
            at(100, "cell_type", "Tregs"),
            at(120, "cell_type", "Treg"),
            at(140, "protein", "Interleukin-2"),
        ];
        let settings = FeatureSettings {
            link_severity: Some(Severity::Hint),
            ..FeatureSettings::default()
        };
        let spelling: Vec<(usize, String, Vec<String>)> = link_findings(&entities, &settings)
            .into_iter()
            .filter(|finding| finding.code == MIXED_SPELLING_CODE)
            .map(|finding| (finding.range.start, finding.message, finding.replacements))
            .collect();
        assert_eq!(
            spelling,
            [(
                20,
                "«IL2» is written «IL-2» in 2 other places (HGNC:6001)".to_owned(),
                vec!["IL-2".to_owned()]
            )],
            "another name (interleukin-2, Interleukin-2 at a sentence's start), a gene mention and a \
             plural are not spellings"
        );
        let off = FeatureSettings {
            link_severity: None,
            ..FeatureSettings::default()
        };
        assert!(link_findings(&entities, &off).is_empty());
    }

    #[test]
    fn findings_with_their_fixes() {
        let linker = linker();
        let entities = vec![
            entity(&linker, "cell_line", "HEK239T"),
            entity(&linker, "protein", "IL8"),
            entity(&linker, "cell_type", "bone matrix secreting cells"),
            entity(&linker, "protein", "GJA2"),
            entity(&linker, "protein", "IL-2"),
            entity(&linker, "cell_line", "HeLa"),
        ];
        let findings = link_findings(&entities, &FeatureSettings::default());
        let codes: Vec<_> = findings.iter().map(|finding| finding.code).collect();
        assert_eq!(
            codes,
            [
                UNKNOWN_CELL_LINE_CODE,
                PREVIOUS_SYMBOL_CODE,
                OBSOLETE_CELL_TYPE_CODE,
                WITHDRAWN_GENE_CODE
            ]
        );
        assert_eq!(findings[0].replacements[0], "HEK293T");
        assert!(
            findings[0].message.contains("did you mean HEK293T"),
            "{}",
            findings[0].message
        );
        assert_eq!(findings[1].replacements, ["CXCL8"]);
        assert_eq!(findings[2].replacements, ["osteoblast"]);
        assert!(
            findings
                .iter()
                .all(|finding| finding.severity == Severity::Hint)
        );
        // A description is not a name; a symbol found inside parentheses gets no replacement.
        let more = vec![
            entity(&linker, "cell_line", "lymphoma cell lines"),
            entity(&linker, "protein", "IL8 (clone 6217)"),
        ];
        let found = link_findings(&more, &FeatureSettings::default());
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].code, PREVIOUS_SYMBOL_CODE);
        assert!(found[0].replacements.is_empty());
        let off = FeatureSettings {
            link_severity: None,
            ..Default::default()
        };
        assert!(link_findings(&entities, &off).is_empty());
    }

    #[test]
    fn link_actions_for_each_candidate() {
        let linker = linker();
        let actions = link_actions(&entity(&linker, "protein", "CD25"));
        assert_eq!(actions.len(), 2);
        assert!(actions[0].title.starts_with("Link «CD25» to HGNC:"));
        assert!(matches!(&actions[0].change, Change::Link(id) if id.starts_with("HGNC:")));
        assert!(link_actions(&entity(&linker, "protein", "IL-2")).is_empty());
        let pinned = SourceEntity {
            link: Some(Arc::new(linker.pinned("HGNC:6008"))),
            ..entity(&linker, "protein", "CD25")
        };
        assert!(link_actions(&pinned).is_empty());
    }
}
