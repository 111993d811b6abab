use serde_json::{Value, json};

use super::MARKDOWN_URI;
use super::harness::{ClientOptions, TestClient, fixture, tiny_model};

const ERROR: i64 = 1;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_settings_give_one_message_naming_them_and_the_rest_applies() {
    let mut client = TestClient::start(ClientOptions::default()).await;
    client
        .open(MARKDOWN_URI, "markdown", &fixture("manuscript.md"))
        .await;
    assert!(!client.low_confidence(MARKDOWN_URI, 1).await.is_empty());
    let settings = json!({ "scitag": {
        "modelPath": tiny_model(), "debounceMs": "fast", "decode": "beam", "diagnosticSeverity": "off",
    }});
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": settings }),
        )
        .await;
    let message = client.notification("window/showMessage").await;
    assert_eq!(message["type"], ERROR);
    let text = message["message"].as_str().unwrap();
    assert!(
        text.contains("scitag.debounceMs") && text.contains("scitag.decode"),
        "{text}"
    );
    assert!(
        !text.contains("diagnosticSeverity"),
        "valid settings are not reported: {text}"
    );
    // The valid part applied: diagnostics are off.
    assert_eq!(
        client.low_confidence(MARKDOWN_URI, 1).await,
        Vec::<Value>::new()
    );
    assert_eq!(client.status().await["model"]["state"], "ready");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_initialization_options_are_reported_once_initialized() {
    let options = ClientOptions {
        initialization_options: json!({ "modelPath": tiny_model(), "confidenceThreshold": "high" }),
        ..ClientOptions::default()
    };
    let mut client = TestClient::start(options).await;
    let message = client.notification("window/showMessage").await;
    assert!(
        message["message"]
            .as_str()
            .unwrap()
            .contains("scitag.confidenceThreshold"),
        "{message}"
    );
    client.status().await;
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_model_the_server_answers_everything_and_picks_the_model_up_later() {
    let options = ClientOptions {
        initialization_options: json!({ "modelPath": "/nonexistent/scitag-model", "debounceMs": 20 }),
        ..ClientOptions::default()
    };
    let mut client = TestClient::start(options).await;
    let message = client.notification("window/showMessage").await;
    assert_eq!(message["type"], ERROR);
    let text = message["message"].as_str().unwrap();
    assert!(
        text.contains("/nonexistent/scitag-model") && text.contains("scitag.modelPath"),
        "{text}"
    );

    let manuscript = fixture("manuscript.md");
    client.open(MARKDOWN_URI, "markdown", &manuscript).await;
    assert_eq!(
        client.low_confidence(MARKDOWN_URI, 1).await,
        Vec::<Value>::new()
    );
    assert!(client.tokens(MARKDOWN_URI).await.is_empty());
    assert_eq!(client.hover(MARKDOWN_URI, 2, 6).await, Value::Null);
    let status = client.status().await;
    assert_eq!(status["model"]["state"], "failed");
    assert!(
        status["model"]["error"]
            .as_str()
            .unwrap()
            .contains("/nonexistent/scitag-model")
    );

    // Fixing the setting loads the model without a restart.
    let settings = json!({ "scitag": { "modelPath": tiny_model(), "debounceMs": 20 } });
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": settings }),
        )
        .await;
    assert!(!client.low_confidence(MARKDOWN_URI, 1).await.is_empty());
    assert!(!client.tokens(MARKDOWN_URI).await.is_empty());
    assert_eq!(client.status().await["model"]["state"], "ready");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_are_pulled_with_workspace_configuration() {
    let options = ClientOptions {
        configuration_pull: true,
        initialization_options: Value::Null,
        ..ClientOptions::default()
    };
    let mut client = TestClient::start(options).await;
    let (id, params) = client.server_request("workspace/configuration").await;
    assert_eq!(params["items"][0]["section"], "scitag");
    client
        .respond(
            id,
            json!([{ "modelPath": tiny_model(), "debounceMs": 20, "confidenceThreshold": 1.0 }]),
        )
        .await;
    client
        .open(MARKDOWN_URI, "markdown", &fixture("manuscript.md"))
        .await;
    let everything = client.low_confidence(MARKDOWN_URI, 1).await;
    assert!(!everything.is_empty());

    // The notification's payload is ignored in favour of a pull.
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": null }),
        )
        .await;
    let (id, _) = client.server_request("workspace/configuration").await;
    client
        .respond(
            id,
            json!([{ "modelPath": tiny_model(), "debounceMs": 20, "confidenceThreshold": 0.0 }]),
        )
        .await;
    assert_eq!(
        client.low_confidence(MARKDOWN_URI, 1).await,
        Vec::<Value>::new()
    );
    client.shutdown().await;
}

/// Consumes one `$/progress` report (create, begin, reports, end) and returns its title.
async fn progress(client: &mut TestClient) -> String {
    let (id, params) = client
        .server_request("window/workDoneProgress/create")
        .await;
    let token = params["token"].clone();
    client.respond(id, Value::Null).await;
    let mut title = None;
    loop {
        let message = client
            .next_matching(|message| {
                message["method"] == "$/progress" && message["params"]["token"] == token
            })
            .await;
        let value = &message["params"]["value"];
        match value["kind"].as_str() {
            Some("begin") => title = value["title"].as_str().map(str::to_owned),
            Some("report") => assert!(title.is_some(), "report before begin"),
            Some("end") => return title.expect("begin before end"),
            other => panic!("unexpected progress kind {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_while_the_model_loads_and_a_large_document_is_first_tagged() {
    let options = ClientOptions {
        work_done_progress: true,
        ..ClientOptions::default()
    };
    let mut client = TestClient::start(options).await;
    let title = progress(&mut client).await;
    assert!(title.contains("loading the model"), "{title}");
    let large: String = (0..30)
        .map(|index| {
            format!("Paragraph {index}: the IL-{index} receptor binds STAT{index} in T cells.\n\n")
        })
        .collect();
    client.open(MARKDOWN_URI, "markdown", &large).await;
    let title = progress(&mut client).await;
    assert!(title.contains("tagging manuscript.md"), "{title}");
    // The first paragraphs show before the last one is tagged: a partial result first (the first
    // batch of 8 paragraphs, lines 0-15), then the whole document.
    let last_line = |diagnostics: &[serde_json::Value]| {
        diagnostics
            .iter()
            .filter_map(|diagnostic| diagnostic["range"]["start"]["line"].as_u64())
            .max()
    };
    let partial = client.low_confidence(MARKDOWN_URI, 1).await;
    assert!(!partial.is_empty());
    assert!(last_line(&partial) < Some(16), "{partial:#?}");
    let complete = client.low_confidence(MARKDOWN_URI, 1).await;
    assert!(
        last_line(&complete) > last_line(&partial).max(Some(15)),
        "the complete result reaches past the first batch: {complete:#?}"
    );
    let status = client.status().await;
    assert_eq!(status["documents"][0]["complete"], true, "{status:#}");
    client.shutdown().await;
}
