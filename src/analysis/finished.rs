//! What an analysis computes after the model, per paragraph, kept for the next analysis of the
//! same text: each paragraph's entities through the guards and the glossary, and the whole-word
//! matches of the document's tagged terms ([`consistency::TermMatches`]). A keystroke changes one
//! paragraph; the others' results are looked up instead of computed again. On the 20k-word
//! manuscript (220 paragraphs) that was 3.7 ms of guards and glossary and 2.0 ms of consistency
//! search on every keystroke (docs/PERFORMANCE.md).
//!
//! Everything is keyed by content, as the paragraph cache is: a paragraph's guarded entities depend
//! on its [`guards::fingerprint`] (its prose, and where it is math or inserted text), the model's
//! entities for it, and the glossary. Entries are checked against the prose and the model's
//! entities on every hit, so a hash collision can only cost a recomputation.

use std::sync::Arc;

use super::cache::BoundedCache;
use super::consistency::TermMatches;
use super::guards;
use crate::glossary::{Glossary, Glossed};
use crate::ner::Entity;
use crate::prose::Paragraph;

/// One paragraph's finished entities (prose coordinates), and what they were computed from.
#[derive(Debug)]
struct FinishedParagraph {
    prose: String,
    model: Vec<Entity>,
    finished: Vec<Glossed>,
}

/// Kept by the [`super::Analyzer`] between analyses.
pub struct FinishMemo {
    /// The glossary the entries were finished with (held, so its address stays its own).
    glossary: Option<Arc<Glossary>>,
    paragraphs: BoundedCache<u64, Arc<FinishedParagraph>>,
    pub(super) terms: TermMatches,
}

impl FinishMemo {
    /// Holds at most `paragraphs` paragraphs of each kind.
    pub fn new(paragraphs: usize) -> FinishMemo {
        FinishMemo {
            glossary: None,
            paragraphs: BoundedCache::new(paragraphs),
            terms: TermMatches::new(paragraphs),
        }
    }

    /// Forgets every finished paragraph when the glossary is not the one they were finished with.
    pub fn use_glossary(&mut self, glossary: Option<&Arc<Glossary>>) {
        let same = match (&self.glossary, glossary) {
            (None, None) => true,
            (Some(kept), Some(new)) => Arc::ptr_eq(kept, new),
            _ => false,
        };
        if !same {
            self.paragraphs.clear();
            self.glossary = glossary.cloned();
        }
    }

    /// The finished entities of `paragraph` given the model's `entities`, from an earlier analysis
    /// or from `finish` (then kept).
    pub fn finished(
        &mut self,
        paragraph: &Paragraph,
        source: &str,
        entities: &[Entity],
        finish: impl FnOnce() -> Vec<Glossed>,
    ) -> Vec<Glossed> {
        let key = guards::fingerprint(paragraph, source);
        if let Some(kept) = self.paragraphs.get(key)
            && kept.prose == paragraph.prose
            && kept.model == entities
        {
            return kept.finished.clone();
        }
        let finished = finish();
        self.paragraphs.insert(
            key,
            Arc::new(FinishedParagraph {
                prose: paragraph.prose.clone(),
                model: entities.to_vec(),
                finished: finished.clone(),
            }),
        );
        finished
    }
}
