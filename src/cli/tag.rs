//! `scitag tag`: tag entities in a plain-text, Markdown or LaTeX file (or stdin).

use std::io::{Read, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use crate::analysis;
use crate::features::FeatureSettings;
use crate::glossary::{self, Glossary};
use crate::ner::{
    Aggregation, Decode, DecodeOptions, Entity, ModelSource, NerError, TagInput, Tagger,
    TaggerOptions,
};
use crate::prose::{self, Language};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One line per entity: `FILE:LINE:COLUMN  class  score  text`, for people.
    Text,
    /// One JSON document with all entities.
    Json,
    /// One JSON object per entity per line.
    Jsonl,
    /// `word<TAB>label` per line (IOB2), a blank line between sentences.
    Conll,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LanguageArg {
    Markdown,
    Latex,
    Plain,
}

/// Options shared by `tag` and `eval` for choosing and running the model.
#[derive(Debug, Clone, clap::Args)]
pub struct ModelArgs {
    /// Model directory (model.onnx or model_quantized.onnx, tokenizer.json, config.json) or .onnx
    /// file. Default: the model built into scitag.
    #[arg(long, value_name = "DIR")]
    pub model: Option<PathBuf>,
    /// How word pieces become entities (Hugging Face pipeline strategies). Default: the model's
    /// recommendation (scitag.json), else `first`.
    #[arg(long, value_parser = parse_aggregation)]
    pub aggregation: Option<Aggregation>,
    /// `pipeline` (argmax + Hugging Face grouping) or `viterbi` (best BIO-valid label path, with the
    /// model's transitions.json if any). Default: the model's recommendation, else `pipeline`.
    #[arg(long, value_parser = parse_decode)]
    pub decode: Option<Decode>,
    /// Inference threads: for small models (up to 64 MB, like the built-in one) one single-threaded ONNX Runtime session per thread, each running different batches; for larger models one session with this many intra-op threads. Default: 2 (1 on a one-core machine).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Path to libonnxruntime (file or directory). Otherwise: $ORT_DYLIB_PATH, next to the
    /// executable, then the repository's .ort/lib (scripts/setup-ort.sh puts it there).
    #[arg(long, value_name = "PATH")]
    pub ort_lib: Option<PathBuf>,
    /// Pack neighbouring sentences into one model window up to N word pieces (0: one sentence per
    /// window). Default: the model's scitag.json `context.max_tokens`, else 0.
    #[arg(long, value_name = "N")]
    pub context_tokens: Option<usize>,
    /// Softmax temperature (logits / T): scores become calibrated probabilities. Default: the
    /// model's scitag.json `temperature`, else 1.
    #[arg(long, value_name = "T")]
    pub temperature: Option<f32>,
}

fn parse_aggregation(text: &str) -> Result<Aggregation, String> {
    text.parse()
}

fn parse_decode(text: &str) -> Result<Decode, String> {
    text.parse()
}

impl ModelArgs {
    pub(crate) fn load(&self) -> Result<Tagger, NerError> {
        let mut options = TaggerOptions {
            ort_lib: self.ort_lib.clone(),
            context_max_tokens: self.context_tokens,
            temperature: self.temperature,
            ..TaggerOptions::default()
        };
        if let Some(threads) = self.threads {
            options.threads = threads.max(1);
        }
        let source = match &self.model {
            Some(path) => ModelSource::Directory(path.clone()),
            None => ModelSource::Embedded,
        };
        Tagger::load(&source, &options)
    }

    pub(crate) fn decode_options(&self, tagger: &Tagger) -> DecodeOptions {
        let recommended = tagger.recommended_decode();
        DecodeOptions {
            aggregation: self.aggregation.unwrap_or(recommended.aggregation),
            decode: self.decode.unwrap_or(recommended.decode),
        }
    }
}

/// ONNX Runtime problems exit with code 2 (the set-up is wrong, not the input); others with 1.
pub(crate) fn model_failure(error: NerError) -> anyhow::Result<ExitCode> {
    if error.is_runtime() {
        eprintln!("scitag: error: {error}");
        return Ok(ExitCode::from(2));
    }
    Err(error.into())
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The file to tag (`-` or nothing: stdin). `.md`/`.qmd`/`.Rmd` are read as Markdown and
    /// `.tex` as LaTeX (prose only: no code, math or commands); anything else as plain text.
    #[arg(value_name = "FILE")]
    pub input: Option<PathBuf>,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,
    /// Read the input as this language instead of guessing from the file name.
    #[arg(long, value_enum)]
    pub language: Option<LanguageArg>,
    /// The project glossary to apply. Default: the nearest `scitag.toml` in the file's directory or
    /// an ancestor (none for stdin).
    #[arg(long, value_name = "scitag.toml", conflicts_with = "no_glossary")]
    pub glossary: Option<PathBuf>,
    /// Apply no project glossary: the model's entities after the guards only.
    #[arg(long)]
    pub no_glossary: bool,
}

/// An entity located in the source file.
struct Located<'a> {
    entity: &'a Entity,
    source: Range<usize>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    // The model first: a missing model or ONNX Runtime is reported before waiting on stdin.
    let tagger = match args.model.load() {
        Ok(tagger) => tagger,
        Err(error) => return model_failure(error),
    };
    let from_stdin = args
        .input
        .as_ref()
        .is_none_or(|path| path.as_os_str() == "-");
    let bytes = if from_stdin {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("reading stdin")?;
        bytes
    } else {
        let path = args.input.as_ref().expect("checked above");
        std::fs::read(path).with_context(|| format!("reading {}", path.display()))?
    };
    let name = if from_stdin {
        "-".to_string()
    } else {
        args.input
            .as_ref()
            .map(|path| path.display().to_string())
            .unwrap_or_default()
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => anyhow::bail!(
            "{name} is not UTF-8 text (invalid byte at offset {}); convert it first, e.g. with iconv",
            error.utf8_error().valid_up_to()
        ),
    };
    let language = match (args.language, &args.input) {
        (Some(LanguageArg::Markdown), _) => Language::Markdown,
        (Some(LanguageArg::Latex), _) => Language::Latex,
        (Some(LanguageArg::Plain), _) => Language::Plain,
        (None, Some(path)) if !from_stdin => Language::from_path(path),
        (None, _) => Language::Plain,
    };

    let options = args.model.decode_options(&tagger);
    let input = (!from_stdin).then_some(args.input.as_deref()).flatten();
    let project = Project::load(glossary_path_for(
        input,
        args.glossary.as_deref(),
        args.no_glossary,
    ))?;
    let started = std::time::Instant::now();
    let tagged = match tag_document(&tagger, &text, language, &project, &options) {
        Ok(tagged) => tagged,
        Err(error) => return model_failure(error),
    };
    let extraction = &tagged.extraction;
    let words: usize = extraction
        .paragraphs
        .iter()
        .map(|paragraph| paragraph.prose.split_whitespace().count())
        .sum();
    let elapsed = started.elapsed().as_secs_f64();
    tracing::info!(
        "tagged {words} words in {} sentences in {elapsed:.3} s ({:.0} words/s)",
        tagged.sentences_inferred,
        words as f64 / elapsed.max(1e-9)
    );

    let lines = LineIndex::new(&text);
    let located: Vec<Located<'_>> = tagged
        .located()
        .map(|(entity, source, _)| Located { entity, source })
        .collect();

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = match args.format {
        Format::Json => {
            let entities: Vec<serde_json::Value> = located
                .iter()
                .map(|located| entity_json(located, &text, &lines))
                .collect();
            let document = serde_json::json!({
                "file": name,
                "language": language.as_str(),
                "model": tagger.name(),
                "decode": options.decode.as_str(),
                "aggregation": options.aggregation.as_str(),
                "entities": entities,
            });
            serde_json::to_writer_pretty(&mut out, &document)
                .map_err(std::io::Error::from)
                .and_then(|()| writeln!(out))
        }
        Format::Text => located
            .iter()
            .try_for_each(|located| write_text_line(&mut out, &name, located, &text, &lines)),
        Format::Jsonl => located.iter().try_for_each(|located| {
            let mut value = entity_json(located, &text, &lines);
            value["file"] = serde_json::Value::from(name.clone());
            writeln!(out, "{value}")
        }),
        Format::Conll => extraction
            .paragraphs
            .iter()
            .zip(&tagged.entities)
            .try_for_each(|(paragraph, entities)| {
                write_conll(&mut out, &paragraph.prose, &paragraph.sentences, entities)
            }),
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        // `scitag tag … | head` closes the pipe early; that is not a failure.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(error) => Err(error).context("writing the output"),
    }
}

/// The nearest project glossary of `input` (none for stdin), unless `--glossary` names one or
/// `--no-glossary` turns it off. Shared by `scitag tag` and `scitag list`.
pub(crate) fn glossary_path_for(
    input: Option<&Path>,
    named: Option<&Path>,
    no_glossary: bool,
) -> Option<PathBuf> {
    if no_glossary {
        return None;
    }
    if let Some(path) = named {
        return Some(path.to_path_buf());
    }
    let input = input?;
    let absolute = std::path::absolute(input).unwrap_or_else(|_| input.to_path_buf());
    glossary::find_for(&absolute, None)
}

/// A project glossary and the `[settings]` it carries: its LaTeX commands and environments and the
/// classes it shows.
pub(crate) struct Project {
    pub(crate) glossary: Option<Glossary>,
    pub(crate) extract: prose::ExtractOptions,
    pub(crate) shown: FeatureSettings,
}

impl Project {
    /// Loads the glossary at `path` (none: no glossary, default settings).
    pub(crate) fn load(path: Option<PathBuf>) -> anyhow::Result<Project> {
        let glossary = match &path {
            Some(path) => {
                let loaded = Glossary::load(path).map_err(|error| anyhow::anyhow!("{error}"))?;
                tracing::info!("glossary: {}", path.display());
                Some(loaded)
            }
            None => None,
        };
        let settings = glossary.as_ref().map(|glossary| &glossary.settings);
        let extract = settings
            .and_then(|settings| settings.extract.clone())
            .unwrap_or_default();
        let shown = FeatureSettings {
            enabled_classes: settings.and_then(|settings| settings.classes.clone()),
            ..FeatureSettings::default()
        };
        Ok(Project {
            glossary,
            extract,
            shown,
        })
    }
}

/// A document through the one pipeline.
pub(crate) struct Tagged {
    pub(crate) extraction: prose::Extraction,
    /// Each paragraph's entities, in prose coordinates of that paragraph.
    pub(crate) entities: Vec<Vec<Entity>>,
    pub(crate) sentences_inferred: usize,
}

impl Tagged {
    /// The entities in source bytes of the document, in document order (each paragraph's in
    /// order), with the prose text each one covers.
    pub(crate) fn located(&self) -> impl Iterator<Item = (&Entity, Range<usize>, &str)> {
        self.extraction
            .paragraphs
            .iter()
            .zip(&self.entities)
            .flat_map(|(paragraph, entities)| {
                entities.iter().filter_map(move |entity| {
                    let source = paragraph.to_source(entity.range.clone())?;
                    let prose = paragraph
                        .prose
                        .get(entity.range.clone())
                        .unwrap_or_default();
                    Some((entity, source, prose))
                })
            })
    }
}

/// Extraction, the model, then the same steps as the server after the model (guards, glossary,
/// ignore comments, through `analysis::Finisher`), leaving out the classes the project hides.
/// Shared by `scitag tag` and `scitag list`.
pub(crate) fn tag_document(
    tagger: &Tagger,
    text: &str,
    language: Language,
    project: &Project,
    options: &DecodeOptions,
) -> Result<Tagged, NerError> {
    let extraction = prose::extract(text, language, &project.extract);
    let inputs: Vec<TagInput<'_>> = extraction
        .paragraphs
        .iter()
        .map(|paragraph| TagInput {
            text: &paragraph.prose,
            sentences: &paragraph.sentences,
        })
        .collect();
    let mut output = tagger.tag(&inputs, options)?;
    let finisher = analysis::Finisher::new(text, language, project.glossary.as_ref());
    for (paragraph, entities) in extraction.paragraphs.iter().zip(output.entities.iter_mut()) {
        *entities = finisher
            .paragraph(paragraph, entities)
            .into_iter()
            .map(|glossed| glossed.entity)
            .filter(|entity| project.shown.is_enabled(&entity.label))
            .collect();
    }
    Ok(Tagged {
        extraction,
        entities: output.entities,
        sentences_inferred: output.sentences_inferred,
    })
}

fn entity_json(located: &Located<'_>, text: &str, lines: &LineIndex) -> serde_json::Value {
    let (line, column) = lines.position(text, located.source.start);
    let (end_line, end_column) = lines.position(text, located.source.end);
    let alternatives: Vec<serde_json::Value> = located
        .entity
        .alternatives
        .iter()
        .map(|alternative| serde_json::json!({"label": alternative.label, "probability": round(alternative.probability)}))
        .collect();
    serde_json::json!({
        "text": text.get(located.source.clone()).unwrap_or_default(),
        "label": located.entity.label,
        "score": round(located.entity.score),
        "start": located.source.start,
        "end": located.source.end,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "alternatives": alternatives,
    })
}

/// `FILE:LINE:COLUMN  class  score%  "text"  (runner-up class score%)`.
fn write_text_line(
    out: &mut impl Write,
    name: &str,
    located: &Located<'_>,
    text: &str,
    lines: &LineIndex,
) -> std::io::Result<()> {
    let (line, column) = lines.position(text, located.source.start);
    let mention = text.get(located.source.clone()).unwrap_or_default();
    // A mention that spans lines (a soft break in the source) is shown on one line.
    let mention = mention.split_whitespace().collect::<Vec<_>>().join(" ");
    let runner_up = located
        .entity
        .alternatives
        .first()
        .map(|alternative| {
            format!(
                "  (next: {} {:.1}%)",
                alternative.label,
                alternative.probability * 100.0
            )
        })
        .unwrap_or_default();
    writeln!(
        out,
        "{name}:{line}:{column}\t{:<9}\t{:5.1}%\t{mention:?}{runner_up}",
        located.entity.label,
        located.entity.score * 100.0
    )
}

fn round(value: f32) -> f64 {
    (f64::from(value) * 10_000.0).round() / 10_000.0
}

/// Line starts of the source, for 1-based line and column (in characters) of byte offsets.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        let bytes = text.as_bytes();
        for (index, byte) in bytes.iter().enumerate() {
            match byte {
                b'\n' => starts.push(index + 1),
                b'\r' if bytes.get(index + 1) != Some(&b'\n') => starts.push(index + 1),
                _ => {}
            }
        }
        LineIndex { starts }
    }

    fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|start| *start <= offset).max(1) - 1;
        let start = self.starts[line];
        let column = text
            .get(start..offset.min(text.len()))
            .map_or(0, |head| head.chars().count());
        (line + 1, column + 1)
    }
}

/// Words of a sentence: whitespace-separated, with brackets and trailing punctuation split off
/// (close to the GENIA/JNLPBA tokenization).
pub(crate) fn words(text: &str, range: Range<usize>) -> Vec<Range<usize>> {
    const SPLIT: &[char] = &['(', ')', '[', ']', '{', '}', ',', ';', ':', '"', '!', '?'];
    let mut words = Vec::new();
    let slice = &text[range.clone()];
    let mut position = 0;
    for piece in slice.split_inclusive(char::is_whitespace) {
        let trimmed = piece.trim_end();
        let mut start = range.start + position;
        let mut end = start + trimmed.len();
        position += piece.len();
        // Leading brackets and quotes.
        while start < end {
            let Some(first) = text[start..end].chars().next() else {
                break;
            };
            if !SPLIT.contains(&first) {
                break;
            }
            words.push(start..start + first.len_utf8());
            start += first.len_utf8();
        }
        // Trailing punctuation, including a final period.
        let mut tail = Vec::new();
        while start < end {
            let Some(last) = text[start..end].chars().next_back() else {
                break;
            };
            if !SPLIT.contains(&last) && last != '.' {
                break;
            }
            tail.push(end - last.len_utf8()..end);
            end -= last.len_utf8();
        }
        if start < end {
            words.push(start..end);
        }
        words.extend(tail.into_iter().rev());
    }
    words
}

fn write_conll(
    out: &mut impl Write,
    prose: &str,
    sentences: &[Range<usize>],
    entities: &[Entity],
) -> std::io::Result<()> {
    let whole = 0..prose.len();
    let sentences = if sentences.is_empty() {
        std::slice::from_ref(&whole)
    } else {
        sentences
    };
    for sentence in sentences {
        let words = words(prose, sentence.clone());
        if words.is_empty() {
            continue;
        }
        let mut previous: Option<usize> = None;
        for word in words {
            let entity = entities
                .iter()
                .position(|entity| entity.range.start < word.end && word.start < entity.range.end);
            let label = match entity {
                Some(index) if previous == Some(index) => format!("I-{}", entities[index].label),
                Some(index) => format!("B-{}", entities[index].label),
                None => "O".to_string(),
            };
            previous = entity;
            writeln!(out, "{}\t{label}", &prose[word])?;
        }
        writeln!(out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_brackets_and_final_punctuation() {
        let text = "levels of (GR) in IL-2-treated cells.";
        let got: Vec<&str> = words(text, 0..text.len())
            .into_iter()
            .map(|range| &text[range])
            .collect();
        assert_eq!(
            got,
            vec![
                "levels",
                "of",
                "(",
                "GR",
                ")",
                "in",
                "IL-2-treated",
                "cells",
                "."
            ]
        );
    }

    #[test]
    fn line_index_counts_characters_from_one() {
        let text = "ab\nçd\r\nx";
        let lines = LineIndex::new(text);
        assert_eq!(lines.position(text, 0), (1, 1));
        assert_eq!(lines.position(text, 3), (2, 1));
        assert_eq!(lines.position(text, 5), (2, 2));
        assert_eq!(lines.position(text, 8), (3, 1));
    }
}
