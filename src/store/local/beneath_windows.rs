//! Store-relative paths kept inside a file store's directory, without `openat2`: the
//! Windows implementation, and the portable path for any system that is not Unix.
//! `beneath.rs` is the Unix one; this file offers the same items (`Root`, `Dir`,
//! `fail`) with the same promises, so `local/mod.rs` does not know which it got.
//!
//! A file store never reads or writes outside its location. Windows has no
//! descriptor-relative open that refuses to leave a directory, so the rule is kept by
//! checking the name first and the disk second:
//!
//! 1. **Each component of a key is a plain Windows file name** ([`check_component`]).
//!    Refused: `.` and `..`; `\` and `:` (a drive letter `C:`, a drive-relative
//!    `C:rel`, an NTFS stream `a:stream`); the other characters Windows forbids in
//!    names (`<>"|?*` and control characters); a trailing dot or space, which Windows
//!    strips, so `a.` would name `a`; the reserved device names `CON`, `PRN`, `AUX`,
//!    `NUL`, `COM1`–`COM9`, `LPT1`–`LPT9` (also with superscript digits), in any case
//!    and with any extension (`nul.npy` is the null device). UNC (`\\server\share`)
//!    and `\\?\` prefixes cannot appear in a key, since `\` is refused (and path
//!    validation refuses it before this point too). They are fine in the *location*,
//!    which is used as configured.
//! 2. **No link below the location is followed** ([`refuse_links`]). Every existing
//!    component under the location is looked at without following it
//!    (`symlink_metadata`); a symbolic link, a junction or any other name-surrogate
//!    reparse point is refused with a `Path` error, whether it leads out or not.
//!    That is stricter than Unix, where links that stay inside work; it is the safe
//!    answer without a kernel check. Reparse points that are not name surrogates
//!    (OneDrive placeholders, deduplicated files) are ordinary files here.
//!
//! Like the Unix fallback without `openat2`, a directory swapped for a junction
//! between the check and the open is not caught: the check and the open are two calls.
//!
//! Publishing (see [`Dir::publish`]): an overwrite is `std::fs::rename`, which on
//! Windows replaces the target (POSIX-semantics rename where the file system has it,
//! else `MoveFileEx(MOVEFILE_REPLACE_EXISTING)`); a no-replace publish is a hard link
//! (`CreateHardLinkW`, which fails when the target exists) and then removing the
//! temporary name, exactly as `linkat` is used on Unix. File systems without hard
//! links (FAT, exFAT, some SMB servers) get a clear I/O error from that publish.

use crate::error::{Error, ErrorKind, Result};
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// Why a key was refused before touching the disk, carried inside an `io::Error` so
/// that `metadata` keeps its `io::Result` and [`fail`] can turn it into a `Path` error.
#[derive(Debug)]
struct Outside(String);

impl std::fmt::Display for Outside {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Outside {}

fn outside(reason: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, Outside(reason))
}

/// A file store's location.
#[derive(Debug)]
pub(crate) struct Root {
    /// The location as configured (`C:\data`, `\\server\share\data`, `\\?\C:\data`).
    path: PathBuf,
}

/// A directory inside the store, verified to lie beneath the location.
#[derive(Debug)]
pub(crate) struct Dir {
    /// Its path under the configured location.
    path: PathBuf,
}

/// The error for a failed operation `op` on `path`: a key refused by the checks above
/// is a `Path` error, anything else is classified as usual.
pub(crate) fn fail(err: &io::Error, op: &str, path: &Path) -> Error {
    if let Some(reason) = err.get_ref().and_then(|e| e.downcast_ref::<Outside>()) {
        return Error::new(
            ErrorKind::Path,
            format!("{op} {}: {reason}", path.display()),
        );
    }
    Error::io(err, op, path.display())
}

/// `err` from opening `path`, or `IsADirectory` when it is the "Access denied" that
/// Windows gives for opening a directory as a file.
fn directory_or(err: io::Error, path: &Path) -> io::Error {
    let is_dir = || std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir());
    if err.kind() == io::ErrorKind::PermissionDenied && is_dir() {
        return io::Error::from(io::ErrorKind::IsADirectory);
    }
    err
}

/// Device names Windows reserves in every directory, with or without an extension.
const RESERVED: [&str; 4] = ["CON", "PRN", "AUX", "NUL"];

/// Whether `stem` (a name up to its first dot, trailing spaces removed) is `COM1`-`COM9`
/// or `LPT1`-`LPT9`, digits including the superscripts ¹²³ that Windows also reserves.
fn is_port(stem: &str) -> bool {
    let upper = stem.to_ascii_uppercase();
    let Some(digit) = upper
        .strip_prefix("COM")
        .or_else(|| upper.strip_prefix("LPT"))
    else {
        return false;
    };
    matches!(
        digit,
        "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "¹" | "²" | "³"
    )
}

/// Why `name` (one component of a key) is not a plain Windows file name, if it is not.
fn component_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() || name == "." || name == ".." {
        return Some("'.', '..' and empty components are not file names");
    }
    if name.contains('\\') {
        return Some("'\\' separates paths on Windows (UNC and '\\\\?\\' prefixes included)");
    }
    if name.contains(':') {
        return Some("':' names a drive (C:, C:relative) or an NTFS stream on Windows");
    }
    if name.chars().any(|c| c < ' ' || "<>\"|?*".contains(c)) {
        return Some("Windows forbids control characters and any of <>\"|?* in file names");
    }
    if name.ends_with('.') || name.ends_with(' ') {
        return Some("Windows drops trailing dots and spaces, so it would name another file");
    }
    let stem = name.split('.').next().unwrap_or(name).trim_end_matches(' ');
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(stem)) || is_port(stem) {
        return Some("it is a reserved device name on Windows (with any extension)");
    }
    None
}

/// Refuse a key component that is not a plain Windows file name.
fn check_component(key: &str, name: &str) -> io::Result<()> {
    match component_problem(name) {
        Some(problem) => Err(outside(format!(
            "invalid component {name:?} in {key:?}: {problem}"
        ))),
        None => Ok(()),
    }
}

impl Root {
    /// Use `location` (a directory, checked by the caller) as the store's root.
    pub(crate) fn open(location: &Path) -> io::Result<Root> {
        if !std::fs::metadata(location)?.is_dir() {
            return Err(io::Error::from(io::ErrorKind::NotADirectory));
        }
        Ok(Root {
            path: location.to_path_buf(),
        })
    }

    /// `rel` under the configured location, for messages.
    pub(crate) fn show(&self, rel: &str) -> PathBuf {
        if rel.is_empty() || rel == "." {
            return self.path.clone();
        }
        rel.split('/').fold(self.path.clone(), |p, c| p.join(c))
    }

    /// Check every component of `rel` ("" or "." for the location), then refuse links
    /// on the way down; the path to use, when all is well.
    fn resolve(&self, rel: &str) -> io::Result<PathBuf> {
        if rel.is_empty() || rel == "." {
            return Ok(self.path.clone());
        }
        for name in rel.split('/') {
            check_component(rel, name)?;
        }
        self.refuse_links(rel)?;
        Ok(self.show(rel))
    }

    /// Look at each existing component of `rel` under the location without following
    /// it; a symbolic link or junction is refused. Stops at the first missing one.
    fn refuse_links(&self, rel: &str) -> io::Result<()> {
        let mut path = self.path.clone();
        for name in rel.split('/') {
            path.push(name);
            match std::fs::symlink_metadata(&path) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    return Err(outside(format!(
                        "{} is a symbolic link or junction, and file stores on Windows do not follow links below their location",
                        path.display()
                    )))
                }
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// The object file at `rel`, for reading (and writing when `write`). A directory
    /// there is an `IsADirectory` error, as on Unix (Windows itself says "Access denied").
    pub(crate) fn open_file(&self, rel: &str, write: bool) -> Result<File> {
        self.resolve(rel)
            .and_then(|path| {
                File::options()
                    .read(true)
                    .write(write)
                    .open(&path)
                    .map_err(|e| directory_or(e, &path))
            })
            .map_err(|e| fail(&e, "cannot open", &self.show(rel)))
    }

    /// What is at `rel`, without following links (there are none below the location).
    pub(crate) fn metadata(&self, rel: &str) -> io::Result<std::fs::Metadata> {
        std::fs::symlink_metadata(self.resolve(rel)?)
    }

    /// The directory `rel` ("" for the location itself); with `create`, missing
    /// directories are made one by one, each checked to be a plain directory after.
    pub(crate) fn dir(&self, rel: &str, create: bool) -> Result<Dir> {
        let shown = self.show(rel);
        let open_fail = |e: io::Error| fail(&e, "cannot open directory", &shown);
        let path = self.resolve(rel).map_err(open_fail)?;
        if create && !rel.is_empty() {
            let mut end = 0;
            for component in rel.split('/') {
                end += component.len();
                let prefix = &rel[..end];
                end += 1; // the '/' after it
                let made = std::fs::create_dir(self.show(prefix));
                if let Err(e) = made {
                    if e.kind() != io::ErrorKind::AlreadyExists {
                        return Err(fail(&e, "cannot create directory", &self.show(prefix)));
                    }
                }
                self.refuse_links(prefix).map_err(open_fail)?;
            }
        }
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_dir() => Ok(Dir { path }),
            Ok(_) => Err(open_fail(io::Error::from(io::ErrorKind::NotADirectory))),
            Err(e) => Err(open_fail(e)),
        }
    }
}

impl Dir {
    /// `name` in this directory, for messages (and, here, for the calls themselves).
    pub(crate) fn show(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// Check `name` as one component and give its full path.
    fn entry(&self, op: &str, name: &str) -> Result<PathBuf> {
        check_component(name, name).map_err(|e| fail(&e, op, &self.show(name)))?;
        Ok(self.show(name))
    }

    /// Create `name` (which must not exist, not even as a link) for writing.
    pub(crate) fn create_new(&self, name: &str) -> Result<File> {
        let path = self.entry("cannot create", name)?;
        File::options()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| fail(&e, "cannot create", &path))
    }

    /// Publish `temp` as `name`: replacing whatever entry `name` is when `overwrite`
    /// (`std::fs::rename`: a replacing rename on Windows), else failing with
    /// `AlreadyExists` when `name` exists (a hard link, which never replaces: no
    /// check-then-rename race; then the temporary name is removed).
    pub(crate) fn publish(&self, temp: &str, name: &str, overwrite: bool) -> Result<()> {
        let from = self.entry("cannot publish", temp)?;
        let to = self.entry("cannot publish", name)?;
        if overwrite {
            return std::fs::rename(&from, &to).map_err(|e| fail(&e, "cannot publish", &to));
        }
        match std::fs::hard_link(&from, &to) {
            Ok(()) => {
                let _ = self.remove(temp);
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(Error::new(
                ErrorKind::AlreadyExists,
                format!(
                    "{} already exists (overwrite was not requested)",
                    to.display()
                ),
            )),
            Err(e) => Err(fail(&e, "cannot publish", &to)),
        }
    }

    /// Remove the entry `name` (a link is removed, not what it points to).
    pub(crate) fn remove(&self, name: &str) -> Result<()> {
        let path = self.entry("cannot delete", name)?;
        std::fs::remove_file(&path).map_err(|e| fail(&e, "cannot delete", &path))
    }

    /// Nothing to do: Windows has no call that flushes a directory's entries. The
    /// file's own data was flushed (`sync_all`, `FlushFileBuffers`) before it was
    /// published, and NTFS journals the rename or link that publishes it.
    pub(crate) fn sync(&self) -> Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_names_are_checked() {
        for bad in [
            "..",
            ".",
            "",
            "C:",
            "C:rel",
            "a:stream",
            "a\\b",
            "\\\\server",
            "con",
            "CON",
            "nul.npy",
            "Aux.tar.gz",
            "com1",
            "LPT9.x",
            "com¹",
            "prn ",
            "a.",
            "a ",
            "a?b",
            "a*",
            "a|b",
            "a<b",
            "a\"b",
            "a\tb",
        ] {
            assert!(component_problem(bad).is_some(), "{bad:?} was accepted");
        }
        for good in [
            "a.npy", "console", "com10", "lpt0", "nula", ".hidden", "x=1", "a b",
        ] {
            assert_eq!(component_problem(good), None, "{good:?} was refused");
        }
    }

    #[test]
    fn keys_stay_inside() {
        let base = std::env::temp_dir().join(format!("npystore-beneath-w-{}", std::process::id()));
        std::fs::create_dir_all(base.join("sub")).unwrap();
        let root = Root::open(&base).unwrap();
        for bad in [
            "sub/../x.npy",
            "C:/x.npy",
            "sub/nul.npy",
            "sub/a.",
            "a:b/x.npy",
        ] {
            let err = root.open_file(bad, false).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Path, "{bad}: {err}");
            let err = root.dir(bad, true).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Path, "{bad}: {err}");
        }
        let err = root.open_file("sub", false).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Io, "{err}");
        assert!(err.to_string().contains("directory"), "{err}");
        let dir = root.dir("sub/new/deeper", true).unwrap();
        let mut f = dir.create_new("t.tmp").unwrap();
        std::io::Write::write_all(&mut f, b"one").unwrap();
        drop(f);
        dir.publish("t.tmp", "a.npy", false).unwrap();
        let mut f = dir.create_new("t.tmp").unwrap();
        std::io::Write::write_all(&mut f, b"two").unwrap();
        drop(f);
        let err = dir.publish("t.tmp", "a.npy", false).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AlreadyExists, "{err}");
        dir.publish("t.tmp", "a.npy", true).unwrap();
        assert_eq!(
            std::fs::read(base.join("sub/new/deeper/a.npy")).unwrap(),
            b"two"
        );
        assert!(!base.join("sub/new/deeper/t.tmp").exists());
        std::fs::remove_dir_all(&base).unwrap();
    }
}
