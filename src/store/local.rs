//! File stores: a directory on a local or network file system.
//!
//! Writes go to a temporary file beside the target (`<name>.<random>.npystore-tmp`) and
//! are published by rename (or by hard link when overwriting is not allowed, so an
//! existing object is never replaced by a race). Large reads are split across threads.

use super::backend::{Backend, WriteOptions};
use super::upload::{FileUpload, Upload, UploadOptions};
use crate::{Error, ErrorKind, Result};
use std::fs::{self, File};
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// Suffix of in-progress files; leftovers after a crash can be found with
/// `find <location> -name '*.npystore-tmp'` and deleted.
pub const TEMP_SUFFIX: &str = ".npystore-tmp";

/// Reads at least this large are split across threads.
const PARALLEL_READ_MIN: usize = 32 << 20;

/// Writes at least this large are split across two threads.
const PARALLEL_WRITE_MIN: usize = 32 << 20;

/// A store rooted at a local directory.
#[derive(Debug)]
pub(crate) struct LocalBackend {
    root: PathBuf,
}

impl LocalBackend {
    /// A backend over `location`, which must be an existing directory.
    pub(crate) fn open(location: &Path) -> Result<LocalBackend> {
        let meta = fs::metadata(location).map_err(|e| {
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
        Ok(LocalBackend {
            root: location.to_path_buf(),
        })
    }

    fn full(&self, path: &str) -> PathBuf {
        self.root.join(path)
    }

    fn open_file(&self, path: &str) -> Result<File> {
        let full = self.full(path);
        File::open(&full).map_err(|e| Error::io(&e, "cannot open", full.display()))
    }
}

pub(super) fn temp_path_for(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(
        "{name}.{}{TEMP_SUFFIX}",
        crate::path::random_token(8)
    ))
}

fn write_file(path: &Path, chunks: &[&[u8]], fsync: bool) -> Result<()> {
    let total: u64 = chunks.iter().map(|c| c.len() as u64).sum();
    let file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| Error::io(&e, "cannot create", path.display()))?;
    // Sizing the file first lets the parallel writers fill it in any order.
    file.set_len(total)
        .map_err(|e| Error::io(&e, "cannot size", path.display()))?;
    let mut offset = 0;
    for chunk in chunks {
        write_at(&file, chunk, offset)
            .map_err(|e| Error::io(&e, "cannot write", path.display()))?;
        offset += chunk.len() as u64;
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
        return file.write_all_at(data, offset);
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let worker = || -> std::io::Result<()> {
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(piece) = data.chunks(PIECE).nth(i) else {
                return Ok(());
            };
            file.write_all_at(piece, offset + (i * PIECE) as u64)?;
        }
    };
    std::thread::scope(|scope| {
        let helper = scope.spawn(worker);
        let mine = worker();
        helper
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("write thread panicked")))
            .and(mine)
    })
}

pub(super) fn publish(temp: &Path, target: &Path, overwrite: bool) -> Result<()> {
    if overwrite {
        return fs::rename(temp, target)
            .map_err(|e| Error::io(&e, "cannot publish", target.display()));
    }
    // A hard link fails when the target exists: no check-then-rename race.
    match fs::hard_link(temp, target) {
        Ok(()) => {
            let _ = fs::remove_file(temp);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(Error::new(
            ErrorKind::AlreadyExists,
            format!(
                "{} already exists (overwrite was not requested)",
                target.display()
            ),
        )),
        Err(e) => Err(Error::io(&e, "cannot publish", target.display())),
    }
}

pub(super) fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(&e, "cannot fsync directory", dir.display()))
}

fn read_exact_at(file: &File, offset: u64, buf: &mut [u8], what: &Path) -> Result<()> {
    file.read_exact_at(buf, offset).map_err(|e| {
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
        let full = self.full(path);
        fs::metadata(&full)
            .map(|m| m.len())
            .map_err(|e| Error::io(&e, "cannot stat", full.display()))
    }

    fn read_prefix(&self, path: &str, len: u64) -> Result<Vec<u8>> {
        let mut buf = Vec::new();
        self.open_file(path)?
            .take(len)
            .read_to_end(&mut buf)
            .map_err(|e| Error::io(&e, "cannot read", self.describe(path)))?;
        Ok(buf)
    }

    fn read_at(&self, path: &str, offset: u64, buf: &mut [u8]) -> Result<()> {
        let file = self.open_file(path)?;
        let full = self.full(path);
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(4);
        if buf.len() < PARALLEL_READ_MIN || threads < 2 {
            return read_exact_at(&file, offset, buf, &full);
        }
        let chunk = buf.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let jobs: Vec<_> = buf
                .chunks_mut(chunk)
                .enumerate()
                .map(|(i, part)| {
                    let (file, full) = (&file, &full);
                    scope
                        .spawn(move || read_exact_at(file, offset + (i * chunk) as u64, part, full))
                })
                .collect();
            jobs.into_iter().try_for_each(|job| {
                job.join().unwrap_or_else(|_| {
                    Err(Error::new(ErrorKind::Internal, "read thread panicked"))
                })
            })
        })
    }

    fn write_atomic(&self, path: &str, chunks: &[&[u8]], options: WriteOptions) -> Result<()> {
        let target = self.full(path);
        let dir = target.parent().unwrap_or(&self.root).to_path_buf();
        fs::create_dir_all(&dir)
            .map_err(|e| Error::io(&e, "cannot create directory", dir.display()))?;
        let temp = temp_path_for(&target);
        let written = write_file(&temp, chunks, options.fsync)
            .and_then(|()| publish(&temp, &target, options.overwrite))
            .and_then(|()| {
                if options.fsync {
                    sync_dir(&dir)
                } else {
                    Ok(())
                }
            });
        if written.is_err() {
            let _ = fs::remove_file(&temp);
        }
        written
    }

    fn exists(&self, path: &str) -> Result<bool> {
        let full = self.full(path);
        match fs::metadata(&full) {
            Ok(meta) => Ok(meta.is_file()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(Error::io(&e, "cannot stat", full.display())),
        }
    }

    fn delete(&self, path: &str) -> Result<()> {
        let full = self.full(path);
        fs::remove_file(&full).map_err(|e| Error::io(&e, "cannot delete", full.display()))
    }

    fn local_file(&self, path: &str) -> Result<Option<PathBuf>> {
        Ok(Some(self.full(path)))
    }

    fn begin_upload(
        &self,
        path: &str,
        head: &[u8],
        options: UploadOptions,
    ) -> Result<Box<dyn Upload>> {
        Ok(Box::new(FileUpload::begin(self.full(path), head, options)?))
    }
}
