//! One entity per stretch of text when a model has several heads.
//!
//! Each head decodes on its own, so two heads may claim overlapping text: the chemical head
//! `cisplatin`, the JNLPBA head `cisplatin-resistant cell lines`; the species head `human`, the
//! JNLPBA head `human T cells`. Semantic tokens cannot overlap, and a reader wants one reading of a
//! word, so overlaps are resolved by one rule:
//!
//! 1. a span the model is **confident** in (score at least [`CONFIDENT_SCORE`], the editor's
//!    default low-confidence line) beats one it is not: a doubtful long span (`Deficiency in the IL-2
//!    receptor IL-2Rα` as a disease, 0.57) never hides confident ones (`IL-2 receptor`, `IL-2Rα`);
//! 2. then the **longer** span (in bytes) wins: it is the more specific reading (GENIA annotates
//!    `human T cells` as one cell type, not a species followed by cells), and an entity never hides
//!    inside another;
//! 3. of two spans of equal length, the head listed first in the model wins (the JNLPBA head in the
//!    built-in model, its most accurate: `SCD` the gene over `SCD` the disease);
//! 4. then the higher score.
//!
//! Spans are taken in that order and each is kept unless it overlaps one already kept; the others
//! are dropped whole (never cut).

use std::collections::BTreeMap;
use std::ops::Range;

use super::Entity;

/// Scores at or above this count as confident: the built-in model's calibrated scores are right
/// more often than not from here up. `features::DEFAULT_CONFIDENCE_THRESHOLD` is this line.
pub const CONFIDENT_SCORE: f32 = 0.60;

/// Resolves overlaps between the entities of different heads (`(entity, head index)`). Returns the
/// kept entities, sorted by start.
pub(crate) fn resolve(candidates: Vec<(Entity, usize)>) -> Vec<Entity> {
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by(|&a, &b| {
        let (left, left_head) = &candidates[a];
        let (right, right_head) = &candidates[b];
        (right.score >= CONFIDENT_SCORE)
            .cmp(&(left.score >= CONFIDENT_SCORE))
            .then_with(|| right.range.len().cmp(&left.range.len()))
            .then_with(|| left_head.cmp(right_head))
            .then_with(|| right.score.total_cmp(&left.score))
            .then_with(|| left.range.start.cmp(&right.range.start))
    });
    // Kept ranges by start; kept ranges never overlap, so a new range overlaps one only if it
    // overlaps the last kept range starting before its end.
    let mut kept: BTreeMap<usize, usize> = BTreeMap::new();
    let mut keep = vec![false; candidates.len()];
    for index in order {
        let range = &candidates[index].0.range;
        if overlaps_kept(&kept, range) {
            continue;
        }
        kept.insert(range.start, range.end);
        keep[index] = true;
    }
    let mut result: Vec<Entity> = candidates
        .into_iter()
        .zip(keep)
        .filter_map(|((entity, _), keep)| keep.then_some(entity))
        .collect();
    result.sort_by_key(|entity| (entity.range.start, entity.range.end));
    result
}

fn overlaps_kept(kept: &BTreeMap<usize, usize>, range: &Range<usize>) -> bool {
    // An empty range overlaps nothing but is still one position: treat it as one byte.
    let end = range.end.max(range.start + 1);
    kept.range(..end)
        .next_back()
        .is_some_and(|(_, &kept_end)| kept_end > range.start)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(range: Range<usize>, label: &str, score: f32) -> Entity {
        Entity {
            range,
            label: label.to_string(),
            score,
            alternatives: Vec::new(),
            tag: None,
        }
    }

    fn kept(candidates: Vec<(Entity, usize)>) -> Vec<(Range<usize>, String)> {
        resolve(candidates)
            .into_iter()
            .map(|entity| (entity.range, entity.label))
            .collect()
    }

    #[test]
    fn the_longer_confident_span_wins_whatever_the_others_score() {
        // "human T cells": species "human" (0.99) inside cell type "human T cells" (0.6).
        let result = kept(vec![
            (entity(0..5, "species", 0.99), 3),
            (entity(0..13, "cell_type", 0.6), 0),
        ]);
        assert_eq!(result, [(0..13, "cell_type".to_string())]);
    }

    #[test]
    fn a_doubtful_span_never_hides_confident_ones() {
        // "Deficiency in the IL-2 receptor IL-2Rα" as a disease (0.57) over two proteins.
        let result = kept(vec![
            (entity(0..38, "disease", 0.57), 1),
            (entity(18..31, "protein", 0.90), 0),
            (entity(32..38, "protein", 0.85), 0),
        ]);
        assert_eq!(
            result,
            [
                (18..31, "protein".to_string()),
                (32..38, "protein".to_string())
            ]
        );
        // Two doubtful ones: the longer.
        let result = kept(vec![
            (entity(0..38, "disease", 0.57), 1),
            (entity(18..31, "protein", 0.55), 0),
        ]);
        assert_eq!(result, [(0..38, "disease".to_string())]);
    }

    #[test]
    fn equal_lengths_go_to_the_first_head_then_the_higher_score() {
        // "SCD": the JNLPBA head's protein (0.65) over the disease head's (0.76).
        let result = kept(vec![
            (entity(4..7, "disease", 0.76), 1),
            (entity(4..7, "protein", 0.65), 0),
        ]);
        assert_eq!(result, [(4..7, "protein".to_string())]);
        let result = resolve(vec![
            (entity(4..10, "disease", 0.7), 2),
            (entity(4..10, "disease", 0.9), 2),
        ]);
        assert_eq!(result[0].score, 0.9);
        // Crossing spans of the same length: the first head's, the other dropped whole.
        let result = kept(vec![
            (entity(0..6, "chemical", 0.9), 1),
            (entity(3..9, "protein", 0.8), 0),
        ]);
        assert_eq!(result, [(3..9, "protein".to_string())]);
    }

    #[test]
    fn disjoint_and_touching_spans_are_all_kept_in_order() {
        let result = kept(vec![
            (entity(20..29, "disease", 0.9), 1),
            (entity(0..9, "chemical", 0.9), 1),
            (entity(9..12, "protein", 0.5), 0),
            (entity(40..45, "species", 0.9), 2),
        ]);
        assert_eq!(
            result,
            [
                (0..9, "chemical".to_string()),
                (9..12, "protein".to_string()),
                (20..29, "disease".to_string()),
                (40..45, "species".to_string()),
            ]
        );
    }

    #[test]
    fn a_long_span_removes_every_span_it_covers_and_crosses() {
        let result = kept(vec![
            (entity(0..3, "protein", 0.9), 0),
            (entity(5..8, "protein", 0.9), 0),
            (entity(7..12, "chemical", 0.9), 1),
            (entity(2..10, "disease", 0.7), 2),
        ]);
        assert_eq!(result, [(2..10, "disease".to_string())]);
    }
}
