//! Bulk loads: many references at once, each into its own buffer, with per-item
//! statuses and one progress callback for all of them.
//!
//! Progress callbacks run only on the thread that made the call, never after the
//! call has returned, so a binding may call into its host (MATLAB, Julia) from them.

use super::boundary::{array_arg, bytes_mut_arg, count_arg, guard, opt_array_mut_arg, try_vec};
use super::item_errors::{c_text, keep, with_message, ItemErrors};
use super::order::{load_order, npy_order};
use super::progress::{npy_progress_fn, Progress};
use super::reference::npy_ref;
use super::status::npy_status;
use crate::array_ref::load_many;
use crate::array_ref::ArrayRef;
use crate::error::{bail, Error, ErrorKind, Result};
use crate::layout::Order;
use std::ffi::{c_char, c_void, CString};
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
/// Each failed item's own message, naming its path (`bulk/3.npy: ...`), stays
/// readable with `npy_refs_item_error(i, ...)` until the next `npy_refs_load_into`
/// on the same thread (after an argument error of the call itself every item has
/// that error's message; after the `PTRDIFF_MAX` refusal, no item is kept).
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
        // The last call's messages go first, whatever this call comes to.
        keep(ItemErrors::None);
        // `n` pointers must fit in memory before any slice is formed or anything is
        // written: a count that cannot is refused with `statuses` left untouched.
        count_arg::<*const npy_ref>(n, "refs")?;
        // The caller's array may hold anything: it is only written.
        let statuses = opt_array_mut_arg(statuses.cast::<Statuses>(), n, "statuses")?;
        // An error of the call itself: every item has it.
        let call = Call::checked(refs, bufs, lens, n, order).inspect_err(|e| {
            fill(statuses, e.kind().into());
            keep(ItemErrors::Every {
                n,
                message: c_text(e.message()),
            });
        })?;
        call.load(concurrency, Progress::new(progress, user_data), statuses)
    })
}

/// Copy item `index`'s message from this thread's last `npy_refs_load_into` into
/// `buf` (capacity `cap` bytes, always NUL-terminated when `cap > 0`, truncated if
/// needed) and its full length without the NUL into `*len` (when `len` is not NULL),
/// so a first call with `cap` 0 sizes the buffer. The message of a loaded item is ""
/// (length 0); a failed item's names its path and says why, e.g. `bulk/3.npy: lens[3]
/// is 8 but the array has 8000 bytes`. `buf` may be NULL when `cap` is 0.
///
/// Returns NPY_OK, or NPY_ERR_INVALID_ARGUMENT when that call had no item `index`
/// (or no bulk load ran yet on this thread), or `buf` is NULL with `cap > 0`; `*len`
/// is then 0 and a non-NULL `buf` with `cap > 0` holds "". Other calls, this one
/// included, leave the kept messages as they are. Messages never hold a secret.
///
/// # Safety
/// `buf` is NULL or valid for writes of `cap` bytes; `len` is NULL or valid for a
/// write.
#[no_mangle]
pub unsafe extern "C" fn npy_refs_item_error(
    index: usize,
    buf: *mut c_char,
    cap: usize,
    len: *mut usize,
) -> npy_status {
    guard(|| {
        let len = len.as_mut().map(|l| {
            *l = 0;
            l
        });
        let buf = opt_text_buf(buf, cap)?;
        if let Some(first) = buf.first_mut() {
            *first = 0;
        }
        let full = with_message(index, |message| copy_text(message, buf))?;
        if let Some(len) = len {
            *len = full;
        }
        Ok(())
    })
}

/// A caller's text buffer of `cap` bytes: empty when `cap` is 0 (then `buf` may be
/// NULL).
///
/// # Safety
/// `buf` is NULL or valid for writes of `cap` bytes.
unsafe fn opt_text_buf<'a>(buf: *mut c_char, cap: usize) -> Result<&'a mut [u8]> {
    if cap > 0 && buf.is_null() {
        bail!(InvalidArgument, "argument `buf` is NULL but `cap` is {cap}");
    }
    bytes_mut_arg(buf.cast(), cap as u64, "buf")
}

/// Copy `text` into `buf`, truncated and NUL-terminated when `buf` is not empty;
/// the full length of `text`.
fn copy_text(text: &[u8], buf: &mut [u8]) -> usize {
    let Some(room) = buf.len().checked_sub(1) else {
        return text.len();
    };
    let n = text.len().min(room);
    if let (Some(to), Some(from)) = (buf.get_mut(..n), text.get(..n)) {
        to.copy_from_slice(from);
    }
    if let Some(end) = buf.get_mut(n) {
        *end = 0;
    }
    text.len()
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
    /// Room for each item's message.
    messages: Vec<Option<CString>>,
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
            messages: try_vec(n, "item messages")?,
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
            messages,
        } = self;
        let n = refs.len();
        fill(statuses, npy_status::NPY_ERR_INTERNAL);
        let mut failed = Failures::new(messages, n);
        // Items whose arguments are bad fail alone; the rest are loaded together.
        for (i, ((&r, &buf), &len)) in refs.iter().zip(bufs).zip(lens).enumerate() {
            match checked_item(r, buf, len, i) {
                Ok(item) => {
                    good.push(item);
                    at.push(i);
                }
                Err(e) => failed.record(i, r.as_ref().map(|r| &r.inner), Err(e), statuses),
            }
        }
        let total = good
            .iter()
            .fold(0u64, |sum, (r, _)| sum.saturating_add(r.nbytes()));
        let loaded = progress.run(total, |t| load_many(&mut good, order, concurrency, Some(t)));
        let mut loaded = loaded.into_iter();
        for (i, (r, _)) in at.into_iter().zip(good) {
            let result = loaded
                .next()
                .unwrap_or_else(|| Err(Error::new(ErrorKind::Internal, "not run")));
            failed.record(i, Some(r), result, statuses);
        }
        failed.finish(n)
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

/// The failed items of a bulk load: how many, the first by index, and each one's
/// message.
struct Failures {
    count: usize,
    first: Option<(usize, ErrorKind, String)>,
    messages: Vec<Option<CString>>,
}

impl Failures {
    /// No failure yet among `n` items, their messages kept in `room` (empty, with
    /// room for `n`).
    fn new(mut room: Vec<Option<CString>>, n: usize) -> Failures {
        room.resize(n, None);
        Failures {
            count: 0,
            first: None,
            messages: room,
        }
    }

    /// Note item `i`'s outcome (for reference `r`, when it is not NULL) in
    /// `statuses` (when given) and here.
    fn record(
        &mut self,
        i: usize,
        r: Option<&ArrayRef>,
        result: Result<()>,
        statuses: &mut [Statuses],
    ) {
        if let Some(slot) = statuses.get_mut(i) {
            slot.write(match &result {
                Ok(()) => npy_status::NPY_OK,
                Err(e) => e.kind().into(),
            });
        }
        let Err(e) = result else { return };
        let message = item_message(r, &e);
        self.count += 1;
        if self.first.as_ref().is_none_or(|(j, _, _)| i < *j) {
            self.first = Some((i, e.kind(), message.clone()));
        }
        if let Some(slot) = self.messages.get_mut(i) {
            *slot = Some(c_text(&message));
        }
    }

    /// Keep the item messages for `npy_refs_item_error`; the call's result, with the
    /// first failed item's message and the count of failures (of `n` items).
    fn finish(self, n: usize) -> Result<()> {
        keep(ItemErrors::Each(self.messages));
        match self.first {
            None => Ok(()),
            Some((i, kind, message)) => Err(Error::new(
                kind,
                format!("item {i}: {message} ({} of {n} items failed)", self.count),
            )),
        }
    }
}

/// A failed item's own message: its path (when its reference is not NULL), then why.
fn item_message(r: Option<&ArrayRef>, e: &Error) -> String {
    match r {
        Some(r) => format!("{}: {}", r.path(), e.message()),
        None => e.message().to_string(),
    }
}
