//! The model a workspace uses: where it comes from, and its classes before it is loaded.

use std::path::{Path, PathBuf};

use serde_json::Value;

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
    let mut classes: Vec<String> = Vec::new();
    for class in sources.iter().flat_map(probe_classes) {
        if !classes.contains(&class) {
            classes.push(class);
        }
    }
    classes
}

/// The classes of the model in `source`, read from its `config.json` (and the labels of the heads
/// its `scitag.json` declares) without loading it: the server builds its semantic token legend from
/// them before the model loads. The built-in model's classes are the standard token types every
/// legend starts with, so it needs no probe.
pub fn probe_classes(source: &ModelSource) -> Vec<String> {
    let ModelSource::Directory(path) = source else {
        return Vec::new();
    };
    let directory: &Path = if path.is_file() {
        path.parent().unwrap_or(path)
    } else {
        path
    };
    let Ok(text) = std::fs::read_to_string(directory.join("config.json")) else {
        return Vec::new();
    };
    let Ok(config) = serde_json::from_str::<Value>(&text) else {
        return Vec::new();
    };
    let Some(id2label) = config.get("id2label").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut labels: Vec<(u64, &str)> = id2label
        .iter()
        .filter_map(|(id, label)| Some((id.parse().ok()?, label.as_str()?)))
        .collect();
    labels.sort_unstable();
    let mut labels: Vec<String> = labels
        .into_iter()
        .map(|(_, label)| label.to_owned())
        .collect();
    let scitag = std::fs::read_to_string(directory.join("scitag.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok());
    let heads = scitag
        .as_ref()
        .and_then(|scitag| scitag.get("heads"))
        .and_then(Value::as_array);
    for head in heads.into_iter().flatten() {
        let head_labels = head.get("labels").and_then(Value::as_array);
        labels.extend(
            head_labels
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned),
        );
    }
    let mut classes: Vec<String> = Vec::new();
    for label in &labels {
        let label = label.as_str();
        let class = ["B-", "I-", "E-", "S-", "L-", "U-"]
            .iter()
            .find_map(|prefix| label.strip_prefix(prefix))
            .unwrap_or(label);
        if class != "O" && !classes.iter().any(|known| known == class) {
            classes.push(class.to_owned());
        }
    }
    classes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probing_the_fixture_model_finds_the_jnlpba_classes() {
        let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-model");
        let classes = probe_classes(&ModelSource::Directory(directory));
        assert_eq!(classes, ["DNA", "RNA", "cell_line", "cell_type", "protein"]);
        assert!(probe_classes(&ModelSource::Directory("/nonexistent".into())).is_empty());
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
