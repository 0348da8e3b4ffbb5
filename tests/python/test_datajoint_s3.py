"""What only remote stores have, on DataJoint's own rows in an S3 store (moto):
npystore's bulk load and cached mmap of arrays DataJoint 2.3.5 inserted through
<npy@main>. The round trips themselves run in the parity modules."""
import json
import uuid

import numpy as np
import pytest
import remote_servers
from conftest import StoreUnderTest
from djparity import assert_same_array, row_meta


class _S3:
    kind = "s3"
    secret_keys = ("access_key", "secret_key")

    def __init__(self):
        self.root = "dj-" + uuid.uuid4().hex[:10]

    def spec(self, name, **settings):
        location = f"{self.root}/{name}"
        return {**remote_servers.s3_store(remote_servers.s3_server(), location=location), **settings}


@pytest.fixture(scope="module")
def store():
    return StoreUnderTest(_S3())


@pytest.fixture(scope="module")
def npy_store(store, tmp_path_factory):
    import npystore_ctypes

    cache = tmp_path_factory.mktemp("npystore-cache")
    config = {"stores": store.block, "npystore": {"defaults": {"cache_dir": str(cache)}}}
    return npystore_ctypes.Store(json.dumps(config))


def row_json(dj, table, key):
    return json.dumps(row_meta(table, key, "arr"))


def test_bulk_load_and_mmap_of_datajoint_rows(dj, recording, npy_store):
    import npystore_ctypes

    arrays = {i: np.random.default_rng(i).standard_normal((20, 3 + i)) for i in range(12)}
    for i, a in arrays.items():
        recording.insert1({"subject": "bulk", "rec_id": 100 + i, "arr": a})
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
