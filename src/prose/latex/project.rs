//! What a LaTeX file says about the project it belongs to, read from its text alone: the files it
//! brings in (`\input`, `\include`, `\subfile`, `\import`, `\subimport`), its `% !TEX root` magic
//! comment, and the zero-argument macros it defines. No file is read here: the workspace resolves
//! the names and reads the files (`workspace::latex_project`).

use std::collections::HashMap;
use std::ops::Range;

use super::lexer::{Lexer, TokenKind, is_space_byte};
use super::{Latex, has_document_environment};
use crate::prose::{Collector, ExtractOptions};

/// How a file is brought in; it decides which directory a relative name is read against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LinkKind {
    /// `\input{name}` or `\include{name}`: relative to the root file's directory.
    Input,
    /// `\subfile{name}`: relative to the directory of the file that names it.
    Subfile,
    /// `\import{directory}{name}`: `directory` relative to the root file's directory.
    Import,
    /// `\subimport{directory}{name}`: `directory` relative to the file that names it.
    Subimport,
}

/// One file named by another.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LatexLink {
    pub kind: LinkKind,
    /// The directory argument of `\import`/`\subimport` (empty otherwise).
    pub directory: String,
    /// The file name as written (without the braces, trimmed).
    pub name: String,
    /// The whole command with its arguments, in bytes of the text.
    pub range: Range<usize>,
}

/// What one LaTeX file says about its project.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct LatexFileFacts {
    pub links: Vec<LatexLink>,
    /// `% !TEX root = main.tex`: the name and the comment's range.
    pub magic_root: Option<(String, Range<usize>)>,
    /// Whether the file has `\documentclass` or `\begin{document}` (it can be a project's root).
    pub is_root: bool,
    /// The zero-argument macros it defines, as the extractor expands them (name → prose), sorted
    /// by name.
    pub macros: Vec<(String, String)>,
}

/// The longest file name argument that is taken.
const MAX_NAME: usize = 512;
/// At most this many links are read from one file.
const MAX_LINKS: usize = 256;

/// The links, the magic comment and whether it is a root, without the macros: a scan of the text,
/// no extraction.
pub fn latex_file_structure(text: &str) -> LatexFileFacts {
    let result = std::panic::catch_unwind(|| LatexFileFacts {
        links: links(text),
        magic_root: magic_root(text),
        is_root: text.contains("\\documentclass") || has_document_environment(text),
        macros: Vec::new(),
    });
    result.unwrap_or_default()
}

/// Reads the links, the magic comment and the macro definitions of a LaTeX text.
pub fn latex_file_facts(text: &str, options: &ExtractOptions) -> LatexFileFacts {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| LatexFileFacts {
        links: links(text),
        magic_root: magic_root(text),
        is_root: text.contains("\\documentclass") || has_document_environment(text),
        macros: macros(text, options),
    }));
    result.unwrap_or_default()
}

/// `% !TEX root = name` in a comment line among the first 30 lines (TeXShop, TeXstudio, VS Code's
/// LaTeX Workshop read it there); the key is case-insensitive and spaces around `=` do not matter.
fn magic_root(text: &str) -> Option<(String, Range<usize>)> {
    let mut offset = 0;
    for line in text.split_inclusive('\n').take(30) {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim_start();
        let Some(comment) = trimmed.strip_prefix('%') else {
            continue;
        };
        let comment = comment.trim_start_matches('%').trim_start();
        let Some(rest) = comment.strip_prefix('!') else {
            continue;
        };
        let rest = rest.trim_start();
        let Some(keyword) = rest
            .get(..3)
            .filter(|word| word.eq_ignore_ascii_case("tex"))
        else {
            continue;
        };
        let rest = rest[keyword.len()..].trim_start();
        let Some(rest) = rest
            .get(..4)
            .filter(|word| word.eq_ignore_ascii_case("root"))
            .map(|word| &rest[word.len()..])
        else {
            continue;
        };
        let Some(name) = rest.trim_start().strip_prefix('=') else {
            continue;
        };
        let name = name.trim();
        if name.is_empty() || name.len() > MAX_NAME {
            continue;
        }
        let end = start + line.trim_end().len();
        return Some((name.to_owned(), start..end));
    }
    None
}

fn links(text: &str) -> Vec<LatexLink> {
    let mut lexer = Lexer::new(text, 0..text.len());
    let mut found = Vec::new();
    while let Some(token) = lexer.next_token() {
        if found.len() >= MAX_LINKS {
            break;
        }
        if token.kind != TokenKind::ControlWord || token.star {
            continue;
        }
        let (kind, arguments) = match token.name(text) {
            "input" | "include" => (LinkKind::Input, 1),
            "subfile" => (LinkKind::Subfile, 1),
            "import" | "inputfrom" | "includefrom" => (LinkKind::Import, 2),
            "subimport" | "subinputfrom" | "subincludefrom" => (LinkKind::Subimport, 2),
            _ => continue,
        };
        let mut position = token.range.end;
        let mut values = Vec::new();
        for _ in 0..arguments {
            let Some((value, end)) = braced(text, position) else {
                break;
            };
            values.push(value);
            position = end;
        }
        if values.len() != arguments {
            continue;
        }
        lexer.seek(position);
        let name = values.pop().unwrap_or_default();
        let directory = values.pop().unwrap_or_default();
        if name.is_empty() || name.contains(['\\', '#', '$']) || directory.contains(['\\', '#']) {
            // A name built by a macro cannot be followed without running TeX.
            continue;
        }
        found.push(LatexLink {
            kind,
            directory,
            name,
            range: token.range.start..position,
        });
    }
    found
}

/// The content of the `{...}` group at `from` (after spaces), without nested groups, and where the
/// group ends.
fn braced(text: &str, from: usize) -> Option<(String, usize)> {
    let bytes = text.as_bytes();
    let mut position = from;
    while position < bytes.len() && is_space_byte(bytes[position]) {
        position += 1;
    }
    if bytes.get(position) != Some(&b'{') {
        return None;
    }
    let content_start = position + 1;
    let close = text[content_start..]
        .bytes()
        .take(MAX_NAME + 1)
        .position(|byte| matches!(byte, b'}' | b'{' | b'\n'))?;
    let close = content_start + close;
    if bytes[close] != b'}' {
        return None;
    }
    Some((text[content_start..close].trim().to_owned(), close + 1))
}

/// The zero-argument macros the text defines, as its own extraction would expand them.
fn macros(text: &str, options: &ExtractOptions) -> Vec<(String, String)> {
    let mut collector = Collector::default();
    let mut latex = Latex::new(
        text,
        0..text.len(),
        options,
        &mut collector,
        HashMap::new(),
        0,
    );
    latex.preamble = has_document_environment(text);
    if latex.preamble {
        latex.frames[0].sink = true;
    }
    latex.run();
    let mut macros: Vec<(String, String)> = latex.macros.into_iter().collect();
    macros.sort();
    macros
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(text: &str) -> LatexFileFacts {
        latex_file_facts(text, &ExtractOptions::default())
    }

    #[test]
    fn links_of_every_kind_are_read_and_comments_are_not() {
        let text = "\\input{chapters/intro}\n% \\input{old}\n\\include{methods.tex}\n\
                    \\subfile{sub/part}\n\\import{dir/}{file}\n\\subimport*{x}{y}\n\\subimport{x}{y}\n\
                    \\input{\\jobname-extra}\n\\input\n";
        let links = facts(text).links;
        let names: Vec<(LinkKind, &str, &str)> = links
            .iter()
            .map(|link| (link.kind, link.directory.as_str(), link.name.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                (LinkKind::Input, "", "chapters/intro"),
                (LinkKind::Input, "", "methods.tex"),
                (LinkKind::Subfile, "", "sub/part"),
                (LinkKind::Import, "dir/", "file"),
                (LinkKind::Subimport, "x", "y"),
            ]
        );
        assert_eq!(&text[links[0].range.clone()], "\\input{chapters/intro}");
    }

    #[test]
    fn the_magic_root_comment_is_read_in_its_usual_spellings() {
        for (text, expected) in [
            ("% !TEX root = main.tex\n\\section{A}", Some("main.tex")),
            ("%!TeX root=../thesis.tex\n", Some("../thesis.tex")),
            ("%% !tex root = a b.tex  \n", Some("a b.tex")),
            ("% TEX root = main.tex\n", None),
            ("% !TEX program = xelatex\n", None),
            ("text % !TEX root = main.tex\n", None),
        ] {
            let found = facts(text).magic_root.map(|(name, _)| name);
            assert_eq!(found.as_deref(), expected, "{text:?}");
        }
    }

    #[test]
    fn macros_are_the_extractor_expansions() {
        let text = "\\documentclass{article}\n\\newcommand{\\fcgr}{Fc$\\gamma$R}\n\
                    \\providecommand\\il{IL-2}\n\\newcommand{\\arg}[1]{x #1}\n\
                    \\begin{document}\nText.\n\\end{document}\n";
        let facts = facts(text);
        assert!(facts.is_root);
        let names: Vec<&str> = facts.macros.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["fcgr", "il"]);
        assert!(facts.macros[0].1.starts_with("Fc"), "{:?}", facts.macros);
    }

    #[test]
    fn macros_of_the_project_are_expanded_and_the_document_own_win() {
        let options = ExtractOptions {
            latex_macros: vec![
                ("fcgr".to_owned(), "FcγR".to_owned()),
                ("il".to_owned(), "IL-2".to_owned()),
            ],
            ..ExtractOptions::default()
        };
        let text = "\\newcommand{\\il}{IL-4}\n\\fcgr{} binds \\il{} here.\n";
        let extraction = crate::prose::extract(text, crate::prose::Language::Latex, &options);
        let prose: Vec<&str> = extraction
            .paragraphs
            .iter()
            .map(|paragraph| paragraph.prose.as_str())
            .collect();
        assert_eq!(prose, ["FcγR binds IL-4 here."]);
        let without = crate::prose::extract(
            text,
            crate::prose::Language::Latex,
            &ExtractOptions::default(),
        );
        assert_eq!(without.paragraphs[0].prose, "binds IL-4 here.");
    }
}
