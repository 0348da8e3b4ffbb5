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
//! Publishing (see [`Dir::publish`]), both a single rename within the directory, so
//! a reader sees the old object or the new one, never a part:
//!
//! - an overwrite is `std::fs::rename`: `MoveFileExW(MOVEFILE_REPLACE_EXISTING)`, and
//!   when that is denied, `FileRenameInfoEx` with POSIX semantics, which also replaces
//!   a file that other handles hold open with `FILE_SHARE_DELETE` (NTFS on Windows 10
//!   1709 and later). Where Windows still refuses (a handle without share-delete, a
//!   file system without POSIX renames), the error says so and the stored object is
//!   unchanged. Maps made by npystore share delete (see `docs/hardening.md`).
//! - a no-replace publish is `MoveFileExW` without `MOVEFILE_REPLACE_EXISTING`: the
//!   file system checks for the target and renames in one step, so an existing object
//!   is never replaced (an `AlreadyExists` error), with no check-then-rename race. No
//!   hard link is needed (`linkat` on Unix), so FAT, exFAT and SMB shares without
//!   hard links work too. The lookup is the file system's: on NTFS, names differing
//!   only in case are one name, so a no-replace put of `A.npy` fails when `a.npy`
//!   exists.
//!
//! When a publish fails, the caller removes the temporary file: nothing is left at
//! either name by a failed put.

use crate::error::{Error, ErrorKind, Result};
use crate::store::exists::already_exists;
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

/// The Windows errors of a replacing rename whose target is in use: access denied,
/// a sharing violation, and "a user-mapped section is open".
const REPLACE_REFUSED: [i32; 3] = [5, 32, 1224];

/// Rename `from` to `to` unless `to` exists (then `AlreadyExists`), in one call:
/// `MoveFileExW` without `MOVEFILE_REPLACE_EXISTING` (and without
/// `MOVEFILE_COPY_ALLOWED`: a rename within the volume, never a copy).
#[cfg(windows)]
fn rename_no_replace(from: &Path, to: &Path) -> io::Result<()> {
    use windows_sys::Win32::Storage::FileSystem::MoveFileExW;
    let (from, to) = (wide(from)?, wide(to)?);
    // SAFETY: two NUL-terminated UTF-16 strings that outlive the call.
    if unsafe { MoveFileExW(from.as_ptr(), to.as_ptr(), 0) } == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Elsewhere (not Unix, not Windows): a hard link, which never replaces, then the
/// temporary name removed.
#[cfg(not(windows))]
fn rename_no_replace(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::hard_link(from, to)?;
    let _ = std::fs::remove_file(from);
    Ok(())
}

/// `path` as a NUL-terminated UTF-16 string for a Windows call: made absolute and
/// given the `\\?\` prefix when it is longer than `MAX_PATH` allows, as std does.
#[cfg(windows)]
fn wide(path: &Path) -> io::Result<Vec<u16>> {
    use std::os::windows::ffi::OsStrExt;
    const LONG: usize = 248; // MAX_PATH less room for an 8.3 name, as std reckons
    let units = |p: &Path| p.as_os_str().encode_wide().collect::<Vec<u16>>();
    let utf16 = |s: &str| s.encode_utf16().collect::<Vec<u16>>();
    let (verbatim, unc) = (utf16(r"\\?\"), utf16(r"\\"));
    let mut wide = units(path);
    if wide.len() >= LONG && !wide.starts_with(&verbatim) {
        let full = units(&std::path::absolute(path)?);
        wide = match full.strip_prefix(unc.as_slice()) {
            Some(rest) => utf16(r"\\?\UNC\")
                .into_iter()
                .chain(rest.iter().copied())
                .collect(),
            None => verbatim.into_iter().chain(full).collect(),
        };
    }
    if wide.contains(&0) {
        return Err(io::Error::from(io::ErrorKind::InvalidInput));
    }
    wide.push(0);
    Ok(wide)
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
    /// Opened sharing read, write and delete (std's default, stated because what an
    /// overwrite of a mapped file does rests on it): maps made from this handle never
    /// stop another handle from replacing or deleting the file.
    pub(crate) fn open_file(&self, rel: &str, write: bool) -> Result<File> {
        let mut options = File::options();
        options.read(true).write(write);
        #[cfg(windows)]
        {
            use std::os::windows::fs::OpenOptionsExt;
            use windows_sys::Win32::Storage::FileSystem::{
                FILE_SHARE_DELETE, FILE_SHARE_READ, FILE_SHARE_WRITE,
            };
            options.share_mode(FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE);
        }
        self.resolve(rel)
            .and_then(|path| options.open(&path).map_err(|e| directory_or(e, &path)))
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

    /// Publish `temp` as `name`: replacing whatever file `name` is when `overwrite`
    /// (`std::fs::rename`), else failing with `AlreadyExists` when `name` exists (a
    /// rename that never replaces: no check-then-rename race).
    pub(crate) fn publish(&self, temp: &str, name: &str, overwrite: bool) -> Result<()> {
        let from = self.entry("cannot publish", temp)?;
        let to = self.entry("cannot publish", name)?;
        if !overwrite {
            return rename_no_replace(&from, &to).map_err(|e| match e.kind() {
                io::ErrorKind::AlreadyExists => already_exists(to.display()),
                _ => fail(&e, "cannot publish", &to),
            });
        }
        std::fs::rename(&from, &to).map_err(|e| match e.raw_os_error() {
            Some(code) if REPLACE_REFUSED.contains(&code) => Error::io(
                &e,
                "cannot publish",
                format_args!(
                    "{} (Windows refused to replace it: another program may hold it open \
                     without FILE_SHARE_DELETE, or the file system cannot replace a file \
                     that is open or memory-mapped; the stored object is unchanged)",
                    to.display()
                ),
            ),
            _ => fail(&e, "cannot publish", &to),
        })
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
