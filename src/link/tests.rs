//! The linker over tiny derived tables (`tests/fixtures/link/`: real rows of the derived indexes).

use super::*;

fn linker() -> Linker {
    Linker::fixture()
}

fn ids(linking: &Linking) -> Vec<&str> {
    linking
        .candidates
        .iter()
        .map(|candidate| candidate.id.as_str())
        .collect()
}

#[track_caller]
fn check(label: &str, text: &str, status: Status, expected: &[&str]) -> Arc<Linking> {
    let linker = linker();
    let linking = linker.link(label, text).expect("a linked class");
    assert_eq!(linking.status, status, "{text}: {linking:#?}");
    assert_eq!(&ids(&linking)[..expected.len()], expected, "{text}");
    linking
}

#[test]
fn gene_symbols_aliases_and_names() {
    let il2 = check("protein", "IL-2", Status::Linked, &["HGNC:6001"]);
    let best = il2.best().unwrap();
    assert_eq!(best.name, "IL2");
    assert_eq!(best.description, "interleukin 2");
    assert_eq!(best.matched, MatchKind::Symbol);
    assert_eq!(
        best.uniprot,
        [("P60568".to_owned(), "IL2_HUMAN".to_owned())]
    );
    for text in [
        "IL2",
        "il-2",
        "IL 2",
        "interleukin-2",
        "IL-2 mRNA",
        "IL2 gene",
        "TCGF",
    ] {
        check("protein", text, Status::Linked, &["HGNC:6001"]);
    }
    check("DNA", "TNF-α", Status::Linked, &["HGNC:11892"]);
    check("protein", "TNF alpha", Status::Linked, &["HGNC:11892"]);
    // Greek letters read as Latin ones, a fuzzy rule.
    let receptor = check("protein", "IL-2Rα", Status::Linked, &["HGNC:6008"]);
    assert_eq!(receptor.rule, Rule::GreekLetter);
}

#[test]
fn cat_and_set_are_their_genes() {
    // Symbols that are English words: the tagger decided they are entities, the linker only
    // finds the gene (catalase; SET nuclear proto-oncogene).
    check("protein", "CAT", Status::Linked, &["HGNC:1516"]);
    check("protein", "SET", Status::Linked, &["HGNC:10760"]);
    check("protein", "Set", Status::Linked, &["HGNC:10760"]);
}

#[test]
fn p53_and_tp53_are_one_gene_and_the_weaker_match_is_kept() {
    check("protein", "TP53", Status::Linked, &["HGNC:11998"]);
    let p53 = check(
        "protein",
        "p53",
        Status::Linked,
        &["HGNC:11998", "HGNC:23084"],
    );
    assert_eq!(p53.candidates[0].matched, MatchKind::Alias);
    // `P5.3`, an alias of a withdrawn entry, has the same key: kept, ranked below.
    assert_eq!(p53.candidates[1].matched, MatchKind::WithdrawnEntry);
    assert!(p53.reason.contains("1 other gene"), "{}", p53.reason);
}

#[test]
fn a_shared_alias_is_ambiguous_with_every_candidate() {
    let cd25 = check("protein", "CD25", Status::Ambiguous, &[]);
    assert_eq!(cd25.tied, 2);
    let mut found = ids(&cd25);
    found.sort();
    assert_eq!(found, ["HGNC:6008", "HGNC:6130"]);
    assert!(cd25.reason.contains("alias symbol of 2"), "{}", cd25.reason);
    assert!(cd25.best().is_none());
}

#[test]
fn previous_and_withdrawn_symbols_point_to_the_approved_gene() {
    let il8 = check("protein", "IL8", Status::Linked, &["HGNC:6025"]);
    assert_eq!(il8.candidates[0].matched, MatchKind::PreviousSymbol);
    assert_eq!(il8.candidates[0].name, "CXCL8");
    // IL-8 is also an alias of CXCL8, a better match than the previous symbol `IL8`? Both
    // normalize to `il8`: the gene is found once, with its best kind.
    let withdrawn = check("DNA", "A1S9T", Status::Linked, &["HGNC:12469"]);
    // A1S9T is both a withdrawn symbol (→ UBA1) and UBA1's previous symbol.
    assert_eq!(withdrawn.candidates[0].matched, MatchKind::PreviousSymbol);
    assert_eq!(withdrawn.candidates[0].name, "UBA1");
    let entry = check("protein", "GJA2", Status::Linked, &["HGNC:4276"]);
    assert_eq!(entry.candidates[0].matched, MatchKind::WithdrawnEntry);
}

#[test]
fn cell_types_by_label_synonym_plural_and_cells() {
    for text in [
        "regulatory T cells",
        "regulatory T cell",
        "Treg",
        "Tregs",
        "regulatory T-cells",
    ] {
        let linking = check("cell_type", text, Status::Linked, &["CL:0000815"]);
        // The obsolete term with the same label is kept, below.
        assert!(
            ids(&linking).contains(&"CL:0000493") || text.starts_with('T'),
            "{text}"
        );
    }
    check("cell_type", "T cells", Status::Linked, &["CL:0000084"]);
    check(
        "cell_type",
        "T lymphocytes",
        Status::Linked,
        &["CL:0000084"],
    );
    check("cell_type", "macrophages", Status::Linked, &["CL:0000235"]);
    check("cell_type", "CD4+ T cells", Status::Linked, &["CL:0000624"]);
    let activated = check(
        "cell_type",
        "activated B cells",
        Status::Linked,
        &["CL:0000236"],
    );
    assert_eq!(activated.rule, Rule::Broader);
    check("cell_type", "hepatocytes", Status::Unknown, &[]);
}

#[test]
fn an_obsolete_cell_type_names_its_replacement() {
    let linking = check(
        "cell_type",
        "bone matrix secreting cells",
        Status::Linked,
        &["CL:0000054"],
    );
    let candidate = &linking.candidates[0];
    assert_eq!(candidate.matched, MatchKind::ObsoleteTerm);
    let replacement = candidate.replacement.as_ref().unwrap();
    assert_eq!(
        (replacement.id.as_str(), replacement.name.as_str()),
        ("CL:0000062", "osteoblast")
    );
}

#[test]
fn cell_lines_match_loosely() {
    for text in ["HEK293T", "HEK 293T", "HEK-293T", "hek293t cells"] {
        check("cell_line", text, Status::Linked, &["CVCL_0063"]);
    }
    check("cell_line", "HEK293", Status::Linked, &["CVCL_0045"]);
    check("cell_line", "HEK293T/17", Status::Linked, &["CVCL_1926"]);
    // Two lines whose names differ by a hyphen: both, the exact spelling first.
    let pc3 = check(
        "cell_line",
        "PC-3",
        Status::Ambiguous,
        &["CVCL_0035", "CVCL_E2RM"],
    );
    assert_eq!(pc3.tied, 2);
    check(
        "cell_line",
        "PC3",
        Status::Ambiguous,
        &["CVCL_E2RM", "CVCL_0035"],
    );
    // No synonyms ship: a name ending with the mention.
    let short = check("cell_line", "293T", Status::Linked, &["CVCL_0063"]);
    assert_eq!(short.rule, Rule::Suffix);
}

#[test]
fn an_unknown_cell_line_suggests_the_nearest_names() {
    let linking = check("cell_line", "HEK239T", Status::Unknown, &[]);
    assert_eq!(
        linking.suggestions.first().map(String::as_str),
        Some("HEK293T")
    );
    let linking = check("cell_line", "Jurkatt", Status::Unknown, &[]);
    assert_eq!(linking.suggestions, ["Jurkat"]);
    assert!(
        check("cell_line", "XYZ", Status::Unknown, &[])
            .suggestions
            .is_empty()
    );
}

#[test]
fn other_classes_are_not_linked_and_answers_are_remembered() {
    let linker = linker();
    assert!(linker.link("O", "IL-2").is_none());
    assert!(linker.link("Chemical", "IL-2").is_none());
    let first = linker.link("protein", "IL-2").unwrap();
    let second = linker.link("protein", "IL-2").unwrap();
    assert!(Arc::ptr_eq(&first, &second));
}

#[test]
fn pinned_identifiers_and_lookups_by_id() {
    let linker = linker();
    let pinned = linker.pinned("HGNC:6001");
    assert_eq!(pinned.best().unwrap().name, "IL2");
    assert_eq!(pinned.rule, Rule::Pinned);
    assert_eq!(
        linker
            .candidate_by_id("CL:0000815", MatchKind::Label)
            .unwrap()
            .name,
        "regulatory T cell"
    );
    assert_eq!(
        linker
            .candidate_by_id("CVCL_E2RM", MatchKind::CellLineName)
            .unwrap()
            .name,
        "PC3"
    );
    assert!(
        linker
            .candidate_by_id("HGNC:999999", MatchKind::Symbol)
            .is_none()
    );
    let missing = linker.pinned("CL:9999999");
    assert!(missing.reason.contains("not in the bundled"));
}

#[test]
fn bad_tables_match_nothing_and_do_not_panic() {
    let linker = Linker::from_tsv("garbage\n\t\t\n".into(), "x\ty".into(), "\n\n".into());
    assert_eq!(
        linker.link("protein", "IL-2").unwrap().status,
        Status::Unknown
    );
    assert_eq!(
        linker.link("cell_line", "HeLa").unwrap().status,
        Status::Unknown
    );
    assert!(Linker::from_gzip(b"not gzip", b"", b"").is_err());
}

#[test]
fn the_embedded_indexes_load() {
    let linker = embedded().expect("the embedded indexes");
    let (genes, cell_types, cell_lines) = linker.sizes();
    assert!(genes > 40_000 && cell_types > 3_000 && cell_lines > 160_000);
    assert_eq!(
        linker.link("cell_line", "HEK-293T").unwrap().identifier(),
        Some("CVCL_0063")
    );
    assert_eq!(
        linker.link("protein", "IL-2").unwrap().identifier(),
        Some("HGNC:6001")
    );
    assert_eq!(
        linker.link("cell_type", "Tregs").unwrap().identifier(),
        Some("CL:0000815")
    );
}

#[test]
fn parenthesized_clone_names_and_abbreviations_are_left_out() {
    let linking = check(
        "protein",
        "IL-2 (clone 5344)",
        Status::Linked,
        &["HGNC:6001"],
    );
    assert_eq!(linking.rule, Rule::Parentheses);
    check(
        "protein",
        "interleukin (IL)-2",
        Status::Linked,
        &["HGNC:6001"],
    );
}

#[test]
fn an_adjective_is_not_a_cell_type_and_a_coordination_is_not_broadened() {
    // `neural cell` is indexed as ending with "cell": the adjective alone does not match it, and
    // `T cell` is not "T".
    check("cell_type", "T", Status::Unknown, &[]);
    check("cell_type", "B and T cells", Status::Unknown, &[]);
    check("cell_type", "Treg cells", Status::Linked, &["CL:0000815"]);
}
