//! Concurrency stress: 8 threads share one store handle and run a fixed number of
//! mixed operations each (put, overwrite, load, load from JSON, mmap, row reads,
//! delete, streaming writer, schema-addressed put) on their own paths and on paths
//! all threads overwrite. No call may fail unexpectedly, and every array read back
//! must equal what was put: exactly, on a thread's own paths; on shared paths, one
//! whole generation (every value names its generation, so a torn read shows).

mod common;

use common::crash::{file_config, memory_config, s3_config, ConfigFor, Rng};
use common::Scratch;
use npystore::path::{KeyPart, KeyValue};
use npystore::{ArrayData, Dtype, ErrorKind, MapMode, Order, PutOptions, Store, Target};
use std::collections::HashMap;

const THREADS: u64 = 8;
const OPS: usize = 250;
const OWN_PATHS: u64 = 4;
const SHARED_PATHS: u64 = 3;
const COLS: u64 = 16;

/// The stores the stress runs on, and whether threads also race each other on
/// shared paths, where a reader racing an overwrite must get one whole object: file
/// stores read header and data through one open file; object stores read the data
/// pinned to the ETag of the header they read (tests/remote_pinned.rs). S3 runs on
/// moto when configured (scripts/test.sh remote; skipped otherwise,
/// tests/common/crash.rs `s3_config`). Adding a store is one line here.
const STORES: &[(&str, ConfigFor, bool)] = &[
    // Windows refuses to replace a file another handle has open or mapped
    // (PermissionDenied, tests/mmap_hazard.rs): there, threads keep to their own paths.
    ("file", file_config, cfg!(not(windows))),
    ("memory", memory_config, true),
    ("s3", s3_config, true),
];

/// What a thread last put at one of its paths: shape and bytes (`<f8`, C order).
type Expected = HashMap<String, (Vec<u64>, Vec<u8>)>;

/// `n` float64 values that name their array (`tag`), its length and their index, so
/// any mix of two arrays, or one array under another's shape, shows.
fn values(tag: u64, n: u64) -> Vec<u8> {
    (0..n)
        .flat_map(|i| ((tag << 32 | n << 16 | i) as f64).to_le_bytes())
        .collect()
}

fn put(store: &Store, target: &Target, shape: &[u64], data: &[u8]) -> npystore::ArrayRef {
    let array = ArrayData {
        data,
        dtype: Dtype::parse("<f8").unwrap(),
        shape: shape.to_vec(),
        fortran_order: false,
    };
    let options = PutOptions {
        overwrite: true,
        ..PutOptions::default()
    };
    store.put(&array, target, options).unwrap()
}

/// A shared path holds one whole generation: `rows` x COLS values of a single tag.
fn check_generation(path: &str, shape: &[u64], bytes: &[u8]) {
    let tag = (f64::from_le_bytes(bytes[..8].try_into().unwrap()) as u64) >> 32;
    assert_eq!(shape.len(), 2, "{path}");
    assert!(
        bytes == values(tag, shape[0] * COLS),
        "{path}: torn or mixed content"
    );
}

fn worker(store: &Store, t: u64, mapped: bool, shared_paths: bool) -> usize {
    let mut rng = Rng::new(0x9e37_79b9_7f4a_7c15 ^ ((t + 1) * 0x1234_5678));
    let mut expected = Expected::new();
    let mut checked = 0;
    for seq in 0..OPS as u64 {
        let tag = t << 16 | seq;
        let own = format!("t{t}/obj{}.npy", rng.below(OWN_PATHS));
        let op = match rng.below(10) {
            8 | 9 if !shared_paths => rng.below(8),
            op => op,
        };
        match op {
            0 | 1 => {
                let rows = rng.below(6); // 0 rows too
                let data = values(tag, rows * COLS);
                put(store, &Target::Path(own.clone()), &[rows, COLS], &data);
                expected.insert(own, (vec![rows, COLS], data));
            }
            2 => match (store.open_ref(&own), expected.get(&own)) {
                (Ok(r), Some((shape, data))) => {
                    assert_eq!(r.shape(), shape.as_slice(), "{own}");
                    assert!(r.load(Order::C).unwrap() == *data, "{own}");
                    checked += 1;
                }
                (Err(e), None) => assert_eq!(e.kind(), ErrorKind::NotFound, "{e}"),
                (got, want) => panic!(
                    "{own}: {:?} but expected {:?}",
                    got.err(),
                    want.map(|w| &w.0)
                ),
            },
            3 => {
                if let Some((shape, data)) = expected.get(&own) {
                    let json = format!(
                        r#"{{"path": "{own}", "dtype": "float64", "shape": [{}, {}]}}"#,
                        shape[0], shape[1]
                    );
                    let r = store.ref_from_json(&json).unwrap();
                    let mut buf = vec![0u8; data.len()];
                    r.load_into(&mut buf, Order::Fortran).unwrap();
                    let mut back = vec![0u8; data.len()];
                    npystore::format::fortran_to_c(&buf, &mut back, shape, 8).unwrap();
                    assert!(back == *data, "{own}");
                    if shape[0] > 0 {
                        let first = rng.below(shape[0]);
                        let count = 1 + rng.below(shape[0] - first);
                        let per_row = (COLS * 8) as usize;
                        let mut rows = vec![0u8; count as usize * per_row];
                        r.read_rows(first, count, &mut rows, Order::C).unwrap();
                        let from = first as usize * per_row;
                        assert!(rows == data[from..from + rows.len()], "{own} rows");
                    }
                    checked += 1;
                }
            }
            4 => {
                if let Some((_, data)) = expected.get(&own) {
                    let r = store.open_ref(&own).unwrap();
                    match r.mmap(MapMode::ReadOnly) {
                        Ok(map) => {
                            assert!(map.as_slice() == data.as_slice(), "{own} mapped");
                            checked += 1;
                        }
                        Err(e) => assert!(!mapped && e.kind() == ErrorKind::Unsupported, "{e}"),
                    }
                }
            }
            5 => match (store.delete(&own), expected.remove(&own)) {
                (Ok(()), Some(_)) => {}
                (Err(e), None) => assert_eq!(e.kind(), ErrorKind::NotFound, "{e}"),
                (got, _) => panic!("{own}: delete gave {got:?}"),
            },
            6 => {
                let rows = 1 + rng.below(40);
                let mut w = store
                    .writer(
                        &Target::Path(own.clone()),
                        Dtype::parse("<f8").unwrap(),
                        vec![COLS],
                        false,
                        PutOptions {
                            overwrite: true,
                            ..PutOptions::default()
                        },
                    )
                    .unwrap();
                let data = values(tag, rows * COLS);
                for chunk in data.chunks((COLS * 8 * 7) as usize) {
                    w.append(chunk).unwrap();
                }
                w.finish().unwrap();
                expected.insert(own, (vec![rows, COLS], data));
            }
            7 => {
                let target = Target::Schema {
                    schema: "lab".into(),
                    table: "stress".into(),
                    attribute: "a".into(),
                    key: vec![
                        KeyPart::new("thread", KeyValue::Int(t as i64)),
                        KeyPart::new("seq", KeyValue::Int(seq as i64)),
                    ],
                };
                let data = values(tag, 2 * COLS);
                let written = put(store, &target, &[2, COLS], &data);
                let again = store.ref_from_json(written.json()).unwrap();
                assert!(again.load(Order::AsStored).unwrap() == data);
                again.delete().unwrap();
                checked += 1;
            }
            8 => {
                let shared = format!("shared/s{}.npy", rng.below(SHARED_PATHS));
                let rows = 1 + rng.below(8);
                put(
                    store,
                    &Target::Path(shared),
                    &[rows, COLS],
                    &values(tag, rows * COLS),
                );
            }
            _ => {
                let shared = format!("shared/s{}.npy", rng.below(SHARED_PATHS));
                match store.open_ref(&shared) {
                    Ok(r) => match r.load(Order::C) {
                        Ok(bytes) => {
                            check_generation(&shared, r.shape(), &bytes);
                            checked += 1;
                        }
                        // Replaced between reading its header and its data by an array
                        // of another shape: refused, never misread (or, replaced again
                        // and again while being read, given up on).
                        Err(e) => assert!(
                            matches!(e.kind(), ErrorKind::Mismatch | ErrorKind::Format)
                                || e.message().contains("times in a row"),
                            "{shared}: {e}"
                        ),
                    },
                    Err(e) => assert_eq!(e.kind(), ErrorKind::NotFound, "{e}"),
                }
            }
        }
    }
    checked
}

#[test]
fn eight_threads_share_one_store() {
    for &(name, config_for, shared_paths) in STORES {
        let dir = Scratch::new(&format!("stress-{name}"));
        let Some(config) = config_for(dir.path()) else {
            continue;
        };
        let store = Store::open(Some(&config), None).unwrap();
        let mapped = name == "file";
        let checked: usize = std::thread::scope(|scope| {
            let store = &store;
            let threads: Vec<_> = (0..THREADS)
                .map(|t| scope.spawn(move || worker(store, t, mapped, shared_paths)))
                .collect();
            threads.into_iter().map(|h| h.join().unwrap()).sum()
        });
        eprintln!(
            "{name}: {THREADS} threads x {OPS} operations on one store, {checked} reads checked"
        );
        assert!(checked > THREADS as usize * OPS / 10);
    }
}
