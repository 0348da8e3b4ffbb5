//! The byte-level interface every kind of store implements. It knows nothing about
//! `.npy`: it moves bytes at store-relative paths, atomically where it writes.

use crate::transfer::Transfer;
use crate::Result;
use std::fs::File;
use std::path::PathBuf;

/// The first bytes of an object and what the same response said about the whole.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Head {
    /// Up to the requested number of bytes from the start of the object.
    pub bytes: Vec<u8>,
    /// The whole object's size.
    pub size: u64,
    /// The object's version tag (an ETag on object stores), when the store has one.
    pub etag: Option<String>,
}

/// How a ranged read reports progress and what it insists on.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ReadCtx<'a> {
    /// Progress counter and cancel flag of the caller's transfer.
    pub transfer: Option<&'a Transfer>,
    /// Fail (instead of mixing versions) when the object's ETag is no longer this:
    /// every answer must name this tag.
    pub if_match: Option<&'a str>,
    /// The whole object's size at the pinned version: every answer must say this
    /// total (object stores: `Content-Range`), or the read fails as changed.
    pub size: Option<u64>,
}

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

    /// Up to `len` bytes from the start of the object (fewer when it is shorter).
    fn read_prefix(&self, path: &str, len: u64) -> Result<Vec<u8>>;

    /// Exactly `buf.len()` bytes starting at `offset` into `buf`; a short object is a
    /// `Format` error (truncated), never a partial fill reported as success.
    fn read_at(&self, path: &str, offset: u64, buf: &mut [u8]) -> Result<()>;

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

    /// The local file holding the object, when the store is a local directory
    /// (memory mapping maps it directly); `None` for object stores.
    fn local_file(&self, path: &str) -> Result<Option<PathBuf>>;

    /// The local file holding the object, opened for reading (and writing when
    /// `write`), for memory maps; `None` for object stores. File stores open it inside
    /// their location only (a link pointing out is a `Path` error).
    fn open_local(&self, path: &str, write: bool) -> Result<Option<File>> {
        let Some(file) = self.local_file(path)? else {
            return Ok(None);
        };
        std::fs::OpenOptions::new()
            .read(true)
            .write(write)
            .open(&file)
            .map(Some)
            .map_err(|e| crate::Error::io(&e, "cannot open", file.display()))
    }

    /// Start writing a new object at `path` front to back, beginning with `head` (a
    /// placeholder of the final header's length). Nothing is visible at `path` until
    /// [`Upload::finish`]; an abort, a failure or a drop leaves nothing behind.
    fn begin_upload(
        &self,
        path: &str,
        head: &[u8],
        options: UploadOptions,
    ) -> Result<Box<dyn Upload>>;
    /// The first `len` bytes (fewer when the object is shorter) with the object's size
    /// and version. Object stores answer with one ranged request.
    fn read_head(&self, path: &str, len: u64) -> Result<Head> {
        let bytes = self.read_prefix(path, len)?;
        let size = if (bytes.len() as u64) < len {
            bytes.len() as u64
        } else {
            self.size(path)?
        };
        Ok(Head {
            bytes,
            size,
            etag: None,
        })
    }

    /// Fill each `(offset, buf)` with the bytes at `offset`, as [`Backend::read_at`] does;
    /// object stores coalesce nearby ranges and fetch them concurrently.
    ///
    /// Returns the version tag (ETag) every byte was served at, when the store tells
    /// one. Bytes of two versions are never returned: object stores fail with
    /// [`crate::Error::changed`] when an answer does not name `ctx.if_match` or says
    /// another total size than `ctx.size`, or, without a pin, when the requests were
    /// answered from different versions.
    fn read_ranges(
        &self,
        path: &str,
        ranges: &mut [(u64, &mut [u8])],
        ctx: ReadCtx,
    ) -> Result<Option<String>> {
        for (offset, buf) in ranges.iter_mut() {
            if let Some(t) = ctx.transfer {
                t.check()?;
            }
            self.read_at(path, *offset, buf)?;
            if let Some(t) = ctx.transfer {
                t.add(buf.len() as u64);
            }
        }
        Ok(None)
    }

    /// A name for the store's location that differs between stores (remote caches key
    /// their copies by it); `None` for stores that need no cache.
    fn cache_identity(&self) -> Option<String> {
        None
    }
}
