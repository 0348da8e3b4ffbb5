//! C↔Fortran conversion and byte swapping against numpy's own bytes of the same
//! arrays (several item sizes, N-d, 0-d, zero-length, structured, the threaded path).

mod common;

use npystore::format::{byteswap_in_place, c_to_fortran, fortran_to_c, Dtype};
use npystore::ErrorKind;

#[test]
fn order_and_swap_match_numpy() {
    let scratch = common::Scratch::new("order");
    let dir = scratch.path();
    common::run_python(
        &common::repo().join("tests/oracles/npy_order.py"),
        &[dir.to_str().unwrap()],
    );
    let manifest: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    assert!(manifest.len() >= 20);
    let mut swapped_cases = 0;
    for (i, e) in manifest.iter().enumerate() {
        let dtype = Dtype::parse(e["descr"].as_str().unwrap()).unwrap();
        let shape: Vec<u64> = e["shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap())
            .collect();
        let read = |s: &str| std::fs::read(dir.join(format!("{i}.{s}"))).unwrap();
        let (c, f, native) = (read("c"), read("f"), read("native"));
        let itemsize = dtype.itemsize() as usize;
        let case = format!("case {i}: {} {shape:?}", dtype.numpy_str());

        let mut out = vec![0xAAu8; c.len()];
        c_to_fortran(&c, &mut out, &shape, itemsize).unwrap();
        assert!(
            out == f,
            "{case}: c_to_fortran differs from numpy's F bytes"
        );
        let mut back = vec![0x55u8; c.len()];
        fortran_to_c(&f, &mut back, &shape, itemsize).unwrap();
        assert!(
            back == c,
            "{case}: fortran_to_c differs from numpy's C bytes"
        );

        let mut buf = c.clone();
        byteswap_in_place(&mut buf, &dtype).unwrap();
        assert!(
            buf == native,
            "{case}: byteswap differs from numpy's astype to native"
        );
        assert_eq!(
            buf != c,
            dtype.needs_byteswap() && !c.is_empty(),
            "{case}: needs_byteswap"
        );
        byteswap_in_place(&mut buf, &dtype.to_native_order()).unwrap();
        assert!(
            buf == native,
            "{case}: swapping a native dtype must not change bytes"
        );
        swapped_cases += usize::from(dtype.needs_byteswap());
    }
    assert!(swapped_cases >= 8);
}

#[test]
fn lengths_are_checked() {
    let src = vec![0u8; 48];
    let mut dst = vec![0u8; 48];
    assert!(c_to_fortran(&src, &mut dst, &[2, 3], 8).is_ok());
    assert_eq!(
        c_to_fortran(&src, &mut dst, &[2, 4], 8).unwrap_err().kind(),
        ErrorKind::Length
    );
    assert_eq!(
        fortran_to_c(&src, &mut dst[..40], &[2, 3], 8)
            .unwrap_err()
            .kind(),
        ErrorKind::Length
    );
    assert_eq!(
        c_to_fortran(&src, &mut dst, &[u64::MAX, 3], 8)
            .unwrap_err()
            .kind(),
        ErrorKind::Shape
    );
    let f8 = Dtype::parse(">f8").unwrap();
    assert_eq!(
        byteswap_in_place(&mut dst[..47], &f8).unwrap_err().kind(),
        ErrorKind::Length
    );
}

#[test]
fn odd_itemsizes_and_unit_axes_round_trip() {
    for (shape, itemsize) in [
        (vec![3u64, 1, 4, 1, 5], 3usize),
        (vec![1, 1], 12),
        (vec![2, 3, 4, 5], 24),
        (vec![1000, 3], 1),
    ] {
        let n: u64 = shape.iter().product::<u64>() * itemsize as u64;
        let src: Vec<u8> = (0..n).map(|i| (i * 31 % 251) as u8).collect();
        let mut f = vec![0u8; src.len()];
        let mut c = vec![0u8; src.len()];
        c_to_fortran(&src, &mut f, &shape, itemsize).unwrap();
        fortran_to_c(&f, &mut c, &shape, itemsize).unwrap();
        assert_eq!(c, src, "{shape:?} x {itemsize}");
    }
}
