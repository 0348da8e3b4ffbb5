//! The per-item messages of the calling thread's last bulk load, kept for
//! `npy_refs_item_error`. Each `npy_refs_load_into` replaces them; nothing else
//! touches them.

use crate::error::{bail, Result};
use std::cell::RefCell;
use std::ffi::CString;

/// What one bulk call left: a message per item, or one message every item shares
/// (an error of the call itself).
#[derive(Default)]
pub(super) enum ItemErrors {
    /// No bulk call yet on this thread, or one whose item count no array can hold.
    #[default]
    None,
    /// Item i's message, `None` for a loaded item.
    Each(Vec<Option<CString>>),
    /// The call itself failed: each of its `n` items has `message`.
    Every { n: usize, message: CString },
}

thread_local! {
    static KEPT: RefCell<ItemErrors> = const { RefCell::new(ItemErrors::None) };
}

impl ItemErrors {
    /// How many items the call had.
    fn len(&self) -> usize {
        match self {
            ItemErrors::None => 0,
            ItemErrors::Each(messages) => messages.len(),
            ItemErrors::Every { n, .. } => *n,
        }
    }

    /// Item `index`'s message ("" for a loaded item), or an error when the call had
    /// no such item.
    fn message(&self, index: usize) -> Result<&[u8]> {
        let n = self.len();
        if index >= n {
            bail!(
                InvalidArgument,
                "item {index} is out of range: the last bulk load on this thread had {n} items"
            );
        }
        Ok(match self {
            ItemErrors::Each(messages) => messages
                .get(index)
                .and_then(|m| m.as_ref())
                .map_or(&[][..], |m| m.to_bytes()),
            ItemErrors::Every { message, .. } => message.to_bytes(),
            ItemErrors::None => &[],
        })
    }
}

/// A message as C text (an inner NUL, which no message should hold, is written `\0`).
pub(super) fn c_text(message: &str) -> CString {
    CString::new(message.replace('\0', "\\0")).unwrap_or_default()
}

/// Keep `errors` as this thread's last bulk call's (nothing once the thread's locals
/// are gone, as in a thread-exit destructor).
pub(super) fn keep(errors: ItemErrors) {
    let _ = KEPT.try_with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            *slot = errors;
        }
    });
}

/// Call `f` with item `index`'s message from this thread's last bulk call.
pub(super) fn with_message<R>(index: usize, f: impl FnOnce(&[u8]) -> R) -> Result<R> {
    KEPT.with(|slot| slot.borrow().message(index).map(f))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn text(index: usize) -> Result<String> {
        with_message(index, |m| String::from_utf8(m.to_vec()).unwrap())
    }

    #[test]
    fn each_item_keeps_its_own_message_until_the_next_call() {
        keep(ItemErrors::Each(vec![None, Some(c_text("b.npy: gone"))]));
        assert_eq!(text(0).unwrap(), "");
        assert_eq!(text(1).unwrap(), "b.npy: gone");
        let out = text(2).unwrap_err();
        assert!(
            out.message().contains("item 2 is out of range"),
            "{}",
            out.message()
        );
        assert!(out.message().contains("had 2 items"), "{}", out.message());

        keep(ItemErrors::Every {
            n: 3,
            message: c_text("bad order"),
        });
        assert_eq!(text(2).unwrap(), "bad order");
        assert!(text(3).is_err());

        keep(ItemErrors::None);
        assert!(text(0).is_err());
    }

    #[test]
    fn another_thread_has_its_own_messages() {
        keep(ItemErrors::Each(vec![Some(c_text("here"))]));
        std::thread::spawn(|| assert!(text(0).is_err()))
            .join()
            .unwrap();
        assert_eq!(text(0).unwrap(), "here");
    }
}
