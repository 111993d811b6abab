//! The project index: the entities of the workspace folders' manuscripts, open or not, so that
//! references and workspace symbols reach files the editor never opened.
//!
//! After a model is ready, the workspace looks for manuscripts (`.md`, `.qmd`, `.Rmd`, `.tex`)
//! below its folders, honouring `.gitignore` (and `.ignore`), at most `index.maxFiles` of them
//! and none larger than `index.maxFileSize`, and tags them on the worker thread as background work
//! ([`crate::analysis::scheduler::Scheduler::run_when_idle`]): only while no document job waits,
//! stopping between batches of paragraphs as soon as an edit arrives (the paragraphs done so far
//! are in the paragraph cache, so nothing is lost). Each file goes through the same pipeline as an
//! open document (`Analyzer::analyze`, the file's project glossary). Results are kept on disk
//! ([`super::index_cache`]) keyed by the file's content, the model and the settings and glossary
//! that change entities, so a restart reads them back instead of tagging again.
//!
//! An open document always wins over its indexed copy: references and symbols use the open text.

use std::collections::VecDeque;
use std::hash::Hash;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use dashmap::DashMap;
use ropey::Rope;

use super::index_cache::{DiskCache, Lookup, platform_cache_directory, stable_hash};
use super::latex_project::{FactsCache, ProjectLimits, project_macros_on_disk};
use super::{Event, Settings, Workspace};
use crate::analysis::{
    AnalysisError, AnalysisRequest, AnalysisSettings, Analyzer, ModelState, SourceEntity,
};
use crate::glossary::Glossary;
use crate::glossary::store::GlossaryStore;
use crate::prose::Language;

/// The extensions of the manuscripts found in a folder (case does not matter): Markdown (with
/// Quarto and R Markdown) and LaTeX. `scitag tag`, `list` and `check` take the same files.
pub const MANUSCRIPT_EXTENSIONS: &[&str] = &["md", "markdown", "qmd", "rmd", "tex", "ltx"];

/// Whether `path` names a manuscript by its extension.
pub fn is_manuscript(path: &Path) -> bool {
    path.extension()
        .and_then(|extension| extension.to_str())
        .is_some_and(|extension| {
            MANUSCRIPT_EXTENSIONS
                .iter()
                .any(|known| extension.eq_ignore_ascii_case(known))
        })
}

/// The most directory entries one discovery looks at in a workspace folder: a folder that is a
/// home directory must not keep the discovery walking for minutes.
pub const MAX_WALK_ENTRIES: usize = 200_000;

/// The manuscripts below `directory`, sorted by path: files the `.gitignore` and `.ignore` files
/// on the way exclude are left out (inside a git repository or not), and so are hidden files and
/// folders; unreadable folders are skipped with a log line. It stops after `max_files` manuscripts
/// or `max_entries` entries (in path order: the walk visits each folder's entries sorted by name);
/// the flag says whether it stopped early.
fn walk_manuscripts(
    directory: &Path,
    max_files: usize,
    max_entries: usize,
) -> (Vec<PathBuf>, bool) {
    let mut found = Vec::new();
    let mut visited = 0usize;
    let mut stopped = false;
    // `.gitignore` counts outside a git repository too (a copied or unpacked project).
    let walk = ignore::WalkBuilder::new(directory)
        .require_git(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    for entry in walk {
        visited += 1;
        if visited > max_entries || found.len() >= max_files {
            stopped = true;
            break;
        }
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                tracing::warn!("skipping: {error}");
                continue;
            }
        };
        let is_file = entry.file_type().is_some_and(|kind| kind.is_file());
        if is_file && is_manuscript(entry.path()) {
            found.push(entry.into_path());
        }
    }
    found.sort();
    (found, stopped)
}

/// One indexed file.
pub(super) struct IndexedFile {
    pub(super) text: Rope,
    /// Sorted, in bytes of `text`, after the guards, the glossary and ignore comments.
    pub(super) entities: Arc<Vec<SourceEntity>>,
    /// The project glossary that governed it (its `[settings]` classes apply to what is shown).
    pub(super) glossary: Option<Arc<Glossary>>,
}

/// The index in numbers, for status reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IndexStatus {
    /// Files indexed.
    pub files: usize,
    /// A pass is finding or tagging files.
    pub indexing: bool,
    /// Files read from the disk cache since the start.
    pub from_cache: u64,
    /// Files tagged since the start.
    pub tagged: u64,
    /// Files skipped since the start: too large, unreadable, not UTF-8, or past `maxFiles`.
    pub skipped: u64,
}

/// The index's state, shared with the background work.
#[derive(Default)]
pub(super) struct ProjectIndex {
    pub(super) files: DashMap<PathBuf, IndexedFile>,
    /// The current pass; an older pass stops at its next file.
    pass: AtomicU64,
    indexing: AtomicBool,
    from_cache: AtomicU64,
    tagged: AtomicU64,
    skipped: AtomicU64,
}

/// What indexing one file came to.
enum Outcome {
    Indexed,
    Skipped,
    /// Other work arrived; the file is tried again later.
    Interrupted,
    /// No model (loading or failed): the pass stops; the next model load starts a new one.
    NoModel,
}

/// Everything the background work needs, without the workspace itself.
struct Indexer {
    index: Arc<ProjectIndex>,
    analyzer: Arc<Analyzer>,
    glossaries: Arc<GlossaryStore>,
    settings: Arc<Settings>,
    cache: Option<DiskCache>,
    /// The workspace folders, canonical, and the LaTeX facts: a closed chapter reads the macros
    /// of its LaTeX project as an open one does.
    latex_roots: Arc<Vec<PathBuf>>,
    latex_facts: Arc<FactsCache>,
}

impl Indexer {
    fn skip(&self, path: &Path, why: &str) -> Outcome {
        tracing::info!("index: skipping {}: {why}", path.display());
        self.index.files.remove(path);
        self.index.skipped.fetch_add(1, Ordering::Relaxed);
        Outcome::Skipped
    }

    /// Reads, looks up or tags, and stores one file.
    fn index_file(&self, path: &Path, interrupted: &dyn Fn() -> bool) -> Outcome {
        let classifier = match self.analyzer.model_state() {
            ModelState::Ready(classifier) => classifier,
            _ => return Outcome::NoModel,
        };
        let limit = self.settings.index.max_file_bytes;
        match std::fs::metadata(path) {
            Ok(metadata) if metadata.len() > limit => {
                return self.skip(
                    path,
                    &format!("larger than {limit} bytes (index.maxFileSize)"),
                );
            }
            Ok(_) => {}
            Err(error) => return self.skip(path, &error.to_string()),
        }
        let text = match std::fs::read(path).map(String::from_utf8) {
            Ok(Ok(text)) => text,
            Ok(Err(_)) => return self.skip(path, "not UTF-8 text"),
            Err(error) => return self.skip(path, &error.to_string()),
        };
        let lookup = self.glossaries.lookup(path);
        if let Some(error) = &lookup.new_error {
            tracing::warn!("index: {error}");
        }
        let glossary = lookup.glossary;
        let mut extract = self.settings.extract_for(glossary.as_deref());
        extract.latex_macros = project_macros_on_disk(
            path,
            &text,
            &self.latex_roots,
            &self.latex_facts,
            ProjectLimits {
                max_file_bytes: limit,
            },
            &extract,
        );
        // The project's macros are part of the settings, so of the cache key below.
        let settings = Arc::new(AnalysisSettings {
            aggregation: self.settings.aggregation,
            decode: self.settings.decode,
            extract,
            // The index serves references and symbols, which need no identifiers.
            link: false,
        });
        // What makes the entities of this text what they are.
        // The build's pipeline sources are part of it (build.rs: `SCITAG_PIPELINE_HASH`).
        let fingerprint = format!(
            "{}|{}|{:x}|{:?}|{:?}",
            env!("CARGO_PKG_VERSION"),
            env!("SCITAG_PIPELINE_HASH"),
            classifier.identity(),
            settings,
            glossary.as_deref()
        );
        let key = format!(
            "{:016x}-{:016x}",
            stable_hash(text.as_bytes()),
            stable_hash(fingerprint.as_bytes())
        );
        let cached = match &self.cache {
            Some(cache) => cache.load(path, &key, &text),
            None => Lookup::Miss,
        };
        let entities = match cached {
            Lookup::Hit(entities) => {
                self.index.from_cache.fetch_add(1, Ordering::Relaxed);
                entities
            }
            Lookup::Miss | Lookup::Corrupt => {
                let request = AnalysisRequest {
                    text: text.clone(),
                    version: 0,
                    language: Language::from_path(path),
                    settings,
                    partial_results: false,
                    focus: None,
                    glossary: glossary.clone(),
                    background: true,
                    previous: None,
                };
                let analysis = match self.analyzer.analyze(
                    &request,
                    &|| !interrupted(),
                    &mut |_, _| {},
                    &mut |_| {},
                ) {
                    Ok(analysis) => analysis,
                    Err(AnalysisError::Stale) => return Outcome::Interrupted,
                    Err(AnalysisError::ModelLoading) => return Outcome::NoModel,
                    Err(AnalysisError::Model(error)) => {
                        return self.skip(path, &format!("tagging failed: {error}"));
                    }
                };
                self.index.tagged.fetch_add(1, Ordering::Relaxed);
                if let Some(cache) = &self.cache {
                    cache.store(path, &key, &analysis.entities);
                }
                analysis.entities
            }
        };
        self.index.files.insert(
            path.to_path_buf(),
            IndexedFile {
                text: Rope::from_str(&text),
                entities: Arc::new(entities),
                glossary,
            },
        );
        Outcome::Indexed
    }
}

impl<K: Eq + Hash + Clone + Send + Sync + 'static> Workspace<K> {
    fn indexer(&self) -> Indexer {
        let settings = self.settings();
        let cache = settings
            .index
            .cache_directory
            .clone()
            .or_else(platform_cache_directory)
            .map(DiskCache::new);
        Indexer {
            index: self.index.clone(),
            analyzer: self.analyzer.clone(),
            glossaries: self.glossaries.clone(),
            settings,
            cache,
            latex_roots: self.latex_roots(),
            latex_facts: self.latex.cache.clone(),
        }
    }

    /// Starts a new pass over the workspace folders' manuscripts in the background (an older pass
    /// stops); reports [`Event::IndexProgress`]. Without folders, or with `index.enabled` off, the
    /// index is emptied.
    pub fn index_project(&self) {
        let pass = self.index.pass.fetch_add(1, Ordering::SeqCst) + 1;
        let roots = self.roots();
        let indexer = self.indexer();
        if !indexer.settings.index.enabled || roots.is_empty() {
            self.index.files.clear();
            // A pass that was running stops at its next file: end its progress report.
            if self.index.indexing.swap(false, Ordering::SeqCst) {
                (self.events)(Event::IndexProgress { done: 0, total: 0 });
            }
            return;
        }
        self.index.indexing.store(true, Ordering::SeqCst);
        let events = self.events.clone();
        let background = self.scheduler.background();
        // Discovery reads directories only: on its own thread, so that a huge folder never keeps
        // the worker (and a keystroke's job) waiting. It hands the files to the worker as background
        // work.
        let spawned = std::thread::Builder::new()
            .name("scitag-index-discovery".to_owned())
            .spawn(move || {
                if indexer.index.pass.load(Ordering::SeqCst) != pass {
                    return;
                }
                let files = discover(&roots, &indexer);
                let total = files.len();
                events(Event::IndexProgress { done: 0, total });
                let mut queue: VecDeque<PathBuf> = files.into();
                let mut done = 0;
                background.run_when_idle(move |idle| {
                    let index = &indexer.index;
                    while let Some(path) = queue.pop_front() {
                        if index.pass.load(Ordering::SeqCst) != pass {
                            return true;
                        }
                        if idle.interrupted() {
                            queue.push_front(path);
                            return false;
                        }
                        match indexer.index_file(&path, &|| idle.interrupted()) {
                            Outcome::Interrupted => {
                                queue.push_front(path);
                                return false;
                            }
                            Outcome::NoModel => {
                                index.indexing.store(false, Ordering::SeqCst);
                                events(Event::IndexProgress { done: total, total });
                                return true;
                            }
                            Outcome::Indexed | Outcome::Skipped => {}
                        }
                        done += 1;
                        events(Event::IndexProgress { done, total });
                    }
                    if index.pass.load(Ordering::SeqCst) == pass {
                        index.indexing.store(false, Ordering::SeqCst);
                    }
                    true
                });
            });
        if let Err(error) = spawned {
            tracing::error!("index: could not start the discovery thread: {error}");
            self.index.indexing.store(false, Ordering::SeqCst);
        }
    }

    /// Follows a manuscript changed on disk: re-indexes it in the background (or forgets it when
    /// deleted). False when `path` is no manuscript of a workspace folder (or the index is off).
    pub fn manuscript_file_changed(&self, path: &Path, deleted: bool) -> bool {
        let indexer = self.indexer();
        if !indexer.settings.index.enabled
            || !is_manuscript(path)
            || !self.roots().iter().any(|root| path.starts_with(root))
        {
            return false;
        }
        if deleted {
            self.index.files.remove(path);
            return true;
        }
        let path = path.to_path_buf();
        self.scheduler.run_when_idle(move |idle| {
            match indexer.index_file(&path, &|| idle.interrupted()) {
                Outcome::Interrupted => false,
                Outcome::Indexed | Outcome::Skipped | Outcome::NoModel => true,
            }
        });
        true
    }

    /// The index in numbers.
    pub fn index_status(&self) -> IndexStatus {
        IndexStatus {
            files: self.index.files.len(),
            indexing: self.index.indexing.load(Ordering::SeqCst),
            from_cache: self.index.from_cache.load(Ordering::Relaxed),
            tagged: self.index.tagged.load(Ordering::Relaxed),
            skipped: self.index.skipped.load(Ordering::Relaxed),
        }
    }
}

/// The manuscripts of `roots`, each once, in path order, at most `index.maxFiles`; files no longer
/// found leave the index.
fn discover(roots: &[PathBuf], indexer: &Indexer) -> Vec<PathBuf> {
    let limit = indexer.settings.index.max_files;
    let mut files = Vec::new();
    for root in roots {
        let (found, stopped) = walk_manuscripts(root, limit + 1, MAX_WALK_ENTRIES);
        if stopped {
            tracing::warn!(
                "index: stopped looking in {} after {limit} manuscripts (index.maxFiles) or {MAX_WALK_ENTRIES} entries",
                root.display()
            );
        }
        files.extend(found);
    }
    files.sort();
    files.dedup();
    if files.len() > limit {
        tracing::warn!("index: indexing the first {limit} manuscripts (index.maxFiles)");
        indexer
            .index
            .skipped
            .fetch_add((files.len() - limit) as u64, Ordering::Relaxed);
        files.truncate(limit);
    }
    indexer
        .index
        .files
        .retain(|path, _| files.binary_search(path).is_ok());
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_give_their_manuscripts_sorted_and_gitignore_is_honoured() {
        let directory = tempfile::tempdir().expect("temp dir");
        let root = directory.path();
        // No `.git` here: the `.gitignore` counts anyway.
        std::fs::create_dir_all(root.join("chapters/build")).expect("dirs");
        std::fs::create_dir_all(root.join(".hidden")).expect("dirs");
        for (name, text) in [
            ("b.tex", "x"),
            ("a.md", "x"),
            ("chapters/one.qmd", "x"),
            ("chapters/two.Rmd", "x"),
            ("chapters/build/out.md", "x"),
            ("notes.txt", "x"),
            ("chapters/secret.md", "x"),
            (".hidden/draft.md", "x"),
            (".gitignore", "build/\nsecret.md\n"),
        ] {
            std::fs::write(root.join(name), text).expect("write");
        }
        let found: Vec<String> = walk_manuscripts(root, usize::MAX, usize::MAX)
            .0
            .iter()
            .map(|path| {
                path.strip_prefix(root)
                    .expect("inside")
                    .display()
                    .to_string()
            })
            .collect();
        assert_eq!(
            found,
            ["a.md", "b.tex", "chapters/one.qmd", "chapters/two.Rmd"]
        );
        assert!(is_manuscript(Path::new("x.TEX")) && !is_manuscript(Path::new("x.txt")));
        // Bounded: the first manuscripts in path order, and a flag that the walk stopped early.
        let (first, stopped) = walk_manuscripts(root, 2, MAX_WALK_ENTRIES);
        assert_eq!(first, [root.join("a.md"), root.join("b.tex")]);
        assert!(stopped);
        let (_, stopped) = walk_manuscripts(root, 100, 3);
        assert!(stopped, "at most 3 entries looked at");
        assert!(!walk_manuscripts(root, 100, MAX_WALK_ENTRIES).1);
    }
}
