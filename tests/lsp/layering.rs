//! Architecture invariant: only `src/server/` knows the protocol. Core modules speak byte
//! offsets and plain data; a protocol type anywhere else is a layering bug.

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
