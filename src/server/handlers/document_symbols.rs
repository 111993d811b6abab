//! `textDocument/documentSymbol`: the outline, hierarchical (headings, then the entities of each
//! section by class).

use std::time::{Duration, Instant};

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{DocumentSymbolParams, DocumentSymbolResponse, Uri};

use super::guarded;
use crate::server::{ServerState, convert};

/// How long an outline request for a document just opened waits for its first complete analysis.
const FIRST_ANALYSIS_WAIT: Duration = Duration::from_secs(3);

/// Waits (at most [`FIRST_ANALYSIS_WAIT`]) until the open document `uri` has had a complete
/// analysis. Editors ask for the outline as soon as a document opens (VS Code's breadcrumbs) and keep
/// the answer until the text changes, so answering before the first analysis would leave the
/// Outline without its headings and entities until the next keystroke. Later requests do not wait.
pub(super) async fn first_analysis(server: &ServerState, uri: &Uri) {
    let started = Instant::now();
    while server.workspace.is_open(uri)
        && !server.workspace.has_complete_analysis(uri)
        && started.elapsed() < FIRST_ANALYSIS_WAIT
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

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
