#!/usr/bin/env python3
"""Check the parity suite's ctypes wrapper (npystore_ctypes.py) against the C header.

Reads the wrapper's source with Python's `ast` (nothing is imported or loaded, so it
runs without the library) and the header with bindings/check/c_header.py (the parser
the Julia checker uses), then requires:

  * every function the wrapper declares (an entry of the `_SIGNATURES` table,
    name: (restype, [argtypes]), or `lib.npy_x.restype` / `.argtypes` assignments)
    is declared in the header, with as many argtypes as C parameters, and its
    restype and each argtype match the C type (table below);
  * the table is applied: a `for ... in _SIGNATURES.items()` loop sets both
    `.restype` and `.argtypes` (without it every call returns a C int);
  * a function given argtypes directly also gets a restype, and the other way round;
  * every `lib.npy_x` the wrapper (or another module of its folder, through
    `npystore_ctypes.lib.npy_x`) uses is declared, and every call passes as many
    values as it has argtypes.

Types are compared as written, not as ctypes resolves them: on 64-bit Linux
c_size_t, c_uint64 and c_ulong are one class, but they are not one C type on every
host, so the spelling must say which C type is meant.

C type -> accepted ctypes spelling (typedefs resolved as in c_header.py):

  int32_t, enum npy_status     c_int32, c_int        (C int is 32 bits on every host
                                                      npystore supports)
  uint32_t                     c_uint32, c_uint
  int64_t / uint64_t           c_int64, c_longlong / c_uint64, c_ulonglong
                               (not c_long / c_ulong: 32 bits on Windows)
  size_t                       c_size_t              (not c_uint64: 32-bit hosts)
  double                       c_double
  bool                         c_bool
  char (pointee only)          c_char
  void (return)                None
  T *                          POINTER(P) (P accepted for T)
  void *, opaque handle *,     c_void_p
  function pointer typedef     c_void_p              (pass None or a CFUNCTYPE object)
  const char *                 also c_char_p         (not for a writable char *: ctypes
                                                      would hand C an immutable bytes)
  T **                         POINTER(POINTER(P)), POINTER(c_void_p) for void ** and
                               handle **, POINTER(c_char_p) for const char **

Module-level names bound to such expressions (`_p = C.c_void_p`) are followed;
argument lists may be written `[a, b] + [c] * 6`.

Usage: check_ctypes.py [--header H]... [--wrapper FILE]   (exit 1 on any problem)
"""
from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bindings" / "check"))
from c_header import DEFAULT_HEADER, REPO, parse_header, run_checker  # noqa: E402

DEFAULT_WRAPPER = Path(__file__).resolve().parent / "npystore_ctypes.py"
TABLE = "_SIGNATURES"

# C base -> ctypes names accepted for it (as the innermost type).
C_SCALARS = {
    "int32_t": {"c_int32", "c_int"}, "enum": {"c_int32", "c_int"},
    "uint32_t": {"c_uint32", "c_uint"}, "int64_t": {"c_int64", "c_longlong"},
    "uint64_t": {"c_uint64", "c_ulonglong"}, "size_t": {"c_size_t"}, "double": {"c_double"},
    "bool": {"c_bool"}, "char": {"c_char"}, "void": {"void"}, "opaque": {"void"},
}
# ctypes names that are themselves a pointer: name -> the pointee it stands for.
POINTER_NAMES = {"c_void_p": "void", "c_char_p": "c_char"}
SCALAR_NAMES = set().union(*C_SCALARS.values()) - {"void"} | {
    "c_long", "c_ulong", "c_short", "c_ushort", "c_byte", "c_ubyte", "c_int8", "c_uint8",
    "c_int16", "c_uint16", "c_float", "c_longdouble", "c_ssize_t", "c_wchar", "c_wchar_p"}


class Unsupported(ValueError):
    pass


def show(t):
    """('POINTER', x) / name / None as the wrapper would write it."""
    if t is None:
        return "None"
    if isinstance(t, tuple):
        return f"POINTER({show(t[1])})"
    return t


def mismatch(ctype, ptype, is_return):
    """Why the ctypes type `ptype` does not match `ctype`, or None when it does."""
    if ptype is None:
        if is_return and ctype.base == "void" and ctype.depth == 0:
            return None
        return "None is only the return of a void function"
    depth, inner, const_only = 0, ptype, False
    while isinstance(inner, tuple):
        depth, inner = depth + 1, inner[1]
    if inner in POINTER_NAMES:
        const_only = inner == "c_char_p"
        depth, inner = depth + 1, POINTER_NAMES[inner]
    if const_only and ctype.base == "char" and ctype.depth == depth and not ctype.const_pointee:
        return "c_char_p is only for const char * (a writable buffer is POINTER(c_char))"
    if depth != ctype.depth:
        return f"{depth} pointer level(s) for {ctype.depth}"
    if inner not in C_SCALARS[ctype.base]:
        return f"{inner if inner != 'void' else 'c_void_p'} for C {ctype.base}"
    if depth == 0 and ctype.base in ("char", "opaque", "void"):
        return f"C {ctype.base} is not a value type"
    return None


@dataclass
class Declaration:
    name: str
    line: int
    restype: object = None
    argtypes: list | None = None
    has_restype: bool = False
    unreadable: bool = False  # a type this checker cannot read (reported once)


@dataclass
class Use:
    name: str
    line: int
    nargs: int | None  # None: not a call, or a call with *args


@dataclass
class Wrapper:
    path: Path
    declarations: dict = field(default_factory=dict)
    uses: list = field(default_factory=list)
    problems: list = field(default_factory=list)


class _Reader:
    """The module-level facts of one wrapper source."""

    def __init__(self, tree):
        self.ctypes_aliases = set()
        self.env = {}  # module-level name -> expression node
        self.libraries = set()
        for node in tree.body:
            if isinstance(node, ast.Import):
                self.ctypes_aliases |= {a.asname or a.name for a in node.names if a.name == "ctypes"}
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(
                    node.targets[0], ast.Name):
                self.env[node.targets[0].id] = node.value
                if self._is_cdll(node.value):
                    self.libraries.add(node.targets[0].id)

    def _is_ctypes(self, node):
        return isinstance(node, ast.Name) and node.id in self.ctypes_aliases

    def _is_cdll(self, node):
        return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and self._is_ctypes(node.func.value) and node.func.attr == "CDLL")

    def ctype(self, node, seen=()):
        """A type expression as None, a ctypes name, or ('POINTER', inner)."""
        if isinstance(node, ast.Constant) and node.value is None:
            return None
        if isinstance(node, ast.Attribute) and self._is_ctypes(node.value):
            if node.attr in SCALAR_NAMES or node.attr in POINTER_NAMES:
                return node.attr
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and self._is_ctypes(
                node.func.value) and node.func.attr == "POINTER" and len(node.args) == 1:
            return ("POINTER", self.ctype(node.args[0], seen))
        if isinstance(node, ast.Name) and node.id in self.env and node.id not in seen:
            return self.ctype(self.env[node.id], seen + (node.id,))
        raise Unsupported(f"type expression {ast.unparse(node)!r} is not one this checker reads")

    def ctype_list(self, node):
        if isinstance(node, (ast.List, ast.Tuple)):
            return [self.ctype(e) for e in node.elts]
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.ctype_list(node.left) + self.ctype_list(node.right)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            items, times = node.left, node.right
            if isinstance(items, ast.Constant):
                items, times = times, items
            if isinstance(times, ast.Constant) and isinstance(times.value, int):
                return self.ctype_list(items) * times.value
        if isinstance(node, ast.Name) and node.id in self.env:
            return self.ctype_list(self.env[node.id])
        raise Unsupported(f"argument list {ast.unparse(node)!r} is not one this checker reads")

    def library_function(self, node):
        """'npy_x' when `node` is `lib.npy_x` (lib a CDLL of this module), else None."""
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in self.libraries and node.attr.startswith("npy_")):
            return node.attr
        return None


def _table_is_applied(tree):
    for node in ast.walk(tree):
        if not (isinstance(node, ast.For) and isinstance(node.iter, ast.Call)
                and isinstance(node.iter.func, ast.Attribute) and node.iter.func.attr == "items"
                and isinstance(node.iter.func.value, ast.Name) and node.iter.func.value.id == TABLE):
            continue
        attrs = set()
        for sub in ast.walk(node):
            if isinstance(sub, ast.Attribute) and isinstance(sub.ctx, ast.Store):
                attrs.add(sub.attr)
        if {"restype", "argtypes"} <= attrs:
            return True
    return False


def read_wrapper(path):
    path = Path(path)
    wrapper = Wrapper(path)
    tree = ast.parse(path.read_text(), str(path))
    reader = _Reader(tree)

    def where(line):
        return f"{path}:{line}"

    if not reader.libraries:
        wrapper.problems.append(f"{path}: no module-level `lib = ctypes.CDLL(...)` found")
    table = reader.env.get(TABLE)
    if table is not None:
        if not isinstance(table, ast.Dict):
            wrapper.problems.append(f"{where(table.lineno)}: {TABLE} is not a dict literal")
        else:
            for key, value in zip(table.keys, table.values):
                if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                    wrapper.problems.append(f"{where(value.lineno)}: {TABLE} keys must be names")
                    continue
                decl = Declaration(key.value, key.lineno)
                if key.value in wrapper.declarations:
                    wrapper.problems.append(f"{where(key.lineno)}: {key.value} declared twice")
                wrapper.declarations[key.value] = decl
                try:
                    if not (isinstance(value, ast.Tuple) and len(value.elts) == 2):
                        raise Unsupported("must be (restype, [argtypes])")
                    decl.restype, decl.has_restype = reader.ctype(value.elts[0]), True
                    decl.argtypes = reader.ctype_list(value.elts[1])
                except Unsupported as e:
                    decl.unreadable = True
                    wrapper.problems.append(f"{where(key.lineno)}: {key.value}: {e}")
            if not _table_is_applied(tree):
                wrapper.problems.append(
                    f"{where(table.lineno)}: {TABLE} is never applied (no loop over "
                    f"{TABLE}.items() setting .restype and .argtypes)")
    # lib.npy_x.restype / .argtypes = ...; every other lib.npy_x is a use
    declared_nodes = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Attribute) and target.attr in ("restype", "argtypes"):
                    name = reader.library_function(target.value)
                    if name is None:
                        continue
                    declared_nodes.add(id(target.value))
                    decl = wrapper.declarations.setdefault(name, Declaration(name, node.lineno))
                    try:
                        if target.attr == "restype":
                            decl.restype, decl.has_restype = reader.ctype(node.value), True
                        else:
                            decl.argtypes = reader.ctype_list(node.value)
                    except Unsupported as e:
                        decl.unreadable = True
                        wrapper.problems.append(f"{where(node.lineno)}: {name}: {e}")
    calls = {id(n.func): n for n in ast.walk(tree) if isinstance(n, ast.Call)}
    for node in ast.walk(tree):
        name = reader.library_function(node)
        if name is None or id(node) in declared_nodes:
            continue
        call = calls.get(id(node))
        nargs = None
        if call is not None and not any(isinstance(a, ast.Starred) for a in call.args):
            nargs = len(call.args) + len(call.keywords)
        wrapper.uses.append(Use(name, node.lineno, nargs))
    return wrapper


def sibling_uses(wrapper):
    """`npystore_ctypes.lib.npy_x` in the other modules of the wrapper's folder."""
    module = wrapper.path.stem
    uses = []
    for path in sorted(wrapper.path.parent.glob("*.py")):
        if path == wrapper.path:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (isinstance(node, ast.Attribute) and node.attr.startswith("npy_")
                    and isinstance(node.value, ast.Attribute) and node.value.attr == "lib"
                    and isinstance(node.value.value, ast.Name) and node.value.value.id == module):
                uses.append((path, Use(node.attr, node.lineno, None)))
    return uses


@dataclass
class Report:
    problems: list
    declared: set
    uses: int
    header_functions: set

    def summary(self):
        unused = sorted(self.header_functions - self.declared)
        return (f"{len(self.declared)} functions declared by the wrapper, {self.uses} uses "
                f"checked, against the header's {len(self.header_functions)} functions; "
                f"{len(self.problems)} problems\n"
                f"not declared by the wrapper: {', '.join(unused) or 'none'}")


def check_declaration(decl, header, path):
    at = f"{path}:{decl.line}: {decl.name}"
    fn = header.functions.get(decl.name)
    if fn is None:
        return [f"{at} is not declared in the header"]
    if decl.unreadable:
        return []
    out = []
    if not decl.has_restype:
        out.append(f"{at}: argtypes without a restype (ctypes would read a C int): "
                   f"{fn.signature()}")
    else:
        why = mismatch(fn.ret, decl.restype, True)
        if why:
            out.append(f"{at} returns {fn.ret}, not {show(decl.restype)} ({why})")
    if decl.argtypes is None:
        if decl.has_restype:
            out.append(f"{at}: a restype without argtypes: {fn.signature()}")
        return out
    if len(decl.argtypes) != len(fn.params):
        out.append(f"{at}: {len(decl.argtypes)} argtypes, C has {len(fn.params)}: "
                   f"{fn.signature()}")
    for i, (c, p) in enumerate(zip(fn.params, decl.argtypes), 1):
        why = mismatch(c, p, False)
        if why:
            out.append(f"{at} argument {i} is {c}, not {show(p)} ({why})")
    return out


def check(headers, wrapper_path=DEFAULT_WRAPPER):
    header = parse_header(headers)
    wrapper = read_wrapper(wrapper_path)
    problems = list(header.problems) + wrapper.problems
    if not wrapper.declarations:
        problems.append(f"{wrapper.path}: declares no functions")
    for decl in wrapper.declarations.values():
        problems += check_declaration(decl, header, wrapper.path)
    uses = [(wrapper.path, u) for u in wrapper.uses] + sibling_uses(wrapper)
    for path, use in uses:
        decl = wrapper.declarations.get(use.name)
        if decl is not None and decl.unreadable:
            continue
        if decl is None or decl.argtypes is None:
            problems.append(f"{path}:{use.line}: {use.name} is used but the wrapper never "
                            f"declares its argtypes")
        elif use.nargs is not None and use.nargs != len(decl.argtypes):
            problems.append(f"{path}:{use.line}: {use.name} called with {use.nargs} values "
                            f"for {len(decl.argtypes)} argtypes")
    return Report(problems, set(wrapper.declarations), len(uses), set(header.functions))


def main(argv=None):
    return run_checker(argv, __doc__.split("\n\n")[0], check, "--wrapper", DEFAULT_WRAPPER,
                       "the ctypes wrapper module")


if __name__ == "__main__":
    sys.exit(main())
