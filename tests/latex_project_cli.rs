//! The command line reads a LaTeX chapter with the macros of its project, as the editor does: the
//! real FcγR-binding manuscript of `../shared/corpus`, whose chapter `Introduction.tex` uses the
//! `\fcgr{}` that only its main file defines, laid out under the names the main file's `\input`s
//! use.

use std::path::Path;
use std::process::Output;

mod cli_support;
use cli_support::scitag;

fn corpus(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/latex")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("UTF-8")
}

/// `Manuscript.tex` (`\newcommand{\fcgr}{Fc\textgamma{}R}`, `\input{Introduction}`) and
/// `Introduction.tex`.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::write(
        dir.path().join("Manuscript.tex"),
        corpus("fcgr-binding-main.tex"),
    )
    .expect("write");
    std::fs::write(
        dir.path().join("Introduction.tex"),
        corpus("fcgr-binding-introduction.tex"),
    )
    .expect("write");
    dir
}

#[test]
fn a_chapter_is_read_with_the_macros_of_its_main_file() {
    let dir = project();
    let prose = stdout(&scitag(&["prose", "Introduction.tex"], dir.path()));
    assert!(
        prose.contains("predict IgG-FcγR function"),
        "the macro is expanded: {prose}"
    );
    // From elsewhere, by an absolute path: the file's own folder is the project's.
    let absolute = dir.path().join("Introduction.tex");
    let elsewhere = tempfile::tempdir().expect("temporary directory");
    let prose = stdout(&scitag(
        &["prose", absolute.to_str().unwrap()],
        elsewhere.path(),
    ));
    assert!(prose.contains("predict IgG-FcγR function"), "{prose}");
    // Alone, the chapter knows no `\fcgr`: the macro reads as nothing.
    std::fs::remove_file(dir.path().join("Manuscript.tex")).expect("remove");
    let alone = stdout(&scitag(&["prose", "Introduction.tex"], dir.path()));
    assert!(alone.contains("predict IgG- function"), "{alone}");
}

#[test]
fn the_chapter_entities_include_the_macro_mentions() {
    let dir = project();
    let listed = stdout(&scitag(
        &["list", "Introduction.tex", "--format", "json"],
        dir.path(),
    ));
    let table: serde_json::Value = serde_json::from_str(&listed).expect("JSON");
    let rows = table
        .as_array()
        .or_else(|| table["entities"].as_array())
        .expect("rows");
    assert!(
        rows.iter().any(|row| row["entity"]
            .as_str()
            .is_some_and(|entity| entity.starts_with("FcγR"))),
        "FcγR (from \\fcgr{{}}) among the chapter's entities: {listed}"
    );
}
