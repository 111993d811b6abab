//! Highlights: which byte ranges to colour, with which class, and whether they are uncertain.

use std::ops::Range;

use super::FeatureSettings;
use crate::analysis::SourceEntity;

/// One entity to colour.
#[derive(Clone, Debug, PartialEq)]
pub struct Highlight<'a> {
    /// Bytes of the document text.
    pub range: Range<usize>,
    /// The class as the model spells it.
    pub label: &'a str,
    pub low_confidence: bool,
}

/// The highlights for `entities` (sorted by start, not overlapping), leaving out disabled classes.
pub fn highlights<'a>(
    entities: &'a [SourceEntity],
    settings: &FeatureSettings,
) -> Vec<Highlight<'a>> {
    entities
        .iter()
        .filter(|entity| !entity.range.is_empty() && settings.is_enabled(&entity.label))
        .map(|entity| Highlight {
            range: entity.range.clone(),
            label: &entity.label,
            low_confidence: !entity.accepted && settings.is_low_confidence(entity.score),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(range: Range<usize>, label: &str, score: f32) -> SourceEntity {
        SourceEntity {
            range,
            label: label.to_owned(),
            score,
            alternatives: Vec::new(),
            ..Default::default()
        }
    }

    #[test]
    fn filters_classes_and_marks_low_confidence() {
        let entities = [
            entity(0..4, "protein", 0.99),
            entity(10..13, "DNA", 0.4),
            entity(20..29, "cell_type", 0.9),
        ];
        let settings = FeatureSettings {
            confidence_threshold: 0.5,
            enabled_classes: Some(vec!["protein".into(), "dna".into()]),
            ..Default::default()
        };
        let result = highlights(&entities, &settings);
        assert_eq!(
            result,
            [
                Highlight {
                    range: 0..4,
                    label: "protein",
                    low_confidence: false
                },
                Highlight {
                    range: 10..13,
                    label: "DNA",
                    low_confidence: true
                },
            ]
        );
    }
}
