"""Write the fuzz seed corpora into fuzz/seeds/<target>/ (committed; rerun after
changing this file): numpy-written .npy files (header plus at most 64 data bytes)
for `header`, numpy's descr and str(dtype) texts for `dtype`, DataJoint row JSON for
`json`, and datajoint.json documents for `config`.

    $NPYSTORE_PYTHON fuzz/make_seeds.py
"""
import hashlib
import io
import json
import os
import shutil
import sys

import numpy as np
from numpy.lib import _format_impl as npf

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "tests", "oracles"))
import npy_zoo  # noqa: E402  the dtype zoo of tests/format_zoo.rs

out = os.path.join(here, "seeds")


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)


shutil.rmtree(out, ignore_errors=True)
seen = set()
big = set()
for dt, a in npy_zoo.arrays():
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=False)
    raw = buf.getvalue()
    fh = io.BytesIO(raw)
    npf._read_array_header(fh, npf.read_magic(fh), max_header_size=10**7)
    if fh.tell() <= 4096 or dt not in big:  # one seed per dtype with a huge header
        put("header", raw[: fh.tell() + 64])
        big.add(dt)
    if dt.str in seen and dt.names is None:
        continue
    seen.add(dt.str)
    put("dtype", repr(npf.dtype_to_descr(dt)))
    put("dtype", str(dt))
    if len(str(dt)) < 2000:
        put("json", json.dumps({"path": "a.npy", "store": "m", "dtype": str(dt), "shape": list(a.shape)}))

# Row JSON naming the objects the json target's memory store holds, and near misses.
for path, dtype, shape in [
    ("a.npy", "float64", [2, 3]), ("b/c.npy", "uint8", [4]), ("zero.npy", "int32", []),
    ("empty.npy", "float32", [0, 5]), ("rec.npy", "[('x', '<f8'), ('y', '<i4')]", [3]),
    ("a.npy", "float32", [2, 3]), ("a.npy", "float64", [3, 2]), ("missing.npy", "int8", [1]),
]:
    put("json", json.dumps({"path": path, "store": "m", "dtype": dtype, "shape": shape}))
put("json", '{"path": "a.npy", "store": null, "dtype": "<f8", "shape": [2, 3]}')
put("json", '{"shape": [2, 3], "dtype": "float64", "path": "a.npy", "extra": {"x": [1, 2]}}')

configs = [
    {"stores": {"default": "main", "main": {"protocol": "file", "location": "/tmp"}}},
    {"stores": {"default": "main", "main": {"protocol": "file", "location": "."},
                "archive": {"protocol": "s3", "endpoint": "127.0.0.1:9000", "bucket": "lab",
                            "location": "npy", "access_key": "AK", "secret_key": "SK",
                            "secure": False, "proxy_server": "http://127.0.0.1:3128"}}},
    {"stores": {"g": {"protocol": "gcs", "bucket": "b", "location": "x", "token": "t",
                      "project": "p"},
                "az": {"protocol": "azure", "container": "c", "location": "",
                       "account_name": "a", "account_key": "k", "connection_string": "s"},
                "m": {"protocol": "memory"}, "default": "m"}},
    {"stores": {"main": {"protocol": "file", "location": "/tmp", "subfolding": [2, 2],
                         "partition_pattern": "{subject}/{session}", "token_length": 12,
                         "hash_prefix": "_hash", "schema_prefix": "_schema",
                         "filepath_prefix": "_files", "stage": "/tmp"}},
     "npystore": {"defaults": {"fsync": True}, "stores": {"main": {"concurrency": 4}}}},
    {"object_storage": {"stores": {"default": "m", "m": {"protocol": "memory"}}}},
    {"stores.main.protocol": "file", "stores.main.location": "/tmp", "stores": {"default": "main"}},
]
for c in configs:
    put("config", json.dumps(c))
print("seeds:", {t: len(os.listdir(os.path.join(out, t))) for t in sorted(os.listdir(out))})
