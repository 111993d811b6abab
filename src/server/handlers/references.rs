//! `textDocument/references`: every mention of the entity under the cursor in every open
//! document and every closed manuscript of the project index (same class, same normalized text).

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{Location, ReferenceParams, Uri};

use super::guarded;
use crate::server::{ServerState, convert};
use crate::workspace::{DocumentMentions, Place};

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
        let mut documents: Vec<(Uri, DocumentMentions<Uri>)> = server
            .workspace
            .references(&entity)
            .into_iter()
            .filter_map(|found| Some((place_uri(&found.place)?, found)))
            .collect();
        documents.sort_by(|(a, _), (b, _)| (a != uri, a.as_str()).cmp(&(b != uri, b.as_str())));
        let locations = documents
            .iter()
            .flat_map(|(document, found)| {
                found.ranges.iter().map(|range| Location {
                    uri: document.clone(),
                    range: convert::range(&found.text, range.clone(), encoding),
                })
            })
            .collect();
        Ok(Some(locations))
    })
}

/// The URI of a result: an open document's own, or a closed file's `file://` URI.
pub(super) fn place_uri(place: &Place<Uri>) -> Option<Uri> {
    match place {
        Place::Open(uri) => Some(uri.clone()),
        Place::File(path) => Uri::from_file_path(path),
    }
}
