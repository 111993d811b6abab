//! Fuzzes the language server's framing layer (`src/server/transport/framing.rs`): any bytes must
//! cut into frames and skips without panicking, each step staying inside the buffer and moving
//! forward, every body found must check without panicking, and a good frame after the bytes (and
//! the blank line a client sends after a bad body) must still be found unless the bytes declared
//! a usable `Content-Length` that runs into it.
#![no_main]

use libfuzzer_sys::fuzz_target;
// The framing module itself, compiled into the target (see Cargo.toml for why not the whole
// crate); it uses only std and serde_json.
#[allow(dead_code)]
#[path = "../../src/server/transport/framing.rs"]
mod framing;

const RULES: framing::ParamsRules<'static> = framing::ParamsRules {
    none: &["shutdown", "exit", "scitag/status"],
    empty_object: &["initialized"],
};

fuzz_target!(|data: &[u8]| {
    let mut offset = 0;
    while offset < data.len() {
        match framing::next_frame(&data[offset..]) {
            framing::Frame::Incomplete => break,
            framing::Frame::Message {
                body_start,
                consumed,
            } => {
                assert!(body_start <= consumed && consumed <= data.len() - offset);
                assert!(consumed > 0);
                let _ =
                    framing::check_message(&data[offset + body_start..offset + consumed], &RULES);
                offset += consumed;
            }
            framing::Frame::Skip { consumed, .. } => {
                assert!(consumed > 0 && consumed <= data.len() - offset);
                offset += consumed;
            }
        }
    }

    let good_body = br#"{"jsonrpc":"2.0","id":99,"method":"scitag/status"}"#;
    let mut input = data.to_vec();
    input.extend_from_slice(b"\r\n\r\n");
    input.extend_from_slice(&framing::frame(good_body));
    let (bodies, _) = framing::frames(&input);
    let lower = data.to_ascii_lowercase();
    let declares_length = lower
        .windows(b"content-length".len())
        .any(|w| w == b"content-length");
    if !declares_length {
        assert_eq!(bodies.last().copied(), Some(&good_body[..]));
    }
});
