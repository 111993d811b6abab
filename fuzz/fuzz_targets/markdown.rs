//! Fuzzes the markdown extractor: any UTF-8 input must extract without panicking and keep every
//! documented invariant (ordered, disjoint-or-nested paragraphs; exact Verbatim pieces; every prose
//! byte mapped into the source; sentences covering the prose).
#![no_main]

use libfuzzer_sys::fuzz_target;
// The prose module itself, compiled into the target (see Cargo.toml for why not the whole crate).
#[allow(dead_code, unused_imports)]
#[path = "../../src/prose/mod.rs"]
mod prose;

include!("common.rs");

fuzz_target!(|data: &[u8]| check(data, prose::Language::Markdown));
