//! The initializers (weights) of an ONNX Runtime ORT-format model, read from its bytes.
//!
//! An ORT-format file is a FlatBuffers buffer (`onnxruntime/core/flatbuffers/schema/ort.fbs`,
//! identifier `ORTM`): `InferenceSession.model` → `Model.graph` → `Graph.initializers`, each a
//! `Tensor` with `name`, `dims`, `data_type` and `raw_data`. The tagger shares the built-in model's
//! weight matrices between its sessions (see `sessions.rs`), so it needs their names, shapes and bytes
//! without a copy. The reader is a few bounds-checked offset reads rather than the `flatbuffers`
//! crate: that crate's access without generated code is `unsafe` and unchecked, and generating code
//! needs `flatc`. Every read is checked; a malformed buffer gives `None`, never a panic.

/// ONNX's element type for `int8` (`TensorDataType.INT8` in the schema).
pub const INT8: i32 = 3;

/// One initializer of the graph, borrowed from the model's bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Initializer<'a> {
    pub name: &'a str,
    pub dims: Vec<i64>,
    pub data_type: i32,
    pub raw_data: &'a [u8],
}

/// The graph's initializers, or `None` when `bytes` is not a well-formed ORT-format model.
pub fn initializers(bytes: &[u8]) -> Option<Vec<Initializer<'_>>> {
    let buffer = Buffer(bytes);
    if bytes.get(4..8)? != b"ORTM" {
        return None;
    }
    let session = buffer.indirect(0)?;
    let model = buffer.table_field(session, 1)?;
    let graph = buffer.table_field(model, 7)?;
    let Some(list) = buffer.vector_field(graph, 0)? else {
        return Some(Vec::new());
    };
    (0..list.len)
        .map(|index| {
            let tensor = buffer.indirect(list.start.checked_add(index.checked_mul(4)?)?)?;
            let name = buffer.string_field(tensor, 0)?;
            let dims = match buffer.vector_field(tensor, 2)? {
                Some(dims) => (0..dims.len)
                    .map(|i| buffer.i64(dims.start.checked_add(i.checked_mul(8)?)?))
                    .collect::<Option<Vec<_>>>()?,
                None => Vec::new(),
            };
            let data_type = match buffer.field(tensor, 3)? {
                Some(at) => buffer.i32(at)?,
                None => 0,
            };
            let raw_data = match buffer.vector_field(tensor, 4)? {
                Some(data) => buffer
                    .0
                    .get(data.start..data.start.checked_add(data.len)?)?,
                None => &[],
            };
            Some(Initializer {
                name,
                dims,
                data_type,
                raw_data,
            })
        })
        .collect()
}

struct Buffer<'a>(&'a [u8]);

/// A vector's element count and the position of its first element.
struct Vector {
    len: usize,
    start: usize,
}

impl<'a> Buffer<'a> {
    fn bytes<const N: usize>(&self, at: usize) -> Option<[u8; N]> {
        self.0.get(at..at.checked_add(N)?)?.try_into().ok()
    }
    fn u16(&self, at: usize) -> Option<u16> {
        self.bytes(at).map(u16::from_le_bytes)
    }
    fn u32(&self, at: usize) -> Option<usize> {
        self.bytes(at).map(u32::from_le_bytes).map(|v| v as usize)
    }
    fn i32(&self, at: usize) -> Option<i32> {
        self.bytes(at).map(i32::from_le_bytes)
    }
    fn i64(&self, at: usize) -> Option<i64> {
        self.bytes(at).map(i64::from_le_bytes)
    }
    /// The position an unsigned offset stored at `at` points to (relative to `at`).
    fn indirect(&self, at: usize) -> Option<usize> {
        at.checked_add(self.u32(at)?)
    }
    /// Where field `index` of the table at `table` is stored, `Some(None)` when it is absent.
    fn field(&self, table: usize, index: usize) -> Option<Option<usize>> {
        let vtable = (table as i64).checked_sub(self.i32(table)? as i64)?;
        let vtable = usize::try_from(vtable).ok()?;
        let vtable_len = self.u16(vtable)? as usize;
        let slot = 4 + 2 * index;
        if slot + 2 > vtable_len {
            return Some(None);
        }
        match self.u16(vtable + slot)? {
            0 => Some(None),
            offset => Some(Some(table.checked_add(offset as usize)?)),
        }
    }
    /// A table-valued field that must be present.
    fn table_field(&self, table: usize, index: usize) -> Option<usize> {
        self.indirect(self.field(table, index)??)
    }
    fn vector_field(&self, table: usize, index: usize) -> Option<Option<Vector>> {
        let Some(at) = self.field(table, index)? else {
            return Some(None);
        };
        let vector = self.indirect(at)?;
        Some(Some(Vector {
            len: self.u32(vector)?,
            start: vector.checked_add(4)?,
        }))
    }
    fn string_field(&self, table: usize, index: usize) -> Option<&'a str> {
        let vector = self.vector_field(table, index)??;
        let bytes = self
            .0
            .get(vector.start..vector.start.checked_add(vector.len)?)?;
        std::str::from_utf8(bytes).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_built_in_models_weight_matrices() {
        let files = crate::ner::model::ModelFiles::embedded().expect("the built-in model");
        let all = initializers(&files.onnx).expect("the built-in model is an ORT-format file");
        let matrices: Vec<_> = all
            .iter()
            .filter(|t| t.data_type == INT8 && t.dims.len() == 2)
            .collect();
        // 10 layers (6 of the encoder, 4 of the branch), 6 matrices each: Q, K, V, output, and
        // the feed-forward's two.
        assert_eq!(matrices.len(), 60);
        for matrix in &matrices {
            let elements: i64 = matrix.dims.iter().product();
            assert_eq!(matrix.raw_data.len() as i64, elements, "{}", matrix.name);
            assert!(matrix.dims.iter().all(|&d| d == 384 || d == 1536));
        }
        let names: std::collections::HashSet<_> = all.iter().map(|t| t.name).collect();
        assert_eq!(names.len(), all.len(), "names are unique");
    }

    #[test]
    fn malformed_bytes_give_none_not_a_panic() {
        let files = crate::ner::model::ModelFiles::embedded().expect("the built-in model");
        let bytes = &files.onnx[..];
        assert_eq!(initializers(b""), None);
        assert_eq!(initializers(b"\x08\0\0\0ORTM"), None);
        assert_eq!(initializers(&bytes[..4096]), None);
        let mut broken = bytes[..1 << 16].to_vec();
        broken[0] = 0xff;
        assert_eq!(initializers(&broken), None);
        // Every truncation of a small prefix.
        for len in 0..256 {
            let _ = initializers(&bytes[..len]);
        }
    }

    proptest::proptest! {
        /// Random bytes behind the identifier, or one byte of the real model changed anywhere in
        /// its first 64 KiB (where the tables and offsets are), never panic.
        #[test]
        fn random_and_damaged_bytes_never_panic(
            mut noise in proptest::collection::vec(proptest::num::u8::ANY, 8..2048),
            at in 0usize..(1 << 16),
            value in proptest::num::u8::ANY,
        ) {
            noise[4..8].copy_from_slice(b"ORTM");
            let _ = initializers(&noise);
            let files = crate::ner::model::ModelFiles::embedded().expect("the built-in model");
            let mut damaged = files.onnx[..1 << 16].to_vec();
            damaged[at] = value;
            let _ = initializers(&damaged);
        }
    }
}
