//! The graph's inputs and outputs: which inputs to feed, and the classification heads (a logits
//! output each, with its label set, transitions and temperature).

use ort::session::Session;
use ort::value::{TensorElementType, ValueType};

use crate::ner::NerError;
use crate::ner::decode::Transitions;
use crate::ner::labels::LabelSet;
use crate::ner::model;

/// One classification head: a logits output of the graph with its own label set.
pub(super) struct Head {
    /// `scitag.json`'s name for it; `model` for a single-output model.
    pub(super) name: String,
    pub(super) output: String,
    pub(super) labels: LabelSet,
    pub(super) transitions: Option<Transitions>,
    /// Logits are divided by this before the softmax (1: none).
    pub(super) temperature: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FeedKind {
    InputIds,
    AttentionMask,
    TokenTypeIds,
}

#[derive(Debug, Clone)]
pub(super) struct Feed {
    pub(super) name: String,
    pub(super) kind: FeedKind,
    pub(super) int32: bool,
}

pub(super) fn probe_inputs(session: &Session) -> Result<Vec<Feed>, String> {
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
pub(super) fn build_heads(
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
pub(super) fn select_heads(
    heads: Vec<Head>,
    wanted: Option<&[String]>,
) -> Result<Vec<Head>, NerError> {
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
