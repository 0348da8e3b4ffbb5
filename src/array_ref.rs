//! The lazy reference to one stored array: metadata without I/O, and loading on
//! demand (into library memory, into a caller's buffer, as a memory map, or a range
//! of rows). The stored header always wins: any disagreement with the metadata is an
//! error, never a silent misread.

use crate::format::{parse_header, Dtype, Header, HeaderParse, ParsedHeader, MAX_HEADER_LEN};
use crate::layout::{convert_order, Order};
use crate::mapping::{MapMode, Mapping};
use crate::metadata::Metadata;
use crate::store::{read_file_at, Head, ReadCtx, Store};
use crate::transfer::Transfer;
pub use crate::version::StoredLayout;
use crate::version::{on_one_version, Seen, Version};
use crate::{bail, Error, ErrorKind, Result};
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

/// How much of an object a first header read fetches when nothing is known about it
/// (a reference opened by path); nearly every header fits.
const HEADER_PROBE: u64 = 4096;

/// A first load of an array whose header and data together are at most this large
/// fetches both with one request.
const SMALL_OBJECT: u64 = 1 << 20;

/// A first row read of a reference from JSON whose rows start at most this far
/// after numpy's header (and end within [`SMALL_OBJECT`]) fetches the header and
/// the rows with one request, the gap read too; other rows are read after the
/// header, pinned to its version.
const NEAR_ROWS: u64 = 256 << 10;

/// Fetches byte ranges `(offset, destination)` of the object into their destinations.
type RangeReader<'a> = dyn FnMut(&mut [(u64, &mut [u8])]) -> Result<()> + 'a;

/// A reference to an array in a store. Cheap to create; shape and dtype need no I/O.
///
/// Shareable across threads: every method takes `&self`.
///
/// On object stores a reference remembers the version (ETag) of the object whose
/// header it read (at open, at its first load, or from the put that made it) and
/// reads data only from that version; when the object was replaced since, the new
/// header is read and checked against the reference (shape and dtype must still
/// agree, or the load is a `Mismatch`) and the new version is read, whole.
#[derive(Debug)]
pub struct ArrayRef {
    store: Store,
    meta: Metadata,
    dtype: Dtype,
    nbytes: u64,
    json: String,
    descr: String,
    seen: Seen,
}

impl Store {
    /// A reference from DataJoint's metadata JSON (no I/O).
    pub fn ref_from_json(&self, json: &str) -> Result<ArrayRef> {
        ArrayRef::from_json(self, json)
    }

    /// A reference to the object at a store-relative path (reads its header).
    pub fn open_ref(&self, path: &str) -> Result<ArrayRef> {
        ArrayRef::open(self, path)
    }
}

impl ArrayRef {
    /// A reference from DataJoint's metadata JSON. No I/O: the object is first read
    /// (and checked against this metadata) by a load, mmap or row read.
    pub fn from_json(store: &Store, json: &str) -> Result<ArrayRef> {
        let meta = Metadata::from_json(json)?;
        if let Some(name) = &meta.store {
            if name != store.name() {
                bail!(
                    Mismatch,
                    "the metadata names store '{name}' but the store handle is '{}'; open store '{name}'",
                    store.name()
                );
            }
        }
        crate::path::validate_relative_path(&meta.path)?;
        let dtype = Dtype::parse(&meta.dtype)?;
        ArrayRef::build(store, meta.path, dtype, meta.shape, None)
    }

    /// A reference to the object at a store-relative `path`; reads only its header.
    pub fn open(store: &Store, path: &str) -> Result<ArrayRef> {
        crate::path::validate_relative_path(path)?;
        let (parsed, head) = read_header(store, path, HEADER_PROBE)?;
        let layout = check_size(store, path, &parsed, head.size)?;
        let version = probed(layout, &head);
        let header = parsed.header;
        ArrayRef::build(
            store,
            path.to_string(),
            header.dtype,
            header.shape,
            Some(version),
        )
    }

    /// A reference to an object just written with `header` at `data_offset`, whose
    /// version the store named `etag`.
    pub(crate) fn written(
        store: &Store,
        path: String,
        header: Header,
        data_offset: u64,
        etag: Option<String>,
    ) -> Result<ArrayRef> {
        let version = Version {
            layout: StoredLayout {
                fortran_order: header.fortran_order,
                data_offset,
            },
            size: header.data_len()?.saturating_add(data_offset),
            etag,
            unconfirmed_header: None,
        };
        ArrayRef::build(store, path, header.dtype, header.shape, Some(version))
    }

    fn build(
        store: &Store,
        path: String,
        dtype: Dtype,
        shape: Vec<u64>,
        version: Option<Version>,
    ) -> Result<ArrayRef> {
        let header = Header {
            dtype,
            fortran_order: false,
            shape,
        };
        let nbytes = header.data_len()?;
        let meta = Metadata {
            path,
            store: Some(store.name().to_string()),
            dtype: header.dtype.numpy_str(),
            shape: header.shape,
        };
        Ok(ArrayRef {
            store: store.clone(),
            json: meta.to_json(),
            descr: header.dtype.descr(),
            dtype: header.dtype,
            nbytes,
            meta,
            seen: Seen::new(version),
        })
    }

    /// The store this reference reads from.
    pub fn store(&self) -> &Store {
        &self.store
    }
    /// Store-relative path of the object.
    pub fn path(&self) -> &str {
        &self.meta.path
    }
    /// The store's name.
    pub fn store_name(&self) -> &str {
        self.store.name()
    }
    /// The element type.
    pub fn dtype(&self) -> &Dtype {
        &self.dtype
    }
    /// numpy's `str(dtype)`, e.g. `float64`, `<U5`, `[('x', '<f8')]`.
    pub fn dtype_str(&self) -> &str {
        &self.meta.dtype
    }
    /// The dtype's descr as written in `.npy` headers, e.g. `'<f8'`.
    pub fn descr(&self) -> &str {
        &self.descr
    }
    /// The shape in numpy order; empty for a 0-d array.
    pub fn shape(&self) -> &[u64] {
        &self.meta.shape
    }
    /// Number of dimensions.
    pub fn ndim(&self) -> usize {
        self.meta.shape.len()
    }
    /// Number of elements (1 for 0-d).
    pub fn size(&self) -> u64 {
        self.meta.shape.iter().product()
    }
    /// Bytes of one element.
    pub fn itemsize(&self) -> u64 {
        self.dtype.itemsize()
    }
    /// Bytes of the whole array's data.
    pub fn nbytes(&self) -> u64 {
        self.nbytes
    }
    /// DataJoint's metadata JSON for this array.
    pub fn json(&self) -> &str {
        &self.json
    }
    /// Whether the stored order is Fortran (of the version read last); `None` until
    /// the header has been read.
    pub fn fortran_order(&self) -> Option<bool> {
        self.seen.layout().map(|l| l.fortran_order)
    }
    /// Whether the stored header has been read and checked against the metadata.
    pub fn is_loaded(&self) -> bool {
        self.seen.layout().is_some()
    }

    /// The stored layout, reading and checking the header on first use.
    pub fn stored_layout(&self) -> Result<StoredLayout> {
        if let Some(layout) = self.seen.layout() {
            return Ok(layout);
        }
        self.read_checked_header(self.expected_header_len())
            .map(|(version, _)| version.layout)
    }

    /// The length numpy gives this array's header: what a reference from JSON asks
    /// for first, so one small request fetches exactly the header (a second follows
    /// only when the stored header is longer, e.g. padded by another writer).
    fn expected_header_len(&self) -> u64 {
        let header = Header {
            dtype: self.dtype.clone(),
            fortran_order: false,
            shape: self.meta.shape.clone(),
        };
        header.encode().len() as u64
    }

    /// Read `probe` bytes (more if the header is longer), check the header against
    /// the metadata and the object's size, and remember that version.
    fn read_checked_header(&self, probe: u64) -> Result<(Version, Head)> {
        let (parsed, head) = read_header(&self.store, self.path(), probe)?;
        self.check_agrees(&parsed.header)?;
        let layout = check_size(&self.store, self.path(), &parsed, head.size)?;
        let version = probed(layout, &head);
        self.seen.set(version.clone());
        Ok((version, head))
    }

    /// The version to read first: the one seen last, or else (reading `probe` bytes)
    /// the current one, with the answer that brought its header.
    fn first_version(&self, probe: u64) -> Result<(Version, Option<Head>)> {
        match self.seen.get() {
            Some(version) => Ok((version, None)),
            None => self
                .read_checked_header(probe)
                .map(|(version, head)| (version, Some(head))),
        }
    }

    /// Refuse a stored header that disagrees with this reference's metadata.
    pub(crate) fn check_agrees(&self, header: &Header) -> Result<()> {
        let described = || self.store.describe(self.path());
        if header.dtype != self.dtype {
            bail!(
                Mismatch,
                "{} holds dtype {} but the metadata says {}",
                described(),
                header.dtype.numpy_str(),
                self.meta.dtype
            );
        }
        if header.shape != self.meta.shape {
            bail!(
                Mismatch,
                "{} holds shape {:?} but the metadata says {:?}",
                described(),
                header.shape,
                self.meta.shape
            );
        }
        Ok(())
    }

    /// The whole array in a new buffer, in `order`.
    pub fn load(&self, order: Order) -> Result<Vec<u8>> {
        let mut buf = zeroed_buffer(self.nbytes)
            .map_err(|e| e.context(format!("cannot load {}", self.store.describe(self.path()))))?;
        self.load_into(&mut buf, order)?;
        Ok(buf)
    }

    /// The whole array into `buf`, whose length must equal [`ArrayRef::nbytes`].
    pub fn load_into(&self, buf: &mut [u8], order: Order) -> Result<()> {
        self.load_into_counted(buf, order, None)
    }

    /// [`ArrayRef::load_into`] reporting bytes to (and stopping on) `transfer`.
    ///
    /// Object stores: a first load of a small array fetches header and data with one
    /// request; otherwise the data comes as concurrent ranged GETs written straight
    /// into `buf` (into a scratch copy first when the order must be converted), all
    /// pinned to the version whose header was read.
    pub fn load_into_counted(
        &self,
        buf: &mut [u8],
        order: Order,
        transfer: Option<&Transfer>,
    ) -> Result<()> {
        check_buffer(buf.len(), self.nbytes, "the array")?;
        if let Some((file, layout)) = self.open_checked()? {
            self.load_local(&file, layout, buf, order)?;
            if let Some(t) = transfer {
                t.add(self.nbytes);
            }
            return Ok(());
        }
        let expected = self.expected_header_len();
        let whole = expected.saturating_add(self.nbytes);
        let probe = if whole <= SMALL_OBJECT {
            whole
        } else {
            expected
        };
        on_one_version(
            self.first_version(probe)?,
            || self.read_checked_header(probe),
            |version, head| self.load_version(version, head, buf, order, transfer),
        )
    }

    /// Load `version` of an object-store object into `buf`: from `head`, the answer
    /// that brought its header, when that holds all the data; else by ranged reads
    /// pinned to the version's ETag.
    fn load_version(
        &self,
        version: &Version,
        head: Option<&Head>,
        buf: &mut [u8],
        order: Order,
        transfer: Option<&Transfer>,
    ) -> Result<()> {
        let layout = version.layout;
        let (start, end) = (layout.data_offset, layout.data_offset + self.nbytes);
        if let Some(head) = head.filter(|head| head.bytes.len() as u64 >= end) {
            if let Some(t) = transfer {
                t.add(self.nbytes);
            }
            return self.deliver(
                &head.bytes[start as usize..end as usize],
                buf,
                order,
                layout,
            );
        }
        if !order.needs_conversion(layout.fortran_order, self.shape()) {
            return self.read_pinned(version, &mut [(layout.data_offset, buf)], transfer);
        }
        self.with_stored_bytes(version, transfer, |src| {
            self.deliver(src, buf, order, layout)
        })
    }

    /// Fetch `ranges` of `version`, every answer pinned to it (its ETag and size).
    /// While the version's header bytes are unconfirmed (learnt from an answer to
    /// an unconditional request, whose ETag a server may have paired with another
    /// version's bytes), the same read fetches them again: bytes other than those the
    /// version was learnt from mean the object changed.
    fn read_pinned(
        &self,
        version: &Version,
        ranges: &mut [(u64, &mut [u8])],
        transfer: Option<&Transfer>,
    ) -> Result<()> {
        let ctx = ReadCtx {
            transfer,
            if_match: version.etag.as_deref(),
            size: Some(version.size),
        };
        let backend = self.store.backend();
        let unconfirmed = version.unconfirmed_header.as_deref();
        let Some(learnt) = unconfirmed.filter(|_| version.etag.is_some()) else {
            return backend.read_ranges(self.path(), ranges, ctx).map(drop);
        };
        let mut again = vec![0u8; learnt.len()];
        let mut with_header: Vec<(u64, &mut [u8])> = Vec::with_capacity(ranges.len() + 1);
        with_header.push((0, &mut again[..]));
        with_header.extend(ranges.iter_mut().map(|(offset, buf)| (*offset, &mut **buf)));
        backend.read_ranges(self.path(), &mut with_header, ctx)?;
        if again != learnt {
            return Err(Error::changed(self.store.describe(self.path())));
        }
        self.seen.confirm(version);
        Ok(())
    }

    /// Copy the stored data `src` into `buf`, converting to `order` when needed.
    fn deliver(
        &self,
        src: &[u8],
        buf: &mut [u8],
        order: Order,
        layout: StoredLayout,
    ) -> Result<()> {
        if !order.needs_conversion(layout.fortran_order, self.shape()) {
            buf.copy_from_slice(src);
            return Ok(());
        }
        let itemsize = self.itemsize() as usize;
        convert_order(src, buf, self.shape(), itemsize, layout.fortran_order)
    }

    /// Run `f` over the stored data bytes of `version` of an object-store object.
    fn with_stored_bytes(
        &self,
        version: &Version,
        transfer: Option<&Transfer>,
        f: impl FnOnce(&[u8]) -> Result<()>,
    ) -> Result<()> {
        let mut stored = zeroed_buffer(self.nbytes)?;
        let offset = version.layout.data_offset;
        self.read_pinned(version, &mut [(offset, &mut stored[..])], transfer)?;
        f(&stored)
    }

    /// A file-store load from the file [`ArrayRef::open_checked`] opened: read straight
    /// into `buf`, or converted from a read-only map of the data.
    fn load_local(
        &self,
        file: &File,
        layout: StoredLayout,
        buf: &mut [u8],
        order: Order,
    ) -> Result<()> {
        let shown = self.store.describe(self.path());
        if !order.needs_conversion(layout.fortran_order, self.shape()) {
            return read_file_at(file, layout.data_offset, buf, Path::new(&shown));
        }
        let map = Mapping::map_file(
            file,
            &shown,
            MapMode::ReadOnly,
            layout.data_offset,
            self.nbytes,
        )?;
        self.deliver(map.as_slice(), buf, order, layout)
    }

    /// On a file store: the object's file, opened once, with its header read from it
    /// and checked against this reference. Reading the data from the same open file
    /// means a concurrent replacement of the object at the path (an overwriting put)
    /// yields the old object or the new one, whole, or a `Mismatch`, never the new
    /// bytes read with the old layout. `None` on other stores.
    fn open_checked(&self) -> Result<Option<(File, StoredLayout)>> {
        let Some(file) = self.store.backend().open_local(self.path(), false)? else {
            return Ok(None);
        };
        let shown = || self.store.describe(self.path());
        let size = file
            .metadata()
            .map_err(|e| Error::io(&e, "cannot stat", shown()))?
            .len();
        let mut want = HEADER_PROBE.min(size);
        loop {
            let mut prefix = vec![0u8; want as usize];
            read_file_at(&file, 0, &mut prefix, Path::new(&shown()))?;
            match parse_header(&prefix).map_err(|e| e.context(shown()))? {
                HeaderParse::Complete(parsed) => {
                    self.check_agrees(&parsed.header)?;
                    let layout = check_size(&self.store, self.path(), &parsed, size)?;
                    self.seen.set(Version {
                        layout,
                        size,
                        etag: None,
                        unconfirmed_header: None,
                    });
                    return Ok(Some((file, layout)));
                }
                HeaderParse::NeedMore { total }
                    if total > want && total <= size && total <= MAX_HEADER_LEN + 16 =>
                {
                    want = total
                }
                HeaderParse::NeedMore { .. } => {
                    bail!(Format, "{} is truncated inside its .npy header", shown())
                }
            }
        }
    }

    /// Rows `first..first+count` of the first axis into `buf`, laid out as the array
    /// `a[first:first+count]` in `order`. Only those bytes are read.
    pub fn read_rows(&self, first: u64, count: u64, buf: &mut [u8], order: Order) -> Result<()> {
        let shape = self.shape();
        let Some(&rows) = shape.first() else {
            bail!(Shape, "a 0-d array has no rows to read");
        };
        first
            .checked_add(count)
            .filter(|&end| end <= rows)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidArgument,
                    format!(
                        "rows {first}..{} are out of range: the array has {rows} rows",
                        first.saturating_add(count)
                    ),
                )
            })?;
        let itemsize = self.itemsize();
        let per_row: u64 = shape[1..].iter().product::<u64>() * itemsize;
        check_buffer(buf.len(), count * per_row, &format!("{count} rows"))?;
        if count == 0 || per_row == 0 {
            return Ok(());
        }
        if let Some((file, layout)) = self.open_checked()? {
            let shown = self.store.describe(self.path());
            let mut read = |ranges: &mut [(u64, &mut [u8])]| {
                ranges.iter_mut().try_for_each(|(offset, part)| {
                    read_file_at(&file, *offset, part, Path::new(&shown))
                })
            };
            return self.read_rows_with(layout, first, count, buf, order, &mut read);
        }
        let first_version = match self.seen.get() {
            Some(version) => (version, None),
            None => match self.rows_with_header(first, count, buf, order)? {
                Ok(()) => return Ok(()),
                Err(fetched) => fetched,
            },
        };
        let probe = self.expected_header_len();
        on_one_version(
            first_version,
            || self.read_checked_header(probe),
            |version, _| {
                let mut read =
                    |ranges: &mut [(u64, &mut [u8])]| self.read_pinned(version, ranges, None);
                self.read_rows_with(version.layout, first, count, buf, order, &mut read)
            },
        )
    }

    /// A fresh reference to a remote object. Rows near the start of the object (where
    /// numpy's header would put them) come with the header in one request: the
    /// bytes of one answer are of one version, whatever tag it names. `Ok` when the
    /// rows were read so; else the version the header names (with its answer), to
    /// read the rows from, pinned to it.
    fn rows_with_header(
        &self,
        first: u64,
        count: u64,
        buf: &mut [u8],
        order: Order,
    ) -> Result<std::result::Result<(), (Version, Option<Head>)>> {
        let guess = StoredLayout {
            fortran_order: false,
            data_offset: self.expected_header_len(),
        };
        let per_row = self.nbytes / self.shape()[0];
        let (gap, end) = (
            first * per_row,
            guess.data_offset + (first + count) * per_row,
        );
        let near = gap <= NEAR_ROWS && end <= SMALL_OBJECT;
        let (version, head) =
            self.read_checked_header(if near { end } else { guess.data_offset })?;
        if !near || version.layout != guess || (head.bytes.len() as u64) < end {
            return Ok(Err((version, Some(head))));
        }
        let mut read = |ranges: &mut [(u64, &mut [u8])]| {
            for (offset, part) in ranges.iter_mut() {
                let at = *offset as usize;
                part.copy_from_slice(&head.bytes[at..at + part.len()]);
            }
            Ok(())
        };
        self.read_rows_with(guess, first, count, buf, order, &mut read)?;
        Ok(Ok(()))
    }

    /// [`ArrayRef::read_rows`] (arguments checked) for an object stored as `layout`,
    /// fetching byte ranges with `read`.
    fn read_rows_with(
        &self,
        layout: StoredLayout,
        first: u64,
        count: u64,
        buf: &mut [u8],
        order: Order,
        read: &mut RangeReader<'_>,
    ) -> Result<()> {
        let shape = self.shape();
        let rows = shape[0];
        let itemsize = self.itemsize();
        let per_row: u64 = shape[1..].iter().product::<u64>() * itemsize;
        let mut block_shape = shape.to_vec();
        block_shape[0] = count;
        let convert = order.needs_conversion(layout.fortran_order, &block_shape);
        let mut stored = if convert {
            vec![0u8; buf.len()]
        } else {
            Vec::new()
        };
        let target: &mut [u8] = if convert { &mut stored } else { buf };
        if !layout.fortran_order {
            read(&mut [(layout.data_offset + first * per_row, target)])?;
        } else {
            // Column-major: each of the trailing index combinations holds a run of
            // `count` rows; object stores coalesce runs that lie close together.
            let run = (count * itemsize) as usize;
            let mut runs: Vec<(u64, &mut [u8])> = target
                .chunks_mut(run)
                .enumerate()
                .map(|(i, chunk)| {
                    let offset = layout.data_offset + (first + rows * i as u64) * itemsize;
                    (offset, chunk)
                })
                .collect();
            read(&mut runs)?;
        }
        if convert {
            convert_order(
                &stored,
                buf,
                &block_shape,
                itemsize as usize,
                layout.fortran_order,
            )?;
        }
        Ok(())
    }

    /// Memory-map the stored data. File stores map the stored file itself
    /// (`ReadWrite` writes through to the stored object, as numpy's `r+` does).
    ///
    /// Remote stores map a local copy from the cache (`cache_dir`, `cache_max_bytes`),
    /// downloaded when missing or when the object's size or ETag changed. `ReadWrite`
    /// is refused there: writes to the copy would never reach the store.
    pub fn mmap(&self, mode: MapMode) -> Result<Mapping> {
        self.mmap_counted(mode, None)
    }

    /// [`ArrayRef::mmap`] reporting a cache download to (and stopping on) `transfer`.
    pub fn mmap_counted(&self, mode: MapMode, transfer: Option<&Transfer>) -> Result<Mapping> {
        let write = mode == MapMode::ReadWrite;
        let local = self.store.backend().open_local(self.path(), write)?;
        let is_local = local.is_some();
        let (mapping, shown) = match local {
            Some(file) => {
                let shown = self.store.describe(self.path());
                (Mapping::map_whole(&file, &shown, mode)?, shown)
            }
            None => {
                // The checked copy, held open; its trailer after `size` is not mapped.
                let copy = self.cached_copy(mode, transfer)?;
                let shown = copy.path.display().to_string();
                (
                    Mapping::map_file(&copy.file, &shown, mode, 0, copy.size)?,
                    shown,
                )
            }
        };
        let parsed = match parse_header(mapping.file_bytes())? {
            HeaderParse::Complete(parsed) => parsed,
            HeaderParse::NeedMore { .. } => {
                bail!(Format, "{shown} is truncated inside its header")
            }
        };
        self.check_agrees(&parsed.header)?;
        let layout = check_size(&self.store, self.path(), &parsed, mapping.file_len())?;
        if is_local {
            // (A cached copy's version was remembered with its ETag by `cached_copy`.)
            self.seen.set(Version {
                layout,
                size: mapping.file_len(),
                etag: None,
                unconfirmed_header: None,
            });
        }
        mapping.with_data(layout.data_offset, self.nbytes)
    }

    /// The remote object's local copy, fetched into the cache when needed.
    fn cached_copy(
        &self,
        mode: MapMode,
        transfer: Option<&Transfer>,
    ) -> Result<crate::cache::CachedCopy> {
        let backend = self.store.backend();
        let described = || self.store.describe(self.path());
        if mode == MapMode::ReadWrite {
            bail!(
                Unsupported,
                "cannot map {} with mode \"r+\": remote objects are mapped from a local cached \
                 copy and writes would never reach the store; use \"c\" (copy-on-write) or \"r\"",
                described()
            );
        }
        let Some(identity) = backend.cache_identity() else {
            bail!(
                Unsupported,
                "memory mapping {} needs a file store or a remote store",
                described()
            );
        };
        // One small request: the header (checked now, before any download) and the
        // object's current size and ETag, which validate or name the cached copy. The
        // download is pinned to that ETag; a copy is only ever of one version.
        let probe = self.expected_header_len();
        let (version, head) = self.read_checked_header(probe)?;
        let cache = crate::cache::RemoteCache::for_options(&self.store.spec().options);
        on_one_version(
            (version, Some(head)),
            || self.read_checked_header(probe),
            |version, _| {
                let etag = version.etag.as_deref();
                cache.fetch(&identity, self.path(), version.size, etag, |dst| {
                    let ctx = ReadCtx {
                        transfer,
                        if_match: etag,
                        size: Some(version.size),
                    };
                    backend
                        .read_ranges(self.path(), &mut [(0, dst)], ctx)
                        .map(drop)
                })
            },
        )
    }

    /// Whether the object exists.
    pub fn exists(&self) -> Result<bool> {
        self.store.backend().exists(self.path())
    }

    /// Delete the object. The reference stays usable for its metadata.
    pub fn delete(&self) -> Result<()> {
        self.store.backend().delete(self.path())
    }
}

/// A zero-filled buffer of `len` bytes, failing cleanly when memory is short. Large
/// zeroed allocations come straight from the OS, so no time is spent clearing pages
/// that the load overwrites anyway.
fn zeroed_buffer(len: u64) -> Result<Vec<u8>> {
    let too_big = || {
        Error::new(
            ErrorKind::Length,
            format!("{len} bytes do not fit in memory"),
        )
    };
    let len = usize::try_from(len).map_err(|_| too_big())?;
    if len == 0 {
        return Ok(Vec::new());
    }
    let layout = std::alloc::Layout::array::<u8>(len).map_err(|_| too_big())?;
    // SAFETY: the layout has a non-zero size; a non-null result is `len` zeroed bytes
    // owned by the Vec, which frees it with the same layout (align 1, capacity len).
    unsafe {
        let ptr = std::alloc::alloc_zeroed(layout);
        if ptr.is_null() {
            return Err(Error::new(
                ErrorKind::Io,
                format!("out of memory allocating {len} bytes"),
            ));
        }
        Ok(Vec::from_raw_parts(ptr, len, len))
    }
}

fn check_buffer(len: usize, needed: u64, what: &str) -> Result<()> {
    if len as u64 != needed {
        bail!(Length, "buffer has {len} bytes but {what} needs {needed}");
    }
    Ok(())
}

/// Read and parse the header of the object at `path`, first asking for `probe` bytes
/// (one ranged request on object stores, which also tells the object's size and
/// ETag) and once more only if the header is longer. Returns the header and what
/// the last request brought.
fn read_header(store: &Store, path: &str, probe: u64) -> Result<(ParsedHeader, Head)> {
    let backend = store.backend();
    // The fixed part (magic, version, length) must be there to learn the full length.
    let mut want = probe.max(12);
    loop {
        let head = backend.read_head(path, want)?;
        let prefix = &head.bytes;
        let described = || store.describe(path);
        match parse_header(prefix).map_err(|e| e.context(described()))? {
            HeaderParse::Complete(parsed) => return Ok((parsed, head)),
            HeaderParse::NeedMore { total }
                if total > want
                    && (prefix.len() as u64) == want
                    && total <= MAX_HEADER_LEN + 16 =>
            {
                want = total;
            }
            HeaderParse::NeedMore { .. } => bail!(
                Format,
                "{} is truncated inside its .npy header",
                described()
            ),
        }
    }
}

/// The version a header read learnt: `layout` (checked against `head`'s size), with
/// the tag the answer named, and the header bytes to see again under that tag.
fn probed(layout: StoredLayout, head: &Head) -> Version {
    Version {
        layout,
        size: head.size,
        etag: head.etag.clone(),
        unconfirmed_header: head.bytes.get(..layout.data_offset as usize).map(Arc::from),
    }
}

/// The object must hold exactly header + data bytes.
fn check_size(store: &Store, path: &str, parsed: &ParsedHeader, size: u64) -> Result<StoredLayout> {
    let expected = parsed
        .header
        .data_len()?
        .checked_add(parsed.data_offset)
        .ok_or_else(|| Error::new(ErrorKind::Shape, "header plus data size overflows 64 bits"))?;
    if size != expected {
        let how = if size < expected {
            "truncated"
        } else {
            "longer than its header says"
        };
        bail!(
            Format,
            "{} is {how}: {size} bytes, but the header describes {expected}",
            store.describe(path)
        );
    }
    Ok(StoredLayout {
        fortran_order: parsed.header.fortran_order,
        data_offset: parsed.data_offset,
    })
}

/// Bulk loads run at most this many references at once unless told otherwise.
pub const DEFAULT_BULK_CONCURRENCY: usize = 32;

/// Load many references concurrently, each whole into its own buffer (whose length
/// must equal that reference's [`ArrayRef::nbytes`]), in `order`. At most
/// `concurrency` references are in flight at once (0: [`DEFAULT_BULK_CONCURRENCY`]);
/// each reference's own transfer may use ranged requests in parallel too.
///
/// Returns one result per item, in order: a failed item does not stop the others.
/// Items not started when `transfer` is cancelled fail with `Cancelled`.
pub fn load_many(
    items: &mut [(&ArrayRef, &mut [u8])],
    order: Order,
    concurrency: usize,
    transfer: Option<&Transfer>,
) -> Vec<Result<()>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let n = items.len();
    let workers = match concurrency {
        0 => DEFAULT_BULK_CONCURRENCY,
        c => c,
    }
    .min(n);
    type Slot<'a, 'r, 'b> = Mutex<Option<&'a mut (&'r ArrayRef, &'b mut [u8])>>;
    let slots: Vec<Slot<'_, '_, '_>> = items
        .iter_mut()
        .map(|item| Mutex::new(Some(item)))
        .collect();
    let results: Vec<Mutex<Option<Result<()>>>> = (0..n).map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= n {
            break;
        }
        let item = slots[i].lock().ok().and_then(|mut slot| slot.take());
        let result = match (item, transfer.map_or(Ok(()), Transfer::check)) {
            (_, Err(e)) => Err(e),
            (Some((r, buf)), Ok(())) => {
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    r.load_into_counted(buf, order, transfer)
                }));
                outcome.unwrap_or_else(|_| {
                    Err(Error::new(ErrorKind::Internal, "a bulk load panicked"))
                })
            }
            (None, Ok(())) => Err(Error::new(ErrorKind::Internal, "bulk item taken twice")),
        };
        if let Ok(mut slot) = results[i].lock() {
            *slot = Some(result);
        }
    };
    if workers <= 1 {
        work();
    } else {
        std::thread::scope(|scope| {
            for _ in 0..workers {
                crate::worker::spawn(scope, work);
            }
        });
    }
    results
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .ok()
                .flatten()
                .unwrap_or_else(|| Err(Error::new(ErrorKind::Internal, "bulk item not run")))
        })
        .collect()
}
