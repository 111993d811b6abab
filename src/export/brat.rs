//! brat standoff: a `.txt` (the prose, one passage per line) and its `.ann` (`T1<TAB>protein 48
//! 53<TAB>BMP-6` per entity, character offsets into the `.txt`), with each entity's score and source
//! position as an `AnnotatorNotes` line (`#1<TAB>AnnotatorNotes T1<TAB>score 0.9734; source line 3,
//! column 5`), and its database identifier as a normalization line (`N1<TAB>Reference T1
//! HGNC:6001<TAB>IL2`).

use super::{Layout, Tagged, score_text};

/// The `.txt` and `.ann` contents of one document.
pub fn brat(document: &Tagged<'_>) -> (String, String) {
    let layout = Layout::new(document, "\n");
    let mut text = layout.text();
    text.push('\n');
    let mut ann = String::new();
    for (index, annotation) in layout.annotations.iter().enumerate() {
        let id = index + 1;
        ann.push_str(&format!(
            "T{id}\t{} {} {}\t{}\n",
            brat_type(&annotation.label),
            annotation.offset,
            annotation.offset + annotation.length,
            annotation.text
        ));
        ann.push_str(&format!(
            "#{id}\tAnnotatorNotes T{id}\tscore {}; source line {}, column {}\n",
            score_text(annotation.score),
            annotation.line,
            annotation.column
        ));
        if let Some((concept, name)) = &annotation.identifier {
            // brat's normalization line: `N1<TAB>Reference T1 HGNC:6001<TAB>IL2`, `DB:ID`.
            let reference = if concept.starts_with("CVCL_") {
                format!("Cellosaurus:{concept}")
            } else {
                concept.clone()
            };
            ann.push_str(&format!("N{id}\tReference T{id} {reference}\t{name}\n"));
        }
    }
    (text, ann)
}

/// brat types are one token of letters, digits, `_` and `-`.
fn brat_type(label: &str) -> String {
    label
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::tests::{SAMPLE, sample};

    #[test]
    fn ann_offsets_point_into_the_txt() {
        let analysis = sample();
        let (text, ann) = brat(&Tagged {
            name: "a.md",
            text: SAMPLE,
            analysis: &analysis,
            model: "m",
        });
        let chars: Vec<char> = text.chars().collect();
        let entities: Vec<&str> = ann.lines().filter(|line| line.starts_with('T')).collect();
        assert_eq!(entities.len(), 3);
        for line in entities {
            let fields: Vec<&str> = line.split('\t').collect();
            let span: Vec<&str> = fields[1].split(' ').collect();
            let (start, end): (usize, usize) = (span[1].parse().unwrap(), span[2].parse().unwrap());
            assert_eq!(chars[start..end].iter().collect::<String>(), fields[2]);
        }
        assert!(
            ann.contains("#2\tAnnotatorNotes T2\tscore 0.5500; source line 3, column 1\n"),
            "{ann}"
        );
    }
}
