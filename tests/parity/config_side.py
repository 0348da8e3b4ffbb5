"""Run by test_parity_config.py with its working directory inside a project:
    python config_side.py SCHEMA VARIANT OUT
DataJoint (configured at import) and npystore (npy_store_open(NULL, NULL)) each find
the project's configuration themselves; both write and read one table through the
default store. Writes what each side saw and did to OUT, as JSON, for the test to
compare (stdout carries DataJoint's own messages)."""
import json
import sys

import numpy as np

DATA = np.arange(6, dtype=">f4").reshape(2, 3)


def shared_table(dj, schema):
    @schema
    class Shared(dj.Manual):
        definition = """
        writer : varchar(32)
        ---
        arr : <npy@main>
        """

    return Shared


def main(schema_name, variant):
    import datajoint as dj
    import npystore_ctypes
    from datajoint.hash_registry import get_store_backend
    from djparity import insert_json_row, row_meta

    out = {}
    try:
        npy = npystore_ctypes.Store()  # discovered configuration, default store
        out["npy_store"] = npy.name
    except npystore_ctypes.NpyError as e:
        out["npy_error"] = e.name
    try:
        dj.config.get_store_spec(None)
        out["dj_store"] = dj.config.stores["default"]
    except Exception as e:  # noqa: BLE001 - reported to the test
        out["dj_error"] = f"{type(e).__name__}: {e}"
    if "npy_error" in out or "dj_error" in out:
        return out

    schema = dj.Schema(schema_name)
    table = shared_table(dj, schema)
    dj_key, npy_key = {"writer": variant + "/datajoint"}, {"writer": variant + "/npystore"}
    table.insert1({**dj_key, "arr": DATA})
    meta = row_meta(table, dj_key, "arr")
    out["dj_row"] = meta
    out["npy_read"] = npy.ref(json.dumps(meta)).load().tolist()
    out["npy_sees_dj_object"] = npy.exists(meta["path"])

    ref = npy.put(DATA * 2, schema=schema.database, table=table.table_name, attribute="arr", key=npy_key)
    insert_json_row(table, npy_key, {"arr": ref.json})
    out["npy_json"] = json.loads(ref.json)
    out["dj_read"] = (table & npy_key).fetch1("arr").load().tolist()
    out["dj_sees_npy_object"] = get_store_backend(None, config=dj.config).exists(ref.path)

    try:  # DataJoint's own default-store attribute
        @schema
        class Defaulted(dj.Manual):
            definition = """
            writer : varchar(32)
            ---
            arr : <npy@>
            """

        Defaulted.insert1({"writer": variant, "arr": DATA})
        out["dj_default_codec"] = "ok"
    except Exception as e:  # noqa: BLE001 - reported to the test
        out["dj_default_codec"] = f"{type(e).__name__}: {e}"
    return out


if __name__ == "__main__":
    with open(sys.argv[3], "w") as f:
        json.dump(main(sys.argv[1], sys.argv[2]), f)
