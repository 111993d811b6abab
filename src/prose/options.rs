//! User settings for extraction: LaTeX commands and environments the built-in table does not know.
//!
//! The wire shape follows ltex-ls (`ltex.latex.commands` / `ltex.latex.environments`): a map from a
//! command signature such as `"\\mycite[]{}"` to an action (`"default"`, `"ignore"`, `"dummy"`), and a
//! map from an environment name to `"default"` or `"ignore"`.

use serde_json::{Map, Value};

/// How one argument of a LaTeX command is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArgumentKind {
    /// `[...]`, may be absent.
    Optional,
    /// `{...}` (or a single token).
    Required,
}

/// What to do with a user-declared LaTeX command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CommandAction {
    /// Drop the command name and optional arguments; keep the text of the required arguments.
    Default,
    /// Drop the command and all declared arguments.
    Ignore,
    /// Replace the command and its arguments by a neutral placeholder (`1`, synthetic: never part of
    /// an entity), so the sentence still reads as a sentence.
    Dummy,
}

/// What to do with a user-declared LaTeX environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EnvironmentAction {
    /// The content is prose (the environment is transparent).
    Default,
    /// The content is skipped.
    Ignore,
}

/// A user-declared LaTeX command signature.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LatexCommand {
    /// The name without the backslash (`mycite`; a trailing `*` is part of the name).
    pub name: String,
    pub arguments: Vec<ArgumentKind>,
    pub action: CommandAction,
}

/// A user-declared LaTeX environment.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LatexEnvironment {
    pub name: String,
    pub action: EnvironmentAction,
}

/// Extraction settings. The default is the built-in behaviour.
#[derive(Default, Clone, Debug, PartialEq, Eq, Hash)]
pub struct ExtractOptions {
    /// User commands; they take precedence over the built-in table.
    pub latex_commands: Vec<LatexCommand>,
    /// User environments; they take precedence over the built-in table.
    pub latex_environments: Vec<LatexEnvironment>,
    /// Zero-argument macros defined in the other files of the document's LaTeX project (name →
    /// the prose of the body, as [`crate::prose::latex_file_facts`] reads them). The document's
    /// own definitions replace these. Not a user setting: the workspace fills it in.
    pub latex_macros: Vec<(String, String)>,
}

impl ExtractOptions {
    /// Parses ltex-ls-like settings: `{"\\gene{}": "default", "\\mycite[]{}": "ignore", "\\foo{}": "dummy"}`
    /// and `{"myenv": "ignore"}`. The error names the offending key and says what is accepted.
    pub fn from_settings(
        commands: &Map<String, Value>,
        environments: &Map<String, Value>,
    ) -> Result<Self, String> {
        let mut options = ExtractOptions::default();
        for (key, value) in commands {
            let (name, arguments) = parse_signature(key)?;
            let action = match value.as_str() {
                Some("default") => CommandAction::Default,
                Some("ignore") => CommandAction::Ignore,
                Some("dummy" | "pluralDummy" | "vowelDummy") => CommandAction::Dummy,
                _ => {
                    return Err(format!(
                        "LaTeX command {key:?}: unknown action {value}; use \"default\", \"ignore\" or \"dummy\""
                    ));
                }
            };
            options.latex_commands.push(LatexCommand {
                name,
                arguments,
                action,
            });
        }
        for (key, value) in environments {
            let name = key.trim().trim_start_matches('\\');
            let name = name.split(['{', '[']).next().unwrap_or_default().trim();
            if name.is_empty()
                || !name
                    .chars()
                    .all(|character| character.is_alphanumeric() || "*@:-_".contains(character))
            {
                return Err(format!(
                    "LaTeX environment {key:?}: not an environment name (write it like \"myenv\")"
                ));
            }
            let action = match value.as_str() {
                Some("default") => EnvironmentAction::Default,
                Some("ignore") => EnvironmentAction::Ignore,
                _ => {
                    return Err(format!(
                        "LaTeX environment {key:?}: unknown action {value}; use \"default\" or \"ignore\""
                    ));
                }
            };
            options.latex_environments.push(LatexEnvironment {
                name: name.to_owned(),
                action,
            });
        }
        Ok(options)
    }

    /// The user command named `name` with the most arguments, if any.
    pub(crate) fn command(&self, name: &str) -> Option<&LatexCommand> {
        self.latex_commands
            .iter()
            .filter(|command| command.name == name)
            .max_by_key(|command| command.arguments.len())
    }

    pub(crate) fn environment(&self, name: &str) -> Option<EnvironmentAction> {
        self.latex_environments
            .iter()
            .rev()
            .find(|environment| environment.name == name)
            .map(|environment| environment.action)
    }
}

/// `\name[]{}{}` → (`name`, [Optional, Required, Required]).
fn parse_signature(key: &str) -> Result<(String, Vec<ArgumentKind>), String> {
    let invalid = || {
        format!(
            "LaTeX command {key:?}: write a signature like \"\\\\mycite[]{{}}\" (backslash, name, then [] or {{}} per argument)"
        )
    };
    let rest = key.trim().strip_prefix('\\').ok_or_else(invalid)?;
    let name_length = rest
        .char_indices()
        .find(|(_, character)| !(character.is_ascii_alphabetic() || *character == '@'))
        .map_or(rest.len(), |(index, _)| index);
    let (mut name, mut rest) = (rest[..name_length].to_owned(), &rest[name_length..]);
    if name.is_empty() {
        // A control symbol such as `\,` is a one-character name.
        let character = rest.chars().next().ok_or_else(invalid)?;
        name.push(character);
        rest = &rest[character.len_utf8()..];
    } else if let Some(after_star) = rest.strip_prefix('*') {
        name.push('*');
        rest = after_star;
    }
    let mut arguments = Vec::new();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("[]") {
            arguments.push(ArgumentKind::Optional);
            rest = after;
        } else if let Some(after) = rest.strip_prefix("{}") {
            arguments.push(ArgumentKind::Required);
            rest = after;
        } else {
            return Err(invalid());
        }
    }
    Ok((name, arguments))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(value: serde_json::Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn parses_ltex_like_settings() {
        let options = ExtractOptions::from_settings(
            &map(serde_json::json!({"\\gene{}": "default", "\\mycite[]{}": "ignore", "\\foo{}": "dummy"})),
            &map(serde_json::json!({"myenv": "ignore", "notes": "default"})),
        )
        .expect("valid settings");
        assert_eq!(
            options.command("mycite"),
            Some(&LatexCommand {
                name: "mycite".into(),
                arguments: vec![ArgumentKind::Optional, ArgumentKind::Required],
                action: CommandAction::Ignore
            })
        );
        assert_eq!(
            options.command("foo").map(|command| command.action),
            Some(CommandAction::Dummy)
        );
        assert_eq!(
            options.environment("myenv"),
            Some(EnvironmentAction::Ignore)
        );
        assert_eq!(
            options.environment("notes"),
            Some(EnvironmentAction::Default)
        );
        assert_eq!(options.environment("other"), None);
    }

    #[test]
    fn rejects_bad_settings_with_the_key_in_the_message() {
        let error = ExtractOptions::from_settings(
            &map(serde_json::json!({"gene{}": "default"})),
            &Map::new(),
        )
        .expect_err("no backslash");
        assert!(error.contains("gene{}"), "{error}");
        let error = ExtractOptions::from_settings(
            &map(serde_json::json!({"\\gene{}": "keep"})),
            &Map::new(),
        )
        .expect_err("unknown action");
        assert!(error.contains("keep"), "{error}");
        let error = ExtractOptions::from_settings(
            &map(serde_json::json!({"\\gene{x}": "ignore"})),
            &Map::new(),
        )
        .expect_err("bad signature");
        assert!(error.contains("\\gene{x}"), "{error}");
        let error = ExtractOptions::from_settings(
            &Map::new(),
            &map(serde_json::json!({"my env": "ignore"})),
        )
        .expect_err("bad environment");
        assert!(error.contains("my env"), "{error}");
    }
}
