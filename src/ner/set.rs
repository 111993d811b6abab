//! Several models used together (`scitag.modelPaths`): a user's own model beside the built-in one,
//! or two specialised models, as one tagger.
//!
//! Every model tags every input with its own tokenizer, heads and recommended decoding; where their
//! entities overlap, one rule decides, the rule of a model's heads ([`super::overlap`]): a confident
//! span beats a doubtful one, then the longer span, then the model listed first, then the higher
//! score. So the set behaves like one model whose heads are the models' heads in the order given.

use std::hash::{DefaultHasher, Hash, Hasher};

use super::{
    DecodeChoice, Entity, ModelSource, NerError, TagInput, TagOutput, Tagger, TaggerOptions,
};

/// Models tagging the same text, their entities merged by the overlap rule.
pub struct ModelSet {
    members: Vec<Tagger>,
    name: String,
    identity: u64,
}

impl ModelSet {
    /// Loads every model of `sources`, in order. The first failure is the error, naming the model.
    pub fn load(sources: &[ModelSource], options: &TaggerOptions) -> Result<ModelSet, NerError> {
        let members = sources
            .iter()
            .map(|source| Tagger::load(source, options))
            .collect::<Result<Vec<_>, _>>()?;
        ModelSet::new(members)
    }

    /// A set of loaded models (at least one).
    pub fn new(members: Vec<Tagger>) -> Result<ModelSet, NerError> {
        if members.is_empty() {
            return Err(NerError::InvalidInput(
                "a model set needs at least one model".into(),
            ));
        }
        let name = members
            .iter()
            .map(Tagger::name)
            .collect::<Vec<_>>()
            .join(" + ");
        let mut hasher = DefaultHasher::new();
        for member in &members {
            member.identity().hash(&mut hasher);
        }
        Ok(ModelSet {
            members,
            name,
            identity: hasher.finish(),
        })
    }

    /// The models, in the order given.
    pub fn members(&self) -> &[Tagger] {
        &self.members
    }

    /// The members' names joined by ` + `.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A hash of the members' identities, in order (part of cache keys).
    pub fn identity(&self) -> u64 {
        self.identity
    }

    /// Every member's classes, in the members' order, each once.
    pub fn classes(&self) -> Vec<String> {
        super::distinct_classes(self.members.iter().flat_map(Tagger::classes))
    }

    /// The first model's recommended decoding.
    pub fn recommended_decode(&self) -> super::DecodeOptions {
        self.members
            .first()
            .map(Tagger::recommended_decode)
            .unwrap_or_default()
    }

    /// Whether some member packs neighbouring sentences into one window.
    pub fn packs_context(&self) -> bool {
        self.members.iter().any(Tagger::packs_context)
    }

    /// Tags each input with every member (each under `choice` resolved against its own
    /// recommendation) and resolves the overlaps between members. `sentences_inferred` counts
    /// the sentences of the input that ran, as for one model.
    pub fn tag(
        &self,
        inputs: &[TagInput<'_>],
        choice: &DecodeChoice,
    ) -> Result<TagOutput, NerError> {
        let mut candidates: Vec<Vec<(Entity, usize)>> = vec![Vec::new(); inputs.len()];
        let mut sentences_inferred = 0;
        for (index, member) in self.members.iter().enumerate() {
            let output = member.tag(inputs, &choice.resolve(member.recommended_decode()))?;
            sentences_inferred = sentences_inferred.max(output.sentences_inferred);
            for (slot, entities) in candidates.iter_mut().zip(output.entities) {
                slot.extend(entities.into_iter().map(|entity| (entity, index)));
            }
        }
        Ok(TagOutput {
            entities: candidates
                .into_iter()
                .map(super::overlap::resolve)
                .collect(),
            sentences_inferred,
        })
    }
}
