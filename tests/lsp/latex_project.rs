//! LaTeX projects over the real protocol: a chapter reads the macros its root file defines (open
//! or closed, as the editor and the project index see it), follows the root when it changes on
//! disk, and a link that leads outside the workspace folders is not followed but reported.
//!
//! As in `index.rs`, the mentions followed come from a project glossary (the fixture model has
//! random weights): `FcγR` is a protein only where `\fcgr{}` expands to it.

use std::path::PathBuf;

use serde_json::{Value, json};

use super::harness::{ClientOptions, TestClient, tiny_model};
use super::index::{eventually, file_uri, indexed, range_of, references};

const GLOSSARY: &str = "[class]\nprotein = [\"FcγR\"]\n";

const MAIN: &str = "\\documentclass{article}\n\\newcommand{\\fcgr}{Fc\\textgamma{}R}\n\
\\begin{document}\n\\input{chapters/one}\n\\include{chapters/two}\n\\end{document}\n";

const ONE: &str = "The \\fcgr{} family binds the Fc domain of IgG.\n";
const TWO: &str = "Each \\fcgr{} class differs in affinity.\n";
/// In the workspace, but in no graph: `\fcgr` means nothing there.
const LONELY: &str = "The \\fcgr{} family again.\n";

struct Project {
    _dir: tempfile::TempDir,
    root: PathBuf,
    options: ClientOptions,
}

impl Project {
    fn new(files: &[(&str, &str)]) -> Project {
        let dir = tempfile::tempdir().expect("temp dir");
        let base = dir.path().canonicalize().expect("canonical");
        let root = base.join("paper");
        for (name, text) in files {
            let path = base.join(name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("folders");
            std::fs::write(path, text).expect("write");
        }
        let options = ClientOptions {
            root_uri: Some(file_uri(&root)),
            initialization_options: json!({
                "modelPath": tiny_model(),
                "debounceMs": 20,
                "index": { "cacheDirectory": base.join("cache") },
            }),
            ..ClientOptions::default()
        };
        Project {
            _dir: dir,
            root,
            options,
        }
    }

    fn uri(&self, name: &str) -> String {
        file_uri(&self.root.join(name))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chapter_reads_the_macros_of_its_root_and_follows_the_root_on_disk() {
    let project = Project::new(&[
        ("paper/scitag.toml", GLOSSARY),
        ("paper/main.tex", MAIN),
        ("paper/chapters/one.tex", ONE),
        ("paper/chapters/two.tex", TWO),
        ("paper/lonely.tex", LONELY),
    ]);
    let mut client = TestClient::start(project.options.clone()).await;
    let one_uri = project.uri("chapters/one.tex");
    let two_uri = project.uri("chapters/two.tex");
    let lonely_uri = project.uri("lonely.tex");
    client.open(&one_uri, "latex", ONE).await;
    let hints = client.diagnostics(&one_uri, 1).await;
    assert!(
        hints.iter().all(|hint| hint["code"] != "latex-project"),
        "{hints:#?}"
    );
    client.ignore_diagnostics_of(&one_uri);
    // main.tex, the two chapters and lonely.tex.
    indexed(&mut client, 4).await;

    // The open chapter and the closed one both read `\fcgr{}` as the root defines it.
    let at = ONE.find("\\fcgr").unwrap();
    let found = references(&mut client, &one_uri, ONE, at).await;
    let places: Vec<(&str, &Value)> = found
        .iter()
        .map(|(uri, range)| (uri.as_str(), range))
        .collect();
    assert_eq!(
        places,
        [
            (one_uri.as_str(), &range_of(ONE, "\\fcgr")),
            (two_uri.as_str(), &range_of(TWO, "\\fcgr")),
        ],
        "the open chapter, then the closed one; not lonely.tex, in no project"
    );

    // A file of no project knows no `\fcgr`.
    client.open(&lonely_uri, "latex", LONELY).await;
    client.diagnostics(&lonely_uri, 1).await;
    client.ignore_diagnostics_of(&lonely_uri);
    let lonely = references(
        &mut client,
        &lonely_uri,
        LONELY,
        LONELY.find("\\fcgr").unwrap(),
    )
    .await;
    assert!(lonely.is_empty(), "{lonely:#?}");

    // The root changes on disk: `\fcgr` now expands to nothing, so nothing is tagged there.
    std::fs::write(
        project.root.join("main.tex"),
        MAIN.replace("Fc\\textgamma{}R", ""),
    )
    .unwrap();
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": project.uri("main.tex"), "type": 2 }] }),
        )
        .await;
    eventually(&mut client, &one_uri, ONE, at, |found| found.is_empty()).await;
    // And back: the closed chapter comes back too (re-indexed with the new macros).
    std::fs::write(project.root.join("main.tex"), MAIN).unwrap();
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": project.uri("main.tex"), "type": 2 }] }),
        )
        .await;
    eventually(&mut client, &one_uri, ONE, at, |found| found.len() == 2).await;
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_outside_the_workspace_is_not_followed_and_the_user_is_told() {
    let main = "\\documentclass{article}\n\\input{../outside}\n\\begin{document}\n\
                The \\fcgr{} family.\n\\input{missing-on-purpose}\n\\end{document}\n";
    let project = Project::new(&[
        ("paper/scitag.toml", GLOSSARY),
        ("paper/main.tex", main),
        // Beside the workspace folder: its macro must not reach the document.
        ("outside.tex", "\\newcommand{\\fcgr}{Fc\\textgamma{}R}\n"),
    ]);
    let mut client = TestClient::start(project.options.clone()).await;
    let uri = project.uri("main.tex");
    client.open(&uri, "latex", main).await;
    let diagnostics = client.diagnostics(&uri, 1).await;
    let hints: Vec<&Value> = diagnostics
        .iter()
        .filter(|diagnostic| diagnostic["code"] == "latex-project")
        .collect();
    assert_eq!(
        hints.len(),
        1,
        "one hint, on the link outside: {diagnostics:#?}"
    );
    assert_eq!(hints[0]["range"], range_of(main, "\\input{../outside}"));
    assert_eq!(hints[0]["severity"], 4, "a hint");
    let message = hints[0]["message"].as_str().unwrap();
    assert!(message.contains("outside the workspace"), "{message}");
    let found = references(&mut client, &uri, main, main.find("\\fcgr").unwrap()).await;
    assert!(
        found.is_empty(),
        "the outside macro was applied: {found:#?}"
    );
    client.shutdown().await;
}
