"""numpy's side of the dtype zoo test (tests/format_zoo.rs).

make DIR   write one .npy per (dtype, shape, order) with numpy.save and DIR/manifest.json
check DIR  load every file npystore wrote under DIR/ours/ and assert it equals numpy's
"""
import io
import json
import os
import sys
import warnings

import numpy as np
from numpy.lib import _format_impl as npf  # _read_array_header handles all versions

warnings.simplefilter("ignore")  # format 2.0/3.0 warnings are expected here

UNITS = ["Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as"]


def zoo_dtypes():
    d = ["?", "|b1"]
    for k in "iu":
        for n in (1, 2, 4, 8):
            d += [f"<{k}{n}", f">{k}{n}"]
    for t in ("f2", "f4", "f8", "c8", "c16"):
        d += ["<" + t, ">" + t]
    d += ["<f16", "<c32", ">f16", "=i4", "=f8", "i4", "d"]          # longdouble, '=' and bare codes
    d += ["<U1", "<U5", ">U5", "|S1", "|S3", "|V1", "|V8", "|V0"]
    d += ["<M8", "<m8"] + [f"<M8[{u}]" for u in UNITS] + [f"<m8[{u}]" for u in UNITS]
    d += ["<M8[10ms]", "<m8[7D]", "<M8[2W]", ">M8[ns]", ">m8[us]"]
    d += [
        np.dtype([("x", "<f8"), ("y", "<i4")]),
        np.dtype([("a", "?"), ("b", "|i1"), ("c", "<u2"), ("d", ">f4")]),
        np.dtype([("f", "<f4", (2, 3)), ("g", ">i2", (4,))]),
        np.dtype([("outer", [("inner", "<i4"), ("deep", [("z", ">f8")])]), ("t", "<M8[us]")]),
        np.dtype([("s", "|S3"), ("u", "<U2"), ("v", "|V5"), ("c", "<c16")]),
        np.dtype([("sub", [("p", "<i2"), ("q", "|u1")], (2,))]),
        np.dtype({"names": ["a", "b"], "formats": ["u1", "<f8"], "offsets": [0, 8], "itemsize": 24}),
        np.dtype({"names": ["a", "b"], "formats": ["<i4", ">f8"], "offsets": [4, 16], "itemsize": 32}),
        np.dtype([("a", "u1"), ("b", "<f8"), ("c", "<i2")], align=True),
        np.dtype([("a", "u1"), ("n", [("x", "<i8"), ("y", "u1")])], align=True),
        np.dtype([("it's", "<i4"), ('say "hi"', "<f4"), ("both'\"", "|b1"), ("back\\slash", "<u2")]),
        np.dtype([("é", "<i4"), ("ß", "<f8")]),   # Latin-1 names: still format 1.0
        np.dtype([("π", "<f8"), ("数据", "<i2")]),   # non-Latin-1 names: format 3.0
        np.dtype([(f"f{i}", "|i1") for i in range(4000)]),  # long header: format 2.0
        np.dtype([("ld", "<f16"), ("cld", "<c32", (2,))]),
        np.dtype([(("title of x", "x"), "<f8"), ("y", "<i2")]),               # field titles
        np.dtype([(("t", "a"), "<f4", (2,)), ("n", [(("", "z"), "|u1")])]),   # sub-array, nested, ''
        np.dtype({"names": ["a", "b"], "formats": ["u1", "<f8"], "offsets": [0, 8],
                  "titles": [None, "B's title"], "itemsize": 24}),              # titles, dict form
        np.dtype([]),
    ]
    return [np.dtype(x) for x in d]


def arrays():
    rng = np.random.default_rng(1234)
    for dt in zoo_dtypes():
        shapes = [(3, 4), (2, 3, 2)]
        if dt.itemsize < 1000:
            shapes += [(), (0,), (5,), (2, 0, 3)]
        for shape in shapes:
            n = int(np.prod(shape)) * dt.itemsize
            if dt.itemsize == 0:
                a = np.zeros(shape, dtype=dt)
            else:
                a = np.frombuffer(rng.bytes(n), dtype=dt).reshape(shape).copy()
            yield dt, a
            if len([s for s in shape if s > 1]) > 1:
                yield dt, np.asfortranarray(a)


def make(out):
    manifest = []
    for i, (dt, a) in enumerate(arrays()):
        name = f"{i:03d}.npy"
        path = os.path.join(out, name)
        np.save(path, a, allow_pickle=False)
        raw = open(path, "rb").read()
        fh = io.BytesIO(raw)
        version = npf.read_magic(fh)
        npf._read_array_header(fh, version, max_header_size=10**7)
        loaded = np.load(path, max_header_size=10**7)
        manifest.append({
            "file": name,
            "descr": repr(npf.dtype_to_descr(a.dtype)),
            "str": str(a.dtype),                 # the array's own str (may say 'aligned')
            "str_loaded": str(loaded.dtype),     # str of what the header describes
            "shape": list(a.shape),
            "fortran_order": bool(a.flags.f_contiguous and not a.flags.c_contiguous),
            "data_offset": fh.tell(),
            "version": list(version),
            "itemsize": a.dtype.itemsize,
        })
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, ensure_ascii=False)
    print(len(manifest))


def same_values(a, b):
    """Equal bytes field by field (padding between fields is not data: numpy's own
    copies of padded structures do not preserve it)."""
    if a.dtype.names:
        return all(same_values(a[n], b[n]) for n in a.dtype.names)
    return a.tobytes("C") == b.tobytes("C")


def check(out):
    manifest = json.load(open(os.path.join(out, "manifest.json")))
    ours_dir = os.path.join(out, "ours")
    checked = 0
    for name in sorted(os.listdir(ours_dir)):
        entry = manifest[int(name.split("-")[0])]
        ref = np.load(os.path.join(out, entry["file"]), max_header_size=10**7)
        got = np.load(os.path.join(ours_dir, name), max_header_size=10**7, allow_pickle=False)
        assert got.dtype == ref.dtype, (name, got.dtype, ref.dtype)
        assert got.dtype.descr == ref.dtype.descr, (name, got.dtype.descr, ref.dtype.descr)
        assert got.shape == ref.shape, (name, got.shape, ref.shape)
        assert same_values(got, ref), name
        if name.endswith("-same.npy"):
            assert got.flags.f_contiguous == ref.flags.f_contiguous, name
        checked += 1
    print(checked)


if __name__ == "__main__":
    {"make": make, "check": check}[sys.argv[1]](sys.argv[2])
