"""numpy's side of benches/file_store.rs: time np.save, np.load and
np.load(mmap_mode='r') on the same array size in the same directory, then np.save
and np.load of a small float64 array in loops; print JSON."""
import json
import os
import sys
import time

import numpy as np
from bench_common import best

directory, nbytes, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
small_calls, small_len = int(sys.argv[4]), int(sys.argv[5])
a = np.random.default_rng(1).standard_normal(nbytes // 8)
path = os.path.join(directory, "numpy.npy")



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

small = np.arange(small_len, dtype="<f8")
small_paths = [os.path.join(directory, f"numpy-small-{i}.npy") for i in range(small_calls)]


def timed_new_saves():
    t = time.perf_counter()
    for p in small_paths:
        np.save(p, small, allow_pickle=False)
    elapsed = time.perf_counter() - t
    for p in small_paths:
        os.remove(p)  # not timed: each round saves to paths not yet there
    return elapsed


def over_saves():
    for _ in range(small_calls):
        np.save(small_paths[0], small, allow_pickle=False)


def small_loads():
    for _ in range(small_calls):
        np.load(small_paths[0], allow_pickle=False)


small_save_new_s = min(timed_new_saves() for _ in range(rounds)) / small_calls
small_save_over_s = best(over_saves, rounds) / small_calls
small_load_s = best(small_loads, rounds) / small_calls
assert np.array_equal(np.load(small_paths[0]), small)
os.remove(small_paths[0])
print(json.dumps({"save_s": save_s, "load_s": load_s, "mmap_open_s": mmap_s,
                  "small_save_new_s": small_save_new_s, "small_save_over_s": small_save_over_s,
                  "small_load_s": small_load_s}))
