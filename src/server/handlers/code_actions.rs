//! `textDocument/codeAction`: glossary corrections as plain `WorkspaceEdit`s of `scitag.toml`
//! (and, from `link_fixes.rs`, the linking diagnostics' replacements of the mention).
//!
//! The edit creates the file (`CreateFile`, then an insertion) when it is missing, or replaces its
//! text with the format-preserving result of `glossary::edit` (comments and order kept); a client
//! that cannot create files gets the insertion into the new file alone (it opens a buffer for it,
//! and saving creates the file). Every client applies it with its own undo, and nothing is written behind the editor's back. Once the
//! file changes on disk (`workspace/didChangeWatchedFiles`, or the next lookup's modification-time
//! check) the glossary re-applies to every open document without running the model.

use std::collections::HashMap;
use std::path::Path;

use ropey::Rope;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeActionResponse,
    CreateFile, CreateFileOptions, DocumentChangeOperation, DocumentChanges, NumberOrString, OneOf,
    OptionalVersionedTextDocumentIdentifier, Position, Range as LspRange, ResourceOp,
    TextDocumentEdit, TextEdit, Uri, WorkspaceEdit,
};

use super::{guarded, unknown_document};
use crate::document;
use crate::features::{self, GlossaryAction};
use crate::server::capabilities::ClientSupport;
use crate::server::{ServerState, convert};
use crate::workspace;

pub(super) fn code_action(
    server: &ServerState,
    params: CodeActionParams,
) -> Result<Option<CodeActionResponse>> {
    guarded("codeAction", || match code_actions(server, &params) {
        Ok(actions) => {
            // The linking diagnostics' text replacements first: they fix the manuscript itself.
            let mut all = super::link_fixes::text_fixes(&params);
            all.extend(actions);
            Ok(Some(all))
        }
        Err(message) if message.starts_with("unknown document") => {
            Err(unknown_document(&params.text_document.uri))
        }
        Err(message) => {
            tracing::warn!("codeAction: {message}");
            Err(Error::invalid_params(message))
        }
    })
}

/// The code actions at `params.range` of an open document.
fn code_actions(
    server: &ServerState,
    params: &CodeActionParams,
) -> std::result::Result<Vec<CodeActionOrCommand>, String> {
    let uri = &params.text_document.uri;
    let encoding = server.support().encoding;
    let Some(file) = uri.to_file_path().map(|path| path.into_owned()) else {
        return Ok(Vec::new()); // an untitled buffer has no project to hold a glossary
    };
    let (mut actions, diagnostics_range) = {
        let Some(snapshot) = server.workspace.snapshot(uri) else {
            return Err(format!("unknown document {}", uri.as_str()));
        };
        let start = snapshot
            .offset(convert::line_col(params.range.start), encoding)
            .map_err(|error| error.to_string())?;
        let end = snapshot
            .offset(convert::line_col(params.range.end), encoding)
            .map_err(|error| error.to_string())?;
        let range = start.min(end)..start.max(end);
        let classes = server.workspace.classes();
        (snapshot.glossary_actions(range, &classes), params.range)
    };
    // A consistency diagnostic's quick fix: pin the term's usual class, first and preferred.
    for diagnostic in &params.context.diagnostics {
        let code = match &diagnostic.code {
            Some(NumberOrString::String(code)) => code.as_str(),
            _ => continue,
        };
        if code != features::INCONSISTENT_CLASS_CODE && code != features::UNTAGGED_MENTION_CODE {
            continue;
        }
        let data = diagnostic.data.as_ref();
        let (Some(term), Some(class)) = (
            data.and_then(|data| data["term"].as_str()),
            data.and_then(|data| data["class"].as_str()),
        ) else {
            continue;
        };
        workspace::pin_class(&mut actions, term, class);
    }
    if actions.is_empty() {
        return Ok(Vec::new());
    }
    let glossary = server.workspace.glossary_edits(&file)?;
    let target = &glossary.target;
    let support = server.support();
    let Some(target_uri) = Uri::from_file_path(target) else {
        return Err(format!("{} is not a file URI", target.display()));
    };
    let related: Vec<_> = params
        .context
        .diagnostics
        .iter()
        .filter(|diagnostic| {
            diagnostic.source.as_deref() == Some(convert::DIAGNOSTIC_SOURCE)
                && diagnostic.range.start <= diagnostics_range.end
                && diagnostics_range.start <= diagnostic.range.end
        })
        .cloned()
        .collect();
    let mut out = Vec::new();
    for action in actions {
        let new_text = glossary.new_text(&action)?;
        let edit = workspace_edit(
            &target_uri,
            glossary.current.as_deref(),
            new_text,
            &support,
            encoding,
        );
        out.push(CodeActionOrCommand::CodeAction(code_action_of(
            action,
            edit,
            related.clone(),
            target,
        )));
    }
    Ok(out)
}

fn code_action_of(
    action: GlossaryAction,
    edit: WorkspaceEdit,
    diagnostics: Vec<tower_lsp_server::ls_types::Diagnostic>,
    target: &Path,
) -> CodeAction {
    tracing::debug!("code action {:?} writes {}", action.title, target.display());
    CodeAction {
        title: action.title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: (!diagnostics.is_empty()).then_some(diagnostics),
        edit: Some(edit),
        command: None,
        is_preferred: action.preferred.then_some(true),
        disabled: None,
        data: None,
    }
}

/// The edit that turns the glossary's `current` text (`None`: no file yet) into `new_text`.
fn workspace_edit(
    uri: &Uri,
    current: Option<&str>,
    new_text: String,
    support: &ClientSupport,
    encoding: document::PositionEncoding,
) -> WorkspaceEdit {
    let whole = match current {
        None => LspRange::new(Position::new(0, 0), Position::new(0, 0)),
        Some(text) => {
            let rope = Rope::from_str(text);
            convert::range(&rope, 0..text.len(), encoding)
        }
    };
    let text_edit = TextEdit {
        range: whole,
        new_text,
    };
    if !support.document_changes {
        let mut changes = HashMap::new();
        changes.insert(uri.clone(), vec![text_edit]);
        return WorkspaceEdit {
            changes: Some(changes),
            ..WorkspaceEdit::default()
        };
    }
    let edit = TextDocumentEdit {
        text_document: OptionalVersionedTextDocumentIdentifier {
            uri: uri.clone(),
            version: None,
        },
        edits: vec![OneOf::Left(text_edit)],
    };
    let operations = match current {
        // A client without resource operations (Emacs eglot 1.9) gets the insertion alone: it opens
        // a buffer for the missing file, and saving it creates the file.
        None if !support.create_files => vec![DocumentChangeOperation::Edit(edit)],
        None => vec![
            DocumentChangeOperation::Op(ResourceOp::Create(CreateFile {
                uri: uri.clone(),
                options: Some(CreateFileOptions {
                    overwrite: Some(false),
                    ignore_if_exists: Some(true),
                }),
                annotation_id: None,
            })),
            DocumentChangeOperation::Edit(edit),
        ],
        Some(_) => vec![DocumentChangeOperation::Edit(edit)],
    };
    WorkspaceEdit {
        document_changes: Some(DocumentChanges::Operations(operations)),
        ..WorkspaceEdit::default()
    }
}
