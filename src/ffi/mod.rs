//! The C ABI: the only `unsafe extern "C"` code in npystore.
//!
//! Every exported function checks its arguments, runs the safe core inside a panic
//! boundary, and reports failure as an [`npy_status`] plus a thread-local message
//! (`npy_last_error`). Handles are opaque boxes; each has one `*_free` that accepts NULL.

mod boundary;
pub mod info;
pub mod status;

pub use status::npy_status;
