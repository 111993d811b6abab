//! Commands: a control sequence's action from the signature table or the user's settings, unknown
//! commands (their arguments kept as prose unless they look like keys), accents and the special
//! commands (references, citations, chemistry, quantities).

use super::arguments::find_group_end;
use super::lexer::{Token, TokenKind};
use super::siunitx::chemistry_text;
use super::table;
use super::table::{Action, Special};
use super::{After, ArgumentPlan, Latex, Signature};
use crate::prose::mathtext::math_to_text;
use crate::prose::options::{ArgumentKind, CommandAction};

impl<'source, 'collector> Latex<'source, 'collector> {
    pub(super) fn command(&mut self, token: &Token) {
        let source = self.source;
        let name = token.name(source);
        let start = token.range.start;
        // User commands come first.
        let user = if token.star {
            self.options
                .command(&format!("{name}*"))
                .or_else(|| self.options.command(name))
        } else {
            self.options.command(name)
        };
        if let Some(user) = user {
            let signature = Signature::from_user(&user.arguments);
            let (keep, after) = match user.action {
                CommandAction::Default => {
                    let mut keep = 0u16;
                    for (index, argument) in user.arguments.iter().enumerate().take(12) {
                        if *argument == ArgumentKind::Required {
                            keep |= 1 << index;
                        }
                    }
                    (keep, After::Nothing)
                }
                CommandAction::Ignore => (0, After::Space),
                CommandAction::Dummy => (0, After::Placeholder("1")),
            };
            self.read_arguments(ArgumentPlan {
                signature,
                keep,
                index: 0,
                segment: None,
                after,
                start,
            });
            return;
        }
        if let Some(action) = table::command(name) {
            self.builtin(token, name, action);
            return;
        }
        if let Some(expansion) = self.macros.get(name) {
            let expansion = expansion.clone();
            self.builder().push_atomic(&expansion, token.range.clone());
            if let Some(swallowed) = token.swallowed.clone() {
                self.builder().space_over(swallowed);
            }
            return;
        }
        self.unknown(token, name);
    }

    pub(super) fn builtin(&mut self, token: &Token, name: &str, action: Action) {
        let start = token.range.start;
        match action {
            Action::Drop(signature) => {
                self.start_arguments(signature, 0, None, After::Space, start)
            }
            Action::Nothing => {}
            Action::Keep(signature, keep) => {
                self.start_arguments(signature, keep, None, After::Nothing, start)
            }
            Action::Segment(signature, keep, kind) => {
                self.start_arguments(signature, keep, Some(kind), After::Nothing, start);
            }
            Action::Placeholder(signature, text) => {
                self.start_arguments(signature, 0, None, After::Placeholder(text), start)
            }
            Action::Text(text, word) => {
                self.builder().push_atomic(text, token.range.clone());
                if word && let Some(swallowed) = token.swallowed.clone() {
                    self.builder().space_over(swallowed);
                }
            }
            Action::Space => self.builder().space_over(token.range.clone()),
            Action::Accent(mark) => self.accent(token, mark),
            Action::Special(special) => self.special(token, name, special),
        }
    }

    /// An unknown command: the name goes (never into prose), an optional argument right after it
    /// goes, and braced arguments stay as prose unless they look like citation or label keys.
    pub(super) fn unknown(&mut self, token: &Token, name: &str) {
        let start = token.range.start;
        let lower = name.to_ascii_lowercase();
        if lower.contains("cite") {
            self.start_arguments("oom", 0, None, After::Space, start);
            return;
        }
        if lower.ends_with("ref") {
            self.start_arguments("m", 0, None, After::Placeholder("1"), start);
            return;
        }
        while self.skip_argument(b'o').is_some() {}
        let bytes = self.source.as_bytes();
        let position = self.lexer.position;
        let limit = self.limit();
        if position < limit && bytes[position] == b'{' {
            let (close, _) = find_group_end(bytes, position, limit, true, false);
            if let Some(close) = close
                && looks_like_keys(&self.source[position + 1..close])
            {
                self.lexer.seek(close + 1);
                self.builder().space_for_removal(start);
            }
        }
    }

    pub(super) fn accent(&mut self, token: &Token, mark: char) {
        let bytes = self.source.as_bytes();
        let end = self.limit();
        let mut position = self.lexer.position;
        if token.kind == TokenKind::ControlSymbol {
            while position < end && matches!(bytes[position], b' ' | b'\t') {
                position += 1;
            }
        }
        // The accented base: `{o}`, `{\i}`, `o`, `\i`.
        let (base_start, base_end, argument_end) = if position < end && bytes[position] == b'{' {
            match find_group_end(bytes, position, end, true, false).0 {
                Some(close) => (position + 1, close, close + 1),
                None => (position, position, position),
            }
        } else {
            (position, end, position)
        };
        let content = self.source.get(base_start..base_end).unwrap_or_default();
        let content_trimmed = content.trim_start();
        let (base, consumed) = if let Some(rest) = content_trimmed
            .strip_prefix("\\i")
            .filter(|rest| !rest.starts_with(|c: char| c.is_ascii_alphabetic()))
        {
            ('i', content.len() - rest.len())
        } else if let Some(rest) = content_trimmed
            .strip_prefix("\\j")
            .filter(|rest| !rest.starts_with(|c: char| c.is_ascii_alphabetic()))
        {
            ('j', content.len() - rest.len())
        } else if let Some(first) = content_trimmed
            .chars()
            .next()
            .filter(|first| first.is_alphabetic())
        {
            (
                first,
                content.len() - content_trimmed.len() + first.len_utf8(),
            )
        } else {
            // Nothing to accent (`\'{}`): the command reads as nothing.
            if argument_end > position {
                self.lexer.seek(argument_end);
            }
            return;
        };
        let end_of_accent = if argument_end > position {
            argument_end
        } else {
            // Unbraced: the base character (and a `{}` after `\i`).
            let mut after = base_start + consumed;
            if self.source[after..end].starts_with("{}") {
                after += 2;
            }
            after
        };
        let mut produced = String::new();
        produced.push(base);
        produced.push(mark);
        if argument_end > position {
            // The rest of a braced group after the base (`\"{oo}`) stays as written.
            let rest = content[consumed..].trim_start_matches("{}");
            produced.push_str(rest.trim());
        }
        self.builder()
            .push_atomic(&produced, token.range.start..end_of_accent);
        self.lexer.seek(end_of_accent);
    }

    pub(super) fn special(&mut self, token: &Token, name: &str, special: Special) {
        let start = token.range.start;
        let bytes = self.source.as_bytes();
        match special {
            Special::Begin => self.begin(start),
            Special::End => self.end(start),
            Special::Item => self.item(),
            Special::Par => self.paragraph_break(),
            Special::LineBreak => {
                let mut position = self.lexer.position;
                if position < self.limit() && bytes[position] == b'*' {
                    position += 1;
                }
                self.lexer.seek(position);
                self.skip_argument(b'o');
                if self.in_table_cell() {
                    self.paragraph_break();
                } else {
                    self.builder().space_over(token.range.clone());
                }
            }
            Special::Verb => {
                let position = self.lexer.position;
                let delimiter = self
                    .source
                    .get(position..self.limit())
                    .and_then(|rest| rest.chars().next());
                let end = match delimiter {
                    Some(delimiter) if !delimiter.is_whitespace() => {
                        let content_start = position + delimiter.len_utf8();
                        let rest = &self.source[content_start..self.limit()];
                        match rest.find([delimiter, '\n']) {
                            Some(offset) if rest[offset..].starts_with(delimiter) => {
                                content_start + offset + delimiter.len_utf8()
                            }
                            Some(offset) => content_start + offset,
                            None => self.limit(),
                        }
                    }
                    _ => position,
                };
                self.lexer.seek(end);
                self.builder().space_for_removal(start);
            }
            Special::InlineVerbatim => {
                self.skip_argument(b'o');
                if name == "mintinline" || name == "mint" {
                    self.skip_argument(b'm');
                }
                let position = self.lexer.position;
                if position < self.limit() && bytes[position] == b'{' {
                    self.skip_argument(b'v');
                } else {
                    // Delimited like \verb.
                    self.special(token, "verb", Special::Verb);
                    return;
                }
                self.builder().space_for_removal(start);
            }
            Special::Define => self.define(name),
            Special::Def => {
                // \def\name<parameters>{body}
                let Some(name_argument) = self.skip_argument(b'm') else {
                    return;
                };
                let position = self.lexer.position;
                let brace = self.source[position..self.limit()]
                    .find(['{', '\n'])
                    .map(|offset| position + offset);
                let Some(brace) = brace.filter(|brace| bytes[*brace] == b'{') else {
                    return;
                };
                let has_parameters = brace > position;
                self.lexer.seek(brace);
                if let Some(body) = self.skip_argument(b'm')
                    && !has_parameters
                {
                    self.record_macro(name_argument.inner, body.inner);
                }
            }
            Special::Let => {
                self.skip_argument(b'm');
                let mut position = self.skip_spaces(self.lexer.position);
                if position < self.limit() && bytes[position] == b'=' {
                    position = self.skip_spaces(position + 1);
                }
                self.lexer.seek(position);
                self.skip_argument(b'm');
            }
            Special::DefineEnvironment => {
                let signature = if name.starts_with("New") || name.starts_with("Renew") {
                    "mmmm"
                } else {
                    "moomm"
                };
                self.start_arguments(signature, 0, None, After::Nothing, start);
            }
            Special::InlineMathOpen => self.inline_math(start, token.range.end, "\\)"),
            Special::DisplayMathOpen => self.display_math(start, token.range.end, "\\]"),
            Special::Ensuremath => {
                if let Some(argument) = self.skip_argument(b'm') {
                    match math_to_text(&self.source[argument.inner.clone()]) {
                        Some(text) => self.builder().push_atomic(&text, start..argument.outer.end),
                        None => self.builder().space_for_removal(start),
                    }
                }
            }
            Special::Chemistry => {
                self.skip_argument(b'o');
                if let Some(argument) = self.skip_argument(b'm') {
                    match chemistry_text(&self.source[argument.inner.clone()]) {
                        Some(text) => self.builder().push_atomic(&text, start..argument.outer.end),
                        None => self.builder().space_for_removal(start),
                    }
                }
            }
            Special::Quantity
            | Special::Unit
            | Special::Number
            | Special::QuantityRange
            | Special::NumberRange
            | Special::Angle => {
                self.quantity(start, special);
            }
            Special::Cmidrule => {
                let position = self.lexer.position;
                if position < self.limit() && bytes[position] == b'(' {
                    let close = self.source[position..self.limit()]
                        .find(')')
                        .map_or(position, |offset| position + offset + 1);
                    self.lexer.seek(close);
                }
                self.skip_argument(b'o');
                self.skip_argument(b'm');
            }
            Special::Vskip => {
                // A dimension: `\vskip 2pt plus 1fil`, `\kern-1em`, `\hskip\fill`.
                let mut position = self.skip_spaces(self.lexer.position);
                let end = self.limit();
                while position < end
                    && matches!(bytes[position], b'-' | b'+' | b'.' | b',' | b'0'..=b'9')
                {
                    position += 1;
                }
                let unit_start = position;
                while position < end
                    && bytes[position].is_ascii_alphabetic()
                    && position - unit_start < 2
                {
                    position += 1;
                }
                self.lexer.seek(position);
            }
        }
    }
}

/// Whether the content of an unknown command's argument is a list of keys (`Bruhns:2009kg`,
/// `fig:one, fig:two`) rather than prose.
pub(super) fn looks_like_keys(content: &str) -> bool {
    let content = content.trim();
    !content.is_empty()
        && content.split(',').all(|key| {
            let key = key.trim();
            !key.is_empty()
                && !key.contains(char::is_whitespace)
                && key.contains([':', '_'])
                && key
                    .chars()
                    .all(|character| character.is_alphanumeric() || ":_-./+".contains(character))
        })
}
