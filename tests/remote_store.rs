//! The remote-store suite, run once per configured server (moto for S3, Azurite for
//! Azure; see tests/common/remote.rs): put (single and multipart), refs from paths
//! and JSON, loads in both orders, rows, mmap through the cache, bulk loads with
//! progress, and every error kind with a secret-leak check.

mod common;
#[path = "common/proxy.rs"]
mod proxy;

use common::f64s::{f64_bytes, put, put_opts};
use common::{remote, Scratch};
use npystore::load_many;
use npystore::{with_progress, Transfer};
use npystore::{ArrayRef, ErrorKind, MapMode, Order, PutOptions};
use serde_json::json;
use std::time::{Duration, Instant};

const MIB: u64 = 1 << 20;

/// The shape `[rows, cols]`.
fn dims(rows: usize, cols: usize) -> [u64; 2] {
    [rows as u64, cols as u64]
}

/// Fortran bytes of a C-order 2-D array of 8-byte items.
fn c_to_f_2d(c: &[u8], rows: usize, cols: usize) -> Vec<u8> {
    let mut f = vec![0u8; c.len()];
    for i in 0..rows {
        for j in 0..cols {
            let (src, dst) = ((i * cols + j) * 8, (j * rows + i) * 8);
            f[dst..dst + 8].copy_from_slice(&c[src..src + 8]);
        }
    }
    f
}

#[test]
fn puts_single_and_multipart_and_loads_them_back() {
    for r in remote::all() {
        let cache = Scratch::new("cache");
        let store = r.open_with(json!({
            "part_size_bytes": 5 * MIB, "concurrency": 4,
            "cache_dir": cache.path().to_str().unwrap()}));
        let small = f64_bytes(12, 1.0);
        let a = put(&store, "a/small.npy", &small, &[3, 4], false);
        let opened = store.open_ref("a/small.npy").unwrap();
        assert_eq!(
            (opened.shape(), opened.fortran_order()),
            (&[3u64, 4][..], Some(false))
        );
        assert_eq!(opened.load(Order::C).unwrap(), small, "{}", r.kind);
        assert_eq!(a.json(), store.ref_from_json(a.json()).unwrap().json());

        // 12 MiB: a multipart upload of three parts, read back in 5 MiB ranges.
        let (rows, cols) = (1024usize, 1536usize);
        let big = f64_bytes(rows * cols, 2.0);
        let b = put(&store, "a/big.npy", &big, &dims(rows, cols), false);
        let fresh = store.ref_from_json(b.json()).unwrap();
        assert!(fresh.load(Order::C).unwrap() == big, "{}", r.kind);
        assert!(fresh.load(Order::Fortran).unwrap() == c_to_f_2d(&big, rows, cols));
        // Neither a multipart nor a single put replaces an object unless asked to.
        for (path, data, shape) in [
            ("a/big.npy", &big, dims(rows, cols)),
            ("a/small.npy", &small, [3, 4]),
        ] {
            let again = put_opts(&store, path, data, &shape, false, PutOptions::default());
            assert_eq!(
                again.unwrap_err().kind(),
                ErrorKind::AlreadyExists,
                "{} {path}",
                r.kind
            );
        }
        let replaced = f64_bytes(12, 9.0);
        let overwrite = PutOptions {
            overwrite: true,
            ..Default::default()
        };
        put_opts(&store, "a/small.npy", &replaced, &[3, 4], false, overwrite).unwrap();
        assert_eq!(
            store
                .open_ref("a/small.npy")
                .unwrap()
                .load(Order::C)
                .unwrap(),
            replaced
        );

        // Stored in Fortran order: loads convert, AsStored does not.
        let fdata = c_to_f_2d(&big, rows, cols);
        let f = put(&store, "a/fortran.npy", &fdata, &dims(rows, cols), true);
        let fresh = store.ref_from_json(f.json()).unwrap();
        assert!(fresh.load(Order::C).unwrap() == big);
        assert_eq!(fresh.fortran_order(), Some(true));
        assert!(fresh.load(Order::AsStored).unwrap() == fdata);
        for path in ["a/small.npy", "a/big.npy", "a/fortran.npy"] {
            store.delete(path).unwrap();
            assert!(!store.exists(path).unwrap());
        }
    }
}

#[test]
fn rows_read_only_their_bytes_in_both_stored_orders() {
    for r in remote::all() {
        let cache = Scratch::new("cache");
        let store = r.open(cache.path());
        let (rows, cols) = (60usize, 7usize);
        let c = f64_bytes(rows * cols, 0.25);
        let shape = [rows as u64, cols as u64];
        let rc = put(&store, "rows/c.npy", &c, &shape, false);
        let rf = put(
            &store,
            "rows/f.npy",
            &c_to_f_2d(&c, rows, cols),
            &shape,
            true,
        );
        for stored in [&rc, &rf] {
            let fresh = store.ref_from_json(stored.json()).unwrap();
            let mut out = vec![0u8; 5 * cols * 8];
            fresh.read_rows(10, 5, &mut out, Order::C).unwrap();
            assert_eq!(
                out,
                c[10 * cols * 8..15 * cols * 8],
                "{} {}",
                r.kind,
                stored.path()
            );
            let mut outf = vec![0u8; 5 * cols * 8];
            fresh.read_rows(10, 5, &mut outf, Order::Fortran).unwrap();
            assert_eq!(outf, c_to_f_2d(&out, 5, cols));
        }
        let err = rc.read_rows(59, 2, &mut [0u8; 112], Order::C).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    }
}

#[test]
fn one_row_of_a_fresh_ref_transfers_the_row_and_the_header_only() {
    for r in remote::all() {
        let cache = Scratch::new("cache");
        let store = r.open(cache.path());
        let (rows, cols) = (2000usize, 128usize);
        let data = f64_bytes(rows * cols, 3.0);
        let stored = put(&store, "count/a.npy", &data, &dims(rows, cols), false);
        let proxy = proxy::Proxy::start(r.server_addr(), 0);
        let via = r.try_open(r.block_at(&proxy.url()), json!({})).unwrap();
        let fresh = via.ref_from_json(stored.json()).unwrap();
        let mut row = vec![0u8; cols * 8];
        fresh.read_rows(1234, 1, &mut row, Order::C).unwrap();
        assert_eq!(row, data[1234 * cols * 8..1235 * cols * 8]);
        // Two responses: the 128-byte header, then the 1 KiB row; allow their HTTP headers.
        let body = 128 + (cols * 8) as u64;
        assert!(
            proxy.down() < body + 2 * 1500,
            "{}: {} bytes came back",
            r.kind,
            proxy.down()
        );
    }
}

#[test]
fn mmap_maps_a_validated_cached_copy() {
    for r in remote::all() {
        let cache = Scratch::new("cache");
        let store = r.open(cache.path());
        let data = f64_bytes(5000, 4.0);
        let stored = put(&store, "m/a.npy", &data, &[50, 100], false);
        let fresh = store.ref_from_json(stored.json()).unwrap();
        let t1 = Transfer::new();
        let map = fresh.mmap_counted(MapMode::ReadOnly, Some(&t1)).unwrap();
        assert!(map.as_slice() == data.as_slice());
        assert!(t1.done() >= data.len() as u64);
        let t2 = Transfer::new();
        let mut copy = fresh.mmap_counted(MapMode::CopyOnWrite, Some(&t2)).unwrap();
        assert_eq!(t2.done(), 0, "{}: the cached copy is reused", r.kind);
        copy.as_mut_slice().unwrap()[0] ^= 0xff;
        assert!(
            map.as_slice() == data.as_slice(),
            "copy-on-write stays private"
        );
        let err = fresh.mmap(MapMode::ReadWrite).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unsupported);
        assert!(err.message().contains("r+"), "{err}");

        // A changed object (new ETag) is fetched again, never served stale.
        let changed = f64_bytes(5000, 8.0);
        let overwrite = PutOptions {
            overwrite: true,
            ..Default::default()
        };
        put_opts(&store, "m/a.npy", &changed, &[50, 100], false, overwrite).unwrap();
        // Windows cannot delete a mapped file: the stale copy goes once its maps do.
        #[cfg(windows)]
        drop((map, copy));
        let newer = store.ref_from_json(stored.json()).unwrap();
        assert!(newer.mmap(MapMode::ReadOnly).unwrap().as_slice() == changed.as_slice());
        let copies = std::fs::read_dir(cache.path()).unwrap().count();
        assert_eq!(copies, 1, "{}: the stale copy was replaced", r.kind);

        let tiny = r.open_with(
            json!({"cache_dir": cache.path().to_str().unwrap(), "cache_max_bytes": 1000}),
        );
        let err = tiny
            .ref_from_json(stored.json())
            .unwrap()
            .mmap(MapMode::ReadOnly)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unsupported, "{err}");
    }
}

#[test]
fn bulk_loads_every_item_and_reports_each_failure() {
    for r in remote::all() {
        let cache = Scratch::new("cache");
        let store = r.open(cache.path());
        let arrays: Vec<Vec<u8>> = (0..24).map(|i| f64_bytes(1000, i as f64)).collect();
        let mut refs: Vec<ArrayRef> = arrays
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let stored = put(&store, &format!("bulk/{i}.npy"), a, &[1000], false);
                store.ref_from_json(stored.json()).unwrap()
            })
            .collect();
        let missing =
            r#"{"path": "bulk/missing.npy", "store": "r", "dtype": "float64", "shape": [1000]}"#;
        refs.insert(5, store.ref_from_json(missing).unwrap());
        let mut bufs: Vec<Vec<u8>> = refs
            .iter()
            .map(|r| vec![0u8; r.nbytes() as usize])
            .collect();
        let total: u64 = refs.iter().map(|r| r.nbytes()).sum();
        let mut last = (0, 0);
        let mut cb = |done, total| {
            last = (done, total);
            true
        };
        let results = with_progress(total, Some(&mut cb), |t| {
            let mut items: Vec<(&ArrayRef, &mut [u8])> = refs
                .iter()
                .zip(bufs.iter_mut())
                .map(|(r, b)| (r, b.as_mut_slice()))
                .collect();
            load_many(&mut items, Order::C, 8, Some(t))
        });
        assert_eq!(results.len(), 25);
        assert_eq!(
            results[5].as_ref().unwrap_err().kind(),
            ErrorKind::NotFound,
            "{}",
            r.kind
        );
        for (i, result) in results.iter().enumerate().filter(|(i, _)| *i != 5) {
            let a = if i < 5 { i } else { i - 1 };
            assert!(result.is_ok(), "{} item {i}: {result:?}", r.kind);
            assert!(bufs[i] == arrays[a]);
        }
        assert_eq!(last, (total - 8000, total));
    }
}

#[test]
fn errors_are_specific_bounded_in_time_and_free_of_secrets() {
    for r in remote::all() {
        let cache = Scratch::new("cache");
        let store = r.open(cache.path());
        let check = |err: &npystore::Error, kind: ErrorKind, what: &str| {
            assert_eq!(err.kind(), kind, "{} {what}: {err}", r.kind);
            r.assert_no_secret(err.message());
        };
        check(
            &store.open_ref("none/here.npy").unwrap_err(),
            ErrorKind::NotFound,
            "missing object",
        );
        let json = r#"{"path": "none/here.npy", "store": "r", "dtype": "int8", "shape": [3]}"#;
        let err = store
            .ref_from_json(json)
            .unwrap()
            .load(Order::C)
            .unwrap_err();
        check(&err, ErrorKind::NotFound, "missing object by JSON");

        let nobucket = r
            .try_open(
                r.block_with(r.bucket_key(), json!("no-such-bucket-npy")),
                json!({}),
            )
            .unwrap();
        let err = nobucket.open_ref("a.npy").unwrap_err();
        check(&err, ErrorKind::BucketNotFound, "missing bucket");
        assert!(err.message().contains("no-such-bucket-npy"), "{err}");

        let fast = json!({"connect_timeout_ms": 500, "request_timeout_ms": 400, "retries": 1});
        let start = Instant::now();
        let unreachable = format!("http://127.0.0.1:{}", proxy::closed_port());
        let err = r
            .try_open(r.block_at(&unreachable), fast.clone())
            .unwrap()
            .open_ref("a.npy")
            .unwrap_err();
        check(&err, ErrorKind::Network, "unreachable endpoint");
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{:?}",
            start.elapsed()
        );

        let silent = proxy::Silent::start();
        let start = Instant::now();
        let err = r
            .try_open(r.block_at(&format!("http://{}", silent.addr)), fast)
            .unwrap()
            .open_ref("a.npy")
            .unwrap_err();
        check(&err, ErrorKind::Timeout, "silent endpoint");
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{:?}",
            start.elapsed()
        );

        // Throttled twice (503 SlowDown), then served: retried with backoff.
        let data = f64_bytes(10, 0.0);
        let stored = put(&store, "err/a.npy", &data, &[10], false);
        let proxy = proxy::Proxy::start(r.server_addr(), 2);
        let via = r
            .try_open(r.block_at(&proxy.url()), json!({"retries": 4}))
            .unwrap();
        assert_eq!(
            via.ref_from_json(stored.json())
                .unwrap()
                .load(Order::C)
                .unwrap(),
            data
        );
        assert_eq!(proxy.throttled.load(std::sync::atomic::Ordering::SeqCst), 2);
        let proxy = proxy::Proxy::start(r.server_addr(), 100);
        let via = r
            .try_open(r.block_at(&proxy.url()), json!({"retries": 1}))
            .unwrap();
        let err = via.open_ref("err/a.npy").unwrap_err();
        assert!(
            err.message().contains("503") || err.message().contains("SlowDown"),
            "{err}"
        );
        r.assert_no_secret(err.message());
    }
}

#[test]
fn rejected_credentials_are_permission_denied_without_the_secret() {
    for r in remote::all() {
        let (block, secret) = match r.kind {
            "azure" => {
                let wrong = "V3JvbmdLZXlXcm9uZ0tleVdyb25nS2V5V3JvbmdLZXk=";
                let cs = r.block["connection_string"].as_str().unwrap();
                let cs: Vec<String> = cs
                    .split(';')
                    .map(|p| {
                        if p.starts_with("AccountKey=") {
                            format!("AccountKey={wrong}")
                        } else {
                            p.to_string()
                        }
                    })
                    .collect();
                (
                    r.block_with("connection_string", json!(cs.join(";"))),
                    wrong.to_string(),
                )
            }
            _ => {
                let wrong = "wrong-secret-key-npystore-0123456789";
                (r.block_with("secret_key", json!(wrong)), wrong.to_string())
            }
        };
        if r.kind == "s3" && std::env::var("NPYSTORE_S3_CHECKS_AUTH").is_err() {
            eprintln!("s3: this server accepts any credentials; rejected credentials not tested");
            continue;
        }
        let store = r.try_open(block, json!({"retries": 0})).unwrap();
        let err = store.open_ref("a.npy").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{}: {err}", r.kind);
        assert!(!err.message().contains(&secret), "{err}");
        r.assert_no_secret(err.message());
    }
}

/// The int16 bytes of a channels x samples recording stored in Fortran order: sample
/// `t` of channel `c` is `(c * 7 + t) as i16`, at element `c + channels * t`.
fn recording(channels: usize, samples: usize) -> Vec<u8> {
    (0..samples)
        .flat_map(|t| (0..channels).map(move |c| (c * 7 + t) as i16))
        .flat_map(i16::to_le_bytes)
        .collect()
}

/// The bytes a ranged GET asked for (`bytes=a-b`).
fn range_len(e: &proxy::Exchange) -> u64 {
    let range = e.range.as_deref().expect("a ranged GET");
    let (a, b) = range.trim_start_matches("bytes=").split_once('-').unwrap();
    b.parse::<u64>().unwrap() - a.parse::<u64>().unwrap() + 1
}

/// The GETs a recording proxy logged, and the bytes it sent back.
fn gets(proxy: &proxy::Proxy) -> Vec<proxy::Exchange> {
    let mut log = proxy.exchanges();
    log.retain(|e| e.method == "GET");
    log
}

#[test]
fn a_time_window_of_a_fortran_recording_is_one_ranged_get() {
    for r in remote::all() {
        let cache = Scratch::new("cache");
        let store = r.open(cache.path());
        let (channels, samples) = (384usize, 10_000usize);
        let data = recording(channels, samples);
        let array = npystore::ArrayData {
            data: &data,
            dtype: npystore::Dtype::parse("<i2").unwrap(),
            shape: vec![channels as u64, samples as u64],
            fortran_order: true,
        };
        let target = npystore::Target::Path("rec/a.npy".into());
        let stored = store.put(&array, &target, PutOptions::default()).unwrap();
        let proxy = proxy::Proxy::start(r.server_addr(), 0);
        let via = r.try_open(r.block_at(&proxy.url()), json!({})).unwrap();
        let fresh = via.ref_from_json(stored.json()).unwrap();

        // Samples 2000..3000 of every channel: the header's GET, then one ranged GET of
        // exactly the window (768,000 bytes), beside the pinned second look at the
        // header that confirms the first answer's ETag (src/version.rs).
        proxy.record(true);
        let (t0, n) = (2000usize, 1000usize);
        let mut window = vec![0u8; channels * n * 2];
        let before = proxy.down();
        fresh
            .read_slice(
                &[0, t0 as u64],
                &[channels as u64, n as u64],
                &mut window,
                Order::Fortran,
            )
            .unwrap();
        let at = channels * t0 * 2;
        assert!(window == data[at..at + window.len()], "{}", r.kind);
        let mut log = gets(&proxy);
        log.retain(|e| e.range.as_deref() != Some("bytes=0-127"));
        assert_eq!(log.len(), 1, "{}: {log:?}", r.kind);
        let first = 128 + at as u64;
        let want = format!("bytes={first}-{}", first + window.len() as u64 - 1);
        assert_eq!(log[0].range.as_deref(), Some(want.as_str()), "{}", r.kind);
        let body = 2 * 128 + window.len() as u64;
        let down = proxy.down() - before;
        assert!(
            down < body + 3 * 1500,
            "{}: {down} bytes for {body}",
            r.kind
        );
        let n_gets = gets(&proxy).len();
        eprintln!("{}: time window: {n_gets} GETs, {down} bytes down", r.kind);

        // One channel of those samples: runs of 2 bytes, 768 apart, within the merge
        // gap: one ranged GET of the span (the header is known now), far from the
        // minimal 2,000 bytes but one request.
        let mut channel = vec![0u8; n * 2];
        let before = (gets(&proxy).len(), proxy.down());
        fresh
            .read_slice(&[7, t0 as u64], &[1, n as u64], &mut channel, Order::C)
            .unwrap();
        let want: Vec<u8> = (t0..t0 + n)
            .flat_map(|t| ((7 * 7 + t) as i16).to_le_bytes())
            .collect();
        assert_eq!(channel, want, "{}", r.kind);
        assert_eq!(gets(&proxy).len() - before.0, 1, "{}", r.kind);
        let span = ((n - 1) * channels * 2 + 2) as u64;
        assert!(proxy.down() - before.1 < span + 1500, "{}", r.kind);
        let down = proxy.down() - before.1;
        eprintln!(
            "{}: channel: 1 GET, {down} bytes down for {} bytes",
            r.kind,
            n * 2
        );

        // With a merge gap of 0 each sample is its own ranged GET of 2 bytes: the
        // fewest bytes, the most requests (20 samples here).
        via.set_merge_gap(0);
        let mut few = vec![0u8; 40];
        let before = gets(&proxy).len();
        fresh
            .read_slice(&[7, t0 as u64], &[1, 20], &mut few, Order::C)
            .unwrap();
        assert_eq!(few, want[..40], "{}", r.kind);
        let log = gets(&proxy);
        assert_eq!(log.len() - before, 20, "{}", r.kind);
        eprintln!("{}: gap 0, 20 samples: 20 GETs of 2 bytes", r.kind);
        assert!(log[before..].iter().all(|e| range_len(e) == 2));
    }
}

#[test]
fn a_channel_of_a_c_order_recording_is_one_get_of_its_own_bytes() {
    // channels x samples in C order (numpy's default for np.save(traces)): a channel
    // is one contiguous row, so 10,000 samples of it are one ranged GET of exactly
    // their 20,000 bytes beside the header's two looks. (In Fortran order a channel
    // is a 2-byte run every 768 bytes: a_time_window_... shows that trade-off.) A
    // channel near the start (within the merge gap of the header) comes with the
    // header in one GET instead: one request for the bytes in between.
    for r in remote::all() {
        let cache = Scratch::new("cache");
        let store = r.open(cache.path());
        let (channels, samples) = (384usize, 10_000usize);
        let data: Vec<u8> = (0..channels * samples)
            .flat_map(|i| (i as i16).to_le_bytes())
            .collect();
        let array = npystore::ArrayData {
            data: &data,
            dtype: npystore::Dtype::parse("<i2").unwrap(),
            shape: vec![channels as u64, samples as u64],
            fortran_order: false,
        };
        let target = npystore::Target::Path("rec/c.npy".into());
        let stored = store.put(&array, &target, PutOptions::default()).unwrap();
        let proxy = proxy::Proxy::start(r.server_addr(), 0);
        let via = r.try_open(r.block_at(&proxy.url()), json!({})).unwrap();
        proxy.record(true);
        let minimal = (samples * 2) as u64;
        let mut channel = vec![0u8; samples * 2];
        for (c, gets_at_most, body_bytes) in
            [(200usize, 3, minimal + 2 * 128), (7, 1, 128 + 8 * minimal)]
        {
            let before = gets(&proxy).len();
            let fresh = via.ref_from_json(stored.json()).unwrap();
            fresh
                .read_slice(&[c as u64, 0], &[1, samples as u64], &mut channel, Order::C)
                .unwrap();
            let at = c * samples * 2;
            assert!(channel == data[at..at + channel.len()], "{}", r.kind);
            let log = gets(&proxy).split_off(before);
            assert!(log.len() <= gets_at_most, "{}: {log:?}", r.kind);
            let body: u64 = log.iter().map(range_len).sum();
            assert_eq!(body, body_bytes, "{}: channel {c}: {log:?}", r.kind);
            eprintln!(
                "{}: C-order channel {c}: {} GETs, {body} body bytes for {minimal}",
                r.kind,
                log.len()
            );
        }
    }
}
