"""Load every .npy named on the command line with numpy and compare it with the
reference file of the same case (argv: dir, then pairs written,reference)."""
import sys

import numpy as np

pairs = sys.argv[1:]
for written, reference in zip(pairs[::2], pairs[1::2]):
    a = np.load(written, allow_pickle=False)
    b = np.load(reference, allow_pickle=False)
    assert a.dtype == b.dtype and a.shape == b.shape, (written, a.dtype, a.shape, b.dtype, b.shape)
    same = np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    assert same and a.tobytes() == b.tobytes(), written
print("ok", len(pairs) // 2)
