//! Memory maps of stored `.npy` files, and the modes numpy knows them by.

use crate::{bail, Error, ErrorKind, Result};
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
    path: std::path::PathBuf,
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
        let map = map_region(file, path, mode, 0, len)?;
        Ok(Mapping {
            map,
            path: PathBuf::from(path),
            mode,
            offset: 0,
            len,
        })
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
            path: PathBuf::from(path),
            mode,
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

    /// The local file that is mapped (the stored object itself on a file store).
    pub fn file_path(&self) -> &Path {
        &self.path
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
