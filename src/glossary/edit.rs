//! Format-preserving edits of `scitag.toml` (toml_edit): the text a code action writes. Comments,
//! order and spacing of everything else are kept.

use toml_edit::{Array, DocumentMut, Item, Table, Value};

use super::Term;

/// What to do with a term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    Ignore,
    Accept,
    /// Always this class.
    Class(String),
    /// Link the term to this identifier (`[link]`).
    Link(String),
}

/// The header of a new glossary.
pub const NEW_FILE_HEADER: &str = "\
# scitag project glossary: corrections of the entity tagger for this manuscript.
# Commit it with the paper; the editor and `scitag tag` read it. Rules: docs/GLOSSARY.md.
";

/// The new text of the glossary `current` (`None`: the file does not exist yet) after `change`
/// for `term`. The term is also taken out of the lists it would contradict (an ignored term that
/// gets a class, a class that changes). Errors when `current` is not valid TOML.
pub fn apply_change(current: Option<&str>, term: &str, change: &Change) -> Result<String, String> {
    let term = Term::new(term, false).text;
    if term.is_empty() {
        return Err("the term is empty".into());
    }
    let mut document: DocumentMut = current
        .unwrap_or_default()
        .parse()
        .map_err(|error: toml_edit::TomlError| error.message().trim().to_owned())?;
    match change {
        Change::Ignore => {
            remove_from_classes(&mut document, &term, None);
            push(&mut document, &["ignore"], &term)?;
        }
        Change::Accept => push(&mut document, &["accept"], &term)?,
        Change::Class(class) => {
            remove(&mut document, &["ignore"], &term);
            remove_from_classes(&mut document, &term, Some(class));
            if !document.contains_key("class") {
                let mut table = Table::new();
                table.set_implicit(false);
                document.insert("class", Item::Table(table));
            }
            push(&mut document, &["class", class], &term)?;
        }
        Change::Link(id) => {
            if !document.contains_key("link") {
                let mut table = Table::new();
                table.set_implicit(false);
                document.insert("link", Item::Table(table));
            }
            let table = document
                .get_mut("link")
                .and_then(Item::as_table_like_mut)
                .ok_or("`link` is not a table")?;
            table.insert(&term, Item::Value(Value::from(id.as_str())));
        }
    }
    Ok(match current {
        Some(_) => document.to_string(),
        None => format!("{NEW_FILE_HEADER}\n{document}"),
    })
}

fn list<'a>(document: &'a mut DocumentMut, path: &[&str]) -> Result<&'a mut Array, String> {
    let mut item: &mut Item = document.as_item_mut();
    for (index, key) in path.iter().enumerate() {
        let last = index + 1 == path.len();
        let table = item
            .as_table_like_mut()
            .ok_or_else(|| format!("`{}` is not a table", path[..index].join(".")))?;
        if table.get(key).is_none() {
            let value = if last {
                Item::Value(Value::Array(Array::new()))
            } else {
                Item::Table(Table::new())
            };
            table.insert(key, value);
        }
        item = table.get_mut(key).expect("inserted above");
    }
    item.as_array_mut()
        .ok_or_else(|| format!("`{}` is not a list of terms", path.join(".")))
}

fn contains(array: &Array, term: &str) -> bool {
    array.iter().any(|value| entry_text(value) == Some(term))
}

fn entry_text(value: &Value) -> Option<&str> {
    match value {
        Value::String(text) => Some(text.value().as_str()),
        Value::InlineTable(table) => table.get("term").and_then(Value::as_str),
        _ => None,
    }
}

fn push(document: &mut DocumentMut, path: &[&str], term: &str) -> Result<(), String> {
    let array = list(document, path)?;
    if !contains(array, term) {
        array.push(term);
    }
    Ok(())
}

fn remove(document: &mut DocumentMut, path: &[&str], term: &str) {
    let mut item: Option<&mut Item> = Some(document.as_item_mut());
    for key in path {
        item = item
            .and_then(Item::as_table_like_mut)
            .and_then(|table| table.get_mut(key));
    }
    if let Some(array) = item.and_then(Item::as_array_mut) {
        array.retain(|value| entry_text(value) != Some(term));
    }
}

fn remove_from_classes(document: &mut DocumentMut, term: &str, keep: Option<&str>) {
    let Some(classes) = document.get_mut("class").and_then(Item::as_table_like_mut) else {
        return;
    };
    for (class, item) in classes.iter_mut() {
        if Some(class.get()) == keep {
            continue;
        }
        if let Some(array) = item.as_array_mut() {
            array.retain(|value| entry_text(value) != Some(term));
        }
    }
}
