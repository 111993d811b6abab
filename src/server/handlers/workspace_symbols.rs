//! `workspace/symbol`: entities of the open documents and the project index by name, normalized (case, hyphens,
//! spaces and Greek letters do not matter) and fuzzy.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    Location, OneOf, WorkspaceSymbol, WorkspaceSymbolParams, WorkspaceSymbolResponse,
};

use super::guarded;
use super::references::place_uri;
use crate::features::{self, OutlineKind};
use crate::server::{ServerState, convert};

/// The most symbols one answer holds; clients filter the rest as the user types.
const MAX_SYMBOLS: usize = 500;

/// One symbol per distinct entity per document, at its first mention there; exact matches first,
/// then prefixes, substrings and fuzzy matches (the query's characters in order).
pub(super) fn symbol(
    server: &ServerState,
    params: WorkspaceSymbolParams,
) -> Result<Option<WorkspaceSymbolResponse>> {
    guarded("workspace/symbol", || {
        let encoding = server.support().encoding;
        let symbols = server
            .workspace
            .entity_symbols(&params.query, MAX_SYMBOLS)
            .into_iter()
            .filter_map(|found| {
                let uri = place_uri(&found.place)?;
                Some((uri, found))
            })
            .map(|(uri, found)| WorkspaceSymbol {
                name: found.name,
                kind: convert::symbol_kind(OutlineKind::Entity),
                tags: None,
                container_name: Some(format!(
                    "{} · {}",
                    features::display_class(&found.class),
                    features::mention_count(found.mentions)
                )),
                location: OneOf::Left(Location {
                    uri,
                    range: convert::range(&found.text, found.range, encoding),
                }),
                data: None,
            })
            .collect();
        Ok(Some(WorkspaceSymbolResponse::Nested(symbols)))
    })
}
