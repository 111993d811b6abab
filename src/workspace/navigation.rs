//! Navigation across the workspace: every mention of an entity (references) and entity search by
//! name (workspace symbols), over the open documents and the project index's closed files.

use std::collections::HashSet;
use std::hash::Hash;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use ropey::Rope;

use super::Workspace;
use crate::analysis::{DocumentAnalysis, SourceEntity};
use crate::features::{EntityKey, FeatureSettings, Tally, match_rank, mentions_of, normalize};

/// Where a result lies: an open document, or a closed file of the project index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place<K> {
    Open(K),
    File(PathBuf),
}

/// The mentions of one entity in one document.
#[derive(Clone, Debug)]
pub struct DocumentMentions<K> {
    pub place: Place<K>,
    /// The text the ranges are in (it converts them to positions).
    pub text: Rope,
    /// Bytes of `text`, in order.
    pub ranges: Vec<Range<usize>>,
}

/// One distinct entity of one document that a search found.
#[derive(Clone, Debug)]
pub struct EntitySymbol<K> {
    pub place: Place<K>,
    pub text: Rope,
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

/// One document, wherever it lies, with its entities (shared, not copied) and the settings that
/// say which of them are shown.
struct Source<K> {
    place: Place<K>,
    text: Rope,
    entities: Entities,
    features: FeatureSettings,
}

enum Entities {
    Open(Option<Arc<DocumentAnalysis>>),
    Indexed(Arc<Vec<SourceEntity>>),
}

impl<K> Source<K> {
    fn shown(&self) -> impl Iterator<Item = &SourceEntity> {
        let all: &[SourceEntity] = match &self.entities {
            Entities::Open(analysis) => analysis
                .as_ref()
                .map(|analysis| analysis.entities.as_slice())
                .unwrap_or_default(),
            Entities::Indexed(entities) => entities.as_slice(),
        };
        all.iter()
            .filter(|entity| self.features.is_enabled(&entity.label))
    }
}

impl<K: Eq + Hash + Clone + Send + Sync + 'static> Workspace<K> {
    /// The open documents, then the indexed files that are not open.
    fn sources(&self) -> Vec<Source<K>> {
        let mut sources = Vec::new();
        let mut open_paths = HashSet::new();
        for key in self.keys() {
            let Some(snapshot) = self.snapshot(&key) else {
                continue;
            };
            if let Some(path) = self.documents.get(&key).and_then(|open| open.path.clone()) {
                open_paths.insert(path);
            }
            sources.push(Source {
                place: Place::Open(key),
                text: snapshot.text,
                entities: Entities::Open(snapshot.analysis),
                features: snapshot.features,
            });
        }
        let settings = self.settings();
        for entry in self.index.files.iter() {
            if open_paths.contains(entry.key()) {
                continue;
            }
            sources.push(Source {
                place: Place::File(entry.key().clone()),
                text: entry.text.clone(),
                entities: Entities::Indexed(entry.entities.clone()),
                features: settings.features_for(entry.glossary.as_deref()),
            });
        }
        sources
    }

    /// Every shown mention of `entity` in the open documents and the indexed closed files, one
    /// entry per document that has one (in no particular order).
    pub fn references(&self, entity: &EntityKey) -> Vec<DocumentMentions<K>> {
        self.sources()
            .into_iter()
            .filter_map(|source| {
                let ranges = mentions_of(source.shown(), entity);
                (!ranges.is_empty()).then_some(DocumentMentions {
                    place: source.place,
                    text: source.text,
                    ranges,
                })
            })
            .collect()
    }

    /// The distinct entities of the open documents and indexed files whose normalized text
    /// matches `query` (see [`match_rank`]), best matches first, then by name; at most `limit`.
    pub fn entity_symbols(&self, query: &str, limit: usize) -> Vec<EntitySymbol<K>> {
        let query = normalize(query);
        let mut found = Vec::new();
        for source in self.sources() {
            let mut tally = Tally::new();
            for entity in source.shown() {
                tally.add(0, entity);
            }
            for entity in tally.entities() {
                let Some(rank) = match_rank(&query, &entity.key.text) else {
                    continue;
                };
                found.push(EntitySymbol {
                    place: source.place.clone(),
                    text: source.text.clone(),
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
