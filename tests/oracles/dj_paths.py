"""Oracle for tests/path_parity.rs: DataJoint 2.3.5's own encode_pk_value and
build_object_path (what NpyCodec uses, ext=".npy") applied to the cases in argv[1]."""

import datetime
import json
import os
import struct
import sys
import tempfile
import warnings

os.environ["DJ_IGNORE_CONFIG_FILE"] = "1"  # no config file or secrets needed
os.chdir(tempfile.gettempdir())
warnings.simplefilter("ignore")

from datajoint.storage import build_object_path, encode_pk_value  # noqa: E402


def value(v):
    t, x = v["t"], v["v"]
    if t == "int":
        return int(x)
    if t == "float":
        return struct.unpack("<d", struct.pack("<Q", int(x)))[0]
    if t in ("bool", "str"):
        return x
    if t == "date":
        return datetime.date(*x)
    if t == "datetime":
        return datetime.datetime(*x)
    raise ValueError(t)


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    encoded = [encode_pk_value(value(v)) for v in cases["values"]]
    paths = []
    for c in cases["paths"]:
        path, token = build_object_path(
            schema=c["schema"],
            table=c["table"],
            field=c["field"],
            primary_key={name: value(v) for name, v in c["key"]},
            ext=".npy",
            partition_pattern=c["partition_pattern"],
            token_length=c["token_length"],
            schema_prefix=c["schema_prefix"],
        )
        paths.append({"path": path, "token": token})
    json.dump({"values": encoded, "paths": paths}, sys.stdout)


main()
