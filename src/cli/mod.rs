//! Subcommands of the `scitag` binary. Each module owns its clap `Args` and a `run` function.

pub mod check;
pub mod eval;
mod files;
pub mod list;
pub mod lsp;
mod project;
pub mod prose;
pub mod tag;
