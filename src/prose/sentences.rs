//! A conservative sentence splitter for scientific prose.
//!
//! Splitting inside an entity ("E. | coli", "St. | John's wort") loses it, while a missed split only
//! makes a model window longer, so every rule here errs towards not splitting:
//!
//! 1. A candidate is `.`, `?`, `!` or `…` (repeats allowed), then optional closing quotes or brackets,
//!    then whitespace, then an uppercase letter, a digit, or an opening quote/bracket (or the end).
//! 2. No break after a known abbreviation (`e.g.`, `et al.`, `Fig.`, `approx.`, `vs.`, ...), after
//!    dotted initialisms (`U.S.`), or after a single capital initial followed by another initial.
//! 3. No break when the next word starts lowercase (`E. coli`, `et al. showed`, `Sp. nov. was`).
//! 4. No break inside a bracket opened in the same sentence (`(Smith et al. 2019)`).
//! 5. Closing quotes and brackets stay with the sentence they close.
//! 6. A piece shorter than three characters is merged into its neighbour.

use std::ops::Range;

/// Abbreviations after which a period does not end a sentence (lowercase, without the final dot).
const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "cf", "viz", "al", "fig", "figs", "eq", "eqs", "eqn", "eqns", "ref", "refs",
    "tab", "tabs", "suppl", "approx", "ca", "vs", "resp", "no", "nos", "vol", "vols", "pp", "p",
    "ch", "chap", "sec", "sect", "dr", "mr", "mrs", "ms", "prof", "st", "sp", "spp", "subsp",
    "var", "nov", "gen", "cv", "inc", "ltd", "co", "corp", "jr", "sr", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "dec", "conc", "temp", "wt", "min", "max", "mol",
    "n.b", "a.k.a", "ed", "eds", "approx", "est", "dept", "univ", "ser", "str", "syn", "sq", "nr",
    "cat", "exp",
];

fn is_closing(character: char) -> bool {
    matches!(character, '"' | '\'' | '”' | '’' | ')' | ']' | '}' | '»')
}

fn is_opening(character: char) -> bool {
    matches!(character, '"' | '\'' | '“' | '‘' | '(' | '[' | '«')
}

/// The length of the sentence terminator at byte `index` (`.`, `?`, `!` or `…`), or 0.
fn terminator_at(bytes: &[u8], index: usize) -> usize {
    match bytes.get(index) {
        Some(b'.' | b'?' | b'!') => 1,
        Some(0xE2) if bytes.get(index + 1..index + 3) == Some(&[0x80, 0xA6]) => 3,
        _ => 0,
    }
}

/// The character at byte `index` (a char boundary) and its length.
fn char_at(text: &str, index: usize) -> Option<(char, usize)> {
    let character = text.get(index..)?.chars().next()?;
    Some((character, character.len_utf8()))
}

/// Bytes the splitter looks at: terminators, brackets, and the lead byte of `…`.
const INTERESTING: [bool; 256] = {
    let mut table = [false; 256];
    let mut index = 0;
    while index < 256 {
        table[index] = matches!(
            index as u8,
            b'.' | b'?' | b'!' | b'(' | b'[' | b')' | b']' | 0xE2
        );
        index += 1;
    }
    table
};

/// Splits prose into sentences: byte ranges, trimmed of whitespace, that together cover every
/// non-whitespace character of `text`, in order.
pub fn split_sentences(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut boundaries = Vec::new(); // Byte offsets where a sentence ends (exclusive).
    let mut sentence_start = 0;
    let mut depth: i32 = 0;
    // Only ASCII bytes and the lead byte of `…` are examined, so `index` may step through the middle
    // of a multi-byte character without misreading it.
    let mut index = 0;
    while index < bytes.len() {
        if !INTERESTING[usize::from(bytes[index])] {
            index += 1;
            continue;
        }
        match bytes[index] {
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth = (depth - 1).max(0),
            _ => {}
        }
        let length = terminator_at(bytes, index);
        if length == 0 {
            index += 1;
            continue;
        }
        let period = index;
        // Extend over repeated terminators and closing quotes or brackets.
        let mut end = index + length;
        loop {
            let more = terminator_at(bytes, end);
            if more == 0 {
                break;
            }
            end += more;
        }
        let mut closed_depth = depth;
        while let Some((character, width)) = char_at(text, end)
            && is_closing(character)
        {
            if matches!(character, ')' | ']') {
                closed_depth = (closed_depth - 1).max(0);
            }
            end += width;
        }
        // Whitespace must follow (or the text ends).
        let mut next = end;
        while let Some((character, width)) = char_at(text, next)
            && character.is_whitespace()
        {
            next += width;
        }
        if next >= bytes.len() {
            break;
        }
        if next == end {
            index = period + length;
            continue;
        }
        let upcoming = &text[next..];
        let mut upcoming_characters = upcoming.chars();
        let starts_sentence = match upcoming_characters.next() {
            Some(first) if first.is_uppercase() || first.is_ascii_digit() => true,
            Some(first) if is_opening(first) => upcoming_characters.next().is_some_and(|second| {
                second.is_uppercase() || second.is_ascii_digit() || is_opening(second)
            }),
            _ => false,
        };
        let inside_brackets = closed_depth > 0 && period - sentence_start < 400;
        if starts_sentence
            && !inside_brackets
            && !(bytes[period] == b'.' && is_abbreviation(text, period, upcoming))
            && end - sentence_start >= 3
        {
            boundaries.push(end);
            sentence_start = next;
            depth = 0;
            index = next;
            continue;
        }
        depth = closed_depth;
        index = end;
    }
    let mut sentences = Vec::with_capacity(boundaries.len() + 1);
    let mut start = 0;
    for boundary in boundaries.into_iter().chain(std::iter::once(text.len())) {
        if let Some(range) = trimmed(text, start..boundary) {
            sentences.push(range);
        }
        start = boundary;
    }
    // A tiny last piece (stray punctuation) joins the sentence before it.
    if sentences.len() >= 2
        && let Some(last) = sentences.last()
        && text[last.clone()].chars().count() < 3
    {
        let last = sentences.pop().map_or(0, |range| range.end);
        if let Some(previous) = sentences.last_mut() {
            previous.end = last;
        }
    }
    sentences
}

fn trimmed(text: &str, range: Range<usize>) -> Option<Range<usize>> {
    let slice = &text[range.clone()];
    let start = range.start + (slice.len() - slice.trim_start().len());
    let end = range.end - (slice.len() - slice.trim_end().len());
    (start < end).then_some(start..end)
}

/// Whether the period at byte `period` ends an abbreviation rather than a sentence.
fn is_abbreviation(text: &str, period: usize, upcoming: &str) -> bool {
    let before = &text[..period];
    let word_start = before
        .rfind(|character: char| {
            character.is_whitespace() || matches!(character, '(' | '[' | '“' | '"' | '/')
        })
        .map_or(0, |index| {
            index + before[index..].chars().next().map_or(1, char::len_utf8)
        });
    let word = &before[word_start..];
    if word.is_empty() {
        return false;
    }
    if ABBREVIATIONS
        .iter()
        .any(|abbreviation| abbreviation.eq_ignore_ascii_case(word))
    {
        return true;
    }
    // Dotted initialisms: "U.S", "a.k.a", "i.e" written with capitals.
    let parts: Vec<&str> = word.split('.').collect();
    if parts.len() >= 2
        && parts
            .iter()
            .all(|part| part.chars().count() == 1 && part.chars().all(char::is_alphabetic))
    {
        return true;
    }
    // A single capital initial followed by another initial ("J. R. Smith").
    let mut letters = word.chars();
    if let (Some(initial), None) = (letters.next(), letters.next())
        && initial.is_uppercase()
    {
        let mut next = upcoming.chars();
        if let (Some(first), Some('.')) = (next.next(), next.next())
            && first.is_uppercase()
        {
            return true;
        }
        // The second of two initials ("J. R. Smith").
        let earlier = before[..word_start].trim_end();
        let mut tail = earlier.chars().rev();
        if let (Some('.'), Some(letter)) = (tail.next(), tail.next())
            && letter.is_uppercase()
            && tail.next().is_none_or(char::is_whitespace)
        {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::split_sentences;

    /// Splits `text` and compares the sentences as strings.
    fn check(text: &str, expected: &[&str]) {
        let sentences: Vec<&str> = split_sentences(text)
            .into_iter()
            .map(|range| &text[range])
            .collect();
        assert_eq!(sentences, expected, "sentences of {text:?}");
    }

    #[test]
    fn sen_01_fig_and_eg_do_not_end_sentences() {
        check(
            "Cells were treated with 2.5 mM EDTA, e.g. in Fig. 2A. The effect (Smith et al. 2019) was strong.",
            &[
                "Cells were treated with 2.5 mM EDTA, e.g. in Fig. 2A.",
                "The effect (Smith et al. 2019) was strong.",
            ],
        );
    }

    #[test]
    fn sen_02_never_break_after_et_al() {
        check(
            "As shown by Smith et al. Nature reported it.",
            &["As shown by Smith et al. Nature reported it."],
        );
    }

    #[test]
    fn sen_03_approx_ie_and_binomials() {
        check(
            "We used approx. 5 ng/ml IL-6, i.e. a low dose. In E. coli K-12 the gene was lost.",
            &[
                "We used approx. 5 ng/ml IL-6, i.e. a low dose.",
                "In E. coli K-12 the gene was lost.",
            ],
        );
    }

    #[test]
    fn sen_04_titles_and_dotted_gene_names() {
        check(
            "The gene Cdkn2a.1 and St. John's wort were studied vs. controls. Dr. Smith agreed.",
            &[
                "The gene Cdkn2a.1 and St. John's wort were studied vs. controls.",
                "Dr. Smith agreed.",
            ],
        );
    }

    #[test]
    fn sen_05_species_abbreviations() {
        check(
            "Sp. nov. was described in S. aureus and C. elegans.",
            &["Sp. nov. was described in S. aureus and C. elegans."],
        );
    }

    #[test]
    fn sen_06_closing_quote_stays_left() {
        check(
            "It was lower than expected.” Then “the cells died.”",
            &["It was lower than expected.”", "Then “the cells died.”"],
        );
    }

    #[test]
    fn sen_07_decimals_and_p_values() {
        check(
            "Expression was 1.5-fold higher (p < 0.05). Next, we tested TNF-α.",
            &[
                "Expression was 1.5-fold higher (p < 0.05).",
                "Next, we tested TNF-α.",
            ],
        );
    }

    #[test]
    fn more_abbreviations_and_initials() {
        check(
            "See Figs. 2 and 3. Eq. 4 holds.",
            &["See Figs. 2 and 3.", "Eq. 4 holds."],
        );
        check(
            "The U.S. Army and J. R. Smith agreed. Then cf. Table 1.",
            &["The U.S. Army and J. R. Smith agreed.", "Then cf. Table 1."],
        );
        check(
            "It was ca. 5 mM. Why? Because! Done…",
            &["It was ca. 5 mM.", "Why?", "Because!", "Done…"],
        );
        check(
            "Mutations (see Fig. 2. A) were found. Next one.",
            &["Mutations (see Fig. 2. A) were found.", "Next one."],
        );
        check(
            "grown in E. coli K-12. The cells died.",
            &["grown in E. coli K-12.", "The cells died."],
        );
        check(
            "Risk rose. [1] Another sentence.",
            &["Risk rose.", "[1] Another sentence."],
        );
    }

    #[test]
    fn covers_all_text_and_trims() {
        check("  One.   Two.  ", &["One.", "Two."]);
        check("", &[]);
        check("   ", &[]);
        check("no terminator at all", &["no terminator at all"]);
        check("A. B.", &["A. B."]);
    }
}
