"""The DataJoint round trip of test_datajoint_file.py, run unchanged on an S3 store
(moto): DataJoint 2.3.5 inserts through <npy@main> and npystore reads the rows' JSON,
npystore puts and DataJoint fetches, both build the same paths, rows read. Plus what
only remote stores have: npystore's bulk load and cached mmap of DataJoint's rows."""
import json

import numpy as np
import pytest
import remote_servers
from test_datajoint_file import (  # noqa: F401  (tests and fixtures re-run on S3)
    ARRAYS,
    assert_same_array,
    recording,
    row_json,
    test_datajoint_writes_npystore_reads,
    test_npystore_writes_datajoint_reads,
    test_paths_match_datajoint_for_the_same_key,
    test_rows_of_a_datajoint_array,
)


@pytest.fixture(scope="module")
def stores_block():
    return {"default": "main", "main": remote_servers.s3_store(remote_servers.s3_server())}


@pytest.fixture(scope="module")
def npy_store(stores_block, tmp_path_factory):
    import npystore_ctypes

    cache = tmp_path_factory.mktemp("npystore-cache")
    config = {"stores": stores_block, "npystore": {"defaults": {"cache_dir": str(cache)}}}
    return npystore_ctypes.Store(json.dumps(config))


def test_bulk_load_and_mmap_of_datajoint_rows(dj, recording, npy_store):
    import npystore_ctypes

    arrays = {i: np.random.default_rng(i).standard_normal((20, 3 + i)) for i in range(12)}
    for i, a in arrays.items():
        recording.insert1({"subject": "bulk", "rec_id": 100 + i, "waveform": a})
    refs = [npy_store.ref(row_json(dj, recording, {"subject": "bulk", "rec_id": 100 + i})) for i in arrays]
    missing = json.loads(refs[0].json)
    missing["path"] = missing["path"].replace(".npy", "_gone.npy")
    loaded, statuses = npystore_ctypes.load_many(refs + [npy_store.ref(json.dumps(missing))], concurrency=4)
    assert statuses == ["ok"] * len(arrays) + ["not_found"]
    for i, out in zip(arrays, loaded):
        assert_same_array(out, arrays[i])
    mapped = refs[3].mmap("r")
    assert_same_array(np.asarray(mapped), arrays[3])
    with pytest.raises(npystore_ctypes.NpyError) as err:
        refs[3].mmap("r+")
    assert err.value.name == "unsupported"
