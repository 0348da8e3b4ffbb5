//! npystore: NumPy `.npy` arrays in file stores and object storage, laid out exactly
//! as DataJoint's `<npy@store>` codec lays them out, with a C ABI for C, MATLAB and Julia.
//!
//! The safe Rust API in this crate does all the work; [`ffi`] is a thin C skin over it.

/// cbindgen:ignore
pub mod config;
/// cbindgen:ignore
pub mod error;
/// cbindgen:ignore
pub mod format;
/// cbindgen:ignore
pub mod path;

pub use error::{Error, ErrorKind, Result};
pub mod ffi;
