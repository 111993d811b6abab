//! LaTeX to prose: the TEX cases of the parsing notes (§7.2) and more, each a tiny fixture with the
//! expected paragraphs. Every case also checks the extraction invariants.

mod prose_support;

use prose_support::paragraphs;
use scitag::prose::{ExtractOptions, Extraction, Language, ParagraphKind};

use ParagraphKind::{
    Abstract, Caption, Footnote, Heading, ListItem, Paragraph as P, TableCell, Title,
};

fn extract_with(input: &str, options: &ExtractOptions) -> Extraction {
    prose_support::extract_checked(Language::Latex, input, options)
}

/// Extracts `input` as LaTeX and compares the paragraphs (kind and prose) with `expected`.
fn check(input: &str, expected: &[(ParagraphKind, &str)]) {
    prose_support::check(Language::Latex, input, expected);
}

/// The source text that the first occurrence of `word` in paragraph `index` maps to.
fn source_of<'a>(input: &'a str, index: usize, word: &str) -> &'a str {
    prose_support::source_of(Language::Latex, input, index, word)
}

#[test]
fn tex_01_nested_braces_in_section_titles() {
    check(
        "\\section{Role of \\emph{TP53} in cancer}\\label{sec:tp53}",
        &[(Heading, "Role of TP53 in cancer")],
    );
}

#[test]
fn tex_02_ties_citations_and_references() {
    let input = "The protein p53~\\cite{smith2020,lee2019} binds DNA (see Fig.~\\ref{fig:1}).";
    check(input, &[(P, "The protein p53 binds DNA (see Fig. 1).")]);
    let extraction = extract_with(input, &ExtractOptions::default());
    assert_eq!(
        extraction.paragraphs[0].sentences.len(),
        1,
        "Fig. does not end a sentence"
    );
    // The reference placeholder maps nowhere on its own.
    let paragraph = &extraction.paragraphs[0];
    let one = paragraph.prose.find("1)").expect("placeholder");
    assert_eq!(paragraph.to_source(one..one + 1), None);
}

#[test]
fn tex_03_comments_and_escaped_percent() {
    check(
        "It is critical. % TODO: check BRCA1\nNext sentence, 50\\% of cells.",
        &[(P, "It is critical. Next sentence, 50% of cells.")],
    );
}

#[test]
fn tex_04_comment_swallows_the_line_end() {
    let input = "Schr\\\"o%\n    dinger";
    check(input, &[(P, "Schrödinger")]);
    assert_eq!(source_of(input, 0, "ö"), "\\\"o");
    assert_eq!(source_of(input, 0, "Schrödinger"), input);
}

#[test]
fn tex_05_quotes_and_dashes() {
    check(
        "It is ``critical'' --- really; 5--10~mM.",
        &[(P, "It is “critical” — really; 5–10 mM.")],
    );
}

#[test]
fn tex_06_accents() {
    check(
        "Schr\\\"odinger, Erd\\H{o}s, na\\\"{\\i}ve, {\\\"U}ber, \\'{e}t\\'e, Gar\\c{c}on, Stra\\ss e, \\o re",
        &[(
            P,
            "Schrödinger, Erdős, naïve, Über, été, Garçon, Straße, øre",
        )],
    );
    assert_eq!(source_of("Erd\\H{o}s", 0, "ő"), "\\H{o}");
}

#[test]
fn tex_07_math_to_text_and_textgreek() {
    let input = "TNF-$\\alpha$, $\\beta$-catenin, Na$^+$/K$^+$-ATPase, Ca$^{2+}$, IFN-\\textgamma{}, 5\\,$\\mu$M";
    check(
        input,
        &[(P, "TNF-α, β-catenin, Na+/K+-ATPase, Ca2+, IFN-γ, 5 μM")],
    );
    assert_eq!(source_of(input, 0, "TNF-α"), "TNF-$\\alpha$");
    assert_eq!(source_of(input, 0, "IFN-γ"), "IFN-\\textgamma");
}

#[test]
fn tex_08_display_math_continues_the_paragraph() {
    check(
        "where the rate\n\\begin{equation}\n k = \\frac{V}{K_m}\\label{eq:mm}\n\\end{equation}\nis fitted, and $\\sum_i x_i^2$ is minimised.",
        &[(P, "where the rate is fitted, and is minimised.")],
    );
}

#[test]
fn tex_09_dollar_escapes_and_math_delimiters() {
    check(
        "costs \\$5; \\(x\\) and \\[ y \\] and $$z$$ end.",
        &[(P, "costs $5; x and and end.")],
    );
}

#[test]
fn tex_10_items() {
    check(
        "\\begin{itemize}\n  \\item Insulin lowers glucose.\n  \\item[(b)] Glucagon raises it.\n\\end{itemize}",
        &[
            (ListItem, "Insulin lowers glucose."),
            (ListItem, "Glucagon raises it."),
        ],
    );
    check(
        "\\begin{description}\\item[IL-2] a cytokine.\\end{description}",
        &[(ListItem, "IL-2 a cytokine.")],
    );
}

#[test]
fn tex_11_footnotes_are_their_own_paragraphs() {
    check(
        "Insulin\\footnote{A hormone made by \\textit{beta cells}.} lowers glucose.",
        &[
            (P, "Insulin lowers glucose."),
            (Footnote, "A hormone made by beta cells."),
        ],
    );
}

#[test]
fn tex_12_figures_give_only_captions() {
    check(
        "\\begin{figure}[ht]\n\\centering\n\\includegraphics[width=0.5\\textwidth]{fig/egfr.pdf}\n\\caption[Short]{EGFR signalling in \\textit{E.~coli} cells.}\n\\label{fig:egfr}\n\\end{figure}",
        &[(Caption, "EGFR signalling in E. coli cells.")],
    );
}

#[test]
fn tex_13_unknown_macros_keep_their_braced_text() {
    check(
        "We used \\gene{BRCA1}, \\mycmd[opt]{KRAS} and \\foo bar.",
        &[(P, "We used BRCA1, KRAS and bar.")],
    );
}

#[test]
fn tex_14_urls_and_links() {
    check(
        "see \\url{https://x.org/a_b} or \\href{https://doi.org/10.1/x}{the KRAS paper}.",
        &[(P, "see or the KRAS paper.")],
    );
    check(
        "see \\url{https://x.org/a%20b} and \\href{http://a.b/c#d}{TP53}.",
        &[(P, "see and TP53.")],
    );
}

#[test]
fn tex_15_siunitx_and_mhchem() {
    check(
        "\\SI{5}{\\micro\\molar} of \\ce{H2O2}, \\qty{2.5}{\\milli\\gram\\per\\milli\\litre}, \\num{1e-3}",
        &[(P, "5 µM of H2O2, 2.5 mg/mL, 1e-3")],
    );
}

#[test]
fn tex_16_verbatim_forms_are_skipped() {
    check(
        "\\begin{verbatim}BRCA1\\end{verbatim} Text \\verb!KRAS! after. \\begin{comment}TP53\\end{comment}",
        &[(P, "Text after.")],
    );
}

#[test]
fn tex_17_preamble_title_and_abstract() {
    check(
        "\\documentclass{article}\\usepackage{amsmath}\\newcommand{\\gene}[1]{\\textit{#1}}\\title{BRCA1 and breast cancer}\\begin{document}\\maketitle\\begin{abstract}We study BRCA1.\\end{abstract}",
        &[
            (Title, "BRCA1 and breast cancer"),
            (Abstract, "We study BRCA1."),
        ],
    );
}

#[test]
fn tex_18_paragraph_breaks() {
    check(
        "First para.\n\nSecond para.\\par Third para.\n  \nFourth.\n%\nStill fourth.",
        &[
            (P, "First para."),
            (P, "Second para."),
            (P, "Third para."),
            (P, "Fourth. Still fourth."),
        ],
    );
}

#[test]
fn tex_19_escaped_specials() {
    check(
        "50\\% of cells, R\\&D, \\#3, \\_id, \\{x\\}",
        &[(P, "50% of cells, R&D, #3, _id, {x}")],
    );
}

#[test]
fn tex_20_spacing_commands() {
    check(
        "5\\,mM, e.g.\\ the cells, Fig.\\,2, word\\\\next, \\hspace{1cm}gap\\vspace{2mm}.",
        &[(P, "5 mM, e.g. the cells, Fig. 2, word next, gap.")],
    );
}

#[test]
fn tex_21_discretionary_hyphens() {
    let input = "phos\\-phor\\-yl\\-ation of \\mbox{IL-6}";
    check(input, &[(P, "phosphorylation of IL-6")]);
    assert_eq!(
        source_of(input, 0, "phosphorylation"),
        "phos\\-phor\\-yl\\-ation"
    );
}

#[test]
fn tex_22_old_style_font_switches() {
    check(
        "{\\em MYC} amplification and {\\bf strong} {\\it TP53}",
        &[(P, "MYC amplification and strong TP53")],
    );
}

#[test]
fn tex_23_table_cells() {
    check(
        "\\begin{tabular}{ll}\\toprule Gene & Role \\\\ \\midrule TP53 & suppressor \\\\ \\multicolumn{2}{c}{KRAS only} \\\\ \\bottomrule\\end{tabular}",
        &[
            (TableCell, "Gene"),
            (TableCell, "Role"),
            (TableCell, "TP53"),
            (TableCell, "suppressor"),
            (TableCell, "KRAS only"),
        ],
    );
}

#[test]
fn tex_24_bibliography_is_skipped() {
    check(
        "\\begin{thebibliography}{9}\\bibitem{a} Smith J. BRCA1 review. \\end{thebibliography}",
        &[],
    );
}

#[test]
fn tex_25_unterminated_math_and_unclosed_groups() {
    let input = "Text with \\emph{unclosed and $x + y\n\nNext para.";
    check(input, &[(P, "Text with unclosed and"), (P, "Next para.")]);
    let extraction = extract_with(input, &ExtractOptions::default());
    assert!(
        !extraction.problems.is_empty(),
        "the unterminated math is reported"
    );
}

#[test]
fn tex_26_one_sentence_boundary_and_optional_citation_arguments() {
    let input = "grown in \\textit{E.~coli} K-12. The cells \\citep[see][p.~5]{smith} died.";
    check(input, &[(P, "grown in E. coli K-12. The cells died.")]);
    let extraction = extract_with(input, &ExtractOptions::default());
    let paragraph = &extraction.paragraphs[0];
    let sentences: Vec<&str> = paragraph
        .sentences
        .iter()
        .map(|range| &paragraph.prose[range.clone()])
        .collect();
    assert_eq!(sentences, ["grown in E. coli K-12.", "The cells died."]);
}

#[test]
fn tex_27_crlf_blank_lines() {
    check(
        "line one\r\n\r\nline two\r\n",
        &[(P, "line one"), (P, "line two")],
    );
}

#[test]
fn tex_28_input_is_not_followed_and_textcolor_keeps_its_text() {
    check(
        "\\input{chapters/intro} Results for \\textcolor{red}{TP53}.",
        &[(P, "Results for TP53.")],
    );
}

#[test]
fn user_commands_and_environments_from_settings() {
    let commands =
        serde_json::json!({"\\gene{}": "default", "\\mycite[]{}": "ignore", "\\foo{}": "dummy"});
    let environments = serde_json::json!({"myenv": "ignore", "notes": "default"});
    let options = ExtractOptions::from_settings(
        commands.as_object().expect("object"),
        environments.as_object().expect("object"),
    )
    .expect("valid settings");
    let input = "We used \\gene{BRCA1} \\mycite[p. 3]{key} and \\foo{x} here.\n\n\\begin{myenv}TP53\\end{myenv}\\begin{notes}KRAS note.\\end{notes}";
    let extraction = extract_with(input, &options);
    assert_eq!(
        paragraphs(&extraction),
        [(P, "We used BRCA1 and 1 here."), (P, "KRAS note.")]
    );
    // Without the settings, unknown commands keep their text (a name with "cite" in it is still taken
    // for a citation) and an unknown environment is transparent.
    check(
        input,
        &[
            (P, "We used BRCA1 and x here."),
            (P, "TP53"),
            (P, "KRAS note."),
        ],
    );
}

#[test]
fn zero_argument_macros_defined_in_the_document_expand() {
    let input = "\\newcommand{\\fcgr}{Fc\\textgamma{}R}\n\\begin{document}\nThe \\fcgr{} binds IgG.\n\\end{document}";
    check(input, &[(P, "The FcγR binds IgG.")]);
    assert_eq!(source_of(input, 0, "FcγR"), "\\fcgr");
}

#[test]
fn citation_like_keys_of_unknown_commands_are_dropped() {
    check(
        "As shown \\ac{Bruhns:2009kg, Lux:2013iv} before.",
        &[(P, "As shown before.")],
    );
}

#[test]
fn newcommand_definitions_are_never_prose() {
    check(
        "\\newcommand{\\jb}[1]{\\textcolor{blue}{#1}}\\def\\x#1{y #1}Text.",
        &[(P, "Text.")],
    );
}

#[test]
fn sections_end_paragraphs_and_captions_sit_inside_them() {
    check(
        "Intro text\n\\section*{Methods}\nWe sequenced \\textbf{KRAS}.\\subsection[short]{Cell lines}",
        &[
            (P, "Intro text"),
            (Heading, "Methods"),
            (P, "We sequenced KRAS."),
            (Heading, "Cell lines"),
        ],
    );
}

#[test]
fn table_inside_a_float_keeps_cells_and_caption() {
    check(
        "\\begin{table}[t]\\caption{Genes.}\\begin{tabular}{|l|}\\hline BRCA1 \\\\\\hline\\end{tabular}\\end{table}",
        &[(Caption, "Genes."), (TableCell, "BRCA1")],
    );
}

#[test]
fn end_document_stops_reading() {
    check(
        "\\begin{document}Body.\\end{document}\nTrailing notes BRCA1.",
        &[(P, "Body.")],
    );
}

#[test]
fn lone_and_broken_input_does_not_panic() {
    for input in [
        "\\",
        "{",
        "}",
        "$",
        "$$",
        "\\begin{",
        "\\end{itemize}",
        "\\verb",
        "\\footnote{",
        "\\\"",
        "\\item",
        "%",
        "~",
        "\\newcommand",
        "\\def",
        "\\SI{",
        "\\(",
        "\\[x",
    ] {
        let _ = extract_with(input, &ExtractOptions::default());
    }
}

#[test]
fn bare_urls_in_text_are_dropped() {
    check(
        "Modified from http://commons.wikimedia.org/wiki/File:Chromosome_en.svg. Next www.x.org/a sentence.",
        &[(P, "Modified from. Next sentence.")],
    );
}

#[test]
fn elife_figure_macros() {
    check(
        "See \\FIG{tree}A and \\FIGSUPP[tree]{identity}.\\begin{figure}\\centerline{\\includegraphics{a.pdf}}\\figsupp[Pairwise identity.]{The histograms of CD4.}{\\includegraphics{b.pdf}}\\figdata{\\label{x} The alignment.}\\end{figure}",
        &[
            (P, "See Figure 1A and Figure 1—figure supplement 1."),
            (Caption, "Pairwise identity."),
            (Caption, "The histograms of CD4."),
            (Caption, "The alignment."),
        ],
    );
}

#[test]
fn brackets_emptied_by_removals_go_too() {
    check(
        "the database (\\url{http://x.org}). Then (\\citealp{a}) and [\\cite{b}] or (see \\ref{c}) and f().",
        &[(P, "the database. Then and or (see 1) and f().")],
    );
}

#[test]
fn emails_and_separators_left_by_removed_citations() {
    check(
        "Contact: hengli@broadinstitute.org\n\nSmartDenovo (\\citealp{x}; J. Ruan, personal communication) works.",
        &[
            (P, "Contact:"),
            (P, "SmartDenovo (J. Ruan, personal communication) works."),
        ],
    );
}
