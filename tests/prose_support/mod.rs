//! Helpers shared by the Markdown and LaTeX extraction tests (`tests/prose_markdown.rs`,
//! `tests/prose_latex.rs`): extract with the invariants checked, list the paragraphs, compare
//! them with the expected ones, and find the source text a prose word maps to.

use scitag::prose::{
    ExtractOptions, Extraction, Language, ParagraphKind, check_invariants, extract,
};

/// Extracts `input`, failing the test if the extraction breaks an invariant.
pub fn extract_checked(language: Language, input: &str, options: &ExtractOptions) -> Extraction {
    let extraction = extract(input, language, options);
    if let Err(error) = check_invariants(input, &extraction) {
        panic!("invariants broken for {input:?}: {error}");
    }
    extraction
}

/// Kind and prose of every paragraph.
pub fn paragraphs(extraction: &Extraction) -> Vec<(ParagraphKind, &str)> {
    extraction
        .paragraphs
        .iter()
        .map(|paragraph| (paragraph.kind, paragraph.prose.as_str()))
        .collect()
}

/// Extracts `input` with the default options and compares the paragraphs (kind and prose) with
/// `expected`.
pub fn check(language: Language, input: &str, expected: &[(ParagraphKind, &str)]) {
    let extraction = extract_checked(language, input, &ExtractOptions::default());
    assert_eq!(paragraphs(&extraction), expected, "prose of {input:?}");
}

/// The source text that the first occurrence of `word` in paragraph `index` maps to.
pub fn source_of<'a>(language: Language, input: &'a str, index: usize, word: &str) -> &'a str {
    let extraction = extract_checked(language, input, &ExtractOptions::default());
    let paragraph = &extraction.paragraphs[index];
    let start = paragraph
        .prose
        .find(word)
        .unwrap_or_else(|| panic!("{word:?} not in {:?}", paragraph.prose));
    let range = paragraph
        .to_source(start..start + word.len())
        .expect("maps to the source");
    &input[range]
}
