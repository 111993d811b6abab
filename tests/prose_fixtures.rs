//! Golden tests: every manuscript in `tests/fixtures/prose/` is extracted and compared with the
//! `.prose` file next to it (one line per paragraph: kind, then the sentences separated by ` ¦ `).
//! Regenerate after an intended change with `SCITAG_UPDATE_GOLDENS=1 cargo test --test prose_fixtures`
//! and review the diff.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use scitag::prose::{ExtractOptions, Extraction, Language, check_invariants, extract};

fn fixtures() -> Vec<PathBuf> {
    let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/prose");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&directory)
        .unwrap_or_else(|error| panic!("reading {}: {error}", directory.display()))
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension != "prose")
        })
        .collect();
    paths.sort();
    paths
}

fn render(text: &str, extraction: &Extraction) -> String {
    let mut out = String::new();
    for paragraph in &extraction.paragraphs {
        let sentences: Vec<&str> = paragraph
            .sentences
            .iter()
            .map(|sentence| &paragraph.prose[sentence.clone()])
            .collect();
        let _ = writeln!(
            out,
            "[{}] {}",
            paragraph.kind.as_str(),
            sentences.join(" ¦ ")
        );
        // The source of the whole paragraph, as a reader would find it in the file.
        let source = paragraph
            .to_source(0..paragraph.prose.len())
            .map_or("", |range| &text[range]);
        let first_line = source.lines().next().unwrap_or_default();
        let _ = writeln!(out, "    from: {first_line}");
    }
    for problem in &extraction.problems {
        let _ = writeln!(out, "problem {:?}: {}", problem.range, problem.message);
    }
    out
}

#[test]
fn fixtures_match_their_golden_prose() {
    let update = std::env::var_os("SCITAG_UPDATE_GOLDENS").is_some();
    let mut failures = Vec::new();
    for path in fixtures() {
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
        let extraction = extract(
            &text,
            Language::from_path(&path),
            &ExtractOptions::default(),
        );
        if let Err(error) = check_invariants(&text, &extraction) {
            failures.push(format!("{}: invariants broken: {error}", path.display()));
            continue;
        }
        let actual = render(&text, &extraction);
        let golden = path.with_extension(format!(
            "{}.prose",
            path.extension()
                .and_then(|extension| extension.to_str())
                .unwrap_or_default()
        ));
        if update {
            std::fs::write(&golden, &actual)
                .unwrap_or_else(|error| panic!("writing {}: {error}", golden.display()));
            continue;
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_default();
        if actual != expected {
            failures.push(format!(
                "{} differs from {} (SCITAG_UPDATE_GOLDENS=1 regenerates it)\n--- expected\n{expected}\n--- actual\n{actual}",
                path.display(),
                golden.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
