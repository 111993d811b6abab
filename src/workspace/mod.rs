//! The workspace: the open documents, the project glossaries, the model and the settings, which
//! is all the state a language server works on, without the protocol.
//!
//! Modelled on rust-analyzer's `AnalysisHost`/`Analysis` split and texlab's `Workspace`. The
//! server holds one [`Workspace`] and only speaks the protocol: notifications mutate the workspace
//! (open, change, close, settings, glossary files), requests read a [`DocumentSnapshot`] (a cheap
//! copy of one document that holds no lock), and protocol types never come in here.
//!
//! Heavy work runs on the workspace's worker thread (an `analysis::scheduler::Scheduler`), never
//! on the caller's. What the worker finds comes back as an [`Event`] through the sink given to
//! [`Workspace::new`]; the receiver commits a result with [`Workspace::commit`], which keeps it
//! only if nothing newer was scheduled and the document is still at the analysed version.
//!
//! Documents are keyed by `K`, which the workspace never looks into (the server uses the
//! document's URI); a document's file path, when it has one, comes with it on open.

mod index;
mod index_cache;
mod latex_project;
mod model;
mod navigation;
mod settings;
mod snapshot;

use std::collections::HashMap;
use std::hash::Hash;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use dashmap::DashMap;

use crate::analysis::cache::DEFAULT_CACHE_CAPACITY;
use crate::analysis::scheduler::Scheduler;
use crate::analysis::{
    AnalysisError, AnalysisRequest, AnalysisSettings, Analyzer, Classifier, Counters,
    DocumentAnalysis, Focus, ModelState, shift_entities, shift_headings,
};
use crate::document::{Document, EditError, PositionEncoding, TextChange};
use crate::features::{self, GlossaryAction, HoverInfo};
use crate::glossary::edit::{Change, apply_change};
use crate::glossary::store::GlossaryStore;
use crate::glossary::{self, Glossary};
use crate::ner::{ModelSet, ModelSource, Tagger, TaggerOptions};
use crate::prose::Language;

pub use index::{IndexStatus, MANUSCRIPT_EXTENSIONS, is_manuscript};
pub use latex_project::{
    FactsCache, LATEX_PROJECT_CODE, LatexProject, MAX_GRAPH_FILES, MAX_ROOT_CANDIDATES,
    ProjectHint, ProjectLimits, Resolver, canonical_roots, project_macros_on_disk,
};
pub use model::{BUILTIN, WorkspaceOptions, probe_all_classes, probe_classes};
pub use navigation::{DocumentMentions, EntitySymbol, Place};
pub use settings::{DEFAULT_DEBOUNCE, IndexSettings, Settings};
pub use snapshot::DocumentSnapshot;

/// The name of a project glossary file (`scitag.toml`).
pub const GLOSSARY_FILE_NAME: &str = glossary::FILE_NAME;

/// A report from the worker thread (or from a glossary lookup), for the workspace's owner.
pub enum Event<K> {
    /// An analysis finished; `Err` when it panicked.
    Analyzed {
        key: K,
        generation: u64,
        result: Result<Result<DocumentAnalysis, AnalysisError>, String>,
    },
    /// What a long analysis has found so far, for a document without a complete result.
    Partial {
        key: K,
        generation: u64,
        analysis: DocumentAnalysis,
    },
    Progress {
        key: K,
        generation: u64,
        done: usize,
        total: usize,
    },
    /// `message` is what to show the user when loading failed.
    ModelLoaded {
        request: u64,
        state: ModelState,
        message: Option<String>,
    },
    /// A glossary file became unreadable or broken (reported once; the last good one stays).
    GlossaryProblem(String),
    /// The project index has looked at `done` of the `total` manuscripts it found (`done ==
    /// total` once the pass is over; `total` 0 when there was nothing to index).
    IndexProgress { done: usize, total: usize },
}

/// Where [`Event`]s go. Called from the worker thread and from the workspace's callers.
type EventSink<K> = Arc<dyn Fn(Event<K>) + Send + Sync>;

/// What [`Workspace::change`] did to an open document.
#[derive(Clone, Debug)]
pub struct Changed {
    /// The version before the change.
    pub previous_version: i32,
    /// A change that could not be applied; the rest of the notification was skipped.
    pub error: Option<EditError>,
}

/// What a change of a file on disk meant for the glossaries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GlossaryChange {
    /// The file is not a `scitag.toml`.
    NotAGlossary,
    Reloaded,
    /// It no longer parses (or cannot be read); the last good glossary stays in force.
    Broken(String),
}

/// One open document, in numbers, for status reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DocumentSummary {
    pub version: i32,
    pub analyzed_version: Option<i32>,
    /// False while only a partial result of a first analysis is shown.
    pub complete: bool,
    pub paragraphs: usize,
    pub entities: usize,
}

/// Where the model stands, in words, for status reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelStatus {
    /// The loaded model's name.
    pub name: Option<String>,
    /// `not-loaded`, `loading`, `ready` or `failed`.
    pub state: &'static str,
    /// Why loading failed.
    pub error: Option<String>,
}

/// The glossary file that a code action edits and its current text.
#[derive(Clone, Debug)]
pub struct GlossaryEdits {
    /// The `scitag.toml` to create or edit.
    pub target: PathBuf,
    /// Its text; `None` when it does not exist yet.
    pub current: Option<String>,
}

impl GlossaryEdits {
    /// The glossary's text once `action` is applied, comments and order kept.
    pub fn new_text(&self, action: &GlossaryAction) -> Result<String, String> {
        apply_change(self.current.as_deref(), &action.term, &action.change).map_err(|error| {
            format!(
                "{} is not valid TOML ({error}); fix it before adding terms",
                self.target.display()
            )
        })
    }
}

/// One open document and what the workspace knows about it.
struct OpenDocument {
    document: Document,
    language: Language,
    /// The file behind the document; `None` for an untitled buffer (no project, no glossary).
    path: Option<PathBuf>,
    /// The same, with its symlinks resolved (how LaTeX projects name their files).
    canonical_path: Option<PathBuf>,
    /// The last good analysis, its entities moved along with every edit since.
    analysis: Option<Arc<DocumentAnalysis>>,
    /// An analysis found the model still loading; analyse again once it is loaded.
    waiting_for_model: bool,
    /// The range the editor last asked tokens for (what it shows), in bytes.
    focus: Focus,
    /// The project glossary that governed the last analysis (its `[settings]` apply to features).
    glossary: Option<Arc<Glossary>>,
}

/// The documents, glossaries, model and settings of one workspace.
pub struct Workspace<K> {
    options: WorkspaceOptions,
    settings: RwLock<Arc<Settings>>,
    documents: DashMap<K, OpenDocument>,
    /// The project glossaries (`scitag.toml`) of the workspace folders.
    glossaries: Arc<GlossaryStore>,
    /// The workspace folders.
    roots: RwLock<Vec<PathBuf>>,
    /// The workspace folders' manuscripts, tagged in the background (`index.rs`).
    index: Arc<index::ProjectIndex>,
    /// The LaTeX projects of the open documents (`latex_project.rs`).
    latex: Arc<LatexProjects<K>>,
    /// The model, the paragraph cache and the counters.
    analyzer: Arc<Analyzer>,
    scheduler: Scheduler<K>,
    events: EventSink<K>,
    /// The number of model loads asked for; only the last one's report counts.
    model_requests: AtomicU64,
}

/// The LaTeX projects of the open documents.
struct LatexProjects<K> {
    /// The facts of files, cached by content or by size and modification time (shared with the
    /// project index).
    cache: Arc<FactsCache>,
    /// Per open LaTeX document: its project as its last analysis job resolved it.
    projects: DashMap<K, ResolvedProject>,
    /// The workspace folders and their canonical forms.
    roots: std::sync::Mutex<(Vec<PathBuf>, Arc<Vec<PathBuf>>)>,
}

impl<K: Eq + Hash> Default for LatexProjects<K> {
    fn default() -> Self {
        LatexProjects {
            cache: Arc::new(FactsCache::default()),
            projects: DashMap::new(),
            roots: std::sync::Mutex::new((Vec::new(), Arc::new(Vec::new()))),
        }
    }
}

impl<K: Eq + Hash + Clone> LatexProjects<K> {
    /// The open documents other than `except` whose project holds the file at `path`.
    fn dependents(&self, path: &Path, except: &K) -> Vec<K> {
        self.projects
            .iter()
            .filter(|entry| {
                entry.key() != except && entry.project.files.iter().any(|file| file == path)
            })
            .map(|entry| entry.key().clone())
            .collect()
    }
}

struct ResolvedProject {
    /// The document version it was resolved for (its hints' ranges are in that text).
    version: i32,
    project: LatexProject,
    hints: Vec<ProjectHint>,
}

/// What an analysis job needs to resolve a LaTeX document's project on the worker.
struct LatexJob<K> {
    path: PathBuf,
    roots: Arc<Vec<PathBuf>>,
    open: Arc<HashMap<PathBuf, (i32, ropey::Rope)>>,
    limits: ProjectLimits,
    state: Arc<LatexProjects<K>>,
}

impl<K: Eq + Hash + Clone> LatexJob<K> {
    /// Resolves the project, records it for `key` and returns the macros of its other files.
    fn run(
        self,
        key: &K,
        version: i32,
        text: &str,
        options: &crate::prose::ExtractOptions,
    ) -> Vec<(String, String)> {
        // The files' own macros are read without the project's (each file's are its own).
        let mut base = options.clone();
        base.latex_macros.clear();
        let resolver = Resolver {
            roots: &self.roots,
            open: &self.open,
            cache: &self.state.cache,
            limits: self.limits,
            options: &base,
        };
        let project = resolver.resolve(&self.path, text);
        let macros = project.macros.clone();
        let hints = project.hints.clone();
        self.state.projects.insert(
            key.clone(),
            ResolvedProject {
                version,
                project,
                hints,
            },
        );
        macros
    }
}

/// The language of a document from the client's language id, else from its file name.
pub fn language_of(language_id: &str, file_name: &str) -> Language {
    Language::from_language_id(language_id)
        .unwrap_or_else(|| Language::from_path(Path::new(file_name)))
}

/// Puts "Always tag «term» as class" first in `actions`, as the preferred one (the quick fix of a
/// consistency diagnostic), replacing the same action further down.
pub fn pin_class(actions: &mut Vec<GlossaryAction>, term: &str, class: &str) {
    let change = Change::Class(class.to_owned());
    actions.retain(|action| !(action.term == term && action.change == change));
    actions.insert(
        0,
        GlossaryAction {
            title: format!("Always tag «{term}» as {}", features::display_class(class)),
            term: term.to_owned(),
            change,
            preferred: true,
        },
    );
}

impl<K: Eq + Hash + Clone + Send + Sync + 'static> Workspace<K> {
    /// A workspace with no documents, default settings and no model yet; its worker thread
    /// starts now. `events` receives what the worker reports.
    pub fn new(
        options: WorkspaceOptions,
        events: impl Fn(Event<K>) + Send + Sync + 'static,
    ) -> std::io::Result<Workspace<K>> {
        Ok(Workspace {
            options,
            settings: RwLock::new(Arc::new(Settings::default())),
            documents: DashMap::new(),
            glossaries: Arc::new(GlossaryStore::new()),
            roots: RwLock::new(Vec::new()),
            index: Arc::new(index::ProjectIndex::default()),
            latex: Arc::new(LatexProjects::default()),
            analyzer: Arc::new(Analyzer::new(DEFAULT_CACHE_CAPACITY)),
            scheduler: Scheduler::new("scitag-analysis")?,
            events: Arc::new(events),
            model_requests: AtomicU64::new(0),
        })
    }

    // Settings and folders.

    pub fn settings(&self) -> Arc<Settings> {
        self.settings
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Makes `new` the settings and returns the old ones. Nothing is reloaded or re-analysed:
    /// the caller compares the two and asks for what the change requires.
    pub fn replace_settings(&self, new: Arc<Settings>) -> Arc<Settings> {
        std::mem::replace(
            &mut *self
                .settings
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
            new,
        )
    }

    /// The workspace folders: a glossary is looked up no higher than the folder holding the file.
    pub fn set_roots(&self, roots: Vec<PathBuf>) {
        *self
            .roots
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = roots.clone();
        self.glossaries.set_roots(roots);
    }

    /// The workspace folders.
    pub fn roots(&self) -> Vec<PathBuf> {
        self.roots
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    // The model.

    /// Where the models come from under `settings` (one, unless `modelPaths` lists several).
    pub fn model_sources(&self, settings: &Settings) -> Vec<ModelSource> {
        self.options.model_sources(settings)
    }

    /// The classes of the models `settings` select, read from their files without loading them.
    pub fn probe_model_classes(&self, settings: &Settings) -> Vec<String> {
        probe_all_classes(&self.model_sources(settings))
    }

    /// The entity classes of the loaded model (the JNLPBA ones until it is loaded).
    pub fn classes(&self) -> Vec<String> {
        match self.analyzer.classifier() {
            Some(classifier) => classifier.classes(),
            None => ["protein", "DNA", "RNA", "cell_type", "cell_line"]
                .iter()
                .map(|class| class.to_string())
                .collect(),
        }
    }

    pub fn model_state(&self) -> ModelState {
        self.analyzer.model_state()
    }

    pub fn model_status(&self) -> ModelStatus {
        let state = self.analyzer.model_state();
        let (name, error) = match &state {
            ModelState::Ready(classifier) => (Some(classifier.name().to_owned()), None),
            ModelState::Failed(message) => (None, Some(message.clone())),
            ModelState::Loading | ModelState::NotLoaded => (None, None),
        };
        ModelStatus {
            name,
            state: state.as_str(),
            error,
        }
    }

    /// Analyses wait for a model from now on instead of finishing without one (until the model
    /// is loaded, or fails to load).
    pub fn expect_model(&self) {
        self.analyzer.set_model_state(ModelState::Loading);
    }

    /// Counters since the workspace started.
    pub fn counters(&self) -> Counters {
        self.analyzer.counters()
    }

    /// The paragraph cache's entries and capacity.
    pub fn cache_size(&self) -> (usize, usize) {
        self.analyzer.cache_size()
    }

    /// Loads the model the settings select on the worker thread (analyses wait behind it) and
    /// reports [`Event::ModelLoaded`]. `on_start` gets a title for a progress report; it runs
    /// before the load is queued, so it always comes before the report.
    pub fn load_model(&self, on_start: impl FnOnce(&str)) {
        let settings = self.settings();
        let sources = self.model_sources(&settings);
        let mut options = TaggerOptions {
            ort_lib: settings
                .ort_lib_path
                .clone()
                .or_else(|| self.options.ort_lib.clone()),
            ..TaggerOptions::default()
        };
        if let Some(threads) = settings.threads {
            options.threads = threads;
        }
        let request = self.model_requests.fetch_add(1, Ordering::SeqCst) + 1;
        self.analyzer.set_model_state(ModelState::Loading);
        let title = match sources.as_slice() {
            [ModelSource::Embedded] => "scitag: loading the built-in model".to_owned(),
            [ModelSource::Directory(path)] => {
                format!("scitag: loading the model {}", path.display())
            }
            several => format!("scitag: loading {} models", several.len()),
        };
        on_start(&title);
        let analyzer = self.analyzer.clone();
        let events = self.events.clone();
        self.scheduler.run(move || {
            // One model runs as itself; several as a set (merged by the overlap rule).
            let loaded = std::panic::catch_unwind(|| match sources.as_slice() {
                [source] => Tagger::load(source, &options)
                    .map(|tagger| Arc::new(tagger) as Arc<dyn Classifier>),
                several => ModelSet::load(several, &options)
                    .map(|set| Arc::new(set) as Arc<dyn Classifier>),
            });
            let (state, message) = match loaded {
                Ok(Ok(classifier)) => (ModelState::Ready(classifier), None),
                Ok(Err(error)) => {
                    let message = if error.is_runtime() {
                        format!(
                            "scitag could not load ONNX Runtime, so no entities are highlighted: {error}. \
                             In the editor, set scitag.ortLibPath to the libonnxruntime file; \
                             scitag retries as soon as the setting changes."
                        )
                    } else {
                        format!(
                            "scitag could not load its model, so no entities are highlighted: {error}. \
                             Set scitag.modelPath (or each entry of scitag.modelPaths) to a model \
                             directory (model.onnx, tokenizer.json, config.json); scitag retries as \
                             soon as the setting changes."
                        )
                    };
                    (ModelState::Failed(error.to_string()), Some(message))
                }
                Err(_) => {
                    let error = "loading the model panicked (see the log)".to_owned();
                    (ModelState::Failed(error.clone()), Some(format!("scitag: {error}")))
                }
            };
            // Set the state here, in order with the analyses queued behind this load.
            analyzer.set_model_state(state.clone());
            events(Event::ModelLoaded {
                request,
                state,
                message,
            });
        });
    }

    /// Whether `request` is the last model load asked for (an older load's report is ignored).
    pub fn is_latest_model_load(&self, request: u64) -> bool {
        request == self.model_requests.load(Ordering::SeqCst)
    }

    /// After a model load: analyses again the documents whose analysis waited for the model, or
    /// was made with another model (or, after a failure, with the old model). A document whose
    /// job is still queued is left alone: that job runs after the load, with the new model.
    pub fn reanalyse_for_model(&self, state: &ModelState) {
        let identity = match state {
            ModelState::Ready(classifier) => Some(classifier.identity()),
            _ => None,
        };
        self.schedule_where(|open| {
            open.waiting_for_model
                || open
                    .analysis
                    .as_ref()
                    .is_some_and(|analysis| analysis.model != identity)
        });
    }

    // Documents.

    /// Opens (or reopens) a document and analyses it at once.
    pub fn open(
        &self,
        key: K,
        path: Option<PathBuf>,
        language: Language,
        text: &str,
        version: i32,
    ) {
        let canonical_path = match (&path, language) {
            (Some(path), Language::Latex) => path.canonicalize().ok(),
            _ => None,
        };
        if let Some(path) = &canonical_path {
            // Versions start again with a new didOpen.
            self.latex.cache.forget_open(path);
        }
        self.documents.insert(
            key.clone(),
            OpenDocument {
                document: Document::new(text, version),
                language,
                path,
                canonical_path,
                analysis: None,
                waiting_for_model: false,
                focus: Focus::default(),
                glossary: None,
            },
        );
        self.schedule_analysis(&key, Duration::ZERO);
    }

    /// Applies `changes` in order, moves the last good entities along with them, and schedules an
    /// analysis after the debounce. `None` when the document is not open.
    pub fn change(
        &self,
        key: &K,
        version: i32,
        changes: &[TextChange],
        encoding: PositionEncoding,
    ) -> Option<Changed> {
        let changed = {
            let mut open = self.documents.get_mut(key)?;
            let previous_version = open.document.version();
            let outcome = open.document.apply_changes(version, changes, encoding);
            if let Some(analysis) = open.analysis.as_mut() {
                let analysis = Arc::make_mut(analysis);
                shift_entities(&mut analysis.entities, &outcome.applied);
                shift_headings(&mut analysis.headings, &outcome.applied);
            }
            Changed {
                previous_version,
                error: outcome.error,
            }
        };
        let debounce = self.settings().debounce;
        self.schedule_analysis(key, debounce);
        // The open documents whose LaTeX project holds this one read its macros.
        if let Some(path) = self
            .documents
            .get(key)
            .and_then(|open| open.canonical_path.clone())
        {
            for dependent in self.latex.dependents(&path, key) {
                self.schedule_analysis(&dependent, debounce);
            }
        }
        Some(changed)
    }

    /// Forgets a document and any analysis queued for it.
    pub fn close(&self, key: &K) {
        if let Some((_, open)) = self.documents.remove(key)
            && let Some(path) = &open.canonical_path
        {
            self.latex.cache.forget_open(path);
        }
        self.latex.projects.remove(key);
        self.scheduler.forget(key);
    }

    pub fn is_open(&self, key: &K) -> bool {
        self.documents.contains_key(key)
    }

    /// Whether an open document has had a complete analysis (`false` when it is not open).
    pub fn has_complete_analysis(&self, key: &K) -> bool {
        self.documents.get(key).is_some_and(|open| {
            open.analysis
                .as_ref()
                .is_some_and(|analysis| analysis.complete)
        })
    }

    /// The keys of the open documents.
    pub fn keys(&self) -> Vec<K> {
        self.documents
            .iter()
            .map(|entry| entry.key().clone())
            .collect()
    }

    /// A read-only copy of an open document for answering a request.
    pub fn snapshot(&self, key: &K) -> Option<DocumentSnapshot> {
        let open = self.documents.get(key)?;
        Some(DocumentSnapshot {
            text: open.document.text().clone(),
            version: open.document.version(),
            analysis: open.analysis.clone(),
            features: self.settings().features_for(open.glossary.as_deref()),
            focus: open.focus.clone(),
            project_hints: self
                .latex
                .projects
                .get(key)
                .filter(|project| project.version == open.document.version())
                .map(|project| project.hints.clone())
                .unwrap_or_default(),
        })
    }

    /// The open documents, in numbers, in no particular order.
    pub fn summaries(&self) -> Vec<(K, DocumentSummary)> {
        self.documents
            .iter()
            .map(|entry| {
                let analysis = entry.analysis.as_ref();
                let summary = DocumentSummary {
                    version: entry.document.version(),
                    analyzed_version: analysis.map(|analysis| analysis.version),
                    complete: analysis.is_some_and(|analysis| analysis.complete),
                    paragraphs: analysis.map_or(0, |analysis| analysis.stats.paragraphs),
                    entities: analysis.map_or(0, |analysis| analysis.entities.len()),
                };
                (entry.key().clone(), summary)
            })
            .collect()
    }

    /// The hover at byte `offset` of `snapshot`; `None` before the first analysis, without a
    /// model, or where no shown entity is.
    pub fn hover(&self, snapshot: &DocumentSnapshot, offset: usize) -> Option<HoverInfo> {
        let analysis = snapshot.analysis.as_ref()?;
        let classifier = self.analyzer.classifier()?;
        features::hover(
            &analysis.entities,
            offset,
            classifier.name(),
            &snapshot.features,
        )
    }

    // Analyses.

    /// Whether `generation` is still the latest job scheduled for `key`.
    pub fn is_current(&self, key: &K, generation: u64) -> bool {
        self.scheduler.is_current(key, generation)
    }

    /// Marks a document whose analysis found the model still loading: it is analysed again once
    /// the model is loaded ([`Workspace::reanalyse_for_model`]).
    pub fn wait_for_model(&self, key: &K) {
        if let Some(mut open) = self.documents.get_mut(key) {
            open.waiting_for_model = true;
        }
    }

    /// Makes `analysis` the document's result if nothing newer was scheduled and the document is
    /// still at its version. A partial result never replaces a complete one. Returns whether it
    /// did.
    pub fn commit(&self, key: &K, generation: u64, analysis: DocumentAnalysis) -> bool {
        if !self.scheduler.is_current(key, generation) {
            return false;
        }
        let Some(mut open) = self.documents.get_mut(key) else {
            return false;
        };
        if open.document.version() != analysis.version {
            return false;
        }
        let replaces_complete = open
            .analysis
            .as_ref()
            .is_some_and(|current| current.complete);
        if !analysis.complete && replaces_complete {
            return false;
        }
        if analysis.complete {
            open.waiting_for_model = false;
        }
        open.analysis = Some(Arc::new(analysis));
        true
    }

    /// Schedules an analysis of `key` after `delay` on the worker thread; it reports through
    /// [`Event::Progress`], [`Event::Partial`] and [`Event::Analyzed`].
    pub fn schedule_analysis(&self, key: &K, delay: Duration) {
        let Some(open) = self.documents.get(key) else {
            return;
        };
        let text = open.document.text().clone();
        let version = open.document.version();
        let language = open.language;
        // Until a document has a complete result, show its entities as they come.
        let partial_results = open
            .analysis
            .as_ref()
            .is_none_or(|analysis| !analysis.complete);
        let focus = open.focus.clone();
        let path = open.path.clone();
        let canonical_path = open.canonical_path.clone();
        // The last analysis's text and extraction: this version is extracted around the edit.
        let previous = open
            .analysis
            .as_ref()
            .and_then(|analysis| analysis.extracted.clone());
        drop(open);
        // A LaTeX document reads the macros of its project: the graph is resolved on the worker,
        // with the open documents' texts (a rope clone each) winning over the files on disk.
        let latex_job = canonical_path.map(|path| LatexJob {
            path,
            roots: self.latex_roots(),
            open: self.open_latex_texts(),
            limits: ProjectLimits {
                max_file_bytes: self.settings().index.max_file_bytes,
            },
            state: self.latex.clone(),
        });
        let glossary = self.glossary_for(path.as_deref());
        if let Some(mut open) = self.documents.get_mut(key) {
            open.glossary = glossary.clone();
        }
        let settings = self.settings();
        let aggregation = settings.aggregation;
        let decode = settings.decode;
        let link = settings.link;
        let extract = settings.extract_for(glossary.as_deref());
        let analyzer = self.analyzer.clone();
        let events = self.events.clone();
        self.scheduler.schedule(key.clone(), delay, move |ticket| {
            let key = ticket.key().clone();
            let generation = ticket.generation();
            let text = text.to_string();
            let mut extract = extract;
            if let Some(job) = latex_job {
                extract.latex_macros = job.run(&key, version, &text, &extract);
            }
            let analysis_settings = Arc::new(AnalysisSettings {
                aggregation,
                decode,
                extract,
                link,
            });
            let request = AnalysisRequest {
                text,
                version,
                language,
                settings: analysis_settings,
                partial_results,
                focus: Some(focus),
                glossary,
                background: false,
                previous,
            };
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                analyzer.analyze(
                    &request,
                    &|| ticket.is_current(),
                    &mut |done, total| {
                        events(Event::Progress {
                            key: key.clone(),
                            generation,
                            done,
                            total,
                        });
                    },
                    &mut |analysis| {
                        events(Event::Partial {
                            key: key.clone(),
                            generation,
                            analysis,
                        });
                    },
                )
            }));
            let result = outcome.map_err(|_| "the analysis panicked (see the log)".to_owned());
            events(Event::Analyzed {
                key,
                generation,
                result,
            });
        });
    }

    /// Re-analyses every open document at once (after a settings or glossary change; the
    /// paragraph cache holds the model's entities, so a glossary change re-runs no model).
    pub fn schedule_all(&self) {
        self.schedule_where(|_| true);
    }

    /// Re-analyses at once every open document that `stale` selects.
    fn schedule_where(&self, stale: impl Fn(&OpenDocument) -> bool) {
        let keys: Vec<K> = self
            .documents
            .iter()
            .filter(|entry| stale(entry.value()))
            .map(|entry| entry.key().clone())
            .collect();
        for key in keys {
            self.schedule_analysis(&key, Duration::ZERO);
        }
    }

    // LaTeX projects.

    /// The workspace folders, canonical (computed once per change of the folders).
    fn latex_roots(&self) -> Arc<Vec<PathBuf>> {
        let roots = self.roots();
        let mut cached = self
            .latex
            .roots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if cached.0 != roots {
            *cached = (roots.clone(), Arc::new(canonical_roots(&roots)));
        }
        cached.1.clone()
    }

    /// The open LaTeX documents' texts and versions by canonical path.
    fn open_latex_texts(&self) -> Arc<HashMap<PathBuf, (i32, ropey::Rope)>> {
        Arc::new(
            self.documents
                .iter()
                .filter_map(|entry| {
                    let path = entry.canonical_path.clone()?;
                    let version = entry.document.version();
                    Some((path, (version, entry.document.text().clone())))
                })
                .collect(),
        )
    }

    /// The LaTeX project of an open document as its last analysis resolved it.
    pub fn latex_project(&self, key: &K) -> Option<LatexProject> {
        self.latex
            .projects
            .get(key)
            .map(|project| project.project.clone())
    }

    /// Follows a LaTeX file changed on disk (or created, or deleted): the open documents whose
    /// project holds it are analysed again (all open LaTeX documents when it is new or gone, since
    /// it may join or leave a graph). When the macros it defines changed, the closed files of the
    /// project index are read again too (unchanged ones come from the disk cache). Returns how
    /// many open documents were scheduled.
    pub fn latex_file_changed(&self, path: &Path, created_or_deleted: bool) -> usize {
        let is_latex = Language::from_path(path) == Language::Latex;
        if !is_latex {
            return 0;
        }
        let before = self.latex.cache.forget(path);
        let settings = self.settings();
        let limits = ProjectLimits {
            max_file_bytes: settings.index.max_file_bytes,
        };
        let mut base = settings.extract_for(None);
        base.latex_macros.clear();
        let after = self.latex.cache.macros_on_disk(path, limits, &base);
        let macros_changed = before.unwrap_or_default() != after.unwrap_or_default();
        if macros_changed && settings.index.enabled {
            self.index_project();
        }
        let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        let keys: Vec<K> = if created_or_deleted {
            self.documents
                .iter()
                .filter(|entry| entry.canonical_path.is_some())
                .map(|entry| entry.key().clone())
                .collect()
        } else {
            self.latex
                .projects
                .iter()
                .filter(|entry| {
                    entry
                        .project
                        .files
                        .iter()
                        .any(|file| *file == canonical || file == path)
                })
                .map(|entry| entry.key().clone())
                .collect()
        };
        for key in &keys {
            self.schedule_analysis(key, Duration::ZERO);
        }
        keys.len()
    }

    // Glossaries.

    /// The glossary governing the file at `path`; a new problem with its file is reported once.
    fn glossary_for(&self, path: Option<&Path>) -> Option<Arc<Glossary>> {
        let lookup = self.glossaries.lookup(path?);
        if let Some(error) = lookup.new_error {
            (self.events)(Event::GlossaryProblem(error));
        }
        lookup.glossary
    }

    /// Re-reads the file at `path` if it is a glossary. The caller re-analyses the documents
    /// ([`Workspace::schedule_all`]) once it has seen every changed file.
    pub fn glossary_file_changed(&self, path: &Path) -> GlossaryChange {
        if path.file_name().and_then(|name| name.to_str()) != Some(GLOSSARY_FILE_NAME) {
            return GlossaryChange::NotAGlossary;
        }
        match self.glossaries.reload(path) {
            (_, Some(error)) => GlossaryChange::Broken(error),
            (_, None) => GlossaryChange::Reloaded,
        }
    }

    /// The glossary that a code action on the document at `file` edits, with its current text.
    pub fn glossary_edits(&self, file: &Path) -> Result<GlossaryEdits, String> {
        let target = self.glossaries.target_for(file);
        let current = match std::fs::read_to_string(&target) {
            Ok(text) => Some(text),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
            Err(error) => return Err(format!("reading {}: {error}", target.display())),
        };
        Ok(GlossaryEdits { target, current })
    }
}

#[cfg(test)]
mod tests;
