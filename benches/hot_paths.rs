//! Criterion benches for the per-keystroke hot paths that `benches/prose.rs` does not cover:
//! word-piece tokenization, tagging one paragraph with the tiny fixture model (inference is tiny, so
//! this is dominated by tokenization, windowing and decoding; the three decoders are compared), the
//! built-in model on a 5-sentence paragraph (one keystroke's inference, 1 and 2 threads), and
//! semantic-token encoding of a 20k-word document (highlights → absolute UTF-16 tokens → delta
//! encoding → delta against the previous result).
//!
//! Text: `../shared/corpus/markdown/deep-review-study.md` when present, else a built-in paragraph.
//! The tagging benches are skipped (with a note on stderr) when ONNX Runtime cannot be loaded
//! (`scripts/setup-ort.sh`). Run: `cargo bench --bench hot_paths`.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ropey::Rope;
use scitag::analysis::SourceEntity;
use scitag::document::PositionEncoding;
use scitag::features::{FeatureSettings, highlights};
use scitag::ner::{
    Aggregation, Decode, DecodeOptions, ModelSource, TagInput, Tagger, TaggerOptions,
};
use scitag::prose::{ExtractOptions, Language, extract};
use scitag::server::semantic_tokens::{Legend, absolute_tokens, diff, encode};

const FALLBACK: &str = "Mouse thymus was used as a source of glucocorticoid receptor from normal CS \
lymphocytes. Interleukin-2 (IL-2) gene expression in activated T cells requires NF-kappa B and AP-1 \
binding to the IL-2 promoter. The Jurkat and HeLa cell lines were transfected with a reporter plasmid \
carrying the c-fos enhancer, and mRNA levels were measured by northern blot.";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn manuscript() -> String {
    let path = repo().join("../shared/corpus/markdown/deep-review-study.md");
    std::fs::read_to_string(path).unwrap_or_else(|_| {
        let mut text = String::new();
        for _ in 0..60 {
            text.push_str(FALLBACK);
            text.push_str("\n\n");
        }
        text
    })
}

/// The longest prose paragraph of the manuscript and its sentences.
fn paragraph(text: &str) -> (String, Vec<std::ops::Range<usize>>) {
    let extraction = extract(text, Language::Markdown, &ExtractOptions::default());
    extraction
        .paragraphs
        .into_iter()
        .max_by_key(|paragraph| paragraph.prose.len())
        .map(|paragraph| (paragraph.prose, paragraph.sentences))
        .unwrap_or_else(|| (FALLBACK.to_owned(), Vec::new()))
}

fn model_dir() -> PathBuf {
    let shipped = repo().join("models/biomed-minilm");
    if shipped.join("tokenizer.json").is_file() {
        shipped
    } else {
        repo().join("tests/fixtures/tiny-model")
    }
}

fn tokenization(c: &mut Criterion) {
    let text = manuscript();
    let (prose, _) = paragraph(&text);
    let path = model_dir().join("tokenizer.json");
    let Ok(tokenizer) = tokenizers::Tokenizer::from_file(&path) else {
        eprintln!(
            "hot_paths: cannot read {}; tokenization bench skipped",
            path.display()
        );
        return;
    };
    let mut group = c.benchmark_group("tokenize");
    group.throughput(Throughput::Bytes(prose.len() as u64));
    group.bench_function(
        BenchmarkId::new(
            "paragraph",
            format!("{}-words", prose.split_whitespace().count()),
        ),
        |b| {
            b.iter(|| {
                tokenizer
                    .encode(black_box(prose.as_str()), false)
                    .map(|encoding| encoding.len())
                    .unwrap_or(0)
            });
        },
    );
    group.finish();
}

fn tagging(c: &mut Criterion) {
    let directory = repo().join("tests/fixtures/tiny-model");
    let options = TaggerOptions {
        threads: 1,
        ..TaggerOptions::default()
    };
    let tagger = match Tagger::load(&ModelSource::Directory(directory), &options) {
        Ok(tagger) => tagger,
        Err(error) => {
            eprintln!("hot_paths: tiny model not loaded ({error}); tagging benches skipped");
            return;
        }
    };
    let text = manuscript();
    let (prose, sentences) = paragraph(&text);
    let inputs = [TagInput {
        text: &prose,
        sentences: &sentences,
    }];
    let mut group = c.benchmark_group("tag_paragraph_tiny_model");
    group.throughput(Throughput::Elements(prose.split_whitespace().count() as u64));
    for (name, decode, aggregation) in [
        ("pipeline-first", Decode::Pipeline, Aggregation::First),
        ("pipeline-simple", Decode::Pipeline, Aggregation::Simple),
        ("viterbi-first", Decode::Viterbi, Aggregation::First),
    ] {
        let decode_options = DecodeOptions {
            aggregation,
            decode,
        };
        group.bench_function(name, |b| {
            b.iter(|| {
                tagger
                    .tag(black_box(&inputs), &decode_options)
                    .map(|output| output.entities.len())
                    .unwrap_or(0)
            });
        });
    }
    group.finish();
}

/// The built-in model on one 5-sentence paragraph (the median paragraph of the benchmark
/// manuscript has 4-5 sentences): what a keystroke costs in inference, with 1 and 2 threads (2: two
/// single-threaded sessions, each running half of the sentences).
fn tagging_default_model(c: &mut Criterion) {
    let text = manuscript();
    let extraction = extract(&text, Language::Markdown, &ExtractOptions::default());
    let Some(paragraph) = extraction
        .paragraphs
        .iter()
        .find(|paragraph| paragraph.sentences.len() == 5)
    else {
        eprintln!("hot_paths: no 5-sentence paragraph; default-model bench skipped");
        return;
    };
    let inputs = [TagInput {
        text: &paragraph.prose,
        sentences: &paragraph.sentences,
    }];
    let mut group = c.benchmark_group("tag_paragraph_default_model");
    group.throughput(Throughput::Elements(
        paragraph.prose.split_whitespace().count() as u64,
    ));
    for threads in [1, 2] {
        let options = TaggerOptions {
            threads,
            ..TaggerOptions::default()
        };
        let tagger = match Tagger::load(&ModelSource::Embedded, &options) {
            Ok(tagger) => tagger,
            Err(error) => {
                eprintln!("hot_paths: built-in model not loaded ({error}); bench skipped");
                return;
            }
        };
        let decode_options = tagger.recommended_decode();
        group.bench_function(format!("5-sentences/threads-{threads}"), |b| {
            b.iter(|| {
                tagger
                    .tag(black_box(&inputs), &decode_options)
                    .map(|output| output.entities.len())
                    .unwrap_or(0)
            });
        });
    }
    group.finish();
}

/// Entities on every fifth word of the document: far denser than a real manuscript (about one
/// word in twenty), so this is an upper bound.
fn entities_for(text: &str) -> Vec<SourceEntity> {
    let classes = ["protein", "DNA", "RNA", "cell_type", "cell_line"];
    let mut entities = Vec::new();
    let mut offset = 0;
    for (index, word) in text.split_inclusive(char::is_whitespace).enumerate() {
        let trimmed = word.trim_end();
        if index % 5 == 0 && !trimmed.is_empty() {
            entities.push(SourceEntity {
                range: offset..offset + trimmed.len(),
                label: classes[index / 5 % classes.len()].to_owned(),
                score: if index % 3 == 0 { 0.6 } else { 0.95 },
                alternatives: Vec::new(),
                text: trimmed.to_owned(),
                ..SourceEntity::default()
            });
        }
        offset += word.len();
    }
    entities
}

fn semantic_tokens(c: &mut Criterion) {
    let text = manuscript();
    let rope = Rope::from_str(&text);
    let entities = entities_for(&text);
    let settings = FeatureSettings::default();
    let classes: Vec<String> = ["DNA", "RNA", "cell_line", "cell_type", "protein"]
        .map(str::to_owned)
        .to_vec();
    let legend = Legend::new(&classes);
    let previous = encode(&absolute_tokens(
        &highlights(&entities, &settings),
        &rope,
        PositionEncoding::Utf16,
        false,
        &legend,
    ));
    // The same document after one entity in the middle changed class (one keystroke's worth).
    let mut changed = entities.clone();
    let middle = changed.len() / 2;
    if let Some(entity) = changed.get_mut(middle) {
        entity.label = "protein".to_owned();
    }

    let mut group = c.benchmark_group("semantic_tokens");
    group.throughput(Throughput::Elements(entities.len() as u64));
    group.bench_function(
        BenchmarkId::new("full_utf16", format!("{}-entities", entities.len())),
        |b| {
            b.iter(|| {
                let absolute = absolute_tokens(
                    &highlights(black_box(&changed), &settings),
                    &rope,
                    PositionEncoding::Utf16,
                    false,
                    &legend,
                );
                encode(&absolute).len()
            });
        },
    );
    group.bench_function(
        BenchmarkId::new(
            "full_and_delta_utf16",
            format!("{}-entities", entities.len()),
        ),
        |b| {
            b.iter(|| {
                let absolute = absolute_tokens(
                    &highlights(black_box(&changed), &settings),
                    &rope,
                    PositionEncoding::Utf16,
                    false,
                    &legend,
                );
                diff(&previous, &encode(&absolute)).len()
            });
        },
    );
    group.finish();
}

fn configured() -> Criterion {
    Criterion::default()
        .sample_size(30)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(3))
}

criterion_group! {
    name = hot_paths;
    config = configured();
    targets = tokenization, tagging, tagging_default_model, semantic_tokens
}
criterion_main!(hot_paths);
