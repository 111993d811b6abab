//! Low-confidence diagnostics: mentions the model is unsure about, so the author can check them.

use std::ops::Range;

use super::{FeatureSettings, display_class, percent};
use crate::analysis::SourceEntity;

/// How loudly an editor shows a low-confidence mention.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Severity {
    Hint,
    Information,
    Warning,
}

/// A mention scored below the confidence threshold.
#[derive(Clone, Debug, PartialEq)]
pub struct LowConfidence {
    /// Bytes of the document text.
    pub range: Range<usize>,
    pub severity: Severity,
    pub message: String,
}

/// The diagnostic code every low-confidence diagnostic carries.
pub const LOW_CONFIDENCE_CODE: &str = "low-confidence";

/// The low-confidence diagnostics for `entities`; empty when diagnostics are off.
pub fn low_confidence(entities: &[SourceEntity], settings: &FeatureSettings) -> Vec<LowConfidence> {
    let Some(severity) = settings.diagnostic_severity else {
        return Vec::new();
    };
    entities
        .iter()
        .filter(|entity| !entity.range.is_empty())
        .filter(|entity| {
            !entity.accepted
                && settings.is_enabled(&entity.label)
                && settings.is_low_confidence(entity.score)
        })
        .map(|entity| LowConfidence {
            range: entity.range.clone(),
            severity,
            message: message(entity),
        })
        .collect()
}

fn message(entity: &SourceEntity) -> String {
    let mut message = format!(
        "Low-confidence {}: {}",
        display_class(&entity.label),
        percent(entity.score)
    );
    if let Some(runner_up) = entity.alternatives.first() {
        message.push_str(&format!(
            " (runner-up: {}, {})",
            display_class(&runner_up.label),
            percent(runner_up.probability)
        ));
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ner::Alternative;

    fn entity(
        range: Range<usize>,
        label: &str,
        score: f32,
        runner_up: Option<(&str, f32)>,
    ) -> SourceEntity {
        SourceEntity {
            range,
            label: label.to_owned(),
            score,
            alternatives: runner_up
                .map(|(label, probability)| Alternative {
                    label: label.to_owned(),
                    probability,
                })
                .into_iter()
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn only_mentions_below_the_threshold_with_class_score_and_runner_up() {
        let entities = [
            entity(0..4, "protein", 0.95, Some(("DNA", 0.03))),
            entity(10..19, "cell_line", 0.52, Some(("cell_type", 0.301))),
            entity(30..33, "RNA", 0.2, None),
        ];
        let result = low_confidence(&entities, &FeatureSettings::default());
        assert_eq!(
            result,
            [
                LowConfidence {
                    range: 10..19,
                    severity: Severity::Information,
                    message: "Low-confidence cell line: 52.0% (runner-up: cell type, 30.1%)".into(),
                },
                LowConfidence {
                    range: 30..33,
                    severity: Severity::Information,
                    message: "Low-confidence RNA: 20.0%".into()
                },
            ]
        );
    }

    #[test]
    fn severity_setting_and_off() {
        let entities = [entity(0..4, "protein", 0.1, None)];
        let warning = FeatureSettings {
            diagnostic_severity: Some(Severity::Warning),
            ..Default::default()
        };
        assert_eq!(
            low_confidence(&entities, &warning)[0].severity,
            Severity::Warning
        );
        let off = FeatureSettings {
            diagnostic_severity: None,
            ..Default::default()
        };
        assert!(low_confidence(&entities, &off).is_empty());
        let disabled = FeatureSettings {
            enabled_classes: Some(vec!["dna".into()]),
            ..Default::default()
        };
        assert!(low_confidence(&entities, &disabled).is_empty());
    }
}
