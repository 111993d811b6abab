//! Manuscripts to prose: paragraphs with an exact map back to source bytes.
