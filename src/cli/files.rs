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

/// Whether a path argument is a glob pattern (`paper/**/*.md`, `ch?.tex`): it has `*`, `?` or `[`.
fn is_pattern(path: &std::path::Path) -> bool {
    path.to_str()
        .is_some_and(|text| text.contains(['*', '?', '[']))
}

/// The files a glob pattern matches (`*` and `?` within a path component, `**` across them),
/// walking from the pattern's literal directory prefix and honouring `.gitignore` there too, sorted.
fn glob_files(pattern: &std::path::Path, found: &mut Found) -> Vec<PathBuf> {
    let text = pattern.to_string_lossy();
    let matcher = match globset::GlobBuilder::new(&text)
        .literal_separator(true)
        .build()
    {
        Ok(glob) => glob.compile_matcher(),
        Err(error) => {
            found
                .errors
                .push(format!("{text}: not a valid pattern: {error}"));
            return Vec::new();
        }
    };
    let base: PathBuf = pattern
        .components()
        .take_while(|component| !is_pattern(std::path::Path::new(component.as_os_str())))
        .collect();
    let root = if base.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        base
    };
    // Walking `.` yields `./a.md`; the pattern `*.md` means `a.md`.
    let files: Vec<PathBuf> = walk(&root, found, |path| matcher.is_match(strip_dot(path)))
        .into_iter()
        .map(|path| strip_dot(&path).to_path_buf())
        .collect();
    if files.is_empty() {
        found.errors.push(format!("{text}: no file matches"));
    }
    files
}

fn strip_dot(path: &std::path::Path) -> &std::path::Path {
    path.strip_prefix("./").unwrap_or(path)
}

/// The files under `root` that `take` accepts, sorted, honouring `.gitignore` outside a git
/// repository too (a copied or unpacked project), as the language server's project index does.
fn walk(
    root: &std::path::Path,
    found: &mut Found,
    take: impl Fn(&std::path::Path) -> bool,
) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in ignore::WalkBuilder::new(root).require_git(false).build() {
        match entry {
            Ok(entry) => {
                let is_file = entry.file_type().is_some_and(|kind| kind.is_file());
                if is_file && take(entry.path()) {
                    files.push(entry.into_path());
                }
            }
            Err(error) => found.errors.push(error.to_string()),
        }
    }
    files.sort();
    files
}

/// The files named by `paths`: a file as it is (whatever its extension), a directory's manuscripts
/// recursively, a glob pattern's matches (for shells that do not expand them, and `**`).
pub(crate) fn manuscripts(paths: &[PathBuf]) -> Found {
    let mut found = Found::default();
    let mut seen = std::collections::HashSet::new();
    let mut push = |found: &mut Found, path: PathBuf| {
        if seen.insert(path.clone()) {
            found.files.push(path);
        }
    };
    for path in paths {
        if is_pattern(path) && std::fs::metadata(path).is_err() {
            for file in glob_files(path, &mut found) {
                push(&mut found, file);
            }
            continue;
        }
        match std::fs::metadata(path) {
            Err(error) => found.errors.push(format!("{}: {error}", path.display())),
            Ok(metadata) if metadata.is_dir() => {
                for file in walk(path, &mut found, is_manuscript) {
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
    fn glob_patterns_match_within_and_across_directories() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let root = dir.path();
        std::fs::create_dir_all(root.join("paper/chapters/old")).expect("dirs");
        for name in [
            "paper/intro.md",
            "paper/chapters/methods.tex",
            "paper/chapters/results.md",
            "paper/chapters/old/draft.md",
            "paper/notes.txt",
        ] {
            std::fs::write(root.join(name), "IL-2").expect("write");
        }
        std::fs::write(root.join("paper/.gitignore"), "old/\n").expect("write");
        let names = |found: &Found| -> Vec<String> {
            found
                .files
                .iter()
                .map(|path| {
                    path.strip_prefix(root)
                        .expect("under root")
                        .display()
                        .to_string()
                })
                .collect()
        };
        let all = manuscripts(&[root.join("paper/**/*.md")]);
        assert_eq!(names(&all), ["paper/chapters/results.md", "paper/intro.md"]);
        let top = manuscripts(&[root.join("paper/*.md")]);
        assert_eq!(names(&top), ["paper/intro.md"]);
        let none = manuscripts(&[root.join("paper/*.rst")]);
        assert!(none.files.is_empty());
        assert!(
            none.errors[0].contains("no file matches"),
            "{:?}",
            none.errors
        );
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
