"""numpy's side of benches/file_store.rs: time np.save, np.load and
np.load(mmap_mode='r') on the same array size in the same directory; print JSON."""
import json
import os
import sys
import time

import numpy as np

directory, nbytes, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
a = np.random.default_rng(1).standard_normal(nbytes // 8)
path = os.path.join(directory, "numpy.npy")


def best(fn, n):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def timed_save():
    if os.path.exists(path):
        os.remove(path)  # not timed: each save starts without the file, as npystore's does
    t = time.perf_counter()
    np.save(path, a, allow_pickle=False)
    return time.perf_counter() - t


save_s = min(timed_save() for _ in range(rounds))
load_s = best(lambda: np.load(path, allow_pickle=False), rounds)


def mmap_open():
    m = np.load(path, mmap_mode="r")
    del m


mmap_n = 2000
t = time.perf_counter()
for _ in range(mmap_n):
    mmap_open()
mmap_s = (time.perf_counter() - t) / mmap_n
os.remove(path)
print(json.dumps({"save_s": save_s, "load_s": load_s, "mmap_open_s": mmap_s}))
