//! Progress and cancellation of long transfers.
//!
//! A [`Transfer`] is a shared counter of bytes done plus a cancel flag; the I/O code
//! adds to it as bytes arrive and checks the flag between chunks. [`with_progress`]
//! runs a transfer on a helper thread while the *calling* thread reports progress, so
//! a caller's callback runs only on the thread that made the call, and never after
//! that call has returned.

use crate::error::{Error, ErrorKind, Result};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How often the calling thread reports progress while a transfer runs.
pub const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

/// Bytes done of a transfer, and whether the caller asked it to stop. Cheap to clone;
/// clones share one state.
#[derive(Debug, Clone, Default)]
pub struct Transfer {
    inner: Arc<State>,
}

#[derive(Debug, Default)]
struct State {
    done: AtomicU64,
    cancelled: AtomicBool,
}

impl Transfer {
    /// A transfer with nothing done yet.
    pub fn new() -> Transfer {
        Transfer::default()
    }

    /// Count `bytes` more as transferred.
    pub fn add(&self, bytes: u64) {
        self.inner.done.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Bytes transferred so far.
    pub fn done(&self) -> u64 {
        self.inner.done.load(Ordering::Relaxed)
    }

    /// Ask the transfer to stop at its next chunk.
    pub fn cancel(&self) {
        self.inner.cancelled.store(true, Ordering::Relaxed);
    }

    /// Whether [`Transfer::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.load(Ordering::Relaxed)
    }

    /// `Err(Cancelled)` once the transfer was cancelled.
    pub fn check(&self) -> Result<()> {
        if self.is_cancelled() {
            Err(cancelled())
        } else {
            Ok(())
        }
    }
}

/// The error of a transfer stopped by its caller.
pub fn cancelled() -> Error {
    Error::new(
        ErrorKind::Cancelled,
        "the transfer was cancelled by its progress callback",
    )
}

/// A progress callback: `(bytes done, bytes total)`; return `false` to cancel.
pub type ProgressFn<'a> = &'a mut dyn FnMut(u64, u64) -> bool;

/// Run `work` with a fresh [`Transfer`]. Without `progress` it runs on this thread.
/// With it, `work` runs on a scoped helper thread while this thread calls `progress`
/// every [`PROGRESS_INTERVAL`] and once more at the end; `progress` returning false
/// cancels the transfer (and is not called again). `progress` is never called after
/// this function returns.
pub fn with_progress<R: Send>(
    total: u64,
    progress: Option<ProgressFn<'_>>,
    work: impl FnOnce(&Transfer) -> R + Send,
) -> R {
    let transfer = Transfer::new();
    let Some(progress) = progress else {
        return work(&transfer);
    };
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let worker = {
            let transfer = transfer.clone();
            crate::worker::spawn(scope, move || {
                let result = work(&transfer);
                drop(tx);
                result
            })
        };
        let mut reporting = true;
        let mut last = u64::MAX;
        while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
            rx.recv_timeout(PROGRESS_INTERVAL)
        {
            // Coalesced gaps and headers may add a little more than `total`.
            let done = transfer.done().min(total);
            if reporting && done != last {
                last = done;
                if !progress(done, total) {
                    transfer.cancel();
                    reporting = false;
                }
            }
        }
        if reporting {
            progress(transfer.done().min(total), total);
        }
        worker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_on_the_calling_thread_and_ends_with_the_total() {
        let me = std::thread::current().id();
        let mut calls = Vec::new();
        let mut cb = |done, total| {
            assert_eq!(std::thread::current().id(), me);
            calls.push((done, total));
            true
        };
        let out = with_progress(10, Some(&mut cb), |t| {
            for _ in 0..10 {
                t.add(1);
                std::thread::sleep(Duration::from_millis(25));
            }
            7
        });
        assert_eq!(out, 7);
        assert_eq!(calls.last(), Some(&(10, 10)));
        assert!(calls.len() >= 2, "{calls:?}");
    }

    #[test]
    fn a_false_return_cancels() {
        let mut cb = |_, _| false;
        let out = with_progress(100, Some(&mut cb), |t| {
            for _ in 0..100 {
                t.add(1);
                if t.check().is_err() {
                    return Err(cancelled());
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            Ok(())
        });
        assert_eq!(out.unwrap_err().kind(), ErrorKind::Cancelled);
    }
}
