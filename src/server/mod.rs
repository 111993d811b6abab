//! The language server: the only module that knows the protocol and its types.
//!
//! The server is the protocol side only. Its [`ServerState`] holds the client handle, what was
//! negotiated in `initialize`, the messages and progress reports it shows, and one
//! [`Workspace`], which owns everything else: the open documents, the project glossaries, the
//! model and the settings. Handlers (one file per feature in `handlers/`) convert protocol values
//! at the seam (`convert.rs`) and call the workspace.
//!
//! Data flow: `didOpen`/`didChange` apply the edit to the workspace synchronously (before any
//! `.await`); the workspace moves the last good entities along with it and schedules an analysis
//! on its worker thread (debounced, with a generation counter). What the worker reports comes back
//! as a [`crate::workspace::Event`] to the event task (`events.rs`), which commits a result only if
//! the document is still at the analysed version, publishes diagnostics stamped with that version,
//! and asks the client to pull semantic tokens again. Requests read a snapshot of the stored result
//! and never wait for work.

mod capabilities;
pub mod config;
mod convert;
mod events;
mod handlers;
pub mod semantic_tokens;
mod transport;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use dashmap::DashMap;
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc;
use tower_lsp_server::ls_types::{MessageType, SemanticToken, Uri};
use tower_lsp_server::{Client, LspService, Server};

use crate::analysis::lock;
use crate::workspace::{Workspace, WorkspaceOptions};
use capabilities::ClientSupport;
use config::ParsedSettings;
use events::ProgressKey;
use semantic_tokens::Legend;

pub use semantic_tokens::{LOW_CONFIDENCE_MODIFIER, STANDARD_TOKEN_TYPES};

/// The custom request that returns counters (see `handlers/status.rs`).
pub const STATUS_METHOD: &str = "scitag/status";

/// Command-line choices that settings can override (`--model`, `--ort-lib`); the workspace keeps
/// them.
pub type ServerOptions = WorkspaceOptions;

/// Serves the protocol on `input`/`output` until the client exits or the stream ends.
pub async fn serve<I, O>(input: I, output: O, options: ServerOptions) -> anyhow::Result<()>
where
    I: AsyncRead + Unpin,
    O: AsyncWrite,
{
    let (event_sender, event_receiver) = mpsc::unbounded_channel();
    let workspace = Workspace::new(options, move |event| {
        let _ = event_sender.send(event);
    })?;
    let mut state_slot = None;
    let (service, socket) = LspService::build(|client| {
        let state = Arc::new(ServerState::new(client, workspace));
        state_slot = Some(state.clone());
        handlers::Backend::new(state)
    })
    .custom_method(STATUS_METHOD, handlers::Backend::status)
    .finish();
    let Some(state) = state_slot else {
        anyhow::bail!("the language service was not built");
    };
    let event_task = tokio::spawn(events::run(state, event_receiver));
    // tower-lsp-server reads and writes through two pipes; the framing layer (`transport/`)
    // stands between them and the real input and output, so that bad input is answered or
    // skipped instead of ending the server.
    let (to_server, server_input) = tokio::io::duplex(transport::PIPE_CAPACITY);
    let (server_output, from_server) = tokio::io::duplex(transport::PIPE_CAPACITY);
    let (reply_sender, reply_receiver) = mpsc::unbounded_channel();
    let server = Server::new(server_input, server_output, socket).serve(service);
    let reader = async {
        transport::read_input(input, to_server, reply_sender).await;
        // The input ended and the pipe to the server is closed: the server finishes on its own.
        std::future::pending::<()>().await;
    };
    let serving = async {
        // The server ends at `exit` or when its input closes; then stop reading.
        tokio::select! {
            () = server => {}
            () = reader => {}
        }
    };
    tokio::join!(
        serving,
        transport::write_output(from_server, reply_receiver, output)
    );
    event_task.abort();
    Ok(())
}

/// What the server negotiated in `initialize`.
#[derive(Clone, Debug)]
struct Session {
    support: ClientSupport,
    legend: Legend,
}

/// A `semanticTokens` result: its id and data.
type TokensResult = (String, Vec<SemanticToken>);

/// The protocol side, shared by the handlers and the event task.
struct ServerState {
    client: Client,
    session: OnceLock<Session>,
    /// The documents, glossaries, model and settings.
    workspace: Workspace<Uri>,
    /// The last semantic tokens sent for each open document, for `full/delta`.
    tokens: DashMap<Uri, TokensResult>,
    /// The last diagnostics published for each open document (a keystroke that leaves them as
    /// they were publishes nothing).
    published: DashMap<Uri, handlers::diagnostics::Published>,
    /// Serializes settings changes (pull, compare, apply) so an older pull cannot win.
    settings_lock: tokio::sync::Mutex<()>,
    /// Settings problems found in `initialize`, shown once the client can receive messages.
    initial_problems: Mutex<Vec<String>>,
    /// The last message shown about settings or the model, so the same one is not repeated.
    last_messages: Mutex<HashMap<&'static str, String>>,
    result_ids: AtomicU64,
    progress: Mutex<HashMap<ProgressKey, mpsc::UnboundedSender<events::ProgressUpdate>>>,
}

impl ServerState {
    fn new(client: Client, workspace: Workspace<Uri>) -> ServerState {
        ServerState {
            client,
            session: OnceLock::new(),
            workspace,
            tokens: DashMap::new(),
            published: DashMap::new(),
            settings_lock: tokio::sync::Mutex::new(()),
            initial_problems: Mutex::new(Vec::new()),
            last_messages: Mutex::new(HashMap::new()),
            result_ids: AtomicU64::new(0),
            progress: Mutex::new(HashMap::new()),
        }
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

    fn next_result_id(&self) -> String {
        (self.result_ids.fetch_add(1, Ordering::Relaxed) + 1).to_string()
    }

    /// Keeps the settings problems of `initialize` until the client can be shown them.
    fn keep_initial_problems(&self, problems: Vec<String>) {
        *lock(&self.initial_problems) = problems;
    }

    fn take_initial_problems(&self) -> Vec<String> {
        std::mem::take(&mut *lock(&self.initial_problems))
    }

    /// Loads the model on the workspace's worker thread, with a progress report.
    fn load_model(&self) {
        self.workspace
            .load_model(|title| self.begin_progress(ProgressKey::Model, title));
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
        let old = self.workspace.replace_settings(new.clone());
        if force_model_load || old.model_differs(&new) {
            // The load re-indexes the project once the model is ready.
            self.load_model();
        } else if old.analysis_differs(&new) {
            self.workspace.schedule_all();
            self.workspace.index_project();
        } else {
            if old.features != new.features {
                self.republish_all().await;
            }
            if old.index != new.index {
                self.workspace.index_project();
            }
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::ner::ModelSource;
    use crate::workspace::probe_classes;

    #[test]
    fn the_fixture_models_classes_give_the_standard_legend() {
        let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-model");
        let classes = probe_classes(&ModelSource::Directory(directory));
        assert_eq!(Legend::new(&classes).token_types(), STANDARD_TOKEN_TYPES);
    }
}
