//! PostgreSQL client errors as the core's [`Error`]: a refused or broken connection is
//! `Network`, a rejected password `PermissionDenied`, a timeout `Timeout`. Messages
//! name the server and user, never the password.

use tokio_postgres::error::SqlState;

use crate::error::{Error, ErrorKind};

/// `err`, met while `doing` against `target` (`user@host:port/db`), as a core error.
pub(crate) fn from_postgres(err: &tokio_postgres::Error, doing: &str, target: &str) -> Error {
    if let Some(db) = err.as_db_error() {
        return Error::new(
            kind_of_state(db.code()),
            format!(
                "{doing} ({target}): {} [SQLSTATE {}]",
                db.message(),
                db.code().code()
            ),
        );
    }
    if let Some(io) = io_source(err) {
        let kind = match io.kind() {
            std::io::ErrorKind::TimedOut => ErrorKind::Timeout,
            _ => ErrorKind::Network,
        };
        return Error::new(kind, format!("{doing} ({target}): {io}"));
    }
    let text = err.to_string();
    if text.contains("password missing") {
        return Error::new(
            ErrorKind::PermissionDenied,
            format!(
                "{doing} ({target}): the server asks for a password and none is configured \
                 (database.password, DJ_PASS or .secrets/database.password)"
            ),
        );
    }
    Error::new(ErrorKind::Network, format!("{doing} ({target}): {text}"))
}

/// Whether `err` means the connection is gone, so a fresh one may succeed.
pub(crate) fn connection_lost(err: &tokio_postgres::Error) -> bool {
    let shut_down = err.code().is_some_and(|c| {
        *c == SqlState::ADMIN_SHUTDOWN
            || *c == SqlState::CRASH_SHUTDOWN
            || *c == SqlState::CONNECTION_FAILURE
    });
    err.is_closed() || shut_down || io_source(err).is_some()
}

fn io_source(err: &tokio_postgres::Error) -> Option<&std::io::Error> {
    std::error::Error::source(err).and_then(|s| s.downcast_ref::<std::io::Error>())
}

fn kind_of_state(code: &SqlState) -> ErrorKind {
    if *code == SqlState::INVALID_PASSWORD
        || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
        || *code == SqlState::INSUFFICIENT_PRIVILEGE
    {
        ErrorKind::PermissionDenied
    } else if *code == SqlState::QUERY_CANCELED {
        // What `statement_timeout` raises.
        ErrorKind::Timeout
    } else if *code == SqlState::UNDEFINED_TABLE
        || *code == SqlState::INVALID_SCHEMA_NAME
        || *code == SqlState::INVALID_CATALOG_NAME
        || *code == SqlState::UNDEFINED_COLUMN
    {
        ErrorKind::NotFound
    } else if *code == SqlState::UNIQUE_VIOLATION {
        ErrorKind::AlreadyExists
    } else if code.code().starts_with("08") || code.code().starts_with("57P") {
        ErrorKind::Network
    } else {
        ErrorKind::Io
    }
}
