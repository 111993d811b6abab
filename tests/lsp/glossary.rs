//! The project glossary over the real protocol: code actions return plain `WorkspaceEdit`s of
//! `scitag.toml`; once the client applied one and the file changed, every mention follows, and the
//! model runs on nothing.

use std::path::Path;

use serde_json::{Value, json};

use super::harness::{ClientOptions, TestClient, Token, fixture};

/// The text a token covers (the fixture is ASCII on the token lines, so UTF-16 = bytes).
fn token_text<'a>(text: &'a str, token: &Token) -> &'a str {
    let line = text.lines().nth(token.line as usize).expect("token line");
    &line[token.start as usize..(token.start + token.length) as usize]
}

fn file_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// Applies a `WorkspaceEdit` of one file the way a client does: `CreateFile` (if any), then the
/// text edit, which replaces the whole file or inserts into the new one.
fn apply_edit(edit: &Value, path: &Path) {
    let operations = edit["documentChanges"].as_array().expect("documentChanges");
    let mut current = std::fs::read_to_string(path).ok();
    for operation in operations {
        if operation["kind"] == "create" {
            assert_eq!(operation["uri"], file_uri(path));
            assert!(current.is_none(), "create only for a missing file");
            current = Some(String::new());
            continue;
        }
        assert_eq!(operation["textDocument"]["uri"], file_uri(path));
        let edits = operation["edits"].as_array().expect("edits");
        assert_eq!(edits.len(), 1, "one edit of the whole file");
        let old = current.clone().expect("the file exists or was created");
        let range = &edits[0]["range"];
        assert_eq!(range["start"], json!({"line": 0, "character": 0}));
        let lines = old.split('\n').count() as u64 - 1;
        let last = old
            .rsplit('\n')
            .next()
            .unwrap_or_default()
            .encode_utf16()
            .count() as u64;
        assert_eq!(
            range["end"],
            json!({"line": lines, "character": last}),
            "the whole file"
        );
        current = Some(edits[0]["newText"].as_str().expect("newText").to_owned());
    }
    std::fs::write(path, current.expect("an edit")).expect("write scitag.toml");
}

async fn code_actions(client: &mut TestClient, uri: &str, range: Value) -> Vec<Value> {
    client
        .request_ok(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": uri }, "range": range, "context": { "diagnostics": [] } }),
        )
        .await
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn token_range(token: &Token) -> Value {
    json!({
        "start": { "line": token.line, "character": token.start },
        "end": { "line": token.line, "character": token.start + token.length },
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn glossary_code_actions_reapply_everywhere_without_running_the_model() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().canonicalize().expect("canonical");
    let paper = root.join("manuscript.md");
    let glossary = root.join("scitag.toml");
    let text = fixture("manuscript.md");
    std::fs::write(&paper, &text).expect("write the manuscript");
    let uri = file_uri(&paper);
    let mut client = TestClient::start(ClientOptions {
        root_uri: Some(file_uri(&root)),
        workspace_edit: true,
        watch_files: true,
        ..ClientOptions::default()
    })
    .await;
    let (id, registration) = client.server_request("client/registerCapability").await;
    assert_eq!(
        registration["registrations"][0]["method"],
        "workspace/didChangeWatchedFiles"
    );
    client.respond(id, Value::Null).await;
    client.open(&uri, "markdown", &text).await;
    client.diagnostics(&uri, 1).await;
    let before = client.tokens(&uri).await;
    assert!(!before.is_empty(), "the fixture model finds entities");
    let inferred = client.status().await["sentencesInferred"].clone();

    // 1. "Ignore «term» in this project" on the first mention: a new scitag.toml.
    let first = before[0];
    let term = token_text(&text, &first).to_owned();
    let actions = code_actions(&mut client, &uri, token_range(&first)).await;
    let ignore = actions
        .iter()
        .find(|action| action["title"] == format!("Ignore «{term}» in this project"))
        .unwrap_or_else(|| panic!("an ignore action for {term:?} in {actions:#?}"));
    assert_eq!(ignore["kind"], "quickfix");
    assert!(
        actions.iter().any(|action| action["title"]
            .as_str()
            .unwrap()
            .starts_with(&format!("Always tag «{term}» as "))),
        "{actions:#?}"
    );
    assert!(!glossary.exists(), "a code action writes nothing itself");
    apply_edit(&ignore["edit"], &glossary);
    assert!(
        std::fs::read_to_string(&glossary)
            .unwrap()
            .contains(&format!("ignore = [\"{term}\"]"))
    );
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": file_uri(&glossary), "type": 1 }] }),
        )
        .await;
    client.diagnostics(&uri, 1).await;
    let after = client.tokens(&uri).await;
    assert!(
        after.iter().all(|token| token_text(&text, token) != term),
        "no mention of {term:?} is highlighted any more"
    );
    let mentions = before
        .iter()
        .filter(|token| token_text(&text, token) == term)
        .count();
    assert_eq!(after.len(), before.len() - mentions);
    assert_eq!(
        client.status().await["sentencesInferred"],
        inferred,
        "the glossary re-applies from the cache: the model runs on nothing"
    );

    // 2. A selection that is no entity: "Tag «word» as cell line", everywhere it occurs.
    let word = "Jurkat";
    let line = text
        .lines()
        .position(|line| line.contains(word))
        .expect("a line with the word");
    let column = text.lines().nth(line).unwrap().find(word).unwrap() as u32;
    let selection = json!({
        "start": { "line": line, "character": column },
        "end": { "line": line, "character": column + word.len() as u32 },
    });
    let actions = code_actions(&mut client, &uri, selection).await;
    let tag = actions
        .iter()
        .find(|action| {
            action["title"] == format!("Tag «{word}» as cell line")
                || action["title"] == format!("Always tag «{word}» as cell line")
        })
        .unwrap_or_else(|| panic!("tag {word:?} as cell line in {actions:#?}"));
    apply_edit(&tag["edit"], &glossary);
    let written = std::fs::read_to_string(&glossary).unwrap();
    assert!(
        written.contains(&format!("ignore = [\"{term}\"]")),
        "the first edit stays: {written}"
    );
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": file_uri(&glossary), "type": 2 }] }),
        )
        .await;
    client.diagnostics(&uri, 1).await;
    let tagged = client.tokens(&uri).await;
    let cell_line = client
        .legend()
        .iter()
        .position(|name| name == "cellLine")
        .expect("cellLine in the legend") as u32;
    let occurrences = text
        .match_indices(word)
        .filter(|(at, _)| {
            let before = text[..*at].chars().next_back();
            let after = text[at + word.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
        .count();
    let found = tagged
        .iter()
        .filter(|token| token_text(&text, token) == word && token.token_type == cell_line)
        .count();
    assert!(occurrences > 0);
    assert_eq!(
        found, occurrences,
        "every whole-word {word:?} is a cell line"
    );
    assert_eq!(client.status().await["sentencesInferred"], inferred);

    // 3. A broken glossary: one message naming the line; the last good glossary stays.
    std::fs::write(&glossary, format!("{written}\nignore = 3\n")).unwrap();
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": file_uri(&glossary), "type": 2 }] }),
        )
        .await;
    let message = client.notification("window/showMessage").await;
    let shown = message["message"].as_str().unwrap();
    assert!(
        shown.contains("scitag.toml") && shown.contains("line "),
        "{shown}"
    );
    assert_eq!(message["type"], 1, "an error");
    client.diagnostics(&uri, 1).await;
    assert_eq!(
        client.tokens(&uri).await,
        tagged,
        "the last good glossary is in force"
    );
    client.shutdown().await;
}

/// `[settings]` in `scitag.toml` replace the defaults for the project's documents: here a threshold
/// of 1 makes every model mention low-confidence and `classes` shows proteins only. A threshold the
/// user set in the editor wins over the project's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn project_settings_apply_unless_the_editor_sets_its_own() {
    use scitag::prose::Language;

    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().canonicalize().expect("canonical");
    let paper = root.join("manuscript.md");
    let text = fixture("manuscript.md");
    std::fs::write(&paper, &text).unwrap();
    std::fs::write(
        root.join("scitag.toml"),
        "[settings]\nthreshold = 1.0\nclasses = [\"protein\"]\n",
    )
    .unwrap();
    let uri = file_uri(&paper);
    let entities = super::expected::entities(&text, Language::Markdown);
    let proteins = entities.iter().filter(|e| e.label == "protein").count();
    assert!(proteins > 0 && proteins < entities.len());

    let mut client = TestClient::start(ClientOptions {
        root_uri: Some(file_uri(&root)),
        ..ClientOptions::default()
    })
    .await;
    client.open(&uri, "markdown", &text).await;
    let low = client.low_confidence(&uri, 1).await;
    assert_eq!(
        low.len(),
        proteins,
        "every shown mention is below a threshold of 1"
    );
    let tokens = client.tokens(&uri).await;
    let protein = client.legend().iter().position(|t| t == "protein").unwrap() as u32;
    // (a mention across a line break is one token per line for this client)
    assert!(
        tokens.len() >= proteins,
        "{} tokens for {proteins} proteins",
        tokens.len()
    );
    assert!(
        tokens
            .iter()
            .all(|t| t.token_type == protein && t.modifiers == 1)
    );
    client.shutdown().await;

    let mut options = ClientOptions {
        root_uri: Some(file_uri(&root)),
        ..ClientOptions::default()
    };
    options.initialization_options["confidenceThreshold"] = json!(0.0);
    let mut client = TestClient::start(options).await;
    let protein = client.legend().iter().position(|t| t == "protein").unwrap() as u32;
    client.open(&uri, "markdown", &text).await;
    assert!(
        client.low_confidence(&uri, 1).await.is_empty(),
        "the editor's threshold of 0 wins"
    );
    let tokens = client.tokens(&uri).await;
    assert!(
        tokens
            .iter()
            .all(|t| t.token_type == protein && t.modifiers == 0),
        "the project's classes still apply, and nothing is low-confidence"
    );
    client.shutdown().await;
}
