"""What the numpy sides of the benchmarks share."""
import time


def best(fn, rounds):
    """The shortest of `rounds` timed calls of fn()."""
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)
