//! The panic boundary, the thread-local last error, and argument checks shared by
//! every exported function. Nothing here knows about stores or arrays.

use super::status::npy_status;
use crate::error::{bail, Error, ErrorKind, Result};
use std::cell::{Cell, RefCell};
use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
    /// How many guards this thread is inside (nested when an export calls another).
    static GUARD_DEPTH: Cell<u32> = const { Cell::new(0) };
    /// Where the panic being caught on this thread was raised, for its message.
    static PANIC_AT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Record `message` as this thread's last error (nothing once the thread's locals are
/// gone, as in a thread-exit destructor).
pub(crate) fn set_last_error(message: &str) {
    let text = CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    let _ = LAST_ERROR.try_with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            *slot = text;
        }
    });
}

/// Run `body`, turning its error or panic into a status and the last-error message.
/// Every exported fallible function is exactly one call to this, with the raw C
/// arguments checked inside `body`: nothing runs outside the boundary.
pub(crate) fn guard(body: impl FnOnce() -> Result<()>) -> npy_status {
    match catch_unwind(AssertUnwindSafe(|| inside(body))) {
        Ok(Ok(())) => npy_status::NPY_OK,
        Ok(Err(err)) => {
            set_last_error(err.message());
            err.kind().into()
        }
        Err(panic) => {
            let mut what = panic_message(panic);
            if let Some(at) = PANIC_AT.try_with(|p| p.take()).ok().flatten() {
                what = format!("{what} at {at}");
            }
            set_last_error(&format!("internal error (please report): {what}"));
            npy_status::NPY_ERR_INTERNAL
        }
    }
}

/// Run a body that cannot report failure (the `*_free` functions): panics are caught
/// and dropped so they never unwind into C.
pub(crate) fn guard_void(body: impl FnOnce()) {
    guard_or((), body);
}

/// Run a body that returns a value and no status (`npy_version`, `npy_last_error`,
/// `npy_status_name`): a panic gives `fallback` and leaves the last error as it was.
pub(crate) fn guard_or<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(|| inside(body))) {
        Ok(value) => value,
        Err(panic) => {
            drop(panic_message(panic));
            fallback
        }
    }
}

/// Run `f` marked as inside npystore: its panics print nothing (see [`quiet_panics`]).
/// The guards run their bodies in it; npystore's own threads are marked by
/// [`crate::worker`].
fn inside<R>(f: impl FnOnce() -> R) -> R {
    quiet_panics();
    struct Depth;
    impl Drop for Depth {
        fn drop(&mut self) {
            let _ = GUARD_DEPTH.try_with(|d| d.set(d.get().saturating_sub(1)));
        }
    }
    let _ = GUARD_DEPTH.try_with(|d| d.set(d.get().saturating_add(1)));
    let _depth = Depth;
    f()
}

/// Run `f` (a caller's callback) as outside npystore, so that a panic in the host's
/// own code reaches the host's panic hook as usual.
pub(crate) fn outside<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(u32);
    impl Drop for Restore {
        fn drop(&mut self) {
            let _ = GUARD_DEPTH.try_with(|d| d.set(self.0));
        }
    }
    let _restore = Restore(GUARD_DEPTH.try_with(|d| d.replace(0)).unwrap_or(0));
    f()
}

/// The text of a caught panic; the payload is dropped inside a boundary of its own,
/// since a payload's destructor may panic too.
fn panic_message(panic: Box<dyn std::any::Any + Send>) -> String {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    if let Err(inner) = catch_unwind(AssertUnwindSafe(|| drop(panic))) {
        std::mem::forget(inner);
    }
    what
}

/// Install, once per process, a panic hook that prints nothing for panics npystore
/// catches: on a thread inside a guard, or on one of npystore's own threads
/// ([`crate::worker`]: their panics come back to the calling thread's guard). Their
/// message goes to
/// `npy_last_error` instead. Every other panic goes to the hook that was installed
/// before, so a Rust host keeps its own hook; a hook the host installs later
/// replaces this one.
fn quiet_panics() {
    static INSTALL: Once = Once::new();
    // Changing the hook while panicking would panic, and poison `INSTALL` for good.
    if std::thread::panicking() {
        return;
    }
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_guard = GUARD_DEPTH.try_with(|d| d.get() > 0).unwrap_or(false);
            if in_guard {
                let at = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()));
                let _ = PANIC_AT.try_with(|p| p.replace(at));
            } else if !crate::worker::is_worker() {
                previous(info);
            }
        }));
    });
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

/// The body of an export with one out-parameter: reset `*out` (named `name`) before
/// any work, as [`out_arg`] does, then store what `value` returns. On an error `*out`
/// stays reset.
///
/// # Safety
/// As [`out_arg`].
pub(crate) unsafe fn set_out<T: OutDefault>(
    out: *mut T,
    name: &str,
    value: impl FnOnce() -> Result<T>,
) -> Result<()> {
    let out = out_arg(out, name)?;
    *out = value()?;
    Ok(())
}

/// [`set_out`] for an export with two out-parameters, `a` and `b`, both reset before
/// any work (`a` first).
///
/// # Safety
/// As [`out_arg`], for both.
pub(crate) unsafe fn set_outs<A: OutDefault, B: OutDefault>(
    (a, a_name): (*mut A, &str),
    (b, b_name): (*mut B, &str),
    values: impl FnOnce() -> Result<(A, B)>,
) -> Result<()> {
    let a = out_arg(a, a_name)?;
    let b = out_arg(b, b_name)?;
    (*a, *b) = values()?;
    Ok(())
}

/// The body of an export that makes a handle: reset the out-parameter `out` to NULL
/// before any work, then `make` the value (checking the other arguments) and hand C
/// the owning pointer. On an error `*out` stays NULL and nothing is allocated.
///
/// # Safety
/// As [`out_arg`].
pub(crate) unsafe fn new_handle<T>(
    out: *mut *mut T,
    make: impl FnOnce() -> Result<T>,
) -> Result<()> {
    set_out(out, "out", || make().map(into_handle))
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
    count_arg::<T>(len, name)?;
    if len == 0 {
        return Ok(&[]);
    }
    Ok(std::slice::from_raw_parts(aligned(ptr, name)?, len))
}

/// An optional mutable array argument of `len` elements: NULL is an empty slice.
///
/// # Safety
/// `ptr` is NULL or valid for writes of `len` elements, unaliased, for the call.
pub(crate) unsafe fn opt_array_mut_arg<'a, T>(
    ptr: *mut T,
    len: usize,
    name: &str,
) -> Result<&'a mut [T]> {
    count_arg::<T>(len, name)?;
    if len == 0 || ptr.is_null() {
        return Ok(&mut []);
    }
    Ok(std::slice::from_raw_parts_mut(aligned(ptr, name)?, len))
}

/// Refuse a count of `T`s that no array can hold (over `isize::MAX` bytes), before
/// any slice is formed or anything is allocated for it.
pub(crate) fn count_arg<T>(len: usize, name: &str) -> Result<usize> {
    len.checked_mul(std::mem::size_of::<T>())
        .filter(|&bytes| bytes <= isize::MAX as usize)
        .map(|_| len)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Length,
                format!("`{name}` of {len} elements exceeds the address space"),
            )
        })
}

/// A non-NULL pointer aligned for `T`, as a slice needs.
fn aligned<P: RawPtr>(ptr: P, name: &str) -> Result<P> {
    if ptr.is_null() {
        return Err(null(name));
    }
    if !ptr.is_aligned() {
        bail!(
            InvalidArgument,
            "argument `{name}` is not aligned for its type"
        );
    }
    Ok(ptr)
}

/// `*const T` and `*mut T`, for [`aligned`].
trait RawPtr: Copy {
    fn is_null(self) -> bool;
    fn is_aligned(self) -> bool;
}
impl<T> RawPtr for *const T {
    fn is_null(self) -> bool {
        <*const T>::is_null(self)
    }
    fn is_aligned(self) -> bool {
        <*const T>::is_aligned(self)
    }
}
impl<T> RawPtr for *mut T {
    fn is_null(self) -> bool {
        <*mut T>::is_null(self)
    }
    fn is_aligned(self) -> bool {
        <*mut T>::is_aligned(self)
    }
}

/// An empty vector with room for `n` items, or an error naming `what` when that
/// much memory cannot be had (a failed allocation must not abort the host).
pub(crate) fn try_vec<T>(n: usize, what: &str) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| {
        Error::new(
            ErrorKind::Length,
            format!("cannot allocate memory for {n} {what}"),
        )
    })?;
    Ok(v)
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
        drop(Box::from_raw(ptr));
    }
}

/// Call `f` with this thread's last error message.
pub(crate) fn with_last_error<R>(f: impl FnOnce(&CStr) -> R) -> R {
    LAST_ERROR.with(|slot| f(slot.borrow().as_c_str()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use std::process::Command;

    /// Set in the child processes of [`caught_panics_print_nothing`]: "default" keeps
    /// Rust's default hook, "host" installs a host hook first.
    const CHILD: &str = "NPYSTORE_QUIET_PANIC_CHILD";

    fn last_error() -> String {
        with_last_error(|m| m.to_str().unwrap().to_owned())
    }

    /// Runs only as a child of [`caught_panics_print_nothing`]: panics caught by a
    /// guard, raised on this thread or on the I/O runtime, while the process has the
    /// hook `CHILD` names; then one panic outside npystore.
    #[test]
    fn quiet_panic_child() {
        let Some(mode) = std::env::var_os(CHILD) else {
            return;
        };
        if mode == "host" {
            // A Rust host's own hook, installed before npystore's: it prints to stdout.
            std::panic::set_hook(Box::new(|info| println!("host hook: {info}")));
        }
        let status = guard(|| panic!("boom in a guard"));
        assert_eq!(status, npy_status::NPY_ERR_INTERNAL);
        let message = last_error();
        assert!(message.contains("boom in a guard"), "{message}");
        assert!(message.contains("src/ffi/boundary.rs:"), "{message}");

        let status = guard(|| {
            crate::store::block_on(async { panic!("boom on the runtime") })?;
            Ok(())
        });
        assert_eq!(status, npy_status::NPY_ERR_INTERNAL);
        let message = last_error();
        assert!(message.contains("boom on the runtime"), "{message}");

        // Work moved to a helper thread, as with a progress callback.
        let status = guard(|| {
            let mut progress = |_, _| true;
            crate::transfer::with_progress(0, Some(&mut progress), |_| -> Result<()> {
                panic!("boom on a helper thread")
            })
        });
        assert_eq!(status, npy_status::NPY_ERR_INTERNAL);
        let message = last_error();
        assert!(message.contains("boom on a helper thread"), "{message}");

        // A scoped helper of the core (a split read, a bulk load).
        let status = guard(|| {
            std::thread::scope(|s| crate::worker::spawn(s, || panic!("boom on a worker")).join())
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            Ok(())
        });
        assert_eq!(status, npy_status::NPY_ERR_INTERNAL);
        let message = last_error();
        assert!(message.contains("boom on a worker"), "{message}");

        // A value-returning export keeps the last error as it was.
        assert_eq!(guard_or(7, || panic!("boom in guard_or")), 7);
        assert_eq!(last_error(), message);

        // Outside npystore, the hook installed before ours still runs.
        let outside_panic = std::panic::catch_unwind(|| panic!("host panic"));
        assert!(outside_panic.is_err());
        // So does it for a host callback called from inside a guard.
        let status = guard(|| {
            let in_callback = catch_unwind(|| outside(|| panic!("host callback panic")));
            assert!(in_callback.is_err());
            Ok(())
        });
        assert_eq!(status, npy_status::NPY_OK);
    }

    /// Caught panics print nothing to stderr, whichever hook the host had, and
    /// every other panic still reaches that hook.
    #[test]
    fn caught_panics_print_nothing() {
        for mode in ["default", "host"] {
            let out = Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "ffi::boundary::tests::quiet_panic_child"])
                .args(["--nocapture", "--test-threads=1"])
                .env(CHILD, mode)
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                out.status.success() && stdout.contains("1 passed"),
                "{mode}: child failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
            );
            assert!(
                !stdout.contains("boom") && !stderr.contains("boom"),
                "{mode}: a caught panic was printed\nstdout:\n{stdout}\nstderr:\n{stderr}"
            );
            // Rust's default hook prints to stderr, the host's to stdout.
            let shown = if mode == "default" { &stderr } else { &stdout };
            assert_eq!(shown.matches("host panic").count(), 1, "{mode}: {shown}");
            assert_eq!(
                shown.matches("host callback panic").count(),
                1,
                "{mode}: {shown}"
            );
            if mode == "host" {
                assert_eq!(stderr, "", "{mode}: stderr");
            } else {
                assert!(!stdout.contains("host hook"), "{mode}: {stdout}");
            }
        }
    }
}
