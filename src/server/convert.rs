//! The seam between core values and protocol values: positions, ranges, edits, diagnostics, hovers.
//!
//! Core code speaks byte offsets into the document text; this module is where they become lines
//! and columns in the negotiated encoding (through `document`), and back.

use std::ops::Range;

use ropey::Rope;
use tower_lsp_server::ls_types::{
    self as lsp, Diagnostic, DiagnosticSeverity, DocumentSymbol, Hover, HoverContents,
    MarkupContent, MarkupKind, NumberOrString, SymbolKind, TextDocumentContentChangeEvent,
};

use crate::document::{self, LineCol, PositionEncoding, Positions, TextChange};
use crate::features::{
    Finding, HoverInfo, LOW_CONFIDENCE_CODE, LinkFinding, LowConfidence, OutlineKind,
    OutlineSymbol, Severity,
};
use crate::workspace::{LATEX_PROJECT_CODE, ProjectHint};

/// The `source` of every diagnostic scitag publishes.
pub const DIAGNOSTIC_SOURCE: &str = "scitag";

pub fn line_col(position: lsp::Position) -> LineCol {
    LineCol::new(position.line, position.character)
}

pub fn position(line_col: LineCol) -> lsp::Position {
    lsp::Position::new(line_col.line, line_col.character)
}

/// The protocol range of bytes `range` of `text`.
pub fn range(text: &Rope, range: Range<usize>, encoding: PositionEncoding) -> lsp::Range {
    lsp::Range::new(
        position(document::position_of(text, range.start, encoding)),
        position(document::position_of(text, range.end, encoding)),
    )
}

/// [`range`] through a [`Positions`] cursor (many ranges of one text, in order).
pub fn range_in(positions: &Positions<'_>, range: Range<usize>) -> lsp::Range {
    lsp::Range::new(
        position(positions.position(range.start)),
        position(positions.position(range.end)),
    )
}

pub fn text_change(change: TextDocumentContentChangeEvent) -> TextChange {
    TextChange {
        range: change
            .range
            .map(|range| line_col(range.start)..line_col(range.end)),
        text: change.text,
    }
}

pub fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Hint => DiagnosticSeverity::HINT,
        Severity::Information => DiagnosticSeverity::INFORMATION,
        Severity::Warning => DiagnosticSeverity::WARNING,
    }
}

/// A scitag diagnostic: `source` is always [`DIAGNOSTIC_SOURCE`]; the callers add related
/// locations and `data`.
fn scitag_diagnostic(
    bytes: Range<usize>,
    severity: DiagnosticSeverity,
    code: &str,
    message: &str,
    positions: &Positions<'_>,
) -> Diagnostic {
    Diagnostic {
        range: range_in(positions, bytes),
        severity: Some(severity),
        code: Some(NumberOrString::String(code.to_owned())),
        source: Some(DIAGNOSTIC_SOURCE.to_owned()),
        message: message.to_owned(),
        ..Diagnostic::default()
    }
}

pub fn diagnostic(low_confidence: &LowConfidence, positions: &Positions<'_>) -> Diagnostic {
    scitag_diagnostic(
        low_confidence.range.clone(),
        severity(low_confidence.severity),
        LOW_CONFIDENCE_CODE,
        &low_confidence.message,
        positions,
    )
}

/// A consistency finding, with its other places as related locations and, in `data`, the term and
/// class its quick fix pins (`{"term": …, "class": …}`).
pub fn finding_diagnostic(
    finding: &Finding,
    positions: &Positions<'_>,
    uri: &lsp::Uri,
) -> Diagnostic {
    let related = finding
        .related
        .iter()
        .map(|other| lsp::DiagnosticRelatedInformation {
            location: lsp::Location {
                uri: uri.clone(),
                range: range_in(positions, other.clone()),
            },
            message: "tagged here".to_owned(),
        })
        .collect::<Vec<_>>();
    Diagnostic {
        related_information: (!related.is_empty()).then_some(related),
        data: Some(serde_json::json!({ "term": finding.term, "class": finding.class })),
        ..scitag_diagnostic(
            finding.range.clone(),
            severity(finding.severity),
            finding.code,
            &finding.message,
            positions,
        )
    }
}

/// A hint about the document's LaTeX project (a link not followed, a root not found).
pub fn project_hint_diagnostic(hint: &ProjectHint, positions: &Positions<'_>) -> Diagnostic {
    scitag_diagnostic(
        hint.range.clone(),
        DiagnosticSeverity::HINT,
        LATEX_PROJECT_CODE,
        &hint.message,
        positions,
    )
}

/// A linking diagnostic; `data` holds the texts its quick fixes put in place of the mention
/// (`{"replacements": [...]}`).
pub fn link_diagnostic(finding: &LinkFinding, positions: &Positions<'_>) -> Diagnostic {
    Diagnostic {
        data: Some(serde_json::json!({ "replacements": finding.replacements })),
        ..scitag_diagnostic(
            finding.range.clone(),
            severity(finding.severity),
            finding.code,
            &finding.message,
            positions,
        )
    }
}

pub fn hover(info: HoverInfo, text: &Rope, encoding: PositionEncoding) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: info.markdown,
        }),
        range: Some(range(text, info.range, encoding)),
    }
}

/// The symbol kind of an outline entry: a heading is a `Module` (as texlab shows LaTeX
/// sections), a class of entities a `Class`, an entity a `Constant` (a named thing that does not
/// change; workspace symbols use it too).
pub fn symbol_kind(kind: OutlineKind) -> SymbolKind {
    match kind {
        OutlineKind::Heading => SymbolKind::MODULE,
        OutlineKind::Class => SymbolKind::CLASS,
        OutlineKind::Entity => SymbolKind::CONSTANT,
    }
}

/// An outline entry and its children as a hierarchical `DocumentSymbol`.
pub fn document_symbol(
    symbol: &OutlineSymbol,
    text: &Rope,
    encoding: PositionEncoding,
) -> DocumentSymbol {
    let children: Vec<DocumentSymbol> = symbol
        .children
        .iter()
        .map(|child| document_symbol(child, text, encoding))
        .collect();
    #[allow(deprecated)] // `deprecated` is a required field of the struct, replaced by `tags`.
    DocumentSymbol {
        name: symbol.name.clone(),
        detail: symbol.detail.clone(),
        kind: symbol_kind(symbol.kind),
        tags: None,
        deprecated: None,
        range: range(text, symbol.range.clone(), encoding),
        selection_range: range(text, symbol.selection.clone(), encoding),
        children: (!children.is_empty()).then_some(children),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_use_the_negotiated_encoding() {
        let text = Rope::from_str("🧬 IL-2\nx");
        let start = "🧬 ".len();
        let utf16 = range(&text, start..start + 4, PositionEncoding::Utf16);
        assert_eq!(
            utf16,
            lsp::Range::new(lsp::Position::new(0, 3), lsp::Position::new(0, 7))
        );
        let utf8 = range(&text, start..start + 4, PositionEncoding::Utf8);
        assert_eq!(
            utf8,
            lsp::Range::new(lsp::Position::new(0, 5), lsp::Position::new(0, 9))
        );
    }

    #[test]
    fn diagnostics_carry_source_code_and_severity() {
        let text = Rope::from_str("IL-2");
        let low = LowConfidence {
            range: 0..4,
            severity: Severity::Hint,
            message: "Low-confidence protein: 50.0%".into(),
        };
        let diagnostic = diagnostic(&low, &Positions::new(&text, PositionEncoding::Utf16));
        assert_eq!(diagnostic.source.as_deref(), Some("scitag"));
        assert_eq!(
            diagnostic.code,
            Some(NumberOrString::String("low-confidence".into()))
        );
        assert_eq!(diagnostic.severity, Some(DiagnosticSeverity::HINT));
    }
}
