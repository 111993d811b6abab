//! Entity linking: accuracy on the hand-built check set and the cost of a lookup, printed (not
//! timed assertions). `cargo bench --bench link`; docs/LINKING.md reports the numbers.
//!
//! The check set (`tests/fixtures/link/checkset.tsv`) holds the default model's mentions in corpus
//! manuscripts with the identifier a reader of the context would give (`-`: no entry is right).
//! Per class group: coverage = share of mentions with a gold identifier that get an identifier;
//! precision = share of the identifiers given that are the gold one (an identifier given to a `-`
//! mention is wrong); "in candidates" = gold identifier among the candidates (ambiguous included).

// A benchmark that reports: its output is the point (the crate denies printing for the server).
#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Instant;

use scitag::link::{self, Database, Linker};

fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[derive(Default)]
struct Score {
    mentions: usize,
    with_gold: usize,
    given: usize,
    given_correct: usize,
    gold_given: usize,
    gold_in_candidates: usize,
    ambiguous: usize,
}

fn group(label: &str) -> &'static str {
    match Database::for_label(label) {
        Some(Database::Hgnc) => "gene/protein (HGNC)",
        Some(Database::CellOntology) => "cell type (CL)",
        Some(Database::Cellosaurus) => "cell line (Cellosaurus)",
        None => "other",
    }
}

fn main() {
    let before = resident_kib();
    let started = Instant::now();
    let linker: &Linker = link::embedded().expect("the embedded indexes");
    let load = started.elapsed();
    let after = resident_kib();
    let (genes, cell_types, cell_lines) = linker.sizes();
    println!("index: {genes} genes, {cell_types} cell types, {cell_lines} cell lines");
    println!(
        "load (decompress + build, once per process): {:.0} ms",
        load.as_secs_f64() * 1e3
    );
    let (text_bytes, key_bytes, other_bytes) = linker.index_breakdown();
    println!(
        "index bytes (computed): {:.1} MB ({:.1} MB text, {:.1} MB keys, {:.1} MB other)",
        linker.index_bytes() as f64 / 1e6,
        text_bytes as f64 / 1e6,
        key_bytes as f64 / 1e6,
        other_bytes as f64 / 1e6
    );
    if let (Some(before), Some(after)) = (before, after) {
        println!(
            "resident memory added by the load: {:.1} MB",
            (after - before) as f64 / 1024.0
        );
    }

    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/link/checkset.tsv"
    );
    let text = std::fs::read_to_string(path).expect("the check set");
    let rows: Vec<(String, String, String)> = text
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            (
                fields[2].to_owned(),
                fields[3].to_owned(),
                fields[4].to_owned(),
            )
        })
        .collect();
    let mut scores: BTreeMap<&str, Score> = BTreeMap::new();
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    for (label, mention, gold) in &rows {
        let score = scores.entry(group(label)).or_default();
        score.mentions += 1;
        let Some(linking) = linker.link(label, mention) else {
            continue;
        };
        let given = linking.identifier();
        let has_gold = gold != "-";
        if has_gold {
            score.with_gold += 1;
        }
        if linking.status == link::Status::Ambiguous {
            score.ambiguous += 1;
        }
        if let Some(id) = given {
            score.given += 1;
            if id == gold {
                score.given_correct += 1;
            }
            if has_gold {
                score.gold_given += 1;
            }
        }
        if has_gold
            && linking
                .candidates
                .iter()
                .any(|candidate| &candidate.id == gold)
        {
            score.gold_in_candidates += 1;
        }
        if given.is_some_and(|id| id != gold) || (has_gold && given.is_none()) {
            errors
                .entry(format!(
                    "{label}\t{mention:?}\tgold {gold}\tgiven {}\t{:?}",
                    given.unwrap_or("none"),
                    linking.status
                ))
                .and_modify(|count| *count += 1)
                .or_insert(1usize);
        }
    }
    println!();
    println!(
        "| class group | mentions | with a gold id | identifiers given | precision | coverage | gold in candidates | ambiguous |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let ratio = |a: usize, b: usize| {
        if b == 0 {
            f64::NAN
        } else {
            a as f64 / b as f64
        }
    };
    for (name, score) in &scores {
        println!(
            "| {name} | {} | {} | {} | {:.3} ({}/{}) | {:.3} ({}/{}) | {:.3} | {} |",
            score.mentions,
            score.with_gold,
            score.given,
            ratio(score.given_correct, score.given),
            score.given_correct,
            score.given,
            ratio(score.gold_given, score.with_gold),
            score.gold_given,
            score.with_gold,
            ratio(score.gold_in_candidates, score.with_gold),
            score.ambiguous,
        );
    }

    if std::env::var_os("SCITAG_LINK_ERRORS").is_some() {
        println!();
        for (error, count) in &errors {
            println!("{count}\t{error}");
        }
    }

    // Lookup cost: every check-set mention, without and with the memo.
    let databases: Vec<(Database, &str)> = rows
        .iter()
        .filter_map(|(label, mention, _)| Some((Database::for_label(label)?, mention.as_str())))
        .collect();
    let rounds = 20;
    let started = Instant::now();
    for _ in 0..rounds {
        for (database, mention) in &databases {
            black_box(linker.link_uncached(*database, black_box(mention)));
        }
    }
    let uncached = started.elapsed().as_secs_f64() / (rounds * databases.len()) as f64;
    let started = Instant::now();
    for _ in 0..rounds {
        for (label, mention, _) in &rows {
            black_box(linker.link(label, black_box(mention)));
        }
    }
    let cached = started.elapsed().as_secs_f64() / (rounds * rows.len()) as f64;
    println!();
    println!(
        "lookup per entity, first time (no memo): {:.1} µs",
        uncached * 1e6
    );
    println!(
        "lookup per entity, remembered (what a re-analysis pays): {:.2} µs",
        cached * 1e6
    );
    for (label, mention) in [
        ("cell_line", "HEK239T"),
        ("cell_line", "Jurkatt"),
        ("protein", "IL-2"),
        ("cell_type", "activated CD4+ T cells"),
    ] {
        let database = Database::for_label(label).unwrap();
        let started = Instant::now();
        for _ in 0..rounds {
            black_box(linker.link_uncached(database, black_box(mention)));
        }
        println!(
            "  {label} {mention:?}: {:.1} µs uncached",
            started.elapsed().as_secs_f64() * 1e6 / rounds as f64
        );
    }
}
