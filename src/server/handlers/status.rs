//! `scitag/status`: what the server holds and what it has done, as JSON.
//!
//! The shape (camelCase keys) is a contract with the editor extensions and the benchmarks:
//! `openDocuments`, `paragraphs`, `entities`, `cacheHits`, `cacheMisses`, `cacheEntries`,
//! `cacheCapacity`, `analyses`, `sentencesInferred`, `lastAnalysis` (`paragraphs`, `cacheHits`,
//! `cacheMisses`, `sentencesInferred`, `ms`, `inferenceMs`: the part of `ms` spent in the model), `model` (`name`, `state`, `error`),
//! `positionEncoding`, `version`, and `documents` (`uri`, `version`, `analyzedVersion`,
//! `complete` (false while only a partial result of a first analysis is shown), `paragraphs`,
//! `entities`, `diagnosticsVersion` and `diagnosticsSentVersion`: the version whose diagnostics
//! were considered last and the version last published, null before the first), and `index` (`files`, `indexing`, `fromCache`, `tagged`, `skipped`).

use serde_json::{Value, json};

use crate::server::ServerState;

pub(super) fn status(server: &ServerState) -> Value {
    let counters = server.workspace.counters();
    let (cache_entries, cache_capacity) = server.workspace.cache_size();
    let mut documents = Vec::new();
    let mut paragraphs = 0;
    let mut entities = 0;
    for (uri, summary) in server.workspace.summaries() {
        paragraphs += summary.paragraphs;
        entities += summary.entities;
        let (diagnostics_version, sent_version) = server
            .published_versions(&uri)
            .map_or((None, None), |(considered, sent)| (Some(considered), sent));
        documents.push(json!({
            "uri": uri.as_str(),
            "version": summary.version,
            "analyzedVersion": summary.analyzed_version,
            "diagnosticsVersion": diagnostics_version,
            "diagnosticsSentVersion": sent_version,
            "complete": summary.complete,
            "paragraphs": summary.paragraphs,
            "entities": summary.entities,
        }));
    }
    documents.sort_by(|a, b| a["uri"].as_str().cmp(&b["uri"].as_str()));
    let model = server.workspace.model_status();
    let index = server.workspace.index_status();
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
            "inferenceMs": counters.last.inference.as_secs_f64() * 1000.0,
        },
        "model": { "name": model.name, "state": model.state, "error": model.error },
        "positionEncoding": server.support().encoding.as_str(),
        "documents": documents,
        "index": {
            "files": index.files,
            "indexing": index.indexing,
            "fromCache": index.from_cache,
            "tagged": index.tagged,
            "skipped": index.skipped,
        },
    })
}
