//! Architecture invariants: only `src/server/` knows the protocol, and the server only speaks it.
//! Core modules speak byte offsets and plain data; a protocol type anywhere else is a layering bug.
//! The workspace (`src/workspace/`) owns the documents, glossaries and model; the server's handlers
//! reach them through it, never directly.

use std::path::{Path, PathBuf};

fn rust_files(directory: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(directory).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
}

#[test]
fn only_the_server_module_uses_protocol_types() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let server = source.join("server");
    let mut files = Vec::new();
    rust_files(&source, &mut files);
    let offenders: Vec<String> = files
        .iter()
        .filter(|path| !path.starts_with(&server))
        .filter(|path| {
            let text = std::fs::read_to_string(path).unwrap();
            text.contains("tower_lsp_server")
                || text.contains("ls_types")
                || text.contains("lsp_types")
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "protocol types outside src/server/: {offenders:?}"
    );
}

/// The core (everything but `src/server/` and `src/cli/`) never reaches up into the protocol or the
/// command line: the server and the CLI use one pipeline and one glossary from the core, not the
/// other way round.
#[test]
fn the_core_does_not_depend_on_the_server_or_the_cli() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&source, &mut files);
    let offenders: Vec<String> = files
        .iter()
        .filter(|path| {
            !path.starts_with(source.join("server"))
                && !path.starts_with(source.join("cli"))
                && !path.ends_with("main.rs")
                && !path.ends_with("lib.rs")
        })
        .filter(|path| {
            let text = std::fs::read_to_string(path).unwrap();
            text.contains("crate::server") || text.contains("crate::cli")
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "core modules that use the server or the CLI: {offenders:?}"
    );
}

/// Guards and the glossary run in one place for every caller: the CLI does not call them itself
/// but through `analysis::Finisher`, `map_to_source` or `tag_texts`.
#[test]
fn the_cli_and_the_server_share_the_pipeline() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&source.join("cli"), &mut files);
    rust_files(&source.join("server"), &mut files);
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("guards::apply") && !text.contains(".apply(&paragraph.prose"),
            "{} applies guards or the glossary itself instead of through analysis::",
            path.display()
        );
    }
}

/// The source of a file without its comments (whole `//` lines and trailing `// ...`), so that
/// documentation may name what the code must not use. Good enough for this crate's sources: no
/// string literal here holds `//` followed by a forbidden name.
fn code_of(path: &Path) -> String {
    strip_comments(&std::fs::read_to_string(path).unwrap())
}

fn strip_comments(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            Some(start) if !line[..start].contains('"') => &line[..start],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules of this crate that `code` names through `crate::`, including those in
/// grouped imports (`use crate::{analysis::lock, ner};` names `analysis` and `ner`).
fn crate_modules_used(code: &str) -> Vec<String> {
    let identifier = |text: &str| -> String {
        text.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut modules = Vec::new();
    for (start, _) in code.match_indices("crate::") {
        let rest = &code[start + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Split the group's top level at commas.
            let mut depth = 0;
            let mut item_start = 0;
            for (index, character) in group.char_indices() {
                match character {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        modules.push(identifier(&group[item_start..index]));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        modules.push(identifier(&group[item_start..index]));
                        item_start = index + 1;
                    }
                    _ => {}
                }
            }
        } else {
            modules.push(identifier(rest));
        }
    }
    modules.retain(|module| !module.is_empty());
    modules.sort();
    modules.dedup();
    modules
}

#[test]
fn the_module_scanner_sees_grouped_imports() {
    let code = "use crate::{analysis::{lock, Focus}, ner};\nuse crate::workspace::Workspace;";
    assert_eq!(crate_modules_used(code), ["analysis", "ner", "workspace"]);
    let code = strip_comments("use tokio; // tokio\n//! crate::server\nlet slash = \"//\";");
    assert_eq!(code, "use tokio; \n\nlet slash = \"//\";");
}

/// The workspace is the core's room for a language server's state: it knows neither the protocol
/// (no `tower_lsp_server`, no LSP types, no `crate::server`) nor the async runtime (no `tokio`),
/// so the server could be swapped for another front end and the workspace tested on its own.
#[test]
fn the_workspace_knows_neither_the_protocol_nor_the_async_runtime() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&source.join("workspace"), &mut files);
    assert!(!files.is_empty(), "src/workspace/ has no sources");
    for path in files {
        let code = code_of(&path);
        for forbidden in [
            "tower_lsp_server",
            "ls_types",
            "lsp_types",
            "jsonrpc",
            "tokio",
            "crate::server",
            "crate::cli",
        ] {
            assert!(
                !code.contains(forbidden),
                "{} uses {forbidden}: the workspace must not know the protocol or the runtime",
                path.display()
            );
        }
        let modules = crate_modules_used(&code);
        assert!(
            !modules
                .iter()
                .any(|module| module == "server" || module == "cli"),
            "{} uses {modules:?}",
            path.display()
        );
    }
}

/// Handlers (`src/server/handlers/`) speak the protocol and call the workspace: of this crate they
/// use only the workspace, the core types they convert (`document`, `features`) and the server's
/// own pieces. The model (`ner`), the pipeline (`analysis`), the glossaries (`glossary`) and
/// prose extraction (`prose`) are the workspace's business.
#[test]
fn handlers_reach_documents_glossaries_and_the_model_through_the_workspace() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&source.join("server").join("handlers"), &mut files);
    assert!(files.len() >= 8, "one handler file per feature: {files:?}");
    let allowed = ["document", "features", "server", "workspace"];
    for path in files {
        let code = code_of(&path);
        let modules = crate_modules_used(&code);
        let reached: Vec<&String> = modules
            .iter()
            .filter(|module| !allowed.contains(&module.as_str()))
            .collect();
        assert!(
            reached.is_empty(),
            "{} uses crate::{reached:?} directly instead of through crate::workspace",
            path.display()
        );
        assert!(
            !code.contains("scitag::"),
            "{} names the crate by its external name",
            path.display()
        );
    }
}

/// The server holds one workspace and no state of its own beyond the protocol's: no file under
/// `src/server/` builds or holds a glossary store, an analyzer, a scheduler or a tagger, or
/// keeps open documents itself.
#[test]
fn only_the_workspace_holds_documents_glossaries_and_the_model() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&source.join("server"), &mut files);
    for path in files {
        let code = code_of(&path);
        for forbidden in [
            "GlossaryStore",
            "Analyzer",
            "Scheduler",
            "Tagger",
            "OpenDocument",
            "Document::new",
            "crate::glossary",
        ] {
            assert!(
                !code.contains(forbidden),
                "{} uses {forbidden}: that state belongs to crate::workspace",
                path.display()
            );
        }
    }
    let server = code_of(&source.join("server").join("mod.rs"));
    assert!(
        server.contains("workspace: Workspace<Uri>"),
        "the server state holds the workspace"
    );
}
