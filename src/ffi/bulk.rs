//! Bulk loads: many references at once, each into its own buffer, with per-item
//! statuses and one progress callback for all of them.
//!
//! Progress callbacks run only on the thread that made the call, never after the
//! call has returned, so a binding may call into its host (MATLAB, Julia) from them.

use super::boundary::{array_arg, bytes_mut_arg, count_arg, guard, opt_array_mut_arg, try_vec};
use super::order::{load_order, npy_order};
use super::progress::{npy_progress_fn, Progress};
use super::reference::npy_ref;
use super::status::npy_status;
use crate::array_ref::load_many;
use crate::array_ref::ArrayRef;
use crate::error::{bail, Error, ErrorKind, Result};
use crate::layout::Order;
use std::ffi::c_void;
use std::mem::MaybeUninit;

/// ---- Bulk ----------------------------------------------------------------------
/// Many references loaded at once, with a status per item.
///
/// Load `n` arrays at once: reference `refs[i]` whole into `bufs[i]`, which holds
/// `lens[i]` bytes (== `npy_ref_nbytes(refs[i])`), in `order`. At most `concurrency`
/// references are loaded at a time (0: the default, 32); each may itself use several
/// ranged requests. `progress` (may be NULL) sees the bytes of all items together.
///
/// Per-item outcome: when `statuses` is not NULL, `statuses[i]` receives item i's
/// status (NPY_OK, or e.g. NPY_ERR_NOT_FOUND, NPY_ERR_LENGTH for a wrong `lens[i]`,
/// NPY_ERR_INVALID_ARGUMENT for a NULL `refs[i]`, or a NULL `bufs[i]` with a non-zero
/// `lens[i]`, NPY_ERR_CANCELLED for items not finished when the callback cancelled).
/// An item of 0 bytes may have a NULL `bufs[i]`. A failed item does not stop the
/// others. The call returns NPY_OK when every item succeeded, else the status of the
/// first failed item, with `npy_last_error()` naming that item (`item 3: ...`) and
/// counting the failures. Buffers must not overlap. An argument error of the call
/// itself (NULL `refs` with `n > 0`, bad `order`, too little memory for `n` items)
/// fails before any item is loaded and sets every status to that error, except for
/// an `n` no array of pointers can hold (over `PTRDIFF_MAX` bytes): NPY_ERR_LENGTH,
/// with `statuses` untouched.
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
    guard(|| {
        // `n` pointers must fit in memory before any slice is formed or anything is
        // written: a count that cannot is refused with `statuses` left untouched.
        count_arg::<*const npy_ref>(n, "refs")?;
        // The caller's array may hold anything: it is only written.
        let statuses = opt_array_mut_arg(statuses.cast::<Statuses>(), n, "statuses")?;
        // An error of the call itself: every item has it.
        let call = Call::checked(refs, bufs, lens, n, order)
            .inspect_err(|e| fill(statuses, e.kind().into()))?;
        call.load(concurrency, Progress::new(progress, user_data), statuses)
    })
}

/// The arguments of a bulk load's call itself, checked before any item is.
struct Call<'a> {
    refs: &'a [*const npy_ref],
    bufs: &'a [*mut c_void],
    lens: &'a [u64],
    order: Order,
    /// Room for the items whose arguments are good, and for their indices.
    good: Vec<(&'a ArrayRef, &'a mut [u8])>,
    at: Vec<usize>,
}

impl<'a> Call<'a> {
    /// Check the call's own arguments of `npy_refs_load_into`: an error here is
    /// every item's.
    ///
    /// # Safety
    /// As `npy_refs_load_into`, with `n` checked to fit in memory.
    unsafe fn checked(
        refs: *const *const npy_ref,
        bufs: *const *mut c_void,
        lens: *const u64,
        n: usize,
        order: npy_order,
    ) -> Result<Call<'a>> {
        Ok(Call {
            refs: array_arg(refs, n, "refs")?,
            bufs: array_arg(bufs, n, "bufs")?,
            lens: array_arg(lens, n, "lens")?,
            order: load_order(order)?,
            good: try_vec(n, "items")?,
            at: try_vec(n, "items")?,
        })
    }

    /// The per-item part of `npy_refs_load_into`: the call's result, with `statuses`
    /// (empty or `n` long) holding each item's status.
    ///
    /// # Safety
    /// As `npy_refs_load_into`.
    unsafe fn load(
        self,
        concurrency: usize,
        progress: Progress,
        statuses: &mut [Statuses],
    ) -> Result<()> {
        let Call {
            refs,
            bufs,
            lens,
            order,
            mut good,
            mut at,
        } = self;
        let n = refs.len();
        fill(statuses, npy_status::NPY_ERR_INTERNAL);
        let mut failed = Failures::default();
        // Items whose arguments are bad fail alone; the rest are loaded together.
        for (i, ((&r, &buf), &len)) in refs.iter().zip(bufs).zip(lens).enumerate() {
            match checked_item(r, buf, len, i) {
                Ok(item) => {
                    good.push(item);
                    at.push(i);
                }
                Err(e) => failed.record(i, Err(e), statuses),
            }
        }
        let total = good
            .iter()
            .fold(0u64, |sum, (r, _)| sum.saturating_add(r.nbytes()));
        let loaded = progress.run(total, |t| load_many(&mut good, order, concurrency, Some(t)));
        let mut loaded = loaded.into_iter();
        for i in at {
            let result = loaded
                .next()
                .unwrap_or_else(|| Err(Error::new(ErrorKind::Internal, "not run")));
            failed.record(i, result, statuses);
        }
        match failed.first {
            None => Ok(()),
            Some((i, e)) => Err(Error::new(
                e.kind(),
                format!(
                    "item {i}: {} ({} of {n} items failed)",
                    e.message(),
                    failed.count
                ),
            )),
        }
    }
}

/// The caller's `statuses` array, written and never read.
type Statuses = MaybeUninit<npy_status>;

/// Set every status to `status`.
fn fill(statuses: &mut [Statuses], status: npy_status) {
    for slot in statuses {
        slot.write(status);
    }
}

/// Item `i` of a bulk load, checked: a live reference and a buffer of its size.
///
/// # Safety
/// `r` is NULL or a live handle; `buf` is valid for `len` writes.
unsafe fn checked_item<'a>(
    r: *const npy_ref,
    buf: *mut c_void,
    len: u64,
    i: usize,
) -> Result<(&'a ArrayRef, &'a mut [u8])> {
    let Some(r) = r.as_ref() else {
        bail!(InvalidArgument, "refs[{i}] is NULL");
    };
    if len != r.inner.nbytes() {
        bail!(
            Length,
            "lens[{i}] is {len} but the array has {} bytes",
            r.inner.nbytes()
        );
    }
    Ok((&r.inner, bytes_mut_arg(buf.cast(), len, "bufs[i]")?))
}

/// The failed items of a bulk load: how many, and the first by index.
#[derive(Default)]
struct Failures {
    count: usize,
    first: Option<(usize, Error)>,
}

impl Failures {
    /// Note item `i`'s outcome in `statuses` (when given) and here.
    fn record(&mut self, i: usize, result: Result<()>, statuses: &mut [Statuses]) {
        if let Some(slot) = statuses.get_mut(i) {
            slot.write(match &result {
                Ok(()) => npy_status::NPY_OK,
                Err(e) => e.kind().into(),
            });
        }
        if let Err(e) = result {
            self.count += 1;
            if self.first.as_ref().is_none_or(|(j, _)| i < *j) {
                self.first = Some((i, e));
            }
        }
    }
}
