//! `npy_ref`: lazy references — built from DataJoint JSON or a stored path — and
//! their metadata getters, none of which does I/O.

use super::boundary::{
    free_handle, guard, guard_void, handle, new_handle, set_out, set_outs, str_arg, OutDefault,
};
use super::status::npy_status;
use super::store::npy_store;
use crate::array_ref::ArrayRef;
use crate::error::Result;
use crate::store::Store;
use std::ffi::{c_char, CString};

/// A reference to a stored array. Thread-safe: a `const npy_ref *` may be used from
/// many threads at once. Strings it returns live as long as the handle.
pub struct npy_ref {
    pub(crate) inner: ArrayRef,
    json: CString,
    dtype: CString,
    descr: CString,
    path: CString,
    store: CString,
}

fn c_string(s: &str) -> CString {
    CString::new(s).unwrap_or_default()
}

impl npy_ref {
    pub(crate) fn new(inner: ArrayRef) -> npy_ref {
        npy_ref {
            json: c_string(inner.json()),
            dtype: c_string(inner.dtype_str()),
            descr: c_string(inner.descr()),
            path: c_string(inner.path()),
            store: c_string(inner.store_name()),
            inner,
        }
    }
}

/// ---- Ref -----------------------------------------------------------------------
/// `npy_ref`: a lazy reference to a stored array, and its metadata.
///
/// A reference from DataJoint's metadata JSON (`{"path", "store", "dtype", "shape"}`).
/// No I/O: the object is read (and its header checked against this JSON) on the
/// first load, map or row read. `"store": null`, or no `"store"` field, means the
/// store of `store` (the handle); `npy_ref_store` and `npy_ref_to_json` then give
/// that store's name. NPY_ERR_JSON for malformed JSON, NPY_ERR_DTYPE for an unknown
/// dtype, NPY_ERR_MISMATCH when the JSON names another store.
///
/// # Safety
/// `store` is a live handle; `json` is NUL-terminated; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn npy_ref_from_json(
    store: *const npy_store,
    json: *const c_char,
    out: *mut *mut npy_ref,
) -> npy_status {
    guard(|| new_ref(store, (json, "json"), Store::ref_from_json, out))
}

/// A reference to the object at a store-relative `path`; reads only its header.
///
/// Header limits: the header (the dict numpy writes before the data) may declare at
/// most 1 MiB (`MAX_HEADER_LEN`), else NPY_ERR_FORMAT before anything is allocated;
/// a shape of more than 64 dimensions is NPY_ERR_SHAPE (numpy cannot load it either).
/// numpy's own `np.load` refuses headers over 10,000 bytes (`max_header_size`; about
/// 600 structured fields) unless `max_header_size` is raised or `allow_pickle=True`
/// is given; npystore reads them up to its 1 MiB limit.
///
/// # Safety
/// `store` is a live handle; `path` is NUL-terminated; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn npy_ref_open(
    store: *const npy_store,
    path: *const c_char,
    out: *mut *mut npy_ref,
) -> npy_status {
    guard(|| new_ref(store, (path, "path"), Store::open_ref, out))
}

/// Free a reference (NULL is a no-op). Freeing twice is undefined behaviour.
///
/// # Safety
/// `r` is NULL or an unfreed handle.
#[no_mangle]
pub unsafe extern "C" fn npy_ref_free(r: *mut npy_ref) {
    guard_void(|| free_handle(r));
}

/// The body of `npy_ref_from_json` and `npy_ref_open`: reset `out`, then `make` a
/// reference on `store` from the string argument `arg` (pointer and name).
unsafe fn new_ref(
    store: *const npy_store,
    (arg, name): (*const c_char, &str),
    make: impl FnOnce(&Store, &str) -> Result<ArrayRef>,
    out: *mut *mut npy_ref,
) -> Result<()> {
    new_handle(out, || {
        let store = &handle(store, "store")?.inner;
        Ok(npy_ref::new(make(store, str_arg(arg, name)?)?))
    })
}

/// A getter's body: check `out` and `r`, then store what `get` returns.
unsafe fn get<T: OutDefault>(
    r: *const npy_ref,
    out: *mut T,
    get: impl FnOnce(&npy_ref) -> Result<T>,
) -> Result<()> {
    set_out(out, "out", || get(handle(r, "ref")?))
}

/// DataJoint's metadata JSON for this array, exactly as DataJoint writes it.
///
/// # Safety
/// `r` is a live handle; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn npy_ref_to_json(r: *const npy_ref, out: *mut *const c_char) -> npy_status {
    guard(|| get(r, out, |r| Ok(r.json.as_ptr())))
}

/// The shape (numpy order): `*shape` points at `*ndim` values owned by the handle
/// (NULL-safe to read when `*ndim` is 0).
///
/// # Safety
/// `r` is a live handle; `shape` and `ndim` are valid for writes.
#[no_mangle]
pub unsafe extern "C" fn npy_ref_shape(
    r: *const npy_ref,
    shape: *mut *const u64,
    ndim: *mut usize,
) -> npy_status {
    guard(|| {
        set_outs((shape, "shape"), (ndim, "ndim"), || {
            let r = &handle(r, "ref")?.inner;
            Ok((r.shape().as_ptr(), r.ndim()))
        })
    })
}

/// Number of dimensions (0 for a 0-d array).
///
/// # Safety
/// `r` is a live handle; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn npy_ref_ndim(r: *const npy_ref, out: *mut usize) -> npy_status {
    guard(|| get(r, out, |r| Ok(r.inner.ndim())))
}

/// Number of elements (1 for a 0-d array, 0 when an axis is empty).
///
/// # Safety
/// `r` is a live handle; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn npy_ref_size(r: *const npy_ref, out: *mut u64) -> npy_status {
    guard(|| get(r, out, |r| Ok(r.inner.size())))
}

/// Bytes of the array data (itemsize x size).
///
/// # Safety
/// `r` is a live handle; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn npy_ref_nbytes(r: *const npy_ref, out: *mut u64) -> npy_status {
    guard(|| get(r, out, |r| Ok(r.inner.nbytes())))
}

/// Bytes of one element.
///
/// # Safety
/// `r` is a live handle; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn npy_ref_itemsize(r: *const npy_ref, out: *mut u64) -> npy_status {
    guard(|| get(r, out, |r| Ok(r.inner.itemsize())))
}

/// numpy's `str(dtype)`: `float64`, `>i2`, `<U5`, `bool`, `[('x', '<f8'), ('y', '<i4')]`.
///
/// # Safety
/// `r` is a live handle; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn npy_ref_dtype(r: *const npy_ref, out: *mut *const c_char) -> npy_status {
    guard(|| get(r, out, |r| Ok(r.dtype.as_ptr())))
}

/// The dtype's descr as in `.npy` headers (a Python literal): `'<f8'`, `[('x', '<f8')]`.
///
/// # Safety
/// `r` is a live handle; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn npy_ref_descr(r: *const npy_ref, out: *mut *const c_char) -> npy_status {
    guard(|| get(r, out, |r| Ok(r.descr.as_ptr())))
}

/// The stored memory order: 1 Fortran, 0 C, -1 not known yet (a reference from JSON
/// before its first read: DataJoint's JSON does not record the order).
///
/// # Safety
/// `r` is a live handle; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn npy_ref_fortran_order(r: *const npy_ref, out: *mut i32) -> npy_status {
    guard(|| {
        get(r, out, |r| {
            Ok(r.inner.fortran_order().map_or(-1, i32::from))
        })
    })
}

/// Store-relative path of the object.
///
/// # Safety
/// `r` is a live handle; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn npy_ref_path(r: *const npy_ref, out: *mut *const c_char) -> npy_status {
    guard(|| get(r, out, |r| Ok(r.path.as_ptr())))
}

/// Name of the store the reference reads from.
///
/// # Safety
/// `r` is a live handle; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn npy_ref_store(r: *const npy_ref, out: *mut *const c_char) -> npy_status {
    guard(|| get(r, out, |r| Ok(r.store.as_ptr())))
}

/// Whether the stored header has been read and checked against the metadata (true
/// after `npy_ref_open`, a put, or any load, map or row read).
///
/// # Safety
/// `r` is a live handle; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn npy_ref_is_loaded(r: *const npy_ref, out: *mut bool) -> npy_status {
    guard(|| get(r, out, |r| Ok(r.inner.is_loaded())))
}

/// Read the stored header now (one small read) and check it against the reference's
/// metadata, if that has not happened yet. Afterwards `npy_ref_fortran_order` is 0 or
/// 1. NPY_ERR_MISMATCH, NPY_ERR_FORMAT or NPY_ERR_NOT_FOUND as for a load.
///
/// # Safety
/// `r` is a live handle.
#[no_mangle]
pub unsafe extern "C" fn npy_ref_read_header(r: *const npy_ref) -> npy_status {
    guard(|| handle(r, "ref")?.inner.stored_layout().map(drop))
}

/// Whether the object exists in the store.
///
/// # Safety
/// `r` is a live handle; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn npy_ref_exists(r: *const npy_ref, out: *mut bool) -> npy_status {
    guard(|| get(r, out, |r| r.inner.exists()))
}

/// Delete the object (NPY_ERR_NOT_FOUND if absent). The handle stays valid for its
/// metadata; free it as usual.
///
/// # Safety
/// `r` is a live handle.
#[no_mangle]
pub unsafe extern "C" fn npy_ref_delete(r: *const npy_ref) -> npy_status {
    guard(|| handle(r, "ref")?.inner.delete())
}
