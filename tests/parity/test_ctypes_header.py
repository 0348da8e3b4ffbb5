"""The ctypes wrapper checked against the header: check_ctypes.py must pass on
npystore_ctypes.py and fail on copies of it with one deliberate mistake each."""
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import check_ctypes  # noqa: E402

HEADERS = [check_ctypes.DEFAULT_HEADER]
WRAPPER = check_ctypes.DEFAULT_WRAPPER.read_text()


def check_edit(tmp_path, old, new):
    assert old in WRAPPER, f"the wrapper no longer has {old!r}: update this case"
    path = tmp_path / "npystore_ctypes.py"
    path.write_text(WRAPPER.replace(old, new, 1))
    return check_ctypes.check(HEADERS, path)


def test_wrapper_matches_header():
    report = check_ctypes.check(HEADERS)
    assert report.problems == []
    assert len(report.declared) >= 30
    assert report.uses >= 30


# name -> (text in the wrapper, its broken replacement, expected problem)
BROKEN = {
    "size_t for uint64_t out-pointer": (
        '"npy_ref_nbytes": (C.c_int, [_p, C.POINTER(C.c_uint64)])',
        '"npy_ref_nbytes": (C.c_int, [_p, C.POINTER(C.c_size_t)])',
        "npy_ref_nbytes argument 2 is uint64_t *, not POINTER(c_size_t)"),
    "uint64_t for size_t": (
        "_u64p, C.c_size_t, C.c_int32, C.c_size_t, _p, _p,",
        "_u64p, C.c_uint64, C.c_int32, C.c_size_t, _p, _p,",
        "npy_refs_load_into argument 4 is size_t, not c_uint64"),
    "c_long for int64_t": (
        '"npy_target_key_int": (C.c_int, [_p, C.c_char_p, C.c_int64])',
        '"npy_target_key_int": (C.c_int, [_p, C.c_char_p, C.c_long])',
        "argument 3 is int64_t, not c_long"),
    "c_int for bool": (
        '"npy_target_key_bool": (C.c_int, [_p, C.c_char_p, C.c_bool])',
        '"npy_target_key_bool": (C.c_int, [_p, C.c_char_p, C.c_int])',
        "argument 3 is bool, not c_int"),
    "callback as an integer": (
        "C.c_size_t, _p, _p, C.POINTER(C.c_int32)]",
        "C.c_size_t, C.c_uint64, _p, C.POINTER(C.c_int32)]",
        "npy_refs_load_into argument 7 is npy_progress_fn, not c_uint64"),
    "handle instead of out-pointer": (
        '"npy_store_open": (C.c_int, [C.c_char_p, C.c_char_p, C.POINTER(_p)])',
        '"npy_store_open": (C.c_int, [C.c_char_p, C.c_char_p, _p])',
        "1 pointer level(s) for 2"),
    "void pointer for a typed pointer": (
        '"npy_ref_exists": (C.c_int, [_p, C.POINTER(C.c_bool)])',
        '"npy_ref_exists": (C.c_int, [_p, _p])',
        "c_void_p for C bool"),
    "c_char_p for a writable buffer": (
        '"npy_last_error": (C.c_char_p, []),',
        '"npy_last_error": (C.c_char_p, []),\n'
        '    "npy_last_error_copy": (C.c_size_t, [C.c_char_p, C.c_size_t]),',
        "c_char_p is only for const char *"),
    "wrong return type": (
        '"npy_store_free": (None, [_p])',
        '"npy_store_free": (C.c_int, [_p])',
        "npy_store_free returns void, not c_int"),
    "no return for a status": (
        '"npy_ref_open": (C.c_int,',
        '"npy_ref_open": (None,',
        "npy_ref_open returns npy_status, not None"),
    "a pointer return as an int": (
        '"npy_status_name": (C.c_char_p, [C.c_int32])',
        '"npy_status_name": (C.c_int, [C.c_int32])',
        "0 pointer level(s) for 1"),
    "missing argument": (
        '"npy_ref_load_into": (C.c_int, [_p, _p, C.c_uint64, C.c_int32])',
        '"npy_ref_load_into": (C.c_int, [_p, _p, C.c_uint64])',
        "npy_ref_load_into: 3 argtypes, C has 4"),
    "unknown function": (
        '"npy_mapping_free": (None, [_p]),',
        '"npy_mapping_free": (None, [_p]),\n    "npy_mapping_close": (None, [_p]),',
        "npy_mapping_close is not declared in the header"),
    "called but never declared": (
        '    "npy_ref_exists": (C.c_int, [_p, C.POINTER(C.c_bool)]),\n', "",
        "npy_ref_exists is used but the wrapper never declares its argtypes"),
    "called with too few values": (
        "lib.npy_ref_read_rows(self._h, first, count, out.ctypes.data, out.nbytes, ORDER_C)",
        "lib.npy_ref_read_rows(self._h, first, count, out.ctypes.data, out.nbytes)",
        "npy_ref_read_rows called with 5 values for 6 argtypes"),
    "table never applied": (
        "    _fn.restype, _fn.argtypes = _res, _args\n", "    pass\n",
        "_SIGNATURES is never applied"),
    "argtypes without restype": (
        "ORDER_C, ORDER_FORTRAN, ORDER_AS_STORED = 0, 1, 2",
        "lib.npy_ref_ndim.argtypes = [_p, C.POINTER(C.c_size_t)]\n"
        "ORDER_C, ORDER_FORTRAN, ORDER_AS_STORED = 0, 1, 2",
        "npy_ref_ndim: argtypes without a restype"),
    "unreadable type": (
        "_u64p = C.POINTER(C.c_uint64)",
        "_u64p = make_pointer(C.c_uint64)",
        "is not one this checker reads"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_wrapper_fails(tmp_path, case):
    old, new, expected = BROKEN[case]
    report = check_edit(tmp_path, old, new)
    assert report.problems, f"{case}: no problem reported"
    assert any(expected in p for p in report.problems), report.problems


def test_unreadable_type_is_reported_once(tmp_path):
    report = check_edit(tmp_path, '"npy_ref_nbytes": (C.c_int, [_p, C.POINTER(C.c_uint64)])',
                        '"npy_ref_nbytes": (C.c_int, [_p, make_pointer(C.c_uint64)])')
    assert len(report.problems) == 1 and "npy_ref_nbytes" in report.problems[0], report.problems


def test_direct_declarations_pass(tmp_path):
    report = check_edit(
        tmp_path, "ORDER_C, ORDER_FORTRAN, ORDER_AS_STORED = 0, 1, 2",
        "lib.npy_ref_ndim.restype = C.c_int\n"
        "lib.npy_ref_ndim.argtypes = [_p, C.POINTER(C.c_size_t)]\n"
        "ORDER_C, ORDER_FORTRAN, ORDER_AS_STORED = 0, 1, 2")
    assert report.problems == []
    assert "npy_ref_ndim" in report.declared


def test_command_line_exit_codes(tmp_path, capsys):
    args = [a for h in HEADERS for a in ("--header", str(h))]
    assert check_ctypes.main(args) == 0
    assert "0 problems" in capsys.readouterr().out
    old, new, _ = BROKEN["missing argument"]
    check_edit(tmp_path, old, new)
    assert check_ctypes.main(args + ["--wrapper", str(tmp_path / "npystore_ctypes.py")]) == 1
