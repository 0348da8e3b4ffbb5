"""The C header as the binding checkers see it: every function's name, return and
parameter types (typedefs resolved), and the integer constants (#define and enum).

Shared by bindings/julia/check/check_ccalls.py (the Julia package's ccalls) and
tests/parity/check_ctypes.py (the ctypes wrapper of the parity suite); each maps
these C types to its own language's. Parsed with tree-sitter-c.

A CType is reduced to `base` (one of BASES: the fixed-width integer typedefs, size_t,
double, bool, char, void, "enum" for a C enum such as npy_status, "opaque" for a
handle struct such as npy_store), `depth` (pointer levels) and `const_pointee`
(`const` on the base type, as in `const char *`). A function-pointer typedef such as
npy_progress_fn is a `void *` (depth + 1) whose text keeps its name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import tree_sitter as ts
import tree_sitter_c

REPO = Path(__file__).resolve().parents[2]
DEFAULT_HEADER = REPO / "include" / "npystore.h"
C_LANG = ts.Language(tree_sitter_c.language())
BASES = {"int32_t", "enum", "uint32_t", "int64_t", "uint64_t", "size_t", "double", "bool",
         "char", "void", "opaque"}


@dataclass(frozen=True)
class CType:
    base: str  # one of BASES
    depth: int  # pointer levels
    const_pointee: bool  # `const` on the base type (`const char *`)
    text: str

    def __str__(self):
        return self.text


@dataclass(frozen=True)
class CFunction:
    name: str
    ret: CType
    params: tuple
    where: str

    def signature(self):
        return f"{self.ret} {self.name}({', '.join(map(str, self.params))})"


@dataclass
class Header:
    functions: dict = field(default_factory=dict)
    constants: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)


def walk(node):
    yield node
    for child in node.children:
        yield from walk(child)


def syntax_problems(tree, where):
    return [
        f"{where}:{n.start_point[0] + 1}: syntax {'MISSING ' + n.type if n.is_missing else 'ERROR'}"
        f" near {n.text.decode()[:40]!r}"
        for n in walk(tree.root_node)
        if n.type == "ERROR" or n.is_missing
    ]


# ---------------------------------------------------------------- the C header


def _without_cplusplus_blocks(text):
    """Blank the `#ifdef __cplusplus` blocks (extern "C" is C++), keeping line numbers."""
    out, skipping = [], False
    for line in text.splitlines():
        if line.strip().startswith("#ifdef __cplusplus"):
            skipping = True
        out.append("" if skipping else line)
        if skipping and line.strip().startswith("#endif"):
            skipping = False
    return "\n".join(out) + "\n"


def _typedefs(root):
    """typedef name -> resolved base (int32_t, enum, opaque, ...)."""
    aliases = {}
    for node in walk(root):
        if node.type != "type_definition":
            continue
        kind = node.child_by_field_name("type")
        declarator = node.child_by_field_name("declarator")
        name = declarator.text.decode()
        if declarator.type == "function_declarator":
            # typedef R (*name)(...): a function pointer, passed like a void *
            aliases[re.search(r"\(\s*\*\s*(\w+)\s*\)", name).group(1)] = "fnptr"
        elif kind.type == "enum_specifier":
            aliases[name] = "enum"
        elif kind.type == "struct_specifier":
            aliases[name] = "opaque"
        else:
            aliases[name] = kind.text.decode()
    return aliases


def _declarator_depth(decl):
    """(pointer levels, innermost declarator) of a (pointer_)declarator chain."""
    depth = 0
    while decl is not None and decl.type == "pointer_declarator":
        depth += 1
        decl = decl.child_by_field_name("declarator")
    return depth, decl


def _ctype(holder, depth, aliases):
    """The CType of a declaration or parameter node with `depth` pointer levels."""
    type_node = holder.child_by_field_name("type")
    name = type_node.text.decode()
    base = aliases.get(name, name)
    if base == "fnptr":  # a C function pointer is a Ptr{Cvoid} (what @cfunction gives)
        return CType("void", depth + 1, False, name + (" " + "*" * depth if depth else ""))
    if base not in BASES:
        raise ValueError(f"C type {name!r} is not one this parser resolves")
    const = any(c.type == "type_qualifier" and c.text == b"const" for c in holder.children)
    text = ("const " if const else "") + name + (" " + "*" * depth if depth else "")
    return CType(base, depth, const, text)


def parse_header(paths):
    header = Header()
    parser = ts.Parser(C_LANG)
    parsed = []
    for path in paths:
        tree = parser.parse(_without_cplusplus_blocks(Path(path).read_text()).encode())
        header.problems += syntax_problems(tree, path)
        parsed.append((path, tree))
    aliases = {}
    for _, tree in parsed:
        aliases.update(_typedefs(tree.root_node))
    for path, tree in parsed:
        for node in walk(tree.root_node):
            if node.type == "preproc_def" and node.child_by_field_name("value") is not None:
                value = node.child_by_field_name("value").text.decode().strip()
                if re.fullmatch(r"-?\d+", value):
                    header.constants[node.child_by_field_name("name").text.decode()] = int(value)
            elif node.type == "enumerator" and node.child_by_field_name("value") is not None:
                header.constants[node.child_by_field_name("name").text.decode()] = int(
                    node.child_by_field_name("value").text.decode())
            elif node.type == "declaration":
                _add_function(header, path, node, aliases)
        _cross_check_names(header, path, tree)
    return header


def _add_function(header, path, node, aliases):
    depth, decl = _declarator_depth(node.child_by_field_name("declarator"))
    if decl is None or decl.type != "function_declarator":
        return
    name = decl.child_by_field_name("declarator").text.decode()
    where = f"{path}:{node.start_point[0] + 1}"
    try:
        ret = _ctype(node, depth, aliases)
        params = []
        for p in decl.child_by_field_name("parameters").named_children:
            if p.type != "parameter_declaration":
                raise ValueError(f"unsupported parameter {p.text.decode()!r}")
            p_depth, _ = _declarator_depth(p.child_by_field_name("declarator"))
            ctype = _ctype(p, p_depth, aliases)
            if not (ctype.base == "void" and ctype.depth == 0):  # f(void)
                params.append(ctype)
    except ValueError as e:
        header.problems.append(f"{where}: {name}: {e}")
        return
    fn = CFunction(name, ret, tuple(params), where)
    old = header.functions.get(name)
    if old is not None and (old.ret, old.params) != (fn.ret, fn.params):
        header.problems.append(
            f"{where}: {name} disagrees with {old.where}: {fn.signature()} vs {old.signature()}")
    header.functions.setdefault(name, fn)


def _cross_check_names(header, path, tree):
    """Every `npy_x(` starting a line outside comments must have been parsed."""
    source = tree.root_node.text.decode()
    names = set()
    for line in source.splitlines():
        if line[:1].isalpha():
            m = re.search(r"\b(npy_\w+)\s*\(", line)
            if m:
                names.add(m.group(1))
    for missing in sorted(names - set(header.functions)):
        header.problems.append(f"{path}: declaration of {missing} was not understood")


def run_checker(argv, description, check, target_flag, target_default, target_help):
    """The command line both checkers share: `--header` (repeatable; default the
    project's header) and one option naming what is checked; prints each problem to
    stderr and the report's summary, and returns the exit status (1 on any problem).
    `check(headers, target)` returns a report with `problems` and `summary()`."""
    import argparse
    import sys

    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--header", action="append", type=Path,
                    help=f"C header (repeatable; default {DEFAULT_HEADER.relative_to(REPO)})")
    ap.add_argument(target_flag, type=Path, default=target_default, help=target_help)
    args = ap.parse_args(argv)
    report = check(args.header or [DEFAULT_HEADER], getattr(args, target_flag.lstrip("-")))
    for p in report.problems:
        print(p, file=sys.stderr)
    print(report.summary())
    return 1 if report.problems else 0
