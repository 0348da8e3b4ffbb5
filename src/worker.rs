//! Threads npystore starts for its own work: the scoped helpers that split a large
//! read, write, order conversion or bulk load, the thread that runs a transfer while
//! its caller reports progress, and the I/O runtime's threads. Each is marked, so
//! that a panic on one, which is handed back to the thread waiting for it (and from
//! there to the C boundary, which reports it), is not also printed where it happened.

use std::cell::Cell;
use std::thread::{Scope, ScopedJoinHandle};

thread_local! {
    static WORKER: Cell<bool> = const { Cell::new(false) };
}

/// Whether this thread is one of npystore's own.
pub(crate) fn is_worker() -> bool {
    WORKER.try_with(Cell::get).unwrap_or(false)
}

/// Mark the calling thread as one of npystore's own (the runtime's threads, at start).
pub(crate) fn mark_current() {
    let _ = WORKER.try_with(|w| w.set(true));
}

/// `scope.spawn(f)`, on a thread marked as npystore's own.
pub(crate) fn spawn<'scope, T: Send + 'scope>(
    scope: &'scope Scope<'scope, '_>,
    f: impl FnOnce() -> T + Send + 'scope,
) -> ScopedJoinHandle<'scope, T> {
    scope.spawn(move || {
        mark_current();
        f()
    })
}
