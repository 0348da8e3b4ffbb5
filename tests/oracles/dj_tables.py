"""DataJoint 2.3.5 declares and fills tables of every tier with <npy@store> attributes,
then prints what it sees, for tests/db_postgres.rs to compare with npystore's db layer.

usage: python dj_tables.py SCHEMA MANY_ROWS OUT_JSON
Run in a directory holding datajoint.json (stores "main" and "other"); the database
settings come from the DJ_* environment (scripts/postgres.sh). Writes one JSON object
to OUT_JSON (DataJoint logs to stdout):
{"tables": {ClassName: {"sql": ..., "primary_key": [...], "npy": {attr: store},
 "rows": [{"key": {attr: encode_pk_value(v)}, "arrays": {attr: meta|null},
           "bytes": {attr: hex of arr.tobytes()}}]}}}
"""
import datetime as dt
import json
import sys
import warnings

import numpy as np

warnings.simplefilter("ignore")
import datajoint as dj  # noqa: E402
from datajoint.storage import encode_pk_value  # noqa: E402

schema_name, many_rows, out_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
dj.config["safemode"] = False
schema = dj.Schema(schema_name)


@schema
class Subject(dj.Manual):
    definition = """
    subject: varchar(16)
    """


@schema
class Probe(dj.Lookup):
    definition = """
    probe_id: int16
    ---
    layout: <npy@main>
    """


@schema
class Recording(dj.Manual):
    definition = """
    -> Subject
    rec_id: int32
    ---
    waveform: <npy@main>   # raw trace
    spikes = null: <npy@other>
    label: varchar(20)
    """


@schema
class Epoch(dj.Imported):
    definition = """
    -> Recording
    day: date
    t0: datetime
    gain: float64
    flag: bool
    ---
    trace: <npy@other>
    """

    def make(self, key):
        raise NotImplementedError


@schema
class Summary(dj.Computed):
    definition = """
    -> Recording
    ---
    mean: <npy@main>
    """

    class Channel(dj.Part):
        definition = """
        -> master
        ch: int16
        ---
        channel_values: <npy@other>
        """

    def make(self, key):
        raise NotImplementedError


@schema
class Many(dj.Manual):
    definition = """
    idx: int32
    ---
    a: <npy@main>
    """


subjects = ["m/01", "mouse two"]
Subject.insert([{"subject": s} for s in subjects])
Probe.insert([{"probe_id": i, "layout": np.arange(i + 2, dtype=np.float32)} for i in range(3)])
Recording.insert(
    [
        {
            "subject": s,
            "rec_id": r,
            "waveform": np.arange(6, dtype=np.int16).reshape(2, 3) * (r + 1),
            "spikes": None if r == 2 else np.array([r, r + 0.5]),
            "label": f"{s}-{r}",
        }
        for s in subjects
        for r in (1, 2)
    ]
)
Epoch.insert(
    [
        {
            "subject": "m/01",
            "rec_id": 1,
            "day": dt.date(2024, 2, 29),
            "t0": dt.datetime(2024, 2, 29, 13, 5, 9),
            "gain": g,
            "flag": f,
            "trace": np.full((3,), g, dtype=">f8"),
        }
        for g, f in ((0.1, True), (1e16, False), (2.5, True))
    ],
    allow_direct_insert=True,
)
Summary.insert1({"subject": "m/01", "rec_id": 1, "mean": np.array(3.5)}, allow_direct_insert=True)
Summary.Channel.insert(
    [{"subject": "m/01", "rec_id": 1, "ch": c, "channel_values": np.arange(c + 1, dtype=np.uint8)} for c in (0, 7)],
    allow_direct_insert=True,
)
Many.insert([{"idx": i, "a": np.array([i], dtype=np.int64)} for i in range(many_rows)])


def describe(table):
    heading = table.heading
    npy = {}
    for name in heading.secondary_attributes:
        codec_type = heading.attributes[name].type
        if codec_type.startswith("<npy"):
            npy[name] = codec_type[len("<npy@"):-1] or None
    rows = []
    for row in table.to_dicts():
        key = {k: encode_pk_value(row[k]) for k in heading.primary_key}
        arrays = {a: (None if row[a] is None else row[a]._meta) for a in npy}
        raw = {a: row[a].load().tobytes().hex() for a in npy if row[a] is not None}
        rows.append({"key": key, "arrays": arrays, "bytes": raw})
    return {"sql": table.table_name, "primary_key": heading.primary_key, "npy": npy, "rows": rows}


tables = {"Subject": Subject, "Probe": Probe, "Recording": Recording, "Epoch": Epoch,
          "Summary": Summary, "Summary.Channel": Summary.Channel, "Many": Many}
with open(out_path, "w") as out:
    json.dump({"tables": {name: describe(t()) for name, t in tables.items()}}, out)
