//! Store-relative paths resolved strictly inside a file store's directory.
//!
//! A file store never reads or writes outside its location: `..` and absolute paths
//! are refused by path validation before this point, and symbolic links inside the
//! location that point out of it are refused here. The kernel resolves every path
//! relative to a descriptor of the location with `openat2(RESOLVE_BENEATH)`, which
//! fails with `EXDEV` as soon as resolution would leave it (an absolute link, or
//! `..` above the location); links that stay inside work as usual. Writes happen
//! relative to a descriptor of their verified parent directory (`mkdirat`,
//! `openat(O_CREAT|O_EXCL)`, `linkat`, `renameat`, `unlinkat`), so a directory swapped
//! for a link after the check cannot redirect them. Opening costs what a plain `open`
//! costs: one system call.
//!
//! Where `openat2` is missing (Linux before 5.6, a seccomp filter that refuses it,
//! other Unix systems; Linux built with the test-only `portable-posix` feature, which
//! is how CI runs this path) the same rule is checked by canonicalising the path and
//! comparing it with the canonical location: the same answers, but a concurrent swap
//! of a directory for a link between the check and the open is not caught.

use crate::error::{Error, ErrorKind, Result};
use crate::store::exists::already_exists;
use std::ffi::CString;
use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once `openat2` has failed with ENOSYS or EPERM: use the emulation from then on.
static NO_OPENAT2: AtomicBool = AtomicBool::new(false);

/// Open flags for a directory descriptor that can also be fsync'd.
const DIR_FLAGS: libc::c_int = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC;

/// A file store's location, held open.
#[derive(Debug)]
pub(crate) struct Root {
    /// The location as configured (messages show paths under it).
    path: PathBuf,
    /// The location with every link resolved (the emulation compares against it).
    canonical: PathBuf,
    fd: OwnedFd,
}

/// A directory inside the store, verified to lie beneath the location.
#[derive(Debug)]
pub(crate) struct Dir {
    fd: OwnedFd,
    /// Its path under the configured location, for messages.
    path: PathBuf,
}

fn cstring(s: &str) -> io::Result<CString> {
    CString::new(s).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))
}

fn check(ret: libc::c_int) -> io::Result<libc::c_int> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// The error for a failed operation `op` on `path`: a resolution that would leave the
/// store is a `Path` error, anything else is classified as usual.
pub(crate) fn fail(err: &io::Error, op: &str, path: &Path) -> Error {
    if err.raw_os_error() == Some(libc::EXDEV) {
        return Error::new(
            ErrorKind::Path,
            format!(
                "{op} {}: it resolves outside the store's location (a symbolic link points out of it)",
                path.display()
            ),
        );
    }
    Error::io(err, op, path.display())
}

impl Root {
    /// Hold `location` open; it must be a directory.
    pub(crate) fn open(location: &Path) -> io::Result<Root> {
        let c = CString::new(location.as_os_str().as_bytes())
            .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
        // SAFETY: `c` is a NUL-terminated path; the result is a new descriptor or -1.
        let fd = check(unsafe { libc::open(c.as_ptr(), DIR_FLAGS) })?;
        // SAFETY: `fd` was just opened and is owned by nobody else.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(Root {
            path: location.to_path_buf(),
            canonical: location.canonicalize()?,
            fd,
        })
    }

    /// `rel` under the configured location, for messages.
    pub(crate) fn show(&self, rel: &str) -> PathBuf {
        self.path.join(rel)
    }

    /// Open `rel` (a validated relative path, or "." for the location) with `flags`,
    /// resolved beneath the location.
    fn resolve(&self, rel: &str, flags: libc::c_int) -> io::Result<OwnedFd> {
        if !NO_OPENAT2.load(Ordering::Relaxed) {
            match openat2_beneath(&self.fd, rel, flags) {
                Err(e) if matches!(e.raw_os_error(), Some(libc::ENOSYS | libc::EPERM)) => {
                    NO_OPENAT2.store(true, Ordering::Relaxed)
                }
                other => return other,
            }
        }
        self.resolve_emulated(rel, flags)
    }

    /// `rel` with every link resolved, when that stays inside the location (else
    /// `EXDEV`): the check of the emulation.
    fn beneath(&self, rel: &str) -> io::Result<PathBuf> {
        let real = self.canonical.join(rel).canonicalize()?;
        if !real.starts_with(&self.canonical) {
            return Err(io::Error::from_raw_os_error(libc::EXDEV));
        }
        Ok(real)
    }

    /// `resolve` without `openat2`: canonicalise, compare, open.
    pub(crate) fn resolve_emulated(&self, rel: &str, flags: libc::c_int) -> io::Result<OwnedFd> {
        let real = self.beneath(rel)?;
        let c = CString::new(real.as_os_str().as_bytes())
            .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
        // SAFETY: `c` is a NUL-terminated path; the result is a new descriptor or -1.
        let fd = check(unsafe { libc::open(c.as_ptr(), flags | libc::O_CLOEXEC) })?;
        // SAFETY: `fd` was just opened and is owned by nobody else.
        Ok(unsafe { OwnedFd::from_raw_fd(fd) })
    }

    /// The object file at `rel`, for reading (and writing when `write`).
    pub(crate) fn open_file(&self, rel: &str, write: bool) -> Result<File> {
        let flags = if write { libc::O_RDWR } else { libc::O_RDONLY };
        self.resolve(rel, flags | libc::O_CLOEXEC)
            .map(File::from)
            .map_err(|e| fail(&e, "cannot open", &self.show(rel)))
    }

    /// What is at `rel` (following links that stay inside), without opening it for I/O.
    /// Linux opens it with `O_PATH` (no I/O, no blocking on a FIFO); the portable path
    /// (no `O_PATH` on macOS) checks the resolved name and asks for its metadata.
    pub(crate) fn metadata(&self, rel: &str) -> io::Result<std::fs::Metadata> {
        #[cfg(all(target_os = "linux", not(feature = "portable-posix")))]
        if !NO_OPENAT2.load(Ordering::Relaxed) {
            return File::from(self.resolve(rel, libc::O_PATH | libc::O_CLOEXEC)?).metadata();
        }
        std::fs::metadata(self.beneath(rel)?)
    }

    /// The directory `rel` ("" for the location itself); with `create`, missing
    /// directories are made one by one, each inside a verified parent.
    pub(crate) fn dir(&self, rel: &str, create: bool) -> Result<Dir> {
        let shown = self.show(rel);
        let rel = if rel.is_empty() { "." } else { rel };
        let open_fail = |e: io::Error| fail(&e, "cannot open directory", &shown);
        match self.resolve(rel, DIR_FLAGS) {
            Ok(fd) => return Ok(Dir { fd, path: shown }),
            Err(e) if create && e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(open_fail(e)),
        }
        let mut parent = self.resolve(".", DIR_FLAGS).map_err(open_fail)?;
        let mut end = 0;
        for component in rel.split('/') {
            end += component.len();
            let prefix = &rel[..end];
            end += 1; // the '/' after it
            match self.resolve(prefix, DIR_FLAGS) {
                Ok(fd) => {
                    parent = fd;
                    continue;
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(open_fail(e)),
            }
            let name = cstring(component).map_err(open_fail)?;
            // SAFETY: a live directory descriptor and a NUL-terminated single name.
            let made = check(unsafe { libc::mkdirat(parent.as_raw_fd(), name.as_ptr(), 0o777) });
            if let Err(e) = made {
                if e.kind() != io::ErrorKind::AlreadyExists {
                    return Err(fail(&e, "cannot create directory", &self.show(prefix)));
                }
            }
            parent = self.resolve(prefix, DIR_FLAGS).map_err(open_fail)?;
        }
        Ok(Dir {
            fd: parent,
            path: shown,
        })
    }
}

impl Dir {
    /// `name` in this directory, for messages.
    pub(crate) fn show(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    fn call(&self, op: &str, name: &str, f: impl FnOnce(&CString) -> libc::c_int) -> Result<()> {
        let c = cstring(name).map_err(|e| fail(&e, op, &self.show(name)))?;
        check(f(&c))
            .map(drop)
            .map_err(|e| fail(&e, op, &self.show(name)))
    }

    /// Create `name` (which must not exist, not even as a link) for writing.
    pub(crate) fn create_new(&self, name: &str) -> Result<File> {
        let mut fd = -1;
        self.call("cannot create", name, |c| {
            // SAFETY: a live directory descriptor and a NUL-terminated single name.
            fd = unsafe {
                libc::openat(
                    self.fd.as_raw_fd(),
                    c.as_ptr(),
                    libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_CLOEXEC,
                    0o666 as libc::c_uint,
                )
            };
            fd
        })?;
        // SAFETY: `fd` was just opened and is owned by nobody else.
        Ok(File::from(unsafe { OwnedFd::from_raw_fd(fd) }))
    }

    /// Publish `temp` as `name`: replacing whatever entry `name` is when `overwrite`
    /// (a link there is replaced, never written through), else failing with
    /// `AlreadyExists` when `name` exists (no check-then-rename race: a rename that
    /// refuses to replace, or a hard link where the file system has no such rename).
    pub(crate) fn publish(&self, temp: &str, name: &str, overwrite: bool) -> Result<()> {
        let (temp_c, dir) = (
            cstring(temp).map_err(|e| fail(&e, "cannot publish", &self.show(name)))?,
            self.fd.as_raw_fd(),
        );
        if overwrite {
            // SAFETY: live descriptor, NUL-terminated single names.
            return self.call("cannot publish", name, |c| unsafe {
                libc::renameat(dir, temp_c.as_ptr(), dir, c.as_ptr())
            });
        }
        #[cfg(all(target_os = "linux", not(feature = "portable-posix")))]
        {
            // One directory operation where a link and an unlink take two.
            let c = cstring(name).map_err(|e| fail(&e, "cannot publish", &self.show(name)))?;
            // SAFETY: live descriptor, NUL-terminated single names.
            let renamed = check(unsafe {
                libc::renameat2(
                    dir,
                    temp_c.as_ptr(),
                    dir,
                    c.as_ptr(),
                    libc::RENAME_NOREPLACE,
                )
            });
            match renamed {
                Ok(_) => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    return Err(already_exists(self.show(name).display()));
                }
                // File systems without a rename that refuses to replace (some network
                // file systems) take the hard link below.
                Err(e) if rename_noreplace_unsupported(&e) => {}
                Err(e) => return Err(fail(&e, "cannot publish", &self.show(name))),
            }
        }
        // SAFETY: live descriptor, NUL-terminated single names.
        let linked = self.call("cannot publish", name, |c| unsafe {
            libc::linkat(dir, temp_c.as_ptr(), dir, c.as_ptr(), 0)
        });
        match linked {
            Ok(()) => {
                let _ = self.remove(temp);
                Ok(())
            }
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                Err(already_exists(self.show(name).display()))
            }
            Err(e) => Err(e),
        }
    }

    /// Remove the entry `name` (a link is removed, not what it points to).
    pub(crate) fn remove(&self, name: &str) -> Result<()> {
        // SAFETY: live descriptor, NUL-terminated single name.
        self.call("cannot delete", name, |c| unsafe {
            libc::unlinkat(self.fd.as_raw_fd(), c.as_ptr(), 0)
        })
    }

    /// Flush the directory's entries to stable storage.
    pub(crate) fn sync(&self) -> Result<()> {
        // SAFETY: a live descriptor.
        check(unsafe { libc::fsync(self.fd.as_raw_fd()) })
            .map(drop)
            .map_err(|e| Error::io(&e, "cannot fsync directory", self.path.display()))
    }
}

/// Whether `renameat2(RENAME_NOREPLACE)` failed only because the file system (or
/// kernel) does not offer it.
#[cfg(all(target_os = "linux", not(feature = "portable-posix")))]
fn rename_noreplace_unsupported(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP)
    )
}

/// `openat2(RESOLVE_BENEATH)`: Linux 5.6 and later, unless the test-only
/// `portable-posix` feature asks for the portable path other Unix systems take.
#[cfg(all(target_os = "linux", not(feature = "portable-posix")))]
fn openat2_beneath(dir: &OwnedFd, rel: &str, flags: libc::c_int) -> io::Result<OwnedFd> {
    let c = cstring(rel)?;
    // SAFETY: open_how is plain data; zeroed is a valid value for every field.
    let mut how: libc::open_how = unsafe { std::mem::zeroed() };
    how.flags = (flags | libc::O_CLOEXEC) as u64;
    how.resolve = libc::RESOLVE_BENEATH | libc::RESOLVE_NO_MAGICLINKS;
    // SAFETY: a live directory descriptor, a NUL-terminated path, and a pointer to an
    // open_how of the size passed; the result is a new descriptor or -1.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_openat2,
            dir.as_raw_fd(),
            c.as_ptr(),
            &how as *const libc::open_how,
            std::mem::size_of::<libc::open_how>(),
        )
    };
    let fd = check(fd as libc::c_int)?;
    // SAFETY: `fd` was just opened and is owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Other Unix systems (macOS, the BSDs), and Linux with `portable-posix`: the
/// emulation ([`Root::resolve_emulated`]).
#[cfg(any(not(target_os = "linux"), feature = "portable-posix"))]
fn openat2_beneath(_: &OwnedFd, _: &str, _: libc::c_int) -> io::Result<OwnedFd> {
    Err(io::Error::from_raw_os_error(libc::ENOSYS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    /// With the test-only `portable-posix` feature the Linux build takes the path of
    /// other Unix systems: no `openat2` at all.
    #[cfg(feature = "portable-posix")]
    #[test]
    fn the_portable_path_has_no_openat2() {
        let root = Root::open(&std::env::temp_dir()).unwrap();
        let err = openat2_beneath(&root.fd, ".", libc::O_RDONLY).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::ENOSYS));
    }

    /// Both resolvers give the same answers: links inside work, links out are EXDEV.
    #[test]
    fn openat2_and_the_emulation_agree() {
        let base = std::env::temp_dir().join(format!("npystore-beneath-{}", std::process::id()));
        let (root_dir, out) = (base.join("root"), base.join("out"));
        std::fs::create_dir_all(root_dir.join("sub")).unwrap();
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(root_dir.join("sub/a.npy"), b"inside").unwrap();
        std::fs::write(out.join("b.npy"), b"outside").unwrap();
        symlink(&out, root_dir.join("out_dir")).unwrap();
        symlink(out.join("b.npy"), root_dir.join("out_file.npy")).unwrap();
        symlink("../../out/b.npy", root_dir.join("sub/dotdot.npy")).unwrap();
        symlink("sub/a.npy", root_dir.join("in_file.npy")).unwrap();
        symlink("sub", root_dir.join("in_dir")).unwrap();
        let root = Root::open(&root_dir).unwrap();
        let exdev = Some(libc::EXDEV);
        for emulated in [false, true] {
            let open = |rel: &str| {
                if emulated {
                    root.resolve_emulated(rel, libc::O_RDONLY)
                } else {
                    root.resolve(rel, libc::O_RDONLY)
                }
            };
            for inside in ["sub/a.npy", "in_file.npy", "in_dir/a.npy"] {
                let mut text = String::new();
                std::io::Read::read_to_string(&mut File::from(open(inside).unwrap()), &mut text)
                    .unwrap();
                assert_eq!(text, "inside", "{inside} (emulated: {emulated})");
            }
            for out in ["out_dir/b.npy", "out_file.npy", "sub/dotdot.npy"] {
                let err = open(out).unwrap_err();
                assert_eq!(err.raw_os_error(), exdev, "{out} (emulated: {emulated})");
            }
        }
        let err = root.dir("out_dir/new", true).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Path, "{err}");
        assert!(!out.join("new").exists(), "no directory was made outside");
        root.dir("in_dir/new/deeper", true).unwrap();
        assert!(root_dir.join("sub/new/deeper").is_dir());
        std::fs::remove_dir_all(&base).unwrap();
    }
}
