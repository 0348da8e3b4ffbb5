//! The one error type of the safe core, and the kinds that become C status codes.

use std::fmt;

/// Defines [`ErrorKind`] from one table, each kind once: its doc, its variant, its
/// fixed value and its stable name. [`ErrorKind::ALL`] and [`ErrorKind::c_name`] come
/// from the same rows. The C list (`npy_status` in `ffi/status.rs`) is written out
/// for cbindgen, which reads source text and does not expand macros; it is held to
/// this table at compile time there.
macro_rules! error_kinds {
    ($($(#[doc = $doc:literal])+ $kind:ident = $value:literal, $name:literal;)+) => {
        /// What went wrong, coarsely: each kind maps to one fixed C status value.
        ///
        /// The numbers are part of the C ABI (`npy_status`) and never change meaning.
        /// New kinds may be added, so a `match` outside this crate needs a `_` arm.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorKind {
            $($(#[doc = $doc])+ $kind = $value,)+
        }

        impl ErrorKind {
            /// Every kind, in status-code order.
            pub const ALL: [ErrorKind; [$($value),+].len()] = [$(ErrorKind::$kind),+];

            /// [`ErrorKind::name`] as a static C string.
            pub fn c_name(self) -> &'static std::ffi::CStr {
                match self {
                    $(ErrorKind::$kind => $name,)+
                }
            }
        }
    };
}

error_kinds! {
    /// An argument is missing, NULL, not UTF-8, or out of its allowed range.
    InvalidArgument = 1, c"invalid_argument";
    /// A byte length disagrees with dtype x shape, or a caller buffer has the wrong size.
    Length = 2, c"length";
    /// A dtype string is unknown, malformed or unsupported.
    Dtype = 3, c"dtype";
    /// Object dtype or pickled content: refused, never executed.
    ObjectDtype = 4, c"object_dtype";
    /// A shape is invalid or its element/byte count overflows 64 bits.
    Shape = 5, c"shape";
    /// A stored object is not a valid `.npy` file (magic, version, header, truncation).
    Format = 6, c"format";
    /// The stored header disagrees with the reference's metadata (JSON).
    Mismatch = 7, c"mismatch";
    /// Configuration is malformed or invalid (DataJoint's rules and wording).
    Config = 8, c"config";
    /// The requested store is not configured.
    StoreNotConfigured = 9, c"store_not_configured";
    /// A schema/table/attribute/key name or a path is invalid or escapes the store.
    Path = 10, c"path";
    /// The object (or store location) does not exist.
    NotFound = 11, c"not_found";
    /// An I/O error from the file system or an object store.
    Io = 12, c"io";
    /// Access denied: file permissions or rejected credentials.
    PermissionDenied = 13, c"permission_denied";
    /// An operation did not finish within its deadline.
    Timeout = 14, c"timeout";
    /// The operation is valid but not supported here (e.g. a mode on this store kind).
    Unsupported = 15, c"unsupported";
    /// DataJoint metadata JSON is malformed or lacks a field.
    Json = 16, c"json";
    /// The target already exists and overwriting was not asked for.
    AlreadyExists = 17, c"already_exists";
    /// The handle is in the wrong state for the call (e.g. writer already finished).
    State = 18, c"state";
    /// The endpoint cannot be reached (connection refused, DNS, TLS), or the
    /// connection to it broke mid-request (reset, or closed before the response ended).
    Network = 19, c"network";
    /// The bucket (S3, GCS) or container (Azure) of a remote store does not exist.
    BucketNotFound = 20, c"bucket_not_found";
    /// A progress callback asked the transfer to stop.
    Cancelled = 21, c"cancelled";
    /// A bug: an internal invariant failed or a panic was caught.
    Internal = 99, c"internal";
}

impl ErrorKind {
    /// A short stable name for the kind, as used in messages and bindings' error ids.
    pub fn name(self) -> &'static str {
        self.c_name().to_str().unwrap_or("internal")
    }
}

/// An error of the safe core: a kind (for programs) and a message (for people).
///
/// Messages name the offending value or path and never contain secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    /// An error of `kind` with a human-readable `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
        }
    }

    /// The kind, which decides the C status code.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message, without the kind.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The same error with `context: ` put in front of its message.
    pub fn context(self, context: impl fmt::Display) -> Self {
        Error {
            message: format!("{context}: {}", self.message),
            ..self
        }
    }

    /// An [`std::io::Error`] on `path` during `operation`, with the kind it deserves.
    pub fn io(err: &std::io::Error, operation: &str, path: impl fmt::Display) -> Self {
        use std::io::ErrorKind as K;
        let kind = match err.kind() {
            K::NotFound => ErrorKind::NotFound,
            K::PermissionDenied => ErrorKind::PermissionDenied,
            K::AlreadyExists => ErrorKind::AlreadyExists,
            K::TimedOut => ErrorKind::Timeout,
            K::UnexpectedEof => ErrorKind::Format,
            _ => ErrorKind::Io,
        };
        Error::new(kind, format!("{operation} {path}: {err}"))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// Result with the core [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Shorthand: `Err(Error::new(kind, format!(...)))`.
macro_rules! bail {
    ($kind:ident, $($arg:tt)*) => {
        return Err($crate::error::Error::new($crate::error::ErrorKind::$kind, format!($($arg)*)))
    };
}
pub(crate) use bail;
