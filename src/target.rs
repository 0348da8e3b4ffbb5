//! Where a new object goes and how it is published, shared by `put` and the
//! streaming `writer`: an explicit store-relative path, or DataJoint's
//! schema-addressed path under a fresh random token.

use crate::error::{ErrorKind, Result};
use crate::path::{schema_object_path, KeyPart};
use crate::store::{Store, WriteOptions};

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
            let settings = &store.spec().path;
            let options = WriteOptions {
                overwrite: false,
                ..options
            };
            let mut attempt = 0;
            loop {
                let token = crate::path::random_token(settings.token_length);
                let path = schema_object_path(schema, table, key, attribute, settings, &token)?;
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
