//! The default model built into the binary (see `build.rs`): `FILES` lists `(file name, bytes)`, or
//! is `None` when `models/jnlpba-minilm/` held no model at build time.

include!(concat!(env!("OUT_DIR"), "/embedded_model.rs"));

/// Drops the pages of a built-in file from the process's resident memory once ONNX Runtime has
/// made its own copy (the 23 MB model is read once, at load). The bytes stay valid: they are
/// read-only data mapped from the executable, so a later read (a model reload) pages them in
/// again from the file. Only whole pages inside `bytes` are released.
///
/// The crate's one `unsafe` (it denies `unsafe_code` elsewhere): two libc calls.
#[cfg(unix)]
#[allow(unsafe_code)]
pub(crate) fn release(bytes: &'static [u8]) {
    // SAFETY: sysconf has no preconditions.
    let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(0);
    if page == 0 {
        return;
    }
    let start = (bytes.as_ptr() as usize).div_ceil(page) * page;
    let end = (bytes.as_ptr() as usize + bytes.len()) / page * page;
    if end <= start {
        return;
    }
    // SAFETY: [start, end) lies inside `bytes`, a read-only static that is never written, so
    // discarding its pages cannot lose data: the kernel maps them from the executable again on
    // the next access. No reference to the memory is invalidated.
    let result =
        unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED) };
    if result != 0 {
        tracing::debug!(
            "madvise on the built-in model failed: {}",
            std::io::Error::last_os_error()
        );
    }
}

#[cfg(not(unix))]
pub(crate) fn release(_bytes: &'static [u8]) {}
