use scitag::features::DEFAULT_CONFIDENCE_THRESHOLD;
use scitag::prose::Language;

use super::MARKDOWN_URI;
use super::expected;
use super::harness::{ClientOptions, TestClient, fixture};

/// Emoji (two UTF-16 units, four bytes), CJK (one unit, three bytes), a combining accent and CRLF
/// line ends, in the negotiated encoding.
async fn check(encodings: Vec<&'static str>, encoding: &str) {
    let mut client = TestClient::start(ClientOptions {
        position_encodings: encodings,
        ..ClientOptions::default()
    })
    .await;
    assert_eq!(client.position_encoding(), encoding);
    let text = fixture("unicode.md").replace('\n', "\r\n");
    client.open(MARKDOWN_URI, "markdown", &text).await;
    client.diagnostics(MARKDOWN_URI, 1).await;
    let entities = expected::entities(&text, Language::Markdown);
    assert!(entities.len() >= 3, "{entities:?}");
    let legend = client.legend();
    let wanted = expected::tokens(
        &text,
        &entities,
        encoding,
        DEFAULT_CONFIDENCE_THRESHOLD,
        &legend,
    );
    assert_eq!(client.tokens(MARKDOWN_URI).await, wanted);

    // Insert text after the emoji and the CJK characters, addressed in the negotiated encoding.
    let offset = text.find("p53").unwrap();
    let (line, character) = expected::position(&text, offset, encoding);
    client
        .change(
            MARKDOWN_URI,
            2,
            &[((line, character), (line, character), "é🧪 ")],
        )
        .await;
    let mut edited = text.clone();
    edited.insert_str(offset, "é🧪 ");
    // And replace the combining accent's word on the same line.
    let offset = edited.find("cafe\u{301}").unwrap();
    let start = expected::position(&edited, offset, encoding);
    let end = expected::position(&edited, offset + "cafe\u{301}".len(), encoding);
    client
        .change(MARKDOWN_URI, 3, &[(start, end, "naïve")])
        .await;
    edited.replace_range(offset..offset + "cafe\u{301}".len(), "naïve");
    client.diagnostics(MARKDOWN_URI, 3).await;
    let entities = expected::entities(&edited, Language::Markdown);
    let wanted = expected::tokens(
        &edited,
        &entities,
        encoding,
        DEFAULT_CONFIDENCE_THRESHOLD,
        &legend,
    );
    assert_eq!(client.tokens(MARKDOWN_URI).await, wanted);

    // Hover on an entity after the emoji lands on it.
    let entity = entities
        .iter()
        .find(|entity| entity.range.start > edited.find("🧪").unwrap())
        .expect("an entity after the emoji");
    let (line, character) = expected::position(&edited, entity.range.start, encoding);
    let hover = client.hover(MARKDOWN_URI, line, character).await;
    assert_eq!(hover["range"]["start"]["character"], character);
    let (_, end_character) = expected::position(&edited, entity.range.end, encoding);
    assert_eq!(hover["range"]["end"]["character"], end_character);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unicode_and_crlf_in_utf16() {
    check(vec!["utf-16"], "utf-16").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unicode_and_crlf_in_utf8() {
    check(vec!["utf-8", "utf-16"], "utf-8").await;
}
