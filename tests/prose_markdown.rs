//! Markdown to prose: the MD cases of the parsing notes (§7.1) and more, each a tiny fixture with the
//! expected paragraphs. Every case also checks the extraction invariants.

mod prose_support;

use scitag::prose::{Language, ParagraphKind};

use ParagraphKind::{
    Abstract, Caption, Footnote, Heading, ListItem, Paragraph as P, TableCell, Title,
};

/// Extracts `input` as Markdown and compares the paragraphs (kind and prose) with `expected`.
fn check(input: &str, expected: &[(ParagraphKind, &str)]) {
    prose_support::check(Language::Markdown, input, expected);
}

/// The source text that the first occurrence of `word` in paragraph `index` maps to.
fn source_of<'a>(input: &'a str, index: usize, word: &str) -> &'a str {
    prose_support::source_of(Language::Markdown, input, index, word)
}

#[test]
fn md_01_escapes_and_entities() {
    let input = "IL\\-6 and TNF&alpha; &amp; p53 &#946;-actin.";
    check(input, &[(P, "IL-6 and TNFα & p53 β-actin.")]);
    assert_eq!(source_of(input, 0, "TNFα"), "TNF&alpha;");
    assert_eq!(source_of(input, 0, "IL-6"), "IL\\-6");
    assert_eq!(source_of(input, 0, "β-actin"), "&#946;-actin");
}

#[test]
fn md_02_front_matter_title_and_heading() {
    check(
        "---\ntitle: \"BRCA1 study\"\n---\n\n# Results for *BRCA1*\n\nWe found TP53.",
        &[
            (Title, "BRCA1 study"),
            (Heading, "Results for BRCA1"),
            (P, "We found TP53."),
        ],
    );
    // Other keys of the front matter are never prose.
    check(
        "---\nauthor: KRAS Smith\nkeywords: [TP53]\n---\nText.",
        &[(P, "Text.")],
    );
}

#[test]
fn front_matter_abstract_block_scalar() {
    check(
        "---\ntitle: Cytokines\nabstract: |\n  IL-2 binds its receptor.\n  It signals.\n\n  Second part.\nauthor: X\n---\nBody.",
        &[
            (Title, "Cytokines"),
            (Abstract, "IL-2 binds its receptor. It signals."),
            (Abstract, "Second part."),
            (P, "Body."),
        ],
    );
}

#[test]
fn md_03_inline_math_in_names() {
    let input = "TNF-$\\alpha$ and $\\beta$-catenin, Na$^+$/K$^+$-ATPase and $\\mathrm{Ca}^{2+}$.";
    check(
        input,
        &[(P, "TNF-α and β-catenin, Na+/K+-ATPase and Ca2+.")],
    );
    assert_eq!(source_of(input, 0, "TNF-α"), "TNF-$\\alpha$");
    assert_eq!(source_of(input, 0, "Na+/K+-ATPase"), "Na$^+$/K$^+$-ATPase");
}

#[test]
fn md_04_complex_and_display_math_are_dropped() {
    check(
        "The rate $k=\\frac{V_{max}[S]}{K_m+[S]}$ was fitted.\n\n$$\nE=mc^2\n$$",
        &[(P, "The rate was fitted.")],
    );
}

#[test]
fn md_05_dollar_amounts_are_not_math() {
    check(
        "Reagents cost $5 and $10 per kit.",
        &[(P, "Reagents cost $5 and $10 per kit.")],
    );
}

#[test]
fn md_06_code_is_skipped() {
    check(
        "Run `samtools view` on BRCA1 reads.\n\n```{r}\nTP53 <- 1\n```\n\n    indented KRAS",
        &[(P, "Run on BRCA1 reads.")],
    );
}

#[test]
fn md_07_footnotes_are_their_own_paragraphs() {
    check(
        "Insulin[^1] regulates glucose.\n\n[^1]: Secreted by *beta cells*.",
        &[
            (P, "Insulin regulates glucose."),
            (Footnote, "Secreted by beta cells."),
        ],
    );
}

#[test]
fn md_08_table_cells() {
    let input = "| Gene | Role |\n|---|---|\n| *TP53* | x\\|y IL-6 |";
    check(
        input,
        &[
            (TableCell, "Gene"),
            (TableCell, "Role"),
            (TableCell, "TP53"),
            (TableCell, "x|y IL-6"),
        ],
    );
    assert_eq!(source_of(input, 3, "x|y"), "x\\|y");
}

#[test]
fn md_09_links_autolinks_and_bare_urls() {
    check(
        "See [the EGFR page](https://e.org/egfr \"EGFR\") and <https://doi.org/10.1/x> or www.ncbi.nlm.nih.gov/gene/7157 now.",
        &[(P, "See the EGFR page and or now.")],
    );
}

#[test]
fn md_10_inline_html() {
    let input = "H<sub>2</sub>O and <span class=\"g\">MYC</span><br>done <!-- BRCA2 -->.";
    check(input, &[(P, "H2O and MYC done.")]);
    assert_eq!(source_of(input, 0, "H2O"), "H<sub>2</sub>O");
}

#[test]
fn md_11_html_blocks_are_skipped() {
    check(
        "<div class=\"note\">\nBRCA1 in html\n</div>\n\nAfter.",
        &[(P, "After.")],
    );
}

#[test]
fn md_12_tight_and_nested_lists() {
    check(
        "1. First step with *E. coli*\n   continued.\n2. Second:\n   - nested KRAS item",
        &[
            (ListItem, "First step with E. coli continued."),
            (ListItem, "Second:"),
            (ListItem, "nested KRAS item"),
        ],
    );
}

#[test]
fn list_item_text_after_a_nested_list_is_a_new_item_paragraph() {
    check(
        "- outer\n\n  - inner\n\n  more outer",
        &[
            (ListItem, "outer"),
            (ListItem, "inner"),
            (ListItem, "more outer"),
        ],
    );
}

#[test]
fn md_13_block_quote_lazy_continuation() {
    check(
        "> quoted p53 text\nlazy continuation",
        &[(P, "quoted p53 text lazy continuation")],
    );
}

#[test]
fn md_14_hard_breaks_and_non_ascii() {
    check(
        "Schrödinger's cat  \nhad TNF‐α levels\\\n— ≥2 µM.",
        &[(P, "Schrödinger's cat had TNF‐α levels — ≥2 µM.")],
    );
}

#[test]
fn md_15_setext_heading_and_heading_attributes() {
    check(
        "Methods and *E. coli*\n====\n\n## Results {#sec:res}",
        &[(Heading, "Methods and E. coli"), (Heading, "Results")],
    );
}

#[test]
fn md_16_image_alt_text_is_a_caption() {
    check(
        "![Figure 1: TP53 expression in tumours](f.png){#fig:1 width=50%}",
        &[(Caption, "Figure 1: TP53 expression in tumours")],
    );
    check(
        "See ![KRAS map](k.png) here.",
        &[(P, "See here."), (Caption, "KRAS map")],
    );
}

#[test]
fn md_17_citations_and_emails() {
    check(
        "As shown [@smith2020; @doi:10.1000/xyz, p. 3] and @lee2019 said; mail a@b.org.",
        &[(P, "As shown and said; mail.")],
    );
    check(
        "Shown in Figure {@fig:lv246}b and Tables @tbl:a, see [-@x2020] and [@Fig:fit].",
        &[(P, "Shown in Figure 1b and Tables 1, see and Figure 1.")],
    );
}

#[test]
fn md_18_decomposed_characters_are_composed() {
    let input = "Schro\u{308}dinger equation";
    check(input, &[(P, "Schrödinger equation")]);
    assert_eq!(source_of(input, 0, "ö"), "o\u{308}");
}

#[test]
fn md_19_invisible_characters_are_removed() {
    let input = "phos\u{AD}phorylation of BRCA\u{200B}1 and TNF\u{A0}α";
    check(input, &[(P, "phosphorylation of BRCA1 and TNF\u{A0}α")]);
    assert_eq!(source_of(input, 0, "BRCA1"), "BRCA\u{200B}1");
}

#[test]
fn md_20_fenced_div_markers() {
    check(
        "::: {.callout-note}\nKRAS is mutated.\n:::",
        &[(P, "KRAS is mutated.")],
    );
    check(
        "::: note\n\nKRAS is mutated.\n\n:::",
        &[(P, "KRAS is mutated.")],
    );
}

#[test]
fn md_21_intraword_underscores() {
    check(
        "The IL_6_receptor, __init__ and snake_case_gene.",
        &[(P, "The IL_6_receptor, init and snake_case_gene.")],
    );
}

#[test]
fn md_22_reference_links() {
    check(
        "Wiki [link text][ref] here.\n\n[ref]: https://example.org \"t\"",
        &[(P, "Wiki link text here.")],
    );
}

#[test]
fn md_23_task_lists() {
    check(
        "- [x] sequenced TP53\n- [ ] check KRAS",
        &[(ListItem, "sequenced TP53"), (ListItem, "check KRAS")],
    );
}

#[test]
fn md_24_pulldown_cmark_issue_1129_does_not_panic() {
    check("+\t[\u{0}]:d\n\u{b}", &[]);
}

#[test]
fn md_25_soft_breaks_and_indented_code() {
    check(
        "Para one line one\nline two.\n\n    indented code BRCA1\n\nPara two.",
        &[(P, "Para one line one line two."), (P, "Para two.")],
    );
}

#[test]
fn md_26_math_inside_emphasis() {
    check(
        "A *TNF-$\\alpha$* level with $p < 0.05$.",
        &[(P, "A TNF-α level with p < 0.05.")],
    );
}

#[test]
fn pandoc_sub_and_superscripts_and_raw_tex() {
    check(
        "T~reg~ cells at 10^7^ cells per nM^-1^.",
        &[(P, "Treg cells at 107 cells per nM-1.")],
    );
    check(
        "\\beginsupplement\n\nRate 5 cell\\textsuperscript{-1} here.",
        &[(P, "Rate 5 cell-1 here.")],
    );
}

#[test]
fn pandoc_table_captions() {
    check(
        "| Gene |\n|---|\n| CD25 |\n\nTable: Antibody panel for IL-2 staining.\n\n: Another caption.",
        &[
            (TableCell, "Gene"),
            (TableCell, "CD25"),
            (Caption, "Antibody panel for IL-2 staining."),
            (Caption, "Another caption."),
        ],
    );
}

#[test]
fn display_math_with_attributes_leaves_nothing() {
    check(
        "$$ x = y $$ {#eq:one}\n\nText (@eq:one).",
        &[(P, "Text (1).")],
    );
}

#[test]
fn pipe_tables_with_tabs_in_the_delimiter_row_still_give_cells() {
    check(
        "|  Antibody\t|  Dilution\t|\n|----------\t|------\t|\n|  CD25 (M-A251)\t|  PE/Cy7\t|",
        &[
            (TableCell, "Antibody"),
            (TableCell, "Dilution"),
            (TableCell, "CD25 (M-A251)"),
            (TableCell, "PE/Cy7"),
        ],
    );
}

#[test]
fn headings_that_start_with_a_citation_and_letterless_cells() {
    check(
        "### [@fig:Autocorrel]. Parameter autocorrelation.\n\n| A | B |\n|---|---|\n| $0$ | 0.00 |",
        &[
            (Heading, "Figure 1. Parameter autocorrelation."),
            (TableCell, "A"),
            (TableCell, "B"),
        ],
    );
    check(
        "## [@doi:10.1/x]. Title of the section",
        &[(Heading, "Title of the section")],
    );
}

#[test]
fn manubot_captions_broken_by_html_comment_lines_stay_one_caption() {
    check(
        "![Traits of LV246.\n<!--  -->\n**a)** Top cell types of *SCD*.\n<!--  -->\n**b)** Gene-trait associations.\n](images/lv246.svg \"LV246 plot\"){#fig:lv246 width=\"100%\"}\n\nNext paragraph.\n<!-- note -->\n\nLast.",
        &[
            (
                Caption,
                "Traits of LV246. a) Top cell types of SCD. b) Gene-trait associations.",
            ),
            (P, "Next paragraph."),
            (P, "Last."),
        ],
    );
}
