//! Navigation across the workspace's documents: every mention of an entity (references) and
//! entity search by name (workspace symbols).

use std::hash::Hash;
use std::ops::Range;

use super::{DocumentSnapshot, Workspace};
use crate::features::{EntityKey, Tally, match_rank, normalize};

/// The mentions of one entity in one document.
#[derive(Clone, Debug)]
pub struct DocumentMentions<K> {
    pub document: K,
    /// The document as it was searched (its text converts the ranges).
    pub snapshot: DocumentSnapshot,
    /// Bytes of the snapshot's text, in order.
    pub ranges: Vec<Range<usize>>,
}

/// One distinct entity of one document that a search found.
#[derive(Clone, Debug)]
pub struct EntitySymbol<K> {
    pub document: K,
    pub snapshot: DocumentSnapshot,
    /// Its most frequent spelling in the document.
    pub name: String,
    /// The class as the model spells it.
    pub class: String,
    pub mentions: usize,
    /// Its first mention in the document.
    pub range: Range<usize>,
    /// How well it matched: 0 exact, 1 prefix, 2 substring, 3 fuzzy ([`match_rank`]).
    pub rank: u8,
}

impl<K: Eq + Hash + Clone + Send + Sync + 'static> Workspace<K> {
    /// Every shown mention of `entity` in the open documents, one entry per document that has one
    /// (in no particular order).
    pub fn references(&self, entity: &EntityKey) -> Vec<DocumentMentions<K>> {
        self.keys()
            .into_iter()
            .filter_map(|document| {
                let snapshot = self.snapshot(&document)?;
                let ranges = snapshot.mentions(entity);
                (!ranges.is_empty()).then_some(DocumentMentions {
                    document,
                    snapshot,
                    ranges,
                })
            })
            .collect()
    }

    /// The distinct entities of the open documents whose normalized text matches `query` (see
    /// [`match_rank`]), best matches first, then by name; at most `limit`.
    pub fn entity_symbols(&self, query: &str, limit: usize) -> Vec<EntitySymbol<K>> {
        let query = normalize(query);
        let mut found = Vec::new();
        for document in self.keys() {
            let Some(snapshot) = self.snapshot(&document) else {
                continue;
            };
            let mut tally = Tally::new();
            snapshot.tally_into(&mut tally, 0);
            for entity in tally.entities() {
                let Some(rank) = match_rank(&query, &entity.key.text) else {
                    continue;
                };
                found.push(EntitySymbol {
                    document: document.clone(),
                    snapshot: snapshot.clone(),
                    name: entity.name,
                    class: entity.key.class,
                    mentions: entity.mentions,
                    range: entity.first.1,
                    rank,
                });
            }
        }
        found.sort_by(|a, b| {
            (a.rank, a.name.to_lowercase(), &a.class).cmp(&(
                b.rank,
                b.name.to_lowercase(),
                &b.class,
            ))
        });
        found.truncate(limit);
        found
    }
}
