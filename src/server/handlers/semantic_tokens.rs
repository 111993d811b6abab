//! `textDocument/semanticTokens/full`, `full/delta` and `range`: the highlights of the last good
//! analysis, encoded in the negotiated encoding (see `server/semantic_tokens.rs`).

use std::ops::Range;

use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{
    SemanticToken, SemanticTokens, SemanticTokensDelta, SemanticTokensDeltaParams,
    SemanticTokensFullDeltaResult, SemanticTokensParams, SemanticTokensRangeParams,
    SemanticTokensRangeResult, SemanticTokensResult, Uri,
};

use super::{document, guarded};
use crate::server::semantic_tokens::{self, AbsoluteToken};
use crate::server::{ServerState, TokensResult, convert};
use crate::workspace::DocumentSnapshot;

pub(super) fn full(
    server: &ServerState,
    params: SemanticTokensParams,
) -> Result<Option<SemanticTokensResult>> {
    guarded("semanticTokens/full", || {
        let (result_id, data, _) = fresh_tokens(server, &params.text_document.uri)?;
        Ok(Some(SemanticTokensResult::Tokens(SemanticTokens {
            result_id: Some(result_id),
            data,
        })))
    })
}

pub(super) fn full_delta(
    server: &ServerState,
    params: SemanticTokensDeltaParams,
) -> Result<Option<SemanticTokensFullDeltaResult>> {
    guarded("semanticTokens/full/delta", || {
        let (result_id, data, previous) = fresh_tokens(server, &params.text_document.uri)?;
        Ok(Some(
            match previous.filter(|(id, _)| *id == params.previous_result_id) {
                Some((_, previous)) => {
                    SemanticTokensFullDeltaResult::TokensDelta(SemanticTokensDelta {
                        result_id: Some(result_id),
                        edits: semantic_tokens::diff(&previous, &data),
                    })
                }
                None => SemanticTokensFullDeltaResult::Tokens(SemanticTokens {
                    result_id: Some(result_id),
                    data,
                }),
            },
        ))
    })
}

pub(super) fn range(
    server: &ServerState,
    params: SemanticTokensRangeParams,
) -> Result<Option<SemanticTokensRangeResult>> {
    guarded("semanticTokens/range", || {
        let uri = &params.text_document.uri;
        let encoding = server.support().encoding;
        let snapshot = document(server, uri)?;
        let start = convert::line_col(params.range.start);
        let end = convert::line_col(params.range.end);
        let mut bytes = [0; 2];
        for (byte, position) in bytes.iter_mut().zip([start, end]) {
            *byte = snapshot
                .offset(position, encoding)
                .map_err(|error| Error::invalid_params(error.to_string()))?;
        }
        // Editors ask for the visible lines: a first analysis still running tags them next.
        let bytes = bytes[0]..bytes[1].max(bytes[0]);
        snapshot.set_focus(bytes.clone());
        let tokens: Vec<AbsoluteToken> = absolute_tokens(server, &snapshot, Some(bytes))
            .into_iter()
            .filter(|token| {
                let token_start = (token.line, token.start);
                let token_end = (token.line, token.start + token.length);
                token_end > (start.line, start.character) && token_start < (end.line, end.character)
            })
            .collect();
        Ok(Some(SemanticTokensRangeResult::Tokens(SemanticTokens {
            result_id: None,
            data: semantic_tokens::encode(&tokens),
        })))
    })
}

/// The document's tokens; with `bytes`, only those of the entities overlapping that byte range.
fn absolute_tokens(
    server: &ServerState,
    snapshot: &DocumentSnapshot,
    bytes: Option<Range<usize>>,
) -> Vec<AbsoluteToken> {
    let Some(session) = server.session.get() else {
        return Vec::new();
    };
    semantic_tokens::absolute_tokens(
        &snapshot.highlights(bytes),
        snapshot.text(),
        session.support.encoding,
        session.support.multiline_tokens,
        &session.legend,
    )
}

/// The document's tokens, encoded, under a new result id that becomes the document's last
/// result (for `full/delta`); also returns the result it replaces.
fn fresh_tokens(
    server: &ServerState,
    uri: &Uri,
) -> Result<(String, Vec<SemanticToken>, Option<TokensResult>)> {
    let data = {
        let snapshot = document(server, uri)?;
        semantic_tokens::encode(&absolute_tokens(server, &snapshot, None))
    };
    let result_id = server.next_result_id();
    // A document closed meanwhile keeps no result.
    let previous = if server.workspace.is_open(uri) {
        server
            .tokens
            .insert(uri.clone(), (result_id.clone(), data.clone()))
    } else {
        None
    };
    Ok((result_id, data, previous))
}
