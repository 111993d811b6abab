//! Unit tests of the builder, the offset map and the plain-text front end.

use super::offsets::ProseBuilder;
use super::*;

fn plain(text: &str) -> Extraction {
    let extraction = extract(text, Language::Plain, &ExtractOptions::default());
    if let Err(error) = check_invariants(text, &extraction) {
        panic!("invariants broken for {text:?}: {error}");
    }
    extraction
}

fn prose_of(extraction: &Extraction) -> Vec<&str> {
    extraction
        .paragraphs
        .iter()
        .map(|paragraph| paragraph.prose.as_str())
        .collect()
}

#[test]
fn plain_paragraphs_are_blank_line_separated_blocks() {
    let text = "First line\n  wraps here.\n\n \t \nSecond\r\n\r\nThird.";
    let extraction = plain(text);
    assert_eq!(
        prose_of(&extraction),
        ["First line wraps here.", "Second", "Third."]
    );
    assert_eq!(
        &text[extraction.paragraphs[0].source_range.clone()],
        "First line\n  wraps here."
    );
    assert!(
        extraction
            .paragraphs
            .iter()
            .all(|paragraph| paragraph.kind == ParagraphKind::Paragraph)
    );
}

#[test]
fn invisible_characters_are_removed_and_map_across() {
    let text = "phos\u{AD}phorylation of BRCA\u{200B}1 and TNF\u{A0}α";
    let extraction = plain(text);
    let paragraph = &extraction.paragraphs[0];
    assert_eq!(paragraph.prose, "phosphorylation of BRCA1 and TNF\u{A0}α");
    let start = paragraph.prose.find("BRCA1").expect("BRCA1 in prose");
    let source = paragraph.to_source(start..start + 5).expect("maps");
    assert_eq!(&text[source], "BRCA\u{200B}1");
}

#[test]
fn decomposed_characters_become_nfc_atomic_pieces() {
    let text = "Schro\u{308}dinger equation";
    let extraction = plain(text);
    let paragraph = &extraction.paragraphs[0];
    assert_eq!(paragraph.prose, "Schrödinger equation");
    let o_umlaut = paragraph.prose.find('ö').expect("ö");
    let piece = paragraph.map.piece_at(o_umlaut).expect("piece");
    assert_eq!(piece.kind, PieceKind::Atomic);
    assert_eq!(&text[piece.source.clone()], "o\u{308}");
    assert_eq!(
        paragraph.to_source(0..paragraph.prose.find(' ').unwrap_or(0)),
        Some(0..13)
    );
}

#[test]
fn to_source_trims_synthetic_text_and_spaces() {
    let source = "see Fig. X now";
    let mut builder = ProseBuilder::new(source);
    builder.push_source(0..8);
    builder.space_for_removal(8);
    builder.push_synthetic("1", 9);
    builder.space_over(10..11);
    builder.push_source(11..14);
    let (prose, map, cover) = builder.take().expect("paragraph");
    assert_eq!(prose, "see Fig. 1 now");
    assert_eq!(cover, 0..14);
    // The placeholder alone maps nowhere; with its neighbours it maps to the real words only.
    assert_eq!(map.to_source(&prose, 9..10), None);
    assert_eq!(map.to_source(&prose, 4..11), Some(4..8));
    assert_eq!(map.to_source(&prose, 8..14), Some(11..14));
    assert_eq!(map.to_source(&prose, 0..3), Some(0..3));
    // Invalid ranges give None rather than a panic.
    assert_eq!(map.to_source(&prose, 5..100), None);
    assert_eq!(map.to_source(&prose, Range { start: 7, end: 3 }), None);
}

#[test]
fn pending_space_is_not_emitted_before_closing_punctuation_or_after_opening_brackets() {
    let source = "p53 X. ( Y word";
    let mut builder = ProseBuilder::new(source);
    builder.push_source(0..3);
    builder.space_over(3..4);
    builder.space_for_removal(4);
    builder.push_source(5..8);
    builder.space_for_removal(9);
    builder.push_source(9..15);
    let (prose, _, _) = builder.take().expect("paragraph");
    assert_eq!(prose, "p53. (Y word");
}

#[test]
fn atomic_pieces_map_to_the_whole_construct() {
    let source = "TNF&alpha; level";
    let mut builder = ProseBuilder::new(source);
    builder.push_source(0..3);
    builder.push_atomic("α", 3..10);
    builder.push_source(10..16);
    let (prose, map, _) = builder.take().expect("paragraph");
    assert_eq!(prose, "TNFα level");
    assert_eq!(map.to_source(&prose, 0..5), Some(0..10));
    assert_eq!(map.to_source(&prose, 3..5), Some(3..10));
}

#[test]
fn paragraphs_without_word_characters_are_dropped() {
    assert!(plain(" . , ;\n\n---").paragraphs.is_empty());
    assert!(plain("").paragraphs.is_empty());
}

#[test]
fn languages_from_ids_and_paths() {
    assert_eq!(
        Language::from_language_id("markdown"),
        Some(Language::Markdown)
    );
    assert_eq!(
        Language::from_language_id("quarto"),
        Some(Language::Markdown)
    );
    assert_eq!(Language::from_language_id("rmd"), Some(Language::Markdown));
    assert_eq!(Language::from_language_id("latex"), Some(Language::Latex));
    assert_eq!(Language::from_language_id("tex"), Some(Language::Latex));
    assert_eq!(
        Language::from_language_id("plaintext"),
        Some(Language::Plain)
    );
    assert_eq!(Language::from_language_id("rust"), None);
    assert_eq!(
        Language::from_path(Path::new("paper.Rmd")),
        Language::Markdown
    );
    assert_eq!(
        Language::from_path(Path::new("a/b/paper.qmd")),
        Language::Markdown
    );
    assert_eq!(Language::from_path(Path::new("main.tex")), Language::Latex);
    assert_eq!(Language::from_path(Path::new("notes.txt")), Language::Plain);
    assert_eq!(Language::from_path(Path::new("README")), Language::Plain);
}

#[test]
fn unicode_spaces_at_paragraph_ends_are_trimmed_even_inside_composed_pieces() {
    // Found by the plain-text fuzz target: U+2000 normalises to U+2002 and, followed by a combining
    // mark, forms one Atomic piece that starts with whitespace.
    for text in [
        "\u{2000}\u{311}1 word",
        "word \u{2000}\u{311}",
        "\u{A0}word\u{A0}",
        "x\u{2002}\u{301}\n\nnext",
    ] {
        let extraction = plain(text);
        for paragraph in &extraction.paragraphs {
            assert_eq!(paragraph.prose.trim(), paragraph.prose, "prose of {text:?}");
        }
    }
    assert_eq!(prose_of(&plain("\u{2000}\u{311}1 word")), ["\u{311}1 word"]);
}
