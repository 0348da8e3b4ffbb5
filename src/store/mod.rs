//! A configured store: the DataJoint store spec plus the backend that moves bytes.
//!
//! What a store does with arrays is added where it is done: [`Store::put`] in
//! `put.rs`, [`Store::writer`] in `writer/`, [`Store::ref_from_json`] and
//! [`Store::open_ref`] in `array_ref.rs`; this layer names none of them.

mod backend;
pub(crate) mod etag;
mod exists;
mod local;
mod object;
mod reader;
mod remote;
pub(crate) mod runtime;

pub(crate) use backend::{Backend, Upload, UploadOptions, WriteOptions};
pub(crate) use exists::refuse_existing;
pub use local::{LOCAL_MERGE_GAP, TEMP_SUFFIX};
pub use object::OBJECT_MERGE_GAP;
pub(crate) use reader::{BoxedReader, Failure, Maps, Read, VersionReader};
#[cfg(test)]
pub(crate) use runtime::block_on;

use crate::config::{Config, StoreKind, StoreSpec};
use crate::error::Result;
use std::path::Path;
use std::sync::Arc;

/// An open store. Cheap to clone; clones share one backend. `Send + Sync`: one store
/// may serve many threads at once.
#[derive(Clone, Debug)]
pub struct Store {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    spec: StoreSpec,
    backend: Box<dyn Backend>,
}

impl Store {
    /// Open store `name` (`None` or "" for `stores.default`) from `config`: `None`
    /// discovers `datajoint.json` like DataJoint; text starting with `{` (after an
    /// optional UTF-8 BOM and whitespace) is JSON; any other text is the path of a
    /// JSON file.
    pub fn open(config: Option<&str>, name: Option<&str>) -> Result<Store> {
        let config = Config::from_arg(config)?;
        Store::from_spec(config.store(name)?)
    }

    /// Open a store from an already validated spec.
    pub fn from_spec(spec: StoreSpec) -> Result<Store> {
        let backend: Box<dyn Backend> = match &spec.kind {
            StoreKind::File => Box::new(local::LocalBackend::open(Path::new(&spec.location))?),
            StoreKind::S3(s3) => Box::new(remote::open_s3(&spec, s3)?),
            StoreKind::Gcs(gcs) => Box::new(remote::open_gcs(&spec, gcs)?),
            StoreKind::Azure(azure) => Box::new(remote::open_azure(&spec, azure)?),
            StoreKind::Memory => Box::new(object::ObjectBackend::memory()),
        };
        if let Some(gap) = spec.options.merge_gap_bytes {
            backend.merge_gap().set(gap);
        }
        Ok(Store {
            inner: Arc::new(Inner { spec, backend }),
        })
    }

    /// The store's name as configured.
    pub fn name(&self) -> &str {
        &self.inner.spec.name
    }

    /// The validated store settings.
    pub fn spec(&self) -> &StoreSpec {
        &self.inner.spec
    }

    /// The full location of a store-relative path, for messages.
    pub fn describe(&self, path: &str) -> String {
        self.inner.backend.describe(path)
    }

    /// A store over a given backend (tests that need a store with instrumented I/O).
    #[cfg(test)]
    pub(crate) fn with_backend(spec: StoreSpec, backend: Box<dyn Backend>) -> Store {
        Store {
            inner: Arc::new(Inner { spec, backend }),
        }
    }

    pub(crate) fn backend(&self) -> &dyn Backend {
        self.inner.backend.as_ref()
    }

    /// The merge gap of partial reads ([`ArrayRef::read_slice`],
    /// [`ArrayRef::read_rows`]): byte runs at most this many bytes apart are fetched
    /// by one read, the bytes between them read and dropped. The store's
    /// `merge_gap_bytes` setting (docs/config.md) if it has one, else
    /// [`LOCAL_MERGE_GAP`] on file stores and [`OBJECT_MERGE_GAP`] on object stores.
    ///
    /// [`ArrayRef::read_slice`]: crate::ArrayRef::read_slice
    /// [`ArrayRef::read_rows`]: crate::ArrayRef::read_rows
    pub fn merge_gap(&self) -> u64 {
        self.backend().merge_gap().get()
    }

    /// Set the merge gap ([`Store::merge_gap`]) of this store and every clone of it,
    /// for the reads that start after the call. 0 merges only runs that touch.
    pub fn set_merge_gap(&self, bytes: u64) {
        self.backend().merge_gap().set(bytes);
    }

    /// Whether an object exists at a store-relative path.
    pub fn exists(&self, path: &str) -> Result<bool> {
        crate::path::validate_relative_path(path)?;
        self.backend().exists(path)
    }

    /// Delete the object at a store-relative path.
    pub fn delete(&self, path: &str) -> Result<()> {
        crate::path::validate_relative_path(path)?;
        self.backend().delete(path)
    }
}
