//! The default model built into the binary (see `build.rs`): `FILES` lists `(file name, bytes)`, or
//! is `None` when `models/biomed-minilm/` held no model at build time.

include!(concat!(env!("OUT_DIR"), "/embedded_model.rs"));
