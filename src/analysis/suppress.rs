//! Ignore comments in the manuscript itself: the parts of a document where no entity is shown.
//!
//! | | Markdown | LaTeX |
//! |---|---|---|
//! | the next line | `<!-- scitag-ignore-next-line -->` | `% scitag-ignore-next-line` |
//! | a region | `<!-- scitag-disable -->` … `<!-- scitag-enable -->` | `% scitag-disable` … `% scitag-enable` |
//!
//! A directive is the whole content of its comment (spaces around it allowed). "The next line" is
//! the line after the comment's line, blank or not. A region runs from the directive to the next
//! `enable`, or to the end of the document. Plain text has no comments and no directives.

use std::ops::Range;

use crate::prose::Language;

const IGNORE_NEXT_LINE: &str = "scitag-ignore-next-line";
const DISABLE: &str = "scitag-disable";
const ENABLE: &str = "scitag-enable";

/// Byte ranges of `text` where entities are suppressed, sorted.
pub fn suppressed_ranges(text: &str, language: Language) -> Vec<Range<usize>> {
    if language == Language::Plain || !text.contains("scitag-") {
        return Vec::new();
    }
    let mut ranges = Vec::new();
    let mut disabled_from: Option<usize> = None;
    let mut ignore_next = false;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        if ignore_next {
            ranges.push(start..offset);
            ignore_next = false;
        }
        let Some(directive) = directive(line, language) else {
            continue;
        };
        match directive {
            IGNORE_NEXT_LINE => ignore_next = true,
            DISABLE if disabled_from.is_none() => disabled_from = Some(start),
            ENABLE => {
                if let Some(from) = disabled_from.take() {
                    ranges.push(from..offset);
                }
            }
            _ => {}
        }
    }
    if let Some(from) = disabled_from {
        ranges.push(from..text.len());
    }
    ranges.sort_by_key(|range| range.start);
    ranges
}

/// The scitag directive a line's comment holds, if any.
fn directive(line: &str, language: Language) -> Option<&'static str> {
    let content = match language {
        Language::Markdown => {
            let start = line.find("<!--")?;
            let rest = &line[start + 4..];
            let end = rest.find("-->")?;
            &rest[..end]
        }
        Language::Latex => {
            let bytes = line.as_bytes();
            let mut at = None;
            for (index, byte) in bytes.iter().enumerate() {
                if *byte == b'%' {
                    // `\%` is a percent sign, not a comment (`\\%` is a line break then a comment)
                    let backslashes = bytes[..index]
                        .iter()
                        .rev()
                        .take_while(|b| **b == b'\\')
                        .count();
                    if backslashes % 2 == 0 {
                        at = Some(index);
                        break;
                    }
                }
            }
            &line[at? + 1..]
        }
        Language::Plain => return None,
    };
    match content.trim() {
        IGNORE_NEXT_LINE => Some(IGNORE_NEXT_LINE),
        DISABLE => Some(DISABLE),
        ENABLE => Some(ENABLE),
        _ => None,
    }
}

/// Whether `range` overlaps one of the sorted `suppressed` ranges.
pub fn is_suppressed(suppressed: &[Range<usize>], range: &Range<usize>) -> bool {
    suppressed
        .iter()
        .any(|region| region.start < range.end && range.start < region.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn covered(text: &str, language: Language) -> Vec<&str> {
        suppressed_ranges(text, language)
            .into_iter()
            .map(|range| text[range].trim_end())
            .collect()
    }

    #[test]
    fn markdown_next_line_and_regions() {
        let text = "IL-2 one.\n<!-- scitag-ignore-next-line -->\nminimap2 two.\nIL-2 three.\n\n<!--scitag-disable-->\nBWA-MEM four.\n\nfive.\n<!-- scitag-enable -->\nIL-2 six.\n";
        assert_eq!(
            covered(text, Language::Markdown),
            [
                "minimap2 two.",
                "<!--scitag-disable-->\nBWA-MEM four.\n\nfive.\n<!-- scitag-enable -->"
            ]
        );
        assert!(
            covered(
                "<!-- not scitag-disable really -->\nx\n",
                Language::Markdown
            )
            .is_empty()
        );
    }

    #[test]
    fn latex_comments_not_percent_signs() {
        let text = "A 5\\% rise % scitag-ignore-next-line\nminimap2 here\n\\% scitag-disable\nIL-2\n%scitag-disable\nrest\n";
        assert_eq!(
            covered(text, Language::Latex),
            ["minimap2 here", "%scitag-disable\nrest"],
            "an unclosed region runs to the end"
        );
        assert!(covered(text, Language::Plain).is_empty());
    }
}
