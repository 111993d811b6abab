//! `textDocument/publishDiagnostics`: low-confidence, consistency, linking and LaTeX project
//! diagnostics, pushed by the server after every committed analysis (and after a settings change
//! that alters them).
//!
//! A newer version whose diagnostics equal the last ones published is not published: a keystroke
//! in a long manuscript would otherwise send its few hundred diagnostics again each time, and the
//! client's copy stays right (equal ranges mean the same places in the new text). A publish for
//! the version last considered (a partial analysis completed, a settings change) is always sent.
//! `scitag/status` tells which version was considered last and which was last sent
//! (`diagnosticsVersion`, `diagnosticsSentVersion`), so a scripted client knows when none is coming.

use tower_lsp_server::ls_types::{Diagnostic, Uri};

use crate::document::Positions;
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
        // Each list is in document order: the cursor walks each one's line instead of searching.
        let positions = Positions::new(text, encoding);
        let mut diagnostics: Vec<_> = snapshot
            .low_confidence()
            .iter()
            .map(|low| convert::diagnostic(low, &positions))
            .collect();
        diagnostics.extend(
            snapshot
                .consistency()
                .iter()
                .map(|finding| convert::finding_diagnostic(finding, &positions, uri)),
        );
        diagnostics.extend(
            snapshot
                .project_hints()
                .iter()
                .filter(|hint| hint.range.end <= text.len_bytes())
                .map(|hint| convert::project_hint_diagnostic(hint, &positions)),
        );
        diagnostics.extend(
            snapshot
                .link_findings()
                .iter()
                .map(|finding| convert::link_diagnostic(finding, &positions)),
        );
        diagnostics.sort_by_key(|diagnostic| (diagnostic.range.start, diagnostic.range.end));
        let version = snapshot.version();
        if !self.should_publish(uri, version, &diagnostics) {
            return;
        }
        self.client
            .publish_diagnostics(uri.clone(), diagnostics, Some(version))
            .await;
    }

    /// Records that `version`'s diagnostics were considered, and whether they are to be sent
    /// (decided and recorded before sending, so `scitag/status` never reports a skip for a
    /// publish still on its way).
    fn should_publish(&self, uri: &Uri, version: i32, diagnostics: &[Diagnostic]) -> bool {
        let mut entry = self.published.entry(uri.clone()).or_default();
        let unchanged = entry.sent_version.is_some_and(|sent| version > sent)
            && version > entry.version
            && entry.diagnostics == diagnostics;
        entry.version = entry.version.max(version);
        if unchanged {
            return false;
        }
        entry.sent_version = Some(version);
        entry.diagnostics = diagnostics.to_vec();
        true
    }

    /// Forgets what was published for a closed document.
    pub(in crate::server) fn forget_published(&self, uri: &Uri) {
        self.published.remove(uri);
    }

    /// (version last considered, version last sent) for `scitag/status`.
    pub(in crate::server) fn published_versions(&self, uri: &Uri) -> Option<(i32, Option<i32>)> {
        self.published
            .get(uri)
            .map(|entry| (entry.version, entry.sent_version))
    }
}

/// What was last published for one document.
#[derive(Default)]
pub(in crate::server) struct Published {
    /// The newest version whose diagnostics were considered.
    version: i32,
    /// The version of the last publish sent.
    sent_version: Option<i32>,
    diagnostics: Vec<Diagnostic>,
}
