//! Document analysis: prose extraction, the paragraph cache, and NER on what the cache lacks.
//!
//! [`Analyzer::analyze`] is the heavy path. It runs on the scheduler's worker thread (see
//! [`scheduler`]), never on the async runtime: it extracts every paragraph of the document (cheap),
//! looks each one up in the [`cache::ParagraphCache`], sends only the missing paragraphs to the
//! model in batches (checking between batches whether the job became stale), and maps entities from
//! prose to document bytes through each paragraph's offset map. Typing in one paragraph therefore
//! re-runs the model on that paragraph only.

pub mod cache;
pub mod consistency;
mod finished;
pub mod guards;
pub mod heads;
pub mod names;
pub mod scheduler;
pub mod software;
pub mod suppress;

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::ops::Range;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use cache::{CachedEntities, ParagraphCache, ParagraphKey};

use crate::document::AppliedEdit;
use crate::glossary::{Glossary, Glossed, Origin};
use crate::link::{self, Linker, Linking};
use crate::ner::{
    Aggregation, Alternative, Decode, DecodeChoice, Entity, ModelSet, NerError, TagInput,
    TagOutput, Tagger,
};
use crate::prose::{self, ExtractOptions, Language, Paragraph};

/// Documents whose first analysis misses at least this many paragraphs report progress.
pub const PROGRESS_MIN_PARAGRAPHS: usize = 16;

/// Most paragraphs sent to the model in one call; the job checks for staleness between calls.
const BATCH_PARAGRAPHS: usize = 8;
/// Most sentences sent to the model in one call.
const BATCH_SENTENCES: usize = 48;
/// Shortest time between two partial results of one analysis (the first comes after the first
/// batch).
const PARTIAL_INTERVAL: Duration = Duration::from_millis(400);

/// What the analyzer needs from a model. [`Tagger`] is the real one; tests can use a fake.
pub trait Classifier: Send + Sync {
    /// Human name for hovers and status, e.g. `biomed-minilm (int8)`.
    fn name(&self) -> &str;
    /// A stable hash of the model; part of the paragraph cache key.
    fn identity(&self) -> u64;
    /// Entity classes without `B-`/`I-`.
    fn classes(&self) -> Vec<String>;
    /// Tags the inputs; `choice` overrides the model's recommended decoding where it says.
    fn tag(&self, inputs: &[TagInput<'_>], choice: &DecodeChoice) -> Result<TagOutput, NerError>;
    /// Whether a sentence's entities depend only on the sentence (each sentence its own model
    /// window, no context packing): then the analyzer caches and re-runs single sentences.
    fn sentences_independent(&self) -> bool {
        false
    }
}

impl Classifier for Tagger {
    fn name(&self) -> &str {
        Tagger::name(self)
    }

    fn identity(&self) -> u64 {
        Tagger::identity(self)
    }

    fn classes(&self) -> Vec<String> {
        Tagger::classes(self)
    }

    fn tag(&self, inputs: &[TagInput<'_>], choice: &DecodeChoice) -> Result<TagOutput, NerError> {
        Tagger::tag(self, inputs, &choice.resolve(self.recommended_decode()))
    }

    fn sentences_independent(&self) -> bool {
        !self.packs_context()
    }
}

impl Classifier for ModelSet {
    fn name(&self) -> &str {
        ModelSet::name(self)
    }

    fn identity(&self) -> u64 {
        ModelSet::identity(self)
    }

    fn classes(&self) -> Vec<String> {
        ModelSet::classes(self)
    }

    fn tag(&self, inputs: &[TagInput<'_>], choice: &DecodeChoice) -> Result<TagOutput, NerError> {
        ModelSet::tag(self, inputs, choice)
    }

    fn sentences_independent(&self) -> bool {
        !self.packs_context()
    }
}

/// Where the model stands.
#[derive(Clone)]
pub enum ModelState {
    /// No model was asked for yet.
    NotLoaded,
    /// A model is loading; analyses wait for it.
    Loading,
    Ready(Arc<dyn Classifier>),
    /// Loading failed; the message says why and how to fix it.
    Failed(String),
}

impl ModelState {
    /// `not-loaded`, `loading`, `ready` or `failed`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ModelState::NotLoaded => "not-loaded",
            ModelState::Loading => "loading",
            ModelState::Ready(_) => "ready",
            ModelState::Failed(_) => "failed",
        }
    }
}

impl std::fmt::Debug for ModelState {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModelState::Ready(classifier) => write!(formatter, "Ready({})", classifier.name()),
            ModelState::Failed(message) => write!(formatter, "Failed({message})"),
            other => formatter.write_str(other.as_str()),
        }
    }
}

/// The settings that change what an analysis returns.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AnalysisSettings {
    /// `None`: the model's recommendation.
    pub aggregation: Option<Aggregation>,
    /// `None`: the model's recommendation.
    pub decode: Option<Decode>,
    pub extract: ExtractOptions,
    /// Link entities to databases (HGNC, Cell Ontology, Cellosaurus: [`crate::link`]).
    pub link: bool,
}

impl AnalysisSettings {
    fn decode_choice(&self) -> DecodeChoice {
        DecodeChoice {
            aggregation: self.aggregation,
            decode: self.decode,
        }
    }
}

/// Where the user is looking in a document (bytes of its text), shared between the server, which
/// updates it from the editor's requests, and a running analysis, which tags the paragraphs it
/// overlaps first. Only a priority: a stale range just orders the work differently.
pub type Focus = Arc<Mutex<Option<Range<usize>>>>;

/// One document to analyse: its text at one version.
#[derive(Clone, Debug)]
pub struct AnalysisRequest {
    pub text: String,
    pub version: i32,
    pub language: Language,
    pub settings: Arc<AnalysisSettings>,
    /// Report what is done so far while a long analysis runs (see [`Analyzer::analyze`]): for a
    /// document that has no complete result yet, so the first entities show before the last
    /// paragraph is tagged.
    pub partial_results: bool,
    /// Paragraphs overlapping this range are tagged before the others (read before every batch).
    pub focus: Option<Focus>,
    /// The project glossary, applied after the cache (changing it never re-runs the model).
    pub glossary: Option<Arc<Glossary>>,
    /// Background work (the project index): batches of one paragraph, so that `is_current` is asked
    /// often and a keystroke's job waits for little more than one paragraph.
    pub background: bool,
    /// The extraction of an earlier version of the document, to extract this one around the edit
    /// (`prose::extract_after`).
    pub previous: Option<Arc<prose::Extracted>>,
}

/// What one analysis cost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AnalysisStats {
    pub paragraphs: usize,
    pub cache_hits: usize,
    pub cache_misses: usize,
    pub sentences_inferred: usize,
    pub elapsed: Duration,
    /// Of `elapsed`, the time in the model (tokenization, inference, decoding) for the misses.
    pub inference: Duration,
}

/// The entities of one document version.
#[derive(Clone, Debug, PartialEq)]
pub struct DocumentAnalysis {
    pub version: i32,
    /// The identity of the model that found the entities; `None` when there was no model.
    pub model: Option<u64>,
    /// Sorted by start, never overlapping, in bytes of the analysed text.
    pub entities: Vec<SourceEntity>,
    pub stats: AnalysisStats,
    /// False for a partial result: the paragraphs not tagged yet have no entities.
    pub complete: bool,
    /// Occurrences of tagged terms that no entity covers (complete results only), for the
    /// consistency diagnostics.
    pub untagged: Vec<consistency::Untagged>,
    /// The document's headings (its outline), in bytes of the analysed text, moved along with
    /// edits like the entities ([`shift_headings`]).
    pub headings: Vec<prose::Heading>,
    /// What the entities were found in: the text and its extraction, for the next version's
    /// [`AnalysisRequest::previous`] (`None` without a model).
    pub extracted: Option<Arc<prose::Extracted>>,
}

/// Why an analysis produced nothing.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    #[error("the document changed; the analysis was dropped")]
    Stale,
    #[error("the model is still loading")]
    ModelLoading,
    #[error(transparent)]
    Model(#[from] NerError),
}

/// Counters since the server started, for `scitag/status`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    pub analyses: u64,
    pub cache_hits: u64,
    pub cache_misses: u64,
    pub sentences_inferred: u64,
    pub last: AnalysisStats,
}

/// The model, the paragraph cache and the counters, shared by the server and the worker thread.
pub struct Analyzer {
    model: RwLock<ModelState>,
    cache: Mutex<ParagraphCache>,
    /// Under the paragraph cache, for models whose sentences are independent: the entities of one
    /// sentence (in its own coordinates), so an edit in a long paragraph re-runs one sentence.
    sentences: Mutex<ParagraphCache>,
    /// After the model: each paragraph's guarded and glossed entities, and the consistency
    /// search's matches, kept for the next analysis.
    finished: Mutex<finished::FinishMemo>,
    counters: Mutex<Counters>,
    cache_capacity: usize,
}

/// Sentences the sentence cache holds per paragraph the paragraph cache holds.
const SENTENCES_PER_PARAGRAPH: usize = 4;

impl Analyzer {
    pub fn new(cache_capacity: usize) -> Analyzer {
        Analyzer {
            model: RwLock::new(ModelState::NotLoaded),
            cache: Mutex::new(ParagraphCache::new(cache_capacity)),
            sentences: Mutex::new(ParagraphCache::new(
                cache_capacity.saturating_mul(SENTENCES_PER_PARAGRAPH),
            )),
            finished: Mutex::new(finished::FinishMemo::new(cache_capacity)),
            counters: Mutex::new(Counters::default()),
            cache_capacity,
        }
    }

    pub fn model_state(&self) -> ModelState {
        self.model
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    pub fn set_model_state(&self, state: ModelState) {
        *self
            .model
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = state;
    }

    /// The ready model, if any.
    pub fn classifier(&self) -> Option<Arc<dyn Classifier>> {
        match self.model_state() {
            ModelState::Ready(classifier) => Some(classifier),
            _ => None,
        }
    }

    pub fn counters(&self) -> Counters {
        *lock(&self.counters)
    }

    /// Paragraphs held by the cache, and its capacity.
    pub fn cache_size(&self) -> (usize, usize) {
        (lock(&self.cache).len(), self.cache_capacity)
    }

    /// Analyses one document version. `is_current` is polled between model calls; once it says
    /// false the analysis stops with [`AnalysisError::Stale`] (what it already computed stays
    /// cached). `progress` hears (paragraphs tagged, paragraphs to tag) when there are at least
    /// [`PROGRESS_MIN_PARAGRAPHS`] to tag. With [`AnalysisRequest::partial_results`], `partial`
    /// receives incomplete results (`complete: false`) while paragraphs remain to be tagged: after
    /// the first batch, then at most every [`PARTIAL_INTERVAL`].
    pub fn analyze(
        &self,
        request: &AnalysisRequest,
        is_current: &dyn Fn() -> bool,
        progress: &mut dyn FnMut(usize, usize),
        partial: &mut dyn FnMut(DocumentAnalysis),
    ) -> Result<DocumentAnalysis, AnalysisError> {
        let started = Instant::now();
        let classifier = match self.model_state() {
            ModelState::Ready(classifier) => classifier,
            ModelState::Loading => return Err(AnalysisError::ModelLoading),
            // Without a model there is nothing to show; the server has said why.
            ModelState::NotLoaded | ModelState::Failed(_) => {
                let extraction =
                    prose::extract(&request.text, request.language, &request.settings.extract);
                return Ok(DocumentAnalysis {
                    version: request.version,
                    model: None,
                    entities: Vec::new(),
                    stats: AnalysisStats {
                        elapsed: started.elapsed(),
                        ..AnalysisStats::default()
                    },
                    complete: true,
                    untagged: Vec::new(),
                    headings: prose::headings(
                        &request.text,
                        request.language,
                        &extraction.paragraphs,
                    ),
                    extracted: None,
                });
            }
        };
        let (extracted, method) = prose::extract_after(
            request.previous.as_deref(),
            &request.text,
            request.language,
            &request.settings.extract,
        );
        let extracted = Arc::new(extracted);
        // Built once per analysis: its ignore-comment scan serves every partial result, the final
        // one and the consistency search.
        // Partial results (a document just opened) link only if the index is already built, so
        // the first tokens never wait for it; the complete result waits ([`link::embedded`]).
        let mut finisher =
            Finisher::new(&request.text, request.language, request.glossary.as_deref())
                .with_linker(request.settings.link.then(link::loaded).flatten())
                .with_memo(&self.finished, request.glossary.as_ref());
        let paragraphs = extracted.extraction.paragraphs.as_slice();
        let headings = extracted.headings.clone();
        let extracted_at = started.elapsed();
        let decode_choice = request.settings.decode_choice();
        let settings_fingerprint = {
            let mut hasher = DefaultHasher::new();
            decode_choice.hash(&mut hasher);
            hasher.finish()
        };
        let identity = classifier.identity();
        let keys: Vec<ParagraphKey> = paragraphs
            .iter()
            .map(|paragraph| {
                ParagraphKey::new(
                    &paragraph.prose,
                    &paragraph.sentences,
                    identity,
                    settings_fingerprint,
                )
            })
            .collect();

        // Look every paragraph up; collect the distinct misses.
        let mut found: HashMap<ParagraphKey, Arc<[Entity]>> = HashMap::new();
        let mut missing: Vec<usize> = Vec::new();
        let mut missing_keys: HashSet<ParagraphKey> = HashSet::new();
        let mut stats = AnalysisStats {
            paragraphs: paragraphs.len(),
            ..AnalysisStats::default()
        };
        {
            let mut cache = lock(&self.cache);
            for (index, key) in keys.iter().enumerate() {
                // A paragraph repeated in the document is tagged once.
                if found.contains_key(key) || missing_keys.contains(key) {
                    stats.cache_hits += 1;
                    continue;
                }
                match cache.get(*key) {
                    Some(entities) => {
                        stats.cache_hits += 1;
                        found.insert(*key, entities);
                    }
                    None => {
                        stats.cache_misses += 1;
                        missing.push(index);
                        missing_keys.insert(*key);
                    }
                }
            }
        }

        let looked_up = started.elapsed();
        // Tag the misses in batches.
        let total = missing.len();
        let report_progress = total >= PROGRESS_MIN_PARAGRAPHS;
        if report_progress {
            progress(0, total);
        }
        let mut done = 0;
        let mut last_partial: Option<Instant> = None;
        let mut remaining = missing;
        while !remaining.is_empty() {
            if let Some(focus) = request.focus.as_ref().and_then(|focus| lock(focus).clone()) {
                // What the user is looking at first; the rest keep document order.
                remaining.sort_by_key(|&index| {
                    let source = &paragraphs[index].source_range;
                    !(source.start < focus.end && focus.start < source.end)
                });
            }
            let count = if request.background {
                1
            } else {
                batch_len(&remaining, |index| paragraphs[index].sentences.len().max(1))
            };
            let batch: Vec<usize> = remaining.drain(..count).collect();
            if !is_current() {
                self.add_partial(&stats);
                return Err(AnalysisError::Stale);
            }
            let batch_paragraphs: Vec<&Paragraph> =
                batch.iter().map(|&index| &paragraphs[index]).collect();
            let output = self.tag_paragraphs(
                classifier.as_ref(),
                &batch_paragraphs,
                &decode_choice,
                identity,
                settings_fingerprint,
            )?;
            stats.sentences_inferred += output.sentences_inferred;
            let mut cache = lock(&self.cache);
            for (&index, entities) in batch.iter().zip(output.entities) {
                let entities: Arc<[Entity]> = Arc::from(entities);
                cache.insert(keys[index], entities.clone());
                found.insert(keys[index], entities);
            }
            drop(cache);
            done += batch.len();
            if report_progress {
                progress(done, total);
            }
            let due = last_partial.is_none_or(|at: Instant| at.elapsed() >= PARTIAL_INTERVAL);
            if request.partial_results && done < total && due && is_current() {
                last_partial = Some(Instant::now());
                partial(DocumentAnalysis {
                    version: request.version,
                    model: Some(identity),
                    entities: source_entities(&finisher, paragraphs, &keys, &found),
                    stats: AnalysisStats {
                        elapsed: started.elapsed(),
                        ..stats
                    },
                    complete: false,
                    untagged: Vec::new(),
                    headings: headings.clone(),
                    extracted: Some(extracted.clone()),
                });
            }
        }

        let tagged = started.elapsed();
        if request.settings.link {
            finisher.linker = link::embedded();
        }
        let entities = source_entities(&finisher, paragraphs, &keys, &found);
        stats.elapsed = started.elapsed();
        stats.inference = tagged - looked_up;
        tracing::debug!(
            extract = ?extracted_at,
            ?method,
            lookup = ?(looked_up - extracted_at),
            tag = ?(tagged - looked_up),
            map = ?(stats.elapsed - tagged),
            misses = stats.cache_misses,
            sentences = stats.sentences_inferred,
            "analysed version {}",
            request.version
        );
        let mut counters = lock(&self.counters);
        counters.analyses += 1;
        counters.cache_hits += stats.cache_hits as u64;
        counters.cache_misses += stats.cache_misses as u64;
        counters.sentences_inferred += stats.sentences_inferred as u64;
        counters.last = stats;
        let untagged = consistency::untagged_mentions(
            finisher.suppressed(),
            paragraphs,
            &entities,
            Some(&mut lock(&self.finished).terms),
        );
        Ok(DocumentAnalysis {
            version: request.version,
            model: Some(identity),
            entities,
            stats,
            complete: true,
            untagged,
            headings,
            extracted: Some(extracted.clone()),
        })
    }

    /// The model's entities of `paragraphs` (prose coordinates). For a model whose sentences are
    /// independent, through the sentence cache: only sentences not seen before (with this model and
    /// settings) are run, each as its own input, and their entities are shifted into place; the
    /// result is the same as tagging the paragraphs whole.
    fn tag_paragraphs(
        &self,
        classifier: &dyn Classifier,
        paragraphs: &[&Paragraph],
        options: &DecodeChoice,
        identity: u64,
        settings: u64,
    ) -> Result<TagOutput, NerError> {
        if !classifier.sentences_independent() {
            let inputs: Vec<TagInput<'_>> = paragraphs
                .iter()
                .map(|paragraph| TagInput {
                    text: &paragraph.prose,
                    sentences: &paragraph.sentences,
                })
                .collect();
            return classifier.tag(&inputs, options);
        }
        // Each paragraph's sentences (the whole prose when the splitter found none), keyed.
        let mut pieces: Vec<Vec<(Range<usize>, ParagraphKey)>> =
            Vec::with_capacity(paragraphs.len());
        for paragraph in paragraphs {
            let whole = 0..paragraph.prose.len();
            let ranges: &[Range<usize>] = if paragraph.sentences.is_empty() {
                std::slice::from_ref(&whole)
            } else {
                &paragraph.sentences
            };
            pieces.push(
                ranges
                    .iter()
                    .filter(|range| {
                        paragraph
                            .prose
                            .get((*range).clone())
                            .is_some_and(|text| !text.trim().is_empty())
                    })
                    .map(|range| {
                        let text = &paragraph.prose[range.clone()];
                        (
                            range.clone(),
                            ParagraphKey::new(text, &[], identity, settings),
                        )
                    })
                    .collect(),
            );
        }
        let mut known: HashMap<ParagraphKey, CachedEntities> = HashMap::new();
        let mut missing: Vec<(usize, Range<usize>, ParagraphKey)> = Vec::new();
        let mut missing_keys: HashSet<ParagraphKey> = HashSet::new();
        {
            let mut cache = lock(&self.sentences);
            for (index, sentences) in pieces.iter().enumerate() {
                for (range, key) in sentences {
                    if known.contains_key(key) || missing_keys.contains(key) {
                        continue;
                    }
                    match cache.get(*key) {
                        Some(entities) => {
                            known.insert(*key, entities);
                        }
                        None => {
                            missing_keys.insert(*key);
                            missing.push((index, range.clone(), *key));
                        }
                    }
                }
            }
        }
        let mut sentences_inferred = 0;
        if !missing.is_empty() {
            let whole: Vec<Range<usize>> = missing
                .iter()
                .map(|(_, range, _)| 0..range.end - range.start)
                .collect();
            let inputs: Vec<TagInput<'_>> = missing
                .iter()
                .zip(&whole)
                .map(|((index, range, _), sentence)| TagInput {
                    text: &paragraphs[*index].prose[range.clone()],
                    sentences: std::slice::from_ref(sentence),
                })
                .collect();
            let output = classifier.tag(&inputs, options)?;
            sentences_inferred = output.sentences_inferred;
            let mut cache = lock(&self.sentences);
            for ((_, _, key), entities) in missing.iter().zip(output.entities) {
                let entities: CachedEntities = Arc::from(entities);
                cache.insert(*key, entities.clone());
                known.insert(*key, entities);
            }
        }
        let entities = pieces
            .iter()
            .map(|sentences| {
                let mut entities = Vec::new();
                for (range, key) in sentences {
                    for entity in known.get(key).into_iter().flat_map(|list| list.iter()) {
                        entities.push(Entity {
                            range: entity.range.start + range.start..entity.range.end + range.start,
                            ..entity.clone()
                        });
                    }
                }
                entities.sort_by_key(|entity| (entity.range.start, entity.range.end));
                entities
            })
            .collect();
        Ok(TagOutput {
            entities,
            sentences_inferred,
        })
    }

    /// Counts the model work of an analysis that stopped early (it is cached, so it was not lost).
    fn add_partial(&self, stats: &AnalysisStats) {
        let mut counters = lock(&self.counters);
        counters.cache_hits += stats.cache_hits as u64;
        counters.cache_misses += stats.cache_misses as u64;
        counters.sentences_inferred += stats.sentences_inferred as u64;
    }
}

/// How many of `indices`, from the front, make the next batch: at most [`BATCH_PARAGRAPHS`]
/// paragraphs and (unless a single paragraph is bigger) [`BATCH_SENTENCES`] sentences. Zero only
/// when `indices` is empty.
fn batch_len(indices: &[usize], sentences_of: impl Fn(usize) -> usize) -> usize {
    let mut sentences = 0;
    for (taken, &index) in indices.iter().enumerate() {
        let count = sentences_of(index);
        if taken > 0 && (taken >= BATCH_PARAGRAPHS || sentences + count > BATCH_SENTENCES) {
            return taken;
        }
        sentences += count;
    }
    indices.len()
}

/// The entities of the paragraphs in `found` (the model's, from the cache or a fresh run), through
/// [`map_to_source`].
fn source_entities(
    finisher: &Finisher<'_>,
    paragraphs: &[Paragraph],
    keys: &[ParagraphKey],
    found: &HashMap<ParagraphKey, Arc<[Entity]>>,
) -> Vec<SourceEntity> {
    map_to_source(
        finisher,
        paragraphs
            .iter()
            .zip(keys)
            .filter_map(|(paragraph, key)| Some((paragraph, &**found.get(key)?))),
    )
}

/// The last steps of the one pipeline, shared by the server and the CLI: each paragraph's model
/// entities through the guards, the glossary and the ignore comments ([`Finisher`]), mapped to document bytes;
/// sorted by start, never overlapping (the earlier one wins), never empty.
pub fn map_to_source<'a>(
    finisher: &Finisher<'_>,
    paragraphs: impl Iterator<Item = (&'a Paragraph, &'a [Entity])>,
) -> Vec<SourceEntity> {
    placed_entities(finisher, paragraphs)
        .into_iter()
        .map(|(entity, _)| entity)
        .collect()
}

/// Where a finished entity is in the prose: its paragraph (index in the extraction) and its bytes
/// of that paragraph's prose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    pub paragraph: usize,
    pub prose: Range<usize>,
}

/// [`map_to_source`] keeping each entity's [`Placement`].
fn placed_entities<'a>(
    finisher: &Finisher<'_>,
    paragraphs: impl Iterator<Item = (&'a Paragraph, &'a [Entity])>,
) -> Vec<(SourceEntity, Placement)> {
    let mut entities = Vec::new();
    for (index, (paragraph, paragraph_entities)) in paragraphs.enumerate() {
        for glossed in finisher.paragraph(paragraph, paragraph_entities) {
            let Some(range) = paragraph.to_source(glossed.entity.range.clone()) else {
                continue;
            };
            let placement = Placement {
                paragraph: index,
                prose: glossed.entity.range.clone(),
            };
            entities.push((
                SourceEntity::from_glossed(range, &paragraph.prose, glossed),
                placement,
            ));
        }
    }
    entities.sort_by_key(|(entity, _)| (entity.range.start, entity.range.end));
    let mut last_end = 0;
    entities.retain(|(entity, _)| {
        let keep = entity.range.start >= last_end && !entity.range.is_empty();
        if keep {
            last_end = entity.range.end;
        }
        keep
    });
    for (entity, _) in &mut entities {
        entity.link = finisher.link(entity);
    }
    entities
}

/// The whole pipeline for texts read at once (`scitag eval` on span annotations, the tests'
/// oracle): extract, tag, guards, glossary, map — what the server does for a document, without the
/// cache. Returns each text's entities in bytes of that text, and the sentences inferred.
pub fn tag_texts(
    classifier: &dyn Classifier,
    texts: &[&str],
    language: Language,
    extract: &ExtractOptions,
    options: &DecodeChoice,
    glossary: Option<&Glossary>,
) -> Result<(Vec<Vec<SourceEntity>>, usize), NerError> {
    let (analyses, sentences) = analyze_texts(
        classifier, texts, language, extract, options, glossary, true,
    )?;
    Ok((
        analyses
            .into_iter()
            .map(|analysis| analysis.entities)
            .collect(),
        sentences,
    ))
}

/// One text through the whole pipeline, with what the command line's reports need besides the
/// entities: the paragraphs (the exports' passages) and the untagged mentions (the consistency
/// findings, as the server computes them).
#[derive(Clone, Debug)]
pub struct TextAnalysis {
    pub paragraphs: Vec<Paragraph>,
    /// Sorted by start, never overlapping, in bytes of the text.
    pub entities: Vec<SourceEntity>,
    /// Where each of `entities` (same index) is in `paragraphs`' prose.
    pub placements: Vec<Placement>,
    pub untagged: Vec<consistency::Untagged>,
}

/// [`tag_texts`] keeping the paragraphs and the untagged mentions of each text; `link`: link the
/// entities to the databases (docs/LINKING.md) after the glossary.
pub fn analyze_texts(
    classifier: &dyn Classifier,
    texts: &[&str],
    language: Language,
    extract: &ExtractOptions,
    options: &DecodeChoice,
    glossary: Option<&Glossary>,
    link: bool,
) -> Result<(Vec<TextAnalysis>, usize), NerError> {
    let extractions: Vec<Vec<Paragraph>> = texts
        .iter()
        .map(|text| prose::extract(text, language, extract).paragraphs)
        .collect();
    let inputs: Vec<TagInput<'_>> = extractions
        .iter()
        .flatten()
        .map(|paragraph| TagInput {
            text: &paragraph.prose,
            sentences: &paragraph.sentences,
        })
        .collect();
    let output = classifier.tag(&inputs, options)?;
    let mut tagged = output.entities.iter();
    let mut result = Vec::with_capacity(texts.len());
    for (text, paragraphs) in texts.iter().zip(extractions) {
        let pairs: Vec<(&Paragraph, &[Entity])> = paragraphs
            .iter()
            .map(|paragraph| (paragraph, tagged.next().map_or(&[][..], Vec::as_slice)))
            .collect();
        let linker = if link { link::embedded() } else { None };
        let finisher = Finisher::new(text, language, glossary).with_linker(linker);
        let (entities, placements): (Vec<SourceEntity>, Vec<Placement>) =
            placed_entities(&finisher, pairs.into_iter())
                .into_iter()
                .unzip();
        let untagged =
            consistency::untagged_mentions(finisher.suppressed(), &paragraphs, &entities, None);
        result.push(TextAnalysis {
            paragraphs,
            entities,
            placements,
            untagged,
        });
    }
    Ok((result, output.sentences_inferred))
}

/// An entity in document coordinates: bytes of the document text it was found in.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SourceEntity {
    pub range: Range<usize>,
    pub label: String,
    pub score: f32,
    pub alternatives: Vec<Alternative>,
    /// The entity's prose text (what the glossary matches; may differ from the source bytes, e.g.
    /// `TNF-α` for `TNF-$\alpha$`).
    pub text: String,
    /// The model's, or the project glossary's (`[class]`).
    pub origin: Origin,
    /// No low-confidence warning: an accepted glossary term, or a glossary entity.
    pub accepted: bool,
    /// The token's own label (`B-cell_type`) with `--aggregation none` ([`Entity::tag`]).
    pub tag: Option<String>,
    /// The database entries it may name ([`crate::link`]); `None` when linking is off or the
    /// class is not linked. Shared: the linker remembers its answer per class and text.
    pub link: Option<Arc<Linking>>,
}

impl SourceEntity {
    fn from_glossed(range: Range<usize>, prose: &str, glossed: Glossed) -> SourceEntity {
        SourceEntity {
            range,
            text: prose
                .get(glossed.entity.range.clone())
                .unwrap_or_default()
                .to_owned(),
            label: glossed.entity.label,
            tag: glossed.entity.tag,
            score: glossed.entity.score,
            alternatives: glossed.entity.alternatives,
            origin: glossed.origin,
            accepted: glossed.accepted,
            link: None,
        }
    }
}

/// The steps between the model (or the cache) and the map to source bytes, for one document:
/// the guards, the glossary, and the document's ignore comments ([`suppress`]).
pub struct Finisher<'a> {
    text: &'a str,
    glossary: Option<&'a Glossary>,
    /// The glossary's pinned identifiers (`[link]`), kept even when it has no other terms.
    pins: Option<&'a Glossary>,
    linker: Option<&'a Linker>,
    suppressed: Vec<Range<usize>>,
    /// The server's analyses keep each paragraph's finished entities here for the next one.
    memo: Option<&'a Mutex<finished::FinishMemo>>,
}

impl<'a> Finisher<'a> {
    pub fn new(text: &'a str, language: Language, glossary: Option<&'a Glossary>) -> Finisher<'a> {
        Finisher {
            text,
            glossary: glossary.filter(|glossary| !glossary.is_empty()),
            pins: glossary.filter(|glossary| !glossary.links.is_empty()),
            linker: None,
            suppressed: suppress::suppressed_ranges(text, language),
            memo: None,
        }
    }

    /// Keeps each paragraph's finished entities in `memo` and reuses those of earlier analyses
    /// finished with the same `glossary` (this finisher's, shared).
    fn with_memo(
        mut self,
        memo: &'a Mutex<finished::FinishMemo>,
        glossary: Option<&Arc<Glossary>>,
    ) -> Finisher<'a> {
        lock(memo).use_glossary(glossary);
        self.memo = Some(memo);
        self
    }

    /// Links the finished entities with `linker` (the last step; `None`: no linking).
    pub fn with_linker(mut self, linker: Option<&'a Linker>) -> Finisher<'a> {
        self.linker = linker;
        self
    }

    /// The linking of one finished entity: the glossary's pinned identifier for its text, else the
    /// linker's answer (remembered per class and text, so a re-analysis costs a lookup).
    fn link(&self, entity: &SourceEntity) -> Option<Arc<Linking>> {
        let linker = self.linker?;
        if let Some(id) = self
            .pins
            .and_then(|glossary| glossary.pinned_id(&entity.text))
        {
            return Some(Arc::new(linker.pinned(id)));
        }
        linker.link(&entity.label, &entity.text)
    }

    /// The document's byte ranges hidden by ignore comments (sorted).
    pub fn suppressed(&self) -> &[Range<usize>] {
        &self.suppressed
    }

    /// One paragraph's entities (prose coordinates), finished.
    pub fn paragraph(&self, paragraph: &Paragraph, entities: &[Entity]) -> Vec<Glossed> {
        let mut glossed = match self.memo {
            Some(memo) => lock(memo).finished(paragraph, self.text, entities, || {
                self.guarded_and_glossed(paragraph, entities)
            }),
            None => self.guarded_and_glossed(paragraph, entities),
        };
        if !self.suppressed.is_empty() {
            glossed.retain(|glossed| {
                paragraph
                    .to_source(glossed.entity.range.clone())
                    .is_none_or(|source| !suppress::is_suppressed(&self.suppressed, &source))
            });
        }
        glossed
    }
}

impl Finisher<'_> {
    /// The guards, then the glossary (what [`finished::FinishMemo`] keeps per paragraph).
    fn guarded_and_glossed(&self, paragraph: &Paragraph, entities: &[Entity]) -> Vec<Glossed> {
        let guarded = guards::apply(paragraph, self.text, entities);
        match self.glossary {
            Some(glossary) => glossary.apply(&paragraph.prose, guarded),
            None => guarded
                .into_iter()
                .map(|entity| Glossed {
                    entity,
                    origin: Origin::Model,
                    accepted: false,
                })
                .collect(),
        }
    }
}

/// Moves `entities` along with `edits` (applied in order). Entities whose text an edit touched
/// are dropped: they are stale until the next analysis.
pub fn shift_entities(entities: &mut Vec<SourceEntity>, edits: &[AppliedEdit]) {
    for edit in edits {
        let (start, end) = (edit.replaced.start, edit.replaced.end);
        entities.retain_mut(|entity| {
            // An insertion exactly at an entity's start or end leaves the entity's text intact.
            let touched = if start == end {
                entity.range.start < start && start < entity.range.end
            } else {
                start < entity.range.end && entity.range.start < end
            };
            if touched {
                return false;
            }
            if entity.range.start >= end {
                let removed = end - start;
                entity.range = entity.range.start - removed + edit.inserted_len
                    ..entity.range.end - removed + edit.inserted_len;
            }
            true
        });
    }
}

/// Moves `headings` along with `edits` (applied in order). Unlike an entity, a heading an edit
/// touches stays, stretched or shrunk over the edit (its title is stale until the next analysis),
/// so the outline keeps its shape while the user types in a heading.
pub fn shift_headings(headings: &mut [prose::Heading], edits: &[AppliedEdit]) {
    for edit in edits {
        let (start, end) = (edit.replaced.start, edit.replaced.end);
        let moved = |offset: usize| offset - (end - start) + edit.inserted_len;
        for heading in headings.iter_mut() {
            let range = &mut heading.range;
            if start >= range.end {
                // The edit is after the heading (an insertion at its end too).
                continue;
            }
            if end <= range.start {
                *range = moved(range.start)..moved(range.end);
                continue;
            }
            let new_start = range.start.min(start);
            let new_end = moved(range.end.max(end));
            *range = new_start..new_end.max(new_start);
        }
    }
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it: every critical section
/// in this crate leaves its data consistent between statements.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Tags every word that starts with an uppercase letter as a protein; the score is lower for
    /// short words. Counts the paragraphs it was given.
    struct CapitalizedWords {
        calls: AtomicUsize,
    }

    impl Classifier for CapitalizedWords {
        fn name(&self) -> &str {
            "capitalized words"
        }

        fn identity(&self) -> u64 {
            7
        }

        fn classes(&self) -> Vec<String> {
            vec!["protein".into()]
        }

        fn tag(
            &self,
            inputs: &[TagInput<'_>],
            _options: &DecodeChoice,
        ) -> Result<TagOutput, NerError> {
            self.calls.fetch_add(inputs.len(), Ordering::SeqCst);
            let mut output = TagOutput::default();
            for input in inputs {
                output.sentences_inferred += input.sentences.len().max(1);
                let mut entities = Vec::new();
                let mut offset = 0;
                for word in input.text.split(' ') {
                    let trimmed = word.trim_end_matches(['.', ',']);
                    if trimmed.chars().next().is_some_and(char::is_uppercase) {
                        entities.push(Entity {
                            range: offset..offset + trimmed.len(),
                            label: "protein".into(),
                            score: if trimmed.len() > 3 { 0.95 } else { 0.5 },
                            alternatives: vec![Alternative {
                                label: "DNA".into(),
                                probability: 0.04,
                            }],
                            tag: None,
                        });
                    }
                    offset += word.len() + 1;
                }
                output.entities.push(entities);
            }
            Ok(output)
        }
    }

    fn analyzer() -> (Analyzer, Arc<CapitalizedWords>) {
        let analyzer = Analyzer::new(1000);
        let classifier = Arc::new(CapitalizedWords {
            calls: AtomicUsize::new(0),
        });
        analyzer.set_model_state(ModelState::Ready(classifier.clone()));
        (analyzer, classifier)
    }

    fn run(analyzer: &Analyzer, text: &str) -> DocumentAnalysis {
        run_with(analyzer, text, None)
    }

    #[test]
    fn an_occurrence_the_model_missed_is_reported_with_the_tagged_ones() {
        let (analyzer, _) = analyzer();
        // the fake tags words that start with a capital: "(Notch)" starts with a bracket
        let text = "Notch binds Delta.\n\nCleaved (Notch) signals, unlike `Notch` in code.\n";
        let analysis = run(&analyzer, text);
        let second = text.find("(Notch)").unwrap() + 1;
        assert_eq!(
            analysis.untagged,
            vec![consistency::Untagged {
                range: second..second + 5,
                term: "Notch".into()
            }]
        );
        let findings = crate::features::consistency(
            &analysis.entities,
            &analysis.untagged,
            Some(crate::features::Severity::Hint),
        );
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].code, crate::features::UNTAGGED_MENTION_CODE);
        assert_eq!(findings[0].related, vec![0..5]);
    }

    fn run_with(
        analyzer: &Analyzer,
        text: &str,
        glossary: Option<Arc<Glossary>>,
    ) -> DocumentAnalysis {
        let request = AnalysisRequest {
            text: text.to_owned(),
            version: 1,
            language: Language::Markdown,
            settings: Arc::new(AnalysisSettings::default()),
            partial_results: false,
            focus: None,
            glossary,
            background: false,
            previous: None,
        };
        analyzer
            .analyze(&request, &|| true, &mut |_, _| {}, &mut |_| {})
            .expect("analysis")
    }

    /// What an analysis keeps for the next one (finished paragraphs, consistency matches) never
    /// changes its result: a long-lived analyzer answers as a fresh one, when the same prose comes
    /// from math in one document and from text in the next, when the glossary changes, and when
    /// the tagged terms change.
    #[test]
    fn what_analyses_keep_for_the_next_never_changes_a_result() {
        let (kept, _) = analyzer();
        let ignore_abc = Arc::new(Glossary::parse("ignore = [\"Abc\"]\n").expect("glossary"));
        let steps: [(&str, Option<Arc<Glossary>>); 6] = [
            ("Kinase $Abc$ binds Notch.\n\nNotch and Abc again.\n", None),
            ("Kinase Abc binds Notch.\n\nNotch and Abc again.\n", None),
            (
                "Kinase Abc binds Notch.\n\nNotch and Abc again.\n",
                Some(ignore_abc.clone()),
            ),
            ("Kinase Abc binds Notch.\n\nNotch and Abc again.\n", None),
            ("Kinase Abc binds notch.\n\nNotch and Abc again.\n", None),
            (
                "Kinase Abc binds notch.\n\nNotch and Abc again, Kinase.\n",
                None,
            ),
        ];
        let mut results = Vec::new();
        for (text, glossary) in steps {
            let (fresh, _) = analyzer();
            let expected = run_with(&fresh, text, glossary.clone());
            let got = run_with(&kept, text, glossary);
            assert_eq!(got.entities, expected.entities, "{text:?}");
            assert_eq!(got.untagged, expected.untagged, "{text:?}");
            results.push(texts(text, &got).join("|"));
        }
        // The steps do change the result: math is no protein, the glossary's ignored term goes.
        assert_eq!(results[0], "Kinase|Notch|Notch|Abc");
        assert_eq!(results[1], "Kinase|Abc|Notch|Notch|Abc");
        assert_eq!(results[2], "Kinase|Notch|Notch");
        assert_eq!(results[3], results[1]);
    }

    fn texts<'a>(text: &'a str, analysis: &DocumentAnalysis) -> Vec<&'a str> {
        analysis
            .entities
            .iter()
            .map(|entity| &text[entity.range.clone()])
            .collect()
    }

    const THREE_PARAGRAPHS: &str =
        "# Signalling\n\nThe Notch receptor binds `Code` here.\n\nIn T cells, Jagged1 acts.\n";

    #[test]
    fn entities_land_on_source_bytes() {
        let (analyzer, _) = analyzer();
        let analysis = run(&analyzer, THREE_PARAGRAPHS);
        // "T" (of "T cells") is one character: the guards drop it.
        assert_eq!(
            texts(THREE_PARAGRAPHS, &analysis),
            ["Signalling", "Notch", "Jagged1"]
        );
        assert_eq!(analysis.stats.paragraphs, 3);
        assert_eq!(analysis.stats.cache_misses, 3);
    }

    #[test]
    fn an_edit_in_one_paragraph_reruns_only_that_paragraph() {
        let (analyzer, classifier) = analyzer();
        run(&analyzer, THREE_PARAGRAPHS);
        let edited = THREE_PARAGRAPHS.replace("Jagged1 acts", "Jagged1 and Delta act");
        let analysis = run(&analyzer, &edited);
        assert_eq!(analysis.stats.cache_misses, 1);
        assert_eq!(analysis.stats.cache_hits, 2);
        assert_eq!(analysis.stats.sentences_inferred, 1);
        assert_eq!(classifier.calls.load(Ordering::SeqCst), 4);
        assert_eq!(
            texts(&edited, &analysis),
            ["Signalling", "Notch", "Jagged1", "Delta"]
        );
        assert_eq!(analyzer.counters().last, analysis.stats);
        assert_eq!(analyzer.counters().analyses, 2);
    }

    #[test]
    fn whitespace_between_paragraphs_reruns_nothing() {
        let (analyzer, classifier) = analyzer();
        run(&analyzer, THREE_PARAGRAPHS);
        let spaced = THREE_PARAGRAPHS.replace("here.\n\n", "here.\n\n\n   \n");
        let analysis = run(&analyzer, &spaced);
        assert_eq!(
            (
                analysis.stats.cache_misses,
                analysis.stats.sentences_inferred
            ),
            (0, 0)
        );
        assert_eq!(classifier.calls.load(Ordering::SeqCst), 3);
        assert_eq!(
            texts(&spaced, &analysis),
            ["Signalling", "Notch", "Jagged1"]
        );
    }

    #[test]
    fn repeated_paragraphs_are_tagged_once() {
        let (analyzer, classifier) = analyzer();
        let analysis = run(&analyzer, "Notch Signalling.\n\nNotch Signalling.\n");
        assert_eq!(classifier.calls.load(Ordering::SeqCst), 1);
        assert_eq!(analysis.entities.len(), 4);
    }

    #[test]
    fn a_stale_job_stops_between_batches_and_keeps_what_it_tagged() {
        let (analyzer, classifier) = analyzer();
        let text: String = (0..40)
            .map(|index| format!("Paragraph number {index}.\n\n"))
            .collect();
        let request = AnalysisRequest {
            text: text.clone(),
            version: 1,
            language: Language::Markdown,
            settings: Arc::new(AnalysisSettings::default()),
            partial_results: false,
            focus: None,
            glossary: None,
            background: false,
            previous: None,
        };
        let polls = AtomicUsize::new(0);
        let mut reports = Vec::new();
        let result = analyzer.analyze(
            &request,
            &|| polls.fetch_add(1, Ordering::SeqCst) < 1,
            &mut |done, total| reports.push((done, total)),
            &mut |_| {},
        );
        assert!(matches!(result, Err(AnalysisError::Stale)), "{result:?}");
        assert_eq!(classifier.calls.load(Ordering::SeqCst), BATCH_PARAGRAPHS);
        assert_eq!(reports, [(0, 40), (BATCH_PARAGRAPHS, 40)]);
        let analysis = run(&analyzer, &text);
        assert_eq!(analysis.stats.cache_hits, BATCH_PARAGRAPHS);
    }

    #[test]
    fn a_long_first_analysis_reports_what_it_has_before_it_is_done() {
        let (analyzer, _) = analyzer();
        let text: String = (0..40)
            .map(|index| format!("Paragraph Number {index}.\n\n"))
            .collect();
        let mut request = AnalysisRequest {
            text: text.clone(),
            version: 3,
            language: Language::Markdown,
            settings: Arc::new(AnalysisSettings::default()),
            partial_results: true,
            focus: None,
            glossary: None,
            background: false,
            previous: None,
        };
        let mut partials = Vec::new();
        let complete = analyzer
            .analyze(&request, &|| true, &mut |_, _| {}, &mut |analysis| {
                partials.push(analysis)
            })
            .expect("analysis");
        // The classifier is instant, so only the first batch reports before the end.
        assert_eq!(partials.len(), 1);
        let first = &partials[0];
        assert!(!first.complete && complete.complete);
        assert_eq!(first.version, 3);
        // The first batch's paragraphs, with the same entities as the complete result.
        assert_eq!(first.entities.len(), 2 * BATCH_PARAGRAPHS);
        assert_eq!(
            first.entities[..],
            complete.entities[..2 * BATCH_PARAGRAPHS]
        );
        assert_eq!(complete.entities.len(), 80);

        // Nothing partial when not asked for, or when nothing is left to tag.
        request.partial_results = false;
        request.text.push_str("One More Paragraph.\n");
        let mut count = 0;
        analyzer
            .analyze(&request, &|| true, &mut |_, _| {}, &mut |_| count += 1)
            .expect("analysis");
        request.partial_results = true;
        request.text.push_str("\nAnd Another.\n");
        analyzer
            .analyze(&request, &|| true, &mut |_, _| {}, &mut |_| count += 1)
            .expect("analysis");
        assert_eq!(count, 0);
    }

    #[test]
    fn the_paragraphs_in_focus_are_tagged_first() {
        let (analyzer, _) = analyzer();
        let text: String = (0..40)
            .map(|index| format!("Paragraph Number {index}.\n\n"))
            .collect();
        // The editor shows paragraphs 30 and 31.
        let start = text.find("Paragraph Number 30.").expect("paragraph 30");
        let end = text.find("Paragraph Number 32.").expect("paragraph 32");
        let request = AnalysisRequest {
            text: text.clone(),
            version: 1,
            language: Language::Markdown,
            settings: Arc::new(AnalysisSettings::default()),
            partial_results: true,
            focus: Some(Arc::new(Mutex::new(Some(start..end)))),
            glossary: None,
            background: false,
            previous: None,
        };
        let mut partials = Vec::new();
        let complete = analyzer
            .analyze(&request, &|| true, &mut |_, _| {}, &mut |analysis| {
                partials.push(analysis)
            })
            .expect("analysis");
        // The first batch: paragraphs 30 and 31, then the first six in document order.
        let starts: Vec<usize> = partials[0]
            .entities
            .iter()
            .map(|entity| entity.range.start)
            .collect();
        assert_eq!(starts.len(), 2 * BATCH_PARAGRAPHS);
        assert!(starts.contains(&start), "{starts:?}");
        assert!(starts.contains(&text.find("Paragraph Number 31.").expect("31")));
        assert!(!starts.contains(&text.find("Paragraph Number 7.").expect("7")));
        assert_eq!(complete.entities.len(), 80);
    }

    #[test]
    fn no_model_gives_no_entities_and_a_loading_model_gives_no_result() {
        let analyzer = Analyzer::new(10);
        assert!(run(&analyzer, THREE_PARAGRAPHS).entities.is_empty());
        analyzer.set_model_state(ModelState::Failed("no model".into()));
        assert!(run(&analyzer, THREE_PARAGRAPHS).entities.is_empty());
        analyzer.set_model_state(ModelState::Loading);
        let request = AnalysisRequest {
            text: THREE_PARAGRAPHS.to_owned(),
            version: 1,
            language: Language::Markdown,
            settings: Arc::new(AnalysisSettings::default()),
            partial_results: false,
            focus: None,
            glossary: None,
            background: false,
            previous: None,
        };
        assert!(matches!(
            analyzer.analyze(&request, &|| true, &mut |_, _| {}, &mut |_| {}),
            Err(AnalysisError::ModelLoading)
        ));
    }

    /// The batches an analysis makes of `indices` (no focus), one [`batch_len`] at a time.
    fn batches(indices: &[usize], sentences_of: impl Fn(usize) -> usize) -> Vec<Vec<usize>> {
        let mut rest = indices;
        let mut batches = Vec::new();
        while !rest.is_empty() {
            let (batch, after) = rest.split_at(batch_len(rest, &sentences_of));
            batches.push(batch.to_vec());
            rest = after;
        }
        batches
    }

    #[test]
    fn batches_respect_both_limits() {
        let indices: Vec<usize> = (0..20).collect();
        let by_paragraphs = batches(&indices, |_| 1);
        assert_eq!(
            by_paragraphs.iter().map(Vec::len).collect::<Vec<_>>(),
            [8, 8, 4]
        );
        let by_sentences = batches(&indices[..4], |_| 30);
        assert_eq!(
            by_sentences.iter().map(Vec::len).collect::<Vec<_>>(),
            [1, 1, 1, 1]
        );
    }

    fn entity(range: Range<usize>) -> SourceEntity {
        SourceEntity {
            range,
            label: "protein".into(),
            score: 0.9,
            alternatives: Vec::new(),
            ..Default::default()
        }
    }

    fn shifted(ranges: &[Range<usize>], edits: &[AppliedEdit]) -> Vec<Range<usize>> {
        let mut entities: Vec<SourceEntity> = ranges.iter().cloned().map(entity).collect();
        shift_entities(&mut entities, edits);
        entities.into_iter().map(|entity| entity.range).collect()
    }

    #[test]
    fn headings_move_with_edits_and_stretch_when_typed_in() {
        let heading = |range: Range<usize>| prose::Heading {
            level: 1,
            title: "Methods".into(),
            range,
        };
        let edit = |replaced: Range<usize>, inserted_len: usize| AppliedEdit {
            replaced,
            inserted_len,
        };
        let shifted = |edits: &[AppliedEdit]| {
            let mut headings = vec![heading(10..19), heading(40..50)];
            shift_headings(&mut headings, edits);
            headings
                .into_iter()
                .map(|heading| heading.range)
                .collect::<Vec<_>>()
        };
        // Two bytes typed before both, then one inside the first, then the second is cut short.
        assert_eq!(shifted(&[edit(0..0, 2)]), [12..21, 42..52]);
        assert_eq!(shifted(&[edit(15..15, 1)]), [10..20, 41..51]);
        assert_eq!(shifted(&[edit(45..60, 0)]), [10..19, 40..45]);
        // A deletion over a whole heading leaves an empty heading, never a reversed range.
        assert_eq!(shifted(&[edit(5..25, 0)]), [5..5, 20..30]);
        // Typing right after a heading leaves it as it was.
        assert_eq!(shifted(&[edit(19..19, 3)]), [10..19, 43..53]);
    }

    #[test]
    fn entities_move_with_edits_before_them_and_drop_when_touched() {
        let ranges = [0..4, 10..14, 20..24];
        // Typing two bytes at offset 7, between the first two entities.
        assert_eq!(
            shifted(
                &ranges,
                &[AppliedEdit {
                    replaced: 7..7,
                    inserted_len: 2
                }]
            ),
            [0..4, 12..16, 22..26]
        );
        // Deleting bytes 11..12 inside the second entity drops it.
        assert_eq!(
            shifted(
                &ranges,
                &[AppliedEdit {
                    replaced: 11..12,
                    inserted_len: 0
                }]
            ),
            [0..4, 19..23]
        );
        // Insertions at an entity's edges keep it.
        assert_eq!(
            shifted(
                &ranges,
                &[AppliedEdit {
                    replaced: 14..14,
                    inserted_len: 1
                }]
            ),
            [0..4, 10..14, 21..25]
        );
        assert_eq!(
            shifted(
                &ranges,
                &[AppliedEdit {
                    replaced: 10..10,
                    inserted_len: 1
                }]
            ),
            [0..4, 11..15, 21..25]
        );
        // A full replacement drops everything.
        assert!(
            shifted(
                &ranges,
                &[AppliedEdit {
                    replaced: 0..30,
                    inserted_len: 5
                }]
            )
            .is_empty()
        );
        // Edits apply in order.
        let edits = [
            AppliedEdit {
                replaced: 0..0,
                inserted_len: 3,
            },
            AppliedEdit {
                replaced: 3..7,
                inserted_len: 0,
            },
        ];
        assert_eq!(shifted(&ranges, &edits), [9..13, 19..23]);
    }
}
