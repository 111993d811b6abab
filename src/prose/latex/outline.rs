//! The sectioning commands of a LaTeX document, for its outline (`prose::outline`).

use std::ops::Range;

use super::lexer::{Lexer, TokenKind};

/// The level of a sectioning command (without its star), or `None` for other commands.
fn level(name: &str) -> Option<u8> {
    Some(match name {
        "part" => 1,
        "chapter" | "addchap" => 2,
        "section" | "addsec" => 3,
        "subsection" => 4,
        "subsubsection" => 5,
        "paragraph" => 6,
        "subparagraph" => 7,
        _ => return None,
    })
}

/// `(level, command bytes, title bytes)` of each sectioning command with a `{title}` argument:
/// `\section*[short]{title}` covers the command, the star, the optional argument and the braces;
/// the title is what the braces hold. A group that does not close before a blank line (or the end)
/// makes no heading.
pub(crate) fn headings(text: &str) -> Vec<(u8, Range<usize>, Range<usize>)> {
    let mut found = Vec::new();
    let mut lexer = Lexer::new(text, 0..text.len());
    while let Some(token) = lexer.next_token() {
        if token.kind != TokenKind::ControlWord {
            continue;
        }
        let Some(level) = level(token.name(text)) else {
            continue;
        };
        let start = token.range.start;
        // After the command: spaces, an optional `[short title]`, then the `{title}` group.
        let mut depth = 0usize;
        let mut in_optional = false;
        let mut title_start = None;
        let mut heading = None;
        while let Some(next) = lexer.next_token() {
            match (next.kind, title_start) {
                (TokenKind::ParBreak, _) => break,
                (TokenKind::Space | TokenKind::Comment, None) if depth == 0 => {}
                (TokenKind::OpenBracket, None) if depth == 0 && !in_optional => {
                    in_optional = true;
                }
                (TokenKind::CloseBracket, None) if depth == 0 && in_optional => {
                    in_optional = false;
                }
                (TokenKind::BeginGroup, None) if depth == 0 && !in_optional => {
                    title_start = Some(next.range.end);
                    depth = 1;
                }
                (TokenKind::BeginGroup, _) => depth += 1,
                (TokenKind::EndGroup, Some(title)) if depth == 1 => {
                    heading = Some((level, start..next.range.end, title..next.range.start));
                    break;
                }
                (TokenKind::EndGroup, _) if depth > 0 => depth -= 1,
                // Anything else before the title group ends the command: no heading, and that
                // token is read again (it may be the next sectioning command).
                (_, None) if depth == 0 && !in_optional => {
                    lexer = Lexer::new(text, next.range.start..text.len());
                    break;
                }
                _ => {}
            }
        }
        if let Some(heading) = heading {
            found.push(heading);
        }
    }
    found
}
