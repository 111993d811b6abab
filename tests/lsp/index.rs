//! The project index over the real protocol: the workspace folder's closed manuscripts are tagged
//! in the background, so references and workspace symbols reach files the editor never opened; the
//! index follows changes on disk, and its disk cache survives a restart and is ignored when
//! corrupt.
//!
//! As in `navigation.rs`, the mentions followed come from a project glossary (the fixture model
//! has random weights).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::harness::{ClientOptions, TestClient, fixture, tiny_model};

const GLOSSARY: &str = r#"[class]
protein = ["IL-2Rα", "IL2R alpha", "il-2 rα", "NF-κB", "NF-kappaB"]
cell_line = ["Jurkat cells"]
"#;

pub(super) fn file_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// The UTF-16 position of byte `offset` of `text`.
pub(super) fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |index| index + 1);
    let character = text[line_start..offset].encode_utf16().count();
    json!({ "line": line, "character": character })
}

pub(super) fn range_of(text: &str, needle: &str) -> Value {
    let start = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} in the text"));
    json!({ "start": position(text, start), "end": position(text, start + needle.len()) })
}

/// A project folder: the glossary, `intro.md` and `chapters/methods.tex` (the navigation
/// fixtures), and files the index must leave out (`.gitignore`d, not a manuscript).
struct Project {
    _dir: tempfile::TempDir,
    root: PathBuf,
    cache: PathBuf,
}

impl Project {
    fn new() -> Project {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().canonicalize().expect("canonical").join("paper");
        let cache = dir.path().canonicalize().expect("canonical").join("cache");
        std::fs::create_dir_all(root.join("chapters")).expect("chapters");
        std::fs::create_dir_all(root.join("build")).expect("build");
        std::fs::write(root.join("scitag.toml"), GLOSSARY).expect("glossary");
        std::fs::write(root.join("intro.md"), fixture("navigation.md")).expect("intro");
        std::fs::write(root.join("chapters/methods.tex"), fixture("navigation.tex"))
            .expect("methods");
        std::fs::write(root.join(".gitignore"), "build/\n").expect(".gitignore");
        std::fs::write(root.join("build/copy.md"), "IL-2Rα again.\n").expect("copy");
        std::fs::write(root.join("notes.txt"), "IL-2Rα in notes.\n").expect("notes");
        Project {
            _dir: dir,
            root,
            cache,
        }
    }

    fn options(&self, work_done_progress: bool) -> ClientOptions {
        ClientOptions {
            root_uri: Some(file_uri(&self.root)),
            work_done_progress,
            initialization_options: json!({
                "modelPath": tiny_model(),
                "debounceMs": 20,
                "index": { "cacheDirectory": self.cache },
            }),
            ..ClientOptions::default()
        }
    }

    fn uri(&self, name: &str) -> String {
        file_uri(&self.root.join(name))
    }
}

/// Polls `scitag/status` until the index holds `files` files and no pass runs; returns its
/// `index` object.
pub(super) async fn indexed(client: &mut TestClient, files: u64) -> Value {
    let started = Instant::now();
    loop {
        let index = client.status().await["index"].clone();
        if index["files"] == files && index["indexing"] == false {
            return index;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the index never held {files} files: {index:#}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The `(uri, range)` of each reference at byte `offset` of the open document `uri`.
pub(super) async fn references(
    client: &mut TestClient,
    uri: &str,
    text: &str,
    offset: usize,
) -> Vec<(String, Value)> {
    let result = client
        .request_ok(
            "textDocument/references",
            json!({
                "textDocument": { "uri": uri },
                "position": position(text, offset),
                "context": { "includeDeclaration": true },
            }),
        )
        .await;
    result
        .as_array()
        .expect("locations")
        .iter()
        .map(|location| {
            (
                location["uri"].as_str().unwrap().to_owned(),
                location["range"].clone(),
            )
        })
        .collect()
}

async fn symbols(client: &mut TestClient, query: &str) -> Vec<Value> {
    client
        .request_ok("workspace/symbol", json!({ "query": query }))
        .await
        .as_array()
        .cloned()
        .expect("symbols")
}

/// Runs `check` on the references until it holds (the index follows a change in the background).
pub(super) async fn eventually(
    client: &mut TestClient,
    uri: &str,
    text: &str,
    offset: usize,
    check: impl Fn(&[(String, Value)]) -> bool,
) -> Vec<(String, Value)> {
    let started = Instant::now();
    loop {
        let found = references(client, uri, text, offset).await;
        if check(&found) {
            return found;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the references never changed: {found:#?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn references_and_symbols_reach_a_file_never_opened_and_follow_it_on_disk() {
    let project = Project::new();
    let mut client = TestClient::start(project.options(false)).await;
    let intro_uri = project.uri("intro.md");
    let methods_uri = project.uri("chapters/methods.tex");
    let intro = fixture("navigation.md");
    let methods = fixture("navigation.tex");
    client.open(&intro_uri, "markdown", &intro).await;
    client.diagnostics(&intro_uri, 1).await;
    // intro.md and chapters/methods.tex; not build/ (.gitignore) nor notes.txt.
    indexed(&mut client, 2).await;

    let at = intro.find("IL2R alpha").unwrap();
    let found = references(&mut client, &intro_uri, &intro, at).await;
    let in_methods: Vec<&Value> = found
        .iter()
        .filter(|(uri, _)| *uri == methods_uri)
        .map(|(_, range)| range)
        .collect();
    assert_eq!(
        in_methods,
        [
            &range_of(&methods, "IL-2R$\\alpha$"),
            &range_of(&methods, "IL2R alpha"),
            &range_of(&methods, "il-2 r$\\alpha$"),
        ],
        "the closed file's mentions: {found:#?}"
    );
    assert_eq!(
        found.len(),
        7,
        "4 in the open document, 3 in the closed one"
    );
    assert_eq!(found[0].0, intro_uri, "the open document first");
    assert!(
        found
            .iter()
            .all(|(uri, _)| *uri == intro_uri || *uri == methods_uri),
        "{found:#?}"
    );

    let factor = symbols(&mut client, "NF kappa B").await;
    assert!(
        factor.iter().any(|symbol| symbol["name"] == "NF-κB"
            && symbol["location"]["uri"] == methods_uri
            && symbol["location"]["range"] == range_of(&methods, "NF-$\\kappa$B")),
        "{factor:#?}"
    );

    // The closed file changes on disk: its mentions go once the client reports the change.
    let methods_path = project.root.join("chapters/methods.tex");
    std::fs::write(
        &methods_path,
        "\\section{Other}\nNothing about receptors.\n",
    )
    .unwrap();
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": methods_uri, "type": 2 }] }),
        )
        .await;
    let found = eventually(&mut client, &intro_uri, &intro, at, |found| {
        found.iter().all(|(uri, _)| *uri != methods_uri)
    })
    .await;
    assert_eq!(found.len(), 4);

    // A new chapter appears; then it is deleted.
    let new_path = project.root.join("chapters/results.md");
    std::fs::write(&new_path, "# Results\n\nThe IL2R alpha chain again.\n").unwrap();
    let new_uri = file_uri(&new_path);
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": new_uri, "type": 1 }] }),
        )
        .await;
    eventually(&mut client, &intro_uri, &intro, at, |found| {
        found.iter().any(|(uri, _)| *uri == new_uri)
    })
    .await;
    std::fs::remove_file(&new_path).unwrap();
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": new_uri, "type": 3 }] }),
        )
        .await;
    eventually(&mut client, &intro_uri, &intro, at, |found| {
        found.iter().all(|(uri, _)| *uri != new_uri)
    })
    .await;
    client.shutdown().await;
}

/// One `$/progress` report from its `create` request to its end; returns the title.
async fn progress(client: &mut TestClient) -> String {
    let (id, params) = client
        .server_request("window/workDoneProgress/create")
        .await;
    let token = params["token"].clone();
    client.respond(id, Value::Null).await;
    let mut title = None;
    loop {
        let message = client
            .next_matching(|message| {
                message["method"] == "$/progress" && message["params"]["token"] == token
            })
            .await;
        let value = &message["params"]["value"];
        match value["kind"].as_str() {
            Some("begin") => title = value["title"].as_str().map(str::to_owned),
            Some("report") => assert!(title.is_some(), "report before begin"),
            Some("end") => return title.expect("begin before end"),
            other => panic!("unexpected progress kind {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_disk_cache_survives_a_restart_and_a_corrupt_one_is_ignored() {
    let project = Project::new();
    let intro = fixture("navigation.md");
    let methods = fixture("navigation.tex");
    let expected = |found: &[Value]| {
        let mut places: Vec<(String, Value)> = found
            .iter()
            .filter(|symbol| symbol["name"] == "IL-2Rα")
            .map(|symbol| {
                (
                    symbol["location"]["uri"].as_str().unwrap().to_owned(),
                    symbol["location"]["range"].clone(),
                )
            })
            .collect();
        places.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            places,
            [
                (
                    project.uri("chapters/methods.tex"),
                    range_of(&methods, "IL-2R$\\alpha$")
                ),
                (project.uri("intro.md"), range_of(&intro, "IL-2Rα")),
            ],
            "both closed files, found by a spelling of the entity: {found:#?}"
        );
    };

    // 1. A cold start tags both files (with progress reports) and writes the cache.
    let mut client = TestClient::start(project.options(true)).await;
    assert!(progress(&mut client).await.contains("loading the model"));
    assert!(progress(&mut client).await.contains("indexing the project"));
    let index = indexed(&mut client, 2).await;
    assert_eq!(
        (index["tagged"].clone(), index["fromCache"].clone()),
        (json!(2), json!(0))
    );
    expected(&symbols(&mut client, "il2r-alpha").await);
    client.shutdown().await;
    let cached: Vec<PathBuf> = std::fs::read_dir(&project.cache)
        .expect("the cache directory exists")
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(
        cached.len(),
        2,
        "one file per manuscript, no temporary left: {cached:?}"
    );

    // 2. A restart reads both from the cache: no file is tagged again.
    let mut client = TestClient::start(project.options(false)).await;
    let index = indexed(&mut client, 2).await;
    assert_eq!(
        (index["tagged"].clone(), index["fromCache"].clone()),
        (json!(0), json!(2))
    );
    assert_eq!(client.status().await["sentencesInferred"], 0);
    expected(&symbols(&mut client, "IL-2 Rα").await);
    client.shutdown().await;

    // 3. A corrupt cache is ignored: the files are tagged again, and the cache rewritten.
    for file in &cached {
        std::fs::write(file, b"{\"format\": 1, \"entities\": [").unwrap();
    }
    let mut client = TestClient::start(project.options(false)).await;
    let index = indexed(&mut client, 2).await;
    assert_eq!(
        (index["tagged"].clone(), index["fromCache"].clone()),
        (json!(2), json!(0))
    );
    expected(&symbols(&mut client, "il2ralpha").await);
    client.shutdown().await;
    for file in &cached {
        let text = std::fs::read_to_string(file).unwrap();
        assert!(
            serde_json::from_str::<Value>(&text).is_ok(),
            "rewritten: {text}"
        );
    }
}
