"""numpy's side of the Octave round-trip tests.

    python numpy_side.py make DIR     write numpy's files for every case into DIR
    python numpy_side.py check DIR    check the files Octave wrote into DIR

Every case holds the same values in both languages: numpy's a = values(n) reshaped
to the shape in C order, so a[i, j, ...] is its C-order linear index k, turned into
the dtype by `values` below (Octave's expected_values.m mirrors it). DIR/cases.tsv
lists the cases: name, dtype, shape (comma-separated, empty for 0-d), order (as
stored: numpy.save writes C order for arrays that are both C and F contiguous).
"""
import io
import math
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np

DTYPES = ["float64", "float32", "int8", "int16", "int32", "int64", "uint8", "uint16",
          "uint32", "uint64", "bool", "complex128", "complex64"]
# numpy-only dtypes Octave must read: other byte orders, float16, datetime64
READ_ONLY = [">f8", ">i2", ">c16", "float16", "datetime64[s]"]
SHAPES = [(), (0,), (5,), (2, 3), (3, 1), (1, 3), (2, 3, 4), (0, 3), (2, 1, 3)]


def values(n, dtype):
    k = np.arange(n)
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return (k % 2 == 1).astype(dt)
    if dt.kind == "c":
        return (k + 1j * (k + 1)).astype(dt)  # no zero imaginary part: Octave drops those
    return k.astype(dt)


def expected(dtype, shape):
    return values(int(np.prod(shape, dtype=np.int64)), dtype).reshape(shape)


def case_name(dtype, shape, order):
    tag = np.dtype(dtype).str.replace("<", "l").replace(">", "b").replace("|", "n")
    tag = tag.replace("[", "_").replace("]", "")
    return f"{tag}_{'x'.join(map(str, shape)) or 'scalar'}_{order}.npy"


def make(root):
    root.mkdir(parents=True, exist_ok=True)
    rows = []
    for dtype in DTYPES + READ_ONLY:
        for shape in SHAPES:
            for order in "CF":
                a = expected(dtype, shape).copy(order=order)  # ascontiguousarray makes 0-d 1-d
                name = case_name(dtype, shape, order)
                np.save(root / name, a, allow_pickle=False)
                stored = "F" if a.flags.f_contiguous and not a.flags.c_contiguous else "C"
                rows.append(f"{name}\t{dtype}\t{','.join(map(str, shape))}\t{stored}")
    np.save(root / "unicode.npy", np.array(["a", "bcd", "ef"]))
    np.save(root / "unicode0d.npy", np.array("hello"))
    np.save(root / "unicode_be.npy", np.array(["a", "bcd", "ef"], dtype=">U3"))
    np.save(root / "structured.npy", np.zeros(3, dtype=[("x", "<f8"), ("y", "<i4")]))
    np.save(root / "object.npy", np.array([1, "a", None], dtype=object), allow_pickle=True)
    for name, a in dtype_cases().items():
        np.save(root / name, a)
    for name, a in part_cases(dtype_cases()).items():
        np.save(root / name, a)
    for name, a in time_cases().items():
        np.save(root / name, a)
    (root / "cases.tsv").write_text("\n".join(rows) + "\n")


def dtype_cases():
    """Files of the dtypes beyond numbers (structured, S, V, U) that Octave reads
    (test_dtypes.m holds the values it expects)."""
    rec = np.array([(1.5, 2, b"ab", "xy", 7), (3.0, -4, b"c\0d", "", -1)],
                   dtype=[("x", "<f8"), ("y", ">i4"), ("s", "S3"), ("u", "<U2"), ("t", "<M8[s]")])
    pad = np.zeros(3, np.dtype({"names": ["a", "b"], "formats": ["<i2", "<f8"],
                                "offsets": [0, 8], "itemsize": 24}))
    pad["a"] = [1, 2, 3]
    pad["b"] = [0.5, 1.5, 2.5]
    nest = np.zeros((2, 3), dtype=[("p", [("q", "<u1"), ("r", "<f4")]), ("m", "<i2", (2, 3)),
                                   ("h", "<f2"), ("z", ">c8")])
    nest["p"]["q"] = np.arange(6).reshape(2, 3)
    nest["p"]["r"] = 0.25
    nest["m"] = np.arange(36).reshape(2, 3, 2, 3)
    nest["h"] = 1.5
    nest["z"] = 1 - 2j
    return {
        "rec.npy": rec,
        "pad.npy": pad,
        "nest.npy": nest,
        "bytes.npy": np.array([b"ab", b"cde"]),
        "void.npy": np.array([b"\x01\x02", b"\x03\x04"], dtype="V2"),
        "unicode2d.npy": np.array([["a", "bc"], ["", "def"]]),
    }


def part_cases(files):
    """numpy's rows, slices and indexed blocks of dtype_cases' arrays (and of a
    Fortran-order copy of the nested one), the oracle of test_dtypes' readRows,
    readSlice and r(...) reads: each is the file named after its source and part."""
    nest = files["nest.npy"]
    u2d = files["unicode2d.npy"]
    return {
        "nestF.npy": np.asfortranarray(nest),
        "part_rec_rows2.npy": files["rec.npy"][1:],
        "part_pad_rows2_3.npy": files["pad.npy"][1:3],
        "part_nest_rows2.npy": nest[1:2],
        "part_nest_block.npy": nest[0:2, 1:3],
        "part_nest_index.npy": nest[np.ix_([1, 0], [2, 0])],
        "part_bytes_rows2.npy": files["bytes.npy"][1:],
        "part_void_rows1.npy": files["void.npy"][0:1],
        "part_unicode2d_col2.npy": u2d[:, 1:2],
        "part_unicode2d_index.npy": u2d[np.ix_([1], [1, 0])],
        # the element bytes as the files hold them (load('raw') and mmap)
        "raw_nest.npy": np.frombuffer(nest.tobytes(order="C"), np.uint8),
        "raw_nestF.npy": np.frombuffer(nest.tobytes(order="F"), np.uint8),
        "raw_rec.npy": np.frombuffer(files["rec.npy"].tobytes(), np.uint8),
        "raw_unicode2d.npy": np.frombuffer(u2d.tobytes(order="C"), np.uint8),
    }


TIME_UNITS = ["Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as", "10ms"]
SECONDS = {"W": 604800, "D": 86400, "h": 3600, "m": 60, "s": 1, "ms": Fraction(1, 10**3),
           "us": Fraction(1, 10**6), "ns": Fraction(1, 10**9), "ps": Fraction(1, 10**12),
           "fs": Fraction(1, 10**15), "as": Fraction(1, 10**18)}


def time_cases():
    """datetime64/timedelta64 counts in every unit numpy has (and a multiplier),
    with NaT, and what they are in whole seconds (floor) plus the fraction, or in
    months for Y and M, computed exactly with Python integers: the oracle of
    test_time's unit arithmetic. time_<unit>.npy (datetime64; time_be_ns.npy
    big-endian, delta_ns.npy timedelta64), and time_<unit>_whole/_frac/_months.npy
    (float64, NaN for NaT)."""
    nat = np.iinfo(np.int64).min
    cases = {}
    for unit in TIME_UNITS:
        if unit in ("Y", "M"):
            counts = [0, 1, -1, 54, -25, 650, nat]
        else:
            fine = unit in ("ms", "us", "ns", "ps", "fs", "as", "10ms")
            counts = [0, 1, -1, 123456789, -987654321, 2**40 + 7,
                      1700000000123456789 if fine else 1700000000, nat]
        a = np.array(counts, dtype=np.int64)
        cases[f"time_{unit}.npy"] = a.view(f"<M8[{unit}]")
        mult = int(unit[:-2]) if unit == "10ms" else 1
        base = unit[-2:] if unit == "10ms" else unit
        if base in ("Y", "M"):
            per = 12 if base == "Y" else 1
            cases[f"time_{unit}_months.npy"] = np.array(
                [np.nan if c == nat else float(c * per) for c in counts])
            continue
        whole, frac = [], []
        for c in counts:
            if c == nat:
                whole.append(np.nan)
                frac.append(np.nan)
                continue
            sec = Fraction(c) * mult * SECONDS[base]
            w = math.floor(sec)
            whole.append(float(w))
            frac.append(float(sec - w))
        cases[f"time_{unit}_whole.npy"] = np.array(whole)
        cases[f"time_{unit}_frac.npy"] = np.array(frac)
    cases["time_be_ns.npy"] = cases["time_ns.npy"].astype(">M8[ns]")
    cases["delta_ns.npy"] = cases["time_ns.npy"].view(np.int64).view("<m8[ns]")
    return cases


def numpy_bytes(a, fortran):
    buf = io.BytesIO()
    np.save(buf, a.copy(order="F" if fortran else "C"), allow_pickle=False)
    return buf.getvalue()


def check_one(path, dtype, shape, order):
    raw = path.read_bytes()
    with path.open("rb") as f:
        version = np.lib.format.read_magic(f)
        read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                       else np.lib.format.read_array_header_2_0)
        _, fortran, _ = read_header(f)
    a = np.load(path, allow_pickle=False)
    want = expected(dtype, shape)
    if a.dtype != want.dtype or a.shape != want.shape:
        return f"dtype/shape {a.dtype}{a.shape}, want {want.dtype}{want.shape}"
    if not np.array_equal(a, want):
        return f"values differ: {a.ravel()[:8]} vs {want.ravel()[:8]}"
    ambiguous = want.flags.c_contiguous and want.flags.f_contiguous
    if not ambiguous and fortran != (order == "F"):
        return f"fortran_order {fortran}, want order {order}"
    if raw != numpy_bytes(want, fortran):
        return "bytes differ from numpy.save of the same array"
    return None


def check(root):
    failed = 0
    for line in (root / "cases.tsv").read_text().splitlines():
        name, dtype, shape, order = line.split("\t")
        shape = tuple(int(s) for s in shape.split(",") if s)
        problem = check_one(root / name, dtype, shape, order)
        if problem:
            failed += 1
            print(f"FAIL {name}: {problem}")
    return 1 if failed else 0


if __name__ == "__main__":
    command, where = sys.argv[1], Path(sys.argv[2])
    sys.exit(make(where) if command == "make" else check(where))
