"""npystore.def, the export list from which MSVC users make an import library
(`lib /def:npystore.def /machine:x64 /out:npystore.lib`), written from the exports
of a built npystore.dll and checked against the header: every function the header
declares must be exported by the DLL, and every exported `npy_` name must be declared.
Exports of the DLL's dependencies (aws-lc's and crc-fast's C symbols) are left out:
they are not npystore's API.

    windows_def.py --dll build/windows/npystore.dll --out build/windows/npystore.def

The exports are read with `x86_64-w64-mingw32-objdump -p` (--objdump to change it).
Exits 1, naming each problem, when the DLL and the header disagree.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

from c_header import DEFAULT_HEADER, parse_header

TABLE = "[Ordinal/Name Pointer] Table"
ENTRY = re.compile(r"^\s*\[\s*\d+\]\s+(\S+)\s*$")


def dll_exports(objdump_text):
    """The names in objdump -p's export name table."""
    names, in_table = [], False
    for line in objdump_text.splitlines():
        if line.strip() == TABLE:
            in_table = True
        elif in_table:
            m = ENTRY.match(line)
            if not m:
                break
            names.append(m.group(1))
    return names


def def_problems(exports, functions):
    """What the DLL lacks or has beyond the header, one sentence each."""
    npy = {n for n in exports if n.startswith("npy_")}
    problems = [f"{n} is declared in the header but not exported by the DLL"
                for n in sorted(set(functions) - npy)]
    problems += [f"{n} is exported by the DLL but not declared in the header"
                 for n in sorted(npy - set(functions))]
    return problems


def def_text(dll_name, functions):
    lines = [f"; {dll_name}'s API, from bindings/check/windows_def.py", f"LIBRARY {dll_name}",
             "EXPORTS"]
    return "\n".join(lines + [f"    {n}" for n in sorted(functions)]) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dll", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--header", type=Path, default=DEFAULT_HEADER)
    ap.add_argument("--objdump", default="x86_64-w64-mingw32-objdump")
    args = ap.parse_args(argv)
    header = parse_header([args.header])
    dump = subprocess.run([args.objdump, "-p", str(args.dll)], check=True, capture_output=True,
                          text=True).stdout
    exports = dll_exports(dump)
    problems = header.problems + def_problems(exports, header.functions)
    if not header.functions:
        problems.append(f"{args.header} declares no functions")
    for p in problems:
        print(f"windows_def.py: {p}", file=sys.stderr)
    if problems:
        return 1
    args.out.write_text(def_text(args.dll.name, header.functions))
    others = len(exports) - len(header.functions)
    print(f"{args.out.name}: {len(header.functions)} npy_ functions, all exported by "
          f"{args.dll.name} ({others} exports of its dependencies left out)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
