//! The framing layer in front of tower-lsp-server's transport, so that no input can end the
//! server: tower-lsp's reader stops for good at the first frame it cannot decode (a body that is
//! not JSON, JSON that is not JSON-RPC, a header block without `Content-Length`).
//!
//! ```text
//! input ──read_input──▶ duplex ──▶ tower-lsp Server ──▶ duplex ──write_output──▶ output
//!            │ (checks every frame; forwards good ones)              ▲
//!            └──────── error responses (-32700, -32600) ─────────────┘
//! ```
//!
//! `read_input` cuts the input into frames ([`framing::next_frame`]) and checks each body
//! ([`framing::check_message`]): a good message goes to the server re-framed with a canonical
//! `Content-Length` header, its body unchanged except for the `params` of methods that take none
//! (see [`PARAMS`]); a body that is not JSON is answered with `-32700` (id `null`), JSON that is
//! not a request, notification or response with `-32600` (with its id when one can be read); a
//! header block without a usable `Content-Length` is logged and skipped up to the next header.
//! `write_output` is the only writer of `output`: it copies the server's frames whole and puts
//! the error responses between them, so frames never interleave. Only the end of the input (or
//! `exit`, which ends tower-lsp's server) ends serving.

pub mod framing;

use std::pin::pin;

use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Request, Response};

use framing::{Checked, Frame, ParamsRules};

/// How many bytes each duplex pipe buffers.
pub(super) const PIPE_CAPACITY: usize = 1 << 20;
const READ_CHUNK: usize = 64 << 10;

/// The methods whose `params` the layer normalises, because tower-lsp-server cannot be told to:
/// its handlers without parameters (`shutdown`, `exit` and a custom method registered with no
/// params argument, like `scitag/status`) accept only an absent or `null` `params`, and its
/// parameter extraction is a sealed trait. `{}`, `[]` and `null` are removed for them. The
/// `initialized` notification takes an object with no fields; absent, `null` or `[]` params
/// become `{}` (tower-lsp would otherwise drop the notification).
pub(super) const PARAMS: ParamsRules<'static> = ParamsRules {
    none: &["shutdown", "exit", super::STATUS_METHOD],
    empty_object: &["initialized"],
};

/// Reads `input` frame by frame until it ends, giving the server (`to_server`) only well-formed
/// JSON-RPC frames and sending an error response for each rejected body to `replies`.
pub(super) async fn read_input<I>(
    input: I,
    mut to_server: DuplexStream,
    replies: mpsc::UnboundedSender<Vec<u8>>,
) where
    I: AsyncRead + Unpin,
{
    let mut input = input;
    let mut buffer: Vec<u8> = Vec::with_capacity(READ_CHUNK);
    // Set after a logged skip, so that a stream of garbage is logged once, not once per read.
    let mut skipping = false;
    loop {
        buffer.reserve(READ_CHUNK);
        match input.read_buf(&mut buffer).await {
            Ok(0) => break,
            Ok(_) => {}
            Err(error) => {
                tracing::error!("transport: reading the input failed, stopping: {error}");
                break;
            }
        }
        let mut offset = 0;
        while offset < buffer.len() {
            let rest = &buffer[offset..];
            match framing::next_frame(rest) {
                Frame::Incomplete => break,
                Frame::Skip { consumed, problem } => {
                    if let Some(problem) = problem {
                        if !skipping {
                            tracing::warn!(
                                "transport: skipped {problem} up to the next Content-Length header"
                            );
                        }
                        skipping = true;
                    }
                    offset += consumed.clamp(1, rest.len());
                }
                Frame::Message {
                    body_start,
                    consumed,
                } => {
                    skipping = false;
                    let body = &rest[body_start..consumed];
                    let forwarded = match check(body) {
                        Checked::Forward(None) => Some(framing::frame(body)),
                        Checked::Forward(Some(rewritten)) => Some(framing::frame(&rewritten)),
                        Checked::Reject { code, message, id } => {
                            tracing::warn!(
                                "transport: answered a bad message with {code}: {message}"
                            );
                            let _ = replies.send(framing::error_frame(code, &message, &id));
                            None
                        }
                    };
                    offset += consumed;
                    if let Some(frame) = forwarded
                        && to_server.write_all(&frame).await.is_err()
                    {
                        // The server stopped reading (after `exit`).
                        return;
                    }
                }
            }
        }
        buffer.drain(..offset);
    }
    if !buffer.is_empty() {
        tracing::warn!(
            "transport: the input ended inside a message; {} bytes dropped",
            buffer.len()
        );
    }
}

/// [`framing::check_message`], and then whether tower-lsp-server reads the message too: its
/// reader stops at the first frame it cannot deserialize, so nothing it would refuse may pass.
fn check(body: &[u8]) -> Checked {
    let checked = framing::check_message(body, &PARAMS);
    let Checked::Forward(rewritten) = &checked else {
        return checked;
    };
    let forwarded = rewritten.as_deref().unwrap_or(body);
    // Requests and notifications first: nearly every message a client sends is one (a keystroke's
    // `didChange` carries the edit), and a failed `Response` parse of it would read it whole once
    // more for nothing. Client responses (to `workspace/configuration` and the like) are rare.
    let readable = serde_json::from_slice::<Request>(forwarded).is_ok()
        || serde_json::from_slice::<Response>(forwarded).is_ok();
    if readable {
        return checked;
    }
    let id = serde_json::from_slice::<Value>(forwarded)
        .ok()
        .and_then(|value| value.get("id").cloned())
        .filter(|id| id.is_string() || id.is_i64())
        .unwrap_or(Value::Null);
    Checked::Reject {
        code: framing::INVALID_REQUEST,
        message: "Invalid request: not a JSON-RPC 2.0 message the server can read".into(),
        id,
    }
}

/// Copies the server's frames (`from_server`) and the error responses (`replies`) to `output`,
/// one whole frame at a time, until the server's side closes.
pub(super) async fn write_output<O>(
    mut from_server: DuplexStream,
    mut replies: mpsc::UnboundedReceiver<Vec<u8>>,
    output: O,
) where
    O: AsyncWrite,
{
    let mut output = pin!(output);
    let mut buffer: Vec<u8> = Vec::with_capacity(READ_CHUNK);
    let mut replies_open = true;
    // After a failed write (the client closed its end) the server's output is still read and
    // dropped, so that the server never blocks on a full pipe.
    let mut broken = false;
    loop {
        buffer.reserve(READ_CHUNK);
        tokio::select! {
            read = from_server.read_buf(&mut buffer) => {
                match read {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        let whole = whole_frames(&buffer);
                        if whole > 0 {
                            if !broken {
                                broken = !write(&mut output, &buffer[..whole]).await;
                            }
                            buffer.drain(..whole);
                        }
                    }
                }
            }
            reply = replies.recv(), if replies_open => match reply {
                Some(reply) => {
                    if !broken {
                        broken = !write(&mut output, &reply).await;
                    }
                }
                None => replies_open = false,
            },
        }
    }
    // Error responses already queued still go out.
    while let Ok(reply) = replies.try_recv() {
        if broken || !write(&mut output, &reply).await {
            break;
        }
    }
}

/// The length of the whole frames at the start of `buffer` (the server only writes good ones).
fn whole_frames(buffer: &[u8]) -> usize {
    let mut offset = 0;
    while offset < buffer.len() {
        match framing::next_frame(&buffer[offset..]) {
            Frame::Incomplete => break,
            Frame::Message { consumed, .. } | Frame::Skip { consumed, .. } => {
                offset += consumed.clamp(1, buffer.len() - offset);
            }
        }
    }
    offset
}

async fn write<O: AsyncWrite>(output: &mut std::pin::Pin<&mut O>, bytes: &[u8]) -> bool {
    let written = async {
        output.write_all(bytes).await?;
        output.flush().await
    };
    match written.await {
        Ok(()) => true,
        Err(error) => {
            tracing::error!("transport: writing the output failed: {error}");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_passes_the_framing_check_is_what_tower_lsp_reads() {
        // A normalised request and a response pass both checks; anything tower-lsp-server could
        // not deserialize would be answered with -32600 instead of reaching it.
        let checked = check(br#"{"jsonrpc":"2.0","id":5,"method":"scitag/status","params":{}}"#);
        assert!(matches!(checked, Checked::Forward(Some(_))), "{checked:?}");
        let checked = check(br#"{"jsonrpc":"2.0","id":5,"result":1}"#);
        assert_eq!(checked, Checked::Forward(None));
    }
}
