//! The tagger's ONNX Runtime sessions: how many, with how many threads, and how their weights
//! are held.

use std::borrow::Cow;
use std::ffi::CString;
use std::sync::OnceLock;

use ort::AsPointer;
use ort::environment::Environment;
use ort::session::Session;
use ort::session::builder::{GraphOptimizationLevel, PrepackedWeights, SessionBuilder};
use ort::value::TensorRef;

use super::model::{self, ModelFiles};
use super::ort_format;

/// Models up to this size run on one single-threaded session per thread; larger ones on one
/// session with intra-op threads (each session holds its own copy of the weights).
const POOL_MAX_MODEL_BYTES: usize = 64 << 20;

/// The sessions of one model.
pub(super) struct Sessions {
    pub sessions: Vec<Session>,
    /// Several single-threaded sessions (small models) rather than one with intra-op threads.
    pub pooled: bool,
    /// How the weight matrices are held, for the load log.
    pub weights: &'static str,
}

/// Creates the sessions for the model's ONNX or ORT-format graph, for `threads` threads.
///
/// Small models: parallelism across batches, not inside operators. `threads` single-threaded
/// sessions run different batches at the same time. Inside one small batch (a paragraph's
/// sentences) ONNX Runtime's intra-op threads spend much of their time waking each other (about
/// 200 operators per run); separate sessions never wait for each other, and a core busy with other
/// work only slows the batches that run on it. Large models get one session with `threads`
/// intra-op threads instead: their operators are big enough to split.
///
/// Pre-packing (ONNX Runtime re-lays the int8 weight matrices once for its matrix kernels) makes
/// a run of the built-in model about 20% faster (one sentence: 5.9 → 4.6 ms), but the packed copy
/// is per session unless the matrices are *shared initializers*: then the sessions share one
/// packed copy through the prepacked-weights container. The built-in model's matrices are shared
/// that way, from the executable's pages ([`shared_weights`]); other small models run unpacked, so
/// that each extra session costs no copy of every layer; a large model's one session packs.
pub(super) fn create(
    environment: &Environment,
    files: &ModelFiles,
    threads: usize,
) -> Result<Sessions, String> {
    let onnx = &files.onnx;
    let threads = threads.max(1);
    let ort_format = model::is_ort_format(onnx);
    // The built-in model lives as long as the process, so an ORT-format one is used in place: its
    // weights are read from the executable's pages, shared by every session, instead of being
    // copied into each.
    let in_place: Option<&'static [u8]> = match onnx {
        Cow::Borrowed(bytes) if ort_format => Some(bytes),
        _ => None,
    };
    let pooled = in_place.is_some() || onnx.len() <= POOL_MAX_MODEL_BYTES;
    let (count, intra_threads) = if pooled { (threads, 1) } else { (1, threads) };
    let shared = in_place.and_then(shared_weights);
    let local = PrepackedWeights::new();
    let weights = match (&shared, pooled) {
        (Some(_), _) => "pre-packed once, shared by the sessions",
        (None, true) => "unpacked (no per-session copy)",
        (None, false) => "pre-packed",
    };
    let mut sessions = Vec::with_capacity(count);
    for _ in 0..count {
        let mut builder = Session::builder(environment).map_err(text)?;
        builder = builder
            .with_optimization_level(GraphOptimizationLevel::All)
            .map_err(text)?
            .with_intra_threads(intra_threads)
            .map_err(text)?
            .with_inter_threads(1)
            .map_err(text)?
            .with_intra_op_spinning(false)
            .map_err(text)?
            .with_inter_op_spinning(false)
            .map_err(text)?
            .with_prepacked_weights(shared.map_or(&local, |s| &s.container))
            .map_err(text)?;
        if let Some(shared) = shared {
            builder = shared.add_to(builder)?;
        } else if pooled {
            // ONNX Runtime's int8 matrix kernels keep a pre-packed copy of the weights per session
            // unless they are shared initializers. Measured on the built-in model before its
            // matrices were shared (4 heads, 10 layers, 2 sessions): peak RSS of `scitag lsp` on
            // the 20k-word manuscript 161 → 127 MB without pre-packing (docs/PERFORMANCE.md).
            builder = builder
                .with_config_entry("session.disable_prepacking", "1")
                .map_err(text)?;
        }
        if in_place.is_some() {
            // Sound because the bytes are `'static` (see `in_place`).
            builder = builder
                .with_config_entry("session.use_ort_model_bytes_directly", "1")
                .map_err(text)?
                .with_config_entry("session.use_ort_model_bytes_for_initializers", "1")
                .map_err(text)?;
        }
        sessions.push(builder.commit_from_memory(onnx).map_err(text)?);
    }
    Ok(Sessions {
        sessions,
        pooled,
        weights,
    })
}

fn text<E: std::fmt::Display>(error: E) -> String {
    error.to_string()
}

/// The built-in model's int8 weight matrices as tensors over the executable's bytes, and the one
/// container their pre-packed copies live in; created once per process and never freed (the
/// bytes are `'static`, and every session of the built-in model, also after a reload, uses them).
struct SharedWeights {
    bytes: &'static [u8],
    container: PrepackedWeights,
    matrices: Vec<(CString, TensorRef<'static, i8>)>,
}

impl SharedWeights {
    /// Makes the matrices shared initializers of the session `builder` will create: ONNX Runtime
    /// then packs each once into `container` and every session uses that copy. `ort`'s
    /// `with_initializer` takes only owned values, which would copy the matrices first, so this
    /// calls the C API's `AddInitializer` with tensors over the `'static` bytes.
    #[allow(unsafe_code)]
    fn add_to(&self, mut builder: SessionBuilder) -> Result<SessionBuilder, String> {
        for (name, tensor) in &self.matrices {
            // SAFETY: `builder` is a live session-options object; `name` is a NUL-terminated
            // string and `tensor` a valid tensor value, both living for the rest of the process
            // (ONNX Runtime requires the value to outlive every session that uses it and copies the
            // name). The status returned is consumed by `result_from_status`.
            let status = unsafe {
                (ort::api().AddInitializer)(builder.ptr_mut(), name.as_ptr(), tensor.ptr())
            };
            unsafe { ort::Error::result_from_status(status) }
                .map_err(|error| format!("sharing the weight matrix {name:?}: {error}"))?;
        }
        Ok(builder)
    }
}

/// The shared weights of the ORT-format model `bytes`, or `None` (logged) when its initializers
/// cannot be read or turned into tensors: the sessions then run unpacked, as other small models.
/// Only one model is ever built in, so one is kept; a different `'static` model is not shared.
fn shared_weights(bytes: &'static [u8]) -> Option<&'static SharedWeights> {
    static SHARED: OnceLock<Option<SharedWeights>> = OnceLock::new();
    let shared = SHARED
        .get_or_init(|| match build_shared(bytes) {
            Ok(shared) => Some(shared),
            Err(error) => {
                tracing::warn!("the model's weights are not shared between sessions: {error}");
                None
            }
        })
        .as_ref()?;
    std::ptr::eq(shared.bytes, bytes).then_some(shared)
}

fn build_shared(bytes: &'static [u8]) -> Result<SharedWeights, String> {
    let initializers = ort_format::initializers(bytes).ok_or("its initializers cannot be read")?;
    let matrices = initializers
        .into_iter()
        .filter(|tensor| tensor.data_type == ort_format::INT8 && tensor.dims.len() == 2)
        .map(|tensor| {
            let shape: Vec<i64> = tensor.dims.clone();
            let elements = shape
                .iter()
                .try_fold(1i64, |n, &d| n.checked_mul(d).filter(|_| d >= 0));
            if elements != Some(tensor.raw_data.len() as i64) {
                return Err(format!(
                    "{}: {} bytes for {:?}",
                    tensor.name,
                    tensor.raw_data.len(),
                    shape
                ));
            }
            let data: &'static [i8] = bytemuck::cast_slice(tensor.raw_data);
            let value = TensorRef::from_array_view((shape, data)).map_err(text)?;
            let name = CString::new(tensor.name).map_err(text)?;
            Ok((name, value))
        })
        .collect::<Result<Vec<_>, String>>()?;
    if matrices.is_empty() {
        return Err("it has no int8 weight matrices".into());
    }
    Ok(SharedWeights {
        bytes,
        container: PrepackedWeights::new(),
        matrices,
    })
}
