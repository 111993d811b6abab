//! Known names that are never entities: the names guard's lexicon.
//!
//! A modern manuscript names databases (`GTEx`, `recount2`), companies (`TaKaRa`), techniques
//! (`RNA-seq`, `ELISA`), machine-learning vocabulary (`VAEs`, `deep neural networks`), viruses and
//! strains (`HIV`, `BG505`), measures (`MFI`, `PPIs`), dyes (`PE/Cy7`, `FITC`) and chemicals
//! (`TNP`, `glycans`, `DMSO`); a model trained on 1990s abstracts reads
//! many of them as proteins, DNA or cell types. The names (`names.txt`, `kind<TAB>name`, lowercase)
//! are a hand-curated seed (`scripts/lexicon/known_names.txt`) minus every name that is a whole
//! gold entity of the JNLPBA and BC2GM training sets; `scripts/build_software_lexicon.py
//! --names-only` rebuilds the file.
//!
//! An entity is dropped when, compared without case and with runs of spaces as one:
//! - its whole text is a listed name, or a listed name with a plural `s` (`VAEs`, `autoencoders`),
//!   or a listed software or database name with a version after it (`GTEx v8`);
//! - it starts with a listed software or database name followed by more words (`Ensembl Genome`);
//! - its last word is the head of an organisation (`Fred Hutch Genomics Core`, `Integrated DNA
//!   Technologies`) or of a resource (`RNA-seq aligner`, `Ensembl Genome browser`), or the word
//!   just after it names a resource (`the Ensembl Genome browser` tagged as `Ensembl Genome`);
//! - one of its words is a sequencing technique (`RNA-seq`, `scRNA-seq data`, `RNA sequencing`);
//! - its last word makes it a list or a piece of data (`gene sets`, `read strand`);
//! - it is amino-acid substitutions (`V69A/Q74P/C125S`, `T332N variant`).
//!
//! A name is never matched inside a word, and only software and database names as the first words
//! of a longer entity: `HIV-1 LTR` (DNA) and `influenza hemagglutinin` (protein) stay.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::software::is_version;

/// What a known name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Software,
    Database,
    Company,
    Technique,
    MachineLearning,
    Virus,
    Measure,
    /// A fluorescent dye or conjugate (`PE/Cy7`, `BV421`, `FITC`).
    Dye,
    /// A small molecule, hapten, glycan or reagent (`TNP`, `glycans`, `DMSO`): no JNLPBA class.
    Chemical,
    /// Not listed: the head word names an organisation.
    Organisation,
    /// Not listed: the head word or the next word names a tool or a resource.
    Resource,
    /// Not listed: the head word names a list or a piece of data (`gene sets`, `read strand`).
    Data,
    /// Not listed: amino-acid substitutions (`V69A/Q74P/C125S`, `T332N variant`).
    Variant,
}

static NAMES: LazyLock<HashMap<&'static str, Kind>> = LazyLock::new(|| {
    include_str!("names.txt")
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .filter_map(|line| {
            let (kind, name) = line.split_once('\t')?;
            let kind = match kind {
                "software" => Kind::Software,
                "database" => Kind::Database,
                "company" => Kind::Company,
                "technique" => Kind::Technique,
                "ml" => Kind::MachineLearning,
                "virus" => Kind::Virus,
                "measure" => Kind::Measure,
                "dye" => Kind::Dye,
                "chemical" => Kind::Chemical,
                _ => return None,
            };
            Some((name.trim(), kind))
        })
        .collect()
});

/// Last words that make the entity an organisation. `Core` counts only capitalised (`Genomics
/// Core`; `the HBV core` is a protein).
const ORGANISATION_HEADS: [&str; 22] = [
    "facility",
    "facilities",
    "technologies",
    "biosciences",
    "bioscience",
    "biotechnology",
    "biotech",
    "inc",
    "ltd",
    "llc",
    "gmbh",
    "corporation",
    "corp",
    "company",
    "institute",
    "university",
    "laboratories",
    "consortium",
    "hospital",
    "center",
    "centre",
    "laboratory",
];

/// Words that make the entity before them, or the entity they end, a tool or a resource.
const RESOURCE_NOUNS: [&str; 10] = [
    "browser",
    "database",
    "databases",
    "portal",
    "repository",
    "pipeline",
    "kit",
    "kits",
    "server",
    "aligner",
];

/// Last words that make the entity a list or a piece of data, not a molecule (`high-confidence
/// gene sets`, `a lipid gene signature`, `the read strand`, `NEBuilder HiFi DNA Assembly`): none
/// ends a JNLPBA training entity more than once.
const DATA_HEADS: [&str; 11] = [
    "set",
    "sets",
    "gene-set",
    "gene-sets",
    "signature",
    "signatures",
    "module",
    "modules",
    "strand",
    "strands",
    "assembly",
];

/// `T332N`, `V69A/Q74P/C125S`: amino-acid substitutions, one or several joined by `/`.
fn is_substitution(word: &str) -> bool {
    const AMINO_ACIDS: &str = "ACDEFGHIKLMNPQRSTVWY";
    let one = |part: &str| {
        let bytes = part.as_bytes();
        bytes.len() >= 3
            && AMINO_ACIDS.as_bytes().contains(&bytes[0])
            && (AMINO_ACIDS.as_bytes().contains(&bytes[bytes.len() - 1])
                || bytes[bytes.len() - 1] == b'*')
            && bytes[1..bytes.len() - 1].iter().all(u8::is_ascii_digit)
    };
    !word.is_empty() && word.split('/').all(one)
}

/// Words after a substitution that make it a variant, not a gene or protein name.
const VARIANT_NOUNS: [&str; 8] = [
    "variant",
    "variants",
    "mutation",
    "mutations",
    "mutant",
    "mutants",
    "substitution",
    "substitutions",
];

/// Which known name `text` (an entity's trimmed prose) is, if any; `after` is the prose that
/// follows the entity.
/// Whether a known name of `kind` is rightly an entity of class `label`: the names are never
/// entities of the JNLPBA classes, but a chemical is a `chemical` and a virus a `species` for a
/// model that tags those.
pub fn is_of_class(kind: Kind, label: &str) -> bool {
    matches!(
        (kind, label),
        (Kind::Chemical, "chemical") | (Kind::Virus, "species")
    )
}

pub fn known(text: &str, after: &str) -> Option<Kind> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let joined = words.join(" ");
    if let Some(kind) = listed(&joined) {
        return Some(kind);
    }
    if let [name @ .., version] = words.as_slice()
        && !name.is_empty()
        && is_version(version)
        && let Some(kind @ (Kind::Software | Kind::Database)) = listed(&name.join(" "))
    {
        return Some(kind);
    }
    // The first words, as slices of `joined` (no allocation per prefix).
    for (space, _) in joined.match_indices(' ') {
        if let Some(kind @ (Kind::Software | Kind::Database)) = NAMES.get(&joined[..space]).copied()
        {
            return Some(kind);
        }
    }
    if words.iter().any(|word| is_sequencing(word)) {
        return Some(Kind::Technique);
    }
    // Substitutions: several joined (`V69A/Q74P/C125S`), or one named a variant (`T332N variant`).
    // A single `E2A` or `T332N` alone stays: gene names look the same.
    let first_original = text.split_whitespace().next().unwrap_or_default();
    if is_substitution(first_original)
        && (first_original.contains('/')
            || words
                .get(1)
                .is_some_and(|word| VARIANT_NOUNS.contains(&bare(word).as_str())))
    {
        return Some(Kind::Variant);
    }
    let original_last = text.split_whitespace().next_back().unwrap_or_default();
    let last = bare(original_last);
    if words.len() > 1 {
        if ORGANISATION_HEADS.contains(&last.as_str()) || bare_case(original_last) == "Core" {
            return Some(Kind::Organisation);
        }
        if RESOURCE_NOUNS.contains(&last.as_str()) {
            return Some(Kind::Resource);
        }
        if DATA_HEADS.contains(&last.as_str()) {
            return Some(Kind::Data);
        }
    }
    let next = after
        .starts_with(char::is_whitespace)
        .then(|| after.split_whitespace().next())
        .flatten()
        .map(bare);
    if next.is_some_and(|next| RESOURCE_NOUNS.contains(&next.as_str())) {
        return Some(Kind::Resource);
    }
    None
}

/// Whether `text` (a few words of prose) is a listed company (`NEB`, `ATCC`, `Thermo Fisher`).
pub fn is_company(text: &str) -> bool {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    NAMES.get(words.join(" ").as_str()) == Some(&Kind::Company)
}

/// The whitespace character that ends the `words`-th word of `characters` (offsets and characters,
/// walked in either direction), or `None` when they hold fewer words.
fn space_after_words(
    characters: impl Iterator<Item = (usize, char)>,
    words: usize,
) -> Option<(usize, char)> {
    let (mut seen, mut in_word) = (0, false);
    for (offset, character) in characters {
        if !character.is_whitespace() {
            in_word = true;
        } else if in_word {
            in_word = false;
            seen += 1;
            if seen == words {
                return Some((offset, character));
            }
        }
    }
    None
}

/// Whether the entity at `range` of `prose` is part of a longer listed name written around it, of a
/// kind that has no entity class: `Tucker` in `non-negative Tucker decomposition`, `Monte Carlo`
/// in `Markov chain Monte Carlo`. Names are compared by whole words, without case.
pub fn inside_known_name(prose: &str, range: std::ops::Range<usize>) -> bool {
    const MOST_WORDS: usize = 5;
    // Only the words that can share a listed name with the entity: up to MOST_WORDS around it (the
    // guards run on every paragraph of every analysis, so the paragraph is not split whole).
    let low = space_after_words(prose[..range.start].char_indices().rev(), MOST_WORDS)
        .map_or(0, |(offset, space)| offset + space.len_utf8());
    let high = space_after_words(prose[range.end..].char_indices(), MOST_WORDS)
        .map_or(prose.len(), |(offset, _)| range.end + offset);
    // Whitespace-separated words of that window with their byte ranges in `prose`.
    let mut words: Vec<std::ops::Range<usize>> = Vec::new();
    let mut word_start = None;
    for (offset, character) in prose[low..high]
        .char_indices()
        .map(|(offset, character)| (low + offset, character))
        .chain(std::iter::once((high, ' ')))
    {
        match (character.is_whitespace(), word_start) {
            (true, Some(begin)) => {
                words.push(begin..offset);
                word_start = None;
            }
            (false, None) => word_start = Some(offset),
            _ => {}
        }
    }
    let Some(first) = words.iter().position(|word| word.end > range.start) else {
        return false;
    };
    let last = words
        .iter()
        .rposition(|word| word.start < range.end)
        .unwrap_or(first);
    if last < first {
        return false;
    }
    let bares: Vec<String> = words
        .iter()
        .map(|word| bare(&prose[word.clone()]))
        .collect();
    for begin in first.saturating_sub(MOST_WORDS - 1)..=first {
        for end in last..(begin + MOST_WORDS).min(words.len()) {
            if end - begin == last - first {
                continue; // the entity's own words: `known` decides those
            }
            if let Some(kind) = listed(&bares[begin..=end].join(" "))
                && !matches!(kind, Kind::Chemical | Kind::Virus | Kind::Dye)
            {
                return true;
            }
        }
    }
    false
}

/// A listed name, or a listed name with a plural `s`.
fn listed(name: &str) -> Option<Kind> {
    NAMES.get(name).copied().or_else(|| {
        name.strip_suffix('s')
            .filter(|singular| singular.len() >= 3)
            .and_then(|singular| NAMES.get(singular).copied())
    })
}

/// `RNA-seq`, `scRNA-seq`, `ChIP-seq`, `sequencing`: a word (already lowercase) of a sequencing
/// technique.
fn is_sequencing(word: &str) -> bool {
    let word = word.trim_matches(|c: char| !c.is_alphanumeric());
    word.ends_with("-seq") || word == "sequencing"
}

/// The word in lowercase without the punctuation around it.
fn bare(word: &str) -> String {
    bare_case(word).to_lowercase()
}

fn bare_case(word: &str) -> &str {
    word.trim_matches(|c: char| !c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_names_plurals_versions_and_prefixes_are_known() {
        for (text, kind) in [
            ("GTEx", Kind::Database),
            ("recount2", Kind::Database),
            ("GTEx v8", Kind::Database),
            ("Ensembl Genome", Kind::Database),
            ("TaKaRa", Kind::Company),
            ("VAEs", Kind::MachineLearning),
            ("variational autoencoders", Kind::MachineLearning),
            ("deep  neural networks", Kind::MachineLearning),
            ("RNN", Kind::MachineLearning),
            ("ELISA", Kind::Technique),
            ("RNA-seq", Kind::Technique),
            ("scRNA-seq data", Kind::Technique),
            ("S-MultiXcan", Kind::Software),
            ("DeepBind", Kind::Software),
            ("BG505", Kind::Virus),
            ("PPIs", Kind::Measure),
            ("PE/Cy7", Kind::Dye),
        ] {
            assert_eq!(known(text, ""), Some(kind), "{text}");
        }
    }

    #[test]
    fn organisation_and_resource_heads_make_non_entities() {
        assert_eq!(
            known("Fred Hutch Genomics Core", " for sequencing"),
            Some(Kind::Organisation)
        );
        assert_eq!(known("Acme DNA Technologies", ""), Some(Kind::Organisation));
        assert_eq!(known("RNA-seq aligner", ""), Some(Kind::Technique));
        assert_eq!(known("STAR aligner", ""), Some(Kind::Resource));
        assert_eq!(known("Foo Genome", " browser."), Some(Kind::Resource));
        assert_eq!(known("NEBuilder HiFi", " kit"), Some(Kind::Resource));
        assert_eq!(known("high-confidence gene sets", ""), Some(Kind::Data));
        assert_eq!(known("NEBuilder HiFi DNA Assembly", ""), Some(Kind::Data));
        assert_eq!(known("V69A/Q74P/C125S", ""), Some(Kind::Variant));
        assert_eq!(known("T332N variant", ""), Some(Kind::Variant));
        assert_eq!(known("lentiviral vectors", ""), Some(Kind::Virus));
    }

    #[test]
    fn entities_that_contain_or_resemble_names_stay() {
        for (text, after) in [
            ("IL-2", ""),
            ("HIV-1 LTR", ""),
            ("influenza hemagglutinin (HA) protein", ""),
            ("HBV core", ""),
            ("core promoter", ""),
            ("CD4+ T cells", ""),
            ("NF-kappa B", " binding"),
            ("Env", " variants"),
            ("IL-6", " ELISA"),
            ("p53", ""),
            ("mRNA sequences", ""),
            ("TNF-α", ""),
            ("E2A", ""),
            ("T332N", ""),
            ("E2A protein", ""),
        ] {
            assert_eq!(known(text, after), None, "{text}");
        }
    }

    #[test]
    fn the_lexicon_is_lowercase_and_leaves_out_training_entities() {
        assert!(NAMES.len() > 400, "{} names", NAMES.len());
        for name in NAMES.keys() {
            assert_eq!(*name, name.to_lowercase(), "{name}");
        }
        assert!(!NAMES.contains_key("wgs"), "a BC2GM gene entity");
    }
}
