//! The keys under which names are indexed and looked up (docs/LINKING.md, "Matching rules").
//!
//! Every key function is applied the same way to the database's names when the index is built and
//! to a mention when it is looked up, so a mention matches a name exactly when their keys are equal.

use unicode_normalization::UnicodeNormalization;

/// Words dropped from the end of a gene or protein mention: `IL-2 gene`, `p53 protein`,
/// `IL-2 mRNA` name the gene.
const GENE_SUFFIXES: &[&str] = &[
    "gene",
    "genes",
    "protein",
    "proteins",
    "mrna",
    "mrnas",
    "transcript",
    "transcripts",
    "promoter",
    "locus",
];

/// Words dropped from the start of any mention.
const PREFIXES: &[&str] = &["human", "the"];

/// How Greek letters are written in a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Greek {
    /// `α` → `alpha`: `TNF-α` meets `TNF-alpha`.
    Spelled,
    /// `α` and a spelled-out `alpha` standing alone → `a`: `IL-2Rα` meets `IL2RA` (a fuzzy rule).
    Letter,
}

/// The Latin name and the one-letter form HGNC symbols use for a lowercase Greek letter.
fn greek(character: char) -> Option<(&'static str, char)> {
    Some(match character {
        'α' => ("alpha", 'a'),
        'β' => ("beta", 'b'),
        'γ' => ("gamma", 'g'),
        'δ' => ("delta", 'd'),
        'ε' => ("epsilon", 'e'),
        'ζ' => ("zeta", 'z'),
        'η' => ("eta", 'h'),
        'θ' => ("theta", 'q'),
        'ι' => ("iota", 'i'),
        'κ' => ("kappa", 'k'),
        'λ' => ("lambda", 'l'),
        'μ' => ("mu", 'm'),
        'ν' => ("nu", 'n'),
        'ξ' => ("xi", 'x'),
        'ο' => ("omicron", 'o'),
        'π' => ("pi", 'p'),
        'ρ' => ("rho", 'r'),
        'σ' | 'ς' => ("sigma", 's'),
        'τ' => ("tau", 't'),
        'υ' => ("upsilon", 'u'),
        'φ' => ("phi", 'f'),
        'χ' => ("chi", 'c'),
        'ψ' => ("psi", 'y'),
        'ω' => ("omega", 'w'),
        _ => return None,
    })
}

/// The one-letter form of a spelled-out Greek letter (`gamma` → `g`).
fn spelled_greek_letter(word: &str) -> Option<char> {
    const NAMES: &[(&str, char)] = &[
        ("alpha", 'a'),
        ("beta", 'b'),
        ("gamma", 'g'),
        ("delta", 'd'),
        ("epsilon", 'e'),
        ("kappa", 'k'),
        ("lambda", 'l'),
        ("zeta", 'z'),
        ("theta", 'q'),
        ("sigma", 's'),
        ("omega", 'w'),
    ];
    NAMES
        .iter()
        .find(|(name, _)| *name == word)
        .map(|&(_, letter)| letter)
}

/// NFKC, lowercase, Greek letters as `greek` says, `+` as the word `positive`, and every other
/// character that is not a letter or a digit a word break. Returns the words.
fn words(text: &str, greek_form: Greek) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, words: &mut Vec<String>| {
        if !word.is_empty() {
            words.push(std::mem::take(word));
        }
    };
    for character in text.nfkc().flat_map(char::to_lowercase) {
        if let Some((name, letter)) = greek(character) {
            match greek_form {
                Greek::Spelled => word.push_str(name),
                Greek::Letter => word.push(letter),
            }
        } else if character == '+' {
            flush(&mut word, &mut words);
            words.push("positive".to_owned());
        } else if character.is_alphanumeric() {
            word.push(character);
        } else {
            flush(&mut word, &mut words);
        }
    }
    flush(&mut word, &mut words);
    if greek_form == Greek::Letter {
        for word in &mut words {
            if let Some(letter) = spelled_greek_letter(word) {
                *word = letter.to_string();
            }
        }
    }
    words
}

fn drop_prefixes(words: &mut Vec<String>) {
    while words.len() > 1 && PREFIXES.contains(&words[0].as_str()) {
        words.remove(0);
    }
}

/// A mention's spelling without what a writer varies by habit: case, hyphens, spaces and other
/// punctuation, and Greek letters written or spelled out (`IL-2`, `IL2`, `il 2` → `il2`; `TNF-α`,
/// `TNF-alpha` → `tnfalpha`). Unlike [`gene_key`] nothing is dropped: `IL-2 gene` → `il2gene`.
pub fn spelling_key(text: &str) -> String {
    words(text, Greek::Spelled).concat()
}

/// The key of a gene symbol, alias or name, or of a gene or protein mention: words joined without
/// separators (`IL-2`, `IL 2`, `il2` → `il2`; `interleukin-2` → `interleukin2`), a trailing
/// `gene`, `protein`, `mRNA`, … and a leading `human` dropped.
pub fn gene_key(text: &str, greek_form: Greek) -> String {
    let mut words = words(text, greek_form);
    drop_prefixes(&mut words);
    while words.len() > 1 && GENE_SUFFIXES.contains(&words[words.len() - 1].as_str()) {
        words.pop();
    }
    words.concat()
}

/// The words of a cell-type name or mention, singular, without a trailing `cell`/`cells`
/// (`regulatory T cells` → `regulatory`, `t`; `Tregs` → `treg`; `CD4+ T-cells` → `cd4`,
/// `positive`, `t`), and whether it ended with `cell`/`cells`.
pub fn cell_type_words(text: &str) -> (Vec<String>, bool) {
    let mut words = words(text, Greek::Spelled);
    drop_prefixes(&mut words);
    let mut had_cell = false;
    if words.len() > 1 && matches!(words[words.len() - 1].as_str(), "cell" | "cells") {
        words.pop();
        had_cell = true;
    }
    if let Some(last) = words.last_mut() {
        singularize(last);
    }
    (words, had_cell)
}

/// The mark of a key whose name ended with `cell`: `neural cell` is `neural~`, so the adjective
/// `neural` alone does not match it, while `Treg cells` still matches the synonym `Treg`.
pub const CELL_MARK: &str = "~";

/// A plural `s` dropped from a word of four letters or more (`tregs` → `treg`, `macrophages` →
/// `macrophage`), but not from `…ss` or `…us`.
fn singularize(word: &mut String) {
    if word.chars().count() >= 4
        && word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
    {
        word.pop();
    }
}

/// The key of a cell-type name: [`cell_type_words`] joined, [`CELL_MARK`] after a name that
/// ended with `cell`.
pub fn cell_type_key(text: &str) -> String {
    let (words, had_cell) = cell_type_words(text);
    let mut key = words.concat();
    if had_cell {
        key.push_str(CELL_MARK);
    }
    key
}

/// The key of a cell-line name or mention: letters and digits only, lowercase, a trailing `cells`,
/// `cell line` or `line` dropped (`HEK-293T`, `HEK 293T`, `hek293t cells` → `hek293t`).
pub fn cell_line_key(text: &str) -> String {
    let mut words = words(text, Greek::Spelled);
    drop_prefixes(&mut words);
    while words.len() > 1
        && words
            .last()
            .is_some_and(|last| matches!(last.as_str(), "cell" | "cells" | "line" | "lines"))
    {
        words.pop();
    }
    words.concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gene_keys_ignore_case_hyphens_spaces_and_suffixes() {
        for text in [
            "IL-2",
            "IL 2",
            "il2",
            "IL2 gene",
            "IL-2 mRNA",
            "human IL-2 protein",
        ] {
            assert_eq!(gene_key(text, Greek::Spelled), "il2", "{text}");
        }
        assert_eq!(gene_key("TNF-α", Greek::Spelled), "tnfalpha");
        assert_eq!(gene_key("TNF alpha", Greek::Spelled), "tnfalpha");
        assert_eq!(gene_key("IL-2Rα", Greek::Letter), "il2ra");
        assert_eq!(gene_key("IFN-gamma", Greek::Letter), "ifng");
        // A lone suffix word is the mention itself.
        assert_eq!(gene_key("protein", Greek::Spelled), "protein");
    }

    #[test]
    fn cell_type_keys_are_singular_without_cells() {
        assert_eq!(cell_type_key("regulatory T cells"), "regulatoryt~");
        assert_eq!(cell_type_key("regulatory T-cell"), "regulatoryt~");
        assert_eq!(cell_type_key("Tregs"), "treg");
        assert_eq!(cell_type_key("Treg"), "treg");
        assert_eq!(cell_type_key("macrophages"), "macrophage");
        assert_eq!(cell_type_key("CD4+ T cells"), "cd4positivet~");
        assert_eq!(cell_type_key("CD4-positive T cell"), "cd4positivet~");
        assert_eq!(cell_type_key("neural"), "neural");
    }

    #[test]
    fn cell_line_keys_are_loose() {
        for text in [
            "HEK293T",
            "HEK 293T",
            "HEK-293T",
            "hek293t cells",
            "HEK293T cell line",
        ] {
            assert_eq!(cell_line_key(text), "hek293t", "{text}");
        }
    }
}
