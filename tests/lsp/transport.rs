//! The transport survives bad input: every malformed frame is answered (`-32700`, `-32600`) or
//! logged and skipped, and the next request is still answered. Only the end of the input or
//! `exit` ends the server.

use std::process::Stdio;

use serde_json::{Value, json};
use tokio::io::AsyncReadExt;

use super::MARKDOWN_URI;
use super::harness::{ClientOptions, TestClient, exits_cleanly, spawn_over_stdio, tiny_model};

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;

fn frame(body: &[u8]) -> Vec<u8> {
    let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    framed.extend_from_slice(body);
    framed
}

/// A `scitag/status` request with `id`, as bytes.
fn status_request(id: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({ "jsonrpc": "2.0", "id": id, "method": "scitag/status" })).unwrap()
}

/// The server still answers a request after the bad input.
async fn still_serves(client: &mut TestClient) {
    let status = client.status().await;
    assert_eq!(status["version"], env!("CARGO_PKG_VERSION"), "{status:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_is_not_json_gets_a_parse_error_and_the_server_keeps_serving() {
    let mut client = TestClient::start(ClientOptions::default()).await;
    for body in [
        &br#"{"jsonrpc": "2.0", "id": 1, "method": "#[..],
        b"not json at all",
        b"\xff\xfe\x00garbage",
        br#"{"jsonrpc":"2.0","id":2,"method":"scitag/status"} trailing"#,
        b"",
    ] {
        client.write_bytes(&frame(body)).await;
        let response = client.null_id_response().await;
        assert_eq!(
            response["error"]["code"],
            PARSE_ERROR,
            "{:?}: {response:#}",
            String::from_utf8_lossy(body)
        );
        still_serves(&mut client).await;
    }
    // The documents still work, not only the status.
    client
        .open(MARKDOWN_URI, "markdown", "The IL-2 receptor binds.\n")
        .await;
    client.diagnostics(MARKDOWN_URI, 1).await;
    client.tokens(MARKDOWN_URI).await;
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_that_is_not_json_rpc_gets_invalid_request_with_its_id() {
    let mut client = TestClient::start(ClientOptions::default()).await;
    let with_ids = [
        json!({ "jsonrpc": "2.0", "id": "method-42", "method": 42 }),
        json!({ "jsonrpc": "2.0", "id": "params-5", "method": "scitag/status", "params": 5 }),
        json!({ "jsonrpc": "1.0", "id": "old", "method": "scitag/status" }),
        json!({ "id": "no-version", "method": "scitag/status" }),
        json!({ "jsonrpc": "2.0", "id": "neither" }),
    ];
    for message in with_ids {
        let response = client.exchange(message.clone()).await;
        assert_eq!(
            response["error"]["code"], INVALID_REQUEST,
            "{message}: {response:#}"
        );
        still_serves(&mut client).await;
    }
    for message in [
        json!({ "jsonrpc": "2.0", "method": 42 }),
        json!({ "jsonrpc": "2.0", "id": 1.5, "method": "scitag/status" }),
        json!({ "jsonrpc": "2.0", "id": { "an": "object" }, "method": "scitag/status" }),
        json!([{ "jsonrpc": "2.0", "id": "batch", "method": "scitag/status" }]),
        json!("a string"),
    ] {
        client
            .write_bytes(&frame(&serde_json::to_vec(&message).unwrap()))
            .await;
        let response = client.null_id_response().await;
        assert_eq!(
            response["error"]["code"], INVALID_REQUEST,
            "{message}: {response:#}"
        );
        still_serves(&mut client).await;
    }
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn header_blocks_without_a_usable_content_length_are_skipped_to_the_next_header() {
    let mut client = TestClient::start(ClientOptions::default()).await;
    let body = status_request("lost");
    let length = body.len();
    // None of these frames can be read: their requests are never answered (shutdown fails if
    // an answer to "lost" is left unread), and the next request is.
    let headers = [
        "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n".to_owned(),
        "X-Nothing: here\r\n\r\n".to_owned(),
        "Content-Length: -5\r\n\r\n".to_owned(),
        "Content-Length: \r\n\r\n".to_owned(),
        "Content-Length: twelve\r\n\r\n".to_owned(),
        "Content-Length: 99999999999999999999999999\r\n\r\n".to_owned(),
        // Huge but a number: over the 64 MiB limit, so it is not waited for.
        "Content-Length: 1000000000000\r\n\r\n".to_owned(),
        format!(
            "Content-Length: {length}\r\nContent-Length: {}\r\n\r\n",
            length + 1
        ),
    ];
    for header in headers {
        let mut bad = header.into_bytes();
        bad.extend_from_slice(&body);
        client.write_bytes(&bad).await;
        still_serves(&mut client).await;
    }
    // Leading blank lines, a lower-case name and more headers than tower-lsp's own reader takes
    // are fine.
    let body = status_request("lenient");
    let mut lenient = format!(
        "\r\n\r\ncontent-length: {}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\nX-Client: test\r\n\r\n",
        body.len()
    )
    .into_bytes();
    lenient.extend_from_slice(&body);
    client.write_bytes(&lenient).await;
    let response = client
        .next_matching(|message| message["id"] == "lenient")
        .await;
    assert!(response["result"]["version"].is_string(), "{response:#}");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_content_length_that_does_not_match_the_body_costs_only_that_message() {
    let mut client = TestClient::start(ClientOptions::default()).await;
    // Shorter than the body: the truncated body is a parse error, the rest of it is skipped.
    let body = status_request("truncated");
    let mut truncated = format!("Content-Length: {}\r\n\r\n", body.len() / 2).into_bytes();
    truncated.extend_from_slice(&body);
    client.write_bytes(&truncated).await;
    let response = client.null_id_response().await;
    assert_eq!(response["error"]["code"], PARSE_ERROR, "{response:#}");
    still_serves(&mut client).await;

    // Longer than the body: the frame swallows the start of the next message (a parse error),
    // that message is lost, and the one after it is answered.
    let body = status_request("overlong");
    let mut overlong = format!("Content-Length: {}\r\n\r\n", body.len() + 30).into_bytes();
    overlong.extend_from_slice(&body);
    overlong.extend_from_slice(&frame(&status_request("swallowed")));
    client.write_bytes(&overlong).await;
    let response = client.null_id_response().await;
    assert_eq!(response["error"]["code"], PARSE_ERROR, "{response:#}");
    still_serves(&mut client).await;
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_without_parameters_accept_empty_null_or_absent_params() {
    let mut client = TestClient::start(ClientOptions::default()).await;
    for (index, params) in [Some(json!({})), Some(json!([])), Some(Value::Null), None]
        .into_iter()
        .enumerate()
    {
        let mut message =
            json!({ "jsonrpc": "2.0", "id": format!("status-{index}"), "method": "scitag/status" });
        if let Some(params) = &params {
            message["params"] = params.clone();
        }
        let response = client.exchange(message).await;
        assert!(
            response.get("error").is_none() && response["result"]["version"].is_string(),
            "params {params:?}: {response:#}"
        );
    }
    // `shutdown` and `exit` too, here with `[]` and `{}`.
    let response = client
        .exchange(json!({ "jsonrpc": "2.0", "id": "bye", "method": "shutdown", "params": [] }))
        .await;
    assert!(response.get("error").is_none(), "{response:#}");
    assert_eq!(response["result"], Value::Null);
    client
        .write_bytes(&frame(br#"{"jsonrpc":"2.0","method":"exit","params":{}}"#))
        .await;
    client.close_input().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_end_of_the_input_ends_the_server_even_inside_a_message() {
    let mut client = TestClient::start(ClientOptions::default()).await;
    client.write_bytes(&frame(b"{oops")).await;
    let response = client.null_id_response().await;
    assert_eq!(response["error"]["code"], PARSE_ERROR);
    still_serves(&mut client).await;
    client
        .write_bytes(b"Content-Length: 500\r\n\r\n{\"jsonrpc\"")
        .await;
    client.close_input().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_logs_skipped_headers_to_stderr_and_keeps_serving_over_stdio() {
    let (mut child, mut client) = spawn_over_stdio(
        tokio::process::Command::new(env!("CARGO_BIN_EXE_scitag"))
            .args(["lsp", "--stdio", "--model"])
            .arg(tiny_model())
            .env("SCITAG_LOG", "warn")
            .stderr(Stdio::piped()),
    );
    let mut stderr = child.stderr.take().unwrap();
    let stderr_text = tokio::spawn(async move {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text).await;
        text
    });
    client.initialize(&ClientOptions::default()).await;
    client.write_bytes(&frame(b"not json")).await;
    let response = client.null_id_response().await;
    assert_eq!(response["error"]["code"], PARSE_ERROR);
    let mut headerless = b"Content-Type: application/json\r\n\r\n".to_vec();
    headerless.extend_from_slice(&status_request("lost"));
    client.write_bytes(&headerless).await;
    client
        .write_bytes(&frame(br#"{"jsonrpc":"2.0","method":42}"#))
        .await;
    let response = client.null_id_response().await;
    assert_eq!(response["error"]["code"], INVALID_REQUEST);
    still_serves(&mut client).await;
    client.shutdown().await;
    exits_cleanly(&mut child).await;
    let logged = stderr_text.await.unwrap();
    assert!(
        logged.contains("without Content-Length"),
        "stderr: {logged}"
    );
    assert!(logged.contains("-32700"), "stderr: {logged}");
}
