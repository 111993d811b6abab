//! Prose extraction speed on ~200 KB manuscripts built from the shared corpus (`../shared/corpus`).
//!
//! Run with `cargo bench --bench prose`. The goal is at most 5 ms per 200 KB document, so that a
//! whole-document re-extraction after each debounced edit stays invisible.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scitag::prose::{ExtractOptions, Language, extract};

const TARGET_BYTES: usize = 200 * 1024;

fn corpus_directory() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

/// Concatenates the corpus files of one language (repeating them) until the text holds about 200 KB.
fn manuscript(subdirectory: &str, extension: &str) -> Option<String> {
    let directory = corpus_directory().join(subdirectory);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&directory)
        .ok()?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|found| found == extension))
        .collect();
    files.sort();
    let texts: Vec<String> = files
        .iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        // LaTeX: keep every file's body readable, so the whole text is extracted (an `\end{document}`
        // would end reading, and a `\begin{document}` would make what precedes it a preamble).
        .map(|text| {
            text.replace("\\end{document}", "")
                .replace("\\begin{document}", "")
        })
        .collect();
    if texts.is_empty() {
        return None;
    }
    let mut manuscript = String::with_capacity(TARGET_BYTES + 100_000);
    while manuscript.len() < TARGET_BYTES {
        for text in &texts {
            manuscript.push_str(text);
            manuscript.push_str("\n\n");
            if manuscript.len() >= TARGET_BYTES {
                break;
            }
        }
    }
    Some(manuscript)
}

/// User plus system CPU time of this process in milliseconds, from `/proc/self/stat` (Linux; clock
/// ticks assumed to be 1/100 s). Wall-clock time on a shared machine mostly measures the other
/// processes, so the bench also reports CPU time per extraction.
fn process_cpu_milliseconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit(')').next()?.split_whitespace().collect();
    let user: f64 = fields.get(11)?.parse().ok()?;
    let system: f64 = fields.get(12)?.parse().ok()?;
    Some((user + system) * 10.0)
}

fn bench_extraction(criterion: &mut Criterion) {
    let options = ExtractOptions::default();
    let mut group = criterion.benchmark_group("prose");
    for (name, subdirectory, extension, language) in [
        ("markdown", "markdown", "md", Language::Markdown),
        ("latex", "latex", "tex", Language::Latex),
    ] {
        let Some(text) = manuscript(subdirectory, extension) else {
            eprintln!(
                "skipping {name}: no corpus at {}",
                corpus_directory().join(subdirectory).display()
            );
            continue;
        };
        let paragraphs = extract(&text, language, &options).paragraphs.len();
        eprintln!("{name}: {} bytes, {paragraphs} paragraphs", text.len());
        if let Some(before) = process_cpu_milliseconds() {
            const RUNS: u32 = 100;
            for _ in 0..RUNS {
                black_box(extract(black_box(&text), language, &options));
            }
            if let Some(after) = process_cpu_milliseconds() {
                eprintln!(
                    "{name}: {:.2} ms CPU time per extraction ({RUNS} runs)",
                    (after - before) / f64::from(RUNS)
                );
            }
        }
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(
            format!("extract_{name}_{}kb", text.len() / 1024),
            |bencher| {
                bencher.iter(|| extract(black_box(&text), language, &options));
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench_extraction);
criterion_main!(benches);
