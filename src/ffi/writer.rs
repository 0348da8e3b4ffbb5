//! `npy_writer`: stream rows into one array, publish it at the end.

use super::boundary::{bytes_arg, free_handle, guard, guard_void, handle, new_handle, set_out};
use super::order::npy_order;
use super::put::{write_args, MAX_NDIM};
use super::reference::npy_ref;
use super::status::npy_status;
use super::store::npy_store;
use super::target::npy_target;
use crate::error::{bail, Result};
use crate::writer::Writer;
use std::ffi::{c_char, c_void};
use std::sync::{Mutex, MutexGuard};

/// A streaming writer (`npy_writer_open`). Calls on one writer are serialized by a
/// lock inside it, so it may move between threads; different writers (and other
/// handles) work in parallel. Use each writer from one thread at a time for a
/// predictable row order.
pub struct npy_writer {
    state: Mutex<State>,
}

enum State {
    Open(Writer),
    /// Finished or aborted: only `npy_writer_free` is left.
    Closed(&'static str),
}

impl npy_writer {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Close the writer as `now` ("finished", "aborted") and hand back the open
    /// [`Writer`] to finish or abort, with the lock still held so that no other call
    /// runs meanwhile. A writer closed already stays as it was: NPY_ERR_STATE.
    fn close(&self, now: &'static str) -> Result<(MutexGuard<'_, State>, Writer)> {
        let mut state = self.lock();
        match std::mem::replace(&mut *state, State::Closed(now)) {
            State::Open(w) => Ok((state, w)),
            State::Closed(why) => {
                *state = State::Closed(why);
                closed(why)
            }
        }
    }
}

fn closed<T>(why: &str) -> Result<T> {
    bail!(
        State,
        "the writer is {why}; only npy_writer_free may follow"
    )
}

/// ---- Writer --------------------------------------------------------------------
/// `npy_writer`: stream rows into one array, published when it finishes.
///
/// Open a streaming writer for an array that grows by rows, published at `target`
/// when it finishes. On success `*out` holds a writer to free with `npy_writer_free`.
///
/// `dtype`: as for `npy_put` (a header over 1 MiB, which npystore would not read back,
/// is NPY_ERR_DTYPE here already). `row_shape`/`row_ndim`: the shape of one row (`row_ndim`
/// 0: each row is one element; `row_shape` may then be NULL; more than 63, which
/// would make more than numpy's 64 dimensions, is NPY_ERR_SHAPE).
/// `order` NPY_ORDER_C: rows are appended along the FIRST axis; final shape
/// `[n, row_shape...]`; data in C order.
/// `order` NPY_ORDER_FORTRAN: the mirror image for column-major callers: appends along
/// the LAST axis; final shape `[row_shape..., n]`; data column-major; the header says
/// fortran_order True (unless numpy would call the result C-contiguous too; then it
/// writes what numpy writes).
/// `flags`: 0 or NPY_PUT_FSYNC (and NPY_PUT_OVERWRITE for a path target), as for
/// `npy_put`. A path target that exists is NPY_ERR_ALREADY_EXISTS here already unless
/// NPY_PUT_OVERWRITE is given. Rows of 0 bytes are NPY_ERR_SHAPE (they cannot be counted).
///
/// Nothing is visible at the target until `npy_writer_finish`, nor after a crash; a
/// file store may keep a `*.npystore-tmp` file after a crash (see docs/writer.md).
///
/// # Safety
/// Handles are live; `dtype` is NUL-terminated; `row_shape` is valid for `row_ndim`
/// reads; `out` is valid for a write.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn npy_writer_open(
    store: *const npy_store,
    target: *const npy_target,
    dtype: *const c_char,
    row_shape: *const u64,
    row_ndim: usize,
    order: npy_order,
    flags: u32,
    out: *mut *mut npy_writer,
) -> npy_status {
    guard(|| {
        new_handle(out, || {
            // The rows' axis is one more dimension.
            let max_row_ndim = MAX_NDIM - 1;
            let args = write_args(
                store,
                target,
                dtype,
                row_shape,
                row_ndim,
                order,
                flags,
                max_row_ndim,
            )?;
            let writer = args.store.writer(
                args.target,
                args.dtype,
                args.shape,
                args.fortran,
                args.options,
            )?;
            Ok(npy_writer {
                state: Mutex::new(State::Open(writer)),
            })
        })
    })
}

/// Append one or more whole rows: `nbytes` must be a multiple of one row's bytes
/// (itemsize x product(row_shape)), in the writer's order. `nbytes` 0 appends nothing
/// (`data` may then be NULL). A partial row is NPY_ERR_LENGTH and nothing is written.
/// After an I/O failure the writer has discarded everything and later appends are
/// NPY_ERR_STATE; after finish or abort, NPY_ERR_STATE.
///
/// # Safety
/// `writer` is live; `data` is valid for `nbytes` reads.
#[no_mangle]
pub unsafe extern "C" fn npy_writer_append(
    writer: *mut npy_writer,
    data: *const c_void,
    nbytes: u64,
) -> npy_status {
    guard(|| {
        let writer = handle(writer, "writer")?;
        let data = bytes_arg(data.cast(), nbytes, "data")?;
        match &mut *writer.lock() {
            State::Open(w) => w.append(data),
            State::Closed(why) => closed(why),
        }
    })
}

/// The number of rows appended so far, in `*rows`. NPY_ERR_STATE after finish or abort.
///
/// # Safety
/// `writer` is live; `rows` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn npy_writer_rows(writer: *const npy_writer, rows: *mut u64) -> npy_status {
    guard(|| {
        set_out(rows, "rows", || match &*handle(writer, "writer")?.lock() {
            State::Open(w) => Ok(w.rows()),
            State::Closed(why) => closed(why),
        })
    })
}

/// Write the final header and publish the array atomically; `*out` receives its
/// reference (free with `npy_ref_free`). The writer is then finished, whether this
/// succeeded or not (on failure nothing is published and everything is discarded):
/// further calls are NPY_ERR_STATE. Still free it with `npy_writer_free`.
///
/// # Safety
/// `writer` is live; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn npy_writer_finish(
    writer: *mut npy_writer,
    out: *mut *mut npy_ref,
) -> npy_status {
    guard(|| {
        new_handle(out, || {
            let (_lock, w) = handle(writer, "writer")?.close("finished")?;
            Ok(npy_ref::new(w.finish()?))
        })
    })
}

/// Discard everything written; nothing is published. Further calls are NPY_ERR_STATE.
///
/// # Safety
/// `writer` is live.
#[no_mangle]
pub unsafe extern "C" fn npy_writer_abort(writer: *mut npy_writer) -> npy_status {
    guard(|| {
        let (_lock, w) = handle(writer, "writer")?.close("aborted")?;
        w.abort()
    })
}

/// Free a writer (NULL is a no-op). An unfinished writer is aborted first: nothing is
/// published and everything written is discarded.
///
/// # Safety
/// `writer` is NULL or an unfreed handle from `npy_writer_open`.
#[no_mangle]
pub unsafe extern "C" fn npy_writer_free(writer: *mut npy_writer) {
    guard_void(|| free_handle(writer));
}
