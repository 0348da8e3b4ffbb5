//! The lazy reference to one stored array: metadata without I/O, and loading on
//! demand (into library memory, into a caller's buffer, as a memory map, or a range
//! of rows). The stored header always wins: any disagreement with the metadata is an
//! error, never a silent misread.

use crate::error::{bail, Error, ErrorKind, Result};
use crate::format::{parse_header, Dtype, Header, HeaderParse};
use crate::layout::{convert_order, Order};
use crate::mapping::{MapMode, Mapping};
use crate::metadata::Metadata;
use crate::slice::Hyperslab;
use crate::store::{Failure, Maps, Read, Store};
use crate::transfer::Transfer;
pub use crate::version::StoredLayout;
use crate::version::{self, check_size, Opened, Seen, Version};

/// How much of an object a first header read fetches when nothing is known about it
/// (a reference opened by path); nearly every header fits.
const HEADER_PROBE: u64 = 4096;

/// A first load of an array whose header and data together are at most this large
/// fetches both with one request.
const SMALL_OBJECT: u64 = 1 << 20;

/// Fetches byte ranges `(offset, destination)` of the object into their destinations.
type RangeReader<'a, E> = dyn FnMut(&mut [(u64, &mut [u8])]) -> std::result::Result<(), E> + 'a;

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
        let no_metadata = |_: &Header| Ok(());
        let (header, opened) = Opened::current(store.backend(), path, HEADER_PROBE, no_metadata)?;
        ArrayRef::build(
            store,
            path.to_string(),
            header.dtype,
            header.shape,
            Some(opened.version),
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
        self.open_current(self.expected_header_len())
            .map(|opened| opened.version.layout)
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

    /// Open the version stored now, reading `probe` bytes (more if the header is
    /// longer), check its header against the metadata and the object's size, and
    /// remember that version.
    fn open_current(&self, probe: u64) -> Result<Opened<'_>> {
        let backend = self.store.backend();
        let agree = |header: &Header| self.check_agrees(header);
        let (_, opened) = Opened::current(backend, self.path(), probe, agree)?;
        self.seen.set(opened.version.clone());
        Ok(opened)
    }

    /// The version seen last, opened again without I/O where the store names its
    /// versions (object stores); `None` where it must be opened afresh.
    fn remembered(&self) -> Option<Opened<'_>> {
        let version = self.seen.get()?;
        let backend = self.store.backend();
        let reader = backend.reopen_version(self.path(), version.etag.as_deref(), version.size)?;
        Some(Opened {
            version,
            reader,
            head: None,
        })
    }

    /// Run `read` on one version: `first`, then, each time the object changed, the
    /// one stored then (opened with `probe` bytes), a bounded number of times.
    fn on_one_version<T>(
        &self,
        first: Opened<'_>,
        probe: u64,
        read: impl FnMut(&Opened<'_>) -> Read<T>,
    ) -> Result<T> {
        let what = || self.store.describe(self.path());
        version::on_one_version(&what, first, || self.open_current(probe), read)
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
    /// A first load of a small array fetches header and data with one request (one
    /// read of the open file on file stores); otherwise the data is read straight
    /// into `buf` (object stores: as concurrent ranged GETs, into a scratch copy
    /// first when the order must be converted), all from the version whose header
    /// was read.
    pub fn load_into_counted(
        &self,
        buf: &mut [u8],
        order: Order,
        transfer: Option<&Transfer>,
    ) -> Result<()> {
        check_buffer(buf.len(), self.nbytes, "the array")?;
        let expected = self.expected_header_len();
        let whole = expected.saturating_add(self.nbytes);
        let probe = if whole <= SMALL_OBJECT {
            whole
        } else {
            expected
        };
        let first = match self.remembered() {
            Some(opened) => opened,
            None => self.open_current(probe)?,
        };
        self.on_one_version(first, probe, |opened| {
            self.load_version(opened, buf, order, transfer)
        })
    }

    /// Load the `opened` version into `buf`: from the answer that brought its header,
    /// when that holds all the data; else through its reader (pinned to the version's
    /// ETag on object stores).
    fn load_version(
        &self,
        opened: &Opened<'_>,
        buf: &mut [u8],
        order: Order,
        transfer: Option<&Transfer>,
    ) -> Read<()> {
        let layout = opened.version.layout;
        let (start, end) = (layout.data_offset, layout.data_offset + self.nbytes);
        let head = opened.head.as_deref();
        if let Some(head) = head.filter(|head| head.len() as u64 >= end) {
            if let Some(t) = transfer {
                t.add(self.nbytes);
            }
            let data = &head[start as usize..end as usize];
            return Ok(self.deliver(data, buf, order, layout)?);
        }
        if !order.needs_conversion(layout.fortran_order, self.shape()) {
            return opened.read(&self.seen, &mut [(start, buf)], transfer);
        }
        if let Some(file) = opened.reader.file() {
            // A file converts from a read-only map of its data: no scratch copy.
            let shown = self.store.describe(self.path());
            let map = Mapping::map_file(file, &shown, MapMode::ReadOnly, start, self.nbytes)?;
            self.deliver(map.as_slice(), buf, order, layout)?;
            if let Some(t) = transfer {
                t.add(self.nbytes);
            }
            return Ok(());
        }
        let mut stored = zeroed_buffer(self.nbytes)?;
        opened.read(&self.seen, &mut [(start, &mut stored[..])], transfer)?;
        Ok(self.deliver(&stored, buf, order, layout)?)
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
        let per_row: u64 = shape[1..].iter().product::<u64>() * self.itemsize();
        check_buffer(buf.len(), count * per_row, &format!("{count} rows"))?;
        let mut start = vec![0; shape.len()];
        start[0] = first;
        let mut counts = shape.to_vec();
        counts[0] = count;
        let slab = Hyperslab::new(shape, self.itemsize(), &start, &counts)?;
        self.read_checked_slice(&slab, buf, order, None)
    }

    /// The hyperslab `a[start[0]:start[0]+count[0], start[1]:..., ...]` (one start
    /// and one count per axis) into the first bytes of `buf`, laid out as that array
    /// in `order` (`AsStored`: the object's own order, [`ArrayRef::fortran_order`]).
    /// `buf` must hold at least the slice's bytes (item size times the product of
    /// `count`); the bytes after them are left as they were.
    ///
    /// Only the byte runs the slice covers are read, runs close together as one read
    /// (the store's merge gap, [`Store::set_merge_gap`]): a file store makes one
    /// `pread` per merged run (many runs close together are copied out of a
    /// read-only map of their span instead), an object store one ranged GET per
    /// merged run (cut at the part size), several in flight at once and all pinned
    /// to one version. A slice with a count of 0 reads nothing. A wrong number of
    /// axes, a slice past an axis's end or one whose end overflows is
    /// `InvalidArgument`; a short `buf` is `Length`.
    pub fn read_slice(
        &self,
        start: &[u64],
        count: &[u64],
        buf: &mut [u8],
        order: Order,
    ) -> Result<()> {
        self.read_slice_counted(start, count, buf, order, None)
    }

    /// [`ArrayRef::read_slice`] reporting the bytes read to (and stopping on)
    /// `transfer`; bytes merged reads bring between the slice's runs count too.
    pub fn read_slice_counted(
        &self,
        start: &[u64],
        count: &[u64],
        buf: &mut [u8],
        order: Order,
        transfer: Option<&Transfer>,
    ) -> Result<()> {
        let slab = Hyperslab::new(self.shape(), self.itemsize(), start, count)?;
        let Some(buf) = buf.get_mut(..slab.nbytes() as usize) else {
            bail!(
                Length,
                "buffer has {} bytes but the slice of shape {:?} needs {}",
                buf.len(),
                slab.counts(),
                slab.nbytes()
            );
        };
        self.read_checked_slice(&slab, buf, order, transfer)
    }

    /// [`ArrayRef::read_slice_counted`] of a slice already checked against the shape,
    /// into a `buf` of exactly its size.
    fn read_checked_slice(
        &self,
        slab: &Hyperslab<'_>,
        buf: &mut [u8],
        order: Order,
        transfer: Option<&Transfer>,
    ) -> Result<()> {
        if buf.is_empty() {
            return Ok(());
        }
        // The whole slice came at once (from the header's answer or a map).
        let nbytes = buf.len() as u64;
        let delivered = || {
            if let Some(t) = transfer {
                t.add(nbytes);
            }
        };
        let first_opened = match self.remembered() {
            Some(opened) => opened,
            None => match self.slice_with_header(slab, buf, order)? {
                Ok(()) => {
                    delivered();
                    return Ok(());
                }
                Err(opened) => opened,
            },
        };
        self.on_one_version(first_opened, self.expected_header_len(), |opened| {
            let layout = opened.version.layout;
            if let Some(file) = opened.reader.file() {
                if self.slice_from_map(file, layout, slab, buf, order)? {
                    delivered();
                    return Ok(());
                }
            }
            let mut read =
                |ranges: &mut [(u64, &mut [u8])]| opened.read(&self.seen, ranges, transfer);
            self.read_slice_with(layout, slab, buf, order, &mut read)
        })
    }

    /// A file's slice of many runs lying close together (at most the merge gap apart
    /// on average, so merged reads would bring their whole span anyway), copied out
    /// of a read-only map of that span: the pages it touches come from the page
    /// cache without a copy of the span (benches/slices.rs measures a channel of a
    /// Fortran recording both ways). Also a slice of one run in the other order,
    /// converted straight from the map. `false`, with nothing done, for other slices.
    fn slice_from_map(
        &self,
        file: &std::fs::File,
        layout: StoredLayout,
        slab: &Hyperslab<'_>,
        buf: &mut [u8],
        order: Order,
    ) -> Result<bool> {
        /// Fewer runs than this are read, not mapped: a map costs two calls more.
        const MIN_RUNS: u64 = 64;
        let plan = slab.plan(layout.fortran_order)?;
        let span = plan.span();
        let len = span.end - span.start;
        let convert = order.needs_conversion(layout.fortran_order, &plan.shape);
        let close = plan.runs >= MIN_RUNS && len / plan.runs <= self.store.merge_gap();
        // One run to convert: converted from the map, with no scratch copy (as loads do).
        let one_to_convert = plan.runs == 1 && convert;
        if !close && !one_to_convert {
            return Ok(false);
        }
        let base = layout.data_offset + span.start;
        let shown = self.store.describe(self.path());
        let map = Mapping::map_to_copy(file, &shown, base, len)?;
        let data = map.as_slice();
        if one_to_convert {
            let itemsize = self.itemsize() as usize;
            convert_order(data, buf, &plan.shape, itemsize, layout.fortran_order)?;
            return Ok(true);
        }
        if !convert {
            // Straight into place, without a list of the runs.
            plan.gather(data, buf);
            return Ok(true);
        }
        let mut read = |ranges: &mut [(u64, &mut [u8])]| {
            for (offset, part) in ranges.iter_mut() {
                let at = (*offset - base) as usize;
                part.copy_from_slice(&data[at..at + part.len()]);
            }
            Ok::<(), Error>(())
        };
        self.read_slice_with(layout, slab, buf, order, &mut read)?;
        Ok(true)
    }

    /// A reference whose version must be opened (its first read, or any read of a
    /// file). A slice that starts at most the store's merge gap after the header
    /// (where the layout seen last, else numpy's C-order header, would put it) and
    /// ends within [`SMALL_OBJECT`] comes with the header in one read: the bytes of
    /// one answer are of one version, whatever tag it names. `Ok` when the slice was
    /// read so; else the version the header names (with its answer), to read the
    /// slice from through its reader.
    fn slice_with_header(
        &self,
        slab: &Hyperslab<'_>,
        buf: &mut [u8],
        order: Order,
    ) -> Result<std::result::Result<(), Opened<'_>>> {
        let guess = self.seen.layout().unwrap_or(StoredLayout {
            fortran_order: false,
            data_offset: self.expected_header_len(),
        });
        let span = slab.plan(guess.fortran_order)?.span();
        let end = guess.data_offset + span.end;
        let near = span.start <= self.store.merge_gap() && end <= SMALL_OBJECT;
        let opened = self.open_current(if near { end } else { guess.data_offset })?;
        let held = opened.head.as_ref().is_some_and(|h| h.len() as u64 >= end);
        if !near || opened.version.layout != guess || !held {
            return Ok(Err(opened));
        }
        let head = opened.head.as_deref().unwrap_or_default();
        let mut read = |ranges: &mut [(u64, &mut [u8])]| {
            for (offset, part) in ranges.iter_mut() {
                let at = *offset as usize;
                part.copy_from_slice(&head[at..at + part.len()]);
            }
            Ok::<(), Error>(())
        };
        self.read_slice_with(guess, slab, buf, order, &mut read)?;
        Ok(Ok(()))
    }

    /// Read a checked slice of an object stored as `layout` into `buf` (exactly its
    /// size), fetching its byte runs with `read`, a batch at a time; the reader
    /// coalesces runs that lie close together.
    fn read_slice_with<E: From<Error>>(
        &self,
        layout: StoredLayout,
        slab: &Hyperslab<'_>,
        buf: &mut [u8],
        order: Order,
        read: &mut RangeReader<'_, E>,
    ) -> std::result::Result<(), E> {
        /// Runs handed to the reader at once: enough for its coalescing and
        /// concurrency, few enough that their list stays small beside the data.
        const BATCH: usize = 1 << 20;
        let itemsize = self.itemsize();
        let plan = slab.plan(layout.fortran_order)?;
        let convert = order.needs_conversion(layout.fortran_order, &plan.shape);
        let mut stored = if convert {
            zeroed_buffer(plan.nbytes)?
        } else {
            Vec::new()
        };
        let target: &mut [u8] = if convert { &mut stored } else { buf };
        let mut runs = target
            .chunks_mut(plan.run_len as usize)
            .zip(plan.offsets())
            .map(|(chunk, offset)| (layout.data_offset + offset, chunk));
        loop {
            let mut batch: Vec<(u64, &mut [u8])> = runs.by_ref().take(BATCH).collect();
            if batch.is_empty() {
                break;
            }
            read(&mut batch)?;
        }
        if convert {
            convert_order(
                &stored,
                buf,
                &plan.shape,
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
        let described = || self.store.describe(self.path());
        let backend = self.store.backend();
        let maps = backend.maps();
        if write && maps != Maps::Files {
            bail!(
                Unsupported,
                "cannot map {} with mode \"r+\": remote objects are mapped from a local cached \
                 copy and writes would never reach the store; use \"c\" (copy-on-write) or \"r\"",
                described()
            );
        }
        let (mapping, shown) = match &maps {
            Maps::Files => {
                // The header is checked from the map itself below: what is mapped is
                // what was checked.
                let (reader, _) = backend.open_version(self.path(), 0, write)?;
                let shown = described();
                let Some(file) = reader.file() else {
                    bail!(Internal, "the file store's reader of {shown} holds no file");
                };
                (Mapping::map_whole(file, &shown, mode)?, shown)
            }
            Maps::Copies { identity } => {
                // The checked copy, held open; its trailer after `size` is not mapped.
                let copy = self.cached_copy(identity, transfer)?;
                let shown = copy.path.display().to_string();
                (
                    Mapping::map_file(&copy.file, &shown, mode, 0, copy.size)?,
                    shown,
                )
            }
            Maps::Never => bail!(
                Unsupported,
                "memory mapping {} needs a file store or a remote store",
                described()
            ),
        };
        // A copy's own header is checked too: the answer that named its version may
        // have paired that ETag with another version's header bytes.
        let parsed = match parse_header(mapping.file_bytes())? {
            HeaderParse::Complete(parsed) => parsed,
            HeaderParse::NeedMore { .. } => {
                bail!(Format, "{shown} is truncated inside its header")
            }
        };
        self.check_agrees(&parsed.header)?;
        let layout = check_size(&described, &parsed, mapping.file_len())?;
        if maps == Maps::Files {
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

    /// The remote object's local copy in the cache of the store named `identity`,
    /// fetched into the cache when needed.
    fn cached_copy(
        &self,
        identity: &str,
        transfer: Option<&Transfer>,
    ) -> Result<crate::cache::CachedCopy> {
        // One small request: the header (checked now, before any download) and the
        // object's current size and ETag, which validate or name the cached copy. The
        // download is pinned to that ETag; a copy is only ever of one version.
        let probe = self.expected_header_len();
        let first = self.open_current(probe)?;
        let cache = crate::cache::RemoteCache::for_options(&self.store.spec().options);
        self.on_one_version(first, probe, |opened| {
            let version = &opened.version;
            // The cache reports failures as errors: a change is remembered aside.
            let changed = std::cell::Cell::new(false);
            let etag = version.etag.as_deref();
            let copy = cache.fetch(identity, self.path(), version.size, etag, |dst| {
                opened
                    .reader
                    .read(&mut [(0, dst)], transfer)
                    .map_err(|e| match e {
                        Failure::Changed => {
                            changed.set(true);
                            Error::new(ErrorKind::Io, "changed while it was being read")
                        }
                        Failure::Failed(e) => e,
                    })
            });
            copy.map_err(|e| match changed.get() {
                true => Failure::Changed,
                false => Failure::Failed(e),
            })
        })
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
