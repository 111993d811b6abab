//! LaTeX projects: the document graph that `\input`, `\include`, `\subfile`, `\import`,
//! `\subimport` and a `% !TEX root = …` comment define, and the macros its files declare, so that
//! a chapter opened alone reads `\fcgr{}` as the root file defines it.
//!
//! What a file says (its links, its magic comment, its macros) comes from
//! [`crate::prose::latex_file_facts`]; this module finds and reads the files, and it is the only
//! place that does. Safety comes first, because a manuscript is untrusted input:
//! - only files under the workspace folders are read: a name is checked lexically (`..` and
//!   absolute names) before any file system call, and again after symlinks are resolved, so
//!   `\input{../../etc/passwd}` or a symlink that leads outside is not followed (a hint on the
//!   `\input` says so);
//! - files larger than `index.maxFileSize` are skipped (a hint says so), and so is text that is
//!   not UTF-8;
//! - every file is visited once (a cycle is cut where it closes) and a graph holds at most
//!   [`MAX_GRAPH_FILES`] files; looking for the root of a file without a magic comment reads at
//!   most [`MAX_ROOT_CANDIDATES`] files of its folder and the two above it.
//!
//! Facts are cached per file: by size and modification time for a file on disk, by content for
//! an open document, so that a keystroke costs a scan of the open document's own links (no
//! extraction) and a few `stat` calls.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use ropey::Rope;

use super::index_cache::stable_hash;
use crate::prose::{ExtractOptions, LatexFileFacts, LinkKind, latex_file_facts};

/// The most files one document graph holds.
pub const MAX_GRAPH_FILES: usize = 128;
/// The most files looked at when searching the root of a file that names none.
pub const MAX_ROOT_CANDIDATES: usize = 64;
/// The most cached facts; the cache is emptied when it grows past this.
const MAX_CACHED: usize = 4096;

/// The diagnostic code of the hints about a document's LaTeX project: a link that is not followed
/// (outside the workspace folders, too large, unreadable) or a `% !TEX root` that names no file.
pub const LATEX_PROJECT_CODE: &str = "latex-project";

/// The macros that the rest of the LaTeX project of the file at `path` defines, with the files
/// read from disk and `text` as the file's own text; `roots` are the folders that may be read.
/// The project index and the command line use this; the server resolves with the open
/// documents' texts instead ([`Resolver`]). `roots` must be canonical ([`canonical_roots`]). Empty
/// for a file that is not LaTeX or lies outside the roots.
pub fn project_macros_on_disk(
    path: &Path,
    text: &str,
    roots: &[PathBuf],
    cache: &FactsCache,
    limits: ProjectLimits,
    options: &ExtractOptions,
) -> Vec<(String, String)> {
    let is_latex = crate::prose::Language::from_path(path) == crate::prose::Language::Latex;
    let Some(path) = is_latex.then(|| path.canonicalize().ok()).flatten() else {
        return Vec::new();
    };
    let mut base = options.clone();
    base.latex_macros.clear();
    let open = HashMap::new();
    let resolver = Resolver {
        roots,
        open: &open,
        cache,
        limits,
        options: &base,
    };
    resolver.resolve(&path, text).macros
}

/// Something to tell the user about a link of the document (a hint diagnostic).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectHint {
    /// In bytes of the document's text.
    pub range: Range<usize>,
    pub message: String,
}

/// A document's LaTeX project.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LatexProject {
    /// The root file (the document itself when it names none and none was found).
    pub root: Option<PathBuf>,
    /// Every file of the graph, the root first, in the order LaTeX reads them (canonical paths).
    pub files: Vec<PathBuf>,
    /// The macros the other files of the graph define, in reading order (a later definition
    /// replaces an earlier one).
    pub macros: Vec<(String, String)>,
    pub hints: Vec<ProjectHint>,
}

/// Limits on what a graph reads.
#[derive(Clone, Copy, Debug)]
pub struct ProjectLimits {
    pub max_file_bytes: u64,
}

struct DiskFacts {
    length: u64,
    modified: Option<SystemTime>,
    facts: Arc<LatexFileFacts>,
}

/// The facts of files, cached.
#[derive(Default)]
pub struct FactsCache {
    disk: Mutex<HashMap<PathBuf, DiskFacts>>,
    by_content: Mutex<HashMap<u64, Arc<LatexFileFacts>>>,
    /// The open documents' facts by the version they were read at: a keystroke in one chapter
    /// does not copy and hash the text of every other open chapter again.
    open: Mutex<HashMap<PathBuf, (i32, Arc<LatexFileFacts>)>>,
}

/// Why a file is not read.
enum Refusal {
    Outside,
    TooLarge(u64),
    Unreadable(String),
    Missing,
}

impl std::fmt::Debug for FactsCache {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("FactsCache").finish_non_exhaustive()
    }
}

impl FactsCache {
    /// Forgets the facts of `path` (it changed on disk); returns the macros it was known to
    /// define (`None` when it was not cached).
    pub fn forget(&self, path: &Path) -> Option<Vec<(String, String)>> {
        let mut disk = self
            .disk
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut old = disk.remove(path);
        if let Ok(canonical) = path.canonicalize() {
            old = disk.remove(&canonical).or(old);
        }
        old.map(|old| old.facts.macros.clone())
    }

    /// The macros the file at `path` defines now, read from disk (`None` when it cannot be read
    /// within `limits`).
    pub fn macros_on_disk(
        &self,
        path: &Path,
        limits: ProjectLimits,
        options: &ExtractOptions,
    ) -> Option<Vec<(String, String)>> {
        let canonical = path.canonicalize().ok()?;
        let facts = self.of_file(&canonical, limits, options).ok()?;
        Some(facts.macros.clone())
    }

    /// Forgets the open document's facts (it was opened again, or closed): its versions start
    /// again.
    pub fn forget_open(&self, path: &Path) {
        self.open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(path);
    }

    /// The facts of the open document at `path`, at `version`.
    fn of_open(
        &self,
        path: &Path,
        version: i32,
        text: &Rope,
        options: &ExtractOptions,
    ) -> Arc<LatexFileFacts> {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((seen, facts)) = open.get(path)
            && *seen == version
        {
            return facts.clone();
        }
        let facts = self.of_text(&text.to_string(), options);
        if open.len() >= MAX_CACHED {
            open.clear();
        }
        open.insert(path.to_path_buf(), (version, facts.clone()));
        facts
    }

    fn of_text(&self, text: &str, options: &ExtractOptions) -> Arc<LatexFileFacts> {
        let key = stable_hash(text.as_bytes());
        let mut cache = self
            .by_content
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(facts) = cache.get(&key) {
            return facts.clone();
        }
        let facts = Arc::new(latex_file_facts(text, options));
        if cache.len() >= MAX_CACHED {
            cache.clear();
        }
        cache.insert(key, facts.clone());
        facts
    }

    /// The facts of the (canonical, checked) file at `path`, read from disk when its size or
    /// modification time changed.
    fn of_file(
        &self,
        path: &Path,
        limits: ProjectLimits,
        options: &ExtractOptions,
    ) -> Result<Arc<LatexFileFacts>, Refusal> {
        let metadata = std::fs::metadata(path).map_err(|_| Refusal::Missing)?;
        if !metadata.is_file() {
            return Err(Refusal::Missing);
        }
        if metadata.len() > limits.max_file_bytes {
            return Err(Refusal::TooLarge(limits.max_file_bytes));
        }
        let modified = metadata.modified().ok();
        {
            let disk = self
                .disk
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(cached) = disk.get(path)
                && cached.length == metadata.len()
                && cached.modified == modified
                && modified.is_some()
            {
                return Ok(cached.facts.clone());
            }
        }
        let bytes = std::fs::read(path).map_err(|error| Refusal::Unreadable(error.to_string()))?;
        if bytes.len() as u64 > limits.max_file_bytes {
            return Err(Refusal::TooLarge(limits.max_file_bytes));
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| Refusal::Unreadable("not UTF-8 text".to_owned()))?;
        let facts = Arc::new(latex_file_facts(&text, options));
        let mut disk = self
            .disk
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if disk.len() >= MAX_CACHED {
            disk.clear();
        }
        disk.insert(
            path.to_path_buf(),
            DiskFacts {
                length: metadata.len(),
                modified,
                facts: facts.clone(),
            },
        );
        Ok(facts)
    }
}

/// `path` with `.` and `..` taken away lexically; `None` when `..` climbs above the start.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !normal.pop() {
                    return None;
                }
            }
            other => normal.push(other.as_os_str()),
        }
    }
    Some(normal)
}

/// The roots, canonical (folders that do not exist are left out).
pub fn canonical_roots(roots: &[PathBuf]) -> Vec<PathBuf> {
    roots
        .iter()
        .filter_map(|root| root.canonicalize().ok())
        .collect()
}

/// Whether `path` (absolute) may be read: it lies under a root lexically and, with its symlinks
/// resolved, still does. Returns the canonical path.
fn admit(path: &Path, roots: &[PathBuf]) -> Result<PathBuf, Refusal> {
    let Some(normal) = normalize(path) else {
        return Err(Refusal::Outside);
    };
    if !roots.iter().any(|root| normal.starts_with(root)) {
        return Err(Refusal::Outside);
    }
    let canonical = normal.canonicalize().map_err(|_| Refusal::Missing)?;
    if !roots.iter().any(|root| canonical.starts_with(root)) {
        return Err(Refusal::Outside);
    }
    Ok(canonical)
}

/// The paths LaTeX would try for `name` in `directory`: `name.tex` first, then `name` itself.
fn candidates(directory: &Path, name: &str) -> Vec<PathBuf> {
    let joined = directory.join(name);
    let has_tex = Path::new(name)
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("tex"));
    if has_tex {
        vec![joined]
    } else {
        vec![directory.join(format!("{name}.tex")), joined]
    }
}

/// One resolution: the workspace folders, the open documents' texts, the cache, the limits.
pub struct Resolver<'a> {
    pub roots: &'a [PathBuf],
    /// Open documents by canonical path, with their version (their text wins over the file on
    /// disk).
    pub open: &'a HashMap<PathBuf, (i32, Rope)>,
    pub cache: &'a FactsCache,
    pub limits: ProjectLimits,
    pub options: &'a ExtractOptions,
}

impl Resolver<'_> {
    fn facts(&self, path: &Path) -> Result<Arc<LatexFileFacts>, Refusal> {
        if let Some((version, text)) = self.open.get(path) {
            return Ok(self.cache.of_open(path, *version, text, self.options));
        }
        self.cache.of_file(path, self.limits, self.options)
    }

    /// Finds and checks the file a link names, from `root_directory` (the root's folder) and the
    /// folder of the file that names it.
    fn follow(
        &self,
        kind: LinkKind,
        directory: &str,
        name: &str,
        root_directory: &Path,
        file_directory: &Path,
    ) -> Result<PathBuf, Refusal> {
        let bases: Vec<PathBuf> = match kind {
            // LaTeX reads `\input` names against the directory it runs in (the root's); a
            // subfile compiled alone reads them against its own, so that is tried second.
            LinkKind::Input => vec![root_directory.to_path_buf(), file_directory.to_path_buf()],
            LinkKind::Subfile => vec![file_directory.to_path_buf(), root_directory.to_path_buf()],
            LinkKind::Import => vec![root_directory.join(directory)],
            LinkKind::Subimport => vec![file_directory.join(directory)],
        };
        let mut refusal = Refusal::Missing;
        for base in bases {
            for candidate in candidates(&base, name) {
                match admit(&candidate, self.roots) {
                    Ok(canonical) if canonical.is_file() => return Ok(canonical),
                    Ok(_) | Err(Refusal::Missing) => {}
                    Err(other) => refusal = other,
                }
            }
        }
        Err(refusal)
    }

    /// The project of the document at `path` (canonical) whose current text is `text`.
    pub fn resolve(&self, path: &Path, text: &str) -> LatexProject {
        let mut project = LatexProject::default();
        if !self.roots.iter().any(|root| path.starts_with(root)) {
            return project;
        }
        let directory = path.parent().unwrap_or(path);
        // The document's own links: a scan, no extraction (its macros are its own extraction's).
        let own = latex_file_facts_without_macros(text);
        let mut root = None;
        if let Some((name, range)) = &own.magic_root {
            match admit(&directory.join(name), self.roots) {
                Ok(canonical) if canonical.is_file() => root = Some(canonical),
                Ok(_) | Err(Refusal::Missing) => project.hints.push(ProjectHint {
                    range: range.clone(),
                    message: format!("scitag found no root file {name}"),
                }),
                Err(refusal) => project.hints.push(ProjectHint {
                    range: range.clone(),
                    message: refusal_message(name, &refusal),
                }),
            }
        }
        if root.is_none() && !own.is_root && own.magic_root.is_none() {
            root = self.find_root(path);
        }
        let root = root.unwrap_or_else(|| path.to_path_buf());
        self.walk(&root, path, &own, &mut project);
        project.root = Some(root);
        project
    }

    /// A root file (one with `\documentclass`) in the document's folder or the two above it whose
    /// graph holds the document.
    fn find_root(&self, path: &Path) -> Option<PathBuf> {
        let mut looked_at = 0;
        let mut folder = path.parent();
        for _ in 0..3 {
            let current = folder?;
            if !self.roots.iter().any(|root| current.starts_with(root)) {
                return None;
            }
            let mut entries: Vec<PathBuf> = std::fs::read_dir(current)
                .ok()?
                .filter_map(|entry| entry.ok().map(|entry| entry.path()))
                .filter(|candidate| {
                    candidate
                        .extension()
                        .is_some_and(|extension| extension.eq_ignore_ascii_case("tex"))
                        && candidate != path
                })
                .take(MAX_ROOT_CANDIDATES)
                .collect();
            entries.sort();
            for candidate in entries {
                if looked_at >= MAX_ROOT_CANDIDATES {
                    return None;
                }
                looked_at += 1;
                let Ok(canonical) = admit(&candidate, self.roots) else {
                    continue;
                };
                let Ok(facts) = self.facts(&canonical) else {
                    continue;
                };
                if !facts.is_root {
                    continue;
                }
                let mut project = LatexProject::default();
                self.walk(
                    &canonical,
                    Path::new(""),
                    &LatexFileFacts::default(),
                    &mut project,
                );
                if project.files.iter().any(|file| file == path) {
                    return Some(canonical);
                }
            }
            folder = current.parent();
        }
        None
    }

    /// The graph from `root`, depth first in reading order. `document`'s links get hints, and its
    /// facts are `own`.
    fn walk(&self, root: &Path, document: &Path, own: &LatexFileFacts, project: &mut LatexProject) {
        let root_directory = root.parent().unwrap_or(root).to_path_buf();
        let mut visited: HashSet<PathBuf> = HashSet::new();
        let mut macros: Vec<(String, String)> = Vec::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(file) = stack.pop() {
            if !visited.insert(file.clone()) {
                // A cycle, or a file read twice: once is enough.
                continue;
            }
            if project.files.len() >= MAX_GRAPH_FILES {
                tracing::info!(
                    "LaTeX project of {}: more than {MAX_GRAPH_FILES} files, the rest is not read",
                    root.display()
                );
                break;
            }
            let is_document = file == document;
            let facts = if is_document {
                Arc::new(own.clone())
            } else {
                match self.facts(&file) {
                    Ok(facts) => facts,
                    Err(refusal) => {
                        tracing::info!(
                            "LaTeX project: skipping {}: {}",
                            file.display(),
                            refusal_message(&file.display().to_string(), &refusal)
                        );
                        continue;
                    }
                }
            };
            project.files.push(file.clone());
            if !is_document {
                macros.extend(facts.macros.iter().cloned());
            }
            let file_directory = file.parent().unwrap_or(&file).to_path_buf();
            let mut children = Vec::new();
            for link in &facts.links {
                let followed = self.follow(
                    link.kind,
                    &link.directory,
                    &link.name,
                    &root_directory,
                    &file_directory,
                );
                match followed {
                    Ok(child) => {
                        if is_document
                            && let Ok(metadata) = std::fs::metadata(&child)
                            && metadata.len() > self.limits.max_file_bytes
                            && !self.open.contains_key(&child)
                        {
                            project.hints.push(ProjectHint {
                                range: link.range.clone(),
                                message: refusal_message(
                                    &link.name,
                                    &Refusal::TooLarge(self.limits.max_file_bytes),
                                ),
                            });
                        }
                        children.push(child);
                    }
                    Err(Refusal::Missing) => {}
                    Err(refusal) if is_document => project.hints.push(ProjectHint {
                        range: link.range.clone(),
                        message: refusal_message(&link.name, &refusal),
                    }),
                    Err(_) => {}
                }
            }
            // Depth first, in reading order: the first link on top of the stack.
            stack.extend(children.into_iter().rev());
        }
        // A later definition replaces an earlier one of the same name.
        let mut last: HashMap<String, usize> = HashMap::new();
        for (index, (name, _)) in macros.iter().enumerate() {
            last.insert(name.clone(), index);
        }
        project.macros = macros
            .iter()
            .enumerate()
            .filter(|(index, (name, _))| last.get(name) == Some(index))
            .map(|(_, definition)| definition.clone())
            .collect();
    }
}

fn refusal_message(name: &str, refusal: &Refusal) -> String {
    match refusal {
        Refusal::Outside => format!(
            "scitag does not follow {name}: it leads outside the workspace folders, so its macros are not applied"
        ),
        Refusal::TooLarge(limit) => format!(
            "scitag skips {name}: it is larger than {limit} bytes (index.maxFileSize), so its macros are not applied"
        ),
        Refusal::Unreadable(why) => format!("scitag could not read {name}: {why}"),
        Refusal::Missing => format!("scitag found no file {name}"),
    }
}

/// The links and magic comment of a text, without running the extractor for its macros.
fn latex_file_facts_without_macros(text: &str) -> LatexFileFacts {
    crate::prose::latex_file_structure(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Tree {
        _dir: tempfile::TempDir,
        root: PathBuf,
    }

    impl Tree {
        fn new(files: &[(&str, &str)]) -> Tree {
            let dir = tempfile::tempdir().expect("temp dir");
            let root = dir.path().canonicalize().expect("canonical").join("paper");
            std::fs::create_dir_all(&root).expect("root");
            for (name, text) in files {
                let path = root.join(name);
                std::fs::create_dir_all(path.parent().expect("parent")).expect("folders");
                std::fs::write(path, text).expect("write");
            }
            Tree { _dir: dir, root }
        }

        fn resolve(&self, name: &str, max_file_bytes: u64) -> LatexProject {
            let path = self.root.join(name);
            let text = std::fs::read_to_string(&path).expect("read");
            let roots = vec![self.root.clone()];
            let open = HashMap::new();
            let cache = FactsCache::default();
            let resolver = Resolver {
                roots: &roots,
                open: &open,
                cache: &cache,
                limits: ProjectLimits { max_file_bytes },
                options: &ExtractOptions::default(),
            };
            resolver.resolve(&path, &text)
        }

        fn names(&self, project: &LatexProject) -> Vec<String> {
            project
                .files
                .iter()
                .map(|file| {
                    file.strip_prefix(&self.root)
                        .expect("under the root")
                        .display()
                        .to_string()
                })
                .collect()
        }
    }

    const MAIN: &str = "\\documentclass{article}\n\\newcommand{\\fcgr}{Fc$\\gamma$R}\n\
                        \\begin{document}\n\\input{chapters/one}\n\\include{chapters/two.tex}\n\
                        \\end{document}\n";

    #[test]
    fn a_chapter_finds_its_root_and_the_root_macros() {
        let tree = Tree::new(&[
            ("main.tex", MAIN),
            ("chapters/one.tex", "\\fcgr{} binds.\n"),
            ("chapters/two.tex", "\\newcommand{\\two}{II}\nTwo.\n"),
        ]);
        let project = tree.resolve("chapters/one.tex", 5_000_000);
        assert_eq!(
            tree.names(&project),
            ["main.tex", "chapters/one.tex", "chapters/two.tex"]
        );
        let names: Vec<&str> = project
            .macros
            .iter()
            .map(|(name, _)| name.as_str())
            .collect();
        assert_eq!(names, ["fcgr", "two"]);
        assert!(project.hints.is_empty(), "{:?}", project.hints);
        // From the root, the same graph; its own macros are not among the project's.
        let from_root = tree.resolve("main.tex", 5_000_000);
        assert_eq!(from_root.files, project.files);
        assert_eq!(from_root.macros.len(), 1);
    }

    #[test]
    fn a_magic_comment_names_the_root() {
        let tree = Tree::new(&[
            (
                "thesis.tex",
                "\\documentclass{book}\n\\newcommand{\\fcgr}{FcgR}\n",
            ),
            ("parts/x.tex", "% !TEX root = ../thesis.tex\n\\fcgr{}\n"),
        ]);
        let project = tree.resolve("parts/x.tex", 5_000_000);
        assert_eq!(tree.names(&project), ["thesis.tex"]);
        assert_eq!(project.macros, [("fcgr".to_owned(), "FcgR".to_owned())]);
    }

    #[test]
    fn links_outside_the_workspace_are_not_followed_and_get_a_hint() {
        let tree = Tree::new(&[(
            "main.tex",
            "\\documentclass{article}\n\\input{../../../../../etc/hostname}\n\\input{/etc/hostname}\n\\input{link}\n",
        )]);
        let outside = tree.root.parent().expect("parent").join("outside.tex");
        std::fs::write(&outside, "\\newcommand{\\secret}{S}\n").expect("outside");
        #[cfg(unix)]
        std::os::unix::fs::symlink(&outside, tree.root.join("link.tex")).expect("symlink");
        let project = tree.resolve("main.tex", 5_000_000);
        assert_eq!(tree.names(&project), ["main.tex"]);
        assert!(project.macros.is_empty());
        let expected = if cfg!(unix) { 3 } else { 2 };
        assert_eq!(project.hints.len(), expected, "{:?}", project.hints);
        assert!(project.hints[0].message.contains("outside the workspace"));
    }

    #[test]
    fn cycles_are_cut_and_large_files_skipped() {
        let tree = Tree::new(&[
            (
                "a.tex",
                "\\documentclass{article}\n\\newcommand{\\x}{X}\n\\input{b}\n",
            ),
            ("b.tex", "\\newcommand{\\y}{Y}\n\\input{a}\n\\input{big}\n"),
            (
                "big.tex",
                &format!("\\newcommand{{\\z}}{{Z}}\n{}", "word ".repeat(100)),
            ),
        ]);
        let project = tree.resolve("b.tex", 200);
        assert_eq!(tree.names(&project), ["a.tex", "b.tex"]);
        assert_eq!(project.macros, [("x".to_owned(), "X".to_owned())]);
        assert_eq!(project.hints.len(), 1, "{:?}", project.hints);
        assert!(project.hints[0].message.contains("larger than 200"));
    }

    #[test]
    fn open_documents_are_read_once_per_version() {
        let cache = FactsCache::default();
        let options = ExtractOptions::default();
        let path = Path::new("/paper/main.tex");
        let first = Rope::from_str("\\newcommand{\\x}{X}\n");
        let facts = cache.of_open(path, 1, &first, &options);
        assert_eq!(facts.macros, [("x".to_owned(), "X".to_owned())]);
        // The same version is not read again, whatever the rope says.
        let edited = Rope::from_str("\\newcommand{\\x}{Y}\n");
        assert!(Arc::ptr_eq(
            &cache.of_open(path, 1, &edited, &options),
            &facts
        ));
        assert_eq!(
            cache.of_open(path, 2, &edited, &options).macros,
            [("x".to_owned(), "Y".to_owned())]
        );
        // Opened again: version 1 is a new text.
        cache.forget_open(path);
        assert_eq!(cache.of_open(path, 1, &first, &options).macros[0].1, "X");
    }

    #[test]
    fn names_are_checked_before_any_file_is_touched() {
        assert!(normalize(Path::new("/a/../../b")).is_none());
        assert_eq!(
            normalize(Path::new("/a/./b/../c.tex")),
            Some(PathBuf::from("/a/c.tex"))
        );
        let roots = vec![PathBuf::from("/work/paper")];
        assert!(matches!(
            admit(Path::new("/work/paper/../secret.tex"), &roots),
            Err(Refusal::Outside)
        ));
        assert!(matches!(
            admit(Path::new("/work/paperx/a.tex"), &roots),
            Err(Refusal::Outside)
        ));
    }
}
