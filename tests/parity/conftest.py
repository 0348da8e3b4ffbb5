"""Shared fixtures for the Python-driven tests: DataJoint connected to the throwaway
PostgreSQL that scripts/test.sh starts (DJ_* variables), npystore through its C ABI
(npystore_ctypes), and `store`: one store configuration shared by both, parametrised
by store kind. Every DataJoint parity module is built on `store`, so a new kind of
store (S3, Azure...) is one entry in STORE_KINDS."""
import json
import os
import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import remote_servers  # noqa: E402

# The named stores of every configuration, over one backend: DataJoint's defaults,
# and the settings that change paths. Token lengths outside 4..16 are clamped.
STORE_SETTINGS = {
    "main": {},
    "custom": {"schema_prefix": "lab/npy", "token_length": 12},
    "bare": {"schema_prefix": "", "token_length": 2},
    "parted": {"partition_pattern": "{session_date}/{subject}/{not_in_any_key}", "token_length": 30},
}


class FileKind:
    """A file store: one folder per named store."""

    kind = "file"
    secret_keys = ("location",)  # what the config test moves into .secrets/

    def __init__(self, request, root):
        self.root = root

    def spec(self, name, **settings):
        location = self.root / name
        location.mkdir(parents=True, exist_ok=True)
        return {"protocol": "file", "location": str(location), **settings}


class S3Kind:
    """An S3 store on the moto server (`s3_server`): one key prefix per named store,
    under a fresh prefix per module, as DataJoint users write the block."""

    kind = "s3"
    secret_keys = ("access_key", "secret_key")

    def __init__(self, request, root):
        self.server = request.getfixturevalue("s3_server")
        self.prefix = "parity-" + uuid.uuid4().hex[:10]

    def spec(self, name, **settings):
        return {**remote_servers.s3_store(self.server, f"{self.prefix}/{name}"), **settings}


# A store kind: `kind`, `secret_keys` and `spec(name, **settings)` giving DataJoint's
# store spec for a fresh location (folder, bucket prefix...) per name; its
# constructor gets the pytest request (for server fixtures) and a temporary folder.
STORE_KINDS = {"file": FileKind, "s3": S3Kind}
# One <npy@> attribute per named store, for tables that write to all of them.
STORE_ATTRIBUTES = {f"a_{name}": name for name in STORE_SETTINGS}


def store_attribute_lines(nullable=False):
    default = " = null" if nullable else ""
    return "\n".join(f"{a}{default} : <npy@{s}>" for a, s in STORE_ATTRIBUTES.items())


class StoreUnderTest:
    """One configuration (`block`, DataJoint's `stores`) given to DataJoint and to
    npystore alike, and npystore's handles to its stores."""

    def __init__(self, kind):
        self.kind = kind.kind
        self.secret_keys = kind.secret_keys
        self.spec = kind.spec
        self.block = {"default": "main", **{n: kind.spec(n, **s) for n, s in STORE_SETTINGS.items()}}
        self.config = json.dumps({"stores": self.block})
        self._handles = {}

    def npy(self, name="main"):
        """npystore's handle to the named store (None: the default store)."""
        import npystore_ctypes

        if name not in self._handles:
            self._handles[name] = npystore_ctypes.Store(self.config, name)
        return self._handles[name]

    def token_length(self, name):
        return max(4, min(16, self.block[name].get("token_length", 8)))

    def __repr__(self):
        return f"<{self.kind} store>"


@pytest.fixture(scope="session")
def s3_server():
    """The S3 server scripts/test.sh started (NPYSTORE_S3_*), else one started here."""
    return remote_servers.s3_server()


@pytest.fixture(scope="module", params=sorted(STORE_KINDS))
def store(request, tmp_path_factory):
    return StoreUnderTest(STORE_KINDS[request.param](request, tmp_path_factory.mktemp(request.param)))


@pytest.fixture(scope="module")
def dj(store):
    if not os.environ.get("DJ_HOST"):
        pytest.fail("DJ_HOST is not set: run through scripts/test.sh, which starts PostgreSQL")
    import datajoint

    datajoint.config.stores = store.block
    return datajoint


@pytest.fixture(scope="module")
def schema(dj):
    s = dj.Schema("npystore_" + uuid.uuid4().hex[:10])
    yield s
    s.drop(prompt=False)


@pytest.fixture(scope="module")
def npy_store(store):
    return store.npy("main")


@pytest.fixture(scope="module")
def recording(dj, schema):
    """A table with one array per row in the default store (`arr`)."""

    @schema
    class Recording(dj.Manual):
        definition = """
        subject : varchar(255)
        rec_id : int32
        ---
        arr : <npy@main>
        """

    return Recording
