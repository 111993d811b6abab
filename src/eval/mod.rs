//! Scoring a tagger on a CoNLL file: span-level precision/recall/F1 exactly as Python's `seqeval`
//! computes them by default, and word-level scores.
//!
//! Span level (seqeval's default, "conlleval" chunking): a chunk starts at `B-X`, at `I-X` after `O`
//! or after another type, and ends before `O`, `B-`, or a change of type. A predicted chunk counts
//! when its type, first and last word equal a gold chunk's. Sentences are joined with an `O` between
//! them, as seqeval does.
//!
//! Word level: each word has a class, its label without `B-`/`I-` (`O` for none). For every entity
//! class `c`: precision = words predicted `c` whose gold class is `c` / words predicted `c`; recall =
//! the same count / words whose gold class is `c`; support = words whose gold class is `c`. Words that
//! are `O` in both count for nothing. Averages as for spans (micro: pooled counts; macro: mean over
//! classes; weighted: weighted by support). This is scikit-learn's `classification_report` over the
//! flattened word classes with `labels` = the entity classes.

pub mod spans;

use std::collections::{BTreeMap, BTreeSet, HashSet};

/// One sentence of a CoNLL file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    pub words: Vec<String>,
    pub labels: Vec<String>,
}

/// Reads CoNLL: one `token<TAB>label` per line (more columns allowed: the first is the token, the
/// last the label), a blank line between sentences, `-DOCSTART-` lines ignored.
pub fn read_conll(text: &str) -> Result<Vec<Sentence>, String> {
    let mut sentences = Vec::new();
    let mut current = Sentence {
        words: Vec::new(),
        labels: Vec::new(),
    };
    for (number, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            if !current.words.is_empty() {
                sentences.push(std::mem::replace(
                    &mut current,
                    Sentence {
                        words: Vec::new(),
                        labels: Vec::new(),
                    },
                ));
            }
            continue;
        }
        if line.starts_with("-DOCSTART-") {
            continue;
        }
        let fields: Vec<&str> = if line.contains('\t') {
            line.split('\t').collect()
        } else {
            line.split_whitespace().collect()
        };
        if fields.len() < 2 || fields[0].is_empty() {
            return Err(format!(
                "line {}: expected `token<TAB>label`, found {line:?}",
                number + 1
            ));
        }
        current.words.push(fields[0].to_string());
        current
            .labels
            .push(fields[fields.len() - 1].trim().to_string());
    }
    if !current.words.is_empty() {
        sentences.push(current);
    }
    Ok(sentences)
}

/// One abstract of a `*.docs.tsv` file: `medline_id  first_sentence  n_sentences`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub id: String,
    pub first_sentence: usize,
    pub sentences: usize,
}

/// Reads a document-boundary file (a header line is skipped).
pub fn read_documents(text: &str) -> Result<Vec<Document>, String> {
    let mut documents = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.is_empty() {
            continue;
        }
        let parsed = (fields.len() == 3)
            .then(|| {
                Some((
                    fields[1].parse::<usize>().ok()?,
                    fields[2].parse::<usize>().ok()?,
                ))
            })
            .flatten();
        match parsed {
            Some((first_sentence, sentences)) => documents.push(Document {
                id: fields[0].to_string(),
                first_sentence,
                sentences,
            }),
            None if number == 0 => continue, // header
            None => {
                return Err(format!(
                    "line {}: expected `medline_id first_sentence n_sentences`, found {line:?}",
                    number + 1
                ));
            }
        }
    }
    Ok(documents)
}

/// Precision, recall, F1 and support of one row.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Row {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

/// A classification report: per-class rows (sorted by class name) and the three averages.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    pub classes: Vec<(String, Row)>,
    pub micro: Row,
    pub macro_average: Row,
    pub weighted: Row,
}

/// `(type, first word, last word)` chunks of a label sequence, seqeval's default `get_entities`.
pub fn chunks(labels: &[String]) -> Vec<(String, usize, usize)> {
    let mut chunks = Vec::new();
    let mut previous_tag = 'O';
    let mut previous_type = String::new();
    let mut begin = 0;
    let outside = "O".to_string();
    for (index, label) in labels.iter().chain(std::iter::once(&outside)).enumerate() {
        let tag = label.chars().next().unwrap_or('O');
        let rest = label.get(tag.len_utf8()..).unwrap_or("");
        let kind = match rest.split_once('-') {
            Some((_, kind)) => kind,
            None => rest,
        };
        let kind = if kind.is_empty() { "_" } else { kind };
        if end_of_chunk(previous_tag, tag, &previous_type, kind) {
            chunks.push((previous_type.clone(), begin, index - 1));
        }
        if start_of_chunk(previous_tag, tag, &previous_type, kind) {
            begin = index;
        }
        previous_tag = tag;
        previous_type = kind.to_string();
    }
    chunks
}

fn end_of_chunk(previous: char, tag: char, previous_type: &str, kind: &str) -> bool {
    matches!(previous, 'E' | 'S')
        || (matches!(previous, 'B' | 'I') && matches!(tag, 'B' | 'S' | 'O'))
        || (previous != 'O' && previous != '.' && previous_type != kind)
}

fn start_of_chunk(previous: char, tag: char, previous_type: &str, kind: &str) -> bool {
    matches!(tag, 'B' | 'S')
        || (matches!(previous, 'E' | 'S' | 'O') && matches!(tag, 'E' | 'I'))
        || (tag != 'O' && tag != '.' && previous_type != kind)
}

fn flatten(sentences: &[Vec<String>]) -> Vec<String> {
    let mut flat = Vec::new();
    for sentence in sentences {
        flat.extend(sentence.iter().cloned());
        flat.push("O".to_string());
    }
    flat
}

fn divide(numerator: f64, denominator: f64) -> f64 {
    if denominator == 0.0 {
        0.0
    } else {
        numerator / denominator
    }
}

fn row(true_positives: usize, predicted: usize, support: usize) -> Row {
    let precision = divide(true_positives as f64, predicted as f64);
    let recall = divide(true_positives as f64, support as f64);
    Row {
        precision,
        recall,
        f1: divide(2.0 * precision * recall, precision + recall),
        support,
    }
}

/// Builds a report from per-class `(true positives, predicted, support)` counts.
fn report(counts: BTreeMap<String, (usize, usize, usize)>) -> Report {
    let classes: Vec<(String, Row)> = counts
        .iter()
        .map(|(name, &(tp, predicted, support))| (name.clone(), row(tp, predicted, support)))
        .collect();
    let (tp, predicted, support) = counts.values().fold((0, 0, 0), |total, count| {
        (total.0 + count.0, total.1 + count.1, total.2 + count.2)
    });
    let count = classes.len().max(1) as f64;
    let macro_average = Row {
        precision: classes.iter().map(|(_, row)| row.precision).sum::<f64>() / count,
        recall: classes.iter().map(|(_, row)| row.recall).sum::<f64>() / count,
        f1: classes.iter().map(|(_, row)| row.f1).sum::<f64>() / count,
        support,
    };
    let weight = |value: fn(&Row) -> f64| {
        divide(
            classes
                .iter()
                .map(|(_, row)| value(row) * row.support as f64)
                .sum::<f64>(),
            support as f64,
        )
    };
    let weighted = Row {
        precision: weight(|row| row.precision),
        recall: weight(|row| row.recall),
        f1: weight(|row| row.f1),
        support,
    };
    Report {
        classes,
        micro: row(tp, predicted, support),
        macro_average,
        weighted,
    }
}

/// Span-level report, as `seqeval.metrics.classification_report(gold, predicted)` (default mode).
pub fn span_report(gold: &[Vec<String>], predicted: &[Vec<String>]) -> Report {
    let gold_chunks: HashSet<(String, usize, usize)> = chunks(&flatten(gold)).into_iter().collect();
    let predicted_chunks: HashSet<(String, usize, usize)> =
        chunks(&flatten(predicted)).into_iter().collect();
    let names: BTreeSet<&String> = gold_chunks
        .iter()
        .chain(&predicted_chunks)
        .map(|chunk| &chunk.0)
        .collect();
    let counts = names
        .into_iter()
        .map(|name| {
            let support = gold_chunks.iter().filter(|chunk| &chunk.0 == name).count();
            let predicted = predicted_chunks
                .iter()
                .filter(|chunk| &chunk.0 == name)
                .count();
            let tp = predicted_chunks
                .iter()
                .filter(|chunk| &chunk.0 == name && gold_chunks.contains(*chunk))
                .count();
            (name.clone(), (tp, predicted, support))
        })
        .collect();
    report(counts)
}

/// The class of a label: without `B-`/`I-` (`O` stays `O`).
pub fn class_of(label: &str) -> &str {
    label
        .strip_prefix("B-")
        .or_else(|| label.strip_prefix("I-"))
        .unwrap_or(label)
}

/// The data's entity classes: every class of `labels` but `O`.
pub fn data_classes<'a>(labels: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    let mut classes: Vec<String> = Vec::new();
    for label in labels {
        let class = class_of(label);
        if class != "O" && !class.is_empty() && !classes.iter().any(|known| known == class) {
            classes.push(class.to_string());
        }
    }
    classes.sort();
    classes
}

/// Which of a model's heads to score against data annotated with `data`: the one sharing the most
/// classes with it (compared without case: BC5CDR writes `Chemical`, a model `chemical`), then the
/// one with the fewest classes the data lacks, then the first (also when none shares a class).
pub fn best_head(heads: &[&[String]], data: &[String]) -> usize {
    let mut best = (0, 0usize, usize::MAX);
    for (index, classes) in heads.iter().enumerate() {
        let shared = classes
            .iter()
            .filter(|class| data.iter().any(|d| d.eq_ignore_ascii_case(class)))
            .count();
        let extra = classes.len() - shared;
        if shared > best.1 || (shared == best.1 && extra < best.2) {
            best = (index, shared, extra);
        }
    }
    if best.1 == 0 { 0 } else { best.0 }
}

/// A predicted class in the data's spelling (compared without case), or `None` when the data does
/// not annotate it: such predictions can be neither right nor wrong, so they are not scored, and
/// the class is recorded in `unscored` (once).
pub fn scored_class<'a>(
    class: &str,
    data: &'a [String],
    unscored: &mut Vec<String>,
) -> Option<&'a str> {
    let known = data
        .iter()
        .find(|known| known.eq_ignore_ascii_case(class))
        .map(String::as_str);
    if known.is_none() && !unscored.iter().any(|other| other == class) {
        unscored.push(class.to_string());
    }
    known
}

/// Predicted labels (`B-X`, `I-X`, `X`, `O`) rewritten into the data's classes ([`data_class`]):
/// labels of classes the data does not annotate become `O`. Returns those classes, sorted. Data
/// without any entity annotates nothing to compare with, so then every prediction is kept.
pub fn align_labels(predicted: &mut [Vec<String>], data: &[String]) -> Vec<String> {
    let mut ignored: Vec<String> = Vec::new();
    if data.is_empty() {
        return ignored;
    }
    for label in predicted.iter_mut().flatten() {
        let class = class_of(label);
        if class == "O" {
            continue;
        }
        let prefix = &label[..label.len() - class.len()];
        match scored_class(class, data, &mut ignored) {
            Some(known) if known == class => {}
            Some(known) => *label = format!("{prefix}{known}"),
            None => *label = "O".to_string(),
        }
    }
    ignored.sort();
    ignored
}

/// Word-level report (see the module documentation).
pub fn word_report(gold: &[Vec<String>], predicted: &[Vec<String>]) -> Report {
    let mut counts: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for (gold_sentence, predicted_sentence) in gold.iter().zip(predicted) {
        for (gold_label, predicted_label) in gold_sentence.iter().zip(predicted_sentence) {
            let gold_class = class_of(gold_label);
            let predicted_class = class_of(predicted_label);
            if gold_class != "O" {
                counts.entry(gold_class.to_string()).or_default().2 += 1;
            }
            if predicted_class != "O" {
                let entry = counts.entry(predicted_class.to_string()).or_default();
                entry.1 += 1;
                if predicted_class == gold_class {
                    entry.0 += 1;
                }
            }
        }
    }
    report(counts)
}

/// The report as seqeval's `StringReporter` prints it (`classification_report(..., digits=4)`):
/// a header, a blank line, the class rows, a blank line, the micro/macro/weighted rows.
pub fn format_report(report: &Report, digits: usize) -> String {
    let name_width = report
        .classes
        .iter()
        .map(|(name, _)| name.chars().count())
        .max()
        .unwrap_or(0);
    let width = name_width.max("weighted avg".len()).max(digits);
    let line = |name: &str, row: &Row| {
        format!(
            "{name:>width$}  {:>9.digits$} {:>9.digits$} {:>9.digits$} {:>9}\n",
            row.precision, row.recall, row.f1, row.support
        )
    };
    let mut text = format!(
        "{:>width$}  {:>9} {:>9} {:>9} {:>9}\n\n",
        "", "precision", "recall", "f1-score", "support"
    );
    for (name, row) in &report.classes {
        text.push_str(&line(name, row));
    }
    text.push('\n');
    text.push_str(&line("micro avg", &report.micro));
    text.push_str(&line("macro avg", &report.macro_average));
    text.push_str(&line("weighted avg", &report.weighted));
    text
}

/// The report as JSON (`{"classes": {name: row}, "micro": row, "macro": row, "weighted": row}`).
pub fn report_json(report: &Report) -> serde_json::Value {
    let row = |row: &Row| serde_json::json!({"precision": row.precision, "recall": row.recall, "f1": row.f1, "support": row.support});
    let classes: serde_json::Map<String, serde_json::Value> = report
        .classes
        .iter()
        .map(|(name, r)| (name.clone(), row(r)))
        .collect();
    serde_json::json!({
        "classes": classes,
        "micro": row(&report.micro),
        "macro": row(&report.macro_average),
        "weighted": row(&report.weighted),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn chunks_follow_seqeval_defaults() {
        assert_eq!(
            chunks(&labels("B-PER I-PER O B-LOC")),
            vec![("PER".to_string(), 0, 1), ("LOC".to_string(), 3, 3)]
        );
        // I- after O starts a chunk; a type change inside ends one.
        assert_eq!(
            chunks(&labels("O I-PER I-LOC B-LOC B-LOC")),
            vec![
                ("PER".to_string(), 1, 1),
                ("LOC".to_string(), 2, 2),
                ("LOC".to_string(), 3, 3),
                ("LOC".to_string(), 4, 4)
            ]
        );
        assert_eq!(
            chunks(&labels("B-cell_type I-cell_type")),
            vec![("cell_type".to_string(), 0, 1)]
        );
    }

    #[test]
    fn seqeval_docstring_example() {
        let gold = vec![
            labels("O O O B-MISC I-MISC I-MISC O"),
            labels("B-PER I-PER O"),
        ];
        let predicted = vec![
            labels("O O B-MISC I-MISC I-MISC I-MISC O"),
            labels("B-PER I-PER O"),
        ];
        let report = span_report(&gold, &predicted);
        assert_eq!(report.classes.len(), 2);
        assert_eq!(
            report.classes[0].1,
            Row {
                precision: 0.0,
                recall: 0.0,
                f1: 0.0,
                support: 1
            }
        );
        assert_eq!(
            report.micro,
            Row {
                precision: 0.5,
                recall: 0.5,
                f1: 0.5,
                support: 2
            }
        );
        let text = format_report(&report, 2);
        let expected = "              precision    recall  f1-score   support\n\n        MISC       0.00      0.00      0.00         1\n         PER       1.00      1.00      1.00         1\n\n   micro avg       0.50      0.50      0.50         2\n   macro avg       0.50      0.50      0.50         2\nweighted avg       0.50      0.50      0.50         2\n";
        assert_eq!(text, expected);
    }

    #[test]
    fn word_level_counts_classes_without_prefixes() {
        let gold = vec![labels("B-protein I-protein O B-DNA")];
        let predicted = vec![labels("I-protein B-protein B-DNA O")];
        let report = word_report(&gold, &predicted);
        let protein = &report
            .classes
            .iter()
            .find(|(name, _)| name == "protein")
            .expect("protein")
            .1;
        assert_eq!(
            (protein.precision, protein.recall, protein.support),
            (1.0, 1.0, 2)
        );
        let dna = &report
            .classes
            .iter()
            .find(|(name, _)| name == "DNA")
            .expect("DNA")
            .1;
        assert_eq!((dna.precision, dna.recall, dna.support), (0.0, 0.0, 1));
        assert!((report.micro.precision - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn predictions_are_scored_in_the_datas_classes_only() {
        let data = data_classes(&labels("O B-Chemical I-Chemical B-Disease O"));
        assert_eq!(data, ["Chemical", "Disease"]);
        let mut predicted = vec![labels("B-chemical I-chemical B-protein O B-species")];
        let ignored = align_labels(&mut predicted, &data);
        assert_eq!(predicted[0], labels("B-Chemical I-Chemical O O O"));
        assert_eq!(ignored, ["protein", "species"]);
        let jnlpba: Vec<String> = ["DNA", "RNA", "cell_line", "cell_type", "protein"]
            .map(String::from)
            .to_vec();
        let bc5cdr = ["chemical".to_string(), "disease".to_string()];
        let ncbi = ["disease".to_string()];
        let linnaeus = ["species".to_string()];
        let heads: [&[String]; 4] = [&jnlpba, &bc5cdr, &ncbi, &linnaeus];
        assert_eq!(best_head(&heads, &data), 1);
        assert_eq!(best_head(&heads, &["Disease".to_string()]), 2);
        assert_eq!(best_head(&heads, &["Species".to_string()]), 3);
        assert_eq!(best_head(&heads, &["protein".to_string()]), 0);
        assert_eq!(best_head(&heads, &["gene".to_string()]), 0);
        let mut unannotated = vec![labels("B-protein O")];
        assert!(align_labels(&mut unannotated, &[]).is_empty());
        assert_eq!(unannotated[0], labels("B-protein O"));
    }

    #[test]
    fn conll_reader_reports_bad_lines_and_skips_docstart() {
        let sentences =
            read_conll("-DOCSTART-\tO\n\nIL-2\tB-protein\ngene\tI-protein\n\nT\tB-cell_type\n")
                .expect("valid");
        assert_eq!(sentences.len(), 2);
        assert_eq!(sentences[0].labels, vec!["B-protein", "I-protein"]);
        let error = read_conll("IL-2\tB-protein\nlonely\n").expect_err("one field");
        assert!(error.contains("line 2"), "{error}");
    }

    #[test]
    fn documents_reader_skips_the_header() {
        let documents = read_documents("medline_id\tfirst_sentence\tn_sentences\n90092414\t0\t5\n")
            .expect("valid");
        assert_eq!(
            documents,
            vec![Document {
                id: "90092414".into(),
                first_sentence: 0,
                sentences: 5
            }]
        );
        assert!(read_documents("a b c\n1 x 2\n").is_err());
    }
}
