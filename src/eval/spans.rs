//! Scoring on span-annotated JSON lines: `{"text": …, "entities": [{"start", "end", "label"}]}` per
//! line, character offsets (Unicode scalar values, as Python and spaCy/doccano count them), end
//! exclusive. Optional fields: `id`, `kind` (a group name such as `rich`, `methods`, `none`: false
//! highlights are also reported per kind).
//!
//! - **Exact**: a prediction is correct when its start, end and label equal a gold entity's.
//!   Precision = correct / predictions, recall = correct / gold; micro over all, and per class.
//! - **Same-class overlap**: a prediction is correct when it overlaps a gold entity of its class; a
//!   gold entity is found when a prediction of its class overlaps it; P and R from those counts.
//! - **Calibration**: the expected calibration error of the scores, with a prediction counted right
//!   when it is an exact match: predictions are put in 10 equal-width score bins, and ECE = Σ over bins
//!   of (share of predictions in the bin) × |exact precision in the bin − mean score in the bin|. A
//!   calibrated score of 0.8 is right 8 times in 10.
//! - **False highlights per 1,000 words**: predictions that overlap no gold entity of any class,
//!   per 1,000 whitespace-separated words, over the records without any gold entity ("entity-free")
//!   and over each `kind`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::Row;

/// One annotated text.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Record {
    #[serde(default)]
    pub id: Option<String>,
    pub text: String,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub entities: Vec<Span>,
}

/// A labelled character range.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub label: String,
}

/// A predicted span with its score.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    pub start: usize,
    pub end: usize,
    pub label: String,
    pub score: f32,
}

/// Reads JSON lines; blank lines are skipped. Errors name the line and what is wrong, including
/// spans outside the text or with `start >= end`.
pub fn read_jsonl(text: &str) -> Result<Vec<Record>, String> {
    let mut records = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let record: Record =
            serde_json::from_str(line).map_err(|error| format!("line {}: {error}", index + 1))?;
        let chars = record.text.chars().count();
        for span in &record.entities {
            if span.start >= span.end || span.end > chars {
                return Err(format!(
                    "line {}: entity {}..{} ({}) is not inside the text ({chars} characters)",
                    index + 1,
                    span.start,
                    span.end,
                    span.label
                ));
            }
        }
        records.push(record);
    }
    Ok(records)
}

/// Converts a byte offset of `text` to a character offset (an offset inside a character counts
/// as that character's start).
pub fn char_offset(text: &str, byte: usize) -> usize {
    let mut byte = byte.min(text.len());
    while !text.is_char_boundary(byte) {
        byte -= 1;
    }
    text[..byte].chars().count()
}

/// The scores of one set of predictions.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SpanScores {
    pub predictions: usize,
    pub gold: usize,
    pub exact: Row,
    pub overlap: Row,
    /// Exact scores per class (the classes of gold and predictions), sorted by name.
    pub exact_by_class: Vec<(String, Row)>,
    pub overlap_by_class: Vec<(String, Row)>,
    /// `(group, false highlights, words)`: `entity-free` first, then each kind.
    pub false_highlights: Vec<(String, usize, usize)>,
    /// Expected calibration error of the scores against exact correctness (10 bins).
    pub ece: f64,
    /// Per score bin `[i/10, (i+1)/10)`: predictions, mean score, exact precision.
    pub bins: Vec<(usize, f64, f64)>,
}

/// Number of score bins of the calibration error.
pub const BINS: usize = 10;

fn row(correct_predictions: usize, predictions: usize, found_gold: usize, gold: usize) -> Row {
    let precision = if predictions == 0 {
        0.0
    } else {
        correct_predictions as f64 / predictions as f64
    };
    let recall = if gold == 0 {
        0.0
    } else {
        found_gold as f64 / gold as f64
    };
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    Row {
        precision,
        recall,
        f1,
        support: gold,
    }
}

fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Scores `predicted[i]` against `records[i].entities`, counting only predictions with
/// `score >= min_score`.
pub fn score(records: &[Record], predicted: &[Vec<Prediction>], min_score: f32) -> SpanScores {
    let mut classes: BTreeMap<String, [usize; 6]> = BTreeMap::new();
    // per class: [exact ok, predictions, gold, overlap-ok predictions, overlap-found gold, _]
    let mut groups: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut free = (0usize, 0usize);
    // per bin: predictions, sum of scores, exact matches
    let mut bins = vec![(0usize, 0f64, 0usize); BINS];
    for (record, predictions) in records.iter().zip(predicted) {
        let predictions: Vec<&Prediction> = predictions
            .iter()
            .filter(|prediction| prediction.score >= min_score)
            .collect();
        for span in &record.entities {
            let counts = classes.entry(span.label.clone()).or_default();
            counts[2] += 1;
            if predictions.iter().any(|p| {
                p.label == span.label && overlaps((p.start, p.end), (span.start, span.end))
            }) {
                counts[4] += 1;
            }
        }
        let mut false_count = 0;
        for prediction in &predictions {
            let counts = classes.entry(prediction.label.clone()).or_default();
            counts[1] += 1;
            let span = (prediction.start, prediction.end);
            let exact = record
                .entities
                .iter()
                .any(|gold| gold.label == prediction.label && (gold.start, gold.end) == span);
            if exact {
                counts[0] += 1;
            }
            let score = f64::from(prediction.score).clamp(0.0, 1.0);
            let bin = &mut bins[((score * BINS as f64) as usize).min(BINS - 1)];
            bin.0 += 1;
            bin.1 += score;
            bin.2 += usize::from(exact);
            if record.entities.iter().any(|gold| {
                gold.label == prediction.label && overlaps((gold.start, gold.end), span)
            }) {
                counts[3] += 1;
            }
            if !record
                .entities
                .iter()
                .any(|gold| overlaps((gold.start, gold.end), span))
            {
                false_count += 1;
            }
        }
        let words = record.text.split_whitespace().count();
        if record.entities.is_empty() {
            free.0 += false_count;
            free.1 += words;
        }
        if let Some(kind) = &record.kind {
            let group = groups.entry(kind.clone()).or_default();
            group.0 += false_count;
            group.1 += words;
        }
    }
    let total = classes.values().fold([0usize; 6], |mut sum, counts| {
        for (slot, value) in sum.iter_mut().zip(counts) {
            *slot += value;
        }
        sum
    });
    let mut false_highlights = vec![("entity-free".to_string(), free.0, free.1)];
    false_highlights.extend(
        groups
            .into_iter()
            .map(|(kind, (count, words))| (kind, count, words)),
    );
    let ece = if total[1] == 0 {
        0.0
    } else {
        bins.iter()
            .filter(|bin| bin.0 > 0)
            .map(|&(n, sum, right)| {
                (n as f64 / total[1] as f64) * (right as f64 / n as f64 - sum / n as f64).abs()
            })
            .sum()
    };
    SpanScores {
        ece,
        bins: bins
            .iter()
            .map(|&(n, sum, right)| {
                if n == 0 {
                    (0, 0.0, 0.0)
                } else {
                    (n, sum / n as f64, right as f64 / n as f64)
                }
            })
            .collect(),
        predictions: total[1],
        gold: total[2],
        exact: row(total[0], total[1], total[0], total[2]),
        overlap: row(total[3], total[1], total[4], total[2]),
        exact_by_class: classes
            .iter()
            .map(|(name, c)| (name.clone(), row(c[0], c[1], c[0], c[2])))
            .collect(),
        overlap_by_class: classes
            .iter()
            .map(|(name, c)| (name.clone(), row(c[3], c[1], c[4], c[2])))
            .collect(),
        false_highlights,
    }
}

/// Per 1,000 words (0 when there are no words).
pub fn per_thousand(count: usize, words: usize) -> f64 {
    if words == 0 {
        0.0
    } else {
        1000.0 * count as f64 / words as f64
    }
}

/// A text table of the scores.
pub fn format_scores(scores: &SpanScores) -> String {
    let mut text = format!(
        "{:<12} {:>9} {:>9} {:>9} | {:>9} {:>9} {:>9} {:>8}\n",
        "", "exact P", "exact R", "exact F1", "overlap P", "overlap R", "overlap F1", "support"
    );
    let line = |name: &str, exact: &Row, overlap: &Row| {
        format!(
            "{name:<12} {:>9.4} {:>9.4} {:>9.4} | {:>9.4} {:>9.4} {:>10.4} {:>8}\n",
            exact.precision,
            exact.recall,
            exact.f1,
            overlap.precision,
            overlap.recall,
            overlap.f1,
            exact.support
        )
    };
    for ((name, exact), (_, overlap)) in scores.exact_by_class.iter().zip(&scores.overlap_by_class)
    {
        text.push_str(&line(name, exact, overlap));
    }
    text.push_str(&line("all (micro)", &scores.exact, &scores.overlap));
    text.push_str(&format!(
        "{} predictions, {} gold entities; calibration error (ECE, {BINS} bins, exact match) {:.4}\n",
        scores.predictions, scores.gold, scores.ece
    ));
    for (group, count, words) in &scores.false_highlights {
        text.push_str(&format!(
            "false highlights, {group}: {count} in {words} words = {:.2} per 1,000 words\n",
            per_thousand(*count, *words)
        ));
    }
    text
}

/// The scores as JSON.
pub fn scores_json(scores: &SpanScores) -> serde_json::Value {
    let row = |row: &Row| serde_json::json!({"precision": row.precision, "recall": row.recall, "f1": row.f1, "support": row.support});
    let by_class = |rows: &[(String, Row)]| -> serde_json::Map<String, serde_json::Value> {
        rows.iter()
            .map(|(name, r)| (name.clone(), row(r)))
            .collect()
    };
    let false_highlights: serde_json::Map<String, serde_json::Value> = scores
        .false_highlights
        .iter()
        .map(|(group, count, words)| {
            (
                group.clone(),
                serde_json::json!({"count": count, "words": words, "per_1000_words": per_thousand(*count, *words)}),
            )
        })
        .collect();
    serde_json::json!({
        "predictions": scores.predictions,
        "gold": scores.gold,
        "exact": row(&scores.exact),
        "overlap": row(&scores.overlap),
        "exact_by_class": by_class(&scores.exact_by_class),
        "overlap_by_class": by_class(&scores.overlap_by_class),
        "false_highlights": false_highlights,
        "ece": scores.ece,
        "bins": scores.bins.iter().enumerate().map(|(index, (n, mean, precision))| serde_json::json!({
            "from": index as f64 / BINS as f64, "to": (index + 1) as f64 / BINS as f64,
            "predictions": n, "mean_score": mean, "exact_precision": precision,
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prediction(start: usize, end: usize, label: &str, score: f32) -> Prediction {
        Prediction {
            start,
            end,
            label: label.into(),
            score,
        }
    }

    #[test]
    fn hand_computed_scores_with_overlap_false_highlights_and_threshold() {
        let data = concat!(
            r#"{"text": "IL-2 binds the IL-2Rα chain on T cells.", "kind": "rich", "entities": [{"start": 0, "end": 4, "label": "protein"}, {"start": 15, "end": 27, "label": "protein"}, {"start": 31, "end": 38, "label": "cell_type"}]}"#,
            "\n\n",
            r#"{"text": "We ran minimap2 twice.", "kind": "methods", "entities": []}"#,
            "\n"
        );
        let records = read_jsonl(data).unwrap();
        assert_eq!(records.len(), 2);
        let predicted = vec![
            vec![
                prediction(0, 4, "protein", 0.99),    // exact
                prediction(15, 21, "protein", 0.80),  // overlaps gold 2, not exact
                prediction(31, 38, "cell_line", 0.9), // wrong class, overlaps gold 3
            ],
            vec![prediction(7, 15, "protein", 0.5)], // false highlight
        ];
        let all = score(&records, &predicted, 0.0);
        assert_eq!((all.predictions, all.gold), (4, 3));
        assert!((all.exact.precision - 0.25).abs() < 1e-12);
        assert!((all.exact.recall - 1.0 / 3.0).abs() < 1e-12);
        assert!((all.exact.f1 - 2.0 / 7.0).abs() < 1e-12);
        // overlap: 2 of 4 predictions overlap a same-class gold; 2 of 3 gold are found
        assert!((all.overlap.precision - 0.5).abs() < 1e-12);
        assert!((all.overlap.recall - 2.0 / 3.0).abs() < 1e-12);
        // the wrong-class prediction overlaps a gold entity: not a false highlight
        assert_eq!(
            all.false_highlights,
            vec![
                ("entity-free".to_string(), 1, 4),
                ("methods".to_string(), 1, 4),
                ("rich".to_string(), 0, 8),
            ]
        );
        let cell_line = &all.exact_by_class[0];
        assert_eq!(cell_line.0, "cell_line");
        assert_eq!(cell_line.1.support, 0);
        // bins: 0.5 → bin 5 (wrong); 0.8 and 0.9 (0.89999998 as f32) → bin 8 (both wrong);
        // 0.99 → bin 9 (right)
        assert_eq!(all.bins[5].0, 1);
        assert_eq!(all.bins[8].0, 2);
        assert_eq!(all.bins[9].0, 1);
        let (s5, s8a, s8b, s9) = (0.5f32 as f64, 0.8f32 as f64, 0.9f32 as f64, 0.99f32 as f64);
        let expected_ece = 0.25 * s5 + 0.5 * ((s8a + s8b) / 2.0) + 0.25 * (1.0 - s9);
        assert!(
            (all.ece - expected_ece).abs() < 1e-6,
            "{} vs {expected_ece}",
            all.ece
        );
        // at 0.85 only the exact IL-2 and the cell_line remain
        let high = score(&records, &predicted, 0.85);
        assert_eq!(high.predictions, 2);
        assert!((high.exact.precision - 0.5).abs() < 1e-12);
        assert_eq!(high.false_highlights[0], ("entity-free".to_string(), 0, 4));
    }

    #[test]
    fn offsets_are_characters_and_bad_spans_name_their_line() {
        // "γc" is 2 characters, 3 bytes
        let text = "The γc receptor";
        assert_eq!(char_offset(text, "The γc".len()), 6);
        assert_eq!(char_offset(text, 5), 4, "inside γ counts as its start");
        let bad =
            "{\"text\": \"ab\", \"entities\": [{\"start\": 1, \"end\": 3, \"label\": \"DNA\"}]}\n";
        let error = read_jsonl(bad).unwrap_err();
        assert!(error.starts_with("line 1:"), "{error}");
        let error = read_jsonl("\n{\"text\": 3}\n").unwrap_err();
        assert!(error.starts_with("line 2:"), "{error}");
    }
}
