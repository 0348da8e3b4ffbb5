//! Which version of a stored object a reference reads. On object stores a header
//! and the data it describes come from separate requests; the ETag of the header's
//! answer pins every later ranged read of the data (`If-Match`), so an object
//! replaced in between is noticed instead of read as new bytes under the old header.
//! A read that finds its object changed starts over on the new version, a bounded
//! number of times.
//!
//! Every answer of a pinned read must name the pinned ETag and the version's total
//! size (src/store/object/mod.rs). An answer to an unconditional request (the header
//! read that learns the version) is not trusted that far: Azurite can pair its bytes
//! with the ETag of a version committed while it was being served (docs/remote.md,
//! scripts/azurite-torn-read.js). So a version's header bytes stay
//! [`Version::unconfirmed_header`] until a pinned read has brought them again.

use crate::store::Head;
use crate::{Error, ErrorKind, Result};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// How many versions of an object one read tries before it gives up: the first, and
/// after each change the one a fresh header read finds.
pub(crate) const ATTEMPTS: usize = 4;

/// Where the data of a stored object lies, learnt from its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredLayout {
    /// The object stores the array in Fortran (column-major) order.
    pub fortran_order: bool,
    /// Byte offset of the first data byte (a multiple of 64 for numpy-written files).
    pub data_offset: u64,
}

/// One version of a stored object, as learnt from its header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Version {
    /// Where the data lies and in which order.
    pub layout: StoredLayout,
    /// The whole object's size in bytes.
    pub size: u64,
    /// The object store's ETag of this version; `None` on file stores (which read a
    /// header and its data through one open file) and on stores without tags.
    pub etag: Option<String>,
    /// The header bytes as an unconditional answer (naming `etag`) brought them,
    /// until a read pinned to `etag` has brought the same bytes; `None` once it has,
    /// or when the version came from a store's own answer to a write, or a file.
    pub unconfirmed_header: Option<Arc<[u8]>>,
}

/// The version a reference saw last, shared by the threads that use it.
#[derive(Debug, Default)]
pub(crate) struct Seen(Mutex<Option<Version>>);

impl Seen {
    /// A cell that already knows `version`.
    pub(crate) fn new(version: Option<Version>) -> Seen {
        Seen(Mutex::new(version))
    }

    /// The cell's contents; a poisoned lock still holds a whole value (it is only
    /// ever replaced whole), so it is used as is.
    fn lock(&self) -> MutexGuard<'_, Option<Version>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The version seen last, if any.
    pub(crate) fn get(&self) -> Option<Version> {
        self.lock().clone()
    }

    /// The layout of the version seen last, if any.
    pub(crate) fn layout(&self) -> Option<StoredLayout> {
        self.lock().as_ref().map(|v| v.layout)
    }

    /// Remember `version` as the latest seen.
    pub(crate) fn set(&self, version: Version) {
        *self.lock() = Some(version);
    }

    /// A read pinned to `version` brought its header bytes again: trust them from
    /// now on, if `version` is still the one seen last.
    pub(crate) fn confirm(&self, version: &Version) {
        if let Some(seen) = self.lock().as_mut().filter(|seen| **seen == *version) {
            seen.unconfirmed_header = None;
        }
    }
}

/// Run `read` on one version of an object and return what it returns. It starts on
/// `first` (with the answer that brought its header, when that was just read); each
/// time `read` fails because the object changed ([`Error::is_changed`]), `fresh`
/// reads (and checks) the header of the version now stored, and `read` runs again on
/// that, up to [`ATTEMPTS`] versions in all. An object that keeps changing is an
/// `Io` error saying so.
pub(crate) fn on_one_version<T>(
    first: (Version, Option<Head>),
    mut fresh: impl FnMut() -> Result<(Version, Head)>,
    mut read: impl FnMut(&Version, Option<&Head>) -> Result<T>,
) -> Result<T> {
    let (mut version, mut head) = first;
    for _ in 1..ATTEMPTS {
        match read(&version, head.as_ref()) {
            Err(e) if e.is_changed() => {
                let (v, h) = fresh()?;
                (version, head) = (v, Some(h));
            }
            done => return done,
        }
    }
    read(&version, head.as_ref()).map_err(|e| {
        if !e.is_changed() {
            return e;
        }
        Error::new(
            ErrorKind::Io,
            format!(
                "{e}, {ATTEMPTS} times in a row: it is being replaced faster than it can be \
                 read; try again later"
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(tag: &str) -> Version {
        Version {
            layout: StoredLayout {
                fortran_order: false,
                data_offset: 128,
            },
            size: 136,
            etag: Some(tag.to_string()),
            unconfirmed_header: Some(Arc::from(&b"\x93NUMPY"[..])),
        }
    }

    #[test]
    fn only_the_version_seen_last_is_confirmed() {
        let seen = Seen::new(Some(version("v2")));
        seen.confirm(&version("v1"));
        assert!(seen.get().unwrap().unconfirmed_header.is_some());
        seen.confirm(&version("v2"));
        assert_eq!(seen.get().unwrap().unconfirmed_header, None);
        assert_eq!(seen.get().unwrap().etag.as_deref(), Some("v2"));
    }

    #[test]
    fn a_change_reads_the_new_header_and_reads_again() {
        let mut fresh_reads = 0;
        let mut tags = Vec::new();
        let got = on_one_version(
            (version("v1"), None),
            || {
                fresh_reads += 1;
                Ok((version("v2"), Head::default()))
            },
            |v, head| {
                tags.push((v.etag.clone().unwrap(), head.is_some()));
                match v.etag.as_deref() {
                    Some("v1") => Err(Error::changed("x.npy")),
                    _ => Ok(7),
                }
            },
        );
        assert_eq!(got.unwrap(), 7);
        assert_eq!(fresh_reads, 1);
        assert_eq!(tags, [("v1".into(), false), ("v2".into(), true)]);
    }

    #[test]
    fn an_object_that_keeps_changing_is_a_bounded_io_error() {
        let mut reads = 0;
        let err = on_one_version(
            (version("v1"), None),
            || Ok((version("vn"), Head::default())),
            |_, _| -> Result<()> {
                reads += 1;
                Err(Error::changed("s3://b/x.npy"))
            },
        )
        .unwrap_err();
        assert_eq!(reads, ATTEMPTS);
        assert_eq!(err.kind(), ErrorKind::Io);
        assert!(!err.is_changed(), "not retried again further out");
        assert!(
            err.message()
                .contains("s3://b/x.npy changed while it was being read, 4 times"),
            "{err}"
        );
    }

    #[test]
    fn other_errors_and_a_failed_header_read_end_the_read() {
        let err = on_one_version(
            (version("v1"), None),
            || Err(Error::new(ErrorKind::Mismatch, "new shape")),
            |_, _| -> Result<()> { Err(Error::changed("x")) },
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Mismatch);
        let err = on_one_version(
            (version("v1"), None),
            || panic!("no fresh read after a plain error"),
            |_, _| -> Result<()> { Err(Error::new(ErrorKind::NotFound, "gone")) },
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
    }
}
