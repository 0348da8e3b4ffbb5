"""The slice test's oracle (tests/slice_read.rs): random arrays of random shapes, dtypes
of every item size and both orders, saved by numpy into argv[1], each with random
hyperslabs and numpy's own a[s0, s1, ...] of them in C and in Fortran order (raw
bytes). manifest.json lists them: path, fortran, and per slice start, count and the
two expected files."""
import json
import os
import sys

import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(16)
DTYPES = ["|u1", "<i2", ">i2", "<f4", "<f8", "<c16", "|S3", "<U2", "|b1",
          [("a", "<i4"), ("b", "|u1")]]
cases = []
for i in range(160):
    ndim = int(rng.integers(0, 5))
    shape = tuple(int(rng.integers(0, 7)) if rng.random() < 0.1 else int(rng.integers(1, 7))
                  for _ in range(ndim))
    dtype = np.dtype(DTYPES[i % len(DTYPES)])
    raw = rng.integers(0, 256, size=int(np.prod(shape, dtype=np.int64)) * dtype.itemsize,
                       dtype=np.uint8)
    if dtype.kind == "b":
        raw %= 2  # numpy's bools are bytes 0 and 1
    a = np.frombuffer(raw.tobytes(), dtype=dtype).reshape(shape)
    fortran = bool(rng.integers(0, 2))
    a = a.copy(order="F" if fortran else "C")  # (asfortranarray makes a 0-d array 1-d)
    path = f"a{i}.npy"
    np.save(os.path.join(out, path), a)
    slices = []
    for j in range(6):
        start = [int(rng.integers(0, n + 1)) for n in shape]
        count = [int(rng.integers(0, n - s + 1)) for n, s in zip(shape, start)]
        if j == 0:  # one slice of whole axes but the first
            count = [c if k == 0 else n - s for k, (c, n, s) in enumerate(zip(count, shape, start))]
        # (`...` keeps a 0-d array an array: `a[()]` would be a scalar)
        part = a[tuple(slice(s, s + c) for s, c in zip(start, count)) or ...]
        c_file, f_file = f"a{i}_{j}.c", f"a{i}_{j}.f"
        with open(os.path.join(out, c_file), "wb") as f:
            f.write(part.tobytes(order="C"))
        with open(os.path.join(out, f_file), "wb") as f:
            f.write(part.tobytes(order="F"))
        slices.append({"start": start, "count": count, "c": c_file, "f": f_file})
    cases.append({"path": path, "fortran": fortran, "shape": list(shape),
                  "descr": str(dtype.descr if dtype.names else dtype.str), "slices": slices})
with open(os.path.join(out, "manifest.json"), "w") as f:
    json.dump(cases, f)
