//! What the client can do, what the server offers, and the position encoding both will use.

use tower_lsp_server::ls_types::{
    ClientCapabilities, CodeActionKind, CodeActionOptions, CodeActionProviderCapability,
    DocumentSymbolOptions, HoverProviderCapability, OneOf, PositionEncodingKind,
    ResourceOperationKind, SemanticTokensFullOptions, SemanticTokensOptions,
    SemanticTokensServerCapabilities, ServerCapabilities, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, WorkDoneProgressOptions,
};

use super::semantic_tokens::Legend;
use crate::document::PositionEncoding;

/// The client features the server adapts to, read once from `initialize`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientSupport {
    pub encoding: PositionEncoding,
    /// `textDocument.semanticTokens.multilineTokenSupport`.
    pub multiline_tokens: bool,
    /// `workspace.semanticTokens.refreshSupport`: whether to ask for new tokens after a re-tag.
    pub refresh_tokens: bool,
    /// `window.workDoneProgress`: whether `$/progress` may be used.
    pub work_done_progress: bool,
    /// `workspace.configuration`: whether settings can be pulled.
    pub configuration_pull: bool,
    /// `workspace.didChangeWatchedFiles.dynamicRegistration`: whether the server can ask the
    /// client to watch `scitag.toml`.
    pub watch_files: bool,
    /// `workspace.workspaceEdit.documentChanges`.
    pub document_changes: bool,
    /// `workspace.workspaceEdit.resourceOperations` holds `create`.
    pub create_files: bool,
}

/// Reads the client's capabilities. The position encoding is UTF-8 when the client offers it
/// (no conversion at all), else UTF-16, which every client must support.
pub fn negotiate(capabilities: &ClientCapabilities) -> ClientSupport {
    let offers_utf8 = capabilities
        .general
        .as_ref()
        .and_then(|general| general.position_encodings.as_ref())
        .is_some_and(|encodings| encodings.contains(&PositionEncodingKind::UTF8));
    let semantic_tokens = capabilities
        .text_document
        .as_ref()
        .and_then(|text| text.semantic_tokens.as_ref());
    let workspace = capabilities.workspace.as_ref();
    ClientSupport {
        encoding: if offers_utf8 {
            PositionEncoding::Utf8
        } else {
            PositionEncoding::Utf16
        },
        multiline_tokens: semantic_tokens
            .and_then(|tokens| tokens.multiline_token_support)
            .unwrap_or(false),
        refresh_tokens: workspace
            .and_then(|workspace| workspace.semantic_tokens.as_ref())
            .and_then(|tokens| tokens.refresh_support)
            .unwrap_or(false),
        work_done_progress: capabilities
            .window
            .as_ref()
            .and_then(|window| window.work_done_progress)
            .unwrap_or(false),
        configuration_pull: workspace
            .and_then(|workspace| workspace.configuration)
            .unwrap_or(false),
        watch_files: workspace
            .and_then(|workspace| workspace.did_change_watched_files.as_ref())
            .and_then(|watched| watched.dynamic_registration)
            .unwrap_or(false),
        // Resource operations exist only inside `documentChanges`: a client that declares them
        // (Neovim 0.11 declares `resourceOperations` without `documentChanges`) applies those.
        document_changes: workspace
            .and_then(|workspace| workspace.workspace_edit.as_ref())
            .is_some_and(|edit| {
                edit.document_changes.unwrap_or(false)
                    || edit
                        .resource_operations
                        .as_ref()
                        .is_some_and(|operations| !operations.is_empty())
            }),
        create_files: workspace
            .and_then(|workspace| workspace.workspace_edit.as_ref())
            .and_then(|edit| edit.resource_operations.as_ref())
            .is_some_and(|operations| operations.contains(&ResourceOperationKind::Create)),
    }
}

pub fn encoding_kind(encoding: PositionEncoding) -> PositionEncodingKind {
    match encoding {
        PositionEncoding::Utf8 => PositionEncodingKind::UTF8,
        PositionEncoding::Utf16 => PositionEncodingKind::UTF16,
        PositionEncoding::Utf32 => PositionEncodingKind::UTF32,
    }
}

/// What the server offers: incremental sync, hovers, semantic tokens (full, delta and range),
/// code actions, the outline (document symbols), every mention of an entity (document highlights
/// and references) and entity search (workspace symbols). Diagnostics are pushed with
/// `textDocument/publishDiagnostics`.
pub fn server_capabilities(legend: &Legend, encoding: PositionEncoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding_kind(encoding)),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            work_done_progress_options: WorkDoneProgressOptions::default(),
            resolve_provider: None,
        })),
        document_symbol_provider: Some(OneOf::Right(DocumentSymbolOptions {
            label: Some("scitag".to_owned()),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        document_highlight_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                work_done_progress_options: WorkDoneProgressOptions::default(),
                legend: legend.to_lsp(),
                range: Some(true),
                full: Some(SemanticTokensFullOptions::Delta { delta: Some(true) }),
            },
        )),
        ..ServerCapabilities::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn support(capabilities: serde_json::Value) -> ClientSupport {
        negotiate(&serde_json::from_value(capabilities).unwrap())
    }

    #[test]
    fn utf8_when_offered_else_utf16() {
        assert_eq!(
            support(json!({"general": {"positionEncodings": ["utf-16", "utf-8"]}})).encoding,
            PositionEncoding::Utf8
        );
        assert_eq!(
            support(json!({"general": {"positionEncodings": ["utf-32", "utf-16"]}})).encoding,
            PositionEncoding::Utf16
        );
        assert_eq!(support(json!({})).encoding, PositionEncoding::Utf16);
    }

    #[test]
    fn reads_token_refresh_progress_and_configuration_support() {
        let all = support(json!({
            "textDocument": {"semanticTokens": {"multilineTokenSupport": true, "requests": {}, "tokenTypes": [], "tokenModifiers": [], "formats": []}},
            "workspace": {"semanticTokens": {"refreshSupport": true}, "configuration": true},
            "window": {"workDoneProgress": true}
        }));
        assert!(
            all.multiline_tokens
                && all.refresh_tokens
                && all.work_done_progress
                && all.configuration_pull
        );
        assert_eq!(support(json!({})), ClientSupport::default());
    }
}
