//! `scitag list`: the table of a manuscript's (or a project's) distinct entities.
//!
//! Each file goes through the same pipeline as `scitag tag` (`tag::tag_document`: extraction, the
//! model, guards, the file's project glossary, ignore comments); mentions of one entity (same
//! class, same normalized text: `features::normalize`) are counted together across the files.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::tag::{LanguageArg, ModelArgs, Project, glossary_path_for, model_failure, tag_document};
use crate::analysis::SourceEntity;
use crate::features::{TalliedEntity, Tally, class_key};
use crate::prose::Language;
use crate::workspace::manuscripts_under;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns, for people.
    Text,
    /// One JSON document: the files and one object per entity (with the files it is in).
    Json,
    /// `class,entity,mentions,files` with a header line.
    Csv,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files or directories. A directory is searched recursively for `.md`, `.qmd`, `.Rmd` and
    /// `.tex` files, skipping what `.gitignore` (and `.ignore`) excludes and hidden files; a file
    /// named here is read whatever its extension.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Read every file as this language instead of guessing from its name.
    #[arg(long, value_enum)]
    pub language: Option<LanguageArg>,
    /// The project glossary to apply to every file. Default: each file's nearest `scitag.toml`
    /// in its directory or an ancestor.
    #[arg(long, value_name = "scitag.toml", conflicts_with = "no_glossary")]
    pub glossary: Option<PathBuf>,
    /// Apply no project glossary.
    #[arg(long)]
    pub no_glossary: bool,
}

/// The files `paths` name: files as given, directories walked (gitignore-aware) for manuscripts,
/// each file once, directories' files sorted by path.
pub fn manuscripts(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if !path.is_dir() {
            anyhow::ensure!(path.exists(), "{} does not exist", path.display());
            files.push(path.clone());
            continue;
        }
        files.extend(manuscripts_under(path));
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|file| seen.insert(file.clone()));
    Ok(files)
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let files = manuscripts(&args.paths)?;
    let tagger = match args.model.load() {
        Ok(tagger) => tagger,
        Err(error) => return model_failure(error),
    };
    let options = args.model.decode_options(&tagger);
    let mut projects: HashMap<Option<PathBuf>, Project> = HashMap::new();
    let mut tally = Tally::new();
    let mut failed = false;
    for (index, file) in files.iter().enumerate() {
        let text = match std::fs::read(file) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(_) => {
                    eprintln!("scitag: skipping {}: not UTF-8 text", file.display());
                    failed = true;
                    continue;
                }
            },
            Err(error) => {
                eprintln!("scitag: skipping {}: {error}", file.display());
                failed = true;
                continue;
            }
        };
        let language = match args.language {
            Some(LanguageArg::Markdown) => Language::Markdown,
            Some(LanguageArg::Latex) => Language::Latex,
            Some(LanguageArg::Plain) => Language::Plain,
            None => Language::from_path(file),
        };
        let glossary = glossary_path_for(Some(file), args.glossary.as_deref(), args.no_glossary);
        if !projects.contains_key(&glossary) {
            let project = Project::load(glossary.clone())?;
            projects.insert(glossary.clone(), project);
        }
        let project = &projects[&glossary];
        let tagged = match tag_document(&tagger, &text, language, project, &options) {
            Ok(tagged) => tagged,
            Err(error) => return model_failure(error),
        };
        tracing::info!(
            "{}: {} sentences",
            file.display(),
            tagged.sentences_inferred
        );
        for (entity, range, prose) in tagged.located() {
            tally.add(
                index,
                &SourceEntity {
                    range,
                    label: entity.label.clone(),
                    score: entity.score,
                    text: prose.to_owned(),
                    ..SourceEntity::default()
                },
            );
        }
    }
    let rows = table(&tally);
    let names: Vec<String> = files
        .iter()
        .map(|file| file.display().to_string())
        .collect();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = match args.format {
        Format::Text => write_text(&mut out, &rows),
        Format::Csv => write_csv(&mut out, &rows),
        Format::Json => {
            let entities: Vec<serde_json::Value> = rows
                .iter()
                .map(|row| {
                    let paths: Vec<&str> = row
                        .documents
                        .iter()
                        .map(|&index| names[index].as_str())
                        .collect();
                    serde_json::json!({
                        "class": row.key.class,
                        "entity": row.name,
                        "mentions": row.mentions,
                        "files": row.documents.len(),
                        "paths": paths,
                    })
                })
                .collect();
            let document = serde_json::json!({
                "model": tagger.name(),
                "files": names,
                "entities": entities,
            });
            serde_json::to_writer_pretty(&mut out, &document)
                .map_err(std::io::Error::from)
                .and_then(|()| writeln!(out))
        }
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(error) => return Err(error).context("writing the output"),
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The JNLPBA classes in the order of the semantic token legend (as `features::class_key`s).
const CLASS_ORDER: [&str; 5] = ["protein", "dna", "rna", "cellType", "cellLine"];

/// The rows in table order: by class (`protein`, `DNA`, `RNA`, `cell_type`, `cell_line`, then any
/// other class by name), then the most mentioned first, then by name.
fn table(tally: &Tally) -> Vec<TalliedEntity> {
    let order = |class: &str| {
        let key = class_key(class);
        CLASS_ORDER
            .iter()
            .position(|known| *known == key)
            .unwrap_or(CLASS_ORDER.len())
    };
    let mut rows = tally.entities();
    rows.sort_by(|a, b| {
        order(&a.key.class)
            .cmp(&order(&b.key.class))
            .then_with(|| a.key.class.cmp(&b.key.class))
            .then(b.mentions.cmp(&a.mentions))
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    rows
}

fn write_text(out: &mut impl Write, rows: &[TalliedEntity]) -> std::io::Result<()> {
    let class_width = rows
        .iter()
        .map(|row| row.key.class.chars().count())
        .chain([5])
        .max()
        .unwrap_or(5);
    let entity_width = rows
        .iter()
        .map(|row| row.name.chars().count())
        .chain([6])
        .max()
        .unwrap_or(6);
    writeln!(
        out,
        "{:<class_width$}  {:<entity_width$}  mentions  files",
        "class", "entity"
    )?;
    for row in rows {
        writeln!(
            out,
            "{:<class_width$}  {:<entity_width$}  {:>8}  {:>5}",
            row.key.class,
            row.name,
            row.mentions,
            row.documents.len()
        )?;
    }
    Ok(())
}

fn write_csv(out: &mut impl Write, rows: &[TalliedEntity]) -> std::io::Result<()> {
    writeln!(out, "class,entity,mentions,files")?;
    for row in rows {
        writeln!(
            out,
            "{},{},{},{}",
            csv_field(&row.key.class),
            csv_field(&row.name),
            row.mentions,
            row.documents.len()
        )?;
    }
    Ok(())
}

/// A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("IL-2"), "IL-2");
        assert_eq!(csv_field("IL-2, IL-4"), "\"IL-2, IL-4\"");
        assert_eq!(csv_field("the \"x\" gene"), "\"the \"\"x\"\" gene\"");
    }

    #[test]
    fn named_files_are_read_whatever_their_extension_and_missing_ones_are_errors() {
        let directory = tempfile::tempdir().expect("temp dir");
        let root = directory.path();
        std::fs::write(root.join("notes.txt"), "x").expect("write");
        std::fs::write(root.join("a.md"), "x").expect("write");
        let named = manuscripts(&[root.join("notes.txt"), root.to_path_buf()]).expect("found");
        assert_eq!(named, [root.join("notes.txt"), root.join("a.md")]);
        assert!(manuscripts(&[root.join("missing.md")]).is_err());
    }
}
