//! Object stores through the `object_store` crate: in-memory, S3, GCS and Azure (built
//! by `super::remote`). Every call runs on the embedded runtime.
//!
//! Reads are ranged GETs streamed straight into the caller's buffer: nearby ranges are
//! coalesced, long ones split into parts of `part_size`, and up to `concurrency` parts
//! are in flight at once. Writes are one PUT up to `part_size` and above it the
//! parallel multipart upload of `upload.rs`, aborted on every failure.

mod errors;
mod reader;
mod upload;

use super::backend::{Backend, Upload, UploadOptions, WriteOptions};
use super::etag::{same, Agreement};
use super::exists::refuse_existing;
use super::reader::{BoxedReader, Failure, Maps, MergeGap, Read};
use super::runtime::block_on;
use crate::config::limits::{MAX_PARTS, MIN_PART_SIZE};
use crate::error::{Error, ErrorKind, Result};
use crate::transfer::{cancelled, Transfer};
use futures_util::stream::StreamExt;
use object_store::multipart::MultipartStore;
use object_store::path::Path as ObjectPath;
use object_store::{
    GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload,
};
use reader::ObjectReader;
use std::sync::Arc;
use upload::{Multipart, ObjectUpload};

/// The merge gap object stores start with: ranges of one read at most this far apart
/// are fetched by one request (the gap is read and dropped). At 100 MB/s, 256 KiB
/// take about as long (2.5 ms) as the first byte of a request to a nearby server, so
/// a gap below it costs less than the request it saves (docs/remote.md).
pub const OBJECT_MERGE_GAP: u64 = 256 << 10;

/// How transfers are split and how many requests run at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tuning {
    /// Requests in flight at once per call.
    pub concurrency: usize,
    /// Largest ranged GET, multipart part size, and the largest single PUT.
    pub part_size: u64,
}

impl Default for Tuning {
    fn default() -> Self {
        let options = crate::config::StoreOptions::default();
        Tuning {
            concurrency: options.concurrency,
            part_size: options.part_size_bytes,
        }
    }
}

/// A store backed by an [`ObjectStore`], with objects under `prefix`.
#[derive(Clone)]
pub(crate) struct ObjectBackend {
    pub(crate) store: Arc<dyn ObjectStore>,
    /// The same store's part-by-part upload API (streaming writers); S3, GCS, Azure and
    /// InMemory all implement it. `None`: writers are unsupported on this store.
    pub(crate) multipart: Option<Multipart>,
    /// The location inside the bucket/container ("" for none), without slashes at the ends.
    prefix: String,
    /// How to name the store in messages, e.g. `s3://bucket` or `memory://`.
    display_root: String,
    /// Distinguishes this store's objects from other stores' (cache keys).
    identity: Option<String>,
    pub(crate) tuning: Tuning,
    /// Ranges of one read at most this far apart are fetched by one request.
    merge_gap: Arc<MergeGap>,
    /// Credentials that must never reach a message.
    secrets: Vec<String>,
}

impl ObjectBackend {
    /// A HEAD answers a missing bucket like a missing object (404, no body to tell
    /// them apart): list under the object's key to get the bucket's own answer.
    fn check_container(&self, path: &str) -> Result<()> {
        let (store, key) = (self.store.clone(), self.key(path)?);
        let listed = block_on(async move { store.list_with_delimiter(Some(&key)).await })?;
        listed
            .map(drop)
            .map_err(|e| self.map_err(e, "cannot list", path))
    }
}

/// Names the store and its settings only: the client inside would print credentials
/// (the S3 client shows its access key id), and `secrets` are what must never show.
impl std::fmt::Debug for ObjectBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectBackend")
            .field("root", &self.display_root)
            .field("prefix", &self.prefix)
            .field("multipart", &self.multipart.is_some())
            .field("tuning", &self.tuning)
            .finish_non_exhaustive()
    }
}

impl ObjectBackend {
    /// A backend over `store`, keeping objects under `prefix`.
    pub(crate) fn new(
        store: Arc<dyn ObjectStore>,
        prefix: &str,
        display_root: &str,
    ) -> ObjectBackend {
        ObjectBackend {
            store,
            multipart: None,
            prefix: prefix.trim_matches('/').to_string(),
            display_root: display_root.trim_end_matches('/').to_string(),
            identity: None,
            tuning: Tuning::default(),
            merge_gap: Arc::new(MergeGap::new(OBJECT_MERGE_GAP)),
            secrets: Vec::new(),
        }
    }

    /// Let streaming writers upload part by part through `multipart`, which must be
    /// the same store as `store` (e.g. the same `AmazonS3`).
    pub(crate) fn with_multipart(mut self, multipart: Arc<dyn MultipartStore>) -> ObjectBackend {
        self.multipart = Some(Multipart(multipart));
        self
    }

    /// The same backend as a remote store: `identity` keys its cached copies, `tuning`
    /// splits its transfers, and `secrets` are scrubbed from every message.
    pub(crate) fn remote(mut self, identity: String, tuning: Tuning, secrets: Vec<String>) -> Self {
        self.identity = Some(identity);
        self.tuning = tuning;
        self.secrets = secrets.into_iter().filter(|s| s.len() >= 4).collect();
        self
    }

    /// An empty in-memory store (tests, examples).
    pub(crate) fn memory() -> ObjectBackend {
        let store = Arc::new(object_store::memory::InMemory::new());
        ObjectBackend::new(store.clone(), "", "memory://").with_multipart(store)
    }

    pub(crate) fn key(&self, path: &str) -> Result<ObjectPath> {
        let full = if self.prefix.is_empty() {
            path.to_string()
        } else {
            format!("{}/{path}", self.prefix)
        };
        // `parse` keeps the key as written (DataJoint's `%2F` stays `%2F`); `from` would re-encode it.
        ObjectPath::parse(&full)
            .map_err(|e| Error::new(ErrorKind::Path, format!("invalid object key {full:?}: {e}")))
    }

    /// Publish `payload` with one PUT, atomic on object stores (the object appears
    /// whole or not at all); without `overwrite` the store refuses an existing object.
    fn put_whole(
        &self,
        path: &str,
        payload: PutPayload,
        overwrite: bool,
    ) -> Result<Option<String>> {
        let mode = if overwrite {
            PutMode::Overwrite
        } else {
            PutMode::Create
        };
        let (store, key) = (self.store.clone(), self.key(path)?);
        let put =
            block_on(async move { store.put_opts(&key, payload, PutOptions::from(mode)).await })?;
        put.map(|done| done.e_tag)
            .map_err(|e| self.map_err(e, "cannot write", path))
    }

    /// `text` with every configured secret, and every password inside a URL,
    /// replaced by `***`.
    fn scrub(&self, text: String) -> String {
        crate::config::redact::scrub(&text, &self.secrets)
    }

    /// Split a read of `ranges` into requests: coalesce neighbours, cut at `part_size`.
    fn plan(&self, ranges: &mut [(u64, &mut [u8])]) -> Vec<Part> {
        let mut segs: Vec<Seg> = ranges
            .iter_mut()
            .filter(|(_, buf)| !buf.is_empty())
            .map(|(offset, buf)| Seg {
                offset: *offset,
                ptr: SendPtr(buf.as_mut_ptr()),
                len: buf.len(),
            })
            .collect();
        segs.sort_by_key(|s| s.offset);
        let part_size = self.tuning.part_size.max(1);
        let gap = self.merge_gap.get();
        let mut parts: Vec<Part> = Vec::new();
        for mut seg in segs {
            while seg.len > 0 {
                let (join, room) = match parts.last() {
                    Some(p)
                        if seg.offset >= p.end
                            && seg.offset - p.end <= gap
                            && seg.offset < p.start + part_size =>
                    {
                        (true, p.start + part_size - seg.offset)
                    }
                    _ => (false, part_size),
                };
                let take = (seg.len as u64).min(room) as usize;
                let piece = Seg { len: take, ..seg };
                match parts.last_mut() {
                    Some(p) if join => {
                        p.end = seg.offset + take as u64;
                        p.segs.push(piece);
                    }
                    _ => parts.push(Part {
                        start: seg.offset,
                        end: seg.offset + take as u64,
                        segs: vec![piece],
                    }),
                }
                // SAFETY: `take <= seg.len`: the pointer stays within (or one past) its buffer.
                seg = Seg {
                    offset: seg.offset + take as u64,
                    ptr: SendPtr(unsafe { seg.ptr.0.add(take) }),
                    len: seg.len - take,
                };
            }
        }
        parts
    }
}

/// A destination pointer that may cross to the runtime's threads.
#[derive(Debug, Clone, Copy)]
struct SendPtr(*mut u8);
// SAFETY: each pointer addresses a region written by exactly one request, and the
// caller blocks until every request has finished (see `fetch_parts`).
unsafe impl Send for SendPtr {}
unsafe impl Sync for SendPtr {}

/// A stretch of one destination buffer, at `offset` in the object.
#[derive(Debug, Clone, Copy)]
struct Seg {
    offset: u64,
    ptr: SendPtr,
    len: usize,
}

/// One ranged GET `[start, end)` and the destinations it fills.
#[derive(Debug)]
struct Part {
    start: u64,
    end: u64,
    segs: Vec<Seg>,
}

/// Why a part (or the read it belongs to) failed.
enum PartError {
    Store(object_store::Error),
    Short {
        got: u64,
        wanted: u64,
    },
    Cancelled,
    /// Answers came from another version than the pinned one, or from two versions.
    Changed,
}

/// What every answer of a read must prove about the version it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Pin {
    /// The ETag it must name (sent as `If-Match`).
    pub(super) etag: Option<String>,
    /// The whole object's size it must tell (the total of its `Content-Range`).
    pub(super) size: Option<u64>,
}

impl Pin {
    /// Whether an answer naming `etag` and a whole object of `size` bytes is of the
    /// pinned version. A pinned answer without a tag proves nothing, so it fails.
    fn holds(&self, etag: Option<&str>, size: u64) -> bool {
        let tag_ok = match (&self.etag, etag) {
            (Some(pinned), Some(seen)) => same(pinned, seen),
            (Some(_), None) => false,
            (None, _) => true,
        };
        tag_ok && self.size.is_none_or(|s| s == size)
    }
}

/// Stream one part's bytes into its destinations; returns the ETag it was served at.
async fn fetch_part(
    store: Arc<dyn ObjectStore>,
    key: ObjectPath,
    part: Part,
    pin: Pin,
    transfer: Option<Transfer>,
) -> std::result::Result<Option<String>, PartError> {
    let options = GetOptions {
        range: Some(GetRange::Bounded(part.start..part.end)),
        if_match: pin.etag.clone(),
        ..Default::default()
    };
    let result = store
        .get_opts(&key, options)
        .await
        .map_err(PartError::Store)?;
    let etag = result.meta.e_tag.clone();
    // An answer of another version (a server that ignores If-Match, as
    // fake-gcs-server does, answers with the current one; a tag or a total size
    // other than the pinned version's) is a change to read again, whatever its
    // length, not a short object, and its bytes are not worth fetching.
    if !pin.holds(etag.as_deref(), result.meta.size) {
        return Err(PartError::Changed);
    }
    let mut stream = result.into_stream();
    let mut pos = part.start;
    let mut seg = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(PartError::Store)?;
        if let Some(t) = &transfer {
            if t.is_cancelled() {
                return Err(PartError::Cancelled);
            }
            t.add(chunk.len() as u64);
        }
        let (chunk_start, chunk_end) = (pos, pos + chunk.len() as u64);
        while seg < part.segs.len() {
            let s = part.segs[seg];
            let (lo, hi) = (
                s.offset.max(chunk_start),
                (s.offset + s.len as u64).min(chunk_end),
            );
            if lo < hi {
                // SAFETY: `[lo, hi)` lies inside this segment's buffer, which only this
                // part writes, and the buffer outlives the blocking call.
                unsafe {
                    std::ptr::copy_nonoverlapping(
                        chunk.as_ptr().add((lo - chunk_start) as usize),
                        s.ptr.0.add((lo - s.offset) as usize),
                        (hi - lo) as usize,
                    );
                }
            }
            if s.offset + s.len as u64 <= chunk_end {
                seg += 1;
            } else {
                break;
            }
        }
        pos = chunk_end;
    }
    if pos != part.end {
        return Err(PartError::Short {
            got: pos - part.start,
            wanted: part.end - part.start,
        });
    }
    Ok(etag)
}

/// The first bytes of an object, with the ETag and the whole size its answer named.
type Head = (Vec<u8>, Option<String>, u64);

/// The reading half: what a version reader asks of the store.
impl ObjectBackend {
    /// The first `len` bytes of the object (fewer when it is shorter), by one
    /// unconditional ranged GET, with the ETag and whole size its answer names.
    fn read_head(&self, path: &str, len: u64) -> Result<Head> {
        /// Answers to ask for at most when the object keeps changing between the GET
        /// and the size check after a 416.
        const TRIES: usize = 3;
        for _ in 1..TRIES {
            if let Some(head) = self.try_read_head(path, len)? {
                return Ok(head);
            }
        }
        self.try_read_head(path, len)?.ok_or_else(|| {
            Error::new(
                ErrorKind::Io,
                format!(
                    "{} changed while its header was being read, {TRIES} times in a row; \
                     try again later",
                    self.describe(path)
                ),
            )
        })
    }

    /// One try of [`ObjectBackend::read_head`]; `None` when a GET found the object
    /// empty (HTTP 416) and the size check after it found it not empty: it was
    /// replaced in between (moto once showed an object empty while a PUT of it was
    /// under way, in tests/put_crash.rs), so it is to be read again.
    fn try_read_head(&self, path: &str, len: u64) -> Result<Option<Head>> {
        let (store, key) = (self.store.clone(), self.key(path)?);
        let got = block_on(async move {
            let options = GetOptions {
                range: (len > 0).then_some(GetRange::Bounded(0..len)),
                head: len == 0,
                ..Default::default()
            };
            let result = store.get_opts(&key, options).await?;
            let meta = result.meta.clone();
            let bytes = if len == 0 {
                bytes::Bytes::new()
            } else {
                result.bytes().await?
            };
            Ok::<_, object_store::Error>((meta, bytes))
        })?;
        match got {
            Ok((meta, bytes)) => Ok(Some((bytes.to_vec(), meta.e_tag, meta.size))),
            // An empty object has no byte 0 to range over (HTTP 416): ask its size.
            Err(e) if len > 0 && errors::range_not_satisfiable(&e) => match self.size(path)? {
                0 => Ok(Some((Vec::new(), None, 0))),
                _ => Ok(None),
            },
            Err(e) => Err(self.map_err(e, "cannot read", path)),
        }
    }

    /// Fill each `(offset, buf)` with the object's bytes at `offset`: nearby ranges
    /// coalesced, fetched concurrently. Bytes of two versions are never returned: an
    /// answer that does not name `pin`'s ETag or says another total size than its
    /// size, or, without a pinned ETag, requests answered from different versions,
    /// are [`Failure::Changed`].
    pub(super) fn read_ranges(
        &self,
        path: &str,
        ranges: &mut [(u64, &mut [u8])],
        pin: &Pin,
        transfer: Option<&Transfer>,
    ) -> Read<()> {
        let parts = self.plan(ranges);
        if parts.is_empty() {
            return Ok(());
        }
        let (store, key) = (self.store.clone(), self.key(path)?);
        let if_match = pin.etag.clone();
        let size = pin.size;
        let transfer = transfer.cloned();
        let concurrency = self.tuning.concurrency.max(1);
        // Every part future is finished or dropped before block_on returns, so no write
        // into the caller's buffers can happen after this call.
        let outcome = block_on(async move {
            let mut fetches = futures_util::stream::iter(parts.into_iter().map(|part| {
                fetch_part(
                    store.clone(),
                    key.clone(),
                    part,
                    Pin {
                        etag: if_match.clone(),
                        size,
                    },
                    transfer.clone(),
                )
            }))
            .buffer_unordered(concurrency);
            // The server checks If-Match; the tags of the answers are checked here too,
            // which also catches parts of an unpinned read served from two versions.
            let mut agreement = Agreement::pinned(if_match.as_deref());
            while let Some(done) = fetches.next().await {
                agreement.see(done?.as_deref());
            }
            agreement.agreed().map(drop).ok_or(PartError::Changed)
        })?;
        outcome.map_err(|e| match e {
            PartError::Cancelled => Failure::Failed(cancelled()),
            PartError::Short { got, wanted } => Failure::Failed(Error::new(
                ErrorKind::Format,
                format!(
                    "{} is truncated: a read of {wanted} bytes returned {got}",
                    self.describe(path)
                ),
            )),
            PartError::Changed => Failure::Changed,
            PartError::Store(object_store::Error::Precondition { .. }) if pin.etag.is_some() => {
                Failure::Changed
            }
            PartError::Store(e) => Failure::Failed(self.map_err(e, "cannot read", path)),
        })
    }
}

impl Backend for ObjectBackend {
    fn describe(&self, path: &str) -> String {
        match self.prefix.as_str() {
            "" => format!("{}/{path}", self.display_root),
            prefix => format!("{}/{prefix}/{path}", self.display_root),
        }
    }

    fn size(&self, path: &str) -> Result<u64> {
        let (store, key) = (self.store.clone(), self.key(path)?);
        let meta = block_on(async move { store.head(&key).await })?;
        match meta.map_err(|e| self.map_err(e, "cannot stat", path)) {
            Ok(meta) => Ok(meta.size),
            Err(e) if e.kind() == ErrorKind::NotFound => {
                self.check_container(path)?;
                Err(e)
            }
            Err(e) => Err(e),
        }
    }

    fn open_version(
        &self,
        path: &str,
        len: u64,
        _write: bool,
    ) -> Result<(BoxedReader<'_>, Vec<u8>)> {
        // Nothing writes through a reader here: a map of an object is of a cached
        // copy, and mode `r+` is refused before any version is opened.
        let (head, etag, size) = self.read_head(path, len)?;
        Ok((Box::new(ObjectReader::new(self, path, etag, size)), head))
    }

    fn reopen_version(&self, path: &str, etag: Option<&str>, size: u64) -> Option<BoxedReader<'_>> {
        let etag = etag.map(str::to_string);
        Some(Box::new(ObjectReader::new(self, path, etag, size)))
    }

    fn merge_gap(&self) -> &MergeGap {
        &self.merge_gap
    }

    fn maps(&self) -> Maps {
        match &self.identity {
            Some(id) => Maps::Copies {
                identity: format!("{id}|{}", self.prefix),
            },
            None => Maps::Never,
        }
    }

    fn write_atomic(
        &self,
        path: &str,
        chunks: &[&[u8]],
        options: WriteOptions,
    ) -> Result<Option<String>> {
        let total: u64 = chunks.iter().map(|c| c.len() as u64).sum();
        if total <= self.tuning.part_size {
            let payload = chunks
                .iter()
                .map(|c| bytes::Bytes::copy_from_slice(c))
                .collect();
            return self.put_whole(path, payload, options.overwrite);
        }
        // Larger: the streaming upload's multipart machinery, with parts big enough for
        // `total` to fit S3's part count. Refuse an existing object before sending
        // anything (the upload checks again before it completes).
        refuse_existing(self, path, options.overwrite)?;
        let options = UploadOptions {
            write: options,
            part_size: (self.tuning.part_size)
                .max(total.div_ceil(MAX_PARTS as u64))
                .max(MIN_PART_SIZE),
            concurrency: self.tuning.concurrency,
        };
        // A failed write drops the upload, which aborts it.
        let mut upload = ObjectUpload::begin(self, path, &[], options)?;
        for chunk in chunks {
            upload.write(chunk)?;
        }
        upload.finish(&[])
    }

    fn exists(&self, path: &str) -> Result<bool> {
        match self.size(path) {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn delete(&self, path: &str) -> Result<()> {
        // Object stores delete silently when nothing is there; report it like a file store.
        self.size(path)?;
        let (store, key) = (self.store.clone(), self.key(path)?);
        let deleted = block_on(async move { store.delete(&key).await })?;
        deleted.map_err(|e| self.map_err(e, "cannot delete", path))
    }

    fn begin_upload(
        &self,
        path: &str,
        head: &[u8],
        options: UploadOptions,
    ) -> Result<Box<dyn Upload>> {
        Ok(Box::new(ObjectUpload::begin(self, path, head, options)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backend(part_size: u64) -> ObjectBackend {
        let mut b = ObjectBackend::memory();
        b.tuning = Tuning {
            concurrency: 3,
            part_size,
        };
        b
    }

    #[test]
    fn plans_parts_no_larger_than_part_size_and_coalesces_neighbours() {
        let b = backend(100);
        let mut big = vec![0u8; 250];
        let parts = b.plan(&mut [(10, &mut big[..])]);
        let spans: Vec<_> = parts.iter().map(|p| (p.start, p.end)).collect();
        assert_eq!(spans, vec![(10, 110), (110, 210), (210, 260)]);
        let (mut a, mut c) = (vec![0u8; 8], vec![0u8; 8]);
        let parts = b.plan(&mut [(40, &mut c[..]), (0, &mut a[..])]);
        assert_eq!(parts.len(), 1);
        assert_eq!((parts[0].start, parts[0].end), (0, 48));
    }

    #[test]
    fn reads_scatter_into_each_range_and_multipart_round_trips() {
        let b = backend(5 << 20);
        let data: Vec<u8> = (0..(12u32 << 20)).map(|i| (i % 251) as u8).collect();
        b.write_atomic(
            "x/big.bin",
            &[&data[..7], &data[7..]],
            WriteOptions::default(),
        )
        .unwrap();
        let err = b
            .write_atomic("x/big.bin", &[&data], WriteOptions::default())
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AlreadyExists);
        let (reader, head) = b.open_version("x/big.bin", 64, false).unwrap();
        assert_eq!((head.len(), reader.size()), (64, data.len() as u64));
        let mut whole = vec![0u8; data.len()];
        reader.read(&mut [(0, &mut whole[..])], None).unwrap();
        assert!(whole == data);
        let (mut r1, mut r2, mut r3) = (vec![0u8; 5], vec![0u8; 3], vec![0u8; 6 << 20]);
        reader
            .read(
                &mut [(1000, &mut r2[..]), (3, &mut r1[..]), (100, &mut r3[..])],
                None,
            )
            .unwrap();
        assert_eq!(r1, data[3..8]);
        assert_eq!(r2, data[1000..1003]);
        assert!(r3 == data[100..100 + (6 << 20)]);
        let mut past = [0u8; 10];
        let at = data.len() as u64 - 5;
        let Err(Failure::Failed(err)) = reader.read(&mut [(at, &mut past[..])], None) else {
            panic!("a read past the end must fail")
        };
        assert_eq!(err.kind(), ErrorKind::Format, "{err}");
    }

    /// An in-memory store whose next GET can be given a wrong answer (`tamper`).
    #[derive(Debug, Default)]
    struct FailingParts {
        inner: object_store::memory::InMemory,
        tamper: std::sync::Mutex<Tamper>,
    }

    /// What the next GET's answer gets wrong.
    #[derive(Debug, Default)]
    enum Tamper {
        #[default]
        Nothing,
        /// It names no ETag.
        NoTag,
        /// It tells another total size.
        OtherSize,
        /// Without If-Match: the bytes (and size) `past` holds at the key, under the
        /// current object's ETag (what Azurite answers while a commit lands).
        StaleBytes(Arc<object_store::memory::InMemory>),
    }

    impl std::fmt::Display for FailingParts {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("FailingParts")
        }
    }

    #[async_trait::async_trait]
    impl ObjectStore for FailingParts {
        async fn put_opts(
            &self,
            location: &ObjectPath,
            payload: PutPayload,
            opts: PutOptions,
        ) -> object_store::Result<object_store::PutResult> {
            self.inner.put_opts(location, payload, opts).await
        }
        async fn put_multipart_opts(
            &self,
            location: &ObjectPath,
            opts: object_store::PutMultipartOptions,
        ) -> object_store::Result<Box<dyn object_store::MultipartUpload>> {
            self.inner.put_multipart_opts(location, opts).await
        }
        async fn get_opts(
            &self,
            location: &ObjectPath,
            options: GetOptions,
        ) -> object_store::Result<object_store::GetResult> {
            let tamper = std::mem::take(&mut *self.tamper.lock().unwrap());
            let mut got = match &tamper {
                Tamper::StaleBytes(past) if options.if_match.is_none() => {
                    let now = self.inner.head(location).await?;
                    let mut got = past.get_opts(location, options).await?;
                    got.meta.e_tag = now.e_tag;
                    return Ok(got);
                }
                _ => self.inner.get_opts(location, options).await?,
            };
            match tamper {
                Tamper::NoTag => got.meta.e_tag = None,
                Tamper::OtherSize => got.meta.size += 1,
                _ => {}
            }
            Ok(got)
        }
        fn delete_stream(
            &self,
            locations: futures_util::stream::BoxStream<'static, object_store::Result<ObjectPath>>,
        ) -> futures_util::stream::BoxStream<'static, object_store::Result<ObjectPath>> {
            self.inner.delete_stream(locations)
        }
        fn list(
            &self,
            prefix: Option<&ObjectPath>,
        ) -> futures_util::stream::BoxStream<'static, object_store::Result<object_store::ObjectMeta>>
        {
            self.inner.list(prefix)
        }
        fn list_with_offset(
            &self,
            prefix: Option<&ObjectPath>,
            offset: &ObjectPath,
        ) -> futures_util::stream::BoxStream<'static, object_store::Result<object_store::ObjectMeta>>
        {
            self.inner.list_with_offset(prefix, offset)
        }
        async fn list_with_delimiter(
            &self,
            prefix: Option<&ObjectPath>,
        ) -> object_store::Result<object_store::ListResult> {
            self.inner.list_with_delimiter(prefix).await
        }
        async fn copy_opts(
            &self,
            from: &ObjectPath,
            to: &ObjectPath,
            options: object_store::CopyOptions,
        ) -> object_store::Result<()> {
            self.inner.copy_opts(from, to, options).await
        }
    }

    #[test]
    fn secrets_never_reach_messages() {
        let b = ObjectBackend::memory().remote(
            "id".into(),
            Tuning::default(),
            vec!["s3cr3t-key".into(), "ab".into()],
        );
        let err = b.map_err(
            object_store::Error::Generic {
                store: "S3",
                source: "denied for s3cr3t-key".into(),
            },
            "cannot read",
            "a.npy",
        );
        assert!(!err.message().contains("s3cr3t-key"), "{err}");
        assert!(err.message().contains("***"));
    }

    #[test]
    fn a_pinned_answer_must_name_the_pinned_tag_and_size() {
        let store = Arc::new(FailingParts::default());
        let b = ObjectBackend::new(store.clone(), "", "test://");
        let data: Vec<u8> = (0..200u8).collect();
        let tag = b
            .write_atomic("p.bin", &[&data], WriteOptions::default())
            .unwrap();
        let read = |if_match: Option<&str>, size, tamper| {
            *store.tamper.lock().unwrap() = tamper;
            let mut buf = vec![0u8; 50];
            let pin = Pin {
                etag: if_match.map(str::to_string),
                size,
            };
            let got = b.read_ranges("p.bin", &mut [(100, &mut buf[..])], &pin, None);
            got.map(|()| buf)
        };
        let (tag, size) = (tag.as_deref(), Some(200));
        assert_eq!(read(tag, size, Tamper::Nothing).unwrap(), data[100..150]);
        for (tamper, what) in [(Tamper::NoTag, "no tag"), (Tamper::OtherSize, "size")] {
            let err = read(tag, size, tamper).unwrap_err();
            assert!(matches!(err, Failure::Changed), "{what}: {err:?}");
        }
        let err = read(tag, Some(199), Tamper::Nothing).unwrap_err();
        assert!(matches!(err, Failure::Changed), "{err:?}");
        // Unpinned, an answer without a tag proves nothing and is not asked to.
        assert_eq!(read(None, None, Tamper::NoTag).unwrap(), data[100..150]);
    }

    /// `shape` float64 values `base + i` (C order), stored as a .npy in Fortran order
    /// when `fortran`.
    fn npy(base: f64, shape: [usize; 2], fortran: bool) -> Vec<u8> {
        let header = crate::format::Header {
            dtype: crate::format::Dtype::parse("<f8").unwrap(),
            fortran_order: fortran,
            shape: shape.iter().map(|&n| n as u64).collect(),
        };
        let mut out = header.encode();
        for k in 0..shape[0] * shape[1] {
            let (i, j) = if fortran {
                (k % shape[0], k / shape[0])
            } else {
                (k / shape[1], k % shape[1])
            };
            out.extend_from_slice(&(base + (i * shape[1] + j) as f64).to_le_bytes());
        }
        out
    }

    /// A memory store holding `new` at `a.npy`, whose next GET without If-Match
    /// answers with `old`'s bytes under `new`'s ETag, as Azurite can.
    fn stale_header_store(old: Vec<u8>, new: Vec<u8>) -> crate::store::Store {
        let (store, past) = (
            Arc::new(FailingParts::default()),
            Arc::new(Default::default()),
        );
        let key = ObjectPath::from("a.npy");
        block_on({
            let (store, past, key) = (store.clone(), Arc::clone(&past), key.clone());
            async move {
                let past: Arc<object_store::memory::InMemory> = past;
                past.put(&key, old.into()).await.unwrap();
                store.put(&key, new.into()).await.unwrap();
            }
        })
        .unwrap();
        *store.tamper.lock().unwrap() = Tamper::StaleBytes(past);
        let config = r#"{"stores": {"m": {"protocol": "memory"}}}"#;
        let spec = crate::config::Config::from_arg(Some(config))
            .unwrap()
            .store(Some("m"));
        let backend = ObjectBackend::new(store, "", "test://");
        crate::store::Store::with_backend(spec.unwrap(), Box::new(backend))
    }

    /// The C-order bytes of `npy(base, ..)`'s values `first..first + count`.
    fn values(base: f64, first: usize, count: usize) -> Vec<u8> {
        (first..first + count)
            .flat_map(|k| (base + k as f64).to_le_bytes())
            .collect()
    }

    #[test]
    fn a_header_answer_naming_a_newer_version_is_not_trusted() {
        // The same shape, C order then Fortran order: the same size, other bytes. The
        // header read gets the old (C-order) header under the new version's tag; the
        // data read pinned to that tag brings the new header too, so the read starts
        // again at the new version instead of taking its bytes in C order.
        let shape = [40_000, 3];
        let (old, new) = (npy(0.0, shape, false), npy(1e6, shape, true));
        assert_eq!(old.len(), new.len());
        let npys = stale_header_store(old.clone(), new.clone());
        let r = npys.open_ref("a.npy").unwrap();
        let got = r.load(crate::layout::Order::C).unwrap();
        assert!(got == values(1e6, 0, 120_000));
        assert_eq!(r.fortran_order(), Some(true));
        // Rows far from the header, of a reference from JSON: the same.
        let npys = stale_header_store(old.clone(), new);
        let r = npys.ref_from_json(r.json()).unwrap();
        let mut rows = vec![0u8; 2 * 3 * 8];
        r.read_rows(39_000, 2, &mut rows, crate::layout::Order::C)
            .unwrap();
        assert_eq!(rows, values(1e6, 39_000 * 3, 6));
        // Rows near the header come with it in one answer: of one version, whatever
        // tag it names (here the old one's bytes, whole).
        let npys = stale_header_store(old, npy(1e6, shape, true));
        let r = npys.ref_from_json(r.json()).unwrap();
        r.read_rows(10, 2, &mut rows, crate::layout::Order::C)
            .unwrap();
        assert_eq!(rows, values(0.0, 30, 6));
    }
}
