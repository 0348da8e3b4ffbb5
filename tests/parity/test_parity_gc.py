"""Item 4 of the DataJoint parity suite: DataJoint 2.3.5's garbage collector
(`dj.gc.GarbageCollector(schema, store=...).collect(dry_run=False)`) keeps every
object a row references, npystore's included, and removes npystore's objects that no
row references; npystore then reports those as missing."""
import json

import numpy as np
import pytest
from conftest import store_attribute_lines
from djparity import assert_same_array, insert_json_row, row_meta

DATA = np.arange(12, dtype="<i4").reshape(3, 4)


@pytest.fixture(scope="module")
def recording(dj, schema):
    """Each row holds arrays in some of the named stores."""

    @schema
    class Recording(dj.Manual):
        definition = f"""
        subject : varchar(64)
        rec_id : int32
        ---
        {store_attribute_lines(nullable=True)}
        """

    return Recording


def assert_missing(npy, ref):
    import npystore_ctypes

    assert not ref.exists() and not npy.exists(ref.path)
    for r in (ref, npy.ref(ref.json)):  # the old handle and a fresh one from the JSON
        with pytest.raises(npystore_ctypes.NpyError) as err:
            r.load()
        assert err.value.status == 11 and err.value.name == "not_found", err.value


@pytest.mark.parametrize("store_name", ["main", "custom", "bare"])
def test_gc_keeps_referenced_objects_and_collects_the_rest(dj, store, schema, recording, store_name):
    npy, attribute = store.npy(store_name), f"a_{store_name}"

    def put(subject, rec_id):
        key = {"subject": f"{store_name}/{subject}", "rec_id": rec_id}
        return key, npy.put(DATA, schema=recording.database, table=recording.table_name,
                            attribute=attribute, key=key)

    key, referenced = put("kept", 1)
    insert_json_row(recording, key, {attribute: referenced.json})
    _, superseded = put("kept", 1)  # same key, never in the row: an orphan beside a live object
    _, never = put("never", 2)
    gone_key, gone = put("gone", 3)
    insert_json_row(recording, gone_key, {attribute: gone.json})
    (recording & gone_key).delete_quick()
    dj_key = {"subject": f"{store_name}/datajoint", "rec_id": 4}
    recording.insert1({**dj_key, attribute: DATA})
    dj_path = row_meta(recording, dj_key, attribute)["path"]
    outside = npy.put(DATA, path=f"scratch/{store_name}.npy")  # not under the schema's folder
    orphans = {superseded.path, never.path, gone.path}

    collector = dj.gc.GarbageCollector(schema, store=store_name)
    report = collector.collect()  # dry run: report only
    assert set(report["orphaned_schema_paths"]) == orphans, report
    assert report["schema_paths_referenced"] == 2 and report["deleted"] == 0
    assert all(npy.exists(p) for p in orphans)

    report = collector.collect(dry_run=False)
    assert report["schema_paths_deleted"] == 3 and report["errors"] == 0, report
    for ref in (superseded, never, gone):
        assert_missing(npy, ref)
    assert_same_array(referenced.load(), DATA)
    assert_same_array(npy.ref(json.dumps(row_meta(recording, dj_key, attribute))).load(), DATA)
    assert_same_array((recording & key).fetch1(attribute).load(), DATA)
    assert npy.exists(dj_path) and outside.exists()
    assert collector.collect()["orphaned_schema_paths"] == []


def test_gc_does_not_see_partitioned_objects(dj, store, schema, recording):
    """DataJoint's limitation, not npystore's: with a `partition_pattern`, objects live
    under `{schema_prefix}/{partition}/{schema}/...`, but the collector walks only
    `{schema_prefix}/{schema}/`, so orphans of a partitioned store are never collected
    (whoever wrote them). npystore writes exactly where DataJoint does (test_parity_paths)."""
    npy = store.npy("parted")
    key = {"subject": "parted/never", "rec_id": 1}
    orphan = npy.put(DATA, schema=recording.database, table=recording.table_name, attribute="a_parted", key=key)
    assert orphan.path.startswith("_schema/subject=parted%2Fnever/")
    dj_key = {"subject": "parted/datajoint", "rec_id": 2}
    recording.insert1({**dj_key, "a_parted": DATA})
    (recording & dj_key).delete_quick()  # DataJoint's own object is orphaned too

    report = dj.gc.GarbageCollector(schema, store="parted").collect(dry_run=False)
    assert report["schema_paths_stored"] == 0 and report["deleted"] == 0, report
    assert orphan.exists()
    assert_same_array(orphan.load(), DATA)
