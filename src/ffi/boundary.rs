//! The panic boundary, the thread-local last error, and argument checks shared by
//! every exported function. Nothing here knows about stores or arrays.

use super::status::npy_status;
use crate::{Error, ErrorKind, Result};
use std::cell::RefCell;
use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Record `message` as this thread's last error.
pub(crate) fn set_last_error(message: &str) {
    let text = CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    LAST_ERROR.with(|slot| *slot.borrow_mut() = text);
}

/// Run `body`, turning its error or panic into a status and the last-error message.
/// Every exported fallible function is one call to this.
pub(crate) fn guard(body: impl FnOnce() -> Result<()>) -> npy_status {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => npy_status::NPY_OK,
        Ok(Err(err)) => {
            set_last_error(err.message());
            err.kind().into()
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            set_last_error(&format!("internal error (please report): {what}"));
            npy_status::NPY_ERR_INTERNAL
        }
    }
}

/// Run a body that cannot report failure (the `*_free` functions): panics are caught
/// and dropped so they never unwind into C.
pub(crate) fn guard_void(body: impl FnOnce()) {
    let _ = catch_unwind(AssertUnwindSafe(body));
}

fn null(name: &str) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        format!("argument `{name}` is NULL"),
    )
}

/// A required C string argument as UTF-8.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string valid for the call.
pub(crate) unsafe fn str_arg<'a>(ptr: *const c_char, name: &str) -> Result<&'a str> {
    if ptr.is_null() {
        return Err(null(name));
    }
    CStr::from_ptr(ptr).to_str().map_err(|_| {
        Error::new(
            ErrorKind::InvalidArgument,
            format!("argument `{name}` is not valid UTF-8"),
        )
    })
}

/// An optional C string argument: NULL is `None`.
///
/// # Safety
/// As [`str_arg`].
pub(crate) unsafe fn opt_str_arg<'a>(ptr: *const c_char, name: &str) -> Result<Option<&'a str>> {
    if ptr.is_null() {
        Ok(None)
    } else {
        str_arg(ptr, name).map(Some)
    }
}

/// A required handle argument, borrowed for the call.
///
/// # Safety
/// `ptr` is NULL or a live handle of type `T` created by this library.
pub(crate) unsafe fn handle<'a, T>(ptr: *const T, name: &str) -> Result<&'a T> {
    ptr.as_ref().ok_or_else(|| null(name))
}

/// A required mutable handle argument, borrowed for the call.
///
/// # Safety
/// As [`handle`], and no other reference to it is live during the call.
pub(crate) unsafe fn handle_mut<'a, T>(ptr: *mut T, name: &str) -> Result<&'a mut T> {
    ptr.as_mut().ok_or_else(|| null(name))
}

/// A required out-parameter; reset to `T::default()` (NULL, 0) before any work so
/// callers never read garbage after a failure.
///
/// # Safety
/// `ptr` is NULL or valid for a write of `T`.
pub(crate) unsafe fn out_arg<'a, T: OutDefault>(ptr: *mut T, name: &str) -> Result<&'a mut T> {
    let out = ptr.as_mut().ok_or_else(|| null(name))?;
    *out = T::out_default();
    Ok(out)
}

/// The value an out-parameter holds after a failed call.
pub(crate) trait OutDefault {
    /// NULL for pointers, zero or false otherwise.
    fn out_default() -> Self;
}

impl<T> OutDefault for *mut T {
    fn out_default() -> Self {
        std::ptr::null_mut()
    }
}
impl<T> OutDefault for *const T {
    fn out_default() -> Self {
        std::ptr::null()
    }
}
impl OutDefault for u64 {
    fn out_default() -> Self {
        0
    }
}
impl OutDefault for usize {
    fn out_default() -> Self {
        0
    }
}
impl OutDefault for i32 {
    fn out_default() -> Self {
        0
    }
}
impl OutDefault for bool {
    fn out_default() -> Self {
        false
    }
}

/// A byte slice argument of `len` bytes; NULL is allowed only when `len` is 0.
///
/// # Safety
/// `ptr` is NULL or valid for reads of `len` bytes for the call.
pub(crate) unsafe fn bytes_arg<'a>(ptr: *const u8, len: u64, name: &str) -> Result<&'a [u8]> {
    let len = usize_len(len, name)?;
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(null(name));
    }
    Ok(std::slice::from_raw_parts(ptr, len))
}

/// A mutable byte slice argument of `len` bytes; NULL is allowed only when `len` is 0.
///
/// # Safety
/// `ptr` is NULL or valid for writes of `len` bytes, unaliased, for the call.
pub(crate) unsafe fn bytes_mut_arg<'a>(ptr: *mut u8, len: u64, name: &str) -> Result<&'a mut [u8]> {
    let len = usize_len(len, name)?;
    if len == 0 {
        return Ok(&mut []);
    }
    if ptr.is_null() {
        return Err(null(name));
    }
    Ok(std::slice::from_raw_parts_mut(ptr, len))
}

/// An array argument of `len` elements; NULL is allowed only when `len` is 0.
///
/// # Safety
/// `ptr` is NULL or valid for reads of `len` elements for the call.
pub(crate) unsafe fn array_arg<'a, T>(ptr: *const T, len: usize, name: &str) -> Result<&'a [T]> {
    if len == 0 {
        return Ok(&[]);
    }
    usize_len(
        (len as u64).saturating_mul(std::mem::size_of::<T>() as u64),
        name,
    )?;
    if ptr.is_null() {
        return Err(null(name));
    }
    Ok(std::slice::from_raw_parts(ptr, len))
}

/// A byte length as `usize`, refusing lengths no object can have: a slice longer
/// than `isize::MAX` bytes must never be formed, whatever the caller claims.
fn usize_len(len: u64, name: &str) -> Result<usize> {
    usize::try_from(len)
        .ok()
        .filter(|&n| n <= isize::MAX as usize)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Length,
                format!("length of `{name}` ({len}) exceeds the address space"),
            )
        })
}

/// Move `value` to the heap and hand C the owning pointer.
pub(crate) fn into_handle<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// Take back and drop a handle created by [`into_handle`]; NULL is a no-op.
///
/// # Safety
/// `ptr` is NULL or an unfreed handle from [`into_handle`] of the same type.
pub(crate) unsafe fn free_handle<T>(ptr: *mut T) {
    if !ptr.is_null() {
        guard_void(|| drop(Box::from_raw(ptr)));
    }
}

/// Call `f` with this thread's last error message.
pub(crate) fn with_last_error<R>(f: impl FnOnce(&CStr) -> R) -> R {
    LAST_ERROR.with(|slot| f(slot.borrow().as_c_str()))
}
