//! `initialize`, `initialized` and `shutdown`: negotiation, the first settings and the model load.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    InitializeParams, InitializeResult, InitializedParams, MessageType, ServerInfo,
};

use super::guarded;
use super::workspace::register_glossary_watcher;
use crate::server::semantic_tokens::Legend;
use crate::server::{ServerState, Session, capabilities, config};

pub(super) fn initialize(
    server: &ServerState,
    params: InitializeParams,
) -> Result<InitializeResult> {
    guarded("initialize", || {
        let support = capabilities::negotiate(&params.capabilities);
        let parsed = config::parse(
            params
                .initialization_options
                .as_ref()
                .unwrap_or(&Value::Null),
        );
        let classes = server.workspace.probe_model_classes(&parsed.settings);
        let legend = Legend::new(&classes);
        let capabilities = capabilities::server_capabilities(&legend, support.encoding);
        server.keep_initial_problems(parsed.problems);
        server.workspace.replace_settings(Arc::new(parsed.settings));
        let _ = server.session.set(Session { support, legend });
        server.workspace.set_roots(workspace_roots(&params));
        // The model is loaded once the client is initialized; until then analyses wait
        // instead of publishing empty results.
        server.workspace.expect_model();
        tracing::info!(encoding = %support.encoding, "initialized");
        Ok(InitializeResult {
            capabilities,
            server_info: Some(ServerInfo {
                name: "scitag".to_owned(),
                version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            }),
            offset_encoding: None,
        })
    })
}

pub(super) async fn initialized(server: &Arc<ServerState>, _: InitializedParams) {
    if server.support().watch_files {
        let server = server.clone();
        tokio::spawn(async move { register_glossary_watcher(&server).await });
    }
    let problems = server.take_initial_problems();
    if !problems.is_empty() {
        server
            .show_once(
                "settings",
                MessageType::ERROR,
                config::problems_message(&problems),
            )
            .await;
    }
    let server = server.clone();
    tokio::spawn(async move {
        let _settings = server.settings_lock.lock().await;
        if server.support().configuration_pull
            && let Some(value) = server.pull_settings().await
        {
            server.apply_settings(config::parse(&value), true).await;
            return;
        }
        server.load_model();
    });
}

pub(super) fn shutdown() -> Result<()> {
    Ok(())
}

/// The workspace folders of `initialize` (else its root URI), as paths.
fn workspace_roots(params: &InitializeParams) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|folder| folder.uri.to_file_path().map(|path| path.into_owned()))
        .collect();
    #[allow(deprecated)]
    if roots.is_empty()
        && let Some(path) = params.root_uri.as_ref().and_then(|uri| uri.to_file_path())
    {
        roots.push(path.into_owned());
    }
    roots
}
