//! The tagger: tokenizer + ONNX Runtime session + decoding.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use ort::session::{Session, SessionInputValue};
use ort::value::{Tensor, TensorElementType, ValueType};
use tokenizers::{Encoding, ModelWrapper, Token, Tokenizer};

use super::decode::{self, Piece, Span, Transitions, Word};
use super::labels::{LabelSet, Tag};
use super::model::{self, ModelFiles};
use super::overlap;
use super::sessions;
use super::{
    Aggregation, Alternative, Decode, DecodeOptions, Entity, ModelSource, NerError, TagInput,
    TagOutput, TaggerOptions,
};

/// Most word pieces (padding included) in one batch: for single-threaded sessions (small models),
/// and for one session with intra-op threads (large models). ONNX Runtime's memory arena keeps the
/// activations of the largest batch. Measured on 2 cores (docs/PERFORMANCE.md): the built-in model
/// tags the 20k-word manuscript fastest with 128 (19,600 words/s and 117 MB, against 15,100 words/s
/// and 160-176 MB with 1,024); a BERT-base int8 model on one session with 2 threads is 25% faster with
/// 1,024 than with 128.
const BATCH_TOKENS_POOLED: usize = 128;
const BATCH_TOKENS_SHARED: usize = 1024;
/// Most sequences in one batch.
const BATCH_SEQUENCES: usize = 32;
/// Per head, the label probabilities of a window's content pieces (row-major, the head's labels per
/// piece).
type WindowOutput = Vec<Vec<f32>>;
/// Per window of a batch, its [`WindowOutput`].
type BatchOutput = Result<Vec<WindowOutput>, NerError>;

/// Alternatives kept per entity.
const ALTERNATIVES: usize = 3;

/// A loaded token-classification model. `Send + Sync`: tokenization and decoding run in the calling
/// thread. A small model runs on one single-threaded ONNX Runtime session per thread (their
/// pre-packed weights shared), a large one on one session with intra-op threads; each session sits
/// behind a mutex (`Session::run` needs `&mut`).
pub struct Tagger {
    name: String,
    identity: u64,
    /// The classification heads that run, in the model's order: one for a single-output model.
    heads: Vec<Head>,
    tokenizer: Tokenizer,
    /// One session per inference thread (see [`TaggerOptions::threads`]); `infer` hands batches
    /// to them in parallel.
    sessions: Vec<Mutex<Session>>,
    /// [`BATCH_TOKENS_POOLED`] or [`BATCH_TOKENS_SHARED`].
    batch_tokens: usize,
    /// Most windows in one batch: [`BATCH_SEQUENCES`], or 1 for a dynamically quantized model,
    /// whose activation scales are computed over the whole batch tensor (padding included), so
    /// that a window's neighbours in a batch would change its probabilities.
    batch_sequences: usize,
    feeds: Vec<Feed>,
    template: Template,
    /// Most content pieces (without special tokens) in one window.
    window_capacity: usize,
    overlap: usize,
    context_max_tokens: Option<usize>,
    recommended: DecodeOptions,
    subword_rule: SubwordRule,
    unk_id: Option<u32>,
    pad_id: u32,
}

/// One classification head: a logits output of the graph with its own label set.
struct Head {
    /// `scitag.json`'s name for it; `model` for a single-output model.
    name: String,
    output: String,
    labels: LabelSet,
    transitions: Option<Transitions>,
    /// Logits are divided by this before the softmax (1: none).
    temperature: f32,
}

/// One text with caller-defined words (e.g. CoNLL tokens), for [`Tagger::label_words`].
#[derive(Debug, Clone, Copy)]
pub struct WordsInput<'a> {
    pub text: &'a str,
    /// Byte ranges of the sentences; empty = the whole text is one sentence.
    pub sentences: &'a [Range<usize>],
    /// Byte ranges of the words, in order, inside the sentences.
    pub words: &'a [Range<usize>],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FeedKind {
    InputIds,
    AttentionMask,
    TokenTypeIds,
}

#[derive(Debug, Clone)]
struct Feed {
    name: String,
    kind: FeedKind,
    int32: bool,
}

/// Special tokens around one sequence, from the tokenizer's post-processor (`[CLS] … [SEP]`).
#[derive(Debug, Clone, Default)]
struct Template {
    prefix: Vec<(u32, u32)>,
    suffix: Vec<(u32, u32)>,
    content_type: u32,
}

/// How a piece is recognised as the continuation of a word, as the Hugging Face pipeline does it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SubwordRule {
    /// The tokenizer model has a continuing-subword prefix (WordPiece `##`): a piece is a sub-word
    /// when its text (with the prefix) has another length in characters than the source it covers.
    Prefix,
    /// Otherwise: a piece is a sub-word when neither it nor the character before starts with a space.
    Heuristic,
}

/// A word piece of an input, with byte offsets into the input text.
#[derive(Debug, Clone)]
struct InputPiece {
    id: u32,
    range: Range<usize>,
    is_subword: bool,
    sentence: usize,
}

impl InputPiece {
    /// The piece with the model's label probabilities, as the decoders take it.
    fn scored<'a>(&self, probabilities: &'a [f32]) -> Piece<'a> {
        Piece {
            range: self.range.clone(),
            probabilities,
            is_subword: self.is_subword,
            sentence: self.sentence,
        }
    }
}

/// Pieces run together through the model (one sentence, or neighbouring sentences), cut into windows.
#[derive(Debug)]
struct Sequence {
    input: usize,
    pieces: Vec<InputPiece>,
    windows: Vec<Range<usize>>,
}

impl Tagger {
    /// Loads a model. Initialises ONNX Runtime first (see [`super::init_runtime`]).
    pub fn load(source: &ModelSource, options: &TaggerOptions) -> Result<Tagger, NerError> {
        super::init_runtime(options.ort_lib.as_deref())?;
        let files = match source {
            ModelSource::Embedded => ModelFiles::embedded()?,
            ModelSource::Directory(path) => ModelFiles::from_directory(path)?,
        };
        Tagger::from_files(files, options)
    }

    fn from_files(files: ModelFiles, options: &TaggerOptions) -> Result<Tagger, NerError> {
        let started = std::time::Instant::now();
        let config = model::parse_config(&files)?;
        let tokenizer_config = model::parse_tokenizer_config(&files)?;
        let tokenizer = model::load_tokenizer(&files, &tokenizer_config)?;
        let transitions = model::parse_transitions(&files, &config.labels)?;
        let recommendations = model::parse_recommendations(&files)?;
        let onnx_path = files.path(&files.onnx_name);
        let files_parsed = started.elapsed();

        let environment = super::runtime::environment().ok_or_else(|| NerError::Runtime {
            tried: "nothing (init_runtime was not called)".to_string(),
        })?;
        let session_error = |message: String| NerError::Session {
            path: onnx_path.clone(),
            message,
        };
        let created =
            sessions::create(environment, &files, options.threads).map_err(session_error)?;
        let (sessions, pooled, weights) = (created.sessions, created.pooled, created.weights);
        let session_created = started.elapsed();

        let feeds = probe_inputs(&sessions[0]).map_err(session_error)?;
        if let Some(t) = options.temperature.filter(|t| !(t.is_finite() && *t > 0.0)) {
            return Err(NerError::InvalidInput(format!(
                "the temperature must be a positive number, not {t}"
            )));
        }
        let heads = build_heads(
            &sessions[0],
            &config.labels,
            transitions,
            &recommendations,
            options.temperature,
        )
        .map_err(session_error)?;
        let heads = select_heads(heads, options.heads.as_deref())?;
        let template = special_token_template(&tokenizer)
            .map_err(|message| NerError::file(files.path("tokenizer.json"), message))?;

        let max_window = options
            .max_window_tokens
            .or(tokenizer_config.model_max_length)
            .or_else(|| {
                // RoBERTa-style models reserve two positions for the padding offset.
                let offset = match config.model_type.as_deref() {
                    Some("roberta" | "xlm-roberta" | "camembert" | "longformer") => 2,
                    _ => 0,
                };
                config
                    .max_position_embeddings
                    .map(|positions| positions.saturating_sub(offset))
            })
            .unwrap_or(512);
        let special_count = template.prefix.len() + template.suffix.len();
        let window_capacity = max_window.saturating_sub(special_count).max(1);
        // At most half a window: more overlap would multiply the work on long sentences.
        let overlap = options
            .window_overlap
            .unwrap_or((window_capacity / 4).min(128))
            .min(window_capacity / 2);
        let context_max_tokens = match options.context_max_tokens {
            Some(0) => None,
            Some(tokens) => Some(tokens),
            None => recommendations.context_max_tokens,
        };

        let subword_rule = match tokenizer.get_model() {
            ModelWrapper::WordPiece(wordpiece)
                if !wordpiece.continuing_subword_prefix.is_empty() =>
            {
                SubwordRule::Prefix
            }
            ModelWrapper::BPE(bpe)
                if bpe
                    .get_continuing_subword_prefix()
                    .as_ref()
                    .is_some_and(|p| !p.is_empty()) =>
            {
                SubwordRule::Prefix
            }
            _ => SubwordRule::Heuristic,
        };
        let model_unk = match tokenizer.get_model() {
            ModelWrapper::WordPiece(wordpiece) => Some(wordpiece.unk_token.clone()),
            ModelWrapper::BPE(bpe) => bpe.get_unk_token().clone(),
            _ => None,
        };
        let unk_id = tokenizer_config
            .unk_token
            .iter()
            .chain(model_unk.iter())
            .chain(["[UNK]".to_string(), "<unk>".to_string()].iter())
            .find_map(|token| tokenizer.token_to_id(token));
        let pad_id = ["[PAD]", "<pad>"]
            .iter()
            .find_map(|token| tokenizer.token_to_id(token))
            .unwrap_or(0);

        let quantized = files.onnx_name.contains("quantized") || looks_quantized(&files.onnx);
        let dynamic_quantization = contains(&files.onnx, b"DynamicQuantizeLinear");
        let base_name = recommendations.name.clone().unwrap_or_else(|| {
            files.origin.file_name().map_or_else(
                || "model".to_string(),
                |name| name.to_string_lossy().into_owned(),
            )
        });
        let name = if quantized {
            format!("{base_name} (int8)")
        } else {
            base_name
        };
        // The files' hash, and the options that change what the model says.
        let identity = if options.temperature.is_none() && options.heads.is_none() {
            files.identity()
        } else {
            use std::hash::{Hash, Hasher};
            let mut hasher = std::hash::DefaultHasher::new();
            files.identity().hash(&mut hasher);
            options.temperature.map(f32::to_bits).hash(&mut hasher);
            options.heads.hash(&mut hasher);
            hasher.finish()
        };
        tracing::debug!(
            "load steps: tokenizer and JSON files {files_parsed:.0?}, ONNX Runtime session {:.0?}, hash {:.0?}",
            session_created - files_parsed,
            started.elapsed() - session_created
        );
        let tagger = Tagger {
            name,
            identity,
            heads,
            tokenizer,
            sessions: sessions.into_iter().map(Mutex::new).collect(),
            batch_tokens: if pooled {
                BATCH_TOKENS_POOLED
            } else {
                BATCH_TOKENS_SHARED
            },
            batch_sequences: if dynamic_quantization {
                1
            } else {
                BATCH_SEQUENCES
            },
            feeds,
            template,
            window_capacity,
            overlap,
            context_max_tokens: context_max_tokens.map(|tokens| tokens.min(window_capacity)),
            recommended: recommendations.decode,
            subword_rule,
            unk_id,
            pad_id,
        };
        tracing::info!(
            model = %tagger.name,
            from = %files.origin.display(),
            window = window_capacity,
            overlap,
            context = ?tagger.context_max_tokens,
            heads = tagger.heads.len(),
            sessions = tagger.sessions.len(),
            weights,
            "model loaded in {:.0?}",
            started.elapsed()
        );
        Ok(tagger)
    }

    /// The softmax temperature of the first head (1: uncalibrated).
    pub fn temperature(&self) -> f32 {
        self.heads[0].temperature
    }

    /// Human name for hovers and status lines, e.g. `biomed-minilm (int8)`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Stable hash of the model, tokenizer and settings files (part of cache keys).
    pub fn identity(&self) -> u64 {
        self.identity
    }

    /// Entity classes without `B-`/`I-`, excluding `O`, in `id2label` order, head after head (a
    /// class two heads share is listed once).
    pub fn classes(&self) -> Vec<String> {
        super::distinct_classes(
            self.heads
                .iter()
                .flat_map(|head| head.labels.classes.iter().cloned()),
        )
    }

    /// The first head's labels in `id2label` order.
    pub fn labels(&self) -> &[String] {
        &self.heads[0].labels.labels
    }

    /// The names of the heads that run, in the model's order (`model` for a single-output model).
    pub fn head_names(&self) -> Vec<&str> {
        self.heads.iter().map(|head| head.name.as_str()).collect()
    }

    /// Entity classes of head `head` (an index into [`Tagger::head_names`]), in `id2label` order.
    pub fn head_classes(&self, head: usize) -> &[String] {
        self.heads
            .get(head)
            .map_or(&[][..], |head| head.labels.classes.as_slice())
    }

    /// The model's recommended decoding (`scitag.json`), else pipeline + first.
    pub fn recommended_decode(&self) -> DecodeOptions {
        self.recommended
    }

    /// Whether the model ships transition scores (`transitions.json`) for the Viterbi decoder.
    pub fn has_transitions(&self) -> bool {
        self.heads[0].transitions.is_some()
    }

    /// Neighbouring sentences are packed into one window up to this many word pieces (None: one
    /// sentence per window).
    pub fn context_max_tokens(&self) -> Option<usize> {
        self.context_max_tokens
    }

    /// Most word pieces of an input in one window (special tokens excluded).
    pub fn window_capacity(&self) -> usize {
        self.window_capacity
    }

    /// Tags each input. Empty or blank inputs give no entities.
    /// Whether neighbouring sentences share model windows (`context.max_tokens`): then a
    /// sentence's entities depend on its neighbours.
    pub fn packs_context(&self) -> bool {
        self.context_max_tokens.is_some()
    }

    pub fn tag(
        &self,
        inputs: &[TagInput<'_>],
        options: &DecodeOptions,
    ) -> Result<TagOutput, NerError> {
        let mut sentences_inferred = 0;
        let mut sequences = Vec::new();
        for (index, input) in inputs.iter().enumerate() {
            sentences_inferred +=
                self.prepare(index, input.text, input.sentences, &mut sequences)?;
        }
        let probabilities = self.infer(&sequences)?;
        let mut entities = vec![Vec::new(); inputs.len()];
        for (sequence, windows) in sequences.iter().zip(&probabilities) {
            let text = inputs[sequence.input].text;
            for head in 0..self.heads.len() {
                let spans = self.decode_sequence(sequence, windows, head, text, options);
                entities[sequence.input].extend(
                    spans
                        .into_iter()
                        .map(|span| (self.entity(span, head, text), head)),
                );
            }
        }
        let mut entities: Vec<Vec<Entity>> = if self.heads.len() > 1 {
            entities.into_iter().map(overlap::resolve).collect()
        } else {
            entities
                .into_iter()
                .map(|list| list.into_iter().map(|(entity, _)| entity).collect())
                .collect()
        };
        for list in &mut entities {
            list.sort_by_key(|entity: &Entity| (entity.range.start, entity.range.end));
        }
        Ok(TagOutput {
            entities,
            sentences_inferred,
        })
    }

    /// Predicts one label (as in `id2label`, e.g. `B-protein`) per caller-defined word, from the
    /// probabilities of the word's pieces (`first`: its first piece, as models trained with labels on
    /// the first sub-word expect; `average`/`max` as in the pipeline; `none`/`simple` act as `first`).
    /// A word without pieces (e.g. only control characters) gets `O`. Pipeline decoding takes the
    /// argmax per word; Viterbi decodes each sentence's words under the BIO rule. The labels are
    /// those of head `head` (an index into [`Tagger::head_names`]; 0 for a single-output model).
    pub fn label_words(
        &self,
        inputs: &[WordsInput<'_>],
        options: &DecodeOptions,
        head: usize,
    ) -> Result<Vec<Vec<String>>, NerError> {
        let Some(head_state) = self.heads.get(head) else {
            return Err(NerError::InvalidInput(format!(
                "the model has {} heads; there is no head {head}",
                self.heads.len()
            )));
        };
        let labels = &head_state.labels;
        let mut sequences = Vec::new();
        for (index, input) in inputs.iter().enumerate() {
            self.prepare(index, input.text, input.sentences, &mut sequences)?;
        }
        let probabilities = self.infer(&sequences)?;
        let mut pieces_by_input: Vec<Vec<(Range<usize>, Vec<f32>)>> =
            vec![Vec::new(); inputs.len()];
        for (sequence, windows) in sequences.iter().zip(&probabilities) {
            for (piece, probabilities) in sequence
                .pieces
                .iter()
                .zip(self.stitch(sequence, windows, head))
            {
                pieces_by_input[sequence.input].push((piece.range.clone(), probabilities.to_vec()));
            }
        }
        let outside = labels.tags.iter().position(|tag| *tag == Tag::Outside);
        let mut result = Vec::with_capacity(inputs.len());
        for (input, pieces) in inputs.iter().zip(&mut pieces_by_input) {
            pieces.sort_by_key(|(range, _)| range.start);
            let mut words = Vec::with_capacity(input.words.len());
            let mut cursor = 0;
            for word in input.words {
                while cursor < pieces.len() && pieces[cursor].0.start < word.start {
                    cursor += 1;
                }
                let mut end = cursor;
                while end < pieces.len() && pieces[end].0.start < word.end.max(word.start + 1) {
                    end += 1;
                }
                let members = &pieces[cursor..end];
                let probabilities = if members.is_empty() {
                    let mut only_outside = vec![0.0; labels.len()];
                    if let Some(outside) = outside {
                        only_outside[outside] = 1.0;
                    }
                    only_outside
                } else {
                    let as_pieces: Vec<Piece<'_>> = members
                        .iter()
                        .map(|(range, probabilities)| Piece {
                            range: range.clone(),
                            probabilities,
                            is_subword: true,
                            sentence: 0,
                        })
                        .collect();
                    let aggregation = match options.aggregation {
                        Aggregation::Average | Aggregation::Max => options.aggregation,
                        Aggregation::None | Aggregation::Simple | Aggregation::First => {
                            Aggregation::First
                        }
                    };
                    decode::words(&as_pieces, aggregation)
                        .into_iter()
                        .next()
                        .map(|word| word.probabilities)
                        .unwrap_or_default()
                };
                cursor = end;
                let sentence = sentence_index(input.sentences, word.start);
                words.push(Word {
                    range: word.clone(),
                    probabilities,
                    sentence,
                });
            }
            let path: Vec<usize> = match options.decode {
                Decode::Pipeline => words
                    .iter()
                    .map(|word| decode::argmax(&word.probabilities))
                    .collect(),
                Decode::Viterbi => {
                    let mut path = Vec::with_capacity(words.len());
                    let mut start = 0;
                    for index in 1..=words.len() {
                        if index == words.len() || words[index].sentence != words[start].sentence {
                            path.extend(decode::viterbi_path(
                                &words[start..index],
                                labels,
                                head_state.transitions.as_ref(),
                            ));
                            start = index;
                        }
                    }
                    path
                }
            };
            result.push(
                path.into_iter()
                    .map(|label| labels.labels[label].clone())
                    .collect(),
            );
        }
        Ok(result)
    }

    /// Tokenizes one input into sequences; returns the number of sentences that will be inferred.
    fn prepare(
        &self,
        input: usize,
        text: &str,
        sentences: &[Range<usize>],
        out: &mut Vec<Sequence>,
    ) -> Result<usize, NerError> {
        for (index, range) in sentences.iter().enumerate() {
            if range.start > range.end || range.end > text.len() {
                return Err(NerError::InvalidInput(format!(
                    "sentence {index} ({range:?}) is outside the text ({} bytes)",
                    text.len()
                )));
            }
            if !text.is_char_boundary(range.start) || !text.is_char_boundary(range.end) {
                return Err(NerError::InvalidInput(format!(
                    "sentence {index} ({range:?}) does not start and end on character boundaries"
                )));
            }
        }
        let whole = 0..text.len();
        let sentences = if sentences.is_empty() {
            std::slice::from_ref(&whole)
        } else {
            sentences
        };
        let mut tokenized: Vec<Vec<InputPiece>> = Vec::new();
        for (index, range) in sentences.iter().enumerate() {
            if text[range.clone()].trim().is_empty() {
                continue;
            }
            let pieces = self.tokenize(text, range.clone(), index)?;
            if !pieces.is_empty() {
                tokenized.push(pieces);
            }
        }
        let count = tokenized.len();
        match self.context_max_tokens {
            Some(budget) => {
                let mut current: Vec<InputPiece> = Vec::new();
                for pieces in tokenized {
                    if !current.is_empty() && current.len() + pieces.len() > budget {
                        out.push(self.sequence(input, std::mem::take(&mut current)));
                    }
                    current.extend(pieces);
                }
                if !current.is_empty() {
                    out.push(self.sequence(input, current));
                }
            }
            None => out.extend(
                tokenized
                    .into_iter()
                    .map(|pieces| self.sequence(input, pieces)),
            ),
        }
        Ok(count)
    }

    fn tokenize(
        &self,
        text: &str,
        range: Range<usize>,
        sentence: usize,
    ) -> Result<Vec<InputPiece>, NerError> {
        let encoding: Encoding =
            self.tokenizer
                .encode(&text[range.clone()], false)
                .map_err(|error| NerError::Tokenize {
                    model: self.name.clone(),
                    message: error.to_string(),
                })?;
        let mut pieces = Vec::with_capacity(encoding.len());
        for (((id, token), offsets), special) in encoding
            .get_ids()
            .iter()
            .zip(encoding.get_tokens())
            .zip(encoding.get_offsets())
            .zip(encoding.get_special_tokens_mask())
        {
            if *special != 0 {
                continue;
            }
            let start = range.start + offsets.0;
            let end = range.start + offsets.1;
            let source = text.get(start..end).unwrap_or("");
            let is_subword = if Some(*id) == self.unk_id {
                false
            } else {
                match self.subword_rule {
                    SubwordRule::Prefix => token.chars().count() != source.chars().count(),
                    SubwordRule::Heuristic => {
                        let before = text.get(..start).and_then(|head| head.chars().next_back());
                        let at = text.get(start..).and_then(|tail| tail.chars().next());
                        start > 0 && before != Some(' ') && at != Some(' ')
                    }
                }
            };
            pieces.push(InputPiece {
                id: *id,
                range: start..end,
                is_subword,
                sentence,
            });
        }
        Ok(pieces)
    }

    /// Windows as the Hugging Face tokenizer's overflow with `stride` makes them: `capacity` pieces,
    /// each starting `capacity - overlap` after the previous, until one reaches the end.
    fn sequence(&self, input: usize, pieces: Vec<InputPiece>) -> Sequence {
        let count = pieces.len();
        let capacity = self.window_capacity;
        let mut windows = Vec::new();
        if count <= capacity {
            windows.push(0..count);
        } else {
            let step = (capacity - self.overlap).max(1);
            let mut start = 0;
            loop {
                let end = (start + capacity).min(count);
                windows.push(start..end);
                if end == count {
                    break;
                }
                start += step;
            }
        }
        Sequence {
            input,
            pieces,
            windows,
        }
    }

    /// Runs every window through the model, batched by length. Returns, per sequence and window,
    /// each head's label probabilities of each content piece.
    fn infer(&self, sequences: &[Sequence]) -> Result<Vec<Vec<WindowOutput>>, NerError> {
        let mut result: Vec<Vec<WindowOutput>> = sequences
            .iter()
            .map(|sequence| vec![Vec::new(); sequence.windows.len()])
            .collect();
        let mut jobs: Vec<(usize, usize, usize)> = Vec::new();
        for (index, sequence) in sequences.iter().enumerate() {
            for (window_index, window) in sequence.windows.iter().enumerate() {
                jobs.push((window.len(), index, window_index));
            }
        }
        // Longest first, so the largest batch shapes are allocated once.
        jobs.sort_by_key(|job| std::cmp::Reverse(job.0));
        let special = self.template.prefix.len() + self.template.suffix.len();
        let workers = self.sessions.len();
        // Batches of similar lengths (the list is sorted), each at most `batch_tokens` padded
        // pieces, and small enough that every session gets a share of a small input.
        let total: usize = jobs.iter().map(|job| job.0 + special).sum();
        let cap = self.batch_tokens.min(total.div_ceil(workers).max(1));
        let mut batches: Vec<Range<usize>> = Vec::new();
        let mut start = 0;
        while start < jobs.len() {
            let longest = jobs[start].0 + special;
            let mut end = start + 1;
            while end < jobs.len()
                && end - start < self.batch_sequences
                && (end - start + 1) * longest <= cap
            {
                end += 1;
            }
            batches.push(start..end);
            start = end;
        }
        let run = |session: usize, batch: &Range<usize>| {
            let rows: Vec<(&Sequence, Range<usize>)> = jobs[batch.clone()]
                .iter()
                .map(|&(_, sequence, window)| {
                    (
                        &sequences[sequence],
                        sequences[sequence].windows[window].clone(),
                    )
                })
                .collect();
            self.run_batch(session, &rows)
        };
        let outputs: Vec<BatchOutput> = if workers == 1 || batches.len() == 1 {
            batches.iter().map(|batch| run(0, batch)).collect()
        } else {
            // Each session takes the next batch until none is left (longest first).
            let next = AtomicUsize::new(0);
            let slots: Vec<Mutex<Option<BatchOutput>>> =
                batches.iter().map(|_| Mutex::new(None)).collect();
            let work = |session: usize| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(batch) = batches.get(index) else {
                        break;
                    };
                    let output = run(session, batch);
                    let failed = output.is_err();
                    *slots[index]
                        .lock()
                        .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(output);
                    if failed {
                        // The other sessions stop at their next batch.
                        next.store(batches.len(), Ordering::Relaxed);
                        break;
                    }
                }
            };
            std::thread::scope(|scope| {
                for session in 1..workers.min(batches.len()) {
                    let work = &work;
                    // A helper that cannot be started leaves its share to the others.
                    if let Err(error) = std::thread::Builder::new()
                        .name("scitag-infer".into())
                        .spawn_scoped(scope, move || work(session))
                    {
                        tracing::warn!("could not start an inference thread: {error}");
                    }
                }
                work(0);
            });
            slots
                .into_iter()
                .map(|slot| {
                    slot.into_inner()
                        .unwrap_or_else(|poisoned| poisoned.into_inner())
                })
                .map(|output| {
                    output.unwrap_or_else(|| {
                        Err(NerError::Inference {
                            model: self.name.clone(),
                            message: "a batch was not run (an earlier batch failed)".into(),
                        })
                    })
                })
                .collect()
        };
        for (batch, output) in batches.iter().zip(outputs) {
            for (&(_, sequence, window), probabilities) in jobs[batch.clone()].iter().zip(output?) {
                result[sequence][window] = probabilities;
            }
        }
        Ok(result)
    }

    fn run_batch(
        &self,
        session: usize,
        batch: &[(&Sequence, Range<usize>)],
    ) -> Result<Vec<WindowOutput>, NerError> {
        let prefix = self.template.prefix.len();
        let length = batch
            .iter()
            .map(|(_, window)| window.len())
            .max()
            .unwrap_or(0)
            + prefix
            + self.template.suffix.len();
        let rows = batch.len();
        let mut ids = vec![i64::from(self.pad_id); rows * length];
        let mut mask = vec![0i64; rows * length];
        let mut types = vec![0i64; rows * length];
        for (row, (sequence, window)) in batch.iter().enumerate() {
            let base = row * length;
            let content = sequence.pieces[window.clone()]
                .iter()
                .map(|piece| (piece.id, self.template.content_type));
            let all = self
                .template
                .prefix
                .iter()
                .copied()
                .chain(content)
                .chain(self.template.suffix.iter().copied());
            for (column, (id, type_id)) in all.enumerate() {
                ids[base + column] = i64::from(id);
                mask[base + column] = 1;
                types[base + column] = i64::from(type_id);
            }
        }
        let inference_error = |message: String| NerError::Inference {
            model: self.name.clone(),
            message,
        };
        let mut values: Vec<(Cow<'_, str>, SessionInputValue<'_>)> =
            Vec::with_capacity(self.feeds.len());
        for feed in &self.feeds {
            let data = match feed.kind {
                FeedKind::InputIds => &ids,
                FeedKind::AttentionMask => &mask,
                FeedKind::TokenTypeIds => &types,
            };
            let value: SessionInputValue<'_> = if feed.int32 {
                let narrow: Vec<i32> = data.iter().map(|value| *value as i32).collect();
                Tensor::from_array(([rows, length], narrow))
                    .map_err(|error| inference_error(error.to_string()))?
                    .into()
            } else {
                Tensor::from_array(([rows, length], data.clone()))
                    .map_err(|error| inference_error(error.to_string()))?
                    .into()
            };
            values.push((Cow::Owned(feed.name.clone()), value));
        }
        let mut session = self.sessions[session]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let outputs = session
            .run(values)
            .map_err(|error| inference_error(error.to_string()))?;
        let mut result: Vec<WindowOutput> = vec![Vec::with_capacity(self.heads.len()); rows];
        for head in &self.heads {
            let label_count = head.labels.len();
            let Some(logits) = outputs.get(&head.output) else {
                return Err(NerError::UnexpectedOutput {
                    model: self.name.clone(),
                    message: format!("no output named `{}`", head.output),
                });
            };
            let (shape, data) =
                logits
                    .try_extract_tensor::<f32>()
                    .map_err(|error| NerError::UnexpectedOutput {
                        model: self.name.clone(),
                        message: format!("`{}` is not a float32 tensor: {error}", head.output),
                    })?;
            let expected = [rows as i64, length as i64, label_count as i64];
            if shape[..] != expected[..] || data.len() != rows * length * label_count {
                return Err(NerError::UnexpectedOutput {
                    model: self.name.clone(),
                    message: format!(
                        "`{}` has shape {:?}, expected [batch, sequence, labels] = {expected:?} ({} labels)",
                        head.output,
                        &shape[..],
                        if self.heads.len() == 1 {
                            format!("config.json has {label_count}")
                        } else {
                            format!("head `{}` has {label_count}", head.name)
                        }
                    ),
                });
            }
            for (row, (_, window)) in batch.iter().enumerate() {
                let start = (row * length + prefix) * label_count;
                let end = start + window.len() * label_count;
                let mut probabilities = data[start..end].to_vec();
                for piece in probabilities.chunks_mut(label_count) {
                    if head.temperature != 1.0 {
                        for logit in piece.iter_mut() {
                            *logit /= head.temperature;
                        }
                    }
                    decode::softmax(piece);
                }
                result[row].push(probabilities);
            }
        }
        Ok(result)
    }

    /// Probabilities per piece of a sequence, each from the window where the piece is farthest from
    /// an edge (so every piece sees as much context as the windows give it).
    fn stitch<'a>(
        &self,
        sequence: &Sequence,
        windows: &'a [WindowOutput],
        head: usize,
    ) -> Vec<&'a [f32]> {
        let count = self.heads[head].labels.len();
        (0..sequence.pieces.len())
            .map(|index| {
                let mut best = 0;
                let mut best_margin = None;
                for (window_index, window) in sequence.windows.iter().enumerate() {
                    if window.contains(&index) {
                        let margin = (index - window.start).min(window.end - 1 - index);
                        if best_margin.is_none_or(|best_margin| margin > best_margin) {
                            best = window_index;
                            best_margin = Some(margin);
                        }
                    }
                }
                let offset = (index - sequence.windows[best].start) * count;
                &windows[best][head][offset..offset + count]
            })
            .collect()
    }

    fn decode_sequence(
        &self,
        sequence: &Sequence,
        windows: &[WindowOutput],
        head: usize,
        text: &str,
        options: &DecodeOptions,
    ) -> Vec<Span> {
        let labels = &self.heads[head].labels;
        let count = labels.len();
        match options.decode {
            Decode::Pipeline => {
                let mut spans = Vec::new();
                for (window, probabilities) in sequence.windows.iter().zip(windows) {
                    let pieces: Vec<Piece<'_>> = sequence.pieces[window.clone()]
                        .iter()
                        .zip(probabilities[head].chunks(count))
                        .map(|(piece, probabilities)| piece.scored(probabilities))
                        .collect();
                    let words = decode::words(&pieces, options.aggregation);
                    spans.extend(decode::pipeline_spans(&words, labels, options.aggregation));
                }
                if sequence.windows.len() > 1 {
                    decode::merge_overlapping(spans, text)
                } else {
                    spans
                }
            }
            Decode::Viterbi => {
                let stitched = self.stitch(sequence, windows, head);
                let pieces: Vec<Piece<'_>> = sequence
                    .pieces
                    .iter()
                    .zip(stitched)
                    .map(|(piece, probabilities)| piece.scored(probabilities))
                    .collect();
                let words = decode::words(&pieces, options.aggregation);
                decode::viterbi_spans(&words, labels, self.heads[head].transitions.as_ref())
            }
        }
    }

    fn entity(&self, span: Span, head: usize, text: &str) -> Entity {
        let labels = &self.heads[head].labels;
        let by_class = labels.class_probabilities(&span.probabilities);
        let mut alternatives: Vec<Alternative> = by_class
            .iter()
            .enumerate()
            .filter(|(class, _)| *class != span.class)
            .map(|(class, probability)| Alternative {
                label: labels.class_name(class).to_string(),
                probability: *probability,
            })
            .collect();
        alternatives.sort_by(|a, b| b.probability.total_cmp(&a.probability));
        alternatives.truncate(ALTERNATIVES);
        // Offsets come from the tokenizer and are char boundaries; clamp defensively anyway.
        let end = span.range.end.min(text.len());
        let start = span.range.start.min(end);
        Entity {
            range: start..end,
            label: labels.class_name(span.class).to_string(),
            score: span.score,
            alternatives,
            tag: span.tag.and_then(|index| labels.labels.get(index).cloned()),
        }
    }
}

fn sentence_index(sentences: &[Range<usize>], position: usize) -> usize {
    sentences
        .iter()
        .position(|sentence| sentence.start <= position && position < sentence.end)
        .unwrap_or(0)
}

fn probe_inputs(session: &Session) -> Result<Vec<Feed>, String> {
    let mut feeds = Vec::new();
    for input in session.inputs() {
        let kind = match input.name() {
            "input_ids" => FeedKind::InputIds,
            "attention_mask" => FeedKind::AttentionMask,
            "token_type_ids" => FeedKind::TokenTypeIds,
            other => {
                return Err(format!(
                    "model input `{other}` is not supported (scitag feeds input_ids, attention_mask and token_type_ids)"
                ));
            }
        };
        let int32 = match input.dtype() {
            ValueType::Tensor {
                ty: TensorElementType::Int64,
                ..
            } => false,
            ValueType::Tensor {
                ty: TensorElementType::Int32,
                ..
            } => true,
            other => {
                return Err(format!(
                    "model input `{}` has type {other}, expected int64 or int32",
                    input.name()
                ));
            }
        };
        feeds.push(Feed {
            name: input.name().to_string(),
            kind,
            int32,
        });
    }
    if !feeds.iter().any(|feed| feed.kind == FeedKind::InputIds) {
        return Err(
            "the model has no `input_ids` input (is it a token-classification model?)".to_string(),
        );
    }
    Ok(feeds)
}

/// The heads of a model: one per `scitag.json` `heads` entry, or, without that list, one head on
/// the output `logits` (else the first output) with config.json's id2label.
fn build_heads(
    session: &Session,
    config_labels: &LabelSet,
    transitions: Option<Transitions>,
    recommendations: &model::Recommendations,
    temperature: Option<f32>,
) -> Result<Vec<Head>, String> {
    let outputs = session.outputs();
    let temperature_of = |own: Option<f32>| {
        temperature
            .or(own)
            .or(recommendations.temperature)
            .unwrap_or(1.0)
    };
    if recommendations.heads.is_empty() {
        let output = outputs
            .iter()
            .find(|output| output.name() == "logits")
            .or_else(|| outputs.first())
            .ok_or_else(|| "the model has no outputs".to_string())?;
        check_output(
            output.name(),
            output.dtype(),
            config_labels.len(),
            "config.json's id2label",
        )?;
        return Ok(vec![Head {
            name: "model".to_string(),
            output: output.name().to_string(),
            labels: config_labels.clone(),
            transitions,
            temperature: temperature_of(None),
        }]);
    }
    let mut heads = Vec::with_capacity(recommendations.heads.len());
    for spec in &recommendations.heads {
        let labels = spec
            .labels
            .clone()
            .map_or_else(|| config_labels.clone(), LabelSet::new);
        let Some(output) = outputs.iter().find(|output| output.name() == spec.output) else {
            let names: Vec<&str> = outputs.iter().map(|output| output.name()).collect();
            return Err(format!(
                "scitag.json's head `{}` reads the output `{}`, which the model does not have (its outputs: {})",
                spec.name,
                spec.output,
                names.join(", ")
            ));
        };
        check_output(
            output.name(),
            output.dtype(),
            labels.len(),
            &format!("head `{}`", spec.name),
        )?;
        // transitions.json is written for config.json's labels.
        let head_transitions = if labels.labels == config_labels.labels {
            transitions.clone()
        } else {
            None
        };
        heads.push(Head {
            name: spec.name.clone(),
            output: spec.output.clone(),
            labels,
            transitions: head_transitions,
            temperature: temperature_of(spec.temperature),
        });
    }
    Ok(heads)
}

/// Keeps the heads named in `wanted` (all when `None`), in the model's order.
fn select_heads(heads: Vec<Head>, wanted: Option<&[String]>) -> Result<Vec<Head>, NerError> {
    let Some(wanted) = wanted else {
        return Ok(heads);
    };
    let names: Vec<&str> = heads.iter().map(|head| head.name.as_str()).collect();
    if let Some(missing) = wanted.iter().find(|name| !names.contains(&name.as_str())) {
        return Err(NerError::InvalidInput(format!(
            "the model has no head named {missing:?} (its heads: {})",
            names.join(", ")
        )));
    }
    if wanted.is_empty() {
        return Err(NerError::InvalidInput(format!(
            "no head selected (the model's heads: {})",
            names.join(", ")
        )));
    }
    Ok(heads
        .into_iter()
        .filter(|head| wanted.contains(&head.name))
        .collect())
}

fn check_output(
    name: &str,
    dtype: &ValueType,
    label_count: usize,
    labels_from: &str,
) -> Result<(), String> {
    if let ValueType::Tensor { ty, shape, .. } = dtype {
        if *ty != TensorElementType::Float32 {
            return Err(format!("output `{name}` is {ty}, expected float32 logits"));
        }
        if shape.len() != 3 {
            return Err(format!(
                "output `{name}` has {} dimensions, expected logits [batch, sequence, labels]",
                shape.len()
            ));
        }
        if shape[2] >= 0 && shape[2] as usize != label_count {
            return Err(format!(
                "output `{name}` has {} labels but {labels_from} has {label_count}",
                shape[2]
            ));
        }
    }
    Ok(())
}

fn special_token_template(tokenizer: &Tokenizer) -> Result<Template, String> {
    let probe_id = tokenizer.token_to_id("a").unwrap_or(0);
    let probe = Encoding::from_tokens(vec![Token::new(probe_id, "a".to_string(), (0, 1))], 0);
    let processed = tokenizer
        .post_process(probe, None, true)
        .map_err(|error| format!("cannot add special tokens: {error}"))?;
    let mask = processed.get_special_tokens_mask();
    let Some(content) = mask.iter().position(|special| *special == 0) else {
        return Err("the post-processor leaves no room for text".to_string());
    };
    let pairs: Vec<(u32, u32)> = processed
        .get_ids()
        .iter()
        .copied()
        .zip(processed.get_type_ids().iter().copied())
        .collect();
    Ok(Template {
        prefix: pairs[..content].to_vec(),
        suffix: pairs[content + 1..].to_vec(),
        content_type: pairs[content].1,
    })
}

/// Dynamic int8 quantization leaves integer matrix products in the graph; nodes come before the
/// weights in the file, so the first few megabytes tell.
fn looks_quantized(onnx: &[u8]) -> bool {
    [
        &b"MatMulInteger"[..],
        b"DynamicQuantizeLinear",
        b"QLinearMatMul",
    ]
    .iter()
    .any(|needle| contains(onnx, needle))
}

/// Whether the first 8 MiB of a model file hold `needle` (operator names sit in the graph, before
/// the weights, in both ONNX and ORT format).
fn contains(onnx: &[u8], needle: &[u8]) -> bool {
    let head = &onnx[..onnx.len().min(8 << 20)];
    head.windows(needle.len()).any(|window| window == needle)
}
