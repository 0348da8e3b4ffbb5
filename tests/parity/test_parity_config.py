"""Item 3 of the DataJoint parity suite: one configuration for both. A project holds
datajoint.json (and .secrets/, and a .git folder that ends the search); DataJoint and
npystore each find it themselves from a subdirectory, in a subprocess whose working
directory is real (config_side.py), and must land on the same store: each reads what
the other wrote there, through the default store (npystore: NULL store name)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from djparity import assert_same_array, insert_json_row

HERE = Path(__file__).parent
DATA = np.arange(6, dtype=">f4").reshape(2, 3)


def make_project(root, store, variant):
    """The project folder for `variant`; returns (working directory, extra environment)."""
    project = root / "project"
    workdir = project / "analysis" / "notebooks"
    workdir.mkdir(parents=True)
    (project / ".git").mkdir()
    block = json.loads(json.dumps(store.block))
    env = {}
    if variant == "file":
        (project / "datajoint.json").write_text(json.dumps({"stores": block}))
    elif variant == "secrets":  # keys left out of the file, one .secrets/ file each
        secrets = project / ".secrets"
        secrets.mkdir()
        for key in store.secret_keys:
            (secrets / f"stores.main.{key}").write_text(f"  {block['main'].pop(key)}\n")
        (project / "datajoint.json").write_text(json.dumps({"stores": block}))
    elif variant == "dj_stores":  # DJ_STORES replaces the file's whole stores block
        decoy = {"default": "main", "main": store.spec("decoy"), "decoy_only": store.spec("decoy")}
        (project / "datajoint.json").write_text(json.dumps({"stores": decoy}))
        env["DJ_STORES"] = json.dumps(block)
    elif variant == "above_git":  # the search stops at the folder holding .git
        (root / "datajoint.json").write_text(json.dumps({"stores": block}))
    return workdir, env


def run_side(workdir, env, schema, variant):
    full_env = {k: v for k, v in os.environ.items() if k not in ("DJ_STORES", "DJ_IGNORE_CONFIG_FILE")}
    full_env.update(env)
    out = workdir / "out.json"
    proc = subprocess.run([sys.executable, str(HERE / "config_side.py"), schema.database, variant, str(out)],
                          cwd=workdir, env=full_env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(out.read_text())


@pytest.mark.parametrize("variant", ["file", "secrets", "dj_stores"])
def test_one_configuration_one_store(store, schema, tmp_path, variant):
    workdir, env = make_project(tmp_path, store, variant)
    out = run_side(workdir, env, schema, variant)

    assert out["npy_store"] == out["dj_store"] == "main"  # both took stores.default
    assert out["dj_row"]["store"] == "main" and out["npy_json"]["store"] == "main"
    assert out["npy_sees_dj_object"] and out["dj_sees_npy_object"]
    assert out["npy_read"] == DATA.tolist()
    assert out["dj_read"] == (DATA * 2).tolist()
    # The objects are where the test's own handle on the intended store finds them.
    for meta in (out["dj_row"], out["npy_json"]):
        assert store.npy("main").exists(meta["path"])
    if variant == "dj_stores":  # nothing went to the file's store
        import npystore_ctypes

        decoy = npystore_ctypes.Store(json.dumps({"stores": {"decoy": store.spec("decoy")}}), "decoy")
        assert not any(decoy.exists(meta["path"]) for meta in (out["dj_row"], out["npy_json"]))
    # DataJoint's limitation, not npystore's: <npy@> (no store name) is given the
    # store name "" and fails, although stores.default is set; npystore's NULL or
    # empty name opens stores.default.
    assert "Storage '' is requested but not configured" in out["dj_default_codec"], out["dj_default_codec"]


def test_search_stops_at_the_project_root(store, schema, tmp_path):
    workdir, env = make_project(tmp_path, store, "above_git")
    out = run_side(workdir, env, schema, "above_git")
    assert out["npy_error"] == "store_not_configured", out
    assert "dj_error" in out, out


def test_json_with_null_store_is_the_default_store(store, recording):
    """A row whose JSON has `"store": null` (DataJoint's "default store") loads from
    stores.default in DataJoint and in npystore alike."""
    key = {"subject": "null-store", "rec_id": 1}
    ref = store.npy(None).put(DATA, schema=recording.database, table=recording.table_name,
                              attribute="arr", key=key)
    assert ref.store == "main"
    meta = {**json.loads(ref.json), "store": None}
    insert_json_row(recording, key, {"arr": json.dumps(meta)})
    npy_ref = (recording & key).fetch1("arr")
    assert npy_ref.store is None
    assert_same_array(npy_ref.load(), DATA)
    assert_same_array(store.npy(None).ref(json.dumps(meta)).load(), DATA)
    assert_same_array(store.npy("main").ref(json.dumps(meta)).load(), DATA)
