//! PubTator's tab format: `ID|t|title`, `ID|a|text`, then `ID<TAB>start<TAB>end<TAB>mention<TAB>type<TAB>concept`
//! per entity, character offsets into `title + "\n" + text`, a blank line after each document.
//!
//! The title is the document's first passage when it is a title or a heading (else empty); the
//! text is every other passage, joined by single spaces (PubTator has one line per field). The
//! concept column is the linked identifier (`HGNC:6001`, `CL:0000815`, `CVCL_0063`), `-` when the
//! linker found none or several.

use super::{Layout, Tagged};
use crate::prose::ParagraphKind;

/// A PubTator ID from a document name: its file stem, without `|`, tabs or spaces.
fn pubtator_id(name: &str) -> String {
    let stem = std::path::Path::new(name)
        .file_stem()
        .and_then(|stem| stem.to_str())
        .unwrap_or(name);
    let id: String = stem
        .chars()
        .map(|c| {
            if c == '|' || c.is_whitespace() {
                '_'
            } else {
                c
            }
        })
        .collect();
    if id.is_empty() { "-".to_owned() } else { id }
}

/// The PubTator text of `documents`.
pub fn pubtator(documents: &[Tagged<'_>]) -> String {
    let mut out = String::new();
    let mut used = std::collections::HashSet::new();
    for document in documents {
        let layout = Layout::new(document, " ");
        // IDs are unique in a file: a second `intro` (another directory's) is `intro-2`.
        let id = super::unique_name(&pubtator_id(document.name), &mut used);
        let titled = layout.passages.first().is_some_and(|passage| {
            matches!(passage.kind, ParagraphKind::Title | ParagraphKind::Heading)
        });
        let title = if titled {
            layout.passages[0].text.as_str()
        } else {
            ""
        };
        let body: Vec<&str> = layout
            .passages
            .iter()
            .skip(usize::from(titled))
            .map(|passage| passage.text.as_str())
            .collect();
        let body = body.join(" ");
        out.push_str(&format!("{id}|t|{title}\n{id}|a|{body}\n"));
        // The layout joins every passage with a space; PubTator puts a newline after the title,
        // one character too, so offsets agree whether or not there is a title.
        let shift_untitled = usize::from(!titled);
        for annotation in &layout.annotations {
            let start = annotation.offset + shift_untitled;
            // The last column is the concept identifier, `-` when there is none.
            let concept = annotation
                .identifier
                .as_ref()
                .map_or("-", |(concept, _)| concept.as_str());
            out.push_str(&format!(
                "{id}\t{start}\t{}\t{}\t{}\t{concept}\n",
                start + annotation.length,
                annotation.text,
                annotation.label
            ));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::tests::{SAMPLE, analysis_of, sample};

    #[test]
    fn offsets_index_title_newline_text() {
        let analysis = sample();
        let tagged = [Tagged {
            name: "dir/my paper.md",
            text: SAMPLE,
            analysis: &analysis,
            model: "m",
        }];
        let out = pubtator(&tagged);
        let mut lines = out.lines();
        let title = lines
            .next()
            .expect("title")
            .strip_prefix("my_paper|t|")
            .expect("id");
        let body = lines
            .next()
            .expect("text")
            .strip_prefix("my_paper|a|")
            .expect("id");
        let whole: Vec<char> = format!("{title}\n{body}").chars().collect();
        let mut count = 0;
        for line in lines.take_while(|line| !line.is_empty()) {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 6, "{line}");
            let (start, end): (usize, usize) =
                (fields[1].parse().unwrap(), fields[2].parse().unwrap());
            assert_eq!(whole[start..end].iter().collect::<String>(), fields[3]);
            count += 1;
        }
        assert_eq!(count, 3);
    }

    #[test]
    fn ids_are_unique_in_a_file() {
        let analysis = sample();
        let one = Tagged {
            name: "a/intro.md",
            text: SAMPLE,
            analysis: &analysis,
            model: "m",
        };
        let two = Tagged {
            name: "b/intro.md",
            text: SAMPLE,
            analysis: &analysis,
            model: "m",
        };
        let out = pubtator(&[one, two]);
        assert!(out.contains("\nintro-2|t|"), "{out}");
    }

    #[test]
    fn a_document_without_a_heading_has_an_empty_title() {
        let text = "IL-2 binds IL-2Rβ.\n\nCD4 too.\n";
        let analysis = analysis_of(text, &[("IL-2Rβ", "protein", 0.9), ("CD4", "protein", 0.8)]);
        let out = pubtator(&[Tagged {
            name: "x.md",
            text,
            analysis: &analysis,
            model: "m",
        }]);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "x|t|");
        assert_eq!(lines[1], "x|a|IL-2 binds IL-2Rβ. CD4 too.");
        let whole: Vec<char> = "\nIL-2 binds IL-2Rβ. CD4 too.".chars().collect();
        for line in &lines[2..4] {
            let fields: Vec<&str> = line.split('\t').collect();
            let (start, end): (usize, usize) =
                (fields[1].parse().unwrap(), fields[2].parse().unwrap());
            assert_eq!(whole[start..end].iter().collect::<String>(), fields[3]);
        }
    }
}
