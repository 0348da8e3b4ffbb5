"""numpy's side of tests/store_file.rs: for each case write np.save's file, the raw
bytes in C and Fortran order, and rows 1..3 in both orders, plus a manifest."""
import json
import sys
from pathlib import Path

import numpy as np

import sample_arrays

out = Path(sys.argv[1])
rng = np.random.default_rng(7)


def make(dtype, shape):
    return sample_arrays.make(dtype, shape, rng)


cases = [
    ("float64", (3, 4), "C"),
    ("float64", (3, 4, 5), "F"),
    (">i2", (4, 3), "F"),
    ("bool", (5,), "C"),
    ("complex64", (3, 2), "C"),
    ([("x", "<f8"), ("y", "<i4")], (4,), "C"),
    ("<U3", (3, 2), "F"),
    ("float32", (), "C"),
    ("float64", (0, 3), "F"),
    ("datetime64[ns]", (3, 2), "C"),
    ("uint8", (6, 2, 3), "F"),
]
manifest = []
for i, (dtype, shape, order) in enumerate(cases):
    a = np.asarray(make(dtype, shape), order=order)
    name = "case%d" % i
    np.save(out / (name + ".npy"), a, allow_pickle=False)
    (out / (name + ".c.bin")).write_bytes(a.tobytes(order="C"))
    (out / (name + ".f.bin")).write_bytes(a.tobytes(order="F"))
    if a.ndim >= 1 and a.shape[0] >= 3:
        rows = a[1:3]
        (out / (name + ".rows.c.bin")).write_bytes(rows.tobytes(order="C"))
        (out / (name + ".rows.f.bin")).write_bytes(rows.tobytes(order="F"))
    manifest.append({"name": name, "dtype": str(a.dtype), "shape": list(a.shape), "order": order})
(out / "manifest.json").write_text(json.dumps(manifest))
