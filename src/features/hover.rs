//! Hover: what the model thinks of the mention under the cursor, as Markdown.

use std::fmt::Write as _;
use std::ops::Range;

use super::{FeatureSettings, display_class, percent};
use crate::analysis::SourceEntity;
use crate::glossary::Origin;

/// The hover for one entity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HoverInfo {
    /// The entity's bytes in the document text.
    pub range: Range<usize>,
    pub markdown: String,
}

/// The hover at byte `offset`, or `None` when no shown entity covers it.
///
/// `entities` must be sorted by start and must not overlap.
pub fn hover(
    entities: &[SourceEntity],
    offset: usize,
    model_name: &str,
    settings: &FeatureSettings,
) -> Option<HoverInfo> {
    let index = entities
        .partition_point(|entity| entity.range.start <= offset)
        .checked_sub(1)?;
    let entity = &entities[index];
    if offset >= entity.range.end || !settings.is_enabled(&entity.label) {
        return None;
    }
    Some(HoverInfo {
        range: entity.range.clone(),
        markdown: markdown(entity, model_name),
    })
}

/// The class (and the model's scores), then the database entries the mention may name, then the
/// model.
fn markdown(entity: &SourceEntity, model_name: &str) -> String {
    let links = entity
        .link
        .as_deref()
        .map(|linking| format!("\n{}", super::hover_section(linking)))
        .unwrap_or_default();
    if entity.origin == Origin::Glossary {
        return format!(
            "**{}** · from the project glossary (`scitag.toml`)\n{links}",
            display_class(&entity.label)
        );
    }
    let mut text = format!(
        "**{}** · {}",
        display_class(&entity.label),
        percent(entity.score)
    );
    if !entity.alternatives.is_empty() {
        text.push_str("\n\nRunner-up classes:\n");
        for alternative in &entity.alternatives {
            let _ = writeln!(
                text,
                "- {} · {}",
                display_class(&alternative.label),
                percent(alternative.probability)
            );
        }
    } else {
        text.push('\n');
    }
    text.push_str(&links);
    let _ = write!(text, "\nModel: `{model_name}`");
    if entity.accepted {
        text.push_str("\n\nAccepted in the project glossary (`scitag.toml`).");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ner::Alternative;

    fn entities() -> Vec<SourceEntity> {
        vec![
            SourceEntity {
                range: 4..8,
                label: "protein".into(),
                score: 0.9734,
                alternatives: vec![
                    Alternative {
                        label: "DNA".into(),
                        probability: 0.018,
                    },
                    Alternative {
                        label: "O".into(),
                        probability: 0.006,
                    },
                ],
                ..Default::default()
            },
            SourceEntity {
                range: 20..29,
                label: "cell_type".into(),
                score: 0.5,
                alternatives: Vec::new(),
                ..Default::default()
            },
        ]
    }

    fn check(offset: usize, expected: Option<&str>) {
        let result = hover(
            &entities(),
            offset,
            "tiny (fp32)",
            &FeatureSettings::default(),
        );
        assert_eq!(
            result.map(|info| info.markdown).as_deref(),
            expected,
            "offset {offset}"
        );
    }

    #[test]
    fn hover_on_an_entity_names_class_score_runner_ups_and_model() {
        let expected = "**protein** · 97.3%\n\nRunner-up classes:\n- DNA · 1.8%\n- no entity · 0.6%\n\nModel: `tiny (fp32)`";
        check(4, Some(expected));
        check(7, Some(expected));
        check(22, Some("**cell type** · 50.0%\n\nModel: `tiny (fp32)`"));
    }

    #[test]
    fn nothing_outside_entities() {
        check(0, None);
        check(3, None);
        check(8, None);
        check(19, None);
        check(29, None);
        check(1000, None);
        assert_eq!(hover(&[], 0, "m", &FeatureSettings::default()), None);
    }

    #[test]
    fn nothing_on_disabled_classes() {
        let settings = FeatureSettings {
            enabled_classes: Some(vec!["dna".into()]),
            ..Default::default()
        };
        assert_eq!(hover(&entities(), 5, "m", &settings), None);
    }
}
