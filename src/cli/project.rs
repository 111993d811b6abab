//! What a command applies to each file besides the model: the project glossary (the one given with
//! `--glossary`, else the file's nearest `scitag.toml`; none with `--no-glossary`), loaded once per
//! run however many files share it, and what its `[settings]` change (LaTeX commands, the classes
//! shown, the low-confidence threshold); and, for a LaTeX file, the macros its LaTeX project
//! defines (`\input`, `\include`, `\subfile`, `% !TEX root`), as the editor applies them. Shared by
//! `scitag tag`, `check` and `list`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::features::{DEFAULT_CONFIDENCE_THRESHOLD, FeatureSettings};
use crate::glossary::{self, Glossary};
use crate::prose::{ExtractOptions, Language};
use crate::workspace::{FactsCache, ProjectLimits, canonical_roots, project_macros_on_disk};

/// The largest LaTeX file of a project that is read for its macros (as the editor's default
/// `index.maxFileSize`).
const MAX_PROJECT_FILE_BYTES: u64 = 5 * 1024 * 1024;

/// A glossary that could not be loaded.
#[derive(Debug)]
pub(crate) struct BrokenGlossary {
    pub(crate) path: PathBuf,
    /// The load error, naming the file and line.
    pub(crate) message: String,
    /// Whether this is the first file it was asked for (so the error is reported once).
    pub(crate) first: bool,
}

/// The glossaries of one run.
#[derive(Debug)]
pub(crate) struct Projects {
    explicit: Option<PathBuf>,
    off: bool,
    loaded: HashMap<PathBuf, Result<Arc<Glossary>, String>>,
    /// The LaTeX files read for their macros, cached for the run.
    latex: FactsCache,
    /// The current directory, canonical: a LaTeX project is read under it (or under the file's
    /// own folder for a file outside it).
    current: Option<PathBuf>,
}

impl Projects {
    pub(crate) fn new(explicit: Option<&Path>, off: bool) -> Projects {
        Projects {
            explicit: explicit.map(Path::to_path_buf),
            off,
            loaded: HashMap::new(),
            latex: FactsCache::default(),
            current: std::env::current_dir()
                .ok()
                .and_then(|directory| directory.canonicalize().ok()),
        }
    }

    /// The glossary that applies to `file` (`None`: stdin, where only `--glossary` applies).
    pub(crate) fn glossary_for(
        &mut self,
        file: Option<&Path>,
    ) -> Result<Option<Arc<Glossary>>, BrokenGlossary> {
        let path = if self.off {
            None
        } else if let Some(path) = &self.explicit {
            Some(path.clone())
        } else {
            file.and_then(|file| {
                let absolute = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
                glossary::find_for(&absolute, None)
            })
        };
        let Some(path) = path else {
            return Ok(None);
        };
        let first = !self.loaded.contains_key(&path);
        let loaded = self.loaded.entry(path.clone()).or_insert_with(|| {
            let loaded = Glossary::load(&path).map(Arc::new);
            if loaded.is_ok() {
                tracing::info!("glossary: {}", path.display());
            }
            loaded
        });
        match loaded {
            Ok(glossary) => Ok(Some(glossary.clone())),
            Err(message) => Err(BrokenGlossary {
                path,
                message: message.clone(),
                first,
            }),
        }
    }

    /// The extraction options for `text`, the content of `file` (`None`: stdin): those the
    /// glossary's `[settings.latex]` sets and, for a LaTeX file, the macros the other files of its
    /// LaTeX project define. The project is read only under the current directory, or under the
    /// file's own folder for a file outside it, and each of its files only up to 5 MB.
    pub(crate) fn extract_options(
        &self,
        glossary: Option<&Glossary>,
        file: Option<&Path>,
        text: &str,
    ) -> ExtractOptions {
        let mut options = glossary
            .and_then(|glossary| glossary.settings.extract.clone())
            .unwrap_or_default();
        if let Some(file) = file
            && Language::from_path(file) == Language::Latex
            && let Ok(canonical) = file.canonicalize()
        {
            let mut roots: Vec<PathBuf> = self.current.iter().cloned().collect();
            if !roots.iter().any(|root| canonical.starts_with(root))
                && let Some(folder) = canonical.parent()
            {
                roots = canonical_roots(&[folder.to_path_buf()]);
            }
            options.latex_macros = project_macros_on_disk(
                &canonical,
                text,
                &roots,
                &self.latex,
                ProjectLimits {
                    max_file_bytes: MAX_PROJECT_FILE_BYTES,
                },
                &options,
            );
        }
        options
    }
}

/// The feature settings a glossary's `[settings]` sets: the classes shown and the low-confidence
/// threshold; the editor's defaults for the rest.
pub(crate) fn feature_settings(glossary: Option<&Glossary>) -> FeatureSettings {
    let project = glossary.map(|glossary| &glossary.settings);
    FeatureSettings {
        enabled_classes: project.and_then(|settings| settings.classes.clone()),
        confidence_threshold: project
            .and_then(|settings| settings.threshold)
            .unwrap_or(DEFAULT_CONFIDENCE_THRESHOLD),
        ..FeatureSettings::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_glossary_is_loaded_once_and_a_broken_one_reported_once() {
        let dir = tempfile::tempdir().expect("temporary directory");
        std::fs::create_dir(dir.path().join("good")).expect("dir");
        std::fs::create_dir(dir.path().join("bad")).expect("dir");
        std::fs::write(dir.path().join("good/scitag.toml"), "ignore = [\"UMAP\"]\n")
            .expect("write");
        std::fs::write(dir.path().join("bad/scitag.toml"), "ignore = [\n").expect("write");
        let mut projects = Projects::new(None, false);
        let good = dir.path().join("good/a.md");
        let glossary = projects.glossary_for(Some(&good)).expect("loads");
        assert_eq!(glossary.map(|glossary| glossary.ignore.len()), Some(1));
        let bad = dir.path().join("bad/a.md");
        let first = projects.glossary_for(Some(&bad)).expect_err("broken");
        assert!(
            first.first && first.message.contains("scitag.toml"),
            "{first:?}"
        );
        let again = projects
            .glossary_for(Some(&dir.path().join("bad/b.md")))
            .expect_err("broken");
        assert!(!again.first);
        assert!(
            Projects::new(None, true)
                .glossary_for(Some(&good))
                .expect("off")
                .is_none()
        );
        assert!(
            Projects::new(None, false)
                .glossary_for(None)
                .expect("stdin")
                .is_none()
        );
    }
}
