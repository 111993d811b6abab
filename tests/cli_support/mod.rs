//! Running the `scitag` binary in a directory, shared by the command-line tests
//! (`tests/check_cli.rs`, `tests/latex_project_cli.rs`).

use std::path::Path;
use std::process::{Command, Output};

/// Runs `scitag ARGS` in `dir` with the ONNX Runtime the build found (not an inherited
/// `ORT_DYLIB_PATH`).
pub fn scitag(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scitag"))
        .args(args)
        .current_dir(dir)
        .env_remove("ORT_DYLIB_PATH")
        .output()
        .expect("run scitag")
}
