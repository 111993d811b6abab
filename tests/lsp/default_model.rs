//! With the model built into the binary: known entities of JNLPBA-style text.

use scitag::ner::ModelSource;
use serde_json::json;

use super::MARKDOWN_URI;
use super::harness::{ClientOptions, TestClient};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_model_tags_known_entities() {
    if !ModelSource::embedded_available() {
        // The binary was built before models/biomed-minilm held a model; nothing to test yet.
        eprintln!("no built-in model in this build; skipping");
        return;
    }
    let options = ClientOptions {
        initialization_options: json!({ "debounceMs": 20 }),
        ..ClientOptions::default()
    };
    let mut client = TestClient::start(options).await;
    let text =
        "The glucocorticoid receptor binds the IL-2 gene in Jurkat cells and human monocytes.\n";
    client.open(MARKDOWN_URI, "markdown", text).await;
    client.diagnostics(MARKDOWN_URI, 1).await;
    let legend = client.legend();
    let tokens = client.tokens(MARKDOWN_URI).await;
    let class_at = |needle: &str| {
        let start = text.find(needle).unwrap() as u32;
        tokens
            .iter()
            .find(|token| token.start <= start && start < token.start + token.length)
            .map(|token| legend[token.token_type as usize].clone())
    };
    assert_eq!(
        class_at("glucocorticoid receptor").as_deref(),
        Some("protein"),
        "{tokens:?}"
    );
    assert_eq!(class_at("IL-2 gene").as_deref(), Some("dna"), "{tokens:?}");
    assert_eq!(
        class_at("Jurkat cells").as_deref(),
        Some("cellLine"),
        "{tokens:?}"
    );
    assert_eq!(
        class_at("monocytes").as_deref(),
        Some("cellType"),
        "{tokens:?}"
    );
    client.shutdown().await;
}
