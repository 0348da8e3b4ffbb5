//! The cache directory and its entries are the user's own: nobody else can plant
//! the bytes a map hands out.
//!
//! - The directory is created `0700`; an existing one must be owned by this user and
//!   not writable by group or others (a symbolic link to it must be the user's own
//!   too), else every map through it is refused (`PermissionDenied`).
//! - Entries are opened without following links (`O_NOFOLLOW`) and used only when
//!   they are regular files owned by this user and not writable by group or others;
//!   anything else is a miss, replaced by a fresh download.
//! - New entries are created `0600`, never through an existing name.
//!
//! Ownership and modes exist on Unix only; elsewhere the directory is created as
//! usual and a link is refused by looking at the entry before opening it.

use crate::error::{Error, ErrorKind, Result};
use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::Path;

fn io_err(err: io::Error, operation: &str, path: &Path) -> Error {
    Error::io(&err, operation, path.display()).context("remote cache")
}

/// Owner and mode checks are Unix-only, and so is their error.
#[cfg(unix)]
fn refuse(dir: &Path, why: String) -> Error {
    Error::new(
        ErrorKind::PermissionDenied,
        format!(
            "remote cache directory {} {why}: refusing to map copies from it (make it \
             private to you, or set cache_dir to a directory of your own)",
            dir.display()
        ),
    )
}

/// Create `dir` (mode 0700) when missing, and check that it is private to this user.
pub(crate) fn ensure_private_dir(dir: &Path) -> Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    let created = builder.create(dir);
    let not_dir = || {
        Error::new(
            ErrorKind::Config,
            format!(
                "remote cache directory {} is not a directory (npystore setting cache_dir)",
                dir.display()
            ),
        )
    };
    let meta = match (created, fs::metadata(dir)) {
        (_, Ok(meta)) if !meta.is_dir() => return Err(not_dir()),
        (Ok(()), Ok(meta)) => meta,
        (Err(e), _) => return Err(io_err(e, "cannot create", dir)),
        (Ok(()), Err(e)) => return Err(io_err(e, "cannot stat", dir)),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let me = current_user();
        let link = fs::symlink_metadata(dir).map_err(|e| io_err(e, "cannot stat", dir))?;
        if link.file_type().is_symlink() && link.uid() != me {
            return Err(refuse(
                dir,
                format!(
                    "is a symbolic link owned by uid {}, not by this user (uid {me})",
                    link.uid()
                ),
            ));
        }
        if meta.uid() != me {
            return Err(refuse(
                dir,
                format!(
                    "is owned by uid {}, not by this user (uid {me})",
                    meta.uid()
                ),
            ));
        }
        if meta.mode() & 0o022 != 0 {
            return Err(refuse(
                dir,
                format!(
                    "is writable by group or others (mode {:o})",
                    meta.mode() & 0o7777
                ),
            ));
        }
    }
    // Elsewhere (Windows) there is no owner or mode to check here: the directory is
    // under the user's own %LOCALAPPDATA% unless cache_dir says otherwise.
    #[cfg(not(unix))]
    let _ = meta;
    Ok(())
}

/// The effective user id of this process.
#[cfg(unix)]
pub(crate) fn current_user() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// The entry at `path`, opened for reading when it is a regular file of this user's
/// that nobody else can write, reached without following a link; `None` otherwise
/// (missing, a link, another user's, or unreadable).
pub(crate) fn open_entry(path: &Path) -> Option<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NOFOLLOW);
    #[cfg(not(unix))]
    if !fs::symlink_metadata(path).ok()?.file_type().is_file() {
        return None;
    }
    let file = options.open(path).ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.uid() != current_user() || meta.mode() & 0o022 != 0 {
            return None;
        }
    }
    Some(file)
}

/// Create the new entry `path` (mode 0600) for reading and writing; an existing name,
/// a link included, is an error.
pub(crate) fn create_entry(path: &Path) -> Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .map_err(|e| io_err(e, "cannot create", path))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{symlink, PermissionsExt};

    fn scratch(tag: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "npystore-private-{tag}-{}-{}",
            std::process::id(),
            crate::path::random_token(6)
        ));
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_new_directory_is_private_and_a_shared_one_is_refused() {
        let base = scratch("dir");
        let fresh = base.join("a/b/cache");
        ensure_private_dir(&fresh).unwrap();
        let mode = fs::metadata(&fresh).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        ensure_private_dir(&fresh).unwrap(); // existing and private: fine

        let shared = base.join("shared");
        fs::create_dir(&shared).unwrap();
        fs::set_permissions(&shared, fs::Permissions::from_mode(0o777)).unwrap();
        let err = ensure_private_dir(&shared).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
        assert!(
            err.message().contains("writable by group or others"),
            "{err}"
        );
        assert!(err.message().contains("777"), "{err}");

        let file = base.join("file");
        fs::write(&file, b"x").unwrap();
        let err = ensure_private_dir(&file).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config, "{err}");
        assert!(err.message().contains("is not a directory"), "{err}");
        fs::remove_dir_all(&base).unwrap();
    }

    /// As root, a directory (or a link to one) owned by another uid is refused.
    #[test]
    fn another_users_directory_or_link_is_refused() {
        if current_user() != 0 {
            eprintln!("skipped: needs root to chown");
            return;
        }
        let base = scratch("owner");
        let theirs = base.join("theirs");
        fs::create_dir(&theirs).unwrap();
        fs::set_permissions(&theirs, fs::Permissions::from_mode(0o700)).unwrap();
        std::os::unix::fs::chown(&theirs, Some(4242), Some(4242)).unwrap();
        let err = ensure_private_dir(&theirs).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
        assert!(err.message().contains("owned by uid 4242"), "{err}");

        let mine = base.join("mine");
        fs::create_dir(&mine).unwrap();
        let link = base.join("link");
        symlink(&mine, &link).unwrap();
        ensure_private_dir(&link).unwrap(); // my own link to my own directory
        std::os::unix::fs::lchown(&link, Some(4242), Some(4242)).unwrap();
        let err = ensure_private_dir(&link).unwrap_err();
        assert!(
            err.message().contains("symbolic link owned by uid 4242"),
            "{err}"
        );
        fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn entries_are_opened_only_when_they_are_private_files() {
        let base = scratch("entry");
        let good = base.join("good.npy");
        drop(create_entry(&good).unwrap());
        assert!(open_entry(&good).is_some());
        assert!(
            create_entry(&good).is_err(),
            "never through an existing name"
        );
        let link = base.join("link.npy");
        symlink(&good, &link).unwrap();
        assert!(open_entry(&link).is_none(), "a link is never followed");
        assert!(create_entry(&link).is_err());
        fs::set_permissions(&good, fs::Permissions::from_mode(0o666)).unwrap();
        assert!(open_entry(&good).is_none(), "writable by others");
        assert!(open_entry(&base.join("missing.npy")).is_none());
        if current_user() == 0 {
            fs::set_permissions(&good, fs::Permissions::from_mode(0o600)).unwrap();
            std::os::unix::fs::chown(&good, Some(4242), None).unwrap();
            assert!(open_entry(&good).is_none(), "another user's file");
        }
        fs::remove_dir_all(&base).unwrap();
    }
}
