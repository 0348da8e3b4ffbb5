"""numpy's side of benches/file_store.rs, in directory argv[1]: when nbytes > 0, time
np.save, np.load and np.load(mmap_mode='r') of a float64 array of that size; when
small_calls > 0, np.save (to new paths, and over one path) and np.load of a small
float64 array in loops of that many calls. Prints JSON (seconds; per call for the
mmap opens and the small arrays)."""
import json
import os
import sys
import time

import numpy as np
from bench_common import best

directory, nbytes, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
small_calls, small_len = int(sys.argv[4]), int(sys.argv[5])


def large():
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
    mmap_n = 2000
    t = time.perf_counter()
    for _ in range(mmap_n):
        m = np.load(path, mmap_mode="r")
        del m
    mmap_s = (time.perf_counter() - t) / mmap_n
    os.remove(path)
    return {"save_s": save_s, "load_s": load_s, "mmap_open_s": mmap_s}


def small_arrays():
    small = np.arange(small_len, dtype="<f8")
    paths = [os.path.join(directory, f"numpy-small-{i}.npy") for i in range(small_calls)]

    def timed_new_saves():
        t = time.perf_counter()
        for p in paths:
            np.save(p, small, allow_pickle=False)
        elapsed = time.perf_counter() - t
        for p in paths:
            os.remove(p)  # not timed: each round saves to paths not there yet
        return elapsed

    def saves_over_one():
        for _ in range(small_calls):
            np.save(paths[0], small, allow_pickle=False)

    def loads():
        for _ in range(small_calls):
            np.load(paths[0], allow_pickle=False)

    save_new_s = min(timed_new_saves() for _ in range(rounds)) / small_calls
    save_over_s = best(saves_over_one, rounds) / small_calls
    load_s = best(loads, rounds) / small_calls
    assert np.array_equal(np.load(paths[0]), small)
    os.remove(paths[0])
    return {"small_save_new_s": save_new_s, "small_save_over_s": save_over_s,
            "small_load_s": load_s}


out = {}
if nbytes > 0:
    out.update(large())
if small_calls > 0:
    out.update(small_arrays())
print(json.dumps(out))
