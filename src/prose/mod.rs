//! Manuscripts to prose: paragraphs with an exact map back to source bytes.
//!
//! `extract` turns a Markdown, LaTeX or plain-text document into paragraphs of the prose a reader sees
//! (no code, math, citation keys or command names). Each paragraph carries an [`OffsetMap`] from prose
//! bytes to source bytes, so an entity found in the prose lands on the exact source characters.
//! Extraction never fails: odd input gives fewer paragraphs and a [`Problem`], never an error or panic.
//!
//! Invariants (tested on every fixture and by property tests):
//! - paragraphs are sorted by `source_range.start`; two paragraph ranges are disjoint or nested (a
//!   footnote, an image caption or a `\caption` can sit inside the paragraph that contains it), and no
//!   source byte is mapped by pieces of two paragraphs;
//! - the pieces of a paragraph are sorted and contiguous in prose and cover it exactly;
//! - a Verbatim piece's prose bytes equal its source bytes; Synthetic pieces have empty source ranges;
//! - every prose byte maps into `source_range`.

mod incremental;
mod invariants;
mod latex;
mod markdown;
mod mathtext;
mod offsets;
mod options;
mod outline;
mod plain;
mod sentences;

use std::ops::Range;
use std::path::Path;

pub use incremental::{Extracted, Method as ExtractionMethod, extract_after};
pub use invariants::check_invariants;
pub use latex::project::{
    LatexFileFacts, LatexLink, LinkKind, latex_file_facts, latex_file_structure,
};
pub use offsets::{OffsetMap, Piece, PieceKind};
pub use options::{
    ArgumentKind, CommandAction, EnvironmentAction, ExtractOptions, LatexCommand, LatexEnvironment,
};
pub use outline::{Heading, headings};
pub use sentences::split_sentences;

use offsets::ProseBuilder;

/// The markup language of a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Language {
    Markdown,
    Latex,
    Plain,
}

impl Language {
    /// The language for an LSP `languageId`, or `None` for ids scitag does not read.
    pub fn from_language_id(id: &str) -> Option<Language> {
        match id.to_ascii_lowercase().as_str() {
            "markdown" | "md" | "quarto" | "qmd" | "rmd" | "rmarkdown" | "pandoc" | "mdx" => {
                Some(Language::Markdown)
            }
            "latex" | "tex" | "plaintex" | "context" => Some(Language::Latex),
            "plaintext" | "plain" | "text" | "txt" => Some(Language::Plain),
            _ => None,
        }
    }

    /// The language for a file name, by extension; anything unknown is plain text.
    pub fn from_path(path: &Path) -> Language {
        let extension = path
            .extension()
            .and_then(|extension| extension.to_str())
            .unwrap_or_default();
        match extension.to_ascii_lowercase().as_str() {
            "md" | "markdown" | "mdown" | "mkd" | "mkdn" | "qmd" | "rmd" | "mdx" => {
                Language::Markdown
            }
            "tex" | "ltx" | "latex" | "sty" | "cls" => Language::Latex,
            _ => Language::Plain,
        }
    }

    /// A short lowercase name (`markdown`, `latex`, `plain`).
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Markdown => "markdown",
            Language::Latex => "latex",
            Language::Plain => "plain",
        }
    }
}

/// What kind of block a paragraph came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParagraphKind {
    Paragraph,
    Heading,
    ListItem,
    Caption,
    Footnote,
    TableCell,
    Title,
    Abstract,
}

impl ParagraphKind {
    /// A short lowercase name, used by the CLI (`paragraph`, `heading`, `list-item`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ParagraphKind::Paragraph => "paragraph",
            ParagraphKind::Heading => "heading",
            ParagraphKind::ListItem => "list-item",
            ParagraphKind::Caption => "caption",
            ParagraphKind::Footnote => "footnote",
            ParagraphKind::TableCell => "table-cell",
            ParagraphKind::Title => "title",
            ParagraphKind::Abstract => "abstract",
        }
    }
}

/// One unit of prose (a paragraph, heading, list item, caption, footnote, table cell, title or abstract).
#[derive(Clone, Debug, PartialEq)]
pub struct Paragraph {
    pub kind: ParagraphKind,
    /// NFC, whitespace-normalised prose: single spaces, no leading or trailing space.
    pub prose: String,
    /// The covering byte range in the source (from the first to the last source byte of the prose).
    pub source_range: Range<usize>,
    /// Prose bytes to source bytes.
    pub map: OffsetMap,
    /// Sentence byte ranges into `prose`, from [`split_sentences`].
    pub sentences: Vec<Range<usize>>,
}

impl Paragraph {
    /// Maps a prose byte range to the covering source byte range, trimming synthetic text and
    /// whitespace at both ends; `None` when nothing real is left or the range is invalid.
    pub fn to_source(&self, prose: Range<usize>) -> Option<Range<usize>> {
        self.map.to_source(&self.prose, prose)
    }
}

/// Something the extractor noticed and worked around (an unclosed group, unterminated math, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub range: Range<usize>,
    pub message: String,
}

/// The prose of a document.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Extraction {
    pub paragraphs: Vec<Paragraph>,
    pub problems: Vec<Problem>,
}

/// Turns a document into paragraphs of prose. Never fails and never panics: problems are reported
/// beside the paragraphs.
pub fn extract(text: &str, language: Language, options: &ExtractOptions) -> Extraction {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut collector = Collector::default();
        match language {
            Language::Markdown => markdown::extract(text, &mut collector),
            Language::Latex => latex::extract(text, options, &mut collector),
            Language::Plain => plain::extract(text, &mut collector),
        }
        collector.finish()
    }));
    match result {
        Ok(extraction) => extraction,
        Err(_) => {
            tracing::error!(
                language = language.as_str(),
                "prose extraction panicked; returning no paragraphs"
            );
            Extraction {
                paragraphs: Vec::new(),
                problems: vec![Problem {
                    range: 0..text.len(),
                    message: "internal error while extracting prose; the document was skipped"
                        .to_owned(),
                }],
            }
        }
    }
}

/// Collects paragraphs and problems from a front end.
#[derive(Debug, Default)]
pub(crate) struct Collector {
    paragraphs: Vec<Paragraph>,
    problems: Vec<Problem>,
}

impl Collector {
    /// Ends the builder's paragraph (if it holds any prose) as a paragraph of `kind`.
    pub(crate) fn emit(&mut self, builder: &mut ProseBuilder<'_>, kind: ParagraphKind) {
        let Some((prose, map, source_range)) = builder.take() else {
            return;
        };
        let sentences = split_sentences(&prose);
        self.paragraphs.push(Paragraph {
            kind,
            prose,
            source_range,
            map,
            sentences,
        });
    }

    pub(crate) fn has_paragraphs(&self) -> bool {
        !self.paragraphs.is_empty()
    }

    pub(crate) fn problem(&mut self, range: Range<usize>, message: impl Into<String>) {
        self.problems.push(Problem {
            range,
            message: message.into(),
        });
    }

    fn finish(mut self) -> Extraction {
        self.paragraphs
            .sort_by_key(|paragraph| paragraph.source_range.start);
        self.problems.sort_by_key(|problem| problem.range.start);
        Extraction {
            paragraphs: self.paragraphs,
            problems: self.problems,
        }
    }
}

#[cfg(test)]
mod tests;
