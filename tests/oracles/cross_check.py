"""numpy's side of tests/cross_read.rs: check the arrays one build put.

    cross_check.py file DIRECTORY SIDE
    cross_check.py s3 LOCATION SIDE     (the server from NPYSTORE_S3_*, read with s3fs)

Prints one line per array and exits non-zero on any difference.
"""

import io
import os
import sys

import numpy as np


def expected():
    return {
        "f8_c": np.arange(12, dtype="<f8").reshape(3, 4) * 0.25 - 1.0,
        "u2_f": np.asfortranarray((np.arange(10, dtype="<u2") * 7 + 1).reshape(2, 5)),
        "i4_be": np.array([-2, 0, 65537, 2**31 - 1], dtype=">i4"),
    }


def opener(kind, where):
    if kind == "file":
        return lambda key: open(os.path.join(where, *key.split("/")), "rb")
    import s3fs

    fs = s3fs.S3FileSystem(
        key=os.environ["NPYSTORE_S3_ACCESS_KEY"],
        secret=os.environ["NPYSTORE_S3_SECRET_KEY"],
        client_kwargs={"endpoint_url": os.environ["NPYSTORE_S3_ENDPOINT"]},
    )
    bucket = os.environ["NPYSTORE_S3_BUCKET"]
    return lambda key: fs.open(f"{bucket}/{where}/{key}", "rb")


def main():
    kind, where, side = sys.argv[1:4]
    open_key = opener(kind, where)
    for name, want in expected().items():
        with open_key(f"{side}/{name}.npy") as f:
            got = np.load(io.BytesIO(f.read()))
        assert got.dtype == want.dtype, (name, got.dtype, want.dtype)
        assert got.shape == want.shape, (name, got.shape)
        assert got.flags.f_contiguous == want.flags.f_contiguous or got.ndim < 2, name
        assert np.array_equal(got, want), (name, got, want)
        print(f"numpy reads {kind} {side}/{name}.npy: {got.dtype.str} {list(got.shape)}")


if __name__ == "__main__":
    main()
