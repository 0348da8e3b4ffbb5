//! Cross-check with the independent `ndarray-npy` reader and writer, and (with the
//! `ndarray` feature) the typed convenience `format::typed`.

use ndarray::{ArrayD, IxDyn, ShapeBuilder};
use ndarray_npy::{ReadNpyExt, WriteNpyExt};
use npystore::format::{parse_header, Dtype, Header, HeaderParse};

fn npystore_file(descr: &str, shape: &[u64], fortran: bool, data: &[u8]) -> Vec<u8> {
    let h = Header {
        dtype: Dtype::parse(descr).unwrap(),
        fortran_order: fortran,
        shape: shape.to_vec(),
    };
    let mut out = h.encode();
    out.extend_from_slice(data);
    out
}

#[test]
fn ndarray_npy_reads_what_npystore_writes() {
    let vals: Vec<f64> = (0..12).map(|i| i as f64 * 1.5 - 3.0).collect();
    let bytes: Vec<u8> = vals.iter().flat_map(|v| v.to_le_bytes()).collect();
    let c = ArrayD::<f64>::read_npy(&npystore_file("<f8", &[3, 4], false, &bytes)[..]).unwrap();
    assert_eq!(
        c,
        ArrayD::from_shape_vec(IxDyn(&[3, 4]), vals.clone()).unwrap()
    );
    let f = ArrayD::<f64>::read_npy(&npystore_file("float64", &[3, 4], true, &bytes)[..]).unwrap();
    assert_eq!(f, ArrayD::from_shape_vec(IxDyn(&[3, 4]).f(), vals).unwrap());

    let big: Vec<u8> = (0..6i16).flat_map(|v| v.to_be_bytes()).collect();
    let b = ArrayD::<i16>::read_npy(&npystore_file(">i2", &[2, 3], false, &big)[..]).unwrap();
    assert_eq!(
        b.iter().copied().collect::<Vec<_>>(),
        (0..6).collect::<Vec<i16>>()
    );

    let bools = ArrayD::<bool>::read_npy(&npystore_file("bool", &[], false, &[1])[..]).unwrap();
    assert_eq!(bools.ndim(), 0);
    assert!(bools[IxDyn(&[])]);
    let empty = ArrayD::<u32>::read_npy(&npystore_file("<u4", &[0, 7], false, &[])[..]).unwrap();
    assert_eq!(empty.shape(), &[0, 7]);
}

#[test]
fn npystore_reads_what_ndarray_npy_writes() {
    let a = ArrayD::from_shape_vec(IxDyn(&[2, 3, 2]), (0..12i32).collect()).unwrap();
    let mut file = Vec::new();
    a.write_npy(&mut file).unwrap();
    let HeaderParse::Complete(p) = parse_header(&file).unwrap() else {
        panic!("incomplete")
    };
    assert_eq!(p.header.dtype.numpy_str(), "int32");
    assert_eq!(p.header.shape, vec![2, 3, 2]);
    assert!(!p.header.fortran_order);
    assert_eq!(
        p.header.data_len().unwrap(),
        file.len() as u64 - p.data_offset
    );
}

#[cfg(feature = "ndarray")]
#[test]
fn typed_round_trip_in_both_orders_and_byte_orders() {
    use npystore::format::typed::{from_ndarray, to_ndarray};
    let a = ArrayD::from_shape_vec(IxDyn(&[2, 3]), vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
    let (h, data) = from_ndarray(&a).unwrap();
    assert_eq!(h.dtype.numpy_str(), "float32");
    assert_eq!(to_ndarray::<f32>(&h, &data).unwrap(), a);
    // The same values stored big-endian in Fortran order.
    let f_be: Vec<u8> = [1.0f32, 4.0, 2.0, 5.0, 3.0, 6.0]
        .iter()
        .flat_map(|v| v.to_be_bytes())
        .collect();
    let h_be = Header {
        dtype: Dtype::parse(">f4").unwrap(),
        fortran_order: true,
        shape: vec![2, 3],
    };
    assert_eq!(to_ndarray::<f32>(&h_be, &f_be).unwrap(), a);
    // ndarray-npy agrees on npystore's encoding.
    let mut file = h.encode();
    file.extend_from_slice(&data);
    assert_eq!(ArrayD::<f32>::read_npy(&file[..]).unwrap(), a);
    // Wrong element type and wrong length are refused.
    assert_eq!(
        to_ndarray::<f64>(&h, &data).unwrap_err().kind(),
        npystore::ErrorKind::Dtype
    );
    assert_eq!(
        to_ndarray::<f32>(&h, &data[..20]).unwrap_err().kind(),
        npystore::ErrorKind::Length
    );
}
