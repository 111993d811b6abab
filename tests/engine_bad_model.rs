//! Broken model directories: each gets a clear error naming the file, never a panic.

use std::path::{Path, PathBuf};

use scitag::ner::{ModelSource, NerError, Tagger, TaggerOptions};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-model")
}

/// A copy of the fixture with `skip` left out and `replace` written over.
fn broken_copy(skip: &[&str], replace: &[(&str, &[u8])]) -> tempfile::TempDir {
    let directory = tempfile::tempdir().expect("temp dir");
    for name in [
        "model.onnx",
        "config.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "vocab.txt",
    ] {
        if !skip.contains(&name) {
            std::fs::copy(fixture().join(name), directory.path().join(name))
                .expect("copy fixture file");
        }
    }
    for (name, bytes) in replace {
        std::fs::write(directory.path().join(name), bytes).expect("write replacement");
    }
    directory
}

fn load_error(directory: &Path) -> String {
    match Tagger::load(
        &ModelSource::Directory(directory.to_path_buf()),
        &TaggerOptions::default(),
    ) {
        Ok(_) => panic!("{} should not load", directory.display()),
        Err(error) => {
            assert!(!error.is_runtime(), "ONNX Runtime itself is fine: {error}");
            error.to_string()
        }
    }
}

#[test]
fn missing_model_directory_is_named() {
    let message = load_error(Path::new("/nonexistent/model-dir"));
    assert!(message.contains("/nonexistent/model-dir"), "{message}");
}

#[test]
fn missing_onnx_file_is_named() {
    let directory = broken_copy(&["model.onnx"], &[]);
    let message = load_error(directory.path());
    assert!(message.contains("model.onnx"), "{message}");
}

#[test]
fn missing_config_is_named() {
    let directory = broken_copy(&["config.json"], &[]);
    let message = load_error(directory.path());
    assert!(
        message.contains("config.json") && message.contains("missing"),
        "{message}"
    );
}

#[test]
fn missing_tokenizer_is_named() {
    let directory = broken_copy(&["tokenizer.json", "vocab.txt"], &[]);
    let message = load_error(directory.path());
    assert!(
        message.contains("tokenizer.json") && message.contains("vocab.txt"),
        "{message}"
    );
}

#[test]
fn config_without_id2label_is_explained() {
    let directory = broken_copy(&[], &[("config.json", br#"{"model_type": "bert"}"#)]);
    let message = load_error(directory.path());
    assert!(
        message.contains("config.json") && message.contains("id2label"),
        "{message}"
    );
}

#[test]
fn config_that_is_not_json_is_explained() {
    let directory = broken_copy(&[], &[("config.json", b"\xff\xfe not json")]);
    let message = load_error(directory.path());
    assert!(
        message.contains("config.json") && message.contains("JSON"),
        "{message}"
    );
}

#[test]
fn label_count_that_does_not_match_the_logits_is_explained() {
    let config = br#"{"id2label": {"0": "O", "1": "B-protein", "2": "I-protein"}}"#;
    let directory = broken_copy(&[], &[("config.json", config)]);
    let message = load_error(directory.path());
    assert!(
        message.contains("11 labels") && message.contains("3"),
        "{message}"
    );
}

#[test]
fn garbage_onnx_file_is_named() {
    let directory = broken_copy(&[], &[("model.onnx", b"this is not an onnx model")]);
    let message = load_error(directory.path());
    assert!(message.contains("model.onnx"), "{message}");
}

#[test]
fn garbage_tokenizer_is_named() {
    let directory = broken_copy(&[], &[("tokenizer.json", b"{\"model\": 3}")]);
    let message = load_error(directory.path());
    assert!(message.contains("tokenizer.json"), "{message}");
}

#[test]
fn malformed_transitions_are_named() {
    let directory = broken_copy(
        &[],
        &[(
            "transitions.json",
            br#"{"labels": ["O"], "start": [0], "transitions": [[0]]}"#,
        )],
    );
    let message = load_error(directory.path());
    assert!(
        message.contains("transitions.json") && message.contains("id2label"),
        "{message}"
    );
}

#[test]
fn unknown_decoder_in_scitag_json_is_named() {
    let directory = broken_copy(&[], &[("scitag.json", br#"{"decode": "beam"}"#)]);
    let message = load_error(directory.path());
    assert!(
        message.contains("scitag.json") && message.contains("beam"),
        "{message}"
    );
}

#[test]
fn embedded_model_either_loads_or_says_to_pass_a_model() {
    match Tagger::load(&ModelSource::Embedded, &TaggerOptions::default()) {
        Ok(tagger) => {
            assert!(ModelSource::embedded_available());
            assert!(!tagger.classes().is_empty());
        }
        Err(error) => {
            assert!(!ModelSource::embedded_available());
            assert!(matches!(error, NerError::NoEmbeddedModel));
            assert!(error.to_string().contains("--model DIR"), "{error}");
        }
    }
}

#[test]
fn logits_of_an_unexpected_shape_at_run_time_are_an_error_not_a_panic() {
    // bad-logits.onnx returns [batch, sequence, sequence] where 11 labels are expected; its output
    // shape is unknown until it runs, so only the run-time check can catch it.
    let tagger = Tagger::load(
        &ModelSource::Directory(fixture().join("bad-logits.onnx")),
        &TaggerOptions::default(),
    )
    .expect("the broken model loads: its output shape is unknown until it runs");
    let error = tagger
        .tag(
            &[scitag::ner::TagInput {
                text: "IL-2 gene expression and NF-kappa B activation",
                sentences: &[],
            }],
            &scitag::ner::DecodeOptions::default(),
        )
        .expect_err("the logits have the wrong shape");
    assert!(
        matches!(error, NerError::UnexpectedOutput { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("11 labels"), "{error}");
}
