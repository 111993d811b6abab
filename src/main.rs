//! The `scitag` command line: `tag`, `list`, `check`, `eval`, `prose`, `lsp`.
//!
//! Logs go to stderr (stdout belongs to results, and to the protocol in `lsp` mode).

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use scitag::cli;

#[derive(Debug, Parser)]
#[command(
    name = "scitag",
    version,
    about = "Biomedical named-entity tagging for manuscripts (CLI and language server)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Tag entities in a file (plain text, Markdown or LaTeX) or stdin.
    Tag(cli::tag::Args),
    /// The table of distinct entities (class, entity, mentions, files) of files or directories.
    List(cli::list::Args),
    /// Check manuscripts as the editor does (low confidence, consistency), for continuous integration.
    Check(cli::check::Args),
    /// Score a model on a CoNLL file (span-level and word-level precision/recall/F1).
    Eval(cli::eval::Args),
    /// Print the prose the tagger sees in a manuscript.
    Prose(cli::prose::Args),
    /// Run the language server over stdio.
    Lsp(cli::lsp::Args),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        // Colour codes only on a terminal: editors show the server's stderr verbatim.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SCITAG_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Tag(args) => cli::tag::run(args),
        Command::List(args) => cli::list::run(args),
        Command::Check(args) => cli::check::run(args),
        Command::Eval(args) => cli::eval::run(args),
        Command::Prose(args) => cli::prose::run(args),
        Command::Lsp(args) => cli::lsp::run(args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("scitag: error: {error:#}");
            ExitCode::from(1)
        }
    }
}
