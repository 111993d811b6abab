//! Navigating a manuscript by its entities over the real protocol: the outline
//! (`textDocument/documentSymbol`), every mention (`textDocument/documentHighlight`,
//! `textDocument/references`) and entity search (`workspace/symbol`).
//!
//! The fixture model has random weights, so the mentions these tests follow come from a project
//! glossary (`[class]` terms are entities wherever they occur): `IL-2Rα`, `IL2R alpha` and
//! `il-2 rα` are spellings of one protein, `NF-κB` and `NF-kappaB` of another.

use std::path::Path;

use serde_json::{Value, json};

use super::harness::{ClientOptions, TestClient, fixture};

const GLOSSARY: &str = r#"[class]
protein = ["IL-2Rα", "IL2R alpha", "il-2 rα", "NF-κB", "NF-kappaB"]
cell_line = ["Jurkat cells"]
"#;

/// SymbolKind numbers of the protocol.
const MODULE: u64 = 2;
const CLASS: u64 = 5;
const CONSTANT: u64 = 14;

fn file_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// The UTF-16 position of byte `offset` of `text`.
fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |index| index + 1);
    let character = text[line_start..offset].encode_utf16().count();
    json!({ "line": line, "character": character })
}

/// The protocol range of the `nth` (from 0) occurrence of `needle` in `text`.
fn range_of(text: &str, needle: &str, nth: usize) -> Value {
    let start = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} occurs {} times", nth + 1))
        .0;
    json!({ "start": position(text, start), "end": position(text, start + needle.len()) })
}

/// A project folder with the glossary and both fixtures, and a client whose workspace it is.
struct Project {
    _dir: tempfile::TempDir,
    markdown: (String, String),
    latex: (String, String),
    client: TestClient,
}

async fn project() -> Project {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().canonicalize().expect("canonical");
    std::fs::write(root.join("scitag.toml"), GLOSSARY).expect("write scitag.toml");
    let mut documents = Vec::new();
    for name in ["navigation.md", "navigation.tex"] {
        let text = fixture(name);
        let path = root.join(name);
        std::fs::write(&path, &text).expect("write the fixture");
        documents.push((file_uri(&path), text));
    }
    let client = TestClient::start(ClientOptions {
        root_uri: Some(file_uri(&root)),
        ..ClientOptions::default()
    })
    .await;
    let latex = documents.pop().expect("two documents");
    let markdown = documents.pop().expect("two documents");
    Project {
        _dir: dir,
        markdown,
        latex,
        client,
    }
}

impl Project {
    async fn open_markdown(&mut self) {
        let (uri, text) = &self.markdown;
        self.client.open(uri, "markdown", text).await;
        self.client.diagnostics(uri, 1).await;
    }

    async fn open_latex(&mut self) {
        let (uri, text) = &self.latex;
        self.client.open(uri, "latex", text).await;
        self.client.diagnostics(uri, 1).await;
    }
}

async fn document_symbols(client: &mut TestClient, uri: &str) -> Vec<Value> {
    let result = client
        .request_ok(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": uri } }),
        )
        .await;
    result.as_array().cloned().expect("a list of symbols")
}

fn children(symbol: &Value) -> Vec<Value> {
    symbol["children"].as_array().cloned().unwrap_or_default()
}

/// The child of `symbol` (or of the top level) with this kind whose name starts with `name`.
fn child(symbols: &[Value], kind: u64, name: &str) -> Value {
    symbols
        .iter()
        .find(|symbol| symbol["kind"] == kind && symbol["name"].as_str().unwrap().starts_with(name))
        .cloned()
        .unwrap_or_else(|| panic!("no symbol {name:?} of kind {kind} in {symbols:#?}"))
}

/// The headings of an outline as `title{children}` strings, entities left out.
fn heading_tree(symbols: &[Value]) -> Vec<String> {
    symbols
        .iter()
        .filter(|symbol| symbol["kind"] == MODULE)
        .map(|symbol| {
            let inner = heading_tree(&children(symbol));
            let name = symbol["name"].as_str().unwrap();
            if inner.is_empty() {
                name.to_owned()
            } else {
                format!("{name}{{{}}}", inner.join(", "))
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_markdown_outline_nests_headings_and_groups_each_sections_entities() {
    let mut project = project().await;
    project.open_markdown().await;
    let (uri, text) = project.markdown.clone();
    let symbols = document_symbols(&mut project.client, &uri).await;
    assert_eq!(
        heading_tree(&symbols),
        ["Cytokine receptors{Signalling}", "Discussion"]
    );

    // Before the first heading: the preface's protein, at the top level.
    let preface = child(&symbols, CLASS, "protein (");
    let preface_entity = child(&children(&preface), CONSTANT, "IL-2Rα");
    assert_eq!(preface_entity["detail"], "1 mention");
    assert_eq!(preface_entity["range"], range_of(&text, "IL-2Rα", 0));

    // The first section: IL-2Rα and IL2R alpha are one protein of two mentions, named by the first
    // spelling, at its first mention in the section; subsections are not counted in.
    let receptors = child(&symbols, MODULE, "Cytokine receptors");
    assert_eq!(
        receptors["selectionRange"],
        range_of(&text, "# Cytokine receptors", 0)
    );
    assert_eq!(
        receptors["range"]["start"],
        position(&text, text.find("# Cytokine").unwrap())
    );
    assert_eq!(
        receptors["range"]["end"],
        position(&text, text.find("# Discussion").unwrap())
    );
    let proteins = child(&children(&receptors), CLASS, "protein (");
    let receptor = child(&children(&proteins), CONSTANT, "IL-2Rα");
    assert_eq!(receptor["detail"], "2 mentions");
    assert_eq!(receptor["range"], range_of(&text, "IL-2Rα", 1));
    assert_eq!(receptor["selectionRange"], receptor["range"]);
    assert!(
        children(&proteins)
            .iter()
            .all(|entity| entity["name"] != "IL2R alpha" && entity["name"] != "il-2 rα"),
        "one entity for all spellings: {proteins:#}"
    );
    let cell_lines = child(&children(&receptors), CLASS, "cell line (");
    assert_eq!(
        child(&children(&cell_lines), CONSTANT, "Jurkat cells")["detail"],
        "1 mention"
    );

    // The subsection has its own mentions, the last heading the NF-κB spellings as one entity.
    let signalling = child(&children(&receptors), MODULE, "Signalling");
    let sub_proteins = child(&children(&signalling), CLASS, "protein (");
    let clustered = child(&children(&sub_proteins), CONSTANT, "il-2 rα");
    assert_eq!(clustered["detail"], "1 mention");
    let discussion = child(&symbols, MODULE, "Discussion");
    let factor = child(
        &children(&child(&children(&discussion), CLASS, "protein (")),
        CONSTANT,
        "NF-κB",
    );
    assert_eq!(factor["detail"], "2 mentions");
    project.client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_latex_outline_reads_sectioning_commands_and_prose_titles() {
    let mut project = project().await;
    project.open_latex().await;
    let (uri, text) = project.latex.clone();
    let symbols = document_symbols(&mut project.client, &uri).await;
    // `\subsection*` nests under `\section`; the commented-out `\section` is no heading; the title
    // is prose (`NF-$\kappa$B` reads `NF-κB`).
    assert_eq!(
        heading_tree(&symbols),
        ["Receptors on T cells{Signalling in NF-κB}"]
    );
    let section = child(&symbols, MODULE, "Receptors on T cells");
    assert_eq!(
        section["selectionRange"],
        range_of(&text, "\\section{Receptors on T cells}", 0)
    );
    let proteins = child(&children(&section), CLASS, "protein (");
    let receptor = child(&children(&proteins), CONSTANT, "IL-2Rα");
    assert_eq!(
        receptor["detail"], "2 mentions",
        "IL-2R$\\alpha$ and IL2R alpha"
    );
    assert_eq!(receptor["range"], range_of(&text, "IL-2R$\\alpha$", 0));
    let subsection = child(&children(&section), MODULE, "Signalling in NF-κB");
    let factor = child(
        &children(&child(&children(&subsection), CLASS, "protein (")),
        CONSTANT,
        "NF-κB",
    );
    assert_eq!(
        factor["detail"], "2 mentions",
        "in the heading and after it"
    );
    project.client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn highlights_and_references_follow_every_spelling_of_an_entity() {
    let mut project = project().await;
    project.open_markdown().await;
    project.open_latex().await;
    let (md_uri, md) = project.markdown.clone();
    let (tex_uri, tex) = project.latex.clone();
    let spellings_in_markdown = [
        range_of(&md, "IL-2Rα", 0),
        range_of(&md, "IL-2Rα", 1),
        range_of(&md, "IL2R alpha", 0),
        range_of(&md, "il-2 rα", 0),
    ];
    // On the third spelling, in the middle of the word.
    let at = {
        let start = md.find("il-2 rα").unwrap() + 3;
        json!({ "textDocument": { "uri": md_uri }, "position": position(&md, start) })
    };
    let highlights = project
        .client
        .request_ok("textDocument/documentHighlight", at.clone())
        .await;
    let ranges: Vec<Value> = highlights
        .as_array()
        .expect("highlights")
        .iter()
        .map(|highlight| {
            assert_eq!(highlight["kind"], 1, "text highlights");
            highlight["range"].clone()
        })
        .collect();
    assert_eq!(ranges, spellings_in_markdown);

    let mut params = at.clone();
    params["context"] = json!({ "includeDeclaration": true });
    let references = project
        .client
        .request_ok("textDocument/references", params)
        .await;
    let locations: Vec<(String, Value)> = references
        .as_array()
        .expect("locations")
        .iter()
        .map(|location| {
            (
                location["uri"].as_str().unwrap().to_owned(),
                location["range"].clone(),
            )
        })
        .collect();
    let mut expected: Vec<(String, Value)> = spellings_in_markdown
        .iter()
        .map(|range| (md_uri.clone(), range.clone()))
        .collect();
    for (needle, nth) in [
        ("IL-2R$\\alpha$", 0),
        ("IL2R alpha", 0),
        ("il-2 r$\\alpha$", 0),
    ] {
        expected.push((tex_uri.clone(), range_of(&tex, needle, nth)));
    }
    assert_eq!(locations, expected, "this document first, then the other");

    // NF-κB is another entity: its references hold none of the receptor's mentions.
    let factor = json!({
        "textDocument": { "uri": tex_uri },
        "position": position(&tex, tex.find("NF-$\\kappa$B activates").unwrap()),
        "context": { "includeDeclaration": false },
    });
    let references = project
        .client
        .request_ok("textDocument/references", factor)
        .await;
    assert_eq!(references.as_array().expect("locations").len(), 4);

    // Nothing under the cursor, a position past the end, or an unknown document: empty answers.
    for params in [
        json!({ "textDocument": { "uri": md_uri }, "position": { "line": 2, "character": 0 } }),
        json!({ "textDocument": { "uri": md_uri }, "position": { "line": 400, "character": 9 } }),
        json!({ "textDocument": { "uri": "file:///nowhere.md" }, "position": { "line": 0, "character": 0 } }),
    ] {
        let highlights = project
            .client
            .request_ok("textDocument/documentHighlight", params.clone())
            .await;
        assert_eq!(highlights, json!([]), "{params}");
        let mut with_context = params.clone();
        with_context["context"] = json!({ "includeDeclaration": true });
        let references = project
            .client
            .request_ok("textDocument/references", with_context)
            .await;
        assert_eq!(references, json!([]), "{params}");
    }
    let outline = document_symbols(&mut project.client, "file:///nowhere.md").await;
    assert!(outline.is_empty());
    project.client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workspace_symbols_find_entities_by_any_spelling_across_documents() {
    let mut project = project().await;
    project.open_markdown().await;
    project.open_latex().await;
    let (md_uri, md) = project.markdown.clone();
    let (tex_uri, tex) = project.latex.clone();
    let search = |query: &str| json!({ "query": query });

    // Spelled out, with other spacing: both documents' IL-2Rα, exact matches first.
    let found = project
        .client
        .request_ok("workspace/symbol", search("IL2 R-alpha"))
        .await;
    let found = found.as_array().expect("symbols");
    let receptors: Vec<&Value> = found
        .iter()
        .filter(|symbol| symbol["name"] == "IL-2Rα")
        .collect();
    assert_eq!(receptors.len(), 2, "{found:#?}");
    assert_eq!(found[0]["name"], "IL-2Rα");
    assert_eq!(found[1]["name"], "IL-2Rα");
    for symbol in &receptors {
        assert_eq!(symbol["kind"], CONSTANT);
        let uri = symbol["location"]["uri"].as_str().unwrap();
        if uri == md_uri {
            assert_eq!(symbol["location"]["range"], range_of(&md, "IL-2Rα", 0));
            assert_eq!(symbol["containerName"], "protein · 4 mentions");
        } else {
            assert_eq!(uri, tex_uri);
            assert_eq!(
                symbol["location"]["range"],
                range_of(&tex, "IL-2R$\\alpha$", 0)
            );
            assert_eq!(symbol["containerName"], "protein · 3 mentions");
        }
    }

    // A part of a name (substring) and a fuzzy query find NF-κB; a name no document mentions
    // finds nothing.
    for query in ["kappa", "nfκ", "nfkb"] {
        let found = project
            .client
            .request_ok("workspace/symbol", search(query))
            .await;
        assert!(
            found
                .as_array()
                .expect("symbols")
                .iter()
                .any(|symbol| symbol["name"] == "NF-κB"),
            "{query}: {found:#}"
        );
    }
    let found = project
        .client
        .request_ok("workspace/symbol", search("glucocorticoid receptor"))
        .await;
    assert_eq!(found, json!([]));
    project.client.shutdown().await;
}
