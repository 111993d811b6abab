//! A test client for the language server, over in-memory pipes with real `Content-Length`
//! framing. Every message the server sends must be consumed by the test: `shutdown` fails if any
//! message is left unread, and dropping a client without `shutdown` fails the test.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::task::JoinHandle;

/// How long to wait for any one message. Generous: tests share two cores with builds.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// Where the tests' servers keep the project index's disk cache (entries are keyed by file path
/// and content, so tests sharing it never see each other's results).
pub fn test_cache_directory() -> PathBuf {
    std::env::temp_dir().join("scitag-tests-index-cache")
}

pub fn tiny_model() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-model")
}

/// The multi-head fixture: tiny-model's JNLPBA head plus chemical/disease and species heads.
pub fn multihead_model() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-multihead")
}

/// Starts `command` (the `scitag` binary with its arguments) with piped stdin and stdout and a
/// client speaking to it over them.
pub fn spawn_over_stdio(
    command: &mut tokio::process::Command,
) -> (tokio::process::Child, TestClient) {
    let mut child = command
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the scitag binary starts");
    let stdin = child.stdin.take().expect("piped stdin");
    let stdout = child.stdout.take().expect("piped stdout");
    let client = TestClient::connect(Box::new(stdin), Box::new(stdout), None);
    (child, client)
}

/// Waits for the spawned binary to exit and asserts it exited successfully.
pub async fn exits_cleanly(child: &mut tokio::process::Child) {
    let status = tokio::time::timeout(TIMEOUT, child.wait())
        .await
        .expect("the server exits")
        .expect("the exit status");
    assert!(status.success(), "{status}");
}

pub fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/lsp")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// What the test client tells the server about itself.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    pub position_encodings: Vec<&'static str>,
    pub multiline_tokens: bool,
    pub refresh_support: bool,
    pub work_done_progress: bool,
    pub configuration_pull: bool,
    pub initialization_options: Value,
    /// `rootUri` and the one workspace folder.
    pub root_uri: Option<String>,
    /// `workspace.workspaceEdit`: `documentChanges` with `create` resource operations.
    pub workspace_edit: bool,
    /// `workspace.didChangeWatchedFiles.dynamicRegistration` (the test must then answer the
    /// server's `client/registerCapability`).
    pub watch_files: bool,
}

impl Default for ClientOptions {
    fn default() -> ClientOptions {
        ClientOptions {
            position_encodings: vec!["utf-16"],
            multiline_tokens: false,
            refresh_support: false,
            work_done_progress: false,
            configuration_pull: false,
            initialization_options: json!({
                "modelPath": tiny_model(),
                "debounceMs": 20,
                // The project index's disk cache stays out of the user's cache directory.
                "index": { "cacheDirectory": test_cache_directory() },
            }),
            root_uri: None,
            workspace_edit: false,
            watch_files: false,
        }
    }
}

/// One token, decoded from the wire's relative encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Token {
    pub line: u32,
    pub start: u32,
    pub length: u32,
    pub token_type: u32,
    pub modifiers: u32,
}

pub fn decode_tokens(data: &[Value]) -> Vec<Token> {
    let numbers: Vec<u32> = data
        .iter()
        .map(|value| value.as_u64().expect("u32 in token data") as u32)
        .collect();
    assert_eq!(
        numbers.len() % 5,
        0,
        "token data length {} is not a multiple of 5",
        numbers.len()
    );
    let mut tokens = Vec::new();
    let (mut line, mut start) = (0, 0);
    for chunk in numbers.chunks(5) {
        if chunk[0] > 0 {
            line += chunk[0];
            start = chunk[1];
        } else {
            start += chunk[1];
        }
        tokens.push(Token {
            line,
            start,
            length: chunk[2],
            token_type: chunk[3],
            modifiers: chunk[4],
        });
    }
    tokens
}

/// A ranged change: `((line, character), (line, character), new text)`.
pub type Change<'a> = ((u32, u32), (u32, u32), &'a str);

pub struct TestClient {
    writer: Box<dyn AsyncWrite + Unpin + Send>,
    reader: BufReader<Box<dyn AsyncRead + Unpin + Send>>,
    next_id: i64,
    backlog: VecDeque<Value>,
    /// Documents whose diagnostics the test no longer reads: their publishes are dropped.
    ignored_diagnostics: Vec<String>,
    /// Per document: the version and diagnostics the test last read (for versions the server
    /// considered unchanged and did not publish).
    last_diagnostics: HashMap<String, (i64, Vec<Value>)>,
    server: Option<JoinHandle<()>>,
    pub initialize_result: Value,
    finished: bool,
}

impl TestClient {
    /// Starts an in-process server and completes `initialize`/`initialized`.
    pub async fn start(options: ClientOptions) -> TestClient {
        let (client_writer, server_reader) = tokio::io::duplex(1 << 20);
        let (server_writer, client_reader) = tokio::io::duplex(1 << 20);
        let server = tokio::spawn(async move {
            scitag::server::serve(
                server_reader,
                server_writer,
                scitag::server::ServerOptions::default(),
            )
            .await
            .expect("server ran");
        });
        let mut client = TestClient::connect(
            Box::new(client_writer),
            Box::new(client_reader),
            Some(server),
        );
        client.initialize(&options).await;
        client
    }

    /// Wraps a server that is already running on the other ends of `writer` and `reader`.
    pub fn connect(
        writer: Box<dyn AsyncWrite + Unpin + Send>,
        reader: Box<dyn AsyncRead + Unpin + Send>,
        server: Option<JoinHandle<()>>,
    ) -> TestClient {
        TestClient {
            writer,
            reader: BufReader::new(reader),
            next_id: 0,
            backlog: VecDeque::new(),
            ignored_diagnostics: Vec::new(),
            last_diagnostics: HashMap::new(),
            server,
            initialize_result: Value::Null,
            finished: false,
        }
    }

    pub async fn initialize(&mut self, options: &ClientOptions) {
        let capabilities = json!({
            "general": { "positionEncodings": options.position_encodings },
            "textDocument": {
                "synchronization": { "dynamicRegistration": false },
                "hover": { "contentFormat": ["markdown", "plaintext"] },
                "semanticTokens": {
                    "requests": { "range": true, "full": { "delta": true } },
                    "tokenTypes": [], "tokenModifiers": [], "formats": ["relative"],
                    "multilineTokenSupport": options.multiline_tokens,
                },
                "publishDiagnostics": { "versionSupport": true },
            },
            "workspace": {
                "configuration": options.configuration_pull,
                "semanticTokens": { "refreshSupport": options.refresh_support },
                "workspaceEdit": {
                    "documentChanges": options.workspace_edit,
                    "resourceOperations": if options.workspace_edit { json!(["create"]) } else { json!([]) },
                },
                "didChangeWatchedFiles": { "dynamicRegistration": options.watch_files },
            },
            "window": { "workDoneProgress": options.work_done_progress },
        });
        let result = self
            .request_ok(
                "initialize",
                json!({
                    "processId": null,
                    "rootUri": options.root_uri,
                    "workspaceFolders": options.root_uri.as_ref().map(|uri| json!([{ "uri": uri, "name": "paper" }])),
                    "capabilities": capabilities,
                    "initializationOptions": options.initialization_options,
                }),
            )
            .await;
        self.initialize_result = result;
        self.notify("initialized", json!({})).await;
    }

    pub fn position_encoding(&self) -> &str {
        self.initialize_result["capabilities"]["positionEncoding"]
            .as_str()
            .unwrap_or("utf-16")
    }

    pub fn legend(&self) -> Vec<String> {
        let legend = &self.initialize_result["capabilities"]["semanticTokensProvider"]["legend"]["tokenTypes"];
        legend
            .as_array()
            .expect("legend")
            .iter()
            .map(|name| name.as_str().unwrap().to_owned())
            .collect()
    }

    async fn write(&mut self, message: Value) {
        let body = serde_json::to_vec(&message).unwrap();
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        self.writer.write_all(header.as_bytes()).await.unwrap();
        self.writer.write_all(&body).await.unwrap();
        self.writer.flush().await.unwrap();
    }

    /// Writes `bytes` as they are, as a misbehaving client would.
    pub async fn write_bytes(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).await.unwrap();
        self.writer.flush().await.unwrap();
    }

    /// Sends `message` exactly as given (framed; its `params`, if any, untouched) and returns the
    /// response to its `id`.
    pub async fn exchange(&mut self, message: Value) -> Value {
        let id = message["id"].clone();
        assert!(
            !id.is_null(),
            "exchange needs a message with an id: {message}"
        );
        self.write(message).await;
        self.next_matching(|message| message.get("method").is_none() && message["id"] == id)
            .await
    }

    /// The next response with `id` `null`: the server's answer to a message it could not read.
    pub async fn null_id_response(&mut self) -> Value {
        self.next_matching(|message| {
            message.get("method").is_none()
                && message.get("id").is_some_and(Value::is_null)
                && message.get("error").is_some()
        })
        .await
    }

    /// Asserts that every message was consumed, then closes the input without `shutdown` or
    /// `exit`: the server must end by itself, saying nothing more.
    pub async fn close_input(mut self) {
        assert!(
            self.backlog.is_empty(),
            "messages left unread: {:#?}",
            self.backlog
        );
        // After `exit` the server may have closed its side already.
        let _ = self.writer.shutdown().await;
        self.expect_end("the input ended").await;
    }

    /// Asserts that the server's output ends with no further message (after `what`) and that the
    /// in-process server task, if any, ends without a panic.
    async fn expect_end(&mut self, what: &str) {
        // Diagnostics the test ignores may still be on their way (written before the server read
        // `exit`); anything else is a message after the end.
        let rest = loop {
            let rest = tokio::time::timeout(TIMEOUT, self.read_raw())
                .await
                .unwrap_or_else(|_| panic!("the server ends after {what}"));
            match rest {
                Some(message) if self.is_ignored(&message) => continue,
                rest => break rest,
            }
        };
        assert!(rest.is_none(), "a message after {what}: {rest:#?}");
        if let Some(server) = self.server.take() {
            tokio::time::timeout(TIMEOUT, server)
                .await
                .expect("the server task ends")
                .expect("the server did not panic");
        }
        self.finished = true;
    }

    /// Reads one framed message; `None` at the end of the stream.
    async fn read_raw(&mut self) -> Option<Value> {
        let mut length = None;
        loop {
            let mut line = String::new();
            let read = self.reader.read_line(&mut line).await.expect("read header");
            if read == 0 {
                return None;
            }
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                break;
            }
            let (name, value) = line
                .split_once(':')
                .unwrap_or_else(|| panic!("malformed header {line:?}"));
            if name.eq_ignore_ascii_case("content-length") {
                length = Some(
                    value
                        .trim()
                        .parse::<usize>()
                        .expect("numeric Content-Length"),
                );
            }
        }
        let length = length.expect("a Content-Length header");
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).await.expect("read body");
        Some(serde_json::from_slice(&body).expect("a JSON body"))
    }

    async fn read(&mut self) -> Value {
        match tokio::time::timeout(TIMEOUT, self.read_raw()).await {
            Ok(Some(message)) => message,
            Ok(None) => panic!("the server closed the stream; unread: {:#?}", self.backlog),
            Err(_) => panic!(
                "no message from the server within {TIMEOUT:?}; unread: {:#?}",
                self.backlog
            ),
        }
    }

    /// The first message (from the backlog, then from the stream) that `wanted` accepts; the
    /// others stay in the backlog for later expectations.
    pub async fn next_matching(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(index) = self.backlog.iter().position(&wanted) {
            return self.backlog.remove(index).unwrap();
        }
        loop {
            let message = self.read().await;
            if wanted(&message) {
                return message;
            }
            if !self.is_ignored(&message) {
                self.backlog.push_back(message);
            }
        }
    }

    /// From now on, drops the diagnostics published for `uri` (already read and unread): for a
    /// test that checks a document's final state some other way.
    pub fn ignore_diagnostics_of(&mut self, uri: &str) {
        self.ignored_diagnostics.push(uri.to_owned());
        let backlog = std::mem::take(&mut self.backlog);
        self.backlog = backlog
            .into_iter()
            .filter(|message| !self.is_ignored(message))
            .collect();
    }

    fn is_ignored(&self, message: &Value) -> bool {
        message["method"] == "textDocument/publishDiagnostics"
            && message["params"]["uri"].as_str().is_some_and(|uri| {
                self.ignored_diagnostics
                    .iter()
                    .any(|ignored| ignored == uri)
            })
    }

    /// Waits until the document's analysis of `version` is complete (a long first analysis
    /// publishes partial results first), polling `scitag/status`.
    pub async fn wait_complete(&mut self, uri: &str, version: i64) {
        let deadline = tokio::time::Instant::now() + TIMEOUT;
        loop {
            let status = self.status().await;
            let done = status["documents"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|document| {
                    document["uri"] == uri
                        && document["analyzedVersion"] == version
                        && document["complete"] == true
                });
            if done {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{uri} version {version} not analysed within {TIMEOUT:?}: {status:#}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        self.write(json!({ "jsonrpc": "2.0", "method": method, "params": params }))
            .await;
    }

    /// Sends a request and returns the whole response (`result` or `error`).
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params).await;
        self.response(id).await
    }

    /// Sends a request without waiting; [`TestClient::response`] collects its answer later.
    pub async fn send_request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "jsonrpc": "2.0", "id": id, "method": method });
        if !params.is_null() {
            message["params"] = params;
        }
        self.write(message).await;
        id
    }

    /// The response to request `id` (`result` or `error`).
    pub async fn response(&mut self, id: i64) -> Value {
        self.next_matching(|message| message.get("method").is_none() && message["id"] == json!(id))
            .await
    }

    pub async fn request_ok(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params).await;
        assert!(
            response.get("error").is_none(),
            "{method} failed: {response:#}"
        );
        response["result"].clone()
    }

    /// The error object of a request that must fail.
    pub async fn request_error(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params).await;
        assert!(
            response.get("result").is_none(),
            "{method} should have failed: {response:#}"
        );
        response["error"].clone()
    }

    /// The next notification `method`, with its params.
    pub async fn notification(&mut self, method: &str) -> Value {
        let message = self
            .next_matching(|message| message["method"] == method && message.get("id").is_none())
            .await;
        message["params"].clone()
    }

    /// The next request `method` from the server: (id, params). Answer it with [`Self::respond`].
    pub async fn server_request(&mut self, method: &str) -> (Value, Value) {
        let message = self
            .next_matching(|message| message["method"] == method && message.get("id").is_some())
            .await;
        (message["id"].clone(), message["params"].clone())
    }

    pub async fn respond(&mut self, id: Value, result: Value) {
        self.write(json!({ "jsonrpc": "2.0", "id": id, "result": result }))
            .await;
    }

    pub async fn open(&mut self, uri: &str, language_id: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": language_id, "version": 1, "text": text } }),
        )
        .await;
    }

    /// Sends `didChange` with ranged changes `((line, character), (line, character), text)`.
    pub async fn change(&mut self, uri: &str, version: i32, changes: &[Change<'_>]) {
        let changes: Vec<Value> = changes
            .iter()
            .map(
                |((start_line, start_character), (end_line, end_character), text)| {
                    json!({
                        "range": {
                            "start": { "line": start_line, "character": start_character },
                            "end": { "line": end_line, "character": end_character },
                        },
                        "text": text,
                    })
                },
            )
            .collect();
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": changes }),
        )
        .await;
    }

    pub async fn close(&mut self, uri: &str) {
        self.notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": uri } }),
        )
        .await;
    }

    /// Waits for the diagnostics of `uri` at `version`, skipping publishes of older versions.
    /// The server publishes nothing for a newer version whose diagnostics are unchanged
    /// (`scitag/status` then reports the version considered but not sent): those are the
    /// diagnostics last read. A second wait for the same version waits for a new publish (a
    /// settings change republishes).
    pub async fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + TIMEOUT;
        loop {
            if let Some(diagnostics) = self.take_published(uri, version) {
                self.last_diagnostics
                    .insert(uri.to_owned(), (version, diagnostics.clone()));
                return diagnostics;
            }
            let status = self.status().await;
            if self
                .backlog
                .iter()
                .any(|message| is_publish_for(message, uri))
            {
                continue;
            }
            let document = status["documents"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|document| document["uri"] == uri)
                .cloned()
                .unwrap_or_default();
            let considered = document["diagnosticsVersion"].as_i64();
            let sent = document["diagnosticsSentVersion"].as_i64();
            let (last_read, last) = self
                .last_diagnostics
                .get(uri)
                .cloned()
                .unwrap_or((i64::MIN, Vec::new()));
            if considered.is_some_and(|considered| considered >= version)
                && sent.is_some_and(|sent| sent < version)
                && last_read < version
            {
                // Skipped as unchanged: the client keeps what it has.
                self.last_diagnostics
                    .insert(uri.to_owned(), (version, last.clone()));
                return last;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no diagnostics for {uri} version {version} within {TIMEOUT:?}: {status:#}"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Publishes for `uri` read but not yet taken.
    pub fn pending_publishes(&self, uri: &str) -> usize {
        self.backlog
            .iter()
            .filter(|message| is_publish_for(message, uri))
            .count()
    }

    /// Takes the backlog's publishes for `uri` up to `version`: the diagnostics of `version` if
    /// one was published for it. A publish for a newer version first is a test error.
    fn take_published(&mut self, uri: &str, version: i64) -> Option<Vec<Value>> {
        while let Some(index) = self
            .backlog
            .iter()
            .position(|message| is_publish_for(message, uri))
        {
            let message = self.backlog.remove(index).unwrap();
            let params = &message["params"];
            match params["version"].as_i64() {
                Some(published) if published == version => {
                    return Some(
                        params["diagnostics"]
                            .as_array()
                            .cloned()
                            .unwrap_or_default(),
                    );
                }
                Some(published) if published < version => {
                    let diagnostics = params["diagnostics"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default();
                    self.last_diagnostics
                        .insert(uri.to_owned(), (published, diagnostics));
                }
                _ => panic!("expected diagnostics for version {version}, got {params:#}"),
            }
        }
        None
    }

    /// The low-confidence diagnostics of `uri` at `version` (the consistency hints left out).
    pub async fn low_confidence(&mut self, uri: &str, version: i64) -> Vec<Value> {
        self.diagnostics(uri, version)
            .await
            .into_iter()
            .filter(|diagnostic| diagnostic["code"] == "low-confidence")
            .collect()
    }

    /// `textDocument/semanticTokens/full`, decoded, with the result id.
    pub async fn tokens_with_id(&mut self, uri: &str) -> (Vec<Token>, String) {
        let result = self
            .request_ok(
                "textDocument/semanticTokens/full",
                json!({ "textDocument": { "uri": uri } }),
            )
            .await;
        assert!(!result.is_null(), "semantic tokens must never be null");
        let data = result["data"].as_array().expect("token data");
        (
            decode_tokens(data),
            result["resultId"].as_str().expect("a result id").to_owned(),
        )
    }

    pub async fn tokens(&mut self, uri: &str) -> Vec<Token> {
        self.tokens_with_id(uri).await.0
    }

    pub async fn status(&mut self) -> Value {
        self.request_ok("scitag/status", Value::Null).await
    }

    pub async fn hover(&mut self, uri: &str, line: u32, character: u32) -> Value {
        self.request_ok(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } }),
        )
        .await
    }

    /// Asserts that every message was consumed, shuts the server down and waits for it to exit.
    pub async fn shutdown(mut self) {
        let result = self.request("shutdown", Value::Null).await;
        assert!(result.get("error").is_none(), "shutdown failed: {result:#}");
        assert!(
            self.backlog.is_empty(),
            "messages left unread: {:#?}",
            self.backlog
        );
        self.notify("exit", Value::Null).await;
        // Nothing more may come: the stream ends.
        self.expect_end("`exit`").await;
    }
}

impl Drop for TestClient {
    fn drop(&mut self) {
        if !self.finished && !std::thread::panicking() {
            panic!(
                "TestClient dropped without shutdown(); unread messages: {:#?}",
                self.backlog
            );
        }
    }
}

fn is_publish_for(message: &Value, uri: &str) -> bool {
    message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == uri
}
