//! Faults between npystore and the servers: the loopback proxy of
//! tests/common/proxy.rs in front of moto (S3) and Azurite (Azure) cuts connections
//! (FIN), resets them (RST), stalls them, or answers 503, mid-response and
//! mid-upload, in front of single loads, puts, bulk loads and the mmap cache.
//! Transient faults are retried to the exact bytes. Persistent ones end within the
//! deadline in an error that names the object and shows no secret, and leave no
//! object, no pending multipart upload and no cached copy, partial or whole; a load
//! never reports success with wrong bytes.

mod common;
#[path = "common/proxy.rs"]
mod proxy;

use common::f64s::{f64_bytes, put, put_opts};
use common::remote::Remote;
use common::{remote, Scratch};
use npystore::load_many;
use npystore::Transfer;
use npystore::{ArrayRef, ErrorKind, MapMode, Order, PutOptions, Store};
use proxy::{Fault, Proxy};
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};

/// Every operation through a persistently faulty proxy ends within this.
const DEADLINE: Duration = Duration::from_secs(10);

/// Options under which persistent faults fail fast: short timeouts, one retry.
fn fast() -> Value {
    json!({"connect_timeout_ms": 500, "request_timeout_ms": 1000, "retries": 1})
}

/// `options` plus the given cache directory.
fn with_cache(mut options: Value, cache: &Path) -> Value {
    options["cache_dir"] = json!(cache.to_str().unwrap());
    options
}

/// The store `r` reached through a proxy giving its first `first` connections
/// `fault`; keep the proxy alive while the store is used.
fn proxied(r: &Remote, fault: Fault, first: usize, options: Value) -> (Proxy, Store) {
    let proxy = Proxy::faulty(r.server_addr(), fault, first);
    let store = r.try_open(r.block_at(&proxy.url()), options).unwrap();
    (proxy, store)
}

/// What an operation through a faulty proxy came to: its outcome, how long it
/// took, and how many connections the proxy spoiled.
struct Outcome<T> {
    got: npystore::Result<T>,
    took: Duration,
    spoiled: usize,
}

/// Run `op` on `r` reached through a proxy that gives its first `first` connections
/// `fault`.
fn through<T>(
    r: &Remote,
    fault: Fault,
    first: usize,
    options: Value,
    op: impl FnOnce(&Store) -> npystore::Result<T>,
) -> Outcome<T> {
    let (proxy, store) = proxied(r, fault, first, options);
    let start = Instant::now();
    let got = op(&store);
    Outcome {
        got,
        took: start.elapsed(),
        spoiled: proxy.spoiled(),
    }
}

impl<T: std::fmt::Debug> Outcome<T> {
    /// The error of a persistently faulty operation, checked: one of `kinds`, naming
    /// `path`, within the deadline, without a secret.
    fn clean_failure(self, r: &Remote, kinds: &[ErrorKind], path: &str, what: &str) -> String {
        let err = self.got.expect_err(what);
        let context = format!("{} {what}: {err} ({:?})", r.kind, err.kind());
        assert!(kinds.contains(&err.kind()), "{context}");
        assert!(err.message().contains(path), "{context}");
        assert!(self.took < DEADLINE, "{context}: took {:?}", self.took);
        r.assert_no_secret(err.message());
        context
    }
}

/// Failures of the transport: cut, reset or silent connections.
const TRANSPORT: &[ErrorKind] = &[ErrorKind::Network, ErrorKind::Timeout, ErrorKind::Io];

#[test]
#[cfg_attr(
    windows,
    ignore = "TCP resets from the fault proxy come out as timeouts under Wine, not resets"
)]
fn faults_between_client_and_server_are_retried_or_fail_cleanly() {
    for r in remote::all() {
        let cache = Scratch::new("cache");
        let store = r.open(cache.path());
        let data = f64_bytes(8192, 3.0); // 64 KiB: a fault at 2000 bytes is mid-body
        let stored = put(&store, "fault/a.npy", &data, &[8192], false);
        let load = |s: &Store| s.ref_from_json(stored.json())?.load(Order::C);

        // Transient: the first two connections are cut or reset mid-body; retried
        // to the bytes.
        for (fault, what) in [
            (Fault::CutDown(2000), "cut mid-body"),
            (Fault::ResetDown(2000), "reset mid-body"),
        ] {
            let out = through(&r, fault, 2, json!({"retries": 4}), load);
            assert_eq!(
                out.got.unwrap(),
                data,
                "{}: {what} twice, then served",
                r.kind
            );
            assert_eq!(out.spoiled, 2, "{} {what}", r.kind);
        }

        // Persistent: every connection cut, reset or stalled; a clear error within
        // the deadline, never bytes. A reset is a network failure.
        for (fault, what, kinds) in [
            (Fault::CutDown(2000), "cut mid-body", TRANSPORT),
            (Fault::CutDown(100), "cut in the headers", TRANSPORT),
            (Fault::Stall(2000), "stalled mid-body", TRANSPORT),
            (
                Fault::ResetDown(2000),
                "reset mid-body",
                &[ErrorKind::Network][..],
            ),
            (
                Fault::ResetDown(100),
                "reset in the headers",
                &[ErrorKind::Network][..],
            ),
        ] {
            let out = through(&r, fault, usize::MAX, fast(), load);
            eprintln!("{}", out.clean_failure(&r, kinds, "fault/a.npy", what));
        }
    }
}

#[test]
#[cfg_attr(
    windows,
    ignore = "TCP resets from the fault proxy come out as timeouts under Wine, not resets"
)]
fn uploads_cut_or_reset_mid_body_are_retried_or_leave_nothing() {
    for r in remote::all() {
        let cache = Scratch::new("cache");
        let store = r.open(cache.path());
        let data = f64_bytes(8192, 4.0);
        for (fault, what) in [
            (Fault::CutUp(16 << 10), "cut mid-upload"),
            (Fault::ResetUp(16 << 10), "reset mid-upload"),
        ] {
            // Transient: an overwriting put is resent; the object is whole.
            let path = "up/transient.npy";
            let overwrite = PutOptions {
                overwrite: true,
                ..PutOptions::default()
            };
            let out = through(&r, fault, 2, json!({"retries": 4}), |s| {
                put_opts(s, path, &data, &[8192], false, overwrite)
            });
            out.got.unwrap_or_else(|e| panic!("{} {what}: {e}", r.kind));
            assert_eq!(out.spoiled, 2, "{} {what}", r.kind);
            let back = store.open_ref(path).unwrap().load(Order::C).unwrap();
            assert_eq!(back, data, "{} {what}", r.kind);
            store.delete(path).unwrap();

            // Persistent: a single PUT and a multipart upload (6 MiB in 5 MiB parts)
            // fail within the deadline and leave no object and no pending upload.
            let big = f64_bytes(6 << 17, 5.0);
            for (path, bytes) in [("up/single.npy", &data), ("up/multipart.npy", &big)] {
                let n = bytes.len() as u64 / 8;
                let options = json!({"connect_timeout_ms": 500, "request_timeout_ms": 1000,
                                     "retries": 1, "part_size_bytes": 5 << 20});
                let out = through(&r, fault, usize::MAX, options, |s| {
                    put_opts(s, path, bytes, &[n], false, PutOptions::default())
                });
                let context = out.clean_failure(&r, TRANSPORT, path, what);
                eprintln!("{context}");
                assert!(
                    !store.exists(path).unwrap(),
                    "{context}: an object was left"
                );
                if r.kind == "s3" {
                    assert_eq!(r.pending_uploads(), Vec::<String>::new(), "{context}");
                }
            }
        }

        // A put that must not replace anything (PutMode::Create) is not resent by
        // object_store after its connection was reset mid-upload (the first attempt
        // might have landed): one reset is a network error, and nothing is left.
        let path = "up/create.npy";
        let out = through(
            &r,
            Fault::ResetUp(16 << 10),
            1,
            json!({"retries": 4}),
            |s| put_opts(s, path, &data, &[8192], false, PutOptions::default()),
        );
        let context = out.clean_failure(&r, &[ErrorKind::Network], path, "create reset once");
        assert!(!store.exists(path).unwrap(), "{context}");
    }
}

/// `n` arrays of 64 KiB at `bulk/<i>.npy`, and references to them from their JSON.
fn bulk_arrays(store: &Store, n: usize) -> (Vec<Vec<u8>>, Vec<String>) {
    let arrays: Vec<Vec<u8>> = (0..n).map(|i| f64_bytes(8192, i as f64)).collect();
    let json = arrays
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let stored = put(store, &format!("bulk/{i}.npy"), a, &[8192], false);
            stored.json().to_string()
        })
        .collect();
    (arrays, json)
}

/// Load every reference at once (8 at a time) into buffers prefilled with a byte
/// no array holds; the per-item outcomes and the buffers.
fn load_all(store: &Store, json: &[String]) -> (Vec<npystore::Result<()>>, Vec<Vec<u8>>) {
    let refs: Vec<ArrayRef> = json
        .iter()
        .map(|j| store.ref_from_json(j).unwrap())
        .collect();
    let mut bufs: Vec<Vec<u8>> = refs
        .iter()
        .map(|r| vec![0xA5; r.nbytes() as usize])
        .collect();
    let mut items: Vec<(&ArrayRef, &mut [u8])> = refs
        .iter()
        .zip(bufs.iter_mut())
        .map(|(r, b)| (r, b.as_mut_slice()))
        .collect();
    let results = load_many(&mut items, Order::C, 8, None);
    (results, bufs)
}

#[test]
#[cfg_attr(
    windows,
    ignore = "TCP resets from the fault proxy come out as timeouts under Wine, not resets"
)]
fn bulk_loads_through_faults_never_report_wrong_bytes() {
    for r in remote::all() {
        let cache = Scratch::new("cache");
        let store = r.open(cache.path());
        let (arrays, json) = bulk_arrays(&store, 24);
        for (fault, what) in [
            (Fault::CutDown(2000), "cut mid-body"),
            (Fault::ResetDown(2000), "reset mid-body"),
        ] {
            let context = format!("{} {what}", r.kind);
            // Transient: the first 4 connections spoiled; every item retried to its bytes.
            let (proxy, via) = proxied(&r, fault, 4, json!({"retries": 4}));
            let (results, bufs) = load_all(&via, &json);
            for (i, result) in results.iter().enumerate() {
                assert!(result.is_ok(), "{context} item {i}: {result:?}");
                assert!(bufs[i] == arrays[i], "{context} item {i}: wrong bytes");
            }
            assert_eq!(proxy.spoiled(), 4, "{context}");

            // Without retries, the items served on the first 6 connections fail
            // alone, each with its own error; every item reported loaded is exact.
            let (_proxy, via) = proxied(&r, fault, 6, json!({"retries": 0}));
            let (results, bufs) = load_all(&via, &json);
            let failed = results.iter().filter(|r| r.is_err()).count();
            for (i, result) in results.iter().enumerate() {
                match result {
                    Ok(()) => assert!(bufs[i] == arrays[i], "{context} item {i}: wrong bytes"),
                    Err(e) => assert!(TRANSPORT.contains(&e.kind()), "{context} item {i}: {e}"),
                }
            }
            assert!(
                (1..24).contains(&failed),
                "{context}: {failed} of 24 items failed, expected some"
            );

            // Persistent: every item fails within the deadline, naming its object.
            let start = Instant::now();
            let (_proxy, via) = proxied(&r, fault, usize::MAX, fast());
            let (results, _) = load_all(&via, &json);
            for (i, result) in results.iter().enumerate() {
                let err = result.as_ref().expect_err(&context);
                assert!(TRANSPORT.contains(&err.kind()), "{context} item {i}: {err}");
                assert!(err.message().contains(&format!("bulk/{i}.npy")), "{err}");
                r.assert_no_secret(err.message());
            }
            assert!(
                start.elapsed() < DEADLINE,
                "{context}: {:?}",
                start.elapsed()
            );
            eprintln!("{context}: transient retried, {failed} of 24 failed alone without retries, all 24 failed when persistent");
        }
    }
}

/// The cache directory's entries: (complete copies, temporary files).
fn cache_entries(dir: &Path) -> (usize, usize) {
    let names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    let copies = names.iter().filter(|n| n.ends_with(".npy")).count();
    assert_eq!(
        copies + names.iter().filter(|n| n.ends_with(".tmp")).count(),
        names.len(),
        "{names:?}"
    );
    (copies, names.len() - copies)
}

#[test]
#[cfg_attr(
    windows,
    ignore = "TCP resets from the fault proxy come out as timeouts under Wine, not resets"
)]
fn cache_fills_through_faults_leave_no_partial_copy() {
    for r in remote::all() {
        let data = f64_bytes(8192, 6.0);
        let setup = Scratch::new("cache");
        let stored = put(&r.open(setup.path()), "map/a.npy", &data, &[8192], false);
        for (fault, what) in [
            (Fault::CutDown(2000), "cut mid-body"),
            (Fault::ResetDown(2000), "reset mid-body"),
        ] {
            let context = format!("{} {what}", r.kind);
            // Persistent: the download of the copy (after the small header request)
            // is cut every time; the map fails and the cache holds nothing.
            let cache = Scratch::new("fault-cache");
            let started = Transfer::new();
            let out = through(
                &r,
                fault,
                usize::MAX,
                with_cache(fast(), cache.path()),
                |s| {
                    s.ref_from_json(stored.json())?
                        .mmap_counted(MapMode::ReadOnly, Some(&started))
                        .map(|m| m.as_slice().to_vec())
                },
            );
            eprintln!("{}", out.clean_failure(&r, TRANSPORT, "map/a.npy", what));
            assert!(started.done() > 0, "{context}: the download never started");
            assert_eq!(cache_entries(cache.path()), (0, 0), "{context}");

            // Then without faults: a fresh download (nothing partial is reused) maps
            // the exact bytes.
            let direct = r.open(cache.path());
            let fetched = Transfer::new();
            let map = direct
                .ref_from_json(stored.json())
                .unwrap()
                .mmap_counted(MapMode::ReadOnly, Some(&fetched))
                .unwrap();
            assert!(map.as_slice() == data.as_slice(), "{context}");
            assert!(
                fetched.done() >= data.len() as u64,
                "{context}: not downloaded"
            );
            assert_eq!(cache_entries(cache.path()), (1, 0), "{context}");

            // Transient: the first two connections spoiled; retried to a whole copy.
            let cache = Scratch::new("fault-cache");
            let options = with_cache(json!({"retries": 4}), cache.path());
            let out = through(&r, fault, 2, options, |s| {
                s.ref_from_json(stored.json())?
                    .mmap(MapMode::ReadOnly)
                    .map(|m| m.as_slice().to_vec())
            });
            assert!(out.got.unwrap() == data, "{context}: transient");
            assert_eq!(out.spoiled, 2, "{context}");
            assert_eq!(cache_entries(cache.path()), (1, 0), "{context}");
        }
    }
}
