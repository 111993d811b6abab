//! Protocol handlers, one file per feature (as in ruff's server and rust-analyzer): thin,
//! synchronous where they touch state, and never panicking.
//!
//! This file only routes: [`Backend`] implements `LanguageServer` by calling the feature's
//! function. Handlers reach the documents, the glossaries and the model through the
//! [`crate::workspace::Workspace`] in [`ServerState`], never directly (`tests/lsp/layering.rs`).
//!
//! Notification handlers finish every state change before their first `.await` (the transport
//! polls handlers concurrently, so an await before the edit could let the next edit overtake
//! this one). Request handlers read a snapshot of the stored analysis and answer at once: they
//! never wait for the model, and they answer the last good result (moved along with the edits)
//! while a new analysis runs, never `null`. Each handler body runs inside `catch_unwind`.

mod code_actions;
pub(super) mod diagnostics;
mod document_highlight;
mod document_symbols;
mod hover;
mod lifecycle;
mod link_fixes;
mod references;
mod semantic_tokens;
mod status;
mod text_document;
mod workspace;
mod workspace_symbols;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use serde_json::Value;
use tower_lsp_server::LanguageServer;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{
    CodeActionParams, CodeActionResponse, DidChangeConfigurationParams,
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DocumentHighlight, DocumentHighlightParams, DocumentSymbolParams,
    DocumentSymbolResponse, Hover, HoverParams, InitializeParams, InitializeResult,
    InitializedParams, Location, ReferenceParams, SemanticTokensDeltaParams,
    SemanticTokensFullDeltaResult, SemanticTokensParams, SemanticTokensRangeParams,
    SemanticTokensRangeResult, SemanticTokensResult, Uri, WorkspaceSymbolParams,
    WorkspaceSymbolResponse,
};

use super::ServerState;
use crate::workspace::DocumentSnapshot;

/// The `LanguageServer` implementation; all state lives in [`ServerState`].
pub(super) struct Backend {
    server: Arc<ServerState>,
}

impl Backend {
    pub(super) fn new(server: Arc<ServerState>) -> Backend {
        Backend { server }
    }

    /// `scitag/status`: counters for tests, benchmarks and status bars.
    pub(super) async fn status(&self) -> Result<Value> {
        guarded("scitag/status", || Ok(status::status(&self.server)))
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

/// A snapshot of an open document, or the error for a request about one that is not open.
fn document(server: &ServerState, uri: &Uri) -> Result<DocumentSnapshot> {
    server
        .workspace
        .snapshot(uri)
        .ok_or_else(|| unknown_document(uri))
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        lifecycle::initialize(&self.server, params)
    }

    async fn initialized(&self, params: InitializedParams) {
        lifecycle::initialized(&self.server, params).await;
    }

    async fn shutdown(&self) -> Result<()> {
        lifecycle::shutdown()
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        text_document::did_open(&self.server, params);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        text_document::did_change(&self.server, params).await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        text_document::did_close(&self.server, params).await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        workspace::did_change_configuration(&self.server, params);
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        workspace::did_change_watched_files(&self.server, params);
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        code_actions::code_action(&self.server, params)
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        hover::hover(&self.server, params)
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        document_symbols::first_analysis(&self.server, &params.text_document.uri).await;
        document_symbols::document_symbol(&self.server, params)
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        document_highlight::document_highlight(&self.server, params)
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        references::references(&self.server, params)
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        workspace_symbols::symbol(&self.server, params)
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        semantic_tokens::full(&self.server, params)
    }

    async fn semantic_tokens_full_delta(
        &self,
        params: SemanticTokensDeltaParams,
    ) -> Result<Option<SemanticTokensFullDeltaResult>> {
        semantic_tokens::full_delta(&self.server, params)
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        semantic_tokens::range(&self.server, params)
    }
}
