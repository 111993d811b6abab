//! The model's label set (`id2label`) read as a tagging scheme.
//!
//! `B-X` / `I-X` are the begin/inside tags of class `X`. `O` is outside. Any other label is an IO
//! label: the label itself is the class, and neighbouring tokens with the same IO label form one
//! entity (this is how the Hugging Face pipeline's `get_tag` treats them too).

/// How one label takes part in entities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    /// `O`: no entity.
    Outside,
    /// `B-X`: starts an entity of class `X` (index into [`LabelSet::classes`]).
    Begin(usize),
    /// `I-X`: continues an entity of class `X`; after `O` or another class it starts one (IOB1 style).
    Inside(usize),
    /// An IO label (no prefix): its class; contiguous runs form one entity.
    Single(usize),
}

impl Tag {
    pub(crate) fn class(self) -> Option<usize> {
        match self {
            Tag::Outside => None,
            Tag::Begin(class) | Tag::Inside(class) | Tag::Single(class) => Some(class),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct LabelSet {
    /// Labels in `id2label` order.
    pub(crate) labels: Vec<String>,
    /// One tag per label.
    pub(crate) tags: Vec<Tag>,
    /// Entity classes without `B-`/`I-`, in order of first appearance in `id2label`.
    pub(crate) classes: Vec<String>,
}

impl LabelSet {
    pub(crate) fn new(labels: Vec<String>) -> LabelSet {
        let mut classes: Vec<String> = Vec::new();
        let class_index = |name: &str, classes: &mut Vec<String>| -> usize {
            match classes.iter().position(|class| class == name) {
                Some(index) => index,
                None => {
                    classes.push(name.to_string());
                    classes.len() - 1
                }
            }
        };
        let tags = labels
            .iter()
            .map(|label| {
                if label == "O" {
                    Tag::Outside
                } else if let Some(class) =
                    label.strip_prefix("B-").filter(|class| !class.is_empty())
                {
                    Tag::Begin(class_index(class, &mut classes))
                } else if let Some(class) =
                    label.strip_prefix("I-").filter(|class| !class.is_empty())
                {
                    Tag::Inside(class_index(class, &mut classes))
                } else {
                    Tag::Single(class_index(label, &mut classes))
                }
            })
            .collect();
        LabelSet {
            labels,
            tags,
            classes,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.labels.len()
    }

    /// Probability of each class (index = class, last index = `O`) from label probabilities.
    pub(crate) fn class_probabilities(&self, label_probabilities: &[f32]) -> Vec<f32> {
        let mut by_class = vec![0.0f32; self.classes.len() + 1];
        for (tag, probability) in self.tags.iter().zip(label_probabilities) {
            match tag.class() {
                Some(class) => by_class[class] += probability,
                None => by_class[self.classes.len()] += probability,
            }
        }
        by_class
    }

    /// Name of a class index as used by [`LabelSet::class_probabilities`] (`O` for the last one).
    pub(crate) fn class_name(&self, class: usize) -> &str {
        self.classes.get(class).map_or("O", String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(names: &[&str]) -> LabelSet {
        LabelSet::new(names.iter().map(|name| name.to_string()).collect())
    }

    #[test]
    fn bio_labels_share_a_class_and_io_labels_are_their_own_class() {
        let set = labels(&["O", "B-protein", "I-protein", "Gene-Name", "I-DNA"]);
        assert_eq!(set.classes, vec!["protein", "Gene-Name", "DNA"]);
        assert_eq!(
            set.tags,
            vec![
                Tag::Outside,
                Tag::Begin(0),
                Tag::Inside(0),
                Tag::Single(1),
                Tag::Inside(2)
            ]
        );
    }

    #[test]
    fn class_probabilities_add_begin_and_inside() {
        let set = labels(&["O", "B-protein", "I-protein"]);
        let by_class = set.class_probabilities(&[0.2, 0.5, 0.3]);
        assert!((by_class[0] - 0.8).abs() < 1e-6);
        assert!((by_class[1] - 0.2).abs() < 1e-6);
        assert_eq!(set.class_name(1), "O");
    }
}
