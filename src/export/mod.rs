//! Exports: a tagged document in the formats of the bio-NLP world (BioC XML and JSON, PubTator,
//! brat standoff) and as a self-contained HTML page.
//!
//! Every format is written from one [`Layout`]: the document's **prose** (what a reader sees, what
//! the model read: no markup, math or citation keys), one passage per paragraph, joined by a
//! separator, with each entity's offset and length in **characters** (Unicode code points) of that
//! text. Prose rather than source bytes because BioC, PubTator and brat consumers index the text
//! they are given: an annotation must be the text at its location, and `\textit{env} genes` is not
//! what a reader or another tagger should see. The source position stays available: BioC
//! annotations carry it as infons (`source_offset`, `source_length` in bytes, `line`, `column`),
//! brat as a note.

mod bioc;
mod brat;
mod html;
mod pubtator;

pub use bioc::{bioc_json, bioc_xml};
pub use brat::brat;
pub use html::{HtmlFinding, html};
pub use pubtator::pubtator;

use crate::analysis::TextAnalysis;
use crate::prose::ParagraphKind;

/// One tagged input, as the exports need it.
pub struct Tagged<'a> {
    /// The name the document goes by (its path as given, or `-` for stdin).
    pub name: &'a str,
    /// The source text.
    pub text: &'a str,
    pub analysis: &'a TextAnalysis,
    /// The model's name, for provenance.
    pub model: &'a str,
}

/// A passage of the laid-out prose.
#[derive(Clone, Debug, PartialEq)]
pub struct Passage {
    pub kind: ParagraphKind,
    /// Characters of the laid-out text before this passage.
    pub offset: usize,
    pub text: String,
}

/// An entity of the laid-out prose.
#[derive(Clone, Debug, PartialEq)]
pub struct Annotation {
    /// Index into [`Layout::passages`].
    pub passage: usize,
    /// Characters of the laid-out text before the entity.
    pub offset: usize,
    /// Its length in characters.
    pub length: usize,
    pub text: String,
    pub label: String,
    pub score: f32,
    /// Bytes of the source text.
    pub source: std::ops::Range<usize>,
    /// 1-based line and column (characters) of the source start.
    pub line: usize,
    pub column: usize,
    /// The database entry it is linked to (`HGNC:6001`, `CL:0000815`, `CVCL_0063`) and that
    /// entry's name, when the linker found exactly one.
    pub identifier: Option<(String, String)>,
}

/// A document's prose laid out as one text.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub passages: Vec<Passage>,
    pub annotations: Vec<Annotation>,
    /// What is between two passages.
    pub separator: &'static str,
}

impl Layout {
    /// Lays out `tagged`'s paragraphs (those with prose) in document order, `separator` between
    /// them.
    pub fn new(tagged: &Tagged<'_>, separator: &'static str) -> Layout {
        let analysis = tagged.analysis;
        let separator_chars = separator.chars().count();
        let mut passages = Vec::with_capacity(analysis.paragraphs.len());
        let mut passage_of = vec![None; analysis.paragraphs.len()];
        let mut offset = 0;
        for (index, paragraph) in analysis.paragraphs.iter().enumerate() {
            if paragraph.prose.is_empty() {
                continue;
            }
            if !passages.is_empty() {
                offset += separator_chars;
            }
            passage_of[index] = Some(passages.len());
            passages.push(Passage {
                kind: paragraph.kind,
                offset,
                text: paragraph.prose.clone(),
            });
            offset += paragraph.prose.chars().count();
        }
        let lines = crate::document::TextLines::new(tagged.text);
        let mut annotations = Vec::with_capacity(analysis.entities.len());
        for (entity, placement) in analysis.entities.iter().zip(&analysis.placements) {
            let Some(passage_index) = passage_of.get(placement.paragraph).copied().flatten() else {
                continue;
            };
            let passage = &passages[passage_index];
            let prose = &passage.text;
            let Some(text) = prose.get(placement.prose.clone()) else {
                continue;
            };
            let before = prose[..placement.prose.start].chars().count();
            let (line, column) = lines.position(tagged.text, entity.range.start);
            annotations.push(Annotation {
                passage: passage_index,
                offset: passage.offset + before,
                length: text.chars().count(),
                text: text.to_owned(),
                label: entity.label.clone(),
                score: entity.score,
                source: entity.range.clone(),
                line,
                column,
                identifier: entity
                    .link
                    .as_deref()
                    .and_then(crate::link::Linking::best)
                    .map(|best| (best.id.clone(), best.name.clone())),
            });
        }
        Layout {
            passages,
            annotations,
            separator,
        }
    }

    /// The whole laid-out text.
    pub fn text(&self) -> String {
        let texts: Vec<&str> = self
            .passages
            .iter()
            .map(|passage| passage.text.as_str())
            .collect();
        texts.join(self.separator)
    }
}

/// The BioC / report name of a passage kind: `title`, `heading`, `paragraph`, `caption`,
/// `footnote`, `list_item`, `table_cell`, `abstract`.
pub fn passage_type(kind: ParagraphKind) -> &'static str {
    match kind {
        ParagraphKind::Paragraph => "paragraph",
        ParagraphKind::Heading => "heading",
        ParagraphKind::ListItem => "list_item",
        ParagraphKind::Caption => "caption",
        ParagraphKind::Footnote => "footnote",
        ParagraphKind::TableCell => "table_cell",
        ParagraphKind::Title => "title",
        ParagraphKind::Abstract => "abstract",
    }
}

/// `stem`, or `stem-2`, `stem-3` … the first not in `used` (which then holds it): unique names
/// for the documents of one export (PubTator IDs, brat file names).
pub fn unique_name(stem: &str, used: &mut std::collections::HashSet<String>) -> String {
    let mut candidate = stem.to_owned();
    let mut n = 2;
    while !used.insert(candidate.clone()) {
        candidate = format!("{stem}-{n}");
        n += 1;
    }
    candidate
}

/// A score as BioC and brat carry it: four decimals.
fn score_text(score: f32) -> String {
    format!("{:.4}", score)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::analysis::{Placement, SourceEntity, TextAnalysis};
    use crate::prose::{ExtractOptions, Language, extract};

    /// `text` extracted as Markdown, with an entity on each listed prose needle (first occurrence
    /// in the first paragraph whose prose holds it).
    pub(crate) fn analysis_of(text: &str, needles: &[(&str, &str, f32)]) -> TextAnalysis {
        let paragraphs = extract(text, Language::Markdown, &ExtractOptions::default()).paragraphs;
        let mut placed = Vec::new();
        for (needle, label, score) in needles {
            let (index, start) = paragraphs
                .iter()
                .enumerate()
                .find_map(|(index, paragraph)| Some((index, paragraph.prose.find(needle)?)))
                .unwrap_or_else(|| panic!("{needle} not in the prose"));
            let prose = start..start + needle.len();
            let source = paragraphs[index].to_source(prose.clone()).expect("maps");
            placed.push((
                SourceEntity {
                    range: source,
                    label: (*label).into(),
                    score: *score,
                    text: (*needle).into(),
                    ..SourceEntity::default()
                },
                Placement {
                    paragraph: index,
                    prose,
                },
            ));
        }
        placed.sort_by_key(|(entity, _)| entity.range.start);
        let (entities, placements) = placed.into_iter().unzip();
        TextAnalysis {
            paragraphs,
            entities,
            placements,
            untagged: Vec::new(),
        }
    }

    pub(crate) const SAMPLE: &str =
        "# IL-2 and *γc* signalling\n\nRegulatory T cells need IL-2; γc binds IL-2Rβ.\n";

    pub(crate) fn sample() -> TextAnalysis {
        analysis_of(
            SAMPLE,
            &[
                ("IL-2", "protein", 0.97),
                ("Regulatory T cells", "cell_type", 0.55),
                ("IL-2Rβ", "protein", 0.91),
            ],
        )
    }

    /// [`SAMPLE`] as the file `paper.md`.
    fn paper(analysis: &TextAnalysis) -> Tagged<'_> {
        Tagged {
            name: "paper.md",
            text: SAMPLE,
            analysis,
            model: "test",
        }
    }

    #[test]
    fn linked_entities_carry_their_identifiers_into_every_format() {
        let linker = crate::link::Linker::fixture();
        let mut analysis = sample();
        for entity in &mut analysis.entities {
            entity.link = linker.link(&entity.label, &entity.text);
        }
        let tagged = paper(&analysis);
        let layout = Layout::new(&tagged, "\n");
        let ids: Vec<Option<&str>> = layout
            .annotations
            .iter()
            .map(|annotation| annotation.identifier.as_ref().map(|(id, _)| id.as_str()))
            .collect();
        // IL-2 → IL2; regulatory T cells → CL:0000815; IL-2Rβ is not in the fixture subset.
        assert_eq!(ids, [Some("HGNC:6001"), Some("CL:0000815"), None]);
        let pubtator = pubtator(std::slice::from_ref(&tagged));
        assert!(pubtator.contains("\tprotein\tHGNC:6001\n"), "{pubtator}");
        assert!(pubtator.contains("\tIL-2Rβ\tprotein\t-\n"), "{pubtator}");
        let (_, ann) = brat(&tagged);
        assert!(ann.contains("N1\tReference T1 HGNC:6001\tIL2\n"), "{ann}");
        let xml = bioc_xml(std::slice::from_ref(&tagged));
        assert!(
            xml.contains("<infon key=\"identifier\">CL:0000815</infon>"),
            "{xml}"
        );
    }

    #[test]
    fn the_layout_offsets_count_characters_and_point_at_the_entities() {
        let analysis = sample();
        let tagged = paper(&analysis);
        let layout = Layout::new(&tagged, "\n");
        assert_eq!(layout.passages.len(), 2);
        assert_eq!(layout.passages[0].text, "IL-2 and γc signalling");
        assert_eq!(layout.passages[0].kind, ParagraphKind::Heading);
        assert_eq!(
            layout.passages[1].offset,
            "IL-2 and γc signalling\n".chars().count()
        );
        let text: Vec<char> = layout.text().chars().collect();
        assert_eq!(layout.annotations.len(), 3);
        for annotation in &layout.annotations {
            let at: String = text[annotation.offset..annotation.offset + annotation.length]
                .iter()
                .collect();
            assert_eq!(at, annotation.text);
            assert_eq!(
                &SAMPLE[annotation.source.clone()],
                annotation.text,
                "plain prose maps to the same source text"
            );
        }
        // `IL-2Rβ` comes after the multi-byte `γ`: characters, not bytes.
        let last = &layout.annotations[2];
        assert_eq!(last.text, "IL-2Rβ");
        assert_eq!((last.line, last.column), (3, 40));
    }
}
