//! GCS reads against fake-gcs-server (scripts/gcs-server.sh), configured as users
//! configure GCS: a DataJoint gcs block whose `token` is a service-account JSON with
//! the emulator's `gcs_base_url` (tests/common/remote.rs). The emulator takes none of
//! the uploads object_store's GCS client sends (XML API PUT and multipart), so each
//! object is staged through its JSON API (tests/common/fake_gcs.rs) as the bytes
//! npystore's own put wrote into a file store; every read after that is npystore's
//! GCS path: refs from paths and JSON, ranged loads in parts, rows of both storage
//! orders, the mmap cache, bulk loads, a replaced object, and the error kinds.

mod common;
#[path = "common/proxy.rs"]
mod proxy;

use common::f64s::{f64_bytes, put};
use common::remote::{self, Remote};
use common::Scratch;
use npystore::load_many;
use npystore::{ArrayRef, ErrorKind, MapMode, Order, Store};
use serde_json::json;

/// The .npy bytes npystore's put writes for float64 `data` of `shape` (stored in
/// Fortran order when `fortran`), taken from a scratch file store.
fn npy(data: &[u8], shape: &[u64], fortran: bool) -> Vec<u8> {
    let dir = Scratch::new("gcs-npy");
    let config = json!({"stores": {"f": {"protocol": "file", "location": dir.path()}}});
    let store = Store::open(Some(&config.to_string()), Some("f")).unwrap();
    put(&store, "a.npy", data, shape, fortran);
    std::fs::read(dir.path().join("a.npy")).unwrap()
}

/// The GCS server (None: skipped, see tests/common/remote.rs), a scratch cache and
/// the store reading through it with 5 MiB parts and 3 requests in flight.
fn setup(tag: &str) -> Option<(Remote, Scratch, Store)> {
    let r = remote::gcs_required()?;
    let cache = Scratch::new(tag);
    let store = r.open_with(json!({"cache_dir": cache.path().to_str().unwrap(),
                                   "part_size_bytes": 5 << 20, "concurrency": 3}));
    Some((r, cache, store))
}

/// Rows `first..first + count` in C order of the `rows` x `cols` float64 array whose
/// Fortran-order bytes are `f`.
fn c_rows_of_fortran(f: &[u8], rows: usize, cols: usize, first: usize, count: usize) -> Vec<u8> {
    (first..first + count)
        .flat_map(|i| (0..cols).flat_map(move |j| f[(j * rows + i) * 8..][..8].to_vec()))
        .collect()
}

#[test]
fn loads_rows_and_mmaps_of_staged_objects() {
    let Some((r, cache, store)) = setup("gcs-cache") else {
        return;
    };

    // 12 MiB in C order: three 5 MiB ranged GETs, three in flight.
    let (rows, cols) = (16384, 96);
    let big = f64_bytes(rows * cols, 1.0);
    r.emulator_upload("c/big.npy", &npy(&big, &[rows as u64, cols as u64], false));
    let by_path = store.open_ref("c/big.npy").unwrap();
    assert_eq!(by_path.shape(), [rows as u64, cols as u64]);
    assert!(by_path.load(Order::C).unwrap() == big);
    let by_json = store.ref_from_json(by_path.json()).unwrap();
    let mut row = vec![0u8; 2 * cols * 8];
    by_json.read_rows(9000, 2, &mut row, Order::C).unwrap();
    assert!(row == big[9000 * cols * 8..9002 * cols * 8]);
    assert!(by_json.load(Order::C).unwrap() == big);

    // Fortran order: rows are runs gathered from every column.
    let (frows, fcols) = (500, 40);
    let f = f64_bytes(frows * fcols, 2.0);
    r.emulator_upload("c/f.npy", &npy(&f, &[frows as u64, fcols as u64], true));
    let fresh = store
        .ref_from_json(store.open_ref("c/f.npy").unwrap().json())
        .unwrap();
    let mut rows_buf = vec![0u8; 7 * fcols * 8];
    fresh.read_rows(100, 7, &mut rows_buf, Order::C).unwrap();
    assert!(rows_buf == c_rows_of_fortran(&f, frows, fcols, 100, 7));
    assert!(fresh.load(Order::Fortran).unwrap() == f);

    // A memory map is of a cached copy, fetched again once the object changes.
    let map = by_json.mmap(MapMode::ReadOnly).unwrap();
    assert!(map.as_slice() == big.as_slice());
    let changed = f64_bytes(rows * cols, 3.0);
    r.emulator_upload(
        "c/big.npy",
        &npy(&changed, &[rows as u64, cols as u64], false),
    );
    let again = store.ref_from_json(by_path.json()).unwrap();
    assert!(again.mmap(MapMode::ReadOnly).unwrap().as_slice() == changed.as_slice());
    assert_eq!(std::fs::read_dir(cache.path()).unwrap().count(), 1);
}

#[test]
fn a_replaced_object_is_read_whole_though_the_emulator_ignores_if_match() {
    let Some((r, _cache, store)) = setup("gcs-pin") else {
        return;
    };
    let shape = [2048u64, 96];
    let n = (shape[0] * shape[1]) as usize;
    r.emulator_upload("pin/a.npy", &npy(&f64_bytes(n, 1.0), &shape, false));
    let pinned = store.open_ref("pin/a.npy").unwrap();
    assert!(pinned.load(Order::C).unwrap() == f64_bytes(n, 1.0));

    // Same shape, new bytes stored in Fortran order: fake-gcs-server answers the
    // stale `If-Match` with the new bytes, and npystore's ETag check catches it.
    let second = f64_bytes(n, 2.0);
    r.emulator_upload("pin/a.npy", &npy(&second, &shape, true));
    assert!(pinned.load(Order::Fortran).unwrap() == second);

    // Another shape: the reference no longer describes the object.
    r.emulator_upload("pin/a.npy", &npy(&f64_bytes(10, 0.0), &[10], false));
    let err = pinned.load(Order::C).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Mismatch, "{err}");
}

#[test]
fn bulk_loads_and_errors_name_each_failure_without_the_key() {
    let Some((r, _cache, store)) = setup("gcs-bulk") else {
        return;
    };
    let arrays: Vec<Vec<u8>> = (0..6).map(|i| f64_bytes(1000, i as f64)).collect();
    let mut refs: Vec<ArrayRef> = arrays
        .iter()
        .enumerate()
        .map(|(i, a)| {
            r.emulator_upload(&format!("bulk/{i}.npy"), &npy(a, &[1000], false));
            store.open_ref(&format!("bulk/{i}.npy")).unwrap()
        })
        .collect();
    let missing = r#"{"path": "bulk/none.npy", "store": "r", "dtype": "float64", "shape": [1000]}"#;
    refs.insert(2, store.ref_from_json(missing).unwrap());
    let mut bufs: Vec<Vec<u8>> = refs.iter().map(|x| vec![0; x.nbytes() as usize]).collect();
    let mut items: Vec<(&ArrayRef, &mut [u8])> = refs
        .iter()
        .zip(bufs.iter_mut())
        .map(|(x, b)| (x, b.as_mut_slice()))
        .collect();
    let results = load_many(&mut items, Order::C, 4, None);
    assert_eq!(results[2].as_ref().unwrap_err().kind(), ErrorKind::NotFound);
    for (i, a) in arrays.iter().enumerate() {
        let at = if i < 2 { i } else { i + 1 };
        assert!(results[at].is_ok(), "item {at}: {:?}", results[at]);
        assert!(bufs[at] == *a, "item {at}");
    }

    let check = |err: npystore::Error, kind: ErrorKind| {
        assert_eq!(err.kind(), kind, "{err}");
        r.assert_no_secret(err.message());
        err
    };
    check(
        store.open_ref("none/here.npy").unwrap_err(),
        ErrorKind::NotFound,
    );
    let nobucket = r
        .try_open(
            r.block_with("bucket", json!("no-such-bucket-npy")),
            json!({}),
        )
        .unwrap();
    // fake-gcs-server answers a missing bucket with a bare 404 "Not Found", not the
    // `NoSuchBucket` error GCS sends (which npystore maps to BucketNotFound), so here
    // the emulator can only show NotFound naming the bucket.
    let err = check(nobucket.open_ref("a.npy").unwrap_err(), ErrorKind::NotFound);
    assert!(err.message().contains("no-such-bucket-npy"), "{err}");
    let closed = format!("http://127.0.0.1:{}", proxy::closed_port());
    let fast = json!({"connect_timeout_ms": 500, "request_timeout_ms": 400, "retries": 1});
    let unreachable = r.try_open(r.block_at(&closed), fast).unwrap();
    check(
        unreachable.open_ref("a.npy").unwrap_err(),
        ErrorKind::Network,
    );
}
