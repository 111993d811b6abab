use scitag::prose::Language;
use serde_json::Value;

use super::MARKDOWN_URI;
use super::expected;
use super::harness::{ClientOptions, TestClient, fixture};

fn display(label: &str) -> String {
    label.replace('_', " ")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_on_an_entity_shows_class_score_runner_ups_and_model() {
    let mut client = TestClient::start(ClientOptions::default()).await;
    let text = fixture("manuscript.md");
    client.open(MARKDOWN_URI, "markdown", &text).await;
    client.diagnostics(MARKDOWN_URI, 1).await;
    let model_name = client.status().await["model"]["name"]
        .as_str()
        .expect("a loaded model")
        .to_owned();
    let entities = expected::entities(&text, Language::Markdown);
    for entity in entities.iter().take(6) {
        // Hover on the last character of the mention.
        let last = text[..entity.range.end].char_indices().last().unwrap().0;
        let (line, character) = expected::position(&text, last, "utf-16");
        let hover = client.hover(MARKDOWN_URI, line, character).await;
        assert_eq!(hover["contents"]["kind"], "markdown");
        let markdown = hover["contents"]["value"].as_str().unwrap();
        let heading = format!(
            "**{}** · {:.1}%",
            display(&entity.label),
            entity.score * 100.0
        );
        assert!(
            markdown.starts_with(&heading),
            "{markdown:?} should start with {heading:?}"
        );
        if let Some(runner_up) = &entity.runner_up {
            let runner_up = if runner_up == "O" {
                "no entity".to_owned()
            } else {
                display(runner_up)
            };
            assert!(
                markdown.contains(&format!("Runner-up classes:\n- {runner_up} · ")),
                "{markdown:?}"
            );
        }
        assert!(
            markdown.ends_with(&format!("Model: `{model_name}`")),
            "{markdown:?}"
        );
        let (start_line, start_character) = expected::position(&text, entity.range.start, "utf-16");
        let (end_line, end_character) = expected::position(&text, entity.range.end, "utf-16");
        assert_eq!(hover["range"]["start"]["line"], start_line);
        assert_eq!(hover["range"]["start"]["character"], start_character);
        assert_eq!(hover["range"]["end"]["line"], end_line);
        assert_eq!(hover["range"]["end"]["character"], end_character);
    }
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_hover_outside_entities() {
    let mut client = TestClient::start(ClientOptions::default()).await;
    let text = fixture("manuscript.md");
    client.open(MARKDOWN_URI, "markdown", &text).await;
    client.diagnostics(MARKDOWN_URI, 1).await;
    let entities = expected::entities(&text, Language::Markdown);
    let outside: Vec<usize> = text
        .char_indices()
        .map(|(offset, _)| offset)
        .filter(|offset| !entities.iter().any(|entity| entity.range.contains(offset)))
        .step_by(7)
        .take(20)
        .collect();
    assert!(!outside.is_empty());
    for offset in outside {
        let (line, character) = expected::position(&text, offset, "utf-16");
        assert_eq!(
            client.hover(MARKDOWN_URI, line, character).await,
            Value::Null,
            "hover at byte {offset}"
        );
    }
    client.shutdown().await;
}
