//! The streaming writer end to end: every dtype family, both orders, 0 rows and
//! thousands of uneven appends, on a file store (numpy loads the result equal, and it
//! is byte-identical to np.save wherever the reserved header is numpy's own length)
//! and on the object stores (the in-memory store, and S3 on moto and Azure on Azurite
//! when their servers run: scripts/test.sh remote), multipart with several parts;
//! abort, drop, failed part uploads, partial rows and overwrite rules leave nothing
//! behind, on S3 down to its list of pending multipart uploads.

mod common;
#[path = "common/proxy.rs"]
mod proxy;

use common::remote::{self, Remote};
use common::{repo, run_python, Scratch};
use npystore::path::{KeyPart, KeyValue};
use npystore::TEMP_SUFFIX;
use npystore::{Dtype, ErrorKind, Order, PutOptions, Store, Target, Writer};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn file_store(dir: &Path) -> Store {
    let config = common::file_store_json("main", dir);
    Store::open(Some(&config), None).expect("open file store")
}

/// An in-memory store with 5 MiB parts (the smallest allowed) and 2 parts in flight.
fn memory_store() -> Store {
    Store::open(
        Some(
            r#"{"stores": {"default": "mem", "mem": {"protocol": "memory"}},
                "npystore": {"stores": {"mem": {"part_size_bytes": 5242880, "concurrency": 2}}}}"#,
        ),
        None,
    )
    .expect("open memory store")
}

/// The object stores' options here: 5 MiB parts (the smallest allowed), 2 in flight.
fn small_parts() -> Value {
    json!({"part_size_bytes": 5242880, "concurrency": 2})
}

/// A store the writer runs on, and its remote server when it has one.
struct Named {
    name: String,
    store: Store,
    remote: Option<Remote>,
}

impl Named {
    /// On S3: no multipart upload is left pending under the store's location.
    fn assert_no_pending_upload(&self) {
        if let Some(r) = self.remote.as_ref().filter(|r| r.kind == "s3") {
            assert_eq!(r.pending_uploads(), Vec::<String>::new(), "{}", self.name);
        }
    }
}

/// The object stores the writer runs on: the in-memory store and every configured
/// remote server (tests/common/remote.rs; with `NPYSTORE_REMOTE_REQUIRED=1` a
/// missing server fails), each with [`small_parts`].
fn object_stores() -> Vec<Named> {
    let mut stores = vec![Named {
        name: "memory".into(),
        store: memory_store(),
        remote: None,
    }];
    for r in remote::all() {
        stores.push(Named {
            name: r.kind.into(),
            store: r.open_with(small_parts()),
            remote: Some(r),
        });
    }
    stores
}

/// A file store at `dir`, then [`object_stores`].
fn all_stores(dir: &Path) -> Vec<Named> {
    let mut stores = vec![Named {
        name: "file".into(),
        store: file_store(dir),
        remote: None,
    }];
    stores.extend(object_stores());
    stores
}

struct Case {
    name: String,
    dtype: String,
    row_shape: Vec<u64>,
    rows: u64,
    fortran: bool,
    shape: Vec<u64>,
}

fn u64s(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap())
        .collect()
}

fn numpy_cases(dir: &Path) -> Vec<Case> {
    common::numpy_manifest("writer_cases.py", dir)
        .iter()
        .map(|c| Case {
            name: c["name"].as_str().unwrap().into(),
            dtype: c["dtype"].as_str().unwrap().into(),
            row_shape: u64s(&c["row_shape"]),
            rows: c["rows"].as_u64().unwrap(),
            fortran: c["order"] == "F",
            shape: u64s(&c["shape"]),
        })
        .collect()
}

/// A small deterministic generator for block sizes (xorshift64).
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Stream `bytes` into `writer` in uneven blocks of whole rows (empty ones included).
fn stream(writer: &mut Writer, bytes: &[u8], rng: &mut Rng, max_rows: u64) {
    let row = writer.row_bytes() as usize;
    let mut at = 0;
    while at < bytes.len() {
        let rows = rng.below(max_rows + 1) as usize;
        let end = (at + rows * row).min(bytes.len());
        writer.append(&bytes[at..end]).unwrap();
        at = end;
    }
    assert_eq!(writer.rows() as usize, bytes.len() / row);
}

fn open_writer(store: &Store, case: &Case, path: &str) -> Writer {
    store
        .writer(
            &Target::Path(path.into()),
            Dtype::parse(&case.dtype).unwrap(),
            case.row_shape.clone(),
            case.fortran,
            PutOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", case.name))
}

/// Every `*.npystore-tmp` file under `dir`.
fn temp_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else if p.to_string_lossy().ends_with(TEMP_SUFFIX) {
                found.push(p);
            }
        }
    }
    found
}

#[test]
fn every_dtype_and_order_streams_to_what_numpy_saves() {
    let oracle = Scratch::new("writer-oracle");
    let data = Scratch::new("writer-store");
    let store = file_store(data.path());
    let objects = object_stores();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut pairs = Vec::new();
    let cases = numpy_cases(oracle.path());
    for case in &cases {
        let raw = std::fs::read(oracle.path().join(format!("{}.bin", case.name))).unwrap();
        let path = format!("rec/{}.npy", case.name);
        let mut writer = open_writer(&store, case, &path);
        assert!(!data.path().join(&path).exists(), "visible before finish");
        stream(&mut writer, &raw, &mut rng, 7);
        assert_eq!(writer.rows(), case.rows, "{}", case.name);
        let r = writer.finish().unwrap();
        assert_eq!(r.shape(), case.shape.as_slice(), "{}", case.name);
        assert_eq!(r.dtype_str(), case.dtype, "{}", case.name);
        assert_eq!(r.load(Order::AsStored).unwrap(), raw, "{}", case.name);

        let written = std::fs::read(data.path().join(&path)).unwrap();
        let reference = oracle.path().join(format!("{}.npy", case.name));
        let numpy = std::fs::read(&reference).unwrap();
        assert!(
            written == numpy,
            "{}: not byte-identical to np.save ({} vs {} bytes)",
            case.name,
            written.len(),
            numpy.len()
        );
        // npystore reads it back from the header alone, in both orders.
        let again = store.open_ref(&path).unwrap();
        assert_eq!(again.shape(), case.shape.as_slice());
        assert_eq!(again.fortran_order(), r.fortran_order());
        pairs.push(data.path().join(&path).display().to_string());
        pairs.push(reference.display().to_string());

        // The same through the generic object-store path.
        for o in &objects {
            let mut writer = open_writer(&o.store, case, &path);
            stream(&mut writer, &raw, &mut rng, 50);
            let r = writer.finish().unwrap();
            let what = format!("{} {}", case.name, o.name);
            assert_eq!(r.load(Order::AsStored).unwrap(), raw, "{what}");
            let reopened = o.store.open_ref(&path).unwrap();
            assert_eq!(
                reopened.load(Order::C).unwrap(),
                again.load(Order::C).unwrap(),
                "{what}"
            );
        }
    }
    objects.iter().for_each(Named::assert_no_pending_upload);
    let args: Vec<&str> = pairs.iter().map(String::as_str).collect();
    let out = run_python(&repo().join("tests/oracles/check_load.py"), &args);
    assert_eq!(out.trim(), format!("ok {}", cases.len()));
    assert!(temp_files(data.path()).is_empty());
}

fn f64_writer(store: &Store, target: &Target, options: PutOptions) -> npystore::Result<Writer> {
    store.writer(
        target,
        Dtype::parse("<f8").unwrap(),
        vec![4],
        false,
        options,
    )
}

fn rows_bytes(first: u64, rows: u64) -> Vec<u8> {
    (first * 4..(first + rows) * 4)
        .flat_map(|v| (v as f64).to_le_bytes())
        .collect()
}

#[test]
fn a_large_recording_spans_many_parts_on_an_object_store() {
    for o in object_stores() {
        large_recording(&o.store);
        o.assert_no_pending_upload();
    }
}

fn large_recording(store: &Store) {
    let target = Target::Path("big/rec.npy".into());
    let mut writer = f64_writer(store, &target, PutOptions::default()).unwrap();
    let mut rng = Rng(42);
    let mut rows = 0;
    // ~23 MiB: five 5 MiB parts, the last one short.
    while rows < 750_000 {
        let n = 1 + rng.below(3000);
        writer.append(&rows_bytes(rows, n)).unwrap();
        rows += n;
        assert!(
            !store.exists("big/rec.npy").unwrap(),
            "visible before finish"
        );
    }
    let r = writer.finish().unwrap();
    assert_eq!(r.shape(), &[rows, 4]);
    let loaded = store
        .open_ref("big/rec.npy")
        .unwrap()
        .load(Order::C)
        .unwrap();
    assert!(loaded == rows_bytes(0, rows), "contents differ");
}

#[test]
fn abort_drop_and_failed_finish_leave_nothing() {
    let data = Scratch::new("writer-abort");
    for named in all_stores(data.path()) {
        let store = &named.store;
        let target = Target::Path("a/rec.npy".into());
        let mut w = f64_writer(store, &target, PutOptions::default()).unwrap();
        w.append(&rows_bytes(0, 10)).unwrap();
        w.abort().unwrap();
        assert!(!store.exists("a/rec.npy").unwrap());

        // Past the first two parts, so a multipart upload is under way: aborting or
        // dropping the writer aborts it.
        let big = rows_bytes(0, 16_000_000 / 32);
        let mut w = f64_writer(store, &target, PutOptions::default()).unwrap();
        w.append(&big).unwrap();
        pending_upload_seen(&named, "a/rec.npy");
        w.abort().unwrap();
        assert!(!store.exists("a/rec.npy").unwrap());
        named.assert_no_pending_upload();

        let mut w = f64_writer(store, &target, PutOptions::default()).unwrap();
        w.append(&big).unwrap();
        pending_upload_seen(&named, "a/rec.npy");
        drop(w);
        assert!(!store.exists("a/rec.npy").unwrap());
        named.assert_no_pending_upload();

        // A schema target is invisible until finish too, and gets a fresh token each time.
        let schema = Target::Schema {
            schema: "lab".into(),
            table: "_rec".into(),
            attribute: "trace".into(),
            key: vec![KeyPart::new("id", KeyValue::Int(1))],
        };
        let mut w = f64_writer(store, &schema, PutOptions::default()).unwrap();
        let path = w.path().to_string();
        assert!(path.starts_with("_schema/lab/_rec/id=1/trace_"), "{path}");
        w.append(&rows_bytes(0, 3)).unwrap();
        assert!(!store.exists(&path).unwrap());
        let r = w.finish().unwrap();
        assert_eq!(r.path(), path);
        assert_eq!(r.load(Order::C).unwrap(), rows_bytes(0, 3));
        named.assert_no_pending_upload();
    }
    assert!(temp_files(data.path()).is_empty());
    assert!(!data.path().join("a/rec.npy").exists());
}

/// On S3: the listing shows the writer's multipart upload under way (so an empty
/// listing afterwards means it was aborted, not that the listing sees nothing).
fn pending_upload_seen(named: &Named, path: &str) {
    if let Some(r) = named.remote.as_ref().filter(|r| r.kind == "s3") {
        let key = format!("{}/{path}", r.block["location"].as_str().unwrap());
        assert_eq!(r.pending_uploads(), vec![key], "{}", named.name);
    }
}

/// On S3, through a proxy that cuts every part upload once told to (retries off):
/// the append or finish that meets the failure reports it, the writer aborts its
/// multipart upload, and nothing is published.
#[test]
fn a_failed_part_upload_on_s3_leaves_no_pending_upload() {
    let Some(r) = remote::s3_required() else {
        return;
    };
    let proxy = proxy::Proxy::start(r.server_addr(), 0);
    let mut options = small_parts();
    options["retries"] = json!(0);
    let store = r.try_open(r.block_at(&proxy.url()), options).unwrap();
    let named = Named {
        name: "s3 via proxy".into(),
        store,
        remote: Some(r),
    };
    let target = Target::Path("cut/rec.npy".into());
    let mut w = f64_writer(&named.store, &target, PutOptions::default()).unwrap();
    let block = rows_bytes(0, (1 << 20) / 32); // 1 MiB
    for _ in 0..12 {
        w.append(&block).unwrap(); // parts 0 (held back) and 1 (sent) fill
    }
    pending_upload_seen(&named, "cut/rec.npy");
    proxy
        .cut_parts
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let failed = (0..40).find_map(|_| w.append(&block).err());
    // Nothing is pending once the failure is reported, before the writer is dropped.
    let (what, err) = match failed {
        Some(e) => {
            named.assert_no_pending_upload();
            ("append", e)
        }
        None => ("finish", w.finish().unwrap_err()),
    };
    eprintln!("s3: a cut part upload failed the {what}: {err}");
    assert!(!named.store.exists("cut/rec.npy").unwrap());
    named.assert_no_pending_upload();
}

#[test]
fn partial_rows_are_refused_and_write_nothing() {
    let data = Scratch::new("writer-partial");
    let store = file_store(data.path());
    let target = Target::Path("p.npy".into());
    let mut w = f64_writer(&store, &target, PutOptions::default()).unwrap();
    w.append(&rows_bytes(0, 2)).unwrap();
    let mut bad = rows_bytes(2, 2);
    bad.pop();
    assert_eq!(w.append(&bad).unwrap_err().kind(), ErrorKind::Length);
    assert_eq!(w.rows(), 2);
    w.append(&rows_bytes(2, 1)).unwrap();
    let r = w.finish().unwrap();
    assert_eq!(r.shape(), &[3, 4]);
    assert_eq!(r.load(Order::C).unwrap(), rows_bytes(0, 3));

    // Rows of no bytes cannot be counted.
    for (dtype, row) in [("<f8", vec![0]), ("<f8", vec![3, 0])] {
        let err = store
            .writer(
                &Target::Path("z.npy".into()),
                Dtype::parse(dtype).unwrap(),
                row,
                false,
                PutOptions::default(),
            )
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Shape, "{err}");
    }
    assert!(temp_files(data.path()).is_empty());
}

#[test]
fn existing_targets_need_overwrite_and_survive_until_finish() {
    let data = Scratch::new("writer-exists");
    for named in all_stores(data.path()) {
        let store = &named.store;
        let target = Target::Path("x.npy".into());
        let mut w = f64_writer(store, &target, PutOptions::default()).unwrap();
        w.append(&rows_bytes(0, 1)).unwrap();
        w.finish().unwrap();
        let err = f64_writer(store, &target, PutOptions::default()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AlreadyExists, "{err}");

        let overwrite = PutOptions {
            overwrite: true,
            ..PutOptions::default()
        };
        let mut w = f64_writer(store, &target, overwrite).unwrap();
        w.append(&rows_bytes(5, 2)).unwrap();
        // The old array stays whole until the new one is published.
        let old = store.open_ref("x.npy").unwrap();
        assert_eq!(old.load(Order::C).unwrap(), rows_bytes(0, 1));
        w.finish().unwrap();
        let new = store.open_ref("x.npy").unwrap();
        assert_eq!(new.shape(), &[2, 4]);
        assert_eq!(new.load(Order::C).unwrap(), rows_bytes(5, 2));

        // Another writer published first: a no-overwrite finish fails and discards.
        let y = Target::Path("y.npy".into());
        let mut late = f64_writer(store, &y, PutOptions::default()).unwrap();
        late.append(&rows_bytes(0, 1)).unwrap();
        let mut early = f64_writer(store, &y, PutOptions::default()).unwrap();
        early.append(&rows_bytes(9, 1)).unwrap();
        early.finish().unwrap();
        assert_eq!(late.finish().unwrap_err().kind(), ErrorKind::AlreadyExists);
        let kept = store.open_ref("y.npy").unwrap();
        assert_eq!(kept.load(Order::C).unwrap(), rows_bytes(9, 1));
        named.assert_no_pending_upload();
    }
    assert!(temp_files(data.path()).is_empty());
}

#[test]
fn writers_on_many_threads_share_one_store() {
    let data = Scratch::new("writer-threads");
    let store = file_store(data.path());
    std::thread::scope(|s| {
        for t in 0..4u64 {
            let store = store.clone();
            s.spawn(move || {
                let target = Target::Path(format!("t/{t}.npy"));
                let mut w = f64_writer(&store, &target, PutOptions::default()).unwrap();
                for i in 0..200 {
                    w.append(&rows_bytes(t * 1000 + i, 1)).unwrap();
                }
                w.finish().unwrap();
            });
        }
    });
    for t in 0..4u64 {
        let r = store.open_ref(&format!("t/{t}.npy")).unwrap();
        assert_eq!(r.load(Order::C).unwrap(), rows_bytes(t * 1000, 200));
    }
}
