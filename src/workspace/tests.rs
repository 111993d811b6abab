//! The workspace on its own, without a server: documents, commits, snapshots and glossaries.

use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use super::*;
use crate::document::LineCol;

/// A workspace keyed by numbers whose events arrive on a channel. No model was asked for, so an
/// analysis finishes at once with no entities.
fn workspace() -> (Workspace<u32>, Receiver<Event<u32>>) {
    let (sender, receiver) = channel();
    let workspace = Workspace::new(WorkspaceOptions::default(), move |event| {
        let _ = sender.send(event);
    });
    (workspace.unwrap(), receiver)
}

/// The next finished analysis, with its key and generation.
fn next_analysis(events: &Receiver<Event<u32>>) -> (u32, u64, DocumentAnalysis) {
    loop {
        match events.recv_timeout(Duration::from_secs(10)).unwrap() {
            Event::Analyzed {
                key,
                generation,
                result,
            } => return (key, generation, result.unwrap().unwrap()),
            _ => continue,
        }
    }
}

#[test]
fn an_opened_document_is_analysed_and_its_result_committed_while_current() {
    let (workspace, events) = workspace();
    workspace.open(1, None, Language::Markdown, "IL-2 binds.\n", 3);
    assert!(workspace.is_open(&1));
    assert!(workspace.snapshot(&1).unwrap().analysis().is_none());
    let (key, generation, analysis) = next_analysis(&events);
    assert_eq!((key, analysis.version), (1, 3));
    assert!(workspace.commit(&1, generation, analysis.clone()));
    let snapshot = workspace.snapshot(&1).unwrap();
    assert_eq!(snapshot.version(), 3);
    assert_eq!(
        snapshot.analysis().map(|analysis| analysis.version),
        Some(3)
    );
    assert_eq!(workspace.summaries()[0].1.analyzed_version, Some(3));

    let change = TextChange {
        range: Some(LineCol::new(0, 0)..LineCol::new(0, 0)),
        text: "> ".to_owned(),
    };
    let changed = workspace
        .change(&1, 4, &[change], PositionEncoding::Utf16)
        .unwrap();
    assert_eq!(changed.previous_version, 3);
    assert!(changed.error.is_none());
    assert_eq!(
        workspace.snapshot(&1).unwrap().text().to_string(),
        "> IL-2 binds.\n"
    );
    // The change scheduled a newer job: the old result is not committed again.
    assert!(!workspace.commit(&1, generation, analysis));
    assert!(
        workspace
            .change(&2, 1, &[], PositionEncoding::Utf16)
            .is_none()
    );

    workspace.close(&1);
    assert!(workspace.snapshot(&1).is_none());
    assert!(workspace.keys().is_empty());
}

#[test]
fn a_result_for_another_version_is_dropped() {
    let (workspace, events) = workspace();
    workspace.open(7, None, Language::Plain, "text", 1);
    let (_, generation, mut analysis) = next_analysis(&events);
    analysis.version = 0;
    assert!(!workspace.commit(&7, generation, analysis));
}

#[test]
fn glossary_files_are_recognised_by_name_and_a_broken_one_is_reported() {
    let (workspace, _events) = workspace();
    let folder = tempfile::tempdir().unwrap();
    let notes = folder.path().join("notes.toml");
    assert_eq!(
        workspace.glossary_file_changed(&notes),
        GlossaryChange::NotAGlossary
    );
    let glossary = folder.path().join(GLOSSARY_FILE_NAME);
    std::fs::write(&glossary, "ignore = [\"minimap2\"]\n").unwrap();
    assert_eq!(
        workspace.glossary_file_changed(&glossary),
        GlossaryChange::Reloaded
    );
    std::fs::write(&glossary, "ignore = [\n").unwrap();
    assert!(matches!(
        workspace.glossary_file_changed(&glossary),
        GlossaryChange::Broken(_)
    ));
}

#[test]
fn a_pinned_class_comes_first_and_only_once() {
    let mut actions = vec![
        GlossaryAction {
            title: "Ignore «IL-2» in this project".to_owned(),
            term: "IL-2".to_owned(),
            change: Change::Ignore,
            preferred: false,
        },
        GlossaryAction {
            title: "Always tag «IL-2» as protein".to_owned(),
            term: "IL-2".to_owned(),
            change: Change::Class("protein".to_owned()),
            preferred: false,
        },
    ];
    pin_class(&mut actions, "IL-2", "protein");
    assert_eq!(actions.len(), 2);
    assert_eq!(actions[0].change, Change::Class("protein".to_owned()));
    assert!(actions[0].preferred);
    assert_eq!(actions[1].change, Change::Ignore);
}

#[test]
fn the_language_comes_from_the_language_id_else_the_file_name() {
    assert_eq!(language_of("latex", "notes.md"), Language::Latex);
    assert_eq!(language_of("unknown", "paper.tex"), Language::Latex);
    assert_eq!(language_of("unknown", "paper.md"), Language::Markdown);
}
