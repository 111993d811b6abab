//! Entity linking over the real protocol: the hover shows database identifiers, an unknown cell
//! line gets a hint whose quick fix replaces the name with the nearest Cellosaurus one.
//!
//! The tiny fixture model tags at random, so the entities under test come from the project
//! glossary's `[class]` terms, which the linker links like any other entity.

use std::path::Path;

use serde_json::{Value, json};

use super::harness::{ClientOptions, TestClient};

fn file_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

const TEXT: &str = "We transfected HEK239T cells and measured IL-2 secretion by Tregs.\n\nThen HEK293T and CD25.\n";

/// The (line, UTF-16 column) of the first `needle` in [`TEXT`] (ASCII).
fn position(needle: &str) -> (u32, u32) {
    let offset = TEXT.find(needle).expect("in the text");
    let line = TEXT[..offset].matches('\n').count() as u32;
    let column = offset - TEXT[..offset].rfind('\n').map_or(0, |newline| newline + 1);
    (line, column as u32)
}

async fn hover_text(client: &mut TestClient, uri: &str, needle: &str) -> String {
    let (line, character) = position(needle);
    let hover = client.hover(uri, line, character + 1).await;
    hover["contents"]["value"]
        .as_str()
        .unwrap_or_else(|| panic!("a hover on {needle}: {hover:#}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_ids_and_the_unknown_cell_line_quick_fix() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().canonicalize().expect("canonical");
    let paper = root.join("manuscript.md");
    std::fs::write(&paper, TEXT).expect("write the manuscript");
    std::fs::write(
        root.join("scitag.toml"),
        "[class]\ncell_line = [\"HEK239T\", \"HEK293T\"]\nprotein = [\"IL-2\", \"CD25\"]\ncell_type = [\"Tregs\"]\n\n[link]\n\"IL-2\" = \"HGNC:6001\"\n",
    )
    .expect("write the glossary");
    let uri = file_uri(&paper);
    let mut client = TestClient::start(ClientOptions {
        root_uri: Some(file_uri(&root)),
        ..ClientOptions::default()
    })
    .await;
    client.open(&uri, "markdown", TEXT).await;
    let diagnostics = client.diagnostics(&uri, 1).await;

    let il2 = hover_text(&mut client, &uri, "IL-2").await;
    assert!(
        il2.contains("[HGNC:6001](https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/HGNC:6001) IL2 — interleukin 2 · UniProt [P60568](https://www.uniprot.org/uniprotkb/P60568)"),
        "{il2}"
    );
    assert!(il2.contains("Pinned in the project glossary"), "{il2}");
    let cd25 = hover_text(&mut client, &uri, "CD25").await;
    assert!(cd25.contains("HGNC candidates:"), "{cd25}");
    assert!(cd25.contains("IL2RA") && cd25.contains("ISG20"), "{cd25}");
    // An ambiguous mention offers to pin each candidate in the glossary.
    let (line, character) = position("CD25");
    let cursor = json!({ "line": line, "character": character + 1 });
    let actions = client
        .request_ok(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": uri },
                "range": { "start": cursor, "end": cursor },
                "context": { "diagnostics": [] },
            }),
        )
        .await;
    let titles: Vec<&str> = actions
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|action| action["title"].as_str())
        .collect();
    assert!(
        titles.contains(&"Link «CD25» to HGNC:6008 IL2RA"),
        "{titles:#?}"
    );
    assert!(
        titles.contains(&"Link «CD25» to HGNC:6130 ISG20"),
        "{titles:#?}"
    );

    let treg = hover_text(&mut client, &uri, "Tregs").await;
    assert!(
        treg.contains("[CL:0000815](http://purl.obolibrary.org/obo/CL_0000815) regulatory T cell"),
        "{treg}"
    );
    let known = hover_text(&mut client, &uri, "HEK293T").await;
    assert!(
        known.contains("Cellosaurus [CVCL_0063](https://www.cellosaurus.org/CVCL_0063) HEK293T"),
        "{known}"
    );
    let unknown = hover_text(&mut client, &uri, "HEK239T").await;
    assert!(
        unknown.contains("Not found in Cellosaurus release 55; nearest: HEK293T"),
        "{unknown}"
    );

    let hint = diagnostics
        .iter()
        .find(|diagnostic| diagnostic["code"] == "unknown-cell-line")
        .unwrap_or_else(|| panic!("an unknown-cell-line hint in {diagnostics:#?}"))
        .clone();
    let (line, character) = position("HEK239T");
    assert_eq!(hint["severity"], 4, "a hint");
    assert_eq!(hint["source"], "scitag");
    assert_eq!(
        hint["range"]["start"],
        json!({ "line": line, "character": character })
    );
    assert!(
        hint["message"]
            .as_str()
            .unwrap()
            .contains("did you mean HEK293T"),
        "{hint:#}"
    );
    assert_eq!(
        diagnostics
            .iter()
            .filter(|diagnostic| diagnostic["code"] == "unknown-cell-line"
                && diagnostic["range"]["start"]["line"] == 2)
            .count(),
        0,
        "HEK293T is known"
    );

    let actions = client
        .request_ok(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": uri },
                "range": hint["range"],
                "context": { "diagnostics": [hint] },
            }),
        )
        .await;
    let actions = actions.as_array().cloned().unwrap_or_default();
    let fix = actions
        .iter()
        .find(|action| action["title"] == "Replace with «HEK293T»")
        .unwrap_or_else(|| panic!("the quick fix in {actions:#?}"));
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["isPreferred"], true);
    let edits = fix["edit"]["changes"][uri.as_str()]
        .as_array()
        .expect("an edit of the document");
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0]["range"], hint["range"]);
    assert_eq!(edits[0]["newText"], "HEK293T");

    // Applied, as the client does: the hint is gone and the hover shows the accession.
    let range: Value = edits[0]["range"].clone();
    client
        .notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": 2 },
                "contentChanges": [{ "range": range, "text": "HEK293T" }],
            }),
        )
        .await;
    let after = client.diagnostics(&uri, 2).await;
    // (The random fixture model may tag other words as cell lines: only the fixed place counts.)
    assert!(
        after
            .iter()
            .all(|diagnostic| diagnostic["code"] != "unknown-cell-line"
                || diagnostic["range"]["start"] != hint["range"]["start"]),
        "{after:#?}"
    );
    let fixed = hover_text(&mut client, &uri, "HEK239T").await;
    assert!(fixed.contains("CVCL_0063"), "{fixed}");
    client.shutdown().await;
}
