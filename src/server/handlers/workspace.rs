//! Workspace notifications: `didChangeConfiguration` (pull the settings, apply what changed) and
//! `didChangeWatchedFiles` (re-read a changed `scitag.toml` and re-apply it without the model;
//! re-index a manuscript changed on disk).

use std::sync::Arc;

use serde_json::Value;
use tower_lsp_server::ls_types::{
    DidChangeConfigurationParams, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, FileChangeType, FileSystemWatcher, GlobPattern,
    Registration,
};

use crate::server::{ServerState, config};
use crate::workspace::{GLOSSARY_FILE_NAME, GlossaryChange, MANUSCRIPT_EXTENSIONS};

pub(super) fn did_change_configuration(
    server: &Arc<ServerState>,
    params: DidChangeConfigurationParams,
) {
    let server = server.clone();
    tokio::spawn(async move {
        let _settings = server.settings_lock.lock().await;
        let pulled = if server.support().configuration_pull {
            server.pull_settings().await
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
        server.apply_settings(config::parse(&value), false).await;
    });
}

pub(super) fn did_change_watched_files(server: &ServerState, params: DidChangeWatchedFilesParams) {
    let mut changed = false;
    for change in params.changes {
        let Some(path) = change.uri.to_file_path() else {
            continue;
        };
        match server.workspace.glossary_file_changed(&path) {
            GlossaryChange::NotAGlossary => {
                let deleted = change.typ == FileChangeType::DELETED;
                let created_or_deleted = deleted || change.typ == FileChangeType::CREATED;
                // The open LaTeX documents whose project holds the file read it again.
                let dependents = server
                    .workspace
                    .latex_file_changed(&path, created_or_deleted);
                if dependents > 0 {
                    tracing::debug!(
                        "LaTeX project: {} changed on disk; {dependents} open documents re-read it",
                        path.display()
                    );
                }
                if server.workspace.manuscript_file_changed(&path, deleted) {
                    tracing::debug!("index: {} changed on disk", path.display());
                }
                continue;
            }
            GlossaryChange::Reloaded => tracing::info!("glossary {} reloaded", path.display()),
            GlossaryChange::Broken(error) => server.glossary_problem(error),
        }
        changed = true;
    }
    if changed {
        // The paragraph cache holds the model's entities: this re-runs no model.
        server.workspace.schedule_all();
        // The closed files' entities went through the glossary too.
        server.workspace.index_project();
    }
}

/// Asks the client to report changes of any `scitag.toml` and any manuscript
/// (`workspace::MANUSCRIPT_EXTENSIONS`: the project index follows them) in the workspace; with the
/// index off, of LaTeX files still (LaTeX projects follow them).
pub(super) async fn register_glossary_watcher(server: &ServerState) {
    let mut watchers = vec![FileSystemWatcher {
        glob_pattern: GlobPattern::String(format!("**/{GLOSSARY_FILE_NAME}")),
        kind: None,
    }];
    if server.workspace.settings().index.enabled {
        // Both spellings of `Rmd`: glob matching is case-sensitive in most clients.
        let mut extensions: Vec<String> = MANUSCRIPT_EXTENSIONS
            .iter()
            .map(|extension| (*extension).to_owned())
            .collect();
        extensions.push("Rmd".to_owned());
        watchers.push(FileSystemWatcher {
            glob_pattern: GlobPattern::String(format!("**/*.{{{}}}", extensions.join(","))),
            kind: None,
        });
    } else {
        watchers.push(FileSystemWatcher {
            glob_pattern: GlobPattern::String("**/*.{tex,ltx}".to_owned()),
            kind: None,
        });
    }
    let options = DidChangeWatchedFilesRegistrationOptions { watchers };
    let registration = Registration {
        id: "scitag-glossary-watcher".to_owned(),
        method: "workspace/didChangeWatchedFiles".to_owned(),
        register_options: serde_json::to_value(options).ok(),
    };
    if let Err(error) = server.client.register_capability(vec![registration]).await {
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
