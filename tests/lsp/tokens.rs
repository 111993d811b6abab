use scitag::features::DEFAULT_CONFIDENCE_THRESHOLD;
use scitag::prose::Language;
use serde_json::{Value, json};

use super::expected;
use super::harness::{ClientOptions, TestClient, decode_tokens, fixture};
use super::{LATEX_URI, MARKDOWN_URI};

async fn check_tokens(uri: &str, language_id: &str, language: Language, text: &str) {
    let mut client = TestClient::start(ClientOptions::default()).await;
    client.open(uri, language_id, text).await;
    client.diagnostics(uri, 1).await;
    let tokens = client.tokens(uri).await;
    let entities = expected::entities(text, language);
    assert!(
        entities.len() >= 5,
        "the fixture model finds entities in the fixture: {entities:?}"
    );
    let wanted = expected::tokens(
        text,
        &entities,
        "utf-16",
        DEFAULT_CONFIDENCE_THRESHOLD,
        &client.legend(),
    );
    assert_eq!(tokens, wanted);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markdown_tokens_sit_on_the_entities_the_model_finds() {
    let text = fixture("manuscript.md");
    check_tokens(MARKDOWN_URI, "markdown", Language::Markdown, &text).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latex_tokens_sit_on_the_entities_the_model_finds() {
    let text = fixture("manuscript.tex");
    check_tokens(LATEX_URI, "latex", Language::Latex, &text).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_tokens_in_code_math_or_latex_commands() {
    let mut client = TestClient::start(ClientOptions::default()).await;
    let text = "Use `IL2 STAT3 p53` here.\n\n```\nNF-kB TNF IL-6\n```\n\n$$ IL-2 + p53 $$\n";
    client.open(MARKDOWN_URI, "markdown", text).await;
    client.diagnostics(MARKDOWN_URI, 1).await;
    for token in client.tokens(MARKDOWN_URI).await {
        assert_eq!(token.line, 0, "a token outside prose: {token:?}");
        assert!(
            token.start < 4 || token.start >= 19,
            "a token inside inline code: {token:?}"
        );
    }
    let latex = "\\section{Intro}\n\\cite{p53IL2} \\label{fig:STAT3} and the % p53 comment\n\\begin{equation}\nIL-2 + p53\n\\end{equation}\n";
    client.open(LATEX_URI, "latex", latex).await;
    client.diagnostics(LATEX_URI, 1).await;
    for token in client.tokens(LATEX_URI).await {
        let line = latex.lines().nth(token.line as usize).unwrap();
        let covered = &line[token.start as usize..(token.start + token.length) as usize];
        assert!(token.line < 2, "a token in an equation: {token:?}");
        assert!(
            !covered.contains(['\\', '{', '}', '%']),
            "a token on markup: {covered:?}"
        );
        assert!(
            !(token.line == 1 && token.start as usize >= line.find('%').unwrap()),
            "a token in a comment"
        );
    }
    client.shutdown().await;
}

/// Applies delta edits to the previous token data.
fn apply_edits(mut data: Vec<Value>, edits: &[Value]) -> Vec<Value> {
    let mut edits = edits.to_vec();
    edits.sort_by_key(|edit| std::cmp::Reverse(edit["start"].as_u64()));
    for edit in edits {
        let start = edit["start"].as_u64().unwrap() as usize;
        let delete = edit["deleteCount"].as_u64().unwrap() as usize;
        let inserted = edit["data"].as_array().cloned().unwrap_or_default();
        data.splice(start..start + delete, inserted);
    }
    data
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delta_after_an_edit_equals_the_full_tokens() {
    let mut client = TestClient::start(ClientOptions::default()).await;
    let text = fixture("manuscript.md");
    client.open(MARKDOWN_URI, "markdown", &text).await;
    client.diagnostics(MARKDOWN_URI, 1).await;
    let first = client
        .request_ok(
            "textDocument/semanticTokens/full",
            json!({ "textDocument": { "uri": MARKDOWN_URI } }),
        )
        .await;
    // Rewrite the third paragraph.
    let line = text
        .lines()
        .position(|line| line.starts_with("We measured"))
        .unwrap() as u32;
    client
        .change(
            MARKDOWN_URI,
            2,
            &[(
                (line, 0),
                (line, 11),
                "In Jurkat and HeLa cells we measured",
            )],
        )
        .await;
    client.diagnostics(MARKDOWN_URI, 2).await;
    let delta = client
        .request_ok(
            "textDocument/semanticTokens/full/delta",
            json!({ "textDocument": { "uri": MARKDOWN_URI }, "previousResultId": first["resultId"] }),
        )
        .await;
    let edits = delta["edits"]
        .as_array()
        .expect("a delta, since the previous result id is known");
    assert_ne!(delta["resultId"], first["resultId"]);
    for edit in edits {
        assert_eq!(
            edit["start"].as_u64().unwrap() % 5,
            0,
            "delta edits count five u32s per token"
        );
    }
    let patched = apply_edits(first["data"].as_array().unwrap().clone(), edits);
    let full = client
        .request_ok(
            "textDocument/semanticTokens/full",
            json!({ "textDocument": { "uri": MARKDOWN_URI } }),
        )
        .await;
    assert_eq!(patched, *full["data"].as_array().unwrap());
    // An unknown previous result id gets full tokens.
    let fallback = client
        .request_ok(
            "textDocument/semanticTokens/full/delta",
            json!({ "textDocument": { "uri": MARKDOWN_URI }, "previousResultId": "nope" }),
        )
        .await;
    assert_eq!(fallback["data"], full["data"]);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn range_requests_return_the_tokens_of_the_range() {
    let mut client = TestClient::start(ClientOptions::default()).await;
    let text = fixture("manuscript.md");
    client.open(MARKDOWN_URI, "markdown", &text).await;
    client.diagnostics(MARKDOWN_URI, 1).await;
    let all = client.tokens(MARKDOWN_URI).await;
    let result = client
        .request_ok(
            "textDocument/semanticTokens/range",
            json!({
                "textDocument": { "uri": MARKDOWN_URI },
                "range": { "start": { "line": 2, "character": 0 }, "end": { "line": 4, "character": 0 } },
            }),
        )
        .await;
    let in_range = decode_tokens(result["data"].as_array().unwrap());
    let wanted: Vec<_> = all
        .into_iter()
        .filter(|token| (2..4).contains(&token.line))
        .collect();
    assert!(!wanted.is_empty());
    assert_eq!(in_range, wanted);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_is_asked_to_refresh_tokens_after_each_retag() {
    let options = ClientOptions {
        refresh_support: true,
        ..ClientOptions::default()
    };
    let mut client = TestClient::start(options).await;
    client
        .open(
            MARKDOWN_URI,
            "markdown",
            "The IL-2 receptor binds STAT5 in T cells.\n",
        )
        .await;
    client.diagnostics(MARKDOWN_URI, 1).await;
    let (id, _) = client
        .server_request("workspace/semanticTokens/refresh")
        .await;
    client.respond(id, Value::Null).await;
    client
        .change(MARKDOWN_URI, 2, &[((0, 0), (0, 3), "A")])
        .await;
    client.diagnostics(MARKDOWN_URI, 2).await;
    let (id, _) = client
        .server_request("workspace/semanticTokens/refresh")
        .await;
    client.respond(id, Value::Null).await;
    client.shutdown().await;
}
