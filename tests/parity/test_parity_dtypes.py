"""Item 1 of the DataJoint parity suite: every dtype family of the format zoo, both
directions, through DataJoint 2.3.5's <npy@main> and a real PostgreSQL table.

- DataJoint inserts; npystore (C API) reads the row's JSON and loads equal arrays, in
  C and Fortran order, by rows, and through a header-reading reference.
- npystore puts; its JSON equals what DataJoint would have written, its bytes equal
  numpy.save's; the JSON goes into the row and DataJoint's NpyRef loads equal arrays
  with load() and load(mmap_mode='r')."""
import io
import json

import numpy as np
import pytest
from djparity import ZOO, assert_numpy_object, assert_same_array, insert_json_row, is_fortran, npy_bytes, row_meta

CASES = sorted(ZOO)


@pytest.fixture(scope="module")
def dj_backend(dj, store):
    """DataJoint's own storage backend for the store, to read objects' raw bytes."""
    from datajoint.hash_registry import get_store_backend

    return get_store_backend("main", config=dj.config)


def expected_meta(path, a):
    """The JSON DataJoint's NpyCodec.encode returns for `a` at `path`."""
    return {"path": path, "store": "main", "dtype": str(a.dtype), "shape": list(a.shape)}


def stored_dtype(a):
    """str() of the dtype numpy.load gives back for `a`: the .npy header cannot
    record an aligned struct's `'aligned': True`, so that flag is dropped."""
    return str(np.load(io.BytesIO(npy_bytes(a))).dtype)


@pytest.mark.parametrize("case", CASES)
def test_datajoint_writes_npystore_reads(store, recording, dj_backend, case):
    a = ZOO[case]
    key = {"subject": case, "rec_id": 1}
    recording.insert1({**key, "arr": a})
    meta = row_meta(recording, key, "arr")
    assert meta == expected_meta(meta["path"], a)
    assert_numpy_object(dj_backend.get_buffer(meta["path"]), a)
    ref = store.npy().ref(json.dumps(meta))
    assert (ref.shape, ref.dtype, ref.path, ref.store) == (a.shape, stored_dtype(a), meta["path"], "main")
    assert json.loads(ref.json) == {**meta, "dtype": stored_dtype(a)}
    assert_same_array(ref.load("C"), a)
    assert ref.fortran_order == is_fortran(a)  # known once read: the header is the truth
    assert_same_array(ref.load("F"), a)
    if a.ndim and a.shape[0] > 1:
        assert_same_array(ref.read_rows(1, a.shape[0] - 1), a[1:])

    opened = store.npy().open(meta["path"])  # from the header alone
    assert (opened.shape, opened.dtype) == (a.shape, stored_dtype(a))
    assert_same_array(opened.load("C"), a)


@pytest.mark.parametrize("case", CASES)
def test_npystore_writes_datajoint_reads(store, recording, dj_backend, case):
    a = ZOO[case]
    key = {"subject": case, "rec_id": 2}
    put = lambda: store.npy().put(a, schema=recording.database, table=recording.table_name, attribute="arr", key=key)
    ref = put()
    meta = json.loads(ref.json)
    assert meta == {**expected_meta(ref.path, a), "dtype": stored_dtype(a)}
    if stored_dtype(a) != str(a.dtype):  # only the aligned flag differs from DataJoint's JSON
        assert str(a.dtype) == stored_dtype(a)[:-1] + ", 'aligned': True}"
    assert_numpy_object(dj_backend.get_buffer(ref.path), a)  # numpy.save's bytes, layout included

    insert_json_row(recording, key, {"arr": ref.json})
    npy_ref = (recording & key).fetch1("arr")
    assert (npy_ref.path, npy_ref.store, npy_ref.shape) == (ref.path, "main", a.shape)
    assert_same_array(npy_ref.load(), a, layout=True)
    assert_same_array(npy_ref.load(mmap_mode="r"), a, layout=True)
    if a.dtype.names is None:
        assert npy_ref.dtype == a.dtype
    else:
        # DataJoint's limitation, not npystore's: NpyRef.dtype (and nbytes, built on
        # it) calls numpy.dtype() on the str() form, which numpy cannot parse for
        # structured dtypes (list form: TypeError; dict form of padded or aligned
        # structs: ValueError), although DataJoint writes that form itself.
        for attribute in ("dtype", "nbytes"):
            with pytest.raises((TypeError, ValueError), match="not understood|not recognized"):
                getattr(npy_ref, attribute)
