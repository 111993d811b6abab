use scitag::features::DEFAULT_CONFIDENCE_THRESHOLD;
use scitag::prose::Language;
use serde_json::{Value, json};

use super::MARKDOWN_URI;
use super::expected;
use super::harness::{ClientOptions, TestClient, fixture, tiny_model};

fn range_of(text: &str, range: &std::ops::Range<usize>) -> Value {
    let (start_line, start_character) = expected::position(text, range.start, "utf-16");
    let (end_line, end_character) = expected::position(text, range.end, "utf-16");
    json!({
        "start": { "line": start_line, "character": start_character },
        "end": { "line": end_line, "character": end_character },
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn low_confidence_mentions_get_a_diagnostic_naming_class_score_and_runner_up() {
    let mut client = TestClient::start(ClientOptions::default()).await;
    let text = fixture("manuscript.md");
    client.open(MARKDOWN_URI, "markdown", &text).await;
    let diagnostics = client.low_confidence(MARKDOWN_URI, 1).await;
    let low: Vec<_> = expected::entities(&text, Language::Markdown)
        .into_iter()
        .filter(|entity| entity.score < DEFAULT_CONFIDENCE_THRESHOLD)
        .collect();
    assert!(!low.is_empty(), "the fixture has low-confidence mentions");
    assert_eq!(diagnostics.len(), low.len(), "{diagnostics:#?}");
    for (diagnostic, entity) in diagnostics.iter().zip(&low) {
        assert_eq!(diagnostic["source"], "scitag");
        assert_eq!(diagnostic["code"], "low-confidence");
        assert_eq!(diagnostic["severity"], 3, "information by default");
        assert_eq!(diagnostic["range"], range_of(&text, &entity.range));
        let message = diagnostic["message"].as_str().unwrap();
        let class = entity.label.replace('_', " ");
        let score = format!("{:.1}%", entity.score * 100.0);
        assert!(
            message.contains(&class) && message.contains(&score),
            "{message:?} names {class} and {score}"
        );
        if let Some(runner_up) = &entity.runner_up {
            let runner_up = if runner_up == "O" {
                "no entity".to_owned()
            } else {
                runner_up.replace('_', " ")
            };
            assert!(
                message.contains(&format!("runner-up: {runner_up}")),
                "{message:?}"
            );
        }
    }
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn threshold_and_severity_settings_apply_without_reopening() {
    let mut client = TestClient::start(ClientOptions::default()).await;
    let text = fixture("manuscript.md");
    client.open(MARKDOWN_URI, "markdown", &text).await;
    client.low_confidence(MARKDOWN_URI, 1).await;
    let all = expected::entities(&text, Language::Markdown);
    let settings = json!({ "scitag": {
        "modelPath": tiny_model(), "debounceMs": 20, "confidenceThreshold": 1.0, "diagnosticSeverity": "warning",
    }});
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": settings }),
        )
        .await;
    let diagnostics = client.low_confidence(MARKDOWN_URI, 1).await;
    assert_eq!(
        diagnostics.len(),
        all.iter().filter(|entity| entity.score < 1.0).count()
    );
    assert!(
        diagnostics
            .iter()
            .all(|diagnostic| diagnostic["severity"] == 2)
    );
    // Every token is now low-confidence.
    assert!(
        client
            .tokens(MARKDOWN_URI)
            .await
            .iter()
            .all(|token| token.modifiers == 1)
    );
    let settings = json!({ "scitag": { "modelPath": tiny_model(), "diagnosticSeverity": "off" } });
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": settings }),
        )
        .await;
    assert_eq!(
        client.low_confidence(MARKDOWN_URI, 1).await,
        Vec::<Value>::new()
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_a_document_clears_its_diagnostics() {
    let mut client = TestClient::start(ClientOptions::default()).await;
    let text = fixture("manuscript.md");
    client.open(MARKDOWN_URI, "markdown", &text).await;
    assert!(!client.low_confidence(MARKDOWN_URI, 1).await.is_empty());
    client.close(MARKDOWN_URI).await;
    let cleared = client.notification("textDocument/publishDiagnostics").await;
    assert_eq!(cleared["uri"], MARKDOWN_URI);
    assert_eq!(cleared["diagnostics"], json!([]));
    assert_eq!(client.status().await["openDocuments"], 0);
    client.shutdown().await;
}

/// The consistency hints: the same term with two classes, or tagged in one place and not in
/// another. The server publishes exactly what the library finds on the direct run's entities, each
/// with its other places as related locations, and the quick fix pins the usual class.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consistency_hints_name_the_other_places_and_offer_to_pin_the_class() {
    use scitag::analysis::consistency::untagged_mentions;
    use scitag::analysis::suppress::suppressed_ranges;
    use scitag::features::{Severity, consistency};
    use scitag::prose::{ExtractOptions, extract};

    let text = fixture("manuscript.md");
    let expected_entities = super::expected::tagger_entities(&text, Language::Markdown);
    let paragraphs = extract(&text, Language::Markdown, &ExtractOptions::default()).paragraphs;
    let suppressed = suppressed_ranges(&text, Language::Markdown);
    let untagged = untagged_mentions(&suppressed, &paragraphs, &expected_entities, None);
    let findings = consistency(&expected_entities, &untagged, Some(Severity::Hint));
    assert!(
        findings.iter().any(|finding| !finding.related.is_empty()),
        "the random fixture model is inconsistent: {findings:#?}"
    );

    let mut client = TestClient::start(ClientOptions {
        workspace_edit: true,
        ..ClientOptions::default()
    })
    .await;
    client.open(MARKDOWN_URI, "markdown", &text).await;
    let published: Vec<Value> = client
        .diagnostics(MARKDOWN_URI, 1)
        .await
        .into_iter()
        // The linking hints (tests/lsp/link.rs) are not consistency findings.
        .filter(|diagnostic| {
            diagnostic["code"] != "low-confidence"
                && !scitag::features::LINK_CODES
                    .contains(&diagnostic["code"].as_str().unwrap_or_default())
        })
        .collect();
    assert_eq!(published.len(), findings.len(), "{published:#?}");
    for (diagnostic, finding) in published.iter().zip(&findings) {
        assert_eq!(diagnostic["code"], finding.code);
        assert_eq!(diagnostic["severity"], 4, "a hint by default");
        assert_eq!(diagnostic["range"], range_of(&text, &finding.range));
        assert_eq!(diagnostic["message"], finding.message.as_str());
        let related = diagnostic["relatedInformation"]
            .as_array()
            .expect("related");
        assert_eq!(related.len(), finding.related.len());
        for (location, range) in related.iter().zip(&finding.related) {
            assert_eq!(location["location"]["uri"], MARKDOWN_URI);
            assert_eq!(location["location"]["range"], range_of(&text, range));
        }
        assert_eq!(diagnostic["data"]["class"], finding.class.as_str());
    }
    // the quick fix of the first hint, with the hint in the context
    let first = &published[0];
    let actions = client
        .request_ok(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": MARKDOWN_URI },
                "range": first["range"],
                "context": { "diagnostics": [first] },
            }),
        )
        .await;
    // no workspace folder: the glossary would be created next to the document
    let first_action = &actions[0];
    let term = first["data"]["term"].as_str().unwrap();
    let class = first["data"]["class"].as_str().unwrap().replace('_', " ");
    assert_eq!(
        first_action["title"],
        format!("Always tag «{term}» as {class}"),
        "{actions:#}"
    );
    assert_eq!(first_action["isPreferred"], true);
    assert_eq!(first_action["diagnostics"][0]["code"], first["code"]);
    let operations = first_action["edit"]["documentChanges"].as_array().unwrap();
    assert_eq!(operations[0]["kind"], "create");
    assert_eq!(operations[0]["uri"], "file:///work/paper/scitag.toml");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keystroke_that_leaves_the_diagnostics_as_they_were_publishes_nothing() {
    let mut client = TestClient::start(ClientOptions::default()).await;
    let text = fixture("manuscript.md");
    client.open(MARKDOWN_URI, "markdown", &text).await;
    let first = client.diagnostics(MARKDOWN_URI, 1).await;
    assert!(!first.is_empty(), "the fixture has diagnostics");
    let last_line = u32::try_from(text.lines().count() - 1).unwrap();
    let end = u32::try_from(text.lines().last().unwrap().encode_utf16().count()).unwrap();
    // A space after the last sentence: the same entities, the same diagnostics.
    client
        .change(
            MARKDOWN_URI,
            2,
            &[((last_line, end), (last_line, end), " ")],
        )
        .await;
    assert_eq!(client.diagnostics(MARKDOWN_URI, 2).await, first);
    let status = client.status().await;
    let document = &status["documents"][0];
    assert_eq!(document["diagnosticsVersion"], 2, "{status:#}");
    assert_eq!(document["diagnosticsSentVersion"], 1, "{status:#}");
    assert_eq!(
        client.pending_publishes(MARKDOWN_URI),
        0,
        "nothing was sent"
    );
    // A line inserted at the top moves every diagnostic: published, one line down.
    client
        .change(MARKDOWN_URI, 3, &[((0, 0), (0, 0), "\n")])
        .await;
    let moved = client.diagnostics(MARKDOWN_URI, 3).await;
    assert_eq!(moved.len(), first.len());
    for (after, before) in moved.iter().zip(&first) {
        assert_eq!(
            after["range"]["start"]["line"].as_u64(),
            before["range"]["start"]["line"]
                .as_u64()
                .map(|line| line + 1)
        );
        assert_eq!(after["message"], before["message"]);
    }
    let status = client.status().await;
    assert_eq!(status["documents"][0]["diagnosticsSentVersion"], 3);
    client.shutdown().await;
}
