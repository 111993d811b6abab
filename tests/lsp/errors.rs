use serde_json::json;

use super::MARKDOWN_URI;
use super::harness::{ClientOptions, TestClient};

const INVALID_PARAMS: i64 = -32602;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_documents_and_positions_past_the_end_are_errors_and_the_server_keeps_serving() {
    let mut client = TestClient::start(ClientOptions::default()).await;
    let unknown = "file:///nowhere/unknown.md";
    let error = client
        .request_error(
            "textDocument/hover",
            json!({ "textDocument": { "uri": unknown }, "position": { "line": 0, "character": 0 } }),
        )
        .await;
    assert_eq!(error["code"], INVALID_PARAMS);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("unknown document"),
        "{error}"
    );
    let error = client
        .request_error(
            "textDocument/semanticTokens/full",
            json!({ "textDocument": { "uri": unknown } }),
        )
        .await;
    assert_eq!(error["code"], INVALID_PARAMS);

    client
        .open(
            MARKDOWN_URI,
            "markdown",
            "The IL-2 receptor.\nSecond line.\n",
        )
        .await;
    client.diagnostics(MARKDOWN_URI, 1).await;
    let error = client
        .request_error(
            "textDocument/hover",
            json!({ "textDocument": { "uri": MARKDOWN_URI }, "position": { "line": 99, "character": 0 } }),
        )
        .await;
    assert_eq!(error["code"], INVALID_PARAMS);
    assert!(
        error["message"].as_str().unwrap().contains("line 99"),
        "{error}"
    );
    let error = client
        .request_error(
            "textDocument/semanticTokens/range",
            json!({
                "textDocument": { "uri": MARKDOWN_URI },
                "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 40, "character": 0 } },
            }),
        )
        .await;
    assert_eq!(error["code"], INVALID_PARAMS);
    // A column past the end of a line is clamped, as the protocol says: no error.
    client.hover(MARKDOWN_URI, 1, 500).await;

    // A change to a document that is not open, and a change past the end, are logged.
    client.change(unknown, 2, &[((0, 0), (0, 0), "x")]).await;
    let log = client.notification("window/logMessage").await;
    assert!(
        log["message"].as_str().unwrap().contains("not open"),
        "{log}"
    );
    client
        .change(
            MARKDOWN_URI,
            2,
            &[((0, 0), (0, 0), "A "), ((30, 0), (31, 0), "lost")],
        )
        .await;
    let log = client.notification("window/logMessage").await;
    assert!(
        log["message"].as_str().unwrap().contains("line 30"),
        "{log}"
    );
    client.diagnostics(MARKDOWN_URI, 2).await;

    // The server still serves.
    let status = client.status().await;
    assert_eq!(status["openDocuments"], 1);
    assert_eq!(status["documents"][0]["version"], 2);
    client
        .change(MARKDOWN_URI, 3, &[((0, 0), (0, 2), "")])
        .await;
    client.diagnostics(MARKDOWN_URI, 3).await;
    client.tokens(MARKDOWN_URI).await;
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_methods_are_answered() {
    let mut client = TestClient::start(ClientOptions::default()).await;
    let error = client
        .request_error(
            "textDocument/definition",
            json!({
                "textDocument": { "uri": MARKDOWN_URI }, "position": { "line": 0, "character": 0 },
            }),
        )
        .await;
    assert!(error["code"].is_i64());
    client.shutdown().await;
}
