//! The one error type of the safe core, and the kinds that become C status codes.

use std::fmt;

/// What went wrong, coarsely: each kind maps to one fixed C status value.
///
/// The numbers are part of the C ABI (`npy_status`) and never change meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// An argument is missing, NULL, not UTF-8, or out of its allowed range.
    InvalidArgument = 1,
    /// A byte length disagrees with dtype x shape, or a caller buffer has the wrong size.
    Length = 2,
    /// A dtype string is unknown, malformed or unsupported.
    Dtype = 3,
    /// Object dtype or pickled content: refused, never executed.
    ObjectDtype = 4,
    /// A shape is invalid or its element/byte count overflows 64 bits.
    Shape = 5,
    /// A stored object is not a valid `.npy` file (magic, version, header, truncation).
    Format = 6,
    /// The stored header disagrees with the reference's metadata (JSON).
    Mismatch = 7,
    /// Configuration is malformed or invalid (DataJoint's rules and wording).
    Config = 8,
    /// The requested store is not configured.
    StoreNotConfigured = 9,
    /// A schema/table/attribute/key name or a path is invalid or escapes the store.
    Path = 10,
    /// The object (or store location) does not exist.
    NotFound = 11,
    /// An I/O error from the file system or an object store.
    Io = 12,
    /// Access denied: file permissions or rejected credentials.
    PermissionDenied = 13,
    /// An operation did not finish within its deadline.
    Timeout = 14,
    /// The operation is valid but not supported here (e.g. a mode on this store kind).
    Unsupported = 15,
    /// DataJoint metadata JSON is malformed or lacks a field.
    Json = 16,
    /// The target already exists and overwriting was not asked for.
    AlreadyExists = 17,
    /// The handle is in the wrong state for the call (e.g. writer already finished).
    State = 18,
    /// The endpoint cannot be reached (connection refused, DNS, TLS), or the
    /// connection to it broke mid-request (reset, or closed before the response ended).
    Network = 19,
    /// The bucket (S3, GCS) or container (Azure) of a remote store does not exist.
    BucketNotFound = 20,
    /// A progress callback asked the transfer to stop.
    Cancelled = 21,
    /// A bug: an internal invariant failed or a panic was caught.
    Internal = 99,
}

impl ErrorKind {
    /// Every kind, in status-code order.
    pub const ALL: [ErrorKind; 22] = [
        ErrorKind::InvalidArgument,
        ErrorKind::Length,
        ErrorKind::Dtype,
        ErrorKind::ObjectDtype,
        ErrorKind::Shape,
        ErrorKind::Format,
        ErrorKind::Mismatch,
        ErrorKind::Config,
        ErrorKind::StoreNotConfigured,
        ErrorKind::Path,
        ErrorKind::NotFound,
        ErrorKind::Io,
        ErrorKind::PermissionDenied,
        ErrorKind::Timeout,
        ErrorKind::Unsupported,
        ErrorKind::Json,
        ErrorKind::AlreadyExists,
        ErrorKind::State,
        ErrorKind::Network,
        ErrorKind::BucketNotFound,
        ErrorKind::Cancelled,
        ErrorKind::Internal,
    ];

    /// A short stable name for the kind, as used in messages and bindings' error ids.
    pub fn name(self) -> &'static str {
        self.c_name().to_str().unwrap_or("internal")
    }

    /// [`ErrorKind::name`] as a static C string.
    pub fn c_name(self) -> &'static std::ffi::CStr {
        match self {
            ErrorKind::InvalidArgument => c"invalid_argument",
            ErrorKind::Length => c"length",
            ErrorKind::Dtype => c"dtype",
            ErrorKind::ObjectDtype => c"object_dtype",
            ErrorKind::Shape => c"shape",
            ErrorKind::Format => c"format",
            ErrorKind::Mismatch => c"mismatch",
            ErrorKind::Config => c"config",
            ErrorKind::StoreNotConfigured => c"store_not_configured",
            ErrorKind::Path => c"path",
            ErrorKind::NotFound => c"not_found",
            ErrorKind::Io => c"io",
            ErrorKind::PermissionDenied => c"permission_denied",
            ErrorKind::Timeout => c"timeout",
            ErrorKind::Unsupported => c"unsupported",
            ErrorKind::Json => c"json",
            ErrorKind::AlreadyExists => c"already_exists",
            ErrorKind::State => c"state",
            ErrorKind::Network => c"network",
            ErrorKind::BucketNotFound => c"bucket_not_found",
            ErrorKind::Cancelled => c"cancelled",
            ErrorKind::Internal => c"internal",
        }
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
        return Err($crate::Error::new($crate::ErrorKind::$kind, format!($($arg)*)))
    };
}
pub(crate) use bail;
