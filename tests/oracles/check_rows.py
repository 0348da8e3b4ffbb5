"""The crash test's oracle: argv holds pairs path,rows; each file must load with numpy
as the float64 array arange(rows * 8).reshape(rows, 8), nothing more, nothing less."""
import sys

import numpy as np

args = sys.argv[1:]
for path, rows in zip(args[::2], args[1::2]):
    a = np.load(path, allow_pickle=False)
    want = np.arange(int(rows) * 8, dtype="<f8").reshape(int(rows), 8)
    assert a.dtype == want.dtype and a.shape == want.shape, (path, a.dtype, a.shape)
    assert np.array_equal(a, want), path
print("ok", len(args) // 2)
