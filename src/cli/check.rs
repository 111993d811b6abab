//! `scitag check`: the editor's diagnostics on the command line, for a paper's continuous
//! integration — low-confidence mentions and consistency findings, with the project glossary
//! applied, as `file:line:column: severity: message [code]`, SARIF 2.1.0 or GitHub workflow
//! annotations. Exit status: 0 clean, 1 findings at or above `--fail-on`, 2 usage, I/O or model
//! errors (the other files are still checked).

use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use super::files;
use super::project::{self, Projects};
use super::tag::{ModelArgs, model_failure};
use crate::analysis;
use crate::document::TextLines;
use crate::features::{self, FeatureSettings, Severity};
use crate::prose::Language;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `file:line:column: severity: message [code]`, one finding per line, then a summary.
    Text,
    /// SARIF 2.1.0 (GitHub code scanning, GitLab, IDE viewers), one run.
    Sarif,
    /// GitHub Actions workflow commands (`::notice file=…,line=…::message`): annotations on the diff.
    Github,
}

/// The lowest severity that makes the exit status 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Hint,
    Information,
    Warning,
    /// Findings never fail the run (errors still exit 2).
    Never,
}

/// A diagnostic's severity on the command line (`off` turns that kind of finding off).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SeverityArg {
    Hint,
    Information,
    Warning,
    Off,
}

impl SeverityArg {
    fn severity(self) -> Option<Severity> {
        match self {
            SeverityArg::Hint => Some(Severity::Hint),
            SeverityArg::Information => Some(Severity::Information),
            SeverityArg::Warning => Some(Severity::Warning),
            SeverityArg::Off => None,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files and directories to check (a directory: its `.md`, `.qmd`, `.Rmd`, `.tex` files,
    /// recursively, honouring `.gitignore`).
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Exit with status 1 when a finding has this severity or a higher one.
    #[arg(long, value_enum, default_value = "information")]
    pub fail_on: FailOn,
    /// Low-confidence threshold. Default: the project's `[settings] threshold`, else 0.60.
    #[arg(long, value_name = "SCORE")]
    pub threshold: Option<f32>,
    /// Severity of low-confidence findings (the editor's `diagnosticSeverity`).
    #[arg(long, value_enum, default_value = "information")]
    pub low_confidence: SeverityArg,
    /// Severity of consistency findings (the editor's `consistencySeverity`).
    #[arg(long, value_enum, default_value = "hint")]
    pub consistency: SeverityArg,
    /// Severity of linking findings: unknown cell line, obsolete cell type, previous gene symbol
    /// (the editor's `linkSeverity`; docs/LINKING.md).
    #[arg(long, value_enum, default_value = "hint")]
    pub link: SeverityArg,
    /// The project glossary to apply to every file. Default: each file's nearest `scitag.toml`.
    #[arg(long, value_name = "scitag.toml", conflicts_with = "no_glossary")]
    pub glossary: Option<PathBuf>,
    /// Apply no project glossary.
    #[arg(long)]
    pub no_glossary: bool,
}

/// One finding, located in its file.
#[derive(Clone, Debug)]
pub(crate) struct Finding {
    file: String,
    range: Range<usize>,
    start: (usize, usize),
    end: (usize, usize),
    severity: Severity,
    code: &'static str,
    message: String,
    /// The other mentions: line, column, end line, end column.
    related: Vec<((usize, usize), (usize, usize))>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(threshold) = args.threshold
        && !(0.0..=1.0).contains(&threshold)
    {
        eprintln!("scitag: error: --threshold must be a number from 0 to 1, got {threshold}");
        return Ok(ExitCode::from(2));
    }
    let found = files::manuscripts(&args.paths);
    let mut errors = found.errors;
    let tagger = match args.model.load_set() {
        Ok(tagger) => tagger,
        Err(error) => return model_failure(error),
    };
    let options = args.model.decode_choice();
    let mut projects = Projects::new(args.glossary.as_deref(), args.no_glossary);
    let mut findings = Vec::new();
    let mut checked = 0usize;
    let mut entities = 0usize;
    for path in &found.files {
        let name = path.display().to_string();
        let text = match read_text(path) {
            Ok(text) => text,
            Err(error) => {
                errors.push(error);
                continue;
            }
        };
        let glossary = match projects.glossary_for(Some(path)) {
            Ok(glossary) => glossary,
            Err(broken) => {
                if broken.first {
                    eprintln!("scitag: error: {}", broken.message);
                }
                errors.push(format!(
                    "{name}: not checked: its glossary {} is broken",
                    broken.path.display()
                ));
                continue;
            }
        };
        let glossary = glossary.as_deref();
        let mut settings = project::feature_settings(glossary);
        if let Some(threshold) = args.threshold {
            settings.confidence_threshold = threshold;
        }
        settings.diagnostic_severity = args.low_confidence.severity();
        settings.consistency_severity = args.consistency.severity();
        settings.link_severity = args.link.severity();
        let extract = projects.extract_options(glossary, Some(path), &text);
        let language = Language::from_path(path);
        let analysis = match analysis::analyze_texts(
            &tagger,
            &[text.as_str()],
            language,
            &extract,
            &options,
            glossary,
            // `--link off` reports no linking findings: no index to build.
            settings.link_severity.is_some(),
        ) {
            Ok((mut analyses, _)) => analyses.pop().unwrap_or_else(|| analysis::TextAnalysis {
                paragraphs: Vec::new(),
                entities: Vec::new(),
                placements: Vec::new(),
                untagged: Vec::new(),
            }),
            Err(error) if error.is_runtime() => return model_failure(error),
            Err(error) => {
                errors.push(format!("{name}: {error}"));
                continue;
            }
        };
        checked += 1;
        entities += analysis
            .entities
            .iter()
            .filter(|entity| settings.is_enabled(&entity.label))
            .count();
        let file_findings = document_findings(&name, &text, &analysis, &settings);
        findings.extend(file_findings);
    }

    for error in &errors {
        eprintln!("scitag: error: {error}");
    }
    let summary = summary(checked, entities, &findings, errors.len());
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = match args.format {
        Format::Text => findings
            .iter()
            .try_for_each(|finding| write_text(&mut out, finding))
            .and_then(|()| writeln!(out, "{summary}")),
        Format::Github => findings
            .iter()
            .try_for_each(|finding| write_github(&mut out, finding))
            .and_then(|()| writeln!(out, "{summary}")),
        Format::Sarif => {
            eprintln!("{summary}");
            serde_json::to_writer_pretty(&mut out, &sarif(&findings))
                .map_err(std::io::Error::from)
                .and_then(|()| writeln!(out))
        }
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(error) => return Err(error).context("writing the output"),
    }
    Ok(exit_status(&findings, args.fail_on, !errors.is_empty()))
}

/// The findings the editor shows for one analysed document (low confidence, consistency and
/// linking), in document order.
pub(crate) fn document_findings(
    name: &str,
    text: &str,
    analysis: &analysis::TextAnalysis,
    settings: &FeatureSettings,
) -> Vec<Finding> {
    let shown: Vec<&analysis::SourceEntity> = analysis
        .entities
        .iter()
        .filter(|entity| settings.is_enabled(&entity.label))
        .collect();
    let lines = TextLines::new(text);
    let locate = |range: &Range<usize>| {
        (
            lines.position(text, range.start),
            lines.position(text, range.end),
        )
    };
    let finding = |range: Range<usize>,
                   severity: Severity,
                   code: &'static str,
                   message: String,
                   related: &[Range<usize>]| {
        let (start, end) = locate(&range);
        Finding {
            file: name.to_owned(),
            range,
            start,
            end,
            severity,
            code,
            message,
            related: related.iter().map(locate).collect(),
        }
    };
    let mut findings: Vec<Finding> = features::low_confidence(&analysis.entities, settings)
        .into_iter()
        .map(|low| {
            let mention = one_line(text.get(low.range.clone()).unwrap_or_default());
            // The editor shows where; here the line says what.
            let message = format!("«{mention}»: {}", low.message);
            finding(
                low.range,
                low.severity,
                features::LOW_CONFIDENCE_CODE,
                message,
                &[],
            )
        })
        .collect();
    findings.extend(
        features::consistency(
            shown.iter().copied(),
            &analysis.untagged,
            settings.consistency_severity,
        )
        .into_iter()
        .map(|found| {
            finding(
                found.range,
                found.severity,
                found.code,
                found.message,
                &found.related,
            )
        }),
    );
    findings.extend(
        features::link_findings(&analysis.entities, settings)
            .into_iter()
            .map(|found| finding(found.range, found.severity, found.code, found.message, &[])),
    );
    findings.sort_by_key(|finding| (finding.range.start, finding.range.end));
    findings
}

impl Finding {
    /// The finding as the HTML page lists it.
    pub(crate) fn for_html(self) -> crate::export::HtmlFinding {
        crate::export::HtmlFinding {
            line: self.start.0,
            column: self.start.1,
            severity: severity_name(self.severity),
            code: self.code,
            message: one_line(&self.message),
        }
    }
}

fn read_text(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|error| format!("{}: {error}", path.display()))?;
    String::from_utf8(bytes).map_err(|error| {
        format!(
            "{}: not UTF-8 text (invalid byte at offset {}); convert it first, e.g. with iconv",
            path.display(),
            error.utf8_error().valid_up_to()
        )
    })
}

fn rank(severity: Severity) -> u8 {
    match severity {
        Severity::Hint => 0,
        Severity::Information => 1,
        Severity::Warning => 2,
    }
}

fn exit_status(findings: &[Finding], fail_on: FailOn, errors: bool) -> ExitCode {
    if errors {
        return ExitCode::from(2);
    }
    let floor = match fail_on {
        FailOn::Hint => 0,
        FailOn::Information => 1,
        FailOn::Warning => 2,
        FailOn::Never => return ExitCode::SUCCESS,
    };
    if findings
        .iter()
        .any(|finding| rank(finding.severity) >= floor)
    {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Hint => "hint",
        Severity::Information => "info",
        Severity::Warning => "warning",
    }
}

/// `3 files, 120 entities: 2 findings (1 info, 1 hint)`, and the errors if any.
fn summary(files: usize, entities: usize, findings: &[Finding], errors: usize) -> String {
    let count = |severity| {
        findings
            .iter()
            .filter(|finding| finding.severity == severity)
            .count()
    };
    let mut parts = Vec::new();
    for severity in [Severity::Warning, Severity::Information, Severity::Hint] {
        let n = count(severity);
        if n > 0 {
            parts.push(format!("{n} {}", severity_name(severity)));
        }
    }
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut line = format!(
        "scitag check: {}, {}: {}",
        plural(files, "file", "files"),
        plural(entities, "entity", "entities"),
        plural(findings.len(), "finding", "findings")
    );
    if !parts.is_empty() {
        line.push_str(&format!(" ({})", parts.join(", ")));
    }
    if errors > 0 {
        line.push_str(&format!("; {}", plural(errors, "error", "errors")));
    }
    line
}

fn write_text(out: &mut impl Write, finding: &Finding) -> std::io::Result<()> {
    let (line, column) = finding.start;
    writeln!(
        out,
        "{}:{line}:{column}: {}: {} [{}]",
        finding.file,
        severity_name(finding.severity),
        one_line(&finding.message),
        finding.code
    )
}

fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// GitHub's workflow-command escaping: `%`, CR and LF in the message; also `:` and `,` in
/// property values.
fn github_escape(text: &str, property: bool) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '%' => escaped.push_str("%25"),
            '\r' => escaped.push_str("%0D"),
            '\n' => escaped.push_str("%0A"),
            ':' if property => escaped.push_str("%3A"),
            ',' if property => escaped.push_str("%2C"),
            other => escaped.push(other),
        }
    }
    escaped
}

fn write_github(out: &mut impl Write, finding: &Finding) -> std::io::Result<()> {
    let command = match finding.severity {
        Severity::Warning => "warning",
        Severity::Information | Severity::Hint => "notice",
    };
    let ((line, column), (end_line, end_column)) = (finding.start, finding.end);
    writeln!(
        out,
        "::{command} file={},line={line},col={column},endLine={end_line},endColumn={end_column},title={}::{}",
        github_escape(&finding.file, true),
        github_escape(&format!("scitag {}", finding.code), true),
        github_escape(&finding.message, false),
    )
}

/// A relative path as a SARIF `artifactLocation.uri` (RFC 3986: `/` separators, other characters
/// outside the unreserved set percent-encoded).
fn uri_reference(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut uri = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

const RULES: [(&str, &str); 8] = [
    (
        features::LOW_CONFIDENCE_CODE,
        "The model is unsure of this mention's class: check it, or settle it in scitag.toml.",
    ),
    (
        features::INCONSISTENT_CLASS_CODE,
        "The same term is tagged with different classes in one document.",
    ),
    (
        features::UNTAGGED_MENTION_CODE,
        "A term tagged elsewhere in the document is not tagged here.",
    ),
    (
        features::UNKNOWN_CELL_LINE_CODE,
        "A cell line name that Cellosaurus does not know: check the spelling (RRIDs are Cellosaurus accessions).",
    ),
    (
        features::OBSOLETE_CELL_TYPE_CODE,
        "A cell type that names an obsolete Cell Ontology term.",
    ),
    (
        features::PREVIOUS_SYMBOL_CODE,
        "A previous or withdrawn HGNC symbol: the approved symbol is named.",
    ),
    (
        features::WITHDRAWN_GENE_CODE,
        "A gene symbol of a withdrawn HGNC entry.",
    ),
    (
        features::MIXED_SPELLING_CODE,
        "One gene, cell type or cell line written two ways (IL2 here, IL-2 elsewhere): the usual spelling is named.",
    ),
];

fn sarif(findings: &[Finding]) -> serde_json::Value {
    let region = |(line, column): (usize, usize), (end_line, end_column): (usize, usize)| {
        serde_json::json!({
            "startLine": line,
            "startColumn": column,
            "endLine": end_line,
            "endColumn": end_column,
        })
    };
    let results: Vec<serde_json::Value> = findings
        .iter()
        .map(|finding| {
            let rule_index = RULES
                .iter()
                .position(|(id, _)| *id == finding.code)
                .unwrap_or(0);
            let location = |start, end| {
                serde_json::json!({
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri_reference(&finding.file) },
                        "region": region(start, end),
                    }
                })
            };
            let related: Vec<serde_json::Value> = finding
                .related
                .iter()
                .enumerate()
                .map(|(index, &(start, end))| {
                    let mut value = location(start, end);
                    value["id"] = serde_json::Value::from(index);
                    value["message"] = serde_json::json!({ "text": "another mention" });
                    value
                })
                .collect();
            let mut result = serde_json::json!({
                "ruleId": finding.code,
                "ruleIndex": rule_index,
                "level": match finding.severity {
                    Severity::Warning => "warning",
                    Severity::Information | Severity::Hint => "note",
                },
                "message": { "text": finding.message },
                "locations": [location(finding.start, finding.end)],
                "properties": { "severity": severity_name(finding.severity) },
            });
            if !related.is_empty() {
                result["relatedLocations"] = serde_json::Value::from(related);
            }
            result
        })
        .collect();
    let rules: Vec<serde_json::Value> = RULES
        .iter()
        .map(|(id, description)| {
            serde_json::json!({
                "id": id,
                "shortDescription": { "text": description },
                "defaultConfiguration": { "level": "note" },
            })
        })
        .collect();
    serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "scitag",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/scitag/scitag",
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(severity: Severity) -> Finding {
        Finding {
            file: "paper dir/intro.md".into(),
            range: 0..4,
            start: (3, 5),
            end: (3, 9),
            severity,
            code: features::LOW_CONFIDENCE_CODE,
            message: "Low-confidence protein: 41.0%\n(runner-up: DNA, 30.0%)".into(),
            related: vec![((7, 1), (7, 5))],
        }
    }

    #[test]
    fn exit_status_follows_fail_on_and_errors_win() {
        let hint = [finding(Severity::Hint)];
        let info = [finding(Severity::Information)];
        assert_eq!(
            exit_status(&hint, FailOn::Information, false),
            ExitCode::SUCCESS
        );
        assert_eq!(exit_status(&hint, FailOn::Hint, false), ExitCode::from(1));
        assert_eq!(
            exit_status(&info, FailOn::Information, false),
            ExitCode::from(1)
        );
        assert_eq!(
            exit_status(&info, FailOn::Warning, false),
            ExitCode::SUCCESS
        );
        assert_eq!(exit_status(&info, FailOn::Never, false), ExitCode::SUCCESS);
        assert_eq!(exit_status(&[], FailOn::Hint, true), ExitCode::from(2));
    }

    #[test]
    fn text_and_github_lines_are_one_line_each_and_escaped() {
        let mut text = Vec::new();
        write_text(&mut text, &finding(Severity::Information)).expect("write");
        assert_eq!(
            String::from_utf8(text).expect("utf-8"),
            "paper dir/intro.md:3:5: info: Low-confidence protein: 41.0% (runner-up: DNA, 30.0%) [low-confidence]\n"
        );
        let mut github = Vec::new();
        write_github(&mut github, &finding(Severity::Hint)).expect("write");
        assert_eq!(
            String::from_utf8(github).expect("utf-8"),
            "::notice file=paper dir/intro.md,line=3,col=5,endLine=3,endColumn=9,title=scitag low-confidence::Low-confidence protein: 41.0%25%0A(runner-up: DNA, 30.0%25)\n"
        );
    }

    #[test]
    fn sarif_has_rules_levels_regions_and_encoded_uris() {
        let log = sarif(&[finding(Severity::Warning)]);
        assert_eq!(log["version"], "2.1.0");
        let run = &log["runs"][0];
        assert_eq!(
            run["tool"]["driver"]["rules"].as_array().map(Vec::len),
            Some(RULES.len())
        );
        let ids: Vec<&str> = run["tool"]["driver"]["rules"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|rule| rule["id"].as_str())
            .collect();
        assert!(ids.contains(&"mixed-spelling"), "{ids:?}");
        let result = &run["results"][0];
        assert_eq!(result["level"], "warning");
        assert_eq!(result["ruleId"], "low-confidence");
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "paper%20dir/intro.md");
        assert_eq!(location["region"]["startLine"], 3);
        assert_eq!(location["region"]["endColumn"], 9);
        assert_eq!(result["relatedLocations"][0]["id"], 0);
    }

    #[test]
    fn the_summary_counts_files_entities_findings_and_errors() {
        let findings = [finding(Severity::Information), finding(Severity::Hint)];
        assert_eq!(
            summary(2, 1, &findings, 1),
            "scitag check: 2 files, 1 entity: 2 findings (1 info, 1 hint); 1 error"
        );
        assert_eq!(
            summary(1, 12, &[], 0),
            "scitag check: 1 file, 12 entities: 0 findings"
        );
    }
}
