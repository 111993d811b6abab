use std::ops::Range;

/// One alternative class for an entity, with its probability (for hovers).
#[derive(Debug, Clone, PartialEq)]
pub struct Alternative {
    /// Entity class without `B-`/`I-` (`O` for "no entity").
    pub label: String,
    pub probability: f32,
}

/// A named-entity mention found by the tagger.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    /// Byte range into the text the tagger was given.
    pub range: Range<usize>,
    /// Entity class without `B-`/`I-`, as in the model's `id2label` (e.g. `protein`).
    pub label: String,
    /// Aggregated score in `[0, 1]`.
    pub score: f32,
    /// Runner-up classes, best first, excluding `label`.
    pub alternatives: Vec<Alternative>,
    /// The token's own label as the model's `id2label` spells it (`B-cell_type`), when each
    /// entity is one token (`--aggregation none`, as the Hugging Face pipeline reports it); else
    /// `None`.
    pub tag: Option<String>,
}
