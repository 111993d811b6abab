//! Finding and loading ONNX Runtime (`libonnxruntime`), once per process.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use super::NerError;

static ENVIRONMENT: OnceLock<ort::environment::Environment> = OnceLock::new();
static INIT_LOCK: Mutex<()> = Mutex::new(());

/// File name of the ONNX Runtime library on this platform (the SONAME on Linux).
#[cfg(target_os = "linux")]
pub const LIBRARY_NAME: &str = "libonnxruntime.so.1";
#[cfg(target_os = "macos")]
pub const LIBRARY_NAME: &str = "libonnxruntime.dylib";
#[cfg(target_os = "windows")]
pub const LIBRARY_NAME: &str = "onnxruntime.dll";
#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
pub const LIBRARY_NAME: &str = "libonnxruntime.so";

/// Where scitag looks for ONNX Runtime, in order: `--ort-lib PATH` (when given, only there: a path
/// the user names is never silently replaced by another library), else `$ORT_DYLIB_PATH`, the
/// library next to the executable, and `<repository>/.ort/lib` (where `scripts/setup-ort.sh` puts
/// it). A directory stands for the library file inside it.
pub fn library_candidates(ort_lib: Option<&Path>) -> Vec<(String, PathBuf)> {
    let mut candidates = Vec::new();
    if let Some(path) = ort_lib {
        candidates.push(("--ort-lib".to_string(), with_library_name(path)));
        return candidates;
    }
    if let Some(value) = std::env::var_os("ORT_DYLIB_PATH").filter(|value| !value.is_empty()) {
        candidates.push((
            "ORT_DYLIB_PATH".to_string(),
            with_library_name(Path::new(&value)),
        ));
    }
    if let Some(directory) = std::env::current_exe()
        .ok()
        .as_deref()
        .and_then(Path::parent)
    {
        candidates.push((
            "next to the executable".to_string(),
            directory.join(LIBRARY_NAME),
        ));
    }
    let repository = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(".ort")
        .join("lib");
    candidates.push((
        "the repository's .ort/lib".to_string(),
        repository.join(LIBRARY_NAME),
    ));
    candidates
}

fn with_library_name(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join(LIBRARY_NAME)
    } else {
        path.to_path_buf()
    }
}

/// Loads ONNX Runtime and creates the process-wide environment. Idempotent: after the first success,
/// later calls return `Ok` at once (whatever `ort_lib` they pass; a process has one ONNX Runtime).
/// The first candidate that loads wins (see [`library_candidates`]); if none does, the error lists
/// every place tried and the fix.
pub fn init_runtime(ort_lib: Option<&Path>) -> Result<(), NerError> {
    if ENVIRONMENT.get().is_some() {
        return Ok(());
    }
    // Two threads racing here would both try to build an environment; ort allows only one.
    let _guard = INIT_LOCK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if ENVIRONMENT.get().is_some() {
        return Ok(());
    }
    let environment = create_environment(ort_lib)?;
    let _ = ENVIRONMENT.set(environment);
    Ok(())
}

/// The environment created by [`init_runtime`].
pub(crate) fn environment() -> Option<&'static ort::environment::Environment> {
    ENVIRONMENT.get()
}

#[cfg(feature = "ort-dynamic")]
fn create_environment(ort_lib: Option<&Path>) -> Result<ort::environment::Environment, NerError> {
    let mut tried = Vec::new();
    for (place, path) in library_candidates(ort_lib) {
        if !path.exists() {
            tried.push(format!("{} [{place}] (not found)", path.display()));
            continue;
        }
        let builder = match ort::init_from(&path) {
            Ok(builder) => builder,
            Err(error) => {
                tracing::warn!("ONNX Runtime at {} did not load: {error}", path.display());
                tried.push(format!(
                    "{} [{place}] ({})",
                    path.display(),
                    one_line(&error.to_string())
                ));
                continue;
            }
        };
        match builder.with_name("scitag").with_telemetry(false).build() {
            Ok(environment) => {
                tracing::info!("ONNX Runtime loaded from {}", path.display());
                return Ok(environment);
            }
            Err(error) => {
                tried.push(format!(
                    "{} [{place}] ({})",
                    path.display(),
                    one_line(&error.to_string())
                ));
            }
        }
    }
    Err(NerError::Runtime {
        tried: tried.join("; "),
    })
}

#[cfg(not(feature = "ort-dynamic"))]
fn create_environment(_ort_lib: Option<&Path>) -> Result<ort::environment::Environment, NerError> {
    ort::init()
        .with_name("scitag")
        .with_telemetry(false)
        .build()
        .map_err(|error| NerError::Runtime {
            tried: format!(
                "the ONNX Runtime linked into scitag ({})",
                one_line(&error.to_string())
            ),
        })
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
