//! Progress callbacks from C: the callback type of the `*_progress` calls and its
//! Rust form.

use super::boundary::outside;
use crate::transfer::{with_progress, Transfer};
use std::ffi::c_void;

/// A progress callback: `done` of `total` bytes have been transferred so far;
/// `user_data` is the pointer given with the callback. Return 0 to go on, anything
/// else to cancel (the call then fails with NPY_ERR_CANCELLED, soon, not at once).
///
/// Called on the thread that made the call (never on an npystore thread), about
/// every 100 ms while bytes arrive and once at the end, and never after that call
/// has returned. It must not free the handles or buffers the call is using.
pub type npy_progress_fn =
    Option<unsafe extern "C" fn(done: u64, total: u64, user_data: *mut c_void) -> i32>;

/// A C progress callback with its `user_data`, as a `*_progress` call takes them; the
/// plain call without progress passes [`Progress::NONE`].
#[derive(Clone, Copy)]
pub(super) struct Progress {
    progress: npy_progress_fn,
    user_data: *mut c_void,
}

impl Progress {
    /// No callback: nothing is reported.
    pub(super) const NONE: Progress = Progress {
        progress: None,
        user_data: std::ptr::null_mut(),
    };

    /// `progress` (may be NULL) called with `user_data`.
    pub(super) fn new(progress: npy_progress_fn, user_data: *mut c_void) -> Progress {
        Progress {
            progress,
            user_data,
        }
    }

    /// Run `work` with a transfer of `total` bytes, reported to the callback (when
    /// there is one) and cancelled when it asks: [`with_progress`].
    pub(super) fn run<R: Send>(self, total: u64, work: impl FnOnce(&Transfer) -> R + Send) -> R {
        let mut cb = callback(self.progress, self.user_data);
        let cb = cb.as_mut().map(|f| f as &mut dyn FnMut(u64, u64) -> bool);
        with_progress(total, cb, work)
    }
}

/// The Rust callback for a C one (`None` for NULL).
fn callback(
    progress: npy_progress_fn,
    user_data: *mut c_void,
) -> Option<impl FnMut(u64, u64) -> bool> {
    progress.map(|f| {
        // SAFETY: the caller promised `f` may be called with `user_data` during the call.
        // The host's own code runs there: its panics are the host's to report.
        move |done, total| outside(|| unsafe { f(done, total, user_data) }) == 0
    })
}
