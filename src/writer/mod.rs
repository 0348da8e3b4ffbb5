//! The streaming writer: append rows of a growing array as they arrive, publish one
//! numpy-loadable `.npy` object at the end, with bounded memory whatever the length.
//!
//! The header is written last. Its length is fixed at open, with room for the longest
//! shape any row count can produce, so the data start (a multiple of 64, as numpy
//! aligns it) never moves; at finish the header is rewritten with the final shape.
//! For the common cases (rows along the growing axis numpy pads for) the reserved
//! length is exactly numpy's own, and the object is byte-identical to `numpy.save`.
//!
//! Until finish nothing is visible at the target path, and after a crash nothing is
//! either (see `docs/writer.md` for the temporary files a crash leaves on file stores).

use crate::array_ref::ArrayRef;
use crate::config::limits::MIN_PART_SIZE;
use crate::error::{bail, Error, ErrorKind, Result};
use crate::format::{numpy_header, Dtype, Header};
use crate::store::Store;
use crate::store::{refuse_existing, Upload, UploadOptions};
use crate::target::{write_at_target, PutOptions, Target};

/// What a writer's rows look like, and the headers that follow from it.
#[derive(Debug)]
struct Layout {
    dtype: Dtype,
    row_shape: Vec<u64>,
    /// Rows go along the last axis, column-major.
    fortran: bool,
}

impl Layout {
    /// The header for `rows` rows, as numpy would write it for the final array.
    fn header(&self, rows: u64) -> Header {
        let mut shape = self.row_shape.clone();
        if self.fortran {
            shape.push(rows);
        } else {
            shape.insert(0, rows);
        }
        numpy_header(self.dtype.clone(), shape, self.fortran)
    }

    /// The longest preamble any row count can produce. For a fixed `fortran_order`
    /// the length only grows with the digits of the row count, and the flag can only
    /// differ between 0 rows, 1 row and 2 or more, so 0, 1 and `u64::MAX` cover all.
    /// A header npystore could not read back (over 1 MiB) is refused as `put` refuses it.
    fn reserved_head_len(&self) -> Result<usize> {
        let mut longest = 0;
        for rows in [0, 1, u64::MAX] {
            longest = longest.max(self.header(rows).encode_checked()?.len());
        }
        Ok(longest)
    }
}

impl Store {
    /// Start a streaming [`Writer`] for an array that grows by rows, published at
    /// `target` when it finishes. Rows of `row_shape` are appended along the first axis
    /// (final shape `[n, row_shape...]`, data in C order), or with `fortran` along the
    /// last axis (final shape `[row_shape..., n]`, data column-major). `options` as for
    /// [`Store::put`].
    pub fn writer(
        &self,
        target: &Target,
        dtype: Dtype,
        row_shape: Vec<u64>,
        fortran: bool,
        options: PutOptions,
    ) -> Result<Writer> {
        // One row with its growing axis, so the final header's checks (numpy's
        // 64-dimension limit included) apply before anything is written.
        let row_bytes = Header {
            dtype: dtype.clone(),
            fortran_order: false,
            shape: std::iter::once(1)
                .chain(row_shape.iter().copied())
                .collect(),
        }
        .data_len()?;
        if row_bytes == 0 {
            bail!(
                Shape,
                "rows of dtype {dtype} and shape {row_shape:?} hold no bytes, so appended rows cannot be counted"
            );
        }
        let mut writer = Writer {
            store: self.clone(),
            path: String::new(),
            layout: Layout {
                dtype,
                row_shape,
                fortran,
            },
            row_bytes,
            rows: 0,
            head_len: 0,
            upload: None,
            failure: None,
        };
        writer.head_len = writer.layout.reserved_head_len()?;
        let head = writer.head()?;
        let spec = &self.spec().options;
        let (path, upload) = write_at_target(self, target, options, |path, write| {
            refuse_existing(self.backend(), path, write.overwrite)?;
            let (part_size, concurrency) = writer_parts(spec.part_size_bytes, spec.concurrency);
            let options = UploadOptions {
                write,
                part_size,
                concurrency,
            };
            self.backend().begin_upload(path, &head, options)
        })?;
        writer.path = path;
        writer.upload = Some(upload);
        Ok(writer)
    }
}

/// A streaming writer for one array that grows by rows; see [`Store::writer`].
///
/// `Send`, not shared: one writer is used from one thread at a time (`append` takes
/// `&mut self`); different writers work in parallel. Dropping a writer that has not
/// finished aborts it: nothing is published and everything written is discarded.
#[derive(Debug)]
pub struct Writer {
    store: Store,
    path: String,
    layout: Layout,
    row_bytes: u64,
    rows: u64,
    head_len: usize,
    /// `None` once finished, aborted, or discarded after a failure.
    upload: Option<Box<dyn Upload>>,
    /// The I/O failure that discarded the upload during an append.
    failure: Option<Error>,
}

impl Writer {
    /// The preamble for the rows so far, padded to the reserved length.
    fn head(&self) -> Result<Vec<u8>> {
        let head = self.layout.header(self.rows).encode_padded(self.head_len)?;
        if head.len() != self.head_len {
            bail!(
                Internal,
                "header of {} bytes does not fit the {} reserved",
                head.len(),
                self.head_len
            );
        }
        Ok(head)
    }

    /// The store-relative path the array is published at (nothing is there until
    /// [`Writer::finish`]).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Rows appended so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Bytes of one row: itemsize x product(row_shape).
    pub fn row_bytes(&self) -> u64 {
        self.row_bytes
    }

    /// Append one or more whole rows (C order, or column-major for a Fortran writer).
    ///
    /// A length that is not a multiple of [`Writer::row_bytes`] is a `Length` error and
    /// nothing is written. An I/O failure discards the whole upload; every later call
    /// is then a `State` error naming that failure.
    pub fn append(&mut self, data: &[u8]) -> Result<()> {
        self.open_upload()?;
        let len = data.len() as u64;
        if len % self.row_bytes != 0 {
            bail!(
                Length,
                "{len} bytes are not a whole number of rows of {} bytes; nothing was written",
                self.row_bytes
            );
        }
        let rows = self.rows + len / self.row_bytes;
        if rows.checked_mul(self.row_bytes).is_none() {
            bail!(Shape, "{rows} rows overflow a 64-bit byte count");
        }
        if let Err(err) = self.open_upload()?.write(data) {
            self.fail(err.clone());
            return Err(err);
        }
        self.rows = rows;
        Ok(())
    }

    fn open_upload(&mut self) -> Result<&mut Box<dyn Upload>> {
        if let Some(err) = &self.failure {
            bail!(
                State,
                "the writer to {} failed earlier and discarded its data: {err}",
                self.path
            );
        }
        self.upload
            .as_mut()
            .ok_or_else(|| Error::new(ErrorKind::State, "the writer is finished or aborted"))
    }

    fn fail(&mut self, err: Error) {
        if let Some(mut upload) = self.upload.take() {
            let _ = upload.abort();
        }
        self.failure = Some(err);
    }

    /// Write the final header and publish the array atomically; returns its reference.
    /// On failure nothing is published and everything written is discarded.
    pub fn finish(mut self) -> Result<ArrayRef> {
        self.open_upload()?;
        let head = self.head()?;
        let mut upload = self.upload.take().expect("checked by open_upload");
        let etag = match upload.finish(&head) {
            Ok(etag) => etag,
            Err(err) => {
                let _ = upload.abort();
                return Err(err);
            }
        };
        let header = self.layout.header(self.rows);
        let path = std::mem::take(&mut self.path);
        ArrayRef::written(&self.store, path, header, self.head_len as u64, etag)
    }

    /// Discard everything written; nothing is published. (Dropping does the same,
    /// without reporting a failure to clean up.)
    pub fn abort(mut self) -> Result<()> {
        match self.upload.take() {
            Some(mut upload) => upload.abort(),
            None => Ok(()),
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        if let Some(mut upload) = self.upload.take() {
            let _ = upload.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reserved_header_fits_every_row_count() {
        let counts: Vec<u64> = (0..20)
            .map(|d| 10u64.pow(d))
            .flat_map(|p| [p - 1, p, p + 1])
            .chain([u64::MAX])
            .collect();
        for dtype in ["<f8", "|b1", "[('x', '<f8'), ('y', '<U3', (2,))]"] {
            for row_shape in [
                vec![],
                vec![1],
                vec![3],
                vec![1, 1],
                vec![2, 3],
                vec![1, 7, 1],
            ] {
                for fortran in [false, true] {
                    let layout = Layout {
                        dtype: Dtype::parse(dtype).unwrap(),
                        row_shape: row_shape.clone(),
                        fortran,
                    };
                    let reserved = layout.reserved_head_len().unwrap();
                    assert_eq!(reserved % 64, 0);
                    for &rows in &counts {
                        let head = layout.header(rows).encode_padded(reserved).unwrap();
                        assert_eq!(
                            head.len(),
                            reserved,
                            "{dtype} {row_shape:?} {fortran} {rows}"
                        );
                    }
                }
            }
        }
    }
}

/// The memory a streaming writer may hold on an object store: part 0 (kept to send
/// last), the part being filled and the parts in flight, whatever the recording's length
/// (until part sizes start doubling after 1,000 parts).
pub const WRITER_MEMORY_BUDGET: u64 = 96 << 20;

/// Part size and parts in flight for a writer, from the store's settings, shrunk so that
/// (parts in flight + 2) x part size stays within [`WRITER_MEMORY_BUDGET`].
fn writer_parts(part_size: u64, concurrency: usize) -> (u64, usize) {
    let concurrency = concurrency.max(1);
    // Only ever smaller than configured, and never made smaller than S3's minimum.
    let budget_part = (WRITER_MEMORY_BUDGET / (concurrency as u64 + 2)).max(MIN_PART_SIZE);
    let part = part_size.min(budget_part).max(1);
    let fits = (WRITER_MEMORY_BUDGET / part).saturating_sub(2).max(1) as usize;
    (part, concurrency.min(fits))
}

#[cfg(test)]
mod budget_tests {
    use super::*;

    #[test]
    fn writer_parts_stay_within_the_memory_budget() {
        for (part, conc) in [
            (32 << 20, 4),
            (16 << 20, 8),
            (5 << 20, 64),
            (1 << 30, 1),
            (8 << 20, 2),
        ] {
            let (p, c) = writer_parts(part, conc);
            assert!(p >= MIN_PART_SIZE && p <= part, "{part} {conc} -> {p}");
            assert!(c >= 1 && c <= conc, "{part} {conc} -> {c}");
            assert!(
                (c as u64 + 2) * p <= WRITER_MEMORY_BUDGET,
                "{part} {conc} -> {p} x {c}"
            );
        }
        assert_eq!(
            writer_parts(8 << 20, 2),
            (8 << 20, 2),
            "small settings are kept"
        );
        assert_eq!(
            writer_parts(1000, 2),
            (1000, 2),
            "tiny test parts stay as configured"
        );
    }
}
