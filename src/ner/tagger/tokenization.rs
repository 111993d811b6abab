//! Tokenization: a text's sentences into word pieces with byte offsets, the special tokens around
//! a window, and sequences cut into windows as the Hugging Face tokenizer's overflow cuts them.

use std::ops::Range;

use tokenizers::{Encoding, ModelWrapper, Token, Tokenizer};

use super::Tagger;
use crate::ner::NerError;
use crate::ner::decode::Piece;

/// Special tokens around one sequence, from the tokenizer's post-processor (`[CLS] … [SEP]`).
#[derive(Debug, Clone, Default)]
pub(super) struct Template {
    pub(super) prefix: Vec<(u32, u32)>,
    pub(super) suffix: Vec<(u32, u32)>,
    pub(super) content_type: u32,
}

/// How a piece is recognised as the continuation of a word, as the Hugging Face pipeline does it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SubwordRule {
    /// The tokenizer model has a continuing-subword prefix (WordPiece `##`): a piece is a sub-word
    /// when its text (with the prefix) has another length in characters than the source it covers.
    Prefix,
    /// Otherwise: a piece is a sub-word when neither it nor the character before starts with a space.
    Heuristic,
}

impl SubwordRule {
    /// The rule of the tokenizer's model: [`SubwordRule::Prefix`] when it has a continuing-subword
    /// prefix.
    pub(super) fn of(tokenizer: &Tokenizer) -> SubwordRule {
        match tokenizer.get_model() {
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
        }
    }
}

/// A word piece of an input, with byte offsets into the input text.
#[derive(Debug, Clone)]
pub(super) struct InputPiece {
    pub(super) id: u32,
    pub(super) range: Range<usize>,
    pub(super) is_subword: bool,
    pub(super) sentence: usize,
}

impl InputPiece {
    /// The piece with the model's label probabilities, as the decoders take it.
    pub(super) fn scored<'a>(&self, probabilities: &'a [f32]) -> Piece<'a> {
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
pub(super) struct Sequence {
    pub(super) input: usize,
    pub(super) pieces: Vec<InputPiece>,
    pub(super) windows: Vec<Range<usize>>,
}

impl Tagger {
    /// Tokenizes one input into sequences; returns the number of sentences that will be inferred.
    pub(super) fn prepare(
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
}

pub(super) fn special_token_template(tokenizer: &Tokenizer) -> Result<Template, String> {
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
