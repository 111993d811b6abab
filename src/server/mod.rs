//! The language server: the only module that knows the protocol and its types.
//!
//! Data flow: `didOpen`/`didChange` apply the edit synchronously (before any `.await`), move the
//! last good entities along with it, and schedule an analysis on the worker thread (debounced,
//! with a generation counter). The worker extracts prose, tags what the paragraph cache lacks and
//! sends the result back as an [`events::Event`]; the event task keeps it only if the document is
//! still at the analysed version, publishes diagnostics stamped with that version, and asks the
//! client to pull semantic tokens again. Requests read the stored result and never wait for work.

mod capabilities;
mod code_actions;
pub mod config;
mod convert;
mod events;
mod handlers;
pub mod semantic_tokens;
mod status;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::Duration;

use dashmap::DashMap;
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc;
use tower_lsp_server::ls_types::{MessageType, SemanticToken, Uri};
use tower_lsp_server::{Client, LspService, Server};

use crate::analysis::cache::DEFAULT_CACHE_CAPACITY;
use crate::analysis::scheduler::Scheduler;
use crate::analysis::{
    AnalysisRequest, AnalysisSettings, Analyzer, DocumentAnalysis, Focus, ModelState, lock,
};
use crate::document::Document;
use crate::features::FeatureSettings;
use crate::glossary::Glossary;
use crate::glossary::store::GlossaryStore;
use crate::ner::{ModelSource, Tagger, TaggerOptions};
use crate::prose::{ExtractOptions, Language};
use capabilities::ClientSupport;
use config::{ParsedSettings, Settings};
use events::{Event, ProgressKey};
use semantic_tokens::Legend;

pub use semantic_tokens::{LOW_CONFIDENCE_MODIFIER, STANDARD_TOKEN_TYPES};

/// The custom request that returns counters (see `status.rs`).
pub const STATUS_METHOD: &str = "scitag/status";

/// Command-line choices that settings can override.
#[derive(Clone, Debug, Default)]
pub struct ServerOptions {
    /// `--model DIR`: used when `scitag.modelPath` is not set. `None`: the built-in model.
    pub model: Option<PathBuf>,
    /// `--ort-lib PATH`: used when `scitag.ortLibPath` is not set.
    pub ort_lib: Option<PathBuf>,
}

/// Serves the protocol on `input`/`output` until the client exits or the stream ends.
pub async fn serve<I, O>(input: I, output: O, options: ServerOptions) -> anyhow::Result<()>
where
    I: AsyncRead + Unpin,
    O: AsyncWrite,
{
    let scheduler = Scheduler::new("scitag-analysis")?;
    let (event_sender, event_receiver) = mpsc::unbounded_channel();
    let mut shared_slot = None;
    let (service, socket) = LspService::build(|client| {
        let shared = Arc::new(Shared::new(client, options, scheduler, event_sender));
        shared_slot = Some(shared.clone());
        handlers::Backend::new(shared)
    })
    .custom_method(STATUS_METHOD, handlers::Backend::status)
    .finish();
    let Some(shared) = shared_slot else {
        anyhow::bail!("the language service was not built");
    };
    let event_task = tokio::spawn(events::run(shared, event_receiver));
    Server::new(input, output, socket).serve(service).await;
    event_task.abort();
    Ok(())
}

/// What the server negotiated in `initialize`.
#[derive(Clone, Debug)]
struct Session {
    support: ClientSupport,
    legend: Legend,
}

/// One open document and what the server knows about it.
struct OpenDocument {
    document: Document,
    language: Language,
    /// The last good analysis, its entities moved along with every edit since.
    analysis: Option<Arc<DocumentAnalysis>>,
    /// The last semantic tokens sent, for `full/delta`.
    tokens: Option<(String, Vec<SemanticToken>)>,
    /// An analysis found the model still loading; analyse again once it is loaded.
    waiting_for_model: bool,
    /// The range of the last `semanticTokens/range` request (what the editor shows), in bytes.
    focus: Focus,
    /// The project glossary that governed the last analysis (its `[settings]` apply to features).
    glossary: Option<Arc<Glossary>>,
}

/// State shared by the handlers and the event task.
struct Shared {
    client: Client,
    options: ServerOptions,
    session: OnceLock<Session>,
    settings: RwLock<Arc<Settings>>,
    documents: DashMap<Uri, OpenDocument>,
    analyzer: Arc<Analyzer>,
    scheduler: Scheduler<Uri>,
    events: mpsc::UnboundedSender<Event>,
    /// Serializes settings changes (pull, compare, apply) so an older pull cannot win.
    settings_lock: tokio::sync::Mutex<()>,
    /// Settings problems found in `initialize`, shown once the client can receive messages.
    initial_problems: Mutex<Vec<String>>,
    /// The last message shown about settings or the model, so the same one is not repeated.
    last_messages: Mutex<HashMap<&'static str, String>>,
    model_requests: AtomicU64,
    result_ids: AtomicU64,
    progress: Mutex<HashMap<ProgressKey, mpsc::UnboundedSender<events::ProgressUpdate>>>,
    /// The project glossaries (`scitag.toml`) of the workspace folders.
    glossaries: GlossaryStore,
}

impl Shared {
    fn new(
        client: Client,
        options: ServerOptions,
        scheduler: Scheduler<Uri>,
        events: mpsc::UnboundedSender<Event>,
    ) -> Shared {
        Shared {
            client,
            options,
            session: OnceLock::new(),
            settings: RwLock::new(Arc::new(Settings::default())),
            documents: DashMap::new(),
            analyzer: Arc::new(Analyzer::new(DEFAULT_CACHE_CAPACITY)),
            scheduler,
            events,
            settings_lock: tokio::sync::Mutex::new(()),
            initial_problems: Mutex::new(Vec::new()),
            last_messages: Mutex::new(HashMap::new()),
            model_requests: AtomicU64::new(0),
            result_ids: AtomicU64::new(0),
            progress: Mutex::new(HashMap::new()),
            glossaries: GlossaryStore::new(),
        }
    }

    /// The entity classes of the loaded model (the JNLPBA ones until it is loaded).
    fn classes(&self) -> Vec<String> {
        match self.analyzer.classifier() {
            Some(classifier) => classifier.classes(),
            None => ["protein", "DNA", "RNA", "cell_type", "cell_line"]
                .iter()
                .map(|class| class.to_string())
                .collect(),
        }
    }

    /// The glossary governing `uri`; a problem with its file is shown once.
    fn glossary_for(&self, uri: &Uri) -> Option<Arc<Glossary>> {
        let path = uri.to_file_path()?;
        let lookup = self.glossaries.lookup(&path);
        if let Some(error) = lookup.new_error {
            self.glossary_problem(error);
        }
        lookup.glossary
    }

    /// Logs a glossary problem and shows it to the user, from any thread.
    fn glossary_problem(&self, error: String) {
        tracing::error!("glossary: {error}");
        let client = self.client.clone();
        tokio::spawn(async move {
            client
                .show_message(MessageType::ERROR, format!("scitag: {error}"))
                .await;
        });
    }

    fn support(&self) -> ClientSupport {
        self.session
            .get()
            .map(|session| session.support)
            .unwrap_or_default()
    }

    fn settings(&self) -> Arc<Settings> {
        self.settings
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The feature settings for one document: the editor's, with its project's `[settings]`
    /// where the editor left a value at its default.
    fn features_of(&self, open: &OpenDocument) -> FeatureSettings {
        let settings = self.settings();
        let mut features = settings.features.clone();
        if let Some(project) = open.glossary.as_ref().map(|glossary| &glossary.settings) {
            if let Some(threshold) = project.threshold.filter(|_| !settings.explicit_threshold) {
                features.confidence_threshold = threshold;
            }
            if let Some(classes) = project
                .classes
                .as_ref()
                .filter(|_| !settings.explicit_classes)
            {
                features.enabled_classes = Some(classes.clone());
            }
        }
        features
    }

    fn next_result_id(&self) -> String {
        (self.result_ids.fetch_add(1, Ordering::Relaxed) + 1).to_string()
    }

    /// Where the model comes from: `scitag.modelPath`, else `--model`, else the built-in model.
    fn model_source(&self, settings: &Settings) -> ModelSource {
        match settings
            .model_path
            .clone()
            .or_else(|| self.options.model.clone())
        {
            Some(path) => ModelSource::Directory(path),
            None => ModelSource::Embedded,
        }
    }

    /// Schedules an analysis of `uri` after `delay` on the worker thread. Synchronous: callers
    /// must not hold a guard on `documents` for `uri`.
    fn schedule_analysis(&self, uri: &Uri, delay: Duration) {
        let Some(open) = self.documents.get(uri) else {
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
        drop(open);
        let glossary = self.glossary_for(uri);
        if let Some(mut open) = self.documents.get_mut(uri) {
            open.glossary = glossary.clone();
        }
        let settings = self.settings();
        // The editor's LaTeX commands and environments, else the project's.
        let extract = match glossary.as_ref().and_then(|g| g.settings.extract.as_ref()) {
            Some(project) if settings.extract == ExtractOptions::default() => project.clone(),
            _ => settings.extract.clone(),
        };
        let analysis_settings = Arc::new(AnalysisSettings {
            aggregation: settings.aggregation,
            decode: settings.decode,
            extract,
        });
        let analyzer = self.analyzer.clone();
        let events = self.events.clone();
        self.scheduler.schedule(uri.clone(), delay, move |ticket| {
            let uri = ticket.key().clone();
            let generation = ticket.generation();
            let request = AnalysisRequest {
                text: text.to_string(),
                version,
                language,
                settings: analysis_settings,
                partial_results,
                focus: Some(focus),
                glossary,
            };
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                analyzer.analyze(
                    &request,
                    &|| ticket.is_current(),
                    &mut |done, total| {
                        let _ = events.send(Event::Progress {
                            uri: uri.clone(),
                            generation,
                            done,
                            total,
                        });
                    },
                    &mut |analysis| {
                        let _ = events.send(Event::Partial {
                            uri: uri.clone(),
                            generation,
                            analysis,
                        });
                    },
                )
            }));
            let result = outcome.map_err(|_| "the analysis panicked (see the log)".to_owned());
            let _ = events.send(Event::Analyzed {
                uri,
                generation,
                result,
            });
        });
    }

    /// Re-analyses every open document at once (after a settings change).
    fn schedule_all(&self) {
        self.schedule_where(|_| true);
    }

    /// Re-analyses at once every open document that `stale` selects.
    fn schedule_where(&self, stale: impl Fn(&OpenDocument) -> bool) {
        let uris: Vec<Uri> = self
            .documents
            .iter()
            .filter(|entry| stale(entry.value()))
            .map(|entry| entry.key().clone())
            .collect();
        for uri in uris {
            self.schedule_analysis(&uri, Duration::ZERO);
        }
    }

    /// Loads the model on the worker thread (analyses wait behind it), with progress.
    fn load_model(&self) {
        let settings = self.settings();
        let source = self.model_source(&settings);
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
        let title = match &source {
            ModelSource::Embedded => "scitag: loading the built-in model".to_owned(),
            ModelSource::Directory(path) => format!("scitag: loading the model {}", path.display()),
        };
        self.begin_progress(ProgressKey::Model, &title);
        let analyzer = self.analyzer.clone();
        let events = self.events.clone();
        self.scheduler.run(move || {
            let loaded = std::panic::catch_unwind(|| Tagger::load(&source, &options));
            let (state, message) = match loaded {
                Ok(Ok(tagger)) => (ModelState::Ready(Arc::new(tagger)), None),
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
                             Set scitag.modelPath to a model directory (model.onnx, tokenizer.json, \
                             config.json); scitag retries as soon as the setting changes."
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
            let _ = events.send(Event::ModelLoaded { request, state, message });
        });
    }

    /// Shows `message` unless the same message was the last one of its `kind`.
    async fn show_once(&self, kind: &'static str, message_type: MessageType, message: String) {
        {
            let mut last = lock(&self.last_messages);
            if last.get(kind) == Some(&message) {
                return;
            }
            last.insert(kind, message.clone());
        }
        self.client.show_message(message_type, message).await;
    }

    fn forget_message(&self, kind: &'static str) {
        lock(&self.last_messages).remove(kind);
    }

    /// Applies new settings: reports problems once, then reloads, re-analyses or republishes
    /// only what the change requires.
    async fn apply_settings(&self, parsed: ParsedSettings, force_model_load: bool) {
        if parsed.problems.is_empty() {
            self.forget_message("settings");
        } else {
            self.show_once(
                "settings",
                MessageType::ERROR,
                config::problems_message(&parsed.problems),
            )
            .await;
        }
        let new = Arc::new(parsed.settings);
        let old = std::mem::replace(
            &mut *self
                .settings
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
            new.clone(),
        );
        if force_model_load || old.model_differs(&new) {
            self.load_model();
        } else if old.analysis_differs(&new) {
            self.schedule_all();
        } else if old.features != new.features {
            self.republish_all().await;
        }
    }

    /// Pulls the `scitag` section with `workspace/configuration`. `None` when the client has no
    /// such section (it answered `null`) or did not answer in time.
    async fn pull_settings(&self) -> Option<Value> {
        let item = tower_lsp_server::ls_types::ConfigurationItem {
            scope_uri: None,
            section: Some(config::SECTION.to_owned()),
        };
        let pulled = tokio::time::timeout(
            Duration::from_secs(5),
            self.client.configuration(vec![item]),
        )
        .await;
        match pulled {
            Ok(Ok(mut values)) => match values.pop() {
                Some(Value::Null) | None => None,
                Some(value) => Some(value),
            },
            Ok(Err(error)) => {
                tracing::warn!("workspace/configuration failed: {error}");
                None
            }
            Err(_) => {
                tracing::warn!("the client did not answer workspace/configuration within 5 s");
                None
            }
        }
    }

    /// Publishes the current diagnostics of every open document and asks for new tokens.
    async fn republish_all(&self) {
        let uris: Vec<Uri> = self
            .documents
            .iter()
            .map(|entry| entry.key().clone())
            .collect();
        for uri in uris {
            self.publish_diagnostics(&uri).await;
        }
        self.refresh_tokens();
    }

    /// Publishes the low-confidence diagnostics of `uri`'s current analysis, stamped with the
    /// document's version.
    async fn publish_diagnostics(&self, uri: &Uri) {
        let encoding = self.support().encoding;
        let (diagnostics, version) = {
            let Some(open) = self.documents.get(uri) else {
                return;
            };
            let features = self.features_of(&open);
            let entities = open
                .analysis
                .as_ref()
                .map(|analysis| analysis.entities.as_slice())
                .unwrap_or_default();
            let untagged = open
                .analysis
                .as_ref()
                .map(|analysis| analysis.untagged.as_slice())
                .unwrap_or_default();
            let text = open.document.text();
            let mut diagnostics: Vec<_> = crate::features::low_confidence(entities, &features)
                .iter()
                .map(|low| convert::diagnostic(low, text, encoding))
                .collect();
            diagnostics.extend(
                crate::features::consistency(
                    entities
                        .iter()
                        .filter(|entity| features.is_enabled(&entity.label)),
                    untagged,
                    features.consistency_severity,
                )
                .iter()
                .map(|finding| convert::finding_diagnostic(finding, text, encoding, uri)),
            );
            diagnostics.sort_by_key(|diagnostic| (diagnostic.range.start, diagnostic.range.end));
            (diagnostics, open.document.version())
        };
        self.client
            .publish_diagnostics(uri.clone(), diagnostics, Some(version))
            .await;
    }

    /// Asks the client to pull semantic tokens again, if it supports that. Runs in its own task:
    /// the answer may take a while and nothing waits for it.
    fn refresh_tokens(&self) {
        if !self.support().refresh_tokens {
            return;
        }
        let client = self.client.clone();
        tokio::spawn(async move {
            if let Err(error) = client.semantic_tokens_refresh().await {
                tracing::debug!("workspace/semanticTokens/refresh failed: {error}");
            }
        });
    }

    /// Starts a `$/progress` report for `key`, if the client supports it.
    fn begin_progress(&self, key: ProgressKey, title: &str) {
        if !self.support().work_done_progress {
            return;
        }
        let (sender, receiver) = mpsc::unbounded_channel();
        let previous = lock(&self.progress).insert(key, sender);
        if let Some(previous) = previous {
            let _ = previous.send(events::ProgressUpdate::End);
        }
        tokio::spawn(events::progress_task(
            self.client.clone(),
            self.next_progress_token(),
            title.to_owned(),
            receiver,
        ));
    }

    fn report_progress(&self, key: &ProgressKey, message: String, percentage: u32) {
        if let Some(sender) = lock(&self.progress).get(key) {
            let _ = sender.send(events::ProgressUpdate::Report {
                message,
                percentage,
            });
        }
    }

    fn end_progress(&self, key: &ProgressKey) {
        if let Some(sender) = lock(&self.progress).remove(key) {
            let _ = sender.send(events::ProgressUpdate::End);
        }
    }

    fn has_progress(&self, key: &ProgressKey) -> bool {
        lock(&self.progress).contains_key(key)
    }

    fn next_progress_token(&self) -> String {
        format!(
            "scitag/{}",
            self.result_ids.fetch_add(1, Ordering::Relaxed) + 1
        )
    }
}

/// The classes of the model in `source`, read from its `config.json` without loading it, to build
/// the semantic token legend in `initialize`. The built-in model has the JNLPBA classes, which
/// every legend starts with, so it needs no probe.
fn probe_classes(source: &ModelSource) -> Vec<String> {
    let ModelSource::Directory(path) = source else {
        return Vec::new();
    };
    let directory: &Path = if path.is_file() {
        path.parent().unwrap_or(path)
    } else {
        path
    };
    let Ok(text) = std::fs::read_to_string(directory.join("config.json")) else {
        return Vec::new();
    };
    let Ok(config) = serde_json::from_str::<Value>(&text) else {
        return Vec::new();
    };
    let Some(id2label) = config.get("id2label").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut labels: Vec<(u64, &str)> = id2label
        .iter()
        .filter_map(|(id, label)| Some((id.parse().ok()?, label.as_str()?)))
        .collect();
    labels.sort_unstable();
    let mut classes: Vec<String> = Vec::new();
    for (_, label) in labels {
        let class = ["B-", "I-", "E-", "S-", "L-", "U-"]
            .iter()
            .find_map(|prefix| label.strip_prefix(prefix))
            .unwrap_or(label);
        if class != "O" && !classes.iter().any(|known| known == class) {
            classes.push(class.to_owned());
        }
    }
    classes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probing_the_fixture_model_finds_the_jnlpba_classes() {
        let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-model");
        let classes = probe_classes(&ModelSource::Directory(directory));
        assert_eq!(classes, ["DNA", "RNA", "cell_line", "cell_type", "protein"]);
        assert_eq!(Legend::new(&classes).token_types(), STANDARD_TOKEN_TYPES);
        assert!(probe_classes(&ModelSource::Directory("/nonexistent".into())).is_empty());
    }
}
