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
    /// The mapped file's identity (device and inode on Unix, volume serial number and
    /// file index on Windows), to verify `path` by.
    identity: Option<FileId>,
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
    /// and inode on Unix, volume serial number and file index on Windows, following
    /// links as an `open` by name would). A `Mismatch` when the
    /// file was replaced at that name (an overwriting put, a delete) or a directory on
    /// the way was swapped for a link. Call it after reopening the file by name (e.g.
    /// MATLAB's `memmapfile`) to know that the reopened file is the one checked here.
    pub fn verified_file_path(&self) -> Result<&Path> {
        let Some(mapped) = self.identity else {
            return Ok(&self.path);
        };
        let now = identity_at(&self.path);
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

/// The name of the open `file`, as the system resolved it (`/proc/self/fd` on Linux,
/// `F_GETPATH` on macOS, `GetFinalPathNameByHandleW` on Windows); elsewhere, or when
/// that fails, `shown` with its links resolved now (just after the open), or `shown`
/// itself.
fn mapped_name(file: &File, shown: &str) -> PathBuf {
    descriptor_path(file)
        .filter(|p| p.is_absolute())
        .or_else(|| Path::new(shown).canonicalize().ok())
        .map(crate::path::plain_native)
        .unwrap_or_else(|| PathBuf::from(shown))
}

/// The Linux answer, unless the test-only `portable-posix` feature asks for the
/// portable one (no `/proc`), as other Unix systems take.
#[cfg(all(target_os = "linux", not(feature = "portable-posix")))]
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

/// The final name of the open file, links and junctions resolved (`\\?\C:\...` or
/// `\\?\UNC\server\share\...`; `path::plain_native` shortens it).
#[cfg(windows)]
fn descriptor_path(file: &File) -> Option<PathBuf> {
    use std::os::windows::ffi::OsStringExt;
    use std::os::windows::io::AsRawHandle;
    use windows_sys::Win32::Storage::FileSystem::GetFinalPathNameByHandleW;
    let mut buf = vec![0u16; 512];
    loop {
        let capacity = u32::try_from(buf.len()).ok()?;
        // SAFETY: a live handle and a buffer of `capacity` UTF-16 units; flags 0 ask
        // for the normalised name with a drive letter (FILE_NAME_NORMALIZED,
        // VOLUME_NAME_DOS). The result is the length written (without the NUL), the
        // size needed when the buffer is too small, or 0 on failure.
        let got = unsafe {
            GetFinalPathNameByHandleW(file.as_raw_handle(), buf.as_mut_ptr(), capacity, 0)
        };
        let got = got as usize;
        if got == 0 {
            return None;
        }
        if got < buf.len() {
            buf.truncate(got);
            return Some(PathBuf::from(std::ffi::OsString::from_wide(&buf)));
        }
        buf.resize(got + 1, 0);
    }
}

#[cfg(not(any(
    all(target_os = "linux", not(feature = "portable-posix")),
    target_os = "macos",
    windows
)))]
fn descriptor_path(_: &File) -> Option<PathBuf> {
    None
}

/// What names one file wherever it is reached from: (device, inode) on Unix, (volume
/// serial number, file index) on Windows.
type FileId = (u64, u64);

/// The identity of the open `file`, where the system gives one.
#[cfg(unix)]
fn identity(file: &File) -> Option<FileId> {
    file.metadata().ok().map(|m| unix_identity(&m))
}

/// The identity of the file `path` leads to now, following links.
#[cfg(unix)]
fn identity_at(path: &Path) -> std::io::Result<FileId> {
    std::fs::metadata(path).map(|m| unix_identity(&m))
}

#[cfg(unix)]
fn unix_identity(meta: &std::fs::Metadata) -> FileId {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(windows)]
fn identity(file: &File) -> Option<FileId> {
    use std::os::windows::io::AsRawHandle;
    use windows_sys::Win32::Storage::FileSystem::{
        GetFileInformationByHandle, BY_HANDLE_FILE_INFORMATION,
    };
    // SAFETY: plain data; zeroed is a valid value of every field.
    let mut info: BY_HANDLE_FILE_INFORMATION = unsafe { std::mem::zeroed() };
    // SAFETY: a live handle and a pointer to a struct of the type the call fills.
    if unsafe { GetFileInformationByHandle(file.as_raw_handle(), &mut info) } == 0 {
        return None;
    }
    let index = (u64::from(info.nFileIndexHigh) << 32) | u64::from(info.nFileIndexLow);
    Some((u64::from(info.dwVolumeSerialNumber), index))
}

/// The identity of the file `path` leads to now: opened (following links) only to
/// read its attributes, sharing everything, so no other handle is disturbed.
#[cfg(windows)]
fn identity_at(path: &Path) -> std::io::Result<FileId> {
    use std::os::windows::fs::OpenOptionsExt;
    use windows_sys::Win32::Storage::FileSystem::FILE_READ_ATTRIBUTES;
    let file = std::fs::File::options()
        .access_mode(FILE_READ_ATTRIBUTES)
        .open(path)?;
    identity(&file).ok_or_else(std::io::Error::last_os_error)
}

#[cfg(not(any(unix, windows)))]
fn identity(_: &File) -> Option<FileId> {
    None
}

#[cfg(not(any(unix, windows)))]
fn identity_at(_: &Path) -> std::io::Result<FileId> {
    Err(std::io::ErrorKind::Unsupported.into())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The name a map reports is absolute, plain (no `\\?\` prefix for a short name on
    /// Windows), leads to the mapped file, and stops being accepted once the file at
    /// that name is another file.
    #[test]
    fn the_mapped_name_is_verified() {
        let dir = std::env::temp_dir().join(format!("npystore-map-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.npy");
        std::fs::write(&path, b"mapped").unwrap();
        let file = File::open(&path).unwrap();
        let map = Mapping::map_whole(&file, path.to_str().unwrap(), MapMode::ReadOnly).unwrap();
        // The portable POSIX path (other Unixes; Linux with `portable-posix`) names the
        // file by canonicalising, not from its descriptor.
        let from_descriptor = descriptor_path(&file).is_some();
        assert_eq!(
            from_descriptor,
            cfg!(any(
                all(target_os = "linux", not(feature = "portable-posix")),
                windows
            ))
        );
        drop(file);
        let name = map.verified_file_path().unwrap().to_path_buf();
        assert!(name.is_absolute(), "{}", name.display());
        assert!(
            !name.to_string_lossy().starts_with(r"\\?\"),
            "{}",
            name.display()
        );
        assert_eq!(std::fs::read(&name).unwrap(), b"mapped");
        assert_eq!(
            identity_at(&name).ok(),
            map.identity,
            "one file, one identity"
        );
        assert!(
            map.identity.is_some(),
            "this platform gives file identities"
        );
        // Moved aside (a rename of the mapped file itself, which Windows allows where
        // replacing or deleting it may be refused) and a new file put at its name.
        std::fs::rename(&name, dir.join("moved.npy")).unwrap();
        std::fs::write(&name, b"other!").unwrap();
        let err = map.verified_file_path().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Mismatch, "{err}");
        assert_eq!(map.file_bytes(), b"mapped");
        drop(map);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
