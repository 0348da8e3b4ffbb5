//! Object stores through the `object_store` crate (in-memory today; S3, GCS and
//! Azure plug in here). Every call runs on the embedded runtime.

use super::backend::{Backend, WriteOptions};
use super::runtime::block_on;
use crate::{Error, ErrorKind, Result};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};
use std::path::PathBuf;
use std::sync::Arc;

/// A store backed by an [`ObjectStore`], with objects under `prefix`.
#[derive(Debug)]
pub(crate) struct ObjectBackend {
    pub(crate) store: Arc<dyn ObjectStore>,
    /// The location inside the bucket/container ("" for none), without slashes at the ends.
    prefix: String,
    /// How to name the store in messages, e.g. `s3://bucket` or `memory://`.
    display_root: String,
}

impl ObjectBackend {
    /// A backend over `store`, keeping objects under `prefix`.
    pub(crate) fn new(
        store: Arc<dyn ObjectStore>,
        prefix: &str,
        display_root: &str,
    ) -> ObjectBackend {
        ObjectBackend {
            store,
            prefix: prefix.trim_matches('/').to_string(),
            display_root: display_root.trim_end_matches('/').to_string(),
        }
    }

    /// An empty in-memory store (tests, examples).
    pub(crate) fn memory() -> ObjectBackend {
        ObjectBackend::new(
            Arc::new(object_store::memory::InMemory::new()),
            "",
            "memory://",
        )
    }

    pub(crate) fn key(&self, path: &str) -> Result<ObjectPath> {
        let full = if self.prefix.is_empty() {
            path.to_string()
        } else {
            format!("{}/{path}", self.prefix)
        };
        // `parse` keeps the key as written (DataJoint's `%2F` stays `%2F`); `from` would re-encode it.
        ObjectPath::parse(&full)
            .map_err(|e| Error::new(ErrorKind::Path, format!("invalid object key {full:?}: {e}")))
    }

    pub(crate) fn map_err(&self, err: object_store::Error, operation: &str, path: &str) -> Error {
        let kind = match &err {
            object_store::Error::NotFound { .. } => ErrorKind::NotFound,
            object_store::Error::AlreadyExists { .. }
            | object_store::Error::Precondition { .. } => ErrorKind::AlreadyExists,
            object_store::Error::PermissionDenied { .. }
            | object_store::Error::Unauthenticated { .. } => ErrorKind::PermissionDenied,
            object_store::Error::NotSupported { .. }
            | object_store::Error::NotImplemented { .. } => ErrorKind::Unsupported,
            _ => ErrorKind::Io,
        };
        Error::new(kind, format!("{operation} {}: {err}", self.describe(path)))
    }
}

impl Backend for ObjectBackend {
    fn describe(&self, path: &str) -> String {
        match self.prefix.as_str() {
            "" => format!("{}/{path}", self.display_root),
            prefix => format!("{}/{prefix}/{path}", self.display_root),
        }
    }

    fn size(&self, path: &str) -> Result<u64> {
        let (store, key) = (self.store.clone(), self.key(path)?);
        let meta = block_on(async move { store.head(&key).await })?;
        meta.map(|m| m.size)
            .map_err(|e| self.map_err(e, "cannot stat", path))
    }

    fn read_prefix(&self, path: &str, len: u64) -> Result<Vec<u8>> {
        let size = self.size(path)?;
        let (store, key) = (self.store.clone(), self.key(path)?);
        let end = len.min(size);
        let bytes = block_on(async move { store.get_range(&key, 0..end).await })?;
        Ok(bytes
            .map_err(|e| self.map_err(e, "cannot read", path))?
            .to_vec())
    }

    fn read_at(&self, path: &str, offset: u64, buf: &mut [u8]) -> Result<()> {
        if buf.is_empty() {
            return Ok(());
        }
        let end = offset + buf.len() as u64;
        let size = self.size(path)?;
        if size < end {
            return Err(Error::new(
                ErrorKind::Format,
                format!(
                    "{} is truncated: {size} bytes, but bytes up to {end} are needed",
                    self.describe(path)
                ),
            ));
        }
        let (store, key) = (self.store.clone(), self.key(path)?);
        let bytes = block_on(async move { store.get_range(&key, offset..end).await })?
            .map_err(|e| self.map_err(e, "cannot read", path))?;
        if bytes.len() != buf.len() {
            return Err(Error::new(
                ErrorKind::Io,
                format!("short read from {}", self.describe(path)),
            ));
        }
        buf.copy_from_slice(&bytes);
        Ok(())
    }

    fn write_atomic(&self, path: &str, chunks: &[&[u8]], options: WriteOptions) -> Result<()> {
        // One PUT is atomic on object stores: the object appears whole or not at all.
        let payload: PutPayload = chunks
            .iter()
            .map(|c| bytes::Bytes::copy_from_slice(c))
            .collect();
        let mode = if options.overwrite {
            PutMode::Overwrite
        } else {
            PutMode::Create
        };
        let (store, key) = (self.store.clone(), self.key(path)?);
        let put =
            block_on(async move { store.put_opts(&key, payload, PutOptions::from(mode)).await })?;
        put.map(|_| ())
            .map_err(|e| self.map_err(e, "cannot write", path))
    }

    fn exists(&self, path: &str) -> Result<bool> {
        match self.size(path) {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn delete(&self, path: &str) -> Result<()> {
        // Object stores delete silently when nothing is there; report it like a file store.
        self.size(path)?;
        let (store, key) = (self.store.clone(), self.key(path)?);
        let deleted = block_on(async move { store.delete(&key).await })?;
        deleted.map_err(|e| self.map_err(e, "cannot delete", path))
    }

    fn local_file(&self, _path: &str) -> Result<Option<PathBuf>> {
        Ok(None)
    }
}
