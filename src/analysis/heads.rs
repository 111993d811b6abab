//! The class a nucleic-acid head noun names: GENIA's head rule, which JNLPBA follows, made a guard.
//!
//! In GENIA an entity's class is that of its head: `IL-2 mRNA` is RNA, `IL-2 gene` and `IL-2
//! promoter` are DNA, `protein-coding mRNA molecules` RNA. In JNLPBA train 3,054 of the 3,067 gold
//! entities whose head is a DNA word below are DNA (99.6%), and 676 of the 677 whose head is an RNA
//! word are RNA; the built-in model follows the rule on JNLPBA itself (it changes 2 of 8,662 test
//! predictions), but on modern prose it reads `sgRNAs`, `16S rRNA` as DNA and `transfer-RNA
//! molecules` as protein. So an entity of the JNLPBA classes whose head is one of these words takes
//! its class. The head is the last word once trailing `molecules`, `sequences`, `fragments`,
//! `species` and brackets are set aside (`deoxyribonucleic acid (DNA) molecules` → `DNA`); `complex`
//! is a head of its own (`protein-DNA complex` stays a protein).

/// The JNLPBA classes: the rule applies to models that speak them, and leaves any other label set
/// alone.
const JNLPBA_CLASSES: [&str; 5] = ["protein", "DNA", "RNA", "cell_type", "cell_line"];

/// Trailing words that do not make the head (`mRNA molecules`, `DNA sequences`).
const NOT_HEADS: [&str; 7] = [
    "molecule",
    "molecules",
    "sequence",
    "sequences",
    "fragment",
    "fragments",
    "species",
];

/// Prefixes of RNA words: `mRNA`, `rRNA`, `tRNA`, `miRNA`, `siRNA`, `shRNA`, `sgRNA`, `gRNA`,
/// `lncRNA`, `snRNA`, `snoRNA`, `ncRNA`, `circRNA`, `piRNA`, `hnRNA`, `dsRNA`, `ssRNA`, `vRNA`.
const RNA_PREFIXES: [&str; 19] = [
    "", "m", "r", "t", "mi", "si", "sh", "sg", "g", "lnc", "sn", "sno", "nc", "circ", "pi", "hn",
    "ds", "ss", "v",
];

/// Prefixes of DNA words: `DNA`, `cDNA`, `dsDNA`, `ssDNA`, `mtDNA`, `gDNA`.
const DNA_PREFIXES: [&str; 6] = ["", "c", "ds", "ss", "mt", "g"];

/// Whole DNA head words besides those (singular; a plural `s` is allowed).
const DNA_WORDS: [&str; 4] = ["gene", "promoter", "enhancer", "plasmid"];

/// The class (`"DNA"` or `"RNA"`) that the head of `text` names, if it names one.
pub fn nucleic_acid_class(text: &str) -> Option<&'static str> {
    let mut words: Vec<&str> = text.split_whitespace().collect();
    while words.len() > 1
        && words
            .last()
            .is_some_and(|word| NOT_HEADS.contains(&word.to_lowercase().as_str()))
    {
        words.pop();
    }
    let head = words
        .last()?
        .trim_matches(|character: char| matches!(character, '(' | ')' | '[' | ']' | ',' | '.'));
    let lower = head.to_lowercase();
    let singular = lower.strip_suffix('s').unwrap_or(&lower);
    let after_hyphen = singular.rsplit('-').next().unwrap_or(singular);
    let hyphenated = after_hyphen.len() < singular.len();
    let named = |suffix: &str, prefixes: &[&str]| {
        singular
            .strip_suffix(suffix)
            .map(|prefix| prefix.strip_prefix("pre-").unwrap_or(prefix))
            .is_some_and(|prefix| prefixes.contains(&prefix))
            || (hyphenated && after_hyphen == suffix)
    };
    if named("rna", &RNA_PREFIXES) {
        Some("RNA")
    } else if named("dna", &DNA_PREFIXES) || DNA_WORDS.contains(&singular) {
        Some("DNA")
    } else {
        None
    }
}

/// The class an entity labelled `label` with text `text` takes: the head's class when the label is
/// one of the JNLPBA classes and the head names a nucleic acid, else `None` (the label stays).
pub fn relabel(label: &str, text: &str) -> Option<&'static str> {
    if !JNLPBA_CLASSES.contains(&label) {
        return None;
    }
    nucleic_acid_class(text).filter(|class| *class != label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rna_heads_make_rna() {
        for text in [
            "IL-2 mRNA",
            "sgRNAs",
            "16S rRNA",
            "transfer-RNA molecules",
            "protein-coding mRNA molecules",
            "pre-mRNA",
            "long non-coding lncRNAs",
            "c-fos mRNA",
        ] {
            assert_eq!(nucleic_acid_class(text), Some("RNA"), "{text}");
        }
    }

    #[test]
    fn dna_heads_make_dna() {
        for text in [
            "IL-2 gene",
            "IL-2 promoter",
            "reporter genes",
            "deoxyribonucleic acid (DNA) molecules",
            "viral DNA",
            "cDNAs",
            "expression plasmids",
            "kappa B enhancer",
        ] {
            assert_eq!(nucleic_acid_class(text), Some("DNA"), "{text}");
        }
    }

    #[test]
    fn other_heads_name_no_class() {
        for text in [
            "protein-DNA complex",
            "miRNA-mRNA complex",
            "RNA polymerase II",
            "DNA-binding protein",
            "genesis",
            "IL-2",
            "T cells",
            "mRNA levels",
            "transcripts",
        ] {
            assert_eq!(nucleic_acid_class(text), None, "{text}");
        }
    }

    #[test]
    fn only_the_jnlpba_classes_are_relabelled() {
        assert_eq!(relabel("DNA", "sgRNAs"), Some("RNA"));
        assert_eq!(relabel("protein", "IL-2 gene"), Some("DNA"));
        assert_eq!(relabel("RNA", "IL-2 mRNA"), None, "already right");
        assert_eq!(relabel("Chemical", "DNA"), None, "another label set");
    }
}
