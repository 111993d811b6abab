//! Markdown to prose with pulldown-cmark's offset iterator.
//!
//! pulldown-cmark's `Text` events equal their source slice except for entities (`&alpha;` → `α`), which
//! become Atomic pieces; escapes, container prefixes and line-continuation indents are gaps. Each block
//! (paragraph, heading, list item, table cell, footnote definition, image alt text) collects *raw items*
//! first; then the masks that pulldown-cmark does not know about (pandoc citations, bare URLs, e-mail
//! addresses, attribute blocks, fenced-div markers, pandoc sub/superscripts, raw TeX commands) run over
//! the block's raw text, and the unmasked items are written into the prose builder.
//!
//! `SMART_PUNCTUATION` stays off: it makes Text differ from the source.

use std::ops::Range;

use pulldown_cmark::{Event, LinkType, MetadataBlockKind, Options, Parser, Tag, TagEnd};

use super::mathtext::math_to_text;
use super::offsets::ProseBuilder;
use super::{Collector, ParagraphKind};

pub(super) fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS
        | Options::ENABLE_MATH
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// One element of a block before masking.
#[derive(Clone, Debug)]
enum Raw {
    /// Source bytes that read as themselves.
    Source(Range<usize>),
    /// Produced text standing for a source range (an entity, inline math).
    Atomic(String, Range<usize>),
    /// A removed construct (code, a footnote reference, a comment): a pending space.
    Removed(usize),
    /// A soft or hard line break over these source bytes.
    Break(Range<usize>),
}

/// A block being collected.
#[derive(Debug)]
struct Block {
    kind: ParagraphKind,
    items: Vec<Raw>,
}

struct Extractor<'source, 'collector> {
    source: &'source str,
    collector: &'collector mut Collector,
    /// The open block; `None` until the first text of a block arrives.
    block: Option<Block>,
    /// Blocks interrupted by an image whose alt text is being collected as a caption.
    interrupted: Vec<Option<Block>>,
    /// The kinds that paragraphs inside the open containers take (list item, footnote, quote).
    containers: Vec<ParagraphKind>,
    /// Nesting depth of constructs whose text is skipped (code blocks, HTML blocks, autolinks).
    skip: usize,
    /// The last block closed was a table (for pandoc `Table: caption` lines).
    after_table: bool,
    /// A top-level paragraph held open across a comment-only HTML block (see [`Held`]).
    held: Held,
}

/// Manubot captions break lines with `<!-- -->`, which CommonMark reads as an HTML block between two
/// paragraphs (and the image syntax around them as literal text). A top-level paragraph is held open
/// at its end; when a comment-only HTML block follows on the next line, and a paragraph follows that
/// on the next line, the three read as one paragraph, as pandoc reads them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Held {
    None,
    /// The open block is a finished paragraph that ended here.
    Paragraph {
        end: usize,
    },
    /// A comment-only HTML block that directly followed the held paragraph ended here.
    Comment {
        end: usize,
    },
}

pub(crate) fn extract(text: &str, collector: &mut Collector) {
    let mut extractor = Extractor {
        source: text,
        collector,
        block: None,
        interrupted: Vec::new(),
        containers: Vec::new(),
        skip: 0,
        after_table: false,
        held: Held::None,
    };
    let mut metadata: Option<Range<usize>> = None;
    for (event, range) in Parser::new_ext(text, options()).into_offset_iter() {
        match &event {
            Event::Start(Tag::MetadataBlock(MetadataBlockKind::YamlStyle)) => {
                metadata = Some(range.clone())
            }
            Event::End(TagEnd::MetadataBlock(_)) => {
                if let Some(block) = metadata.take() {
                    extractor.front_matter(block);
                }
            }
            _ => {}
        }
        extractor.event(event, range);
    }
    extractor.close();
    for block in std::mem::take(&mut extractor.interrupted)
        .into_iter()
        .flatten()
    {
        extractor.write(block);
    }
}

impl Extractor<'_, '_> {
    fn default_kind(&self) -> ParagraphKind {
        self.containers
            .last()
            .copied()
            .unwrap_or(ParagraphKind::Paragraph)
    }

    /// The open block, opened with the default kind if needed.
    fn items(&mut self) -> &mut Vec<Raw> {
        let kind = self.default_kind();
        &mut self
            .block
            .get_or_insert_with(|| Block {
                kind,
                items: Vec::new(),
            })
            .items
    }

    fn open(&mut self, kind: ParagraphKind) {
        self.close();
        self.block = Some(Block {
            kind,
            items: Vec::new(),
        });
    }

    fn close(&mut self) {
        if let Some(block) = self.block.take() {
            self.write(block);
        }
    }

    fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        if self.skip > 0 {
            match event {
                Event::Start(
                    Tag::CodeBlock(_) | Tag::HtmlBlock | Tag::MetadataBlock(_) | Tag::Link { .. },
                ) => {
                    self.skip += 1;
                }
                Event::End(
                    TagEnd::CodeBlock | TagEnd::HtmlBlock | TagEnd::MetadataBlock(_) | TagEnd::Link,
                ) => {
                    self.skip -= 1;
                }
                _ => {}
            }
            return;
        }
        if self.held != Held::None && self.continue_held(&event, &range) {
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag, range),
            Event::End(tag) => self.end(tag, range.end),
            Event::Text(text) => {
                if self.source.get(range.clone()) == Some(text.as_ref()) {
                    self.items().push(Raw::Source(range));
                } else {
                    self.items().push(Raw::Atomic(text.into_string(), range));
                }
            }
            Event::InlineMath(math) => match math_to_text(&math) {
                Some(text) => self.items().push(Raw::Atomic(text, range)),
                None => self.items().push(Raw::Removed(range.start)),
            },
            Event::Code(_) | Event::DisplayMath(_) | Event::FootnoteReference(_) => {
                self.items().push(Raw::Removed(range.start));
            }
            Event::InlineHtml(html) | Event::Html(html) => {
                let lower = html.trim_start().to_ascii_lowercase();
                if lower.starts_with("<!--")
                    || lower.starts_with("<br")
                    || lower.starts_with("<p")
                    || lower.starts_with("</p")
                {
                    self.items().push(Raw::Removed(range.start));
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(block) = &mut self.block {
                    block.items.push(Raw::Break(range));
                }
            }
            Event::Rule => self.close(),
            Event::TaskListMarker(_) => {}
        }
    }

    /// Handles `event` while a paragraph is held open; `false` when the event is not part of the
    /// pattern (the held paragraph is then closed and the event is handled normally).
    fn continue_held(&mut self, event: &Event<'_>, range: &Range<usize>) -> bool {
        match (self.held, event) {
            (Held::Paragraph { end }, Event::Start(Tag::HtmlBlock))
                if on_next_line(self.source, end, range.start)
                    && is_comment_only(&self.source[range.clone()]) =>
            {
                self.held = Held::Comment { end: range.end };
                self.skip += 1;
                true
            }
            (Held::Comment { end }, Event::Start(Tag::Paragraph))
                if on_next_line(self.source, end, range.start) =>
            {
                self.held = Held::None;
                if let Some(block) = &mut self.block {
                    block.items.push(Raw::Break(end..range.start));
                }
                true
            }
            _ => {
                self.held = Held::None;
                self.close();
                false
            }
        }
    }

    fn start(&mut self, tag: Tag<'_>, range: Range<usize>) {
        match tag {
            Tag::Paragraph => {
                let kind = self.default_kind();
                self.open(kind);
            }
            Tag::Heading { .. } => self.open(ParagraphKind::Heading),
            Tag::Item => {
                self.close();
                self.containers.push(ParagraphKind::ListItem);
            }
            Tag::FootnoteDefinition(_) => {
                self.close();
                self.containers.push(ParagraphKind::Footnote);
            }
            Tag::BlockQuote(_) | Tag::DefinitionListDefinition | Tag::DefinitionListTitle => {
                self.close();
                self.containers.push(ParagraphKind::Paragraph);
            }
            Tag::List(_) | Tag::Table(_) | Tag::TableHead | Tag::TableRow | Tag::DefinitionList => {
                self.close()
            }
            Tag::TableCell => self.open(ParagraphKind::TableCell),
            Tag::CodeBlock(_) | Tag::HtmlBlock | Tag::MetadataBlock(_) => {
                self.close();
                self.skip += 1;
            }
            Tag::Link {
                link_type: LinkType::Autolink | LinkType::Email,
                ..
            } => {
                self.items().push(Raw::Removed(range.start));
                self.skip += 1;
            }
            Tag::Image { .. } => {
                let interrupted = self.block.take();
                self.interrupted.push(interrupted);
                self.block = Some(Block {
                    kind: ParagraphKind::Caption,
                    items: Vec::new(),
                });
            }
            Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. } => {}
        }
    }

    fn end(&mut self, tag: TagEnd, end: usize) {
        match tag {
            TagEnd::Paragraph if self.containers.is_empty() && self.interrupted.is_empty() => {
                self.held = Held::Paragraph { end };
            }
            TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::TableCell => self.close(),
            TagEnd::Item
            | TagEnd::FootnoteDefinition
            | TagEnd::BlockQuote(_)
            | TagEnd::DefinitionListDefinition
            | TagEnd::DefinitionListTitle => {
                self.close();
                self.containers.pop();
            }
            TagEnd::List(_) | TagEnd::TableHead | TagEnd::TableRow | TagEnd::DefinitionList => {
                self.close()
            }
            TagEnd::Table => {
                self.close();
                self.after_table = true;
            }
            TagEnd::Image => {
                self.close();
                self.block = self.interrupted.pop().flatten();
                if let Some(block) = &mut self.block {
                    // The image reads as a removed construct inside its paragraph.
                    if let Some(Raw::Source(range) | Raw::Atomic(_, range) | Raw::Break(range)) =
                        block.items.last()
                    {
                        let at = range.end;
                        block.items.push(Raw::Removed(at));
                    }
                }
            }
            TagEnd::CodeBlock
            | TagEnd::HtmlBlock
            | TagEnd::MetadataBlock(_)
            | TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link => {}
        }
    }

    /// Masks a finished block and writes it to the collector.
    fn write(&mut self, block: Block) {
        let Block { mut kind, items } = block;
        if items.is_empty() {
            return;
        }
        // The block's raw text: sources as written, produced text for atomics, a space for a removal
        // and a newline for a line break (so masks can see line starts).
        let mut raw = String::new();
        let mut starts = Vec::with_capacity(items.len());
        for item in &items {
            starts.push(raw.len());
            match item {
                Raw::Source(range) => raw.push_str(&self.source[range.clone()]),
                Raw::Atomic(text, _) => raw.push_str(text),
                Raw::Removed(_) => raw.push(' '),
                Raw::Break(_) => raw.push('\n'),
            }
        }
        let mut masks = masks(&raw);
        if kind == ParagraphKind::Paragraph && raw.starts_with("![") {
            kind = ParagraphKind::Caption;
        }
        if kind == ParagraphKind::Paragraph {
            let caption_marker = if raw.starts_with(": ") {
                Some(1)
            } else if self.after_table && raw.starts_with("Table: ") {
                Some(6)
            } else {
                None
            };
            if let Some(length) = caption_marker {
                kind = ParagraphKind::Caption;
                masks.push(Mask {
                    range: 0..length,
                    space: false,
                });
                masks.sort_by_key(|mask| mask.range.start);
            }
        }
        self.after_table = false;
        // A pipe table that pulldown-cmark did not take for one (pandoc accepts tabs in the delimiter
        // row): one table-cell paragraph per cell.
        let mut cuts: Vec<usize> = Vec::new();
        if kind == ParagraphKind::Paragraph && is_pipe_table(&raw) {
            kind = ParagraphKind::TableCell;
            let mut line_start = 0;
            for (number, line) in raw.split('\n').enumerate() {
                if number == 1 {
                    masks.push(Mask {
                        range: line_start..line_start + line.len(),
                        space: false,
                    });
                } else {
                    for (offset, _) in line.match_indices('|') {
                        cuts.push(line_start + offset);
                        masks.push(Mask {
                            range: line_start + offset..line_start + offset + 1,
                            space: false,
                        });
                    }
                }
                line_start += line.len() + 1;
            }
            masks.sort_by_key(|mask| mask.range.start);
        }
        // Pandoc-crossref references read as their number, like \ref in LaTeX: "Figure {@fig:a}b" →
        // "Figure 1b", "[@tbl:x]" → "Table 1". The placeholder is synthetic: never part of an entity.
        let placeholders: Vec<(usize, &'static str)> = masks
            .iter()
            .filter_map(|mask| {
                cross_reference(&raw[mask.range.clone()]).map(|text| (mask.range.start, text))
            })
            .collect();
        let mut builder = ProseBuilder::new(self.source);
        let mut mask_index = 0;
        for (item, raw_start) in items.iter().zip(starts) {
            let raw_end = raw_start + raw_length(item, self.source);
            while mask_index < masks.len() && masks[mask_index].range.end <= raw_start {
                mask_index += 1;
            }
            match item {
                Raw::Source(range) => {
                    let mut cursor = raw_start;
                    let mut index = mask_index;
                    while cursor < raw_end {
                        let next_mask = masks.get(index).filter(|mask| mask.range.start < raw_end);
                        match next_mask {
                            Some(mask) if mask.range.start <= cursor => {
                                let end = mask.range.end.min(raw_end);
                                if mask.space {
                                    builder.space_for_removal(range.start + (cursor - raw_start));
                                }
                                if cuts.binary_search(&mask.range.start).is_ok() {
                                    self.collector.emit(&mut builder, kind);
                                }
                                if cursor == mask.range.start
                                    && let Ok(found) = placeholders
                                        .binary_search_by_key(&cursor, |(start, _)| *start)
                                {
                                    builder.push_synthetic(
                                        placeholders[found].1,
                                        range.start + (cursor - raw_start),
                                    );
                                }
                                cursor = end;
                                if mask.range.end <= raw_end {
                                    index += 1;
                                }
                            }
                            Some(mask) => {
                                let end = mask.range.start;
                                builder.push_source(
                                    range.start + (cursor - raw_start)
                                        ..range.start + (end - raw_start),
                                );
                                cursor = end;
                            }
                            None => {
                                builder.push_source(range.start + (cursor - raw_start)..range.end);
                                cursor = raw_end;
                            }
                        }
                    }
                }
                Raw::Atomic(text, range) => match masks
                    .get(mask_index)
                    .filter(|mask| mask.range.start < raw_end)
                {
                    Some(mask) if mask.space => builder.space_for_removal(range.start),
                    Some(_) => {}
                    None => builder.push_atomic(text, range.clone()),
                },
                Raw::Removed(at) => builder.space_for_removal(*at),
                Raw::Break(range) => builder.space_over(range.clone()),
            }
        }
        self.collector.emit(&mut builder, kind);
    }
}

/// The placeholder for a masked pandoc-crossref reference (`@fig:x`, `{@tbl:y}`, `[@eq:z]`), if the
/// masked text is one.
fn cross_reference(masked: &str) -> Option<&'static str> {
    let bracketed = masked.starts_with('[');
    let key = masked
        .trim_start_matches(['[', '{', '-'])
        .strip_prefix('@')?;
    let prefix = key.split(':').next()?.to_ascii_lowercase();
    if !key.contains(':') {
        return None;
    }
    Some(match (prefix.as_str(), bracketed) {
        ("fig", true) => "Figure 1",
        ("tbl", true) => "Table 1",
        ("eq", true) => "Equation 1",
        ("sec", true) => "Section 1",
        ("fig" | "tbl" | "eq" | "sec", false) => "1",
        _ => return None,
    })
}

/// Whether `start` is on the line right after the one `end` is on (no blank line between).
fn on_next_line(source: &str, end: usize, start: usize) -> bool {
    let Some(gap) = source.get(end.min(start)..start) else {
        return false;
    };
    let line_ends =
        gap.matches('\n').count() + usize::from(source[..end.min(start)].ends_with('\n'));
    gap.trim().is_empty() && line_ends <= 1
}

/// Whether an HTML block holds only comments (`<!-- ... -->`).
fn is_comment_only(html: &str) -> bool {
    let html = html.trim();
    html.starts_with("<!--") && html.ends_with("-->") && html.find("-->") == Some(html.len() - 3)
}

/// Whether a paragraph's raw text is a pipe table: every line starts with `|` and the second line
/// is a delimiter row (`|---|:--:|`, tabs allowed).
fn is_pipe_table(raw: &str) -> bool {
    let mut lines = raw.split('\n');
    let (Some(header), Some(delimiter)) = (lines.next(), lines.next()) else {
        return false;
    };
    header.trim_start().starts_with('|')
        && delimiter.trim_start().starts_with('|')
        && delimiter.contains('-')
        && delimiter
            .chars()
            .all(|character| matches!(character, '|' | '-' | ':' | ' ' | '\t'))
        && lines.all(|line| line.trim_start().starts_with('|'))
}

fn raw_length(item: &Raw, source: &str) -> usize {
    match item {
        Raw::Source(range) => source.get(range.clone()).map_or(0, str::len),
        Raw::Atomic(text, _) => text.len(),
        Raw::Removed(_) | Raw::Break(_) => 1,
    }
}

/// A masked range of a block's raw text; `space` says whether it reads as a removed word (a pending
/// space) or is removed at zero length (the `~` of a pandoc subscript).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Mask {
    range: Range<usize>,
    space: bool,
}

pub(crate) fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte >= 0x80
}

/// Finds the ranges of `raw` that are not prose, sorted and non-overlapping.
fn masks(raw: &str) -> Vec<Mask> {
    let bytes = raw.as_bytes();
    let mut masks = Vec::new();
    // Fenced-div marker lines (`::: {.callout-note}`, `:::`).
    let mut line_start = 0;
    while line_start < bytes.len() {
        let line_end = raw[line_start..]
            .find('\n')
            .map_or(raw.len(), |index| line_start + index);
        if raw[line_start..line_end].trim_start().starts_with(":::") {
            masks.push(Mask {
                range: line_start..line_end,
                space: true,
            });
        }
        line_start = line_end + 1;
    }
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        let previous = index.checked_sub(1).map(|previous| bytes[previous]);
        let found = match byte {
            b'[' => citation_group(raw, index).map(|end| Mask {
                range: index..end,
                space: true,
            }),
            b'{' => attribute_block(raw, index).map(|end| Mask {
                range: index..end,
                space: true,
            }),
            b'@' | b'-'
                if previous.is_none_or(|previous| {
                    !is_word_byte(previous) && previous != b'.' && previous != b'@'
                }) =>
            {
                bare_citation(raw, index).map(|end| Mask {
                    range: index..end,
                    space: true,
                })
            }
            b'h' | b'f' | b'w' | b'H' | b'W'
                if previous.is_none_or(|previous| !is_word_byte(previous)) =>
            {
                url(raw, index).map(|end| Mask {
                    range: index..end,
                    space: true,
                })
            }
            b'\\' => raw_tex_command(raw, index, &mut masks),
            // Image syntax that CommonMark did not see as an image (see `Held`): the `![` goes, and
            // the `](destination "title")` goes as a removed word.
            b'!' if raw[index..].starts_with("![") && raw[index..].contains("](") => Some(Mask {
                range: index..index + 2,
                space: false,
            }),
            b']' if raw[index..].starts_with("](") => raw[index..]
                .find(')')
                .filter(|close| !raw[index..index + close].contains('\n'))
                .map(|close| Mask {
                    range: index..index + close + 1,
                    space: true,
                }),
            b'~' | b'^' => {
                // Pandoc sub/superscript: `T~reg~`, `10^7^`: the markers go, the content stays glued.
                delimited_script(raw, index).map(|end| {
                    masks.push(Mask {
                        range: index..index + 1,
                        space: false,
                    });
                    Mask {
                        range: end - 1..end,
                        space: false,
                    }
                })
            }
            _ => None,
        };
        if let Some(mask) = found {
            index = mask.range.end.max(index + 1);
            masks.push(mask);
            continue;
        }
        if byte == b'@'
            && let Some(range) = email(raw, index)
        {
            // The local part is already written to prose by nothing yet: masks are applied later, so
            // a mask that starts before `index` is fine.
            index = range.end;
            masks.push(Mask { range, space: true });
            continue;
        }
        index += 1;
    }
    masks.sort_by_key(|mask| (mask.range.start, std::cmp::Reverse(mask.range.end)));
    // Merge overlapping masks.
    let mut merged: Vec<Mask> = Vec::with_capacity(masks.len());
    for mask in masks {
        if let Some(last) = merged.last_mut()
            && mask.range.start < last.range.end
        {
            last.range.end = last.range.end.max(mask.range.end);
            last.space |= mask.space;
            continue;
        }
        merged.push(mask);
    }
    merged
}

/// `[@key]`, `[see @key, p. 3; @doi:10.1/x]`: a bracket without nested brackets or a line break that
/// holds a citation key. Returns the end (after `]`).
fn citation_group(raw: &str, open: usize) -> Option<usize> {
    let rest = &raw[open + 1..];
    let close = rest.find([']', '[', '\n'])?;
    if rest.as_bytes()[close] != b']' {
        return None;
    }
    let inner = &rest[..close];
    let bytes = inner.as_bytes();
    let has_key = bytes.iter().enumerate().any(|(index, &byte)| {
        byte == b'@'
            && (index == 0 || matches!(bytes[index - 1], b' ' | b';' | b'-' | b'\t'))
            && bytes
                .get(index + 1)
                .is_some_and(|next| next.is_ascii_alphanumeric() || *next == b'_')
    });
    has_key.then_some(open + 1 + close + 1)
}

/// `{#fig:1 width=50%}`, `{.callout-note}`, `{@fig:lv246}`: braces without nesting that start with
/// `#`, `.` or `@`. Returns the end (after `}`).
fn attribute_block(raw: &str, open: usize) -> Option<usize> {
    let rest = &raw[open + 1..];
    if !rest.starts_with(['#', '.', '@']) {
        return None;
    }
    let close = rest.find(['}', '{', '\n'])?;
    (rest.as_bytes()[close] == b'}').then_some(open + 1 + close + 1)
}

fn is_key_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric()
        || matches!(
            byte,
            b'_' | b':'
                | b'.'
                | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'+'
                | b'?'
                | b'<'
                | b'>'
                | b'~'
                | b'/'
                | b'-'
        )
}

/// A bare pandoc citation `@key` or `-@key`. Returns the end of the key (trailing punctuation stays).
fn bare_citation(raw: &str, start: usize) -> Option<usize> {
    let bytes = raw.as_bytes();
    let at = if bytes[start] == b'-' {
        start + 1
    } else {
        start
    };
    if bytes.get(at) != Some(&b'@') {
        return None;
    }
    let first = *bytes.get(at + 1)?;
    if !(first.is_ascii_alphanumeric() || first == b'_') {
        return None;
    }
    let mut end = at + 1;
    while end < bytes.len() && is_key_byte(bytes[end]) {
        end += 1;
    }
    while end > at + 1 && !(bytes[end - 1].is_ascii_alphanumeric() || bytes[end - 1] == b'_') {
        end -= 1;
    }
    Some(end)
}

/// A bare URL starting at `start` (`https://`, `http://`, `ftp://`, `www.`). Returns its end, without
/// trailing punctuation.
pub(crate) fn url(raw: &str, start: usize) -> Option<usize> {
    let rest = &raw[start..];
    let lower_prefix = rest.get(..8).unwrap_or(rest).to_ascii_lowercase();
    if !["https://", "http://", "ftp://", "www."]
        .iter()
        .any(|prefix| lower_prefix.starts_with(prefix))
    {
        return None;
    }
    let length = rest
        .find(|character: char| {
            character.is_whitespace()
                || matches!(character, '<' | '>' | '(' | ')' | '[' | ']' | '"')
        })
        .unwrap_or(rest.len());
    let trimmed = rest[..length].trim_end_matches(['.', ',', ';', ':', '!', '?', '\'', '"']);
    (trimmed.len() > 4).then_some(start + trimmed.len())
}

/// An e-mail address around the `@` at `at`. Returns its whole range.
pub(crate) fn email(raw: &str, at: usize) -> Option<Range<usize>> {
    let bytes = raw.as_bytes();
    let local =
        |byte: u8| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'+' | b'-');
    let mut start = at;
    while start > 0 && local(bytes[start - 1]) {
        start -= 1;
    }
    if start == at {
        return None;
    }
    let domain = |byte: u8| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'.';
    let mut end = at + 1;
    while end < bytes.len() && domain(bytes[end]) {
        end += 1;
    }
    while end > at + 1 && bytes[end - 1] == b'.' {
        end -= 1;
    }
    let domain_part = &raw[at + 1..end];
    let valid =
        domain_part.contains('.') && !domain_part.starts_with('.') && !domain_part.contains("..");
    valid.then_some(start..end)
}

/// Raw TeX in Markdown (`\cleardoublepage`, `\textsuperscript{-1}`): the command name goes, and a
/// directly following brace pair goes while its content stays. Pushes the brace masks itself.
fn raw_tex_command(raw: &str, start: usize, masks: &mut Vec<Mask>) -> Option<Mask> {
    let rest = &raw[start + 1..];
    let name_length = rest
        .find(|character: char| !character.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    if name_length < 2 {
        return None;
    }
    let name_end = start + 1 + name_length;
    if raw[name_end..].starts_with('{')
        && let Some(close) = raw[name_end + 1..].find(['}', '{', '\n'])
        && raw.as_bytes()[name_end + 1 + close] == b'}'
    {
        let close = name_end + 1 + close;
        masks.push(Mask {
            range: close..close + 1,
            space: false,
        });
        return Some(Mask {
            range: start..name_end + 1,
            space: false,
        });
    }
    Some(Mask {
        range: start..name_end,
        space: false,
    })
}

/// A pandoc subscript `~x~` or superscript `^x^` starting at `start`: no whitespace inside, not a
/// strikethrough `~~`. Returns the end (after the closing marker).
fn delimited_script(raw: &str, start: usize) -> Option<usize> {
    let marker = raw.as_bytes()[start];
    let rest = &raw[start + 1..];
    let close = rest.find(|character: char| {
        character.is_whitespace() || character as u32 == u32::from(marker)
    })?;
    if close == 0 || rest.as_bytes()[close] != marker {
        return None;
    }
    Some(start + 1 + close + 1)
}

impl Extractor<'_, '_> {
    /// YAML front matter: `title:` and `abstract:` are prose a reader sees (pandoc prints them); the
    /// same masks as in the body apply (citations, sub/superscripts).
    fn front_matter(&mut self, block: Range<usize>) {
        let source = self.source;
        let Some(text) = source.get(block.clone()) else {
            return;
        };
        let mut lines: Vec<(usize, &str)> = Vec::new();
        let mut offset = block.start;
        for line in text.split_inclusive('\n') {
            lines.push((offset, line));
            offset += line.len();
        }
        let mut index = 0;
        while index < lines.len() {
            let (line_offset, line) = lines[index];
            index += 1;
            let kind = if line.starts_with("title:") {
                ParagraphKind::Title
            } else if line.starts_with("abstract:") {
                ParagraphKind::Abstract
            } else {
                continue;
            };
            let colon = line.find(':').unwrap_or(0) + 1;
            let value = line[colon..].trim();
            let mut items: Vec<Raw> = Vec::new();
            if value.starts_with(['|', '>']) || value.is_empty() {
                // A block scalar (or a value on the following lines): the indented lines.
                while index < lines.len() {
                    let (next_offset, next) = lines[index];
                    let content = next.trim_end_matches(['\n', '\r']);
                    if !content.is_empty() && !content.starts_with([' ', '\t']) {
                        break;
                    }
                    index += 1;
                    if content.trim().is_empty() {
                        if kind == ParagraphKind::Abstract {
                            self.write(Block {
                                kind,
                                items: std::mem::take(&mut items),
                            });
                        }
                        continue;
                    }
                    let indent = content.len() - content.trim_start().len();
                    items.push(Raw::Source(
                        next_offset + indent..next_offset + content.len(),
                    ));
                    items.push(Raw::Break(
                        next_offset + content.len()..next_offset + next.len(),
                    ));
                }
            } else {
                let start =
                    line_offset + colon + (line[colon..].len() - line[colon..].trim_start().len());
                let (start, end) =
                    if (value.starts_with('"') && value.ends_with('"') && value.len() >= 2)
                        || (value.starts_with('\'') && value.ends_with('\'') && value.len() >= 2)
                    {
                        (start + 1, start + value.len() - 1)
                    } else {
                        (start, start + value.len())
                    };
                items.push(Raw::Source(start..end));
            }
            self.write(Block { kind, items });
        }
    }
}
