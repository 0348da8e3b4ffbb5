//! npystore: NumPy `.npy` arrays in file stores and object storage, laid out exactly
//! as DataJoint's `<npy@store>` codec lays them out, with a C ABI for C, MATLAB and Julia.
//!
//! The safe Rust API in this crate does all the work; [`ffi`] is a thin C skin over it.
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

/// cbindgen:ignore
pub mod array_ref;
/// cbindgen:ignore
pub(crate) mod cache;
/// cbindgen:ignore
pub mod config;
/// cbindgen:ignore
pub mod error;
/// cbindgen:ignore
pub mod format;
/// cbindgen:ignore
pub mod layout;
/// cbindgen:ignore
pub mod mapping;
/// cbindgen:ignore
pub mod metadata;
/// cbindgen:ignore
pub mod path;
/// cbindgen:ignore
pub mod put;
/// cbindgen:ignore
pub mod store;
/// cbindgen:ignore
pub mod target;
/// cbindgen:ignore
pub mod transfer;
/// cbindgen:ignore
pub(crate) mod version;
/// cbindgen:ignore
pub(crate) mod worker;
/// cbindgen:ignore
pub mod writer;

pub mod ffi;

pub use array_ref::ArrayRef;
pub use error::{Error, ErrorKind, Result};
pub use format::Dtype;
pub use layout::Order;
pub use mapping::{MapMode, Mapping};
pub use metadata::Metadata;
pub use put::ArrayData;
pub use store::Store;
pub use target::{PutOptions, Target};
pub use version::StoredLayout;
pub use writer::Writer;
