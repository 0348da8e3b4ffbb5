//! A configured store: the DataJoint store spec plus the backend that moves bytes.

mod backend;
mod beneath;
pub(crate) mod etag;
mod local;
mod object;
mod remote;
mod runtime;
pub(crate) mod upload;

pub(crate) use backend::{Backend, Head, ReadCtx, WriteOptions};
pub(crate) use local::read_file_at;
pub use local::TEMP_SUFFIX;
#[cfg(test)]
pub(crate) use runtime::block_on;

use crate::array_ref::ArrayRef;
use crate::config::{Config, Protocol, StoreSpec};
use crate::format::Dtype;
use crate::put::{ArrayData, PutOptions, Target};
use crate::writer::Writer;
use crate::Result;
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
        let backend: Box<dyn Backend> = match spec.protocol {
            Protocol::File => Box::new(local::LocalBackend::open(Path::new(&spec.location))?),
            Protocol::Memory => Box::new(object::ObjectBackend::memory()),
            Protocol::S3 | Protocol::Gcs | Protocol::Azure => Box::new(remote::open(&spec)?),
        };
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

    /// Write `array` at `target` as a numpy-exact `.npy`, atomically.
    pub fn put(
        &self,
        array: &ArrayData<'_>,
        target: &Target,
        options: PutOptions,
    ) -> Result<ArrayRef> {
        crate::put::put(self, array, target, options)
    }

    /// Start a streaming [`Writer`] for an array that grows by rows, published at
    /// `target` when it finishes. Rows of `row_shape` are appended along the first axis
    /// (final shape `[n, row_shape...]`, data in C order), or with `fortran` along the
    /// last axis (final shape `[row_shape..., n]`, data column-major). `options` as for
    /// [`Store::put`].
    pub fn writer(
        &self,
        target: &Target,
        dtype: Dtype,
        row_shape: Vec<u64>,
        fortran: bool,
        options: PutOptions,
    ) -> Result<Writer> {
        Writer::open(self, target, dtype, row_shape, fortran, options)
    }

    /// A reference from DataJoint's metadata JSON (no I/O).
    pub fn ref_from_json(&self, json: &str) -> Result<ArrayRef> {
        ArrayRef::from_json(self, json)
    }

    /// A reference to the object at a store-relative path (reads its header).
    pub fn open_ref(&self, path: &str) -> Result<ArrayRef> {
        ArrayRef::open(self, path)
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
