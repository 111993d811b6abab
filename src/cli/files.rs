//! The manuscripts a command reads: the files it is given, and the Markdown and LaTeX files under the
//! directories it is given, honouring `.gitignore` (inside a git repository or not), `.ignore` and
//! hidden files the way `ripgrep` does (the `ignore` crate), in a stable (sorted) order.

use std::path::PathBuf;

/// Whether a directory walk takes `path`: the extensions the language server's project index
/// takes too (`workspace::MANUSCRIPT_EXTENSIONS`), so both see the same files of a project.
pub(crate) use crate::workspace::is_manuscript;

/// What a path argument gave.
#[derive(Debug, Default)]
pub(crate) struct Found {
    /// The files to read, without duplicates, in argument order (a directory's sorted).
    pub files: Vec<PathBuf>,
    /// Arguments or directory entries that could not be read, with why.
    pub errors: Vec<String>,
}

/// The files named by `paths`: a file as it is (whatever its extension), a directory's manuscripts
/// recursively.
pub(crate) fn manuscripts(paths: &[PathBuf]) -> Found {
    let mut found = Found::default();
    let mut seen = std::collections::HashSet::new();
    let mut push = |found: &mut Found, path: PathBuf| {
        if seen.insert(path.clone()) {
            found.files.push(path);
        }
    };
    for path in paths {
        match std::fs::metadata(path) {
            Err(error) => found.errors.push(format!("{}: {error}", path.display())),
            Ok(metadata) if metadata.is_dir() => {
                let mut files = Vec::new();
                // `.gitignore` counts outside a git repository too (a copied or unpacked
                // project), as in the language server's project index.
                for entry in ignore::WalkBuilder::new(path).require_git(false).build() {
                    match entry {
                        Ok(entry) => {
                            let is_file = entry.file_type().is_some_and(|kind| kind.is_file());
                            if is_file && is_manuscript(entry.path()) {
                                files.push(entry.into_path());
                            }
                        }
                        Err(error) => found.errors.push(error.to_string()),
                    }
                }
                files.sort();
                for file in files {
                    push(&mut found, file);
                }
            }
            Ok(_) => push(&mut found, path.clone()),
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_give_their_manuscripts_sorted_and_honour_gitignore() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let root = dir.path();
        std::fs::create_dir_all(root.join("chapters/drafts")).expect("dirs");
        // No `.git`: the `.gitignore` counts anyway.
        for name in [
            "main.tex",
            "chapters/b.md",
            "chapters/a.qmd",
            "chapters/notes.txt",
            "chapters/drafts/old.md",
            "build.tex",
        ] {
            std::fs::write(root.join(name), "IL-2").expect("write");
        }
        std::fs::write(root.join(".gitignore"), "drafts/\nbuild.tex\n").expect("write");
        let found = manuscripts(&[root.to_path_buf(), root.join("chapters/notes.txt")]);
        let names: Vec<String> = found
            .files
            .iter()
            .map(|path| {
                path.strip_prefix(root)
                    .expect("under root")
                    .display()
                    .to_string()
            })
            .collect();
        assert_eq!(
            names,
            [
                "chapters/a.qmd",
                "chapters/b.md",
                "main.tex",
                "chapters/notes.txt"
            ]
        );
        assert!(found.errors.is_empty(), "{:?}", found.errors);
    }

    #[test]
    fn a_missing_path_is_an_error_and_the_rest_goes_on() {
        let dir = tempfile::tempdir().expect("temporary directory");
        std::fs::write(dir.path().join("a.md"), "x").expect("write");
        let found = manuscripts(&[dir.path().join("missing.md"), dir.path().join("a.md")]);
        assert_eq!(found.files, [dir.path().join("a.md")]);
        assert_eq!(found.errors.len(), 1);
        assert!(found.errors[0].contains("missing.md"), "{:?}", found.errors);
    }
}
