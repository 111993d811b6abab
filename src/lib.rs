//! scitag: biomedical named-entity highlighting for manuscripts.
//!
//! The crate is one library with strict rooms (see `docs/ARCHITECTURE.md`):
//! `prose` turns manuscripts into paragraphs of prose with an exact source map,
//! `ner` runs a token classifier over prose, `analysis` caches results per
//! paragraph, `features` answers editor questions in core terms, `export` writes
//! tagged documents as BioC, PubTator, brat and HTML, `document`
//! holds text and positions, `workspace` holds a workspace's open documents,
//! glossaries, model and settings, and `server` is the only room that knows LSP
//! (it speaks the protocol and holds one workspace).

pub mod analysis;
pub mod cli;
pub mod document;
pub mod eval;
pub mod export;
pub mod features;
pub mod glossary;
pub mod link;
pub mod ner;
pub mod prose;
pub mod server;
pub mod workspace;
