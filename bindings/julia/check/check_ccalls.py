#!/usr/bin/env python3
"""Check the NpyStore Julia package against the C header, without Julia.

Parses the header(s) with tree-sitter-c (bindings/check/c_header.py, shared with the
ctypes wrapper's checker) and every .jl file of the package with
tree-sitter-julia, then requires:

  * every Julia file parses with no ERROR or MISSING node;
  * every `ccall` / `@ccall` names, as a literal symbol, a function the header
    declares, through the library expression `libnpystore()`;
  * its argument count equals the C declaration's, and the number of values passed
    equals the number of argument types;
  * its return and argument types match the C types (table below);
  * every Julia `const NPY_* = ...` equals the header's macro or enum value.

C type -> accepted Julia types (typedefs resolved: npy_order is int32_t, npy_status
is a C enum, npy_store & co. are opaque structs; `const` is ignored except where
noted):

  int32_t, enum npy_status     Int32, Cint            (Cint is Int32 everywhere)
  uint32_t                     UInt32, Cuint
  int64_t / uint64_t           Int64, Clonglong / UInt64, Culonglong
  size_t                       Csize_t                (not UInt64: 32-bit hosts)
  double                       Float64, Cdouble
  bool                         Bool, UInt8, Cuchar    (C bool is one byte)
  char (pointee only)          UInt8, Cuchar, Cchar
  void (return)                Cvoid, Nothing
  T *                          Ptr{J} (J accepted for T); Ref{J} as an argument
  void *, opaque handle *      Ptr{Cvoid}             (handle objects convert to it)
  function pointer typedef     Ptr{Cvoid}             (as @cfunction returns it)
  const char *                 also Cstring           (not for a writable char *)
  T **                         Ptr{Ptr{J}}, Ref{Ptr{J}}; const char ** also Ref{Cstring}

Usage: check_ccalls.py [--header H]... [--package DIR]   (exit 1 on any problem)
Several --header files are merged; a function declared in two must agree.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import tree_sitter as ts
import tree_sitter_julia

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "check"))
from c_header import (  # noqa: E402
    DEFAULT_HEADER, REPO, parse_header, run_checker, syntax_problems, walk)

DEFAULT_PACKAGE = REPO / "bindings" / "julia" / "NpyStore"
LIBRARY_EXPR = "libnpystore()"

JULIA_LANG = ts.Language(tree_sitter_julia.language())

# Julia names that are the same type as another (Base's C aliases).
JULIA_ALIASES = {
    "Cint": "Int32", "Cuint": "UInt32", "Clonglong": "Int64", "Culonglong": "UInt64",
    "Cdouble": "Float64", "Cuchar": "UInt8", "Nothing": "Cvoid",
}
# Resolved C scalar -> Julia names (after JULIA_ALIASES) accepted for it.
C_SCALARS = {
    "int32_t": {"Int32"}, "enum": {"Int32"}, "uint32_t": {"UInt32"},
    "int64_t": {"Int64"}, "uint64_t": {"UInt64"}, "size_t": {"Csize_t"},
    "double": {"Float64"}, "bool": {"Bool", "UInt8"}, "char": {"UInt8", "Cchar"},
    "void": {"Cvoid"}, "opaque": {"Cvoid"},
}


# ------------------------------------------------------------- the Julia side


def julia_type(node):
    """A Julia type expression as nested tuples: ('Ptr', inner), ('Ref', inner) or a
    name (aliases resolved). ValueError for anything else."""
    if node.type == "identifier":
        name = node.text.decode()
        return JULIA_ALIASES.get(name, name)
    if node.type == "parametrized_type_expression":
        head, curly = node.named_children
        params = curly.named_children
        if head.text.decode() in ("Ptr", "Ref") and len(params) == 1:
            return (head.text.decode(), julia_type(params[0]))
    raise ValueError(f"unsupported type expression {node.text.decode()!r}")


def show_julia(t):
    return t if isinstance(t, str) else f"{t[0]}{{{show_julia(t[1])}}}"


def mismatch(ctype, jtype, is_return):
    """Why `jtype` does not match `ctype`, or None when it does."""
    layers, inner = [], jtype
    while isinstance(inner, tuple):
        layers.append(inner[0])
        inner = inner[1]
    if "Ref" in layers and (is_return or layers.index("Ref") != 0 or layers.count("Ref") > 1):
        return "Ref is only for arguments, as the outermost layer"
    depth = len(layers)
    if inner == "Cstring":
        if ctype.base != "char" or not ctype.const_pointee:
            return "Cstring is only for const char *"
        depth, inner = depth + 1, "UInt8"
    if depth != ctype.depth:
        return f"{depth} pointer level(s) for {ctype.depth}"
    if inner not in C_SCALARS[ctype.base]:
        return f"{inner} for C {ctype.base}"
    if ctype.base in ("char", "opaque") and depth == 0 or ctype.base == "void" and not (
            is_return or depth):
        return f"C {ctype.base} is not a value type"
    return None


@dataclass
class Call:
    where: str
    name: str | None
    library: str | None
    ret: object
    args: list
    nvalues: int


def _ccall(node, where):
    items = node.child_by_field_name("arguments") or next(
        c for c in node.children if c.type == "argument_list")
    items = [c for c in items.named_children if c.type != "comment"]
    if len(items) < 3:
        raise ValueError("ccall needs (name, library), return type, argument types")
    target, ret, types = items[:3]
    name = library = None
    if target.type == "tuple_expression" and len(target.named_children) == 2:
        sym, lib = target.named_children
        if sym.type == "quote_expression":
            name = sym.named_children[0].text.decode()
        library = lib.text.decode()
    if types.type != "tuple_expression":
        raise ValueError(f"argument types must be a tuple, got {types.text.decode()!r} "
                         "(one type is written (T,))")
    return Call(where, name, library, julia_type(ret),
                [julia_type(t) for t in types.named_children], len(items) - 3)


def _at_ccall(node, where):
    (typed,) = [c for c in node.named_children if c.type == "macro_argument_list"][0].named_children
    if typed.type != "typed_expression":
        raise ValueError("@ccall needs f(args...)::ReturnType")
    call, ret = typed.named_children
    callee, arglist = call.named_children
    library = None
    if callee.type == "field_expression":
        lib, fn = callee.named_children
        library, name = lib.text.decode(), fn.text.decode()
    elif callee.type == "identifier":
        name = callee.text.decode()
    else:
        raise ValueError(f"cannot check a call through {callee.text.decode()!r}")
    args = []
    for arg in arglist.named_children:
        if arg.type != "typed_expression":
            raise ValueError(f"@ccall argument {arg.text.decode()!r} has no ::Type")
        args.append(julia_type(arg.named_children[-1]))
    return Call(where, name, library, julia_type(ret), args, len(args))


def julia_calls(path, tree):
    calls, problems = [], []
    for node in walk(tree.root_node):
        parse = None
        if node.type == "call_expression" and node.children[0].text == b"ccall":
            parse = _ccall
        elif node.type == "macrocall_expression" and node.children[0].text == b"@ccall":
            parse = _at_ccall
        if parse is None:
            continue
        where = f"{path}:{node.start_point[0] + 1}"
        try:
            calls.append(parse(node, where))
        except (ValueError, StopIteration) as e:
            problems.append(f"{where}: {e or 'malformed ccall'}")
    return calls, problems


def julia_constants(tree):
    """(name, value, line) of `const NPY_X = <int>` / `const NPY_X = T(<int>)`."""
    for node in walk(tree.root_node):
        if node.type != "const_statement":
            continue
        for assign in node.named_children:
            if assign.type != "assignment":
                continue
            lhs, value = assign.named_children[0], assign.named_children[-1]
            if not lhs.text.startswith(b"NPY_"):
                continue
            if value.type == "call_expression":
                value = value.named_children[-1].named_children[0]
            yield lhs.text.decode(), value.text.decode(), node.start_point[0] + 1


def check_call(call, header):
    if call.name is None:
        return [f"{call.where}: the function must be a literal (:name, {LIBRARY_EXPR})"]
    fn = header.functions.get(call.name)
    if fn is None:
        return [f"{call.where}: {call.name} is not declared in the header"]
    out = []
    if call.library != LIBRARY_EXPR:
        out.append(f"{call.where}: {call.name}: library is {call.library}, not {LIBRARY_EXPR}")
    if len(call.args) != len(fn.params):
        out.append(f"{call.where}: {call.name}: {len(call.args)} argument types, "
                   f"C has {len(fn.params)}: {fn.signature()}")
    if call.nvalues != len(call.args):
        out.append(f"{call.where}: {call.name}: {call.nvalues} values for "
                   f"{len(call.args)} argument types")
    why = mismatch(fn.ret, call.ret, True)
    if why:
        out.append(f"{call.where}: {call.name} returns {fn.ret}, not "
                   f"{show_julia(call.ret)} ({why})")
    for i, (c, j) in enumerate(zip(fn.params, call.args), 1):
        why = mismatch(c, j, False)
        if why:
            out.append(f"{call.where}: {call.name} argument {i} is {c}, not "
                       f"{show_julia(j)} ({why})")
    return out


@dataclass
class Report:
    problems: list
    files: int
    calls: int
    functions_used: set
    header_functions: set
    constants: int

    def summary(self):
        unused = sorted(self.header_functions - self.functions_used)
        return (f"{self.files} Julia files parsed; {self.calls} ccalls checked, naming "
                f"{len(self.functions_used)} of the header's {len(self.header_functions)} "
                f"functions; {self.constants} constants checked; "
                f"{len(self.problems)} problems\n"
                f"not called by the package: {', '.join(unused) or 'none'}")


def check(headers, package):
    header = parse_header(headers)
    problems = list(header.problems)
    parser = ts.Parser(JULIA_LANG)
    files = sorted(Path(package).rglob("*.jl"))
    if not files:
        problems.append(f"{package}: no .jl files")
    calls, constants = [], 0
    for path in files:
        tree = parser.parse(path.read_bytes())
        problems += syntax_problems(tree, path)
        found, bad = julia_calls(path, tree)
        calls += found
        problems += bad
        for name, value, line in julia_constants(tree):
            constants += 1
            if header.constants.get(name) != (int(value) if re.fullmatch(r"-?\d+", value) else value):
                problems.append(f"{path}:{line}: {name} = {value}, header says "
                                f"{header.constants.get(name, 'nothing (not declared)')}")
    for call in calls:
        problems += check_call(call, header)
    return Report(problems, len(files), len(calls), {c.name for c in calls} & set(header.functions),
                  set(header.functions), constants)


def main(argv=None):
    return run_checker(argv, __doc__.split("\n\n")[0], check, "--package", DEFAULT_PACKAGE,
                       "Julia package directory (all .jl files below it)")


if __name__ == "__main__":
    sys.exit(main())
