//! The byte-level interface every kind of store implements. It knows nothing about
//! `.npy`: it moves bytes at store-relative paths, atomically where it writes.

use super::upload::{Upload, UploadOptions};
use crate::Result;
use std::fs::File;
use std::path::PathBuf;

/// How a whole object is published.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteOptions {
    /// Flush data (and the directory entry) to stable storage before returning.
    pub fsync: bool,
    /// Replace an existing object at the path; when false an existing object is an error.
    pub overwrite: bool,
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
    /// state or the complete new object, never a partial one.
    fn write_atomic(&self, path: &str, chunks: &[&[u8]], options: WriteOptions) -> Result<()>;

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
}
