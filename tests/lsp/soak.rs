//! The soak test: a long run of random edits — emoji, CJK, combining marks, CRLF, pasted blocks of
//! 100 KB, deletions across paragraphs — in both position encodings, with semantic-token requests
//! interleaved and not awaited in order. At the end every request has been answered, and the tokens
//! equal those of a fresh server opened on the final text (and the direct pipeline's).
//!
//! CI runs the short form (`SOAK_EDITS`, default 400 edits per encoding); the long form is
//! `SOAK_EDITS=10000 cargo test --release --test lsp soak -- --nocapture`, whose last numbers are in
//! docs/SERVER.md ("Soak").

use std::time::Instant;

use serde_json::json;

use super::expected;
use super::harness::{ClientOptions, TestClient};

const URI: &str = "file:///soak/paper.md";

/// A small deterministic generator (splitmix64), so a failing run can be replayed from its seed.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound.max(1) as u64) as usize
    }
}

const PIECES: [&str; 16] = [
    " IL-2",
    "x",
    " the TNF-alpha gene",
    "é",
    "e\u{301}", // e + combining acute
    "🧬",
    "👩‍🔬",     // a ZWJ sequence
    "蛋白质", // CJK
    "\r\n",
    "\n\n",
    "\r",
    " in B cells.",
    " $x^2$ ",
    "**bold** ",
    "\n- a list item with CD4\n",
    "\t",
];

/// A pasted block of about 100 KB: paragraphs of prose with entities, Markdown and math.
fn pasted_block(random: &mut Random) -> String {
    let sentences = [
        "Activated T cells secrete interleukin-2 and express the IL-2 receptor alpha chain.",
        "The glucocorticoid receptor binds to the promoter of the c-fos gene in HeLa cells.",
        "NF-kappa B translocates to the nucleus after stimulation with $\\alpha$-CD3.",
        "Levels of c-myc mRNA rose in peripheral blood monocytes 🧬 within 30 minutes.",
        "Jurkat cells were transfected with a luciferase reporter (see [@ref2019]).",
    ];
    let mut block = String::with_capacity(101_000);
    while block.len() < 100_000 {
        for _ in 0..(1 + random.below(6)) {
            block.push_str(sentences[random.below(sentences.len())]);
            block.push(' ');
        }
        block.push_str(if random.below(4) == 0 {
            "\r\n\r\n"
        } else {
            "\n\n"
        });
    }
    block
}

/// Char boundaries of `text` (and its end), never between a `\r` and its `\n`.
fn boundaries(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    text.char_indices()
        .map(|(offset, _)| offset)
        .chain([text.len()])
        .filter(|&offset| {
            !(offset > 0 && bytes[offset - 1] == b'\r' && bytes.get(offset) == Some(&b'\n'))
        })
        .collect()
}

async fn soak(encoding: &'static str, edits: usize, seed: u64) {
    let options = ClientOptions {
        position_encodings: vec![encoding],
        ..ClientOptions::default()
    };
    let mut client = TestClient::start(options.clone()).await;
    assert_eq!(client.position_encoding(), encoding);
    let mut text = super::harness::fixture("manuscript.md");
    client.open(URI, "markdown", &text).await;
    client.diagnostics(URI, 1).await;
    let mut random = Random(seed);
    let started = Instant::now();
    let mut pending = Vec::new();
    let (mut pastes, mut cross_paragraph, mut pauses) = (0, 0, 0);
    for version in 2..(edits as i32 + 2) {
        let offsets = boundaries(&text);
        let start = offsets[random.below(offsets.len())];
        let roll = random.below(100);
        let (end, insertion) = if roll < 2 {
            pastes += 1;
            (start, pasted_block(&mut random))
        } else if roll < 10 || text.len() > 400_000 {
            // A deletion that may cross paragraphs (bigger when the text has grown large).
            let reach = if text.len() > 400_000 { 150_000 } else { 3_000 };
            let later: Vec<usize> = offsets
                .iter()
                .copied()
                .filter(|&offset| offset >= start && offset <= start + reach)
                .collect();
            let end = later[random.below(later.len())];
            if text[start..end].contains("\n\n") {
                cross_paragraph += 1;
            }
            (end, String::new())
        } else if roll < 30 {
            let later: Vec<usize> = offsets
                .iter()
                .copied()
                .filter(|&offset| offset >= start && offset <= start + 16)
                .collect();
            (
                later[random.below(later.len())],
                PIECES[random.below(PIECES.len())].to_owned(),
            )
        } else {
            (start, PIECES[random.below(PIECES.len())].to_owned())
        };
        let range = (
            expected::position(&text, start, encoding),
            expected::position(&text, end, encoding),
        );
        text.replace_range(start..end, &insertion);
        client
            .change(URI, version, &[(range.0, range.1, insertion.as_str())])
            .await;
        if random.below(50) == 0 {
            // A pause: the server catches up, and what it shows is what the pipeline finds.
            client.diagnostics(URI, i64::from(version)).await;
            let shown = client.tokens(URI).await;
            let direct = expected::markdown_tokens(&text, encoding, &client.legend());
            assert_same(
                &shown,
                &direct,
                &text,
                "the server",
                "the direct pipeline",
                seed,
            );
            pauses += 1;
        }
        if random.below(10) == 0 {
            // A token request in flight while the edits go on; its answer is collected later.
            pending.push(
                client
                    .send_request(
                        "textDocument/semanticTokens/full",
                        json!({ "textDocument": { "uri": URI } }),
                    )
                    .await,
            );
        }
    }
    let last = edits as i64 + 1;
    let answered = pending.len();
    for id in pending {
        let response = client.response(id).await;
        assert!(response.get("error").is_none(), "{response:#}");
        assert!(response["result"]["data"].is_array(), "{response:#}");
    }
    client.diagnostics(URI, last).await;
    let tokens = client.tokens(URI).await;
    let elapsed = started.elapsed();

    let mut fresh = TestClient::start(options).await;
    fresh.open(URI, "markdown", &text).await;
    // A long text publishes partial results before the complete one: wait for that, and read the
    // tokens rather than the publishes.
    fresh.ignore_diagnostics_of(URI);
    fresh.wait_complete(URI, 1).await;
    let fresh_tokens = fresh.tokens(URI).await;
    let direct = expected::markdown_tokens(&text, encoding, &client.legend());
    assert_same(
        &fresh_tokens,
        &direct,
        &text,
        "a fresh server",
        "the direct pipeline",
        seed,
    );
    assert_same(
        &tokens,
        &fresh_tokens,
        &text,
        "the edited server",
        "a fresh one",
        seed,
    );
    eprintln!(
        "soak {encoding}: {edits} edits ({pastes} pastes of 100 KB, {cross_paragraph} deletions across \
         paragraphs), {pauses} pauses checked against the pipeline, {answered} token requests in flight answered, final text {} KB, {} tokens, in {:.1} s \
         ({:.0} edits/s)",
        text.len() / 1000,
        tokens.len(),
        elapsed.as_secs_f64(),
        edits as f64 / elapsed.as_secs_f64()
    );
    fresh.shutdown().await;
    client.shutdown().await;
}

/// Fails with the first token that differs and the line it is on, not two walls of tokens.
fn assert_same(
    got: &[super::harness::Token],
    want: &[super::harness::Token],
    text: &str,
    got_name: &str,
    want_name: &str,
    seed: u64,
) {
    if got == want {
        return;
    }
    let at = got
        .iter()
        .zip(want)
        .position(|(a, b)| a != b)
        .unwrap_or(got.len().min(want.len()));
    let line = got.get(at).or(want.get(at)).map_or(0, |token| token.line) as usize;
    let lines = expected::lines(text);
    let context: Vec<&str> = lines
        .iter()
        .skip(line.saturating_sub(1))
        .take(3)
        .map(|(start, end)| &text[*start..*end])
        .collect();
    panic!(
        "{got_name} and {want_name} disagree (seed {seed}): {} vs {} tokens; first difference at #{at}: \
         {:?} vs {:?}; lines {}..: {context:#?}",
        got.len(),
        want.len(),
        got.get(at),
        want.get(at),
        line.saturating_sub(1)
    );
}

fn edits() -> usize {
    std::env::var("SOAK_EDITS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(400)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_utf16_random_edits_end_where_a_fresh_server_starts() {
    soak("utf-16", edits(), 0x005C_17A6_0001).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_utf8_random_edits_end_where_a_fresh_server_starts() {
    soak("utf-8", edits(), 0x005C_17A6_0002).await;
}
