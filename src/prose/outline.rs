//! The outline of a manuscript: its headings, with their levels, titles and source bytes.
//!
//! Markdown headings (ATX `#` and setext underlines) come from pulldown-cmark with the same options as
//! the prose extractor, so a `#` in a code block or in front matter is no heading. LaTeX headings are
//! the sectioning commands (`\part` … `\subparagraph`, starred or not) found by the LaTeX lexer, so a
//! commented-out `% \section{…}` is none. Plain text has no headings.
//!
//! A heading's title is the prose the extractor made of it (markup removed: `TNF-$\alpha$` reads
//! `TNF-α`), else its source text with runs of whitespace as one space. Like extraction, this never
//! fails.

use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag};

use super::{Language, Paragraph, ParagraphKind, latex, markdown};

/// One heading of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heading {
    /// Its depth: Markdown `#` is 1 … `######` 6; LaTeX `\part` is 1, `\chapter` 2, `\section` 3,
    /// `\subsection` 4, `\subsubsection` 5, `\paragraph` 6, `\subparagraph` 7. Only the order matters:
    /// a heading's section runs until the next heading of the same or a smaller level.
    pub level: u8,
    pub title: String,
    /// The heading's own bytes in the source (`## Methods`, `\section*{Methods}`), without the
    /// line break after it.
    pub range: Range<usize>,
}

/// The headings of `text`, in document order. `paragraphs` is the document's extraction (for the
/// titles); headings the extractor did not read as prose keep their source text as the title.
pub fn headings(text: &str, language: Language, paragraphs: &[Paragraph]) -> Vec<Heading> {
    let raw = match language {
        Language::Markdown => markdown_headings(text),
        Language::Latex => latex::headings(text),
        Language::Plain => Vec::new(),
    };
    raw.into_iter()
        .map(|(level, range, title_range)| {
            let title = prose_title(paragraphs, &range)
                .unwrap_or_else(|| collapse_whitespace(text.get(title_range).unwrap_or_default()));
            Heading {
                level,
                title,
                range,
            }
        })
        .collect()
}

/// `(level, heading bytes, title bytes)` of each Markdown heading.
fn markdown_headings(text: &str) -> Vec<(u8, Range<usize>, Range<usize>)> {
    let mut found = Vec::new();
    for (event, range) in Parser::new_ext(text, markdown::options()).into_offset_iter() {
        let Event::Start(Tag::Heading { level, .. }) = event else {
            continue;
        };
        let level = match level {
            HeadingLevel::H1 => 1,
            HeadingLevel::H2 => 2,
            HeadingLevel::H3 => 3,
            HeadingLevel::H4 => 4,
            HeadingLevel::H5 => 5,
            HeadingLevel::H6 => 6,
        };
        let range = trim_end(text, range);
        // The title is the heading's first line without its `#` marks (ATX) or the whole first
        // line (setext); the extractor's prose usually replaces it.
        let source = text.get(range.clone()).unwrap_or_default();
        let first_line = source.find(['\n', '\r']).unwrap_or(source.len());
        let marks = source[..first_line]
            .trim_start()
            .trim_start_matches('#')
            .len();
        let title_start = range.start + first_line - marks;
        found.push((level, range.clone(), title_start..range.start + first_line));
    }
    found
}

fn trim_end(text: &str, range: Range<usize>) -> Range<usize> {
    let slice = text.get(range.clone()).unwrap_or_default();
    range.start..range.start + slice.trim_end().len()
}

/// The prose of the heading paragraphs inside `range`, joined by a space.
fn prose_title(paragraphs: &[Paragraph], range: &Range<usize>) -> Option<String> {
    let first = paragraphs.partition_point(|paragraph| paragraph.source_range.start < range.start);
    let parts: Vec<&str> = paragraphs[first..]
        .iter()
        .take_while(|paragraph| paragraph.source_range.start < range.end)
        .filter(|paragraph| {
            paragraph.kind == ParagraphKind::Heading
                && paragraph.source_range.end <= range.end
                && !paragraph.prose.is_empty()
        })
        .map(|paragraph| paragraph.prose.as_str())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prose::{ExtractOptions, extract};

    fn outline(text: &str, language: Language) -> Vec<(u8, String, &str)> {
        let paragraphs = extract(text, language, &ExtractOptions::default()).paragraphs;
        headings(text, language, &paragraphs)
            .into_iter()
            .map(|heading| (heading.level, heading.title, &text[heading.range]))
            .collect()
    }

    #[test]
    fn markdown_atx_and_setext_headings() {
        let text = "# Intro to IL-2\n\nText.\n\n## Methods ##\n\nResults\n-------\n\n```\n# not a heading\n```\n";
        assert_eq!(
            outline(text, Language::Markdown),
            [
                (1, "Intro to IL-2".to_owned(), "# Intro to IL-2"),
                (2, "Methods".to_owned(), "## Methods ##"),
                (2, "Results".to_owned(), "Results\n-------"),
            ]
        );
    }

    #[test]
    fn markdown_front_matter_is_no_heading() {
        let text = "---\ntitle: x\n---\n\n# Real\n";
        let found = outline(text, Language::Markdown);
        assert_eq!(found, [(1, "Real".to_owned(), "# Real")]);
    }

    #[test]
    fn latex_sectioning_commands_starred_and_with_short_titles() {
        let text = "\\documentclass{article}\n\\begin{document}\n\\chapter{One}\n\\section*{TNF-$\\alpha$ in T cells}\n% \\section{commented}\n\\subsection[short]{Long {nested} title}\nText.\n\\paragraph{Last}\n\\end{document}\n";
        assert_eq!(
            outline(text, Language::Latex),
            [
                (2, "One".to_owned(), "\\chapter{One}"),
                (
                    3,
                    "TNF-α in T cells".to_owned(),
                    "\\section*{TNF-$\\alpha$ in T cells}"
                ),
                (
                    4,
                    "Long nested title".to_owned(),
                    "\\subsection[short]{Long {nested} title}"
                ),
                (6, "Last".to_owned(), "\\paragraph{Last}"),
            ]
        );
    }

    #[test]
    fn latex_without_an_argument_and_unclosed_groups_never_fail() {
        let text = "\\section\n\nText \\section{unclosed\n\n";
        let found = outline(text, Language::Latex);
        assert!(found.len() <= 1, "{found:?}");
        assert!(outline("", Language::Latex).is_empty());
        assert!(outline("# x", Language::Plain).is_empty());
    }
}
