"""Shared pieces of the DataJoint parity suite (tests/parity/test_parity_*.py): the
array zoo, array and path comparisons, and raw access to the JSON DataJoint keeps in
its rows (npystore's JSON goes into a row the way a C program's would: SQL, since
DataJoint's own insert only takes arrays)."""
import datetime as dt
import io
import json
import re

import numpy as np

# ---------------------------------------------------------------- the array zoo


def _values(dtype, shape, seed):
    """Deterministic, non-trivial values of `dtype` in `shape` (C order)."""
    dtype = np.dtype(dtype)
    n = int(np.prod(shape, dtype=np.int64))
    rng = np.random.default_rng(seed)
    if dtype.names is not None or dtype.kind == "V":
        raw = rng.integers(0, 256, n * dtype.itemsize, dtype=np.uint8).tobytes()
        a = np.frombuffer(raw, dtype=dtype).copy() if n else np.zeros(0, dtype)
        if dtype.names is not None:  # structured: readable field values, padding zeroed
            a = np.zeros(n, dtype)
            for i, name in enumerate(dtype.names):
                f = a[name]
                f[...] = _values(f.dtype, f.shape, seed + i + 1) if f.size else f
        return a.reshape(shape)
    if dtype.kind == "b":
        return (rng.integers(0, 2, n) == 1).reshape(shape)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        a = rng.integers(info.min, info.max, n, dtype=dtype.newbyteorder("="), endpoint=True)
        if n >= 2:
            a[:2] = info.min, info.max
        return a.astype(dtype).reshape(shape)
    if dtype.kind == "f":
        a = rng.standard_normal(n).astype(dtype) * 1000
        a[: min(n, 3)] = [np.nan, np.inf, -0.0][: min(n, 3)]
        return a.reshape(shape)
    if dtype.kind == "c":
        return (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(dtype).reshape(shape)
    if dtype.kind == "U":
        pool = ["", "a", "héllo", "日本語", "x y z", "\u00ff\u0100"]
        return np.array([(pool[i % len(pool)] * 3)[: dtype.itemsize // 4] for i in range(n)], dtype=dtype).reshape(shape)
    if dtype.kind == "S":
        pool = [b"", b"ab", b"\x00\xff", b"xyz"]
        return np.array([pool[i % len(pool)][: dtype.itemsize] for i in range(n)], dtype=dtype).reshape(shape)
    if dtype.kind in "mM":
        a = rng.integers(-(10**6), 10**6, n).astype(np.int64).astype(dtype)
        if n:
            a[0] = np.array("NaT", dtype)
        return a.reshape(shape)
    raise ValueError(dtype)


def _zoo():
    z = {}
    scalar = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
              "float16", "float32", "float64", "complex64", "complex128"]
    for i, d in enumerate(scalar):
        z[d] = _values(d, (3, 4), i)
    for d in ["U1", "U7", "S1", "S5", "V1", "V8", "V13"]:
        z[d] = _values(d, (5,), len(z))
    for u in ["Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "as", "25s"]:
        z[f"M8[{u}]"] = _values(f"datetime64[{u}]", (4,), len(z))
    for u in ["D", "s", "ms", "us", "ns"]:
        z[f"m8[{u}]"] = _values(f"timedelta64[{u}]", (2, 2), len(z))
    structured = {
        "struct_simple": [("x", "<f8"), ("y", "<i4")],
        "struct_nested": [("pos", [("x", "<f4"), ("y", "<f4")]), ("id", "<u2"), ("tag", "S3")],
        "struct_subarray": [("m", "<f8", (2, 3)), ("flags", "?", (4,)), ("name", "<U4")],
        "struct_padded": {"names": ["a", "b"], "formats": ["u1", "<f8"], "offsets": [0, 8], "itemsize": 24},
        "struct_aligned": np.dtype([("a", "u1"), ("b", "<i8"), ("c", "<f2")], align=True),
        "struct_big_endian": [("a", ">i4"), ("b", ">f8"), ("c", ">c8")],
        "struct_titles": [(("title of x", "x"), "<f8"), ("y", "<i2")],
        "struct_datetime": [("t", "<M8[us]"), ("dt", "<m8[s]"), ("v", "V3")],
    }
    for name, d in structured.items():
        z[name] = _values(np.dtype(d), (4,), len(z))
    for d in [">i2", ">u4", ">i8", ">f4", ">f8", ">c16", ">U3", ">M8[ms]", ">m8[ns]", "<f8", "<i4"]:
        z["order" + d] = _values(d, (3, 2), len(z))
    for d in ["float64", "int16", "complex64", "bool", "U3", ">f4", "M8[s]"]:
        z["fortran_2d_" + d] = np.asfortranarray(_values(d, (3, 5), len(z)))
        z["fortran_3d_" + d] = np.asfortranarray(_values(d, (2, 3, 4), len(z)))
    z["fortran_struct"] = np.asfortranarray(_values(structured["struct_simple"], (3, 2), 0))
    for d in ["float64", "int8", "bool", "complex128", "U5", "S2", "V4", "M8[ns]", "m8[D]", ">i4"]:
        z["0d_" + d] = _values(d, (), len(z))
    z["0d_struct"] = _values(structured["struct_nested"], (), 0)
    for shape in [(0,), (0, 3), (3, 0), (2, 0, 4), (0, 0)]:
        z["empty_" + "x".join(map(str, shape))] = _values("float32", shape, 0)
    z["empty_struct"] = _values(structured["struct_simple"], (0, 2), 0)
    z["empty_U4"] = _values("U4", (0,), 0)
    z["empty_fortran"] = np.asfortranarray(np.zeros((0, 3, 2), ">i2"))
    z["large_4d"] = _values("float64", (3, 4, 5, 6), 7)
    z["1d_float64"] = _values("float64", (7,), 8)
    z["U5_ascii"] = np.array(["ab", "cdefg", "", "x y"], dtype="<U5")
    return z


ZOO = _zoo()


def is_fortran(a):
    return a.flags.f_contiguous and not a.flags.c_contiguous


def npy_bytes(a):
    """What numpy.save writes for `a` (DataJoint's writer)."""
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=False)
    return buf.getvalue()


def has_padding(dtype):
    """Whether a structured dtype has bytes no field covers (numpy.save leaves
    them undefined, so they are not data)."""
    if dtype.names is None:
        return dtype.subdtype is not None and has_padding(dtype.subdtype[0])
    fields = [dtype.fields[n] for n in dtype.names]
    covered = sum(f[0].itemsize for f in fields)
    return covered != dtype.itemsize or any(has_padding(f[0]) for f in fields)


def _same_data(x, y):
    if has_padding(x.dtype):
        return all(_same_data(x[n], y[n]) for n in x.dtype.names)
    return np.ascontiguousarray(x).tobytes() == np.ascontiguousarray(y).tobytes()


def assert_same_array(actual, expected, *, layout=False):
    """Same dtype, shape and bytes (so NaN, NaT and -0.0 count; padding does not);
    with `layout`, also the same memory order (what the .npy header recorded)."""
    actual = np.asarray(actual)
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    assert _same_data(actual, expected)
    if layout and actual.ndim > 1 and actual.size > 1:
        assert is_fortran(actual) == is_fortran(expected)


def assert_numpy_object(raw, a):
    """`raw` is what numpy.save writes for `a`: byte for byte, padding aside."""
    want = npy_bytes(a)
    if not has_padding(a.dtype):
        assert raw == want
        return
    start = len(want) - a.nbytes
    assert raw[:start] == want[:start] and len(raw) == len(want)
    assert_same_array(np.load(io.BytesIO(raw), allow_pickle=False), a, layout=True)


# ---------------------------------------------------------------- rows and paths


def row_meta(table, key, attribute):
    """The JSON object DataJoint keeps in `attribute` of the row `key`, read raw."""
    where = " AND ".join(f'"{k}" = %s' for k in key)
    rows = table.connection.query(
        f'SELECT "{attribute}" FROM {table.full_table_name} WHERE {where}', args=tuple(key.values())
    ).fetchall()
    assert len(rows) == 1, rows
    value = rows[0][0]
    return json.loads(value) if isinstance(value, str) else value


def insert_json_row(table, key, values):
    """Insert a row whose <npy@> attributes hold npystore's JSON texts, as a C
    program would (DataJoint's insert only takes arrays for <npy@>)."""
    cols = list(key) + list(values)
    names = ", ".join(f'"{c}"' for c in cols)
    marks = ", ".join(["%s"] * len(key) + ["%s::jsonb"] * len(values))
    sql = f"INSERT INTO {table.full_table_name} ({names}) VALUES ({marks})"
    table.connection.query(sql, args=tuple(key.values()) + tuple(values.values()))


def split_token(path, attribute):
    """(path with the token cut out, token) for `<folders>/<attribute>_<token>.npy`;
    the token is DataJoint's alphabet `A-Z a-z 0-9 - _`."""
    folder, _, name = path.rpartition("/")
    m = re.fullmatch(re.escape(attribute) + r"_([A-Za-z0-9_-]+)\.npy", name)
    assert m, (path, attribute)
    return f"{folder}/{attribute}_.npy", m.group(1)


def pk_of(table, row):
    """The primary key of `row`, in the table's primary-key order (DataJoint's)."""
    return {k: row[k] for k in table.primary_key}

