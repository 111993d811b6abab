//! Several models used together (`ModelSet`, the engine of `scitag.modelPaths` and repeated
//! `--model`): each model tags as it does alone, and overlaps between models follow the heads'
//! rule (confident, then longer, then the model given first).

use std::ops::Range;
use std::path::{Path, PathBuf};

use scitag::ner::{DecodeChoice, Entity, ModelSet, ModelSource, TagInput, Tagger, TaggerOptions};

fn fixture(name: &str) -> ModelSource {
    ModelSource::Directory(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
}

const TEXT: &str = "Cisplatin-induced nephrotoxicity in mice was reduced by IL-10 produced by regulatory T cells. \
IL-2 gene expression and NF-kappa B activation through CD28 requires reactive oxygen production by 5-lipoxygenase. \
Human immunodeficiency virus type 1 infects CD4+ T lymphocytes and Jurkat cells treated with dexamethasone.";

fn sentences() -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut start = 0;
    for (index, _) in TEXT.match_indices(". ") {
        ranges.push(start..index + 1);
        start = index + 2;
    }
    ranges.push(start..TEXT.len());
    ranges
}

fn tag_set(set: &ModelSet, choice: DecodeChoice) -> Vec<Entity> {
    let sentences = sentences();
    set.tag(
        &[TagInput {
            text: TEXT,
            sentences: &sentences,
        }],
        &choice,
    )
    .expect("tagging works")
    .entities
    .remove(0)
}

fn tag_alone(tagger: &Tagger, choice: DecodeChoice) -> Vec<Entity> {
    let sentences = sentences();
    tagger
        .tag(
            &[TagInput {
                text: TEXT,
                sentences: &sentences,
            }],
            &choice.resolve(tagger.recommended_decode()),
        )
        .expect("tagging works")
        .entities
        .remove(0)
}

fn load(name: &str) -> Tagger {
    Tagger::load(&fixture(name), &TaggerOptions::default()).expect("the fixture loads")
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

#[test]
fn one_model_in_a_set_tags_as_it_does_alone() {
    let set = ModelSet::new(vec![load("tiny-multihead")]).unwrap();
    let alone = load("tiny-multihead");
    assert!(!tag_alone(&alone, DecodeChoice::default()).is_empty());
    assert_eq!(
        tag_set(&set, DecodeChoice::default()),
        tag_alone(&alone, DecodeChoice::default())
    );
}

#[test]
fn the_same_model_twice_tags_as_it_does_once() {
    let set = ModelSet::load(
        &[fixture("tiny-model"), fixture("tiny-model")],
        &TaggerOptions::default(),
    )
    .unwrap();
    assert_eq!(set.members().len(), 2);
    assert_eq!(
        tag_set(&set, DecodeChoice::default()),
        tag_alone(&load("tiny-model"), DecodeChoice::default())
    );
}

#[test]
fn two_models_give_one_entity_per_stretch_of_text_from_either_model() {
    let set = ModelSet::load(
        &[fixture("tiny-model"), fixture("tiny-multihead")],
        &TaggerOptions::default(),
    )
    .unwrap();
    assert_eq!(set.name(), "tiny-model + tiny-multihead");
    assert_eq!(
        set.classes(),
        [
            "DNA",
            "RNA",
            "cell_line",
            "cell_type",
            "protein",
            "chemical",
            "disease",
            "species"
        ]
    );
    let first = tag_alone(&load("tiny-model"), DecodeChoice::default());
    let second = tag_alone(&load("tiny-multihead"), DecodeChoice::default());
    let merged = tag_set(&set, DecodeChoice::default());
    assert!(!merged.is_empty());
    for pair in merged.windows(2) {
        assert!(
            pair[0].range.end <= pair[1].range.start,
            "overlapping entities {:?} and {:?}",
            pair[0].range,
            pair[1].range
        );
    }
    // Every entity is one model's, unchanged.
    for entity in &merged {
        assert!(
            first.contains(entity) || second.contains(entity),
            "{entity:?} is neither model's"
        );
    }
    // A model's entity is dropped only for an overlapping kept entity that comes before it in
    // the rule's order: confident first, then longer, then the first model, then the higher score.
    let rank = |entity: &Entity, model: usize| {
        (
            entity.score < scitag::ner::CONFIDENT_SCORE,
            std::cmp::Reverse(entity.range.len()),
            model,
            std::cmp::Reverse(entity.score.to_bits()),
        )
    };
    let model_of = |entity: &Entity| usize::from(!first.contains(entity));
    let mut dropped = 0;
    for (model, own) in [&first, &second].into_iter().enumerate() {
        for entity in own.iter().filter(|entity| !merged.contains(entity)) {
            dropped += 1;
            assert!(
                merged
                    .iter()
                    .any(|kept| overlaps(&kept.range, &entity.range)
                        && rank(kept, model_of(kept)) < rank(entity, model)),
                "{entity:?} was dropped though nothing before it in the rule overlaps it"
            );
        }
    }
    assert!(dropped > 0, "the fixtures should disagree somewhere");
}

/// tiny-model's files with a `scitag.json` recommending Viterbi.
fn viterbi_copy() -> tempfile::TempDir {
    let directory = tempfile::tempdir().unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-model");
    for name in [
        "config.json",
        "model.onnx",
        "tokenizer.json",
        "tokenizer_config.json",
    ] {
        std::fs::copy(source.join(name), directory.path().join(name)).unwrap();
    }
    std::fs::write(
        directory.path().join("scitag.json"),
        r#"{"name": "tiny-viterbi", "decode": "viterbi"}"#,
    )
    .unwrap();
    directory
}

#[test]
fn each_model_decodes_by_its_own_recommendation_unless_the_user_chose() {
    let copy = viterbi_copy();
    let viterbi = ModelSource::Directory(copy.path().to_path_buf());
    let options = TaggerOptions::default();
    let alone = Tagger::load(&viterbi, &options).unwrap();
    let plain = load("tiny-model");
    assert_ne!(alone.recommended_decode(), plain.recommended_decode());
    let own = tag_alone(&alone, DecodeChoice::default());
    let pipeline = DecodeChoice {
        decode: Some(plain.recommended_decode().decode),
        ..DecodeChoice::default()
    };
    let forced = tag_alone(&alone, pipeline);
    assert_ne!(
        own, forced,
        "the random model should decode differently by Viterbi"
    );
    // In a set after tiny-model, the Viterbi model's entities are those it finds alone (with its
    // own decoding), or with the user's decoding when one is chosen.
    let set = ModelSet::load(&[fixture("tiny-model"), viterbi.clone()], &options).unwrap();
    let first = tag_alone(&plain, DecodeChoice::default());
    let merged = tag_set(&set, DecodeChoice::default());
    assert!(
        merged
            .iter()
            .all(|entity| first.contains(entity) || own.contains(entity)),
        "an entity is neither model's"
    );
    assert!(
        merged.iter().any(|entity| !first.contains(entity)),
        "the second model's Viterbi entities should show where the first has none"
    );
    // Decoded by the pipeline too, the second model is tiny-model again: the set tags as one.
    assert_eq!(forced, first);
    assert_eq!(tag_set(&set, pipeline), first);
}

#[test]
fn a_missing_model_in_a_set_is_an_error_that_names_it() {
    let error = ModelSet::load(
        &[
            fixture("tiny-model"),
            ModelSource::Directory(PathBuf::from("/nonexistent/model")),
        ],
        &TaggerOptions::default(),
    )
    .err()
    .expect("a missing model fails");
    assert!(error.to_string().contains("/nonexistent/model"), "{error}");
    assert!(ModelSet::new(Vec::new()).is_err());
}
