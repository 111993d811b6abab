//! The project index's disk cache: one small JSON file per indexed manuscript, holding its entities
//! and the key they were computed for (the file's content, the model, the settings and glossary that
//! change entities). A restart reads them instead of re-tagging a whole thesis.
//!
//! Files are written atomically (a temporary file in the same directory, then a rename), so a crash
//! never leaves half a file; a file that does not parse, or does not fit the text it claims to
//! describe, is ignored with a log line and rewritten after the next tagging.

use std::hash::Hasher;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::analysis::SourceEntity;

/// Bumped whenever the layout below changes: older files are then misses.
const FORMAT: u32 = 1;

/// FNV-1a, 64 bits (the `fnv` crate, fed bytes only): a hash that stays the same across builds and
/// platforms (unlike std's `DefaultHasher`), for cache keys and file names. `build.rs` hashes the
/// pipeline's sources with the same function.
pub(super) fn stable_hash(bytes: &[u8]) -> u64 {
    let mut hasher = fnv::FnvHasher::default();
    hasher.write(bytes);
    hasher.finish()
}

/// The platform's cache directory for scitag's index: `$XDG_CACHE_HOME/scitag/index` or
/// `~/.cache/scitag/index` (Linux and other Unix), `~/Library/Caches/scitag/index` (macOS),
/// `%LOCALAPPDATA%\scitag\index` (Windows).
pub(super) fn platform_cache_directory() -> Option<PathBuf> {
    let non_empty = |name: &str| {
        std::env::var_os(name)
            .filter(|value| !value.is_empty())
            .map(PathBuf::from)
    };
    let base = if cfg!(windows) {
        non_empty("LOCALAPPDATA")
    } else if cfg!(target_os = "macos") {
        non_empty("HOME").map(|home| home.join("Library/Caches"))
    } else {
        non_empty("XDG_CACHE_HOME").or_else(|| non_empty("HOME").map(|home| home.join(".cache")))
    }?;
    Some(base.join("scitag").join("index"))
}

#[derive(Serialize, Deserialize)]
struct CachedFile {
    format: u32,
    /// The manuscript's path, to tell two files apart whose names hash alike.
    path: String,
    key: String,
    entities: Vec<CachedEntity>,
}

#[derive(Serialize, Deserialize)]
struct CachedEntity {
    start: usize,
    end: usize,
    label: String,
    text: String,
    score: f32,
}

/// What a lookup found.
pub(super) enum Lookup {
    Hit(Vec<SourceEntity>),
    Miss,
    /// The file exists but cannot be used (logged).
    Corrupt,
}

/// The cache directory.
#[derive(Clone, Debug)]
pub(super) struct DiskCache {
    directory: PathBuf,
}

impl DiskCache {
    pub(super) fn new(directory: PathBuf) -> DiskCache {
        DiskCache { directory }
    }

    fn file_for(&self, manuscript: &Path) -> PathBuf {
        let name = stable_hash(manuscript.as_os_str().as_encoded_bytes());
        self.directory.join(format!("{name:016x}.json"))
    }

    /// The entities cached for `manuscript` under `key`, checked against its `text`.
    pub(super) fn load(&self, manuscript: &Path, key: &str, text: &str) -> Lookup {
        let file = self.file_for(manuscript);
        let bytes = match std::fs::read(&file) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Lookup::Miss,
            Err(error) => {
                tracing::warn!("index cache {}: {error}; ignoring it", file.display());
                return Lookup::Corrupt;
            }
        };
        let cached: CachedFile = match serde_json::from_slice(&bytes) {
            Ok(cached) => cached,
            Err(error) => {
                tracing::warn!(
                    "index cache {} is corrupt ({error}); ignoring it",
                    file.display()
                );
                return Lookup::Corrupt;
            }
        };
        if cached.format != FORMAT || cached.path != manuscript.to_string_lossy() {
            return Lookup::Miss;
        }
        if cached.key != key {
            return Lookup::Miss;
        }
        let fits = cached.entities.iter().all(|entity| {
            entity.start < entity.end
                && entity.end <= text.len()
                && text.is_char_boundary(entity.start)
                && text.is_char_boundary(entity.end)
        });
        if !fits {
            tracing::warn!(
                "index cache {} does not fit {}; ignoring it",
                file.display(),
                manuscript.display()
            );
            return Lookup::Corrupt;
        }
        Lookup::Hit(
            cached
                .entities
                .into_iter()
                .map(|entity| SourceEntity {
                    range: entity.start..entity.end,
                    label: entity.label,
                    score: entity.score,
                    text: entity.text,
                    ..SourceEntity::default()
                })
                .collect(),
        )
    }

    /// Writes the entities of `manuscript` under `key`, atomically. A failure is logged: the
    /// cache is only an optimisation.
    pub(super) fn store(&self, manuscript: &Path, key: &str, entities: &[SourceEntity]) {
        let cached = CachedFile {
            format: FORMAT,
            path: manuscript.to_string_lossy().into_owned(),
            key: key.to_owned(),
            entities: entities
                .iter()
                .map(|entity| CachedEntity {
                    start: entity.range.start,
                    end: entity.range.end,
                    label: entity.label.clone(),
                    text: entity.text.clone(),
                    score: entity.score,
                })
                .collect(),
        };
        let file = self.file_for(manuscript);
        if let Err(error) = self.write_atomically(&file, &cached) {
            tracing::warn!(
                "could not write the index cache {}: {error}",
                file.display()
            );
        }
    }

    fn write_atomically(&self, file: &Path, cached: &CachedFile) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.directory)?;
        let temporary = file.with_extension(format!("json.{}.tmp", std::process::id()));
        let result = (|| {
            let mut writer = std::io::BufWriter::new(std::fs::File::create(&temporary)?);
            serde_json::to_writer(&mut writer, cached)?;
            writer.flush()?;
            // No fsync: it can stall for seconds on a busy disk, on the worker thread that a
            // keystroke waits for; after a crash a short or empty file is just a corrupt entry.
            drop(writer);
            std::fs::rename(&temporary, file)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(range: std::ops::Range<usize>, text: &str) -> SourceEntity {
        SourceEntity {
            range,
            label: "protein".into(),
            text: text.into(),
            score: 0.5,
            ..SourceEntity::default()
        }
    }

    #[test]
    fn entries_round_trip_and_miss_on_another_key() {
        let directory = tempfile::tempdir().unwrap();
        let cache = DiskCache::new(directory.path().join("index"));
        let manuscript = Path::new("/paper/intro.md");
        let text = "IL-2Rα binds.";
        cache.store(manuscript, "k1", &[entity(0..7, "IL-2Rα")]);
        match cache.load(manuscript, "k1", text) {
            Lookup::Hit(entities) => assert_eq!(entities, [entity(0..7, "IL-2Rα")]),
            _ => panic!("a hit"),
        }
        assert!(matches!(cache.load(manuscript, "k2", text), Lookup::Miss));
        assert!(matches!(
            cache.load(Path::new("/paper/other.md"), "k1", text),
            Lookup::Miss
        ));
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(directory.path().join("index"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn corrupt_files_and_entities_that_do_not_fit_are_ignored() {
        let directory = tempfile::tempdir().unwrap();
        let cache = DiskCache::new(directory.path().to_path_buf());
        let manuscript = Path::new("/paper/intro.md");
        cache.store(manuscript, "k", &[entity(0..7, "IL-2Rα")]);
        // Entities past the end of the text, or inside a character, do not fit it.
        assert!(matches!(
            cache.load(manuscript, "k", "IL-2R"),
            Lookup::Corrupt
        ));
        assert!(matches!(
            cache.load(manuscript, "k", "IL-2Rαβ"),
            Lookup::Hit(_)
        ));
        cache.store(manuscript, "k", &[entity(0..6, "IL-2R?")]);
        assert!(matches!(
            cache.load(manuscript, "k", "IL-2Rα"),
            Lookup::Corrupt
        ));
        std::fs::write(cache.file_for(manuscript), b"{not json").unwrap();
        assert!(matches!(
            cache.load(manuscript, "k", "IL-2Rα binds."),
            Lookup::Corrupt
        ));
        // The published FNV-1a test vectors: a cache written by one build is found by the next.
        assert_eq!(stable_hash(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(stable_hash(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
