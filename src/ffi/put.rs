//! `npy_put`: write one array, the flags it takes, and the argument checks it shares
//! with `npy_writer_open`.

use super::boundary::{array_arg, bytes_arg, guard, handle, new_handle, str_arg};
use super::order::{data_order_is_fortran, npy_order};
use super::reference::npy_ref;
use super::status::npy_status;
use super::store::npy_store;
use super::target::npy_target;
use crate::error::{bail, Result};
use crate::format::Dtype;
use crate::put::ArrayData;
use crate::store::Store;
use crate::target::{PutOptions, Target};
use std::ffi::{c_char, c_void};

/// `npy_put` flag: fsync the object and its directory before returning.
pub const NPY_PUT_FSYNC: u32 = 1;
/// `npy_put` flag: replace an existing object at an explicit path.
pub const NPY_PUT_OVERWRITE: u32 = 2;
const NPY_PUT_KNOWN_FLAGS: u32 = NPY_PUT_FSYNC | NPY_PUT_OVERWRITE;

/// The options `NPY_PUT_*` flags ask for; unknown bits are an error.
fn put_options(flags: u32) -> Result<PutOptions> {
    if flags & !NPY_PUT_KNOWN_FLAGS != 0 {
        bail!(
            InvalidArgument,
            "unknown put flags {:#x}",
            flags & !NPY_PUT_KNOWN_FLAGS
        );
    }
    Ok(PutOptions {
        fsync: flags & NPY_PUT_FSYNC != 0,
        overwrite: flags & NPY_PUT_OVERWRITE != 0,
    })
}

/// numpy's `NPY_MAXDIMS`, the format layer's limit: no array numpy can load has more
/// dimensions.
pub(crate) use crate::format::MAX_NDIM;

/// Parse a dtype and a shape given by C callers. A shape of more than `max_ndim`
/// dimensions is refused (NPY_ERR_SHAPE) before `shape` is read.
///
/// # Safety
/// `dtype` is NUL-terminated; `shape` is valid for `ndim` reads.
pub(crate) unsafe fn dtype_and_shape(
    dtype: *const c_char,
    shape: *const u64,
    ndim: usize,
    max_ndim: usize,
) -> Result<(Dtype, Vec<u64>)> {
    if ndim > max_ndim {
        bail!(
            Shape,
            "{ndim} dimensions given, at most {max_ndim} allowed (numpy loads at most \
             {MAX_NDIM})"
        );
    }
    let dtype = Dtype::parse(str_arg(dtype, "dtype")?)?;
    let shape = array_arg(shape, ndim, "shape")?.to_vec();
    Ok((dtype, shape))
}

/// What `npy_put` and `npy_writer_open` both take, checked.
pub(crate) struct WriteArgs<'a> {
    pub store: &'a Store,
    pub target: &'a Target,
    pub dtype: Dtype,
    pub shape: Vec<u64>,
    /// The data is column-major (NPY_ORDER_FORTRAN).
    pub fortran: bool,
    pub options: PutOptions,
}

/// Check the arguments `npy_put` and `npy_writer_open` share; `shape` has at most
/// `max_ndim` dimensions.
///
/// # Safety
/// Handles are NULL or live; `dtype` is NUL-terminated; `shape` is valid for `ndim` reads.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn write_args<'a>(
    store: *const npy_store,
    target: *const npy_target,
    dtype: *const c_char,
    shape: *const u64,
    ndim: usize,
    order: npy_order,
    flags: u32,
    max_ndim: usize,
) -> Result<WriteArgs<'a>> {
    let store = &handle(store, "store")?.inner;
    let target = &handle(target, "target")?.inner;
    let (dtype, shape) = dtype_and_shape(dtype, shape, ndim, max_ndim)?;
    Ok(WriteArgs {
        store,
        target,
        dtype,
        shape,
        fortran: data_order_is_fortran(order)?,
        options: put_options(flags)?,
    })
}

/// ---- Put -----------------------------------------------------------------------
/// Write one array at a target, atomically.
///
/// Write an array as a numpy-exact `.npy` object at `target`, atomically, and return
/// a reference to it in `*out` (free with `npy_ref_free`).
///
/// `data`/`nbytes`: the array bytes; `nbytes` must equal itemsize x product(shape),
/// else NPY_ERR_LENGTH and nothing is written. An empty array (an axis of 0) has
/// `nbytes` 0 and `data` may then be NULL (it is not read). `dtype`: a numpy descr
/// (`<f8`, `|b1`, `[('x', '<f8'), ('y', '<i4')]`) or numpy's `str(dtype)` (`float64`,
/// `bool`, `datetime64[ns]`). `shape`/`ndim`: numpy order; `ndim` 0 is a 0-d array
/// (`shape` may be NULL); at most 64 dimensions (numpy's limit), else NPY_ERR_SHAPE
/// and nothing is written. `order`: NPY_ORDER_C or NPY_ORDER_FORTRAN, the order of
/// `data`. The header is numpy's, however long: over 10,000 bytes (structured dtypes
/// of about 600 fields or more) `np.load` needs `max_header_size` raised or
/// `allow_pickle=True`; over 1 MiB, which npystore would not read back, it is
/// NPY_ERR_DTYPE and nothing is written.
/// `flags`: 0 or NPY_PUT_FSYNC | NPY_PUT_OVERWRITE. A schema target never overwrites
/// (each put gets a fresh random token); a path target that exists is
/// NPY_ERR_ALREADY_EXISTS unless NPY_PUT_OVERWRITE is given.
///
/// # Safety
/// Handles are live; `data` is valid for `nbytes` reads; `shape` for `ndim` reads;
/// `dtype` is NUL-terminated; `out` is valid for a write.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn npy_put(
    store: *const npy_store,
    target: *const npy_target,
    data: *const c_void,
    nbytes: u64,
    dtype: *const c_char,
    shape: *const u64,
    ndim: usize,
    order: npy_order,
    flags: u32,
    out: *mut *mut npy_ref,
) -> npy_status {
    guard(|| {
        new_handle(out, || {
            let args = write_args(store, target, dtype, shape, ndim, order, flags, MAX_NDIM)?;
            let data = bytes_arg(data.cast(), nbytes, "data")?;
            let array = ArrayData {
                data,
                dtype: args.dtype,
                shape: args.shape,
                fortran_order: args.fortran,
            };
            let written = args.store.put(&array, args.target, args.options)?;
            Ok(npy_ref::new(written))
        })
    })
}
