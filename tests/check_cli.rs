//! `scitag check` on a fixture project with the built-in model: what it reports, in which formats,
//! and the exit statuses a paper's CI relies on (0 clean, 1 findings, 2 errors).
//!
//! Findings are made certain without depending on the model's exact scores: `--threshold 1` makes
//! every mention the model is not fully sure of a low-confidence finding, `--threshold 0` none.

use std::path::PathBuf;
use std::process::Command;

mod cli_support;
use cli_support::scitag;

const INTRO: &str = "# Introduction\n\nRegulatory T cells secrete IL-10 and TGF-β, and the \
IL-2 receptor is expressed on activated T cells.\n\nIL-2 binds the IL-2 receptor on CD4+ T cells \
and NK cells.\n";

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

/// A paper repository: `intro.md`, a git-ignored draft, and a `.git` so `.gitignore` applies.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    let root = dir.path();
    std::fs::create_dir_all(root.join(".git")).expect(".git");
    std::fs::create_dir_all(root.join("drafts")).expect("drafts");
    std::fs::write(root.join("intro.md"), INTRO).expect("write");
    std::fs::write(root.join("drafts/old.md"), INTRO).expect("write");
    std::fs::write(root.join(".gitignore"), "drafts/\n").expect("write");
    dir
}

/// The findings lines of text output (the last line is the summary).
fn finding_lines(stdout: &str) -> Vec<&str> {
    let lines: Vec<&str> = stdout.lines().collect();
    let (summary, findings) = lines.split_last().expect("a summary line");
    assert!(summary.starts_with("scitag check: "), "{summary}");
    findings.to_vec()
}

#[test]
fn findings_exit_1_unless_below_fail_on_and_a_clean_run_exits_0() {
    let dir = project();
    let output = scitag(&["check", ".", "--threshold", "1"], dir.path());
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    let lines = finding_lines(&stdout);
    assert!(!lines.is_empty(), "{stdout}");
    for line in &lines {
        // file:line:column: severity: message [code]
        let (place, rest) = line.split_once(": ").expect("place");
        let mut parts = place.rsplitn(3, ':');
        let column: usize = parts.next().and_then(|c| c.parse().ok()).expect("column");
        let line_number: usize = parts.next().and_then(|l| l.parse().ok()).expect("line");
        assert_eq!(parts.next(), Some("./intro.md"), "{line}");
        assert!(
            rest.starts_with("info: ") || rest.starts_with("hint: "),
            "{line}"
        );
        assert!(rest.ends_with(']'), "{line}");
        if let Some(mention) = rest
            .strip_prefix("info: «")
            .and_then(|rest| rest.split_once("»: Low-confidence "))
            .map(|(mention, _)| mention)
        {
            // The position points at the mention in the file.
            let source_line = INTRO.lines().nth(line_number - 1).expect("line exists");
            let at: String = source_line.chars().skip(column - 1).collect();
            assert!(at.starts_with(mention), "{mention:?} not at {line}");
        }
    }
    assert!(
        lines.iter().any(|line| line.contains("[low-confidence]")),
        "{stdout}"
    );
    assert!(!stdout.contains("drafts"), "a git-ignored file was checked");
    let summary = stdout.lines().last().expect("summary");
    assert!(summary.starts_with("scitag check: 1 file, "), "{summary}");

    let lenient = scitag(
        &["check", ".", "--threshold", "1", "--fail-on", "warning"],
        dir.path(),
    );
    assert_eq!(lenient.status.code(), Some(0));
    assert_eq!(text(&lenient.stdout), stdout, "the same findings, passing");

    let clean = scitag(
        &[
            "check",
            "intro.md",
            "--threshold",
            "0",
            "--consistency",
            "off",
        ],
        dir.path(),
    );
    let clean_out = text(&clean.stdout);
    assert_eq!(clean.status.code(), Some(0), "{clean_out}");
    assert!(finding_lines(&clean_out).is_empty(), "{clean_out}");
    assert!(clean_out.contains(": 0 findings"), "{clean_out}");
}

#[test]
fn an_unreadable_file_is_reported_the_others_are_checked_and_the_run_exits_2() {
    let dir = project();
    std::fs::write(dir.path().join("broken.md"), b"IL-2 \xff\xfe binds").expect("write");
    let output = scitag(
        &["check", ".", "missing.tex", "--threshold", "1"],
        dir.path(),
    );
    let stderr = text(&output.stderr);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("broken.md") && stderr.contains("not UTF-8"),
        "{stderr}"
    );
    assert!(stderr.contains("missing.tex"), "{stderr}");
    assert!(stdout.contains("./intro.md:"), "intro.md was still checked");
    assert!(
        stdout
            .lines()
            .last()
            .is_some_and(|summary| summary.ends_with("; 2 errors"))
    );
}

#[test]
fn the_project_glossary_settles_findings() {
    let dir = project();
    let before = scitag(&["check", "intro.md", "--threshold", "1"], dir.path());
    let before_out = text(&before.stdout);
    let flagged: Vec<String> = finding_lines(&before_out)
        .iter()
        .filter_map(|line| {
            line.split_once("info: «")
                .and_then(|(_, rest)| rest.split_once('»'))
                .map(|(mention, _)| mention.to_owned())
        })
        .collect();
    assert!(!flagged.is_empty(), "{before_out}");
    // Accepting every flagged term, and a project threshold, leave nothing to report.
    let accept: Vec<String> = flagged.iter().map(|term| format!("{term:?}")).collect();
    std::fs::write(
        dir.path().join("scitag.toml"),
        format!("accept = [{}]\n", accept.join(", ")),
    )
    .expect("write glossary");
    let after = scitag(&["check", "intro.md", "--threshold", "1"], dir.path());
    let after_out = text(&after.stdout);
    assert!(
        !after_out.contains("[low-confidence]"),
        "accepted terms are still flagged: {after_out}"
    );
    std::fs::write(dir.path().join("scitag.toml"), "ignore = [\n").expect("write");
    let broken = scitag(&["check", "intro.md"], dir.path());
    assert_eq!(broken.status.code(), Some(2));
    assert!(text(&broken.stderr).contains("scitag.toml"));
}

fn sarif_multitool() -> Option<PathBuf> {
    std::env::var_os("SCITAG_SARIF_MULTITOOL").map(PathBuf::from)
}

#[test]
fn sarif_and_github_annotations_point_at_the_mentions() {
    let dir = project();
    let sarif = scitag(
        &["check", "intro.md", "--threshold", "1", "--format", "sarif"],
        dir.path(),
    );
    assert_eq!(sarif.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&sarif.stdout).expect("SARIF is JSON");
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "scitag");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let results = run["results"].as_array().expect("results");
    assert!(!results.is_empty());
    let lines: Vec<&str> = INTRO.lines().collect();
    for result in results {
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "intro.md");
        let region = &location["region"];
        let line = region["startLine"].as_u64().expect("line") as usize;
        let column = region["startColumn"].as_u64().expect("column") as usize;
        let end_column = region["endColumn"].as_u64().expect("end column") as usize;
        assert_eq!(region["endLine"], region["startLine"]);
        let covered: String = lines[line - 1]
            .chars()
            .skip(column - 1)
            .take(end_column - column)
            .collect();
        let message = result["message"]["text"].as_str().expect("message");
        if result["ruleId"] == "low-confidence" {
            assert!(
                message.starts_with(&format!("«{covered}»")),
                "{message} vs {covered}"
            );
        }
    }
    match sarif_multitool() {
        Some(tool) => {
            let file = dir.path().join("check.sarif");
            std::fs::write(&file, &sarif.stdout).expect("write SARIF");
            let report = dir.path().join("validation.sarif");
            let status = Command::new(&tool)
                .arg("validate")
                .arg(&file)
                .arg("--output")
                .arg(&report)
                .status()
                .expect("run the SARIF multitool");
            assert!(status.success());
            let validation: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&report).expect("validation report"))
                    .expect("JSON");
            let problems: Vec<&serde_json::Value> = validation["runs"][0]["results"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|result| matches!(result["level"].as_str(), Some("error" | "warning")))
                .collect();
            assert!(problems.is_empty(), "SARIF validation: {problems:?}");
        }
        None => eprintln!(
            "SARIF schema validation skipped: set SCITAG_SARIF_MULTITOOL (scripts/test.sh does)"
        ),
    }

    let github = scitag(
        &[
            "check",
            "intro.md",
            "--threshold",
            "1",
            "--format",
            "github",
        ],
        dir.path(),
    );
    let github_out = text(&github.stdout);
    let annotations: Vec<&str> = github_out
        .lines()
        .filter(|line| line.starts_with("::"))
        .collect();
    assert_eq!(annotations.len(), results.len(), "{github_out}");
    for annotation in annotations {
        assert!(
            annotation.starts_with("::notice file=intro.md,line="),
            "{annotation}"
        );
        assert!(annotation.contains(",title=scitag "), "{annotation}");
        assert!(!annotation.contains('\n'));
    }
}
