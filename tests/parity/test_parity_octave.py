"""Item 5 of the DataJoint parity suite, through a binding: the MATLAB toolbox in GNU
Octave (bindings/matlab) reads what DataJoint 2.3.5 wrote and DataJoint reads what
Octave wrote, over the same store and table, and Octave's paths equal DataJoint's.

DataJoint inserts every case; one octave-cli run (octave_side.m) loads them from the
rows' JSON, compares each with the expected value, and puts each put-able case twice:
for the key of DataJoint's row (paths compared here) and for a new key, whose JSON
goes into a row that DataJoint then loads. The MEX is built once per build directory
($NPYSTORE_MEX_DIR, default <build>/matlab beside $NPYSTORE_PREFIX)."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from djparity import ZOO, assert_same_array, insert_json_row, row_meta, split_token

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent

# Octave class of each numpy kind the toolbox maps (docs/matlab.md); float16 loads
# as single, datetime64/timedelta64 as int64 counts, non-native orders swapped.
CLASSES = {"b": "logical", "i": "int", "u": "uint", "M": "int64", "m": "int64", "U": "char"}
WRITABLE = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
            "float32", "float64", "complex64", "complex128", "fortran_2d_float64", "fortran_3d_int16",
            "fortran_2d_complex64", "fortran_3d_bool", "0d_float64", "0d_int8", "0d_bool",
            "0d_complex128", "empty_0", "empty_0x3", "empty_3x0", "empty_2x0x4", "large_4d",
            "1d_float64", "U5_ascii"]
READ_ONLY = ["float16", "order>i2", "order>u4", "order>i8", "order>f4", "order>f8", "order>c16",
             "M8[s]", "M8[ns]", "m8[ms]", "0d_M8[ns]", "0d_>i4", "fortran_2d_>f4", "fortran_3d_M8[s]"]
CASES = WRITABLE + READ_ONLY


def octave_class(dtype):
    if dtype.kind in "fc":
        return "double" if dtype.itemsize == (16 if dtype.kind == "c" else 8) else "single"
    if dtype.kind in "iu":
        return CLASSES[dtype.kind] + str(8 * dtype.itemsize)
    return CLASSES[dtype.kind]


def octave_case(name, dj_json):
    a = ZOO[name]
    case = {"name": name, "json": json.dumps(dj_json), "dtype": str(a.dtype), "shape": list(a.shape),
            "class": octave_class(a.dtype), "complex": a.dtype.kind == "c", "put": name in WRITABLE,
            "dj_key": [f"dj/{name}", 1], "octave_key": [f"octave/{name}", 2], "hex": "", "strings": []}
    if a.dtype.kind == "U":
        case["strings"] = [str(s) for s in a.reshape(-1)]
    else:
        native = a.astype(a.dtype.newbyteorder("="))
        if a.dtype.kind in "mM":
            native = native.view(np.int64)
        elif a.dtype == np.float16:
            native = native.astype(np.float32)
        case["hex"] = native.ravel(order="F").tobytes().hex()
    return case


def mex_dir():
    if os.environ.get("NPYSTORE_MEX_DIR"):
        return Path(os.environ["NPYSTORE_MEX_DIR"])
    prefix = Path(os.environ.get("NPYSTORE_PREFIX", REPO / "build" / "prefix"))
    return prefix.parent / "matlab"


def octave(*statements, cwd):
    octave_cli = shutil.which("octave-cli")
    if octave_cli is None:
        pytest.fail("octave-cli is not installed: run scripts/setup-system.sh")
    code = "; ".join(statements)
    proc = subprocess.run([octave_cli, "--no-gui", "--norc", "--eval", code], cwd=cwd,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


@pytest.fixture(scope="module")
def mex(tmp_path_factory):
    """The toolbox's MEX, built against the installed library unless it is newer."""
    out = mex_dir()
    built = out / "npystore_mex.mex"
    prefix = Path(os.environ.get("NPYSTORE_PREFIX", REPO / "build" / "prefix"))
    library = prefix / "lib" / "libnpystore.so"
    sources = [library, *(REPO / "bindings" / "matlab" / "mex").iterdir()]
    if not built.exists() or built.stat().st_mtime < max(p.stat().st_mtime for p in sources):
        octave(f"addpath('{REPO}/bindings/matlab')",
               f"npystore_build('prefix', '{prefix}', 'outdir', '{out}')", cwd=tmp_path_factory.mktemp("mex"))
    return out


@pytest.fixture(scope="module")
def octave_results(store, recording, mex, tmp_path_factory):
    """DataJoint inserts every case, then one Octave run does its side."""
    cases = []
    for name in CASES:
        key = {"subject": f"dj/{name}", "rec_id": 1}
        recording.insert1({**key, "arr": ZOO[name]})
        cases.append(octave_case(name, row_meta(recording, key, "arr")))
    work = tmp_path_factory.mktemp("octave")
    job = {"config": store.config, "schema": recording.database, "table": recording.table_name, "cases": cases}
    (work / "job.json").write_text(json.dumps(job))
    octave(f"addpath('{REPO}/bindings/matlab', '{mex}', '{HERE}')",
           f"octave_side('{work}/job.json', '{work}/out.json')", cwd=work)
    results = json.loads((work / "out.json").read_text())
    return {r["name"]: r for r in results}


@pytest.mark.parametrize("case", CASES)
def test_octave_reads_what_datajoint_wrote(octave_results, case):
    assert octave_results[case]["read"] == "ok"


@pytest.mark.parametrize("case", WRITABLE)
def test_octave_paths_equal_datajoint(octave_results, recording, case):
    result = octave_results[case]
    assert result["put"] == "ok"
    theirs = row_meta(recording, {"subject": f"dj/{case}", "rec_id": 1}, "arr")["path"]
    assert split_token(result["same_key_path"], "arr")[0] == split_token(theirs, "arr")[0]


@pytest.mark.parametrize("case", WRITABLE)
def test_datajoint_reads_what_octave_wrote(octave_results, recording, case):
    result = octave_results[case]
    assert result["put"] == "ok"
    meta = json.loads(result["put_json"])
    a = ZOO[case]
    assert meta["dtype"] == str(a.dtype) and meta["shape"] == list(a.shape) and meta["store"] == "main"
    key = {"subject": f"octave/{case}", "rec_id": 2}
    insert_json_row(recording, key, {"arr": result["put_json"]})
    npy_ref = (recording & key).fetch1("arr")
    assert npy_ref.dtype == a.dtype and npy_ref.shape == a.shape
    # A char matrix's rows are stored without the spaces that pad them (numpy's NUL
    # padding), so DataJoint reads the very strings numpy wrote (docs/matlab.md).
    assert_same_array(npy_ref.load(), a)
    assert_same_array(npy_ref.load(mmap_mode="r"), a)
