//! Fuzzes the latex extractor: any UTF-8 input must extract without panicking and keep every
//! documented invariant (ordered, disjoint-or-nested paragraphs; exact Verbatim pieces; every prose
//! byte mapped into the source; sentences covering the prose).
#![no_main]

use libfuzzer_sys::fuzz_target;
// The prose module itself, compiled into the target (see Cargo.toml for why not the whole crate).
#[allow(dead_code, unused_imports)]
#[path = "../../src/prose/mod.rs"]
mod prose;

use prose::{ExtractOptions, Language, check_invariants, extract};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // libfuzzer-sys installs a panic hook that aborts, so a panic inside `extract` (which otherwise
    // catches it and reports an internal-error problem) is reported as a crash.
    let extraction = extract(text, Language::Latex, &ExtractOptions::default());
    if let Err(error) = check_invariants(text, &extraction) {
        panic!("invariant broken: {error}");
    }
    assert!(
        !extraction
            .problems
            .iter()
            .any(|problem| problem.message.starts_with("internal error"))
    );
    for paragraph in &extraction.paragraphs {
        for sentence in &paragraph.sentences {
            if let Some(source) = paragraph.to_source(sentence.clone()) {
                assert!(
                    source.start >= paragraph.source_range.start
                        && source.end <= paragraph.source_range.end
                );
            }
        }
    }
});
