//! One self-contained HTML page: the prose with entities coloured by class as the editors colour
//! them (the light palette of `editors/vscode` and `editors/nvim`), a legend, the table of
//! entities with their mentions, scores on hover (`title`), and the low-confidence and consistency
//! findings. No script, no external asset, and a Content-Security-Policy of `default-src 'none'`:
//! the page can make no network request.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use quick_xml::escape::escape;

use super::{Layout, Tagged};
use crate::features::{class_key, display_class, percent};
use crate::prose::ParagraphKind;

/// A finding to list under a document (what `scitag check` reports).
#[derive(Clone, Debug, PartialEq)]
pub struct HtmlFinding {
    pub line: usize,
    pub column: usize,
    /// `info`, `hint`, `warning`.
    pub severity: &'static str,
    pub code: &'static str,
    pub message: String,
}

/// Colour and style per class key; other classes get the last entry's grey.
const PALETTE: [(&str, &str, &str); 9] = [
    ("protein", "#cf222e", "font-weight:600"),
    ("dna", "#116329", ""),
    ("rna", "#8250df", ""),
    ("cellType", "#0550ae", "font-style:italic"),
    ("cellLine", "#953800", "font-style:italic"),
    ("chemical", "#0a7b83", ""),
    ("disease", "#bc4c00", "text-decoration:underline"),
    ("species", "#6e7781", "font-style:italic"),
    ("", "#57606a", ""),
];

const STYLE: &str = "body{font:16px/1.6 Georgia,serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1f2328}\
h1{font:600 1.3rem system-ui,sans-serif}h2.doc{font:600 1.1rem system-ui,sans-serif;border-bottom:1px solid #d0d7de}\
.legend span,.e{padding:0 .15em;border-radius:3px}\
.e.low{text-decoration:underline dashed;text-underline-offset:3px}\
table{border-collapse:collapse;font:14px system-ui,sans-serif;margin:1rem 0}td,th{border:1px solid #d0d7de;padding:.2rem .5rem;text-align:left}\
.findings{font:13px ui-monospace,monospace}.caption,.footnote,.table_cell{font-size:.9em;color:#444}\
.legend{font:14px system-ui,sans-serif}";

fn style_of(label: &str) -> (&'static str, &'static str) {
    let key = class_key(label);
    PALETTE
        .iter()
        .find(|(class, _, _)| *class == key)
        .or(PALETTE.last())
        .map_or(("#57606a", ""), |(_, colour, style)| (*colour, *style))
}

/// The page for `documents` (each with its findings), `threshold` marking low confidence.
pub fn html(documents: &[(Tagged<'_>, Vec<HtmlFinding>)], threshold: f32) -> String {
    let mut page = String::new();
    let title = match documents {
        [(only, _)] => format!("{} — scitag", only.name),
        _ => format!("{} documents — scitag", documents.len()),
    };
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}",
        escape(title.as_str())
    );
    let mut labels: Vec<&str> = documents
        .iter()
        .flat_map(|(tagged, _)| {
            tagged
                .analysis
                .entities
                .iter()
                .map(|entity| entity.label.as_str())
        })
        .collect();
    labels.sort_unstable();
    labels.dedup();
    for label in &labels {
        let (colour, style) = style_of(label);
        let _ = write!(
            page,
            ".c-{key}{{color:{colour};background:{colour}14;{style}}}",
            key = class_key(label)
        );
    }
    page.push_str("</style>\n</head>\n<body>\n");
    let _ = writeln!(page, "<h1>{}</h1>", escape(title.as_str()));
    page.push_str("<p class=\"legend\">");
    for label in &labels {
        let _ = write!(
            page,
            "<span class=\"c-{}\">{}</span> ",
            class_key(label),
            escape(display_class(label).as_str())
        );
    }
    let _ = writeln!(
        page,
        "· <span class=\"e low\">dashed</span>: score under {}</p>",
        percent(threshold)
    );
    for (tagged, findings) in documents {
        write_document(&mut page, tagged, findings, threshold);
    }
    page.push_str("</body>\n</html>\n");
    page
}

fn write_document(
    page: &mut String,
    tagged: &Tagged<'_>,
    findings: &[HtmlFinding],
    threshold: f32,
) {
    let layout = Layout::new(tagged, "\n");
    let _ = writeln!(
        page,
        "<section>\n<h2 class=\"doc\">{}</h2>\n<p class=\"legend\">{} entities · model {}</p>",
        escape(tagged.name),
        layout.annotations.len(),
        escape(tagged.model)
    );
    for (index, passage) in layout.passages.iter().enumerate() {
        let (open, close) = match passage.kind {
            ParagraphKind::Title => ("<h2>".to_owned(), "</h2>"),
            ParagraphKind::Heading => ("<h3>".to_owned(), "</h3>"),
            ParagraphKind::ListItem => ("<p>• ".to_owned(), "</p>"),
            kind => (
                format!("<p class=\"{}\">", super::passage_type(kind)),
                "</p>",
            ),
        };
        page.push_str(&open);
        let characters: Vec<char> = passage.text.chars().collect();
        let mut at = 0;
        for annotation in layout.annotations.iter().filter(|a| a.passage == index) {
            let start = annotation.offset - passage.offset;
            let end = start + annotation.length;
            if start < at || end > characters.len() {
                continue;
            }
            let before: String = characters[at..start].iter().collect();
            page.push_str(&escape(before.as_str()));
            let low = if annotation.score < threshold {
                " low"
            } else {
                ""
            };
            let tip = format!(
                "{} · {} · line {}, column {}",
                display_class(&annotation.label),
                percent(annotation.score),
                annotation.line,
                annotation.column
            );
            let _ = write!(
                page,
                "<mark class=\"e c-{}{low}\" title=\"{}\">{}</mark>",
                class_key(&annotation.label),
                escape(tip.as_str()),
                escape(annotation.text.as_str())
            );
            at = end;
        }
        let rest: String = characters[at.min(characters.len())..].iter().collect();
        page.push_str(&escape(rest.as_str()));
        page.push_str(close);
        page.push('\n');
    }
    // The table of entities: class, entity, mentions, mean score.
    let mut table: BTreeMap<(&str, &str), (usize, f32)> = BTreeMap::new();
    for annotation in &layout.annotations {
        let entry = table
            .entry((annotation.label.as_str(), annotation.text.as_str()))
            .or_insert((0, 0.0));
        entry.0 += 1;
        entry.1 += annotation.score;
    }
    let mut rows: Vec<_> = table.into_iter().collect();
    rows.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(&b.0)));
    page.push_str(
        "<table>\n<tr><th>class</th><th>entity</th><th>mentions</th><th>mean score</th></tr>\n",
    );
    for ((label, text), (mentions, total)) in rows {
        let _ = writeln!(
            page,
            "<tr><td class=\"c-{}\">{}</td><td>{}</td><td>{mentions}</td><td>{}</td></tr>",
            class_key(label),
            escape(display_class(label).as_str()),
            escape(text),
            percent(total / mentions as f32)
        );
    }
    page.push_str("</table>\n");
    if !findings.is_empty() {
        let _ = writeln!(
            page,
            "<h3>Findings ({})</h3>\n<ul class=\"findings\">",
            findings.len()
        );
        for finding in findings {
            let _ = writeln!(
                page,
                "<li>{}:{}: {}: {} [{}]</li>",
                finding.line,
                finding.column,
                finding.severity,
                escape(finding.message.as_str()),
                finding.code
            );
        }
        page.push_str("</ul>\n");
    }
    page.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::tests::{SAMPLE, sample};

    #[test]
    fn the_page_marks_entities_escapes_text_and_loads_nothing() {
        let analysis = sample();
        let tagged = Tagged {
            name: "<paper>.md",
            text: SAMPLE,
            analysis: &analysis,
            model: "m",
        };
        let finding = HtmlFinding {
            line: 3,
            column: 1,
            severity: "info",
            code: "low-confidence",
            message: "«Regulatory T cells»: Low-confidence cell type: 55.0%".into(),
        };
        let page = html(&[(tagged, vec![finding])], 0.6);
        assert!(page.contains("<mark class=\"e c-protein\" title=\"protein · 97.0% · line 1, column 3\">IL-2</mark>"), "{page}");
        assert!(
            page.contains("<mark class=\"e c-cellType low\""),
            "low confidence is dashed"
        );
        assert!(page.contains("&lt;paper&gt;.md"));
        assert!(page.contains("<td>IL-2</td><td>1</td>"));
        assert!(page.contains("Findings (1)"));
        assert!(page.contains("default-src 'none'"));
        for external in ["<script", "<link", "src=", "http://", "https://", "url("] {
            assert!(!page.contains(external), "{external}");
        }
    }
}
