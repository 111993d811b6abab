//! Expectations computed without the server: the same prose extraction and the same model, run
//! directly, and positions counted from scratch in the test. The fixture model's weights are
//! random, so its entities are meaningless but deterministic; what the tests check is that the
//! server puts them exactly where the direct run says they are.

use std::ops::Range;
use std::sync::OnceLock;

use scitag::analysis;
use scitag::ner::{DecodeChoice, ModelSet, ModelSource, Tagger, TaggerOptions};
use scitag::prose::{self, ExtractOptions, Language};

use super::harness::{Token, multihead_model, tiny_model};

#[derive(Clone, Debug, PartialEq)]
pub struct ExpectedEntity {
    pub range: Range<usize>,
    pub label: String,
    pub score: f32,
    pub runner_up: Option<String>,
}

pub fn tagger() -> &'static Tagger {
    static TAGGER: OnceLock<Tagger> = OnceLock::new();
    TAGGER.get_or_init(|| load(tiny_model()))
}

/// The multi-head fixture (`tests/fixtures/tiny-multihead`).
pub fn multihead_tagger() -> &'static Tagger {
    static TAGGER: OnceLock<Tagger> = OnceLock::new();
    TAGGER.get_or_init(|| load(multihead_model()))
}

fn load(directory: std::path::PathBuf) -> Tagger {
    Tagger::load(
        &ModelSource::Directory(directory),
        &TaggerOptions {
            threads: 1,
            ..TaggerOptions::default()
        },
    )
    .expect("the fixture model loads")
}

/// The library's entities of `text` (the one pipeline's output), as the server should hold them.
pub fn tagger_entities(text: &str, language: Language) -> Vec<scitag::analysis::SourceEntity> {
    entities_of(tagger(), text, language)
}

/// [`tagger_entities`] with another model.
pub fn entities_of(
    tagger: &dyn analysis::Classifier,
    text: &str,
    language: Language,
) -> Vec<scitag::analysis::SourceEntity> {
    let (mut found, _) = analysis::tag_texts(
        tagger,
        &[text],
        language,
        &ExtractOptions::default(),
        &DecodeChoice::default(),
        None,
    )
    .expect("tagging");
    found.pop().unwrap_or_default()
}

/// The entities of `text` in source bytes, sorted and without overlaps, as the server should
/// find them: the library's one pipeline (`analysis::tag_texts`: extraction, model, guards, map)
/// run directly, without the server's cache, scheduler or protocol.
pub fn entities(text: &str, language: Language) -> Vec<ExpectedEntity> {
    expect(tagger_entities(text, language))
}

/// What the server should hold for `text` with `scitag.modelPaths` = [tiny-model, tiny-multihead].
pub fn model_set_entities(text: &str, language: Language) -> Vec<ExpectedEntity> {
    static SET: OnceLock<ModelSet> = OnceLock::new();
    let set = SET.get_or_init(|| {
        ModelSet::new(vec![load(tiny_model()), load(multihead_model())]).expect("two models")
    });
    expect(entities_of(set, text, language))
}

/// What the server should hold for `text` with the multi-head fixture.
pub fn multihead_entities(text: &str, language: Language) -> Vec<ExpectedEntity> {
    expect(entities_of(multihead_tagger(), text, language))
}

fn expect(entities: Vec<scitag::analysis::SourceEntity>) -> Vec<ExpectedEntity> {
    entities
        .into_iter()
        .map(|entity| ExpectedEntity {
            range: entity.range,
            label: entity.label,
            score: entity.score,
            runner_up: entity
                .alternatives
                .first()
                .map(|alternative| alternative.label.clone()),
        })
        .collect()
}

/// Sentences the model runs for the paragraph of `text` that contains byte `offset`.
pub fn sentences_of_paragraph_at(text: &str, language: Language, offset: usize) -> usize {
    let extraction = prose::extract(text, language, &ExtractOptions::default());
    let paragraph = extraction
        .paragraphs
        .iter()
        .find(|paragraph| paragraph.source_range.contains(&offset))
        .expect("a paragraph at the offset");
    paragraph.sentences.len().max(1)
}

/// Units of `text` in an encoding named as on the wire.
pub fn units(text: &str, encoding: &str) -> u32 {
    let count = match encoding {
        "utf-8" => text.len(),
        "utf-16" => text.chars().map(char::len_utf16).sum(),
        "utf-32" => text.chars().count(),
        other => panic!("unknown encoding {other}"),
    };
    count as u32
}

/// Lines as the protocol counts them: (start byte, end byte before the break).
pub fn lines(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut start = 0;
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'\n' => {
                lines.push((start, index));
                index += 1;
                start = index;
            }
            b'\r' => {
                lines.push((start, index));
                index += if bytes.get(index + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                start = index;
            }
            _ => index += 1,
        }
    }
    lines.push((start, bytes.len()));
    lines
}

/// (line, column) of byte `offset`, counted from scratch.
pub fn position(text: &str, offset: usize, encoding: &str) -> (u32, u32) {
    let lines = lines(text);
    let line = lines
        .iter()
        .rposition(|(start, _)| *start <= offset)
        .unwrap_or(0);
    (line as u32, units(&text[lines[line].0..offset], encoding))
}

/// The tokens the server should send for Markdown `text` at the default threshold: the direct
/// pipeline's entities, encoded.
pub fn markdown_tokens(text: &str, encoding: &str, legend: &[String]) -> Vec<Token> {
    let entities = entities(text, Language::Markdown);
    tokens(
        text,
        &entities,
        encoding,
        scitag::features::DEFAULT_CONFIDENCE_THRESHOLD,
        legend,
    )
}

/// The tokens the server should send for `entities`, one per line piece.
pub fn tokens(
    text: &str,
    entities: &[ExpectedEntity],
    encoding: &str,
    threshold: f32,
    legend: &[String],
) -> Vec<Token> {
    let lines = lines(text);
    let mut tokens = Vec::new();
    for entity in entities {
        let token_type = legend
            .iter()
            .position(|name| *name == camel(&entity.label))
            .expect("class in legend") as u32;
        let modifiers = u32::from(entity.score < threshold);
        for (line, (line_start, line_end)) in lines.iter().enumerate() {
            let start = entity.range.start.max(*line_start);
            let end = entity.range.end.min(*line_end);
            if start >= end {
                continue;
            }
            tokens.push(Token {
                line: line as u32,
                start: units(&text[*line_start..start], encoding),
                length: units(&text[start..end], encoding),
                token_type,
                modifiers,
            });
        }
    }
    tokens.sort();
    tokens
}

/// The legend name of a JNLPBA class.
pub fn camel(label: &str) -> String {
    match label {
        "DNA" => "dna".into(),
        "RNA" => "rna".into(),
        "cell_type" => "cellType".into(),
        "cell_line" => "cellLine".into(),
        other => other.into(),
    }
}
