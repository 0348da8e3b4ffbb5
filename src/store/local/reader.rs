//! A file store's version reader: the object's file, opened once. Every read of one
//! load, row read or map comes from that open file, so a concurrent replacement of
//! the object at its path (an overwriting put) is read as the old object or the new
//! one, whole, never as the new bytes under the old header.

use super::read_file_at;
use crate::error::{Error, Result};
use crate::store::{Read, VersionReader};
use crate::transfer::Transfer;
use std::fs::File;
use std::path::PathBuf;

/// One open file of a file store, with its size when it was opened.
#[derive(Debug)]
pub(super) struct FileReader {
    file: File,
    size: u64,
    /// The file's full path, for messages.
    shown: PathBuf,
}

impl FileReader {
    /// A reader of `file` (at `shown`), and its first `len` bytes (fewer when it is
    /// shorter).
    pub(super) fn open(file: File, shown: PathBuf, len: u64) -> Result<(FileReader, Vec<u8>)> {
        let size = file
            .metadata()
            .map_err(|e| Error::io(&e, "cannot stat", shown.display()))?
            .len();
        let mut head = vec![0u8; len.min(size) as usize];
        read_file_at(&file, 0, &mut head, &shown)?;
        Ok((FileReader { file, size, shown }, head))
    }
}

impl VersionReader for FileReader {
    fn size(&self) -> u64 {
        self.size
    }

    fn etag(&self) -> Option<&str> {
        None
    }

    fn read(&self, ranges: &mut [(u64, &mut [u8])], transfer: Option<&Transfer>) -> Read<()> {
        for (offset, buf) in ranges.iter_mut() {
            read_file_at(&self.file, *offset, buf, &self.shown)?;
            if let Some(t) = transfer {
                t.add(buf.len() as u64);
            }
        }
        Ok(())
    }

    fn file(&self) -> Option<&File> {
        Some(&self.file)
    }
}
