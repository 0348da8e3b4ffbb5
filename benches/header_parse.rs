//! `cargo bench --bench header_parse`: time to parse a typical `.npy` header, and
//! throughput of `c_to_fortran` on a 64 MiB f64 array against a naive copy loop.
//! Plain `std::time` (no criterion); prints one line per figure.

use std::hint::black_box;
use std::time::Instant;

use npystore::format::{c_to_fortran, parse_header, Dtype, Header};

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
