//! Token classification: model directories, tokenization, ONNX Runtime, decoding.
//!
//! Coordinates: every [`Entity`] carries a byte range into the text it was computed
//! from (a paragraph's prose string, or a plain-text input).
//!
//! The flow of [`Tagger::tag`]: each input's sentences are tokenized (byte offsets), packed into
//! sequences (one sentence each, or neighbouring sentences up to the model's context budget), cut
//! into windows of at most the model's length with overlap when a sentence is longer, batched by
//! length, run through ONNX Runtime, and decoded ([`Decode::Pipeline`]: the Hugging Face pipeline's
//! post-processing; [`Decode::Viterbi`]: constrained BIO decoding).

mod decode;
mod embedded;
mod entity;
mod error;
mod labels;
mod model;
mod ort_format;
mod overlap;
mod runtime;
mod sessions;
mod set;
mod tagger;

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

pub use entity::{Alternative, Entity};
pub use error::NerError;
pub use overlap::CONFIDENT_SCORE;
pub use runtime::{LIBRARY_NAME, init_runtime, library_candidates};
pub use set::ModelSet;
pub use tagger::{Tagger, WordsInput};

/// `classes` in order, each once: the classes of several heads or models, which may share some.
pub fn distinct_classes(classes: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut distinct: Vec<String> = Vec::new();
    for class in classes {
        if !distinct.contains(&class) {
            distinct.push(class);
        }
    }
    distinct
}

/// Where the model comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelSource {
    /// The default model built into the binary (if it was present at build time).
    Embedded,
    /// A model directory (`model.onnx` or `model_quantized.onnx`, `tokenizer.json`, `config.json`),
    /// or a `.onnx` file whose directory holds the other files.
    Directory(PathBuf),
}

impl ModelSource {
    /// True when the binary carries a default model.
    pub fn embedded_available() -> bool {
        embedded::FILES.is_some()
    }

    /// The classes the model will have once loaded (every head's, in order), read from its
    /// `config.json` and `scitag.json` without loading the graph: the server's semantic token legend
    /// is built from them before the model loads. Empty for the built-in model (its classes are
    /// the standard token types every legend starts with) and when the files cannot be read (the
    /// load then reports why).
    pub fn probe_classes(&self) -> Vec<String> {
        let ModelSource::Directory(path) = self else {
            return Vec::new();
        };
        let directory = if path.is_file() {
            path.parent().unwrap_or(path)
        } else {
            path
        };
        model::probe_classes(directory).unwrap_or_default()
    }
}

/// How word pieces are merged into entities, as in the Hugging Face `TokenClassificationPipeline`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Aggregation {
    /// Every piece on its own (entities are pieces; `B-`/`I-` not merged).
    None,
    /// Pieces grouped by label, word boundaries ignored.
    Simple,
    /// A word takes the label of its first piece (models trained with labels on the first sub-word).
    #[default]
    First,
    /// A word takes the label of the mean probabilities of its pieces.
    Average,
    /// A word takes the label of its most confident piece.
    Max,
}

impl Aggregation {
    pub const ALL: [Aggregation; 5] = [
        Aggregation::None,
        Aggregation::Simple,
        Aggregation::First,
        Aggregation::Average,
        Aggregation::Max,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Aggregation::None => "none",
            Aggregation::Simple => "simple",
            Aggregation::First => "first",
            Aggregation::Average => "average",
            Aggregation::Max => "max",
        }
    }
}

impl fmt::Display for Aggregation {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl FromStr for Aggregation {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Aggregation::ALL
            .into_iter()
            .find(|aggregation| aggregation.as_str().eq_ignore_ascii_case(text))
            .ok_or_else(|| {
                format!(
                    "unknown aggregation {text:?} (expected none, simple, first, average or max)"
                )
            })
    }
}

/// How labels are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Decode {
    /// Softmax, argmax per word (or piece), and the Hugging Face pipeline's grouping.
    #[default]
    Pipeline,
    /// The best label path per sentence under the BIO rule (`I-X` only after `B-X`/`I-X`), over
    /// log-probabilities plus the model's `transitions.json` scores when it has one.
    Viterbi,
}

impl Decode {
    pub fn as_str(self) -> &'static str {
        match self {
            Decode::Pipeline => "pipeline",
            Decode::Viterbi => "viterbi",
        }
    }
}

impl fmt::Display for Decode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl FromStr for Decode {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_lowercase().as_str() {
            "pipeline" => Ok(Decode::Pipeline),
            "viterbi" => Ok(Decode::Viterbi),
            _ => Err(format!(
                "unknown decoder {text:?} (expected pipeline or viterbi)"
            )),
        }
    }
}

/// How the model is run. Build with `TaggerOptions { threads: 2, ..Default::default() }`.
#[derive(Debug, Clone, PartialEq)]
pub struct TaggerOptions {
    /// Inference threads. Models up to 64 MB (the built-in one) get one single-threaded ONNX
    /// Runtime session per thread, each running different batches; larger models get one session
    /// with this many intra-op threads. Thread spinning is always off (with spinning, 2 threads are
    /// slower than 1 when another process keeps a core busy). Default: 2, or 1 on a one-core
    /// machine.
    pub threads: usize,
    /// Where ONNX Runtime is (see [`init_runtime`]); `None` searches the usual places.
    pub ort_lib: Option<PathBuf>,
    /// Word pieces shared by neighbouring windows when a sentence is longer than the model's window
    /// (the Hugging Face pipeline's `stride`). Default: a quarter of the window, at most 128; never
    /// more than half a window.
    pub window_overlap: Option<usize>,
    /// Pack neighbouring sentences of an input into one window up to this many word pieces
    /// (context for the model). Default: the model's `scitag.json` `context.max_tokens`, else one
    /// sentence per window. `Some(0)` forces one sentence per window.
    pub context_max_tokens: Option<usize>,
    /// Longest window in word pieces including special tokens. Default: the model's
    /// `model_max_length` / `max_position_embeddings`, else 512.
    pub max_window_tokens: Option<usize>,
    /// Softmax temperature: probabilities are `softmax(logits / T)`, so that a score means the
    /// chance that a highlight is right. Default: the model's `scitag.json` `temperature`, else 1.
    /// Given here, it applies to every head.
    pub temperature: Option<f32>,
    /// Of a model with several heads (`scitag.json` `heads`), run only these (by name, in the
    /// model's order). Default: every head. Naming a head the model lacks is an error.
    pub heads: Option<Vec<String>>,
}

impl Default for TaggerOptions {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        TaggerOptions {
            threads: cores.clamp(1, 2),
            ort_lib: None,
            window_overlap: None,
            context_max_tokens: None,
            max_window_tokens: None,
            temperature: None,
            heads: None,
        }
    }
}

/// How entities are decoded. `Default` is the Hugging Face default for models trained with labels on
/// the first sub-word (pipeline, first); [`Tagger::recommended_decode`] gives the model's own choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DecodeOptions {
    pub aggregation: Aggregation,
    pub decode: Decode,
}

/// What the user chose of the decoding (settings, `--aggregation`, `--decode`); `None` leaves each
/// model its own recommendation. Models used together ([`ModelSet`]) each resolve the same choice
/// against their own `scitag.json`, so a model decodes in a set as it does alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DecodeChoice {
    pub aggregation: Option<Aggregation>,
    pub decode: Option<Decode>,
}

impl DecodeChoice {
    /// The decoding a model whose recommendation is `recommended` runs under this choice.
    pub fn resolve(&self, recommended: DecodeOptions) -> DecodeOptions {
        DecodeOptions {
            aggregation: self.aggregation.unwrap_or(recommended.aggregation),
            decode: self.decode.unwrap_or(recommended.decode),
        }
    }
}

/// One text to tag.
#[derive(Debug, Clone, Copy)]
pub struct TagInput<'a> {
    pub text: &'a str,
    /// Byte ranges of the sentences in `text` (e.g. from `prose::split_sentences`). Empty: the whole
    /// text is one sentence. Entities never cross sentences; text outside every sentence is not tagged.
    pub sentences: &'a [std::ops::Range<usize>],
}

/// Entities per input, in the order of the inputs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TagOutput {
    /// One list per input, sorted by start.
    pub entities: Vec<Vec<Entity>>,
    /// Sentences run through the model.
    pub sentences_inferred: usize,
}
