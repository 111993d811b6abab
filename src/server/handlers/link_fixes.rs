//! The quick fixes of the linking diagnostics: replace the mention with the approved symbol, the
//! replacing Cell Ontology term or the nearest Cellosaurus name, as a `WorkspaceEdit` of the
//! document itself (the texts travel in the diagnostic's `data`, so no state is read here).

use std::collections::HashMap;

use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, NumberOrString, TextEdit,
    WorkspaceEdit,
};

use crate::features::LINK_CODES;
use crate::server::convert;

/// One "Replace with «…»" action per replacement text of each linking diagnostic in `params`.
pub(super) fn text_fixes(params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
    let uri = &params.text_document.uri;
    let mut fixes = Vec::new();
    for diagnostic in &params.context.diagnostics {
        let Some(NumberOrString::String(code)) = &diagnostic.code else {
            continue;
        };
        if diagnostic.source.as_deref() != Some(convert::DIAGNOSTIC_SOURCE)
            || !LINK_CODES.contains(&code.as_str())
        {
            continue;
        }
        let replacements = diagnostic
            .data
            .as_ref()
            .and_then(|data| data["replacements"].as_array())
            .into_iter()
            .flatten()
            .filter_map(|value| value.as_str());
        for (index, replacement) in replacements.enumerate() {
            let mut changes = HashMap::new();
            changes.insert(
                uri.clone(),
                vec![TextEdit {
                    range: diagnostic.range,
                    new_text: replacement.to_owned(),
                }],
            );
            fixes.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Replace with «{replacement}»"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic.clone()]),
                edit: Some(WorkspaceEdit {
                    changes: Some(changes),
                    ..WorkspaceEdit::default()
                }),
                command: None,
                is_preferred: (index == 0).then_some(true),
                disabled: None,
                data: None,
            }));
        }
    }
    fixes
}
