//! `scitag eval` prints the same figures as Python's seqeval (span level) and scikit-learn (word
//! level) on a fixed set of predictions (`tests/golden/eval`, made by `scripts/make_goldens_eval.py`).

use std::path::{Path, PathBuf};
use std::process::Command;

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/eval")
        .join(name)
}

fn reports() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(golden("reports.json")).expect("reports.json"))
        .expect("JSON")
}

fn eval(extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_scitag"))
        .arg("eval")
        .arg("--data")
        .arg(golden("gold.tsv"))
        .arg("--predictions")
        .arg(golden("predicted.tsv"))
        .args(extra)
        .output()
        .expect("run scitag eval")
}

#[test]
fn span_table_is_seqeval_classification_report_to_four_decimals() {
    let output = eval(&[]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    let expected = reports()["span_text"]
        .as_str()
        .expect("span_text")
        .trim_end()
        .to_string();
    assert!(
        stdout.contains(&expected),
        "scitag eval output:\n{stdout}\ndoes not contain seqeval's report:\n{expected}"
    );
}

#[test]
fn json_figures_equal_seqeval_and_scikit_learn() {
    let output = eval(&["--json"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("--json prints JSON");
    let expected = reports();
    for level in ["span", "word"] {
        let rows = expected[level].as_object().expect("rows");
        assert_eq!(rows.len(), 8, "5 classes and 3 averages");
        for (name, row) in rows {
            let got = match name.as_str() {
                "micro avg" => &report[level]["micro"],
                "macro avg" => &report[level]["macro"],
                "weighted avg" => &report[level]["weighted"],
                class => &report[level]["classes"][class],
            };
            for (ours, theirs) in [
                ("precision", "precision"),
                ("recall", "recall"),
                ("f1", "f1-score"),
                ("support", "support"),
            ] {
                let a = got[ours].as_f64().unwrap_or(f64::NAN);
                let b = row[theirs].as_f64().expect("number");
                assert!(
                    (a * 1e4).round() == (b * 1e4).round(),
                    "{level} {name} {ours}: scitag {a} vs reference {b}"
                );
            }
        }
    }
}

#[test]
fn misaligned_predictions_are_a_clear_error() {
    let directory = tempfile::tempdir().expect("temp dir");
    let short = directory.path().join("short.tsv");
    std::fs::write(&short, "w0_0\tO\n\n").expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_scitag"))
        .args(["eval", "--data"])
        .arg(golden("gold.tsv"))
        .arg("--predictions")
        .arg(&short)
        .output()
        .expect("run scitag eval");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("short.tsv") && stderr.contains("sentences"),
        "{stderr}"
    );
}

#[test]
fn malformed_conll_names_the_line() {
    let directory = tempfile::tempdir().expect("temp dir");
    let data = directory.path().join("bad.tsv");
    std::fs::write(&data, "IL-2\tB-protein\nreceptor\n").expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_scitag"))
        .args(["eval", "--data"])
        .arg(&data)
        .arg("--predictions")
        .arg(&data)
        .output()
        .expect("run scitag eval");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("bad.tsv") && stderr.contains("line 2"),
        "{stderr}"
    );
}
