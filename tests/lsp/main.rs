//! End-to-end tests of `scitag lsp`: a real server over framed pipes (and one over the binary's
//! stdio), driven by a test client that must read every message the server sends.
//!
//! The fixture model (`tests/fixtures/tiny-model`) has random weights: tests compare what the
//! server sends with a direct run of the same extraction and model (`expected.rs`).

mod expected;
mod harness;

mod default_model;
mod diagnostics;
mod editing;
mod errors;
mod glossary;
mod hover;
mod index;
mod initialize;
mod latex_project;
mod layering;
mod link;
mod multihead;
mod navigation;
mod settings;
mod soak;
mod stdio;
mod tokens;
mod transport;
mod unicode;

pub const MARKDOWN_URI: &str = "file:///work/paper/manuscript.md";
pub const LATEX_URI: &str = "file:///work/paper/manuscript.tex";
