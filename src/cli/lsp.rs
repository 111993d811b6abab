//! `scitag lsp`: the language server over stdin/stdout.
//!
//! stdout carries the protocol and nothing else; logs go to stderr (`SCITAG_LOG=info`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::analysis;
use crate::server::{ServerOptions, serve};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Talk over stdin/stdout (the default and only transport; editors often pass it).
    #[arg(long)]
    pub stdio: bool,
    /// Model directory to use when the editor setting `scitag.modelPath` is not set
    /// (default: the model built into this binary).
    #[arg(long, value_name = "DIR")]
    pub model: Option<PathBuf>,
    /// ONNX Runtime library (libonnxruntime) to use when `scitag.ortLibPath` is not set.
    #[arg(long, value_name = "PATH")]
    pub ort_lib: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("scitag-lsp")
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    let options = ServerOptions {
        model: args.model,
        ort_lib: args.ort_lib,
    };
    runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout(), options))?;
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    // A worker inside ONNX Runtime (a model still loading) would crash the exit handlers that
    // tear ONNX Runtime down: wait a little for it, but never long for a model run.
    if !analysis::scheduler::wait_for_idle_workers(std::time::Duration::from_secs(3)) {
        tracing::warn!("exiting while the analysis worker is still busy");
    }
    Ok(ExitCode::SUCCESS)
}
