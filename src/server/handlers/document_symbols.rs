//! `textDocument/documentSymbol`: the outline, hierarchical (headings, then the entities of each
//! section by class).

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{DocumentSymbolParams, DocumentSymbolResponse};

use super::guarded;
use crate::server::{ServerState, convert};

/// An unknown document has an empty outline (an editor may ask before `didOpen` arrives).
pub(super) fn document_symbol(
    server: &ServerState,
    params: DocumentSymbolParams,
) -> Result<Option<DocumentSymbolResponse>> {
    guarded("documentSymbol", || {
        let encoding = server.support().encoding;
        let Some(snapshot) = server.workspace.snapshot(&params.text_document.uri) else {
            return Ok(Some(DocumentSymbolResponse::Nested(Vec::new())));
        };
        let symbols = snapshot
            .outline()
            .iter()
            .map(|symbol| convert::document_symbol(symbol, snapshot.text(), encoding))
            .collect();
        Ok(Some(DocumentSymbolResponse::Nested(symbols)))
    })
}
