//! Settings: the wire shape (JSON under the key `scitag`), parsed into the internal shape
//! ([`Settings`], which the workspace owns).
//!
//! Settings arrive in `initializationOptions` and, on `workspace/didChangeConfiguration`, from a
//! `workspace/configuration` pull (the notification's own payload differs between clients and is
//! only a fallback). Parsing never fails as a whole: each field is checked on its own, an invalid
//! field keeps its default, and every problem is reported in one message naming the setting.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::features::{Severity, class_key};
use crate::prose::ExtractOptions;

/// The internal shape lives in the workspace; the wire side parses into it.
pub use crate::workspace::{DEFAULT_DEBOUNCE, Settings};

/// The section name, in `workspace/configuration` and in editor settings (`scitag.*`).
pub const SECTION: &str = "scitag";

const MAX_DEBOUNCE_MS: u64 = 10_000;
const MAX_THREADS: u64 = 64;
const MAX_INDEX_FILES: u64 = 100_000;
const MAX_INDEX_FILE_BYTES: u64 = 1 << 30;
const AGGREGATIONS: [&str; 5] = ["none", "simple", "first", "average", "max"];
const DECODES: [&str; 2] = ["pipeline", "viterbi"];

/// Parsed settings and what was wrong with the input (empty when all was well).
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedSettings {
    pub settings: Settings,
    pub problems: Vec<String>,
}

/// Parses settings from `value`: either the `scitag` object itself or an object holding it under
/// `scitag` (as `initializationOptions` often do). `null` means all defaults.
pub fn parse(value: &Value) -> ParsedSettings {
    let mut parser = Parser {
        problems: Vec::new(),
    };
    let settings = parser.settings(value);
    ParsedSettings {
        settings,
        problems: parser.problems,
    }
}

/// One message for `window/showMessage` from the problems of [`parse`].
pub fn problems_message(problems: &[String]) -> String {
    format!(
        "scitag: invalid settings (using the defaults for these): {}",
        problems.join("; ")
    )
}

struct Parser {
    problems: Vec<String>,
}

impl Parser {
    fn settings(&mut self, value: &Value) -> Settings {
        let mut settings = Settings::default();
        let object = match value {
            Value::Null => return settings,
            Value::Object(object) => match object.get(SECTION) {
                Some(Value::Object(inner)) => inner,
                Some(Value::Null) | None => object,
                Some(other) => {
                    self.problems.push(format!(
                        "{SECTION} must be an object, got {}",
                        describe(other)
                    ));
                    return settings;
                }
            },
            other => {
                self.problems.push(format!(
                    "{SECTION} settings must be an object, got {}",
                    describe(other)
                ));
                return settings;
            }
        };
        let field = |name: &str| -> Option<&Value> {
            match object.get(name) {
                Some(Value::Null) | None => None,
                Some(value) => Some(value),
            }
        };
        if let Some(value) = field("modelPath") {
            settings.model_path = self.path("modelPath", value);
        }
        if let Some(value) = field("modelPaths") {
            settings.model_paths = self.paths("modelPaths", value);
        }
        if let Some(value) = field("ortLibPath") {
            settings.ort_lib_path = self.path("ortLibPath", value);
        }
        if let Some(value) = field("threads") {
            settings.threads = self
                .integer("threads", value, 1, MAX_THREADS)
                .and_then(|n| usize::try_from(n).ok());
        }
        if let Some(value) = field("aggregation") {
            settings.aggregation = self
                .choice("aggregation", value, &AGGREGATIONS)
                .and_then(|text| text.parse().ok());
        }
        if let Some(value) = field("decode") {
            settings.decode = self
                .choice("decode", value, &DECODES)
                .and_then(|text| text.parse().ok());
        }
        if let Some(value) = field("confidenceThreshold") {
            match value.as_f64() {
                Some(threshold) if (0.0..=1.0).contains(&threshold) => {
                    settings.features.confidence_threshold = threshold as f32;
                    settings.explicit_threshold = true;
                }
                _ => self.problems.push(format!(
                    "{SECTION}.confidenceThreshold must be a number from 0 to 1, got {}",
                    describe(value)
                )),
            }
        }
        if let Some(value) = field("diagnosticSeverity")
            && let Some(severity) = self.severity("diagnosticSeverity", value)
        {
            settings.features.diagnostic_severity = severity;
        }
        if let Some(value) = field("consistencySeverity")
            && let Some(severity) = self.severity("consistencySeverity", value)
        {
            settings.features.consistency_severity = severity;
        }
        if let Some(value) = field("linkSeverity")
            && let Some(severity) = self.severity("linkSeverity", value)
        {
            settings.features.link_severity = severity;
        }
        if let Some(value) = field("enabledClasses") {
            settings.features.enabled_classes = self.classes(value);
            settings.explicit_classes = settings.features.enabled_classes.is_some();
        }
        if let Some(value) = field("debounceMs")
            && let Some(milliseconds) = self.integer("debounceMs", value, 0, MAX_DEBOUNCE_MS)
        {
            settings.debounce = Duration::from_millis(milliseconds);
        }
        let latex = match field("latex") {
            Some(Value::Object(latex)) => Some(latex),
            Some(other) => {
                self.problems.push(format!(
                    "{SECTION}.latex must be an object, got {}",
                    describe(other)
                ));
                None
            }
            None => None,
        };
        // Accept both `latex: {commands}` and a flat `"latex.commands"` key.
        let commands = latex
            .and_then(|latex| latex.get("commands"))
            .or_else(|| field("latex.commands"));
        let environments = latex
            .and_then(|latex| latex.get("environments"))
            .or_else(|| field("latex.environments"));
        settings.extract = self.extract_options(commands, environments);
        let index = match field("index") {
            Some(Value::Object(index)) => Some(index),
            Some(other) => {
                self.problems.push(format!(
                    "{SECTION}.index must be an object, got {}",
                    describe(other)
                ));
                None
            }
            None => None,
        };
        // `index: {enabled, …}` or flat `"index.enabled"` keys.
        let index_field = |name: &str| {
            index
                .and_then(|index| index.get(name))
                .filter(|value| !value.is_null())
                .or_else(|| field(&format!("index.{name}")))
        };
        if let Some(value) = index_field("enabled") {
            match value.as_bool() {
                Some(enabled) => settings.index.enabled = enabled,
                None => self.problems.push(format!(
                    "{SECTION}.index.enabled must be true or false, got {}",
                    describe(value)
                )),
            }
        }
        if let Some(value) = index_field("maxFiles")
            && let Some(count) = self.integer("index.maxFiles", value, 0, MAX_INDEX_FILES)
        {
            settings.index.max_files = usize::try_from(count).unwrap_or(usize::MAX);
        }
        if let Some(value) = index_field("maxFileSize")
            && let Some(bytes) = self.integer("index.maxFileSize", value, 1, MAX_INDEX_FILE_BYTES)
        {
            settings.index.max_file_bytes = bytes;
        }
        let link_enabled = match field("link") {
            Some(Value::Object(link)) => link.get("enabled").filter(|value| !value.is_null()),
            Some(other) => {
                self.problems.push(format!(
                    "{SECTION}.link must be an object, got {}",
                    describe(other)
                ));
                None
            }
            None => None,
        }
        .or_else(|| field("link.enabled"));
        if let Some(value) = link_enabled {
            match value.as_bool() {
                Some(enabled) => settings.link = enabled,
                None => self.problems.push(format!(
                    "{SECTION}.link.enabled must be true or false, got {}",
                    describe(value)
                )),
            }
        }
        if let Some(value) = index_field("cacheDirectory") {
            settings.index.cache_directory = self.path("index.cacheDirectory", value);
        }
        for key in object.keys() {
            if !KNOWN_KEYS.contains(&key.as_str()) {
                tracing::debug!("ignoring unknown setting {SECTION}.{key}");
            }
        }
        settings
    }

    /// A diagnostic severity: `Some(None)` for `off`, `None` (with a problem) when invalid.
    fn severity(&mut self, name: &str, value: &Value) -> Option<Option<Severity>> {
        let choices = ["hint", "information", "warning", "off"];
        match value.as_str().map(str::to_ascii_lowercase).as_deref() {
            Some("hint") => Some(Some(Severity::Hint)),
            Some("information" | "info") => Some(Some(Severity::Information)),
            Some("warning") => Some(Some(Severity::Warning)),
            Some("off" | "none") => Some(None),
            _ => {
                self.problems.push(format!(
                    "{SECTION}.{name} must be one of {}, got {}",
                    quoted(&choices),
                    describe(value)
                ));
                None
            }
        }
    }

    fn path(&mut self, name: &str, value: &Value) -> Option<PathBuf> {
        match value.as_str() {
            Some(text) if text.trim().is_empty() => None,
            Some(text) => Some(expand_home(text.trim())),
            None => {
                self.problems.push(format!(
                    "{SECTION}.{name} must be a path (a string), got {}",
                    describe(value)
                ));
                None
            }
        }
    }

    /// A list of paths; an entry that is not a non-empty string is named and left out. An empty
    /// object is an empty list: Lua clients (Neovim) encode an empty table `{}` as one.
    fn paths(&mut self, name: &str, value: &Value) -> Vec<PathBuf> {
        if value.as_object().is_some_and(Map::is_empty) {
            return Vec::new();
        }
        let Some(items) = value.as_array() else {
            self.problems.push(format!(
                "{SECTION}.{name} must be a list of paths, got {}",
                describe(value)
            ));
            return Vec::new();
        };
        let mut paths = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            match item.as_str().map(str::trim) {
                Some(text) if !text.is_empty() => paths.push(expand_home(text)),
                _ => self.problems.push(format!(
                    "{SECTION}.{name}[{index}] must be a path (a non-empty string), got {}",
                    describe(item)
                )),
            }
        }
        paths
    }

    fn integer(&mut self, name: &str, value: &Value, min: u64, max: u64) -> Option<u64> {
        match value.as_u64().or_else(|| {
            value
                .as_f64()
                .filter(|n| n.fract() == 0.0 && *n >= 0.0)
                .map(|n| n as u64)
        }) {
            Some(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                self.problems.push(format!(
                    "{SECTION}.{name} must be a whole number from {min} to {max}, got {}",
                    describe(value)
                ));
                None
            }
        }
    }

    fn choice(&mut self, name: &str, value: &Value, choices: &[&str]) -> Option<String> {
        let lowered = value.as_str().map(|text| text.trim().to_ascii_lowercase());
        match lowered {
            Some(text) if text.is_empty() || text == "default" => None,
            Some(text) if choices.contains(&text.as_str()) => Some(text),
            _ => {
                self.problems.push(format!(
                    "{SECTION}.{name} must be one of {}, got {}",
                    quoted(choices),
                    describe(value)
                ));
                None
            }
        }
    }

    fn classes(&mut self, value: &Value) -> Option<Vec<String>> {
        let Value::Array(items) = value else {
            self.problems.push(format!(
                "{SECTION}.enabledClasses must be a list of class names (like [\"protein\", \"cellType\"]), got {}",
                describe(value)
            ));
            return None;
        };
        let mut classes = Vec::new();
        for item in items {
            match item.as_str().map(class_key) {
                Some(key) if !key.is_empty() => classes.push(key),
                _ => self.problems.push(format!(
                    "{SECTION}.enabledClasses must hold class names (strings), got {}",
                    describe(item)
                )),
            }
        }
        // An empty list shows every class, like no list: hiding everything is what turning the
        // server off is for.
        if classes.is_empty() {
            None
        } else {
            Some(classes)
        }
    }

    fn extract_options(
        &mut self,
        commands: Option<&Value>,
        environments: Option<&Value>,
    ) -> ExtractOptions {
        let empty = Map::new();
        let mut options = ExtractOptions::default();
        for (name, value, is_commands) in [
            ("latex.commands", commands, true),
            ("latex.environments", environments, false),
        ] {
            let map = match value {
                None | Some(Value::Null) => continue,
                Some(Value::Object(map)) => map,
                Some(other) => {
                    self.problems.push(format!(
                        "{SECTION}.{name} must be an object mapping names to actions, got {}",
                        describe(other)
                    ));
                    continue;
                }
            };
            // One entry at a time, so a bad entry does not cost the good ones.
            for (key, action) in map {
                let single: Map<String, Value> =
                    [(key.clone(), action.clone())].into_iter().collect();
                let parsed = if is_commands {
                    ExtractOptions::from_settings(&single, &empty)
                } else {
                    ExtractOptions::from_settings(&empty, &single)
                };
                match parsed {
                    Ok(parsed) => {
                        options.latex_commands.extend(parsed.latex_commands);
                        options.latex_environments.extend(parsed.latex_environments);
                    }
                    Err(message) => self.problems.push(format!("{SECTION}.{name}: {message}")),
                }
            }
        }
        options
    }
}

const KNOWN_KEYS: [&str; 23] = [
    "modelPath",
    "modelPaths",
    "ortLibPath",
    "threads",
    "aggregation",
    "decode",
    "confidenceThreshold",
    "diagnosticSeverity",
    "consistencySeverity",
    "enabledClasses",
    "debounceMs",
    "latex",
    "latex.commands",
    "latex.environments",
    "index",
    "index.enabled",
    "index.maxFiles",
    "index.maxFileSize",
    "index.cacheDirectory",
    "linkSeverity",
    "link",
    "link.enabled",
    "trace",
];

/// Whether `key` names a scitag setting (inside the `scitag` object).
pub fn is_setting(key: &str) -> bool {
    KNOWN_KEYS.contains(&key) && key != "trace"
}

fn expand_home(path: &str) -> PathBuf {
    if let Some(rest) = path.strip_prefix("~/")
        && let Some(home) = std::env::var_os("HOME")
    {
        return PathBuf::from(home).join(rest);
    }
    PathBuf::from(path)
}

fn quoted(choices: &[&str]) -> String {
    choices
        .iter()
        .map(|choice| format!("\"{choice}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::FeatureSettings;
    use crate::ner::{Aggregation, Decode};
    use crate::prose::{CommandAction, EnvironmentAction};
    use crate::workspace::IndexSettings;
    use serde_json::json;

    /// What VS Code answers to `workspace/configuration` for section `scitag`: every contributed
    /// setting with its default, `null` for unset paths, plus client-only keys such as `trace`.
    const VSCODE_PAYLOAD: &str = include_str!("../../tests/fixtures/lsp/vscode-configuration.json");

    #[test]
    fn vscode_payload_with_user_values() {
        let payload: Value = serde_json::from_str(VSCODE_PAYLOAD).unwrap();
        let parsed = parse(&payload[0]);
        assert_eq!(parsed.problems, Vec::<String>::new());
        let settings = parsed.settings;
        assert_eq!(
            settings.model_path,
            Some(PathBuf::from("/opt/models/jnlpba-minilm"))
        );
        assert_eq!(settings.ort_lib_path, None);
        assert_eq!(settings.threads, Some(2));
        assert_eq!(settings.aggregation, Some(Aggregation::First));
        assert_eq!(settings.decode, Some(Decode::Viterbi));
        assert_eq!(settings.features.confidence_threshold, 0.6);
        assert_eq!(settings.features.diagnostic_severity, Some(Severity::Hint));
        assert_eq!(
            settings.features.enabled_classes,
            Some(vec!["protein".into(), "cellType".into()])
        );
        assert_eq!(settings.debounce, Duration::from_millis(300));
        assert_eq!(settings.extract.latex_commands.len(), 2);
        let mycite = settings
            .extract
            .latex_commands
            .iter()
            .find(|command| command.name == "mycite")
            .unwrap();
        assert_eq!(mycite.action, CommandAction::Ignore);
        assert_eq!(settings.extract.latex_environments[0].name, "lstlisting2");
        assert_eq!(
            settings.extract.latex_environments[0].action,
            EnvironmentAction::Ignore
        );
    }

    #[test]
    fn vscode_defaults_payload_is_all_defaults() {
        let payload: Value = serde_json::from_str(VSCODE_PAYLOAD).unwrap();
        let parsed = parse(&payload[1]);
        assert_eq!(
            parsed,
            ParsedSettings {
                settings: Settings::default(),
                problems: Vec::new()
            }
        );
    }

    #[test]
    fn index_settings_nested_or_flat_and_bad_values_named() {
        let parsed = parse(
            &json!({"index": {"enabled": false, "maxFiles": 20, "maxFileSize": 1000, "cacheDirectory": "/tmp/c"}}),
        );
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        let index = parsed.settings.index;
        assert!(!index.enabled);
        assert_eq!(index.max_files, 20);
        assert_eq!(index.max_file_bytes, 1000);
        assert_eq!(index.cache_directory, Some(PathBuf::from("/tmp/c")));
        let flat = parse(&json!({"index.maxFiles": 3})).settings.index;
        assert_eq!(flat.max_files, 3);
        assert!(flat.enabled);
        let bad = parse(&json!({"index": {"enabled": "yes", "maxFileSize": 0}}));
        assert_eq!(bad.problems.len(), 2, "{:?}", bad.problems);
        assert_eq!(bad.settings.index, IndexSettings::default());
    }

    #[test]
    fn link_settings_nested_or_flat_and_bad_values_named() {
        let parsed = parse(&json!({"link": {"enabled": false}, "linkSeverity": "warning"}));
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        assert!(!parsed.settings.link);
        assert_eq!(
            parsed.settings.features.link_severity,
            Some(crate::features::Severity::Warning)
        );
        let flat = parse(&json!({"link.enabled": false, "linkSeverity": "off"}));
        assert!(!flat.settings.link);
        assert_eq!(flat.settings.features.link_severity, None);
        assert!(parse(&json!({})).settings.link, "on by default");
        let bad = parse(&json!({"link": {"enabled": 1}, "linkSeverity": "loud"}));
        assert_eq!(bad.problems.len(), 2, "{:?}", bad.problems);
        assert!(bad.settings.link);
    }

    #[test]
    fn nested_under_the_section_key_and_null_are_accepted() {
        let parsed = parse(&json!({"scitag": {"debounceMs": 0}}));
        assert_eq!(parsed.settings.debounce, Duration::ZERO);
        assert!(parsed.problems.is_empty());
        assert_eq!(parse(&Value::Null).settings, Settings::default());
    }

    #[test]
    fn invalid_fields_keep_defaults_and_are_named_while_the_rest_applies() {
        let parsed = parse(&json!({
            "debounceMs": "fast",
            "confidenceThreshold": 2,
            "diagnosticSeverity": "loud",
            "decode": "beam",
            "threads": 0,
            "enabledClasses": "protein",
            "latex": {"commands": {"\\gene{}": "default", "oops": "ignore"}, "environments": {"myenv": "maybe"}},
            "modelPath": 7,
            "aggregation": "max"
        }));
        let settings = &parsed.settings;
        assert_eq!(settings.debounce, DEFAULT_DEBOUNCE);
        assert_eq!(settings.features, FeatureSettings::default());
        assert_eq!(settings.decode, None);
        assert_eq!(settings.threads, None);
        assert_eq!(settings.model_path, None);
        // Valid fields still apply.
        assert_eq!(settings.aggregation, Some(Aggregation::Max));
        assert_eq!(settings.extract.latex_commands.len(), 1);
        let problems = parsed.problems.join("\n");
        for name in [
            "scitag.debounceMs",
            "scitag.confidenceThreshold",
            "scitag.diagnosticSeverity",
            "scitag.decode",
            "scitag.threads",
            "scitag.enabledClasses",
            "scitag.latex.commands",
            "scitag.latex.environments",
            "scitag.modelPath",
        ] {
            assert!(problems.contains(name), "{name} missing from:\n{problems}");
        }
        assert_eq!(parsed.problems.len(), 9, "{problems}");
        assert!(problems_message(&parsed.problems).starts_with("scitag: invalid settings"));
    }

    #[test]
    fn model_paths_are_a_list_of_paths_and_bad_entries_are_named() {
        let parsed = parse(&json!({"modelPaths": ["builtin", " /models/genes ", 3, ""]}));
        assert_eq!(
            parsed.settings.model_paths,
            [PathBuf::from("builtin"), PathBuf::from("/models/genes")]
        );
        let problems = parsed.problems.join("\n");
        assert!(problems.contains("scitag.modelPaths[2]"), "{problems}");
        assert!(problems.contains("scitag.modelPaths[3]"), "{problems}");
        assert_eq!(parsed.problems.len(), 2, "{problems}");
        let parsed = parse(&json!({"modelPaths": {}}));
        assert!(parsed.settings.model_paths.is_empty() && parsed.problems.is_empty());
        let parsed = parse(&json!({"modelPaths": "/models/genes"}));
        assert!(parsed.settings.model_paths.is_empty());
        assert!(parsed.problems[0].contains("must be a list of paths"));
        // A change of the list reloads the models.
        let before = Settings::default();
        assert!(before.model_differs(&parse(&json!({"modelPaths": ["builtin"]})).settings));
    }

    #[test]
    fn a_non_object_is_one_problem() {
        let parsed = parse(&json!(["scitag"]));
        assert_eq!(parsed.settings, Settings::default());
        assert_eq!(parsed.problems.len(), 1);
    }

    #[test]
    fn severity_off_and_empty_class_list() {
        let parsed = parse(&json!({"diagnosticSeverity": "off", "enabledClasses": []}));
        assert_eq!(parsed.settings.features.diagnostic_severity, None);
        assert_eq!(parsed.settings.features.enabled_classes, None);
    }

    #[test]
    fn what_needs_a_reload_or_a_reanalysis() {
        let base = Settings::default();
        let model = Settings {
            model_path: Some("/m".into()),
            ..Settings::default()
        };
        let decode = Settings {
            decode: Some(Decode::Viterbi),
            ..Settings::default()
        };
        let threshold = Settings {
            features: FeatureSettings {
                confidence_threshold: 0.1,
                ..FeatureSettings::default()
            },
            ..Settings::default()
        };
        assert!(base.model_differs(&model) && !base.analysis_differs(&model));
        assert!(!base.model_differs(&decode) && base.analysis_differs(&decode));
        assert!(!base.model_differs(&threshold) && !base.analysis_differs(&threshold));
    }
}
