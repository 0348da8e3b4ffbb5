//! The local cache that memory maps of remote objects are made from.
//!
//! One file per object version: `<md5(store identity, path)>.<md5(etag)[..16]>-<size>.npy`
//! under the cache directory: the object's bytes, then a trailer that records the
//! ETag and size they are of ([`trailer`]). A copy is downloaded into a temporary file
//! beside it (`*.tmp`), synced, and renamed into place, so a reader sees a complete
//! copy or none. It is reused only while the object's current size and ETag (read by
//! the header request that precedes every map) equal those its trailer records; an
//! object without an ETag is downloaded afresh every time. The directory and its
//! entries are private to the user and links in it are never followed
//! ([`private`]); a file there that fails any check is a miss, replaced by a
//! download. The directory is kept under `cache_max_bytes` by deleting the least
//! recently used copies (the modification time is refreshed on every reuse) before a
//! new copy is written. Deleting a copy that another process
//! has mapped is safe on Unix: its map stays valid.

mod private;

use crate::config::StoreOptions;
use crate::error::{bail, Error, Result};
use md5::{Digest, Md5};
use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Temporary files older than this are left-overs of a crashed download.
const STALE_TEMP: Duration = Duration::from_secs(24 * 3600);

/// A cache directory with a size cap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RemoteCache {
    dir: PathBuf,
    max_bytes: u64,
}

/// A valid cached copy, held open: its first `size` bytes are the object's.
#[derive(Debug)]
pub(crate) struct CachedCopy {
    /// The copy, opened without following links and checked.
    pub(crate) file: File,
    /// Its name in the cache directory.
    pub(crate) path: PathBuf,
    /// Bytes of the object (the trailer follows them).
    pub(crate) size: u64,
}

/// The remote cache's directory when `cache_dir` is not set, first that applies:
///
/// 1. `$XDG_CACHE_HOME/npystore` (every platform, so one setting moves it anywhere);
/// 2. Windows: `%LOCALAPPDATA%\npystore` (this user's local, non-roaming data);
///    elsewhere: `$HOME/.cache/npystore`;
/// 3. a directory of this user's in the temporary directory (see [`default_dir_from`]).
///
/// Empty variables count as unset.
pub(crate) fn default_dir() -> PathBuf {
    let non_empty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    default_dir_from(cfg!(windows), non_empty)
}

/// [`default_dir`] for the environment `var` (a variable's non-empty value) on
/// Windows (`windows`) or elsewhere: a pure function of its inputs, so both orders are
/// tested on every platform. Without any variable, `<temp dir>/npystore-cache-<uid>`
/// on Unix (`<temp dir>/npystore-cache` elsewhere), which
/// [`private::ensure_private_dir`] creates 0700 or refuses when another user made it
/// first.
fn default_dir_from(windows: bool, var: impl Fn(&str) -> Option<std::ffi::OsString>) -> PathBuf {
    if let Some(xdg) = var("XDG_CACHE_HOME") {
        return PathBuf::from(xdg).join("npystore");
    }
    if windows {
        if let Some(local) = var("LOCALAPPDATA") {
            return PathBuf::from(local).join("npystore");
        }
    } else if let Some(home) = var("HOME") {
        return PathBuf::from(home).join(".cache").join("npystore");
    }
    #[cfg(unix)]
    let name = format!("npystore-cache-{}", private::current_user());
    #[cfg(not(unix))]
    let name = "npystore-cache".to_string();
    std::env::temp_dir().join(name)
}

/// What follows an object's bytes in its cached copy: the ETag and size they are of.
/// A copy is reused only when it ends in exactly the trailer of the version asked for.
fn trailer(etag: &str, size: u64) -> Vec<u8> {
    format!(
        "\0npystore-cache v1\0size {size}\0etag {} {etag}\0",
        etag.len()
    )
    .into_bytes()
}

/// The copy at `path` when it is a valid copy of the version `(size, etag)`: a private
/// regular file (never a link) of `size` bytes followed by that version's trailer.
fn open_valid(path: &Path, size: u64, etag: &str) -> Option<File> {
    let mut file = private::open_entry(path)?;
    let want = trailer(etag, size);
    let len = file.metadata().ok()?.len();
    if len != size.checked_add(want.len() as u64)? {
        return None;
    }
    let mut got = vec![0u8; want.len()];
    file.seek(SeekFrom::Start(size)).ok()?;
    file.read_exact(&mut got).ok()?;
    (got == want).then_some(file)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn io(err: std::io::Error, operation: &str, path: &Path) -> Error {
    Error::io(&err, operation, path.display()).context("remote cache")
}

impl RemoteCache {
    /// The cache a store's options configure.
    pub(crate) fn for_options(options: &StoreOptions) -> RemoteCache {
        RemoteCache {
            dir: options.cache_dir.clone().unwrap_or_else(default_dir),
            max_bytes: options.cache_max_bytes,
        }
    }

    /// The local copy of `path` in the store named by `identity`, at the version
    /// `(size, etag)`; `download` fills a fresh copy's bytes when none is valid.
    pub(crate) fn fetch(
        &self,
        identity: &str,
        path: &str,
        size: u64,
        etag: Option<&str>,
        download: impl FnOnce(&mut [u8]) -> Result<()>,
    ) -> Result<CachedCopy> {
        let tail = trailer(etag.unwrap_or(""), size);
        let copy_len = size.saturating_add(tail.len() as u64);
        if copy_len > self.max_bytes {
            bail!(
                Unsupported,
                "cannot map a remote object of {size} bytes: the local cache holds at most \
                 {} bytes (npystore setting cache_max_bytes; a copy is the object plus a \
                 {}-byte trailer)",
                self.max_bytes,
                tail.len()
            );
        }
        private::ensure_private_dir(&self.dir)?;
        let key = hex(&Md5::digest(format!("{identity}\n{path}").as_bytes()));
        let version = match etag {
            Some(tag) => format!("{}-{size}", &hex(&Md5::digest(tag.as_bytes()))[..16]),
            None => format!("noetag-{size}"),
        };
        let target = self.dir.join(format!("{key}.{version}.npy"));
        if let Some(file) = etag.and_then(|tag| open_valid(&target, size, tag)) {
            // Mark it recently used; a failure only makes it evicted sooner.
            let _ = file.set_modified(SystemTime::now());
            return Ok(CachedCopy {
                file,
                path: target,
                size,
            });
        }
        self.make_room(copy_len, &format!("{key}."))?;
        let temp = self
            .dir
            .join(format!("{key}.{}.tmp", crate::path::random_token(8)));
        // The rename replaces whatever entry is at `target` (a link is replaced, not
        // followed); the open copy is the file that was just written.
        let written = write_copy(&temp, size, &tail, download).and_then(|file| {
            fs::rename(&temp, &target).map_err(|e| io(e, "cannot publish", &target))?;
            Ok(file)
        });
        if written.is_err() {
            let _ = fs::remove_file(&temp);
        }
        written.map(|file| CachedCopy {
            file,
            path: target,
            size,
        })
    }

    /// Delete older versions of this object (`stale_prefix`), crashed downloads, and
    /// then least recently used copies until `incoming` more bytes fit under the cap.
    fn make_room(&self, incoming: u64, stale_prefix: &str) -> Result<()> {
        let entries = fs::read_dir(&self.dir).map_err(|e| io(e, "cannot list", &self.dir))?;
        let now = SystemTime::now();
        let mut copies = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(meta) = entry.metadata() else { continue };
            let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            if name.ends_with(".tmp") {
                if now
                    .duration_since(modified)
                    .is_ok_and(|age| age > STALE_TEMP)
                {
                    let _ = fs::remove_file(entry.path());
                }
            } else if name.ends_with(".npy") && meta.is_file() {
                if name.starts_with(stale_prefix) {
                    let _ = fs::remove_file(entry.path());
                } else {
                    copies.push((modified, meta.len(), entry.path()));
                }
            }
        }
        let mut total: u64 = copies.iter().map(|c| c.1).sum();
        copies.sort();
        for (_, len, path) in copies {
            if total + incoming <= self.max_bytes {
                break;
            }
            if fs::remove_file(&path).is_ok() {
                total -= len;
            }
        }
        Ok(())
    }
}

/// Write a new copy at `temp`: `size` bytes from `download`, then `trailer`.
fn write_copy(
    temp: &Path,
    size: u64,
    trailer: &[u8],
    download: impl FnOnce(&mut [u8]) -> Result<()>,
) -> Result<File> {
    let mut file = private::create_entry(temp)?;
    file.set_len(size).map_err(|e| io(e, "cannot size", temp))?;
    if size > 0 {
        // SAFETY: the file was just created by this call under a random name; nothing
        // else maps or truncates it while the map lives.
        let mut map =
            unsafe { memmap2::MmapMut::map_mut(&file) }.map_err(|e| io(e, "cannot map", temp))?;
        download(&mut map)?;
        map.flush().map_err(|e| io(e, "cannot flush", temp))?;
    }
    file.seek(SeekFrom::Start(size))
        .and_then(|_| file.write_all(trailer))
        .map_err(|e| io(e, "cannot write", temp))?;
    sync(&file, temp)?;
    Ok(file)
}

fn sync(file: &File, path: &Path) -> Result<()> {
    file.sync_all().map_err(|e| io(e, "cannot sync", path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn cache(max_bytes: u64) -> (RemoteCache, PathBuf) {
        let dir = std::env::temp_dir().join(format!(
            "npystore-cache-test-{}-{}",
            std::process::id(),
            crate::path::random_token(6)
        ));
        (
            RemoteCache {
                dir: dir.clone(),
                max_bytes,
            },
            dir,
        )
    }

    #[test]
    fn reuses_a_valid_copy_and_refetches_a_changed_object() {
        let (c, dir) = cache(1000);
        let mut downloads = 0;
        let mut get = |tag: &str, byte: u8| {
            c.fetch("s3|x|b", "a.npy", 10, Some(tag), |dst| {
                downloads += 1;
                dst.fill(byte);
                Ok(())
            })
            .unwrap()
            .path
        };
        let first = get("e1", 1);
        let again = get("e1", 9);
        assert_eq!(first, again);
        assert_eq!(head(&again, 10), vec![1u8; 10]);
        let changed = get("e2", 2);
        assert_ne!(first, changed);
        assert!(!first.exists(), "the old version is removed");
        assert_eq!(head(&changed, 10), vec![2u8; 10]);
        assert_eq!(downloads, 2);
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn evicts_least_recently_used_and_refuses_oversized_objects() {
        // Room for two copies of 10 bytes (and their trailers), not three.
        let copy = 10 + trailer("e", 10).len() as u64;
        let (c, dir) = cache(2 * copy + 5);
        let put = |path: &str| {
            c.fetch("id", path, 10, Some("e"), |dst| {
                dst.fill(7);
                Ok(())
            })
            .unwrap()
            .path
        };
        let a = put("a");
        std::thread::sleep(Duration::from_millis(20));
        let b = put("b");
        std::thread::sleep(Duration::from_millis(20));
        put("a"); // a is now the most recently used
        std::thread::sleep(Duration::from_millis(20));
        let c3 = put("c");
        assert!(a.exists() && c3.exists() && !b.exists());
        // An object of the whole cap does not fit with its trailer.
        let err = c
            .fetch("id", "big", c.max_bytes, Some("e"), |_| Ok(()))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unsupported);
        let failed = c.fetch("id", "bad", 5, Some("e"), |_| {
            Err(Error::new(ErrorKind::Io, "boom"))
        });
        assert!(failed.is_err());
        let leftovers: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
        let _ = fs::remove_dir_all(dir);
    }

    /// The first `n` bytes of the copy at `path` (what a map of it serves).
    fn head(path: &Path, n: usize) -> Vec<u8> {
        let mut bytes = fs::read(path).unwrap();
        bytes.truncate(n);
        bytes
    }

    /// Fetch `a.npy` at version `tag`; the download (if any) fills `byte`.
    fn get(c: &RemoteCache, tag: &str, byte: u8, downloads: &mut u32) -> PathBuf {
        c.fetch("id", "a.npy", 10, Some(tag), |dst| {
            *downloads += 1;
            dst.fill(byte);
            Ok(())
        })
        .unwrap()
        .path
    }

    /// Bytes at the expected name and size that this cache did not write (another
    /// local user's plant) are never served: they are replaced by a download.
    #[test]
    fn a_planted_file_is_not_reused() {
        let (c, dir) = cache(1000);
        let mut downloads = 0;
        let path = get(&c, "e1", 1, &mut downloads);
        fs::remove_file(&path).unwrap();
        fs::write(&path, [66u8; 10]).unwrap();
        let again = get(&c, "e1", 1, &mut downloads);
        assert_eq!(head(&again, 10), vec![1u8; 10], "the plant was served");
        assert_eq!(downloads, 2);
        let _ = fs::remove_dir_all(dir);
    }

    /// A symbolic link at an entry's name is never followed: not served, and what it
    /// points to is never written.
    #[cfg(unix)]
    #[test]
    fn a_planted_symlink_is_not_followed() {
        let (c, dir) = cache(1000);
        let mut downloads = 0;
        let path = get(&c, "e1", 1, &mut downloads);
        let outside = dir.with_extension("outside");
        fs::write(&outside, [66u8; 10]).unwrap();
        fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink(&outside, &path).unwrap();
        let again = get(&c, "e1", 1, &mut downloads);
        assert_eq!(
            head(&again, 10),
            vec![1u8; 10],
            "the link's target was served"
        );
        assert!(!fs::symlink_metadata(&again)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read(&outside).unwrap(), vec![66u8; 10], "untouched");
        assert_eq!(downloads, 2);
        let _ = fs::remove_file(outside);
        let _ = fs::remove_dir_all(dir);
    }

    /// An entry holding another version's bytes under this version's name (its
    /// recorded ETag differs) is a miss, and is replaced.
    #[test]
    fn an_entry_of_another_etag_is_a_miss() {
        let (c, dir) = cache(1000);
        let mut downloads = 0;
        let first = get(&c, "e1", 1, &mut downloads);
        let second = get(&c, "e2", 2, &mut downloads);
        fs::rename(&second, &first).unwrap(); // e2's copy under e1's name
        let again = get(&c, "e1", 3, &mut downloads);
        assert_eq!(head(&again, 10), vec![3u8; 10], "a stale copy was served");
        assert_eq!(downloads, 3);
        let _ = fs::remove_dir_all(dir);
    }

    /// A cache directory that others can write is refused, never used.
    #[cfg(unix)]
    #[test]
    fn a_shared_cache_directory_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let (c, dir) = cache(1000);
        fs::create_dir_all(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o777)).unwrap();
        let err = c
            .fetch("id", "a.npy", 10, Some("e"), |_| Ok(()))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
        assert!(err.message().contains(&dir.display().to_string()), "{err}");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 0, "nothing written");
        let _ = fs::remove_dir_all(dir);
    }

    /// As root: a cache directory owned by another uid is refused.
    #[cfg(unix)]
    #[test]
    fn another_users_cache_directory_is_refused() {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            eprintln!("skipped: needs root to chown");
            return;
        }
        let (c, dir) = cache(1000);
        fs::create_dir_all(&dir).unwrap();
        std::os::unix::fs::chown(&dir, Some(4242), Some(4242)).unwrap();
        let err = c
            .fetch("id", "a.npy", 10, Some("e"), |_| Ok(()))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
        assert!(err.message().contains("uid 4242"), "{err}");
        let _ = fs::remove_dir_all(dir);
    }

    /// The fallback order, for both platforms: XDG_CACHE_HOME first, then
    /// LOCALAPPDATA on Windows (HOME is not looked at there) or HOME elsewhere, then
    /// this user's own directory in the temporary directory, never a shared one.
    #[test]
    fn the_default_directory_follows_the_documented_order() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| std::ffi::OsString::from(v))
            }
        };
        let all = env(&[
            ("XDG_CACHE_HOME", "/x"),
            ("HOME", "/h"),
            ("LOCALAPPDATA", r"C:\Users\u\AppData\Local"),
        ]);
        let no_xdg = env(&[
            ("HOME", "/h"),
            ("LOCALAPPDATA", r"C:\Users\u\AppData\Local"),
        ]);
        let home_only = env(&[("HOME", "/h")]);
        for windows in [false, true] {
            assert_eq!(
                default_dir_from(windows, all),
                Path::new("/x").join("npystore")
            );
        }
        assert_eq!(
            default_dir_from(true, no_xdg),
            Path::new(r"C:\Users\u\AppData\Local").join("npystore")
        );
        assert_eq!(
            default_dir_from(false, no_xdg),
            Path::new("/h").join(".cache").join("npystore")
        );
        let temp = default_dir_from(true, home_only);
        assert!(temp.starts_with(std::env::temp_dir()), "{}", temp.display());
        assert_eq!(
            default_dir_from(false, home_only),
            Path::new("/h").join(".cache").join("npystore")
        );
        #[cfg(unix)]
        assert_eq!(
            default_dir_from(false, env(&[])),
            std::env::temp_dir().join(format!("npystore-cache-{}", private::current_user()))
        );
    }

    /// Under Windows (Wine here) with XDG_CACHE_HOME unset, the cache is under this
    /// user's %LOCALAPPDATA%, which the system sets. Reads the environment only.
    #[cfg(windows)]
    #[test]
    fn windows_caches_under_localappdata() {
        if std::env::var_os("XDG_CACHE_HOME").is_some_and(|v| !v.is_empty()) {
            assert!(default_dir().ends_with("npystore"));
            eprintln!("XDG_CACHE_HOME is set here: it takes precedence, as documented");
            return;
        }
        let local = std::env::var_os("LOCALAPPDATA").expect("Windows sets LOCALAPPDATA");
        assert_eq!(default_dir(), Path::new(&local).join("npystore"));
    }

    /// A copy is the object's bytes followed by the trailer of its version.
    #[test]
    fn a_copy_ends_in_its_versions_trailer() {
        let (c, dir) = cache(1000);
        let mut downloads = 0;
        let path = get(&c, "\"etag-1\"", 5, &mut downloads);
        let mut want = vec![5u8; 10];
        want.extend(trailer("\"etag-1\"", 10));
        assert_eq!(fs::read(&path).unwrap(), want);
        assert!(open_valid(&path, 10, "\"etag-1\"").is_some());
        assert!(open_valid(&path, 10, "\"etag-2\"").is_none());
        assert!(open_valid(&path, 11, "\"etag-1\"").is_none());
        let _ = fs::remove_dir_all(dir);
    }
}
