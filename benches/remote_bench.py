"""npystore (C ABI, release build) against DataJoint 2.3.5's own Python path on the
same S3 server, in the same run; prints ratios. Run by scripts/bench-remote.sh, which
starts the servers and exports NPYSTORE_S3_* (not a test: timings, not assertions).

  1. load of a 128 MiB float64 array: DataJoint NpyRef.load() vs npystore
     npy_ref_load_into from a fresh ref, for several concurrency/part-size settings;
  2. one row from a fresh ref: DataJoint ref[i] vs npy_ref_read_rows, with the bytes
     npystore transferred counted by a loopback proxy;
  3. 1000 refs of 64 KiB: a DataJoint loop of NpyRef.load() vs npy_refs_load_into;
  4. partial reads (issue 16) from fresh refs through the proxy: the requests made and
     the bytes on the wire against the slice's own bytes, for a row window of a C-order
     file, a time window, a channel and an element of a 384-channel int16 recording
     in Fortran order, and a channel of the same recording in C order.
"""
import json
import os
import socket
import sys
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "parity"))
import npystore_ctypes as npy  # noqa: E402
import remote_servers  # noqa: E402
from datajoint.builtin_codecs.npy import NpyRef  # noqa: E402
from datajoint.storage import get_storage_backend  # noqa: E402

SERVER = os.environ.get("NPYSTORE_BENCH_SERVER", "s3")
REPEAT = int(os.environ.get("NPYSTORE_BENCH_REPEAT", "3"))
# NPYSTORE_BENCH_SECTIONS=4 runs the partial reads only.
ONLY_PARTIAL = os.environ.get("NPYSTORE_BENCH_SECTIONS") == "4"
MIB = 1 << 20


def best(fn, repeat=REPEAT):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


class CountingProxy:
    """Forwards 127.0.0.1:<port> to the server, counting bytes sent back and requests
    (ends of request heads; right for requests without bodies, the reads here)."""

    def __init__(self, target):
        self.target, self.down, self.requests = target, 0, 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            client, _ = self.sock.accept()
            server = socket.create_connection(self.target)
            threading.Thread(target=self._pump, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, True), daemon=True).start()

    def _pump(self, src, dst, count):
        tail = b""  # the last bytes sent up, so a head's end split across recvs counts
        try:
            while data := src.recv(1 << 18):
                if count:
                    self.down += len(data)
                else:
                    self.requests += (tail + data).count(b"\r\n\r\n")
                    tail = data[-3:]
                dst.sendall(data)
        except OSError:
            pass
        finally:
            try:
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass


def store(block, **options):
    return npy.Store(json.dumps({"stores": {"default": "b", "b": block},
                                 "npystore": {"stores": {"b": options}}}))


def main():
    server = remote_servers.s3_server()
    block = remote_servers.s3_store(server, location="bench-" + str(os.getpid()))
    dj_backend = get_storage_backend(block)
    writer = store(block)
    print(f"== {SERVER}: {server['endpoint']} (best of {REPEAT})")
    if ONLY_PARTIAL:
        return partial_reads(writer, block, server)

    # 1. 128 MiB load, several settings.
    big = np.random.default_rng(0).standard_normal((4096, 4096))
    ref = writer.put(big, path="big.npy")
    meta = json.loads(ref.json)
    t_dj = best(lambda: NpyRef(meta, dj_backend).load())
    print(f"load 128 MiB   DataJoint NpyRef.load(): {t_dj:.3f} s")
    settings = [(1, 128), (2, 64), (3, 48), (4, 32), (8, 16), (16, 8)]
    best_ratio, best_default = 0, None
    for conc, part in settings:
        s = store(block, concurrency=conc, part_size_bytes=part * MIB)
        out = np.empty_like(big)

        def load():
            r = s.ref(ref.json)
            npy.lib.npy_ref_load_into(r._h, out.ctypes.data, out.nbytes, npy.ORDER_C)

        t = best(load)
        assert np.array_equal(out, big)
        tag = " (default)" if (conc, part) == (4, 32) else ""
        print(f"load 128 MiB   npystore concurrency={conc:2d} part={part:3d} MiB: {t:.3f} s"
              f"  -> {t_dj / t:5.1f}x DataJoint{tag}")
        best_ratio = max(best_ratio, t_dj / t)
        if tag:
            best_default = t_dj / t
    print(f"RATIO load 128 MiB: default settings {best_default:.1f}x, best {best_ratio:.1f}x (goal >= 2x)")

    # 2. One row of a fresh ref.
    i = 1234
    t_dj = best(lambda: NpyRef(meta, dj_backend)[i])
    s = store(block)
    row = np.empty(4096)
    t_np = best(lambda: s.ref(ref.json).read_rows(i, 1), repeat=max(REPEAT, 5))
    host, port = server["endpoint"].removeprefix("http://").split(":")
    proxy = CountingProxy((host, int(port)))
    via = store({**block, "endpoint": f"127.0.0.1:{proxy.port}"})
    row = via.ref(ref.json).read_rows(i, 1)
    assert np.array_equal(row[0], big[i])
    payload = 128 + 4096 * 8
    print(f"row of 128 MiB  DataJoint ref[i]: {t_dj:.3f} s; npystore read_rows: {t_np * 1000:.1f} ms")
    print(f"RATIO one row: {t_dj / t_np:.0f}x (goal >= 10x); npystore transferred {proxy.down} bytes "
          f"for a {4096 * 8}-byte row + 128-byte header (HTTP headers included)")

    # 3. 1000 refs of 64 KiB.
    n = int(os.environ.get("NPYSTORE_BENCH_REFS", "1000"))
    small = np.random.default_rng(1).standard_normal((n, 8192))
    refs = [writer.put(small[k], path=f"small/{k}.npy") for k in range(n)]
    metas = [json.loads(r.json) for r in refs]
    t_dj = best(lambda: [NpyRef(m, dj_backend).load() for m in metas], repeat=1)
    for conc in (16, 32, 64, 128):
        def bulk():
            fresh = [s.ref(r.json) for r in refs]
            arrays, statuses = npy.load_many(fresh, concurrency=conc)
            assert statuses == ["ok"] * n

        t = best(bulk, repeat=2)
        tag = " (default)" if conc == 32 else ""
        print(f"{n} x 64 KiB   npystore npy_refs_load_into concurrency={conc}: {t:.3f} s"
              f"  -> {t_dj / t:5.1f}x DataJoint loop ({t_dj:.3f} s){tag}")
        if tag:
            print(f"RATIO {n} refs: {t_dj / t:.1f}x (goal >= 5x)")

    partial_reads(writer, block, server)


def partial_reads(writer, block, server):
    """4. Slices of fresh refs (JSON), each through a new counting proxy."""
    samples = int(os.environ.get("NPYSTORE_BENCH_SAMPLES", "100000"))
    channels, window = 384, 10_000
    rows = np.arange(100_000 * 64, dtype="<f8").reshape(100_000, 64)
    rec = (np.arange(channels * samples) % 30011).astype("<i2").reshape(channels, samples)
    refs = {"rows": writer.put(rows, path="slices/rows.npy"),
            "rec_f": writer.put(np.asfortranarray(rec), path="slices/rec_f.npy"),
            "rec_c": writer.put(rec, path="slices/rec_c.npy")}
    arrays = {"rows": rows, "rec_f": rec, "rec_c": rec}
    mid = samples // 2
    cases = [
        ("row window: 1000 of 100000 x 64 f8, C", "rows", (40_000, 0), (1000, 64), None),
        (f"time window: {window} samples x 384 ch, i2 F", "rec_f", (0, mid), (channels, window), None),
        (f"one channel, {window} samples, i2 F", "rec_f", (100, mid), (1, window), None),
        (f"one channel, {window} samples, i2 F, gap 0", "rec_f", (100, mid), (1, 1000), 0),
        ("one element, i2 F", "rec_f", (200, mid), (1, 1), None),
        (f"one channel, {window} samples, i2 C", "rec_c", (100, mid), (1, window), None),
    ]
    host, port = server["endpoint"].removeprefix("http://").split(":")
    print(f"partial reads from a fresh ref ({samples} samples; requests include the header's "
          "two looks; wire bytes include HTTP heads)")
    print(f"  {'case':<46} {'requests':>8} {'wire bytes':>11} {'slice bytes':>11} {'ratio':>8}")
    for name, key, start, count, gap in cases:
        proxy = CountingProxy((host, int(port)))
        via = store({**block, "endpoint": f"127.0.0.1:{proxy.port}"})
        if gap is not None:
            via.set_merge_gap(gap)
            name = name.replace(f"{window} samples", f"{count[1]} samples")
        got = via.ref(refs[key].json).read_slice(start, count)
        index = tuple(slice(s, s + c) for s, c in zip(start, count))
        assert np.array_equal(got, arrays[key][index]), name
        print(f"  {name:<46} {proxy.requests:>8} {proxy.down:>11} {got.nbytes:>11} "
              f"{proxy.down / got.nbytes:>7.2f}x")


if __name__ == "__main__":
    main()
