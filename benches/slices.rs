//! Partial reads against numpy in the same run (`cargo bench --bench slices`): issue 16.
//!
//! For each case on a file store (page-cached files), the best time of
//! `ArrayRef::read_slice` against numpy's `np.load(mmap_mode='r')` sliced and made
//! contiguous, and against loading the whole array (npystore's and numpy's):
//! - a row window of a C-order float64 file;
//! - one row of the issue's 16 x 200,000 float64 Fortran-order array;
//! - a time window, one channel, and one element of a 384 x 1,000,000 int16
//!   Fortran-order recording (768 MB; `NPYSTORE_BENCH_SAMPLES` changes the samples).
//!
//! Then one channel at several merge gaps (the measurement behind the file stores'
//! default). `NPYSTORE_PYTHON` names numpy's python. The S3 side (bytes on the wire
//! against the minimal bytes, requests made) is checked in tests/remote_store.rs.

mod common;

use common::{best, numpy_json};
use npystore::{ArrayData, ArrayRef, Dtype, Order, PutOptions, Store, Target};
use std::path::Path;
use std::time::Duration;

const ROUNDS: usize = 5;

/// One timed partial read.
struct Case {
    name: &'static str,
    path: &'static str,
    start: Vec<u64>,
    count: Vec<u64>,
    /// Time whole loads too (once per file is enough).
    whole: bool,
}

fn put(store: &Store, path: &str, dtype: &str, shape: &[u64], fortran: bool, data: &[u8]) {
    let array = ArrayData {
        data,
        dtype: Dtype::parse(dtype).unwrap(),
        shape: shape.to_vec(),
        fortran_order: fortran,
    };
    let options = PutOptions {
        overwrite: true,
        ..PutOptions::default()
    };
    store
        .put(&array, &Target::Path(path.into()), options)
        .unwrap();
}

fn numpy_times(dir: &Path, cases: &[Case]) -> serde_json::Value {
    let list: Vec<_> = cases
        .iter()
        .map(|c| {
            serde_json::json!({"name": c.name, "path": c.path, "start": c.start,
                "count": c.count, "whole": c.whole})
        })
        .collect();
    numpy_json(
        "numpy_slice_bench.py",
        &[
            dir.display().to_string(),
            ROUNDS.to_string(),
            serde_json::Value::from(list).to_string(),
        ],
    )
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let samples: u64 = std::env::var("NPYSTORE_BENCH_SAMPLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let dir = std::env::temp_dir().join(format!("npystore-slices-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = format!(
        r#"{{"stores": {{"default": "main", "main": {{"protocol": "file", "location": "{}"}}}}}}"#,
        dir.display()
    );
    let store = Store::open(Some(&config), None).unwrap();

    let rows: Vec<u8> = (0..100_000u64 * 64)
        .flat_map(|i| (i as f64).to_le_bytes())
        .collect();
    put(&store, "rows.npy", "<f8", &[100_000, 64], false, &rows);
    drop(rows);
    let wide: Vec<u8> = (0..16 * 200_000u64)
        .flat_map(|i| (i as f64).to_le_bytes())
        .collect();
    put(&store, "wide_f.npy", "<f8", &[16, 200_000], true, &wide);
    drop(wide);
    let rec: Vec<u8> = (0..384 * samples)
        .flat_map(|i| (i as i16).to_le_bytes())
        .collect();
    put(&store, "rec.npy", "<i2", &[384, samples], true, &rec);
    drop(rec);

    let mid = samples / 2;
    let cases = [
        Case {
            name: "row window (1000 of 100000 x 64 f8, C order)",
            path: "rows.npy",
            start: vec![40_000, 0],
            count: vec![1000, 64],
            whole: true,
        },
        Case {
            name: "one row of 16 x 200000 f8, Fortran order",
            path: "wide_f.npy",
            start: vec![0, 0],
            count: vec![1, 200_000],
            whole: true,
        },
        Case {
            name: "time window (10000 samples x 384 ch, i2 F)",
            path: "rec.npy",
            start: vec![0, mid],
            count: vec![384, 10_000.min(samples - mid)],
            whole: true,
        },
        Case {
            name: "one channel (all samples, i2 F)",
            path: "rec.npy",
            start: vec![100, 0],
            count: vec![1, samples],
            whole: false,
        },
        Case {
            name: "one element (i2 F)",
            path: "rec.npy",
            start: vec![200, mid],
            count: vec![1, 1],
            whole: false,
        },
    ];
    let numpy = numpy_times(&dir, &cases);
    println!("partial reads from a file store (best of {ROUNDS}; page-cached files)");
    println!(
        "{:<46} {:>10} {:>12} {:>8} {:>11} {:>11} {:>9}",
        "case", "npystore", "np mmap[s]", "vs np", "npy whole", "np.load", "vs whole"
    );
    let mut whole_ms = std::collections::HashMap::new();
    for case in &cases {
        let r: ArrayRef = store.open_ref(case.path).unwrap();
        let nbytes = case.count.iter().product::<u64>() * r.itemsize();
        let mut buf = vec![0u8; nbytes as usize];
        let ours = best(ROUNDS, || {
            let r = store.open_ref(case.path).unwrap();
            r.read_slice(&case.start, &case.count, &mut buf, Order::C)
                .unwrap();
        });
        let np = &numpy[case.name];
        let np_slice = np["mmap_slice"].as_f64().unwrap() * 1e3;
        if case.whole {
            let mut all = vec![0u8; r.nbytes() as usize];
            let ours_whole = best(2, || {
                store
                    .open_ref(case.path)
                    .unwrap()
                    .load_into(&mut all, Order::AsStored)
                    .unwrap()
            });
            let np_whole = np["whole"].as_f64().unwrap() * 1e3;
            whole_ms.insert(case.path, (ms(ours_whole), np_whole));
        }
        let (ours_whole, np_whole) = whole_ms[case.path];
        let ours = ms(ours);
        println!(
            "{:<46} {:>8.3}ms {:>10.3}ms {:>7.1}x {:>9.2}ms {:>9.2}ms {:>8.0}x",
            case.name,
            ours,
            np_slice,
            np_slice / ours,
            ours_whole,
            np_whole,
            ours_whole / ours
        );
    }
    println!("(vs np: numpy's mmap slice time / npystore's; vs whole: npystore's whole load / its slice)");

    println!("\none channel of the recording at several merge gaps (npystore, best of {ROUNDS})");
    let mut buf = vec![0u8; (samples * 2) as usize];
    for gap in [0u64, 1 << 10, 4 << 10, 8 << 10, 64 << 10, 1 << 20] {
        store.set_merge_gap(gap);
        let t = best(ROUNDS, || {
            let r = store.open_ref("rec.npy").unwrap();
            r.read_slice(&[100, 0], &[1, samples], &mut buf, Order::C)
                .unwrap();
        });
        println!("  gap {:>8} bytes: {:>9.2} ms", gap, ms(t));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
