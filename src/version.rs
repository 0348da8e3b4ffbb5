//! Which version of a stored object a reference reads, and the one read path on it:
//! every load, row read, bulk load and map opens a version ([`Opened`]: its header,
//! checked, and the backend's version reader) and reads through that reader. A file
//! store's reader is the open file. On object stores a header and the data it
//! describes come from separate requests; the ETag of the header's answer pins
//! every later ranged read of the data (`If-Match`), so an object replaced in
//! between is noticed instead of read as new bytes under the old header. A read
//! that finds its object changed starts over on the new version, a bounded number
//! of times ([`on_one_version`]).
//!
//! Every answer of a pinned read must name the pinned ETag and the version's total
//! size (src/store/object/reader.rs). An answer to an unconditional request (the header
//! read that learns the version) is not trusted that far: Azurite can pair its bytes
//! with the ETag of a version committed while it was being served (docs/remote.md,
//! scripts/azurite-torn-read.js). So a version's header bytes stay
//! [`Version::unconfirmed_header`] until a pinned read has brought them again.

use crate::error::{bail, Error, ErrorKind, Result};
use crate::format::{parse_header, Header, HeaderParse, ParsedHeader, MAX_HEADER_LEN};
use crate::store::{Backend, BoxedReader, Failure, Read};
use crate::transfer::Transfer;
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

/// One version of an object, open for a read: what its header says, the backend's
/// reader of it, and the answer that brought the header when it was just read.
#[derive(Debug)]
pub(crate) struct Opened<'s> {
    /// The version, as learnt from its header.
    pub version: Version,
    /// The backend's reader of this version.
    pub reader: BoxedReader<'s>,
    /// The first bytes of the object as the opening brought them (header, and more
    /// when more was asked for); `None` when the version was remembered, not read.
    pub head: Option<Vec<u8>>,
}

impl<'s> Opened<'s> {
    /// Open the version of `path` stored now and read its header: `probe` bytes
    /// first (one ranged request on object stores, which also tells the object's
    /// size and ETag), and once more, from the start, only if the header is longer.
    /// `agree` checks the header before the object's size is checked against it.
    pub(crate) fn current(
        backend: &'s dyn Backend,
        path: &str,
        probe: u64,
        agree: impl FnOnce(&Header) -> Result<()>,
    ) -> Result<(Header, Opened<'s>)> {
        let described = || backend.describe(path);
        // The fixed part (magic, version, length) must be there to learn the full length.
        let mut want = probe.max(12);
        let (parsed, reader, head) = loop {
            let (reader, head) = backend.open_version(path, want, false)?;
            match parse_header(&head).map_err(|e| e.context(described()))? {
                HeaderParse::Complete(parsed) => break (parsed, reader, head),
                HeaderParse::NeedMore { total }
                    if total > want
                        && (head.len() as u64) == want
                        && total <= MAX_HEADER_LEN + 16 =>
                {
                    want = total;
                }
                HeaderParse::NeedMore { .. } => bail!(
                    Format,
                    "{} is truncated inside its .npy header",
                    described()
                ),
            }
        };
        agree(&parsed.header)?;
        let layout = check_size(&described, &parsed, reader.size())?;
        let etag = reader.etag().map(str::to_string);
        let version = Version {
            layout,
            size: reader.size(),
            // The header bytes to see again under the tag the answer named.
            unconfirmed_header: etag
                .as_ref()
                .and_then(|_| head.get(..layout.data_offset as usize))
                .map(Arc::from),
            etag,
        };
        let opened = Opened {
            version,
            reader,
            head: Some(head),
        };
        Ok((parsed.header, opened))
    }

    /// Fetch `ranges` of this version, every answer pinned to it. While the version's
    /// header bytes are unconfirmed (learnt from an answer to an unconditional
    /// request, whose ETag a server may have paired with another version's bytes),
    /// the same read fetches them again: bytes other than those the version was
    /// learnt from mean the object changed. Once they match, `seen` trusts them.
    pub(crate) fn read(
        &self,
        seen: &Seen,
        ranges: &mut [(u64, &mut [u8])],
        transfer: Option<&Transfer>,
    ) -> Read<()> {
        let version = &self.version;
        let unconfirmed = version.unconfirmed_header.as_deref();
        let Some(learnt) = unconfirmed.filter(|_| version.etag.is_some()) else {
            return self.reader.read(ranges, transfer);
        };
        let mut again = vec![0u8; learnt.len()];
        let mut with_header: Vec<(u64, &mut [u8])> = Vec::with_capacity(ranges.len() + 1);
        with_header.push((0, &mut again[..]));
        with_header.extend(ranges.iter_mut().map(|(offset, buf)| (*offset, &mut **buf)));
        self.reader.read(&mut with_header, transfer)?;
        if again != learnt {
            return Err(Failure::Changed);
        }
        seen.confirm(version);
        Ok(())
    }
}

/// The object must hold exactly header + data bytes.
pub(crate) fn check_size(
    described: &dyn Fn() -> String,
    parsed: &ParsedHeader,
    size: u64,
) -> Result<StoredLayout> {
    let expected = parsed
        .header
        .data_len()?
        .checked_add(parsed.data_offset)
        .ok_or_else(|| Error::new(ErrorKind::Shape, "header plus data size overflows 64 bits"))?;
    if size != expected {
        let how = if size < expected {
            "truncated"
        } else {
            "longer than its header says"
        };
        bail!(
            Format,
            "{} is {how}: {size} bytes, but the header describes {expected}",
            described()
        );
    }
    Ok(StoredLayout {
        fortran_order: parsed.header.fortran_order,
        data_offset: parsed.data_offset,
    })
}

/// Run `read` on one version of an object (`what`, in messages) and return what it
/// returns. It starts on `first`; each time `read` finds the object changed
/// ([`Failure::Changed`]), `fresh` opens (and checks) the version now stored, and
/// `read` runs again on that, up to [`ATTEMPTS`] versions in all. An object that
/// keeps changing is an `Io` error saying so.
pub(crate) fn on_one_version<V, T>(
    what: &dyn Fn() -> String,
    first: V,
    mut fresh: impl FnMut() -> Result<V>,
    mut read: impl FnMut(&V) -> Read<T>,
) -> Result<T> {
    let mut version = first;
    for _ in 1..ATTEMPTS {
        match read(&version) {
            Err(Failure::Changed) => version = fresh()?,
            Err(Failure::Failed(e)) => return Err(e),
            Ok(done) => return Ok(done),
        }
    }
    read(&version).map_err(|e| match e {
        Failure::Failed(e) => e,
        Failure::Changed => Error::new(
            ErrorKind::Io,
            format!(
                "{} changed while it was being read, {ATTEMPTS} times in a row: it is being \
                 replaced faster than it can be read; try again later",
                what()
            ),
        ),
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
            &|| "x.npy".to_string(),
            version("v1"),
            || {
                fresh_reads += 1;
                Ok(version("v2"))
            },
            |v| {
                tags.push(v.etag.clone().unwrap());
                match v.etag.as_deref() {
                    Some("v1") => Err(Failure::Changed),
                    _ => Ok(7),
                }
            },
        );
        assert_eq!(got.unwrap(), 7);
        assert_eq!(fresh_reads, 1);
        assert_eq!(tags, ["v1", "v2"]);
    }

    #[test]
    fn an_object_that_keeps_changing_is_a_bounded_io_error() {
        let mut reads = 0;
        let err = on_one_version(
            &|| "s3://b/x.npy".to_string(),
            version("v1"),
            || Ok(version("vn")),
            |_| -> Read<()> {
                reads += 1;
                Err(Failure::Changed)
            },
        )
        .unwrap_err();
        assert_eq!(reads, ATTEMPTS);
        assert_eq!(err.kind(), ErrorKind::Io);
        assert!(
            err.message()
                .contains("s3://b/x.npy changed while it was being read, 4 times"),
            "{err}"
        );
    }

    #[test]
    fn other_errors_and_a_failed_header_read_end_the_read() {
        let what = || "x".to_string();
        let err = on_one_version(
            &what,
            version("v1"),
            || Err(Error::new(ErrorKind::Mismatch, "new shape")),
            |_| -> Read<()> { Err(Failure::Changed) },
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Mismatch);
        let err = on_one_version(
            &what,
            version("v1"),
            || panic!("no fresh read after a plain error"),
            |_| -> Read<()> { Err(Error::new(ErrorKind::NotFound, "gone").into()) },
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
    }
}
