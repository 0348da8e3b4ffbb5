"""numpy's side of benches/header_parse.rs: best time of np.load on the .npy file given
(a wide structured header), with max_header_size raised so numpy reads it at all."""
import sys
import time

import numpy as np

path, rounds = sys.argv[1], int(sys.argv[2])
times = []
for _ in range(rounds):
    t = time.perf_counter()
    np.load(path, max_header_size=1 << 20)
    times.append(time.perf_counter() - t)
print(min(times))
