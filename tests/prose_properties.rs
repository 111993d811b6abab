//! Property tests of prose extraction: for any input, in every language, extraction does not panic,
//! paragraph ranges are ordered and disjoint or nested, every prose byte maps into the source, and
//! Verbatim pieces equal their source bytes (`check_invariants` checks all of these and more).

use proptest::prelude::*;
use scitag::prose::{ExtractOptions, Language, check_invariants, extract, split_sentences};

/// Fragments that exercise the markup of all three front ends.
const FRAGMENTS: &[&str] = &[
    "word",
    "BRCA1",
    " ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    ".",
    ". ",
    "e.g. ",
    "Fig. 2. ",
    "\\",
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    "$",
    "$$",
    "%",
    "~",
    "&",
    "#",
    "^",
    "_",
    "*",
    "**",
    "`",
    "```",
    "|",
    "-",
    "--",
    "---",
    "> ",
    "1. ",
    "- ",
    "+ ",
    "[@key]",
    "@key",
    "a@b.org",
    "http://a.b/c",
    "www.x.org",
    "&alpha;",
    "&amp;",
    "&#946;",
    "\u{301}",
    "\u{308}",
    "\u{AD}",
    "\u{200B}",
    "\u{A0}",
    "é",
    "ö",
    "α",
    "日本",
    "😀",
    "<!--",
    "-->",
    "<br>",
    "<sub>",
    "</sub>",
    "<div>\n",
    ":::",
    "{#fig:1}",
    "{.x}",
    "![",
    "](",
    "[^1]",
    "[^1]: ",
    "| a | b |\n|---|---|\n",
    "---\ntitle: x\n---\n",
    "\\section{",
    "\\section*{",
    "\\emph{",
    "\\textit",
    "\\footnote{",
    "\\caption[",
    "\\cite{",
    "\\citep[a][b]{",
    "\\ref{",
    "\\label{",
    "\\url{",
    "\\href{",
    "\\begin{itemize}",
    "\\end{itemize}",
    "\\item",
    "\\item[",
    "\\begin{figure}",
    "\\end{figure}",
    "\\begin{tabular}{ll}",
    "\\end{tabular}",
    "\\\\",
    "\\begin{equation}",
    "\\end{equation}",
    "\\begin{verbatim}",
    "\\end{verbatim}",
    "\\verb|",
    "\\(",
    "\\)",
    "\\[",
    "\\]",
    "\\\"",
    "\\'",
    "\\\"{\\i}",
    "\\c{c}",
    "\\ss",
    "\\%",
    "\\&",
    "\\-",
    "\\,",
    "\\newcommand{\\x}{y}",
    "\\x",
    "\\def\\y{z}",
    "\\y",
    "\\begin{document}",
    "\\end{document}",
    "\\begin{abstract}",
    "\\end{abstract}",
    "\\title{",
    "\\SI{5}{\\micro\\molar}",
    "\\ce{H2O}",
    "\\multicolumn{2}{c}{",
    "\\gene{",
    "\\foo",
    "``",
    "''",
    "\\par",
    "\\begin{comment}",
    "\\end{comment}",
    "\\begin{myenv}",
    "\\end{myenv}",
];

fn fragments() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..60).prop_map(|parts| parts.concat())
}

fn options() -> ExtractOptions {
    let commands =
        serde_json::json!({"\\gene{}": "default", "\\mycite[]{}": "ignore", "\\foo{}": "dummy"});
    let environments = serde_json::json!({"myenv": "ignore"});
    ExtractOptions::from_settings(
        commands.as_object().expect("object"),
        environments.as_object().expect("object"),
    )
    .expect("valid settings")
}

fn check_all_languages(input: &str) -> Result<(), TestCaseError> {
    for options in [ExtractOptions::default(), options()] {
        for language in [Language::Markdown, Language::Latex, Language::Plain] {
            let extraction = extract(input, language, &options);
            if let Err(error) = check_invariants(input, &extraction) {
                return Err(TestCaseError::fail(format!("{language:?}: {error}")));
            }
            for paragraph in &extraction.paragraphs {
                // Whole sentences map into the paragraph's source range.
                for sentence in &paragraph.sentences {
                    if let Some(source) = paragraph.to_source(sentence.clone()) {
                        prop_assert!(
                            source.start >= paragraph.source_range.start
                                && source.end <= paragraph.source_range.end,
                            "{language:?}: sentence {sentence:?} maps to {source:?} outside {:?}",
                            paragraph.source_range
                        );
                    }
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    #[test]
    fn markup_fragments_keep_the_invariants(input in fragments()) {
        check_all_languages(&input)?;
    }

    #[test]
    fn arbitrary_text_keeps_the_invariants(input in "\\PC{0,200}") {
        check_all_languages(&input)?;
    }

    #[test]
    fn sentences_are_ordered_trimmed_and_cover_the_text(input in "[A-Za-z0-9 .?!()\\[\\]\"”’é]{0,120}") {
        let sentences = split_sentences(&input);
        let mut end = 0;
        for sentence in &sentences {
            prop_assert!(sentence.start >= end && sentence.start < sentence.end && sentence.end <= input.len());
            let text = &input[sentence.clone()];
            prop_assert_eq!(text.trim(), text);
            prop_assert!(input[end..sentence.start].trim().is_empty(), "text skipped before {:?}", sentence);
            end = sentence.end;
        }
        prop_assert!(input[end..].trim().is_empty());
    }
}
