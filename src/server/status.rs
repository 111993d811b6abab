//! `scitag/status`: what the server holds and what it has done, as JSON.
//!
//! The shape (camelCase keys) is a contract with the editor extensions and the benchmarks:
//! `openDocuments`, `paragraphs`, `entities`, `cacheHits`, `cacheMisses`, `cacheEntries`,
//! `cacheCapacity`, `analyses`, `sentencesInferred`, `lastAnalysis` (`paragraphs`, `cacheHits`,
//! `cacheMisses`, `sentencesInferred`, `ms`), `model` (`name`, `state`, `error`),
//! `positionEncoding`, `version`, and `documents` (`uri`, `version`, `analyzedVersion`,
//! `complete` (false while only a partial result of a first analysis is shown), `paragraphs`,
//! `entities`).

use serde_json::{Value, json};

use super::Shared;
use crate::analysis::ModelState;

pub(super) fn status(shared: &Shared) -> Value {
    let counters = shared.analyzer.counters();
    let (cache_entries, cache_capacity) = shared.analyzer.cache_size();
    let mut documents = Vec::new();
    let mut paragraphs = 0;
    let mut entities = 0;
    for entry in shared.documents.iter() {
        let analysis = entry.analysis.as_ref();
        let document_paragraphs = analysis.map_or(0, |analysis| analysis.stats.paragraphs);
        let document_entities = analysis.map_or(0, |analysis| analysis.entities.len());
        paragraphs += document_paragraphs;
        entities += document_entities;
        documents.push(json!({
            "uri": entry.key().as_str(),
            "version": entry.document.version(),
            "analyzedVersion": analysis.map(|analysis| analysis.version),
            "complete": analysis.is_some_and(|analysis| analysis.complete),
            "paragraphs": document_paragraphs,
            "entities": document_entities,
        }));
    }
    documents.sort_by(|a, b| a["uri"].as_str().cmp(&b["uri"].as_str()));
    let state = shared.analyzer.model_state();
    let (name, error) = match &state {
        ModelState::Ready(classifier) => (Some(classifier.name().to_owned()), None),
        ModelState::Failed(message) => (None, Some(message.clone())),
        ModelState::Loading | ModelState::NotLoaded => (None, None),
    };
    json!({
        "version": env!("CARGO_PKG_VERSION"),
        "openDocuments": documents.len(),
        "paragraphs": paragraphs,
        "entities": entities,
        "cacheHits": counters.cache_hits,
        "cacheMisses": counters.cache_misses,
        "cacheEntries": cache_entries,
        "cacheCapacity": cache_capacity,
        "analyses": counters.analyses,
        "sentencesInferred": counters.sentences_inferred,
        "lastAnalysis": {
            "paragraphs": counters.last.paragraphs,
            "cacheHits": counters.last.cache_hits,
            "cacheMisses": counters.last.cache_misses,
            "sentencesInferred": counters.last.sentences_inferred,
            "ms": counters.last.elapsed.as_secs_f64() * 1000.0,
        },
        "model": { "name": name, "state": state.as_str(), "error": error },
        "positionEncoding": shared.support().encoding.as_str(),
        "documents": documents,
    })
}
