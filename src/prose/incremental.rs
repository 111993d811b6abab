//! Extraction around an edit: when a keystroke only types or deletes ordinary characters inside
//! one paragraph, only that paragraph's lines are extracted again and the rest of the previous
//! extraction is reused (shifted), instead of parsing the whole document. Whenever that cannot be
//! shown to give what extracting the whole document gives, the whole document is extracted.
//!
//! Why the result is the whole document's:
//! - **The edit cannot change any block or inline structure outside the paragraph.** The removed
//!   and inserted text holds only letters, digits, spaces and `. , ; : ? ' " ( ) /` — none of them
//!   opens or closes a Markdown construct (no newline, `` ` ``, `~`, `$`, `\`, `<`, `&`, `*`, `_`,
//!   `[`, `]`, `!`, `#`, `>`, `|`, `-`, `+`, `=`) — and it lies after the first prose character of
//!   its line (never in a line's indentation or container prefix, where a space could make an
//!   indented code block). The document holds no link reference or footnote definition (no `]:`),
//!   the only state a CommonMark parser carries from one block into another's inline content.
//! - **The paragraph reads the same alone as in the document.** Its lines, extracted on their own
//!   from the previous text, must give exactly the paragraph the whole document gave (kind, prose,
//!   sentences, offset map, no problem); a paragraph whose context matters (inside an indented
//!   list, a setext heading, a table cell, a reference link) fails this and the document is
//!   extracted whole. The edit changes no line prefix, so the context that did not matter before
//!   does not matter after.
//!
//! LaTeX is always extracted whole. Macros, groups, environments and comments reach across
//! paragraphs, and a trial with the same rules plus "never next to a control word" failed this
//! module's random-edit test (a comment eating the line end reads differently in a window cut at
//! that line end), so no shortcut is taken there until a LaTeX restart point can be proven.
//! The headings come along: those after the paragraph move with the text, and an edited heading
//! has all of them read again. `tests` checks the result (paragraphs, problems and headings)
//! against a whole extraction on every fixture and corpus manuscript for thousands of random edits.

use std::ops::Range;

use super::{Extraction, Heading, Language, Paragraph, ParagraphKind, extract, headings};
use crate::prose::ExtractOptions;

/// A document's extraction and outline, with what they were made from, kept to extract the next
/// version around its edit.
#[derive(Clone, Debug, PartialEq)]
pub struct Extracted {
    pub text: String,
    pub language: Language,
    pub options: ExtractOptions,
    pub extraction: Extraction,
    /// [`headings`] of the text.
    pub headings: Vec<Heading>,
}

impl Extracted {
    /// Extracts `text` whole.
    pub fn new(text: &str, language: Language, options: &ExtractOptions) -> Extracted {
        let extraction = extract(text, language, options);
        let headings = headings(text, language, &extraction.paragraphs);
        Extracted {
            text: text.to_owned(),
            language,
            options: options.clone(),
            extraction,
            headings,
        }
    }
}

/// How an extraction was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// The previous extraction, unchanged (the text did not change).
    Reused,
    /// One paragraph extracted again, the others reused.
    AroundEdit,
    /// The whole document.
    Whole,
}

/// Extracts `text` and its headings, reusing `previous` when the edit between them allows
/// ([module docs](self)).
pub fn extract_after(
    previous: Option<&Extracted>,
    text: &str,
    language: Language,
    options: &ExtractOptions,
) -> (Extracted, Method) {
    if let Some(previous) = previous
        && previous.language == language
        && previous.options == *options
    {
        if previous.text == text {
            return (previous.clone(), Method::Reused);
        }
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            around_edit(previous, text, language, options)
        }));
        if let Ok(Some((extraction, edit))) = result {
            // Headings after the edited paragraph move with the text; an edited heading is read
            // again with all the others.
            let headings = if edit.heading {
                headings(text, language, &extraction.paragraphs)
            } else {
                previous
                    .headings
                    .iter()
                    .map(|heading| {
                        let mut heading = heading.clone();
                        if heading.range.start >= edit.window_end {
                            heading.range = shift(&heading.range, edit.delta);
                        }
                        heading
                    })
                    .collect()
            };
            let extracted = Extracted {
                text: text.to_owned(),
                language,
                options: options.clone(),
                extraction,
                headings,
            };
            return (extracted, Method::AroundEdit);
        }
    }
    (Extracted::new(text, language, options), Method::Whole)
}

/// Where the paragraph extracted around an edit was, in the previous text.
struct Edit {
    /// The end of its last line.
    window_end: usize,
    /// How much longer the new text is.
    delta: isize,
    /// Whether the paragraph is a heading.
    heading: bool,
}

/// Characters an edit may remove or insert and still be re-extracted around.
fn is_plain(character: char) -> bool {
    character.is_alphanumeric()
        || matches!(
            character,
            ' ' | '.' | ',' | ';' | ':' | '?' | '\'' | '"' | '(' | ')' | '/'
        )
}

/// Whether a Markdown text may hold a link reference or footnote definition (`[label]: …`,
/// `[^1]: …`): a `]:` whose label's `[` has only indentation, `>` and list markers before it on its
/// line (or is escaped, when the label cannot be told). `as [@doi:10.1/x]:` at a sentence's end is
/// not one.
fn may_define_references(text: &str) -> bool {
    let mut from = 0;
    while let Some(found) = text[from..].find("]:") {
        let close = from + found;
        from = close + 2;
        let Some(open) = text[..close].rfind('[') else {
            continue;
        };
        if text[..open].ends_with('\\') {
            return true;
        }
        let line_start = text[..open].rfind('\n').map_or(0, |at| at + 1);
        if text[line_start..open].chars().all(|character| {
            matches!(character, ' ' | '\t' | '>' | '-' | '*' | '+' | '.' | ')')
                || character.is_ascii_digit()
        }) {
            return true;
        }
    }
    false
}

/// The byte ranges that differ: `(old, new)`, from the common prefix and suffix.
fn changed_ranges(old: &str, new: &str) -> (Range<usize>, Range<usize>) {
    let mut prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let longest = old.len().min(new.len()) - prefix;
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(longest)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    (prefix..old.len() - suffix, prefix..new.len() - suffix)
}

fn around_edit(
    previous: &Extracted,
    text: &str,
    language: Language,
    options: &ExtractOptions,
) -> Option<(Extraction, Edit)> {
    let old = previous.text.as_str();
    let (removed, inserted) = changed_ranges(old, text);
    if !old[removed.clone()].chars().all(is_plain) || !text[inserted.clone()].chars().all(is_plain)
    {
        return None;
    }
    if !matches!(language, Language::Markdown | Language::Plain) {
        return None;
    }
    if language == Language::Markdown && may_define_references(text) {
        return None;
    }
    let paragraphs = &previous.extraction.paragraphs;
    // The paragraph the edit falls in: after its first prose byte, up to its last one.
    let index =
        paragraphs.partition_point(|paragraph| paragraph.source_range.start < removed.start);
    let index = index.checked_sub(1)?;
    let paragraph = &paragraphs[index];
    let window_start = old[..paragraph.source_range.start]
        .rfind('\n')
        .map_or(0, |at| at + 1);
    let window_end = old[paragraph.source_range.end..]
        .find('\n')
        .map_or(old.len(), |at| paragraph.source_range.end + at);
    // Within the paragraph's own source bytes (typing at its very end included): text after it
    // on its last line may belong to another paragraph (LaTeX: the prose after `\section{…}`).
    if removed.end > paragraph.source_range.end {
        return None;
    }
    // Never in a line's indentation or prefix: a prose character comes first on its line.
    let line_start = old[..removed.start].rfind('\n').map_or(0, |at| at + 1);
    let first_prose = line_start.max(paragraph.source_range.start);
    if first_prose >= removed.start || old[first_prose..removed.start].trim().is_empty() {
        return None;
    }
    if paragraphs
        .get(index + 1)
        .is_some_and(|next| next.source_range.start < window_end)
        || previous
            .extraction
            .problems
            .iter()
            .any(|problem| problem.range.start < window_end && window_start < problem.range.end)
    {
        return None;
    }
    // Alone, the paragraph's lines must give the paragraph the whole document gave.
    let alone = lone_paragraph(
        &old[window_start..window_end],
        language,
        options,
        window_start,
    )?;
    if alone != *paragraph {
        return None;
    }
    let delta = text.len() as isize - old.len() as isize;
    let new_end = (window_end as isize + delta) as usize;
    let edited = lone_paragraph(
        &text[window_start..new_end],
        language,
        options,
        window_start,
    )?;
    let mut extraction = Extraction {
        paragraphs: Vec::with_capacity(paragraphs.len()),
        problems: previous
            .extraction
            .problems
            .iter()
            .map(|problem| {
                let mut problem = problem.clone();
                if problem.range.start >= window_end {
                    problem.range = shift(&problem.range, delta);
                }
                problem
            })
            .collect(),
    };
    extraction
        .paragraphs
        .extend(paragraphs[..index].iter().cloned());
    extraction.paragraphs.push(edited);
    extraction
        .paragraphs
        .extend(paragraphs[index + 1..].iter().map(|later| {
            let mut later = later.clone();
            later.source_range = shift(&later.source_range, delta);
            later.map.shift_source(delta);
            later
        }));
    let edit = Edit {
        window_end,
        delta,
        heading: paragraph.kind == ParagraphKind::Heading,
    };
    Some((extraction, edit))
}

/// The one paragraph `lines` make alone, with source offsets from `offset`; `None` when they make
/// none, several, or a problem.
fn lone_paragraph(
    lines: &str,
    language: Language,
    options: &ExtractOptions,
    offset: usize,
) -> Option<Paragraph> {
    let mut alone = extract(lines, language, options);
    if alone.paragraphs.len() != 1 || !alone.problems.is_empty() {
        return None;
    }
    let mut paragraph = alone.paragraphs.pop()?;
    paragraph.source_range = shift(&paragraph.source_range, offset as isize);
    paragraph.map.shift_source(offset as isize);
    Some(paragraph)
}

fn shift(range: &Range<usize>, delta: isize) -> Range<usize> {
    ((range.start as isize + delta) as usize)..((range.end as isize + delta) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extracted(text: &str, language: Language) -> Extracted {
        Extracted::new(text, language, &ExtractOptions::default())
    }

    fn after(previous: &str, text: &str, language: Language) -> (Extracted, Method) {
        let previous = extracted(previous, language);
        extract_after(Some(&previous), text, language, &ExtractOptions::default())
    }

    #[test]
    fn typing_in_a_paragraph_extracts_only_it_and_equals_a_whole_extraction() {
        let old = "# Title\n\nIL-2 binds the receptor on T cells.\n\n- a list item\n- another one\n\n> quoted text here\n";
        for (at, typed) in [
            (old.find("binds").unwrap() + 2, "x"),
            (old.find("cells").unwrap() + 5, " and B"),
            (old.find("list").unwrap() + 1, "z"),
            (old.find("quoted").unwrap() + 3, "q"),
            (old.find("Title").unwrap() + 5, " two"),
        ] {
            let new = format!("{}{typed}{}", &old[..at], &old[at..]);
            let (extracted, method) = after(old, &new, Language::Markdown);
            assert_eq!(method, Method::AroundEdit, "{new:?}");
            assert_eq!(
                extracted,
                Extracted::new(&new, Language::Markdown, &ExtractOptions::default()),
                "{new:?}"
            );
        }
    }

    #[test]
    fn edits_that_may_change_structure_extract_the_whole_document() {
        assert!(!may_define_references(
            "estimated as [@doi:10.1/x]:\n\n$$x$$\n"
        ));
        assert!(may_define_references("Text.\n\n> [ref]: /url\n"));
        assert!(may_define_references("Text.[^1]\n\n[^1]: A note.\n"));
        assert!(may_define_references("[multi\nline]: /url\n"));
        let old = "Some text here.\n\nMore text [ref] here.\n\n[ref]: https://example.org\n";
        let cases = [
            // A reference definition in the document.
            (old.find("More").unwrap() + 2, "x"),
        ];
        for (at, typed) in cases {
            let new = format!("{}{typed}{}", &old[..at], &old[at..]);
            assert_eq!(after(old, &new, Language::Markdown).1, Method::Whole);
        }
        let old = "Some text here.\n\n   Indented three.\n\nA `code` span.\n";
        for (at, typed) in [
            // A space in a line's indentation could make an indented code block.
            (old.find("   Indented").unwrap() + 1, " "),
            // Structural characters.
            (old.find("text").unwrap(), "*"),
            (old.find("code").unwrap(), "`"),
            (old.find("here").unwrap(), "\n\n"),
            (old.find("A `").unwrap() + 1, "-"),
        ] {
            let new = format!("{}{typed}{}", &old[..at], &old[at..]);
            let (extracted, method) = after(old, &new, Language::Markdown);
            assert_eq!(method, Method::Whole, "{new:?}");
            assert_eq!(
                extracted,
                Extracted::new(&new, Language::Markdown, &ExtractOptions::default())
            );
        }
        // LaTeX always extracts the whole document.
        let old = "\\section{A}\n\nText here.\n";
        let new = old.replace("Text", "Texts");
        assert_eq!(after(old, &new, Language::Latex).1, Method::Whole);
        // The same text reuses the extraction.
        assert_eq!(after(old, old, Language::Latex).1, Method::Reused);
    }

    /// A tiny deterministic generator (xorshift), so the test needs no crate and repeats exactly.
    struct Random(u64);

    impl Random {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, bound: usize) -> usize {
            (self.next() % bound as u64) as usize
        }
    }

    /// Random keystrokes (a letter, a space, a punctuation mark or a deletion at a random place)
    /// on every Markdown and LaTeX fixture and corpus manuscript: the extraction around the edit
    /// always equals the whole document's.
    #[test]
    fn random_edits_of_real_manuscripts_extract_as_the_whole_document() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files: Vec<std::path::PathBuf> = Vec::new();
        for folder in [
            root.join("tests/fixtures/prose"),
            root.join("../shared/corpus/markdown"),
            root.join("../shared/corpus/latex"),
        ] {
            if let Ok(entries) = std::fs::read_dir(&folder) {
                files.extend(entries.filter_map(|entry| entry.ok().map(|entry| entry.path())));
            }
        }
        files.retain(|path| Language::from_path(path) != Language::Plain);
        files.sort();
        assert!(!files.is_empty(), "no fixtures found");
        let typed = ["e", "Z", "7", " ", ".", ",", "(", "é", "α", "'"];
        let mut random = Random(0x5c17a9);
        let (mut around, mut total) = (0usize, 0usize);
        for path in &files {
            let language = Language::from_path(path);
            let mut text = std::fs::read_to_string(path).expect("fixture");
            let mut previous = extracted(&text, language);
            for _ in 0..400 {
                let mut at = random.below(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                let mut new = text.clone();
                if random.below(3) == 0 && at < text.len() {
                    let end = at + text[at..].chars().next().map_or(0, char::len_utf8);
                    new.replace_range(at..end, "");
                } else {
                    new.insert_str(at, typed[random.below(typed.len())]);
                }
                let (extracted, method) =
                    extract_after(Some(&previous), &new, language, &previous.options);
                let whole = Extracted::new(&new, language, &ExtractOptions::default());
                assert_eq!(
                    extracted,
                    whole,
                    "{}: edit at byte {at} ({method:?})",
                    path.display()
                );
                total += 1;
                around += usize::from(method == Method::AroundEdit);
                text = new;
                previous = extracted;
            }
        }
        eprintln!("{around} of {total} edits extracted around the edit");
        // Most keystrokes land in a paragraph: the shortcut must actually be taken.
        assert!(
            around * 3 >= total,
            "only {around} of {total} edits were extracted around the edit"
        );
    }
}
