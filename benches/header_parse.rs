//! `cargo bench --bench header_parse`: time to parse a typical `.npy` header, time to
//! open (parse and validate) a 52,000-field structured header against numpy's
//! `np.load` of the same file in the same run, and throughput of `c_to_fortran` on a
//! 64 MiB f64 array against a naive copy loop. Plain `std::time` (no criterion);
//! prints one line per figure. `NPYSTORE_PYTHON` names numpy's python.

mod common;

use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use npystore::format::{c_to_fortran, parse_header, Dtype, Header};

/// The 52,000-field header of the security review (under the 1 MiB limit): npystore's
/// best open time of 5, and numpy's `np.load` of the same file (best of 5).
fn wide_structure() {
    let fields: Vec<String> = (0..52_000).map(|i| format!("('f{i}', '<u1')")).collect();
    let descr = format!("[{}]", fields.join(", "));
    // What npy_put does with the same descr: parse and validate it, build the header.
    let t = Instant::now();
    let header = Header {
        dtype: Dtype::parse(&descr).unwrap(),
        fortran_order: false,
        shape: vec![1],
    };
    let mut bytes = header.encode();
    println!(
        "put's dtype parse + header of the 52000-field descr: {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    bytes.resize(bytes.len() + header.data_len().unwrap() as usize, 0);
    let ours = (0..5)
        .map(|_| {
            let t = Instant::now();
            black_box(parse_header(black_box(&bytes)).unwrap());
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min);
    let path = std::env::temp_dir().join(format!("npystore-wide-{}.npy", std::process::id()));
    std::fs::write(&path, &bytes).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/py/numpy_header_bench.py");
    let out = Command::new(common::python())
        .arg(script)
        .arg(&path)
        .arg("5")
        .output();
    std::fs::remove_file(&path).ok();
    let numpy = out.ok().filter(|o| o.status.success()).and_then(|o| {
        String::from_utf8_lossy(&o.stdout)
            .trim()
            .parse::<f64>()
            .ok()
    });
    match numpy {
        Some(np) => println!(
            "open 52000-field header ({} bytes): {:.1} ms, np.load {:.1} ms: {:.1}x numpy's speed",
            bytes.len(),
            ours * 1e3,
            np * 1e3,
            np / ours
        ),
        None => println!(
            "open 52000-field header ({} bytes): {:.1} ms (numpy not run: set NPYSTORE_PYTHON)",
            bytes.len(),
            ours * 1e3
        ),
    }
}

fn per_iter<F: FnMut()>(iters: u32, mut f: F) -> f64 {
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    start.elapsed().as_secs_f64() / f64::from(iters)
}

fn main() {
    let typical = Header {
        dtype: Dtype::parse("<f8").unwrap(),
        fortran_order: false,
        shape: vec![1000, 64],
    }
    .encode();
    let structured = Header {
        dtype: Dtype::parse("[('t', '<M8[ns]'), ('x', '<f4', (3,)), ('id', '<u4'), ('ok', '|b1')]")
            .unwrap(),
        fortran_order: false,
        shape: vec![100000],
    }
    .encode();
    for (name, bytes) in [
        ("typical <f8 2-d", &typical),
        ("structured 4 fields", &structured),
    ] {
        per_iter(10_000, || drop(black_box(parse_header(black_box(bytes)))));
        let t = per_iter(200_000, || drop(black_box(parse_header(black_box(bytes)))));
        println!(
            "parse_header {name} ({} bytes): {:.3} us",
            bytes.len(),
            t * 1e6
        );
    }

    wide_structure();

    let (rows, cols) = (2048usize, 4096usize); // 64 MiB of f64
    let src: Vec<u8> = (0..rows * cols * 8).map(|i| i as u8).collect();
    let mut dst = vec![0u8; src.len()];
    let gbs = |t: f64| (src.len() as f64) / t / 1e9;
    let t = per_iter(5, || {
        c_to_fortran(&src, &mut dst, &[rows as u64, cols as u64], 8).unwrap()
    });
    println!(
        "c_to_fortran 64 MiB f64 ({rows}x{cols}): {:.2} GB/s",
        gbs(t)
    );
    let s: Vec<f64> = src
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    let mut d = vec![0f64; s.len()];
    let t = per_iter(5, || {
        for i in 0..rows {
            for j in 0..cols {
                d[j * rows + i] = s[i * cols + j];
            }
        }
        black_box(&mut d);
    });
    println!("naive transpose loop 64 MiB f64: {:.2} GB/s", gbs(t));
    let t = per_iter(5, || {
        dst.copy_from_slice(&src);
        black_box(&mut dst);
    });
    println!("memcpy 64 MiB (upper bound): {:.2} GB/s", gbs(t));
}
