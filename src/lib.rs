//! npystore: NumPy `.npy` arrays in file stores and object storage, laid out exactly
//! as DataJoint's `<npy@store>` codec lays them out, with a C ABI for C, MATLAB and Julia.
//!
//! The safe Rust API in this crate does all the work; the C ABI (`include/npystore.h`)
//! is a thin skin over it.
//!
//! ```no_run
//! use npystore::{ArrayData, Dtype, Order, PutOptions, Store, Target};
//! let store = Store::open(None, None)?; // datajoint.json, default store
//! let values = [1.0f64, 2.0, 3.0];
//! let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
//! let array = ArrayData { data: &bytes, dtype: Dtype::parse("<f8")?, shape: vec![3], fortran_order: false };
//! let r = store.put(&array, &Target::Path("demo/a.npy".into()), PutOptions::default())?;
//! let again = store.ref_from_json(r.json())?;
//! assert_eq!(again.load(Order::AsStored)?, bytes);
//! # Ok::<(), npystore::Error>(())
//! ```

#![warn(missing_docs)]

// The public surface: the types re-exported below, plus four layers a Rust user may
// want alone: `config` (reading `datajoint.json`), `format` (the `.npy` format) and
// `path` (DataJoint's object paths), and `db` (DataJoint tables on PostgreSQL).
// Everything else is internal.
//
// `cbindgen:ignore` keeps cbindgen, which reads every module whatever its visibility,
// from turning the internal modules' `pub const`s into header macros.

/// cbindgen:ignore
pub(crate) mod array_ref;
/// cbindgen:ignore
pub(crate) mod cache;
/// cbindgen:ignore
pub mod config;
/// cbindgen:ignore
pub mod db;
/// cbindgen:ignore
pub(crate) mod error;
/// cbindgen:ignore
pub mod format;
/// cbindgen:ignore
pub(crate) mod layout;
/// cbindgen:ignore
pub(crate) mod mapping;
/// cbindgen:ignore
pub(crate) mod metadata;
/// cbindgen:ignore
pub mod path;
/// cbindgen:ignore
pub(crate) mod put;
/// cbindgen:ignore
pub(crate) mod slice;
/// cbindgen:ignore
pub(crate) mod store;
/// cbindgen:ignore
pub(crate) mod store_set;
/// cbindgen:ignore
pub(crate) mod target;
/// cbindgen:ignore
pub(crate) mod transfer;
/// cbindgen:ignore
pub(crate) mod version;
/// cbindgen:ignore
pub(crate) mod worker;
/// cbindgen:ignore
pub(crate) mod writer;

// The C ABI: its `#[no_mangle]` functions are exported from the cdylib and staticlib
// whatever the module's Rust visibility; Rust users use the safe API above.
pub(crate) mod ffi;

pub use array_ref::{load_many, ArrayRef, DEFAULT_BULK_CONCURRENCY};
pub use error::{Error, ErrorKind, Result};
pub use format::Dtype;
pub use layout::Order;
pub use mapping::{MapMode, Mapping};
pub use metadata::Metadata;
pub use put::ArrayData;
pub use store::{Store, LOCAL_MERGE_GAP, OBJECT_MERGE_GAP, TEMP_SUFFIX};
pub use store_set::StoreSet;
pub use target::{PutOptions, Target};
pub use transfer::{with_progress, ProgressFn, Transfer, PROGRESS_INTERVAL};
pub use version::StoredLayout;
pub use writer::Writer;
