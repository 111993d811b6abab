//! Plain text: paragraphs are blocks of lines separated by blank (whitespace-only) lines.

use super::offsets::ProseBuilder;
use super::{Collector, ParagraphKind};

pub(crate) fn extract(text: &str, collector: &mut Collector) {
    let mut builder = ProseBuilder::new(text);
    let mut block_start: Option<usize> = None;
    let mut line_start = 0;
    while line_start < text.len() {
        let line_end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |index| line_start + index + 1);
        let blank = text[line_start..line_end].trim().is_empty();
        match (blank, block_start) {
            (true, Some(start)) => {
                builder.push_source(start..line_start);
                collector.emit(&mut builder, ParagraphKind::Paragraph);
                block_start = None;
            }
            (false, None) => block_start = Some(line_start),
            _ => {}
        }
        line_start = line_end;
    }
    if let Some(start) = block_start {
        builder.push_source(start..text.len());
        collector.emit(&mut builder, ParagraphKind::Paragraph);
    }
}
