//! Long transfers from C: bulk loads of many references, and loads or maps that
//! report progress through a callback.
//!
//! Progress callbacks run only on the thread that made the call, never after the
//! call has returned, so a binding may call into its host (MATLAB, Julia) from them.

use super::boundary::{array_arg, bytes_mut_arg, guard, handle, into_handle, out_arg, str_arg};
use super::load::{npy_mapping, write_mapping_info};
use super::put::{load_order, npy_order};
use super::reference::npy_ref;
use super::status::npy_status;
use crate::array_ref::load_many;
use crate::transfer::with_progress;
use crate::{bail, ArrayRef, Error, ErrorKind, MapMode, Result};
use std::ffi::{c_char, c_void};

/// A progress callback: `done` of `total` bytes have been transferred so far;
/// `user_data` is the pointer given with the callback. Return 0 to go on, anything
/// else to cancel (the call then fails with NPY_ERR_CANCELLED, soon, not at once).
///
/// Called on the thread that made the call (never on an npystore thread), about
/// every 100 ms while bytes arrive and once at the end, and never after that call
/// has returned. It must not free the handles or buffers the call is using.
pub type npy_progress_fn =
    Option<unsafe extern "C" fn(done: u64, total: u64, user_data: *mut c_void) -> i32>;

/// The Rust callback for a C one (`None` for NULL).
fn callback(
    progress: npy_progress_fn,
    user_data: *mut c_void,
) -> Option<impl FnMut(u64, u64) -> bool> {
    progress.map(|f| {
        // SAFETY: the caller promised `f` may be called with `user_data` during the call.
        move |done, total| unsafe { f(done, total, user_data) } == 0
    })
}

/// Load the whole array into `buf` (`buf_len` == `npy_ref_nbytes`), like
/// `npy_ref_load_into`, reporting progress to `progress` (may be NULL) with
/// `user_data`. See `npy_progress_fn` for when and where it is called.
///
/// # Safety
/// `r` is a live handle; `buf` is valid for `buf_len` writes; `progress` is NULL or
/// callable with `user_data` for the duration of the call.
#[no_mangle]
pub unsafe extern "C" fn npy_ref_load_into_progress(
    r: *const npy_ref,
    buf: *mut c_void,
    buf_len: u64,
    order: npy_order,
    progress: npy_progress_fn,
    user_data: *mut c_void,
) -> npy_status {
    guard(|| {
        let r = &handle(r, "ref")?.inner;
        let order = load_order(order)?;
        let buf = bytes_mut_arg(buf.cast(), buf_len, "buf")?;
        let mut cb = callback(progress, user_data);
        let cb = cb.as_mut().map(|f| f as &mut dyn FnMut(u64, u64) -> bool);
        with_progress(r.nbytes(), cb, |t| r.load_into_counted(buf, order, Some(t)))
    })
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
        let out = out_arg(out, "out")?;
        let r = &handle(r, "ref")?.inner;
        let mode = MapMode::parse(str_arg(mode, "mode")?)?;
        let mut cb = callback(progress, user_data);
        let cb = cb.as_mut().map(|f| f as &mut dyn FnMut(u64, u64) -> bool);
        let mapping = with_progress(r.nbytes(), cb, |t| r.mmap_counted(mode, Some(t)))?;
        let mapping = into_handle(npy_mapping::new(mapping));
        *out = mapping;
        write_mapping_info(&*mapping, data, nbytes, offset);
        Ok(())
    })
}

/// Load `n` arrays at once: reference `refs[i]` whole into `bufs[i]`, which holds
/// `lens[i]` bytes (== `npy_ref_nbytes(refs[i])`), in `order`. At most `concurrency`
/// references are loaded at a time (0: the default, 32); each may itself use several
/// ranged requests. `progress` (may be NULL) sees the bytes of all items together.
///
/// Per-item outcome: when `statuses` is not NULL, `statuses[i]` receives item i's
/// status (NPY_OK, or e.g. NPY_ERR_NOT_FOUND, NPY_ERR_LENGTH for a wrong `lens[i]`,
/// NPY_ERR_INVALID_ARGUMENT for a NULL `refs[i]` or `bufs[i]`, NPY_ERR_CANCELLED for
/// items not finished when the callback cancelled). A failed item does not stop the
/// others. The call returns NPY_OK when every item succeeded, else the status of the
/// first failed item, with `npy_last_error()` naming that item (`item 3: ...`) and
/// counting the failures. Buffers must not overlap. An argument error of the call
/// itself (NULL `refs` with `n > 0`, bad `order`) fails before any item is loaded and
/// sets every status to that error.
///
/// # Safety
/// `refs`, `bufs` and `lens` each point to `n` elements (or are NULL when `n` is 0);
/// each `refs[i]` is NULL or a live handle; each `bufs[i]` is valid for `lens[i]`
/// writes; `statuses` is NULL or valid for `n` writes; `progress` is NULL or callable
/// with `user_data` during the call.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn npy_refs_load_into(
    refs: *const *const npy_ref,
    bufs: *const *mut c_void,
    lens: *const u64,
    n: usize,
    order: npy_order,
    concurrency: usize,
    progress: npy_progress_fn,
    user_data: *mut c_void,
    statuses: *mut npy_status,
) -> npy_status {
    let statuses: &mut [npy_status] = if statuses.is_null() || n == 0 {
        &mut []
    } else {
        std::slice::from_raw_parts_mut(statuses, n)
    };
    let mut item_statuses = vec![npy_status::NPY_ERR_INTERNAL; n];
    let status = guard(|| {
        let setup = (|| -> Result<_> {
            let refs = array_arg(refs, n, "refs")?;
            let bufs = array_arg(bufs, n, "bufs")?;
            let lens = array_arg(lens, n, "lens")?;
            Ok((refs, bufs, lens, load_order(order)?))
        })();
        let (refs, bufs, lens, order) = match setup {
            Ok(args) => args,
            Err(e) => {
                item_statuses.fill(e.kind().into());
                return Err(e);
            }
        };
        // Items whose arguments are bad fail alone; the rest are loaded together.
        let mut checked: Vec<Result<(&ArrayRef, &mut [u8])>> = Vec::with_capacity(n);
        for i in 0..n {
            checked.push((|| {
                let Some(r) = refs[i].as_ref() else {
                    bail!(InvalidArgument, "refs[{i}] is NULL");
                };
                if lens[i] != r.inner.nbytes() {
                    bail!(
                        Length,
                        "lens[{i}] is {} but the array has {} bytes",
                        lens[i],
                        r.inner.nbytes()
                    );
                }
                Ok((&r.inner, bytes_mut_arg(bufs[i].cast(), lens[i], "bufs[i]")?))
            })());
        }
        let total: u64 = checked
            .iter()
            .filter_map(|c| c.as_ref().ok())
            .map(|(r, _)| r.nbytes())
            .sum();
        let (mut good, mut at): (Vec<(&ArrayRef, &mut [u8])>, Vec<usize>) =
            (Vec::new(), Vec::new());
        let mut results: Vec<Option<Result<()>>> = Vec::with_capacity(n);
        for (i, c) in checked.into_iter().enumerate() {
            match c {
                Ok(item) => {
                    good.push(item);
                    at.push(i);
                    results.push(None);
                }
                Err(e) => results.push(Some(Err(e))),
            }
        }
        let mut cb = callback(progress, user_data);
        let cb = cb.as_mut().map(|f| f as &mut dyn FnMut(u64, u64) -> bool);
        let loaded = with_progress(total, cb, |t| {
            load_many(&mut good, order, concurrency, Some(t))
        });
        for (i, result) in at.into_iter().zip(loaded) {
            results[i] = Some(result);
        }
        let mut first: Option<(usize, Error)> = None;
        let mut failures = 0;
        for (i, result) in results.into_iter().enumerate() {
            let result = result.unwrap_or_else(|| Err(Error::new(ErrorKind::Internal, "not run")));
            item_statuses[i] = match &result {
                Ok(()) => npy_status::NPY_OK,
                Err(e) => e.kind().into(),
            };
            if let Err(e) = result {
                failures += 1;
                first.get_or_insert((i, e));
            }
        }
        match first {
            None => Ok(()),
            Some((i, e)) => Err(Error::new(
                e.kind(),
                format!("item {i}: {} ({failures} of {n} items failed)", e.message()),
            )),
        }
    });
    for (slot, s) in statuses.iter_mut().zip(item_statuses) {
        *slot = if status == npy_status::NPY_OK {
            npy_status::NPY_OK
        } else {
            s
        };
    }
    status
}
