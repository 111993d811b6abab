//! Every mention of an entity: which mentions name the same entity, and tallies of a document's
//! (or a project's) distinct entities for outlines, workspace symbols and `scitag list`.
//!
//! Two mentions name the same entity when they have the same class and the same [`normalize`]d
//! text, so `IL-2Rα`, `IL2R alpha` and `il-2 rα` are one protein.

use std::collections::HashMap;
use std::ops::Range;

use unicode_normalization::UnicodeNormalization;

use crate::analysis::SourceEntity;

/// The text by which mentions are compared (docs/SERVER.md, "Every mention"):
///
/// 1. Unicode NFKC (compatibility forms become their plain letters: `µ` → `μ`, `ϑ` → `θ`,
///    full-width `ＩＬ` → `IL`, mathematical `𝛼` → `α`), then lowercase (Unicode full lowercase
///    mapping, which is case folding for every letter of these names but a few like `ß`);
/// 2. every Greek letter spelled out in Latin letters (`α` → `alpha`, `κ` → `kappa`, final `ς` →
///    `sigma`), so `NF-κB` and `NF-kappaB` meet;
/// 3. whitespace and dashes removed: `-`, the Unicode hyphens and dashes (U+2010–U+2015, `–`, `—`),
///    the minus sign `−` and the soft hyphen; so `IL-2`, `IL 2`, `IL–2` and `IL2` meet.
///
/// Nothing else is removed: `CD4+` and `CD4` stay different.
pub fn normalize(text: &str) -> String {
    let mut normalized = String::with_capacity(text.len());
    for character in text.nfkc().flat_map(char::to_lowercase) {
        if character.is_whitespace() || is_dash(character) {
            continue;
        }
        match greek_name(character) {
            Some(name) => normalized.push_str(name),
            None => normalized.push(character),
        }
    }
    normalized
}

fn is_dash(character: char) -> bool {
    matches!(
        character,
        '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{00AD}' | '\u{FE58}' | '\u{FE63}'
    )
}

/// The Latin name of a lowercase Greek letter.
fn greek_name(character: char) -> Option<&'static str> {
    Some(match character {
        'α' => "alpha",
        'β' => "beta",
        'γ' => "gamma",
        'δ' => "delta",
        'ε' => "epsilon",
        'ζ' => "zeta",
        'η' => "eta",
        'θ' => "theta",
        'ι' => "iota",
        'κ' => "kappa",
        'λ' => "lambda",
        'μ' => "mu",
        'ν' => "nu",
        'ξ' => "xi",
        'ο' => "omicron",
        'π' => "pi",
        'ρ' => "rho",
        'σ' | 'ς' => "sigma",
        'τ' => "tau",
        'υ' => "upsilon",
        'φ' => "phi",
        'χ' => "chi",
        'ψ' => "psi",
        'ω' => "omega",
        _ => return None,
    })
}

/// What makes two mentions the same entity: the class (as the model spells it) and the
/// [`normalize`]d text.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntityKey {
    pub class: String,
    pub text: String,
}

impl EntityKey {
    pub fn of(entity: &SourceEntity) -> EntityKey {
        EntityKey {
            class: entity.label.clone(),
            text: normalize(&entity.text),
        }
    }
}

/// The entity at byte `offset`: the one covering it, else the one ending there (the cursor just
/// after a word). `entities` are sorted by start and never overlap.
pub fn entity_at(entities: &[SourceEntity], offset: usize) -> Option<&SourceEntity> {
    let index = entities
        .partition_point(|entity| entity.range.start <= offset)
        .checked_sub(1)?;
    let entity = &entities[index];
    (offset <= entity.range.end && !entity.range.is_empty()).then_some(entity)
}

/// The byte ranges of every mention of `key` among `entities`, in document order.
pub fn mentions_of<'a>(
    entities: impl IntoIterator<Item = &'a SourceEntity>,
    key: &EntityKey,
) -> Vec<Range<usize>> {
    entities
        .into_iter()
        .filter(|entity| entity.label == key.class && normalize(&entity.text) == key.text)
        .map(|entity| entity.range.clone())
        .collect()
}

/// One distinct entity of a [`Tally`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TalliedEntity {
    pub key: EntityKey,
    /// The most frequent surface form (the prose text of its mentions); on a tie, the first seen.
    pub name: String,
    pub mentions: usize,
    /// The documents it is mentioned in (the numbers given to [`Tally::add`]), ascending.
    pub documents: Vec<usize>,
    /// Its first mention: the document's number and the bytes.
    pub first: (usize, Range<usize>),
    /// The end of its last mention in the document of its first one (for outline ranges).
    pub last_end: usize,
    /// Every surface form, the most frequent first (on a tie, the first seen).
    pub spellings: Vec<String>,
}

#[derive(Clone, Debug, Default)]
struct Entry {
    /// Surface form → (count, order first seen).
    surfaces: HashMap<String, (usize, usize)>,
    mentions: usize,
    documents: Vec<usize>,
    first: (usize, Range<usize>),
    last_end: usize,
}

/// Counts the distinct entities of a stream of mentions, keeping the order of first mention.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    entries: HashMap<EntityKey, usize>,
    order: Vec<(EntityKey, Entry)>,
    seen: usize,
}

impl Tally {
    pub fn new() -> Tally {
        Tally::default()
    }

    /// Counts one mention found in document number `document`.
    pub fn add(&mut self, document: usize, entity: &SourceEntity) {
        self.add_as(document, entity, EntityKey::of(entity));
    }

    /// Counts one mention under `key` instead of its own (`scitag list` groups linked mentions by
    /// their database identifier).
    pub fn add_as(&mut self, document: usize, entity: &SourceEntity, key: EntityKey) {
        let index = match self.entries.get(&key) {
            Some(&index) => index,
            None => {
                let index = self.order.len();
                self.entries.insert(key.clone(), index);
                self.order.push((
                    key,
                    Entry {
                        first: (document, entity.range.clone()),
                        last_end: entity.range.end,
                        ..Entry::default()
                    },
                ));
                index
            }
        };
        self.seen += 1;
        let entry = &mut self.order[index].1;
        entry.mentions += 1;
        if entry.documents.last() != Some(&document) && !entry.documents.contains(&document) {
            entry.documents.push(document);
            entry.documents.sort_unstable();
        }
        if entry.first.0 == document {
            entry.last_end = entry.last_end.max(entity.range.end);
        }
        let seen = self.seen;
        entry
            .surfaces
            .entry(entity.text.clone())
            .or_insert((0, seen))
            .0 += 1;
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The distinct entities, in the order of their first mention.
    pub fn entities(&self) -> Vec<TalliedEntity> {
        self.order
            .iter()
            .map(|(key, entry)| {
                let mut spellings: Vec<(&String, &(usize, usize))> =
                    entry.surfaces.iter().collect();
                spellings.sort_by(|(_, (count_a, seen_a)), (_, (count_b, seen_b))| {
                    count_b.cmp(count_a).then(seen_a.cmp(seen_b))
                });
                let spellings: Vec<String> = spellings
                    .into_iter()
                    .map(|(surface, _)| surface.clone())
                    .collect();
                let name = spellings.first().cloned().unwrap_or_default();
                TalliedEntity {
                    key: key.clone(),
                    name,
                    mentions: entry.mentions,
                    documents: entry.documents.clone(),
                    first: entry.first.clone(),
                    last_end: entry.last_end,
                    spellings,
                }
            })
            .collect()
    }
}

/// How well `query` (already [`normalize`]d) matches an entity's normalized text: `Some(0)` equal,
/// `1` a prefix, `2` a substring, `3` its characters in order (fuzzy: `il2ra` finds `il2ralpha`);
/// `None` when it does not match. An empty query matches everything (rank 3).
pub fn match_rank(query: &str, text: &str) -> Option<u8> {
    if query.is_empty() {
        return Some(3);
    }
    if text == query {
        return Some(0);
    }
    if text.starts_with(query) {
        return Some(1);
    }
    if text.contains(query) {
        return Some(2);
    }
    let mut rest = text.chars();
    query
        .chars()
        .all(|wanted| rest.any(|character| character == wanted))
        .then_some(3)
}

/// A number of mentions in words: `1 mention`, `3 mentions`.
pub fn mention_count(count: usize) -> String {
    if count == 1 {
        "1 mention".to_owned()
    } else {
        format!("{count} mentions")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(range: Range<usize>, label: &str, text: &str) -> SourceEntity {
        SourceEntity {
            range,
            label: label.to_owned(),
            text: text.to_owned(),
            score: 0.9,
            ..Default::default()
        }
    }

    #[test]
    fn case_hyphens_spaces_and_greek_letters_do_not_matter() {
        for same in [
            ["IL-2Rα", "IL2R alpha", "il-2 rα"],
            ["NF-κB", "NF-kappaB", "nf kappa b"],
            ["TNF–α", "TNF-alpha", "tnfα"],
            ["IFN-γ", "IFN gamma", "IFN\u{2010}γ"],
            ["β-globin", "beta globin", "Β-GLOBIN"],
            [
                "µ-opioid receptor",
                "μ-opioid receptor",
                "mu opioid receptor",
            ],
            ["ＩＬ-６", "IL-6", "il6"],
            ["Σ", "ς", "sigma"],
        ] {
            let normalized: Vec<String> = same.iter().map(|text| normalize(text)).collect();
            assert!(
                normalized.iter().all(|text| text == &normalized[0]),
                "{same:?} → {normalized:?}"
            );
        }
        assert_eq!(normalize("IL-2Rα"), "il2ralpha");
        assert_ne!(normalize("CD4+"), normalize("CD4"));
        assert_ne!(normalize("IL-2"), normalize("IL-12"));
        assert_eq!(normalize(""), "");
    }

    #[test]
    fn mentions_need_the_same_class_and_normalized_text() {
        let entities = [
            entity(0..6, "protein", "IL-2Rα"),
            entity(10..20, "protein", "IL2R alpha"),
            entity(30..36, "DNA", "IL-2Rα"),
            entity(40..47, "protein", "il-2 rα"),
            entity(50..54, "protein", "IL-2"),
        ];
        let key = EntityKey::of(entity_at(&entities, 3).expect("an entity at 3"));
        assert_eq!(mentions_of(&entities, &key), [0..6, 10..20, 40..47]);
        // The cursor right after a mention still finds it; between mentions nothing.
        assert_eq!(entity_at(&entities, 6).map(|e| e.range.clone()), Some(0..6));
        assert!(entity_at(&entities, 8).is_none());
        assert!(entity_at(&entities, 1000).is_none());
        assert!(entity_at(&[], 0).is_none());
    }

    #[test]
    fn a_tally_counts_mentions_documents_and_the_usual_spelling() {
        let mut tally = Tally::new();
        tally.add(0, &entity(0..4, "protein", "IL-2"));
        tally.add(0, &entity(10..14, "protein", "IL 2"));
        tally.add(1, &entity(3..7, "protein", "IL 2"));
        tally.add(1, &entity(20..26, "cell_line", "Jurkat"));
        let entities = tally.entities();
        assert_eq!(entities.len(), 2);
        assert_eq!(entities[0].name, "IL 2");
        assert_eq!(entities[0].mentions, 3);
        assert_eq!(entities[0].documents, [0, 1]);
        assert_eq!(entities[0].first, (0, 0..4));
        assert_eq!(entities[0].last_end, 14);
        assert_eq!(entities[1].name, "Jurkat");
        assert_eq!(entities[1].documents, [1]);
    }

    #[test]
    fn queries_rank_exact_prefix_substring_then_fuzzy() {
        assert_eq!(match_rank("il2", "il2"), Some(0));
        assert_eq!(match_rank("il2", "il2ralpha"), Some(1));
        assert_eq!(match_rank("ralpha", "il2ralpha"), Some(2));
        assert_eq!(match_rank("il2ra", "il2ralpha"), Some(1));
        assert_eq!(match_rank("ilra", "il2ralpha"), Some(3));
        assert_eq!(match_rank("jurkat", "il2ralpha"), None);
        assert_eq!(match_rank("", "anything"), Some(3));
    }
}
