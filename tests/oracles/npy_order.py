"""numpy's side of tests/format_order.rs: for each case write C-order bytes,
Fortran-order bytes, the C bytes of the array converted to native byte order
(fields only; padding zeroed), and a manifest."""
import json
import os
import sys

import numpy as np

CASES = [
    ("|u1", (7, 5)), ("<i2", (3, 4, 5)), (">i2", (3, 4, 5)), ("<f4", (64, 65)), (">f4", (2, 3, 4, 5)),
    ("<f8", (130, 70)), (">f8", (9, 1, 11)), ("<c16", (5, 6)), (">c8", (4, 3)), ("<f8", ()), ("<i4", (6,)),
    ("<f8", (0, 5)), ("<f8", (3, 0, 2)), (">U3", (2, 3)), ("|S3", (4, 3)), (">M8[ns]", (3, 2)),
    ("<f8", (600, 1100)),  # 5 MB: the two-thread path
    ([("a", ">i4"), ("b", "|u1"), ("c", ">f8", (2,)), ("n", [("x", ">i2"), ("y", "<i2")])], (4, 5)),
    ({"names": ["p", "q"], "formats": [">u2", ">c8"], "offsets": [2, 8], "itemsize": 20}, (3, 3)),
    (">f16", (3, 2)), ("|V7", (3, 4, 2)),
]


def main(out):
    rng = np.random.default_rng(7)
    manifest = []
    for i, (d, shape) in enumerate(CASES):
        dt = np.dtype(d)
        raw = np.frombuffer(rng.bytes(int(np.prod(shape)) * dt.itemsize), dtype=dt).reshape(shape)
        a = np.zeros(shape, dt)
        a[...] = raw  # field-wise copy: padding bytes are zero
        native = np.zeros(shape, dt.newbyteorder("="))
        native[...] = a  # numpy converts each field to native order; padding stays zero
        for suffix, data in (("c", a.tobytes("C")), ("f", a.tobytes("F")), ("native", native.tobytes("C"))):
            with open(os.path.join(out, f"{i}.{suffix}"), "wb") as f:
                f.write(data)
        manifest.append({"descr": repr(np.lib.format.dtype_to_descr(dt)), "shape": list(shape)})
    json.dump(manifest, open(os.path.join(out, "manifest.json"), "w"))


if __name__ == "__main__":
    main(sys.argv[1])
