//! Macros: zero-argument `\newcommand` / `\def` definitions recorded as the prose of their body and
//! expanded where they are used (bounded in depth and length), and new signatures for commands with
//! arguments.

use super::Latex;
use super::lexer::TokenKind;
use super::table;
use crate::prose::Collector;
use std::ops::Range;

/// How deep zero-argument macro definitions may refer to each other when they are expanded.
const MAX_MACRO_DEPTH: usize = 4;
/// The longest macro body that is expanded.
const MAX_MACRO_BODY: usize = 300;

impl<'source, 'collector> Latex<'source, 'collector> {
    /// `\newcommand{\name}[n][default]{body}` and friends. Zero-argument definitions are remembered,
    /// so that a later `\name` reads as the prose of its body.
    pub(super) fn define(&mut self, name: &str) {
        let Some(name_argument) = self.skip_argument(b'm') else {
            return;
        };
        if name.ends_with("DocumentCommand") {
            let specification = self.skip_argument(b'm');
            if let Some(body) = self.skip_argument(b'm')
                && specification.is_some_and(|specification| specification.inner.is_empty())
            {
                self.record_macro(name_argument.inner, body.inner);
            }
            return;
        }
        let count = self.skip_argument(b'o');
        let default = self.skip_argument(b'o');
        let Some(body) = self.skip_argument(b'm') else {
            return;
        };
        let takes_arguments =
            count.is_some_and(|count| self.source[count.inner].trim() != "0") || default.is_some();
        if !takes_arguments {
            self.record_macro(name_argument.inner, body.inner);
        }
    }

    pub(super) fn record_macro(&mut self, name: Range<usize>, body: Range<usize>) {
        let name = self.source[name]
            .trim()
            .trim_start_matches('\\')
            .trim_end_matches('*');
        if name.is_empty()
            || !name
                .chars()
                .all(|character| character.is_ascii_alphabetic() || character == '@')
        {
            return;
        }
        if body.len() > MAX_MACRO_BODY
            || self.macro_depth >= MAX_MACRO_DEPTH
            || table::command(name).is_some()
        {
            return;
        }
        let mut collector = Collector::default();
        let expansion = {
            let mut inner = Latex::new(
                self.source,
                body,
                self.options,
                &mut collector,
                self.macros.clone(),
                self.macro_depth + 1,
            );
            inner.run_without_emitting()
        };
        if let Some(expansion) = expansion.filter(|expansion| expansion.chars().count() <= 60) {
            self.macros.insert(name.to_owned(), expansion);
        } else {
            self.macros.remove(name);
        }
    }

    /// Runs a macro body and returns its prose (when it is one short paragraph).
    pub(super) fn run_without_emitting(&mut self) -> Option<String> {
        loop {
            self.close_scopes();
            if self.ended {
                return None;
            }
            let Some(token) = self.lexer.next_token() else {
                break;
            };
            if token.kind == TokenKind::ParBreak {
                return None;
            }
            self.token(token);
        }
        self.scopes.clear();
        let text = self
            .frames
            .first()
            .map(|frame| frame.builder.text().to_owned())
            .unwrap_or_default();
        (!self.collector.has_paragraphs()).then_some(text)
    }
}
