//! The project glossary: `scitag.toml`, committed with the paper, corrects the tagger for a whole
//! manuscript. No protocol types here: the server and the CLI both use it.
//!
//! ```toml
//! # terms that are never an entity
//! ignore = ["minimap2", "BWA-MEM", { term = "umap", ignore-case = true }]
//! # terms whose model highlight needs no low-confidence warning
//! accept = ["γc"]
//!
//! # terms that are always this class, wherever they occur as whole words
//! [class]
//! cell_line = ["SupT1", "CHO cells"]
//! protein = ["IL-2Rβ"]
//!
//! # database identifiers pinned to terms (docs/LINKING.md)
//! [link]
//! "IL-2" = { class = "protein", id = "HGNC:6001" }
//! ```
//!
//! Matching rules (docs/GLOSSARY.md): a term matches the paragraph's prose (what `scitag prose`
//! shows: NFC, single spaces) where it occurs as **whole words** — the characters before and after
//! the occurrence are not letters or digits. Case-sensitive, unless the entry is
//! `{ term = "…", ignore-case = true }` (Unicode simple case folding, character by character).
//! Then, in this order, in each paragraph:
//! 1. a term with a **class** becomes an entity of that class at every occurrence (score 1), and
//!    every model entity overlapping such an occurrence is removed;
//! 2. every model entity overlapping an occurrence of an **ignored** term is removed;
//! 3. a model entity whose text is an **accepted** term is marked accepted (no low-confidence
//!    diagnostic).
//!
//! Longer class terms win over shorter ones at the same place; a term may not be both ignored and
//! given a class, nor have two classes.

use std::ops::Range;
use std::path::{Path, PathBuf};

use toml_edit::{Document, Item, Value};
use unicode_normalization::UnicodeNormalization;

use crate::ner::Entity;
use crate::prose::ExtractOptions;

/// The glossary's file name.
pub const FILE_NAME: &str = "scitag.toml";

/// One glossary entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    /// NFC, whitespace collapsed to single spaces, trimmed.
    pub text: String,
    pub ignore_case: bool,
}

impl Term {
    pub fn new(text: &str, ignore_case: bool) -> Term {
        Term {
            text: normalize(text),
            ignore_case,
        }
    }

    /// Whether `text` (normalised the same way) is this term.
    pub fn matches_text(&self, text: &str) -> bool {
        let text = normalize(text);
        if self.ignore_case {
            chars_equal_ignore_case(&self.text, &text)
        } else {
            self.text == text
        }
    }

    /// Whole-word occurrences in `prose`, as byte ranges.
    pub fn occurrences(&self, prose: &str) -> Vec<Range<usize>> {
        if self.text.is_empty() {
            return Vec::new();
        }
        let mut found = Vec::new();
        if self.ignore_case {
            let term: Vec<char> = self.text.chars().collect();
            for (start, _) in prose.char_indices() {
                let mut end = start;
                let mut matched = true;
                let mut rest = prose[start..].chars();
                for expected in &term {
                    match rest.next() {
                        Some(actual) if fold_eq(*expected, actual) => end += actual.len_utf8(),
                        _ => {
                            matched = false;
                            break;
                        }
                    }
                }
                if matched && is_whole_word(prose, start..end) {
                    found.push(start..end);
                }
            }
        } else {
            for (start, _) in prose.match_indices(self.text.as_str()) {
                let range = start..start + self.text.len();
                if is_whole_word(prose, range.clone()) {
                    found.push(range);
                }
            }
        }
        found
    }
}

fn normalize(text: &str) -> String {
    let composed: String = text.nfc().collect();
    composed.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn fold_eq(a: char, b: char) -> bool {
    a == b || a.to_lowercase().eq(b.to_lowercase())
}

fn chars_equal_ignore_case(a: &str, b: &str) -> bool {
    a.chars().count() == b.chars().count() && a.chars().zip(b.chars()).all(|(x, y)| fold_eq(x, y))
}

/// Whether `range` of `prose` is whole words: no letter or digit just before or just after it.
pub(crate) fn is_whole_word(prose: &str, range: Range<usize>) -> bool {
    let before = prose[..range.start].chars().next_back();
    let after = prose[range.end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

/// Where an entity came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Origin {
    #[default]
    Model,
    /// A `[class]` term of the glossary.
    Glossary,
}

/// An entity after the glossary: the model's (maybe accepted) or the glossary's own.
#[derive(Clone, Debug, PartialEq)]
pub struct Glossed {
    pub entity: Entity,
    pub origin: Origin,
    /// No low-confidence diagnostic: an accepted term, or a glossary entity.
    pub accepted: bool,
}

/// A problem in `scitag.toml`, with its 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct GlossaryError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// The project's shared settings (`[settings]`): they replace scitag's defaults for the project's
/// documents; a value set in the editor's own settings wins over them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProjectSettings {
    /// `threshold`: the low-confidence threshold.
    pub threshold: Option<f32>,
    /// `classes`: the classes shown, as `features::class_key`s.
    pub classes: Option<Vec<String>>,
    /// `[settings.latex]` `commands` and `environments`, as the editor setting `latex.*`.
    pub extract: Option<ExtractOptions>,
}

/// A parsed `scitag.toml`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Glossary {
    pub ignore: Vec<Term>,
    pub accept: Vec<Term>,
    /// `(term, class)`, longest term first.
    pub classes: Vec<(Term, String)>,
    /// `[link]`: `(term, identifier)`, an entity whose text is the term links to that entry
    /// (`"IL-2" = "HGNC:6001"` or `"IL-2" = { class = "protein", id = "HGNC:6001" }`).
    pub links: Vec<(Term, String)>,
    pub settings: ProjectSettings,
}

impl Glossary {
    /// Whether it has no terms (its settings aside).
    pub fn is_empty(&self) -> bool {
        self.ignore.is_empty() && self.accept.is_empty() && self.classes.is_empty()
    }

    /// The identifier pinned to an entity whose prose text is `text`.
    pub fn pinned_id(&self, text: &str) -> Option<&str> {
        self.links
            .iter()
            .find(|(term, _)| term.matches_text(text))
            .map(|(_, id)| id.as_str())
    }

    /// Parses the file's text. The error names the line of the first problem.
    pub fn parse(text: &str) -> Result<Glossary, GlossaryError> {
        let at = |offset: usize, message: String| {
            let before = &text[..offset.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before
                .rsplit('\n')
                .next()
                .map_or(0, |tail| tail.chars().count())
                + 1;
            GlossaryError {
                line,
                column,
                message,
            }
        };
        let document = Document::parse(text.to_owned()).map_err(|error| {
            let offset = error.span().map_or(0, |span| span.start);
            at(offset, error.message().trim().to_owned())
        })?;
        let mut glossary = Glossary::default();
        for (key, item) in document.as_table().iter() {
            let offset = item.span().unwrap_or(0..0).start;
            match key {
                "ignore" => glossary.ignore = terms(item, "ignore", &at)?,
                "accept" => glossary.accept = terms(item, "accept", &at)?,
                "class" => {
                    let Some(table) = item.as_table_like() else {
                        return Err(at(
                            offset,
                            "`class` must be a table: `[class]` then `protein = [\"…\"]`".into(),
                        ));
                    };
                    for (class, list) in table.iter() {
                        if class.trim().is_empty() {
                            return Err(at(offset, "a class name is empty".into()));
                        }
                        for term in terms(list, &format!("class.{class}"), &at)? {
                            glossary.classes.push((term, class.to_owned()));
                        }
                    }
                }
                "settings" => glossary.settings = project_settings(item, &at)?,
                "link" => links(item, &mut glossary, &at)?,
                other => {
                    return Err(at(
                        offset,
                        format!(
                            "unknown key `{other}` (expected ignore, accept, [class], [link] or [settings])"
                        ),
                    ));
                }
            }
        }
        for (index, (term, class)) in glossary.classes.iter().enumerate() {
            if let Some((_, other)) = glossary.classes[..index]
                .iter()
                .find(|(known, _)| known.text == term.text)
            {
                return Err(at(
                    0,
                    format!("«{}» has two classes, {other} and {class}", term.text),
                ));
            }
            if glossary
                .ignore
                .iter()
                .any(|ignored| ignored.text == term.text)
            {
                return Err(at(
                    0,
                    format!(
                        "«{}» is both ignored and given the class {class}",
                        term.text
                    ),
                ));
            }
        }
        glossary
            .classes
            .sort_by_key(|(term, _)| std::cmp::Reverse(term.text.chars().count()));
        Ok(glossary)
    }

    /// Reads and parses a file.
    pub fn load(path: &Path) -> Result<Glossary, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| format!("{}: {error}", path.display()))?;
        Glossary::parse(&text).map_err(|error| format!("{}: {error}", path.display()))
    }

    /// Applies the glossary to one paragraph's entities (prose coordinates); the result is sorted
    /// and never overlaps.
    pub fn apply(&self, prose: &str, entities: Vec<Entity>) -> Vec<Glossed> {
        let mut fixed: Vec<(Range<usize>, &str)> = Vec::new();
        for (term, class) in &self.classes {
            for range in term.occurrences(prose) {
                if !fixed
                    .iter()
                    .any(|(taken, _)| taken.start < range.end && range.start < taken.end)
                {
                    fixed.push((range, class.as_str()));
                }
            }
        }
        let ignored: Vec<Range<usize>> = self
            .ignore
            .iter()
            .flat_map(|term| term.occurrences(prose))
            .collect();
        let overlaps = |range: &Range<usize>, other: &Range<usize>| {
            range.start < other.end && other.start < range.end
        };
        let mut out: Vec<Glossed> = entities
            .into_iter()
            .filter(|entity| {
                !fixed
                    .iter()
                    .any(|(range, _)| overlaps(range, &entity.range))
                    && !ignored.iter().any(|range| overlaps(range, &entity.range))
            })
            .map(|entity| {
                let text = prose.get(entity.range.clone()).unwrap_or_default();
                let accepted = self.accept.iter().any(|term| term.matches_text(text));
                Glossed {
                    entity,
                    origin: Origin::Model,
                    accepted,
                }
            })
            .collect();
        out.extend(fixed.into_iter().map(|(range, class)| Glossed {
            entity: Entity {
                range,
                label: class.to_owned(),
                score: 1.0,
                alternatives: Vec::new(),
                tag: None,
            },
            origin: Origin::Glossary,
            accepted: true,
        }));
        out.sort_by_key(|glossed| (glossed.entity.range.start, glossed.entity.range.end));
        out
    }
}

fn project_settings(
    item: &Item,
    at: &dyn Fn(usize, String) -> GlossaryError,
) -> Result<ProjectSettings, GlossaryError> {
    let offset = item.span().unwrap_or(0..0).start;
    let Some(table) = item.as_table_like() else {
        return Err(at(
            offset,
            "`settings` must be a table: `[settings]`".into(),
        ));
    };
    let mut settings = ProjectSettings::default();
    for (key, value) in table.iter() {
        let offset = value.span().unwrap_or(offset..offset).start;
        match key {
            "threshold" => {
                let number = value
                    .as_float()
                    .or_else(|| value.as_integer().map(|n| n as f64))
                    .filter(|n| (0.0..=1.0).contains(n));
                let Some(number) = number else {
                    return Err(at(
                        offset,
                        "`threshold` must be a number from 0 to 1".into(),
                    ));
                };
                settings.threshold = Some(number as f32);
            }
            "classes" => {
                let names: Option<Vec<String>> = value.as_array().and_then(|array| {
                    array
                        .iter()
                        .map(|name| name.as_str().map(crate::features::class_key))
                        .collect()
                });
                let Some(names) = names else {
                    return Err(at(
                        offset,
                        "`classes` must be a list of class names, e.g. [\"protein\", \"cell_line\"]"
                            .into(),
                    ));
                };
                settings.classes = Some(names);
            }
            "latex" => {
                let Some(latex) = value.as_table_like() else {
                    return Err(at(
                        offset,
                        "`latex` must be a table: `[settings.latex]`".into(),
                    ));
                };
                let mut maps = [serde_json::Map::new(), serde_json::Map::new()];
                for (name, entries) in latex.iter() {
                    let slot = match name {
                        "commands" => 0,
                        "environments" => 1,
                        other => {
                            return Err(at(
                                offset,
                                format!(
                                    "unknown key `latex.{other}` (expected commands, environments)"
                                ),
                            ));
                        }
                    };
                    let Some(entries) = entries.as_table_like() else {
                        return Err(at(offset, format!("`latex.{name}` must be a table")));
                    };
                    for (signature, action) in entries.iter() {
                        let action = action.as_str().unwrap_or_default();
                        maps[slot].insert(signature.to_owned(), serde_json::Value::from(action));
                    }
                }
                let extract = ExtractOptions::from_settings(&maps[0], &maps[1])
                    .map_err(|message| at(offset, message))?;
                settings.extract = Some(extract);
            }
            other => {
                return Err(at(
                    offset,
                    format!("unknown setting `{other}` (expected threshold, classes, latex)"),
                ));
            }
        }
    }
    Ok(settings)
}

/// `[link]`: `"term" = "ID"` or `"term" = { class = "…", id = "ID" }` (the class also makes the
/// term a `[class]` term).
fn links(
    item: &Item,
    glossary: &mut Glossary,
    at: &dyn Fn(usize, String) -> GlossaryError,
) -> Result<(), GlossaryError> {
    let offset = item.span().unwrap_or(0..0).start;
    let Some(table) = item.as_table_like() else {
        return Err(at(
            offset,
            "`link` must be a table: `[link]` then `\"IL-2\" = \"HGNC:6001\"`".into(),
        ));
    };
    for (term, value) in table.iter() {
        let offset = value.span().unwrap_or(offset..offset).start;
        let (id, class) = match value.as_value() {
            Some(Value::String(id)) => (id.value().to_owned(), None),
            Some(Value::InlineTable(inline)) => {
                for (name, _) in inline.iter() {
                    if name != "id" && name != "class" {
                        return Err(at(
                            offset,
                            format!("unknown field `{name}` (expected id, class)"),
                        ));
                    }
                }
                let Some(id) = inline.get("id").and_then(Value::as_str) else {
                    return Err(at(offset, format!("«{term}» needs `id = \"…\"`")));
                };
                let class = match inline.get("class") {
                    None => None,
                    Some(class) => Some(
                        class
                            .as_str()
                            .map(str::to_owned)
                            .ok_or_else(|| at(offset, "`class` must be a string".to_owned()))?,
                    ),
                };
                (id.to_owned(), class)
            }
            _ => {
                return Err(at(
                    offset,
                    format!("«{term}» must be an identifier or {{ class = \"…\", id = \"…\" }}"),
                ));
            }
        };
        if crate::link::Database::of_id(&id).is_none() {
            return Err(at(
                offset,
                format!("`{id}` is not an HGNC:, CL: or CVCL_ identifier"),
            ));
        }
        if let Some(class) = class {
            glossary.classes.push((Term::new(term, false), class));
        }
        glossary.links.push((Term::new(term, false), id));
    }
    Ok(())
}

fn terms(
    item: &Item,
    key: &str,
    at: &dyn Fn(usize, String) -> GlossaryError,
) -> Result<Vec<Term>, GlossaryError> {
    let offset = item.span().unwrap_or(0..0).start;
    let Some(array) = item.as_array() else {
        return Err(at(
            offset,
            format!("`{key}` must be a list of terms, e.g. {key} = [\"minimap2\"]"),
        ));
    };
    let mut out = Vec::new();
    for value in array.iter() {
        let offset = value.span().unwrap_or(offset..offset).start;
        let term = match value {
            Value::String(text) => Term::new(text.value(), false),
            Value::InlineTable(table) => {
                let Some(text) = table.get("term").and_then(Value::as_str) else {
                    return Err(at(
                        offset,
                        format!("an entry of `{key}` needs `term = \"…\"`"),
                    ));
                };
                for (name, _) in table.iter() {
                    if name != "term" && name != "ignore-case" {
                        return Err(at(
                            offset,
                            format!("unknown field `{name}` (expected term, ignore-case)"),
                        ));
                    }
                }
                let ignore_case = match table.get("ignore-case") {
                    None => false,
                    Some(value) => value.as_bool().ok_or_else(|| {
                        at(offset, "`ignore-case` must be true or false".to_owned())
                    })?,
                };
                Term::new(text, ignore_case)
            }
            _ => {
                return Err(at(
                    offset,
                    format!(
                        "an entry of `{key}` must be a string or {{ term = \"…\", ignore-case = true }}"
                    ),
                ));
            }
        };
        if term.text.is_empty() {
            return Err(at(offset, format!("an entry of `{key}` is empty")));
        }
        out.push(term);
    }
    Ok(out)
}

/// The glossary that governs `file`: the nearest `scitag.toml` in its directory or an ancestor,
/// not above `root` when one is given (the workspace folder).
pub fn find_for(file: &Path, root: Option<&Path>) -> Option<PathBuf> {
    let mut directory = file.parent();
    while let Some(dir) = directory {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if root.is_some_and(|root| dir == root) {
            return None;
        }
        directory = dir.parent();
    }
    None
}

pub mod edit;
pub mod store;

#[cfg(test)]
mod tests;
