//! The paragraph cache: NER results per paragraph, keyed by content, bounded, least recently used
//! out first (a [`BoundedCache`], which also holds what the analysis computes after the model per
//! paragraph: `analysis::finished`).
//!
//! Entities are stored in prose coordinates (bytes of the paragraph's prose string), never in
//! document positions, so a paragraph that moves, or whose neighbours change, is still a hit.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use crate::ner::Entity;

/// What a paragraph's entities depend on: its prose, the model, and the settings that change what
/// the model returns (decoding and aggregation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ParagraphKey(u64);

impl ParagraphKey {
    /// `settings` is a fingerprint of the result-changing settings (see `AnalysisSettings`).
    pub fn new(
        prose: &str,
        sentences: &[std::ops::Range<usize>],
        model_identity: u64,
        settings: u64,
    ) -> ParagraphKey {
        let mut hasher = DefaultHasher::new();
        prose.hash(&mut hasher);
        // Sentences are derived from the prose today; hashing them keeps the key honest if the
        // splitter ever depends on more than the prose.
        for sentence in sentences {
            (sentence.start, sentence.end).hash(&mut hasher);
        }
        model_identity.hash(&mut hasher);
        settings.hash(&mut hasher);
        ParagraphKey(hasher.finish())
    }
}

/// The entities of one paragraph, in prose coordinates.
pub type CachedEntities = Arc<[Entity]>;

/// A bounded map. When it grows past its capacity it drops the least recently used quarter in one
/// sweep, which keeps each operation cheap on average.
#[derive(Debug)]
pub struct BoundedCache<K, V> {
    capacity: usize,
    clock: u64,
    entries: HashMap<K, (V, u64)>,
}

/// The model's entities per paragraph.
pub type ParagraphCache = BoundedCache<ParagraphKey, CachedEntities>;

/// How many paragraphs the server keeps by default: a few long manuscripts' worth.
pub const DEFAULT_CACHE_CAPACITY: usize = 20_000;

impl<K: Eq + Hash, V: Clone> BoundedCache<K, V> {
    pub fn new(capacity: usize) -> BoundedCache<K, V> {
        BoundedCache {
            capacity: capacity.max(1),
            clock: 0,
            entries: HashMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The value for `key`, marking the entry as recently used.
    pub fn get(&mut self, key: K) -> Option<V> {
        self.clock += 1;
        let clock = self.clock;
        let (value, last_used) = self.entries.get_mut(&key)?;
        *last_used = clock;
        Some(value.clone())
    }

    pub fn insert(&mut self, key: K, value: V) {
        self.clock += 1;
        self.entries.insert(key, (value, self.clock));
        if self.entries.len() > self.capacity {
            self.evict();
        }
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    fn evict(&mut self) {
        let keep = self.capacity - self.capacity / 4;
        let mut ages: Vec<u64> = self
            .entries
            .values()
            .map(|(_, last_used)| *last_used)
            .collect();
        let drop_count = ages.len().saturating_sub(keep);
        if drop_count == 0 {
            return;
        }
        let (_, cutoff, _) = ages.select_nth_unstable(drop_count - 1);
        let cutoff = *cutoff;
        self.entries.retain(|_, (_, last_used)| *last_used > cutoff);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> ParagraphKey {
        ParagraphKey::new(text, &[], 1, 2)
    }

    fn entities(label: &str) -> CachedEntities {
        Arc::from(vec![Entity {
            range: 0..1,
            label: label.to_owned(),
            score: 1.0,
            alternatives: Vec::new(),
            tag: None,
        }])
    }

    #[test]
    fn key_depends_on_prose_model_and_settings() {
        assert_eq!(key("a"), key("a"));
        assert_ne!(key("a"), key("b"));
        assert_ne!(
            ParagraphKey::new("a", &[], 1, 2),
            ParagraphKey::new("a", &[], 3, 2)
        );
        assert_ne!(
            ParagraphKey::new("a", &[], 1, 2),
            ParagraphKey::new("a", &[], 1, 3)
        );
        assert_ne!(
            ParagraphKey::new("a b", &[0..1, 1..3], 1, 2),
            ParagraphKey::new("a b", &[0..1, 2..3], 1, 2)
        );
    }

    #[test]
    fn stays_bounded_and_keeps_recently_used_entries() {
        let mut cache = ParagraphCache::new(8);
        cache.insert(key("keep"), entities("protein"));
        for index in 0..100 {
            cache.insert(key(&format!("p{index}")), entities("DNA"));
            // Touching an entry keeps it alive through evictions.
            assert!(cache.get(key("keep")).is_some(), "evicted after {index}");
            assert!(cache.len() <= 8);
        }
        assert!(cache.get(key("p0")).is_none());
        assert!(cache.get(key("p99")).is_some());
        assert_eq!(
            cache
                .get(key("keep"))
                .map(|entities| entities[0].label.clone())
                .as_deref(),
            Some("protein")
        );
    }
}
