//! Malformed `.npy` preambles and dtype strings: each gives its specific error kind,
//! nothing panics, truncation is reported as NeedMore with the right total.

mod common;

use npystore::format::{parse_header, read_header, Dtype, Header, HeaderParse, MAX_HEADER_LEN};
use npystore::{ArrayData, ErrorKind, PutOptions, Store, Target};

/// A v1.0 preamble around `dict` (padding like numpy's).
fn v1(dict: &str) -> Vec<u8> {
    with_version(1, dict.as_bytes())
}

fn with_version(major: u8, dict: &[u8]) -> Vec<u8> {
    let len_size = if major == 1 { 2 } else { 4 };
    let hlen = dict.len() + 1;
    let pad = 64 - (8 + len_size + hlen) % 64;
    let mut out = b"\x93NUMPY".to_vec();
    out.extend_from_slice(&[major, 0]);
    out.extend_from_slice(&((hlen + pad) as u32).to_le_bytes()[..len_size]);
    out.extend_from_slice(dict);
    out.resize(out.len() + pad, b' ');
    out.push(b'\n');
    out
}

fn kind_of(bytes: &[u8]) -> ErrorKind {
    match parse_header(bytes) {
        Err(e) => {
            assert!(!e.message().is_empty());
            e.kind()
        }
        Ok(r) => panic!(
            "expected an error for {:?}, got {r:?}",
            String::from_utf8_lossy(bytes)
        ),
    }
}

const GOOD: &str = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }";

#[test]
fn good_header_parses_in_any_python_literal_style() {
    for dict in [
        GOOD,
        "{'shape': (3, 4), 'descr': '<f8', 'fortran_order': False}",
        "{\"descr\":\"<f8\",\"fortran_order\":False,\"shape\":(3L,4L)}",
        "{ 'fortran_order' : False ,\n 'shape' : ( 3 , 4 , ) , 'descr' : u'<f8' , }",
        // As Python's dict literal: a repeated key keeps its last value; comments.
        "{'descr': '<i4', 'descr': '<f8', 'fortran_order': False, 'shape': (3, 0x4)}",
        "{'descr': '<' 'f8', 'fortran_order': False, 'shape': (3, 4), } # comment",
        "{'descr': r'<f8', 'fortran_order': False, 'shape': (0b11, 0o4), }",
    ] {
        let HeaderParse::Complete(p) = parse_header(&v1(dict)).unwrap() else {
            panic!("{dict}")
        };
        assert_eq!(p.header.shape, vec![3, 4], "{dict}");
        assert_eq!(p.header.dtype, Dtype::parse("float64").unwrap());
        assert!(!p.header.fortran_order);
        assert_eq!(p.data_offset, 128);
    }
}

#[test]
fn every_truncation_is_need_more_with_the_right_total() {
    let file = v1(GOOD);
    for n in 0..file.len() {
        match parse_header(&file[..n]).unwrap() {
            HeaderParse::NeedMore { total } => {
                assert!(total as usize > n, "prefix {n}: total {total}");
                assert!(total as usize <= file.len(), "prefix {n}: total {total}");
                if n >= 10 {
                    assert_eq!(total as usize, file.len());
                }
            }
            HeaderParse::Complete(_) => panic!("prefix {n} of {} reported complete", file.len()),
        }
    }
    assert!(matches!(
        parse_header(&file).unwrap(),
        HeaderParse::Complete(_)
    ));
    // read_header on a truncated stream is a Format error, never a hang or panic.
    for n in [0, 5, 9, 10, 60, file.len() - 1] {
        let err = read_header(&mut &file[..n]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Format, "read_header of {n} bytes");
    }
    let mut rest = &file[..];
    let p = read_header(&mut rest).unwrap();
    assert_eq!(p.data_offset as usize, file.len());
    assert!(rest.is_empty());
}

#[test]
fn bad_magic_version_and_lengths_are_format_errors() {
    let good = v1(GOOD);
    let mut bad_magic = good.clone();
    bad_magic[1] = b'X';
    assert_eq!(kind_of(&bad_magic), ErrorKind::Format);
    assert_eq!(kind_of(b"PK\x03\x04"), ErrorKind::Format); // an npz is not an npy
    for (major, minor) in [(0u8, 0u8), (4, 0), (1, 1), (255, 255)] {
        let mut v = good.clone();
        v[6] = major;
        v[7] = minor;
        assert_eq!(kind_of(&v), ErrorKind::Format, "version {major}.{minor}");
    }
    // A declared length over the limit is refused before anything is read or allocated.
    let mut huge = b"\x93NUMPY\x02\x00".to_vec();
    huge.extend_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(kind_of(&huge), ErrorKind::Format);
    let mut just_over = b"\x93NUMPY\x02\x00".to_vec();
    just_over.extend_from_slice(&((MAX_HEADER_LEN + 1) as u32).to_le_bytes());
    assert_eq!(kind_of(&just_over), ErrorKind::Format);
    // A declared length that cuts the dict short is a syntax error.
    let mut short = good.clone();
    short[8] = 20;
    short[9] = 0;
    assert_eq!(kind_of(&short), ErrorKind::Format);
}

#[test]
fn malformed_dicts_are_format_errors() {
    for dict in [
        "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4)", // unbalanced
        "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4}", // mismatched
        "{'descr': '<f8', 'fortran_order': False, 'shape': [3, 4]]}",
        "{'descr': '<f8', 'fortran_order': False}", // missing key
        "{'descr': '<f8', 'shape': ()}",
        "{'fortran_order': False, 'shape': ()}",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (), 'extra': 1}",
        "{'descr': '<f8', 'fortran_order': 0, 'shape': ()}", // not a bool
        "{'descr': '<f8', 'fortran_order': 'False', 'shape': ()}",
        "{'descr': '<f8', 'fortran_order': False, 'shape': [3]}", // list, not tuple
        "{'descr': '<f8', 'fortran_order': False, 'shape': (3.0,)}",
        "{'descr': '<f8', 'fortran_order': False, 'shape': ('3',)}",
        "['descr', '<f8']",
        "",
        "{1: '<f8'}",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (3,) } trailing",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }\u{e9}", // non-ASCII outside strings
        "{'descr': '<f8', 'fortran_order': Fal\u{e9}, 'shape': (3,), }",
    ] {
        assert_eq!(kind_of(&v1(dict)), ErrorKind::Format, "{dict}");
    }
    // Invalid UTF-8 in a 3.0 header.
    assert_eq!(
        kind_of(&with_version(
            3,
            b"{'descr': [('\xff', '<f8')], 'fortran_order': False, 'shape': ()}"
        )),
        ErrorKind::Format
    );
}

#[test]
fn latin1_and_utf8_names_decode_per_version() {
    let latin1 = with_version(
        1,
        b"{'descr': [('\xe9', '<f8')], 'fortran_order': False, 'shape': ()}",
    );
    let utf8 = with_version(
        3,
        "{'descr': [('é', '<f8')], 'fortran_order': False, 'shape': ()}".as_bytes(),
    );
    for bytes in [latin1, utf8] {
        let HeaderParse::Complete(p) = parse_header(&bytes).unwrap() else {
            panic!()
        };
        assert_eq!(p.header.dtype, Dtype::parse("[('é', '<f8')]").unwrap());
    }
}

#[test]
fn shape_problems_are_shape_errors() {
    for shape in [
        "(-1,)",
        "(3, -4)",
        "(18446744073709551616,)",
        "(4294967296, 4294967296, 4294967296)",
        "(9223372036854775807, 3)",
    ] {
        let dict = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}");
        assert_eq!(kind_of(&v1(&dict)), ErrorKind::Shape, "{shape}");
    }
    let err = Header {
        dtype: Dtype::parse("<f8").unwrap(),
        fortran_order: false,
        shape: vec![1 << 32; 3],
    }
    .data_len()
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Shape);
    assert_eq!(
        err.message(),
        "shape (4294967296, 4294967296, 4294967296) overflows 64-bit byte count for itemsize 8"
    );
    // Large but representable shapes are fine, and zero-length axes make zero bytes.
    let h = Header {
        dtype: Dtype::parse("|u1").unwrap(),
        fortran_order: false,
        shape: vec![u64::MAX],
    };
    assert_eq!(h.data_len().unwrap(), u64::MAX);
    let h = Header {
        dtype: Dtype::parse("<f8").unwrap(),
        fortran_order: false,
        shape: vec![u64::MAX, u64::MAX, 0],
    };
    assert_eq!(h.data_len().unwrap(), 0);
}

#[test]
fn bad_descrs_are_dtype_errors_and_objects_are_refused() {
    for descr in [
        "'xyz'",
        "'<f3'",
        "'<i16'",
        "'<c4'",
        "'|b2'",
        "'<M8[ks]'",
        "'<M8[-1s]'",
        "'<M4'",
        "'<U5x'",
        "3",
        "[('x',)]",
        "[('x', '<f8'), ('x', '<i4')]",
        "[(('x', 'x'), '<f8')]",               // a title equal to a name
        "[(('y', 'x'), '<f8'), ('y', '<i2')]", // ... to another field's name
        "[(('t', 'x'), '<f8'), (('t', 'y'), '<i2')]", // ... to another title
        "[((1, 'x'), '<f8')]",                 // numpy allows any title; npystore str
        "[(('t', 'x', 'z'), '<f8')]",
        "{'names': ['x'], 'formats': ['<f8'], 'titles': ['a', 'b']}",
        "('<f4', (2,))",
        "[('x', '<f8', (-1,))]",
        "[('x', '<f8', (1000000, 1000000))]",
    ] {
        let dict = format!("{{'descr': {descr}, 'fortran_order': False, 'shape': (), }}");
        assert_eq!(kind_of(&v1(&dict)), ErrorKind::Dtype, "{descr}");
    }
    for descr in [
        "'|O'",
        "'O'",
        "[('a', '<f8'), ('b', '|O')]",
        "[('n', [('deep', '|O')])]",
        "[('s', '|O', (2,))]",
    ] {
        let dict = format!("{{'descr': {descr}, 'fortran_order': False, 'shape': (), }}");
        let err = parse_header(&v1(&dict)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ObjectDtype, "{descr}");
        assert!(err.message().contains("object"), "{}", err.message());
    }
    // A pickle where an .npy should be is refused, never unpickled.
    let err = parse_header(b"\x80\x04\x95\x10\x00\x00\x00").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ObjectDtype);
    assert!(err.message().contains("pickle"));
    for s in ["object", "O", "|O8", "[('a', 'O')]"] {
        assert_eq!(
            Dtype::parse(s).unwrap_err().kind(),
            ErrorKind::ObjectDtype,
            "{s}"
        );
    }
    let err = Dtype::parse("xyz").unwrap_err();
    assert_eq!(
        (err.kind(), err.message()),
        (ErrorKind::Dtype, "unknown dtype 'xyz'")
    );
    for s in [
        "",
        "float63",
        "int7",
        "[",
        "[('x', '<f8')",
        "{'names': ['a']}",
        "datetime64[",
        "<U99999999999",
    ] {
        assert_eq!(
            Dtype::parse(s).unwrap_err().kind(),
            ErrorKind::Dtype,
            "{s:?}"
        );
    }
}

/// A tiny deterministic generator (xorshift), so the loop is reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn random_mutations_never_panic() {
    let seeds: Vec<Vec<u8>> = [
        GOOD,
        "{'descr': [('x', '<f8'), ('', '|V4'), ('s', '>i2', (2, 3)), ('n', [('a', '|b1')])], 'fortran_order': True, 'shape': (0, 5), }",
        "{'descr': '<M8[10ms]', 'fortran_order': False, 'shape': (), }",
        "{'descr': '<U5', 'fortran_order': False, 'shape': (18446744073709551615,), }",
    ]
    .iter()
    .map(|d| v1(d))
    .collect();
    let alphabet = b"{}[]()',:\"\\ 0123456789-LuTrueFalse<>|=fiUSVMmO\x00\x93\xff\n";
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut outcomes = [0usize; 3];
    for round in 0..20_000 {
        let mut b = seeds[round % seeds.len()].clone();
        for _ in 0..1 + rng.below(4) {
            match rng.below(4) {
                0 => {
                    let i = rng.below(b.len());
                    b[i] = (rng.next() & 0xff) as u8;
                }
                1 => {
                    let i = 10 + rng.below(b.len() - 10);
                    b[i] = alphabet[rng.below(alphabet.len())];
                }
                2 => {
                    let i = rng.below(b.len());
                    b.remove(i);
                }
                _ => b.truncate(rng.below(b.len() + 1)),
            }
            if b.len() < 11 {
                break;
            }
        }
        let outcome = std::panic::catch_unwind(|| parse_header(&b))
            .unwrap_or_else(|_| panic!("panic on {b:?}"));
        outcomes[match outcome {
            Ok(HeaderParse::Complete(_)) => 0,
            Ok(HeaderParse::NeedMore { .. }) => 1,
            Err(_) => 2,
        }] += 1;
        if let Ok(s) = std::str::from_utf8(&b[b.len().min(10)..]) {
            let _ = Dtype::parse(s);
        }
    }
    // Every outcome occurs, so the loop reaches past the magic into the dict parser.
    assert!(
        outcomes.iter().all(|&n| n >= 50),
        "mutations too tame: {outcomes:?}"
    );
}

fn message_of(bytes: &[u8]) -> String {
    parse_header(bytes).unwrap_err().message().to_string()
}

/// Messages show values as the user wrote them: Python reprs, bytes as `b'\x..'`.
#[test]
fn messages_show_values_as_written() {
    let mut bad_magic = v1(GOOD);
    bad_magic[5] = b'Z';
    assert_eq!(
        message_of(&bad_magic),
        r"not a .npy object: the magic string is b'\x93NUMPZ', expected b'\x93NUMPY'"
    );
    assert_eq!(
        message_of(b"\xff\xfeab"),
        r"not a .npy object: the magic string is b'\xff\xfeab', expected b'\x93NUMPY'"
    );
    for (dict, want) in [
        (
            "{'descr': '<f8', 'fortran_order': 0, 'shape': ()}",
            "fortran_order is not a bool: 0",
        ),
        (
            "{'descr': '<f8', 'fortran_order': 'no', 'shape': ()}",
            "fortran_order is not a bool: 'no'",
        ),
        (
            "{'descr': '<f8', 'fortran_order': False, 'shape': [3]}",
            "shape is not a tuple of ints: [3]",
        ),
        (
            "{'descr': '<f8', 'fortran_order': False, 'shape': (3, None)}",
            "shape is not a tuple of ints: (3, None) holds None",
        ),
        (
            "{'descr': '<f8', 'fortran_order': False, 'shape': (), 'x': (1,)}",
            "unexpected key 'x' in the .npy header",
        ),
        (
            "{'descr': '<f8', 'fortran_order': False, 'shape': (), (1,): 2}",
            "a .npy header key must be a str, not (1,)",
        ),
        ("['descr']", "the .npy header is not a dict: ['descr']"),
        (
            "{'descr': None, 'fortran_order': False, 'shape': ()}",
            "None is not a valid dtype descriptor",
        ),
        (
            "{'descr': [(1, '<f8')], 'fortran_order': False, 'shape': ()}",
            "field names must be strings, not 1",
        ),
        (
            "{'descr': [('a', '<f8', ('2',))], 'fortran_order': False, 'shape': ()}",
            "invalid shape in fixed-type tuple: dimension '2' is not an int",
        ),
        (
            "{'descr': [('a', '<f8'), ('a', '<i4')], 'fortran_order': False, 'shape': ()}",
            "field name 'a' is already used as a name or title",
        ),
    ] {
        assert_eq!(message_of(&v1(dict)), want, "{dict}");
    }
    let control = message_of(&v1(
        "{'descr': '<f8', 'fortran_order': False, 'shape': ()}\u{1}",
    ));
    assert!(
        control.starts_with(
            r"cannot parse .npy header: unexpected '\x01' after the literal at character 53: "
        ),
        "{control}"
    );
    let shape = Dtype::parse("[('a', '<f8', (65536, 65536))]").unwrap_err();
    assert_eq!(
        shape.message(),
        "sub-array shape (65536, 65536) makes the item larger than 2147483647 bytes"
    );
}

/// Python 2 `L` suffixes are dropped in format 1.0 and 2.0 headers only, as numpy does.
#[test]
fn long_suffixes_only_before_format_3() {
    let dict = b"{'descr': '<f8', 'fortran_order': False, 'shape': (3L,), }";
    for major in [1u8, 2] {
        let HeaderParse::Complete(p) = parse_header(&with_version(major, dict)).unwrap() else {
            panic!("{major}")
        };
        assert_eq!(p.header.shape, vec![3]);
    }
    assert_eq!(kind_of(&with_version(3, dict)), ErrorKind::Format);
    let lower = b"{'descr': '<f8', 'fortran_order': False, 'shape': (3l,), }";
    assert_eq!(kind_of(&with_version(1, lower)), ErrorKind::Format);
}

/// numpy cannot hold more than 64 dimensions (`NPY_MAXDIMS`): such headers are
/// refused when read and when built for writing, with numpy's own words.
#[test]
fn more_than_64_dimensions_are_shape_errors() {
    let dims = |n: usize| vec!["1"; n].join(", ");
    let ok = format!(
        "{{'descr': '<f8', 'fortran_order': False, 'shape': ({},), }}",
        dims(64)
    );
    let HeaderParse::Complete(p) = parse_header(&v1(&ok)).unwrap() else {
        panic!("64 dims")
    };
    assert_eq!(p.header.shape.len(), 64);
    let bad = format!(
        "{{'descr': '<f8', 'fortran_order': False, 'shape': ({},), }}",
        dims(65)
    );
    let err = parse_header(&v1(&bad)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Shape);
    assert_eq!(
        err.message(),
        "shape has 65 dimensions; numpy supports at most 64 (\"maximum supported dimension for an ndarray is currently 64, found 65\"), so it cannot load such a .npy"
    );
    let header = Header {
        dtype: Dtype::parse("<f8").unwrap(),
        fortran_order: false,
        shape: vec![1; 65],
    };
    assert_eq!(header.data_len().unwrap_err().kind(), ErrorKind::Shape);
}

/// CPU time this thread has used: unlike wall time, it does not grow while the
/// thread waits for a core.
#[cfg(unix)]
fn thread_cpu_time() -> std::time::Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    std::time::Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Where no per-thread CPU clock is read, wall time since the first call.
#[cfg(not(unix))]
fn thread_cpu_time() -> std::time::Duration {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START.get_or_init(std::time::Instant::now).elapsed()
}

/// Structure validation is linear. The check compares growth, not a stopwatch
/// bound: parsing 32 times as many fields must take well under 1,024 times as long.
/// Linear checks measured 22x to 63x here, noise included; a quadratic duplicate-name
/// check, tried once on purpose, 1,232x. The limit, 256x, is 4x from either. Each size
/// is measured in this thread's CPU time, best of seven, so time spent waiting for a
/// core on a busy machine is not counted (wall time once gave 24x for 8x the fields).
/// A duplicate at the very end must still be found.
#[test]
fn wide_structures_validate_in_linear_time() {
    let header = |n: usize| {
        let fields: Vec<String> = (0..n).map(|i| format!("('f{i}', '|u1')")).collect();
        let dict = format!(
            "{{'descr': [{}], 'fortran_order': False, 'shape': (1,), }}",
            fields.join(", ")
        );
        with_version(2, dict.as_bytes())
    };
    let best = |bytes: &[u8]| {
        (0..7)
            .map(|_| {
                let start = thread_cpu_time();
                let HeaderParse::Complete(p) = parse_header(bytes).unwrap() else {
                    panic!("incomplete")
                };
                let t = thread_cpu_time() - start;
                assert!(p.header.dtype.itemsize() > 0);
                t
            })
            .min()
            .unwrap()
    };
    let (small, large) = (header(1_500), header(48_000));
    assert!(large.len() < MAX_HEADER_LEN as usize);
    let (t_small, t_large) = (best(&small), best(&large));
    let ratio = t_large.as_secs_f64() / t_small.as_secs_f64().max(1e-6);
    assert!(
        ratio < 256.0,
        "32x the fields took {ratio:.1}x as long ({t_small:?} -> {t_large:?}): validation is not linear"
    );
    let fields: Vec<String> = (0..50_000).map(|i| format!("('f{i}', '|u1')")).collect();
    let dup = format!("[{}, ('f0', '|u1')]", fields.join(", "));
    let err = Dtype::parse(&dup).unwrap_err();
    assert_eq!(
        err.message(),
        "field name 'f0' is already used as a name or title"
    );
}

/// Writing: `put` and the streaming writer refuse shapes numpy could not load (65
/// axes, or 64 row axes plus the growing one) with `Shape`, and write nothing.
#[test]
fn puts_of_more_than_64_dimensions_are_refused() {
    let dir = std::env::temp_dir().join(format!("npystore-ndim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = common::file_store_json("main", &dir);
    let store = Store::open(Some(&config), None).unwrap();
    let bytes = [0u8; 8];
    let dtype = Dtype::parse("<f8").unwrap();
    for (ndim, ok) in [(64, true), (65, false)] {
        let array = ArrayData {
            data: &bytes,
            dtype: dtype.clone(),
            shape: vec![1; ndim],
            fortran_order: false,
        };
        let target = Target::Path(format!("d{ndim}.npy"));
        let got = store.put(&array, &target, PutOptions::default());
        assert_eq!(got.is_ok(), ok, "{ndim} dims: {:?}", got.err());
        if let Err(e) = got {
            assert_eq!(e.kind(), ErrorKind::Shape);
            assert!(e.message().contains("at most 64"), "{}", e.message());
        }
        assert_eq!(dir.join(format!("d{ndim}.npy")).exists(), ok);
    }
    let target = Target::Path("w.npy".into());
    let Err(err) = store.writer(&target, dtype, vec![1; 64], false, PutOptions::default()) else {
        panic!("a writer of 64 row axes")
    };
    assert_eq!(err.kind(), ErrorKind::Shape);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A field named '' is a field unless numpy's reader would take it for padding (an
/// untitled void or sub-array): then it is padding in every form, so a dtype's descr
/// reads back as the same dtype.
#[test]
fn empty_names_follow_numpys_padding_rule_in_every_form() {
    let kept = Dtype::parse("{'names': ['a', '', 'b'], 'formats': ['i4', 'i4', 'i4']}").unwrap();
    assert_eq!(kept.descr(), "[('a', '<i4'), ('', '<i4'), ('b', '<i4')]");
    assert_eq!(Dtype::parse(&kept.descr()).unwrap(), kept);
    let padded = Dtype::parse(
        "{'names': ['a', ''], 'formats': ['<i4', 'V4'], 'offsets': [0, 4], 'itemsize': 8}",
    )
    .unwrap();
    assert_eq!(padded.descr(), "[('a', '<i4'), ('', '|V4')]");
    assert_eq!(Dtype::parse(&padded.descr()).unwrap(), padded);
    let titled = Dtype::parse("[('a', '<i4'), (('t', ''), '|V4')]").unwrap();
    assert_eq!(Dtype::parse(&titled.descr()).unwrap(), titled);
    let npystore::format::Dtype::Struct { fields, .. } = &titled else {
        panic!("struct")
    };
    assert_eq!(fields.len(), 2);
}

/// A put or a streaming writer whose header would exceed the 1 MiB npystore reads is
/// refused and writes nothing: the descr of a dict form with gaps is longer than the
/// dict text.
#[test]
fn puts_and_writers_whose_header_npystore_could_not_read_are_refused() {
    let n = 40_000;
    let names: Vec<String> = (0..n).map(|i| format!("'f{i}'")).collect();
    let offsets: Vec<String> = (0..n).map(|i| (2 * i).to_string()).collect();
    let text = format!(
        "{{'names': [{}], 'formats': [{}], 'offsets': [{}], 'itemsize': {}}}",
        names.join(", "),
        vec!["'?'"; n].join(", "),
        offsets.join(", "),
        2 * n
    );
    assert!(text.len() < MAX_HEADER_LEN as usize);
    let dtype = Dtype::parse(&text).unwrap();
    assert!(dtype.descr().len() > MAX_HEADER_LEN as usize);
    let dir = std::env::temp_dir().join(format!("npystore-long-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = common::file_store_json("main", &dir);
    let store = Store::open(Some(&config), None).unwrap();
    let data = vec![0u8; 2 * n];
    let array = ArrayData {
        data: &data,
        dtype,
        shape: vec![1],
        fortran_order: false,
    };
    let err = store
        .put(
            &array,
            &Target::Path("long.npy".into()),
            PutOptions::default(),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Dtype);
    assert!(
        err.message().contains("over the limit 1048576"),
        "{}",
        err.message()
    );
    assert!(!dir.join("long.npy").exists());
    let err = store
        .writer(
            &Target::Path("long.npy".into()),
            array.dtype.clone(),
            vec![],
            false,
            PutOptions::default(),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Dtype, "{}", err.message());
    assert!(
        err.message().contains("over the limit 1048576"),
        "{}",
        err.message()
    );
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "the writer left a file"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
