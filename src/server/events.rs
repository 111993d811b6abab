//! The event task: what the workspace's worker thread reports comes back here, on the async side,
//! to be committed (if still current), published and shown.

use std::sync::Arc;

use tokio::sync::mpsc;
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{MessageType, NumberOrString, ProgressToken, Uri};

use super::ServerState;
use crate::analysis::{AnalysisError, DocumentAnalysis, ModelState};
use crate::workspace::Event;

/// What a `$/progress` report is about.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum ProgressKey {
    Model,
    Index,
    Document(Uri),
}

pub(super) enum ProgressUpdate {
    Report { message: String, percentage: u32 },
    End,
}

/// Handles worker events until the server stops.
pub(super) async fn run(
    server: Arc<ServerState>,
    mut receiver: mpsc::UnboundedReceiver<Event<Uri>>,
) {
    while let Some(event) = receiver.recv().await {
        match event {
            Event::Analyzed {
                key: uri,
                generation,
                result,
            } => analyzed(&server, uri, generation, result).await,
            Event::Partial {
                key: uri,
                generation,
                analysis,
            } => {
                if server.workspace.commit(&uri, generation, analysis) {
                    server.publish_diagnostics(&uri).await;
                    server.refresh_tokens();
                }
            }
            Event::Progress {
                key: uri,
                generation,
                done,
                total,
            } => {
                if !server.workspace.is_current(&uri, generation) {
                    continue;
                }
                let key = ProgressKey::Document(uri.clone());
                if done == 0 && !server.has_progress(&key) {
                    let name = uri
                        .as_str()
                        .rsplit('/')
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    server.begin_progress(key.clone(), &format!("scitag: tagging {name}"));
                }
                let percentage = u32::try_from(done * 100 / total.max(1)).unwrap_or(100);
                server.report_progress(&key, format!("{done}/{total} paragraphs"), percentage);
            }
            Event::ModelLoaded {
                request,
                state,
                message,
            } => {
                model_loaded(&server, request, state, message).await;
            }
            Event::GlossaryProblem(error) => server.glossary_problem(error),
            Event::IndexProgress { done, total } => {
                if done >= total {
                    server.end_progress(&ProgressKey::Index);
                    continue;
                }
                if done == 0 {
                    server.begin_progress(ProgressKey::Index, "scitag: indexing the project");
                }
                let percentage = u32::try_from(done * 100 / total.max(1)).unwrap_or(100);
                server.report_progress(
                    &ProgressKey::Index,
                    format!("{done}/{total} files"),
                    percentage,
                );
            }
        }
    }
}

async fn analyzed(
    server: &ServerState,
    uri: Uri,
    generation: u64,
    result: Result<Result<DocumentAnalysis, AnalysisError>, String>,
) {
    let progress_key = ProgressKey::Document(uri.clone());
    let analysis = match result {
        Ok(Ok(analysis)) => analysis,
        Ok(Err(AnalysisError::ModelLoading)) => {
            // The load reports after this (same worker thread, same channel) and re-analyses.
            server.workspace.wait_for_model(&uri);
            server.end_progress(&progress_key);
            return;
        }
        Ok(Err(AnalysisError::Stale)) => {
            // A newer job follows and will report.
            if !server.workspace.is_current(&uri, generation) || !server.workspace.is_open(&uri) {
                server.end_progress(&progress_key);
            }
            return;
        }
        Ok(Err(AnalysisError::Model(error))) => {
            server.end_progress(&progress_key);
            tracing::error!("tagging {} failed: {error}", uri.as_str());
            server
                .show_once(
                    "analysis",
                    MessageType::ERROR,
                    format!("scitag could not tag {}: {error}", uri.as_str()),
                )
                .await;
            return;
        }
        Err(message) => {
            server.end_progress(&progress_key);
            tracing::error!("analysing {} failed: {message}", uri.as_str());
            return;
        }
    };
    if !server.workspace.commit(&uri, generation, analysis) {
        return;
    }
    server.end_progress(&progress_key);
    server.publish_diagnostics(&uri).await;
    server.refresh_tokens();
}

async fn model_loaded(
    server: &ServerState,
    request: u64,
    state: ModelState,
    message: Option<String>,
) {
    if !server.workspace.is_latest_model_load(request) {
        // A newer load was asked for; it will report.
        return;
    }
    server.end_progress(&ProgressKey::Model);
    match &state {
        ModelState::Ready(classifier) => {
            tracing::info!("model {} ready", classifier.name());
            server.forget_message("model");
        }
        ModelState::Failed(error) => {
            tracing::error!("could not load the model: {error}");
            let text =
                message.unwrap_or_else(|| format!("scitag could not load its model: {error}"));
            server.show_once("model", MessageType::ERROR, text).await;
        }
        ModelState::Loading | ModelState::NotLoaded => {}
    }
    // Documents whose analysis waited for the model, or was made with another model (or, after
    // a failure, with the old model), are analysed again. A document whose job is still queued
    // is left alone: that job runs after the load, with the new model, and publishes once.
    server.workspace.reanalyse_for_model(&state);
    // The index's entities depend on the model: a new pass (files whose disk cache entry was made
    // with this model are read back, not tagged).
    if matches!(state, ModelState::Ready(_)) {
        server.workspace.index_project();
    }
}

/// Drives one `$/progress` report: creates the token, begins, reports, ends.
pub(super) async fn progress_task(
    client: Client,
    token: String,
    title: String,
    mut updates: mpsc::UnboundedReceiver<ProgressUpdate>,
) {
    let token: ProgressToken = NumberOrString::String(token);
    if let Err(error) = client.create_work_done_progress(token.clone()).await {
        tracing::debug!("window/workDoneProgress/create failed: {error}");
        return;
    }
    let progress = client
        .progress(token, title)
        .with_percentage(0)
        .begin()
        .await;
    while let Some(update) = updates.recv().await {
        match update {
            ProgressUpdate::Report {
                message,
                percentage,
            } => progress.report_with_message(message, percentage).await,
            ProgressUpdate::End => break,
        }
    }
    progress.finish().await;
}
