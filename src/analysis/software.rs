//! Known software names: the software guard's lexicon.
//!
//! Methods sections name their tools — `Minimap2`, `BWA-MEM`, `NGMLR`, `samtools` — and a model
//! trained on 1990s abstracts reads a capitalised word with digits as a protein. The guard drops an
//! entity whose whole text is a known tool. The names (`software.txt`, lowercase, one per line) are
//! Debian's science and medicine packages, minus every name that is a gold entity or a word of one
//! in the training sets; `scripts/build_software_lexicon.py` rebuilds the file.
//!
//! An entity is a tool when, compared without case, it is a listed name; or a listed name with a
//! version after it (`samtools 1.9`, `Minimap2 v2.17`); or a listed name, a hyphen and a short
//! mode or version of up to four letters or digits (`BWA-MEM`, `BWA-SW`). Nothing else: `muscle
//! cells` is not the aligner `muscle`, and a name is never matched inside a longer entity.

use std::collections::HashSet;
use std::sync::LazyLock;

static NAMES: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("software.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

/// Whether `text` (an entity's trimmed prose) names a known tool.
pub fn is_known_software(text: &str) -> bool {
    let lower = text.trim().to_lowercase();
    let listed = |name: &str| NAMES.contains(name);
    if listed(&lower) {
        return true;
    }
    if let Some((name, version)) = lower.rsplit_once(' ')
        && is_version(version)
        && listed(name.trim_end())
    {
        return true;
    }
    if let Some((name, mode)) = lower.split_once('-') {
        let short = !mode.is_empty()
            && mode.chars().count() <= 4
            && mode.chars().all(char::is_alphanumeric);
        if short && listed(name) {
            return true;
        }
    }
    false
}

/// Words that name what comes just before or after them as software (`the Python package PyMC3`,
/// `the Seurat toolkit`). `library` and `tool` are not among them: `cDNA library`, `a CRISPR tool`.
const SOFTWARE_NOUNS: [&str; 6] = [
    "package", "packages", "software", "toolkit", "toolbox", "aligner",
];

/// Whether the word before or after `range` of `prose` names the entity as software.
pub fn named_as_software(prose: &str, range: std::ops::Range<usize>) -> bool {
    let noun = |word: Option<&str>| {
        word.map(|word| {
            word.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .is_some_and(|word| SOFTWARE_NOUNS.contains(&word.as_str()))
    };
    let before = prose
        .get(..range.start)
        .and_then(|text| text.split_whitespace().next_back());
    let after = prose
        .get(range.end..)
        .and_then(|text| text.split_whitespace().next());
    let adjacent_after = prose
        .get(range.end..)
        .is_some_and(|text| text.starts_with(char::is_whitespace));
    let adjacent_before = prose
        .get(..range.start)
        .is_some_and(|text| text.ends_with(char::is_whitespace));
    (adjacent_before && noun(before)) || (adjacent_after && noun(after))
}

/// `1.9`, `v2.17`, `2.24-r1122`: digits first (after an optional `v`), then digits, dots, letters.
pub(super) fn is_version(word: &str) -> bool {
    let digits = word.strip_prefix('v').unwrap_or(word);
    digits.starts_with(|c: char| c.is_ascii_digit())
        && digits
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tools_with_versions_and_modes_are_known() {
        for tool in [
            "Minimap2",
            "minimap2",
            "BWA",
            "BWA-MEM",
            "NGMLR",
            "samtools 1.9",
            "Minimap2 v2.17",
        ] {
            assert!(is_known_software(tool), "{tool}");
        }
    }

    #[test]
    fn entities_and_longer_phrases_are_not_software() {
        for entity in [
            "IL-2",
            "StAR",
            "muscle cells",
            "Minimap2 index",
            "NF-kappa B",
            "BWA-MEM2 aligner",
            "p53",
            "CD4",
            "TNF-α",
        ] {
            assert!(!is_known_software(entity), "{entity}");
        }
    }

    #[test]
    fn the_lexicon_is_lowercase_and_leaves_out_training_entities() {
        assert!(NAMES.len() > 1000, "{} names", NAMES.len());
        for name in NAMES.iter() {
            assert_eq!(*name, name.to_lowercase(), "{name}");
        }
        // gold entities of the training sets (StAR, SNAP-25's SNAP, salmon) are not tools here
        for entity in ["star", "snap", "salmon", "muscle"] {
            assert!(!NAMES.contains(entity), "{entity}");
        }
    }
}
