use std::process::Stdio;

use serde_json::json;

use super::MARKDOWN_URI;
use super::harness::{ClientOptions, exits_cleanly, spawn_over_stdio, tiny_model};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_serves_over_stdio_and_keeps_stdout_for_the_protocol() {
    // Every byte on stdout must parse as a framed message, or the client fails.
    let (mut child, mut client) = spawn_over_stdio(
        tokio::process::Command::new(env!("CARGO_BIN_EXE_scitag"))
            .args(["lsp", "--stdio", "--model"])
            .arg(tiny_model())
            .env("SCITAG_LOG", "debug")
            .stderr(Stdio::null()),
    );
    client
        .initialize(&ClientOptions {
            initialization_options: json!({ "debounceMs": 20 }),
            ..ClientOptions::default()
        })
        .await;
    client
        .open(
            MARKDOWN_URI,
            "markdown",
            "The glucocorticoid receptor binds the IL-2 promoter in T cells.\n",
        )
        .await;
    client.diagnostics(MARKDOWN_URI, 1).await;
    assert!(!client.tokens(MARKDOWN_URI).await.is_empty());
    assert_eq!(client.status().await["model"]["state"], "ready");
    client.shutdown().await;
    exits_cleanly(&mut child).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_onnx_runtime_the_server_says_how_to_fix_it_and_recovers_when_the_setting_is_fixed()
{
    let ort_lib = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".ort/lib");
    let (mut child, mut client) = spawn_over_stdio(
        tokio::process::Command::new(env!("CARGO_BIN_EXE_scitag"))
            .args(["lsp", "--ort-lib", "/nonexistent/libonnxruntime.so"])
            .env_remove("ORT_DYLIB_PATH")
            .stderr(Stdio::null()),
    );
    let settings = json!({ "modelPath": tiny_model(), "debounceMs": 20 });
    client
        .initialize(&ClientOptions {
            initialization_options: settings,
            ..ClientOptions::default()
        })
        .await;
    let message = client.notification("window/showMessage").await;
    let text = message["message"].as_str().unwrap();
    assert!(
        text.contains("ONNX Runtime") && text.contains("scitag.ortLibPath"),
        "{text}"
    );
    client
        .open(
            MARKDOWN_URI,
            "markdown",
            "The glucocorticoid receptor binds the IL-2 promoter.\n",
        )
        .await;
    client.diagnostics(MARKDOWN_URI, 1).await;
    assert!(client.tokens(MARKDOWN_URI).await.is_empty());

    let settings =
        json!({ "scitag": { "modelPath": tiny_model(), "ortLibPath": ort_lib, "debounceMs": 20 } });
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": settings }),
        )
        .await;
    client.diagnostics(MARKDOWN_URI, 1).await;
    assert_eq!(client.status().await["model"]["state"], "ready");
    assert!(!client.tokens(MARKDOWN_URI).await.is_empty());
    client.shutdown().await;
    exits_cleanly(&mut child).await;
}
