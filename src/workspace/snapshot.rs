//! A read-only view of one open document, for answering requests.
//!
//! Taking a [`DocumentSnapshot`] copies the document's rope (cheap: ropes share their nodes), the
//! `Arc` of its last good analysis and its feature settings, so a request computes its answer
//! without holding a lock on the workspace's documents (rust-analyzer's `Analysis` plays this part
//! for its `AnalysisHost`).

use std::ops::Range;
use std::sync::Arc;

use ropey::Rope;

use crate::analysis::{DocumentAnalysis, Focus, SourceEntity, lock};
use crate::document::{self, LineCol, PositionEncoding, PositionError};
use crate::features::{
    self, EntityKey, FeatureSettings, Finding, GlossaryAction, Highlight, LinkFinding,
    LowConfidence, OutlineSymbol,
};

/// One document as it was when the snapshot was taken.
#[derive(Clone, Debug)]
pub struct DocumentSnapshot {
    pub(super) text: Rope,
    pub(super) version: i32,
    /// The last good analysis, its entities moved along with every edit since.
    pub(super) analysis: Option<Arc<DocumentAnalysis>>,
    pub(super) features: FeatureSettings,
    pub(super) focus: Focus,
    /// What the document's LaTeX project could not follow (hints on its `\\input`s).
    pub(super) project_hints: Vec<super::ProjectHint>,
}

impl DocumentSnapshot {
    pub fn text(&self) -> &Rope {
        &self.text
    }

    pub fn version(&self) -> i32 {
        self.version
    }

    /// The hints of the document's LaTeX project (links not followed), in bytes of its text.
    pub fn project_hints(&self) -> &[super::ProjectHint] {
        &self.project_hints
    }

    /// The last good analysis, if there was one.
    pub fn analysis(&self) -> Option<&DocumentAnalysis> {
        self.analysis.as_deref()
    }

    /// The editor's feature settings with the document's project `[settings]` applied.
    pub fn features(&self) -> &FeatureSettings {
        &self.features
    }

    /// The byte offset of `position`; see [`document::offset_of`].
    pub fn offset(
        &self,
        position: LineCol,
        encoding: PositionEncoding,
    ) -> Result<usize, PositionError> {
        document::offset_of(&self.text, position, encoding)
    }

    /// The entities of the last good analysis (none before the first one).
    pub fn entities(&self) -> &[SourceEntity] {
        self.analysis
            .as_ref()
            .map(|analysis| analysis.entities.as_slice())
            .unwrap_or_default()
    }

    /// The entities of the last good analysis whose class is shown.
    fn shown_entities(&self) -> impl Iterator<Item = &SourceEntity> {
        self.entities()
            .iter()
            .filter(|entity| self.features.is_enabled(&entity.label))
    }

    /// The outline: headings, and under each the entities of its section by class (see
    /// [`features::outline`]). Headings show before the first analysis with a model too.
    pub fn outline(&self) -> Vec<OutlineSymbol> {
        let headings = self
            .analysis
            .as_ref()
            .map(|analysis| analysis.headings.as_slice())
            .unwrap_or_default();
        features::outline(
            headings,
            self.entities(),
            self.text.len_bytes(),
            &self.features,
        )
    }

    /// The entity shown at byte `offset` (or ending there), as the key its mentions share.
    pub fn entity_key_at(&self, offset: usize) -> Option<EntityKey> {
        features::entity_at(self.entities(), offset)
            .filter(|entity| self.features.is_enabled(&entity.label))
            .map(EntityKey::of)
    }

    /// Every shown mention of `key` in this document, in order.
    pub fn mentions(&self, key: &EntityKey) -> Vec<Range<usize>> {
        features::mentions_of(self.shown_entities(), key)
    }

    /// Records the bytes the editor shows: an analysis still running tags them next.
    pub fn set_focus(&self, bytes: Range<usize>) {
        *lock(&self.focus) = Some(bytes);
    }

    /// The highlights; with `bytes`, only those of the entities overlapping that byte range
    /// (entities are sorted and never overlap, so they are found by binary search).
    pub fn highlights(&self, bytes: Option<Range<usize>>) -> Vec<Highlight<'_>> {
        let mut entities = self.entities();
        if let Some(bytes) = bytes {
            let first = entities.partition_point(|entity| entity.range.end <= bytes.start);
            let last = entities.partition_point(|entity| entity.range.start < bytes.end);
            entities = &entities[first..last.max(first)];
        }
        features::highlights(entities, &self.features)
    }

    /// The low-confidence diagnostics.
    pub fn low_confidence(&self) -> Vec<LowConfidence> {
        features::low_confidence(self.entities(), &self.features)
    }

    /// The linking diagnostics (unknown cell line, obsolete term, previous symbol).
    pub fn link_findings(&self) -> Vec<LinkFinding> {
        features::link_findings(self.entities(), &self.features)
    }

    /// The consistency findings over the shown entities and the untagged mentions.
    pub fn consistency(&self) -> Vec<Finding> {
        let untagged = self
            .analysis
            .as_ref()
            .map(|analysis| analysis.untagged.as_slice())
            .unwrap_or_default();
        features::consistency(
            self.entities()
                .iter()
                .filter(|entity| self.features.is_enabled(&entity.label)),
            untagged,
            self.features.consistency_severity,
        )
    }

    /// The glossary corrections offered at bytes `range`, for a model with `classes`.
    pub fn glossary_actions(&self, range: Range<usize>, classes: &[String]) -> Vec<GlossaryAction> {
        let plain = self.text.slice(..).to_string();
        features::glossary_actions(self.entities(), &plain, range, classes, &|entity| {
            !entity.accepted && self.features.is_low_confidence(entity.score)
        })
    }
}
