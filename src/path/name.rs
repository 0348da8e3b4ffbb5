//! Validation of names and explicit object paths, so nothing escapes the store root.

use crate::error::Result;

/// Check a schema, table, attribute or key name used as one path component.
///
/// It must be non-empty, hold no `/`, `\` or NUL, and not be `.` or `..`. DataJoint's
/// tier prefixes (`#lookup`, `_imported`, `__computed`, `~jobs`) and `master__part`
/// are fine. `what` names the thing in the [`Path`](crate::error::ErrorKind::Path) error.
pub fn validate_name(what: &str, s: &str) -> Result<()> {
    let problem = if s.is_empty() {
        "is empty"
    } else if s == "." || s == ".." {
        "may not be '.' or '..'"
    } else if s.contains('/') {
        "may not contain '/'"
    } else if s.contains('\\') {
        "may not contain '\\'"
    } else if s.contains('\0') {
        "may not contain a NUL character"
    } else {
        return Ok(());
    };
    crate::error::bail!(Path, "invalid {what} name {s:?}: {problem}")
}

/// Check an explicit object path relative to a store's root.
///
/// Refused: empty, absolute (leading `/`), empty components (`a//b`, trailing `/`),
/// `.` or `..` components, backslashes and NUL characters.
pub fn validate_relative_path(p: &str) -> Result<()> {
    let problem = if p.is_empty() {
        "is empty"
    } else if p.contains('\0') {
        "contains a NUL character"
    } else if p.contains('\\') {
        "contains a backslash"
    } else if p.starts_with('/') {
        "is absolute (starts with '/')"
    } else if p.ends_with('/') {
        "ends with '/'"
    } else if p.split('/').any(str::is_empty) {
        "has an empty component ('//')"
    } else if p.split('/').any(|c| c == "." || c == "..") {
        "has a '.' or '..' component"
    } else {
        return Ok(());
    };
    crate::error::bail!(Path, "invalid object path {p:?}: {problem}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in [
            "#lookup",
            "_imported",
            "__computed",
            "master__part",
            "~jobs",
            "a b",
            "x.y",
        ] {
            validate_name("table", ok).unwrap();
        }
        for (bad, why) in [
            ("", "is empty"),
            (".", "'.'"),
            ("..", "'..'"),
            ("a/b", "'/'"),
            ("a\\b", "'\\'"),
            ("a\0", "NUL"),
        ] {
            let e = validate_name("table", bad).unwrap_err();
            assert_eq!(e.kind(), crate::error::ErrorKind::Path);
            assert!(
                e.message().starts_with("invalid table name") && e.message().contains(why),
                "{e}"
            );
        }
    }

    #[test]
    fn relative_paths() {
        for ok in [
            "a",
            "a/b.npy",
            "_schema/s/t/k=1/x_AbCd.npy",
            "a/.hidden/..x",
        ] {
            validate_relative_path(ok).unwrap();
        }
        for (bad, why) in [
            ("", "empty"),
            ("/a", "absolute"),
            ("a//b", "empty component"),
            ("a/", "ends with"),
            ("a/../b", "'..'"),
            ("./a", "'.'"),
            ("a\\b", "backslash"),
            ("a\0b", "NUL"),
        ] {
            let e = validate_relative_path(bad).unwrap_err();
            assert_eq!(e.kind(), crate::error::ErrorKind::Path);
            assert!(e.message().contains(why), "{bad:?}: {e}");
        }
    }
}
