//! Object stores through the `object_store` crate (in-memory today; S3, GCS and
//! Azure plug in here). Every call runs on the embedded runtime.

use super::backend::{Backend, WriteOptions};
use super::runtime::block_on;
use super::upload::{Multipart, ObjectUpload, Upload, UploadOptions};
use crate::{Error, ErrorKind, Result};
use object_store::multipart::MultipartStore;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};
use std::path::PathBuf;
use std::sync::Arc;

/// A store backed by an [`ObjectStore`], with objects under `prefix`.
#[derive(Debug, Clone)]
pub(crate) struct ObjectBackend {
    pub(crate) store: Arc<dyn ObjectStore>,
    /// The same store's part-by-part upload API (streaming writers); S3, GCS, Azure and
    /// InMemory all implement it. `None`: writers are unsupported on this store.
    pub(crate) multipart: Option<Multipart>,
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
            multipart: None,
            prefix: prefix.trim_matches('/').to_string(),
            display_root: display_root.trim_end_matches('/').to_string(),
        }
    }

    /// Let streaming writers upload part by part through `multipart`, which must be
    /// the same store as `store` (e.g. the same `AmazonS3`).
    pub(crate) fn with_multipart(mut self, multipart: Arc<dyn MultipartStore>) -> ObjectBackend {
        self.multipart = Some(Multipart(multipart));
        self
    }

    /// An empty in-memory store (tests, examples).
    pub(crate) fn memory() -> ObjectBackend {
        let store = Arc::new(object_store::memory::InMemory::new());
        ObjectBackend::new(store.clone(), "", "memory://").with_multipart(store)
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

    fn begin_upload(
        &self,
        path: &str,
        head: &[u8],
        options: UploadOptions,
    ) -> Result<Box<dyn Upload>> {
        Ok(Box::new(ObjectUpload::begin(self, path, head, options)?))
    }
}
