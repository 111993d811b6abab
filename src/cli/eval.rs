//! `scitag eval`: score a model on a CoNLL file, in the reference model card's format, or on
//! span-annotated JSON lines (exact and overlap P/R/F1, false highlights per 1,000 words).

use std::io::Write;
use std::ops::Range;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::tag::{ModelArgs, model_failure};
use crate::analysis;
use crate::eval::spans;
use crate::eval::{self, Document, Sentence};
use crate::glossary::Glossary;
use crate::ner::WordsInput;
use crate::prose::{ExtractOptions, Language};

/// Inputs handed to the tagger at once (bounds memory; the tagger batches inside).
const INPUTS_PER_CALL: usize = 256;

#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Span level: exact match of (class, first word, last word), IOB2, as Python seqeval's default
classification_report (a chunk also starts at I-X after O or after another class).

Word level: each word's class is its label without B-/I-. For each entity class c, precision =
words predicted c whose gold class is c / words predicted c; recall = the same / words whose gold
class is c; support = words whose gold class is c. Words that are O in both count for nothing.
Micro pools the counts; macro averages the classes; weighted weights them by support.

Each word's label comes from its first word piece (the reference model was trained with labels on
the first sub-word).

Span-annotated JSON lines (--data FILE.jsonl): one object per line, {\"text\": ..., \"entities\":
[{\"start\": ..., \"end\": ..., \"label\": ...}]}, character offsets, end exclusive, optional \"kind\"
and \"id\" (spaCy / doccano style). Each text is tagged as plain text, through the same pipeline as
`scitag tag` (guards included), alone: its entities never depend on the other lines. Reported for all
predictions and for those scored at or above --threshold: exact-span and same-class overlap P/R/F1,
micro and per class, and false highlights (predictions that overlap no gold entity) per 1,000
words, on the texts without entities and per kind.")]
pub struct Args {
    /// CoNLL file (`token<TAB>label` per line, a blank line between sentences), or span-annotated
    /// JSON lines (`.jsonl`, see below).
    #[arg(long, value_name = "FILE.tsv|FILE.jsonl")]
    pub data: PathBuf,
    /// JSON lines: apply this project glossary (`scitag.toml`) to the predictions.
    #[arg(long, value_name = "scitag.toml")]
    pub glossary: Option<PathBuf>,
    /// JSON lines: the score threshold of the second report (default: the editor's low-confidence
    /// threshold).
    #[arg(long, value_name = "SCORE", default_value_t = crate::features::DEFAULT_CONFIDENCE_THRESHOLD)]
    pub threshold: f32,
    /// Abstract boundaries (`medline_id first_sentence n_sentences` per line): the sentences of one
    /// abstract are tagged as one text, so the model's context packing applies (how scitag reads a
    /// paragraph). Without it every sentence is tagged alone.
    #[arg(long, value_name = "FILE.docs.tsv")]
    pub docs: Option<PathBuf>,
    /// Score the labels in the last column of this CoNLL file (aligned with --data) instead of
    /// running a model.
    #[arg(long, value_name = "FILE.tsv", conflicts_with_all = ["model", "decode", "aggregation"])]
    pub predictions: Option<PathBuf>,
    /// Only the first N sentences (whole abstracts with --docs).
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Write the predictions as CoNLL (`token<TAB>gold<TAB>predicted`) to this file.
    #[arg(long, value_name = "FILE")]
    pub write_predictions: Option<PathBuf>,
    /// Print JSON instead of the tables.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub model: ModelArgs,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let data = std::fs::read_to_string(&args.data)
        .with_context(|| format!("reading {}", args.data.display()))?;
    if is_jsonl(&args.data, &data) {
        return run_spans(&args, &data);
    }
    let mut sentences = eval::read_conll(&data)
        .map_err(|error| anyhow::anyhow!("{}: {error}", args.data.display()))?;
    let mut documents = match &args.docs {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            let documents = eval::read_documents(&text)
                .map_err(|error| anyhow::anyhow!("{}: {error}", path.display()))?;
            check_documents(&documents, sentences.len())
                .map_err(|error| anyhow::anyhow!("{}: {error}", path.display()))?;
            Some(documents)
        }
        None => None,
    };
    if let Some(limit) = args.limit {
        // Whole abstracts only: an abstract the limit would cut is left out.
        let mut end = limit.min(sentences.len());
        if let Some(documents) = documents.as_mut() {
            if let Some(cut) = documents.iter().find(|document| {
                document.first_sentence < end && document.first_sentence + document.sentences > end
            }) {
                end = cut.first_sentence;
            }
            documents.retain(|document| document.first_sentence + document.sentences <= end);
        }
        sentences.truncate(end);
    }
    if sentences.is_empty() {
        anyhow::bail!("{} has no sentences", args.data.display());
    }

    let classes = eval::data_classes(sentences.iter().flat_map(|sentence| &sentence.labels));
    let started = std::time::Instant::now();
    let (mut predicted, model_description) = match &args.predictions {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            let mut predicted = eval::read_conll(&text)
                .map_err(|error| anyhow::anyhow!("{}: {error}", path.display()))?;
            predicted.truncate(sentences.len());
            check_aligned(&sentences, &predicted)
                .map_err(|error| anyhow::anyhow!("{}: {error}", path.display()))?;
            (
                predicted
                    .into_iter()
                    .map(|sentence| sentence.labels)
                    .collect::<Vec<_>>(),
                format!("predictions from {}", path.display()),
            )
        }
        None => {
            let tagger = match args.model.load() {
                Ok(tagger) => tagger,
                Err(error) => return model_failure(error),
            };
            let options = args.model.decode_options(&tagger);
            // A multi-head model is scored by the head that speaks the data's classes.
            let head_classes: Vec<&[String]> = (0..tagger.head_names().len())
                .map(|head| tagger.head_classes(head))
                .collect();
            let head = eval::best_head(&head_classes, &classes);
            let groups = group_sentences(&sentences, documents.as_deref());
            let mut predicted: Vec<Vec<String>> = vec![Vec::new(); sentences.len()];
            for chunk in groups.chunks(INPUTS_PER_CALL) {
                let texts: Vec<GroupText> = chunk
                    .iter()
                    .map(|group| GroupText::new(&sentences, group.clone()))
                    .collect();
                let inputs: Vec<WordsInput<'_>> = texts
                    .iter()
                    .map(|text| WordsInput {
                        text: &text.text,
                        sentences: &text.sentences,
                        words: &text.words,
                    })
                    .collect();
                let labels = match tagger.label_words(&inputs, &options, head) {
                    Ok(labels) => labels,
                    Err(error) => return model_failure(error),
                };
                for (group, labels) in chunk.iter().zip(labels) {
                    let mut labels = labels.into_iter();
                    for index in group.clone() {
                        predicted[index] =
                            labels.by_ref().take(sentences[index].words.len()).collect();
                    }
                }
            }
            let context = match tagger.context_max_tokens() {
                Some(tokens) if documents.is_some() => {
                    format!("abstracts packed into windows of {tokens} pieces")
                }
                Some(_) => "one sentence per window (no --docs)".to_string(),
                None => "one sentence per window".to_string(),
            };
            let head_name = match tagger.head_names() {
                names if names.len() > 1 => format!(", head {}", names[head]),
                _ => String::new(),
            };
            (
                predicted,
                format!(
                    "{}{head_name}, decode {} / {}, {context}",
                    tagger.name(),
                    options.decode,
                    options.aggregation
                ),
            )
        }
    };
    let unscored = eval::align_labels(&mut predicted, &classes);
    let model_description = if unscored.is_empty() {
        model_description
    } else {
        format!(
            "{model_description}; not scored, the data does not annotate them: {}",
            unscored.join(", ")
        )
    };
    let seconds = started.elapsed().as_secs_f64();
    let gold: Vec<Vec<String>> = sentences
        .iter()
        .map(|sentence| sentence.labels.clone())
        .collect();
    let span = eval::span_report(&gold, &predicted);
    let word = eval::word_report(&gold, &predicted);
    let word_count: usize = sentences.iter().map(|sentence| sentence.words.len()).sum();

    if let Some(path) = &args.write_predictions {
        let mut text = String::new();
        for (sentence, labels) in sentences.iter().zip(&predicted) {
            for ((token, gold), predicted) in
                sentence.words.iter().zip(&sentence.labels).zip(labels)
            {
                text.push_str(&format!("{token}\t{gold}\t{predicted}\n"));
            }
            text.push('\n');
        }
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = if args.json {
        let document = serde_json::json!({
            "data": args.data.display().to_string(),
            "model": model_description,
            "sentences": sentences.len(),
            "words": word_count,
            "seconds": seconds,
            "words_per_second": word_count as f64 / seconds.max(1e-9),
            "span": eval::report_json(&span),
            "word": eval::report_json(&word),
        });
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&document).unwrap_or_default()
        )
    } else {
        writeln!(
            out,
            "{}: {} sentences, {word_count} words\nmodel: {model_description}\n\nspan level (exact match, IOB2, seqeval default)\n{}\nword level (class of each word, B-/I- stripped; O words not scored)\n{}\n{word_count} words in {seconds:.1} s ({:.0} words/s)",
            args.data.display(),
            sentences.len(),
            eval::format_report(&span, 4),
            eval::format_report(&word, 4),
            word_count as f64 / seconds.max(1e-9),
        )
    };
    report_written(written)
}

fn check_documents(documents: &[Document], sentence_count: usize) -> Result<(), String> {
    let mut next = 0;
    for document in documents {
        if document.first_sentence < next
            || document.first_sentence + document.sentences > sentence_count
        {
            return Err(format!(
                "document {} (sentences {}..{}) overlaps another or runs past the {sentence_count} sentences of the data",
                document.id,
                document.first_sentence,
                document.first_sentence + document.sentences
            ));
        }
        next = document.first_sentence + document.sentences;
    }
    Ok(())
}

fn check_aligned(gold: &[Sentence], predicted: &[Sentence]) -> Result<(), String> {
    if gold.len() != predicted.len() {
        return Err(format!(
            "{} sentences, the data has {}",
            predicted.len(),
            gold.len()
        ));
    }
    for (index, (gold, predicted)) in gold.iter().zip(predicted).enumerate() {
        if gold.words.len() != predicted.words.len() {
            return Err(format!(
                "sentence {} has {} words, the data has {}",
                index + 1,
                predicted.words.len(),
                gold.words.len()
            ));
        }
    }
    Ok(())
}

/// Sentence index ranges tagged as one text: an abstract each with documents, else one sentence.
fn group_sentences(sentences: &[Sentence], documents: Option<&[Document]>) -> Vec<Range<usize>> {
    let Some(documents) = documents else {
        return (0..sentences.len()).map(|index| index..index + 1).collect();
    };
    let mut groups = Vec::new();
    let mut next = 0;
    for document in documents {
        let range = document.first_sentence..document.first_sentence + document.sentences;
        if range.end > sentences.len() {
            break;
        }
        groups.extend((next..range.start).map(|index| index..index + 1));
        if !range.is_empty() {
            groups.push(range.clone());
        }
        next = range.end;
    }
    groups.extend((next..sentences.len()).map(|index| index..index + 1));
    groups
}

/// The text of some sentences: tokens joined by spaces, sentences by a space.
struct GroupText {
    text: String,
    sentences: Vec<Range<usize>>,
    words: Vec<Range<usize>>,
}

impl GroupText {
    fn new(sentences: &[Sentence], group: Range<usize>) -> GroupText {
        let mut text = String::new();
        let mut ranges = Vec::new();
        let mut words = Vec::new();
        for sentence in &sentences[group] {
            if !text.is_empty() {
                text.push(' ');
            }
            let start = text.len();
            for (index, word) in sentence.words.iter().enumerate() {
                if index > 0 {
                    text.push(' ');
                }
                words.push(text.len()..text.len() + word.len());
                text.push_str(word);
            }
            ranges.push(start..text.len());
        }
        GroupText {
            text,
            sentences: ranges,
            words,
        }
    }
}

/// Span-annotated JSON lines: by extension, else by a first non-blank character `{`.
fn is_jsonl(path: &std::path::Path, data: &str) -> bool {
    match path.extension().and_then(|extension| extension.to_str()) {
        Some("jsonl" | "ndjson") => true,
        Some("tsv" | "conll" | "txt" | "iob" | "bio") => false,
        _ => data.trim_start().starts_with('{'),
    }
}

/// `scitag eval --data FILE.jsonl`.
fn run_spans(args: &Args, data: &str) -> anyhow::Result<ExitCode> {
    if args.predictions.is_some() || args.docs.is_some() {
        anyhow::bail!(
            "--predictions and --docs are for CoNLL data; {} is span-annotated JSON lines",
            args.data.display()
        );
    }
    let mut records = spans::read_jsonl(data)
        .map_err(|error| anyhow::anyhow!("{}: {error}", args.data.display()))?;
    if let Some(limit) = args.limit {
        records.truncate(limit);
    }
    if records.is_empty() {
        anyhow::bail!("{} has no records", args.data.display());
    }
    let tagger = match args.model.load() {
        Ok(tagger) => tagger,
        Err(error) => return model_failure(error),
    };
    let options = args.model.decode_options(&tagger);
    let glossary = match &args.glossary {
        Some(path) => Some(Glossary::load(path).map_err(|error| anyhow::anyhow!("{error}"))?),
        None => None,
    };
    let started = std::time::Instant::now();
    let mut predicted = Vec::with_capacity(records.len());
    for chunk in records.chunks(INPUTS_PER_CALL) {
        let texts: Vec<&str> = chunk.iter().map(|record| record.text.as_str()).collect();
        let (entities, _) = match analysis::tag_texts(
            &tagger,
            &texts,
            Language::Plain,
            &ExtractOptions::default(),
            &args.model.decode_choice(),
            glossary.as_ref(),
        ) {
            Ok(result) => result,
            Err(error) => return model_failure(error),
        };
        for (text, entities) in texts.iter().zip(entities) {
            predicted.push(
                entities
                    .into_iter()
                    .map(|entity| spans::Prediction {
                        start: spans::char_offset(text, entity.range.start),
                        end: spans::char_offset(text, entity.range.end),
                        label: entity.label,
                        score: entity.score,
                    })
                    .collect::<Vec<_>>(),
            );
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    // Classes the data does not annotate can be neither right nor wrong: not scored.
    let classes = eval::data_classes(
        records
            .iter()
            .flat_map(|record| record.entities.iter().map(|entity| &entity.label)),
    );
    let mut unscored: Vec<String> = Vec::new();
    // Data without entities keeps every prediction (as `eval::align_labels`).
    if !classes.is_empty() {
        for predictions in &mut predicted {
            predictions.retain_mut(|prediction| {
                match eval::scored_class(&prediction.label, &classes, &mut unscored) {
                    Some(class) => {
                        prediction.label = class.to_string();
                        true
                    }
                    None => false,
                }
            });
        }
    }
    unscored.sort();
    let all = spans::score(&records, &predicted, f32::NEG_INFINITY);
    let confident = spans::score(&records, &predicted, args.threshold);
    let words: usize = records
        .iter()
        .map(|record| record.text.split_whitespace().count())
        .sum();
    let mut model = format!(
        "{}, decode {} / {}, each text alone as plain text",
        tagger.name(),
        options.decode,
        options.aggregation
    );
    if !unscored.is_empty() {
        model.push_str(&format!(
            "; not scored, the data does not annotate them: {}",
            unscored.join(", ")
        ));
    }
    if let Some(path) = &args.write_predictions {
        let mut text = String::new();
        for (record, predictions) in records.iter().zip(&predicted) {
            let entities: Vec<serde_json::Value> = predictions
                .iter()
                .map(|p| {
                    let content: String = record.text.chars().skip(p.start).take(p.end - p.start).collect();
                    serde_json::json!({"start": p.start, "end": p.end, "label": p.label, "score": p.score, "text": content})
                })
                .collect();
            let mut line = serde_json::json!({"text": record.text, "entities": entities});
            if let Some(id) = &record.id {
                line["id"] = serde_json::Value::from(id.clone());
            }
            text.push_str(&line.to_string());
            text.push('\n');
        }
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = if args.json {
        let document = serde_json::json!({
            "data": args.data.display().to_string(),
            "model": model,
            "records": records.len(),
            "words": words,
            "seconds": seconds,
            "all": spans::scores_json(&all),
            "threshold": args.threshold,
            "at_threshold": spans::scores_json(&confident),
        });
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&document).unwrap_or_default()
        )
    } else {
        writeln!(
            out,
            "{}: {} texts, {words} words\nmodel: {model}\n\nall predictions\n{}\nscore >= {:.2}\n{}\n{words} words in {seconds:.1} s",
            args.data.display(),
            records.len(),
            spans::format_scores(&all),
            args.threshold,
            spans::format_scores(&confident),
        )
    };
    report_written(written)
}

/// The exit status once the report is written: a closed pipe (`scitag eval … | head`) is no failure.
fn report_written(written: std::io::Result<()>) -> anyhow::Result<ExitCode> {
    match written {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(error) => Err(error).context("writing the report"),
    }
}
