use super::edit::{Change, apply_change};
use super::*;

fn entity(prose: &str, text: &str, label: &str, score: f32) -> Entity {
    let start = prose.find(text).expect("in prose");
    Entity {
        range: start..start + text.len(),
        label: label.into(),
        score,
        alternatives: Vec::new(),
        tag: None,
    }
}

fn texts(prose: &str, glossed: &[Glossed]) -> Vec<(String, String, bool)> {
    glossed
        .iter()
        .map(|g| {
            (
                prose[g.entity.range.clone()].to_string(),
                g.entity.label.clone(),
                g.accepted,
            )
        })
        .collect()
}

#[test]
fn ignore_class_and_accept_apply_on_whole_words() {
    let glossary = Glossary::parse(
        r#"
# a comment
ignore = ["minimap2", { term = "umap", ignore-case = true }]
accept = ["γc"]

[class]
cell_line = ["SupT1", "CHO cells"]
"#,
    )
    .unwrap();
    let prose = "We mapped with minimap2 and UMAP; SupT1 and CHO cells express γc, not SupT10.";
    let model = vec![
        entity(prose, "minimap2", "protein", 0.9),
        entity(prose, "UMAP", "protein", 0.8),
        entity(prose, "CHO", "cell_type", 0.7),
        entity(prose, "γc", "protein", 0.4),
    ];
    let out = glossary.apply(prose, model);
    assert_eq!(
        texts(prose, &out),
        vec![
            ("SupT1".into(), "cell_line".into(), true),
            ("CHO cells".into(), "cell_line".into(), true),
            ("γc".into(), "protein".into(), true),
        ]
    );
    assert_eq!(out[0].origin, Origin::Glossary);
    assert_eq!(out[2].origin, Origin::Model);
    assert_eq!(
        out[2].entity.score, 0.4,
        "accepting keeps the model's score"
    );
    // case-sensitive by default: "Minimap2" is not "minimap2"; "umap" ignores case
    let prose = "Minimap2 and Umap.";
    let out = glossary.apply(
        prose,
        vec![
            entity(prose, "Minimap2", "protein", 0.9),
            entity(prose, "Umap", "protein", 0.9),
        ],
    );
    assert_eq!(
        texts(prose, &out),
        vec![("Minimap2".into(), "protein".into(), false)]
    );
}

#[test]
fn broken_files_name_the_line() {
    let error = Glossary::parse("ignore = [\"a\"]\n\nignore = [\"b\"]\n").unwrap_err();
    assert_eq!(error.line, 3, "{error}");
    let error = Glossary::parse("ignore = [\"a\",\n  3]\n").unwrap_err();
    assert_eq!(error.line, 2, "{error}");
    assert!(error.message.contains("string"), "{error}");
    let error = Glossary::parse("\n\nignroe = []\n").unwrap_err();
    assert_eq!(error.line, 3);
    assert!(error.message.contains("unknown key `ignroe`"), "{error}");
    let error = Glossary::parse("ignore = [\"x\"]\n[class]\nprotein = [\"x\"]\n").unwrap_err();
    assert!(error.message.contains("both ignored"), "{error}");
    let error = Glossary::parse("ignore = [\"x\"\n").unwrap_err();
    assert!(error.line >= 1, "{error}");
}

#[test]
fn code_action_edits_keep_comments_and_order() {
    let original = "# our glossary\nignore = [\"BWA-MEM\"] # aligners\n\n[class]\n# lines\ncell_line = [\"SupT1\"]\n";
    let ignored = apply_change(Some(original), "minimap2", &Change::Ignore).unwrap();
    assert!(ignored.starts_with("# our glossary\n"), "{ignored}");
    assert!(ignored.contains("# aligners"), "{ignored}");
    assert!(ignored.contains("# lines"), "{ignored}");
    let parsed = Glossary::parse(&ignored).unwrap();
    assert_eq!(
        parsed
            .ignore
            .iter()
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>(),
        ["BWA-MEM", "minimap2"]
    );
    // pinning a class takes the term out of ignore
    let pinned =
        apply_change(Some(&ignored), "minimap2", &Change::Class("protein".into())).unwrap();
    let parsed = Glossary::parse(&pinned).unwrap();
    assert_eq!(parsed.ignore.len(), 1);
    assert!(
        parsed
            .classes
            .iter()
            .any(|(t, c)| t.text == "minimap2" && c == "protein")
    );
    // moving SupT1 to another class removes it from the first
    let moved = apply_change(Some(&pinned), "SupT1", &Change::Class("cell_type".into())).unwrap();
    let parsed = Glossary::parse(&moved).unwrap();
    assert_eq!(
        parsed
            .classes
            .iter()
            .filter(|(t, _)| t.text == "SupT1")
            .map(|(_, c)| c.as_str())
            .collect::<Vec<_>>(),
        ["cell_type"]
    );
    // a new file
    let created = apply_change(None, "γc", &Change::Accept).unwrap();
    assert!(created.starts_with("# scitag project glossary"));
    assert_eq!(Glossary::parse(&created).unwrap().accept[0].text, "γc");
    // twice is once
    let twice = apply_change(Some(&created), "γc", &Change::Accept).unwrap();
    assert_eq!(Glossary::parse(&twice).unwrap().accept.len(), 1);
}

#[test]
fn the_nearest_glossary_governs_a_file_but_not_above_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let paper = dir.path().join("paper");
    let chapter = paper.join("chapters");
    std::fs::create_dir_all(&chapter).unwrap();
    std::fs::write(dir.path().join(FILE_NAME), "").unwrap();
    let file = chapter.join("intro.md");
    assert_eq!(find_for(&file, None), Some(dir.path().join(FILE_NAME)));
    assert_eq!(find_for(&file, Some(&paper)), None);
    std::fs::write(paper.join(FILE_NAME), "").unwrap();
    assert_eq!(find_for(&file, Some(&paper)), Some(paper.join(FILE_NAME)));
}

#[test]
fn project_settings_are_read_and_checked() {
    let glossary = Glossary::parse(
        "[settings]\nthreshold = 0.5\nclasses = [\"protein\", \"cell_line\"]\n\n[settings.latex]\ncommands = { \"\\\\gene{}\" = \"default\", \"\\\\mycite[]{}\" = \"ignore\" }\nenvironments = { myenv = \"ignore\" }\n",
    )
    .unwrap();
    assert!(glossary.is_empty(), "settings are not terms");
    assert_eq!(glossary.settings.threshold, Some(0.5));
    assert_eq!(
        glossary.settings.classes.as_deref(),
        Some(&["protein".to_string(), "cellLine".to_string()][..])
    );
    let extract = glossary.settings.extract.expect("latex settings");
    assert_eq!(extract.latex_commands.len(), 2);
    assert_eq!(extract.latex_environments.len(), 1);
    let error = Glossary::parse("[settings]\nthreshold = 2\n").unwrap_err();
    assert_eq!(error.line, 2, "{error}");
    let error =
        Glossary::parse("[settings.latex]\ncommands = { \"gene\" = \"default\" }\n").unwrap_err();
    assert!(error.message.contains("signature"), "{error}");
    let error = Glossary::parse("[settings]\ncolour = 1\n").unwrap_err();
    assert!(
        error.message.contains("unknown setting `colour`"),
        "{error}"
    );
}

#[test]
fn link_pins_an_identifier_and_may_give_a_class() {
    let glossary = Glossary::parse(
        "[link]\n\"IL-2\" = { class = \"protein\", id = \"HGNC:6001\" }\nHEK293T = \"CVCL_0063\"\n",
    )
    .unwrap();
    assert_eq!(glossary.pinned_id("IL-2"), Some("HGNC:6001"));
    assert_eq!(glossary.pinned_id("HEK293T"), Some("CVCL_0063"));
    assert_eq!(glossary.pinned_id("IL2"), None);
    assert_eq!(
        glossary.classes.len(),
        1,
        "the class makes IL-2 a class term"
    );
    let error = Glossary::parse("[link]\nfoo = \"PMID:1\"\n").unwrap_err();
    assert!(error.message.contains("not an HGNC:"), "{error}");
    let error = Glossary::parse("[link]\nfoo = { id = \"CL:0000815\", colour = 1 }\n").unwrap_err();
    assert!(error.message.contains("unknown field `colour`"), "{error}");
    let written = apply_change(
        Some("ignore = [\"x\"]\n"),
        "CD25",
        &Change::Link("HGNC:6008".into()),
    )
    .unwrap();
    assert_eq!(
        Glossary::parse(&written).unwrap().pinned_id("CD25"),
        Some("HGNC:6008")
    );
    assert!(written.starts_with("ignore = [\"x\"]\n"), "{written}");
}
