//! The one "already exists" refusal: publishing over an existing object when
//! overwriting was not asked for.

use super::backend::Backend;
use crate::error::{Error, ErrorKind, Result};
use std::fmt::Display;

/// The `AlreadyExists` error for `what` (a location as messages show it).
pub(crate) fn already_exists(what: impl Display) -> Error {
    Error::new(
        ErrorKind::AlreadyExists,
        format!("{what} already exists (overwrite was not requested)"),
    )
}

/// Refuse `path` on `backend` when an object is there and `overwrite` is false: for
/// publishes the store cannot make conditional (multipart completion), checked just
/// before (a narrow race remains; schema paths carry a fresh random token).
pub(crate) fn refuse_existing<B: Backend + ?Sized>(
    backend: &B,
    path: &str,
    overwrite: bool,
) -> Result<()> {
    if !overwrite && backend.exists(path)? {
        return Err(already_exists(backend.describe(path)));
    }
    Ok(())
}
