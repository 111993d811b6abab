//! `textDocument/hover`: the class, score and alternatives of the entity under the cursor.

use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{Hover, HoverParams};

use super::{document, guarded};
use crate::server::{ServerState, convert};

pub(super) fn hover(server: &ServerState, params: HoverParams) -> Result<Option<Hover>> {
    guarded("hover", || {
        let uri = &params.text_document_position_params.text_document.uri;
        let position = convert::line_col(params.text_document_position_params.position);
        let encoding = server.support().encoding;
        let snapshot = document(server, uri)?;
        let offset = snapshot
            .offset(position, encoding)
            .map_err(|error| Error::invalid_params(error.to_string()))?;
        let info = server.workspace.hover(&snapshot, offset);
        Ok(info.map(|info| convert::hover(info, snapshot.text(), encoding)))
    })
}
