//! Slices of any axes (`ArrayRef::read_slice`) against numpy: random arrays of random
//! shapes (0-d and empty axes too), dtypes of every item size and both orders, saved
//! by numpy (tests/oracles/slice_cases.py), read in C, Fortran and the stored order
//! from a file store, and again from an object store (the memory store); each must
//! equal numpy's `a[s0, s1, ...]`. Also: rows as the special case, the merge gap,
//! and bad slices.

mod common;

use common::{numpy_manifest, Scratch};
use npystore::{ArrayData, ErrorKind, Order, PutOptions, Store, Target};
use serde_json::Value;

fn u64s(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect()
}

fn file_store(dir: &std::path::Path) -> Store {
    let config = serde_json::json!({"stores": {"main": {"protocol": "file",
        "location": dir.to_str().unwrap()}}});
    Store::open(Some(&config.to_string()), Some("main")).unwrap()
}

fn memory_store() -> Store {
    Store::open(
        Some(r#"{"stores": {"m": {"protocol": "memory"}}}"#),
        Some("m"),
    )
    .unwrap()
}

#[test]
fn slices_equal_numpys_in_both_orders_on_file_and_object_stores() {
    let dir = Scratch::new("slices");
    let cases = numpy_manifest("slice_cases.py", dir.path());
    assert_eq!(cases.len(), 160);
    let files = file_store(dir.path());
    let memory = memory_store();
    let mut checked = 0;
    for case in &cases {
        let path = case["path"].as_str().unwrap();
        let fortran = case["fortran"].as_bool().unwrap();
        let from_file = files.open_ref(path).unwrap();
        // The same array on an object store, put in its stored order.
        let stored = from_file.load(Order::AsStored).unwrap();
        let array = ArrayData {
            data: &stored,
            dtype: from_file.dtype().clone(),
            shape: from_file.shape().to_vec(),
            fortran_order: fortran,
        };
        let put = memory
            .put(&array, &Target::Path(path.into()), PutOptions::default())
            .unwrap();
        let from_json = memory.ref_from_json(put.json()).unwrap();
        for slice in case["slices"].as_array().unwrap() {
            let (start, count) = (u64s(&slice["start"]), u64s(&slice["count"]));
            let want_c = std::fs::read(dir.path().join(slice["c"].as_str().unwrap())).unwrap();
            let want_f = std::fs::read(dir.path().join(slice["f"].as_str().unwrap())).unwrap();
            let as_stored = if fortran { &want_f } else { &want_c };
            for r in [&from_file, &put, &from_json] {
                for (order, want) in [
                    (Order::C, &want_c),
                    (Order::Fortran, &want_f),
                    (Order::AsStored, as_stored),
                ] {
                    // One spare byte: only the slice's bytes are written.
                    let mut buf = vec![0xA5u8; want.len() + 1];
                    r.read_slice(&start, &count, &mut buf, order).unwrap();
                    assert_eq!(
                        &buf[..want.len()],
                        &want[..],
                        "{path} {:?} {start:?}+{count:?} {order:?} on {}",
                        case["shape"],
                        r.store_name()
                    );
                    assert_eq!(buf[want.len()], 0xA5);
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 160 * 6 * 3 * 3);
}

#[test]
fn rows_are_the_slice_of_whole_trailing_axes() {
    let dir = Scratch::new("rows");
    let store = file_store(dir.path());
    let data: Vec<u8> = (0..6 * 5 * 4 * 2u32).map(|i| i as u8).collect();
    for fortran in [false, true] {
        let array = ArrayData {
            data: &data,
            dtype: npystore::Dtype::parse("<i2").unwrap(),
            shape: vec![6, 5, 4],
            fortran_order: fortran,
        };
        let r = store
            .put(
                &array,
                &Target::Path(format!("r{fortran}.npy")),
                PutOptions::default(),
            )
            .unwrap();
        for order in [Order::C, Order::Fortran] {
            let mut rows = vec![0u8; 2 * 5 * 4 * 2];
            let mut slice = rows.clone();
            r.read_rows(2, 2, &mut rows, order).unwrap();
            r.read_slice(&[2, 0, 0], &[2, 5, 4], &mut slice, order)
                .unwrap();
            assert_eq!(rows, slice);
        }
    }
}

#[test]
fn the_merge_gap_is_a_store_setting_with_a_default_per_kind() {
    let dir = Scratch::new("gap");
    let files = file_store(dir.path());
    assert_eq!(files.merge_gap(), npystore::LOCAL_MERGE_GAP);
    let memory = memory_store();
    assert_eq!(memory.merge_gap(), npystore::OBJECT_MERGE_GAP);
    let clone = files.clone();
    clone.set_merge_gap(0);
    assert_eq!(files.merge_gap(), 0, "clones share the setting");
    // Any gap reads the same bytes: one channel of a Fortran recording.
    let data: Vec<u8> = (0..16 * 100 * 2u32).map(|i| (i % 251) as u8).collect();
    let array = ArrayData {
        data: &data,
        dtype: npystore::Dtype::parse("<i2").unwrap(),
        shape: vec![16, 100],
        fortran_order: true,
    };
    let r = files
        .put(
            &array,
            &Target::Path("rec.npy".into()),
            PutOptions::default(),
        )
        .unwrap();
    let mut want = vec![0u8; 200];
    for t in 0..100 {
        let at = (t * 16 + 3) * 2;
        want[t * 2..t * 2 + 2].copy_from_slice(&data[at..at + 2]);
    }
    for gap in [0, 1, 30, 1 << 20] {
        files.set_merge_gap(gap);
        let mut got = vec![0u8; 200];
        r.read_slice(&[3, 0], &[1, 100], &mut got, Order::C)
            .unwrap();
        assert_eq!(got, want, "gap {gap}");
    }
}

#[test]
fn the_merge_gap_setting_of_datajoint_json_overrides_the_default_per_store() {
    let dir = Scratch::new("gapkey");
    let config = serde_json::json!({
        "stores": {"f": {"protocol": "file", "location": dir.path().to_str().unwrap()},
                   "m": {"protocol": "memory"}, "other": {"protocol": "memory"}},
        "npystore": {"defaults": {"merge_gap_bytes": 0},
                     "stores": {"m": {"merge_gap_bytes": 1 << 20}}}})
    .to_string();
    let gap = |name| Store::open(Some(&config), Some(name)).unwrap().merge_gap();
    assert_eq!(gap("f"), 0, "npystore.defaults applies to file stores");
    assert_eq!(gap("m"), 1 << 20, "a store's own block wins");
    assert_eq!(gap("other"), 0);
    let bad = config.replace("1048576", "\"8 KiB\"");
    let e = Store::open(Some(&bad), Some("m")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.message().contains("merge_gap_bytes"), "{}", e.message());
}

#[test]
fn bad_slices_are_refused_with_what_is_wrong() {
    let dir = Scratch::new("bad");
    let store = file_store(dir.path());
    let data = vec![0u8; 4 * 5 * 8];
    let array = ArrayData {
        data: &data,
        dtype: npystore::Dtype::parse("<f8").unwrap(),
        shape: vec![4, 5],
        fortran_order: false,
    };
    let r = store
        .put(&array, &Target::Path("b.npy".into()), PutOptions::default())
        .unwrap();
    let mut buf = vec![0u8; 160];
    /// start, count, buffer bytes, the error's kind and words of its message.
    type Bad<'a> = (&'a [u64], &'a [u64], usize, ErrorKind, &'a str);
    let cases: [Bad; 5] = [
        (
            &[0],
            &[1],
            160,
            ErrorKind::InvalidArgument,
            "but the array has 2 axes",
        ),
        (
            &[0, 4],
            &[1, 2],
            160,
            ErrorKind::InvalidArgument,
            "axis 1: 4..6 is out of range",
        ),
        (
            &[u64::MAX, 0],
            &[1, 1],
            160,
            ErrorKind::InvalidArgument,
            "overflows 64 bits",
        ),
        (
            &[0, 0],
            &[2, 5],
            79,
            ErrorKind::Length,
            "buffer has 79 bytes but the slice of shape [2, 5] needs 80",
        ),
        (
            &[5, 0],
            &[0, 0],
            160,
            ErrorKind::InvalidArgument,
            "axis 0: 5..5 is out of range",
        ),
    ];
    for (start, count, len, kind, words) in cases {
        let e = r
            .read_slice(start, count, &mut buf[..len], Order::C)
            .unwrap_err();
        assert_eq!(e.kind(), kind, "{e}");
        assert!(e.message().contains(words), "{e}");
    }
    // An empty slice reads nothing, even of a missing object.
    r.delete().unwrap();
    r.read_slice(&[1, 2], &[0, 3], &mut [], Order::C).unwrap();
    let e = r
        .read_slice(&[1, 2], &[1, 3], &mut buf, Order::C)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
}
