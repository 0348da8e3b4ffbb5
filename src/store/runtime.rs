//! The embedded async runtime that drives `object_store`.
//!
//! One multi-threaded Tokio runtime per process, created on first use and owned by
//! the library. Blocking calls send their future to it and wait on a channel, so a
//! caller that is itself inside some async runtime never gets a nested `block_on`.
//! The runtime's own threads never wait on it: a blocking call made from one of them
//! (say, from inside a future) is refused instead of deadlocking the pool.

use crate::error::{Error, ErrorKind, Result};
use std::cell::Cell;
use std::future::Future;
use std::sync::OnceLock;
use tokio::runtime::{Builder, Runtime};

thread_local! {
    /// Set on the runtime's worker threads.
    static ON_RUNTIME_THREAD: Cell<bool> = const { Cell::new(false) };
}

/// Whether this thread is one of the runtime's own, where a blocking call would wait
/// on the runtime from inside it.
fn on_runtime_thread() -> bool {
    ON_RUNTIME_THREAD.try_with(|f| f.get()).unwrap_or(false)
}

fn runtime() -> Result<&'static Runtime> {
    static RUNTIME: OnceLock<std::result::Result<Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("npystore-io")
                .on_thread_start(|| {
                    ON_RUNTIME_THREAD.with(|f| f.set(true));
                    crate::worker::mark_current();
                })
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| {
            Error::new(
                ErrorKind::Internal,
                format!("cannot start the I/O runtime: {e}"),
            )
        })
}

/// Run `future` on the library's runtime and block the calling thread until it ends.
pub(crate) fn block_on<F>(future: F) -> Result<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    if on_runtime_thread() {
        return Err(Error::new(
            ErrorKind::State,
            "a blocking npystore call was made from npystore's own I/O thread",
        ));
    }
    let handle = runtime()?.spawn(future);
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    runtime()?.spawn(async move {
        let _ = tx.send(handle.await);
    });
    match rx.recv() {
        Ok(Ok(output)) => Ok(output),
        Ok(Err(join)) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
        _ => Err(Error::new(
            ErrorKind::Internal,
            "the I/O runtime dropped a task",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_futures_from_plain_threads() {
        assert_eq!(block_on(async { 40 + 2 }).unwrap(), 42);
    }

    #[test]
    fn runs_futures_from_inside_another_runtime() {
        let outer = Builder::new_current_thread().build().unwrap();
        let value = outer.block_on(async { block_on(async { 7 }).unwrap() });
        assert_eq!(value, 7);
    }

    #[test]
    fn refuses_to_block_its_own_threads() {
        let nested = block_on(async { block_on(async { 1 }).map_err(|e| e.kind()) }).unwrap();
        assert_eq!(nested, Err(ErrorKind::State));
    }
}
