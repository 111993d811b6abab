//! The model a workspace uses: where it comes from, and its classes before it is loaded.

use std::path::PathBuf;

use super::Settings;
use crate::ner::ModelSource;

/// Command-line choices that settings can override.
#[derive(Clone, Debug, Default)]
pub struct WorkspaceOptions {
    /// `--model DIR`: used when `scitag.modelPath` is not set. `None`: the built-in model.
    pub model: Option<PathBuf>,
    /// `--ort-lib PATH`: used when `scitag.ortLibPath` is not set.
    pub ort_lib: Option<PathBuf>,
}

impl WorkspaceOptions {
    /// Where the model comes from: `scitag.modelPath`, else `--model`, else the built-in model.
    pub fn model_source(&self, settings: &Settings) -> ModelSource {
        match settings.model_path.clone().or_else(|| self.model.clone()) {
            Some(path) => ModelSource::Directory(path),
            None => ModelSource::Embedded,
        }
    }

    /// The models used together: `scitag.modelPaths` when it lists any (the entry `builtin` is the
    /// built-in model), else the one of [`WorkspaceOptions::model_source`].
    pub fn model_sources(&self, settings: &Settings) -> Vec<ModelSource> {
        if settings.model_paths.is_empty() {
            return vec![self.model_source(settings)];
        }
        settings
            .model_paths
            .iter()
            .map(|path| {
                if path.as_os_str() == BUILTIN {
                    ModelSource::Embedded
                } else {
                    ModelSource::Directory(path.clone())
                }
            })
            .collect()
    }
}

/// The entry of `scitag.modelPaths` (and the `--model` value) that names the built-in model.
pub const BUILTIN: &str = "builtin";

/// The classes of every model of `sources`, in order, each once (see [`probe_classes`]).
pub fn probe_all_classes(sources: &[ModelSource]) -> Vec<String> {
    crate::ner::distinct_classes(sources.iter().flat_map(ModelSource::probe_classes))
}

/// The classes of the model in `source`, read from its files without loading it
/// ([`ModelSource::probe_classes`]).
pub fn probe_classes(source: &ModelSource) -> Vec<String> {
    source.probe_classes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn probing_the_fixture_model_finds_the_jnlpba_classes() {
        let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-model");
        let classes = probe_classes(&ModelSource::Directory(directory));
        assert_eq!(classes, ["DNA", "RNA", "cell_line", "cell_type", "protein"]);
        assert!(probe_classes(&ModelSource::Directory("/nonexistent".into())).is_empty());
        // The probe reads labels as the engine does: only `B-`/`I-` are prefixes, so a BIOES
        // model's `S-protein` is a class of its own there too, and the legend matches what loads.
        let bioes = tempfile::tempdir().unwrap();
        std::fs::write(
            bioes.path().join("config.json"),
            r#"{"id2label": {"0": "O", "1": "B-protein", "2": "I-protein", "3": "S-protein"}}"#,
        )
        .unwrap();
        assert_eq!(
            probe_classes(&ModelSource::Directory(bioes.path().to_path_buf())),
            ["protein", "S-protein"]
        );
        let multihead = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-multihead");
        let classes = probe_classes(&ModelSource::Directory(multihead));
        assert_eq!(
            classes,
            [
                "DNA",
                "RNA",
                "cell_line",
                "cell_type",
                "protein",
                "chemical",
                "disease",
                "species"
            ]
        );
    }
}
