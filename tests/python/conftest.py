"""Shared fixtures for the Python-driven tests: a file store, DataJoint connected to
the throwaway PostgreSQL that scripts/test.sh starts (DJ_* variables), and npystore
through its C ABI (npystore_ctypes)."""
import json
import os
import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("store")


@pytest.fixture(scope="module")
def stores_block(store_dir):
    """One stores block, given to DataJoint and npystore alike."""
    return {"default": "main", "main": {"protocol": "file", "location": str(store_dir)}}


@pytest.fixture(scope="module")
def dj(stores_block):
    if not os.environ.get("DJ_HOST"):
        pytest.fail("DJ_HOST is not set: run through scripts/test.sh, which starts PostgreSQL")
    import datajoint

    datajoint.config.stores = stores_block
    return datajoint


@pytest.fixture(scope="module")
def schema(dj):
    s = dj.Schema("npystore_" + uuid.uuid4().hex[:10])
    yield s
    s.drop(prompt=False)


@pytest.fixture(scope="module")
def npy_store(stores_block):
    import npystore_ctypes

    return npystore_ctypes.Store(json.dumps({"stores": stores_block}))
