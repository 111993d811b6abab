use scitag::prose::Language;

use super::MARKDOWN_URI;
use super::expected;
use super::harness::{ClientOptions, TestClient, Token, fixture};

/// Replaces `old` (its first occurrence) in `text`, returning the new text, the LSP range of the
/// replaced part in the old text, and the byte offset of the change.
fn replace(text: &str, old: &str, new: &str) -> (String, (u32, u32), (u32, u32), usize) {
    let start = text.find(old).expect("text to replace");
    let start_position = expected::position(text, start, "utf-16");
    let end_position = expected::position(text, start + old.len(), "utf-16");
    (
        text.replacen(old, new, 1),
        start_position,
        end_position,
        start,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_in_one_paragraph_reruns_only_that_paragraph() {
    let mut client = TestClient::start(ClientOptions::default()).await;
    let text = fixture("manuscript.md");
    client.open(MARKDOWN_URI, "markdown", &text).await;
    client.diagnostics(MARKDOWN_URI, 1).await;
    let before = client.tokens(MARKDOWN_URI).await;
    let status = client.status().await;
    assert_eq!(
        status["lastAnalysis"]["cacheMisses"],
        status["lastAnalysis"]["paragraphs"]
    );

    let (edited, start, end, offset) = replace(&text, "c-fos mRNA", "c-jun and c-myc mRNA");
    client
        .change(MARKDOWN_URI, 2, &[(start, end, "c-jun and c-myc mRNA")])
        .await;
    client.diagnostics(MARKDOWN_URI, 2).await;
    let status = client.status().await;
    let last = &status["lastAnalysis"];
    assert_eq!(last["cacheMisses"], 1, "{status:#}");
    assert_eq!(
        last["cacheHits"].as_u64().unwrap() + 1,
        last["paragraphs"].as_u64().unwrap()
    );
    let sentences = expected::sentences_of_paragraph_at(&edited, Language::Markdown, offset);
    assert_eq!(last["sentencesInferred"], sentences);

    // The edited line's tokens follow the model; every other line's tokens are unchanged.
    let after = client.tokens(MARKDOWN_URI).await;
    let edited_line = start.0;
    let others = |tokens: &[Token]| {
        tokens
            .iter()
            .copied()
            .filter(|token| token.line != edited_line)
            .collect::<Vec<_>>()
    };
    assert_eq!(others(&after), others(&before));
    assert_eq!(
        after,
        expected::markdown_tokens(&edited, "utf-16", &client.legend())
    );
    client.shutdown().await;
}

/// A keystroke in a paragraph of 300 sentences re-runs the model on the one sentence it changed
/// (the sentence cache under the paragraph cache), and what the server shows is still exactly what
/// tagging the whole text gives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keystroke_in_a_long_paragraph_reruns_only_its_sentence() {
    let mut client = TestClient::start(ClientOptions::default()).await;
    let sentences: Vec<String> = (0..300)
        .map(|index| {
            format!("Sentence {index} says the IL-{index} receptor binds STAT{index} in T cells.")
        })
        .collect();
    let text = format!("# Results\n\n{}\n", sentences.join(" "));
    client.open(MARKDOWN_URI, "markdown", &text).await;
    client.wait_complete(MARKDOWN_URI, 1).await;
    client.ignore_diagnostics_of(MARKDOWN_URI);
    let first = client.status().await;
    assert!(
        first["lastAnalysis"]["sentencesInferred"].as_u64() >= Some(300),
        "{first:#}"
    );

    // One keystroke inside sentence 150: `IL-150` becomes `IL-1500`.
    let (edited, start, end, _) = replace(&text, "IL-150 ", "IL-1500 ");
    client
        .change(MARKDOWN_URI, 2, &[(start, end, "IL-1500 ")])
        .await;
    client.wait_complete(MARKDOWN_URI, 2).await;
    let status = client.status().await;
    let last = &status["lastAnalysis"];
    assert_eq!(last["cacheMisses"], 1, "the edited paragraph: {status:#}");
    assert_eq!(
        last["sentencesInferred"], 1,
        "only the edited sentence: {status:#}"
    );
    assert_eq!(
        client.tokens(MARKDOWN_URI).await,
        expected::markdown_tokens(&edited, "utf-16", &client.legend())
    );

    // Splitting a sentence in two re-runs both halves, nothing else.
    let (split, start, end, _) = replace(&edited, " says the IL-1500", ". It says the IL-1500");
    client
        .change(MARKDOWN_URI, 3, &[(start, end, ". It says the IL-1500")])
        .await;
    client.wait_complete(MARKDOWN_URI, 3).await;
    let status = client.status().await;
    assert_eq!(status["lastAnalysis"]["sentencesInferred"], 2, "{status:#}");
    assert_eq!(
        client.tokens(MARKDOWN_URI).await,
        expected::markdown_tokens(&split, "utf-16", &client.legend())
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whitespace_between_paragraphs_reruns_nothing() {
    let mut client = TestClient::start(ClientOptions::default()).await;
    let text = fixture("manuscript.md");
    client.open(MARKDOWN_URI, "markdown", &text).await;
    client.diagnostics(MARKDOWN_URI, 1).await;
    let before = client.tokens(MARKDOWN_URI).await;
    let analyses = client.status().await["analyses"].as_u64().unwrap();

    // Two more blank lines after the heading.
    client
        .change(MARKDOWN_URI, 2, &[((1, 0), (1, 0), "\n  \n")])
        .await;
    client.diagnostics(MARKDOWN_URI, 2).await;
    let status = client.status().await;
    assert_eq!(
        status["analyses"].as_u64().unwrap(),
        analyses + 1,
        "{status:#}"
    );
    assert_eq!(status["lastAnalysis"]["cacheMisses"], 0, "{status:#}");
    assert_eq!(status["lastAnalysis"]["sentencesInferred"], 0, "{status:#}");
    let after = client.tokens(MARKDOWN_URI).await;
    let shifted: Vec<Token> = before
        .iter()
        .map(|token| Token {
            line: if token.line >= 1 {
                token.line + 2
            } else {
                token.line
            },
            ..*token
        })
        .collect();
    assert_eq!(after, shifted);
    client.shutdown().await;
}

/// A small deterministic generator, so the edits are varied but the test is repeatable.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % bound.max(1)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_rapid_edits_end_with_tokens_for_the_final_text() {
    let mut client = TestClient::start(ClientOptions::default()).await;
    let mut text = fixture("manuscript.md");
    client.open(MARKDOWN_URI, "markdown", &text).await;
    client.diagnostics(MARKDOWN_URI, 1).await;
    let mut random = Lcg(42);
    let insertions = [
        " IL-4",
        "x",
        " the TNF-alpha gene",
        "é",
        "\n",
        "🧬",
        " in B cells.",
    ];
    for version in 2..=51 {
        let boundaries: Vec<usize> = text
            .char_indices()
            .map(|(offset, _)| offset)
            .chain([text.len()])
            .collect();
        let start = boundaries[random.next(boundaries.len())];
        let end = if random.next(3) == 0 {
            let later: Vec<usize> = boundaries
                .iter()
                .copied()
                .filter(|&offset| offset >= start && offset <= start + 12)
                .collect();
            later[random.next(later.len())]
        } else {
            start
        };
        let insertion = insertions[random.next(insertions.len())];
        let range = (
            expected::position(&text, start, "utf-16"),
            expected::position(&text, end, "utf-16"),
        );
        text.replace_range(start..end, insertion);
        client
            .change(MARKDOWN_URI, version, &[(range.0, range.1, insertion)])
            .await;
    }
    client.diagnostics(MARKDOWN_URI, 51).await;
    let tokens = client.tokens(MARKDOWN_URI).await;
    assert_eq!(
        tokens,
        expected::markdown_tokens(&text, "utf-16", &client.legend())
    );
    client.shutdown().await;
}
