//! The `scitag tag` command line on the fixture model: formats, source positions, bad input and
//! exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-model")
}

fn scitag(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scitag"))
        .args(args)
        .env_remove("ORT_DYLIB_PATH")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start scitag");
    {
        use std::io::Write;
        let mut input = child.stdin.take().expect("stdin");
        // The process may exit before reading everything (e.g. on a bad flag); that is fine here.
        let _ = input.write_all(stdin);
    }
    child.wait_with_output().expect("scitag finishes")
}

fn tag(extra: &[&str], stdin: &[u8]) -> Output {
    let model = fixture();
    let mut args = vec!["tag", "--model", model.to_str().expect("UTF-8 path")];
    args.extend_from_slice(extra);
    scitag(&args, stdin)
}

/// Tags `text` saved as `name` (`--format jsonl`: one document line) and returns each entity's
/// JSON and byte range, after checking that there is at least one and that each one's `text` is the
/// source at its range, in bytes and in characters.
fn tagged_file(name: &str, text: &str) -> Vec<(String, usize, usize)> {
    let directory = tempfile::tempdir().expect("temp dir");
    let path = directory.path().join(name);
    std::fs::write(&path, text).expect("write");
    let output = tag(&["--format", "jsonl", path.to_str().expect("UTF-8")], b"");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    assert_eq!(stdout.lines().count(), 1, "one line per document: {stdout}");
    let document: serde_json::Value = serde_json::from_str(&stdout).expect("a JSON object");
    assert!(
        document["file"]
            .as_str()
            .is_some_and(|file| file.ends_with(name))
    );
    let entities = document["entities"].as_array().expect("entities");
    assert!(!entities.is_empty());
    let chars: Vec<char> = text.chars().collect();
    entities
        .iter()
        .map(|entity| {
            let start = entity["start"].as_u64().expect("start") as usize;
            let end = entity["end"].as_u64().expect("end") as usize;
            assert_eq!(entity["text"].as_str(), Some(&text[start..end]));
            let char_start = entity["char_start"].as_u64().expect("char_start") as usize;
            let char_end = entity["char_end"].as_u64().expect("char_end") as usize;
            assert_eq!(
                chars[char_start..char_end].iter().collect::<String>(),
                text[start..end]
            );
            (entity.to_string(), start, end)
        })
        .collect()
}

#[test]
fn json_entities_point_at_their_text_in_the_source() {
    let text = "Mouse thymus was used as a source of glucocorticoid receptor.\nNF-κB binds IL-2 in naïve T cells.\n";
    let output = tag(&[], text.as_bytes());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(document["model"], "tiny-model");
    let entities = document["entities"].as_array().expect("entities");
    assert!(!entities.is_empty());
    let lines: Vec<&str> = text.lines().collect();
    for entity in entities {
        let start = entity["start"].as_u64().expect("start") as usize;
        let end = entity["end"].as_u64().expect("end") as usize;
        assert_eq!(entity["text"].as_str(), Some(&text[start..end]));
        let line = entity["line"].as_u64().expect("line") as usize;
        let column = entity["column"].as_u64().expect("column") as usize;
        let prefix: String = lines[line - 1].chars().take(column - 1).collect();
        let line_start = text
            .lines()
            .take(line - 1)
            .map(|l| l.len() + 1)
            .sum::<usize>();
        assert_eq!(
            line_start + prefix.len(),
            start,
            "line {line} column {column} is byte {start}"
        );
    }
}

#[test]
fn markdown_entities_map_back_to_the_markdown_source() {
    let text = "# Results\n\nThe *glucocorticoid receptor* binds `code` and **IL-2** in [T cells](http://x.org).\n";
    for (line, start, end) in tagged_file("paper.md", text) {
        assert!(
            !text[start..end].contains('`') && !text[start..end].contains("http"),
            "{line}"
        );
    }
}

#[test]
fn conll_output_has_one_labelled_word_per_line() {
    let output = tag(
        &["--format", "conll"],
        b"IL-2 gene expression (GR) in T cells.",
    );
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    let words: Vec<&str> = stdout.lines().filter(|line| !line.is_empty()).collect();
    assert_eq!(
        words.first().map(|line| line.split('\t').next()),
        Some(Some("IL-2"))
    );
    assert!(words.iter().any(|line| line.starts_with("(\t")));
    for line in words {
        let label = line.split('\t').nth(1).expect("a label column");
        assert!(
            label == "O" || label.starts_with("B-") || label.starts_with("I-"),
            "{line}"
        );
    }
}

#[test]
fn empty_and_blank_input_give_no_entities_and_succeed() {
    for input in [&b""[..], b"   \n\n\t "] {
        let output = tag(&[], input);
        assert!(output.status.success());
        let document: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        assert_eq!(document["entities"], serde_json::json!([]));
    }
}

#[test]
fn input_that_is_not_utf8_is_a_clear_error() {
    let output = tag(&[], b"IL-2 \xff\xfe receptor");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("not UTF-8") && stderr.contains("offset 5"),
        "{stderr}"
    );
}

#[test]
fn missing_input_file_is_a_clear_error() {
    let output = tag(&["/nonexistent/paper.md"], b"");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("/nonexistent/paper.md"));
}

#[test]
fn missing_onnx_runtime_exits_2_naming_the_place_and_the_fix() {
    let output = tag(&["--ort-lib", "/nonexistent/ort"], b"IL-2");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.contains("/nonexistent/ort") && stderr.contains("scripts/setup-ort.sh"),
        "{stderr}"
    );
}

#[test]
fn a_model_directory_missing_a_file_exits_1_naming_it() {
    let directory = tempfile::tempdir().expect("temp dir");
    std::fs::copy(
        fixture().join("model.onnx"),
        directory.path().join("model.onnx"),
    )
    .expect("copy");
    let output = scitag(
        &["tag", "--model", directory.path().to_str().expect("UTF-8")],
        b"IL-2",
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("config.json"));
}

#[test]
fn decoders_and_aggregations_are_accepted_and_bad_ones_rejected() {
    for aggregation in ["none", "simple", "first", "average", "max"] {
        for decode in ["pipeline", "viterbi"] {
            let output = tag(
                &["--aggregation", aggregation, "--decode", decode],
                b"IL-2 gene",
            );
            assert!(output.status.success(), "{aggregation}/{decode}");
            let document: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
            assert_eq!(document["aggregation"], aggregation);
            assert_eq!(document["decode"], decode);
        }
    }
    let output = tag(&["--decode", "beam"], b"IL-2");
    assert_eq!(output.status.code(), Some(2), "clap's usage error");
    assert!(String::from_utf8_lossy(&output.stderr).contains("pipeline or viterbi"));
}

#[test]
fn aggregation_none_reports_each_tokens_own_label_like_the_pipeline() {
    let text = b"The IL-2 receptor alpha chain binds interleukin-2 in activated T cells.";
    let none = tag(&["--aggregation", "none", "--decode", "pipeline"], text);
    let document: serde_json::Value = serde_json::from_slice(&none.stdout).expect("JSON");
    let entities = document["entities"].as_array().expect("entities");
    assert!(!entities.is_empty());
    for entity in entities {
        let tag = entity["tag"].as_str().expect("a tag on every token");
        let class = entity["label"].as_str().expect("label");
        assert!(
            tag == format!("B-{class}") || tag == format!("I-{class}") || tag == class,
            "{entity}"
        );
    }
    let first = tag(&["--aggregation", "first"], text);
    let grouped: serde_json::Value = serde_json::from_slice(&first.stdout).expect("JSON");
    for entity in grouped["entities"].as_array().expect("entities") {
        assert!(
            entity.get("tag").is_none(),
            "grouped entities have no tag: {entity}"
        );
    }
}

#[test]
fn latex_entities_map_back_to_the_latex_source_and_skip_commands() {
    let text = "\\section{Results}\nThe \\emph{glucocorticoid receptor} binds IL-2 \\cite{smith99} in T cells ($p<0.05$).\n";
    for (line, start, end) in tagged_file("paper.tex", text) {
        // A highlight may cover markup between two prose words, but never starts or ends on it.
        for markup in ["\\section{", "\\emph{", "\\cite{smith99}"] {
            let at = text.find(markup).expect("markup in the fixture");
            let inside = at..at + markup.len();
            assert!(
                !inside.contains(&start) && !inside.contains(&(end - 1)),
                "{markup}: {line}"
            );
        }
    }
}

#[test]
fn text_format_gives_one_readable_line_per_entity_matching_the_json() {
    let text = "Mouse thymus was used as a source of glucocorticoid receptor.\nNF-κB binds IL-2 in naïve T cells.\n";
    let json = tag(&[], text.as_bytes());
    let document: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let entities = document["entities"].as_array().expect("entities");
    let output = tag(&["--format", "text"], text.as_bytes());
    assert!(output.status.success());
    let printed = String::from_utf8(output.stdout).expect("UTF-8");
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), entities.len(), "{printed}");
    for (line, entity) in lines.iter().zip(entities) {
        let location = format!("-:{}:{}\t", entity["line"], entity["column"]);
        assert!(
            line.starts_with(&location),
            "{line:?} should start with {location:?}"
        );
        let label = entity["label"].as_str().expect("label");
        assert!(line.contains(label), "{line:?} names {label}");
        let mention = format!("{:?}", entity["text"].as_str().expect("text"));
        assert!(line.contains(&mention), "{line:?} quotes {mention}");
    }
}

/// `scitag tag` on a fixture project with the built-in model: the nearest `scitag.toml` (two
/// directories up) applies — ignored terms are never entities, a class term is an entity at every
/// occurrence — and `--no-glossary` turns it off; an ignore comment hides its next line either way.
#[test]
fn the_project_glossary_and_ignore_comments_apply_on_the_command_line() {
    let project = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/glossary-project");
    let paper = project.join("chapters/methods.md");
    let text = std::fs::read_to_string(&paper).expect("fixture");
    let run = |extra: &[&str]| -> Vec<serde_json::Value> {
        let mut args = vec![
            "tag",
            "--format",
            "json",
            paper.to_str().expect("UTF-8 path"),
        ];
        args.extend_from_slice(extra);
        let output = scitag(&args, b"");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let document: serde_json::Value =
            serde_json::from_slice(&output.stdout).expect("JSON output");
        document["entities"].as_array().expect("entities").clone()
    };
    let with = run(&[]);
    let without = run(&["--no-glossary"]);
    let span = |entity: &serde_json::Value| {
        (
            entity["start"].as_u64().unwrap() as usize,
            entity["end"].as_u64().unwrap() as usize,
        )
    };
    let overlaps = |entity: &serde_json::Value, word: &str| {
        let (start, end) = span(entity);
        text.match_indices(word)
            .any(|(at, _)| at < end && start < at + word.len())
    };
    assert!(
        with.iter()
            .all(|e| !overlaps(e, "minimap2") && !overlaps(e, "BWA-MEM")),
        "ignored terms are never entities: {with:#?}"
    );
    let supt1: Vec<_> = with.iter().filter(|e| e["text"] == "SupT1").collect();
    assert_eq!(supt1.len(), 2, "SupT1 at both places: {with:#?}");
    assert!(
        supt1
            .iter()
            .all(|e| e["label"] == "cell_line" && e["score"] == 1.0)
    );
    assert_ne!(with, without, "--no-glossary changes the result");
    // the line after the ignore comment has no entity, with or without the glossary, while the
    // same sentence two lines above has some
    let comment = text.find("<!-- scitag-ignore-next-line -->").unwrap();
    let hidden_start = comment + text[comment..].find('\n').unwrap() + 1;
    let hidden_end = hidden_start + text[hidden_start..].find('\n').unwrap();
    let first_start = text.find("The IL-2 receptor").unwrap();
    for entities in [&with, &without] {
        assert!(
            entities
                .iter()
                .all(|e| { span(e).1 <= hidden_start || span(e).0 >= hidden_end }),
            "nothing on the ignored line: {entities:#?}"
        );
        assert!(
            entities
                .iter()
                .any(|e| span(e).0 >= first_start && span(e).1 <= comment),
            "the same sentence elsewhere has entities: {entities:#?}"
        );
    }
    // a broken glossary is an error naming the file and the line
    let broken = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        broken.path().join("scitag.toml"),
        "ignore = [\"a\"]\nclass = 3\n",
    )
    .unwrap();
    std::fs::write(broken.path().join("p.md"), "IL-2 binds.\n").unwrap();
    let output = scitag(&["tag", broken.path().join("p.md").to_str().unwrap()], b"");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("scitag.toml: line 2"), "{stderr}");
}

#[test]
fn json_lines_on_stdin_stream_one_result_per_document_and_bad_lines_are_skipped() {
    let input = "{\"id\":\"a\",\"text\":\"IL-2 binds the IL-2 receptor on T cells.\"}\n\
                 not json\n\
                 {\"id\":7,\"text\":\"γc and IL-2Rβ bind in HeLa cells.\"}\n\
                 {\"id\":\"no text\"}\n\
                 \n\
                 {\"text\":\"NF-kappa B in Jurkat cells.\"}\n";
    let output = tag(
        &["--input-format", "jsonl", "--format", "jsonl", "-"],
        input.as_bytes(),
    );
    assert_eq!(
        output.status.code(),
        Some(1),
        "bad lines make the run fail at the end"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("stdin line 2: not JSON"), "{stderr}");
    assert!(stderr.contains("stdin line 4: no \"text\""), "{stderr}");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    let results: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON line"))
        .collect();
    let ids: Vec<&serde_json::Value> = results.iter().map(|result| &result["id"]).collect();
    assert_eq!(
        ids,
        [
            &serde_json::json!("a"),
            &serde_json::json!(7),
            &serde_json::json!(6)
        ]
    );
    let texts = [
        "IL-2 binds the IL-2 receptor on T cells.",
        "γc and IL-2Rβ bind in HeLa cells.",
        "NF-kappa B in Jurkat cells.",
    ];
    for (result, text) in results.iter().zip(texts) {
        let chars: Vec<char> = text.chars().collect();
        for entity in result["entities"].as_array().expect("entities") {
            let (start, end) = (
                entity["char_start"].as_u64().expect("char_start") as usize,
                entity["char_end"].as_u64().expect("char_end") as usize,
            );
            assert_eq!(
                chars[start..end].iter().collect::<String>(),
                entity["text"].as_str().expect("text")
            );
        }
    }
    let usage = tag(&["--input-format", "jsonl", "--format", "text", "-"], b"");
    assert_eq!(usage.status.code(), Some(2));
}

/// `scitag list` on a project directory with the built-in model: one row per distinct entity across
/// the manuscripts (spellings that normalize alike are one entity, counted over both files),
/// `.gitignore`d and non-manuscript files left out, in text, JSON and CSV.
#[test]
fn list_tallies_a_projects_entities_across_files_in_three_formats() {
    let project = tempfile::tempdir().expect("temp dir");
    let root = project.path();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lsp");
    std::fs::create_dir(root.join("chapters")).expect("chapters");
    std::fs::copy(fixtures.join("navigation.md"), root.join("intro.md")).expect("copy");
    std::fs::copy(
        fixtures.join("navigation.tex"),
        root.join("chapters/methods.tex"),
    )
    .expect("copy");
    // Ignored by .gitignore, and not a manuscript: both would add Jurkat cells mentions.
    std::fs::create_dir(root.join("build")).expect("build");
    std::fs::write(root.join("build/copy.md"), "Jurkat cells.\n").expect("write");
    std::fs::write(root.join("notes.txt"), "Jurkat cells.\n").expect("write");
    std::fs::write(root.join(".gitignore"), "build/\n").expect("write");
    std::fs::write(
        root.join("scitag.toml"),
        "[class]\nprotein = [\"IL-2Rα\", \"IL2R alpha\", \"il-2 rα\", \"NF-κB\", \"NF-kappaB\"]\ncell_line = [\"Jurkat cells\"]\n",
    )
    .expect("write");
    let list = |format: &str| -> String {
        let output = scitag(
            &["list", "--format", format, root.to_str().expect("UTF-8")],
            b"",
        );
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("UTF-8")
    };

    let document: serde_json::Value = serde_json::from_str(&list("json")).expect("JSON");
    let files: Vec<&str> = document["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|file| file.as_str().unwrap())
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(files[0].ends_with("chapters/methods.tex") && files[1].ends_with("intro.md"));
    let entities = document["entities"].as_array().expect("entities");
    let row = |class: &str, entity: &str| {
        entities
            .iter()
            .find(|row| row["class"] == class && row["entity"] == entity)
            .unwrap_or_else(|| panic!("no {class} {entity:?} in {entities:#?}"))
            .clone()
    };
    let receptor = row("protein", "IL-2Rα");
    assert_eq!(receptor["mentions"], 7, "4 in the Markdown, 3 in the LaTeX");
    assert_eq!(receptor["files"], 2);
    assert_eq!(receptor["paths"], serde_json::json!(files));
    assert_eq!(receptor["identifier"], "HGNC:6008");
    assert_eq!(
        receptor["spellings"].as_array().map(Vec::len),
        Some(3),
        "{receptor:#}"
    );
    assert_eq!(row("protein", "NF-κB")["mentions"], 4);
    assert_eq!(row("cell_line", "Jurkat cells")["mentions"], 3);
    assert!(
        entities
            .iter()
            .all(|row| row["entity"] != "IL2R alpha" && row["entity"] != "il-2 rα"),
        "one row for every spelling: {entities:#?}"
    );
    // Proteins come first, the most mentioned first.
    assert_eq!(entities[0]["entity"], "IL-2Rα");

    let csv = list("csv");
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("class,entity,mentions,files,identifier"));
    assert_eq!(lines.next(), Some("protein,IL-2Rα,7,2,HGNC:6008"));
    assert!(
        csv.lines()
            .any(|line| line == "cell_line,Jurkat cells,3,2,CVCL_0065"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), entities.len() + 1);

    let text = list("text");
    let header: Vec<&str> = text.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        ["class", "entity", "mentions", "files", "identifier"]
    );
    let first: Vec<&str> = text.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(first, ["protein", "IL-2Rα", "7", "2", "HGNC:6008"]);

    // One file alone: its own counts; a path that does not exist is an error.
    let output = scitag(
        &[
            "list",
            "--format",
            "csv",
            root.join("intro.md").to_str().unwrap(),
        ],
        b"",
    );
    assert!(output.status.success());
    let csv = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(
        csv.lines()
            .any(|line| line == "protein,IL-2Rα,4,1,HGNC:6008"),
        "{csv}"
    );
    let output = scitag(&["list", root.join("missing.md").to_str().unwrap()], b"");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("missing.md"));
}

#[test]
fn tag_links_entities_to_their_identifiers_unless_told_not_to() {
    let text = b"IL-2 binds the IL-2 receptor on Jurkat cells.\n";
    // The built-in model: the fixture model's random weights tag nothing in particular.
    let entities = |extra: &[&str]| -> Vec<serde_json::Value> {
        let mut args = vec!["tag", "--format", "json"];
        args.extend_from_slice(extra);
        let output = scitag(&args, text);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let document: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        document["entities"].as_array().expect("entities").clone()
    };
    let linked = entities(&[]);
    assert!(
        linked
            .iter()
            .any(|entity| entity["identifier"] == "HGNC:6001" && entity["text"] == "IL-2"),
        "IL-2 is HGNC:6001: {linked:#?}"
    );
    let plain = entities(&["--no-link"]);
    assert_eq!(plain.len(), linked.len(), "the same entities");
    assert!(
        plain
            .iter()
            .all(|entity| entity.get("identifier").is_none() && entity.get("link").is_none()),
        "{plain:#?}"
    );
}

#[test]
fn two_models_tag_together_and_eval_refuses_more_than_one() {
    let multihead = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-multihead");
    let text = b"Cisplatin-induced nephrotoxicity in mice was reduced by IL-10 produced by regulatory T cells.\n";
    let one = tag(&["--format", "json"], text);
    let both = tag(
        &[
            "--model",
            multihead.to_str().expect("UTF-8"),
            "--format",
            "json",
        ],
        text,
    );
    assert!(
        both.status.success(),
        "{}",
        String::from_utf8_lossy(&both.stderr)
    );
    let one: serde_json::Value = serde_json::from_slice(&one.stdout).expect("JSON");
    let both: serde_json::Value = serde_json::from_slice(&both.stdout).expect("JSON");
    assert_eq!(both["model"], "tiny-model + tiny-multihead");
    let labels = |document: &serde_json::Value| -> Vec<String> {
        document["entities"]
            .as_array()
            .expect("entities")
            .iter()
            .map(|entity| entity["label"].as_str().expect("label").to_owned())
            .collect()
    };
    assert!(
        labels(&both)
            .iter()
            .any(|label| ["chemical", "disease", "species"].contains(&label.as_str())),
        "the second model's classes: {both}"
    );
    assert!(
        labels(&one)
            .iter()
            .all(|label| !["chemical", "disease", "species"].contains(&label.as_str()))
    );
    // No two entities overlap.
    let ranges: Vec<(u64, u64)> = both["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entity| {
            (
                entity["start"].as_u64().unwrap(),
                entity["end"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(
        ranges.windows(2).all(|pair| pair[0].1 <= pair[1].0),
        "{ranges:?}"
    );

    let data = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(data.path(), "IL-2\tB-protein\n\n").expect("write");
    let model = fixture();
    let eval = scitag(
        &[
            "eval",
            "--data",
            data.path().to_str().unwrap(),
            "--model",
            model.to_str().unwrap(),
            "--model",
            multihead.to_str().unwrap(),
        ],
        b"",
    );
    assert!(!eval.status.success());
    let stderr = String::from_utf8_lossy(&eval.stderr);
    assert!(stderr.contains("give --model once"), "{stderr}");
}
