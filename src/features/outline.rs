//! The outline of a document: its headings as a tree and, under each, the entities its section
//! mentions, grouped by class.
//!
//! A heading's section is the text from the heading to the next heading of any level: the
//! entities of a subsection sit under the subsection, not also under its parent. Entities before
//! the first heading are class groups at the top level, before the first heading.

use std::ops::Range;

use super::mentions::{Tally, mention_count};
use super::{FeatureSettings, display_class};
use crate::analysis::SourceEntity;
use crate::prose::Heading;

/// What an outline entry stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutlineKind {
    Heading,
    /// The entities of one class in one section.
    Class,
    /// One distinct entity (all its mentions in the section).
    Entity,
}

/// One entry of the outline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutlineSymbol {
    pub kind: OutlineKind,
    /// A heading's title; `protein (3)` (the class and its number of distinct entities); an
    /// entity's most frequent spelling in the section.
    pub name: String,
    /// `12 mentions` for classes and entities; none for headings.
    pub detail: Option<String>,
    /// Bytes it covers: a heading's whole section (up to the next heading of the same or a smaller
    /// level); a class from its first to its last mention in the section; an entity's first
    /// mention in the section.
    pub range: Range<usize>,
    /// Bytes to select when it is picked: the heading itself, or the first mention. Inside `range`.
    pub selection: Range<usize>,
    pub children: Vec<OutlineSymbol>,
}

/// The outline of a document of `text_len` bytes with `headings` and `entities` (both sorted, in
/// bytes of the same text), leaving out the classes `settings` hide.
pub fn outline(
    headings: &[Heading],
    entities: &[SourceEntity],
    text_len: usize,
    settings: &FeatureSettings,
) -> Vec<OutlineSymbol> {
    let shown: Vec<&SourceEntity> = entities
        .iter()
        .filter(|entity| !entity.range.is_empty() && settings.is_enabled(&entity.label))
        .collect();
    let first_heading = headings
        .first()
        .map_or(text_len, |heading| heading.range.start);
    let mut symbols = class_groups(&shown, 0..first_heading);
    let mut next = 0;
    while next < headings.len() {
        let (symbol, after) = heading_symbol(headings, next, &shown, text_len);
        symbols.push(symbol);
        next = after;
    }
    symbols
}

/// The symbol of `headings[index]` with its subheadings, and the index of the first heading after
/// its section.
fn heading_symbol(
    headings: &[Heading],
    index: usize,
    entities: &[&SourceEntity],
    text_len: usize,
) -> (OutlineSymbol, usize) {
    let heading = &headings[index];
    let own_end = headings
        .get(index + 1)
        .map_or(text_len, |next| next.range.start);
    let mut children = class_groups(entities, heading.range.start..own_end);
    let mut next = index + 1;
    while next < headings.len() && headings[next].level > heading.level {
        let (child, after) = heading_symbol(headings, next, entities, text_len);
        children.push(child);
        next = after;
    }
    let section_end = headings
        .get(next)
        .map_or(text_len, |after| after.range.start)
        .max(heading.range.end);
    let title = if heading.title.is_empty() {
        "(untitled)".to_owned()
    } else {
        heading.title.clone()
    };
    let symbol = OutlineSymbol {
        kind: OutlineKind::Heading,
        name: title,
        detail: None,
        range: heading.range.start..section_end,
        selection: heading.range.clone(),
        children,
    };
    (symbol, next)
}

/// One symbol per class mentioned in `bytes` (in the order of their first mention), each with one
/// child per distinct entity.
fn class_groups(entities: &[&SourceEntity], bytes: Range<usize>) -> Vec<OutlineSymbol> {
    let first = entities.partition_point(|entity| entity.range.start < bytes.start);
    let inside = entities[first..]
        .iter()
        .take_while(|entity| entity.range.start < bytes.end);
    let mut classes: Vec<(String, Tally)> = Vec::new();
    for entity in inside {
        let tally = match classes.iter().position(|(class, _)| *class == entity.label) {
            Some(index) => &mut classes[index].1,
            None => {
                classes.push((entity.label.clone(), Tally::new()));
                &mut classes.last_mut().expect("just pushed").1
            }
        };
        tally.add(0, entity);
    }
    classes
        .into_iter()
        .map(|(class, tally)| {
            let tallied = tally.entities();
            let mentions: usize = tallied.iter().map(|entity| entity.mentions).sum();
            let start = tallied
                .iter()
                .map(|entity| entity.first.1.start)
                .min()
                .unwrap_or_default();
            let end = tallied
                .iter()
                .map(|entity| entity.last_end)
                .max()
                .unwrap_or(start);
            let children: Vec<OutlineSymbol> = tallied
                .into_iter()
                .map(|entity| OutlineSymbol {
                    kind: OutlineKind::Entity,
                    name: entity.name,
                    detail: Some(mention_count(entity.mentions)),
                    range: entity.first.1.clone(),
                    selection: entity.first.1,
                    children: Vec::new(),
                })
                .collect();
            let selection = children
                .first()
                .map_or(start..start, |child| child.selection.clone());
            OutlineSymbol {
                kind: OutlineKind::Class,
                name: format!("{} ({})", display_class(&class), children.len()),
                detail: Some(mention_count(mentions)),
                range: start..end,
                selection,
                children,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heading(level: u8, title: &str, range: Range<usize>) -> Heading {
        Heading {
            level,
            title: title.to_owned(),
            range,
        }
    }

    fn entity(range: Range<usize>, label: &str, text: &str) -> SourceEntity {
        SourceEntity {
            range,
            label: label.to_owned(),
            text: text.to_owned(),
            score: 0.9,
            ..Default::default()
        }
    }

    /// `name [detail] {children}` per symbol, for compact expectations.
    fn render(symbols: &[OutlineSymbol]) -> Vec<String> {
        symbols
            .iter()
            .map(|symbol| {
                let mut text = symbol.name.clone();
                if let Some(detail) = &symbol.detail {
                    text.push_str(&format!(" [{detail}]"));
                }
                if !symbol.children.is_empty() {
                    text.push_str(&format!(" {{{}}}", render(&symbol.children).join(", ")));
                }
                text
            })
            .collect()
    }

    #[test]
    fn headings_nest_and_each_section_lists_its_own_entities_by_class() {
        let headings = [
            heading(1, "Intro", 10..17),
            heading(2, "Methods", 50..60),
            heading(3, "Cells", 80..88),
            heading(1, "Results", 120..130),
        ];
        let entities = [
            entity(0..4, "protein", "IL-2"),
            entity(20..26, "protein", "IL-2Rα"),
            entity(30..40, "protein", "IL2R alpha"),
            entity(42..48, "cell_line", "Jurkat"),
            entity(90..96, "cell_line", "Jurkat"),
            entity(140..146, "DNA", "c-fos"),
        ];
        let symbols = outline(&headings, &entities, 200, &FeatureSettings::default());
        assert_eq!(
            render(&symbols),
            [
                "protein (1) [1 mention] {IL-2 [1 mention]}",
                "Intro {protein (1) [2 mentions] {IL-2Rα [2 mentions]}, cell line (1) [1 mention] {Jurkat [1 mention]}, Methods {Cells {cell line (1) [1 mention] {Jurkat [1 mention]}}}}",
                "Results {DNA (1) [1 mention] {c-fos [1 mention]}}",
            ]
        );
        // Ranges: a section runs to the next heading of its level or above; an entity's range is
        // its first mention in the section; every child lies inside its parent.
        let intro = &symbols[1];
        assert_eq!(intro.range, 10..120);
        assert_eq!(intro.selection, 10..17);
        assert_eq!(intro.children[0].range, 20..40);
        assert_eq!(intro.children[0].children[0].range, 20..26);
        let methods = &intro.children[2];
        assert_eq!(methods.range, 50..120);
        assert_eq!(symbols[2].range, 120..200);
    }

    #[test]
    fn hidden_classes_and_documents_without_headings() {
        let entities = [
            entity(0..4, "protein", "IL-2"),
            entity(5..9, "DNA", "c-fos"),
            entity(10..14, "protein", "il 2"),
        ];
        let settings = FeatureSettings {
            enabled_classes: Some(vec!["protein".into()]),
            ..Default::default()
        };
        let symbols = outline(&[], &entities, 20, &settings);
        assert_eq!(
            render(&symbols),
            ["protein (1) [2 mentions] {IL-2 [2 mentions]}"]
        );
        assert!(outline(&[], &[], 0, &settings).is_empty());
        // An empty heading title still names the entry.
        let symbols = outline(&[heading(3, "", 0..9)], &[], 9, &settings);
        assert_eq!(render(&symbols), ["(untitled)"]);
    }
}
