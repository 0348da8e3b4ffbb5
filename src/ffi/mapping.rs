//! Memory maps of stored arrays (`npy_mapping`): made from an `npy_ref`, with or
//! without progress, then read for their data pointer and file, and freed.

use super::boundary::{free_handle, guard, guard_void, handle, into_handle, set_out, str_arg};
use super::progress::{npy_progress_fn, Progress};
use super::reference::npy_ref;
use super::status::npy_status;
use crate::error::{Error, ErrorKind, Result};
use crate::mapping::{MapMode, Mapping};
use std::ffi::{c_char, c_void, CString};
use std::path::Path;

/// A memory map of a stored object. The data pointer stays valid until
/// `npy_mapping_free`. Writes through an "r+" map change the stored file.
pub struct npy_mapping {
    pub(crate) inner: Mapping,
    /// The mapped file's name for C; `None` when it has none (see [`c_path`]).
    path: Option<CString>,
}

impl npy_mapping {
    /// A handle for `inner`, remembering the mapped file's name for `npy_mapping_path`.
    pub(crate) fn new(inner: Mapping) -> npy_mapping {
        let path = c_path(inner.file_path());
        npy_mapping { inner, path }
    }
}

/// `path` as C gets it on Unix: its bytes as they are (`None` only with a NUL in it,
/// which no file name has).
#[cfg(unix)]
fn c_path(path: &Path) -> Option<CString> {
    use std::os::unix::ffi::OsStrExt;
    CString::new(path.as_os_str().as_bytes()).ok()
}

/// `path` as C gets it elsewhere (Windows): UTF-8, like every string of the C API.
/// `None` for a name that is not valid Unicode (an unpaired surrogate): no UTF-8
/// string names that file, and a substitute character would name another one.
#[cfg(not(unix))]
fn c_path(path: &Path) -> Option<CString> {
    CString::new(path.to_str()?).ok()
}

/// ---- Mapping -------------------------------------------------------------------
/// `npy_mapping`: memory maps of stored arrays.
///
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
    guard(|| load_mmap(r, mode, Progress::NONE, out, MapOuts(data, nbytes, offset)))
}

/// `npy_ref_load_mmap` reporting the download of a remote object into the local
/// cache to `progress` (may be NULL; nothing is reported for file stores or for a
/// cached copy that is still valid).
///
/// # Safety
/// As `npy_ref_load_mmap`; `progress` is NULL or callable with `user_data` during
/// the call.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn npy_ref_load_mmap_progress(
    r: *const npy_ref,
    mode: *const c_char,
    progress: npy_progress_fn,
    user_data: *mut c_void,
    out: *mut *mut npy_mapping,
    data: *mut *mut c_void,
    nbytes: *mut u64,
    offset: *mut u64,
) -> npy_status {
    guard(|| {
        let progress = Progress::new(progress, user_data);
        load_mmap(r, mode, progress, out, MapOuts(data, nbytes, offset))
    })
}

/// `npy_ref_load_mmap_progress` (and `npy_ref_load_mmap`, without progress), inside
/// their guard.
///
/// # Safety
/// As `npy_ref_load_mmap_progress`.
unsafe fn load_mmap(
    r: *const npy_ref,
    mode: *const c_char,
    progress: Progress,
    out: *mut *mut npy_mapping,
    outs: MapOuts,
) -> Result<()> {
    set_out(out, "out", || {
        let r = &handle(r, "ref")?.inner;
        let mode = MapMode::parse(str_arg(mode, "mode")?)?;
        // A file store maps the stored file itself: nothing is transferred to report.
        let local = matches!(r.store().spec().kind, crate::config::StoreKind::File);
        let progress = if local { Progress::NONE } else { progress };
        let mapping = progress.run(r.nbytes(), |t| r.mmap_counted(mode, Some(t)))?;
        let mapping = into_handle(npy_mapping::new(mapping));
        outs.write(&*mapping);
        Ok(mapping)
    })
}

/// The optional out-parameters for a mapping's data pointer, byte length and file
/// offset (each may be NULL), as `npy_ref_load_mmap` and `npy_mapping_data` take them.
#[derive(Clone, Copy)]
struct MapOuts(*mut *mut c_void, *mut u64, *mut u64);

impl MapOuts {
    /// Write `mapping`'s values to the outs that are not NULL.
    ///
    /// # Safety
    /// Each out pointer is NULL or valid for a write.
    unsafe fn write(&self, mapping: &npy_mapping) {
        let MapOuts(data, nbytes, offset) = *self;
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
        MapOuts(data, nbytes, offset).write(handle(mapping, "mapping")?);
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
/// reopened the checked file. On Windows the name is UTF-8 without the `\\?\`
/// prefix when it fits in `MAX_PATH` (`C:\data\a.npy`, `\\server\share\a.npy`),
/// identity is the volume serial number and file index, and a name that is not valid
/// Unicode fails with NPY_ERR_PATH. Borrowed from the mapping.
///
/// # Safety
/// `mapping` is a live handle; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn npy_mapping_path(
    mapping: *const npy_mapping,
    out: *mut *const c_char,
) -> npy_status {
    guard(|| {
        set_out(out, "out", || {
            let mapping = handle(mapping, "mapping")?;
            let name = mapping.inner.verified_file_path()?;
            match &mapping.path {
                Some(path) => Ok(path.as_ptr()),
                None => Err(Error::new(
                    ErrorKind::Path,
                    format!(
                        "the mapped file's name {} is not valid Unicode, so no UTF-8 \
                         string names it",
                        name.display()
                    ),
                )),
            }
        })
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    /// Names reach C as the bytes (Unix) or the UTF-8 (Windows) of the name.
    #[test]
    fn names_for_c() {
        let name = if cfg!(windows) {
            r"C:\data\é.npy"
        } else {
            "/data/é.npy"
        };
        let c = c_path(Path::new(name)).unwrap();
        assert_eq!(c.to_bytes(), name.as_bytes());
    }

    /// A Windows name that is not valid Unicode has no UTF-8 form: no name, rather
    /// than one with U+FFFD that names another file.
    #[cfg(windows)]
    #[test]
    fn a_name_that_is_not_unicode_has_none() {
        use std::os::windows::ffi::OsStringExt;
        let bad = std::ffi::OsString::from_wide(&[0x43, 0x3a, 0x5c, 0xd800, 0x61]);
        assert_eq!(c_path(Path::new(&bad)), None);
    }
}
