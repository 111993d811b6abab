//! The event task: what the worker thread reports comes back here, on the async side, to be
//! committed (if still current), published and shown.

use std::sync::Arc;

use tokio::sync::mpsc;
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{MessageType, NumberOrString, ProgressToken, Uri};

use super::Shared;
use crate::analysis::{AnalysisError, DocumentAnalysis, ModelState};

/// A report from the worker thread.
pub(super) enum Event {
    Analyzed {
        uri: Uri,
        generation: u64,
        result: Result<Result<DocumentAnalysis, AnalysisError>, String>,
    },
    /// What a long analysis has found so far, for a document without a complete result.
    Partial {
        uri: Uri,
        generation: u64,
        analysis: DocumentAnalysis,
    },
    Progress {
        uri: Uri,
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
}

/// What a `$/progress` report is about.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum ProgressKey {
    Model,
    Document(Uri),
}

pub(super) enum ProgressUpdate {
    Report { message: String, percentage: u32 },
    End,
}

/// Handles worker events until the server stops.
pub(super) async fn run(shared: Arc<Shared>, mut receiver: mpsc::UnboundedReceiver<Event>) {
    while let Some(event) = receiver.recv().await {
        match event {
            Event::Analyzed {
                uri,
                generation,
                result,
            } => analyzed(&shared, uri, generation, result).await,
            Event::Partial {
                uri,
                generation,
                analysis,
            } => {
                if commit(&shared, &uri, generation, analysis) {
                    shared.publish_diagnostics(&uri).await;
                    shared.refresh_tokens();
                }
            }
            Event::Progress {
                uri,
                generation,
                done,
                total,
            } => {
                if !shared.scheduler.is_current(&uri, generation) {
                    continue;
                }
                let key = ProgressKey::Document(uri.clone());
                if done == 0 && !shared.has_progress(&key) {
                    let name = uri
                        .as_str()
                        .rsplit('/')
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    shared.begin_progress(key.clone(), &format!("scitag: tagging {name}"));
                }
                let percentage = u32::try_from(done * 100 / total.max(1)).unwrap_or(100);
                shared.report_progress(&key, format!("{done}/{total} paragraphs"), percentage);
            }
            Event::ModelLoaded {
                request,
                state,
                message,
            } => {
                model_loaded(&shared, request, state, message).await;
            }
        }
    }
}

async fn analyzed(
    shared: &Shared,
    uri: Uri,
    generation: u64,
    result: Result<Result<DocumentAnalysis, AnalysisError>, String>,
) {
    let progress_key = ProgressKey::Document(uri.clone());
    let analysis = match result {
        Ok(Ok(analysis)) => analysis,
        Ok(Err(AnalysisError::ModelLoading)) => {
            // The load reports after this (same worker thread, same channel) and re-analyses.
            if let Some(mut open) = shared.documents.get_mut(&uri) {
                open.waiting_for_model = true;
            }
            shared.end_progress(&progress_key);
            return;
        }
        Ok(Err(AnalysisError::Stale)) => {
            // A newer job follows and will report.
            if !shared.scheduler.is_current(&uri, generation)
                || !shared.documents.contains_key(&uri)
            {
                shared.end_progress(&progress_key);
            }
            return;
        }
        Ok(Err(AnalysisError::Model(error))) => {
            shared.end_progress(&progress_key);
            tracing::error!("tagging {} failed: {error}", uri.as_str());
            shared
                .show_once(
                    "analysis",
                    MessageType::ERROR,
                    format!("scitag could not tag {}: {error}", uri.as_str()),
                )
                .await;
            return;
        }
        Err(message) => {
            shared.end_progress(&progress_key);
            tracing::error!("analysing {} failed: {message}", uri.as_str());
            return;
        }
    };
    if !commit(shared, &uri, generation, analysis) {
        return;
    }
    shared.end_progress(&progress_key);
    shared.publish_diagnostics(&uri).await;
    shared.refresh_tokens();
}

/// Makes `analysis` the document's result if nothing newer was scheduled and the document is
/// still at its version. A partial result never replaces a complete one. Returns whether it did.
fn commit(shared: &Shared, uri: &Uri, generation: u64, analysis: DocumentAnalysis) -> bool {
    if !shared.scheduler.is_current(uri, generation) {
        return false;
    }
    let Some(mut open) = shared.documents.get_mut(uri) else {
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

async fn model_loaded(shared: &Shared, request: u64, state: ModelState, message: Option<String>) {
    if request
        != shared
            .model_requests
            .load(std::sync::atomic::Ordering::SeqCst)
    {
        // A newer load was asked for; it will report.
        return;
    }
    shared.end_progress(&ProgressKey::Model);
    match &state {
        ModelState::Ready(classifier) => {
            tracing::info!("model {} ready", classifier.name());
            shared.forget_message("model");
        }
        ModelState::Failed(error) => {
            tracing::error!("could not load the model: {error}");
            let text =
                message.unwrap_or_else(|| format!("scitag could not load its model: {error}"));
            shared.show_once("model", MessageType::ERROR, text).await;
        }
        ModelState::Loading | ModelState::NotLoaded => {}
    }
    // Documents whose analysis waited for the model, or was made with another model (or, after
    // a failure, with the old model), are analysed again. A document whose job is still queued
    // is left alone: that job runs after the load, with the new model, and publishes once.
    let identity = match &state {
        ModelState::Ready(classifier) => Some(classifier.identity()),
        _ => None,
    };
    shared.schedule_where(|open| {
        open.waiting_for_model
            || open
                .analysis
                .as_ref()
                .is_some_and(|analysis| analysis.model != identity)
    });
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
