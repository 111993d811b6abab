//! The glossaries of a workspace: which `scitag.toml` governs a file, read once and re-read when
//! the file changes (its modification time and size are checked on every lookup, and the server
//! also reloads on `workspace/didChangeWatchedFiles`). A file that no longer parses keeps the last
//! good glossary in force and reports its error once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::SystemTime;

use super::{FILE_NAME, Glossary, find_for};
use crate::analysis::lock;

#[derive(Clone, Debug)]
struct Entry {
    glossary: Arc<Glossary>,
    /// `(modified, length)` of the text last read, good or not.
    stamp: Option<(SystemTime, u64)>,
    /// The error of the text last read, if it did not parse.
    error: Option<String>,
}

/// What a lookup found.
#[derive(Clone, Debug, Default)]
pub struct Lookup {
    /// The glossary file, if one governs the document.
    pub path: Option<PathBuf>,
    /// The glossary in force (the last good one when the file is broken).
    pub glossary: Option<Arc<Glossary>>,
    /// A problem found by this lookup (a file that just became unreadable or broken); reported
    /// once, not on every lookup.
    pub new_error: Option<String>,
}

/// The workspace's glossaries.
#[derive(Debug, Default)]
pub struct GlossaryStore {
    roots: RwLock<Vec<PathBuf>>,
    entries: Mutex<HashMap<PathBuf, Entry>>,
}

impl GlossaryStore {
    pub fn new() -> GlossaryStore {
        GlossaryStore::default()
    }

    /// The workspace folders: a glossary is looked up no higher than the folder holding the file.
    pub fn set_roots(&self, roots: Vec<PathBuf>) {
        *self
            .roots
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = roots;
    }

    /// The deepest workspace folder holding `file`.
    pub fn root_of(&self, file: &Path) -> Option<PathBuf> {
        self.roots
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .filter(|root| file.starts_with(root))
            .max_by_key(|root| root.components().count())
            .cloned()
    }

    /// Where a code action for `file` writes: the glossary that governs it, else `scitag.toml` in
    /// its workspace folder, else next to the file.
    pub fn target_for(&self, file: &Path) -> PathBuf {
        let root = self.root_of(file);
        find_for(file, root.as_deref()).unwrap_or_else(|| {
            root.or_else(|| file.parent().map(Path::to_path_buf))
                .unwrap_or_default()
                .join(FILE_NAME)
        })
    }

    /// The glossary governing `file`, read or re-read as needed.
    pub fn lookup(&self, file: &Path) -> Lookup {
        let root = self.root_of(file);
        let Some(path) = find_for(file, root.as_deref()) else {
            return Lookup::default();
        };
        let (glossary, new_error) = self.read(&path, false);
        Lookup {
            path: Some(path),
            glossary,
            new_error,
        }
    }

    /// Re-reads `path` now (a watched-file event). Returns the glossary in force and the error of
    /// the new text, if any (always reported: the user just changed the file).
    pub fn reload(&self, path: &Path) -> (Option<Arc<Glossary>>, Option<String>) {
        self.read(path, true)
    }

    fn read(&self, path: &Path, force: bool) -> (Option<Arc<Glossary>>, Option<String>) {
        let stamp = std::fs::metadata(path).ok().map(|meta| {
            (
                meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                meta.len(),
            )
        });
        let mut entries = lock(&self.entries);
        if let Some(entry) = entries.get(path)
            && !force
            && entry.stamp == stamp
        {
            return (Some(entry.glossary.clone()), None);
        }
        if stamp.is_none() {
            // Deleted: nothing governs its files any more.
            entries.remove(path);
            return (None, None);
        }
        let previous = entries.get(path).cloned();
        match Glossary::load(path) {
            Ok(glossary) => {
                let glossary = Arc::new(glossary);
                entries.insert(
                    path.to_path_buf(),
                    Entry {
                        glossary: glossary.clone(),
                        stamp,
                        error: None,
                    },
                );
                (Some(glossary), None)
            }
            Err(error) => {
                let repeated = previous
                    .as_ref()
                    .is_some_and(|entry| entry.error.as_deref() == Some(error.as_str()));
                let kept = previous
                    .map(|entry| entry.glossary)
                    .unwrap_or_else(|| Arc::new(Glossary::default()));
                entries.insert(
                    path.to_path_buf(),
                    Entry {
                        glossary: kept.clone(),
                        stamp,
                        error: Some(error.clone()),
                    },
                );
                let message = format!("{error}; the last good glossary stays in force");
                (Some(kept), (force || !repeated).then_some(message))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_file_keeps_the_last_good_glossary_and_reports_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let file = dir.path().join("paper.md");
        std::fs::write(&path, "ignore = [\"minimap2\"]\n").unwrap();
        let store = GlossaryStore::new();
        store.set_roots(vec![dir.path().to_path_buf()]);
        let found = store.lookup(&file);
        assert_eq!(found.path.as_deref(), Some(path.as_path()));
        assert_eq!(found.glossary.unwrap().ignore[0].text, "minimap2");
        assert!(found.new_error.is_none());

        std::fs::write(&path, "ignore = [\"minimap2\", 3]   \n").unwrap();
        let (kept, error) = store.reload(&path);
        assert_eq!(kept.unwrap().ignore[0].text, "minimap2");
        assert!(error.unwrap().contains("line 1"));
        // the next lookup neither reloads nor repeats the message
        assert!(store.lookup(&file).new_error.is_none());

        std::fs::write(&path, "ignore = [\"minimap2\", \"BWA-MEM\"]\n").unwrap();
        let (good, error) = store.reload(&path);
        assert_eq!(good.unwrap().ignore.len(), 2);
        assert!(error.is_none());

        std::fs::remove_file(&path).unwrap();
        assert!(store.lookup(&file).glossary.is_none());
        assert_eq!(store.target_for(&file), path);
    }
}
