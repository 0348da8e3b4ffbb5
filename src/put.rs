//! Writing one array: validate it, address it (DataJoint's schema path or an
//! explicit path), encode numpy's exact header, publish atomically.

use crate::array_ref::ArrayRef;
use crate::format::{numpy_header, Dtype};
use crate::path::{schema_object_path, KeyPart, PathSettings};
use crate::store::{Store, WriteOptions};
use crate::{bail, ErrorKind, Result};

/// An array in memory, described the way numpy describes it.
#[derive(Debug, Clone)]
pub struct ArrayData<'a> {
    /// The raw bytes, `dtype.itemsize() * product(shape)` of them.
    pub data: &'a [u8],
    /// The element type.
    pub dtype: Dtype,
    /// The shape in numpy order; empty for 0-d.
    pub shape: Vec<u64>,
    /// The bytes are in Fortran (column-major) order.
    pub fortran_order: bool,
}

/// Where a put writes.
#[derive(Debug, Clone)]
pub enum Target {
    /// DataJoint's schema-addressed path for one attribute of one row.
    Schema {
        /// Schema (database) name.
        schema: String,
        /// SQL table name with DataJoint's tier prefix (`#lookup`, `_imported`, `__computed`, `master__part`).
        table: String,
        /// Attribute (column) name.
        attribute: String,
        /// The row's primary key, in primary-key order.
        key: Vec<KeyPart>,
    },
    /// An explicit store-relative path.
    Path(String),
}

/// How a put publishes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PutOptions {
    /// fsync the object and its directory before returning (file stores); the store's
    /// `fsync` setting turns this on for every put.
    pub fsync: bool,
    /// Replace an existing object at an explicit path (otherwise `AlreadyExists`).
    pub overwrite: bool,
}

/// How many fresh tokens a schema-addressed put tries before giving up on collisions.
const TOKEN_ATTEMPTS: usize = 4;

impl Store {
    /// Write `array` at `target` as a numpy-exact `.npy`, atomically.
    pub fn put(
        &self,
        array: &ArrayData<'_>,
        target: &Target,
        options: PutOptions,
    ) -> Result<ArrayRef> {
        put(self, array, target, options)
    }
}

pub(crate) fn put(
    store: &Store,
    array: &ArrayData<'_>,
    target: &Target,
    options: PutOptions,
) -> Result<ArrayRef> {
    let header = numpy_header(
        array.dtype.clone(),
        array.shape.clone(),
        array.fortran_order,
    );
    let needed = header.data_len()?;
    if array.data.len() as u64 != needed {
        bail!(
            Length,
            "data has {} bytes but dtype {} with shape {:?} needs {needed}",
            array.data.len(),
            header.dtype.numpy_str(),
            header.shape
        );
    }
    let preamble = header.encode_checked()?;
    let chunks = [preamble.as_slice(), array.data];
    let (path, etag) = write_at_target(store, target, options, |path, write| {
        store.backend().write_atomic(path, &chunks, write)
    })?;
    ArrayRef::written(store, path, header, preamble.len() as u64, etag)
}

/// Run `write` at the store-relative path `target` names and return that path (with
/// what `write` returned there): an
/// explicit path once (validated; `options.overwrite` decides replacing), or a
/// schema-addressed path under a fresh random token, drawing again (up to
/// `TOKEN_ATTEMPTS` times) while `write` reports `AlreadyExists`; schema paths are never
/// overwritten. The store's `fsync` setting is folded into the options `write` gets.
pub(crate) fn write_at_target<T>(
    store: &Store,
    target: &Target,
    options: PutOptions,
    mut write: impl FnMut(&str, WriteOptions) -> Result<T>,
) -> Result<(String, T)> {
    let options = WriteOptions {
        fsync: options.fsync || store.spec().options.fsync,
        overwrite: options.overwrite,
    };
    match target {
        Target::Path(path) => {
            crate::path::validate_relative_path(path)?;
            let written = write(path, options)?;
            Ok((path.clone(), written))
        }
        Target::Schema {
            schema,
            table,
            attribute,
            key,
        } => {
            let settings = PathSettings::from(store.spec());
            let options = WriteOptions {
                overwrite: false,
                ..options
            };
            let mut attempt = 0;
            loop {
                let token = crate::path::random_token(settings.token_length);
                let path = schema_object_path(schema, table, key, attribute, &settings, &token)?;
                match write(&path, options) {
                    Err(e)
                        if e.kind() == ErrorKind::AlreadyExists && attempt + 1 < TOKEN_ATTEMPTS =>
                    {
                        attempt += 1
                    }
                    Err(e) => return Err(e),
                    Ok(written) => return Ok((path, written)),
                }
            }
        }
    }
}
