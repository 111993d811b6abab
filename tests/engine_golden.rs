//! Parity with the Hugging Face token-classification pipeline (transformers 5.24) on the tiny
//! fixture model: for every aggregation strategy, scitag's `Decode::Pipeline` entities must equal
//! the pipeline's (same byte spans, same labels, scores within 1e-4). The goldens come from
//! `scripts/make_goldens.py`; CI only reads them.

use std::path::Path;

use scitag::ner::{
    Aggregation, Decode, DecodeOptions, ModelSource, TagInput, Tagger, TaggerOptions,
};

#[test]
fn pipeline_decoding_matches_hugging_face_for_every_strategy() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let golden: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("tests/golden/pipeline.json"))
            .expect("tests/golden/pipeline.json"),
    )
    .expect("golden is JSON");
    let stride = golden["stride"].as_u64().expect("stride") as usize;
    let tagger = Tagger::load(
        &ModelSource::Directory(root.join("tests/fixtures/tiny-model")),
        &TaggerOptions {
            window_overlap: Some(stride),
            ..TaggerOptions::default()
        },
    )
    .expect("fixture loads");
    assert_eq!(
        tagger.window_capacity() as u64,
        golden["window"].as_u64().expect("window")
    );

    let cases = golden["cases"].as_array().expect("cases");
    assert!(cases.len() >= 50, "at least 50 inputs");
    let mut compared = 0;
    let mut problems = Vec::new();
    for aggregation in Aggregation::ALL {
        let options = DecodeOptions {
            aggregation,
            decode: Decode::Pipeline,
        };
        let texts: Vec<&str> = cases
            .iter()
            .map(|case| case["text"].as_str().expect("text"))
            .collect();
        let inputs: Vec<TagInput<'_>> = texts
            .iter()
            .map(|text| TagInput {
                text,
                sentences: &[],
            })
            .collect();
        let output = tagger.tag(&inputs, &options).expect("tagging works");
        for (case, got) in cases.iter().zip(&output.entities) {
            let Some(expected) = case["entities"]
                .get(aggregation.as_str())
                .and_then(|e| e.as_array())
            else {
                continue; // "none" has no golden for inputs longer than the window
            };
            let text = case["text"].as_str().expect("text");
            // `none`: every entity is one token, and carries the pipeline's own label.
            if aggregation == Aggregation::None {
                let tags: Vec<Option<&str>> = got.iter().map(|g| g.tag.as_deref()).collect();
                let want: Vec<Option<&str>> =
                    expected.iter().map(|entity| entity[2].as_str()).collect();
                if tags != want {
                    problems.push(format!(
                        "none on {:?}: tags {tags:?}, want {want:?}",
                        case["text"]
                    ));
                }
            } else if let Some(tagged) = got.iter().find(|g| g.tag.is_some()) {
                problems.push(format!(
                    "{aggregation}: a grouped entity has a tag: {tagged:?}"
                ));
            }
            let expected: Vec<(usize, usize, String, f32)> = expected
                .iter()
                .map(|entity| {
                    let label = entity[2].as_str().expect("label");
                    let class = label
                        .strip_prefix("B-")
                        .or_else(|| label.strip_prefix("I-"))
                        .unwrap_or(label);
                    (
                        entity[0].as_u64().expect("start") as usize,
                        entity[1].as_u64().expect("end") as usize,
                        class.to_string(),
                        entity[3].as_f64().expect("score") as f32,
                    )
                })
                .collect();
            compared += expected.len();
            let same_spans = got.len() == expected.len()
                && got.iter().zip(&expected).all(|(g, e)| {
                    g.range == (e.0..e.1) && g.label == e.2 && (g.score - e.3).abs() <= 1e-4
                });
            if !same_spans {
                let show = |list: Vec<String>| list.join(" ");
                problems.push(format!(
                    "{aggregation} on {text:?}\n  want {}\n  got  {}",
                    show(
                        expected
                            .iter()
                            .map(|e| format!("{}..{}:{}:{:.4}", e.0, e.1, e.2, e.3))
                            .collect()
                    ),
                    show(
                        got.iter()
                            .map(|g| format!(
                                "{}..{}:{}:{:.4}",
                                g.range.start, g.range.end, g.label, g.score
                            ))
                            .collect()
                    )
                ));
            }
        }
    }
    assert!(compared > 1000, "the goldens hold entities ({compared})");
    assert!(
        problems.is_empty(),
        "{} mismatches:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
