//! File stores: a directory on a local or network file system.
//!
//! Every path is resolved inside the store's location ([`beneath`]):
//! a symbolic link that points out of it is refused. Writes go to a temporary file
//! beside the target (`<name>.<random>.npystore-tmp`, the name cut short when that
//! would exceed 255 bytes) and are published by rename (or, when overwriting is not
//! allowed, by a hard link on Unix and a rename that never replaces on Windows, so an
//! existing object is never replaced by a race). Large reads are split across threads.

/// Unix: `openat2(RESOLVE_BENEATH)` and the `*at` calls.
#[cfg(unix)]
mod beneath;
/// Windows and other systems: name checks, and no link followed below the location.
#[cfg(not(unix))]
#[path = "beneath_windows.rs"]
mod beneath;
mod positioned;
mod reader;
#[cfg(test)]
mod tests;
mod upload;

use super::backend::{Backend, Upload, UploadOptions, WriteOptions};
use super::reader::{BoxedReader, Maps, MergeGap};
use crate::error::{Error, ErrorKind, Result};
use beneath::{fail, Dir, Root};
use reader::FileReader;
use std::fs::File;
use std::path::{Path, PathBuf};
use upload::FileUpload;

/// Suffix of in-progress files; leftovers after a crash can be found with
/// `find <location> -name '*.npystore-tmp'` and deleted.
pub const TEMP_SUFFIX: &str = ".npystore-tmp";

/// The merge gap file stores start with: runs of one read at most this far apart are
/// read by one `pread`, the bytes between them dropped. Measured in benches/slices.rs
/// (page-cached file): 1,000,000 `pread`s of 2 bytes took 0.94 s, about 0.9 us each,
/// the time of copying some 8 KiB.
pub const LOCAL_MERGE_GAP: u64 = 8 << 10;

/// Reads at least this large are split across threads.
const PARALLEL_READ_MIN: usize = 32 << 20;

/// Writes at least this large are split across two threads.
const PARALLEL_WRITE_MIN: usize = 32 << 20;

/// A store rooted at a local directory.
#[derive(Debug)]
pub(crate) struct LocalBackend {
    root: Root,
    merge_gap: MergeGap,
}

impl LocalBackend {
    /// A backend over `location`, which must be an existing directory.
    pub(crate) fn open(location: &Path) -> Result<LocalBackend> {
        let meta = std::fs::metadata(location).map_err(|e| {
            Error::io(&e, "file store location", location.display()).context("cannot open store")
        })?;
        if !meta.is_dir() {
            return Err(Error::new(
                ErrorKind::Config,
                format!(
                    "file store location {} is not a directory",
                    location.display()
                ),
            ));
        }
        let root = Root::open(location).map_err(|e| {
            Error::io(&e, "file store location", location.display()).context("cannot open store")
        })?;
        Ok(LocalBackend {
            root,
            merge_gap: MergeGap::new(LOCAL_MERGE_GAP),
        })
    }

    fn full(&self, path: &str) -> PathBuf {
        self.root.show(path)
    }

    /// The directory that holds `path` (made when `create`), and the file's name in it.
    fn parent<'p>(&self, path: &'p str, create: bool) -> Result<(Dir, &'p str)> {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        Ok((self.root.dir(dir, create)?, name))
    }
}

/// The longest file name the file systems npystore runs on accept (`NAME_MAX`, bytes).
const NAME_MAX: usize = 255;

/// Random characters in a temporary name.
const TEMP_RANDOM: usize = 8;

/// The temporary name a write to `name` uses until it is published:
/// `<name>.<random>.npystore-tmp`, with `name` cut short (at a character boundary)
/// when the whole would exceed [`NAME_MAX`] bytes, so any name numpy can write can be
/// put. It always ends in [`TEMP_SUFFIX`] and lies beside the target.
fn temp_name_for(name: &str) -> String {
    let room = NAME_MAX - 1 - TEMP_RANDOM - TEMP_SUFFIX.len();
    let mut end = name.len().min(room);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    let random = crate::path::random_token(TEMP_RANDOM);
    format!("{}.{random}{TEMP_SUFFIX}", &name[..end])
}

/// Objects up to this size are gathered into one buffer and written by one call:
/// a small put costs one write, not one per chunk plus a sizing call.
const GATHER_MAX: usize = 64 << 10;

fn write_file(file: File, path: &Path, chunks: &[&[u8]], fsync: bool) -> Result<()> {
    let total: usize = chunks.iter().map(|c| c.len()).sum();
    let write_fail = |e: std::io::Error| Error::io(&e, "cannot write", path.display());
    if total <= GATHER_MAX {
        // One chunk is written as it is; several are copied together first.
        let joined;
        let bytes = match chunks {
            [only] => *only,
            _ => {
                joined = chunks.concat();
                &joined
            }
        };
        positioned::write_all_at(&file, bytes, 0).map_err(write_fail)?;
    } else {
        // Sizing the file first lets the parallel writers fill it in any order.
        file.set_len(total as u64)
            .map_err(|e| Error::io(&e, "cannot size", path.display()))?;
        let mut offset = 0;
        for chunk in chunks {
            write_at(&file, chunk, offset).map_err(write_fail)?;
            offset += chunk.len() as u64;
        }
    }
    if fsync {
        file.sync_all()
            .map_err(|e| Error::io(&e, "cannot fsync", path.display()))?;
    }
    Ok(())
}

/// Write `data` at `offset`; large writes go through two threads taking turns over
/// 8 MiB pieces, which keeps the page cache busier than one `write` call does.
fn write_at(file: &File, data: &[u8], offset: u64) -> std::io::Result<()> {
    const PIECE: usize = 8 << 20;
    if data.len() < PARALLEL_WRITE_MIN {
        return positioned::write_all_at(file, data, offset);
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let worker = || -> std::io::Result<()> {
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(piece) = data.chunks(PIECE).nth(i) else {
                return Ok(());
            };
            positioned::write_all_at(file, piece, offset + (i * PIECE) as u64)?;
        }
    };
    std::thread::scope(|scope| {
        let helper = crate::worker::spawn(scope, worker);
        let mine = worker();
        helper
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("write thread panicked")))
            .and(mine)
    })
}

/// Exactly `buf.len()` bytes of `file` (named `what` in messages) from `offset`; a
/// short file is a `Format` error. Large reads are split across threads.
fn read_file_at(file: &File, offset: u64, buf: &mut [u8], what: &Path) -> Result<()> {
    if buf.len() < PARALLEL_READ_MIN {
        return read_exact_at(file, offset, buf, what);
    }
    // Asked only for large reads: the answer comes from cgroup files (open, stat,
    // read), which would cost a small read several times over.
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4);
    if threads < 2 {
        return read_exact_at(file, offset, buf, what);
    }
    let chunk = buf.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let jobs: Vec<_> = buf
            .chunks_mut(chunk)
            .enumerate()
            .map(|(i, part)| {
                crate::worker::spawn(scope, move || {
                    read_exact_at(file, offset + (i * chunk) as u64, part, what)
                })
            })
            .collect();
        jobs.into_iter().try_for_each(|job| {
            job.join()
                .unwrap_or_else(|_| Err(Error::new(ErrorKind::Internal, "read thread panicked")))
        })
    })
}

fn read_exact_at(file: &File, offset: u64, buf: &mut [u8], what: &Path) -> Result<()> {
    positioned::read_exact_at(file, buf, offset).map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            Error::new(
                ErrorKind::Format,
                format!(
                    "{} is truncated: fewer than {} bytes at offset {offset}",
                    what.display(),
                    buf.len()
                ),
            )
        } else {
            Error::io(&e, "cannot read", what.display())
        }
    })
}

impl Backend for LocalBackend {
    fn describe(&self, path: &str) -> String {
        self.full(path).display().to_string()
    }

    fn size(&self, path: &str) -> Result<u64> {
        self.root
            .metadata(path)
            .map(|m| m.len())
            .map_err(|e| fail(&e, "cannot stat", &self.full(path)))
    }

    fn open_version(
        &self,
        path: &str,
        len: u64,
        write: bool,
    ) -> Result<(BoxedReader<'_>, Vec<u8>)> {
        let file = self.root.open_file(path, write)?;
        let (reader, head) = FileReader::open(file, self.full(path), len, self.merge_gap.get())?;
        Ok((Box::new(reader), head))
    }

    /// A file has no version name: reading a remembered layout from a file opened
    /// anew could pair it with another object's bytes.
    fn reopen_version(
        &self,
        _path: &str,
        _etag: Option<&str>,
        _size: u64,
    ) -> Option<BoxedReader<'_>> {
        None
    }

    fn maps(&self) -> Maps {
        Maps::Files
    }

    fn merge_gap(&self) -> &MergeGap {
        &self.merge_gap
    }

    fn write_atomic(
        &self,
        path: &str,
        chunks: &[&[u8]],
        options: WriteOptions,
    ) -> Result<Option<String>> {
        let (dir, name) = self.parent(path, true)?;
        let temp = temp_name_for(name);
        let file = dir.create_new(&temp)?;
        let written = write_file(file, &dir.show(&temp), chunks, options.fsync)
            .and_then(|()| dir.publish(&temp, name, options.overwrite))
            .and_then(|()| if options.fsync { dir.sync() } else { Ok(()) });
        if written.is_err() {
            let _ = dir.remove(&temp);
        }
        written.map(|()| None)
    }

    fn exists(&self, path: &str) -> Result<bool> {
        match self.root.metadata(path) {
            Ok(meta) => Ok(meta.is_file()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(fail(&e, "cannot stat", &self.full(path))),
        }
    }

    fn delete(&self, path: &str) -> Result<()> {
        let (dir, name) = self.parent(path, false)?;
        dir.remove(name)
    }

    fn begin_upload(
        &self,
        path: &str,
        head: &[u8],
        options: UploadOptions,
    ) -> Result<Box<dyn Upload>> {
        let (dir, name) = self.parent(path, true)?;
        Ok(Box::new(FileUpload::begin(dir, name, head, options)?))
    }
}
