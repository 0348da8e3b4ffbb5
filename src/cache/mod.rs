//! The local cache that memory maps of remote objects are made from.
//!
//! One file per object version: `<md5(store identity, path)>.<md5(etag)[..16]>-<size>.npy`
//! under the cache directory. A copy is downloaded into a temporary file beside it
//! (`*.tmp`), synced, and renamed into place, so a reader sees a complete copy or none.
//! It is reused only while the object's current size and ETag (read by the header
//! request that precedes every map) still name it; an object without an ETag is
//! downloaded afresh every time. The directory is kept under `cache_max_bytes` by
//! deleting the least recently used copies (the modification time is refreshed on
//! every reuse) before a new copy is written. Deleting a copy that another process
//! has mapped is safe on Unix: its map stays valid.

use crate::config::StoreOptions;
use crate::{bail, Error, Result};
use md5::{Digest, Md5};
use std::fs::{self, File, OpenOptions};
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

/// `$XDG_CACHE_HOME/npystore`, else `$HOME/.cache/npystore`, else
/// `<temp dir>/npystore-cache`.
pub(crate) fn default_dir() -> PathBuf {
    let non_empty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(xdg) = non_empty("XDG_CACHE_HOME") {
        return PathBuf::from(xdg).join("npystore");
    }
    if let Some(home) = non_empty("HOME") {
        return PathBuf::from(home).join(".cache").join("npystore");
    }
    std::env::temp_dir().join("npystore-cache")
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
    ) -> Result<PathBuf> {
        if size > self.max_bytes {
            bail!(
                Unsupported,
                "cannot map a remote object of {size} bytes: the local cache holds at most \
                 {} bytes (npystore setting cache_max_bytes)",
                self.max_bytes
            );
        }
        fs::create_dir_all(&self.dir).map_err(|e| io(e, "cannot create", &self.dir))?;
        let key = hex(&Md5::digest(format!("{identity}\n{path}").as_bytes()));
        let version = match etag {
            Some(tag) => format!("{}-{size}", &hex(&Md5::digest(tag.as_bytes()))[..16]),
            None => format!("noetag-{size}"),
        };
        let target = self.dir.join(format!("{key}.{version}.npy"));
        if etag.is_some() {
            if let Ok(meta) = fs::metadata(&target) {
                if meta.is_file() && meta.len() == size {
                    // Mark it recently used; a failure only makes it evicted sooner.
                    if let Ok(f) = OpenOptions::new().write(true).open(&target) {
                        let _ = f.set_modified(SystemTime::now());
                    }
                    return Ok(target);
                }
            }
        }
        self.make_room(size, &format!("{key}."))?;
        let temp = self
            .dir
            .join(format!("{key}.{}.tmp", crate::path::random_token(8)));
        let written = write_copy(&temp, size, download).and_then(|()| {
            fs::rename(&temp, &target).map_err(|e| io(e, "cannot publish", &target))
        });
        if written.is_err() {
            let _ = fs::remove_file(&temp);
        }
        written.map(|()| target)
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

fn write_copy(
    temp: &Path,
    size: u64,
    download: impl FnOnce(&mut [u8]) -> Result<()>,
) -> Result<()> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(temp)
        .map_err(|e| io(e, "cannot create", temp))?;
    file.set_len(size).map_err(|e| io(e, "cannot size", temp))?;
    if size > 0 {
        // SAFETY: the file was just created by this call under a random name; nothing
        // else maps or truncates it while the map lives.
        let mut map =
            unsafe { memmap2::MmapMut::map_mut(&file) }.map_err(|e| io(e, "cannot map", temp))?;
        download(&mut map)?;
        map.flush().map_err(|e| io(e, "cannot flush", temp))?;
    }
    sync(&file, temp)
}

fn sync(file: &File, path: &Path) -> Result<()> {
    file.sync_all().map_err(|e| io(e, "cannot sync", path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

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
        };
        let first = get("e1", 1);
        let again = get("e1", 9);
        assert_eq!(first, again);
        assert_eq!(fs::read(&again).unwrap(), vec![1u8; 10]);
        let changed = get("e2", 2);
        assert_ne!(first, changed);
        assert!(!first.exists(), "the old version is removed");
        assert_eq!(fs::read(&changed).unwrap(), vec![2u8; 10]);
        assert_eq!(downloads, 2);
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn evicts_least_recently_used_and_refuses_oversized_objects() {
        let (c, dir) = cache(25);
        let put = |path: &str| {
            c.fetch("id", path, 10, Some("e"), |dst| {
                dst.fill(7);
                Ok(())
            })
            .unwrap()
        };
        let a = put("a");
        std::thread::sleep(Duration::from_millis(20));
        let b = put("b");
        std::thread::sleep(Duration::from_millis(20));
        put("a"); // a is now the most recently used
        std::thread::sleep(Duration::from_millis(20));
        let c3 = put("c");
        assert!(a.exists() && c3.exists() && !b.exists());
        let err = c.fetch("id", "big", 26, Some("e"), |_| Ok(())).unwrap_err();
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
}
