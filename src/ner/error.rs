use std::path::PathBuf;

/// Everything that can go wrong in the tagger. Every message names the file or place involved and,
/// where there is one, the fix.
#[derive(thiserror::Error, Debug)]
pub enum NerError {
    /// ONNX Runtime's shared library could not be loaded from any of the places scitag looks.
    #[error(
        "could not load ONNX Runtime; tried {tried}; fix: run scripts/setup-ort.sh in the scitag \
         repository, or pass --ort-lib PATH (or set ORT_DYLIB_PATH) to a libonnxruntime 1.31 or newer"
    )]
    Runtime {
        /// `place (why it failed)`, joined with `; `.
        tried: String,
    },
    /// A file of the model directory is missing, unreadable or malformed.
    #[error("{}: {message}", path.display())]
    ModelFile { path: PathBuf, message: String },
    /// The binary carries no default model.
    #[error(
        "this scitag binary has no built-in model (models/biomed-minilm/ held no model when it was \
         built); pass --model DIR with a token-classification model directory (model.onnx, \
         tokenizer.json, config.json)"
    )]
    NoEmbeddedModel,
    /// ONNX Runtime refused to create the session.
    #[error("{}: ONNX Runtime could not load the model: {message}", path.display())]
    Session { path: PathBuf, message: String },
    /// The tokenizer failed on an input.
    #[error("tokenizer of {model}: {message}")]
    Tokenize { model: String, message: String },
    /// ONNX Runtime failed while running the model.
    #[error("running {model}: {message}")]
    Inference { model: String, message: String },
    /// The model produced something other than logits `[batch, sequence, labels]`.
    #[error("{model}: unexpected model output: {message}")]
    UnexpectedOutput { model: String, message: String },
    /// The caller passed something the tagger cannot work with (e.g. a sentence range outside the text).
    #[error("invalid input: {0}")]
    InvalidInput(String),
}

impl NerError {
    pub(crate) fn file(path: impl Into<PathBuf>, message: impl Into<String>) -> NerError {
        NerError::ModelFile {
            path: path.into(),
            message: message.into(),
        }
    }

    /// True when the error is about the ONNX Runtime library rather than the model or the input
    /// (the CLI exits with code 2 for these).
    pub fn is_runtime(&self) -> bool {
        matches!(self, NerError::Runtime { .. })
    }
}
