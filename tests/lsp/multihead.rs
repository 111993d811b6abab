//! A model with several heads through the server: the chemical, disease and species token types in
//! the legend, on the words the engine finds, and hidden by `enabledClasses`.

use scitag::features::DEFAULT_CONFIDENCE_THRESHOLD;
use scitag::prose::Language;
use serde_json::json;

use super::MARKDOWN_URI;
use super::expected;
use super::harness::{
    ClientOptions, TestClient, Token, fixture, multihead_model, test_cache_directory, tiny_model,
};

const NEW_CLASSES: [&str; 3] = ["chemical", "disease", "species"];

fn settings(enabled: Option<&[&str]>) -> serde_json::Value {
    let mut settings = json!({
        "modelPath": multihead_model(),
        "debounceMs": 20,
        "index": { "cacheDirectory": test_cache_directory() },
    });
    if let Some(enabled) = enabled {
        settings["enabledClasses"] = json!(enabled);
    }
    settings
}

/// The document's tokens once they equal `wanted` (settings apply asynchronously), or after 5 s.
async fn tokens_once_settled(client: &mut TestClient, wanted: &[Token]) -> Vec<Token> {
    let mut tokens = Vec::new();
    for _ in 0..100 {
        tokens = client.tokens(MARKDOWN_URI).await;
        if tokens == wanted {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokens
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chemicals_diseases_and_species_are_tokens_that_enabled_classes_hides() {
    let options = ClientOptions {
        initialization_options: settings(None),
        ..ClientOptions::default()
    };
    let mut client = TestClient::start(options).await;
    let legend = client.legend();
    assert_eq!(
        legend,
        [
            "protein", "dna", "rna", "cellType", "cellLine", "chemical", "disease", "species"
        ]
    );
    let text = fixture("manuscript.md");
    client.open(MARKDOWN_URI, "markdown", &text).await;
    client.diagnostics(MARKDOWN_URI, 1).await;
    let entities = expected::multihead_entities(&text, Language::Markdown);
    for class in NEW_CLASSES {
        assert!(
            entities.iter().any(|entity| entity.label == class),
            "the fixture's heads find no {class} in the manuscript"
        );
    }
    let all = expected::tokens(
        &text,
        &entities,
        "utf-16",
        DEFAULT_CONFIDENCE_THRESHOLD,
        &legend,
    );
    assert_eq!(client.tokens(MARKDOWN_URI).await, all);

    // Only the new classes: every JNLPBA token goes, the others stay where they were.
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": { "scitag": settings(Some(&NEW_CLASSES)) } }),
        )
        .await;
    client.diagnostics(MARKDOWN_URI, 1).await;
    let new_types: Vec<u32> = (5..8).collect();
    let wanted: Vec<Token> = all
        .iter()
        .copied()
        .filter(|token| new_types.contains(&token.token_type))
        .collect();
    assert!(!wanted.is_empty() && wanted.len() < all.len());
    assert_eq!(tokens_once_settled(&mut client, &wanted).await, wanted);

    // And hidden again: the JNLPBA classes only.
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": { "scitag": settings(Some(&["protein", "dna", "rna", "cellType", "cellLine"])) } }),
        )
        .await;
    client.diagnostics(MARKDOWN_URI, 1).await;
    let wanted: Vec<Token> = all
        .iter()
        .copied()
        .filter(|token| !new_types.contains(&token.token_type))
        .collect();
    assert_eq!(tokens_once_settled(&mut client, &wanted).await, wanted);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn model_paths_run_several_models_together_and_a_broken_entry_is_reported() {
    // tiny-model (the five JNLPBA classes) and the multi-head fixture, in that order.
    let options = ClientOptions {
        initialization_options: json!({
            "modelPaths": [tiny_model(), multihead_model()],
            "debounceMs": 20,
            "index": { "cacheDirectory": test_cache_directory() },
        }),
        ..ClientOptions::default()
    };
    let mut client = TestClient::start(options).await;
    let legend = client.legend();
    assert_eq!(
        legend,
        [
            "protein", "dna", "rna", "cellType", "cellLine", "chemical", "disease", "species"
        ]
    );
    let text = fixture("manuscript.md");
    client.open(MARKDOWN_URI, "markdown", &text).await;
    client.diagnostics(MARKDOWN_URI, 1).await;
    let merged = expected::model_set_entities(&text, Language::Markdown);
    let first = expected::entities(&text, Language::Markdown);
    assert!(
        merged
            .iter()
            .any(|entity| NEW_CLASSES.contains(&entity.label.as_str())),
        "the second model's classes should show"
    );
    assert_ne!(
        merged, first,
        "the second model should change what the first finds alone"
    );
    let wanted = expected::tokens(
        &text,
        &merged,
        "utf-16",
        DEFAULT_CONFIDENCE_THRESHOLD,
        &legend,
    );
    assert_eq!(client.tokens(MARKDOWN_URI).await, wanted);
    let status = client.request_ok("scitag/status", json!({})).await;
    assert_eq!(
        status["model"]["name"],
        json!("tiny-model + tiny-multihead"),
        "{status}"
    );

    // A missing second model: the user is told which, and the server keeps serving.
    client.ignore_diagnostics_of(MARKDOWN_URI);
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": { "scitag": {
                "modelPaths": [tiny_model(), "/nonexistent/second-model"],
                "debounceMs": 20,
                "index": { "cacheDirectory": test_cache_directory() },
            } } }),
        )
        .await;
    let message = client.notification("window/showMessage").await;
    assert!(
        message["message"]
            .as_str()
            .is_some_and(|text| text.contains("/nonexistent/second-model")),
        "{message}"
    );
    let status = client.request_ok("scitag/status", json!({})).await;
    assert_eq!(status["model"]["state"], json!("failed"), "{status}");
    client.shutdown().await;
}
