"""Deterministic test arrays of any numpy dtype, shared by the numpy-side test scripts."""
import numpy as np


def make(dtype, shape, rng):
    """An array of `dtype` and `shape` with distinct, reproducible values."""
    dt = np.dtype(dtype)
    n = int(np.prod(shape)) if shape else 1
    if dt.names:
        a = np.zeros(n, dtype=dt)
        for name in dt.names:
            a[name] = (np.arange(n) * 3 + 1).reshape((n,) + (1,) * (a[name].ndim - 1))
    elif dt.kind == "U":
        a = np.array(["w%d" % i for i in range(n)], dtype=dt)
    elif dt.kind == "S":
        a = np.array([b"s%d" % (i % 100) for i in range(n)], dtype=dt)
    elif dt.kind == "V":
        a = np.frombuffer(rng.integers(0, 256, n * dt.itemsize, dtype=np.uint8).tobytes(), dtype=dt)
    elif dt.kind == "b":
        a = rng.integers(0, 2, n).astype(dt)
    elif dt.kind in "Mm":
        a = (np.arange(n) * 1_000_000_007).astype("int64").view(dt)
    elif dt.kind in "iu":
        a = rng.integers(0, 100, n).astype(dt)
    else:
        a = (rng.standard_normal(n) * 100).astype(dt)
        if dt.kind == "c":
            a = a + 1j * a[::-1]
    return a.reshape(shape)
