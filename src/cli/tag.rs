//! `scitag tag`: tag entities in plain-text, Markdown or LaTeX files (or stdin), and write them as
//! JSON, text, CoNLL, BioC, PubTator, brat or HTML.

use std::io::{Read, Write};
use std::ops::Range;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::files;
use super::project::{self, Projects};
use crate::analysis;
use crate::document::TextLines;
use crate::export;
use crate::features::FeatureSettings;
use crate::ner::{
    Aggregation, Decode, DecodeChoice, DecodeOptions, ModelSet, ModelSource, NerError, Tagger,
    TaggerOptions,
};
use crate::prose::Language;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One line per entity: `FILE:LINE:COLUMN  class  score  text`, for people.
    Text,
    /// One JSON document with all entities.
    Json,
    /// JSON lines: one object per document (`file` or `id`, `entities`), streamed.
    Jsonl,
    /// `word<TAB>label` per line (IOB2), a blank line between sentences.
    Conll,
    /// BioC XML: a collection, one document per input, one passage per paragraph (docs/EXPORTS.md).
    BiocXml,
    /// BioC JSON, the same collection.
    BiocJson,
    /// PubTator: `ID|t|title`, `ID|a|text`, one tab-separated line per entity.
    Pubtator,
    /// brat standoff: `NAME.txt` and `NAME.ann` per input, written to `--output DIR`.
    Brat,
    /// One self-contained HTML page: coloured entities, legend, entity table, findings.
    Html,
}

/// What the standard input holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// One document.
    Text,
    /// JSON lines, one document each: `{"id": …, "text": …}` (with `--format jsonl`: one result
    /// line per document, streamed in batches).
    Jsonl,
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
    /// file. Default: the model built into scitag. Repeat it to tag with several models together
    /// (`tag`, `check`, `list`; `builtin` names the built-in model): where their entities overlap,
    /// a confident one wins, then the longer, then the model given first (docs/ENGINE.md).
    #[arg(long, value_name = "DIR")]
    pub model: Vec<PathBuf>,
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
    /// Of a model with several heads (the built-in one: jnlpba, linnaeus, bc5cdr, ncbi), run only
    /// these, comma-separated. Default: every head. `scitag eval` scores the head whose classes
    /// match the data's.
    #[arg(long, value_name = "NAME,...", value_delimiter = ',')]
    pub heads: Option<Vec<String>>,
}

fn parse_aggregation(text: &str) -> Result<Aggregation, String> {
    text.parse()
}

fn parse_decode(text: &str) -> Result<Decode, String> {
    text.parse()
}

impl ModelArgs {
    /// The one model of a command that scores or reports one model (`eval`).
    pub(crate) fn load(&self) -> Result<Tagger, NerError> {
        match self.sources().as_slice() {
            [] => Tagger::load(&ModelSource::Embedded, &self.tagger_options()),
            [source] => Tagger::load(source, &self.tagger_options()),
            _ => Err(NerError::InvalidInput(
                "this command runs one model: give --model once".into(),
            )),
        }
    }

    /// The models of the run (the built-in one when `--model` is not given), used together.
    pub(crate) fn load_set(&self) -> Result<ModelSet, NerError> {
        let mut sources = self.sources();
        if sources.is_empty() {
            sources.push(ModelSource::Embedded);
        }
        ModelSet::load(&sources, &self.tagger_options())
    }

    fn sources(&self) -> Vec<ModelSource> {
        self.model
            .iter()
            .map(|path| {
                if path.as_os_str() == crate::workspace::BUILTIN {
                    ModelSource::Embedded
                } else {
                    ModelSource::Directory(path.clone())
                }
            })
            .collect()
    }

    fn tagger_options(&self) -> TaggerOptions {
        let mut options = TaggerOptions {
            ort_lib: self.ort_lib.clone(),
            context_max_tokens: self.context_tokens,
            temperature: self.temperature,
            heads: self.heads.clone(),
            ..TaggerOptions::default()
        };
        if let Some(threads) = self.threads {
            options.threads = threads.max(1);
        }
        options
    }

    /// `--aggregation` and `--decode` as given (each model's recommendation where not).
    pub(crate) fn decode_choice(&self) -> DecodeChoice {
        DecodeChoice {
            aggregation: self.aggregation,
            decode: self.decode,
        }
    }

    pub(crate) fn decode_options(&self, tagger: &Tagger) -> DecodeOptions {
        self.decode_choice().resolve(tagger.recommended_decode())
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
    /// The files to tag (`-` or nothing: stdin); a directory gives its `.md`, `.qmd`, `.Rmd` and
    /// `.tex` files, recursively, honouring `.gitignore`. `.md`/`.qmd`/`.Rmd` are read as Markdown
    /// and `.tex` as LaTeX (prose only: no code, math or commands); anything else as plain text.
    #[arg(value_name = "PATH")]
    pub inputs: Vec<PathBuf>,
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
    /// Do not link entities to HGNC, Cell Ontology and Cellosaurus (no `identifier`/`link` in the
    /// output; saves building the index, about 0.2 s, and the lookups).
    #[arg(long)]
    pub no_link: bool,
    /// `--format brat`: the directory to write each input's `NAME.txt` and `NAME.ann` into.
    #[arg(long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// What stdin holds: one document, or JSON lines of `{"id", "text"}` (a map step of Spark or
    /// Ray: docs/EXPORTS.md, "At corpus scale").
    #[arg(long, value_enum, default_value = "text")]
    pub input_format: InputFormat,
}

/// Documents tagged together from JSON lines on stdin, so small documents share model batches.
const JSONL_BATCH: usize = 64;

/// An entity located in the source file.
struct Located<'a> {
    entity: &'a analysis::SourceEntity,
    source: Range<usize>,
}

/// One input, read and tagged.
pub(crate) struct Input {
    pub(crate) name: String,
    pub(crate) text: String,
    pub(crate) language: Language,
    /// Only the entities of the classes the project shows.
    pub(crate) analysis: analysis::TextAnalysis,
    pub(crate) settings: FeatureSettings,
}

/// How inputs are read and which glossary applies: `scitag tag`'s options, shared with
/// `scitag list`.
#[derive(Debug)]
pub(crate) struct ReadOptions {
    /// Read every input as this language instead of guessing from its name.
    pub(crate) language: Option<LanguageArg>,
    /// The glossaries of the run (`--glossary`, else each file's nearest `scitag.toml`).
    pub(crate) projects: Projects,
    /// Link the entities to the databases.
    pub(crate) link: bool,
}

impl LanguageArg {
    pub(crate) fn language(self) -> Language {
        match self {
            LanguageArg::Markdown => Language::Markdown,
            LanguageArg::Latex => Language::Latex,
            LanguageArg::Plain => Language::Plain,
        }
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    // The model first: a missing model or ONNX Runtime is reported before waiting on stdin.
    let tagger = match args.model.load_set() {
        Ok(tagger) => tagger,
        Err(error) => return model_failure(error),
    };
    if args.format == Format::Brat && args.output.is_none() {
        eprintln!(
            "scitag: error: --format brat writes files: give the directory with --output DIR"
        );
        return Ok(ExitCode::from(2));
    }
    let from_stdin =
        args.inputs.is_empty() || (args.inputs.len() == 1 && args.inputs[0].as_os_str() == "-");
    if !from_stdin && args.inputs.iter().any(|path| path.as_os_str() == "-") {
        eprintln!("scitag: error: `-` (stdin) cannot be mixed with files");
        return Ok(ExitCode::from(2));
    }
    let options = args.model.decode_choice();
    if args.input_format == InputFormat::Jsonl {
        if !from_stdin || args.format != Format::Jsonl {
            eprintln!(
                "scitag: error: --input-format jsonl reads stdin and writes --format jsonl (one line per document)"
            );
            return Ok(ExitCode::from(2));
        }
        return match stream_jsonl(&args, &tagger, &options) {
            Ok(code) => Ok(code),
            Err(error) => match error.downcast::<std::io::Error>() {
                Ok(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {
                    Ok(ExitCode::SUCCESS)
                }
                Ok(error) => Err(anyhow::Error::from(error).context("writing the output")),
                Err(error) => Err(error),
            },
        };
    }
    let sources: Vec<Option<PathBuf>> = if from_stdin {
        vec![None]
    } else {
        let found = files::manuscripts(&args.inputs);
        if let Some(error) = found.errors.first() {
            // One input: its error is the run's error, as before; several: report and go on.
            if args.inputs.len() == 1 {
                anyhow::bail!("reading {error}");
            }
            for error in &found.errors {
                eprintln!("scitag: error: reading {error}");
            }
        }
        found.files.into_iter().map(Some).collect()
    };
    let failed_before = !from_stdin && sources.len() < args.inputs.len();
    let mut failures = usize::from(failed_before);
    let mut inputs = Vec::with_capacity(sources.len());
    let single = sources.len() == 1;
    let started = std::time::Instant::now();
    let mut sentences = 0;
    let mut read = ReadOptions {
        language: args.language,
        projects: Projects::new(args.glossary.as_deref(), args.no_glossary),
        link: !args.no_link,
    };
    // A bar on a terminal for several files; nothing when stderr is a pipe or a log.
    let bar = if sources.len() > 1 && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        let bar = indicatif::ProgressBar::new(sources.len() as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:30} {pos}/{len} files {elapsed_precise} {wide_msg}",
        ) {
            bar.set_style(style);
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    for source in &sources {
        if let Some(path) = source {
            bar.set_message(path.display().to_string());
        }
        let tagged = tag_one(&mut read, &tagger, &options, source.as_deref());
        bar.inc(1);
        match tagged {
            Ok(Some((input, inferred))) => {
                sentences += inferred;
                inputs.push(input);
            }
            Ok(None) => return Ok(ExitCode::from(2)),
            Err(error) if single => return Err(error),
            Err(error) => {
                eprintln!("scitag: error: {error:#}");
                failures += 1;
            }
        }
    }
    let words: usize = inputs
        .iter()
        .flat_map(|input| &input.analysis.paragraphs)
        .map(|paragraph| paragraph.prose.split_whitespace().count())
        .sum();
    bar.finish_and_clear();
    let elapsed = started.elapsed().as_secs_f64();
    tracing::info!(
        "tagged {words} words in {sentences} sentences of {} in {elapsed:.3} s ({:.0} words/s)",
        match inputs.len() {
            1 => "1 file".to_owned(),
            files => format!("{files} files"),
        },
        words as f64 / elapsed.max(1e-9)
    );

    let written = write_output(&args, &tagger, &options, &inputs);
    match written {
        Ok(()) => {}
        // `scitag tag … | head` closes the pipe early; that is not a failure.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(error) => return Err(error).context("writing the output"),
    }
    Ok(if failures > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Reads, extracts and tags one input (`None`: stdin). `Ok(None)`: the model failed at run time
/// (already reported; exit 2).
pub(crate) fn tag_one(
    args: &mut ReadOptions,
    tagger: &ModelSet,
    options: &DecodeChoice,
    path: Option<&std::path::Path>,
) -> anyhow::Result<Option<(Input, usize)>> {
    let bytes = match path {
        None => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .context("reading stdin")?;
            bytes
        }
        Some(path) => std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
    };
    let name = path.map_or_else(|| "-".to_string(), |path| path.display().to_string());
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => anyhow::bail!(
            "{name} is not UTF-8 text (invalid byte at offset {}); convert it first, e.g. with iconv",
            error.utf8_error().valid_up_to()
        ),
    };
    let language = match (args.language, path) {
        (Some(language), _) => language.language(),
        (None, Some(path)) => Language::from_path(path),
        (None, None) => Language::Plain,
    };
    let glossary = args
        .projects
        .glossary_for(path)
        .map_err(|broken| anyhow::anyhow!("{}", broken.message))?;
    let glossary = glossary.as_deref();
    // The project's `[settings]`: its LaTeX commands and environments, and the classes it shows;
    // a LaTeX file's project macros.
    let extract = args.projects.extract_options(glossary, path, &text);
    let settings = project::feature_settings(glossary);
    // The one pipeline: extraction, the model, guards, glossary, ignore comments, the map.
    let (mut analyses, inferred) = match analysis::analyze_texts(
        tagger,
        &[text.as_str()],
        language,
        &extract,
        options,
        glossary,
        args.link,
    ) {
        Ok(result) => result,
        Err(error) => {
            model_failure(error)?;
            return Ok(None);
        }
    };
    let mut analysis = analyses.pop().context("the pipeline returned no result")?;
    let keep: Vec<bool> = analysis
        .entities
        .iter()
        .map(|entity| settings.is_enabled(&entity.label))
        .collect();
    let mut flags = keep.iter();
    analysis
        .entities
        .retain(|_| flags.next().copied().unwrap_or(false));
    let mut flags = keep.iter();
    analysis
        .placements
        .retain(|_| flags.next().copied().unwrap_or(false));
    Ok(Some((
        Input {
            name,
            text,
            language,
            analysis,
            settings,
        },
        inferred,
    )))
}

fn write_output(
    args: &Args,
    tagger: &ModelSet,
    options: &DecodeChoice,
    inputs: &[Input],
) -> std::io::Result<()> {
    // The JSON names one decoding: the first model's (models used together may differ).
    let decoding = options.resolve(tagger.recommended_decode());
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let tagged: Vec<export::Tagged<'_>> = inputs
        .iter()
        .map(|input| export::Tagged {
            name: &input.name,
            text: &input.text,
            analysis: &input.analysis,
            model: tagger.name(),
        })
        .collect();
    match args.format {
        Format::Json => {
            let documents: Vec<serde_json::Value> = inputs
                .iter()
                .map(|input| {
                    let entities = entities_json(&input.text, &input.analysis.entities);
                    serde_json::json!({
                        "file": input.name,
                        "language": input.language.as_str(),
                        "model": tagger.name(),
                        "decode": decoding.decode.as_str(),
                        "aggregation": decoding.aggregation.as_str(),
                        "entities": entities,
                    })
                })
                .collect();
            // One input: its document; several: an array of them.
            let value = match <[serde_json::Value; 1]>::try_from(documents) {
                Ok([document]) => document,
                Err(documents) => serde_json::Value::from(documents),
            };
            serde_json::to_writer_pretty(&mut out, &value).map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        Format::Text => {
            for input in inputs {
                let lines = TextLines::new(&input.text);
                for located in located(input) {
                    write_text_line(&mut out, &input.name, &located, &input.text, &lines)?;
                }
            }
        }
        Format::Jsonl => {
            for input in inputs {
                let document = serde_json::json!({
                    "file": input.name,
                    "language": input.language.as_str(),
                    "entities": entities_json(&input.text, &input.analysis.entities),
                });
                writeln!(out, "{document}")?;
            }
        }
        Format::Conll => {
            for input in inputs {
                for (index, paragraph) in input.analysis.paragraphs.iter().enumerate() {
                    let entities: Vec<(Range<usize>, &str)> = input
                        .analysis
                        .entities
                        .iter()
                        .zip(&input.analysis.placements)
                        .filter(|(_, placement)| placement.paragraph == index)
                        .map(|(entity, placement)| (placement.prose.clone(), entity.label.as_str()))
                        .collect();
                    write_conll(&mut out, &paragraph.prose, &paragraph.sentences, &entities)?;
                }
            }
        }
        Format::BiocXml => out.write_all(export::bioc_xml(&tagged).as_bytes())?,
        Format::BiocJson => {
            serde_json::to_writer_pretty(&mut out, &export::bioc_json(&tagged))
                .map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        Format::Pubtator => out.write_all(export::pubtator(&tagged).as_bytes())?,
        Format::Html => {
            let threshold = inputs
                .first()
                .map_or(crate::features::DEFAULT_CONFIDENCE_THRESHOLD, |input| {
                    input.settings.confidence_threshold
                });
            let pages: Vec<(export::Tagged<'_>, Vec<export::HtmlFinding>)> = inputs
                .iter()
                .zip(tagged)
                .map(|(input, tagged)| {
                    let findings = super::check::document_findings(
                        &input.name,
                        &input.text,
                        &input.analysis,
                        &input.settings,
                    )
                    .into_iter()
                    .map(|finding| finding.for_html())
                    .collect();
                    (tagged, findings)
                })
                .collect();
            out.write_all(export::html(&pages, threshold).as_bytes())?;
        }
        Format::Brat => {
            let directory = args.output.as_deref().unwrap_or(std::path::Path::new("."));
            std::fs::create_dir_all(directory)?;
            let mut used = std::collections::HashSet::new();
            for tagged in &tagged {
                let stem = brat_stem(tagged.name, &mut used);
                let (text, ann) = export::brat(tagged);
                write_atomically(&directory.join(format!("{stem}.txt")), &text)?;
                write_atomically(&directory.join(format!("{stem}.ann")), &ann)?;
                writeln!(out, "{}", directory.join(format!("{stem}.ann")).display())?;
            }
        }
    }
    out.flush()
}

/// The JSON of `entities` (sorted by start) of `text`, with character offsets beside the byte
/// offsets (counted in one pass).
fn entities_json(text: &str, entities: &[analysis::SourceEntity]) -> Vec<serde_json::Value> {
    let lines = TextLines::new(text);
    let (mut byte, mut chars) = (0, 0);
    let mut char_at = |offset: usize| {
        let offset = offset.min(text.len());
        if offset >= byte {
            chars += text
                .get(byte..offset)
                .map_or(0, |part| part.chars().count());
        } else {
            chars = text.get(..offset).map_or(0, |part| part.chars().count());
        }
        byte = offset;
        chars
    };
    entities
        .iter()
        .map(|entity| {
            let located = Located {
                entity,
                source: entity.range.clone(),
            };
            let mut value = entity_json(&located, text, &lines);
            value["char_start"] = serde_json::Value::from(char_at(entity.range.start));
            value["char_end"] = serde_json::Value::from(char_at(entity.range.end));
            value
        })
        .collect()
}

/// `scitag tag --input-format jsonl --format jsonl`: JSON lines `{"id", "text"}` in, one line
/// `{"id", "entities"}` out per document, in input order, in batches of [`JSONL_BATCH`] documents
/// (flushed after each). A line that is not such an object is reported with its number and
/// skipped; the run goes on and exits 1 at the end.
fn stream_jsonl(
    args: &Args,
    tagger: &ModelSet,
    options: &DecodeChoice,
) -> anyhow::Result<ExitCode> {
    use std::io::BufRead;
    // Only `--glossary` applies: stdin has no place in a project.
    let mut projects = Projects::new(args.glossary.as_deref(), args.no_glossary);
    let glossary = projects
        .glossary_for(None)
        .map_err(|broken| anyhow::anyhow!("{}", broken.message))?;
    let glossary = glossary.as_deref();
    let extract = projects.extract_options(glossary, None, "");
    let settings = project::feature_settings(glossary);
    let language = args.language.map_or(Language::Plain, LanguageArg::language);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failures = 0usize;
    let mut batch: Vec<(serde_json::Value, String)> = Vec::with_capacity(JSONL_BATCH);
    let flush = |batch: &mut Vec<(serde_json::Value, String)>,
                 out: &mut std::io::BufWriter<std::io::StdoutLock<'_>>|
     -> anyhow::Result<Option<ExitCode>> {
        if batch.is_empty() {
            return Ok(None);
        }
        let texts: Vec<&str> = batch.iter().map(|(_, text)| text.as_str()).collect();
        let (analyses, _) = match analysis::analyze_texts(
            tagger,
            &texts,
            language,
            &extract,
            options,
            glossary,
            !args.no_link,
        ) {
            Ok(result) => result,
            Err(error) => return model_failure(error).map(Some),
        };
        for ((id, text), analysis) in batch.iter().zip(analyses) {
            let shown: Vec<analysis::SourceEntity> = analysis
                .entities
                .into_iter()
                .filter(|entity| settings.is_enabled(&entity.label))
                .collect();
            let line = serde_json::json!({ "id": id, "entities": entities_json(text, &shown) });
            writeln!(out, "{line}")?;
        }
        out.flush()?;
        batch.clear();
        Ok(None)
    };
    let stdin = std::io::stdin();
    for (index, line) in stdin.lock().split(b'\n').enumerate() {
        let number = index + 1;
        let bytes = line.context("reading stdin")?;
        let parsed = std::str::from_utf8(&bytes)
            .map_err(|error| format!("not UTF-8 (byte {})", error.valid_up_to()))
            .and_then(|line| {
                if line.trim().is_empty() {
                    return Ok(None);
                }
                let value: serde_json::Value =
                    serde_json::from_str(line).map_err(|error| format!("not JSON: {error}"))?;
                let text = value
                    .get("text")
                    .and_then(serde_json::Value::as_str)
                    .ok_or("no \"text\" string")?
                    .to_owned();
                let id = match value.get("id") {
                    Some(id @ (serde_json::Value::String(_) | serde_json::Value::Number(_))) => {
                        id.clone()
                    }
                    None => serde_json::Value::from(number),
                    Some(_) => return Err("\"id\" is not a string or a number".to_owned()),
                };
                Ok(Some((id, text)))
            });
        match parsed {
            Ok(Some(document)) => batch.push(document),
            Ok(None) => {}
            Err(why) => {
                eprintln!("scitag: error: stdin line {number}: {why}; skipped");
                failures += 1;
            }
        }
        if batch.len() >= JSONL_BATCH
            && let Some(code) = flush(&mut batch, &mut out)?
        {
            return Ok(code);
        }
    }
    if let Some(code) = flush(&mut batch, &mut out)? {
        return Ok(code);
    }
    Ok(if failures > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The entities of `input` with their source ranges, for the per-entity formats.
fn located(input: &Input) -> Vec<Located<'_>> {
    input
        .analysis
        .entities
        .iter()
        .map(|entity| Located {
            entity,
            source: entity.range.clone(),
        })
        .collect()
}

/// A brat file name for a document: its file stem (`stdin` for `-`), made unique with `-2`, `-3` …
fn brat_stem(name: &str, used: &mut std::collections::HashSet<String>) -> String {
    let stem = if name == "-" {
        "stdin".to_owned()
    } else {
        std::path::Path::new(name)
            .file_stem()
            .and_then(|stem| stem.to_str())
            .unwrap_or("document")
            .to_owned()
    };
    export::unique_name(&stem, used)
}

/// Writes through a temporary file in the same directory and a rename: a reader never sees half a file.
fn write_atomically(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, contents)?;
    std::fs::rename(&temporary, path)
}

fn entity_json(located: &Located<'_>, text: &str, lines: &TextLines) -> serde_json::Value {
    let (line, column) = lines.position(text, located.source.start);
    let (end_line, end_column) = lines.position(text, located.source.end);
    let alternatives: Vec<serde_json::Value> = located
        .entity
        .alternatives
        .iter()
        .map(|alternative| serde_json::json!({"label": alternative.label, "probability": round(alternative.probability)}))
        .collect();
    let mut value = serde_json::json!({
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
    });
    // `--aggregation none`: each entity is one token, with its label as the Hugging Face
    // pipeline reports it (`B-cell_type`); `label` stays the class.
    if let Some(tag) = &located.entity.tag {
        value["tag"] = serde_json::Value::from(tag.as_str());
    }
    // The database link (docs/LINKING.md): the identifier when there is one best candidate, and
    // every candidate with the linker's status.
    if let Some(linking) = located.entity.link.as_deref() {
        if let Some(id) = linking.identifier() {
            value["identifier"] = serde_json::Value::from(id);
        }
        let candidates: Vec<serde_json::Value> = linking
            .candidates
            .iter()
            .map(|candidate| serde_json::json!({"id": candidate.id, "name": candidate.name}))
            .collect();
        value["link"] = serde_json::json!({
            "status": format!("{:?}", linking.status).to_lowercase(),
            "candidates": candidates,
        });
    }
    value
}

/// `FILE:LINE:COLUMN  class  score%  "text"  (runner-up class score%)`.
fn write_text_line(
    out: &mut impl Write,
    name: &str,
    located: &Located<'_>,
    text: &str,
    lines: &TextLines,
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
    entities: &[(Range<usize>, &str)],
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
                .position(|(range, _)| range.start < word.end && word.start < range.end);
            let label = match entity {
                Some(index) if previous == Some(index) => format!("I-{}", entities[index].1),
                Some(index) => format!("B-{}", entities[index].1),
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
}
