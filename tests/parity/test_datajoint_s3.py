"""What only remote stores have, on DataJoint's rows in an S3 store (moto): npystore's
bulk load and cached mmap of arrays DataJoint 2.3.5 inserted. The round trips both
ways, paths, configuration and garbage collection on S3 are the parity modules'
`s3` runs (conftest.py STORE_KINDS)."""
import json

import numpy as np
import pytest
from djparity import assert_same_array, row_meta

pytestmark = pytest.mark.parametrize("store", ["s3"], indirect=True)


@pytest.fixture(scope="module")
def cached_store(store, tmp_path_factory):
    """npystore's handle to the default store with a cache folder for remote maps."""
    import npystore_ctypes

    cache = tmp_path_factory.mktemp("npystore-cache")
    config = {"stores": store.block, "npystore": {"defaults": {"cache_dir": str(cache)}}}
    return npystore_ctypes.Store(json.dumps(config))


def test_bulk_load_and_mmap_of_datajoint_rows(recording, cached_store):
    import npystore_ctypes

    arrays = {i: np.random.default_rng(i).standard_normal((20, 3 + i)) for i in range(12)}
    for i, a in arrays.items():
        recording.insert1({"subject": "bulk", "rec_id": 100 + i, "arr": a})
    metas = [row_meta(recording, {"subject": "bulk", "rec_id": 100 + i}, "arr") for i in arrays]
    refs = [cached_store.ref(json.dumps(m)) for m in metas]
    missing = {**metas[0], "path": metas[0]["path"].replace(".npy", "_gone.npy")}
    loaded, statuses = npystore_ctypes.load_many(refs + [cached_store.ref(json.dumps(missing))], concurrency=4)
    assert statuses == ["ok"] * len(arrays) + ["not_found"]
    for i, out in zip(arrays, loaded):
        assert_same_array(out, arrays[i])
    mapped = refs[3].mmap("r")
    assert_same_array(np.asarray(mapped), arrays[3])
    with pytest.raises(npystore_ctypes.NpyError) as err:
        refs[3].mmap("r+")
    assert err.value.name == "unsupported"
