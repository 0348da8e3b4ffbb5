//! Reading data through an `npy_ref`: into library memory (`npy_array`), into a
//! caller's buffer (with or without progress), or as a range of rows or a slice of
//! any axes (memory maps:
//! `mapping`; many references at once: `bulk`).

use super::boundary::{
    array_arg, bytes_mut_arg, free_handle, guard, guard_void, handle, handle_mut, new_handle,
    set_outs,
};
use super::order::{load_order, npy_order};
use super::progress::{npy_progress_fn, Progress};
use super::reference::npy_ref;
use super::status::npy_status;
use crate::error::Result;
use std::ffi::c_void;

/// Array data loaded into library-owned memory. Free with `npy_array_free`.
pub struct npy_array {
    data: Vec<u8>,
}

/// ---- Load ----------------------------------------------------------------------
/// A reference's data into library memory (`npy_array`), into a caller's buffer (with
/// or without progress), or as a range of rows.
///
/// Load the whole array into library memory, in `order` (NPY_ORDER_C,
/// NPY_ORDER_FORTRAN or NPY_ORDER_AS_STORED). Read the bytes with `npy_array_data`.
///
/// # Safety
/// `r` is a live handle; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn npy_ref_load(
    r: *const npy_ref,
    order: npy_order,
    out: *mut *mut npy_array,
) -> npy_status {
    guard(|| {
        new_handle(out, || {
            let data = handle(r, "ref")?.inner.load(load_order(order)?)?;
            Ok(npy_array { data })
        })
    })
}

/// The bytes of a loaded array. The memory belongs to the array handle; it may be
/// modified. `*data` is never NULL on success; for an array of 0 bytes it is a
/// placeholder that must not be read or written.
///
/// # Safety
/// `array` is a live handle; `data` and `nbytes` are valid for writes.
#[no_mangle]
pub unsafe extern "C" fn npy_array_data(
    array: *mut npy_array,
    data: *mut *mut c_void,
    nbytes: *mut u64,
) -> npy_status {
    guard(|| {
        set_outs((data, "data"), (nbytes, "nbytes"), || {
            let array = &mut handle_mut(array, "array")?.data;
            Ok((array.as_mut_ptr().cast(), array.len() as u64))
        })
    })
}

/// Free a loaded array (NULL is a no-op).
///
/// # Safety
/// `array` is NULL or an unfreed handle.
#[no_mangle]
pub unsafe extern "C" fn npy_array_free(array: *mut npy_array) {
    guard_void(|| free_handle(array));
}

/// Load the whole array into the caller's buffer `buf` of `buf_len` bytes, which must
/// equal `npy_ref_nbytes` (else NPY_ERR_LENGTH), converting to `order` on the way.
/// For an array of 0 bytes `buf` may be NULL; the header is still read and checked.
///
/// # Safety
/// `r` is a live handle; `buf` is valid for `buf_len` writes.
#[no_mangle]
pub unsafe extern "C" fn npy_ref_load_into(
    r: *const npy_ref,
    buf: *mut c_void,
    buf_len: u64,
    order: npy_order,
) -> npy_status {
    guard(|| load_into(r, buf, buf_len, order, Progress::NONE))
}

/// Load the whole array into `buf` (`buf_len` == `npy_ref_nbytes`), like
/// `npy_ref_load_into`, reporting progress to `progress` (may be NULL) with
/// `user_data`. See `npy_progress_fn` for when and where it is called.
///
/// # Safety
/// `r` is a live handle; `buf` is valid for `buf_len` writes; `progress` is NULL or
/// callable with `user_data` for the duration of the call.
#[no_mangle]
pub unsafe extern "C" fn npy_ref_load_into_progress(
    r: *const npy_ref,
    buf: *mut c_void,
    buf_len: u64,
    order: npy_order,
    progress: npy_progress_fn,
    user_data: *mut c_void,
) -> npy_status {
    guard(|| load_into(r, buf, buf_len, order, Progress::new(progress, user_data)))
}

/// The body of `npy_ref_load_into_progress` (and of `npy_ref_load_into`, with
/// [`Progress::NONE`]).
///
/// # Safety
/// As `npy_ref_load_into_progress`.
unsafe fn load_into(
    r: *const npy_ref,
    buf: *mut c_void,
    len: u64,
    order: npy_order,
    progress: Progress,
) -> Result<()> {
    let r = &handle(r, "ref")?.inner;
    let order = load_order(order)?;
    let buf = bytes_mut_arg(buf.cast(), len, "buf")?;
    progress.run(r.nbytes(), |t| r.load_into_counted(buf, order, Some(t)))
}

/// Read rows `first .. first+count` of the first axis into `buf` (`buf_len` must be
/// `count` x the bytes of one row), laid out as the array `a[first:first+count]` in
/// `order`. Only those bytes are read from the store. When that is 0 bytes (`count`
/// 0, or empty rows) `buf` may be NULL.
///
/// # Safety
/// `r` is a live handle; `buf` is valid for `buf_len` writes.
#[no_mangle]
pub unsafe extern "C" fn npy_ref_read_rows(
    r: *const npy_ref,
    first: u64,
    count: u64,
    buf: *mut c_void,
    buf_len: u64,
    order: npy_order,
) -> npy_status {
    guard(|| {
        let r = handle(r, "ref")?;
        let order = load_order(order)?;
        r.inner.read_rows(
            first,
            count,
            bytes_mut_arg(buf.cast(), buf_len, "buf")?,
            order,
        )
    })
}

/// Read the hyperslab `a[start[0]:start[0]+count[0], ..., start[n-1]:start[n-1]+count[n-1]]`
/// (`ndim` must equal `npy_ref_ndim`; one start and one count per axis, in numpy's
/// axis order, 0-based) into `buf`, laid out as that array in `order`
/// (NPY_ORDER_AS_STORED: the object's own order, `npy_ref_fortran_order`). `buf_cap`
/// must be at least the slice's bytes, `npy_ref_itemsize` x the product of `count`
/// (else NPY_ERR_LENGTH); only those first bytes are written.
///
/// Only the byte runs the slice covers are read, and runs at most the store's merge
/// gap apart (`npy_store_set_merge_gap`) as one read: on a file store one `pread` per
/// merged run (at least 64 runs at most the gap apart on average are copied out of a
/// read-only map of their span instead); on an object store one ranged GET per merged run (at most the part
/// size), several in flight at once, all of one version of the object. A time window
/// of a channels x samples recording stored in Fortran order is one run, one read.
/// `npy_ref_read_rows(r, first, n, ...)` is this call with
/// `start = {first, 0, ...}` and `count = {n, <the other axes whole>}`.
///
/// A slice with a count of 0 reads nothing and returns NPY_OK (`buf` may be NULL).
/// Errors, with nothing read: NPY_ERR_INVALID_ARGUMENT for an `ndim` other than
/// the array's, a NULL `start` or `count` (when `ndim` > 0), a NULL `buf` with a
/// `buf_cap` above 0, a slice past an axis's end, or a start plus count that
/// overflows; NPY_ERR_LENGTH for a `buf_cap` below the slice's bytes.
///
/// # Safety
/// `r` is a live handle; `start` and `count` are NULL or valid for `ndim` reads; `buf`
/// is valid for `buf_cap` writes.
#[no_mangle]
pub unsafe extern "C" fn npy_ref_read_slice(
    r: *const npy_ref,
    ndim: usize,
    start: *const u64,
    count: *const u64,
    buf: *mut c_void,
    buf_cap: u64,
    order: npy_order,
) -> npy_status {
    guard(|| {
        read_slice(
            r,
            Slice(ndim, start, count),
            buf,
            buf_cap,
            order,
            Progress::NONE,
        )
    })
}

/// `npy_ref_read_slice`, reporting progress to `progress` (may be NULL) with
/// `user_data`; `total` is the slice's bytes (bytes that merged reads bring between
/// its runs count too, up to that total). See `npy_progress_fn` for when and where it
/// is called. A callback that cancels stops the read with NPY_ERR_CANCELLED, `buf`
/// then partly written.
///
/// # Safety
/// As `npy_ref_read_slice`; `progress` is NULL or callable with `user_data` for the
/// duration of the call.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn npy_ref_read_slice_progress(
    r: *const npy_ref,
    ndim: usize,
    start: *const u64,
    count: *const u64,
    buf: *mut c_void,
    buf_cap: u64,
    order: npy_order,
    progress: npy_progress_fn,
    user_data: *mut c_void,
) -> npy_status {
    guard(|| {
        let progress = Progress::new(progress, user_data);
        read_slice(r, Slice(ndim, start, count), buf, buf_cap, order, progress)
    })
}

/// A slice as the C calls take it: `ndim`, and `start` and `count` arrays of that length.
#[derive(Clone, Copy)]
struct Slice(usize, *const u64, *const u64);

/// The body of `npy_ref_read_slice_progress` (and of `npy_ref_read_slice`, with
/// [`Progress::NONE`]).
///
/// # Safety
/// As `npy_ref_read_slice_progress`.
unsafe fn read_slice(
    r: *const npy_ref,
    Slice(ndim, start, count): Slice,
    buf: *mut c_void,
    buf_cap: u64,
    order: npy_order,
    progress: Progress,
) -> Result<()> {
    let r = &handle(r, "ref")?.inner;
    let order = load_order(order)?;
    let start = array_arg(start, ndim, "start")?;
    let count = array_arg(count, ndim, "count")?;
    let buf = bytes_mut_arg(buf.cast(), buf_cap, "buf")?;
    let total = count
        .iter()
        .fold(r.itemsize(), |bytes, &c| bytes.saturating_mul(c));
    progress.run(total, |t| {
        r.read_slice_counted(start, count, buf, order, Some(t))
    })
}
