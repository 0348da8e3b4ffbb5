//! What an `object_store` error means here: its [`ErrorKind`] and a message that
//! names the operation and the location, never a secret.
//!
//! Kinds come from what the crate types: its [`object_store::Error`] variants (it
//! maps 404, 409, 412, 401 and 403 onto them when a store lets it) and the
//! [`HttpErrorKind`] of a transport failure among the causes. Two things the crate
//! does not expose, and only those, are read from the text, here and nowhere else:
//!
//! - **The HTTP status inside `Error::Generic`** ([`http_status`], the text
//!   `status code: NNN`). A store that wraps a failed request in its own error (S3's
//!   list, multipart create, part upload; a ranged GET of an empty object) ends in
//!   `Generic`, and the `RetryError` holding the status is not public (its `status()`
//!   cannot be reached); object_store prints it as `Server returned non-2xx status
//!   code: 401 Unauthorized: ...`. Used for 401 and 403 (`PermissionDenied`) and 416
//!   (an empty object has no byte 0: [`range_not_satisfiable`]).
//! - **A missing bucket or container** ([`BUCKET_MISSING`]): the service answers
//!   404 as for a missing object, and only its error code in the response body tells
//!   them apart: `NoSuchBucket` (S3), `ContainerNotFound` (Azure), `bucket does not
//!   exist` (GCS).

use super::ObjectBackend;
use crate::error::{Error, ErrorKind};
use crate::store::backend::Backend;
use object_store::client::{HttpError, HttpErrorKind};
use std::error::Error as StdError;

/// The texts of a failure body that say the bucket (container) itself is missing.
const BUCKET_MISSING: [&str; 3] = ["NoSuchBucket", "ContainerNotFound", "bucket does not exist"];

impl ObjectBackend {
    /// `err` from `operation` on `path` as a core error of the kind it deserves, with
    /// every secret scrubbed from its message.
    pub(crate) fn map_err(&self, err: object_store::Error, operation: &str, path: &str) -> Error {
        let kind = classify(&err);
        let what = self.describe(path);
        let message = match kind {
            ErrorKind::BucketNotFound => format!(
                "{operation} {what}: the bucket or container of {} does not exist: {err}",
                self.display_root
            ),
            ErrorKind::Network => format!(
                "{operation} {what}: cannot reach the store's endpoint, or the connection \
                 broke: {err}"
            ),
            ErrorKind::Timeout => format!("{operation} {what}: timed out: {err}"),
            _ => format!("{operation} {what}: {err}"),
        };
        Error::new(kind, self.scrub(message))
    }
}

/// Whether `err` is HTTP 416: a ranged read past the end (of an empty object).
pub(super) fn range_not_satisfiable(err: &object_store::Error) -> bool {
    http_status(err) == Some(416)
}

/// The error kind an `object_store` error deserves, looking through its causes.
fn classify(err: &object_store::Error) -> ErrorKind {
    use object_store::Error as E;
    let text = error_chain(err);
    let bucket_missing = BUCKET_MISSING.iter().any(|marker| text.contains(marker));
    match err {
        E::NotFound { .. } if bucket_missing => ErrorKind::BucketNotFound,
        E::NotFound { .. } => ErrorKind::NotFound,
        E::AlreadyExists { .. } | E::Precondition { .. } => ErrorKind::AlreadyExists,
        E::PermissionDenied { .. } | E::Unauthenticated { .. } => ErrorKind::PermissionDenied,
        E::NotSupported { .. } | E::NotImplemented { .. } => ErrorKind::Unsupported,
        _ if bucket_missing => ErrorKind::BucketNotFound,
        _ => causes(err).find_map(cause_kind).unwrap_or(ErrorKind::Io),
    }
}

/// What one cause tells: a connection that cannot be opened, or that broke before
/// the response was complete (reset, closed mid-body: the `Request` and `Interrupted`
/// kinds), is `Network`; a deadline `Timeout`; a 401 or 403 `PermissionDenied`.
fn cause_kind(cause: &(dyn StdError + 'static)) -> Option<ErrorKind> {
    if let Some(http) = cause.downcast_ref::<HttpError>() {
        match http.kind() {
            HttpErrorKind::Connect | HttpErrorKind::Request | HttpErrorKind::Interrupted => {
                return Some(ErrorKind::Network)
            }
            HttpErrorKind::Timeout => return Some(ErrorKind::Timeout),
            _ => {}
        }
    }
    match status_in(&cause.to_string()) {
        Some(401 | 403) => Some(ErrorKind::PermissionDenied),
        _ => None,
    }
}

/// The HTTP status of a failed request, from the first cause that prints one.
fn http_status(err: &(dyn StdError + 'static)) -> Option<u16> {
    causes(err).find_map(|cause| status_in(&cause.to_string()))
}

/// The three digits after `status code: ` in `text` (object_store's wording).
fn status_in(text: &str) -> Option<u16> {
    const MARK: &str = "status code: ";
    let at = text.find(MARK)? + MARK.len();
    let digits = text.get(at..at + 3)?;
    let after = text[at + 3..].chars().next();
    let status_like =
        digits.bytes().all(|b| b.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit());
    status_like.then(|| digits.parse().ok()).flatten()
}

/// `err` and its causes, outermost first.
fn causes<'a>(
    err: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(err), |&e| e.source())
}

/// Every cause's text, joined by `: `.
fn error_chain(err: &(dyn StdError + 'static)) -> String {
    let texts: Vec<String> = causes(err).map(ToString::to_string).collect();
    texts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generic(text: &str) -> object_store::Error {
        object_store::Error::Generic {
            store: "S3",
            source: text.to_string().into(),
        }
    }

    #[test]
    fn statuses_are_read_only_where_object_store_prints_them() {
        assert_eq!(
            status_in("non-2xx status code: 401 Unauthorized: "),
            Some(401)
        );
        assert_eq!(status_in("status code: 4010"), None);
        assert_eq!(status_in("x-416 Range Not Satisfiable"), None);
        let e = generic("Server returned non-2xx status code: 403 Forbidden: <Error/>");
        assert_eq!(classify(&e), ErrorKind::PermissionDenied);
        let e = generic("Server returned non-2xx status code: 416 Range Not Satisfiable: ");
        assert!(range_not_satisfiable(&e));
        assert_eq!(classify(&e), ErrorKind::Io);
        assert!(!range_not_satisfiable(&generic("took 416 ms")));
    }

    #[test]
    fn a_missing_bucket_is_told_by_its_body() {
        let e = object_store::Error::NotFound {
            path: "a.npy".into(),
            source: "<Code>NoSuchBucket</Code>".into(),
        };
        assert_eq!(classify(&e), ErrorKind::BucketNotFound);
        let e = object_store::Error::NotFound {
            path: "a.npy".into(),
            source: "<Code>NoSuchKey</Code>".into(),
        };
        assert_eq!(classify(&e), ErrorKind::NotFound);
    }
}
