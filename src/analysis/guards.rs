//! Guards: what no model may return, whatever it learned.
//!
//! Run on every paragraph's entities after the model (and after the paragraph cache, since they
//! read the paragraph's offset map, which is not part of the cache key) and before the glossary and
//! the mapping to source bytes. docs/ENGINE.md ("Guards") lists the rules; in short:
//!
//! - **Edges are trimmed** of whitespace, quotes (`"` `“` `”` `«` `»` `‘` `’`, and `'` unless it
//!   follows a digit, as in `5'`), brackets that do not close inside the entity, trailing `,;:.`,
//!   and whole words at either end that are only inline math (`kinase $a$` → `kinase`) or citation
//!   residue (`[12]`).
//! - **Dropped** when what is left has fewer than two letters or digits (`X`, `C++`, `--`), is a
//!   known software name or named as software (`Minimap2`, `BWA-MEM`, `the package PyMC3`; see
//!   [`super::software`]), lies inside a web or e-mail address or a DOI, is a catalogue number
//!   (`Cat. RR001A`), is made
//!   only of inline math (`$\mathbf{T}$`, `$\pi^*$`), only of text the extractor inserted (the
//!   `\ref` stand-in), or only of numbers and citation words (`2019`, `[1, 2]`, `et al.`, `Fig. 3`).
//!   A known name is kept where it is the entity's own kind: a chemical (`cisplatin`) tagged
//!   `chemical`, a virus (`HIV-1`) tagged `species`.
//!
//! - **Function words** (`and`, `of`, `as`, lower case) are trimmed off either end; one alone is dropped.
//! - **Joined** when two entities of one class touch across a hyphen (`DEAE-` + `dextran`,
//!   `Janus-activated kinase` + `-STAT3`): a word is one entity.
//! - **Relabelled** when its head noun names a nucleic acid ([`super::heads`]): `sgRNAs` is RNA,
//!   `IL-2 gene` DNA, whatever the model said.
//!
//! Math inside a word is kept: `TNF-$\alpha$` reads `TNF-α`, one word, and stays a protein.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::ops::Range;

use super::{heads, names, software};
use crate::ner::Entity;
use crate::prose::{Paragraph, Piece, PieceKind};

/// The guarded entities of one paragraph: trimmed, and without those the rules drop. `source` is
/// the document text the paragraph was extracted from (math is recognised by its source bytes).
pub fn apply(paragraph: &Paragraph, source: &str, entities: &[Entity]) -> Vec<Entity> {
    let mut entities = join_hyphenated(&paragraph.prose, entities);
    complete_binomials(&paragraph.prose, &mut entities);
    entities
        .into_iter()
        .filter_map(|mut entity| {
            entity.range = guard(paragraph, source, &entity.label, entity.range.clone())?;
            if let Some(class) =
                heads::relabel(&entity.label, &paragraph.prose[entity.range.clone()])
            {
                take_class(&mut entity, class);
            }
            Some(entity)
        })
        .collect()
}

/// The paragraph's entities, owned, with those of one class that touch across a hyphen joined (one
/// ends where the next starts, and the junction is `-`): the model split one word. The joined score is the entities' scores weighted by
/// their lengths, the alternatives are the longer one's. Entities that are single word pieces
/// (`--aggregation none`, with their own `B-`/`I-` tag) are left as they are.
fn join_hyphenated(prose: &str, entities: &[Entity]) -> Vec<Entity> {
    let mut joined: Vec<Entity> = Vec::with_capacity(entities.len());
    for entity in entities {
        if let Some(last) = joined.last_mut()
            && last.tag.is_none()
            && entity.tag.is_none()
            && last.label == entity.label
            && last.range.end == entity.range.start
            && (prose[..last.range.end].ends_with('-')
                || prose[entity.range.start..].starts_with('-'))
        {
            let (left, right) = (last.range.len() as f32, entity.range.len() as f32);
            last.score = (last.score * left + entity.score * right) / (left + right).max(1.0);
            if right > left {
                last.alternatives = entity.alternatives.clone();
            }
            last.range.end = entity.range.end;
            continue;
        }
        joined.push(entity.clone());
    }
    joined
}

/// Extends a species that is an abbreviated genus alone (`L.`, `C .`: one capital letter and a
/// period) over the lower-case epithet that follows (`L. intermedia`, `C. elegans`): the model
/// found the binomial's start and left its second word out (LINNAEUS test: 26 such spans). Not
/// when another entity covers any of the next word.
fn complete_binomials(prose: &str, entities: &mut [Entity]) {
    for index in 0..entities.len() {
        let entity = &entities[index];
        if entity.label != "species" || entity.tag.is_some() {
            continue;
        }
        let mut characters = prose[entity.range.clone()].chars();
        let genus = characters.next().is_some_and(|c| c.is_ascii_uppercase())
            && matches!(characters.as_str(), "." | " .");
        if !genus {
            continue;
        }
        let Some(epithet) = prose[entity.range.end..].strip_prefix(' ') else {
            continue;
        };
        let length = epithet
            .find(|c: char| !(c.is_ascii_lowercase() || c == '-'))
            .unwrap_or(epithet.len());
        let word = &epithet[..length];
        let start = entity.range.end + 1;
        let end = start + word.trim_end_matches('-').len();
        if word.len() >= 3
            && word.starts_with(|c: char| c.is_ascii_lowercase())
            && !entities
                .iter()
                .any(|other| other.range.start < end && start < other.range.end)
        {
            entities[index].range.end = end;
        }
    }
}

/// Gives `entity` the class its head names ([`heads`]). The model chose between the two classes
/// and the rule decides, so the score becomes the model's probability of either (its score plus the
/// new class's runner-up probability), and the model's own class becomes the first runner-up.
fn take_class(entity: &mut Entity, class: &str) {
    let taken = entity
        .alternatives
        .iter()
        .position(|alternative| alternative.label == class)
        .map(|index| entity.alternatives.remove(index).probability)
        .unwrap_or(0.0);
    let previous = std::mem::replace(&mut entity.label, class.to_owned());
    entity.alternatives.insert(
        0,
        crate::ner::Alternative {
            label: previous,
            probability: entity.score,
        },
    );
    entity.score = (entity.score + taken).min(1.0);
    if let Some(tag) = &mut entity.tag
        && let Some((prefix, _)) = tag.split_once('-')
    {
        *tag = format!("{prefix}-{class}");
    }
}

/// Where a prose byte came from, as far as the guards care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    Text,
    Math,
    Inserted,
}

fn origin(paragraph: &Paragraph, source: &str, offset: usize) -> Origin {
    paragraph
        .map
        .piece_at(offset)
        .map_or(Origin::Text, |piece| piece_origin(piece, source))
}

fn piece_origin(piece: &Piece, source: &str) -> Origin {
    match piece.kind {
        PieceKind::Synthetic => Origin::Inserted,
        PieceKind::Verbatim => Origin::Text,
        PieceKind::Atomic => {
            let text = source.get(piece.source.clone()).unwrap_or_default();
            if text.starts_with('$') || text.starts_with("\\(") || text.starts_with("\\ensuremath")
            {
                Origin::Math
            } else {
                Origin::Text
            }
        }
    }
}

/// A hash of everything [`apply`] reads of a paragraph: its prose and, of its offset map, where
/// the prose is inline math or inserted text (the rest of the map, and the source bytes, do not
/// change what the guards return). Two paragraphs with equal fingerprints and equal entities are
/// guarded alike, wherever they are in whatever document.
pub fn fingerprint(paragraph: &Paragraph, source: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    paragraph.prose.hash(&mut hasher);
    for piece in paragraph.map.pieces() {
        let origin = piece_origin(piece, source);
        if origin != Origin::Text {
            (piece.prose.start, piece.prose.end, origin as u8).hash(&mut hasher);
        }
    }
    hasher.finish()
}

/// The trimmed range of one entity, or `None` when it must go.
fn guard(
    paragraph: &Paragraph,
    source: &str,
    label: &str,
    range: Range<usize>,
) -> Option<Range<usize>> {
    let prose = paragraph.prose.as_str();
    if range.start >= range.end
        || range.end > prose.len()
        || !prose.is_char_boundary(range.start)
        || !prose.is_char_boundary(range.end)
    {
        return None;
    }
    let (mut start, mut end) = (range.start, range.end);
    loop {
        let before = (start, end);
        trim_characters(prose, &mut start, &mut end);
        cut_unbalanced(prose, &mut start, &mut end);
        trim_edge_words(paragraph, source, &mut start, &mut end);
        trim_modifiers(prose, &mut start, &mut end, label != "disease");
        if (start, end) == before {
            break;
        }
    }
    if start >= end {
        return None;
    }
    let text = &prose[start..end];
    if text
        .chars()
        .filter(|character| character.is_alphanumeric())
        .count()
        < 2
    {
        return None;
    }
    let lower = text.to_lowercase();
    if MODIFIERS.contains(lower.as_str())
        || FUNCTION_WORDS.contains(&text)
        || GENERIC_HEADS.contains(&lower.as_str())
        || software::is_known_software(text)
        || software::named_as_software(prose, start..end)
        || names::known(text, &prose[end..]).is_some_and(|kind| !names::is_of_class(kind, label))
    {
        return None;
    }
    if in_address(prose, start, end) || is_catalogue_number(prose, start, text) {
        return None;
    }
    if is_quantity(text)
        || is_identifier(text)
        || before_et_al(prose, end, text)
        || (NAME_CLASSES.contains(&label)
            && (is_substitution(text) || is_nucleotide_sequence(text)))
        || is_citation_key(prose, start, end)
        || sentence_initial_function_word(paragraph, start, text)
        || (label != "species" && after_an_initial(prose, start, text))
        || (NAME_CLASSES.contains(&label)
            && (is_camel_case(text)
                || GENERIC_NAMES.contains(&lower.as_str())
                || NOT_NAMES_ALONE.contains(&lower.as_str())))
        || names::inside_known_name(prose, start..end)
    {
        return None;
    }
    // Only math, or only inserted text, once spaces are left aside.
    let origins: Vec<Origin> = text
        .char_indices()
        .filter(|(_, character)| !character.is_whitespace())
        .map(|(offset, _)| origin(paragraph, source, start + offset))
        .collect();
    if !origins.contains(&Origin::Text) {
        return None;
    }
    if text.split_whitespace().all(is_citation_word) {
        return None;
    }
    Some(start..end)
}

/// Whether the entity lies in a web address, an e-mail address or a DOI (`https://github.com/
/// meyer-lab/gc-cytokines`, `name@lab.org`, `10.1101/2020.01.01`): the whitespace-delimited word
/// around it is one.
fn in_address(prose: &str, start: usize, end: usize) -> bool {
    let word_start = prose[..start].rfind(char::is_whitespace).map_or(0, |at| {
        at + prose[at..].chars().next().map_or(1, char::len_utf8)
    });
    let word_end = prose[end..]
        .find(char::is_whitespace)
        .map_or(prose.len(), |at| end + at);
    let word = prose[word_start..word_end].trim_matches(|c: char| "()[]<>{},;\"'".contains(c));
    let lower = word.to_lowercase();
    lower.contains("://")
        || lower.starts_with("www.")
        || lower.starts_with("doi:")
        || (lower.starts_with("10.")
            && lower.contains('/')
            && lower[3..].starts_with(|c: char| c.is_ascii_digit()))
        || word
            .split_once('@')
            .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'))
}

/// A supplier's catalogue number: `Cat. RR001A`, or what follows `Cat.`, `Cat. No.`, `Cat#`,
/// `catalog number` (`(TaKaRa, Cat. RR001A)`).
fn is_catalogue_number(prose: &str, start: usize, text: &str) -> bool {
    let catalogue = |text: &str| {
        let lower = text.to_lowercase();
        ["cat.", "cat#", "cat ", "catalog", "catalogue"]
            .iter()
            .any(|mark| lower.starts_with(mark))
    };
    if catalogue(text) {
        return true;
    }
    let before: Vec<&str> = prose[..start].split_whitespace().rev().take(3).collect();
    let before: Vec<String> = before
        .iter()
        .rev()
        .map(|word| word.trim_start_matches(['(', '[', ',']).to_lowercase())
        .collect();
    let joined = before.join(" ");
    // A product code right after a supplier's name: `(NEB, E2621S)`, `(ATCC PCS-800-011)`. Codes
    // have a run of three digits; a protein named after a supplier (`(PeproTech, IL-2)`) does not.
    let has_code_digits = text
        .split(|c: char| !c.is_ascii_digit())
        .any(|run| run.len() >= 3);
    if has_code_digits && !text.contains(' ') {
        for count in 1..=before.len() {
            let words: Vec<&str> = before[before.len() - count..]
                .iter()
                .map(|word| word.trim_end_matches(','))
                .collect();
            if names::is_company(&words.join(" ")) {
                return true;
            }
        }
    }
    [
        "cat.",
        "cat#",
        "cat",
        "cat. no.",
        "cat no.",
        "cat. #",
        "catalog number",
        "catalogue number",
        "catalog no.",
        "catalogue no.",
        "catalog #",
        "catalog",
    ]
    .iter()
    .any(|mark| {
        joined
            .strip_suffix(mark)
            .is_some_and(|rest| rest.is_empty() || rest.ends_with(' '))
    })
}

fn is_quote(character: char) -> bool {
    matches!(
        character,
        '"' | '“' | '”' | '«' | '»' | '‘' | '’' | '„' | '`'
    )
}

/// Trims whitespace, quotes, unbalanced brackets and trailing separators at both ends.
fn trim_characters(prose: &str, start: &mut usize, end: &mut usize) {
    loop {
        let text = &prose[*start..*end];
        let Some(first) = text.chars().next() else {
            return;
        };
        let last = text.chars().next_back().unwrap_or(first);
        let after_first = text[first.len_utf8()..].chars().next();
        let before_last = text[..text.len() - last.len_utf8()].chars().next_back();
        if first.is_whitespace()
            || is_quote(first)
            || (first == '\'' && after_first.is_some_and(char::is_alphabetic))
            || matches!(
                first,
                ')' | ']' | '}' | ',' | ';' | ':' | '.' | '-' | '‐' | '–'
            )
            || (is_opener(first) && !closes_after(text, first))
        {
            *start += first.len_utf8();
            continue;
        }
        if last.is_whitespace()
            || is_quote(last)
            || (last == '\'' && before_last.is_some_and(char::is_alphabetic))
            || matches!(
                last,
                '(' | '[' | '{' | ',' | ';' | ':' | '.' | '-' | '‐' | '–'
            )
            || (is_closer(last) && !opens_before(text, last))
        {
            *end -= last.len_utf8();
            continue;
        }
        return;
    }
}

/// Cuts the entity before a bracket it opens and never closes, or after one it closes without
/// opening: `CD45RA (HI100` → `CD45RA` (an antibody clone in a table cell whose `)` the model left out).
fn cut_unbalanced(prose: &str, start: &mut usize, end: &mut usize) {
    let text = &prose[*start..*end];
    let mut open: Vec<(usize, char)> = Vec::new();
    let mut cut_after = None;
    for (offset, character) in text.char_indices() {
        if is_opener(character) {
            open.push((offset, character));
        } else if is_closer(character) {
            match open.last() {
                Some(&(_, opener)) if pair(opener).1 == character => {
                    open.pop();
                }
                _ => {
                    open.clear();
                    cut_after = Some(offset + character.len_utf8());
                }
            }
        }
    }
    if let Some(&(offset, _)) = open.first() {
        *end = *start + offset;
    }
    if let Some(offset) = cut_after
        && *start + offset <= *end
    {
        *start += offset;
    }
}

fn is_opener(character: char) -> bool {
    matches!(character, '(' | '[' | '{')
}

fn is_closer(character: char) -> bool {
    matches!(character, ')' | ']' | '}')
}

fn pair(character: char) -> (char, char) {
    match character {
        '(' | ')' => ('(', ')'),
        '[' | ']' => ('[', ']'),
        _ => ('{', '}'),
    }
}

/// Whether the opener at the start of `text` is closed inside `text`.
fn closes_after(text: &str, opener: char) -> bool {
    let (open, close) = pair(opener);
    let mut depth = 0i32;
    for character in text.chars() {
        if character == open {
            depth += 1;
        } else if character == close {
            depth -= 1;
            if depth == 0 {
                return true;
            }
        }
    }
    false
}

/// Whether the closer at the end of `text` was opened inside `text`.
fn opens_before(text: &str, closer: char) -> bool {
    let (open, close) = pair(closer);
    let mut depth = 0i32;
    for character in text.chars().rev() {
        if character == close {
            depth += 1;
        } else if character == open {
            depth -= 1;
            if depth == 0 {
                return true;
            }
        }
    }
    false
}

/// The classes of chemical, disease and species names (the BC5CDR, NCBI-disease and LINNAEUS heads):
/// the rules for names below apply to them, not to the JNLPBA classes (`IL-2Rα`, `NF-kappaB`).
const NAME_CLASSES: [&str; 3] = ["chemical", "disease", "species"];

/// Words that are never a chemical, disease or species alone: the class's own generic nouns
/// (`the disease`, `these drugs`, `a virus`, `amino acids`). BC5CDR, NCBI-disease and LINNAEUS
/// annotate named mentions (`Alzheimer's disease`, `cisplatin`, `HIV-1`), not the bare nouns (BC5CDR
/// has `amino acid(s)` 13 times in all its splits; a paper on protein evolution has it hundreds).
const GENERIC_NAMES: [&str; 22] = [
    "amino acid",
    "amino acids",
    "amino-acid",
    "amino-acids",
    "disease",
    "diseases",
    "disorder",
    "disorders",
    "syndrome",
    "syndromes",
    "illness",
    "drug",
    "drugs",
    "compound",
    "compounds",
    "chemical",
    "chemicals",
    "virus",
    "viruses",
    "organism",
    "organisms",
    "pathogen",
];

/// Words that name a process, an organ, a field or a property, which the chemical, disease and
/// species heads take for names on modern manuscripts (`methylation` as a chemical, `endocytosis`,
/// `lung` and `psychiatry` as diseases): none is a whole gold mention in BC5CDR, NCBI-disease or
/// LINNAEUS (train, dev and test), where they occur from once (`ubiquitination`) to 1,267 times
/// (`mutations`) each. With other words they can be part of one (`lung cancer`).
const NOT_NAMES_ALONE: [&str; 31] = [
    "acetylation",
    "apoptosis",
    "blood",
    "brain",
    "cancerous",
    "deficiency",
    "demethylation",
    "endocytosis",
    "exocytosis",
    "glycosylation",
    "heart",
    "immunology",
    "kidney",
    "liver",
    "lung",
    "metastatic",
    "methyl",
    "methylation",
    "mutation",
    "mutations",
    "neurology",
    "noise",
    "nucleotides",
    "oncology",
    "phosphorylation",
    "psychiatry",
    "spike",
    "transcription",
    "translation",
    "ubiquitination",
    "virulence",
];

/// One word in camel case made of at least two capitalised parts of three letters or more, with no
/// digit or hyphen (`AttentiveChrome`, `DeepSignal`, `MethylNet`, `LipidSpot`): the shape of
/// software and product names. No gold mention of BC5CDR, NCBI-disease or LINNAEUS (train, dev or
/// test) has it; their short mixed-case names (`NaCl`, `CsA`, `HBsAg`, `McLeod`) do not.
fn is_camel_case(text: &str) -> bool {
    if text.contains(|c: char| c.is_whitespace() || c.is_ascii_digit() || c == '-') {
        return false;
    }
    let characters: Vec<char> = text.chars().collect();
    let inner_capital = characters
        .windows(2)
        .any(|pair| pair[0].is_lowercase() && pair[1].is_uppercase());
    // Capitalised parts: an upper-case letter followed by at least two lower-case ones.
    let parts = characters
        .windows(3)
        .filter(|w| w[0].is_uppercase() && w[1].is_lowercase() && w[2].is_lowercase())
        .count();
    inner_capital && parts >= 2
}

/// Units of measurement (case matters: `M` molar, `m` metre).
const UNITS: [&str; 52] = [
    "M", "mM", "µM", "μM", "uM", "nM", "pM", "fM", "L", "l", "mL", "ml", "µL", "μL", "µl", "μl",
    "uL", "ul", "nL", "nl", "g", "mg", "µg", "μg", "ug", "ng", "pg", "kg", "m", "cm", "mm", "µm",
    "μm", "um", "nm", "°C", "℃", "°F", "K", "s", "sec", "min", "h", "hr", "hrs", "rpm", "bp", "kb",
    "kDa", "Da", "%", "U",
];

/// A quantity (`120ul`, `-30℃`, `2.5 mM`, `5 nM^-1`) or a unit alone (`nM`): never an entity, of
/// any class.
fn is_quantity(text: &str) -> bool {
    let unit = text
        .trim_start_matches(|c: char| c.is_ascii_digit() || ".,~±+-−– ".contains(c))
        .trim_end_matches(|c: char| c.is_ascii_digit() || "^-−–⁻¹".contains(c))
        .trim();
    UNITS.contains(&unit)
}

/// Accession prefixes of sequencing runs, experiments, samples, projects, expression series and
/// genome assemblies (ENA / SRA / DDBJ, BioProject, BioSample, GEO, NCBI Assembly, EGA).
const ACCESSION_PREFIXES: [&str; 25] = [
    "ERR", "SRR", "DRR", "ERX", "SRX", "DRX", "ERS", "SRS", "DRS", "ERP", "SRP", "DRP", "PRJNA",
    "PRJEB", "PRJDB", "SAMN", "SAMEA", "SAMD", "GSE", "GSM", "GPL", "GCA_", "GCF_", "EGAS", "EGAD",
];

/// Patent offices whose publication numbers appear in papers (`US20150218260A1`).
const PATENT_OFFICES: [&str; 6] = ["US", "WO", "EP", "JP", "CN", "KR"];

/// An identifier, never an entity of any class: a commit or other hash (seven or more lower-case
/// hexadecimal digits, digits and letters both: `f9ab436915e5…`), an accession of a sequencing run,
/// sample, project, series or assembly (`ERR1341796`, `PRJNA257197`, `GCA_001297185.1`,
/// `GSE12345`) or a patent number (`US20150218260A1`). No gold mention of BC5CDR, NCBI-disease or
/// LINNAEUS (train, dev or test) has one of these shapes.
fn is_identifier(text: &str) -> bool {
    let hex = text.len() >= 7
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && text.bytes().any(|b| b.is_ascii_digit())
        && text.bytes().any(|b| b.is_ascii_lowercase());
    let accession = ACCESSION_PREFIXES.iter().any(|prefix| {
        text.strip_prefix(prefix).is_some_and(|rest| {
            let (count, tail) = digits_then(rest);
            count >= 4
                && (tail.is_empty()
                    || tail
                        .strip_prefix('.')
                        .is_some_and(|version| digits_then(version) == (version.len(), "")))
        })
    });
    let patent = PATENT_OFFICES.iter().any(|office| {
        text.strip_prefix(office).is_some_and(|rest| {
            let (count, tail) = digits_then(rest);
            let mut kind = tail.chars();
            count >= 7
                && kind.next().is_some_and(|c| c.is_ascii_uppercase())
                && kind.as_str().len() <= 1
                && kind.all(|c| c.is_ascii_digit())
        })
    });
    hex || accession || patent
}

/// The number of ASCII digits `text` starts with, and what follows them.
fn digits_then(text: &str) -> (usize, &str) {
    let rest = text.trim_start_matches(|c: char| c.is_ascii_digit());
    (text.len() - rest.len(), rest)
}

/// The one-letter codes of the twenty amino acids.
const AMINO_ACIDS: &str = "ACDEFGHIKLMNPQRSTVWY";

/// An amino-acid substitution (`N88D`, `T332N`, `V600E`): a residue, its position (two to four
/// digits) and the residue that replaces it. A mutation, not a chemical, disease or species (no
/// gold mention of BC5CDR, NCBI-disease or LINNAEUS has the shape; with one digit BC5CDR has
/// compounds such as `C5D`). Only for those classes: a JNLPBA cell line looks the same (`T47D`).
fn is_substitution(text: &str) -> bool {
    let bytes = text.as_bytes();
    let residue = |b: u8| AMINO_ACIDS.as_bytes().contains(&b);
    (4..=6).contains(&bytes.len())
        && residue(bytes[0])
        && residue(bytes[bytes.len() - 1])
        && bytes[1..bytes.len() - 1].iter().all(u8::is_ascii_digit)
}

/// A nucleotide sequence written out (`5'-agataggttaattgagag…`, `ACGTACGTACGT`): ten or more of
/// A, C, G, T, U in either case, with `5'-` / `-3'` ends or without. A primer or a probe, not a
/// chemical, disease or species.
fn is_nucleotide_sequence(text: &str) -> bool {
    let core = ["5'-", "5′-", "5'", "5′"]
        .iter()
        .find_map(|end| text.strip_prefix(end))
        .unwrap_or(text);
    let core = ["-3'", "-3′", "3'", "3′"]
        .iter()
        .find_map(|end| core.strip_suffix(end))
        .unwrap_or(core);
    core.len() >= 10 && core.bytes().all(|b| b"ACGTUacgtu".contains(&b))
}

/// A capitalised name followed by `et al` (`Navlakha et al. proposed…`): the first author of a
/// cited paper, never an entity.
fn before_et_al(prose: &str, end: usize, text: &str) -> bool {
    text.chars().next().is_some_and(char::is_uppercase)
        && !text.contains(char::is_whitespace)
        && prose[end..]
            .trim_start_matches([' ', '\u{a0}', '~'])
            .starts_with("et al")
}

/// A citation key left in square brackets (`[Lao26022007; Byun1019]`): a word of letters and then
/// at least four digits (an author and a year or a date), between `[` or `;` and `;` or `]`.
fn is_citation_key(prose: &str, start: usize, end: usize) -> bool {
    let text = &prose[start..end];
    let letters = text.trim_end_matches(|c: char| c.is_ascii_lowercase() && text.len() > 1);
    let digits = letters.len() - letters.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let name = &letters[..letters.len() - digits];
    if digits < 4 || name.is_empty() || !name.chars().all(char::is_alphabetic) {
        return false;
    }
    let before = prose[..start].trim_end_matches([' ', '@']);
    let after = prose[end..].trim_start();
    (before.ends_with('[') || before.ends_with(';'))
        && (after.starts_with(']') || after.starts_with(';'))
}

/// A capitalised name right after a person's initial (`H. Suzuki`, `F. Sedlazeck`, in
/// acknowledgements and citations): a person. Not for species, whose abbreviated genus looks the same
/// (`S. Typhimurium`).
fn after_an_initial(prose: &str, start: usize, text: &str) -> bool {
    if !text.chars().next().is_some_and(char::is_uppercase)
        || !text.chars().nth(1).is_some_and(char::is_lowercase)
    {
        return false;
    }
    let before = &prose.as_bytes()[..start];
    let n = before.len();
    n >= 3
        && before[n - 1] == b' '
        && before[n - 2] == b'.'
        && before[n - 3].is_ascii_uppercase()
        && (n == 3 || !before[n - 4].is_ascii_alphanumeric())
}

/// A function word written with a capital as the first word of a sentence (`No` in `No-spin
/// lentiviral transduction`); elsewhere a capitalised word may be a symbol (`No` nobelium is rare,
/// but `As` is arsenic and `In` indium).
fn sentence_initial_function_word(paragraph: &Paragraph, start: usize, text: &str) -> bool {
    let mut characters = text.chars();
    let capitalised = characters.next().is_some_and(char::is_uppercase)
        && characters.clone().next().is_some()
        && characters.all(char::is_lowercase);
    if !capitalised || !FUNCTION_WORDS.contains(&text.to_lowercase().as_str()) {
        return false;
    }
    let sentence_start = paragraph
        .sentences
        .iter()
        .find(|sentence| sentence.contains(&start))
        .map_or(0, |sentence| sentence.start);
    paragraph.prose[sentence_start..start]
        .chars()
        .all(|c| !c.is_alphanumeric())
}

/// Head nouns that are never an entity alone (`cells`, `the receptor`, `these genes`): in JNLPBA
/// train each is a whole gold entity in under 5% of its occurrences (most never: `cells` 0 of 5,193,
/// `receptors` 13 of 428, `genes` 38 of 800). With a modifier they can be (`T cells`, `immune
/// receptors`); `cytokines`, `antibodies`, `promoter`, `enhancer`, `mRNA` are not listed.
const GENERIC_HEADS: [&str; 38] = [
    "cell",
    "cells",
    "protein",
    "proteins",
    "gene",
    "genes",
    "receptor",
    "receptors",
    "complex",
    "complexes",
    "transcript",
    "transcripts",
    "isoform",
    "isoforms",
    "antigen",
    "antigens",
    "ligand",
    "ligands",
    "site",
    "sites",
    "molecule",
    "molecules",
    "factor",
    "factors",
    "sequence",
    "sequences",
    "region",
    "regions",
    "domain",
    "domains",
    "type",
    "types",
    "line",
    "lines",
    "clone",
    "clones",
    "population",
    "populations",
];

/// Descriptive modifiers trimmed from an entity's start (`modifiers.txt`; see
/// `scripts/build_software_lexicon.py`): determiners, quantifiers, state and provenance words.
static MODIFIERS: std::sync::LazyLock<std::collections::HashSet<&'static str>> =
    std::sync::LazyLock::new(|| {
        include_str!("modifiers.txt")
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .collect()
    });

/// Trims a first word that is a descriptive modifier (`specific mRNA transcripts` → `mRNA
/// transcripts`, `Cryopreserved PBMCs` → `PBMCs`) or a possessive (`HIV's envelope protein` →
/// `envelope protein`), and a possessive ending (`Env's` → `Env`). Never the last word, and never
/// in front of a conjunction (`functional and non-functional receptors` stays whole). A possessive
/// first word stays when `possessive` is false: diseases are named so (`Alzheimer's disease`).
fn trim_modifiers(prose: &str, start: &mut usize, end: &mut usize, possessive: bool) {
    let text = &prose[*start..*end];
    for ending in ["'s", "’s"] {
        if let Some(stem) = text.strip_suffix(ending)
            && stem.chars().filter(|c| c.is_alphanumeric()).count() >= 2
        {
            *end -= ending.len();
            return;
        }
    }
    let Some(space) = text.find(' ') else {
        return;
    };
    let first = &text[..space];
    let next = text[space + 1..].split(' ').next().unwrap_or_default();
    if matches!(next, "and" | "or" | "nor" | "&") || first.ends_with(',') {
        return;
    }
    let owner = possessive && ["'s", "’s"].iter().any(|ending| first.ends_with(ending));
    if owner || MODIFIERS.contains(first.to_lowercase().as_str()) {
        *start += space + 1;
    }
}

/// Drops a whole word at either end that is only math or inserted text, or citation residue.
fn trim_edge_words(paragraph: &Paragraph, source: &str, start: &mut usize, end: &mut usize) {
    let prose = paragraph.prose.as_str();
    let text = &prose[*start..*end];
    let Some(first_space) = text.find(char::is_whitespace) else {
        return; // one word: the drop rules decide
    };
    let last_space = text.rfind(char::is_whitespace).unwrap_or(first_space);
    let drop_word = |word: Range<usize>| {
        let piece = &prose[word.clone()];
        if is_bracketed_citation(piece) || FUNCTION_WORDS.contains(&piece) {
            return true;
        }
        !piece
            .char_indices()
            .any(|(offset, _)| origin(paragraph, source, word.start + offset) == Origin::Text)
    };
    if drop_word(*start..*start + first_space) {
        *start += first_space;
        return;
    }
    let last_word_start = *start + last_space + 1;
    if last_word_start < *end && drop_word(last_word_start..*end) {
        *end = *start + last_space;
    }
}

/// Words that are never a name's first or last word, nor a name (lower case only: `NO` is nitric
/// oxide, `AS` ankylosing spondylitis): `insufficient T and` → `insufficient T`, `as` dropped.
const FUNCTION_WORDS: [&str; 22] = [
    "a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "no", "nor", "not", "of", "on",
    "or", "than", "that", "the", "to", "which", "with",
];

/// `[12]`, `[1, 2]`, `[3–5]`: a bracketed list of numbers.
fn is_bracketed_citation(word: &str) -> bool {
    let Some(inner) = word.strip_prefix('[').and_then(|rest| {
        rest.trim_end_matches([')', ',', ';', ':', '.'])
            .strip_suffix(']')
    }) else {
        return false;
    };
    !inner.is_empty()
        && inner
            .chars()
            .all(|character| character.is_ascii_digit() || ",;–-— ".contains(character))
}

/// A number, a bracketed number list, or a word of a citation or cross-reference.
fn is_citation_word(word: &str) -> bool {
    let bare = word.trim_matches(|character: char| {
        is_opener(character) || is_closer(character) || ",;:.".contains(character)
    });
    if bare.is_empty() || is_bracketed_citation(word) {
        return true;
    }
    if bare
        .chars()
        .all(|character| character.is_ascii_digit() || ",.–-—/%".contains(character))
    {
        return true;
    }
    matches!(
        bare.to_lowercase().as_str(),
        "et" | "al"
            | "ibid"
            | "fig"
            | "figs"
            | "figure"
            | "figures"
            | "table"
            | "tables"
            | "eq"
            | "eqs"
            | "equation"
            | "ref"
            | "refs"
            | "section"
            | "sec"
            | "supplementary"
            | "appendix"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prose::{ExtractOptions, Language, extract};

    /// Tags `needle` (its first occurrence in the prose of the first paragraph) and returns what the
    /// guards make of it, as prose text.
    fn guarded(source: &str, language: Language, needle: &str) -> Option<String> {
        guarded_as(source, language, needle, "protein")
    }

    fn guarded_as(source: &str, language: Language, needle: &str, label: &str) -> Option<String> {
        let extraction = extract(source, language, &ExtractOptions::default());
        let paragraph = &extraction.paragraphs[0];
        let start = paragraph
            .prose
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in {:?}", paragraph.prose));
        let entity = Entity {
            range: start..start + needle.len(),
            label: label.into(),
            score: 0.9,
            alternatives: Vec::new(),
            tag: None,
        };
        let out = apply(paragraph, source, &[entity]);
        out.first()
            .map(|entity| paragraph.prose[entity.range.clone()].to_string())
    }

    /// Asserts that the guards drop each `(needle, label)` of `source`.
    fn assert_dropped(source: &str, language: Language, cases: &[(&str, &str)]) {
        for (needle, label) in cases {
            assert_eq!(
                guarded_as(source, language, needle, label),
                None,
                "{needle}"
            );
        }
    }

    /// Asserts that the guards keep each `(needle, label)` of `source` as it is.
    fn assert_kept(source: &str, language: Language, cases: &[(&str, &str)]) {
        for (needle, label) in cases {
            assert_eq!(
                guarded_as(source, language, needle, label).as_deref(),
                Some(*needle),
                "{needle}"
            );
        }
    }

    #[test]
    fn quantities_and_units_are_never_entities() {
        let md = "Cells in 50 µL of methanol (-30℃) got 120ul of virus and 2.5 mM EDTA; \
                  rates had units of nM^-1^ min^-1^.\n";
        for needle in ["-30℃", "30℃", "120ul", "2.5 mM", "nM", "50 µL"] {
            assert_eq!(
                guarded_as(md, Language::Markdown, needle, "chemical"),
                None,
                "{needle}"
            );
        }
        assert_eq!(
            guarded_as(md, Language::Markdown, "EDTA", "chemical").as_deref(),
            Some("EDTA")
        );
        assert_eq!(
            guarded_as(md, Language::Markdown, "methanol", "chemical").as_deref(),
            Some("methanol")
        );
        // Units are compared with their case: `M` is molar, a name like `MM` is not a unit.
        let names = "MM cells and IL-2 at 5 nM.\n";
        assert_eq!(
            guarded_as(names, Language::Plain, "MM", "cell_line").as_deref(),
            Some("MM")
        );
    }

    #[test]
    fn identifiers_mutations_sequences_and_cited_authors_are_not_entities() {
        let md = "Reads (ERR1341796, PRJNA257197) were mapped to GCA_001297185.1 at commit \
                  f9ab436915e55d3e847e759caf0721e23fec04e0 (patent US20150218260A1). The N88D and \
                  T332N mutants bound primer 5'-agataggttaattgagagaataag-3' as Navlakha et al. showed \
                  for T47D cells and cisplatin.\n";
        assert_dropped(
            md,
            Language::Markdown,
            &[
                ("ERR1341796", "chemical"),
                ("PRJNA257197", "protein"),
                ("GCA_001297185.1", "chemical"),
                ("f9ab436915e55d3e847e759caf0721e23fec04e0", "chemical"),
                ("US20150218260A1", "chemical"),
                ("N88D", "chemical"),
                ("T332N", "disease"),
                ("5'-agataggttaattgagagaataag-3'", "chemical"),
                ("Navlakha", "chemical"),
            ],
        );
        // A cell line has the shape of a substitution (`T47D`) and keeps its class; a drug stays.
        assert_kept(
            md,
            Language::Markdown,
            &[("T47D", "cell_line"), ("cisplatin", "chemical")],
        );
        // Short hexadecimal-looking names and names with few digits are not identifiers.
        let names = "cdc42 and ERR1 and SRR12 and ace1b2c were studied.\n";
        assert_kept(
            names,
            Language::Plain,
            &[
                ("cdc42", "protein"),
                ("ERR1", "protein"),
                ("SRR12", "protein"),
            ],
        );
        assert_dropped(names, Language::Plain, &[("ace1b2c", "protein")]);
    }

    #[test]
    fn processes_organs_and_fields_alone_are_not_chemicals_diseases_or_species() {
        let md = "DNA methylation in the lung, endocytosis of the spike protein and lung cancer.\n";
        assert_dropped(
            md,
            Language::Markdown,
            &[
                ("methylation", "chemical"),
                ("lung", "disease"),
                ("endocytosis", "disease"),
            ],
        );
        // With other words they stay; the JNLPBA classes keep theirs (`spike` of a viral protein).
        assert_kept(
            md,
            Language::Markdown,
            &[("lung cancer", "disease"), ("spike protein", "protein")],
        );
    }

    #[test]
    fn an_abbreviated_genus_takes_its_epithet() {
        let md = "Sand flies (L. intermedia) and C. elegans were kept; L. Sample was not.\n";
        let extraction = extract(md, Language::Markdown, &ExtractOptions::default());
        let paragraph = &extraction.paragraphs[0];
        let at = |needle: &str, length: usize| {
            let start = paragraph.prose.find(needle).unwrap();
            Entity {
                range: start..start + length,
                label: "species".into(),
                score: 0.9,
                alternatives: Vec::new(),
                tag: None,
            }
        };
        let entities = [
            at("L. intermedia", 2),
            at("C. elegans", 2),
            at("elegans", 7),
            at("L. Sample", 2),
        ];
        let out: Vec<&str> = apply(paragraph, md, &entities)
            .iter()
            .map(|entity| &paragraph.prose[entity.range.clone()])
            .collect();
        // `C.` stays short where the epithet is an entity of its own; a capitalised word is no
        // epithet (and a genus initial alone is too short to stay an entity).
        assert_eq!(out, ["L. intermedia", "elegans"]);
    }

    #[test]
    fn citation_keys_in_brackets_are_not_entities() {
        let md = "Many models incorporate its effects [Lao26022007; Byun1019]. IL-2 binds Gm12345 and CD25.\n";
        assert_eq!(
            guarded_as(md, Language::Markdown, "Lao26022007", "chemical"),
            None
        );
        assert_eq!(
            guarded_as(md, Language::Markdown, "Byun1019", "chemical"),
            None
        );
        // Outside brackets a name with digits stays (`Gm12345` is a mouse gene).
        assert_eq!(
            guarded_as(md, Language::Markdown, "Gm12345", "DNA").as_deref(),
            Some("Gm12345")
        );
    }

    #[test]
    fn hyphens_at_the_edges_and_capitalised_function_words_opening_a_sentence_go() {
        let md = "No-spin lentiviral transduction captured all *cis*-eQTLs. As levels rose, NO was made.\n";
        assert_eq!(guarded_as(md, Language::Markdown, "No-", "chemical"), None);
        assert_eq!(
            guarded_as(md, Language::Markdown, "cis-", "disease").as_deref(),
            Some("cis")
        );
        assert_eq!(guarded_as(md, Language::Markdown, "As", "chemical"), None);
        assert_eq!(
            guarded_as(md, Language::Markdown, "NO", "chemical").as_deref(),
            Some("NO")
        );
        // Inside a sentence a capitalised symbol stays: `As` is arsenic there.
        let arsenic = "Exposure to As and Cd was measured.\n";
        assert_eq!(
            guarded_as(arsenic, Language::Plain, "As", "chemical").as_deref(),
            Some("As")
        );
    }

    #[test]
    fn names_of_software_people_and_generic_nouns_are_not_chemicals_diseases_or_species() {
        let md = "AttentiveChrome and DeepSignal model cytosine methylation; we thank H. Suzuki. \
                  The disease and these drugs, a virus and Alzheimer's disease in E. coli and S. Typhimurium.\n";
        for (needle, label) in [
            ("AttentiveChrome", "chemical"),
            ("DeepSignal", "disease"),
            ("Suzuki", "chemical"),
            ("disease", "disease"),
            ("drugs", "chemical"),
            ("virus", "species"),
        ] {
            assert_eq!(
                guarded_as(md, Language::Markdown, needle, label),
                None,
                "{needle}"
            );
        }
        for (needle, label) in [
            ("cytosine", "chemical"),
            ("Alzheimer's disease", "disease"),
            ("coli", "species"),
            ("Typhimurium", "species"),
        ] {
            assert_eq!(
                guarded_as(md, Language::Markdown, needle, label).as_deref(),
                Some(needle),
                "{needle}"
            );
        }
        // Short mixed-case names are not camel case (`NaCl`, `CsA`); and the rule is for names only:
        // JNLPBA classes keep theirs.
        let mixed = "NaCl and CsA were given; PicoGreen stained MyoD-bound DNA.\n";
        for needle in ["NaCl", "CsA"] {
            assert_eq!(
                guarded_as(mixed, Language::Plain, needle, "chemical").as_deref(),
                Some(needle)
            );
        }
        assert_eq!(
            guarded_as(mixed, Language::Plain, "PicoGreen", "protein").as_deref(),
            Some("PicoGreen")
        );
        assert_eq!(
            guarded_as(mixed, Language::Plain, "PicoGreen", "chemical"),
            None
        );
    }

    #[test]
    fn a_word_of_a_longer_known_name_is_not_an_entity() {
        let md = "Where indicated, non-negative Tucker decomposition was used with Markov chain Monte Carlo.\n";
        assert_eq!(
            guarded_as(md, Language::Markdown, "Tucker", "disease"),
            None
        );
        assert_eq!(
            guarded_as(md, Language::Markdown, "Monte Carlo", "chemical"),
            None
        );
        let gene = "The IL-2 promoter was bound.\n";
        assert_eq!(
            guarded_as(gene, Language::Plain, "IL-2 promoter", "DNA").as_deref(),
            Some("IL-2 promoter")
        );
    }

    #[test]
    fn function_words_are_trimmed_off_the_edges_and_are_never_entities() {
        let source = "Patients with insufficient T and B cells, as no NO was made in the cells.\n";
        assert_eq!(
            guarded_as(source, Language::Markdown, "insufficient T and", "disease").as_deref(),
            Some("insufficient T")
        );
        assert_eq!(
            guarded_as(source, Language::Markdown, "as", "disease"),
            None
        );
        assert_eq!(
            guarded_as(source, Language::Markdown, "no", "chemical"),
            None
        );
        assert_eq!(
            guarded_as(source, Language::Markdown, "NO", "chemical").as_deref(),
            Some("NO")
        );
        assert_eq!(
            guarded(source, Language::Markdown, "T and B cells").as_deref(),
            Some("T and B cells")
        );
    }

    #[test]
    fn entities_of_one_class_touching_across_a_hyphen_are_one() {
        let source = "Cells were treated with DEAE-dextran and Janus-activated kinase-STAT3 or IL-2 and -6.\n";
        let extraction = extract(source, Language::Markdown, &ExtractOptions::default());
        let paragraph = &extraction.paragraphs[0];
        let at = |needle: &str, label: &str, score: f32| {
            let start = paragraph.prose.find(needle).expect("in the prose");
            Entity {
                range: start..start + needle.len(),
                label: label.into(),
                score,
                alternatives: Vec::new(),
                tag: None,
            }
        };
        let entities = [
            at("DEAE-", "chemical", 0.8),
            at("dextran", "chemical", 0.6),
            at("Janus-activated kinase", "protein", 0.9),
            at("-STAT3", "protein", 0.7),
            at("IL-2", "protein", 0.9),
            at("-6", "protein", 0.9),
        ];
        let out = apply(paragraph, source, &entities);
        let texts: Vec<&str> = out
            .iter()
            .map(|entity| &paragraph.prose[entity.range.clone()])
            .collect();
        // `IL-2 and -6` do not touch: two entities (and `-6` is dropped, one digit).
        assert_eq!(
            texts,
            ["DEAE-dextran", "Janus-activated kinase-STAT3", "IL-2"]
        );
        assert!((out[0].score - (0.8 * 5.0 + 0.6 * 7.0) / 12.0).abs() < 1e-6);
        // Other classes, or a gap, are not joined.
        let apart = [at("DEAE-", "chemical", 0.8), at("dextran", "protein", 0.6)];
        assert_eq!(apply(paragraph, source, &apart).len(), 2);
    }

    #[test]
    fn a_nucleic_acid_head_gives_its_class_and_the_model_class_becomes_the_runner_up() {
        let source = "Cells were transduced with sgRNAs against the IL-2 gene.\n";
        let extraction = extract(source, Language::Markdown, &ExtractOptions::default());
        let paragraph = &extraction.paragraphs[0];
        let at = |needle: &str| {
            let start = paragraph.prose.find(needle).expect("in the prose");
            start..start + needle.len()
        };
        let alternative = |label: &str, probability: f32| crate::ner::Alternative {
            label: label.into(),
            probability,
        };
        let entities = [
            Entity {
                range: at("sgRNAs"),
                label: "DNA".into(),
                score: 0.6,
                alternatives: vec![alternative("RNA", 0.3), alternative("O", 0.1)],
                tag: None,
            },
            Entity {
                range: at("IL-2 gene"),
                label: "DNA".into(),
                score: 0.9,
                alternatives: vec![alternative("protein", 0.1)],
                tag: None,
            },
        ];
        let out = apply(paragraph, source, &entities);
        assert_eq!(out[0].label, "RNA");
        assert!((out[0].score - 0.9).abs() < 1e-6, "{}", out[0].score);
        assert_eq!(
            out[0].alternatives,
            [alternative("DNA", 0.6), alternative("O", 0.1)]
        );
        assert_eq!(out[1], entities[1], "already the head's class: unchanged");
    }

    #[test]
    fn math_only_entities_are_dropped_in_markdown_and_latex() {
        let md = "The matrix $\\mathbf{T}$ and the value $p$ were fixed.\n";
        assert_eq!(guarded(md, Language::Markdown, "T"), None);
        assert_eq!(guarded(md, Language::Markdown, "p"), None);
        let tex = "The weight \\(w_a^k\\) of gene $a$ is $\\pi^*$ here.\n";
        let extraction = extract(tex, Language::Latex, &ExtractOptions::default());
        let prose = &extraction.paragraphs[0].prose;
        // whatever the math became, a candidate made of it alone goes
        for piece in extraction.paragraphs[0].map.pieces() {
            if piece.kind == PieceKind::Atomic {
                let text = &prose[piece.prose.clone()];
                assert_eq!(guarded(tex, Language::Latex, text), None, "{text:?}");
            }
        }
    }

    #[test]
    fn math_words_at_the_edges_are_trimmed_but_math_inside_a_word_is_kept() {
        let md = "Each kinase $a$ was tested, and TNF-$\\alpha$ rose.\n";
        assert_eq!(
            guarded(md, Language::Markdown, "kinase a").as_deref(),
            Some("kinase")
        );
        assert_eq!(
            guarded(md, Language::Markdown, "TNF-α").as_deref(),
            Some("TNF-α")
        );
        let tex = "Levels of TNF-$\\alpha$ and Ca$^{2+}$ channels rose.\n";
        assert_eq!(
            guarded(tex, Language::Latex, "TNF-α").as_deref(),
            Some("TNF-α")
        );
        assert_eq!(
            guarded(tex, Language::Latex, "Ca2+ channels").as_deref(),
            Some("Ca2+ channels")
        );
    }

    #[test]
    fn placeholders_punctuation_single_characters_and_citations_are_dropped() {
        let tex = "As shown in Figure~\\ref{fig:a}, the IL-2 receptor binds.\n";
        let extraction = extract(tex, Language::Latex, &ExtractOptions::default());
        let paragraph = &extraction.paragraphs[0];
        let synthetic = paragraph
            .map
            .pieces()
            .iter()
            .find(|piece| piece.kind == PieceKind::Synthetic && !piece.prose.is_empty())
            .filter(|piece| !paragraph.prose[piece.prose.clone()].trim().is_empty())
            .expect("the \\ref stand-in");
        let placeholder = paragraph.prose[synthetic.prose.clone()].to_string();
        assert_eq!(guarded(tex, Language::Latex, &placeholder), None);
        assert_eq!(
            guarded(tex, Language::Latex, &format!("Figure {placeholder}")),
            None
        );
        assert_eq!(
            guarded(tex, Language::Latex, "IL-2 receptor").as_deref(),
            Some("IL-2 receptor")
        );

        let md = "Binding (see [12]) of X to the B7-1 ligand -- and 2019 -- was weak.\n";
        assert_eq!(guarded(md, Language::Markdown, "[12]"), None);
        assert_eq!(guarded(md, Language::Markdown, "X"), None);
        assert_eq!(guarded(md, Language::Markdown, "2019"), None);
        assert_eq!(guarded(md, Language::Markdown, "--"), None);
        assert_eq!(guarded(md, Language::Markdown, "[12])"), None);
        assert_eq!(
            guarded(md, Language::Markdown, "[12]) of X to the B7-1").as_deref(),
            Some("X to the B7-1")
        );
    }

    #[test]
    fn quotes_brackets_and_separators_are_trimmed_from_edges() {
        let md = "The so-called \"private\" receptors, (CD28 and CTLA-4), bind B7 [ligands].\n";
        assert_eq!(
            guarded(md, Language::Markdown, "private\" receptors").as_deref(),
            Some("private\" receptors"),
            "a quote inside the entity stays"
        );
        assert_eq!(
            guarded(md, Language::Markdown, "\"private\" receptors,").as_deref(),
            Some("private\" receptors")
        );
        assert_eq!(
            guarded(md, Language::Markdown, "(CD28").as_deref(),
            Some("CD28")
        );
        assert_eq!(
            guarded(md, Language::Markdown, "CTLA-4),").as_deref(),
            Some("CTLA-4")
        );
        assert_eq!(
            guarded(md, Language::Markdown, "(CD28 and CTLA-4)").as_deref(),
            Some("(CD28 and CTLA-4)")
        );
        assert_eq!(
            guarded(md, Language::Markdown, "[ligands]").as_deref(),
            Some("[ligands]")
        );
        let primes = "The 5' UTR and the 3' end of 'NF-kappa B' differ.\n";
        assert_eq!(
            guarded(primes, Language::Plain, "5' UTR").as_deref(),
            Some("5' UTR")
        );
        assert_eq!(
            guarded(primes, Language::Plain, "'NF-kappa B'").as_deref(),
            Some("NF-kappa B")
        );
    }

    #[test]
    fn software_names_and_near_letterless_candidates_are_dropped() {
        let md =
            "Reads were mapped with Minimap2 and BWA-MEM, compiled with C++, in muscle cells.\n";
        assert_eq!(guarded(md, Language::Markdown, "Minimap2"), None);
        assert_eq!(guarded(md, Language::Markdown, "BWA-MEM"), None);
        assert_eq!(guarded(md, Language::Markdown, "C++"), None);
        assert_eq!(
            guarded(md, Language::Markdown, "muscle cells").as_deref(),
            Some("muscle cells")
        );
        let tex = "We ran \texttt{samtools 1.9} on StAR and IL-2 reads.\n";
        assert_eq!(guarded(tex, Language::Latex, "samtools 1.9"), None);
        assert_eq!(
            guarded(tex, Language::Latex, "StAR").as_deref(),
            Some("StAR")
        );
        assert_eq!(
            guarded(tex, Language::Latex, "IL-2").as_deref(),
            Some("IL-2")
        );
        let named = "Fitting used the Python package PyMC3 and the Seurat toolkit on CD4 cells.\n";
        assert_eq!(guarded(named, Language::Plain, "PyMC3"), None);
        assert_eq!(guarded(named, Language::Plain, "Seurat"), None);
        assert_eq!(
            guarded(named, Language::Plain, "CD4 cells").as_deref(),
            Some("CD4 cells")
        );
    }

    #[test]
    fn a_bracket_opened_or_closed_inside_alone_cuts_the_entity() {
        let md = "| CD45RA (HI100 | 1:120 |\n\nThe IL-2) receptor binds IL-2 (human).\n";
        let extraction = extract(md, Language::Markdown, &ExtractOptions::default());
        assert!(
            extraction.paragraphs.len() >= 2,
            "{:?}",
            extraction.paragraphs
        );
        let plain = "Stained for CD45RA (HI100 and CD3 (UCHT1) cells; the IL-2) kinase.\n";
        assert_eq!(
            guarded(plain, Language::Plain, "CD45RA (HI100").as_deref(),
            Some("CD45RA")
        );
        assert_eq!(
            guarded(plain, Language::Plain, "CD3 (UCHT1)").as_deref(),
            Some("CD3 (UCHT1)"),
            "a closed pair stays"
        );
        assert_eq!(
            guarded(plain, Language::Plain, "IL-2) kinase").as_deref(),
            Some("kinase")
        );
    }

    #[test]
    fn known_names_organisations_and_techniques_are_dropped_in_markdown_and_latex() {
        let md = "Expression came from GTEx and recount2, sequenced by the Fred Hutch Genomics \
                  Core with RNA-seq, modelled with VAEs and deep neural networks (TaKaRa), while \
                  IL-2 bound CD25.\n";
        for needle in [
            "GTEx",
            "recount2",
            "Fred Hutch Genomics Core",
            "RNA-seq",
            "VAEs",
            "deep neural networks",
            "TaKaRa",
        ] {
            assert_eq!(guarded(md, Language::Markdown, needle), None, "{needle}");
        }
        for entity in ["IL-2", "CD25"] {
            assert_eq!(
                guarded(md, Language::Markdown, entity).as_deref(),
                Some(entity)
            );
        }
        let tex = "Genes were looked up in the \\emph{Ensembl Genome} browser; \\textit{HIV-1 LTR} \
                   and the BG505 strain were cloned.\n";
        assert_eq!(guarded(tex, Language::Latex, "Ensembl Genome"), None);
        assert_eq!(guarded(tex, Language::Latex, "BG505"), None);
        assert_eq!(
            guarded(tex, Language::Latex, "HIV-1 LTR").as_deref(),
            Some("HIV-1 LTR")
        );
    }

    #[test]
    fn a_known_chemical_or_virus_is_kept_where_it_is_its_own_class() {
        let md = "Cells were treated with cisplatin and DMSO before HIV infection.\n";
        for needle in ["cisplatin", "DMSO", "HIV"] {
            assert_eq!(guarded(md, Language::Markdown, needle), None, "{needle}");
        }
        for needle in ["cisplatin", "DMSO"] {
            assert_eq!(
                guarded_as(md, Language::Markdown, needle, "chemical").as_deref(),
                Some(needle)
            );
            assert_eq!(guarded_as(md, Language::Markdown, needle, "species"), None);
        }
        assert_eq!(
            guarded_as(md, Language::Markdown, "HIV", "species").as_deref(),
            Some("HIV")
        );
        assert_eq!(guarded_as(md, Language::Markdown, "HIV", "chemical"), None);
    }

    #[test]
    fn descriptive_modifiers_and_possessives_are_trimmed_from_the_start() {
        let text = "Cryopreserved PBMCs, specific mRNA transcripts, HIV's envelope protein, the Env's \
                    tail, functional and non-functional receptors, human IL-2, activated T cells, \
                    primary cells and several.\n";
        for (candidate, kept) in [
            ("Cryopreserved PBMCs", "PBMCs"),
            ("specific mRNA transcripts", "mRNA transcripts"),
            ("HIV's envelope protein", "envelope protein"),
            ("Env's", "Env"),
            (
                "functional and non-functional receptors",
                "functional and non-functional receptors",
            ),
            ("human IL-2", "human IL-2"),
            ("activated T cells", "activated T cells"),
            ("primary cells", "primary cells"),
        ] {
            assert_eq!(
                guarded(text, Language::Plain, candidate).as_deref(),
                Some(kept),
                "{candidate}"
            );
        }
        assert_eq!(
            guarded(text, Language::Plain, "several"),
            None,
            "a lone quantifier"
        );
        assert_eq!(
            guarded(text, Language::Plain, "cells"),
            None,
            "a generic head alone"
        );
        assert_eq!(
            guarded(text, Language::Plain, "primary cells").as_deref(),
            Some("primary cells")
        );
    }

    #[test]
    fn catalogue_numbers_are_not_entities() {
        let md =
            "ExTaq DNA Polymerase (TaKaRa, Cat. RR001A) and IL-2 (Cat. No. 202-IL) were used.\n";
        assert_eq!(guarded(md, Language::Markdown, "Cat. RR001A"), None);
        assert_eq!(guarded(md, Language::Markdown, "RR001A"), None);
        assert_eq!(guarded(md, Language::Markdown, "202-IL"), None);
        let supplier = "Assembled with HiFi mix (NEB, E2621S) in HEK cells (ATCC PCS-800-011) with IL-2 \
                        (PeproTech, IL-2).\n";
        assert_eq!(guarded(supplier, Language::Plain, "E2621S"), None);
        assert_eq!(guarded(supplier, Language::Plain, "PCS-800-011"), None);
        assert_eq!(
            guarded(supplier, Language::Plain, "IL-2).").as_deref(),
            Some("IL-2")
        );
        assert_eq!(
            guarded(md, Language::Markdown, "ExTaq DNA Polymerase").as_deref(),
            Some("ExTaq DNA Polymerase")
        );
        assert_eq!(
            guarded(md, Language::Markdown, "IL-2").as_deref(),
            Some("IL-2")
        );
    }

    #[test]
    fn nothing_inside_web_or_mail_addresses_or_dois_is_an_entity() {
        let md = "Code is at https://github.com/meyer-lab/gc-cytokines (write to il2@lab.org; doi 10.1101/2020.IL2), and IL-2 binds.\n";
        for needle in ["meyer", "gc-cytokines", "il2", "IL2"] {
            assert_eq!(guarded(md, Language::Plain, needle), None, "{needle}");
        }
        assert_eq!(
            guarded(md, Language::Plain, "IL-2").as_deref(),
            Some("IL-2")
        );
        let markdown = "See <https://www.ncbi.nlm.nih.gov/gene/TP53> for TP53.\n";
        assert_eq!(
            guarded(markdown, Language::Markdown, "TP53").as_deref(),
            Some("TP53")
        );
    }

    #[test]
    fn a_plain_entity_passes_unchanged() {
        let text = "Activated T cells secrete interleukin-2.\n";
        assert_eq!(
            guarded(text, Language::Plain, "T cells").as_deref(),
            Some("T cells")
        );
        assert_eq!(
            guarded(text, Language::Plain, "interleukin-2").as_deref(),
            Some("interleukin-2")
        );
    }
}
