//! Writing one array: validate it, address it (DataJoint's schema path or an
//! explicit path), encode numpy's exact header, publish atomically.

use crate::array_ref::ArrayRef;
use crate::error::{bail, Result};
use crate::format::{numpy_header, Dtype};
use crate::store::Store;
use crate::target::write_at_target;
pub use crate::target::{PutOptions, Target};

/// An array in memory, described the way numpy describes it.
#[derive(Debug, Clone)]
pub struct ArrayData<'a> {
    /// The raw bytes, `dtype.itemsize() * product(shape)` of them.
    pub data: &'a [u8],
    /// The element type.
    pub dtype: Dtype,
    /// The shape in numpy order; empty for 0-d.
    pub shape: Vec<u64>,
    /// The bytes are in Fortran (column-major) order.
    pub fortran_order: bool,
}

impl Store {
    /// Write `array` at `target` as a numpy-exact `.npy`, atomically.
    pub fn put(
        &self,
        array: &ArrayData<'_>,
        target: &Target,
        options: PutOptions,
    ) -> Result<ArrayRef> {
        put(self, array, target, options)
    }
}

pub(crate) fn put(
    store: &Store,
    array: &ArrayData<'_>,
    target: &Target,
    options: PutOptions,
) -> Result<ArrayRef> {
    let header = numpy_header(
        array.dtype.clone(),
        array.shape.clone(),
        array.fortran_order,
    );
    let needed = header.data_len()?;
    if array.data.len() as u64 != needed {
        bail!(
            Length,
            "data has {} bytes but dtype {} with shape {:?} needs {needed}",
            array.data.len(),
            header.dtype.numpy_str(),
            header.shape
        );
    }
    let preamble = header.encode_checked()?;
    let chunks = [preamble.as_slice(), array.data];
    let (path, etag) = write_at_target(store, target, options, |path, write| {
        store.backend().write_atomic(path, &chunks, write)
    })?;
    ArrayRef::written(store, path, header, preamble.len() as u64, etag)
}
