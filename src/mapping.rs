//! Memory maps of stored `.npy` files, and the modes numpy knows them by.

use crate::error::{bail, Error, ErrorKind, Result};
use memmap2::{Mmap, MmapMut, MmapOptions};
use std::fs::File;
use std::path::{Path, PathBuf};

/// How a memory map may be used, as in numpy's `mmap_mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapMode {
    /// `r`: read-only.
    ReadOnly,
    /// `r+`: read-write; writes go to the stored file.
    ReadWrite,
    /// `c`: copy-on-write; writes stay in this process's memory.
    CopyOnWrite,
}

impl MapMode {
    /// Parse numpy's mode letters `r`, `r+`, `c`.
    pub fn parse(mode: &str) -> Result<MapMode> {
        match mode {
            "r" => Ok(MapMode::ReadOnly),
            "r+" => Ok(MapMode::ReadWrite),
            "c" => Ok(MapMode::CopyOnWrite),
            other => bail!(
                InvalidArgument,
                "unknown mmap mode {other:?}: use \"r\", \"r+\" or \"c\""
            ),
        }
    }
}

#[derive(Debug)]
enum Map {
    ReadOnly(Mmap),
    Writable(MmapMut),
    /// A zero-length file region: nothing to map.
    Empty,
}

/// A memory-mapped `.npy` file; the array data is `[offset, offset + len)` of it.
/// The map stays valid until this value is dropped.
#[derive(Debug)]
pub struct Mapping {
    map: Map,
    /// The mapped file's name, as the kernel resolved it when it was mapped.
    path: PathBuf,
    /// Device and inode of the mapped file (Unix), to verify `path` by.
    identity: Option<(u64, u64)>,
    mode: MapMode,
    offset: u64,
    len: u64,
}

impl Mapping {
    /// Map the whole of `file` (opened for writing when `mode` is `ReadWrite`; `path`
    /// names it in messages) in `mode`; the data range is set later by
    /// [`Mapping::with_data`] once the header has been read from the map itself.
    pub(crate) fn map_whole(file: &File, path: &str, mode: MapMode) -> Result<Mapping> {
        let len = file
            .metadata()
            .map_err(|e| Error::io(&e, "cannot stat", path))?
            .len();
        Mapping::map_file(file, path, mode, 0, len)
    }

    /// Map `len` bytes at `offset` of `file` (`path` names it in messages).
    pub(crate) fn map_file(
        file: &File,
        path: &str,
        mode: MapMode,
        offset: u64,
        len: u64,
    ) -> Result<Mapping> {
        let map = map_region(file, path, mode, offset, len)?;
        Ok(Mapping {
            map,
            path: mapped_name(file, path),
            identity: identity(file),
            mode,
            offset: 0,
            len,
        })
    }

    /// A read-only map of `len` bytes at `offset` of `file` to copy from and drop
    /// (`path` names it in messages): no name or identity is looked up for it, so
    /// mapping costs the map and unmap calls alone.
    pub(crate) fn map_to_copy(file: &File, path: &str, offset: u64, len: u64) -> Result<Mapping> {
        let map = map_region(file, path, MapMode::ReadOnly, offset, len)?;
        Ok(Mapping {
            map,
            path: PathBuf::from(path),
            identity: None,
            mode: MapMode::ReadOnly,
            offset: 0,
            len,
        })
    }

    /// The same map with its data range set to `[offset, offset + len)` of the file.
    pub(crate) fn with_data(mut self, offset: u64, len: u64) -> Result<Mapping> {
        if offset
            .checked_add(len)
            .is_none_or(|end| end > self.file_len())
        {
            bail!(
                Internal,
                "data range {offset}+{len} lies outside the mapped file"
            );
        }
        self.offset = offset;
        self.len = len;
        Ok(self)
    }

    /// Every mapped byte, header included.
    pub(crate) fn file_bytes(&self) -> &[u8] {
        match &self.map {
            Map::ReadOnly(m) => m,
            Map::Writable(m) => m,
            Map::Empty => &[],
        }
    }

    /// Length of the mapped region.
    pub(crate) fn file_len(&self) -> u64 {
        self.file_bytes().len() as u64
    }

    /// The local file that is mapped (the stored object itself on a file store): the
    /// name the kernel resolved for the mapped file when it was mapped (absolute, no
    /// symbolic link in it), not the store's `<location>/<path>`, so repointing a link
    /// on the way later does not change what it names. The file at that name can still
    /// be replaced afterwards: whoever reopens it by name should check it with
    /// [`Mapping::verified_file_path`].
    pub fn file_path(&self) -> &Path {
        &self.path
    }

    /// [`Mapping::file_path`], checked to still name the mapped file (the same device
    /// and inode, following links as an `open` by name would). A `Mismatch` when the
    /// file was replaced at that name (an overwriting put, a delete) or a directory on
    /// the way was swapped for a link. Call it after reopening the file by name (e.g.
    /// MATLAB's `memmapfile`) to know that the reopened file is the one checked here.
    pub fn verified_file_path(&self) -> Result<&Path> {
        let Some(mapped) = self.identity else {
            return Ok(&self.path);
        };
        let now = std::fs::metadata(&self.path).map(|m| file_identity(&m));
        match now {
            Ok(id) if id == mapped => Ok(&self.path),
            other => {
                let why = match other {
                    Err(e) => format!(": {e}"),
                    Ok(_) => String::new(),
                };
                bail!(
                    Mismatch,
                    "{} no longer names the mapped file (it was replaced, or a directory on \
                     the way was swapped for a link){why}",
                    self.path.display()
                )
            }
        }
    }

    /// The mode the map was made with.
    pub fn mode(&self) -> MapMode {
        self.mode
    }

    /// Byte offset of the array data in the file (a multiple of 64 for numpy files).
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Bytes of array data.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the array has no data bytes.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The array data.
    pub fn as_slice(&self) -> &[u8] {
        &self.file_bytes()[self.offset as usize..(self.offset + self.len) as usize]
    }

    /// The array data, writable for `ReadWrite` and `CopyOnWrite` maps.
    pub fn as_mut_slice(&mut self) -> Result<&mut [u8]> {
        let (start, end) = (self.offset as usize, (self.offset + self.len) as usize);
        match &mut self.map {
            Map::Writable(m) => Ok(&mut m[start..end]),
            Map::Empty => Ok(&mut []),
            Map::ReadOnly(_) => bail!(Unsupported, "the map is read-only (mode \"r\")"),
        }
    }
}

/// The name of the open `file`, as the kernel resolved it (`/proc/self/fd` on Linux,
/// `F_GETPATH` on macOS); elsewhere, or when that fails, `shown` with its links
/// resolved now (just after the open), or `shown` itself.
fn mapped_name(file: &File, shown: &str) -> PathBuf {
    descriptor_path(file)
        .filter(|p| p.is_absolute())
        .or_else(|| Path::new(shown).canonicalize().ok().map(plain))
        .unwrap_or_else(|| PathBuf::from(shown))
}

/// `path` as `canonicalize` gives it (Unix: unchanged).
#[cfg(not(windows))]
fn plain(path: PathBuf) -> PathBuf {
    path
}

/// `path` without the `\\?\` prefix `canonicalize` gives on Windows, when the
/// shorter name is within `MAX_PATH` (260): `\\?\C:\x` is `C:\x` and
/// `\\?\UNC\server\share\x` is `\\server\share\x`, names every Windows program
/// (MATLAB's `memmapfile` included) opens. Longer names keep the prefix, which is
/// what lets Windows open them at all.
#[cfg(windows)]
fn plain(path: PathBuf) -> PathBuf {
    let Some(text) = path.to_str() else {
        return path;
    };
    let short = if let Some(rest) = text.strip_prefix(r"\\?\UNC\") {
        format!(r"\\{rest}")
    } else if let Some(rest) = text.strip_prefix(r"\\?\") {
        let drive = rest.as_bytes();
        if !(drive.len() >= 3 && drive[0].is_ascii_alphabetic() && &drive[1..3] == br":\") {
            return path;
        }
        rest.to_string()
    } else {
        return path;
    };
    if short.len() < 260 {
        PathBuf::from(short)
    } else {
        path
    }
}

#[cfg(target_os = "linux")]
fn descriptor_path(file: &File) -> Option<PathBuf> {
    use std::os::fd::AsRawFd;
    std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())).ok()
}

#[cfg(target_os = "macos")]
fn descriptor_path(file: &File) -> Option<PathBuf> {
    use std::os::fd::AsRawFd;
    use std::os::unix::ffi::OsStrExt;
    let mut buf = vec![0u8; libc::PATH_MAX as usize];
    // SAFETY: F_GETPATH writes a NUL-terminated path of at most PATH_MAX bytes to buf.
    let ret = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_GETPATH, buf.as_mut_ptr()) };
    if ret < 0 {
        return None;
    }
    let end = buf.iter().position(|&b| b == 0)?;
    Some(PathBuf::from(std::ffi::OsStr::from_bytes(&buf[..end])))
}

#[cfg(not(any(target_os = "linux", target_os = "macos")))]
fn descriptor_path(_: &File) -> Option<PathBuf> {
    None
}

#[cfg(unix)]
fn file_identity(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn file_identity(_: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
}

/// Device and inode of the open `file` (Unix only).
fn identity(file: &File) -> Option<(u64, u64)> {
    if cfg!(unix) {
        file.metadata().ok().map(|m| file_identity(&m))
    } else {
        None
    }
}

fn map_region(file: &File, path: &str, mode: MapMode, offset: u64, len: u64) -> Result<Map> {
    if len == 0 {
        return Ok(Map::Empty);
    }
    let len_usize = usize::try_from(len).map_err(|_| {
        Error::new(
            ErrorKind::Length,
            format!("{len} bytes cannot be mapped on this platform"),
        )
    })?;
    let mut options = MmapOptions::new();
    options.offset(offset).len(len_usize);
    let fail = |e: std::io::Error| Error::io(&e, "cannot memory-map", path);
    // SAFETY: the map is only valid while no other process truncates the file; this
    // hazard is inherent to memory maps and documented in the README.
    unsafe {
        match mode {
            MapMode::ReadOnly => options.map(file).map(Map::ReadOnly).map_err(fail),
            MapMode::ReadWrite => options.map_mut(file).map(Map::Writable).map_err(fail),
            MapMode::CopyOnWrite => options.map_copy(file).map(Map::Writable).map_err(fail),
        }
    }
}
