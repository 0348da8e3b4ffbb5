"""The Julia package checked without Julia: bindings/julia/check/check_ccalls.py must
pass on the package and fail on deliberately broken ccalls."""
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHECK_DIR = REPO / "bindings" / "julia" / "check"
sys.path.insert(0, str(CHECK_DIR))

import check_ccalls  # noqa: E402

# The repository header plus the writer's agreed API until the header has it.
HEADERS = [REPO / "include" / "npystore.h"]


def check_source(tmp_path, source):
    (tmp_path / "src").mkdir(exist_ok=True)
    (tmp_path / "src" / "Sample.jl").write_text(source)
    return check_ccalls.check(HEADERS, tmp_path)


def test_package_matches_header():
    report = check_ccalls.check(HEADERS, check_ccalls.DEFAULT_PACKAGE)
    assert report.problems == []
    assert report.files >= 10
    assert report.calls >= 40
    assert len(report.functions_used) >= 40
    assert report.constants >= 8


def test_header_parses_cleanly():
    assert check_ccalls.parse_header(HEADERS).problems == []


def test_header_disagreement_is_reported(tmp_path):
    other = tmp_path / "other.h"
    other.write_text("npy_status npy_ref_ndim(const npy_ref *r, uint64_t *out);\n")
    problems = check_ccalls.parse_header([HEADERS[0], other]).problems
    assert any("npy_ref_ndim disagrees" in p for p in problems)


GOOD = """
f(r, out) = ccall((:npy_ref_ndim, libnpystore()), Cint, (Ptr{Cvoid}, Ref{Csize_t}), r, out)
g(s) = @ccall libnpystore().npy_status_name(s::Int32)::Cstring
h(b, n) = ccall((:npy_last_error_copy, libnpystore()), Csize_t, (Ptr{UInt8}, Csize_t), b, n)
p(r, b, n, cb, u) = ccall((:npy_ref_load_into_progress, libnpystore()), Cint,
    (Ptr{Cvoid}, Ptr{Cvoid}, UInt64, Int32, Ptr{Cvoid}, Ptr{Cvoid}), r, b, n, Int32(0), cb, u)
const NPY_ORDER_FORTRAN = Int32(1)
"""


def test_good_sample_passes(tmp_path):
    report = check_source(tmp_path, GOOD)
    assert report.problems == []
    assert report.calls == 4 and report.constants == 1


BROKEN = {
    "function pointer as an integer": (
        "p(r, b, n, cb, u) = ccall((:npy_ref_load_into_progress, libnpystore()), Cint, "
        "(Ptr{Cvoid}, Ptr{Cvoid}, UInt64, Int32, UInt64, Ptr{Cvoid}), r, b, n, Int32(0), cb, u)\n",
        "npy_progress_fn",
    ),
    "unknown function": (
        "f(r) = ccall((:npy_ref_dims, libnpystore()), Cint, (Ptr{Cvoid},), r)",
        "npy_ref_dims is not declared"),
    "missing argument": (
        "f(r) = ccall((:npy_ref_ndim, libnpystore()), Cint, (Ptr{Cvoid},), r)",
        "1 argument types, C has 2"),
    "values and types differ": (
        "f(r) = ccall((:npy_ref_ndim, libnpystore()), Cint, (Ptr{Cvoid}, Ref{Csize_t}), r)",
        "1 values for 2 argument types"),
    "UInt64 for size_t": (
        "f(r, o) = ccall((:npy_ref_ndim, libnpystore()), Cint, (Ptr{Cvoid}, Ref{UInt64}), r, o)",
        "argument 2 is size_t *, not Ref{UInt64}"),
    "Int64 for uint64_t": (
        "f(r, a, b, c, d) = ccall((:npy_ref_read_rows, libnpystore()), Cint, "
        "(Ptr{Cvoid}, Int64, UInt64, Ptr{Cvoid}, UInt64, Int32), r, a, b, c, d, 0)",
        "argument 2 is uint64_t, not Int64"),
    "handle instead of out-pointer": (
        "f(s, p, o) = ccall((:npy_ref_open, libnpystore()), Cint, (Ptr{Cvoid}, Cstring, Ptr{Cvoid}), s, p, o)",
        "1 pointer level(s) for 2"),
    "wrong return type": (
        "f(r) = ccall((:npy_ref_delete, libnpystore()), Cvoid, (Ptr{Cvoid},), r)",
        "returns npy_status, not Cvoid"),
    "Ref as return type": (
        "f() = ccall((:npy_version, libnpystore()), Ref{UInt8}, ())",
        "Ref is only for arguments"),
    "Cstring for a writable buffer": (
        "f(b, n) = ccall((:npy_last_error_copy, libnpystore()), Csize_t, (Cstring, Csize_t), b, n)",
        "Cstring is only for const char *"),
    "types not a tuple": (
        "f(r) = ccall((:npy_ref_free, libnpystore()), Cvoid, (Ptr{Cvoid}), r)",
        "argument types must be a tuple"),
    "other library": (
        "f(r) = ccall((:npy_ref_free, \"libnpystore\"), Cvoid, (Ptr{Cvoid},), r)",
        "not libnpystore()"),
    "non-literal function": (
        "f(p, r) = ccall(p, Cvoid, (Ptr{Cvoid},), r)",
        "must be a literal"),
    "@ccall wrong type": (
        "f(s) = @ccall libnpystore().npy_status_name(s::UInt32)::Cstring",
        "argument 1 is int32_t, not UInt32"),
    "@ccall bool as Int32": (
        "f(t, n, v) = @ccall libnpystore().npy_target_key_bool(t::Ptr{Cvoid}, n::Cstring, v::Int32)::Cint",
        "argument 3 is bool, not Int32"),
    "constant value": (
        "const NPY_ORDER_FORTRAN = Int32(0)",
        "NPY_ORDER_FORTRAN = 0, header says 1"),
    "unknown constant": (
        "const NPY_ORDER_ROWS = Int32(3)",
        "not declared"),
    "syntax error": (
        "function f(r)\n    ccall((:npy_ref_free, libnpystore()), Cvoid, (Ptr{Cvoid},), r\nend",
        "syntax"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_sample_fails(tmp_path, case):
    source, expected = BROKEN[case]
    report = check_source(tmp_path, source + "\n")
    assert report.problems, f"{case}: no problem reported"
    assert any(expected in p for p in report.problems), report.problems


def test_command_line_exit_codes(tmp_path, capsys):
    args = [a for h in HEADERS for a in ("--header", str(h))]
    assert check_ccalls.main(args) == 0
    assert "0 problems" in capsys.readouterr().out
    check_source(tmp_path, BROKEN["missing argument"][0])
    assert check_ccalls.main(args + ["--package", str(tmp_path)]) == 1
