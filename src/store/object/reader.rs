//! An object store's version reader: the ETag pin. Every ranged read names the
//! pinned ETag (`If-Match`), and every answer must name it too and tell the
//! version's total size (`Content-Range`), or the read is [`Failure::Changed`]
//! instead of bytes of another version.

use super::{ObjectBackend, Pin};
use crate::store::{Read, VersionReader};
use crate::transfer::Transfer;
use std::fs::File;

/// One version of one object of an object store, named by its ETag and size.
#[derive(Debug)]
pub(super) struct ObjectReader<'b> {
    backend: &'b ObjectBackend,
    path: String,
    /// The version's size, which `pin` insists on too.
    size: u64,
    pin: Pin,
}

impl<'b> ObjectReader<'b> {
    /// A reader of `path` on `backend` at the version named `etag` whose whole
    /// object is `size` bytes.
    pub(super) fn new(
        backend: &'b ObjectBackend,
        path: &str,
        etag: Option<String>,
        size: u64,
    ) -> ObjectReader<'b> {
        ObjectReader {
            backend,
            path: path.to_string(),
            size,
            pin: Pin {
                etag,
                size: Some(size),
            },
        }
    }
}

impl VersionReader for ObjectReader<'_> {
    fn size(&self) -> u64 {
        self.size
    }

    fn etag(&self) -> Option<&str> {
        self.pin.etag.as_deref()
    }

    fn read(&self, ranges: &mut [(u64, &mut [u8])], transfer: Option<&Transfer>) -> Read<()> {
        self.backend
            .read_ranges(&self.path, ranges, &self.pin, transfer)
    }

    fn file(&self) -> Option<&File> {
        None
    }
}
