//! The C ABI: the only `unsafe extern "C"` code in npystore.
//!
//! Every exported function checks its arguments, runs the safe core inside a panic
//! boundary, and reports failure as an [`npy_status`] plus a thread-local message
//! (`npy_last_error`). Handles are opaque boxes; each has one `*_free` that accepts NULL.
#![allow(non_camel_case_types)]

mod boundary;
pub mod bulk;
pub mod info;
pub mod load;
pub mod put;
pub mod reference;
pub mod status;
pub mod store;
pub mod target;
pub mod writer;

pub use status::npy_status;
