//! One entity per stretch of text when a model has several heads.
//!
//! Each head decodes on its own, so two heads may claim overlapping text: the chemical head
//! `cisplatin`, the JNLPBA head `cisplatin-resistant cell lines`; the species head `human`, the
//! JNLPBA head `human T cells`. Semantic tokens cannot overlap, and a reader wants one reading of a
//! word, so overlaps are resolved by one rule:
//!
//! 1. the **longer** span (in bytes) wins: it is the more specific reading (GENIA annotates `human
//!    T cells` as one cell type, not a species followed by cells), and an entity never hides inside
//!    another;
//! 2. of two spans of equal length, the higher score wins;
//! 3. then the head listed first in the model wins (the JNLPBA head in the built-in model).
//!
//! Spans are taken in that order and each is kept unless it overlaps one already kept; the others
//! are dropped whole (never cut).

use std::collections::BTreeMap;
use std::ops::Range;

use super::Entity;

/// Resolves overlaps between the entities of different heads (`(entity, head index)`). Returns the
/// kept entities, sorted by start.
pub(crate) fn resolve(candidates: Vec<(Entity, usize)>) -> Vec<Entity> {
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by(|&a, &b| {
        let (left, left_head) = &candidates[a];
        let (right, right_head) = &candidates[b];
        right
            .range
            .len()
            .cmp(&left.range.len())
            .then_with(|| right.score.total_cmp(&left.score))
            .then_with(|| left_head.cmp(right_head))
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
    fn the_longer_span_wins_whatever_its_score() {
        // "human T cells": species "human" (0.99) inside cell type "human T cells" (0.6).
        let result = kept(vec![
            (entity(0..5, "species", 0.99), 3),
            (entity(0..13, "cell_type", 0.6), 0),
        ]);
        assert_eq!(result, [(0..13, "cell_type".to_string())]);
    }

    #[test]
    fn equal_lengths_go_to_the_higher_score_then_the_first_head() {
        let result = kept(vec![
            (entity(4..10, "disease", 0.7), 2),
            (entity(4..10, "disease", 0.9), 1),
        ]);
        assert_eq!(result, [(4..10, "disease".to_string())]);
        let result = resolve(vec![
            (entity(4..10, "chemical", 0.8), 1),
            (entity(4..10, "protein", 0.8), 0),
        ]);
        assert_eq!(result[0].label, "protein");
        // Crossing spans of the same length: the higher score, the other dropped whole.
        let result = kept(vec![
            (entity(0..6, "chemical", 0.6), 1),
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
            (entity(2..10, "disease", 0.4), 2),
        ]);
        assert_eq!(result, [(2..10, "disease".to_string())]);
    }
}
