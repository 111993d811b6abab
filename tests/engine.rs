//! End-to-end tests of the tagger on the tiny random-weight fixture model
//! (`tests/fixtures/tiny-model`, made by `scripts/make_fixture_model.py`).
//! ONNX Runtime is found by `init_runtime` without environment variables
//! (run `scripts/setup-ort.sh` once if `.ort/lib` is missing).

use std::ops::Range;
use std::path::{Path, PathBuf};

use scitag::ner::{
    Aggregation, Decode, DecodeOptions, ModelSource, NerError, TagInput, Tagger, TaggerOptions,
    init_runtime, library_candidates,
};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-model")
}

/// A temporary model directory holding copies of these fixture files.
fn fixture_copy(names: &[&str]) -> tempfile::TempDir {
    let directory = tempfile::tempdir().expect("temp dir");
    for name in names {
        std::fs::copy(fixture().join(name), directory.path().join(name))
            .expect("copy fixture file");
    }
    directory
}

fn load(options: &TaggerOptions) -> Tagger {
    Tagger::load(&ModelSource::Directory(fixture()), options).expect("the fixture model loads")
}

fn tiny() -> Tagger {
    load(&TaggerOptions::default())
}

const SENTENCE: &str = "IL-2 gene expression and NF-kappa B activation through CD28 requires reactive oxygen production by 5-lipoxygenase.";

fn tag_one(
    tagger: &Tagger,
    text: &str,
    options: DecodeOptions,
) -> Vec<(Range<usize>, String, f32)> {
    let output = tagger
        .tag(
            &[TagInput {
                text,
                sentences: &[],
            }],
            &options,
        )
        .expect("tagging works");
    assert_eq!(output.entities.len(), 1);
    output.entities[0]
        .iter()
        .map(|entity| (entity.range.clone(), entity.label.clone(), entity.score))
        .collect()
}

#[test]
fn runtime_is_found_without_environment_variables() {
    init_runtime(None)
        .expect("ONNX Runtime found in the repository's .ort/lib (run scripts/setup-ort.sh)");
    // Idempotent, whatever is passed later.
    init_runtime(Some(Path::new("/nonexistent/libonnxruntime.so")))
        .expect("second call is a no-op");
}

#[test]
fn runtime_search_order_is_flag_environment_executable_repository() {
    let places: Vec<String> = library_candidates(None)
        .into_iter()
        .map(|(place, _)| place)
        .collect();
    let executable = places
        .iter()
        .position(|place| place == "next to the executable");
    let repository = places
        .iter()
        .position(|place| place == "the repository's .ort/lib");
    assert!(
        executable.is_some() && executable < repository,
        "{places:?}"
    );
    // An explicit path is the only place tried.
    let explicit = library_candidates(Some(Path::new("/opt/ort/libonnxruntime.so.1")));
    assert_eq!(explicit.len(), 1);
    assert_eq!(explicit[0].0, "--ort-lib");
}

#[test]
fn loads_the_fixture_and_reports_its_classes() {
    let tagger = tiny();
    assert_eq!(
        tagger.classes(),
        vec!["DNA", "RNA", "cell_line", "cell_type", "protein"]
    );
    assert_eq!(tagger.labels().len(), 11);
    assert_eq!(tagger.name(), "tiny-model");
    assert_eq!(tagger.recommended_decode(), DecodeOptions::default());
    assert_eq!(
        tagger.identity(),
        tiny().identity(),
        "identity is stable across loads"
    );
}

#[test]
fn entities_are_byte_ranges_on_char_boundaries_with_sorted_alternatives() {
    let tagger = tiny();
    let text =
        "Schrödinger's NF-κB and IFN-γ bind the α-actinin promoter in naïve T cells 🧬 (≥2 µM).";
    for aggregation in Aggregation::ALL {
        for decode in [Decode::Pipeline, Decode::Viterbi] {
            let output = tagger
                .tag(
                    &[TagInput {
                        text,
                        sentences: &[],
                    }],
                    &DecodeOptions {
                        aggregation,
                        decode,
                    },
                )
                .expect("tagging works");
            let entities = &output.entities[0];
            assert!(
                !entities.is_empty(),
                "the random model finds something with {aggregation}/{decode}"
            );
            for entity in entities {
                assert!(entity.range.start < entity.range.end && entity.range.end <= text.len());
                assert!(
                    text.is_char_boundary(entity.range.start)
                        && text.is_char_boundary(entity.range.end)
                );
                assert!(
                    (0.0..=1.0).contains(&entity.score),
                    "score {}",
                    entity.score
                );
                assert!(tagger.classes().contains(&entity.label));
                assert!(entity.alternatives.len() <= 3);
                assert!(
                    entity
                        .alternatives
                        .iter()
                        .all(|alternative| alternative.label != entity.label)
                );
                assert!(
                    entity
                        .alternatives
                        .windows(2)
                        .all(|pair| pair[0].probability >= pair[1].probability)
                );
            }
            assert!(
                entities
                    .windows(2)
                    .all(|pair| pair[0].range.start <= pair[1].range.start)
            );
        }
    }
}

#[test]
fn word_strategies_never_split_a_word() {
    let tagger = tiny();
    let text =
        "glucocorticoid receptors in peripheral blood lymphocytes of hypercholesterolemic patients";
    for aggregation in [Aggregation::First, Aggregation::Average, Aggregation::Max] {
        let options = DecodeOptions {
            aggregation,
            decode: Decode::Pipeline,
        };
        for (range, _, _) in tag_one(&tagger, text, options) {
            let before = text[..range.start].chars().next_back();
            let after = text[range.end..].chars().next();
            assert!(
                before.is_none_or(|c| !c.is_alphanumeric()),
                "{aggregation}: {range:?} starts inside a word"
            );
            assert!(
                after.is_none_or(|c| !c.is_alphanumeric()),
                "{aggregation}: {range:?} ends inside a word"
            );
        }
    }
}

#[test]
fn blank_inputs_give_no_entities() {
    let tagger = tiny();
    let inputs = [
        TagInput {
            text: "",
            sentences: &[],
        },
        TagInput {
            text: "   \n\t  ",
            sentences: &[],
        },
        TagInput {
            text: "\u{200b}\u{feff}",
            sentences: &[],
        },
    ];
    let output = tagger
        .tag(&inputs, &DecodeOptions::default())
        .expect("blank text is not an error");
    assert_eq!(output.entities, vec![Vec::new(), Vec::new(), Vec::new()]);
    assert_eq!(
        tagger
            .tag(&[], &DecodeOptions::default())
            .expect("no inputs")
            .entities
            .len(),
        0
    );
}

#[test]
fn sentence_ranges_outside_the_text_or_inside_a_character_are_errors() {
    let tagger = tiny();
    let text = "naïve T cells";
    // Past the end; and ending inside the two bytes of "ï".
    for sentence in [0..100, 0..3] {
        let error = tagger
            .tag(
                &[TagInput {
                    text,
                    sentences: std::slice::from_ref(&sentence),
                }],
                &DecodeOptions::default(),
            )
            .expect_err("bad sentence range");
        assert!(matches!(error, NerError::InvalidInput(_)), "{error}");
    }
}

#[test]
fn batching_does_not_change_results() {
    let tagger = tiny();
    let texts = [
        SENTENCE,
        "The p53 protein.",
        "Mouse thymus was used as a source of glucocorticoid receptor from normal CS lymphocytes.",
    ];
    let options = DecodeOptions::default();
    let alone: Vec<_> = texts
        .iter()
        .map(|text| tag_one(&tagger, text, options))
        .collect();
    let inputs: Vec<TagInput<'_>> = texts
        .iter()
        .map(|text| TagInput {
            text,
            sentences: &[],
        })
        .collect();
    let together = tagger.tag(&inputs, &options).expect("batch");
    for (single, batched) in alone.iter().zip(&together.entities) {
        assert_eq!(single.len(), batched.len());
        for (a, b) in single.iter().zip(batched) {
            assert_eq!(a.0, b.range);
            assert_eq!(a.1, b.label);
            assert!(
                (a.2 - b.score).abs() < 1e-4,
                "padding changed a score: {} vs {}",
                a.2,
                b.score
            );
        }
    }
}

#[test]
fn sentences_are_tagged_separately_and_entities_stay_inside_them() {
    let tagger = tiny();
    let first = "IL-2 gene expression requires CD28.";
    let second = "NF-kappa B binds the promoter.";
    let text = format!("{first} {second}");
    let sentences = [0..first.len(), first.len() + 1..text.len()];
    let output = tagger
        .tag(
            &[TagInput {
                text: &text,
                sentences: &sentences,
            }],
            &DecodeOptions::default(),
        )
        .expect("tagging works");
    assert_eq!(output.sentences_inferred, 2);
    let mut expected = tag_one(&tagger, first, DecodeOptions::default());
    expected.extend(
        tag_one(&tagger, second, DecodeOptions::default())
            .into_iter()
            .map(|(range, label, score)| {
                (
                    range.start + first.len() + 1..range.end + first.len() + 1,
                    label,
                    score,
                )
            }),
    );
    let got: Vec<_> = output.entities[0]
        .iter()
        .map(|e| (e.range.clone(), e.label.clone()))
        .collect();
    let want: Vec<_> = expected
        .iter()
        .map(|e| (e.0.clone(), e.1.clone()))
        .collect();
    assert_eq!(
        got, want,
        "one sentence per window equals tagging each sentence alone"
    );
}

#[test]
fn packed_context_keeps_entities_inside_sentences() {
    let tagger = load(&TaggerOptions {
        context_max_tokens: Some(60),
        ..TaggerOptions::default()
    });
    assert_eq!(tagger.context_max_tokens(), Some(60));
    let sentences_text = [
        "IL-2 gene expression requires CD28.",
        "NF-kappa B binds the promoter.",
        "T cells respond.",
    ];
    let text = sentences_text.join(" ");
    let mut sentences = Vec::new();
    let mut start = 0;
    for sentence in sentences_text {
        sentences.push(start..start + sentence.len());
        start += sentence.len() + 1;
    }
    for decode in [Decode::Pipeline, Decode::Viterbi] {
        let output = tagger
            .tag(
                &[TagInput {
                    text: &text,
                    sentences: &sentences,
                }],
                &DecodeOptions {
                    aggregation: Aggregation::First,
                    decode,
                },
            )
            .expect("tagging works");
        for entity in &output.entities[0] {
            assert!(
                sentences
                    .iter()
                    .any(|s| s.start <= entity.range.start && entity.range.end <= s.end),
                "{decode}: {:?} crosses a sentence boundary",
                entity.range
            );
        }
    }
}

/// A sentence longer than the 62-piece window is cut into overlapping windows; every part of the
/// text is still tagged and no entity is reported twice.
#[test]
fn long_inputs_are_windowed_without_losing_or_doubling_entities() {
    let tagger = tiny();
    assert_eq!(tagger.window_capacity(), 62);
    let text = [SENTENCE; 8].join(" ");
    for decode in [Decode::Pipeline, Decode::Viterbi] {
        let options = DecodeOptions {
            aggregation: Aggregation::First,
            decode,
        };
        let entities = tag_one(&tagger, &text, options);
        assert!(
            entities
                .windows(2)
                .all(|pair| pair[0].0.end <= pair[1].0.start),
            "{decode}: overlapping entities"
        );
        let last_quarter = text.len() * 3 / 4;
        assert!(
            entities.iter().any(|e| e.0.start > last_quarter),
            "{decode}: the end of the text was tagged"
        );
    }
}

#[test]
fn a_one_megabyte_line_is_tagged_without_panicking() {
    let tagger = tiny();
    let line = "interleukin 2 receptor alpha chain ".repeat(1 << 20 >> 5);
    let text = &line[..line.len().min(1 << 20)];
    let entities = tag_one(&tagger, text, DecodeOptions::default());
    assert!(entities.iter().all(|e| e.0.end <= text.len()));
}

#[test]
fn vocab_txt_builds_the_same_tokenizer_as_tokenizer_json() {
    let directory = fixture_copy(&[
        "model.onnx",
        "config.json",
        "vocab.txt",
        "tokenizer_config.json",
    ]);
    let from_vocab = Tagger::load(
        &ModelSource::Directory(directory.path().to_path_buf()),
        &TaggerOptions::default(),
    )
    .expect("vocab.txt + tokenizer_config.json load");
    let tagger = tiny();
    let text = "Schrödinger's NF-κB and IFN-γ in naïve CD4+ T cells (≥2 µM) ωmega.";
    for aggregation in Aggregation::ALL {
        let options = DecodeOptions {
            aggregation,
            decode: Decode::Pipeline,
        };
        let a = tag_one(&tagger, text, options);
        let b = tag_one(&from_vocab, text, options);
        assert_eq!(
            a.iter()
                .map(|e| (e.0.clone(), e.1.clone()))
                .collect::<Vec<_>>(),
            b.iter()
                .map(|e| (e.0.clone(), e.1.clone()))
                .collect::<Vec<_>>(),
            "{aggregation}"
        );
    }
    assert_ne!(
        from_vocab.identity(),
        tagger.identity(),
        "different files, different identity"
    );
}

#[test]
fn a_model_file_path_is_accepted_as_well_as_its_directory() {
    let tagger = Tagger::load(
        &ModelSource::Directory(fixture().join("model.onnx")),
        &TaggerOptions::default(),
    )
    .expect("a .onnx path loads");
    assert_eq!(tagger.identity(), tiny().identity());
}

#[test]
fn tagger_is_send_and_sync_and_usable_from_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Tagger>();
    let tagger = std::sync::Arc::new(tiny());
    let expected = tag_one(&tagger, SENTENCE, DecodeOptions::default());
    let handles: Vec<_> = (0..3)
        .map(|_| {
            let tagger = tagger.clone();
            std::thread::spawn(move || tag_one(&tagger, SENTENCE, DecodeOptions::default()))
        })
        .collect();
    for handle in handles {
        let got = handle.join().expect("no panic in a tagging thread");
        assert_eq!(got.len(), expected.len());
    }
}

/// Entities of many inputs of different lengths, as (input, range, label, score).
fn tag_many(tagger: &Tagger) -> Vec<(usize, Range<usize>, String, f32)> {
    let texts: Vec<String> = (1..=12)
        .map(|count| {
            let words: Vec<&str> = SENTENCE.split(' ').cycle().take(count * 5).collect();
            format!("{}. {}", words.join(" "), SENTENCE)
        })
        .collect();
    let inputs: Vec<TagInput<'_>> = texts
        .iter()
        .map(|text| TagInput {
            text,
            sentences: &[],
        })
        .collect();
    let output = tagger
        .tag(&inputs, &DecodeOptions::default())
        .expect("tagging succeeds");
    assert_eq!(output.entities.len(), texts.len());
    output
        .entities
        .into_iter()
        .enumerate()
        .flat_map(|(index, entities)| {
            entities
                .into_iter()
                .map(move |entity| (index, entity.range, entity.label, entity.score))
        })
        .collect()
}

fn assert_same_entities(
    a: &[(usize, Range<usize>, String, f32)],
    b: &[(usize, Range<usize>, String, f32)],
) {
    assert_eq!(a.len(), b.len(), "{a:?}\n{b:?}");
    for (x, y) in a.iter().zip(b) {
        assert_eq!((x.0, &x.1, &x.2), (y.0, &y.1, &y.2));
        assert!((x.3 - y.3).abs() < 1e-4, "{x:?} vs {y:?}");
    }
}

/// Batches run in parallel on several sessions land on the right inputs: one thread, two and three
/// give the same entities, for one sentence and for many inputs of different lengths.
#[test]
fn one_thread_gives_the_same_entities_as_two() {
    let [one, two, three] = [1, 2, 3].map(|threads| {
        load(&TaggerOptions {
            threads,
            ..TaggerOptions::default()
        })
    });
    let options = DecodeOptions::default();
    let a = tag_one(&one, SENTENCE, options);
    let b = tag_one(&two, SENTENCE, options);
    assert_eq!(a.len(), b.len());
    assert!(
        a.iter()
            .zip(&b)
            .all(|(x, y)| x.0 == y.0 && x.1 == y.1 && (x.2 - y.2).abs() < 1e-4)
    );
    let many = tag_many(&one);
    assert!(!many.is_empty());
    assert_same_entities(&many, &tag_many(&two));
    assert_same_entities(&many, &tag_many(&three));
}

/// The same model in ONNX Runtime's ORT format (the built-in model's format) tags the same way.
#[test]
fn an_ort_format_model_tags_like_its_onnx_original() {
    let onnx = tag_many(&tiny());
    let ort_format = Tagger::load(
        &ModelSource::Directory(fixture().join("tiny.ort")),
        &TaggerOptions::default(),
    )
    .expect("the ORT-format fixture loads");
    assert_same_entities(&onnx, &tag_many(&ort_format));
}

/// A model's `transitions.json` steers the Viterbi decoder (and only it): scores that make every
/// entity label very unlikely leave no entities, while the pipeline decoder is unaffected.
#[test]
fn viterbi_uses_the_models_transition_scores() {
    let directory = fixture_copy(&[
        "model.onnx",
        "config.json",
        "tokenizer.json",
        "tokenizer_config.json",
    ]);
    let tagger = tiny();
    let labels = tagger.labels().to_vec();
    let penalty: Vec<f32> = labels
        .iter()
        .map(|label| if label == "O" { 0.0 } else { -50.0 })
        .collect();
    let transitions = serde_json::json!({
        "labels": labels,
        "start": penalty,
        "transitions": vec![penalty.clone(); labels.len()],
    });
    std::fs::write(
        directory.path().join("transitions.json"),
        transitions.to_string(),
    )
    .expect("write");
    let steered = Tagger::load(
        &ModelSource::Directory(directory.path().to_path_buf()),
        &TaggerOptions::default(),
    )
    .expect("loads with transitions.json");
    assert!(steered.has_transitions() && !tagger.has_transitions());
    let viterbi = DecodeOptions {
        aggregation: Aggregation::First,
        decode: Decode::Viterbi,
    };
    assert!(!tag_one(&tagger, SENTENCE, viterbi).is_empty());
    assert!(tag_one(&steered, SENTENCE, viterbi).is_empty());
    assert_eq!(
        tag_one(&steered, SENTENCE, DecodeOptions::default()).len(),
        tag_one(&tagger, SENTENCE, DecodeOptions::default()).len()
    );
}

/// Viterbi entities never overlap, whatever unit (piece or word) the aggregation decodes over.
#[test]
fn viterbi_entities_do_not_overlap_for_any_aggregation() {
    let tagger = tiny();
    let text = "Erythropoietin-dependent proliferation of erythroleukemia cells required Janus kinase 2 and NF-κB.";
    for aggregation in Aggregation::ALL {
        let options = DecodeOptions {
            aggregation,
            decode: Decode::Viterbi,
        };
        let entities = tag_one(&tagger, text, options);
        assert!(
            entities
                .windows(2)
                .all(|pair| pair[0].0.end <= pair[1].0.start),
            "{aggregation}: {entities:?}"
        );
    }
}

/// A softmax temperature (the calibration of `scitag.json`, or `--temperature`) changes scores,
/// not what the argmax decoder picks: each word keeps its label, and a temperature above 1 pulls
/// every score towards uniform. A temperature that is not a positive number is refused at load.
#[test]
fn a_temperature_softens_scores_and_keeps_argmax_labels() {
    let plain = tiny();
    let warm = load(&TaggerOptions {
        temperature: Some(3.0),
        ..TaggerOptions::default()
    });
    assert_eq!(plain.temperature(), 1.0);
    assert_eq!(warm.temperature(), 3.0);
    assert_ne!(
        plain.identity(),
        warm.identity(),
        "the cache must tell them apart"
    );
    let options = DecodeOptions {
        decode: "pipeline".parse().unwrap(),
        aggregation: "none".parse().unwrap(),
    };
    let cold = tag_one(&plain, SENTENCE, options);
    let hot = tag_one(&warm, SENTENCE, options);
    assert!(!cold.is_empty());
    assert_eq!(
        cold.iter()
            .map(|(r, l, _)| (r.clone(), l.clone()))
            .collect::<Vec<_>>(),
        hot.iter()
            .map(|(r, l, _)| (r.clone(), l.clone()))
            .collect::<Vec<_>>(),
        "argmax per piece does not depend on the temperature"
    );
    for ((_, _, a), (_, _, b)) in cold.iter().zip(&hot) {
        assert!(
            b < a,
            "a temperature above 1 lowers the top probability: {a} -> {b}"
        );
    }
    for bad in [0.0, -1.0, f32::NAN] {
        let refused = Tagger::load(
            &ModelSource::Directory(fixture()),
            &TaggerOptions {
                temperature: Some(bad),
                ..TaggerOptions::default()
            },
        );
        assert!(refused.is_err(), "temperature {bad} must be refused");
    }
}
