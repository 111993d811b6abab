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
