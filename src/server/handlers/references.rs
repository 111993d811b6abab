//! `textDocument/references`: every mention of the entity under the cursor in every open
//! document (same class, same normalized text).

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{Location, ReferenceParams};

use super::guarded;
use crate::server::{ServerState, convert};

/// The requesting document's mentions first, then the other documents' by URI. An entity has no
/// declaration, so `context.includeDeclaration` changes nothing. An unknown document, a position
/// outside the text or one without an entity: an empty list.
pub(super) fn references(
    server: &ServerState,
    params: ReferenceParams,
) -> Result<Option<Vec<Location>>> {
    guarded("references", || {
        let position = &params.text_document_position;
        let uri = &position.text_document.uri;
        let encoding = server.support().encoding;
        let Some(snapshot) = server.workspace.snapshot(uri) else {
            return Ok(Some(Vec::new()));
        };
        let Ok(offset) = snapshot.offset(convert::line_col(position.position), encoding) else {
            return Ok(Some(Vec::new()));
        };
        let Some(entity) = snapshot.entity_key_at(offset) else {
            return Ok(Some(Vec::new()));
        };
        let mut documents = server.workspace.references(&entity);
        documents.sort_by(|a, b| {
            (a.document != *uri, a.document.as_str())
                .cmp(&(b.document != *uri, b.document.as_str()))
        });
        let locations = documents
            .iter()
            .flat_map(|found| {
                found.ranges.iter().map(|range| Location {
                    uri: found.document.clone(),
                    range: convert::range(found.snapshot.text(), range.clone(), encoding),
                })
            })
            .collect();
        Ok(Some(locations))
    })
}
