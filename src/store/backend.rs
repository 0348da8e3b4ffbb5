//! The byte-level interface every kind of store implements. It knows nothing about
//! `.npy`: it moves bytes at store-relative paths, atomically where it writes.

use super::reader::{BoxedReader, Maps, MergeGap};
use crate::error::Result;

/// How a whole object is published.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteOptions {
    /// Flush data (and the directory entry) to stable storage before returning.
    pub fsync: bool,
    /// Replace an existing object at the path; when false an existing object is an error.
    pub overwrite: bool,
}

/// How an upload publishes and, on object stores, how it splits the object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UploadOptions {
    /// fsync (file stores) and overwrite, as for a whole-object write.
    pub write: WriteOptions,
    /// Object stores: bytes per part at the start (>= 5 MiB for S3).
    pub part_size: u64,
    /// Object stores: parts uploading at once (at least 1).
    pub concurrency: usize,
}

/// A new object being written front to back.
pub(crate) trait Upload: Send + std::fmt::Debug {
    /// Append `data` after everything written so far.
    fn write(&mut self, data: &[u8]) -> Result<()>;

    /// Replace the first `head.len()` bytes (the placeholder given at the start, same
    /// length) with `head` and publish the object; returns its version tag (ETag)
    /// when the store tells one. On failure nothing is published and everything
    /// written is discarded.
    fn finish(&mut self, head: &[u8]) -> Result<Option<String>>;

    /// Discard everything written. Idempotent; a dropped upload aborts itself.
    fn abort(&mut self) -> Result<()>;
}

/// One kind of store: a local directory, or an object store through `object_store`.
///
/// Paths are relative to the store's location, already validated (no `..`, no empty or
/// absolute components). Implementations are shared across threads.
pub(crate) trait Backend: Send + Sync + std::fmt::Debug {
    /// The full location of `path`, for messages (`/data/main/a.npy`, `s3://bucket/a.npy`).
    fn describe(&self, path: &str) -> String;

    /// The object's size in bytes; `NotFound` when it does not exist.
    fn size(&self, path: &str) -> Result<u64>;

    /// Open the object at `path` at the version stored now: its first `len` bytes
    /// (fewer when it is shorter) and a reader of the version they came from. File
    /// stores open the file inside their location (a link pointing out is a `Path`
    /// error), for writing too when `write` (maps with mode `r+`); object stores ask
    /// one unconditional ranged GET, whose answer's ETag and size pin the reader.
    fn open_version(&self, path: &str, len: u64, write: bool)
        -> Result<(BoxedReader<'_>, Vec<u8>)>;

    /// A reader of the version of `path` that an earlier opening learnt (`etag`,
    /// `size`), without I/O; `None` where versions have no name to pin (file stores
    /// open the file afresh instead).
    fn reopen_version(&self, path: &str, etag: Option<&str>, size: u64) -> Option<BoxedReader<'_>>;

    /// How the store's objects are memory-mapped.
    fn maps(&self) -> Maps;

    /// How far apart two byte runs of one read may lie and still be fetched by one
    /// read.
    fn merge_gap(&self) -> &MergeGap;

    /// Publish `chunks`, concatenated, as the object at `path`: readers see the old
    /// state or the complete new object, never a partial one. Returns the new
    /// object's version tag (ETag) when the store reports one.
    fn write_atomic(
        &self,
        path: &str,
        chunks: &[&[u8]],
        options: WriteOptions,
    ) -> Result<Option<String>>;

    /// Whether an object exists at `path`.
    fn exists(&self, path: &str) -> Result<bool>;

    /// Remove the object; `NotFound` when there is none.
    fn delete(&self, path: &str) -> Result<()>;

    /// Start writing a new object at `path` front to back, beginning with `head` (a
    /// placeholder of the final header's length). Nothing is visible at `path` until
    /// [`Upload::finish`]; an abort, a failure or a drop leaves nothing behind.
    fn begin_upload(
        &self,
        path: &str,
        head: &[u8],
        options: UploadOptions,
    ) -> Result<Box<dyn Upload>>;
}
