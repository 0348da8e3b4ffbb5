//! Multipart uploads through a counting wrapper around InMemory (which cannot list
//! pending uploads): part 0 goes last, parts stay within bounds, and every abort,
//! drop and failure aborts the upload. On S3 the same is checked by listing pending
//! uploads once the remote stores land.

use super::*;
use crate::config::Config;
use crate::format::Dtype;
use crate::layout::Order;
use crate::store::object::ObjectBackend;
use crate::store::{Store, WriteOptions};
use crate::target::{PutOptions, Target};
use object_store::memory::InMemory;
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

#[test]
fn part_sizes_stay_flat_then_double_within_s3_limits() {
    let base = 5 << 20;
    assert_eq!(part_size(base, 1), base);
    assert_eq!(part_size(base, 999), base);
    assert_eq!(part_size(base, 1000), 2 * base);
    assert_eq!(part_size(base, 9999), 512 * base);
    assert_eq!(part_size(16 << 20, 9999), MAX_PART_SIZE);
    let total: u64 = (0..MAX_PARTS).map(|i| part_size(base, i)).sum();
    assert_eq!(
        total,
        1000 * 1023 * base,
        "~4.9 TiB in 10,000 parts at the smallest base"
    );
}

#[derive(Debug, Default)]
struct Counts {
    created: usize,
    completed: usize,
    aborted: usize,
    pending: HashSet<String>,
    /// (part index, bytes) in the order parts were sent.
    sent: Vec<(usize, usize)>,
    in_flight: usize,
    max_in_flight: usize,
    fail_part: Option<usize>,
}

#[derive(Debug)]
struct Counting {
    inner: Arc<InMemory>,
    counts: Mutex<Counts>,
}

impl Counting {
    fn counts(&self) -> std::sync::MutexGuard<'_, Counts> {
        self.counts.lock().unwrap()
    }

    /// Assert that `created` uploads were begun and `aborted` of them aborted, none
    /// completed and none left pending.
    fn assert_only_aborted(&self, created: usize, aborted: usize) {
        let c = self.counts();
        assert_eq!((c.created, c.completed, c.aborted), (created, 0, aborted));
        assert!(c.pending.is_empty());
    }
}

#[async_trait::async_trait]
impl MultipartStore for Counting {
    async fn create_multipart(&self, path: &ObjectPath) -> object_store::Result<MultipartId> {
        let id = self.inner.create_multipart(path).await?;
        let mut c = self.counts();
        c.created += 1;
        c.pending.insert(id.clone());
        Ok(id)
    }

    async fn put_part(
        &self,
        path: &ObjectPath,
        id: &MultipartId,
        part_idx: usize,
        data: PutPayload,
    ) -> object_store::Result<PartId> {
        {
            let mut c = self.counts();
            c.sent.push((part_idx, data.content_length()));
            if c.fail_part == Some(part_idx) {
                return Err(object_store::Error::Generic {
                    store: "counting",
                    source: "injected part failure".into(),
                });
            }
            c.in_flight += 1;
            c.max_in_flight = c.max_in_flight.max(c.in_flight);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
        let part = self.inner.put_part(path, id, part_idx, data).await;
        self.counts().in_flight -= 1;
        part
    }

    async fn complete_multipart(
        &self,
        path: &ObjectPath,
        id: &MultipartId,
        parts: Vec<PartId>,
    ) -> object_store::Result<object_store::PutResult> {
        let done = self.inner.complete_multipart(path, id, parts).await?;
        let mut c = self.counts();
        c.completed += 1;
        c.pending.remove(id);
        Ok(done)
    }

    async fn abort_multipart(
        &self,
        path: &ObjectPath,
        id: &MultipartId,
    ) -> object_store::Result<()> {
        self.inner.abort_multipart(path, id).await?;
        let mut c = self.counts();
        c.aborted += 1;
        c.pending.remove(id);
        Ok(())
    }
}

const PART: u64 = 1000;

/// A memory store whose uploads are counted, with 1000-byte parts, 2 in flight.
fn counted_store() -> (Store, Arc<Counting>) {
    let config = Config::from_arg(Some(
        r#"{"stores": {"default": "m", "m": {"protocol": "memory"}}}"#,
    ))
    .unwrap();
    let mut spec = config.store(None).unwrap();
    spec.options.part_size_bytes = PART;
    spec.options.concurrency = 2;
    let inner = Arc::new(InMemory::new());
    let counting = Arc::new(Counting {
        inner: inner.clone(),
        counts: Mutex::default(),
    });
    let backend = ObjectBackend::new(inner, "", "memory://").with_multipart(counting.clone());
    (Store::with_backend(spec, Box::new(backend)), counting)
}

fn writer(store: &Store) -> crate::writer::Writer {
    store
        .writer(
            &Target::Path("r.npy".into()),
            Dtype::parse("<u2").unwrap(),
            vec![5],
            false,
            PutOptions::default(),
        )
        .unwrap()
}

/// `rows` rows of 5 u16 counting up from `first`.
fn rows(first: u64, rows: u64) -> Vec<u8> {
    (first * 5..(first + rows) * 5)
        .flat_map(|v| (v as u16).to_le_bytes())
        .collect()
}

/// A writer of "r.npy" in `store` with rows `0..n` appended.
fn writer_with_rows(store: &Store, n: u64) -> crate::writer::Writer {
    let mut w = writer(store);
    w.append(&rows(0, n)).unwrap();
    w
}

#[test]
fn part_zero_is_sent_last_and_parts_stay_bounded() {
    let (store, counting) = counted_store();
    let mut w = writer(&store);
    for i in 0..700 {
        w.append(&rows(i * 3, 3)).unwrap(); // 30 bytes at a time: parts fill across appends
    }
    w.append(&rows(2100, 1)).unwrap();
    let r = w.finish().unwrap();
    assert_eq!(r.shape(), &[2101, 5]);
    assert_eq!(r.load(Order::C).unwrap(), rows(0, 2101));
    let c = counting.counts();
    assert_eq!((c.created, c.completed, c.aborted), (1, 1, 0));
    assert!(c.pending.is_empty());
    let (last_idx, _) = *c.sent.last().unwrap();
    assert_eq!(last_idx, 0, "part 0 carries the final header and goes last");
    let total: usize = c.sent.iter().map(|&(_, n)| n).sum();
    assert_eq!(total as u64, store.backend().size("r.npy").unwrap());
    let parts = c.sent.len();
    for (i, &(idx, n)) in c.sent.iter().enumerate() {
        if idx + 1 != parts {
            assert_eq!(
                n as u64, PART,
                "part {idx} (sent {i}th) is not the last: full size"
            );
        }
    }
    assert!(c.max_in_flight <= 2, "{} parts in flight", c.max_in_flight);
}

#[test]
fn a_recording_that_fits_one_part_is_one_put() {
    let (store, counting) = counted_store();
    let w = writer_with_rows(&store, 20);
    w.finish().unwrap();
    let c = counting.counts();
    assert_eq!((c.created, c.sent.len()), (0, 0));
    assert_eq!(
        store.open_ref("r.npy").unwrap().load(Order::C).unwrap(),
        rows(0, 20)
    );
}

#[test]
fn abort_and_drop_abort_the_upload() {
    let (store, counting) = counted_store();
    let w = writer_with_rows(&store, 500);
    w.abort().unwrap();
    let w = writer_with_rows(&store, 500);
    drop(w);
    counting.assert_only_aborted(2, 2);
    assert!(!store.exists("r.npy").unwrap());
}

#[test]
fn a_failed_part_aborts_and_later_calls_are_state_errors() {
    let (store, counting) = counted_store();
    counting.counts().fail_part = Some(3);
    let mut w = writer(&store);
    let mut failed = None;
    for i in 0..200 {
        if let Err(e) = w.append(&rows(i * 10, 10)) {
            failed = Some(e);
            break;
        }
    }
    let err = failed.expect("the injected failure surfaces in an append");
    assert_eq!(err.kind(), ErrorKind::Io, "{err}");
    assert!(err.message().contains("part 3"), "{err}");
    assert_eq!(w.append(&rows(0, 1)).unwrap_err().kind(), ErrorKind::State);
    assert_eq!(w.finish().unwrap_err().kind(), ErrorKind::State);
    counting.assert_only_aborted(1, 1);
    assert!(!store.exists("r.npy").unwrap());
}

#[test]
fn finishing_onto_an_object_that_appeared_aborts() {
    let (store, counting) = counted_store();
    let w = writer_with_rows(&store, 300);
    let other = writer(&store);
    let mut other = other;
    other.append(&rows(7, 1)).unwrap();
    other.finish().unwrap();
    assert_eq!(w.finish().unwrap_err().kind(), ErrorKind::AlreadyExists);
    let c = counting.counts();
    assert_eq!((c.created, c.completed, c.aborted), (1, 0, 1));
    assert_eq!(
        store.open_ref("r.npy").unwrap().load(Order::C).unwrap(),
        rows(7, 1)
    );
}

/// A memory backend whose multipart uploads are counted, with S3's smallest parts.
fn counted_backend() -> (ObjectBackend, Arc<Counting>) {
    let inner = Arc::new(InMemory::new());
    let counting = Arc::new(Counting {
        inner: inner.clone(),
        counts: Mutex::default(),
    });
    let mut backend = ObjectBackend::new(inner, "", "memory://").with_multipart(counting.clone());
    backend.tuning = super::super::Tuning {
        concurrency: 2,
        part_size: 5 << 20,
    };
    (backend, counting)
}

#[test]
fn a_whole_object_above_the_part_size_goes_up_in_parts() {
    let (backend, counting) = counted_backend();
    let data: Vec<u8> = (0..(16u32 << 20) + 3).map(|i| (i % 251) as u8).collect();
    let write = WriteOptions::default();
    backend
        .write_atomic("big.bin", &[&data[..7], &data[7..]], write)
        .unwrap();
    let mut back = vec![0u8; data.len()];
    let (reader, _) = backend.open_version("big.bin", 0, false).unwrap();
    reader.read(&mut [(0, &mut back[..])], None).unwrap();
    assert!(back == data);
    let c = counting.counts();
    assert_eq!((c.created, c.completed, c.aborted), (1, 1, 0));
    // Parts 1..3 upload side by side, so they may start in any order; part 0,
    // which holds the header, goes up after all of them.
    let mut sizes: Vec<_> = c.sent.iter().map(|&(i, n)| (i, n as u64)).collect();
    let part = 5 << 20;
    assert_eq!(sizes.pop(), Some((0, part)), "part 0 is sent last");
    sizes.sort_unstable();
    assert_eq!(sizes, [(1, part), (2, part), (3, (1 << 20) + 3)]);
    assert!(c.max_in_flight <= 2, "{} parts in flight", c.max_in_flight);
    drop(c);
    let err = backend
        .write_atomic("big.bin", &[&data], write)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlreadyExists, "{err}");
    assert_eq!(
        counting.counts().created,
        1,
        "refused before any upload began"
    );
}

#[test]
fn a_failed_part_of_a_whole_object_aborts_and_leaves_nothing() {
    let (backend, counting) = counted_backend();
    counting.counts().fail_part = Some(2);
    let data = vec![7u8; 16 << 20];
    let err = backend
        .write_atomic("big.bin", &[&data], WriteOptions::default())
        .unwrap_err();
    assert!(err.message().contains("injected part failure"), "{err}");
    let c = counting.counts();
    assert_eq!((c.created, c.completed, c.aborted), (1, 0, 1));
    assert!(c.pending.is_empty());
    drop(c);
    assert!(!backend.exists("big.bin").unwrap());
}
