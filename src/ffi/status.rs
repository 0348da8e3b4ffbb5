//! `npy_status`: the fixed status codes every fallible C call returns.

use crate::error::ErrorKind;

/// Result of every fallible npystore call. 0 is success; the other values are fixed
/// forever and name a kind of failure. `npy_last_error()` holds the message.
#[repr(C)]
#[allow(non_camel_case_types)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum npy_status {
    /// Success.
    NPY_OK = 0,
    /// An argument is NULL, not UTF-8, or out of its allowed range.
    NPY_ERR_INVALID_ARGUMENT = 1,
    /// A byte length disagrees with dtype x shape, or a caller buffer has the wrong size.
    NPY_ERR_LENGTH = 2,
    /// A dtype string is unknown, malformed or unsupported.
    NPY_ERR_DTYPE = 3,
    /// Object dtype or pickled content: refused, never executed.
    NPY_ERR_OBJECT_DTYPE = 4,
    /// A shape is invalid or its element or byte count overflows 64 bits.
    NPY_ERR_SHAPE = 5,
    /// A stored object is not a valid `.npy` file (magic, version, header, truncation).
    NPY_ERR_FORMAT = 6,
    /// The stored header disagrees with the reference's metadata (DataJoint JSON).
    NPY_ERR_MISMATCH = 7,
    /// The configuration is malformed or invalid.
    NPY_ERR_CONFIG = 8,
    /// The requested store is not configured.
    NPY_ERR_STORE_NOT_CONFIGURED = 9,
    /// A name or path is invalid or would leave the store.
    NPY_ERR_PATH = 10,
    /// The object or the store location does not exist.
    NPY_ERR_NOT_FOUND = 11,
    /// An I/O error from the file system or object store.
    NPY_ERR_IO = 12,
    /// Access denied: file permissions or rejected credentials.
    NPY_ERR_PERMISSION_DENIED = 13,
    /// The operation did not finish within its deadline.
    NPY_ERR_TIMEOUT = 14,
    /// Valid, but not supported for this store or object.
    NPY_ERR_UNSUPPORTED = 15,
    /// DataJoint metadata JSON is malformed or lacks a field.
    NPY_ERR_JSON = 16,
    /// The target already exists and overwriting was not requested.
    NPY_ERR_ALREADY_EXISTS = 17,
    /// The handle is in the wrong state for this call.
    NPY_ERR_STATE = 18,
    /// The endpoint cannot be reached, or the connection to it broke mid-request
    /// (reset, or closed before the response ended).
    NPY_ERR_NETWORK = 19,
    /// The bucket (S3, GCS) or container (Azure) of a remote store does not exist.
    NPY_ERR_BUCKET_NOT_FOUND = 20,
    /// A progress callback returned non-zero: the transfer was stopped.
    NPY_ERR_CANCELLED = 21,
    /// A bug in npystore (an internal check failed or a panic was caught).
    NPY_ERR_INTERNAL = 99,
}

impl npy_status {
    /// The status of `kind`. The list above is written out because cbindgen reads
    /// source text and does not expand `error.rs`'s table; this match (exhaustive, so
    /// a new kind does not compile without its status) and the assertion below hold
    /// it to that table.
    const fn of(kind: ErrorKind) -> npy_status {
        use npy_status::*;
        match kind {
            ErrorKind::InvalidArgument => NPY_ERR_INVALID_ARGUMENT,
            ErrorKind::Length => NPY_ERR_LENGTH,
            ErrorKind::Dtype => NPY_ERR_DTYPE,
            ErrorKind::ObjectDtype => NPY_ERR_OBJECT_DTYPE,
            ErrorKind::Shape => NPY_ERR_SHAPE,
            ErrorKind::Format => NPY_ERR_FORMAT,
            ErrorKind::Mismatch => NPY_ERR_MISMATCH,
            ErrorKind::Config => NPY_ERR_CONFIG,
            ErrorKind::StoreNotConfigured => NPY_ERR_STORE_NOT_CONFIGURED,
            ErrorKind::Path => NPY_ERR_PATH,
            ErrorKind::NotFound => NPY_ERR_NOT_FOUND,
            ErrorKind::Io => NPY_ERR_IO,
            ErrorKind::PermissionDenied => NPY_ERR_PERMISSION_DENIED,
            ErrorKind::Timeout => NPY_ERR_TIMEOUT,
            ErrorKind::Unsupported => NPY_ERR_UNSUPPORTED,
            ErrorKind::Json => NPY_ERR_JSON,
            ErrorKind::AlreadyExists => NPY_ERR_ALREADY_EXISTS,
            ErrorKind::State => NPY_ERR_STATE,
            ErrorKind::Network => NPY_ERR_NETWORK,
            ErrorKind::BucketNotFound => NPY_ERR_BUCKET_NOT_FOUND,
            ErrorKind::Cancelled => NPY_ERR_CANCELLED,
            ErrorKind::Internal => NPY_ERR_INTERNAL,
        }
    }
}

/// Whether every kind in `kinds` has a status of its own value, other than `NPY_OK`
/// and unlike any kind after it.
const fn statuses_match(kinds: &[ErrorKind]) -> bool {
    match kinds {
        [] => true,
        [kind, rest @ ..] => {
            npy_status::of(*kind) as i32 == *kind as i32
                && *kind as i32 != npy_status::NPY_OK as i32
                && !has_value(rest, *kind as i32)
                && statuses_match(rest)
        }
    }
}

/// Whether a kind in `kinds` has `value`.
const fn has_value(kinds: &[ErrorKind], value: i32) -> bool {
    match kinds {
        [] => false,
        [kind, rest @ ..] => *kind as i32 == value || has_value(rest, value),
    }
}

// Checked when the crate compiles: a kind whose status differs fails the build.
const _: () = assert!(statuses_match(&ErrorKind::ALL));

impl From<ErrorKind> for npy_status {
    fn from(kind: ErrorKind) -> Self {
        npy_status::of(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_status_is_named_after_its_kind() {
        for kind in ErrorKind::ALL {
            let want = format!("NPY_ERR_{}", kind.name().to_ascii_uppercase());
            assert_eq!(format!("{:?}", npy_status::from(kind)), want);
        }
    }
}
