//! Protocol handlers: thin, synchronous where they touch state, and never panicking.
//!
//! Notification handlers finish every state change before their first `.await` (the transport
//! polls handlers concurrently, so an await before the edit could let the next edit overtake
//! this one). Request handlers read the stored analysis and answer at once: they never wait for
//! the model, and they answer the last good result (moved along with the edits) while a new
//! analysis runs, never `null`. Each handler body runs inside `catch_unwind`.

use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use dashmap::mapref::one::Ref;
use serde_json::Value;
use tower_lsp_server::LanguageServer;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{
    CodeActionParams, CodeActionResponse, DidChangeConfigurationParams,
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, FileSystemWatcher, GlobPattern, Hover, HoverParams,
    InitializeParams, InitializeResult, InitializedParams, MessageType, Registration,
    SemanticToken, SemanticTokens, SemanticTokensDelta, SemanticTokensDeltaParams,
    SemanticTokensFullDeltaResult, SemanticTokensParams, SemanticTokensRangeParams,
    SemanticTokensRangeResult, SemanticTokensResult, ServerInfo, Uri,
};

use super::semantic_tokens::{self, AbsoluteToken};
use super::{
    OpenDocument, Session, Shared, capabilities, config, convert, events::ProgressKey, status,
};
use crate::analysis::{Focus, ModelState, lock, shift_entities};
use crate::document::{Document, TextChange};
use crate::features;
use crate::glossary;
use crate::prose::Language;

/// A `semanticTokens` result: its id and data.
type TokensResult = (String, Vec<SemanticToken>);

/// The `LanguageServer` implementation; all state lives in [`Shared`].
pub(super) struct Backend {
    shared: Arc<Shared>,
}

impl Backend {
    pub(super) fn new(shared: Arc<Shared>) -> Backend {
        Backend { shared }
    }

    /// `scitag/status`: counters for tests, benchmarks and status bars.
    pub(super) async fn status(&self) -> Result<Value> {
        guarded("scitag/status", || Ok(status::status(&self.shared)))
    }

    /// An open document, or the error for a request about one that is not open.
    fn document(&self, uri: &Uri) -> Result<Ref<'_, Uri, OpenDocument>> {
        self.shared
            .documents
            .get(uri)
            .ok_or_else(|| unknown_document(uri))
    }

    /// The document's tokens; with `bytes`, only those of the entities overlapping that byte range
    /// (entities are sorted and never overlap, so they are found by binary search).
    fn absolute_tokens(
        &self,
        open: &OpenDocument,
        bytes: Option<Range<usize>>,
    ) -> Vec<AbsoluteToken> {
        let Some(session) = self.shared.session.get() else {
            return Vec::new();
        };
        let mut entities = open
            .analysis
            .as_ref()
            .map(|analysis| analysis.entities.as_slice())
            .unwrap_or_default();
        if let Some(bytes) = bytes {
            let first = entities.partition_point(|entity| entity.range.end <= bytes.start);
            let last = entities.partition_point(|entity| entity.range.start < bytes.end);
            entities = &entities[first..last.max(first)];
        }
        let features = self.shared.features_of(open);
        let highlights = features::highlights(entities, &features);
        semantic_tokens::absolute_tokens(
            &highlights,
            open.document.text(),
            session.support.encoding,
            session.support.multiline_tokens,
            &session.legend,
        )
    }

    /// The document's tokens, encoded, under a new result id that becomes the document's last
    /// result (for `full/delta`); also returns the result it replaces.
    fn fresh_tokens(
        &self,
        uri: &Uri,
    ) -> Result<(String, Vec<SemanticToken>, Option<TokensResult>)> {
        let data = {
            let open = self.document(uri)?;
            semantic_tokens::encode(&self.absolute_tokens(&open, None))
        };
        let result_id = self.shared.next_result_id();
        let previous = self
            .shared
            .documents
            .get_mut(uri)
            .and_then(|mut open| open.tokens.replace((result_id.clone(), data.clone())));
        Ok((result_id, data, previous))
    }
}

/// Runs a handler body, turning a panic into an internal error instead of a dead server.
fn guarded<T>(what: &str, body: impl FnOnce() -> Result<T>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(result) => result,
        Err(_) => {
            tracing::error!("{what} panicked; answering with an internal error");
            Err(Error::internal_error())
        }
    }
}

fn unknown_document(uri: &Uri) -> Error {
    Error::invalid_params(format!(
        "unknown document {}; send textDocument/didOpen first",
        uri.as_str()
    ))
}

fn language_of(language_id: &str, uri: &Uri) -> Language {
    Language::from_language_id(language_id).unwrap_or_else(|| {
        Language::from_path(Path::new(
            uri.as_str().rsplit('/').next().unwrap_or_default(),
        ))
    })
}

/// The workspace folders of `initialize` (else its root URI), as paths.
fn workspace_roots(params: &InitializeParams) -> Vec<std::path::PathBuf> {
    let mut roots: Vec<std::path::PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|folder| folder.uri.to_file_path().map(|path| path.into_owned()))
        .collect();
    #[allow(deprecated)]
    if roots.is_empty()
        && let Some(path) = params.root_uri.as_ref().and_then(|uri| uri.to_file_path())
    {
        roots.push(path.into_owned());
    }
    roots
}

/// Asks the client to report changes of any `scitag.toml` in the workspace.
async fn register_glossary_watcher(shared: &Shared) {
    let options = DidChangeWatchedFilesRegistrationOptions {
        watchers: vec![FileSystemWatcher {
            glob_pattern: GlobPattern::String(format!("**/{}", glossary::FILE_NAME)),
            kind: None,
        }],
    };
    let registration = Registration {
        id: "scitag-glossary-watcher".to_owned(),
        method: "workspace/didChangeWatchedFiles".to_owned(),
        register_options: serde_json::to_value(options).ok(),
    };
    if let Err(error) = shared.client.register_capability(vec![registration]).await {
        tracing::warn!("could not ask the client to watch scitag.toml: {error}");
    }
}

/// Whether a `didChangeConfiguration` payload carries scitag settings at all (clients send
/// `null`, `{}` or other servers' sections too); such a payload must not reset the settings.
fn carries_settings(payload: &Value) -> bool {
    match payload {
        Value::Object(object) => {
            object.contains_key(config::SECTION) || object.keys().any(|key| config::is_setting(key))
        }
        _ => false,
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        guarded("initialize", || {
            let support = capabilities::negotiate(&params.capabilities);
            let parsed = config::parse(
                params
                    .initialization_options
                    .as_ref()
                    .unwrap_or(&Value::Null),
            );
            let classes = super::probe_classes(&self.shared.model_source(&parsed.settings));
            let legend = semantic_tokens::Legend::new(&classes);
            let capabilities = capabilities::server_capabilities(&legend, support.encoding);
            *lock(&self.shared.initial_problems) = parsed.problems;
            *self
                .shared
                .settings
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(parsed.settings);
            let _ = self.shared.session.set(Session { support, legend });
            self.shared.glossaries.set_roots(workspace_roots(&params));
            // The model is loaded once the client is initialized; until then analyses wait
            // instead of publishing empty results.
            self.shared.analyzer.set_model_state(ModelState::Loading);
            tracing::info!(encoding = %support.encoding, "initialized");
            Ok(InitializeResult {
                capabilities,
                server_info: Some(ServerInfo {
                    name: "scitag".to_owned(),
                    version: Some(env!("CARGO_PKG_VERSION").to_owned()),
                }),
                offset_encoding: None,
            })
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        if self.shared.support().watch_files {
            let shared = self.shared.clone();
            tokio::spawn(async move { register_glossary_watcher(&shared).await });
        }
        let problems = std::mem::take(&mut *lock(&self.shared.initial_problems));
        if !problems.is_empty() {
            self.shared
                .show_once(
                    "settings",
                    MessageType::ERROR,
                    config::problems_message(&problems),
                )
                .await;
        }
        let shared = self.shared.clone();
        tokio::spawn(async move {
            let _settings = shared.settings_lock.lock().await;
            if shared.support().configuration_pull
                && let Some(value) = shared.pull_settings().await
            {
                shared.apply_settings(config::parse(&value), true).await;
                return;
            }
            shared.load_model();
        });
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let item = params.text_document;
        let opened = catch_unwind(AssertUnwindSafe(|| {
            let language = language_of(&item.language_id, &item.uri);
            let document = Document::new(&item.text, item.version);
            self.shared.documents.insert(
                item.uri.clone(),
                OpenDocument {
                    document,
                    language,
                    analysis: None,
                    tokens: None,
                    waiting_for_model: false,
                    focus: Focus::default(),
                    glossary: None,
                },
            );
            self.shared.schedule_analysis(&item.uri, Duration::ZERO);
        }));
        if opened.is_err() {
            tracing::error!("didOpen of {} panicked", item.uri.as_str());
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let changes: Vec<TextChange> = params
            .content_changes
            .into_iter()
            .map(convert::text_change)
            .collect();
        // Everything up to the schedule happens before the first await.
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let encoding = self.shared.support().encoding;
            let outcome = {
                let Some(mut open) = self.shared.documents.get_mut(&uri) else {
                    return Err(format!(
                        "didChange for {}, which is not open; ignored",
                        uri.as_str()
                    ));
                };
                if version <= open.document.version() {
                    tracing::warn!(
                        "didChange for {} goes from version {} to {version}",
                        uri.as_str(),
                        open.document.version()
                    );
                }
                let outcome = open.document.apply_changes(version, &changes, encoding);
                if let Some(analysis) = open.analysis.as_mut() {
                    shift_entities(&mut Arc::make_mut(analysis).entities, &outcome.applied);
                }
                outcome
            };
            let debounce = self.shared.settings().debounce;
            self.shared.schedule_analysis(&uri, debounce);
            match outcome.error {
                Some(error) => Err(format!(
                    "didChange for {} version {version}: {error}; the rest of the change was skipped",
                    uri.as_str()
                )),
                None => Ok(()),
            }
        }));
        let problem = match outcome {
            Ok(Ok(())) => return,
            Ok(Err(problem)) => problem,
            Err(_) => format!("didChange for {} panicked", uri.as_str()),
        };
        tracing::error!("{problem}");
        self.shared
            .client
            .log_message(MessageType::ERROR, format!("scitag: {problem}"))
            .await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.shared.documents.remove(&uri);
        self.shared.scheduler.forget(&uri);
        self.shared
            .end_progress(&ProgressKey::Document(uri.clone()));
        // Clear the diagnostics so a reopened document does not flash stale ones.
        self.shared
            .client
            .publish_diagnostics(uri, Vec::new(), None)
            .await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let shared = self.shared.clone();
        tokio::spawn(async move {
            let _settings = shared.settings_lock.lock().await;
            let pulled = if shared.support().configuration_pull {
                shared.pull_settings().await
            } else {
                None
            };
            let value = match pulled {
                Some(value) => value,
                None if carries_settings(&params.settings) => params.settings,
                None => {
                    tracing::debug!(
                        "didChangeConfiguration without scitag settings; keeping the current ones"
                    );
                    return;
                }
            };
            shared.apply_settings(config::parse(&value), false).await;
        });
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let mut changed = false;
        for change in params.changes {
            let Some(path) = change.uri.to_file_path() else {
                continue;
            };
            if path.file_name().and_then(|name| name.to_str()) != Some(glossary::FILE_NAME) {
                continue;
            }
            changed = true;
            let (_, error) = self.shared.glossaries.reload(&path);
            match error {
                Some(error) => self.shared.glossary_problem(error),
                None => tracing::info!("glossary {} reloaded", path.display()),
            }
        }
        if changed {
            // The paragraph cache holds the model's entities: this re-runs no model.
            self.shared.schedule_all();
        }
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        guarded("codeAction", || {
            match super::code_actions::code_actions(&self.shared, &params) {
                Ok(actions) => Ok(Some(actions)),
                Err(message) if message.starts_with("unknown document") => {
                    Err(unknown_document(&params.text_document.uri))
                }
                Err(message) => {
                    tracing::warn!("codeAction: {message}");
                    Err(Error::invalid_params(message))
                }
            }
        })
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        guarded("hover", || {
            let uri = &params.text_document_position_params.text_document.uri;
            let position = convert::line_col(params.text_document_position_params.position);
            let encoding = self.shared.support().encoding;
            let open = self.document(uri)?;
            let offset = open
                .document
                .offset(position, encoding)
                .map_err(|error| Error::invalid_params(error.to_string()))?;
            let Some(analysis) = &open.analysis else {
                return Ok(None);
            };
            let Some(classifier) = self.shared.analyzer.classifier() else {
                return Ok(None);
            };
            let info = features::hover(
                &analysis.entities,
                offset,
                classifier.name(),
                &self.shared.features_of(&open),
            );
            Ok(info.map(|info| convert::hover(info, open.document.text(), encoding)))
        })
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        guarded("semanticTokens/full", || {
            let (result_id, data, _) = self.fresh_tokens(&params.text_document.uri)?;
            Ok(Some(SemanticTokensResult::Tokens(SemanticTokens {
                result_id: Some(result_id),
                data,
            })))
        })
    }

    async fn semantic_tokens_full_delta(
        &self,
        params: SemanticTokensDeltaParams,
    ) -> Result<Option<SemanticTokensFullDeltaResult>> {
        guarded("semanticTokens/full/delta", || {
            let (result_id, data, previous) = self.fresh_tokens(&params.text_document.uri)?;
            Ok(Some(
                match previous.filter(|(id, _)| *id == params.previous_result_id) {
                    Some((_, previous)) => {
                        SemanticTokensFullDeltaResult::TokensDelta(SemanticTokensDelta {
                            result_id: Some(result_id),
                            edits: semantic_tokens::diff(&previous, &data),
                        })
                    }
                    None => SemanticTokensFullDeltaResult::Tokens(SemanticTokens {
                        result_id: Some(result_id),
                        data,
                    }),
                },
            ))
        })
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        guarded("semanticTokens/range", || {
            let uri = &params.text_document.uri;
            let encoding = self.shared.support().encoding;
            let open = self.document(uri)?;
            let start = convert::line_col(params.range.start);
            let end = convert::line_col(params.range.end);
            let mut bytes = [0; 2];
            for (byte, position) in bytes.iter_mut().zip([start, end]) {
                *byte = open
                    .document
                    .offset(position, encoding)
                    .map_err(|error| Error::invalid_params(error.to_string()))?;
            }
            // Editors ask for the visible lines: a first analysis still running tags them next.
            let bytes = bytes[0]..bytes[1].max(bytes[0]);
            *lock(&open.focus) = Some(bytes.clone());
            let tokens: Vec<AbsoluteToken> = self
                .absolute_tokens(&open, Some(bytes))
                .into_iter()
                .filter(|token| {
                    let token_start = (token.line, token.start);
                    let token_end = (token.line, token.start + token.length);
                    token_end > (start.line, start.character)
                        && token_start < (end.line, end.character)
                })
                .collect();
            Ok(Some(SemanticTokensRangeResult::Tokens(SemanticTokens {
                result_id: None,
                data: semantic_tokens::encode(&tokens),
            })))
        })
    }
}
