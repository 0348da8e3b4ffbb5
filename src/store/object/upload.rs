//! Streaming uploads to object stores: a new object written front to back whose first
//! bytes (the `.npy` header) are only known at the end. Nothing is visible at the
//! final path until [`Upload::finish`]; an abort, a failure or a drop leaves nothing
//! behind.
//!
//! [`ObjectUpload`] uses object_store's part-by-part multipart API
//! ([`MultipartStore`]: S3, GCS, Azure, InMemory). Part 0 (head plus the first data)
//! stays in memory and is sent last, once the head is final; the other parts go out
//! as they fill, a bounded number at a time. A recording that fits in part 0 is one
//! plain PUT. Every failure, abort and drop aborts the multipart upload.

use super::ObjectBackend;
use crate::config::limits::{MAX_PARTS, MAX_PART_SIZE};
use crate::error::{bail, Error, ErrorKind, Result};
use crate::store::backend::{Backend, Upload, UploadOptions};
use crate::store::exists::refuse_existing;
use crate::store::runtime::block_on;
use bytes::Bytes;
use object_store::multipart::{MultipartStore, PartId};
use object_store::path::Path as ObjectPath;
use object_store::{MultipartId, PutPayload};
use std::collections::VecDeque;
use std::sync::Arc;
use tokio::task::JoinHandle;

/// A store's part-by-part upload API ([`MultipartStore`] has no `Debug`).
#[derive(Clone)]
pub(crate) struct Multipart(pub Arc<dyn MultipartStore>);

impl std::fmt::Debug for Multipart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Multipart")
    }
}

/// Parts sent at each part size before it doubles.
const PARTS_PER_SIZE: usize = 1000;

/// The size of part `idx`: `base` for the first [`PARTS_PER_SIZE`] parts, doubling
/// after every further [`PARTS_PER_SIZE`], capped at 5 GiB. Memory stays at a few
/// parts of `base` for any recording under `PARTS_PER_SIZE * base` (16 GiB at the
/// default 16 MiB), and 10,000 parts reach ~1,000,000 x `base` (4.9 TiB at 5 MiB, S3's 5 TiB limit at 16 MiB).
pub(crate) fn part_size(base: u64, idx: usize) -> u64 {
    let doublings = (idx / PARTS_PER_SIZE).min(20) as u32;
    base.saturating_mul(1 << doublings)
        .min(MAX_PART_SIZE.max(base))
}

type PartTask = JoinHandle<object_store::Result<PartId>>;

/// A streaming multipart upload to an object store.
#[derive(Debug)]
pub(crate) struct ObjectUpload {
    backend: ObjectBackend,
    multipart: Multipart,
    path: String,
    key: ObjectPath,
    options: UploadOptions,
    /// Part 0: the head and the first data, sent last.
    first: Vec<u8>,
    /// The part being filled, index `next`.
    current: Vec<u8>,
    next: usize,
    /// Created when the first part other than part 0 is sent.
    id: Option<MultipartId>,
    /// Uploaded parts by index (index 0 arrives last).
    parts: Vec<Option<PartId>>,
    in_flight: VecDeque<(usize, PartTask)>,
    closed: bool,
}

impl ObjectUpload {
    /// Start an upload to `path` on `backend`, beginning with `head`. No request is
    /// made until a part other than part 0 fills.
    pub(crate) fn begin(
        backend: &ObjectBackend,
        path: &str,
        head: &[u8],
        options: UploadOptions,
    ) -> Result<Self> {
        let Some(multipart) = backend.multipart.clone() else {
            bail!(
                Unsupported,
                "streaming writes to {} need multipart uploads, which this store does not offer",
                backend.describe(path)
            );
        };
        let options = UploadOptions {
            concurrency: options.concurrency.max(1),
            part_size: options.part_size.max(1),
            ..options
        };
        let mut upload = ObjectUpload {
            key: backend.key(path)?,
            backend: backend.clone(),
            multipart,
            path: path.to_string(),
            options,
            first: Vec::new(),
            current: Vec::new(),
            next: 1,
            id: None,
            parts: Vec::new(),
            in_flight: VecDeque::new(),
            closed: false,
        };
        upload.write(head)?;
        Ok(upload)
    }

    fn err(&self, err: object_store::Error, operation: &str) -> Error {
        self.backend.map_err(err, operation, &self.path)
    }

    fn part_cap(&self, idx: usize) -> usize {
        usize::try_from(part_size(self.options.part_size, idx)).unwrap_or(usize::MAX)
    }

    /// Send `current` as part `next`, after waiting for room among the parts in flight.
    fn send_current(&mut self) -> Result<()> {
        if self.next >= MAX_PARTS {
            bail!(
                Unsupported,
                "{} would need more than {MAX_PARTS} parts; raise part_size_bytes",
                self.backend.describe(&self.path)
            );
        }
        let id = match &self.id {
            Some(id) => id.clone(),
            None => {
                let (mp, key) = (self.multipart.0.clone(), self.key.clone());
                let id = block_on(async move { mp.create_multipart(&key).await })?
                    .map_err(|e| self.err(e, "cannot start an upload to"))?;
                self.id.insert(id).clone()
            }
        };
        while self.in_flight.len() >= self.options.concurrency {
            self.wait_oldest()?;
        }
        let data = Bytes::from(std::mem::take(&mut self.current));
        let (mp, key, idx) = (self.multipart.0.clone(), self.key.clone(), self.next);
        // Spawned from inside the library's runtime, returning the handle unawaited:
        // the part uploads in the background while the caller appends more.
        #[allow(clippy::async_yields_async)]
        let task = block_on(async move {
            tokio::spawn(async move { mp.put_part(&key, &id, idx, PutPayload::from(data)).await })
        })?;
        self.in_flight.push_back((idx, task));
        self.next += 1;
        Ok(())
    }

    fn wait_oldest(&mut self) -> Result<()> {
        let Some((idx, task)) = self.in_flight.pop_front() else {
            return Ok(());
        };
        let part = block_on(task)?
            .map_err(|e| Error::new(ErrorKind::Internal, format!("upload task failed: {e}")))?
            .map_err(|e| self.err(e, &format!("cannot upload part {idx} of")))?;
        self.record(idx, part);
        Ok(())
    }

    fn record(&mut self, idx: usize, part: PartId) {
        if self.parts.len() <= idx {
            self.parts.resize(idx + 1, None);
        }
        self.parts[idx] = Some(part);
    }

    fn publish(&mut self, head: &[u8]) -> Result<Option<String>> {
        if self.closed {
            bail!(State, "the upload to {} is closed", self.path);
        }
        self.first[..head.len()].copy_from_slice(head);
        let first = Bytes::from(std::mem::take(&mut self.first));
        let (mp, key) = (self.multipart.0.clone(), self.key.clone());
        let Some(id) = self.id.clone() else {
            // Everything fits in one request: one PUT, atomic, no-overwrite enforced by the store.
            let rest = Bytes::from(std::mem::take(&mut self.current));
            let payload = [first, rest].into_iter().collect();
            let tag =
                (self.backend).put_whole(&self.path, payload, self.options.write.overwrite)?;
            self.closed = true;
            return Ok(tag);
        };
        if !self.current.is_empty() {
            self.send_current()?;
        }
        while !self.in_flight.is_empty() {
            self.wait_oldest()?;
        }
        let first_id = id.clone();
        let part = block_on(async move {
            mp.put_part(&key, &first_id, 0, PutPayload::from(first))
                .await
        })?
        .map_err(|e| self.err(e, "cannot upload part 0 of"))?;
        self.record(0, part);
        // Multipart completion cannot refuse an existing object: check just before.
        refuse_existing(&self.backend, &self.path, self.options.write.overwrite)?;
        let parts: Option<Vec<PartId>> = std::mem::take(&mut self.parts).into_iter().collect();
        let Some(parts) = parts else {
            bail!(Internal, "a part of {} was never uploaded", self.path);
        };
        let (mp, key) = (self.multipart.0.clone(), self.key.clone());
        let done = block_on(async move { mp.complete_multipart(&key, &id, parts).await })?
            .map_err(|e| self.err(e, "cannot complete the upload to"))?;
        self.id = None;
        self.closed = true;
        Ok(done.e_tag)
    }
}

impl Upload for ObjectUpload {
    fn write(&mut self, mut data: &[u8]) -> Result<()> {
        if self.closed {
            bail!(State, "the upload to {} is closed", self.path);
        }
        let first_cap = self.part_cap(0);
        if self.first.len() < first_cap {
            let take = data.len().min(first_cap - self.first.len());
            let len = self.first.len();
            if len + take > self.first.capacity() {
                // Grow by doubling up to the part size: a short recording stays small.
                let want = (len + take).max(2 * self.first.capacity()).min(first_cap);
                self.first.reserve_exact(want - len);
            }
            self.first.extend_from_slice(&data[..take]);
            data = &data[take..];
        }
        while !data.is_empty() {
            let cap = self.part_cap(self.next);
            if self.current.capacity() < cap {
                self.current.reserve_exact(cap - self.current.len());
            }
            let take = data.len().min(cap - self.current.len());
            self.current.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.current.len() == cap {
                self.send_current()?;
            }
        }
        Ok(())
    }

    fn finish(&mut self, head: &[u8]) -> Result<Option<String>> {
        let published = self.publish(head);
        if published.is_err() {
            let _ = self.abort();
        }
        published
    }

    fn abort(&mut self) -> Result<()> {
        self.closed = true;
        self.first = Vec::new();
        self.current = Vec::new();
        let tasks: Vec<PartTask> = self.in_flight.drain(..).map(|(_, t)| t).collect();
        for task in &tasks {
            task.abort();
        }
        // Wait for the parts in flight to stop, so none lands after the abort.
        block_on(async move {
            for task in tasks {
                let _ = task.await;
            }
        })?;
        let Some(id) = self.id.take() else {
            return Ok(());
        };
        let (mp, key) = (self.multipart.0.clone(), self.key.clone());
        block_on(async move { mp.abort_multipart(&key, &id).await })?
            .map_err(|e| self.err(e, "cannot abort the upload to"))
    }
}

impl Drop for ObjectUpload {
    fn drop(&mut self) {
        if !self.closed {
            let _ = self.abort();
        }
    }
}

#[cfg(test)]
#[path = "upload_tests.rs"]
mod tests;
