//! Any text as DataJoint's `<npy@>` row JSON: `Metadata::from_json` and
//! `Store::ref_from_json` (on a memory store holding a few objects) return a value or
//! an error, never panic; what parses writes JSON that parses back to the same thing,
//! and a reference that names a stored object loads, reads rows and refuses a
//! disagreeing header without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use npystore::{ArrayData, Dtype, Metadata, Order, PutOptions, Store, Target};
use std::sync::OnceLock;

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

fuzz_target!(|data: &[u8]| {
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
});
