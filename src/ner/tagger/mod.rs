//! The tagger: tokenizer + ONNX Runtime session + decoding.

//!
//! Split along its seams: [`tokenization`] (pieces, special tokens, windows of a sequence),
//! [`windows`] (batches over the sessions, one run each, stitching) and [`graph`] (the inputs fed
//! and the heads read); this file holds the model's loading and what callers ask of it.

mod graph;
mod tokenization;
mod windows;

use std::ops::Range;
use std::sync::Mutex;

use ort::session::Session;
use tokenizers::{ModelWrapper, Tokenizer};

use self::graph::{Feed, Head, build_heads, probe_inputs, select_heads};
use self::tokenization::{Sequence, SubwordRule, Template, special_token_template};
use self::windows::{BATCH_SEQUENCES, BATCH_TOKENS_POOLED, BATCH_TOKENS_SHARED, WindowOutput};
use super::decode::{self, Piece, Span, Word};
use super::labels::Tag;
use super::model::{self, ModelFiles};
use super::overlap;
use super::sessions;
use super::{
    Aggregation, Alternative, Decode, DecodeOptions, Entity, ModelSource, NerError, TagInput,
    TagOutput, TaggerOptions,
};

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

/// One text with caller-defined words (e.g. CoNLL tokens), for [`Tagger::label_words`].
#[derive(Debug, Clone, Copy)]
pub struct WordsInput<'a> {
    pub text: &'a str,
    /// Byte ranges of the sentences; empty = the whole text is one sentence.
    pub sentences: &'a [Range<usize>],
    /// Byte ranges of the words, in order, inside the sentences.
    pub words: &'a [Range<usize>],
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

        let subword_rule = SubwordRule::of(&tokenizer);
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

    /// Whether neighbouring sentences share model windows (`context.max_tokens`): then a
    /// sentence's entities depend on its neighbours.
    pub fn packs_context(&self) -> bool {
        self.context_max_tokens.is_some()
    }

    /// Tags each input. Empty or blank inputs give no entities.
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
