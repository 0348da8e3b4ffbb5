//! Reading data through an `npy_ref`: into library memory (`npy_array`), into a
//! caller's buffer, as a range of rows, or as a memory map (`npy_mapping`).

use super::boundary::{
    bytes_mut_arg, free_handle, guard, guard_void, handle, handle_mut, into_handle, out_arg,
};
use super::bulk::load_mmap;
use super::put::{load_order, npy_order};
use super::reference::npy_ref;
use super::status::npy_status;
use crate::Mapping;
use std::ffi::{c_char, c_void, CString};
use std::os::unix::ffi::OsStrExt;

/// Array data loaded into library-owned memory. Free with `npy_array_free`.
pub struct npy_array {
    data: Vec<u8>,
}

/// A memory map of a stored object. The data pointer stays valid until
/// `npy_mapping_free`. Writes through an "r+" map change the stored file.
pub struct npy_mapping {
    pub(crate) inner: Mapping,
    path: CString,
}

impl npy_mapping {
    /// A handle for `inner`, remembering the mapped file's name for `npy_mapping_path`.
    pub(crate) fn new(inner: Mapping) -> npy_mapping {
        let path = CString::new(inner.file_path().as_os_str().as_bytes()).unwrap_or_default();
        npy_mapping { inner, path }
    }
}

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
        let out = out_arg(out, "out")?;
        let r = handle(r, "ref")?;
        let data = r.inner.load(load_order(order)?)?;
        *out = into_handle(npy_array { data });
        Ok(())
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
        let data = out_arg(data, "data")?;
        let nbytes = out_arg(nbytes, "nbytes")?;
        let array = handle_mut(array, "array")?;
        *data = array.data.as_mut_ptr().cast();
        *nbytes = array.data.len() as u64;
        Ok(())
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
    guard(|| {
        let r = handle(r, "ref")?;
        let order = load_order(order)?;
        r.inner
            .load_into(bytes_mut_arg(buf.cast(), buf_len, "buf")?, order)
    })
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

/// Memory-map the stored array with numpy's `mode`: "r" (read-only), "r+" (writes go
/// to the stored file), "c" (copy-on-write). File stores map the stored file itself.
/// On success `*out` holds the mapping; `data`, `nbytes` and `offset` (each may be
/// NULL) receive the data pointer, its byte length and its offset in the file. The
/// header is checked against the reference's metadata first. Remote stores (S3, GCS,
/// Azure) map a local copy from the cache (`cache_dir`), downloaded when missing or
/// stale (size or ETag changed); "r+" is refused there (NPY_ERR_UNSUPPORTED), since
/// writes to the copy would never reach the store. For an empty array `*nbytes` is 0
/// and `*data` points just past the header (offset `*offset` in the mapped file): not
/// NULL, and not to be read or written.
///
/// # Safety
/// `r` is a live handle; `mode` is NUL-terminated; the out pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn npy_ref_load_mmap(
    r: *const npy_ref,
    mode: *const c_char,
    out: *mut *mut npy_mapping,
    data: *mut *mut c_void,
    nbytes: *mut u64,
    offset: *mut u64,
) -> npy_status {
    guard(|| {
        let no_progress = None;
        let user_data = std::ptr::null_mut();
        load_mmap(r, mode, no_progress, user_data, out, data, nbytes, offset)
    })
}

pub(crate) unsafe fn write_mapping_info(
    mapping: &npy_mapping,
    data: *mut *mut c_void,
    nbytes: *mut u64,
    offset: *mut u64,
) {
    if let Some(data) = data.as_mut() {
        *data = mapping.inner.as_slice().as_ptr() as *mut c_void;
    }
    if let Some(nbytes) = nbytes.as_mut() {
        *nbytes = mapping.inner.len();
    }
    if let Some(offset) = offset.as_mut() {
        *offset = mapping.inner.offset();
    }
}

/// The data pointer, byte length and file offset of a mapping (each out may be NULL).
///
/// # Safety
/// `mapping` is a live handle; the out pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn npy_mapping_data(
    mapping: *const npy_mapping,
    data: *mut *mut c_void,
    nbytes: *mut u64,
    offset: *mut u64,
) -> npy_status {
    guard(|| {
        write_mapping_info(handle(mapping, "mapping")?, data, nbytes, offset);
        Ok(())
    })
}

/// The local file a mapping maps (the stored object itself on a file store; for
/// remote stores the cache copy), e.g. for MATLAB's `memmapfile`: the name the kernel
/// resolved for the mapped file when it was mapped (absolute, no symbolic link in
/// it), not `<location>/<path>`. Each call checks that the name still leads to the
/// mapped file (same device and inode) and fails with NPY_ERR_MISMATCH when it was
/// replaced or a directory on the way was swapped for a link: whoever reopens the
/// file by name calls it again afterwards, with the mapping still alive, to know it
/// reopened the checked file. Borrowed from the mapping.
///
/// # Safety
/// `mapping` is a live handle; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn npy_mapping_path(
    mapping: *const npy_mapping,
    out: *mut *const c_char,
) -> npy_status {
    guard(|| {
        let out = out_arg(out, "out")?;
        let mapping = handle(mapping, "mapping")?;
        mapping.inner.verified_file_path()?;
        *out = mapping.path.as_ptr();
        Ok(())
    })
}

/// Unmap and free a mapping (NULL is a no-op).
///
/// # Safety
/// `mapping` is NULL or an unfreed handle.
#[no_mangle]
pub unsafe extern "C" fn npy_mapping_free(mapping: *mut npy_mapping) {
    guard_void(|| free_handle(mapping));
}
