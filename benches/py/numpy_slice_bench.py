"""numpy's side of benches/slices.rs: for each case (a .npy file in argv[1], a
hyperslab as start and count per axis), the best time of np.load(mmap_mode='r')
sliced and made contiguous, and of np.load of the whole file; print JSON."""
import json
import sys

import numpy as np
from bench_common import best

directory, rounds = sys.argv[1], int(sys.argv[2])
cases = json.loads(sys.argv[3])



out = {}
for case in cases:
    path = f"{directory}/{case['path']}"
    index = tuple(slice(s, s + c) for s, c in zip(case["start"], case["count"]))

    def mmap_slice():
        m = np.load(path, mmap_mode="r")
        np.ascontiguousarray(m[index])

    def whole():
        np.load(path)

    entry = {"mmap_slice": best(mmap_slice, rounds)}
    if case.get("whole", True):
        entry["whole"] = best(whole, max(1, rounds // 2))
    out[case["name"]] = entry
print(json.dumps(out))
