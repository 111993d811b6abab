//! Glossary code actions in core terms: which corrections to offer at a place in a document.
//! The server turns each into a `WorkspaceEdit` of `scitag.toml` (`server/code_actions.rs`).

use std::ops::Range;

use super::display_class;
use crate::analysis::SourceEntity;
use crate::glossary::Origin;
use crate::glossary::edit::Change;

/// The longest selection offered as a new glossary term, in characters.
pub const MAX_SELECTION_CHARS: usize = 80;

/// One correction: add `term` to the glossary as `change`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GlossaryAction {
    pub title: String,
    pub term: String,
    pub change: Change,
    /// The one an editor may apply with a single key (accepting a low-confidence mention).
    pub preferred: bool,
}

/// The corrections offered for bytes `range` of `text` (an empty range: the cursor). On the
/// entities it touches: ignore the term, always tag it as each class, accept it. On a selection
/// that is not exactly an entity (none there, or other boundaries than the model's): tag the
/// selection as each class, or ignore it.
pub fn glossary_actions(
    entities: &[SourceEntity],
    text: &str,
    range: Range<usize>,
    classes: &[String],
    low_confidence: &dyn Fn(&SourceEntity) -> bool,
) -> Vec<GlossaryAction> {
    let touched: Vec<&SourceEntity> = entities
        .iter()
        .filter(|entity| {
            if range.is_empty() {
                entity.range.start <= range.start && range.start <= entity.range.end
            } else {
                entity.range.start < range.end && range.start < entity.range.end
            }
        })
        .collect();
    let mut actions = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for entity in touched {
        let term = entity.text.trim().to_string();
        if term.is_empty() || seen.contains(&term) {
            continue;
        }
        seen.push(term.clone());
        actions.push(GlossaryAction {
            title: format!("Ignore «{term}» in this project"),
            term: term.clone(),
            change: Change::Ignore,
            preferred: false,
        });
        if entity.origin == Origin::Model && !entity.accepted {
            actions.push(GlossaryAction {
                title: format!("Accept «{term}» as {}", display_class(&entity.label)),
                term: term.clone(),
                change: Change::Accept,
                preferred: low_confidence(entity),
            });
        }
        for class in classes {
            if entity.origin == Origin::Glossary && *class == entity.label {
                continue;
            }
            actions.push(GlossaryAction {
                title: format!("Always tag «{term}» as {}", display_class(class)),
                term: term.clone(),
                change: Change::Class(class.clone()),
                preferred: false,
            });
        }
        actions.extend(super::link_actions(entity));
    }
    if !range.is_empty() {
        let selected = text
            .get(range)
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let selected = selected.trim_matches(|c: char| !c.is_alphanumeric() && !")]'".contains(c));
        if !selected.is_empty()
            && selected.chars().count() <= MAX_SELECTION_CHARS
            && !seen.iter().any(|term| term == selected)
        {
            for class in classes {
                actions.push(GlossaryAction {
                    title: format!("Tag «{selected}» as {}", display_class(class)),
                    term: selected.to_string(),
                    change: Change::Class(class.clone()),
                    preferred: false,
                });
            }
            actions.push(GlossaryAction {
                title: format!("Ignore «{selected}» in this project"),
                term: selected.to_string(),
                change: Change::Ignore,
                preferred: false,
            });
        }
    }
    actions
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes() -> Vec<String> {
        ["protein", "cell_line"]
            .iter()
            .map(|c| c.to_string())
            .collect()
    }

    #[test]
    fn an_entity_offers_ignore_accept_and_every_class() {
        let text = "We ran minimap2 on SupT1 cells.";
        let entity = SourceEntity {
            range: 7..15,
            label: "protein".into(),
            score: 0.5,
            text: "minimap2".into(),
            ..Default::default()
        };
        let actions = glossary_actions(&[entity], text, 9..9, &classes(), &|e| e.score < 0.7);
        let titles: Vec<&str> = actions.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Ignore «minimap2» in this project",
                "Accept «minimap2» as protein",
                "Always tag «minimap2» as protein",
                "Always tag «minimap2» as cell line",
            ]
        );
        assert!(actions[1].preferred);
        assert_eq!(actions[3].change, Change::Class("cell_line".into()));
    }

    #[test]
    fn a_selection_without_entity_offers_tagging_it() {
        let text = "We ran minimap2 on SupT1 cells.";
        let actions = glossary_actions(&[], text, 19..24, &classes(), &|_| false);
        assert_eq!(actions[1].title, "Tag «SupT1» as cell line");
        assert_eq!(actions[1].term, "SupT1");
        assert_eq!(actions.last().unwrap().change, Change::Ignore);
        assert!(glossary_actions(&[], text, 19..19, &classes(), &|_| false).is_empty());
    }
}
