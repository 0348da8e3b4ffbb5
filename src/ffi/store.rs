//! `npy_store`: opening a configured store, and whole-object calls on it.

use super::boundary::{
    free_handle, guard, guard_void, handle, new_handle, opt_str_arg, set_out, str_arg,
};
use super::status::npy_status;
use crate::store::Store;
use std::ffi::{c_char, CString};

/// An open store. Thread-safe: one handle may be used from many threads at once.
pub struct npy_store {
    pub(crate) inner: Store,
    name: CString,
}

impl npy_store {
    fn new(inner: Store) -> npy_store {
        let name = CString::new(inner.name()).unwrap_or_default();
        npy_store { inner, name }
    }
}

/// ---- Store ---------------------------------------------------------------------
/// `npy_store`: open a configured store; whole-object calls on it.
///
/// Open a store.
///
/// `config`: NULL discovers `datajoint.json` the way DataJoint does (current directory
/// and its parents, `DJ_STORES`, `DJ_IGNORE_CONFIG_FILE`, `.secrets/`,
/// `/run/secrets/datajoint/`); text starting with `{` is the JSON itself; anything
/// else is the path of a JSON file. `store_name`: NULL or "" selects `stores.default`.
/// On success `*out` holds a handle to free with `npy_store_free`.
/// Errors: NPY_ERR_CONFIG (malformed/invalid), NPY_ERR_STORE_NOT_CONFIGURED,
/// NPY_ERR_NOT_FOUND (file store location missing).
///
/// # Safety
/// String arguments are NULL or NUL-terminated; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn npy_store_open(
    config: *const c_char,
    store_name: *const c_char,
    out: *mut *mut npy_store,
) -> npy_status {
    guard(|| {
        new_handle(out, || {
            let config = opt_str_arg(config, "config")?;
            let name = opt_str_arg(store_name, "store_name")?;
            Ok(npy_store::new(Store::open(config, name)?))
        })
    })
}

/// Free a store handle (NULL is a no-op). References and writers made from it stay
/// valid: they hold their own share of the store.
///
/// # Safety
/// `store` is NULL or an unfreed handle from `npy_store_open`.
#[no_mangle]
pub unsafe extern "C" fn npy_store_free(store: *mut npy_store) {
    guard_void(|| free_handle(store));
}

/// The store's configured name (borrowed from the handle).
///
/// # Safety
/// `store` is a live handle; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn npy_store_name(
    store: *const npy_store,
    out: *mut *const c_char,
) -> npy_status {
    guard(|| set_out(out, "out", || Ok(handle(store, "store")?.name.as_ptr())))
}

/// Whether an object exists at the store-relative `path`.
///
/// # Safety
/// `store` is a live handle; `path` is NUL-terminated; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn npy_store_exists(
    store: *const npy_store,
    path: *const c_char,
    out: *mut bool,
) -> npy_status {
    guard(|| {
        set_out(out, "out", || {
            handle(store, "store")?.inner.exists(str_arg(path, "path")?)
        })
    })
}

/// Delete the object at the store-relative `path` (NPY_ERR_NOT_FOUND if absent).
///
/// # Safety
/// `store` is a live handle; `path` is NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn npy_store_delete(
    store: *const npy_store,
    path: *const c_char,
) -> npy_status {
    guard(|| handle(store, "store")?.inner.delete(str_arg(path, "path")?))
}

/// The store's merge gap in `*out`: byte runs of one partial read
/// (`npy_ref_read_slice`, `npy_ref_read_rows`) at most this many bytes apart are
/// fetched by one read, the bytes between them read and dropped. A store starts with
/// its `merge_gap_bytes` setting (docs/config.md), else 8 KiB (file stores) or
/// 256 KiB (object stores).
///
/// # Safety
/// `store` is a live handle; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn npy_store_merge_gap(store: *const npy_store, out: *mut u64) -> npy_status {
    guard(|| set_out(out, "out", || Ok(handle(store, "store")?.inner.merge_gap())))
}

/// Set the store's merge gap (`npy_store_merge_gap`) to `bytes`, for this handle,
/// the references made from it and the reads that start after the call. 0 merges
/// only runs that touch; a larger gap makes fewer reads of a few more bytes.
///
/// # Safety
/// `store` is a live handle.
#[no_mangle]
pub unsafe extern "C" fn npy_store_set_merge_gap(
    store: *const npy_store,
    bytes: u64,
) -> npy_status {
    guard(|| {
        handle(store, "store")?.inner.set_merge_gap(bytes);
        Ok(())
    })
}
