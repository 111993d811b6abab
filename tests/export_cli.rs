//! `scitag tag --format bioc-xml|bioc-json|pubtator|brat|html` with the built-in model on Markdown
//! and LaTeX manuscripts: every offset points at its text, and the files load in a real consumer
//! (the PyPI `bioc` package, through tests/exports/check_exports.py, when `SCITAG_CONSUMERS_PYTHON`
//! names a Python that has it: scripts/setup-consumers.sh, run by scripts/test.sh).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The fixtures, with a multi-byte Markdown file of our own and a corpus manuscript when present.
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let greek = dir.join("greek.md");
    std::fs::write(
        &greek,
        "# IL-2 and γc signalling\n\nRegulatory T cells need IL-2; γc binds IL-2Rβ and TNF-$\\alpha$ \
         rises in CD4+ T cells.\n\n- HeLa cells express c-myc mRNA.\n",
    )
    .expect("write");
    let mut files = vec![
        repo().join("tests/editors/fixtures/sample.md"),
        repo().join("tests/editors/fixtures/sample.tex"),
        greek,
    ];
    let corpus = repo().join("../shared/corpus/latex/env-mutational-shifts-elife.tex");
    if corpus.exists() {
        files.push(corpus);
    }
    files
}

fn tag(files: &[PathBuf], extra: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_scitag"))
        .arg("tag")
        .args(files)
        .args(extra)
        .env_remove("ORT_DYLIB_PATH")
        .output()
        .expect("run scitag");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn chars(text: &str) -> Vec<char> {
    text.chars().collect()
}

#[test]
fn bioc_json_annotations_are_the_passage_text_at_their_locations() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = inputs(dir.path());
    let output = tag(&files, &["--format", "bioc-json"]);
    let collection: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let documents = collection["documents"].as_array().expect("documents");
    assert_eq!(documents.len(), files.len());
    let mut annotations = 0;
    for document in documents {
        for passage in document["passages"].as_array().expect("passages") {
            let offset = passage["offset"].as_u64().expect("offset") as usize;
            let text = chars(passage["text"].as_str().expect("text"));
            assert!(passage["infons"]["type"].is_string());
            for annotation in passage["annotations"].as_array().expect("annotations") {
                let location = &annotation["locations"][0];
                let start = location["offset"].as_u64().expect("offset") as usize - offset;
                let length = location["length"].as_u64().expect("length") as usize;
                let at: String = text[start..start + length].iter().collect();
                assert_eq!(at, annotation["text"].as_str().expect("text"));
                annotations += 1;
            }
        }
    }
    assert!(annotations > 20, "{annotations} annotations");
    // The Greek document: `IL-2Rβ` after the multi-byte `γ`, `TNF-α` read from `TNF-$\alpha$`.
    let greek = documents[2]["passages"].to_string();
    assert!(greek.contains("TNF-α"), "{greek}");
}

#[test]
fn pubtator_and_brat_offsets_point_at_their_mentions() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = inputs(dir.path());
    let pubtator = String::from_utf8(tag(&files, &["--format", "pubtator"]).stdout).expect("UTF-8");
    let documents: Vec<&str> = pubtator
        .split("\n\n")
        .filter(|d| !d.trim().is_empty())
        .collect();
    assert_eq!(documents.len(), files.len());
    for document in documents {
        let mut lines = document.lines();
        let title = lines.next().expect("title line");
        let body = lines.next().expect("text line");
        let (id, title) = title.split_once("|t|").expect("ID|t|");
        let body = body.strip_prefix(&format!("{id}|a|")).expect("ID|a|");
        let whole = chars(&format!("{title}\n{body}"));
        for line in lines {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 6, "{line}");
            assert_eq!(fields[0], id);
            let (start, end): (usize, usize) = (
                fields[1].parse().expect("start"),
                fields[2].parse().expect("end"),
            );
            assert_eq!(whole[start..end].iter().collect::<String>(), fields[3]);
        }
    }

    let out = dir.path().join("brat");
    let listed = String::from_utf8(
        tag(
            &files,
            &["--format", "brat", "--output", out.to_str().expect("UTF-8")],
        )
        .stdout,
    )
    .expect("UTF-8");
    assert_eq!(listed.lines().count(), files.len(), "{listed}");
    for ann in listed.lines() {
        let ann = PathBuf::from(ann);
        let text = chars(&std::fs::read_to_string(ann.with_extension("txt")).expect(".txt"));
        for line in std::fs::read_to_string(&ann).expect(".ann").lines() {
            if line.starts_with('N') {
                // A normalization line: `N1<TAB>Reference T1 HGNC:6001<TAB>IL2`.
                let fields: Vec<&str> = line.split('\t').collect();
                assert_eq!(fields.len(), 3, "{line}");
                let reference: Vec<&str> = fields[1].split(' ').collect();
                assert_eq!(reference[0], "Reference", "{line}");
                assert!(reference[1].starts_with('T'), "{line}");
                assert!(reference[2].contains(':'), "DB:ID in {line}");
                continue;
            }
            if !line.starts_with('T') {
                assert!(
                    line.starts_with('#') && line.contains("AnnotatorNotes"),
                    "{line}"
                );
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            let span: Vec<&str> = fields[1].split(' ').collect();
            let (start, end): (usize, usize) = (
                span[1].parse().expect("start"),
                span[2].parse().expect("end"),
            );
            assert_eq!(
                text[start..end].iter().collect::<String>(),
                fields[2],
                "{line}"
            );
        }
    }
}

#[test]
fn brat_needs_an_output_directory() {
    let output = Command::new(env!("CARGO_BIN_EXE_scitag"))
        .args(["tag", "--format", "brat"])
        .arg(repo().join("tests/editors/fixtures/sample.md"))
        .output()
        .expect("run scitag");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--output DIR"));
}

#[test]
fn the_html_page_is_self_contained_and_marks_every_entity() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = inputs(dir.path());
    let json: serde_json::Value =
        serde_json::from_slice(&tag(&files[..1], &["--format", "json"]).stdout).expect("JSON");
    let entities = json["entities"].as_array().expect("entities").len();
    let page = String::from_utf8(tag(&files[..1], &["--format", "html"]).stdout).expect("UTF-8");
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert_eq!(page.matches("<mark class=\"e ").count(), entities);
    for external in ["<script", "<link", "src=", "http://", "https://", "url("] {
        assert!(!page.contains(external), "the page refers to {external}");
    }
}

#[test]
fn the_bioc_package_loads_and_validates_every_format() {
    let Some(python) = std::env::var_os("SCITAG_CONSUMERS_PYTHON") else {
        eprintln!(
            "skipped: set SCITAG_CONSUMERS_PYTHON to a Python with `bioc` (scripts/test.sh does)"
        );
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let files = inputs(dir.path());
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).expect("mkdir");
    for (format, name) in [
        ("bioc-xml", "out.bioc.xml"),
        ("bioc-json", "out.bioc.json"),
        ("pubtator", "out.pubtator"),
    ] {
        std::fs::write(out.join(name), tag(&files, &["--format", format]).stdout).expect("write");
    }
    tag(
        &files,
        &[
            "--format",
            "brat",
            "--output",
            out.join("brat").to_str().expect("UTF-8"),
        ],
    );
    let checked = Command::new(python)
        .arg(repo().join("tests/exports/check_exports.py"))
        .arg(&out)
        .output()
        .expect("run the bioc checks");
    let report = String::from_utf8_lossy(&checked.stdout);
    assert!(
        checked.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    for format in ["bioc-xml", "bioc-json", "pubtator", "brat"] {
        assert!(
            report.contains(&format!("{format}: {} documents", files.len())),
            "{report}"
        );
    }
}

#[test]
fn an_unreadable_input_among_several_is_reported_and_the_others_are_tagged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let broken = dir.path().join("broken.md");
    std::fs::write(&broken, b"IL-2 \xff binds").expect("write");
    let good = repo().join("tests/editors/fixtures/sample.md");
    let output = Command::new(env!("CARGO_BIN_EXE_scitag"))
        .arg("tag")
        .args([&broken, &good, &dir.path().join("missing.md")])
        .args(["--format", "text"])
        .output()
        .expect("run scitag");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("broken.md is not UTF-8"), "{stderr}");
    assert!(stderr.contains("missing.md"), "{stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("sample.md:"),
        "the readable file was tagged: {stdout}"
    );
}
