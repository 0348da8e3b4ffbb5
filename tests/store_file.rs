//! Stores, put and refs end to end on a file store (and the in-memory store), with
//! numpy as the oracle for bytes, layout and values.

mod common;

use common::{repo, run_python, Scratch};
use npystore::path::{KeyPart, KeyValue};
use npystore::{ArrayData, Dtype, ErrorKind, MapMode, Order, PutOptions, Store, Target};
use serde_json::Value;
use std::path::Path;

fn file_store(dir: &Path) -> Store {
    let config = common::file_store_json("main", dir);
    Store::open(Some(&config), None).expect("open file store")
}

struct Case {
    name: String,
    dtype: String,
    shape: Vec<u64>,
    fortran: bool,
}

/// numpy writes every case into `dir`; returns the manifest.
fn numpy_cases(dir: &Path) -> Vec<Case> {
    run_python(
        &repo().join("tests/oracles/store_cases.py"),
        &[dir.to_str().unwrap()],
    );
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    manifest
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Case {
            name: c["name"].as_str().unwrap().into(),
            dtype: c["dtype"].as_str().unwrap().into(),
            shape: c["shape"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_u64().unwrap())
                .collect(),
            fortran: c["order"] == "F",
        })
        .collect()
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn put_writes_numpys_exact_bytes_and_loads_back_in_both_orders() {
    let oracle = Scratch::new("oracle");
    let data = Scratch::new("store");
    let store = file_store(data.path());
    for case in numpy_cases(oracle.path()) {
        let raw = read(
            oracle.path(),
            &format!("{}.{}.bin", case.name, if case.fortran { "f" } else { "c" }),
        );
        let array = ArrayData {
            data: &raw,
            dtype: Dtype::parse(&case.dtype).unwrap(),
            shape: case.shape.clone(),
            fortran_order: case.fortran,
        };
        let path = format!("cases/{}.npy", case.name);
        let r = store
            .put(&array, &Target::Path(path.clone()), PutOptions::default())
            .unwrap();
        let numpy_file = read(oracle.path(), &format!("{}.npy", case.name));
        assert_eq!(
            read(data.path(), &path),
            numpy_file,
            "{}: bytes differ from np.save",
            case.name
        );
        assert_eq!(r.dtype_str(), case.dtype);
        assert_eq!(r.shape(), case.shape.as_slice());

        // numpy's own file, through a ref from DataJoint JSON: both orders and as stored.
        std::fs::write(data.path().join("numpy.npy"), &numpy_file).unwrap();
        let json = format!(
            r#"{{"path": "numpy.npy", "store": "main", "dtype": "{}", "shape": {:?}}}"#,
            case.dtype, case.shape
        );
        let from_json = store.ref_from_json(&json).unwrap();
        assert!(!from_json.is_loaded());
        let c_bytes = read(oracle.path(), &format!("{}.c.bin", case.name));
        let f_bytes = read(oracle.path(), &format!("{}.f.bin", case.name));
        assert_eq!(
            from_json.load(Order::C).unwrap(),
            c_bytes,
            "{} C",
            case.name
        );
        assert!(from_json.is_loaded());
        assert_eq!(
            from_json.load(Order::Fortran).unwrap(),
            f_bytes,
            "{} F",
            case.name
        );
        assert_eq!(
            from_json.load(Order::AsStored).unwrap(),
            raw,
            "{} as stored",
            case.name
        );

        if case.shape.first().is_some_and(|&rows| rows >= 3) {
            let row_bytes = read(oracle.path(), &format!("{}.rows.c.bin", case.name));
            let mut buf = vec![0u8; row_bytes.len()];
            from_json.read_rows(1, 2, &mut buf, Order::C).unwrap();
            assert_eq!(buf, row_bytes, "{} rows C", case.name);
            from_json.read_rows(1, 2, &mut buf, Order::Fortran).unwrap();
            assert_eq!(
                buf,
                read(oracle.path(), &format!("{}.rows.f.bin", case.name)),
                "{} rows F",
                case.name
            );
        }
    }
}

fn f64_bytes(values: &[f64]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn f64_array<'a>(bytes: &'a [u8], shape: &[u64]) -> ArrayData<'a> {
    ArrayData {
        data: bytes,
        dtype: Dtype::parse("float64").unwrap(),
        shape: shape.to_vec(),
        fortran_order: false,
    }
}

#[test]
fn schema_target_builds_datajoint_path_and_json() {
    let data = Scratch::new("schema");
    let store = file_store(data.path());
    let bytes = f64_bytes(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let target = Target::Schema {
        schema: "lab".into(),
        table: "_recording".into(),
        attribute: "trace".into(),
        key: vec![
            KeyPart::new("subject", KeyValue::Str("m/01".into())),
            KeyPart::new("session", KeyValue::Int(3)),
        ],
    };
    let r = store
        .put(&f64_array(&bytes, &[2, 3]), &target, PutOptions::default())
        .unwrap();
    let path = r.path().to_string();
    let prefix = "_schema/lab/_recording/subject=m%2F01/session=3/trace_";
    assert!(path.starts_with(prefix) && path.ends_with(".npy"), "{path}");
    let token = &path[prefix.len()..path.len() - 4];
    assert_eq!(token.len(), 8);
    assert!(
        token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        "{token}"
    );
    assert_eq!(
        r.json(),
        format!(r#"{{"path": "{path}", "store": "main", "dtype": "float64", "shape": [2, 3]}}"#)
    );
    assert!(data.path().join(&path).is_file());

    let again = store
        .put(&f64_array(&bytes, &[2, 3]), &target, PutOptions::default())
        .unwrap();
    assert_ne!(again.path(), path, "every put draws a new token");
    assert_eq!(
        store
            .ref_from_json(r.json())
            .unwrap()
            .load(Order::C)
            .unwrap(),
        bytes
    );
}

#[test]
fn header_disagreeing_with_json_is_refused() {
    let data = Scratch::new("mismatch");
    let store = file_store(data.path());
    let bytes = f64_bytes(&[1.0, 2.0, 3.0, 4.0]);
    store
        .put(
            &f64_array(&bytes, &[2, 2]),
            &Target::Path("a.npy".into()),
            PutOptions::default(),
        )
        .unwrap();
    for (dtype, shape) in [
        ("float32", "[2, 2]"),
        ("float64", "[4]"),
        ("int64", "[2, 2]"),
    ] {
        let json = format!(
            r#"{{"path": "a.npy", "store": "main", "dtype": "{dtype}", "shape": {shape}}}"#
        );
        let r = store.ref_from_json(&json).unwrap();
        let err = r.load(Order::C).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Mismatch, "{json}: {err}");
        assert_eq!(
            r.mmap(MapMode::ReadOnly).unwrap_err().kind(),
            ErrorKind::Mismatch
        );
    }
    let other_store =
        r#"{"path": "a.npy", "store": "archive", "dtype": "float64", "shape": [2, 2]}"#;
    assert_eq!(
        store.ref_from_json(other_store).unwrap_err().kind(),
        ErrorKind::Mismatch
    );
}

#[test]
fn truncated_or_overlong_objects_are_format_errors() {
    let data = Scratch::new("truncated");
    let store = file_store(data.path());
    let bytes = f64_bytes(&[1.0; 16]);
    store
        .put(
            &f64_array(&bytes, &[16]),
            &Target::Path("a.npy".into()),
            PutOptions::default(),
        )
        .unwrap();
    let full = std::fs::read(data.path().join("a.npy")).unwrap();
    let json = r#"{"path": "b.npy", "store": "main", "dtype": "float64", "shape": [16]}"#;
    for (cut, what) in [
        (full.len() - 8, "truncated"),
        (100, "truncated"),
        (40, "header"),
        (full.len() + 3, "longer"),
    ] {
        let mut bytes = full.clone();
        bytes.resize(cut, 0);
        std::fs::write(data.path().join("b.npy"), &bytes).unwrap();
        let err = store
            .ref_from_json(json)
            .unwrap()
            .load(Order::C)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Format, "{cut}: {err}");
        assert!(err.message().contains(what), "{cut}: {err}");
        assert_eq!(
            store.open_ref("b.npy").unwrap_err().kind(),
            ErrorKind::Format
        );
    }
    let missing = r#"{"path": "nope.npy", "store": "main", "dtype": "float64", "shape": [16]}"#;
    assert_eq!(
        store
            .ref_from_json(missing)
            .unwrap()
            .load(Order::C)
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn bad_puts_write_nothing() {
    let data = Scratch::new("badput");
    let store = file_store(data.path());
    let bytes = f64_bytes(&[1.0, 2.0, 3.0]);
    let err = store
        .put(
            &f64_array(&bytes, &[2, 2]),
            &Target::Path("x.npy".into()),
            PutOptions::default(),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Length);
    assert!(
        err.message().contains("24 bytes") && err.message().contains("32"),
        "{err}"
    );
    for bad in [
        "../x.npy",
        "/abs.npy",
        "a//b.npy",
        "a/./b.npy",
        "a/../../b.npy",
        "",
    ] {
        let err = store
            .put(
                &f64_array(&bytes, &[3]),
                &Target::Path(bad.into()),
                PutOptions::default(),
            )
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Path, "{bad:?}: {err}");
    }
    let overflow = ArrayData {
        data: &bytes,
        dtype: Dtype::parse("<f8").unwrap(),
        shape: vec![u64::MAX, 2],
        fortran_order: false,
    };
    assert_eq!(
        store
            .put(
                &overflow,
                &Target::Path("o.npy".into()),
                PutOptions::default()
            )
            .unwrap_err()
            .kind(),
        ErrorKind::Shape
    );
    let leftovers: Vec<_> = walk(data.path());
    assert!(
        leftovers.is_empty(),
        "nothing may be written: {leftovers:?}"
    );

    store
        .put(
            &f64_array(&bytes, &[3]),
            &Target::Path("x.npy".into()),
            PutOptions::default(),
        )
        .unwrap();
    let other = f64_bytes(&[9.0, 9.0, 9.0]);
    let err = store
        .put(
            &f64_array(&other, &[3]),
            &Target::Path("x.npy".into()),
            PutOptions::default(),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlreadyExists);
    assert_eq!(
        store.open_ref("x.npy").unwrap().load(Order::C).unwrap(),
        bytes,
        "existing object kept"
    );
    let overwrite = PutOptions {
        overwrite: true,
        fsync: true,
    };
    store
        .put(
            &f64_array(&other, &[3]),
            &Target::Path("x.npy".into()),
            overwrite,
        )
        .unwrap();
    assert_eq!(
        store.open_ref("x.npy").unwrap().load(Order::C).unwrap(),
        other
    );
    assert_eq!(
        walk(data.path()),
        vec!["x.npy".to_string()],
        "no temporary files remain"
    );
}

fn walk(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            found.extend(
                walk(&entry.path())
                    .into_iter()
                    .map(|p| format!("{}/{p}", entry.file_name().to_string_lossy())),
            );
        } else {
            found.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    found.sort();
    found
}

#[test]
fn mmap_modes_behave_like_numpy() {
    let data = Scratch::new("mmap");
    let store = file_store(data.path());
    let bytes = f64_bytes(&[1.0, 2.0, 3.0, 4.0]);
    let r = store
        .put(
            &f64_array(&bytes, &[4]),
            &Target::Path("m.npy".into()),
            PutOptions::default(),
        )
        .unwrap();
    let fresh = store.ref_from_json(r.json()).unwrap();
    let map = fresh.mmap(MapMode::ReadOnly).unwrap();
    assert_eq!(
        (map.as_slice(), map.offset(), map.len()),
        (bytes.as_slice(), 128, 32)
    );
    assert_eq!(fresh.fortran_order(), Some(false));

    let mut cow = fresh.mmap(MapMode::CopyOnWrite).unwrap();
    cow.as_mut_slice().unwrap()[..8].copy_from_slice(&7.0f64.to_le_bytes());
    drop(cow);
    assert_eq!(
        fresh.load(Order::C).unwrap(),
        bytes,
        "copy-on-write leaves the file alone"
    );

    let mut rw = fresh.mmap(MapMode::ReadWrite).unwrap();
    rw.as_mut_slice().unwrap()[..8].copy_from_slice(&7.0f64.to_le_bytes());
    drop(rw);
    assert_eq!(
        &fresh.load(Order::C).unwrap()[..8],
        &7.0f64.to_le_bytes(),
        "r+ writes through"
    );

    let mut ro = fresh.mmap(MapMode::ReadOnly).unwrap();
    assert_eq!(
        ro.as_mut_slice().unwrap_err().kind(),
        ErrorKind::Unsupported
    );
    assert_eq!(
        MapMode::parse("w").unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
}

#[test]
fn row_reads_check_ranges_and_buffers() {
    let data = Scratch::new("rows");
    let store = file_store(data.path());
    let bytes = f64_bytes(&[0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
    let r = store
        .put(
            &f64_array(&bytes, &[3, 2]),
            &Target::Path("r.npy".into()),
            PutOptions::default(),
        )
        .unwrap();
    let mut buf = vec![0u8; 16];
    r.read_rows(2, 1, &mut buf, Order::C).unwrap();
    assert_eq!(buf, f64_bytes(&[4.0, 5.0]));
    assert_eq!(
        r.read_rows(2, 2, &mut [0u8; 32], Order::C)
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        r.read_rows(u64::MAX, 2, &mut [0u8; 32], Order::C)
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        r.read_rows(0, 1, &mut [0u8; 8], Order::C)
            .unwrap_err()
            .kind(),
        ErrorKind::Length
    );
    r.read_rows(3, 0, &mut [], Order::C).unwrap();
    let scalar = store
        .put(
            &f64_array(&bytes[..8], &[]),
            &Target::Path("s.npy".into()),
            PutOptions::default(),
        )
        .unwrap();
    assert_eq!(
        scalar
            .read_rows(0, 1, &mut [0u8; 8], Order::C)
            .unwrap_err()
            .kind(),
        ErrorKind::Shape
    );
    assert_eq!(
        r.load_into(&mut [0u8; 40], Order::C).unwrap_err().kind(),
        ErrorKind::Length
    );
}

#[test]
fn exists_delete_and_open_by_path() {
    let data = Scratch::new("delete");
    let store = file_store(data.path());
    let bytes = f64_bytes(&[1.0]);
    let r = store
        .put(
            &f64_array(&bytes, &[1]),
            &Target::Path("d/e.npy".into()),
            PutOptions::default(),
        )
        .unwrap();
    assert!(r.exists().unwrap() && store.exists("d/e.npy").unwrap());
    let opened = store.open_ref("d/e.npy").unwrap();
    assert_eq!(
        (opened.dtype_str(), opened.shape(), opened.is_loaded()),
        ("float64", &[1u64][..], true)
    );
    r.delete().unwrap();
    assert!(!r.exists().unwrap());
    assert_eq!(r.delete().unwrap_err().kind(), ErrorKind::NotFound);
    assert_eq!(
        store.delete("d/e.npy").unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        store.exists("../e.npy").unwrap_err().kind(),
        ErrorKind::Path
    );
}

#[test]
fn one_store_serves_many_threads() {
    let data = Scratch::new("threads");
    let store = file_store(data.path());
    std::thread::scope(|scope| {
        for t in 0..8u64 {
            let store = store.clone();
            scope.spawn(move || {
                for i in 0..25u64 {
                    let values: Vec<f64> =
                        (0..64).map(|k| (t * 1000 + i * 64 + k) as f64).collect();
                    let bytes = f64_bytes(&values);
                    let target = Target::Schema {
                        schema: "lab".into(),
                        table: "stress".into(),
                        attribute: "a".into(),
                        key: vec![
                            KeyPart::new("t", KeyValue::UInt(t)),
                            KeyPart::new("i", KeyValue::UInt(i)),
                        ],
                    };
                    let r = store
                        .put(&f64_array(&bytes, &[8, 8]), &target, PutOptions::default())
                        .unwrap();
                    let back = store.ref_from_json(r.json()).unwrap();
                    assert_eq!(back.load(Order::Fortran).unwrap().len(), 512);
                    assert_eq!(
                        back.mmap(MapMode::ReadOnly).unwrap().as_slice(),
                        bytes.as_slice()
                    );
                    let mut row = vec![0u8; 64];
                    back.read_rows(7, 1, &mut row, Order::C).unwrap();
                    assert_eq!(row, bytes[448..]);
                }
            });
        }
    });
}

#[test]
fn memory_store_runs_the_generic_object_path() {
    let store = Store::open(
        Some(r#"{"stores": {"default": "mem", "mem": {"protocol": "memory"}}}"#),
        None,
    )
    .unwrap();
    let bytes = f64_bytes(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let r = store
        .put(
            &f64_array(&bytes, &[3, 2]),
            &Target::Path("a/b.npy".into()),
            PutOptions::default(),
        )
        .unwrap();
    let back = store.ref_from_json(r.json()).unwrap();
    assert_eq!(back.load(Order::C).unwrap(), bytes);
    assert_eq!(
        back.load(Order::Fortran).unwrap(),
        f64_bytes(&[1.0, 3.0, 5.0, 2.0, 4.0, 6.0])
    );
    let mut row = vec![0u8; 16];
    back.read_rows(1, 1, &mut row, Order::C).unwrap();
    assert_eq!(row, f64_bytes(&[3.0, 4.0]));
    assert_eq!(
        back.mmap(MapMode::ReadOnly).unwrap_err().kind(),
        ErrorKind::Unsupported
    );
    let dup = store.put(
        &f64_array(&bytes, &[3, 2]),
        &Target::Path("a/b.npy".into()),
        PutOptions::default(),
    );
    assert_eq!(dup.unwrap_err().kind(), ErrorKind::AlreadyExists);
    back.delete().unwrap();
    assert_eq!(back.load(Order::C).unwrap_err().kind(), ErrorKind::NotFound);
}

#[test]
fn numpy_loads_what_schema_puts_wrote() {
    let oracle = Scratch::new("oracle2");
    let data = Scratch::new("np-load");
    let store = file_store(data.path());
    let mut args = Vec::new();
    for case in numpy_cases(oracle.path()) {
        let raw = read(oracle.path(), &format!("{}.f.bin", case.name));
        let array = ArrayData {
            data: &raw,
            dtype: Dtype::parse(&case.dtype).unwrap(),
            shape: case.shape,
            fortran_order: true,
        };
        let target = Target::Schema {
            schema: "s".into(),
            table: "#t".into(),
            attribute: case.name.clone(),
            key: vec![],
        };
        let r = store.put(&array, &target, PutOptions::default()).unwrap();
        args.push(data.path().join(r.path()).display().to_string());
        args.push(
            oracle
                .path()
                .join(format!("{}.npy", case.name))
                .display()
                .to_string(),
        );
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run_python(&repo().join("tests/oracles/check_load.py"), &args);
    assert_eq!(out.trim(), "ok 11");
}

/// A final path component of 255 bytes (the file system's limit, which numpy can
/// write) works for puts and writers, fresh and overwriting, ASCII and multi-byte:
/// the temporary name beside it is cut short to fit and still ends in
/// `.npystore-tmp`, and none is left behind.
#[test]
fn a_255_byte_file_name_can_be_put_and_written() {
    let data = Scratch::new("long-name");
    let store = file_store(data.path());
    // 251 ASCII bytes + ".npy", and 83 three-byte characters + "é" (2) + ".npy" (4).
    let names = [
        (
            format!("sub/{}.npy", "a".repeat(251)),
            format!("sub/{}.npy", "b".repeat(251)),
        ),
        (
            format!("{}é.npy", "€".repeat(83)),
            format!("{}è.npy", "€".repeat(83)),
        ),
    ];
    for (name, fresh) in &names {
        let file = name.rsplit('/').next().unwrap();
        assert_eq!(file.len(), 255, "{file}");
        for (round, value) in [1.0, 2.0].into_iter().enumerate() {
            let bytes = f64_bytes(&[value; 3]);
            let options = PutOptions {
                overwrite: round > 0,
                ..PutOptions::default()
            };
            store
                .put(
                    &f64_array(&bytes, &[3]),
                    &Target::Path(name.clone()),
                    options,
                )
                .unwrap_or_else(|e| panic!("put {file:.20}... (round {round}): {e}"));
            assert_eq!(store.open_ref(name).unwrap().load(Order::C).unwrap(), bytes);
            let mut w = store
                .writer(
                    &Target::Path(name.clone()),
                    Dtype::parse("<f8").unwrap(),
                    vec![],
                    false,
                    PutOptions {
                        overwrite: true,
                        ..PutOptions::default()
                    },
                )
                .unwrap_or_else(|e| panic!("writer {file:.20}... (round {round}): {e}"));
            w.append(&f64_bytes(&[value + 10.0])).unwrap();
            w.finish().unwrap();
            let loaded = store.open_ref(name).unwrap().load(Order::C).unwrap();
            assert_eq!(loaded, f64_bytes(&[value + 10.0]));
        }
        assert_eq!(fresh.rsplit('/').next().unwrap().len(), 255);
        let mut w = store
            .writer(
                &Target::Path(fresh.clone()),
                Dtype::parse("<f8").unwrap(),
                vec![],
                false,
                PutOptions::default(),
            )
            .unwrap_or_else(|e| panic!("fresh writer: {e}"));
        w.append(&f64_bytes(&[5.0])).unwrap();
        w.finish().unwrap();
        assert_eq!(
            store.open_ref(fresh).unwrap().load(Order::C).unwrap(),
            f64_bytes(&[5.0])
        );
    }
    let left: Vec<_> = walk(data.path())
        .into_iter()
        .filter(|p| p.ends_with(npystore::TEMP_SUFFIX))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}
