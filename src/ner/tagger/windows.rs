//! Windows through the model: batches of similar lengths over the sessions, one run per batch,
//! each head's probabilities per piece, and the stitching of overlapping windows.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use ort::session::SessionInputValue;
use ort::value::Tensor;

use super::Tagger;
use super::graph::FeedKind;
use super::tokenization::Sequence;
use crate::ner::NerError;
use crate::ner::decode;

/// Most word pieces (padding included) in one batch: for single-threaded sessions (small models),
/// and for one session with intra-op threads (large models). ONNX Runtime's memory arena keeps the
/// activations of the largest batch. Measured on 2 cores (docs/PERFORMANCE.md): the built-in model
/// tags the 20k-word manuscript fastest with 128 (19,600 words/s and 117 MB, against 15,100 words/s
/// and 160-176 MB with 1,024); a BERT-base int8 model on one session with 2 threads is 25% faster with
/// 1,024 than with 128.
pub(super) const BATCH_TOKENS_POOLED: usize = 128;
pub(super) const BATCH_TOKENS_SHARED: usize = 1024;
/// Most sequences in one batch.
pub(super) const BATCH_SEQUENCES: usize = 32;
/// Per head, the label probabilities of a window's content pieces (row-major, the head's labels per
/// piece).
pub(super) type WindowOutput = Vec<Vec<f32>>;
/// Per window of a batch, its [`WindowOutput`].
pub(super) type BatchOutput = Result<Vec<WindowOutput>, NerError>;

impl Tagger {
    /// Runs every window through the model, batched by length. Returns, per sequence and window,
    /// each head's label probabilities of each content piece.
    pub(super) fn infer(&self, sequences: &[Sequence]) -> Result<Vec<Vec<WindowOutput>>, NerError> {
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
    pub(super) fn stitch<'a>(
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
}
