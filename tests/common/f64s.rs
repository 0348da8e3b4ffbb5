//! Float64 test arrays and the puts that store them, shared by the remote suites.
#![allow(dead_code)]

use npystore::{ArrayData, ArrayRef, Dtype, PutOptions, Store, Target};

/// `n` float64 values `i / 2 + seed`, little-endian: distinct per seed and position.
pub fn f64_bytes(n: usize, seed: f64) -> Vec<u8> {
    (0..n)
        .flat_map(|i| (i as f64 * 0.5 + seed).to_le_bytes())
        .collect()
}

/// Put float64 `data` (C or Fortran order) of `shape` at `path`.
pub fn put(store: &Store, path: &str, data: &[u8], shape: &[u64], fortran: bool) -> ArrayRef {
    put_opts(store, path, data, shape, fortran, PutOptions::default()).unwrap()
}

/// [`put`] with `options`, returning the outcome.
pub fn put_opts(
    store: &Store,
    path: &str,
    data: &[u8],
    shape: &[u64],
    fortran: bool,
    options: PutOptions,
) -> npystore::Result<ArrayRef> {
    let array = ArrayData {
        data,
        dtype: Dtype::parse("<f8").unwrap(),
        shape: shape.to_vec(),
        fortran_order: fortran,
    };
    store.put(&array, &Target::Path(path.into()), options)
}
