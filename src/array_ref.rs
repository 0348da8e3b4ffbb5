//! The lazy reference to one stored array: metadata without I/O, and loading on
//! demand (into library memory, into a caller's buffer, as a memory map, or a range
//! of rows). The stored header always wins: any disagreement with the metadata is an
//! error, never a silent misread.

use crate::format::{parse_header, Dtype, Header, HeaderParse, ParsedHeader, MAX_HEADER_LEN};
use crate::layout::{convert_order, Order};
use crate::mapping::{MapMode, Mapping};
use crate::metadata::Metadata;
use crate::store::{read_file_at, Store};
use crate::{bail, Error, ErrorKind, Result};
use std::fs::File;
use std::path::Path;
use std::sync::OnceLock;

/// How much of an object a first header read fetches; nearly every header fits.
const HEADER_PROBE: u64 = 4096;

/// Where the data of a stored object lies, learnt from its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredLayout {
    /// The object stores the array in Fortran (column-major) order.
    pub fortran_order: bool,
    /// Byte offset of the first data byte (a multiple of 64 for numpy-written files).
    pub data_offset: u64,
}

/// A reference to an array in a store. Cheap to create; shape and dtype need no I/O.
///
/// Shareable across threads: every method takes `&self`.
#[derive(Debug)]
pub struct ArrayRef {
    store: Store,
    meta: Metadata,
    dtype: Dtype,
    nbytes: u64,
    json: String,
    descr: String,
    layout: OnceLock<StoredLayout>,
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
        let (parsed, size) = read_header(store, path)?;
        let layout = check_size(store, path, &parsed, size)?;
        let header = parsed.header;
        ArrayRef::build(
            store,
            path.to_string(),
            header.dtype,
            header.shape,
            Some(layout),
        )
    }

    /// A reference to an object just written with `header` at `data_offset`.
    pub(crate) fn written(
        store: &Store,
        path: String,
        header: Header,
        data_offset: u64,
    ) -> Result<ArrayRef> {
        let layout = StoredLayout {
            fortran_order: header.fortran_order,
            data_offset,
        };
        ArrayRef::build(store, path, header.dtype, header.shape, Some(layout))
    }

    fn build(
        store: &Store,
        path: String,
        dtype: Dtype,
        shape: Vec<u64>,
        layout: Option<StoredLayout>,
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
        let cell = OnceLock::new();
        if let Some(layout) = layout {
            let _ = cell.set(layout);
        }
        Ok(ArrayRef {
            store: store.clone(),
            json: meta.to_json(),
            descr: header.dtype.descr(),
            dtype: header.dtype,
            nbytes,
            meta,
            layout: cell,
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
    /// Whether the stored order is Fortran; `None` until the header has been read.
    pub fn fortran_order(&self) -> Option<bool> {
        self.layout.get().map(|l| l.fortran_order)
    }
    /// Whether the stored header has been read and checked against the metadata.
    pub fn is_loaded(&self) -> bool {
        self.layout.get().is_some()
    }

    /// The stored layout, reading and checking the header on first use.
    pub fn stored_layout(&self) -> Result<StoredLayout> {
        if let Some(layout) = self.layout.get() {
            return Ok(*layout);
        }
        let (parsed, size) = read_header(&self.store, self.path())?;
        self.check_agrees(&parsed.header)?;
        let layout = check_size(&self.store, self.path(), &parsed, size)?;
        Ok(*self.layout.get_or_init(|| layout))
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
        check_buffer(buf.len(), self.nbytes, "the array")?;
        let itemsize = self.itemsize() as usize;
        if let Some((file, layout)) = self.open_checked()? {
            let shown = self.store.describe(self.path());
            if !order.needs_conversion(layout.fortran_order, self.shape()) {
                return read_file_at(&file, layout.data_offset, buf, Path::new(&shown));
            }
            let map = Mapping::map_file(
                &file,
                &shown,
                MapMode::ReadOnly,
                layout.data_offset,
                self.nbytes,
            )?;
            return convert_order(
                map.as_slice(),
                buf,
                self.shape(),
                itemsize,
                layout.fortran_order,
            );
        }
        let layout = self.stored_layout()?;
        if !order.needs_conversion(layout.fortran_order, self.shape()) {
            return self
                .store
                .backend()
                .read_at(self.path(), layout.data_offset, buf);
        }
        let mut stored = vec![0u8; self.nbytes as usize];
        self.store
            .backend()
            .read_at(self.path(), layout.data_offset, &mut stored)?;
        convert_order(&stored, buf, self.shape(), itemsize, layout.fortran_order)
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
                    let _ = self.layout.set(layout);
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
        let end = first
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
        let local = self.open_checked()?;
        let layout = match &local {
            Some((_, layout)) => *layout,
            None => self.stored_layout()?,
        };
        let shown = self.store.describe(self.path());
        let read = |offset: u64, part: &mut [u8]| match &local {
            Some((file, _)) => read_file_at(file, offset, part, Path::new(&shown)),
            None => self.store.backend().read_at(self.path(), offset, part),
        };
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
            read(layout.data_offset + first * per_row, target)?;
        } else {
            // Column-major: each of the trailing index combinations holds a run of `count` rows.
            let run = (count * itemsize) as usize;
            for (i, chunk) in target.chunks_mut(run).enumerate() {
                let offset = layout.data_offset + (first + rows * i as u64) * itemsize;
                read(offset, chunk)?;
            }
        }
        let _ = end;
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
    pub fn mmap(&self, mode: MapMode) -> Result<Mapping> {
        let write = mode == MapMode::ReadWrite;
        let Some(file) = self.store.backend().open_local(self.path(), write)? else {
            bail!(
                Unsupported,
                "memory mapping {} needs a file store (remote stores map through a local cache, not available yet)",
                self.store.describe(self.path())
            );
        };
        let shown = self.store.describe(self.path());
        let mapping = Mapping::map_whole(&file, &shown, mode)?;
        let parsed = match parse_header(mapping.file_bytes())? {
            HeaderParse::Complete(parsed) => parsed,
            HeaderParse::NeedMore { .. } => {
                bail!(Format, "{shown} is truncated inside its header")
            }
        };
        self.check_agrees(&parsed.header)?;
        let layout = check_size(&self.store, self.path(), &parsed, mapping.file_len())?;
        let _ = self.layout.set(layout);
        mapping.with_data(layout.data_offset, self.nbytes)
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

/// Read and parse the header of the object at `path`; returns it with the object size.
fn read_header(store: &Store, path: &str) -> Result<(ParsedHeader, u64)> {
    let backend = store.backend();
    let mut want = HEADER_PROBE;
    loop {
        let prefix = backend.read_prefix(path, want)?;
        let described = || store.describe(path);
        match parse_header(&prefix).map_err(|e| e.context(described()))? {
            HeaderParse::Complete(parsed) => {
                let size = if (prefix.len() as u64) < want {
                    prefix.len() as u64
                } else {
                    backend.size(path)?
                };
                return Ok((parsed, size));
            }
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
