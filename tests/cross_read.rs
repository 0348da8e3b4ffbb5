//! Cross-reading between the Windows and the Linux builds (issue 15): one build puts
//! three arrays, the other build (and numpy, tests/oracles/cross_check.py) reads them
//! back, on a file store and on S3. Both tests are roles that scripts/windows.sh
//! runs, one under Wine and one natively, so they are ignored in an ordinary run.
//!
//! Environment: `NPYSTORE_CROSS_STORE` is `file:<directory>` or `s3:<location>` (the
//! S3 server from `NPYSTORE_S3_*`), `NPYSTORE_CROSS_SIDE` the writer's name (the
//! folder the objects go to: `windows` or `linux`).

mod common;

use npystore::{ArrayData, Dtype, Order, PutOptions, Store, Target};
use serde_json::json;

/// One array: its name, dtype, shape, Fortran order, and its bytes in C order.
struct Case {
    name: &'static str,
    descr: &'static str,
    shape: &'static [u64],
    fortran: bool,
    c_bytes: Vec<u8>,
}

/// The arrays both sides agree on (cross_check.py builds the same with numpy).
fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "f8_c",
            descr: "<f8",
            shape: &[3, 4],
            fortran: false,
            c_bytes: (0..12)
                .flat_map(|i| (i as f64 * 0.25 - 1.0).to_le_bytes())
                .collect(),
        },
        Case {
            name: "u2_f",
            descr: "<u2",
            shape: &[2, 5],
            fortran: true,
            c_bytes: (0..10u16).flat_map(|i| (7 * i + 1).to_le_bytes()).collect(),
        },
        Case {
            name: "i4_be",
            descr: ">i4",
            shape: &[4],
            fortran: false,
            c_bytes: [-2i32, 0, 65537, i32::MAX]
                .iter()
                .flat_map(|v| v.to_be_bytes())
                .collect(),
        },
    ]
}

/// `c` (C-order bytes of a 2-D array of `item`-byte elements) in Fortran order.
fn to_fortran(c: &[u8], shape: &[u64], item: usize) -> Vec<u8> {
    let (rows, cols) = (shape[0] as usize, shape[1] as usize);
    let mut f = vec![0u8; c.len()];
    for i in 0..rows {
        for j in 0..cols {
            let (src, dst) = ((i * cols + j) * item, (j * rows + i) * item);
            f[dst..dst + item].copy_from_slice(&c[src..src + item]);
        }
    }
    f
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set (scripts/windows.sh)"))
}

/// The store `NPYSTORE_CROSS_STORE` names.
fn store() -> Store {
    let spec = env("NPYSTORE_CROSS_STORE");
    let config = if let Some(dir) = spec.strip_prefix("file:") {
        common::file_store_json("cross", std::path::Path::new(dir))
    } else if let Some(location) = spec.strip_prefix("s3:") {
        let s3 = common::remote::s3().expect("NPYSTORE_S3_* (scripts/s3-server.sh)");
        json!({"stores": {"default": "cross", "cross": s3.block_with("location", json!(location))}})
            .to_string()
    } else {
        panic!("NPYSTORE_CROSS_STORE must be file:<dir> or s3:<location>, not {spec:?}")
    };
    Store::open(Some(&config), None).expect("open the cross-read store")
}

fn key(case: &Case) -> String {
    format!("{}/{}.npy", env("NPYSTORE_CROSS_SIDE"), case.name)
}

#[test]
#[ignore = "a role of the Windows/Linux cross-read that scripts/windows.sh runs"]
fn cross_put() {
    let store = store();
    for case in cases() {
        let itemsize = Dtype::parse(case.descr).unwrap().itemsize() as usize;
        let data = if case.fortran {
            to_fortran(&case.c_bytes, case.shape, itemsize)
        } else {
            case.c_bytes.clone()
        };
        let array = ArrayData {
            data: &data,
            dtype: Dtype::parse(case.descr).unwrap(),
            shape: case.shape.to_vec(),
            fortran_order: case.fortran,
        };
        let put = store
            .put(&array, &Target::Path(key(&case)), PutOptions::default())
            .unwrap();
        println!("put {}", put.json());
    }
}

#[test]
#[ignore = "a role of the Windows/Linux cross-read that scripts/windows.sh runs"]
fn cross_get() {
    let store = store();
    for case in cases() {
        let r = store.open_ref(&key(&case)).unwrap();
        assert_eq!(
            (r.descr().trim_matches('\''), r.shape(), r.fortran_order()),
            (case.descr, case.shape, Some(case.fortran)),
            "{}",
            case.name
        );
        assert_eq!(r.load(Order::C).unwrap(), case.c_bytes, "{}", case.name);
        if case.fortran {
            let itemsize = r.itemsize() as usize;
            let f = to_fortran(&case.c_bytes, case.shape, itemsize);
            assert_eq!(r.load(Order::Fortran).unwrap(), f, "{}", case.name);
        }
        println!("read {} {:?} {}", r.descr(), r.shape(), key(&case));
    }
}
