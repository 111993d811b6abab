//! The settings in their internal shape: validated values, no wire format.
//!
//! The server parses the editor's JSON into a [`Settings`] (its `config.rs` is the wire side) and
//! hands it to the workspace; a project's `scitag.toml` `[settings]` fill in what the editor left
//! at its defaults ([`Settings::features_for`]).

use std::path::PathBuf;
use std::time::Duration;

use crate::features::FeatureSettings;
use crate::glossary::Glossary;
use crate::ner::{Aggregation, Decode};
use crate::prose::ExtractOptions;

/// Debounce between the last edit and re-tagging, unless `scitag.debounceMs` says otherwise.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(150);

/// The project index's limits (docs/SERVER.md, "The project index").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexSettings {
    /// Index the workspace folders' closed manuscripts at all.
    pub enabled: bool,
    /// The most files indexed; the rest (in path order) are left out with a log line.
    pub max_files: usize,
    /// Larger files are skipped with a log line.
    pub max_file_bytes: u64,
    /// Where the index's disk cache lives; `None`: the platform's cache directory
    /// (`$XDG_CACHE_HOME/scitag/index`, `~/.cache/scitag/index`, `~/Library/Caches/scitag/index`,
    /// `%LOCALAPPDATA%\scitag\index`).
    pub cache_directory: Option<PathBuf>,
}

/// Index at most this many files unless `scitag.index.maxFiles` says otherwise.
pub const DEFAULT_INDEX_MAX_FILES: usize = 1000;
/// Skip files larger than this unless `scitag.index.maxFileSize` says otherwise (5 MB).
pub const DEFAULT_INDEX_MAX_FILE_BYTES: u64 = 5_000_000;

impl Default for IndexSettings {
    fn default() -> IndexSettings {
        IndexSettings {
            enabled: true,
            max_files: DEFAULT_INDEX_MAX_FILES,
            max_file_bytes: DEFAULT_INDEX_MAX_FILE_BYTES,
            cache_directory: None,
        }
    }
}

/// Every setting, after validation.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// A model directory; `None` uses `--model` or the model built into the binary.
    pub model_path: Option<PathBuf>,
    /// Several models used together (`modelPaths`; `builtin` names the built-in model); when not
    /// empty, it wins over `model_path`.
    pub model_paths: Vec<PathBuf>,
    /// The ONNX Runtime library; `None` uses `--ort-lib` or the usual places.
    pub ort_lib_path: Option<PathBuf>,
    /// Inference threads (see `TaggerOptions::threads`); `None` lets the engine choose.
    pub threads: Option<usize>,
    /// Sub-word aggregation; `None` uses the model's recommendation.
    pub aggregation: Option<Aggregation>,
    /// Decoding; `None` uses the model's recommendation.
    pub decode: Option<Decode>,
    pub features: FeatureSettings,
    pub debounce: Duration,
    pub extract: ExtractOptions,
    /// The editor set `confidenceThreshold` (it then wins over a project's `scitag.toml`).
    pub explicit_threshold: bool,
    /// The editor set `enabledClasses`.
    pub explicit_classes: bool,
    pub index: IndexSettings,
    /// `link.enabled`: link entities to HGNC, Cell Ontology and Cellosaurus.
    pub link: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            model_path: None,
            model_paths: Vec::new(),
            ort_lib_path: None,
            threads: None,
            aggregation: None,
            decode: None,
            features: FeatureSettings::default(),
            debounce: DEFAULT_DEBOUNCE,
            extract: ExtractOptions::default(),
            explicit_threshold: false,
            explicit_classes: false,
            index: IndexSettings::default(),
            link: true,
        }
    }
}

impl Settings {
    /// Whether the model must be loaded again to apply `other`.
    pub fn model_differs(&self, other: &Settings) -> bool {
        self.model_path != other.model_path
            || self.model_paths != other.model_paths
            || self.ort_lib_path != other.ort_lib_path
            || self.threads != other.threads
    }

    /// Whether entities must be computed again to apply `other` (the paragraph cache keys on
    /// decoding settings, so a re-analysis is cheap for everything else).
    pub fn analysis_differs(&self, other: &Settings) -> bool {
        self.aggregation != other.aggregation
            || self.decode != other.decode
            || self.extract != other.extract
            || self.link != other.link
    }

    /// The feature settings for a document governed by `glossary`: the editor's, with the
    /// project's `[settings]` where the editor left a value at its default.
    pub fn features_for(&self, glossary: Option<&Glossary>) -> FeatureSettings {
        let mut features = self.features.clone();
        if let Some(project) = glossary.map(|glossary| &glossary.settings) {
            if let Some(threshold) = project.threshold.filter(|_| !self.explicit_threshold) {
                features.confidence_threshold = threshold;
            }
            if let Some(classes) = project.classes.as_ref().filter(|_| !self.explicit_classes) {
                features.enabled_classes = Some(classes.clone());
            }
        }
        features
    }

    /// The LaTeX commands and environments for a document governed by `glossary`: the editor's,
    /// else the project's.
    pub fn extract_for(&self, glossary: Option<&Glossary>) -> ExtractOptions {
        match glossary.and_then(|glossary| glossary.settings.extract.as_ref()) {
            Some(project) if self.extract == ExtractOptions::default() => project.clone(),
            _ => self.extract.clone(),
        }
    }
}
