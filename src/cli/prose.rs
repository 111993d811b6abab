//! `scitag prose FILE`: print the prose the tagger sees, so users can check what their manuscript turns
//! into (paragraph kinds, source ranges, sentence boundaries and, with `--map`, every source piece).

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use serde_json::json;

use crate::prose::{Extraction, Language, Paragraph, PieceKind, extract};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The manuscript: Markdown (.md, .qmd, .Rmd), LaTeX (.tex) or plain text; `-` reads stdin.
    pub file: PathBuf,
    /// Also print the source range of every piece of each paragraph.
    #[arg(long)]
    pub map: bool,
    /// The markup language, instead of guessing it from the file extension.
    #[arg(long, value_parser = parse_language, value_name = "md|tex|txt")]
    pub language: Option<Language>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

fn parse_language(value: &str) -> Result<Language, String> {
    match value.to_ascii_lowercase().as_str() {
        "md" | "markdown" | "qmd" | "rmd" => Ok(Language::Markdown),
        "tex" | "latex" => Ok(Language::Latex),
        "txt" | "text" | "plain" | "plaintext" => Ok(Language::Plain),
        _ => Err(format!("unknown language {value:?}; use md, tex or txt")),
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut bytes = Vec::new();
    if args.file.as_os_str() == "-" {
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("reading stdin")?;
    } else {
        bytes = std::fs::read(&args.file)
            .with_context(|| format!("reading {}", args.file.display()))?;
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            tracing::warn!(file = %args.file.display(), "not valid UTF-8; invalid bytes are shown as U+FFFD and byte offsets may shift");
            String::from_utf8_lossy(error.as_bytes()).into_owned()
        }
    };
    let language = args
        .language
        .unwrap_or_else(|| Language::from_path(&args.file));
    // As `tag` reads the file: its glossary's LaTeX settings and its LaTeX project's macros.
    let file = (args.file.as_os_str() != "-").then_some(args.file.as_path());
    let mut projects = super::project::Projects::new(None, false);
    let glossary = projects.glossary_for(file).unwrap_or_else(|broken| {
        if broken.first {
            eprintln!(
                "scitag: warning: {}; its settings are not applied",
                broken.message
            );
        }
        None
    });
    let options = projects.extract_options(glossary.as_deref(), file, &text);
    let extraction = extract(&text, language, &options);
    let lines = LineIndex::new(&text);
    // Buffered: stdout itself flushes every line, or every 1 KiB of pretty JSON.
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json {
        let value = to_json(&args, language, &text, &lines, &extraction);
        serde_json::to_writer_pretty(&mut stdout, &value)?;
        writeln!(stdout)?;
    } else {
        write_text(&mut stdout, &args, &text, &lines, &extraction)?;
    }
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn write_text(
    out: &mut impl Write,
    args: &Args,
    text: &str,
    lines: &LineIndex,
    extraction: &Extraction,
) -> std::io::Result<()> {
    for (number, paragraph) in extraction.paragraphs.iter().enumerate() {
        let range = &paragraph.source_range;
        writeln!(
            out,
            "#{} {} {}-{} (bytes {}..{})",
            number + 1,
            paragraph.kind.as_str(),
            lines.position(range.start),
            lines.position(range.end),
            range.start,
            range.end
        )?;
        for (index, sentence) in paragraph.sentences.iter().enumerate() {
            writeln!(
                out,
                "  s{} {}",
                index + 1,
                &paragraph.prose[sentence.clone()]
            )?;
        }
        if args.map {
            write_map(out, text, paragraph)?;
        }
        writeln!(out)?;
    }
    for problem in &extraction.problems {
        writeln!(
            out,
            "problem at {} (bytes {}..{}): {}",
            lines.position(problem.range.start),
            problem.range.start,
            problem.range.end,
            problem.message
        )?;
    }
    writeln!(
        out,
        "{} paragraphs, {} sentences, {} problems",
        extraction.paragraphs.len(),
        extraction
            .paragraphs
            .iter()
            .map(|paragraph| paragraph.sentences.len())
            .sum::<usize>(),
        extraction.problems.len()
    )
}

fn write_map(out: &mut impl Write, text: &str, paragraph: &Paragraph) -> std::io::Result<()> {
    for piece in paragraph.map.pieces() {
        let prose = &paragraph.prose[piece.prose.clone()];
        let source = text.get(piece.source.clone()).unwrap_or_default();
        match piece.kind {
            PieceKind::Verbatim => {
                writeln!(
                    out,
                    "    {:>5}..{:<5} verbatim  {}..{} {:?}",
                    piece.prose.start, piece.prose.end, piece.source.start, piece.source.end, prose
                )?;
            }
            PieceKind::Atomic => writeln!(
                out,
                "    {:>5}..{:<5} atomic    {}..{} {:?} <- {:?}",
                piece.prose.start,
                piece.prose.end,
                piece.source.start,
                piece.source.end,
                prose,
                source
            )?,
            PieceKind::Synthetic => writeln!(
                out,
                "    {:>5}..{:<5} synthetic @{} {:?}",
                piece.prose.start, piece.prose.end, piece.source.start, prose
            )?,
        }
    }
    Ok(())
}

fn to_json(
    args: &Args,
    language: Language,
    text: &str,
    lines: &LineIndex,
    extraction: &Extraction,
) -> serde_json::Value {
    let paragraphs: Vec<serde_json::Value> = extraction
        .paragraphs
        .iter()
        .map(|paragraph| {
            let range = &paragraph.source_range;
            let mut value = json!({
                "kind": paragraph.kind.as_str(),
                "source_range": [range.start, range.end],
                "start": lines.json(range.start),
                "end": lines.json(range.end),
                "prose": paragraph.prose,
                "sentences": paragraph.sentences.iter().map(|sentence| json!([sentence.start, sentence.end])).collect::<Vec<_>>(),
            });
            if args.map {
                value["pieces"] = paragraph
                    .map
                    .pieces()
                    .iter()
                    .map(|piece| {
                        json!({
                            "prose": [piece.prose.start, piece.prose.end],
                            "source": [piece.source.start, piece.source.end],
                            "kind": match piece.kind {
                                PieceKind::Verbatim => "verbatim",
                                PieceKind::Atomic => "atomic",
                                PieceKind::Synthetic => "synthetic",
                            },
                            "text": text.get(piece.source.clone()).unwrap_or_default(),
                        })
                    })
                    .collect();
            }
            value
        })
        .collect();
    let problems: Vec<serde_json::Value> = extraction
        .problems
        .iter()
        .map(|problem| json!({"source_range": [problem.range.start, problem.range.end], "start": lines.json(problem.range.start), "message": problem.message}))
        .collect();
    json!({
        "file": args.file.display().to_string(),
        "language": language.as_str(),
        "paragraphs": paragraphs,
        "problems": problems,
    })
}

/// Byte offsets to 1-based line and column (columns count Unicode scalar values).
struct LineIndex<'text> {
    text: &'text str,
    starts: Vec<usize>,
}

impl<'text> LineIndex<'text> {
    fn new(text: &'text str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(index, _)| index + 1));
        Self { text, starts }
    }

    fn line_column(&self, offset: usize) -> (usize, usize) {
        let line = self
            .starts
            .partition_point(|start| *start <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or_default();
        let column = self
            .text
            .get(start..offset.min(self.text.len()))
            .map_or(0, |slice| slice.chars().count());
        (line + 1, column + 1)
    }

    fn position(&self, offset: usize) -> String {
        let (line, column) = self.line_column(offset);
        format!("{line}:{column}")
    }

    fn json(&self, offset: usize) -> serde_json::Value {
        let (line, column) = self.line_column(offset);
        json!({"line": line, "column": column})
    }
}
