//! Editor features in core terms: highlights, hovers, low-confidence diagnostics, the outline and
//! every mention of an entity.
//!
//! Inputs are the entities of an analysis, in byte offsets of the document text; outputs are
//! byte ranges, class names, Markdown strings and severities. Nothing here knows the protocol:
//! `server/convert.rs` turns these answers into LSP values.

mod code_actions;
mod consistency;
mod diagnostics;
mod highlights;
mod hover;
mod link;
mod mentions;
mod outline;

pub use code_actions::{GlossaryAction, MAX_SELECTION_CHARS, glossary_actions};
pub use consistency::{Finding, INCONSISTENT_CLASS_CODE, UNTAGGED_MENTION_CODE, consistency};
pub use diagnostics::{LOW_CONFIDENCE_CODE, LowConfidence, Severity, low_confidence};
pub use highlights::{Highlight, highlights};
pub use hover::{HoverInfo, hover};
pub use link::{
    LINK_CODES, LinkFinding, MIXED_SPELLING_CODE, OBSOLETE_CELL_TYPE_CODE, PREVIOUS_SYMBOL_CODE,
    UNKNOWN_CELL_LINE_CODE, WITHDRAWN_GENE_CODE, hover_section, link_actions, link_findings,
};
pub use mentions::{
    EntityKey, TalliedEntity, Tally, entity_at, match_rank, mention_count, mentions_of, normalize,
};
pub use outline::{OutlineKind, OutlineSymbol, outline};

/// Mentions scored below this are marked `lowConfidence` and get a diagnostic, unless the user
/// sets `scitag.confidenceThreshold`.
///
/// Chosen from the built-in model's calibrated scores (temperature 1.4, fitted on JNLPBA dev with
/// `scripts/calibrate.py`; expected calibration error 0.111 before, 0.030 after) on JNLPBA dev: the
/// mentions it scores below 0.60 were exactly right less than half the time (0.49 for 0.5–0.6, 0.42
/// for 0.4–0.5, 0.32 for 0.3–0.4; about the lowest 13% of mentions), those from 0.60 up 58%
/// (0.6–0.7) to 96% (0.9–1.0) of the time. So a diagnostic means "more likely wrong than right".
/// The engine's rule for overlapping heads draws the same line ([`crate::ner::CONFIDENT_SCORE`]).
pub const DEFAULT_CONFIDENCE_THRESHOLD: f32 = crate::ner::CONFIDENT_SCORE;

/// The settings the features read.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureSettings {
    /// Mentions with a score below this are low-confidence.
    pub confidence_threshold: f32,
    /// Severity of low-confidence diagnostics; `None` turns them off.
    pub diagnostic_severity: Option<Severity>,
    /// Classes to show, as [`class_key`]s; `None` shows every class.
    pub enabled_classes: Option<Vec<String>>,
    /// Severity of the consistency diagnostics; `None` turns them off.
    pub consistency_severity: Option<Severity>,
    /// Severity of the linking diagnostics (unknown cell line, obsolete term, previous symbol);
    /// `None` turns them off.
    pub link_severity: Option<Severity>,
}

impl Default for FeatureSettings {
    fn default() -> FeatureSettings {
        FeatureSettings {
            confidence_threshold: DEFAULT_CONFIDENCE_THRESHOLD,
            diagnostic_severity: Some(Severity::Information),
            enabled_classes: None,
            consistency_severity: Some(Severity::Hint),
            link_severity: Some(Severity::Hint),
        }
    }
}

impl FeatureSettings {
    /// Whether entities of class `label` (as the model spells it) are shown.
    pub fn is_enabled(&self, label: &str) -> bool {
        match &self.enabled_classes {
            None => true,
            Some(classes) => {
                let key = class_key(label);
                classes.contains(&key)
            }
        }
    }

    pub fn is_low_confidence(&self, score: f32) -> bool {
        // A NaN score is not trustworthy either.
        score.is_nan() || score < self.confidence_threshold
    }
}

/// The built-in model's classes as [`class_key`]s, in the order of the semantic token legend: the
/// JNLPBA ones, then chemicals, diseases and species.
pub const STANDARD_CLASS_KEYS: [&str; 8] = [
    "protein", "dna", "rna", "cellType", "cellLine", "chemical", "disease", "species",
];

/// The camelCase name of a model class: the semantic token type and the key in `enabledClasses`.
///
/// Words are split at anything that is not a letter or digit; an all-uppercase word is lowercased
/// (`DNA` → `dna`), other words keep their inner case, and every word after the first is
/// capitalized: `protein` → `protein`, `cell_type` → `cellType`, `GENE_OR_GENE_PRODUCT` →
/// `geneOrGeneProduct`, `cellLine` → `cellLine`.
pub fn class_key(label: &str) -> String {
    let mut key = String::with_capacity(label.len());
    for word in label
        .split(|character: char| !character.is_alphanumeric())
        .filter(|word| !word.is_empty())
    {
        let all_upper = word.chars().all(|character| !character.is_lowercase());
        let mut characters = word.chars();
        let Some(first) = characters.next() else {
            continue;
        };
        if key.is_empty() {
            key.extend(first.to_lowercase());
        } else {
            key.extend(first.to_uppercase());
        }
        if all_upper {
            key.extend(characters.flat_map(char::to_lowercase));
        } else {
            key.extend(characters);
        }
    }
    key
}

/// A human name for a class in hovers and messages: `cell_type` → `cell type`, `O` → `no entity`.
pub fn display_class(label: &str) -> String {
    if label == "O" {
        return "no entity".to_owned();
    }
    label.replace('_', " ")
}

/// A probability as a percentage with one decimal: `0.9734` → `97.3%`.
pub fn percent(probability: f32) -> String {
    format!("{:.1}%", probability * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_keys_are_camel_case() {
        for (label, expected) in [
            ("protein", "protein"),
            ("DNA", "dna"),
            ("RNA", "rna"),
            ("cell_type", "cellType"),
            ("cell_line", "cellLine"),
            ("cellLine", "cellLine"),
            ("GENE_OR_GENE_PRODUCT", "geneOrGeneProduct"),
            ("Chemical", "chemical"),
            ("cell-type", "cellType"),
            ("", ""),
        ] {
            assert_eq!(class_key(label), expected, "{label}");
        }
    }

    #[test]
    fn enabled_classes_match_by_key() {
        let settings = FeatureSettings {
            enabled_classes: Some(vec!["cellType".into(), "dna".into()]),
            ..Default::default()
        };
        assert!(settings.is_enabled("cell_type"));
        assert!(settings.is_enabled("DNA"));
        assert!(!settings.is_enabled("protein"));
        assert!(FeatureSettings::default().is_enabled("protein"));
    }

    #[test]
    fn low_confidence_uses_the_threshold() {
        let settings = FeatureSettings {
            confidence_threshold: 0.5,
            ..Default::default()
        };
        assert!(settings.is_low_confidence(0.49));
        assert!(!settings.is_low_confidence(0.5));
        assert!(settings.is_low_confidence(f32::NAN));
    }

    #[test]
    fn display_and_percent() {
        assert_eq!(display_class("cell_line"), "cell line");
        assert_eq!(display_class("O"), "no entity");
        assert_eq!(percent(0.9734), "97.3%");
        assert_eq!(percent(1.0), "100.0%");
    }
}
