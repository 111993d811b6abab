// Shared by the three fuzz targets through `include!`: the checks every extractor must pass on any
// UTF-8 input. `prose` (the module under test) is in scope at the include site.

fn check(data: &[u8], language: prose::Language) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // libfuzzer-sys installs a panic hook that aborts, so a panic inside `extract` (which otherwise
    // catches it and reports an internal-error problem) is reported as a crash.
    let extraction = prose::extract(text, language, &prose::ExtractOptions::default());
    if let Err(error) = prose::check_invariants(text, &extraction) {
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
}
