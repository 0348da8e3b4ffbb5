//! The version reader a backend opens: one version of one stored object, open for
//! reading. A file store's reader is the open file (a replacement of the object at
//! its path leaves it reading the file it opened); an object store's reader is the
//! ETag pin (every answer must name the pinned ETag and the version's total size).
//!
//! A read that finds its version gone says so with [`Failure::Changed`], a signal
//! that stays between the readers and the code that starts over on the new version
//! (`crate::version`); it never reaches a caller as an error of its own kind.

use crate::error::Error;
use crate::transfer::Transfer;
use std::fs::File;
use std::sync::atomic::{AtomicU64, Ordering};

/// Why a read of one version failed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The version is no longer the one stored (an answer named another ETag or
    /// size, or the requests were answered from different versions): a read of the
    /// newer version may succeed.
    Changed,
    /// Any other failure, reported as is.
    Failed(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::Failed(e)
    }
}

/// The outcome of a read of one version.
pub(crate) type Read<T> = std::result::Result<T, Failure>;

/// A backend's reader of one version, borrowing the backend.
pub(crate) type BoxedReader<'a> = Box<dyn VersionReader + 'a>;

/// One version of one object, open for reading; shared by the threads of one read.
pub(crate) trait VersionReader: Send + Sync + std::fmt::Debug {
    /// The whole object's size in bytes at this version.
    fn size(&self) -> u64;

    /// The object store's ETag of this version; `None` on file stores and on stores
    /// without tags.
    fn etag(&self) -> Option<&str>;

    /// Fill each `(offset, buf)` with this version's bytes at `offset`, reporting
    /// bytes to `transfer`. A short object is a `Format` error (truncated), never a
    /// partial fill reported as success; bytes of another version are never
    /// returned ([`Failure::Changed`] instead). Object stores coalesce nearby ranges
    /// and fetch them concurrently.
    fn read(&self, ranges: &mut [(u64, &mut [u8])], transfer: Option<&Transfer>) -> Read<()>;

    /// The open file holding this version, on file stores (memory maps map it);
    /// `None` on object stores.
    fn file(&self) -> Option<&File>;
}

/// How a store's objects are memory-mapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Maps {
    /// The stored file itself (file stores).
    Files,
    /// A local copy in the remote cache, keyed by `identity`, a name for the store's
    /// location that differs between stores.
    Copies {
        /// The store's location as the cache names it.
        identity: String,
    },
    /// Not at all (in-memory stores).
    Never,
}

/// The merge gap of a store: byte runs of one read that lie at most this far apart
/// are fetched by one read (one `pread`, one ranged GET), the bytes between them read
/// and dropped. A setting of the store, changed at any time; a read takes the value
/// in force when it starts.
#[derive(Debug)]
pub(crate) struct MergeGap(AtomicU64);

impl MergeGap {
    /// A gap of `bytes`.
    pub(crate) const fn new(bytes: u64) -> MergeGap {
        MergeGap(AtomicU64::new(bytes))
    }

    /// The gap in force.
    pub(crate) fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    /// Change the gap to `bytes`.
    pub(crate) fn set(&self, bytes: u64) {
        self.0.store(bytes, Ordering::Relaxed);
    }
}
