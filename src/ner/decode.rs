//! Decoding label probabilities into entities: the Hugging Face `TokenClassificationPipeline`
//! post-processing (aggregation strategies `none`, `simple`, `first`, `average`, `max`) and the
//! constrained BIO Viterbi decoder. Pure functions over probabilities; no model here.
//!
//! Parity notes (transformers 5.24, `pipelines/token_classification.py`):
//! - a word is a piece that is not a sub-word plus the sub-word pieces after it; the first piece
//!   always starts a word. scitag also starts a word (and closes an entity group) at every sentence
//!   boundary, so that entities never cross sentences when several sentences share a window; with one
//!   sentence per input this is exactly the pipeline.
//! - `first`/`max`/`average` pick a probability vector per word (first piece's, the piece with the
//!   highest probability, the mean); `none`/`simple` keep one vector per piece. The label is its
//!   argmax (first index on ties, like numpy), the score its probability.
//! - grouping: a label joins the previous group when its class equals the previous label's class and
//!   it is not a `B-` label; the group's score is the mean of its members' scores. Groups of `O` are
//!   dropped. The pipeline names a group by `label.split("-", 1)[-1]` of its first member; scitag uses
//!   the class (they differ only for prefix-less labels containing `-`, like `Gene-Name`).
//! - across overlapping windows, entities are sorted by start and an entity that starts inside the
//!   previous one replaces it when it is longer, or as long with a higher score.

use std::ops::Range;

use super::Aggregation;
use super::labels::{LabelSet, Tag};

/// One word piece with its label probabilities (softmax of the logits).
#[derive(Debug, Clone)]
pub(crate) struct Piece<'a> {
    /// Byte range of the piece in the input text.
    pub(crate) range: Range<usize>,
    pub(crate) probabilities: &'a [f32],
    /// Continues the previous piece's word (see `Tagger` for how it is decided).
    pub(crate) is_subword: bool,
    /// Index of the sentence the piece belongs to.
    pub(crate) sentence: usize,
}

/// A unit of decoding: a word (`first`/`average`/`max`) or a piece (`none`/`simple`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Word {
    pub(crate) range: Range<usize>,
    pub(crate) probabilities: Vec<f32>,
    pub(crate) sentence: usize,
}

/// An entity before it gets its class name and alternatives.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Span {
    pub(crate) range: Range<usize>,
    pub(crate) class: usize,
    pub(crate) score: f32,
    /// Mean label probabilities of the span's words (for alternatives).
    pub(crate) probabilities: Vec<f32>,
    /// The label index of the one token the span is (`none` aggregation only).
    pub(crate) tag: Option<usize>,
}

/// Index of the largest value; the first one on ties (numpy's `argmax`).
pub(crate) fn argmax(values: &[f32]) -> usize {
    let mut best = 0;
    for (index, value) in values.iter().enumerate() {
        if *value > values[best] {
            best = index;
        }
    }
    best
}

/// In-place softmax, `exp(x - max) / sum`, as the pipeline computes it.
pub(crate) fn softmax(values: &mut [f32]) {
    let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0f32;
    for value in values.iter_mut() {
        *value = (*value - max).exp();
        sum += *value;
    }
    if sum > 0.0 && sum.is_finite() {
        for value in values.iter_mut() {
            *value /= sum;
        }
    }
}

/// Splits pieces into decoding units with one probability vector each.
pub(crate) fn words(pieces: &[Piece<'_>], aggregation: Aggregation) -> Vec<Word> {
    match aggregation {
        Aggregation::None | Aggregation::Simple => pieces
            .iter()
            .map(|piece| Word {
                range: piece.range.clone(),
                probabilities: piece.probabilities.to_vec(),
                sentence: piece.sentence,
            })
            .collect(),
        Aggregation::First | Aggregation::Average | Aggregation::Max => {
            let mut words = Vec::new();
            let mut start = 0;
            for index in 1..=pieces.len() {
                let starts_word = index == pieces.len()
                    || !pieces[index].is_subword
                    || pieces[index].sentence != pieces[index - 1].sentence;
                if starts_word {
                    words.push(word_of(&pieces[start..index], aggregation));
                    start = index;
                }
            }
            words
        }
    }
}

fn word_of(pieces: &[Piece<'_>], aggregation: Aggregation) -> Word {
    let first = &pieces[0];
    let last = &pieces[pieces.len() - 1];
    let probabilities = match aggregation {
        Aggregation::Max => {
            // Python's max() keeps the first of equal keys.
            let mut best = first;
            let mut best_max = max_of(first.probabilities);
            for piece in &pieces[1..] {
                let piece_max = max_of(piece.probabilities);
                if piece_max > best_max {
                    best = piece;
                    best_max = piece_max;
                }
            }
            best.probabilities.to_vec()
        }
        Aggregation::Average => {
            let mut mean = vec![0.0f32; first.probabilities.len()];
            for piece in pieces {
                for (total, value) in mean.iter_mut().zip(piece.probabilities) {
                    *total += value;
                }
            }
            let count = pieces.len() as f32;
            mean.iter_mut().for_each(|total| *total /= count);
            mean
        }
        Aggregation::None | Aggregation::Simple | Aggregation::First => {
            first.probabilities.to_vec()
        }
    };
    Word {
        range: first.range.start..last.range.end,
        probabilities,
        sentence: first.sentence,
    }
}

fn max_of(values: &[f32]) -> f32 {
    values.iter().copied().fold(f32::NEG_INFINITY, f32::max)
}

/// Argmax labels per word, then the pipeline's grouping (`none`: no grouping). Drops `O`.
pub(crate) fn pipeline_spans(
    words: &[Word],
    labels: &LabelSet,
    aggregation: Aggregation,
) -> Vec<Span> {
    let decided: Vec<(usize, f32)> = words
        .iter()
        .map(|word| {
            let label = argmax(&word.probabilities);
            (label, word.probabilities.get(label).copied().unwrap_or(0.0))
        })
        .collect();
    if aggregation == Aggregation::None {
        return words
            .iter()
            .zip(&decided)
            .filter_map(|(word, &(label, score))| {
                let class = labels.tags.get(label)?.class()?;
                Some(Span {
                    range: word.range.clone(),
                    class,
                    score,
                    probabilities: word.probabilities.clone(),
                    tag: Some(label),
                })
            })
            .collect();
    }
    let mut spans = Vec::new();
    let mut group_start = 0;
    for index in 1..=words.len() {
        let closes = index == words.len() || {
            let tag = labels
                .tags
                .get(decided[index].0)
                .copied()
                .unwrap_or(Tag::Outside);
            let last = labels
                .tags
                .get(decided[index - 1].0)
                .copied()
                .unwrap_or(Tag::Outside);
            let joins = tag.class() == last.class() && !matches!(tag, Tag::Begin(_));
            !joins || words[index].sentence != words[index - 1].sentence
        };
        if closes {
            if let Some(span) = group_span(
                &words[group_start..index],
                &decided[group_start..index],
                labels,
            ) {
                spans.push(span);
            }
            group_start = index;
        }
    }
    spans
}

fn group_span(words: &[Word], decided: &[(usize, f32)], labels: &LabelSet) -> Option<Span> {
    let class = labels.tags.get(decided.first()?.0)?.class()?;
    let score = decided.iter().map(|(_, score)| score).sum::<f32>() / decided.len() as f32;
    Some(Span {
        range: words[0].range.start..words[words.len() - 1].range.end,
        class,
        score,
        probabilities: mean_probabilities(words),
        tag: None,
    })
}

fn mean_probabilities(words: &[Word]) -> Vec<f32> {
    let mut mean = vec![0.0f32; words.first().map_or(0, |word| word.probabilities.len())];
    for word in words {
        for (total, value) in mean.iter_mut().zip(&word.probabilities) {
            *total += value;
        }
    }
    let count = words.len().max(1) as f32;
    mean.iter_mut().for_each(|total| *total /= count);
    mean
}

/// The pipeline's `aggregate_overlapping_entities`, for entities from overlapping windows. Lengths
/// are compared in characters of `text`, as Python does (bytes would favour non-ASCII spans).
pub(crate) fn merge_overlapping(mut spans: Vec<Span>, text: &str) -> Vec<Span> {
    let characters = |range: &Range<usize>| {
        text.get(range.clone())
            .map_or(range.len(), |slice| slice.chars().count())
    };
    if spans.is_empty() {
        return spans;
    }
    spans.sort_by_key(|span| span.range.start); // stable, like Python's sorted
    let mut merged = Vec::with_capacity(spans.len());
    let mut spans = spans.into_iter();
    let mut previous = spans.next().expect("checked non-empty above");
    for span in spans {
        if previous.range.start <= span.range.start && span.range.start < previous.range.end {
            let length = characters(&span.range);
            let previous_length = characters(&previous.range);
            if length > previous_length
                || (length == previous_length && span.score > previous.score)
            {
                previous = span;
            }
        } else {
            merged.push(std::mem::replace(&mut previous, span));
        }
    }
    merged.push(previous);
    merged
}

/// Additive label-transition scores for [`viterbi_spans`] (from a model's `transitions.json`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Transitions {
    pub(crate) start: Vec<f32>,
    /// Optional scores for ending a sentence with a label.
    pub(crate) end: Option<Vec<f32>>,
    /// Row-major `[from][to]`.
    pub(crate) matrix: Vec<f32>,
}

/// Whether `to` may follow `from` (`None` = sentence start) under the BIO rule: `I-X` only after
/// `B-X` or `I-X`.
fn allowed(from: Option<Tag>, to: Tag) -> bool {
    match to {
        Tag::Inside(class) => {
            matches!(from, Some(Tag::Begin(c)) | Some(Tag::Inside(c)) if c == class)
        }
        Tag::Outside | Tag::Begin(_) | Tag::Single(_) => true,
    }
}

/// Best label path for one sentence over log-probabilities, under the BIO constraint and the
/// optional transition scores. Falls back to no constraint if the label set allows no path at all.
pub(crate) fn viterbi_path(
    words: &[Word],
    labels: &LabelSet,
    transitions: Option<&Transitions>,
) -> Vec<usize> {
    viterbi_path_with(words, labels, transitions, true)
        .or_else(|| viterbi_path_with(words, labels, transitions, false))
        .unwrap_or_else(|| {
            words
                .iter()
                .map(|word| argmax(&word.probabilities))
                .collect()
        })
}

fn viterbi_path_with(
    words: &[Word],
    labels: &LabelSet,
    transitions: Option<&Transitions>,
    constrained: bool,
) -> Option<Vec<usize>> {
    let count = labels.len();
    if words.is_empty() {
        return Some(Vec::new());
    }
    let log = |word: &Word, label: usize| -> f64 {
        let probability = word
            .probabilities
            .get(label)
            .copied()
            .unwrap_or(0.0)
            .max(0.0);
        // ln(0) = -inf would make a confident model's alternatives unreachable; floor it.
        (f64::from(probability)).max(1e-30).ln()
    };
    let mut score = vec![f64::NEG_INFINITY; count];
    for (label, value) in score.iter_mut().enumerate() {
        if constrained && !allowed(None, labels.tags[label]) {
            continue;
        }
        let start = transitions
            .and_then(|t| t.start.get(label))
            .copied()
            .unwrap_or(0.0);
        *value = log(&words[0], label) + f64::from(start);
    }
    let mut back: Vec<Vec<usize>> = Vec::with_capacity(words.len());
    for word in &words[1..] {
        let mut next = vec![f64::NEG_INFINITY; count];
        let mut pointers = vec![0usize; count];
        for to in 0..count {
            let emission = log(word, to);
            for (from, &previous) in score.iter().enumerate() {
                if previous == f64::NEG_INFINITY {
                    continue;
                }
                if constrained && !allowed(Some(labels.tags[from]), labels.tags[to]) {
                    continue;
                }
                let transition = transitions
                    .and_then(|t| t.matrix.get(from * count + to))
                    .copied()
                    .unwrap_or(0.0);
                let candidate = previous + f64::from(transition) + emission;
                if candidate > next[to] {
                    next[to] = candidate;
                    pointers[to] = from;
                }
            }
        }
        score = next;
        back.push(pointers);
    }
    if let Some(end) = transitions.and_then(|t| t.end.as_ref()) {
        for (value, end) in score.iter_mut().zip(end) {
            *value += f64::from(*end);
        }
    }
    let mut best = 0;
    for label in 0..count {
        if score[label] > score[best] {
            best = label;
        }
    }
    if score[best] == f64::NEG_INFINITY {
        return None;
    }
    let mut path = vec![best; words.len()];
    for (position, pointers) in back.iter().enumerate().rev() {
        path[position] = pointers[path[position + 1]];
    }
    Some(path)
}

/// Viterbi decoding per sentence, then entities from the label path: `B-X` starts one, `I-X`
/// continues one of class `X` (or starts one), a run of the same IO label is one entity. The score is
/// the mean probability of the path's labels over the entity's words.
pub(crate) fn viterbi_spans(
    words: &[Word],
    labels: &LabelSet,
    transitions: Option<&Transitions>,
) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut sentence_start = 0;
    for index in 1..=words.len() {
        if index == words.len() || words[index].sentence != words[sentence_start].sentence {
            let sentence = &words[sentence_start..index];
            let path = viterbi_path(sentence, labels, transitions);
            spans.extend(spans_from_path(sentence, &path, labels));
            sentence_start = index;
        }
    }
    spans
}

/// Entities of a label path (one label per word).
pub(crate) fn spans_from_path(words: &[Word], path: &[usize], labels: &LabelSet) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut current: Option<(usize, usize, Tag)> = None; // (first word, class, tag of last word)
    let close = |start: usize, end: usize, class: usize, spans: &mut Vec<Span>| {
        let members = &words[start..end];
        let score = members
            .iter()
            .zip(&path[start..end])
            .map(|(word, &label)| word.probabilities.get(label).copied().unwrap_or(0.0))
            .sum::<f32>()
            / members.len() as f32;
        spans.push(Span {
            range: members[0].range.start..members[members.len() - 1].range.end,
            class,
            score,
            probabilities: mean_probabilities(members),
            tag: None,
        });
    };
    for (index, &label) in path.iter().enumerate() {
        let tag = labels.tags.get(label).copied().unwrap_or(Tag::Outside);
        let continues = match (current, tag) {
            (Some((_, class, Tag::Begin(_) | Tag::Inside(_))), Tag::Inside(c)) => c == class,
            (Some((_, class, Tag::Single(_))), Tag::Single(c)) => c == class,
            _ => false,
        };
        if continues {
            if let Some(open) = current.as_mut() {
                open.2 = tag;
            }
            continue;
        }
        if let Some((start, class, _)) = current.take() {
            close(start, index, class, &mut spans);
        }
        if let Some(class) = tag.class() {
            current = Some((index, class, tag));
        }
    }
    if let Some((start, class, _)) = current {
        close(start, path.len(), class, &mut spans);
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: [&str; 5] = ["O", "B-GENE", "I-GENE", "B-CHEM", "I-CHEM"];

    fn label_set() -> LabelSet {
        LabelSet::new(NAMES.iter().map(|name| name.to_string()).collect())
    }

    /// Probabilities with `best` at `p` and the rest spread evenly.
    fn probs(best: &str, p: f32) -> Vec<f32> {
        let index = NAMES
            .iter()
            .position(|name| *name == best)
            .expect("known label");
        let rest = (1.0 - p) / (NAMES.len() - 1) as f32;
        (0..NAMES.len())
            .map(|i| if i == index { p } else { rest })
            .collect()
    }

    fn pieces<'a>(spec: &'a [(Range<usize>, Vec<f32>, bool)]) -> Vec<Piece<'a>> {
        spec.iter()
            .map(|(range, probabilities, is_subword)| Piece {
                range: range.clone(),
                probabilities,
                is_subword: *is_subword,
                sentence: 0,
            })
            .collect()
    }

    fn run(
        spec: &[(Range<usize>, Vec<f32>, bool)],
        aggregation: Aggregation,
    ) -> Vec<(Range<usize>, String, f32)> {
        let set = label_set();
        let pieces = pieces(spec);
        pipeline_spans(&words(&pieces, aggregation), &set, aggregation)
            .into_iter()
            .map(|span| (span.range, set.classes[span.class].clone(), span.score))
            .collect()
    }

    #[test]
    fn simple_groups_begin_inside_and_averages_scores() {
        // AGG-01: IL - 6 receptor
        let spec = [
            (0..2, probs("B-GENE", 0.9), false),
            (2..3, probs("I-GENE", 0.8), false),
            (3..4, probs("I-GENE", 0.7), false),
            (5..13, probs("O", 0.9), false),
        ];
        let spans = run(&spec, Aggregation::Simple);
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].0, 0..4);
        assert_eq!(spans[0].1, "GENE");
        assert!((spans[0].2 - 0.8).abs() < 1e-6);
    }

    #[test]
    fn two_begin_labels_make_two_entities_and_inside_after_outside_starts_one() {
        let spec = [
            (0..4, probs("B-GENE", 0.9), false),
            (5..9, probs("B-GENE", 0.8), false),
        ];
        assert_eq!(run(&spec, Aggregation::Simple).len(), 2);
        // AGG-03: the p ##53
        let spec = [
            (0..3, probs("O", 0.9), false),
            (4..5, probs("I-GENE", 0.6), false),
            (5..7, probs("I-GENE", 0.7), true),
        ];
        let spans = run(&spec, Aggregation::Simple);
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].0, 4..7);
        assert!((spans[0].2 - 0.65).abs() < 1e-6);
    }

    #[test]
    fn outside_between_inside_labels_splits_entities() {
        let spec = [
            (0..1, probs("B-GENE", 0.9), false),
            (2..3, probs("O", 0.9), false),
            (4..5, probs("I-GENE", 0.9), false),
        ];
        assert_eq!(run(&spec, Aggregation::Simple).len(), 2);
    }

    #[test]
    fn word_strategies_agree_on_one_span_per_word_but_not_on_its_label() {
        // AGG-04: phos ##pho ##lip ##ase
        let spec = [
            (0..4, probs("B-CHEM", 0.6), false),
            (4..7, probs("I-GENE", 0.9), true),
            (7..10, probs("I-CHEM", 0.5), true),
            (10..13, probs("I-GENE", 0.7), true),
        ];
        let first = run(&spec, Aggregation::First);
        assert_eq!(first.len(), 1);
        assert_eq!((first[0].0.clone(), first[0].1.as_str()), (0..13, "CHEM"));
        assert!((first[0].2 - 0.6).abs() < 1e-6);
        let max = run(&spec, Aggregation::Max);
        assert_eq!((max[0].0.clone(), max[0].1.as_str()), (0..13, "GENE"));
        assert!((max[0].2 - 0.9).abs() < 1e-6);
        let average = run(&spec, Aggregation::Average);
        assert_eq!(average.len(), 1);
        assert_eq!(average[0].0, 0..13);
        assert_eq!(run(&spec, Aggregation::Simple).len(), 4);
    }

    #[test]
    fn none_keeps_every_non_outside_piece() {
        let spec = [
            (0..2, probs("B-GENE", 0.9), false),
            (2..3, probs("I-GENE", 0.8), false),
            (4..5, probs("O", 0.8), false),
        ];
        let spans = run(&spec, Aggregation::None);
        assert_eq!(
            spans.iter().map(|span| span.0.clone()).collect::<Vec<_>>(),
            vec![0..2, 2..3]
        );
    }

    #[test]
    fn overlapping_windows_keep_the_longer_entity() {
        // AGG-06
        let span = |range: Range<usize>, score: f32| Span {
            range,
            class: 0,
            score,
            probabilities: Vec::new(),
            tag: None,
        };
        let text = "x".repeat(40);
        let merged = merge_overlapping(
            vec![span(12..20, 0.9), span(10..20, 0.7), span(30..35, 0.5)],
            &text,
        );
        assert_eq!(
            merged.iter().map(|s| s.range.clone()).collect::<Vec<_>>(),
            vec![10..20, 30..35]
        );
        let merged = merge_overlapping(vec![span(10..20, 0.7), span(10..20, 0.9)], &text);
        assert_eq!(merged.len(), 1);
        assert!((merged[0].score - 0.9).abs() < 1e-6);
        // "-10" and "10”" are both 3 characters, though the second is 5 bytes: the higher score wins.
        let text = "-10\u{201d}";
        let merged = merge_overlapping(vec![span(0..3, 0.99), span(1..6, 0.93)], text);
        assert_eq!(
            merged.iter().map(|s| s.range.clone()).collect::<Vec<_>>(),
            vec![0..3]
        );
    }

    #[test]
    fn sentence_boundaries_split_groups() {
        let a = probs("B-GENE", 0.9);
        let b = probs("I-GENE", 0.9);
        let pieces = vec![
            Piece {
                range: 0..1,
                probabilities: &a,
                is_subword: false,
                sentence: 0,
            },
            Piece {
                range: 3..4,
                probabilities: &b,
                is_subword: false,
                sentence: 1,
            },
        ];
        let set = label_set();
        assert_eq!(
            pipeline_spans(
                &words(&pieces, Aggregation::First),
                &set,
                Aggregation::First
            )
            .len(),
            2
        );
    }

    fn word(range: Range<usize>, probabilities: Vec<f32>) -> Word {
        Word {
            range,
            probabilities,
            sentence: 0,
        }
    }

    #[test]
    fn viterbi_never_starts_with_inside_or_switches_class_inside() {
        let set = label_set();
        // Argmax would be I-GENE I-CHEM: invalid twice over.
        let words = vec![
            word(0..1, vec![0.05, 0.3, 0.4, 0.1, 0.15]),
            word(2..3, vec![0.05, 0.05, 0.4, 0.05, 0.45]),
        ];
        let path = viterbi_path(&words, &set, None);
        assert_eq!(path, vec![1, 2], "B-GENE I-GENE is the best valid path");
        let spans = viterbi_spans(&words, &set, None);
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].range, 0..3);
        assert!((spans[0].score - 0.35).abs() < 1e-6);
    }

    #[test]
    fn viterbi_follows_transition_scores() {
        let set = label_set();
        let words = vec![
            word(0..1, probs("B-GENE", 0.6)),
            word(2..3, probs("B-GENE", 0.5)),
        ];
        assert_eq!(viterbi_path(&words, &set, None), vec![1, 1]);
        let mut matrix = vec![0.0; 25];
        matrix[5 + 1] = -10.0; // B-GENE -> B-GENE is very unlikely
        let transitions = Transitions {
            start: vec![0.0; 5],
            end: None,
            matrix,
        };
        let path = viterbi_path(&words, &set, Some(&transitions));
        assert_ne!(path, vec![1, 1]);
    }

    #[test]
    fn viterbi_decodes_sentences_separately() {
        let set = label_set();
        let mut words = vec![
            word(0..1, probs("B-GENE", 0.9)),
            word(2..3, probs("I-GENE", 0.9)),
        ];
        words[1].sentence = 1;
        let spans = viterbi_spans(&words, &set, None);
        // I-GENE cannot start the second sentence, so only the first word is an entity.
        assert_eq!(
            spans.iter().map(|s| s.range.clone()).collect::<Vec<_>>(),
            vec![0..1]
        );
    }

    #[test]
    fn io_labels_form_runs() {
        let set = LabelSet::new(vec!["O".into(), "GENE".into(), "CHEM".into()]);
        let words = vec![
            word(0..1, vec![0.1, 0.8, 0.1]),
            word(2..3, vec![0.1, 0.8, 0.1]),
            word(4..5, vec![0.1, 0.1, 0.8]),
        ];
        let spans = viterbi_spans(&words, &set, None);
        assert_eq!(
            spans.iter().map(|s| s.range.clone()).collect::<Vec<_>>(),
            vec![0..3, 4..5]
        );
        let spans = pipeline_spans(&words, &set, Aggregation::Simple);
        assert_eq!(
            spans.iter().map(|s| s.range.clone()).collect::<Vec<_>>(),
            vec![0..3, 4..5]
        );
    }

    #[test]
    fn softmax_matches_the_definition_and_survives_extremes() {
        let mut values = vec![1.0, 2.0, 3.0];
        softmax(&mut values);
        let total: f32 = values.iter().sum();
        assert!((total - 1.0).abs() < 1e-6);
        assert!((values[2] - 0.665_241_2).abs() < 1e-6);
        let mut extreme = vec![1e30, -1e30, 0.0];
        softmax(&mut extreme);
        assert_eq!(argmax(&extreme), 0);
        let mut empty: Vec<f32> = Vec::new();
        softmax(&mut empty);
    }
}
