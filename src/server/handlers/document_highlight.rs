//! `textDocument/documentHighlight`: every mention in the document of the entity under the cursor
//! (same class, same normalized text).

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    DocumentHighlight, DocumentHighlightKind, DocumentHighlightParams,
};

use super::guarded;
use crate::server::{ServerState, convert};

/// Nothing (an empty list) for an unknown document, a position outside the text, or a place
/// without an entity.
pub(super) fn document_highlight(
    server: &ServerState,
    params: DocumentHighlightParams,
) -> Result<Option<Vec<DocumentHighlight>>> {
    guarded("documentHighlight", || {
        let position = &params.text_document_position_params;
        let encoding = server.support().encoding;
        let Some(snapshot) = server.workspace.snapshot(&position.text_document.uri) else {
            return Ok(Some(Vec::new()));
        };
        let Ok(offset) = snapshot.offset(convert::line_col(position.position), encoding) else {
            return Ok(Some(Vec::new()));
        };
        let Some(entity) = snapshot.entity_key_at(offset) else {
            return Ok(Some(Vec::new()));
        };
        let highlights = snapshot
            .mentions(&entity)
            .into_iter()
            .map(|range| DocumentHighlight {
                range: convert::range(snapshot.text(), range, encoding),
                kind: Some(DocumentHighlightKind::TEXT),
            })
            .collect();
        Ok(Some(highlights))
    })
}
