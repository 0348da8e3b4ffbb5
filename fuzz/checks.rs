//! The properties the fuzz targets check, one function per target. Shared by the
//! targets (fuzz/fuzz_targets/*.rs) and by tests/fuzz_regressions.rs, which replays
//! the seeds and every past finding through them under `cargo test`.
#![allow(dead_code)]

use npystore::config::Config;
use npystore::format::{parse_header, Dtype, HeaderParse};
use npystore::{ArrayData, Metadata, Order, PutOptions, Store, Target};
use std::path::Path;
use std::sync::OnceLock;

/// Any byte prefix: parse_header returns Complete, NeedMore or an error, never panics;
/// a header that parses re-encodes and parses back to the same header.
pub fn header(data: &[u8]) {
    if let Ok(HeaderParse::Complete(p)) = parse_header(data) {
        let again = parse_header(&p.header.encode()).expect("re-encoded header parses");
        assert!(matches!(again, HeaderParse::Complete(q) if q.header == p.header));
        let _ = p.header.data_len();
    }
}

/// Any text: Dtype::parse returns a dtype or an error, never panics; what parses
/// prints to a descr and a str(dtype) that both parse back to it.
pub fn dtype(data: &[u8]) {
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(d) = Dtype::parse(s) {
            assert_eq!(Dtype::parse(&d.descr()).as_ref(), Ok(&d));
            assert_eq!(Dtype::parse(&d.numpy_str()).as_ref(), Ok(&d));
        }
    }
}

/// The objects the memory store holds: (path, dtype, shape).
const OBJECTS: &[(&str, &str, &[u64])] = &[
    ("a.npy", "<f8", &[2, 3]),
    ("b/c.npy", "|u1", &[4]),
    ("zero.npy", "<i4", &[]),
    ("empty.npy", "<f4", &[0, 5]),
    ("rec.npy", "[('x', '<f8'), ('y', '<i4')]", &[3]),
];

fn store() -> &'static Store {
    static STORE: OnceLock<Store> = OnceLock::new();
    STORE.get_or_init(|| {
        let store = Store::open(
            Some(r#"{"stores": {"default": "m", "m": {"protocol": "memory"}}}"#),
            None,
        )
        .expect("memory store");
        for (i, (path, dtype, shape)) in OBJECTS.iter().enumerate() {
            let dtype = Dtype::parse(dtype).expect("dtype");
            let len = dtype.itemsize() as usize * shape.iter().product::<u64>() as usize;
            let data: Vec<u8> = (0..len).map(|b| (b * 7 + i) as u8).collect();
            let array = ArrayData {
                data: &data,
                dtype,
                shape: shape.to_vec(),
                fortran_order: false,
            };
            store
                .put(
                    &array,
                    &Target::Path(path.to_string()),
                    PutOptions::default(),
                )
                .expect("put");
        }
        store
    })
}

/// Any text as DataJoint's row JSON: `Metadata::from_json` and `Store::ref_from_json`
/// (on a memory store holding a few objects) return a value or an error, never panic;
/// what parses writes JSON that parses back to the same thing, and a reference naming
/// a stored object loads and reads rows (or refuses a disagreeing header).
pub fn json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(meta) = Metadata::from_json(text) {
        assert_eq!(Metadata::from_json(&meta.to_json()).as_ref(), Ok(&meta));
    }
    let store = store();
    let Ok(r) = store.ref_from_json(text) else {
        return;
    };
    let again = store
        .ref_from_json(r.json())
        .expect("a reference's JSON reads back");
    assert_eq!(
        (again.path(), again.shape(), again.dtype()),
        (r.path(), r.shape(), r.dtype())
    );
    // Reading touches the store only for the few known paths and small arrays.
    if r.nbytes() <= 1 << 16 && OBJECTS.iter().any(|(p, _, _)| *p == r.path()) {
        if let Ok(bytes) = r.load(Order::Fortran) {
            assert_eq!(bytes.len() as u64, r.nbytes());
        }
        if let Some(&rows) = r.shape().first() {
            let per_row = r.nbytes().checked_div(rows).unwrap_or(0);
            let mut buf = vec![0u8; per_row as usize];
            let _ = r.read_rows(rows.saturating_sub(1), 1, &mut buf, Order::C);
        }
    }
}

/// Any text as `datajoint.json`: `Config::from_json_str` and `Config::store` for the
/// default and every configured name return a value or an error, never panic.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Relative file locations resolve against a directory that exists everywhere.
    let Ok(config) = Config::from_json_str(text, Some(Path::new("/tmp"))) else {
        return;
    };
    let _ = format!("{config:?}");
    let _ = config.store(None);
    for name in config.store_names().iter().take(16) {
        if let Ok(spec) = config.store(Some(name)) {
            let _ = format!("{spec:?}");
        }
    }
}
