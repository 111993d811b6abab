//! The transport's parsing, as pure functions over bytes: where the next `Content-Length` frame
//! is in a buffer ([`next_frame`]), and whether its body is a JSON-RPC message the server may be
//! given ([`check_message`]).
//!
//! No I/O, no state, no panics, and nothing from the rest of the crate (only `std` and
//! `serde_json`): the fuzz target `fuzz/fuzz_targets/framing.rs` compiles this file on its own.
//!
//! Resynchronisation: a header block that gives no usable `Content-Length` cannot say where its
//! body ends, so everything up to the next `Content-Length` (in any case, searched from the byte
//! after the block's start) is skipped. The same rule skips the rest of a body that was longer
//! than its `Content-Length` said, and any other garbage between frames.

use std::fmt;

use serde_json::{Map, Value};

/// The largest body accepted (64 MiB): a larger `Content-Length` is treated as unusable.
pub const MAX_BODY: usize = 64 << 20;
/// The longest header block accepted (8 KiB, terminating blank line included).
pub const MAX_HEADER_BLOCK: usize = 8 << 10;

const CONTENT_LENGTH: &[u8] = b"content-length";

/// What [`next_frame`] found at the start of a buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    /// More bytes are needed before anything can be said.
    Incomplete,
    /// A whole frame: its body is `buffer[body_start..consumed]`.
    Message { body_start: usize, consumed: usize },
    /// `buffer[..consumed]` is not a frame and is dropped; `problem` says why (`None` for the
    /// blank lines some clients put between frames, which are dropped silently).
    Skip {
        consumed: usize,
        problem: Option<HeaderProblem>,
    },
}

/// Why a header block was skipped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeaderProblem {
    /// The block has no `Content-Length` header.
    MissingContentLength,
    /// `Content-Length` is not a decimal number (negative, empty, not digits, too many digits),
    /// or two of them disagree.
    InvalidContentLength(String),
    /// `Content-Length` is larger than [`MAX_BODY`].
    TooLarge(u64),
    /// No blank line ends the block within [`MAX_HEADER_BLOCK`] bytes.
    HeaderTooLong,
}

impl fmt::Display for HeaderProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderProblem::MissingContentLength => {
                f.write_str("a header block without Content-Length")
            }
            HeaderProblem::InvalidContentLength(value) => {
                write!(f, "an unusable Content-Length {value:?}")
            }
            HeaderProblem::TooLarge(length) => write!(
                f,
                "a Content-Length of {length} bytes, over the {MAX_BODY}-byte limit"
            ),
            HeaderProblem::HeaderTooLong => write!(
                f,
                "a header block with no blank line within {MAX_HEADER_BLOCK} bytes"
            ),
        }
    }
}

/// Finds the first frame at the start of `buffer`. Call it again on `buffer[consumed..]` after a
/// `Message` or a `Skip`; after `Incomplete`, append more bytes first. At the end of the input,
/// whatever is left (an `Incomplete` tail) is not a whole frame.
pub fn next_frame(buffer: &[u8]) -> Frame {
    let blank = buffer
        .iter()
        .take_while(|byte| matches!(byte, b'\r' | b'\n' | b' ' | b'\t'))
        .count();
    if blank > 0 {
        return Frame::Skip {
            consumed: blank,
            problem: None,
        };
    }
    if buffer.is_empty() {
        return Frame::Incomplete;
    }
    // Header lines end with "\r\n" (or a bare "\n"); an empty line ends the block.
    let mut line_start = 0;
    let mut length: Result<Option<u64>, HeaderProblem> = Ok(None);
    let mut after_length = 1;
    let body_start = loop {
        let Some(newline) = find_byte(&buffer[line_start..], b'\n') else {
            if buffer.len() >= MAX_HEADER_BLOCK {
                return skip_to_next_header(buffer, 1, HeaderProblem::HeaderTooLong);
            }
            return Frame::Incomplete;
        };
        let line_end = line_start + newline;
        if line_end + 1 > MAX_HEADER_BLOCK {
            return skip_to_next_header(buffer, 1, HeaderProblem::HeaderTooLong);
        }
        let line = strip_cr(&buffer[line_start..line_end]);
        if line.is_empty() {
            break line_end + 1;
        }
        if is_content_length(line) {
            if let Ok(known) = length {
                length = header_length(line, known);
            }
            after_length = line_end + 1;
        }
        line_start = line_end + 1;
    };
    // A block with an unusable Content-Length is resynchronised after its last such line, so
    // that a second, different Content-Length in the same block is not taken for a new frame.
    let length = match length {
        Ok(Some(length)) => length,
        Ok(None) => return skip_to_next_header(buffer, 1, HeaderProblem::MissingContentLength),
        Err(problem) => return skip_to_next_header(buffer, after_length, problem),
    };
    if length > MAX_BODY as u64 {
        return skip_to_next_header(buffer, after_length, HeaderProblem::TooLarge(length));
    }
    // `length <= MAX_BODY`, so it fits a usize and the sum cannot overflow.
    let consumed = body_start + length as usize;
    if buffer.len() < consumed {
        return Frame::Incomplete;
    }
    Frame::Message {
        body_start,
        consumed,
    }
}

/// Whether header `line` is named `Content-Length` (any case).
fn is_content_length(line: &[u8]) -> bool {
    find_byte(line, b':').is_some_and(|colon| {
        line[..colon]
            .trim_ascii()
            .eq_ignore_ascii_case(CONTENT_LENGTH)
    })
}

/// The `Content-Length` after reading the `Content-Length` header `line`, given the one known
/// so far.
fn header_length(line: &[u8], known: Option<u64>) -> Result<Option<u64>, HeaderProblem> {
    let colon = find_byte(line, b':').unwrap_or(line.len());
    let value = line.get(colon + 1..).unwrap_or_default().trim_ascii();
    let invalid =
        || HeaderProblem::InvalidContentLength(String::from_utf8_lossy(value).into_owned());
    if value.is_empty() || value.len() > 19 || !value.iter().all(u8::is_ascii_digit) {
        return Err(invalid());
    }
    let parsed = value
        .iter()
        .fold(0u64, |total, digit| total * 10 + u64::from(digit - b'0'));
    match known {
        Some(earlier) if earlier != parsed => Err(invalid()),
        _ => Ok(Some(parsed)),
    }
}

/// Skips a bad block up to the next `Content-Length` at or after `from` (at least 1). When none is
/// in the buffer yet, keeps the last bytes that could begin one.
fn skip_to_next_header(buffer: &[u8], from: usize, problem: HeaderProblem) -> Frame {
    let consumed = match find_content_length(buffer, from.max(1)) {
        Some(next) => next,
        None => buffer
            .len()
            .saturating_sub(CONTENT_LENGTH.len() - 1)
            .max(1)
            .min(buffer.len()),
    };
    Frame::Skip {
        consumed,
        problem: Some(problem),
    }
}

/// The first `Content-Length` (any case) in `buffer` at or after `from`.
fn find_content_length(buffer: &[u8], from: usize) -> Option<usize> {
    let rest = buffer.get(from..)?;
    rest.windows(CONTENT_LENGTH.len())
        .position(|window| window.eq_ignore_ascii_case(CONTENT_LENGTH))
        .map(|position| from + position)
}

fn find_byte(bytes: &[u8], wanted: u8) -> Option<usize> {
    bytes.iter().position(|&byte| byte == wanted)
}

fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// JSON-RPC's "Parse error": the body is not JSON.
pub const PARSE_ERROR: i64 = -32700;
/// JSON-RPC's "Invalid Request": JSON, but not a request, notification or response.
pub const INVALID_REQUEST: i64 = -32600;

/// What to do with a frame's body.
#[derive(Clone, Debug, PartialEq)]
pub enum Checked {
    /// Give it to the server: unchanged (`None`) or rewritten (`Some`, params normalised).
    Forward(Option<Vec<u8>>),
    /// Answer it with this error instead; `id` is the message's id when one could be read, else
    /// `null`.
    Reject {
        code: i64,
        message: String,
        id: Value,
    },
}

/// Which methods take no parameters, and which take an empty object.
#[derive(Clone, Copy, Debug, Default)]
pub struct ParamsRules<'a> {
    /// Methods without parameters (`shutdown`, `exit`, `scitag/status`): `params` of `{}`, `[]`
    /// or `null` is removed, as if it were absent.
    pub none: &'a [&'a str],
    /// Methods whose parameters are an object without required fields (`initialized`): absent,
    /// `null` or `[]` params become `{}`.
    pub empty_object: &'a [&'a str],
}

/// Checks that `body` is one JSON-RPC 2.0 message (request, notification or response) of the
/// shape the server reads, and normalises the params of methods that take none.
pub fn check_message(body: &[u8], rules: &ParamsRules<'_>) -> Checked {
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(error) => {
            return reject(PARSE_ERROR, format!("Parse error: {error}"), Value::Null);
        }
    };
    let Value::Object(mut object) = value else {
        return reject(
            INVALID_REQUEST,
            "Invalid request: a message must be one JSON object (batches are not supported)".into(),
            Value::Null,
        );
    };
    let id = match object.get("id") {
        None | Some(Value::Null) => Value::Null,
        Some(id @ Value::String(_)) => id.clone(),
        Some(Value::Number(number)) if number.is_i64() => Value::Number(number.clone()),
        Some(_) => {
            return reject(
                INVALID_REQUEST,
                "Invalid request: id must be an integer or a string".into(),
                Value::Null,
            );
        }
    };
    if object.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return reject(
            INVALID_REQUEST,
            "Invalid request: jsonrpc must be \"2.0\"".into(),
            id,
        );
    }
    match object.get("method") {
        Some(Value::String(method)) => {
            let method = method.clone();
            match object.get("params") {
                None | Some(Value::Null | Value::Object(_) | Value::Array(_)) => {}
                Some(_) => {
                    return reject(
                        INVALID_REQUEST,
                        "Invalid request: params must be an object or an array".into(),
                        id,
                    );
                }
            }
            Checked::Forward(normalise_params(&mut object, &method, rules))
        }
        Some(_) => reject(
            INVALID_REQUEST,
            "Invalid request: method must be a string".into(),
            id,
        ),
        None => check_response(&object, id),
    }
}

fn check_response(object: &Map<String, Value>, id: Value) -> Checked {
    if !object.contains_key("id") {
        return reject(
            INVALID_REQUEST,
            "Invalid request: neither a request (no method) nor a response (no id)".into(),
            id,
        );
    }
    if object.contains_key("result") {
        return Checked::Forward(None);
    }
    let Some(error) = object.get("error") else {
        return reject(
            INVALID_REQUEST,
            "Invalid request: a response needs a result or an error".into(),
            id,
        );
    };
    let well_formed = error.as_object().is_some_and(|error| {
        error.get("code").is_some_and(Value::is_i64)
            && error.get("message").is_some_and(Value::is_string)
            && error
                .keys()
                .all(|key| matches!(key.as_str(), "code" | "message" | "data"))
    });
    if well_formed {
        Checked::Forward(None)
    } else {
        reject(
            INVALID_REQUEST,
            "Invalid request: a response error needs an integer code and a string message, \
             and nothing but data besides"
                .into(),
            id,
        )
    }
}

/// Rewrites `params` for the methods in `rules`; `None` when nothing changed.
fn normalise_params(
    object: &mut Map<String, Value>,
    method: &str,
    rules: &ParamsRules<'_>,
) -> Option<Vec<u8>> {
    let changed = if rules.none.contains(&method) {
        let empty = match object.get("params") {
            Some(Value::Null) => true,
            Some(Value::Object(params)) => params.is_empty(),
            Some(Value::Array(params)) => params.is_empty(),
            _ => false,
        };
        empty && object.remove("params").is_some()
    } else if rules.empty_object.contains(&method) {
        let missing = match object.get("params") {
            None | Some(Value::Null) => true,
            Some(Value::Array(params)) => params.is_empty(),
            _ => false,
        };
        if missing {
            object.insert("params".into(), Value::Object(Map::new()));
        }
        missing
    } else {
        false
    };
    if !changed {
        return None;
    }
    serde_json::to_vec(&Value::Object(std::mem::take(object))).ok()
}

fn reject(code: i64, message: String, id: Value) -> Checked {
    Checked::Reject { code, message, id }
}

/// A JSON-RPC error response, framed.
pub fn error_frame(code: i64, message: &str, id: &Value) -> Vec<u8> {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": code, "message": message },
    })
    .to_string();
    frame(body.as_bytes())
}

/// `body` with its `Content-Length` header.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    framed.extend_from_slice(body);
    framed
}

/// Every frame and skip in `input` taken as a whole stream, in order (for tests and the fuzz
/// target): the bodies found, and the number of skips with a problem.
#[allow(dead_code)] // used by the unit tests and the fuzz target
pub fn frames(input: &[u8]) -> (Vec<&[u8]>, usize) {
    let mut bodies = Vec::new();
    let mut problems = 0;
    let mut offset = 0;
    while offset < input.len() {
        match next_frame(&input[offset..]) {
            Frame::Incomplete => break,
            Frame::Message {
                body_start,
                consumed,
            } => {
                bodies.push(&input[offset + body_start..offset + consumed]);
                offset += consumed;
            }
            Frame::Skip { consumed, problem } => {
                problems += usize::from(problem.is_some());
                // `consumed` is at least 1 and at most the rest of the buffer.
                offset += consumed.max(1);
            }
        }
    }
    (bodies, problems)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const RULES: ParamsRules<'static> = ParamsRules {
        none: &["shutdown", "scitag/status"],
        empty_object: &["initialized"],
    };

    fn framed(body: &str) -> Vec<u8> {
        frame(body.as_bytes())
    }

    #[test]
    fn a_frame_is_found_once_whole() {
        let body = r#"{"jsonrpc":"2.0","method":"exit"}"#;
        let input = framed(body);
        for cut in 0..input.len() {
            assert_eq!(next_frame(&input[..cut]), Frame::Incomplete, "cut at {cut}");
        }
        assert_eq!(
            next_frame(&input),
            Frame::Message {
                body_start: input.len() - body.len(),
                consumed: input.len()
            }
        );
    }

    #[test]
    fn header_names_are_case_insensitive_and_other_headers_are_ignored() {
        let input =
            b"content-length: 2\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\nX: y\r\n\r\n{}";
        let (bodies, problems) = frames(input);
        assert_eq!(bodies, [b"{}"]);
        assert_eq!(problems, 0);
    }

    #[test]
    fn bad_header_blocks_are_skipped_up_to_the_next_header() {
        let good = framed(r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#);
        for bad in [
            &b"Content-Type: application/json\r\n\r\n{\"jsonrpc\":\"2.0\"}"[..],
            b"Content-Length: -5\r\n\r\n{}",
            b"Content-Length: \r\n\r\n{}",
            b"Content-Length: 12abc\r\n\r\n{}",
            b"Content-Length: 99999999999999999999999\r\n\r\n{}",
            b"Content-Length: 1000000000000\r\n\r\n{}",
            b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
            b"garbage without newlines",
        ] {
            let mut input = bad.to_vec();
            input.extend_from_slice(&good);
            let (bodies, problems) = frames(&input);
            assert_eq!(
                bodies,
                [&good[good.len() - 44..]],
                "{:?}",
                String::from_utf8_lossy(bad)
            );
            assert!(problems >= 1, "{:?}", String::from_utf8_lossy(bad));
        }
        let mut long = vec![b'x'; MAX_HEADER_BLOCK + 10];
        long.extend_from_slice(&good);
        assert_eq!(frames(&long).0.len(), 1);
    }

    #[test]
    fn the_rest_of_a_body_longer_than_its_length_is_skipped() {
        let body = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;
        let mut input = format!("Content-Length: 10\r\n\r\n{body}").into_bytes();
        input.extend_from_slice(&framed(body));
        let (bodies, problems) = frames(&input);
        assert_eq!(bodies, [&body.as_bytes()[..10], body.as_bytes()]);
        assert_eq!(problems, 1);
    }

    #[test]
    fn blank_lines_between_frames_are_dropped_silently() {
        let mut input = b"\r\n\r\n".to_vec();
        input.extend_from_slice(&framed("{}"));
        input.extend_from_slice(b"\r\n");
        input.extend_from_slice(&framed("[]"));
        assert_eq!(frames(&input), (vec![&b"{}"[..], b"[]"], 0));
    }

    fn rejected(body: &str) -> (i64, Value) {
        match check_message(body.as_bytes(), &RULES) {
            Checked::Reject { code, id, .. } => (code, id),
            other => panic!("{body} was accepted: {other:?}"),
        }
    }

    fn forwarded(body: &str) -> Option<Value> {
        match check_message(body.as_bytes(), &RULES) {
            Checked::Forward(rewritten) => {
                rewritten.map(|bytes| serde_json::from_slice(&bytes).unwrap())
            }
            other => panic!("{body} was rejected: {other:?}"),
        }
    }

    #[test]
    fn bodies_that_are_not_json_rpc_are_rejected_with_the_id_when_it_can_be_read() {
        assert_eq!(rejected("{not json"), (PARSE_ERROR, Value::Null));
        assert_eq!(rejected(""), (PARSE_ERROR, Value::Null));
        assert_eq!(rejected("\u{fffd}"), (PARSE_ERROR, Value::Null));
        assert_eq!(
            rejected(r#"{"jsonrpc":"2.0","id":7,"method":42}"#),
            (INVALID_REQUEST, json!(7))
        );
        assert_eq!(
            rejected(r#"{"jsonrpc":"2.0","method":42}"#),
            (INVALID_REQUEST, Value::Null)
        );
        assert_eq!(
            rejected(r#"{"id":"a","method":"shutdown"}"#),
            (INVALID_REQUEST, json!("a"))
        );
        assert_eq!(
            rejected(r#"{"jsonrpc":"2.0","id":1.5,"method":"shutdown"}"#),
            (INVALID_REQUEST, Value::Null)
        );
        assert_eq!(
            rejected(r#"{"jsonrpc":"2.0","id":18446744073709551615,"method":"x"}"#),
            (INVALID_REQUEST, Value::Null)
        );
        assert_eq!(
            rejected(r#"{"jsonrpc":"2.0","id":3,"method":"x","params":5}"#),
            (INVALID_REQUEST, json!(3))
        );
        assert_eq!(rejected("[]"), (INVALID_REQUEST, Value::Null));
        assert_eq!(rejected("42"), (INVALID_REQUEST, Value::Null));
        assert_eq!(
            rejected(r#"{"jsonrpc":"2.0","id":4}"#),
            (INVALID_REQUEST, json!(4))
        );
        assert_eq!(
            rejected(r#"{"jsonrpc":"2.0","id":4,"error":{"code":"x","message":"m"}}"#),
            (INVALID_REQUEST, json!(4))
        );
        assert_eq!(
            rejected(r#"{"jsonrpc":"2.0","id":4,"error":{"code":1,"message":"m","x":1}}"#),
            (INVALID_REQUEST, json!(4))
        );
    }

    #[test]
    fn requests_notifications_and_responses_pass_unchanged() {
        for body in [
            r#"{"jsonrpc":"2.0","id":1,"method":"textDocument/hover","params":{"a":1}}"#,
            r#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":1}}"#,
            r#"{"jsonrpc":"2.0","id":"s","method":"shutdown"}"#,
            r#"{"jsonrpc":"2.0","id":1,"result":null}"#,
            r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"no","data":[1]}}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"scitag/status","params":{"verbose":true}}"#,
        ] {
            assert_eq!(forwarded(body), None, "{body}");
        }
    }

    #[test]
    fn methods_without_parameters_take_empty_or_null_params() {
        for params in ["{}", "[]", "null"] {
            let body =
                format!(r#"{{"jsonrpc":"2.0","id":1,"method":"scitag/status","params":{params}}}"#);
            assert_eq!(
                forwarded(&body),
                Some(json!({ "jsonrpc": "2.0", "id": 1, "method": "scitag/status" })),
                "{body}"
            );
        }
        for params in ["", r#","params":null"#, r#","params":[]"#] {
            let body = format!(r#"{{"jsonrpc":"2.0","method":"initialized"{params}}}"#);
            assert_eq!(
                forwarded(&body),
                Some(json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} })),
                "{body}"
            );
        }
        assert_eq!(
            forwarded(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#),
            None
        );
    }

    #[test]
    fn error_frames_are_framed_json_rpc() {
        let framed = error_frame(PARSE_ERROR, "Parse error", &Value::Null);
        let (bodies, _) = frames(&framed);
        let value: Value = serde_json::from_slice(bodies[0]).unwrap();
        assert_eq!(
            value,
            json!({ "jsonrpc": "2.0", "id": null, "error": { "code": -32700, "message": "Parse error" } })
        );
    }

    /// A small deterministic generator (xorshift64*), so the test needs no dependency and fails
    /// the same way every run.
    struct Random(u64);

    impl Random {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        fn below(&mut self, bound: usize) -> usize {
            (self.next() % bound as u64) as usize
        }
    }

    /// Pieces that make garbage interesting for the parser: header fragments, separators and
    /// JSON-ish bytes, mixed with random bytes.
    fn garbage(random: &mut Random) -> Vec<u8> {
        const PIECES: &[&[u8]] = &[
            b"Content-Length: ",
            b"content-length:",
            b"CONTENT-LENGTH: 99999999999999999999",
            b"Content-Length: -1",
            b"Content-Length: 5",
            b"Content-Type: x",
            b"\r\n",
            b"\n",
            b"\r\n\r\n",
            b":",
            b"{\"jsonrpc\":\"2.0\",\"method\":42}",
            b"{\"id\":",
            b"0123456789",
            b"\xff\xfe",
        ];
        let mut bytes = Vec::new();
        for _ in 0..random.below(12) {
            if random.below(3) == 0 {
                for _ in 0..random.below(20) {
                    bytes.push(random.next() as u8);
                }
            } else {
                bytes.extend_from_slice(PIECES[random.below(PIECES.len())]);
            }
        }
        bytes
    }

    #[test]
    fn random_garbage_never_panics_and_a_frame_after_it_is_still_found() {
        let good_body = br#"{"jsonrpc":"2.0","id":99,"method":"scitag/status"}"#;
        let good = frame(good_body);
        let mut random = Random(0x005c_17a6_2026);
        let mut checked = 0;
        for _ in 0..5000 {
            let junk = garbage(&mut random);
            // Any bytes at all: no panic, and every result is within the buffer.
            let (bodies, _) = frames(&junk);
            for body in &bodies {
                let _ = check_message(body, &RULES);
            }
            // Garbage, then the blank line a client would send after a bad body, then a good
            // frame: the good frame is the last one found.
            let mut input = junk.clone();
            input.extend_from_slice(b"\r\n\r\n");
            input.extend_from_slice(&good);
            let (bodies, _) = frames(&input);
            let found = bodies.last().copied();
            // A valid length in the garbage may legitimately swallow the good frame's first
            // bytes; only garbage that declares no usable length must leave it intact.
            if !declares_a_length(&junk) {
                checked += 1;
                assert_eq!(
                    found,
                    Some(&good_body[..]),
                    "garbage {:?}",
                    String::from_utf8_lossy(&junk)
                );
            }
            // Frames after a good one are still found after any cut of the garbage.
            let cut = random.below(input.len() + 1);
            let _ = next_frame(&input[cut..]);
        }
        assert!(
            checked > 1000,
            "only {checked} inputs without a usable length"
        );
    }

    /// Whether `bytes` holds a `Content-Length:` header with digits, which may frame a body that
    /// runs into what follows.
    fn declares_a_length(bytes: &[u8]) -> bool {
        let lower = bytes.to_ascii_lowercase();
        lower
            .windows(CONTENT_LENGTH.len())
            .enumerate()
            .any(|(index, window)| {
                window == CONTENT_LENGTH
                    && lower[index + CONTENT_LENGTH.len()..]
                        .iter()
                        .skip_while(|byte| **byte != b':')
                        .skip(1)
                        .find(|byte| !byte.is_ascii_whitespace())
                        .is_some_and(u8::is_ascii_digit)
            })
    }
}
