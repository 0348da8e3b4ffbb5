//! Library-wide calls: version, status names, the last error message.

use super::boundary::{guard_or, with_last_error};
use crate::error::ErrorKind;
use std::ffi::c_char;

// The version macros are for C alone (cbindgen writes them into the header); in Rust
// only the test below reads them, against Cargo.toml.

/// Major version of this header; equals the library's `npy_version()` major part.
#[allow(dead_code)]
pub const NPYSTORE_VERSION_MAJOR: u32 = 0;
/// Minor version of this header.
#[allow(dead_code)]
pub const NPYSTORE_VERSION_MINOR: u32 = 1;
/// Patch version of this header.
#[allow(dead_code)]
pub const NPYSTORE_VERSION_PATCH: u32 = 0;

static VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

/// ---- Library -------------------------------------------------------------------
/// Version, the last error, status names.
///
/// The library's version, e.g. "0.1.0" (static storage, never free it).
/// Compare with `NPYSTORE_VERSION_*` to detect a header/library mismatch.
#[no_mangle]
pub extern "C" fn npy_version() -> *const c_char {
    guard_or(c"".as_ptr(), || VERSION.as_ptr().cast())
}

/// The message of the last failed call on this thread ("" if none failed yet).
/// Successful calls leave it unchanged. Valid until the next failing call on the
/// same thread; copy it to keep it.
#[no_mangle]
pub extern "C" fn npy_last_error() -> *const c_char {
    // The thread-local CString is replaced only by a later failure on this thread.
    guard_or(c"".as_ptr(), || with_last_error(|msg| msg.as_ptr()))
}

/// Copy the last error message of this thread into `buf` (capacity `cap` bytes,
/// always NUL-terminated when `cap > 0`, truncated if needed). Returns the full
/// message length without the NUL, like `snprintf`; `buf` may be NULL when `cap` is 0.
///
/// # Safety
/// `buf` is NULL or valid for writes of `cap` bytes.
#[no_mangle]
pub unsafe extern "C" fn npy_last_error_copy(buf: *mut c_char, cap: usize) -> usize {
    guard_or(0, || {
        with_last_error(|msg| {
            let bytes = msg.to_bytes();
            if !buf.is_null() && cap > 0 {
                let n = bytes.len().min(cap - 1);
                std::ptr::copy_nonoverlapping(bytes.as_ptr(), buf.cast::<u8>(), n);
                *buf.add(n) = 0;
            }
            bytes.len()
        })
    })
}

/// A stable lower-case name for a status value, e.g. "not_found" for
/// `NPY_ERR_NOT_FOUND` and "ok" for `NPY_OK` (static storage); "unknown" otherwise.
/// The MATLAB binding uses it in its error identifiers.
#[no_mangle]
pub extern "C" fn npy_status_name(status: i32) -> *const c_char {
    guard_or(c"unknown".as_ptr(), || {
        let name = match status {
            0 => c"ok",
            _ => ErrorKind::ALL
                .iter()
                .find(|kind| **kind as i32 == status)
                .map_or(c"unknown", |kind| kind.c_name()),
        };
        name.as_ptr()
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn version_macros_agree_with_cargo() {
        let v =
            format!("{NPYSTORE_VERSION_MAJOR}.{NPYSTORE_VERSION_MINOR}.{NPYSTORE_VERSION_PATCH}");
        assert_eq!(v, env!("CARGO_PKG_VERSION"));
        let runtime = unsafe { CStr::from_ptr(npy_version()) }.to_str().unwrap();
        assert_eq!(runtime, v);
    }

    #[test]
    fn status_names() {
        let name = |s: i32| {
            unsafe { CStr::from_ptr(npy_status_name(s)) }
                .to_str()
                .unwrap()
        };
        assert_eq!(name(0), "ok");
        assert_eq!(name(11), "not_found");
        assert_eq!(name(99), "internal");
        assert_eq!(name(12345), "unknown");
    }
}
