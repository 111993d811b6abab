//! Token classification: model directories, tokenization, ONNX Runtime, decoding.
//!
//! Coordinates: every [`Entity`] carries a byte range into the text it was computed
//! from (a paragraph's prose string, or a plain-text input).

mod entity;

pub use entity::{Alternative, Entity};
