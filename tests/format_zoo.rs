//! The dtype zoo: numpy writes ~1,300 arrays over 146 dtypes (every kind, byte order,
//! datetime unit, structured layouts, format 1.0/2.0/3.0), npystore must read each
//! header exactly as numpy does, write byte-identical files, and numpy must load
//! what npystore writes.

mod common;

use npystore::format::{c_to_fortran, fortran_to_c, parse_header, Dtype, Header, HeaderParse};
use serde_json::Value;

fn zoo_script() -> std::path::PathBuf {
    common::repo().join("tests/oracles/npy_zoo.py")
}

#[test]
fn numpy_zoo_round_trips_exactly() {
    let scratch = common::Scratch::new("zoo");
    let dir = scratch.path();
    common::run_python(&zoo_script(), &["make", dir.to_str().unwrap()]);
    let manifest: Vec<Value> =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    assert!(manifest.len() >= 700, "zoo too small: {}", manifest.len());
    let ours = dir.join("ours");
    std::fs::create_dir(&ours).unwrap();
    let mut versions = std::collections::BTreeSet::new();

    for (i, e) in manifest.iter().enumerate() {
        let name = e["file"].as_str().unwrap();
        let file = std::fs::read(dir.join(name)).unwrap();
        let HeaderParse::Complete(p) =
            parse_header(&file).unwrap_or_else(|err| panic!("{name}: {err}"))
        else {
            panic!("{name}: whole file reported as incomplete")
        };
        let h = &p.header;
        let want_shape: Vec<u64> = e["shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap())
            .collect();
        assert_eq!(
            h.dtype.descr(),
            e["descr"].as_str().unwrap(),
            "{name} descr"
        );
        assert_eq!(
            h.dtype.numpy_str(),
            e["str_loaded"].as_str().unwrap(),
            "{name} str(dtype)"
        );
        assert_eq!(h.shape, want_shape, "{name} shape");
        assert_eq!(
            h.fortran_order,
            e["fortran_order"].as_bool().unwrap(),
            "{name} order"
        );
        assert_eq!(
            p.data_offset,
            e["data_offset"].as_u64().unwrap(),
            "{name} offset"
        );
        assert_eq!(
            vec![p.version.0 as u64, p.version.1 as u64],
            json_u64s(&e["version"]),
            "{name} version"
        );
        assert_eq!(
            h.dtype.itemsize(),
            e["itemsize"].as_u64().unwrap(),
            "{name} itemsize"
        );
        assert_eq!(
            h.data_len().unwrap(),
            file.len() as u64 - p.data_offset,
            "{name} data length"
        );
        versions.insert(p.version);

        // Both text forms numpy produces describe the same dtype.
        for form in ["str", "str_loaded", "descr"] {
            let text = e[form].as_str().unwrap();
            let parsed =
                Dtype::parse(text).unwrap_or_else(|err| panic!("{name}: parse {text:?}: {err}"));
            assert_eq!(parsed, h.dtype, "{name}: Dtype::parse({text:?})");
        }

        // Rebuilt from the str(dtype) DataJoint stores, the file is numpy's, byte for byte.
        let data = &file[p.data_offset as usize..];
        let rebuilt = Header {
            dtype: Dtype::parse(e["str"].as_str().unwrap()).unwrap(),
            fortran_order: h.fortran_order,
            shape: h.shape.clone(),
        };
        let mut same = rebuilt.encode();
        assert_eq!(same.len() as u64, p.data_offset, "{name}: header length");
        same.extend_from_slice(data);
        assert!(same == file, "{name}: npystore's file differs from numpy's");
        std::fs::write(ours.join(format!("{i:03}-same.npy")), &same).unwrap();

        // A padded header for in-place rewrites still loads in numpy.
        if i % 7 == 0 {
            let mut padded = rebuilt.encode_padded(4096).unwrap();
            assert!(
                padded.len() >= 4096 && padded.len() % 64 == 0,
                "{name}: padded len {}",
                padded.len()
            );
            let HeaderParse::Complete(pp) = parse_header(&padded).unwrap() else {
                panic!("{name}: padded incomplete")
            };
            assert_eq!(pp.header, rebuilt, "{name}: padded header reads back");
            padded.extend_from_slice(data);
            std::fs::write(ours.join(format!("{i:03}-padded.npy")), &padded).unwrap();
        }

        // The other memory order of the same array, converted by npystore.
        let itemsize = h.dtype.itemsize() as usize;
        let mut other = vec![0u8; data.len()];
        if h.fortran_order {
            fortran_to_c(data, &mut other, &h.shape, itemsize).unwrap();
        } else {
            c_to_fortran(data, &mut other, &h.shape, itemsize).unwrap();
        }
        let flipped = Header {
            fortran_order: !h.fortran_order,
            ..h.clone()
        };
        let mut bytes = flipped.encode();
        bytes.extend_from_slice(&other);
        std::fs::write(ours.join(format!("{i:03}-flipped.npy")), &bytes).unwrap();
    }
    assert_eq!(
        versions.len(),
        3,
        "zoo must cover formats 1.0, 2.0 and 3.0: {versions:?}"
    );

    let checked = common::run_python(&zoo_script(), &["check", dir.to_str().unwrap()]);
    let checked: usize = checked.trim().parse().unwrap();
    assert!(
        checked >= 2 * manifest.len(),
        "numpy checked only {checked} files"
    );
}

fn json_u64s(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect()
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// numpy as the oracle over whole classes, not instances: every type string spelling
/// (order x code x size x unit), descr classes (sub-arrays of sub-arrays, unsized
/// bases, empty names and numpy's padding rule, titles, entry and shape forms, forms
/// `descr_to_dtype` cannot read), literal syntax (Python 2 `L` by format version,
/// integer spellings, repeated keys, comments, string prefixes and escapes, `ndim`
/// 64/65), and 300 random nested structured dtypes made by numpy. npystore must
/// refuse exactly what numpy refuses, read the rest exactly as numpy does, and write
/// back the preamble numpy writes for the array it read. The few texts refused on
/// purpose are listed, with reasons, in `DIVERGENCES` of tests/oracles/npy_zoo.py.
#[test]
fn numpy_verdicts_on_header_classes_are_matched() {
    let scratch = common::Scratch::new("zoo-sweep");
    let dir = scratch.path();
    common::run_python(&zoo_script(), &["sweep", dir.to_str().unwrap()]);
    let entries: Vec<Value> =
        serde_json::from_slice(&std::fs::read(dir.join("sweep.json")).unwrap()).unwrap();
    assert!(entries.len() > 4000, "sweep too small: {}", entries.len());
    let mut wrong = Vec::new();
    let (mut accepted, mut refused, mut skipped, mut written) = (0, 0, 0, 0);
    let mut diverged = 0;
    for e in &entries {
        let text = e["text"].as_str().unwrap();
        if e.get("skip").is_some() {
            skipped += 1;
            continue;
        }
        let got = parse_header(&hex(e["preamble"].as_str().unwrap()));
        if e.get("divergence").is_some() {
            diverged += 1;
            if got.is_ok() {
                wrong.push(format!("{text}\n    refused on purpose, npystore: {got:?}"));
            }
            continue;
        }
        if let Some(numpy_error) = e.get("error") {
            refused += 1;
            if let Ok(HeaderParse::Complete(p)) = got {
                wrong.push(format!(
                    "{text}\n    numpy: {numpy_error}\n    npystore read {}",
                    p.header.dtype.descr()
                ));
            }
            continue;
        }
        accepted += 1;
        let p = match got {
            Ok(HeaderParse::Complete(p)) => p,
            other => {
                wrong.push(format!("{text}\n    numpy reads it, npystore: {other:?}"));
                continue;
            }
        };
        let h = &p.header;
        let want = (
            e["descr"].as_str().unwrap().to_string(),
            e["str_loaded"].as_str().unwrap().to_string(),
            json_u64s(&e["shape"]),
            e["fortran_order"].as_bool().unwrap(),
            e["itemsize"].as_u64().unwrap(),
        );
        let have = (
            h.dtype.descr(),
            h.dtype.numpy_str(),
            h.shape.clone(),
            h.fortran_order,
            h.dtype.itemsize(),
        );
        if have != want {
            wrong.push(format!(
                "{text}\n    numpy:    {want:?}\n    npystore: {have:?}"
            ));
            continue;
        }
        if e["saved_fortran"].as_bool().unwrap() == h.fortran_order {
            written += 1;
            let numpy_wrote = hex(e["saved_preamble"].as_str().unwrap());
            if h.encode() != numpy_wrote {
                wrong.push(format!(
                    "{text}\n    numpy writes {:?}\n    npystore     {:?}",
                    String::from_utf8_lossy(&numpy_wrote),
                    String::from_utf8_lossy(&h.encode())
                ));
            }
        }
    }
    eprintln!(
        "sweep: {accepted} read as numpy reads them ({written} written back), {refused} refused, {diverged} refused on purpose, {skipped} skipped"
    );
    assert!(
        wrong.is_empty(),
        "{} of {} differ from numpy:\n{}",
        wrong.len(),
        entries.len(),
        wrong.join("\n")
    );
    assert!(accepted > 700 && refused > 2000, "{accepted} / {refused}");
}

/// `\N{...}` escapes in header strings decode as Python decodes them (np.load reads
/// the header with `ast.literal_eval`): every name in Python's Unicode table, 500 to a
/// field name, then one escape per header for other spellings of 1,800 names (case,
/// spaces, underscores, hyphens), the computed Hangul and CJK names, every alias and
/// malformed escapes. Python refuses aliases newer than its Unicode table; npystore,
/// with Unicode 17.0's, reads them (counted apart). Then the other way: numpy's
/// headers for field names of every code point (repr's escapes of unprintable
/// characters) read back and are written again byte for byte.
#[test]
fn named_escapes_decode_as_python_decodes_them() {
    let scratch = common::Scratch::new("zoo-names");
    let dir = scratch.path();
    common::run_python(&zoo_script(), &["names", dir.to_str().unwrap()]);
    let entries: Vec<Value> =
        serde_json::from_slice(&std::fs::read(dir.join("names.json")).unwrap()).unwrap();
    let mut wrong = Vec::new();
    let (mut decoded, mut refused, mut newer, mut written) = (0, 0, 0, 0);
    for e in &entries {
        let text = e["text"].as_str().unwrap();
        if let Some(saved) = e.get("saved_preamble") {
            let saved = hex(saved.as_str().unwrap());
            match parse_header(&saved) {
                Ok(HeaderParse::Complete(p)) => {
                    written += 1;
                    let name = match &p.header.dtype {
                        Dtype::Struct { fields, .. } => fields[0].name.as_str(),
                        _ => "",
                    };
                    if name != e["name"].as_str().unwrap() {
                        wrong.push(format!("{text}: read back another field name"));
                    } else if p.header.encode() != saved {
                        wrong.push(format!("{text}: npystore writes another header than numpy"));
                    }
                }
                other => wrong.push(format!("{text}: numpy wrote it, npystore: {other:?}")),
            }
            continue;
        }
        let got = match parse_header(&hex(e["preamble"].as_str().unwrap())) {
            Ok(HeaderParse::Complete(p)) => match p.header.dtype {
                Dtype::Struct { fields, .. } => Ok(fields[0].name.clone()),
                other => Err(format!("not a struct: {other:?}")),
            },
            other => Err(format!("{other:?}")),
        };
        if e.get("newer").is_some() {
            newer += 1;
            if got.is_err() {
                wrong.push(format!(
                    "{text}: an alias of Unicode 17.0, npystore: {got:?}"
                ));
            }
            continue;
        }
        match (e.get("name").and_then(Value::as_str), &got) {
            (Some(want), Ok(have)) if want == have => decoded += 1,
            (None, Err(_)) => refused += 1,
            (want, _) => wrong.push(format!(
                "{text}\n    Python: {want:?} {}\n    npystore: {got:?}",
                e.get("error").unwrap_or(&Value::Null)
            )),
        }
    }
    eprintln!("names: {decoded} decoded as Python decodes them, {refused} refused as Python refuses them, {newer} newer aliases read; {written} numpy-written headers of every code point written back byte for byte");
    assert!(
        decoded > 4000 && refused > 10000 && written > 500,
        "too few cases: {decoded} decoded, {refused} refused, {written} written"
    );
    assert!(
        wrong.is_empty(),
        "{} of {} differ from Python:\n{}",
        wrong.len(),
        entries.len(),
        wrong.join("\n")
    );
}
