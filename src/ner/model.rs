//! Reading a model directory (as `optimum-cli export onnx --task token-classification` writes it) or
//! the model built into the binary, into the pieces the tagger needs. Every error names the file.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use tokenizers::Tokenizer;

use super::decode::Transitions;
use super::labels::LabelSet;
use super::{Aggregation, Decode, DecodeOptions, NerError};

/// The raw files of a model, from a directory or from the binary.
pub(crate) struct ModelFiles {
    /// Where the files come from, for messages: a directory, or `built-in model`.
    pub(crate) origin: PathBuf,
    pub(crate) onnx_name: String,
    pub(crate) onnx: Cow<'static, [u8]>,
    pub(crate) tokenizer_json: Option<Cow<'static, [u8]>>,
    pub(crate) vocab_txt: Option<Cow<'static, [u8]>>,
    pub(crate) tokenizer_config: Option<Cow<'static, [u8]>>,
    pub(crate) config: Cow<'static, [u8]>,
    pub(crate) transitions: Option<Cow<'static, [u8]>>,
    pub(crate) scitag: Option<Cow<'static, [u8]>>,
}

/// Model files scitag looks for, in order of preference: ONNX Runtime's own format first (the
/// built-in model is one; see [`is_ort_format`]), then ONNX; the quantized one is the faster.
pub(crate) const ONNX_NAMES: [&str; 4] = [
    "model_quantized.ort",
    "model.ort",
    "model_quantized.onnx",
    "model.onnx",
];

/// Whether `bytes` are a model in ONNX Runtime's ORT format (a FlatBuffer with the file
/// identifier `ORTM`) rather than an ONNX protobuf. ONNX Runtime can run an ORT-format model
/// directly from its bytes, without copying the weights into each session.
pub(crate) fn is_ort_format(bytes: &[u8]) -> bool {
    bytes.get(4..8) == Some(b"ORTM".as_slice())
}

impl ModelFiles {
    /// Reads a model directory; `path` may also be a `.onnx` (or `.ort`) file, whose directory
    /// holds the rest.
    pub(crate) fn from_directory(path: &Path) -> Result<ModelFiles, NerError> {
        let (directory, onnx_path) = if path.is_file() {
            let directory = path
                .parent()
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
            (directory, path.to_path_buf())
        } else if path.is_dir() {
            let onnx = ONNX_NAMES
                .iter()
                .map(|name| path.join(name))
                .find(|candidate| candidate.is_file());
            let Some(onnx) = onnx else {
                return Err(NerError::file(
                    path,
                    format!(
                        "model directory has no {} (export one with `optimum-cli export onnx --task \
                         token-classification --model MODEL DIR`)",
                        ONNX_NAMES.join(" or ")
                    ),
                ));
            };
            (path.to_path_buf(), onnx)
        } else {
            return Err(NerError::file(
                path,
                "no such model directory or .onnx/.ort file",
            ));
        };
        let read = |name: &str| -> Result<Option<Cow<'static, [u8]>>, NerError> {
            let file = directory.join(name);
            match std::fs::read(&file) {
                Ok(bytes) => Ok(Some(Cow::Owned(bytes))),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(error) => Err(NerError::file(&file, format!("cannot read: {error}"))),
            }
        };
        let onnx = std::fs::read(&onnx_path)
            .map_err(|error| NerError::file(&onnx_path, format!("cannot read: {error}")))?;
        let config = read("config.json")?.ok_or_else(|| {
            NerError::file(
                directory.join("config.json"),
                "missing (the model's Hugging Face config with id2label)",
            )
        })?;
        let tokenizer_json = read("tokenizer.json")?;
        let vocab_txt = if tokenizer_json.is_none() {
            read("vocab.txt")?
        } else {
            None
        };
        if tokenizer_json.is_none() && vocab_txt.is_none() {
            return Err(NerError::file(
                directory.join("tokenizer.json"),
                "missing, and there is no vocab.txt either (a model directory needs tokenizer.json, or \
                 vocab.txt with tokenizer_config.json for a BERT WordPiece tokenizer)",
            ));
        }
        Ok(ModelFiles {
            onnx_name: onnx_path.file_name().map_or_else(
                || "model.onnx".to_string(),
                |name| name.to_string_lossy().into_owned(),
            ),
            onnx: Cow::Owned(onnx),
            tokenizer_json,
            vocab_txt,
            tokenizer_config: read("tokenizer_config.json")?,
            config,
            transitions: read("transitions.json")?,
            scitag: read("scitag.json")?,
            origin: directory,
        })
    }

    /// The model built into the binary by `build.rs`, if there is one.
    pub(crate) fn embedded() -> Result<ModelFiles, NerError> {
        let files = super::embedded::FILES.ok_or(NerError::NoEmbeddedModel)?;
        let get = |name: &str| {
            files
                .iter()
                .find(|(file, _)| *file == name)
                .map(|(_, bytes)| Cow::Borrowed(*bytes))
        };
        let (onnx_name, onnx) = ONNX_NAMES
            .iter()
            .find_map(|name| get(name).map(|bytes| (name.to_string(), bytes)))
            .ok_or(NerError::NoEmbeddedModel)?;
        Ok(ModelFiles {
            origin: PathBuf::from(format!("built-in model ({})", super::embedded::SOURCE)),
            onnx_name,
            onnx,
            tokenizer_json: get("tokenizer.json"),
            vocab_txt: get("vocab.txt"),
            tokenizer_config: get("tokenizer_config.json"),
            config: get("config.json").ok_or(NerError::NoEmbeddedModel)?,
            transitions: get("transitions.json"),
            scitag: get("scitag.json"),
        })
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.origin.join(name)
    }

    /// Stable 64-bit hash of everything that changes the model's output.
    pub(crate) fn identity(&self) -> u64 {
        let mut hash = ContentHash::new();
        for part in [
            Some(&self.onnx),
            self.tokenizer_json.as_ref(),
            self.vocab_txt.as_ref(),
            self.tokenizer_config.as_ref(),
            Some(&self.config),
            self.transitions.as_ref(),
            self.scitag.as_ref(),
        ] {
            match part {
                Some(bytes) => hash.write_sampled(bytes),
                None => hash.write(b"\xffabsent"),
            }
        }
        hash.finish()
    }
}

/// A simple, stable, fast 64-bit content hash (8 bytes at a time, multiply-xorshift mixing). Not
/// cryptographic; it only has to tell models apart in caches.
struct ContentHash(u64);

impl ContentHash {
    fn new() -> ContentHash {
        ContentHash(0x9E37_79B9_7F4A_7C15)
    }

    fn mix(&mut self, word: u64) {
        self.0 = (self.0 ^ word).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        self.0 ^= self.0 >> 31;
    }

    fn write(&mut self, bytes: &[u8]) {
        self.mix(bytes.len() as u64);
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        let mut tail = [0u8; 8];
        tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        self.mix(u64::from_le_bytes(tail));
    }

    /// Large files (model weights) are hashed by their length and a 64 KiB sample of every MiB: any
    /// retrained or requantized model differs there, and hashing 400 MB in full would add a visible
    /// part of a second to every load.
    fn write_sampled(&mut self, bytes: &[u8]) {
        const WHOLE: usize = 16 << 20;
        const STRIDE: usize = 1 << 20;
        const SAMPLE: usize = 64 << 10;
        if bytes.len() <= WHOLE {
            self.write(bytes);
            return;
        }
        self.mix(bytes.len() as u64);
        for start in (0..bytes.len()).step_by(STRIDE) {
            self.write(&bytes[start..(start + SAMPLE).min(bytes.len())]);
        }
        self.write(&bytes[bytes.len() - SAMPLE..]);
    }

    fn finish(&self) -> u64 {
        let mut value = self.0;
        value ^= value >> 33;
        value = value.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
        value ^ (value >> 33)
    }
}

/// What `config.json` tells the tagger.
pub(crate) struct ModelConfig {
    pub(crate) labels: LabelSet,
    pub(crate) max_position_embeddings: Option<usize>,
    pub(crate) model_type: Option<String>,
}

pub(crate) fn parse_config(files: &ModelFiles) -> Result<ModelConfig, NerError> {
    parse_config_bytes(&files.path("config.json"), &files.config)
}

/// [`parse_config`] of `config.json`'s bytes (`path` names it in errors).
fn parse_config_bytes(path: &Path, bytes: &[u8]) -> Result<ModelConfig, NerError> {
    let path = path.to_path_buf();
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|error| NerError::file(&path, format!("not valid JSON: {error}")))?;
    let Some(id2label) = value.get("id2label").and_then(serde_json::Value::as_object) else {
        return Err(NerError::file(
            &path,
            "no `id2label` object; a token-classification config maps label ids to names, e.g. \
             \"id2label\": {\"0\": \"O\", \"1\": \"B-protein\", ...}",
        ));
    };
    if id2label.is_empty() {
        return Err(NerError::file(&path, "`id2label` is empty"));
    }
    let mut labels = vec![None; id2label.len()];
    for (key, name) in id2label {
        let index: usize = key
            .parse()
            .ok()
            .filter(|index| *index < labels.len())
            .ok_or_else(|| {
                NerError::file(
                    &path,
                    format!("`id2label` key {key:?} is not an id in 0..{}", labels.len()),
                )
            })?;
        let name = name.as_str().ok_or_else(|| {
            NerError::file(
                &path,
                format!("`id2label` value for {key:?} is not a string"),
            )
        })?;
        labels[index] = Some(name.to_string());
    }
    let labels: Vec<String> = labels.into_iter().map(Option::unwrap_or_default).collect();
    let max_position_embeddings = value
        .get("max_position_embeddings")
        .and_then(serde_json::Value::as_u64)
        .map(|value| value as usize);
    let model_type = value
        .get("model_type")
        .and_then(serde_json::Value::as_str)
        .map(str::to_string);
    Ok(ModelConfig {
        labels: LabelSet::new(labels),
        max_position_embeddings,
        model_type,
    })
}

/// What `tokenizer_config.json` tells the tagger.
#[derive(Default)]
pub(crate) struct TokenizerConfig {
    pub(crate) model_max_length: Option<usize>,
    pub(crate) do_lower_case: Option<bool>,
    pub(crate) strip_accents: Option<bool>,
    pub(crate) unk_token: Option<String>,
}

pub(crate) fn parse_tokenizer_config(files: &ModelFiles) -> Result<TokenizerConfig, NerError> {
    let Some(bytes) = files.tokenizer_config.as_ref() else {
        return Ok(TokenizerConfig::default());
    };
    let path = files.path("tokenizer_config.json");
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|error| NerError::file(&path, format!("not valid JSON: {error}")))?;
    let token = |key: &str| match value.get(key) {
        Some(serde_json::Value::String(text)) => Some(text.clone()),
        Some(serde_json::Value::Object(object)) => object
            .get("content")
            .and_then(|c| c.as_str())
            .map(str::to_string),
        _ => None,
    };
    Ok(TokenizerConfig {
        // Hugging Face writes a huge sentinel (1e30) when the length is unknown.
        model_max_length: value
            .get("model_max_length")
            .and_then(serde_json::Value::as_f64)
            .filter(|length| *length >= 4.0 && *length <= 1_000_000.0)
            .map(|length| length as usize),
        do_lower_case: value
            .get("do_lower_case")
            .and_then(serde_json::Value::as_bool),
        strip_accents: value
            .get("strip_accents")
            .and_then(serde_json::Value::as_bool),
        unk_token: token("unk_token"),
    })
}

/// Builds the tokenizer: `tokenizer.json` as it is, or the BERT WordPiece pipeline from `vocab.txt`.
/// Padding and truncation are switched off either way (scitag windows the input itself).
pub(crate) fn load_tokenizer(
    files: &ModelFiles,
    tokenizer_config: &TokenizerConfig,
) -> Result<Tokenizer, NerError> {
    let mut tokenizer = if let Some(bytes) = files.tokenizer_json.as_ref() {
        Tokenizer::from_bytes(bytes.as_ref()).map_err(|error| {
            NerError::file(
                files.path("tokenizer.json"),
                format!("not a valid tokenizer: {error}"),
            )
        })?
    } else if let Some(bytes) = files.vocab_txt.as_ref() {
        wordpiece_tokenizer(bytes, tokenizer_config)
            .map_err(|message| NerError::file(files.path("vocab.txt"), message))?
    } else {
        return Err(NerError::file(
            files.path("tokenizer.json"),
            "missing (and no vocab.txt)",
        ));
    };
    tokenizer.with_padding(None);
    tokenizer.with_truncation(None).map_err(|error| {
        NerError::file(
            files.path("tokenizer.json"),
            format!("cannot switch truncation off: {error}"),
        )
    })?;
    Ok(tokenizer)
}

fn wordpiece_tokenizer(vocab: &[u8], config: &TokenizerConfig) -> Result<Tokenizer, String> {
    let text = std::str::from_utf8(vocab).map_err(|error| format!("not UTF-8: {error}"))?;
    let mut map = serde_json::Map::new();
    for (index, line) in text.lines().enumerate() {
        let token = line.trim_end_matches('\r');
        if !map.contains_key(token) {
            map.insert(token.to_string(), serde_json::Value::from(index));
        }
    }
    let unk = config
        .unk_token
        .clone()
        .unwrap_or_else(|| "[UNK]".to_string());
    for required in [unk.as_str(), "[CLS]", "[SEP]"] {
        if !map.contains_key(required) {
            return Err(format!(
                "has no {required} token (one token per line, BERT WordPiece)"
            ));
        }
    }
    let cls = map["[CLS]"].clone();
    let sep = map["[SEP]"].clone();
    // Hugging Face's BertTokenizer lower-cases unless told otherwise; accents follow lower-casing.
    let lowercase = config.do_lower_case.unwrap_or(true);
    // The same pipeline as BertTokenizerFast's tokenizer.json, built through the JSON form because
    // that is the stable public way to assemble one.
    let json = serde_json::json!({
        "version": "1.0",
        "truncation": null,
        "padding": null,
        "added_tokens": [],
        "normalizer": {
            "type": "BertNormalizer",
            "clean_text": true,
            "handle_chinese_chars": true,
            "strip_accents": config.strip_accents,
            "lowercase": lowercase
        },
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", sep], "cls": ["[CLS]", cls]},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
        "model": {
            "type": "WordPiece",
            "unk_token": unk,
            "continuing_subword_prefix": "##",
            "max_input_chars_per_word": 100,
            "vocab": map
        }
    });
    let bytes = serde_json::to_vec(&json).map_err(|error| error.to_string())?;
    Tokenizer::from_bytes(bytes)
        .map_err(|error| format!("cannot build a WordPiece tokenizer: {error}"))
}

/// The optional `transitions.json`.
pub(crate) fn parse_transitions(
    files: &ModelFiles,
    labels: &LabelSet,
) -> Result<Option<Transitions>, NerError> {
    let Some(bytes) = files.transitions.as_ref() else {
        return Ok(None);
    };
    let path = files.path("transitions.json");
    #[derive(serde::Deserialize)]
    struct Raw {
        labels: Vec<String>,
        start: Vec<f32>,
        #[serde(default)]
        end: Option<Vec<f32>>,
        transitions: Vec<Vec<f32>>,
    }
    let raw: Raw = serde_json::from_slice(bytes).map_err(|error| {
        NerError::file(
            &path,
            format!("not valid: {error} (expected {{\"labels\": [...], \"start\": [...], \"transitions\": [[...]]}})"),
        )
    })?;
    let count = labels.len();
    if raw.labels != labels.labels {
        return Err(NerError::file(
            &path,
            format!(
                "`labels` {:?} differ from config.json's id2label {:?}",
                raw.labels, labels.labels
            ),
        ));
    }
    if raw.start.len() != count || raw.end.as_ref().is_some_and(|end| end.len() != count) {
        return Err(NerError::file(
            &path,
            format!("`start`/`end` must have {count} scores, one per label"),
        ));
    }
    if raw.transitions.len() != count || raw.transitions.iter().any(|row| row.len() != count) {
        return Err(NerError::file(
            &path,
            format!("`transitions` must be a {count}x{count} matrix"),
        ));
    }
    Ok(Some(Transitions {
        start: raw.start,
        end: raw.end,
        matrix: raw.transitions.into_iter().flatten().collect(),
    }))
}

/// The optional `scitag.json`: the model's recommended settings.
#[derive(Debug, Default)]
pub(crate) struct Recommendations {
    pub(crate) name: Option<String>,
    pub(crate) decode: DecodeOptions,
    pub(crate) context_max_tokens: Option<usize>,
    /// `temperature`: the softmax temperature fitted on dev (calibration).
    pub(crate) temperature: Option<f32>,
    /// `heads`: the classification heads of a model with several logits outputs; empty for a
    /// single-output model (one head: config.json's id2label on `logits` or the first output).
    pub(crate) heads: Vec<HeadSpec>,
}

/// One classification head of a multi-output model, as `scitag.json` declares it:
/// `{"name": "bc5cdr", "output": "logits_bc5cdr", "labels": ["O", "B-chemical", ...],
/// "temperature": 1.2}`. `labels` may be left out for the head whose labels are config.json's
/// id2label; `temperature` falls back to the file's top-level one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HeadSpec {
    pub(crate) name: String,
    pub(crate) output: String,
    pub(crate) labels: Option<Vec<String>>,
    pub(crate) temperature: Option<f32>,
}

pub(crate) fn parse_recommendations(files: &ModelFiles) -> Result<Recommendations, NerError> {
    match files.scitag.as_ref() {
        Some(bytes) => parse_recommendations_bytes(&files.path("scitag.json"), bytes),
        None => Ok(Recommendations::default()),
    }
}

/// The entity classes of the model directory `directory` (its heads' classes, in order, each once)
/// read from `config.json` and `scitag.json` alone, with the parsers that load the model: what the
/// loaded model's `classes()` will be, before its graph is read. Errors as loading would report them.
pub(crate) fn probe_classes(directory: &Path) -> Result<Vec<String>, NerError> {
    let read = |name: &str| -> Result<Option<Vec<u8>>, NerError> {
        let path = directory.join(name);
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(NerError::file(&path, error.to_string())),
        }
    };
    let config_path = directory.join("config.json");
    let config = read("config.json")?.ok_or_else(|| NerError::file(&config_path, "missing"))?;
    let config = parse_config_bytes(&config_path, &config)?;
    let recommendations = match read("scitag.json")? {
        Some(bytes) => parse_recommendations_bytes(&directory.join("scitag.json"), &bytes)?,
        None => Recommendations::default(),
    };
    let head_classes: Vec<Vec<String>> = if recommendations.heads.is_empty() {
        vec![config.labels.classes]
    } else {
        recommendations
            .heads
            .into_iter()
            .map(|head| match head.labels {
                Some(labels) => super::labels::LabelSet::new(labels).classes,
                None => config.labels.classes.clone(),
            })
            .collect()
    };
    Ok(super::distinct_classes(head_classes.into_iter().flatten()))
}

fn parse_recommendations_bytes(path: &Path, bytes: &[u8]) -> Result<Recommendations, NerError> {
    let path = path.to_path_buf();
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|error| NerError::file(&path, format!("not valid JSON: {error}")))?;
    let mut recommendations = Recommendations {
        name: value
            .get("name")
            .and_then(|name| name.as_str())
            .map(str::to_string),
        ..Recommendations::default()
    };
    if let Some(decode) = value.get("decode").and_then(|decode| decode.as_str()) {
        recommendations.decode.decode = decode
            .parse::<Decode>()
            .map_err(|message| NerError::file(&path, message))?;
    }
    if let Some(aggregation) = value
        .get("aggregation")
        .and_then(|aggregation| aggregation.as_str())
    {
        recommendations.decode.aggregation = aggregation
            .parse::<Aggregation>()
            .map_err(|message| NerError::file(&path, message))?;
    }
    if let Some(context) = value.get("context") {
        let tokens = context
            .get("max_tokens")
            .and_then(serde_json::Value::as_u64);
        if context.get("max_tokens").is_some() && tokens.is_none() {
            return Err(NerError::file(
                &path,
                "`context.max_tokens` must be a whole number",
            ));
        }
        recommendations.context_max_tokens = tokens
            .map(|tokens| tokens as usize)
            .filter(|tokens| *tokens > 0);
    }
    if let Some(temperature) = value.get("temperature") {
        recommendations.temperature = Some(
            positive(temperature)
                .ok_or_else(|| NerError::file(&path, "`temperature` must be a positive number"))?,
        );
    }
    if let Some(heads) = value.get("heads") {
        recommendations.heads = parse_heads(heads).map_err(|message| {
            NerError::file(
                &path,
                format!(
                    "`heads`: {message} (expected [{{\"name\": ..., \"output\": ..., \"labels\": [...]}}, ...])"
                ),
            )
        })?;
    }
    Ok(recommendations)
}

fn positive(value: &serde_json::Value) -> Option<f32> {
    value
        .as_f64()
        .filter(|t| t.is_finite() && *t > 0.0)
        .map(|t| t as f32)
}

fn parse_heads(value: &serde_json::Value) -> Result<Vec<HeadSpec>, String> {
    let list = value.as_array().ok_or("must be a list")?;
    if list.is_empty() {
        return Err("is empty".into());
    }
    let mut heads: Vec<HeadSpec> = Vec::with_capacity(list.len());
    for (index, head) in list.iter().enumerate() {
        let text = |key: &str| -> Result<String, String> {
            head.get(key)
                .and_then(serde_json::Value::as_str)
                .filter(|text| !text.is_empty())
                .map(str::to_string)
                .ok_or_else(|| format!("head {index} has no `{key}` string"))
        };
        let name = text("name")?;
        let output = text("output")?;
        if heads.iter().any(|other| other.name == name) {
            return Err(format!("two heads are named {name:?}"));
        }
        if heads.iter().any(|other| other.output == output) {
            return Err(format!("two heads read the output {output:?}"));
        }
        let labels = match head.get("labels") {
            None | Some(serde_json::Value::Null) => None,
            Some(labels) => {
                let labels: Option<Vec<String>> = labels.as_array().and_then(|labels| {
                    labels
                        .iter()
                        .map(|label| label.as_str().map(str::to_string))
                        .collect()
                });
                match labels {
                    Some(labels) if !labels.is_empty() => Some(labels),
                    _ => {
                        return Err(format!(
                            "head {name:?}: `labels` must be a list of label names"
                        ));
                    }
                }
            }
        };
        let temperature = match head.get("temperature") {
            None | Some(serde_json::Value::Null) => None,
            Some(temperature) => Some(positive(temperature).ok_or_else(|| {
                format!("head {name:?}: `temperature` must be a positive number")
            })?),
        };
        heads.push(HeadSpec {
            name,
            output,
            labels,
            temperature,
        });
    }
    Ok(heads)
}
