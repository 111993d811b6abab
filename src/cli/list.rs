//! `scitag list`: the table of a manuscript's (or a project's) distinct entities.
//!
//! Each file is read and tagged exactly as `scitag tag` does it (`tag::tag_one`: the one pipeline,
//! `analysis::analyze_texts`, with the file's project glossary and the classes it shows); mentions of
//! one entity (same class, same normalized text: `features::normalize`) are counted together across
//! the files; mentions the linker linked to one database entry are one entity whatever their
//! spelling (`identifier` column, `spellings` in JSON).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::files;
use super::project::Projects;
use super::tag::{LanguageArg, ModelArgs, ReadOptions, model_failure, tag_one};
use crate::features::{EntityKey, TalliedEntity, Tally, class_key};
use crate::link::{Database, Linking};

/// The identifier a row is grouped by, if any (a normalized spelling is lowercase, so it never
/// starts with `HGNC:`, `CL:` or `CVCL_`).
fn identifier(row: &TalliedEntity) -> &str {
    if Database::of_id(&row.key.text).is_some() {
        &row.key.text
    } else {
        ""
    }
}

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
    /// Files or directories. A directory is searched recursively for Markdown and LaTeX files
    /// (`.md`, `.markdown`, `.qmd`, `.Rmd`, `.tex`, `.ltx`), skipping what `.gitignore` (and
    /// `.ignore`) excludes and hidden files, as `scitag tag` does; a file named here is read
    /// whatever its extension.
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

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let found = files::manuscripts(&args.paths);
    for error in &found.errors {
        eprintln!("scitag: error: reading {error}");
    }
    let mut failed = !found.errors.is_empty();
    if found.files.is_empty() && failed {
        return Ok(ExitCode::from(1));
    }
    let tagger = match args.model.load_set() {
        Ok(tagger) => tagger,
        Err(error) => return model_failure(error),
    };
    let options = args.model.decode_choice();
    let mut read = ReadOptions {
        language: args.language,
        projects: Projects::new(args.glossary.as_deref(), args.no_glossary),
        // The table groups mentions by identifier.
        link: true,
    };
    let mut tally = Tally::new();
    let mut names = Vec::new();
    for file in &found.files {
        match tag_one(&mut read, &tagger, &options, Some(file)) {
            Ok(Some((input, _))) => {
                for entity in &input.analysis.entities {
                    // Linked mentions are one entity per database entry ("IL-2", "IL2" and
                    // "interleukin-2" are HGNC:6001), the others one per normalized spelling.
                    match entity.link.as_deref().and_then(Linking::identifier) {
                        Some(id) => tally.add_as(
                            names.len(),
                            entity,
                            EntityKey {
                                class: entity.label.clone(),
                                text: id.to_owned(),
                            },
                        ),
                        None => tally.add(names.len(), entity),
                    }
                }
                names.push(input.name);
            }
            // The model failed at run time (reported).
            Ok(None) => return Ok(ExitCode::from(2)),
            Err(error) => {
                eprintln!("scitag: error: {error:#}");
                failed = true;
            }
        }
    }
    let rows = table(&tally);
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
                        "identifier": Some(identifier(row)).filter(|id| !id.is_empty()),
                        "spellings": row.spellings,
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

/// The built-in model's classes in the order of the semantic token legend.
const CLASS_ORDER: [&str; 8] = crate::features::STANDARD_CLASS_KEYS;

/// The rows in table order: by class (`protein`, `DNA`, `RNA`, `cell_type`, `cell_line`,
/// `chemical`, `disease`, `species`, then any other class by name), then the most mentioned first, then by name.
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
        "{:<class_width$}  {:<entity_width$}  mentions  files  identifier",
        "class", "entity"
    )?;
    for row in rows {
        let line = format!(
            "{:<class_width$}  {:<entity_width$}  {:>8}  {:>5}  {}",
            row.key.class,
            row.name,
            row.mentions,
            row.documents.len(),
            identifier(row)
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

fn write_csv(out: &mut impl Write, rows: &[TalliedEntity]) -> std::io::Result<()> {
    writeln!(out, "class,entity,mentions,files,identifier")?;
    for row in rows {
        writeln!(
            out,
            "{},{},{},{},{}",
            csv_field(&row.key.class),
            csv_field(&row.name),
            row.mentions,
            row.documents.len(),
            identifier(row)
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
}
