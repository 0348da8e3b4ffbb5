"""A small ctypes wrapper over the C ABI of libnpystore, for the Python-driven tests.

It exercises the library exactly as C users meet it (the installed shared library and
its documented calls), so DataJoint round trips test the real product. Library
location: $NPYSTORE_LIB, else $NPYSTORE_PREFIX/lib/libnpystore.so, else the release
build in target/.
"""
import ctypes as C
import datetime as _dt
import os
from pathlib import Path

import numpy as np

_REPO = Path(__file__).resolve().parents[2]


def _library_path():
    if os.environ.get("NPYSTORE_LIB"):
        return os.environ["NPYSTORE_LIB"]
    prefix = os.environ.get("NPYSTORE_PREFIX")
    if prefix:
        return str(Path(prefix) / "lib" / "libnpystore.so")
    return str(_REPO / "target" / "release" / "libnpystore.so")


lib = C.CDLL(_library_path())
_p = C.c_void_p
_u64p = C.POINTER(C.c_uint64)
_SIGNATURES = {
    "npy_last_error": (C.c_char_p, []),
    "npy_status_name": (C.c_char_p, [C.c_int32]),
    "npy_store_open": (C.c_int, [C.c_char_p, C.c_char_p, C.POINTER(_p)]),
    "npy_store_free": (None, [_p]),
    "npy_store_exists": (C.c_int, [_p, C.c_char_p, C.POINTER(C.c_bool)]),
    "npy_store_name": (C.c_int, [_p, C.POINTER(C.c_char_p)]),
    "npy_target_schema": (C.c_int, [C.c_char_p, C.c_char_p, C.c_char_p, C.POINTER(_p)]),
    "npy_target_path": (C.c_int, [C.c_char_p, C.POINTER(_p)]),
    "npy_target_free": (None, [_p]),
    "npy_target_key_int": (C.c_int, [_p, C.c_char_p, C.c_int64]),
    "npy_target_key_uint": (C.c_int, [_p, C.c_char_p, C.c_uint64]),
    "npy_target_key_float": (C.c_int, [_p, C.c_char_p, C.c_double]),
    "npy_target_key_bool": (C.c_int, [_p, C.c_char_p, C.c_bool]),
    "npy_target_key_string": (C.c_int, [_p, C.c_char_p, C.c_char_p]),
    "npy_target_key_date": (C.c_int, [_p, C.c_char_p, C.c_int32, C.c_uint32, C.c_uint32]),
    "npy_target_key_datetime": (
        C.c_int,
        [_p, C.c_char_p, C.c_int32] + [C.c_uint32] * 6,
    ),
    "npy_put": (
        C.c_int,
        [_p, _p, _p, C.c_uint64, C.c_char_p, _u64p, C.c_size_t, C.c_int32, C.c_uint32, C.POINTER(_p)],
    ),
    "npy_ref_from_json": (C.c_int, [_p, C.c_char_p, C.POINTER(_p)]),
    "npy_ref_open": (C.c_int, [_p, C.c_char_p, C.POINTER(_p)]),
    "npy_ref_free": (None, [_p]),
    "npy_ref_to_json": (C.c_int, [_p, C.POINTER(C.c_char_p)]),
    "npy_ref_path": (C.c_int, [_p, C.POINTER(C.c_char_p)]),
    "npy_ref_store": (C.c_int, [_p, C.POINTER(C.c_char_p)]),
    "npy_ref_fortran_order": (C.c_int, [_p, C.POINTER(C.c_int32)]),
    "npy_ref_dtype": (C.c_int, [_p, C.POINTER(C.c_char_p)]),
    "npy_ref_descr": (C.c_int, [_p, C.POINTER(C.c_char_p)]),
    "npy_ref_shape": (C.c_int, [_p, C.POINTER(_u64p), C.POINTER(C.c_size_t)]),
    "npy_ref_nbytes": (C.c_int, [_p, C.POINTER(C.c_uint64)]),
    "npy_ref_exists": (C.c_int, [_p, C.POINTER(C.c_bool)]),
    "npy_ref_load_into": (C.c_int, [_p, _p, C.c_uint64, C.c_int32]),
    "npy_ref_read_rows": (C.c_int, [_p, C.c_uint64, C.c_uint64, _p, C.c_uint64, C.c_int32]),
    "npy_ref_read_slice": (C.c_int, [_p, C.c_size_t, _u64p, _u64p, _p, C.c_uint64, C.c_int32]),
    "npy_store_set_merge_gap": (C.c_int, [_p, C.c_uint64]),
    "npy_ref_load_mmap": (C.c_int, [_p, C.c_char_p, C.POINTER(_p), C.POINTER(_p), C.POINTER(C.c_uint64), C.POINTER(C.c_uint64)]),
    "npy_mapping_free": (None, [_p]),
    "npy_refs_load_into": (
        C.c_int,
        [C.POINTER(_p), C.POINTER(_p), _u64p, C.c_size_t, C.c_int32, C.c_size_t, _p, _p, C.POINTER(C.c_int32)],
    ),
}
for _name, (_res, _args) in _SIGNATURES.items():
    _fn = getattr(lib, _name)
    _fn.restype, _fn.argtypes = _res, _args

ORDER_C, ORDER_FORTRAN, ORDER_AS_STORED = 0, 1, 2


class NpyError(Exception):
    """A failed npystore call: `status` (int), `name` ("not_found", ...), message."""

    def __init__(self, status):
        self.status = status
        self.name = lib.npy_status_name(status).decode()
        super().__init__(f"{self.name}: {lib.npy_last_error().decode()}")


def _check(status):
    if status != 0:
        raise NpyError(status)


def _b(s):
    return None if s is None else s.encode()


def _string_out(fn, handle):
    out = C.c_char_p()
    _check(fn(handle, C.byref(out)))
    return out.value.decode()


def _add_key(target, name, value):
    n = name.encode()
    if isinstance(value, bool) or isinstance(value, np.bool_):
        _check(lib.npy_target_key_bool(target, n, bool(value)))
    elif isinstance(value, (int, np.integer)):
        value = int(value)
        if value > 2**63 - 1:
            _check(lib.npy_target_key_uint(target, n, value))
        else:
            _check(lib.npy_target_key_int(target, n, value))
    elif isinstance(value, (float, np.floating)):
        _check(lib.npy_target_key_float(target, n, float(value)))
    elif isinstance(value, str):
        _check(lib.npy_target_key_string(target, n, value.encode()))
    elif isinstance(value, _dt.datetime):
        v = value
        _check(lib.npy_target_key_datetime(target, n, v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond))
    elif isinstance(value, _dt.date):
        _check(lib.npy_target_key_date(target, n, value.year, value.month, value.day))
    else:
        raise TypeError(f"unsupported key type {type(value).__name__}")


class Ref:
    """An npy_ref handle."""

    def __init__(self, handle):
        self._h = handle

    def __del__(self):
        if getattr(self, "_h", None):
            lib.npy_ref_free(self._h)
            self._h = None

    @property
    def json(self):
        return _string_out(lib.npy_ref_to_json, self._h)

    @property
    def path(self):
        return _string_out(lib.npy_ref_path, self._h)

    @property
    def store(self):
        return _string_out(lib.npy_ref_store, self._h)

    @property
    def dtype(self):
        return _string_out(lib.npy_ref_dtype, self._h)

    @property
    def descr(self):
        return _string_out(lib.npy_ref_descr, self._h)

    @property
    def shape(self):
        ptr, ndim = _u64p(), C.c_size_t()
        _check(lib.npy_ref_shape(self._h, C.byref(ptr), C.byref(ndim)))
        return tuple(ptr[i] for i in range(ndim.value))

    @property
    def fortran_order(self):
        """True/False as stored; None before the first read of a reference from JSON."""
        out = C.c_int32()
        _check(lib.npy_ref_fortran_order(self._h, C.byref(out)))
        return None if out.value < 0 else bool(out.value)

    def exists(self):
        out = C.c_bool()
        _check(lib.npy_ref_exists(self._h, C.byref(out)))
        return out.value

    def _numpy_dtype(self):
        import ast

        # descr_to_dtype, not np.dtype: it keeps the padding of aligned structs
        return np.lib.format.descr_to_dtype(ast.literal_eval(self.descr))

    def load(self, order="C"):
        """The array, loaded by the library into numpy's buffer in `order`."""
        out = np.empty(self.shape, dtype=self._numpy_dtype(), order=order)
        code = ORDER_C if order == "C" else ORDER_FORTRAN
        _check(lib.npy_ref_load_into(self._h, out.ctypes.data, out.nbytes, code))
        return out

    def mmap(self, mode="r"):
        """A read-only numpy view of the mapped data (remote stores: a cached copy);
        the mapping lives as long as the returned array."""
        m, data, nbytes = _p(), _p(), C.c_uint64()
        _check(lib.npy_ref_load_mmap(self._h, mode.encode(), C.byref(m), C.byref(data), C.byref(nbytes), None))
        if not nbytes.value:
            lib.npy_mapping_free(m)
            return np.empty(self.shape, dtype=self._numpy_dtype())
        buf = (C.c_char * nbytes.value).from_address(data.value)
        buf.mapping = _Mapping(m)  # unmapped when the last view of buf goes
        return np.frombuffer(buf, dtype=self._numpy_dtype()).reshape(self.shape)

    def read_rows(self, first, count):
        shape = (count,) + self.shape[1:]
        out = np.empty(shape, dtype=self._numpy_dtype())
        _check(lib.npy_ref_read_rows(self._h, first, count, out.ctypes.data, out.nbytes, ORDER_C))
        return out

    def read_slice(self, start, count):
        """a[start[0]:start[0]+count[0], ...] through npy_ref_read_slice, C order."""
        out = np.empty(tuple(count), dtype=self._numpy_dtype())
        n = len(start)
        _check(lib.npy_ref_read_slice(self._h, n, (C.c_uint64 * n)(*start), (C.c_uint64 * n)(*count),
                                      out.ctypes.data, out.nbytes, ORDER_C))
        return out


class _Mapping:
    def __init__(self, handle):
        self._h = handle

    def __del__(self):
        if getattr(self, "_h", None):
            lib.npy_mapping_free(self._h)
            self._h = None


def load_many(refs, order="C", concurrency=0):
    """Load every Ref at once with npy_refs_load_into; returns (arrays, statuses):
    a failed item's array is None and its status names the failure."""
    n = len(refs)
    outs = [np.empty(r.shape, dtype=r._numpy_dtype(), order=order) for r in refs]
    handles = (_p * n)(*[r._h for r in refs])
    bufs = (_p * n)(*[o.ctypes.data for o in outs])
    lens = (C.c_uint64 * n)(*[o.nbytes for o in outs])
    statuses = (C.c_int32 * n)()
    code = ORDER_C if order == "C" else ORDER_FORTRAN
    lib.npy_refs_load_into(handles, bufs, lens, n, code, concurrency, None, None, statuses)
    names = [lib.npy_status_name(s).decode() if s else "ok" for s in statuses]
    return [o if s == 0 else None for o, s in zip(outs, statuses)], names


class Store:
    """An npy_store handle."""

    def __init__(self, config=None, name=None):
        h = _p()
        _check(lib.npy_store_open(_b(config), _b(name), C.byref(h)))
        self._h = h

    def __del__(self):
        if getattr(self, "_h", None):
            lib.npy_store_free(self._h)
            self._h = None

    @property
    def name(self):
        return _string_out(lib.npy_store_name, self._h)

    def set_merge_gap(self, nbytes):
        """npy_store_set_merge_gap: runs of a partial read at most nbytes apart merge."""
        _check(lib.npy_store_set_merge_gap(self._h, nbytes))

    def exists(self, path):
        out = C.c_bool()
        _check(lib.npy_store_exists(self._h, path.encode(), C.byref(out)))
        return out.value

    def _target(self, schema, table, attribute, key, path):
        t = _p()
        if path is not None:
            _check(lib.npy_target_path(path.encode(), C.byref(t)))
            return t
        _check(lib.npy_target_schema(schema.encode(), table.encode(), attribute.encode(), C.byref(t)))
        try:
            for name, value in (key or {}).items():
                _add_key(t, name, value)
        except BaseException:
            lib.npy_target_free(t)
            raise
        return t

    def put(self, array, *, schema=None, table=None, attribute=None, key=None, path=None, flags=0):
        """Write `array` (kept in its own memory order) and return its Ref."""
        a = np.asarray(array)
        fortran = a.flags.f_contiguous and not a.flags.c_contiguous
        if not (a.flags.c_contiguous or a.flags.f_contiguous):
            a = np.ascontiguousarray(a)
        descr = np.lib.format.dtype_to_descr(a.dtype)
        dtype = descr if isinstance(descr, str) else str(a.dtype)
        shape = (C.c_uint64 * max(a.ndim, 1))(*a.shape)
        target = self._target(schema, table, attribute, key, path)
        ref = _p()
        try:
            _check(
                lib.npy_put(self._h, target, a.ctypes.data, a.nbytes, dtype.encode(), shape, a.ndim,
                            ORDER_FORTRAN if fortran else ORDER_C, flags, C.byref(ref))
            )
        finally:
            lib.npy_target_free(target)
        return Ref(ref)

    def ref(self, json_text):
        h = _p()
        _check(lib.npy_ref_from_json(self._h, json_text.encode(), C.byref(h)))
        return Ref(h)

    def open(self, path):
        h = _p()
        _check(lib.npy_ref_open(self._h, path.encode(), C.byref(h)))
        return Ref(h)
