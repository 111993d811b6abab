//! The multi-head engine on `tests/fixtures/tiny-multihead` (made by
//! `scripts/make_multihead_fixture.py`): tiny-model's encoder and JNLPBA head on `logits`, plus random
//! `chemdis` (chemical, disease) and `species` heads on `logits_chemdis` / `logits_species`, declared in
//! `scitag.json`.

use std::ops::Range;
use std::path::{Path, PathBuf};

use scitag::ner::{
    Aggregation, Decode, DecodeOptions, Entity, ModelSource, NerError, TagInput, Tagger,
    TaggerOptions, WordsInput,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn load(name: &str, heads: Option<&[&str]>) -> Result<Tagger, NerError> {
    Tagger::load(
        &ModelSource::Directory(fixture(name)),
        &TaggerOptions {
            heads: heads.map(|heads| heads.iter().map(|head| head.to_string()).collect()),
            ..TaggerOptions::default()
        },
    )
}

const TEXT: &str = "Cisplatin-induced nephrotoxicity in mice was reduced by IL-10 produced by regulatory T cells. \
IL-2 gene expression and NF-kappa B activation through CD28 requires reactive oxygen production by 5-lipoxygenase. \
Human immunodeficiency virus type 1 infects CD4+ T lymphocytes and Jurkat cells treated with dexamethasone. \
The glucocorticoid receptor binds the alpha beta gamma promoter in Escherichia coli and yeast.";

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

fn tag(tagger: &Tagger, options: DecodeOptions) -> Vec<Entity> {
    let sentences = sentences();
    let output = tagger
        .tag(
            &[TagInput {
                text: TEXT,
                sentences: &sentences,
            }],
            &options,
        )
        .expect("tagging works");
    output.entities.into_iter().next().expect("one input")
}

fn all_options() -> Vec<DecodeOptions> {
    let mut options = Vec::new();
    for decode in [Decode::Pipeline, Decode::Viterbi] {
        for aggregation in Aggregation::ALL {
            options.push(DecodeOptions {
                aggregation,
                decode,
            });
        }
    }
    options
}

#[test]
fn a_multi_head_model_lists_its_heads_and_every_class() {
    let tagger = load("tiny-multihead", None).expect("the multi-head fixture loads");
    assert_eq!(tagger.name(), "tiny-multihead");
    assert_eq!(tagger.head_names(), ["jnlpba", "chemdis", "species"]);
    assert_eq!(
        tagger.classes(),
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
    assert_eq!(tagger.head_classes(1), ["chemical", "disease"]);
    // A single-output model is one head, named `model`.
    let single = load("tiny-model", None).expect("tiny-model loads");
    assert_eq!(single.head_names(), ["model"]);
}

#[test]
fn the_first_head_alone_tags_exactly_as_the_single_output_model() {
    let single = load("tiny-model", None).expect("tiny-model loads");
    let jnlpba = load("tiny-multihead", Some(&["jnlpba"])).expect("one head selected");
    assert_eq!(jnlpba.head_names(), ["jnlpba"]);
    for options in all_options() {
        let expected = tag(&single, options);
        let got = tag(&jnlpba, options);
        assert!(!expected.is_empty(), "{options:?}");
        assert_eq!(got.len(), expected.len(), "{options:?}");
        for (got, expected) in got.iter().zip(&expected) {
            assert_eq!(
                (&got.range, &got.label, &got.tag),
                (&expected.range, &expected.label, &expected.tag),
                "{options:?}"
            );
            assert!((got.score - expected.score).abs() < 1e-4, "{options:?}");
        }
    }
}

#[test]
fn each_head_decodes_its_own_labels_and_overlaps_follow_the_rule() {
    let heads = ["jnlpba", "chemdis", "species"];
    let each: Vec<Tagger> = heads
        .iter()
        .map(|head| load("tiny-multihead", Some(&[head])).expect("one head"))
        .collect();
    let all = load("tiny-multihead", None).expect("every head");
    let mut overlaps_resolved = 0;
    for options in all_options() {
        let per_head: Vec<Vec<Entity>> = each.iter().map(|tagger| tag(tagger, options)).collect();
        for (head, entities) in per_head.iter().enumerate() {
            let classes = each[head].head_classes(0);
            assert!(
                entities
                    .iter()
                    .all(|entity| classes.contains(&entity.label)),
                "head {} gave a class of another head ({options:?})",
                heads[head]
            );
        }
        let combined = tag(&all, options);
        // No two entities overlap (semantic tokens cannot).
        for pair in combined.windows(2) {
            assert!(
                pair[0].range.end <= pair[1].range.start,
                "{:?} overlaps {:?} ({options:?})",
                pair[0].range,
                pair[1].range
            );
        }
        // Every kept entity is one head's entity, unchanged.
        for entity in &combined {
            assert!(
                per_head
                    .iter()
                    .flatten()
                    .any(|candidate| candidate == entity),
                "{entity:?} is no head's entity ({options:?})"
            );
        }
        // Every dropped entity overlaps a kept one at least as long.
        for candidate in per_head.iter().flatten() {
            if combined.contains(candidate) {
                continue;
            }
            overlaps_resolved += 1;
            let head_of = |entity: &Entity| {
                (0..each.len())
                    .find(|&head| each[head].head_classes(0).contains(&entity.label))
                    .expect("a head's class")
            };
            // The rule of src/ner/overlap.rs: confident, then longer, then the first head, then the
            // higher score.
            let rank = |entity: &Entity| {
                (
                    entity.score >= 0.6,
                    entity.range.len(),
                    std::cmp::Reverse(head_of(entity)),
                )
            };
            let beaten = combined.iter().any(|kept| {
                let overlap = kept.range.start < candidate.range.end.max(candidate.range.start + 1)
                    && candidate.range.start < kept.range.end;
                let ahead = rank(kept) > rank(candidate)
                    || (rank(kept) == rank(candidate) && kept.score >= candidate.score);
                overlap && ahead
            });
            assert!(
                beaten,
                "{candidate:?} was dropped without an entity ahead of it by the rule over it ({options:?})"
            );
        }
    }
    assert!(
        overlaps_resolved > 0,
        "the fixture's heads never overlapped, so the rule was not exercised"
    );
}

#[test]
fn words_are_labelled_by_the_head_asked_for() {
    let tagger = load("tiny-multihead", None).expect("every head");
    let words: Vec<Range<usize>> = TEXT
        .split(' ')
        .scan(0, |position, word| {
            let start = *position;
            *position += word.len() + 1;
            Some(start..start + word.len())
        })
        .collect();
    let input = [WordsInput {
        text: TEXT,
        sentences: &[],
        words: &words,
    }];
    let options = DecodeOptions::default();
    let jnlpba = tagger.label_words(&input, &options, 0).expect("head 0");
    let chemdis = tagger.label_words(&input, &options, 1).expect("head 1");
    assert_eq!(jnlpba[0].len(), words.len());
    assert_eq!(chemdis[0].len(), words.len());
    let allowed = ["O", "B-chemical", "I-chemical", "B-disease", "I-disease"];
    assert!(
        chemdis[0]
            .iter()
            .all(|label| allowed.contains(&label.as_str()))
    );
    assert!(chemdis[0].iter().any(|label| label != "O"));
    assert!(jnlpba[0].iter().any(|label| label.ends_with("protein")));
    let error = tagger
        .label_words(&input, &options, 3)
        .expect_err("no head 3");
    assert!(error.to_string().contains("no head 3"), "{error}");
}

/// A copy of the fixture with `scitag.json` replaced.
fn with_scitag(json: &str) -> tempfile::TempDir {
    let directory = tempfile::tempdir().expect("temp dir");
    for name in ["model.onnx", "tokenizer.json", "config.json"] {
        std::fs::copy(
            fixture("tiny-multihead").join(name),
            directory.path().join(name),
        )
        .expect("copy");
    }
    std::fs::write(directory.path().join("scitag.json"), json).expect("write scitag.json");
    directory
}

fn load_error(directory: &Path, heads: Option<&[&str]>) -> String {
    match Tagger::load(
        &ModelSource::Directory(directory.to_path_buf()),
        &TaggerOptions {
            heads: heads.map(|heads| heads.iter().map(|head| head.to_string()).collect()),
            ..TaggerOptions::default()
        },
    ) {
        Ok(_) => panic!("the model should not load"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn a_wrong_head_declaration_is_a_clear_error_naming_the_file() {
    let missing_output = with_scitag(
        r#"{"heads": [{"name": "jnlpba", "output": "logits"}, {"name": "x", "output": "logits_x", "labels": ["O", "B-x"]}]}"#,
    );
    let message = load_error(missing_output.path(), None);
    assert!(
        message.contains("logits_x")
            && message.contains("logits_chemdis")
            && message.contains("model.onnx"),
        "{message}"
    );
    let wrong_count = with_scitag(
        r#"{"heads": [{"name": "jnlpba", "output": "logits"}, {"name": "species", "output": "logits_species", "labels": ["O", "B-species"]}]}"#,
    );
    let message = load_error(wrong_count.path(), None);
    assert!(
        message.contains("logits_species") && message.contains("head `species` has 2"),
        "{message}"
    );
    for (json, expected) in [
        (r#"{"heads": []}"#, "is empty"),
        (r#"{"heads": [{"output": "logits"}]}"#, "no `name`"),
        (
            r#"{"heads": [{"name": "a", "output": "logits"}, {"name": "a", "output": "logits_species"}]}"#,
            "two heads are named",
        ),
        (
            r#"{"heads": [{"name": "a", "output": "logits", "temperature": -1}]}"#,
            "positive",
        ),
    ] {
        let directory = with_scitag(json);
        let message = load_error(directory.path(), None);
        assert!(
            message.contains("scitag.json") && message.contains(expected),
            "{json}: {message}"
        );
    }
    let message = load_error(&fixture("tiny-multihead"), Some(&["jnlpba", "bc5cdr"]));
    assert!(
        message.contains("no head named \"bc5cdr\"")
            && message.contains("jnlpba, chemdis, species"),
        "{message}"
    );
}

#[test]
fn heads_without_their_own_temperature_take_the_models() {
    let plain = load("tiny-multihead", Some(&["species"])).expect("loads");
    let warm = with_scitag(
        r#"{"temperature": 3.0, "heads": [{"name": "jnlpba", "output": "logits", "temperature": 1.0}, {"name": "species", "output": "logits_species", "labels": ["O", "B-species", "I-species"]}]}"#,
    );
    let warm_species = Tagger::load(
        &ModelSource::Directory(warm.path().to_path_buf()),
        &TaggerOptions {
            heads: Some(vec!["species".into()]),
            ..TaggerOptions::default()
        },
    )
    .expect("loads");
    assert_eq!(plain.temperature(), 1.0);
    assert_eq!(warm_species.temperature(), 3.0);
    let warm_jnlpba = Tagger::load(
        &ModelSource::Directory(warm.path().to_path_buf()),
        &TaggerOptions {
            heads: Some(vec!["jnlpba".into()]),
            ..TaggerOptions::default()
        },
    )
    .expect("loads");
    assert_eq!(warm_jnlpba.temperature(), 1.0);
    assert_ne!(plain.identity(), warm_species.identity());
}
