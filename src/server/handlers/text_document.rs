//! Text synchronization: `didOpen`, `didChange`, `didClose`. Each applies its change to the
//! workspace before its first `.await`; the workspace then schedules the analysis.

use std::panic::{AssertUnwindSafe, catch_unwind};

use tower_lsp_server::ls_types::{
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams, MessageType,
};

use crate::document::TextChange;
use crate::server::events::ProgressKey;
use crate::server::{ServerState, convert};
use crate::workspace;

pub(super) fn did_open(server: &ServerState, params: DidOpenTextDocumentParams) {
    let item = params.text_document;
    let opened = catch_unwind(AssertUnwindSafe(|| {
        let file_name = item.uri.as_str().rsplit('/').next().unwrap_or_default();
        let language = workspace::language_of(&item.language_id, file_name);
        let path = item.uri.to_file_path().map(|path| path.into_owned());
        // A reopened document starts over: no tokens were sent for this text yet.
        server.tokens.remove(&item.uri);
        server
            .workspace
            .open(item.uri.clone(), path, language, &item.text, item.version);
    }));
    if opened.is_err() {
        tracing::error!("didOpen of {} panicked", item.uri.as_str());
    }
}

pub(super) async fn did_change(server: &ServerState, params: DidChangeTextDocumentParams) {
    let uri = params.text_document.uri;
    let version = params.text_document.version;
    let changes: Vec<TextChange> = params
        .content_changes
        .into_iter()
        .map(convert::text_change)
        .collect();
    // Everything up to the schedule happens before the first await.
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let encoding = server.support().encoding;
        let Some(changed) = server.workspace.change(&uri, version, &changes, encoding) else {
            return Err(format!(
                "didChange for {}, which is not open; ignored",
                uri.as_str()
            ));
        };
        if version <= changed.previous_version {
            tracing::warn!(
                "didChange for {} goes from version {} to {version}",
                uri.as_str(),
                changed.previous_version
            );
        }
        match changed.error {
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
    server
        .client
        .log_message(MessageType::ERROR, format!("scitag: {problem}"))
        .await;
}

pub(super) async fn did_close(server: &ServerState, params: DidCloseTextDocumentParams) {
    let uri = params.text_document.uri;
    server.workspace.close(&uri);
    server.tokens.remove(&uri);
    server.forget_published(&uri);
    server.end_progress(&ProgressKey::Document(uri.clone()));
    // Clear the diagnostics so a reopened document does not flash stale ones.
    server
        .client
        .publish_diagnostics(uri, Vec::new(), None)
        .await;
}
