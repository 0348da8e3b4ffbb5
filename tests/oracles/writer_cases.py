"""numpy's side of tests/writer_roundtrip.rs: for each case build the final array a
streaming writer should produce, write np.save's file and the raw bytes in the
writer's order (C: rows along the first axis; F: along the last), plus a manifest."""
import json
import sys
from pathlib import Path

import numpy as np

import sample_arrays

out = Path(sys.argv[1])
rng = np.random.default_rng(11)


def make(dtype, shape):
    return sample_arrays.make(dtype, shape, rng)


# (dtype, row_shape, rows, order)
cases = [
    ("bool", (3,), 100, "C"),
    ("int8", (), 1000, "C"),
    (">i2", (2, 3), 50, "F"),
    ("<u4", (4,), 37, "C"),
    ("int64", (2, 2), 40, "F"),
    ("float16", (5,), 64, "C"),
    ("float32", (3, 4), 21, "F"),
    ("float64", (16,), 20000, "C"),
    ("float64", (16,), 3000, "F"),
    ("complex64", (2,), 33, "F"),
    ("complex128", (), 70, "C"),
    ("<U5", (3,), 44, "F"),
    ("|S3", (2,), 45, "C"),
    ("|V8", (2,), 12, "C"),
    ("datetime64[ns]", (3,), 30, "F"),
    ("timedelta64[s]", (2,), 30, "C"),
    ([("x", "<f8"), ("y", "<i4")], (2,), 25, "C"),
    ([("a", "<i2", (2,)), ("b", "|S2")], (), 25, "F"),
    ("float64", (3,), 0, "C"),
    ("float64", (3,), 0, "F"),
    ("float64", (3,), 1, "F"),
    ("float64", (1,), 9, "F"),
    ("float64", (1, 1), 12, "F"),
    ("uint8", (), 5, "F"),
    ("float64", (2, 3), 1, "C"),
]
manifest = []
for i, (dtype, row_shape, rows, order) in enumerate(cases):
    shape = (rows,) + row_shape if order == "C" else row_shape + (rows,)
    a = np.asarray(make(dtype, shape), order=order)
    name = "case%d" % i
    np.save(out / (name + ".npy"), a, allow_pickle=False)
    (out / (name + ".bin")).write_bytes(a.tobytes(order=order))
    manifest.append({"name": name, "dtype": str(a.dtype), "descr": np.lib.format.dtype_to_descr(a.dtype),
                     "row_shape": list(row_shape), "rows": rows, "order": order, "shape": list(a.shape)})
(out / "manifest.json").write_text(json.dumps(manifest))
