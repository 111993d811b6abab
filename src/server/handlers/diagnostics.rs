//! `textDocument/publishDiagnostics`: low-confidence, consistency, linking and LaTeX project
//! diagnostics, pushed by the server after every committed analysis (and after a settings change
//! that alters them).

use tower_lsp_server::ls_types::Uri;

use crate::server::{ServerState, convert};

impl ServerState {
    /// Publishes the current diagnostics of every open document and asks for new tokens.
    pub(in crate::server) async fn republish_all(&self) {
        for uri in self.workspace.keys() {
            self.publish_diagnostics(&uri).await;
        }
        self.refresh_tokens();
    }

    /// Publishes the diagnostics of `uri`'s current analysis, stamped with the document's
    /// version.
    pub(in crate::server) async fn publish_diagnostics(&self, uri: &Uri) {
        let encoding = self.support().encoding;
        let Some(snapshot) = self.workspace.snapshot(uri) else {
            return;
        };
        let text = snapshot.text();
        let mut diagnostics: Vec<_> = snapshot
            .low_confidence()
            .iter()
            .map(|low| convert::diagnostic(low, text, encoding))
            .collect();
        diagnostics.extend(
            snapshot
                .consistency()
                .iter()
                .map(|finding| convert::finding_diagnostic(finding, text, encoding, uri)),
        );
        diagnostics.extend(
            snapshot
                .project_hints()
                .iter()
                .filter(|hint| hint.range.end <= text.len_bytes())
                .map(|hint| convert::project_hint_diagnostic(hint, text, encoding)),
        );
        diagnostics.extend(
            snapshot
                .link_findings()
                .iter()
                .map(|finding| convert::link_diagnostic(finding, text, encoding)),
        );
        diagnostics.sort_by_key(|diagnostic| (diagnostic.range.start, diagnostic.range.end));
        self.client
            .publish_diagnostics(uri.clone(), diagnostics, Some(snapshot.version()))
            .await;
    }
}
