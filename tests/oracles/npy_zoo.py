"""numpy's side of the dtype zoo test (tests/format_zoo.rs).

make DIR   write one .npy per (dtype, shape, order) with numpy.save and DIR/manifest.json
check DIR  load every file npystore wrote under DIR/ours/ and assert it equals numpy's
sweep DIR  write DIR/sweep.json: header texts (type strings, descr classes, literal
           syntax, random nested structures) with numpy's verdict on each
"""
import ast
import io
import itertools
import json
import os
import random
import re
import string
import sys
import unicodedata
import warnings

import numpy as np
from numpy.lib import _format_impl as npf  # _read_array_header handles all versions

warnings.simplefilter("ignore")  # format 2.0/3.0 warnings are expected here

UNITS = ["Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as"]


def zoo_dtypes():
    d = ["?", "|b1"]
    for k in "iu":
        for n in (1, 2, 4, 8):
            d += [f"<{k}{n}", f">{k}{n}"]
    for t in ("f2", "f4", "f8", "c8", "c16"):
        d += ["<" + t, ">" + t]
    d += ["<f16", "<c32", ">f16", "=i4", "=f8", "i4", "d"]          # longdouble, '=' and bare codes
    d += ["<U1", "<U5", ">U5", "|S1", "|S3", "|V1", "|V8", "|V0"]
    d += ["<M8", "<m8"] + [f"<M8[{u}]" for u in UNITS] + [f"<m8[{u}]" for u in UNITS]
    d += ["<M8[10ms]", "<m8[7D]", "<M8[2W]", ">M8[ns]", ">m8[us]"]
    d += [
        np.dtype([("x", "<f8"), ("y", "<i4")]),
        np.dtype([("a", "?"), ("b", "|i1"), ("c", "<u2"), ("d", ">f4")]),
        np.dtype([("f", "<f4", (2, 3)), ("g", ">i2", (4,))]),
        np.dtype([("outer", [("inner", "<i4"), ("deep", [("z", ">f8")])]), ("t", "<M8[us]")]),
        np.dtype([("s", "|S3"), ("u", "<U2"), ("v", "|V5"), ("c", "<c16")]),
        np.dtype([("sub", [("p", "<i2"), ("q", "|u1")], (2,))]),
        np.dtype({"names": ["a", "b"], "formats": ["u1", "<f8"], "offsets": [0, 8], "itemsize": 24}),
        np.dtype({"names": ["a", "b"], "formats": ["<i4", ">f8"], "offsets": [4, 16], "itemsize": 32}),
        np.dtype([("a", "u1"), ("b", "<f8"), ("c", "<i2")], align=True),
        np.dtype([("a", "u1"), ("n", [("x", "<i8"), ("y", "u1")])], align=True),
        np.dtype([("it's", "<i4"), ('say "hi"', "<f4"), ("both'\"", "|b1"), ("back\\slash", "<u2")]),
        np.dtype([("é", "<i4"), ("ß", "<f8")]),   # Latin-1 names: still format 1.0
        np.dtype([("π", "<f8"), ("数据", "<i2")]),   # non-Latin-1 names: format 3.0
        np.dtype([(f"f{i}", "|i1") for i in range(4000)]),  # long header: format 2.0
        np.dtype([("ld", "<f16"), ("cld", "<c32", (2,))]),
        np.dtype([(("title of x", "x"), "<f8"), ("y", "<i2")]),               # field titles
        np.dtype([(("t", "a"), "<f4", (2,)), ("n", [(("", "z"), "|u1")])]),   # sub-array, nested, ''
        np.dtype({"names": ["a", "b"], "formats": ["u1", "<f8"], "offsets": [0, 8],
                  "titles": [None, "B's title"], "itemsize": 24}),              # titles, dict form
        np.dtype([]),
        # Sub-arrays of sub-arrays, also inside padded and nested structures.
        np.dtype([("c", ("<f8", (5,)), (2,))]),
        np.dtype([("c", (("<i2", (3,)), (2,)), (2, 1)), ("d", "|u1")]),
        np.dtype({"names": ["a", "c"], "formats": ["u1", np.dtype(("<f8", (5,)))],
                  "offsets": [0, 8], "itemsize": 100}),
        np.dtype([("s", np.dtype({"names": ["a", "c"], "formats": ["u1", np.dtype((">f4", (2,)))],
                                  "offsets": [0, 4], "itemsize": 16}), (2,))]),
        np.dtype([("c", ([("x", "<i2")], (2,)), (3,))]),
        # Fields named '' that are not padding (numpy pads only '' void / sub-array entries).
        np.dtype({"names": ["a", "", "b"], "formats": ["i4"] * 3}),
        np.dtype({"names": ["", "n"], "formats": ["|S3", np.dtype({"names": [""], "formats": ["<f8"]})]}),
        np.dtype({"names": ["a", ""], "formats": ["<i4", np.dtype([("x", "|u1")])]}),
        # 'aligned': True without offsets, laid out as numpy does.
        np.dtype({"names": ["a", "b"], "formats": ["u1", "<f8"], "aligned": True}),
        np.dtype({"names": ["a", "b", "c", "d"], "formats": ["u1", "<c16", "u1", "<U1"], "aligned": True}),
        np.dtype({"names": ["n"], "formats": [[("a", "u1"), ("b", "<f8")]], "aligned": True}),
    ] + [r for r in random_dtypes(80) if round_trips(r)][:40]
    return [np.dtype(x) for x in d]


def round_trips(dt):
    """numpy reads back the dtype it writes (not so for a field named '' of a void or
    sub-array type: numpy's reader takes it for padding), and its str(dtype) describes
    it (not so for an aligned structure holding an unaligned nested one: str says
    'aligned': True for all of it). The sweep covers both kinds through headers."""
    return npf.descr_to_dtype(npf.dtype_to_descr(dt)) == dt and aligned_throughout(dt)


def aligned_throughout(dt, outer_aligned=False):
    base = dt.base if dt.subdtype is None else dt.subdtype[0]
    if base.subdtype is not None:
        return aligned_throughout(base, outer_aligned)
    if base.names is None:
        return True
    if outer_aligned and not base.isalignedstruct:
        return False
    return all(aligned_throughout(base.fields[n][0], outer_aligned or base.isalignedstruct)
               for n in base.names)


MAIN_CODES = ["<f8", "|u1", ">i2", "<U2", "|S3", "|b1", "<c16", "<M8[us]", "|V4", ">f4"]


def random_dtype(rng, depth=0):
    """A random nested structured dtype built by numpy: names (some empty, some not
    Latin-1), scalars, nested structures, sub-arrays (of sub-arrays), packed, aligned
    and offset (padded) layouts."""
    n = rng.randint(0, 4)
    names, formats = [], []
    for i in range(n):
        name = rng.choice(["a", "b", "x", "é", "π", "it's", "", f"f{i}"])
        if name in names:
            name = f"n{depth}_{i}"
        f = np.dtype(rng.choice(MAIN_CODES))
        if rng.random() < 0.3 and depth < 2:
            f = random_dtype(rng, depth + 1)
        if rng.random() < 0.3:
            f = np.dtype((f, tuple(rng.randint(1, 3) for _ in range(rng.randint(1, 2)))))
            if rng.random() < 0.3:
                f = np.dtype((f, (rng.randint(1, 3),)))
        names.append(name)
        formats.append(f)
    kind = rng.random()
    if kind < 0.3:
        return np.dtype({"names": names, "formats": formats, "aligned": True})
    if kind < 0.5 and n:
        offsets, off = [], 0
        for f in formats:
            off += rng.randint(0, 3)
            offsets.append(off)
            off += f.itemsize
        return np.dtype({"names": names, "formats": formats, "offsets": offsets,
                         "itemsize": off + rng.randint(0, 5)})
    return np.dtype({"names": names, "formats": formats})


def random_dtypes(count, seed=20261201):
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        try:
            out.append(random_dtype(rng))
        except (ValueError, TypeError):
            pass  # numpy refused the combination (a name used twice, ...)
    return out


def arrays():
    rng = np.random.default_rng(1234)
    for dt in zoo_dtypes():
        shapes = [(3, 4), (2, 3, 2)]
        if dt.itemsize < 1000:
            shapes += [(), (0,), (5,), (2, 0, 3)]
        for shape in shapes:
            n = int(np.prod(shape)) * dt.itemsize
            if dt.itemsize == 0:
                a = np.zeros(shape, dtype=dt)
            else:
                a = np.frombuffer(rng.bytes(n), dtype=dt).reshape(shape).copy()
            yield dt, a
            if len([s for s in shape if s > 1]) > 1:
                yield dt, np.asfortranarray(a)


def make(out):
    manifest = []
    for i, (dt, a) in enumerate(arrays()):
        name = f"{i:03d}.npy"
        path = os.path.join(out, name)
        np.save(path, a, allow_pickle=False)
        raw = open(path, "rb").read()
        fh = io.BytesIO(raw)
        version = npf.read_magic(fh)
        npf._read_array_header(fh, version, max_header_size=10**7)
        loaded = np.load(path, max_header_size=10**7)
        manifest.append({
            "file": name,
            "descr": repr(npf.dtype_to_descr(a.dtype)),
            "str": str(a.dtype),                 # the array's own str (may say 'aligned')
            "str_loaded": str(loaded.dtype),     # str of what the header describes
            "shape": list(a.shape),
            "fortran_order": bool(a.flags.f_contiguous and not a.flags.c_contiguous),
            "data_offset": fh.tell(),
            "version": list(version),
            "itemsize": a.dtype.itemsize,
        })
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, ensure_ascii=False)
    print(len(manifest))


def same_values(a, b):
    """Equal bytes field by field (padding between fields is not data: numpy's own
    copies of padded structures do not preserve it)."""
    if a.dtype.names:
        return all(same_values(a[n], b[n]) for n in a.dtype.names)
    return a.tobytes("C") == b.tobytes("C")


def check(out):
    manifest = json.load(open(os.path.join(out, "manifest.json")))
    ours_dir = os.path.join(out, "ours")
    checked = 0
    for name in sorted(os.listdir(ours_dir)):
        entry = manifest[int(name.split("-")[0])]
        ref = np.load(os.path.join(out, entry["file"]), max_header_size=10**7)
        got = np.load(os.path.join(ours_dir, name), max_header_size=10**7, allow_pickle=False)
        assert got.dtype == ref.dtype, (name, got.dtype, ref.dtype)
        assert got.dtype.descr == ref.dtype.descr, (name, got.dtype.descr, ref.dtype.descr)
        assert got.shape == ref.shape, (name, got.shape, ref.shape)
        assert same_values(got, ref), name
        if name.endswith("-same.npy"):
            assert got.flags.f_contiguous == ref.flags.f_contiguous, name
        checked += 1
    print(checked)


def scalar_texts():
    """Type strings in every order/code/size/unit combination, and names."""
    out = []
    codes = sorted(set(string.ascii_letters + "?"))
    sizes = ["", "0", "1", "2", "3", "4", "8", "12", "16", "32"]
    units = ["", "[us]", "[10ms]", "[generic]", "[]", "[0s]"]
    for order, code, size, unit in itertools.product(["", "<", ">", "|", "="], codes, sizes, units):
        if not unit or code in "mMiS":
            out.append(order + code + size + unit)
    out += ["float64", "int32", "uint8", "bool", "bool_", "str", "bytes", "void", "datetime64[ns]",
            "timedelta64", "int", "float", "complex", "longdouble", "float16", "int128", "a5",
            "<M8[\u03bcs]", "<M8[Y]", "M8[2W]", "<m8[2147483647s]", "<m8[2147483648s]",
            "<U536870911", "<U536870912", "|S2147483647", "|S2147483648"]
    return out


ONES_64 = "1, " * 64
DESCRS = [
    # sub-arrays: nesting, shapes as int / list / (), unsized bases, limits
    "[('c', ('<f8', (5,)), (2,))]", "[('c', (('<f8', (5,)), (3,)), (2,))]",
    "[('c', ('<f8', 5), 2)]", "[('c', ('<f8', (5,)))]", "[('c', '<f8', [2, 3])]",
    "[('c', '<f8', ())]", "[('c', '<f8', 0)]", "[('c', '<f8', 1)]", "[('c', '<f8', True)]",
    "[('c', '<f8', (-1,))]", "[('c', '<f8', (2147483648,))]", "[('c', '<i4', (0, 2147483648))]",
    "[('c', '<i4', (65536, 65536))]", "[('c', '|S0', (2,))]", "[('c', ('|S0', 5))]",
    "[('c', ('<U0', 5))]", "[('c', ('|V0', 3))]", "[('c', ('|S0', -1))]", "[('c', ('|S0', ()))]",
    "[('c', ('<f8', (0,)), (2,))]", "[('c', [], (2,))]",
    "[('c', '<i4', (" + ONES_64 + "))]", "[('c', '<i4', (" + ONES_64 + "1))]",
    "[('c', ('<i4', (" + "1, " * 40 + ")), (" + "1, " * 30 + "))]",
    "('<f8', (2,))", "[('c', ('<f8', (2,), 'x'))]",
    # empty names and padding
    "[('a', '<i4'), ('', '<i4'), ('b', '<i4')]", "[('', '<i4'), ('', '<i4')]",
    "[('a', '<i4'), ('', '|V4', (2,)), ('b', '<i4')]", "[('a', '<i4'), ('', '<i4', (2,))]",
    "[('a', '<i4'), ('', [('x', '|u1')], (2,))]", "[('a', '<i4'), ('', [('x', '|u1')])]",
    "[('a', '<i4'), ('', [])]", "[('a', '<i4'), (('t', ''), '|V4')]", "[(('', 'x'), '|V4')]",
    "[('a', '<i4'), ('', '|V0')]", "[('', '|S3')]", "[('', '|V3')]", "[]",
    # names, titles, entry shapes
    "[('a', '<i4'), ('a', '<i4')]", "[('a', '<i4'), (('a', 'b'), '<i4')]", "[(('a', 'a'), '<i4')]",
    "[(('t', 'a'), '<i4'), (('t', 'b'), '<i4')]", "[(1, '<i4')]", "[(('t', 'a', 'x'), '<i4')]",
    "[['a', '<i4']]", "[('a', '<i4', (2,), 1)]", "[('a',)]",
    # forms numpy's descr_to_dtype does not read
    "{'names': ['a'], 'formats': ['<i4']}", "(numpy.record, [('a', '<i4')])", "3", "None",
    "[('a', {'names': ['x'], 'formats': ['<i4']})]", "'|O'", "[('a', '|O')]",
    # strings: prefixes, concatenation, escapes
    "'<' 'f8'", "u'<f8'", "r'<f8'", "'''<f8'''", r"[('\N{unknown name}', '<f8')]",
    r"[('\u03c0', '<f8')]", r"[('\x41', '<f8')]", r"[('a\qb', '<f8')]", "b'<f8'",
]

# Texts numpy reads and npystore refuses on purpose (tests/format_zoo.rs checks both).
DIVERGENCES = [
    # numpy makes an item of 5 bytes that its own descr ('<f8', (0,)) does not describe.
    "[('c', (('<f8', (0,)), 5))]",
]

HEADERS = [
    # (format major, dict text)
    (1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3L,), }"),
    (2, "{'descr': '<f8', 'fortran_order': False, 'shape': (3L, 2L), }"),
    (3, "{'descr': '<f8', 'fortran_order': False, 'shape': (3L,), }"),
    (1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3 L,), }"),
    (1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3l,), }"),
    (1, "{'descr': '<f8', 'fortran_order': False, 'shape': (0x3,), }"),
    (1, "{'descr': '<f8', 'fortran_order': False, 'shape': (0_3,), }"),
    (1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1_0,), }"),
    (1, "{'descr': '<f8', 'fortran_order': False, 'shape': (--3,), }"),
    (1, "{'descr': '<f8', 'fortran_order': False, 'shape': (+3,), }"),
    (1, "{'descr': '<f8', 'fortran_order': False, 'shape': (True,), }"),
    (1, "{'descr': '<f8', 'fortran_order': 0, 'shape': (3,), }"),
    (1, "{'descr': '<f8', 'fortran_order': False, 'shape': [3], }"),
    (1, "{'descr': '<i4', 'descr': '<f8', 'fortran_order': False, 'shape': (3,), }"),
    (1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), } # comment"),
    (1, "{'descr': '<f8', 'fortran_order': False, 'shape': (" + ONES_64 + "), }"),
    (1, "{'descr': '<f8', 'fortran_order': False, 'shape': (" + ONES_64 + "1), }"),
    (3, "{'descr': [('\u03c0', '<f8')], 'fortran_order': False, 'shape': (1,), }"),
    (1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }"),
    (1, "{'descr':'<f8','fortran_order':False,'shape':(2,)}"),
]


def verdict(major, text):
    """numpy's reading of a header with this dict text: what np.load gives, or its error."""
    pre = preamble(major, text)
    entry = {"major": major, "text": text, "preamble": pre.hex()}
    try:
        shape, fortran, dt = npf._read_array_header(io.BytesIO(pre[8:]), (major, 0),
                                                    max_header_size=10**7)
        count = 1
        for n in shape:
            count *= n
        if count * dt.itemsize > 1 << 20:
            entry["skip"] = "numpy reads the header; its data is too large for the sweep"
            return entry
        a = np.load(io.BytesIO(pre + bytes(count * dt.itemsize)), allow_pickle=False,
                    max_header_size=10**7)
    except Exception as e:  # numpy refuses: npystore must refuse too
        entry["error"] = f"{type(e).__name__}: {e}"
        return entry
    saved = io.BytesIO()
    np.save(saved, a, allow_pickle=False)  # what numpy writes for the array it read
    saved = saved.getvalue()
    entry.update(descr=repr(npf.dtype_to_descr(a.dtype)), str_loaded=str(a.dtype),
                 shape=list(a.shape), fortran_order=bool(fortran), itemsize=a.dtype.itemsize,
                 saved_preamble=saved[:len(saved) - a.nbytes].hex(),
                 saved_fortran=bool(a.flags.f_contiguous and not a.flags.c_contiguous))
    return entry


def latin1_major(text):
    try:
        text.encode("latin1")
        return 1
    except UnicodeEncodeError:
        return 3


def sweep(out):
    cases = [f"{{'descr': {t!r}, 'fortran_order': False, 'shape': (1,), }}" for t in scalar_texts()]
    cases += [f"{{'descr': {d}, 'fortran_order': False, 'shape': (1,), }}" for d in DESCRS]
    cases = [(latin1_major(t), t) for t in cases]
    cases += [(3, f"{{'descr': {npf.dtype_to_descr(d)!r}, 'fortran_order': False, 'shape': (2,), }}")
              for d in random_dtypes(300, seed=7)]
    cases += HEADERS
    cases += [(1, f"{{'descr': {d}, 'fortran_order': False, 'shape': (1,), }}") for d in DIVERGENCES]
    entries = [verdict(major, text) for major, text in cases]
    for e in entries[-len(DIVERGENCES):]:
        assert "error" not in e, e
        e["divergence"] = True
    with open(os.path.join(out, "sweep.json"), "w") as f:
        json.dump(entries, f, ensure_ascii=False)
    print(len(entries))


def preamble(major, text):
    """The preamble of a .npy whose header dict is `text` (padded as numpy pads)."""
    raw = text.encode("latin1" if major < 3 else "utf8")
    lsize = 2 if major == 1 else 4
    pad = (64 - (6 + 2 + lsize + len(raw) + 1) % 64) % 64
    hdr = raw + b" " * pad + b"\n"
    return b"\x93NUMPY" + bytes([major, 0]) + len(hdr).to_bytes(lsize, "little") + hdr


def name_texts():
    """`\\N{...}` texts: every name in Python's Unicode table (grouped, many to a
    string), then single texts a reader could get wrong: other spellings of a sample of
    names (case, spaces, underscores, hyphens), the computed Hangul and CJK names, every
    alias npystore knows (src/format/name_aliases.rs) and malformed escapes."""
    named = [n for n in (unicodedata.name(chr(c), None) for c in range(0x110000)) if n]
    groups = [named[i:i + 500] for i in range(0, len(named), 500)]
    texts = ["".join(f"\\N{{{n}}}" for n in g) for g in groups]
    rng = random.Random(20261201)
    sample = rng.sample(named, 1500) + [n for n in named if "-" in n][:300]
    sample += ["HANGUL SYLLABLE GA", "HANGUL SYLLABLE GAG", "HANGUL SYLLABLE HIH",
               "HANGUL JUNGSEONG O-E", "HANGUL JUNGSEONG OE", "CJK UNIFIED IDEOGRAPH-4E00",
               "CJK UNIFIED IDEOGRAPH-2A6DF", "TIBETAN MARK BKA- SHOG GI MGO RGYAN"]
    spellings = set()
    for n in sample:
        words = n.split(" ")
        spellings.update([n, n.lower(), n.title(), n.replace(" ", "_"), n.replace(" ", ""),
                          n.replace(" ", "  ", 1), " " + n, n + " ", n.replace("-", " "),
                          n.replace("-", ""), " ".join(words[:-1]) + " " + words[-1].lower()
                          if len(words) > 1 else n + "X"])
    for prefix in ["HANGUL SYLLABLE ", "hangul syllable ", "HANGULSYLLABLE "]:
        for jamo in ["GA", "ga", "GAG", "GGA", "GAX", "", "BWEOLH", "bweolh"]:
            spellings.add(prefix + jamo)
    for prefix in ["CJK UNIFIED IDEOGRAPH-", "cjk unified ideograph-", "CJK UNIFIED IDEOGRAPH "]:
        for digits in ["4E00", "4e00", "04E00", "004E00", "4E0", "9FFF", "9FFE", "3400",
                       "0041", "20000", "2A6DF", "2A6E0", "30000", "3134A", "F900",
                       "FA0E", "FFFFF", "10FFFF", "", "4E00 ", "4E0G"]:
            spellings.add(prefix + digits)
    aliases = re.findall(r'\("([A-Z0-9 -]+)", ', open(os.path.join(
        os.path.dirname(__file__), "..", "..", "src", "format", "name_aliases.rs")).read())
    spellings.update(aliases + [a.lower() for a in aliases])
    spellings.update(["", " ", "-A", "A-", "BULLET POINT", "KEYCAP DIGIT ZERO",
                      "LATIN CAPITAL LETTER A WITH MACRON AND GRAVE", "a\\'b", "A}B",
                      "LATIN SMALL LETTER \u00c5", "NULL", "<control>", "X" * 200])
    texts += [f"\\N{{{n}}}" for n in sorted(spellings)]
    texts += ["\\N", "\\Nx", "\\N{", "\\N{BULLET", "\\N{}", "\\N{{BULLET}}", "\\N {BULLET}",
              "\\\\N{BULLET}", "a\\N{BULLET}b\\N{NBSP}c"]
    return texts, set(aliases)


def names(out):
    """Python's decoding of each `\\N{...}` text as a field name in a header: the
    field name ast.literal_eval gives (as np.load reads the header), or its error; then
    the headers np.save writes for field names of every code point."""
    texts, aliases = name_texts()
    entries = []
    for t in texts:
        text = f"{{'descr': [('{t}', '<u1')], 'fortran_order': False, 'shape': (1,), }}"
        entry = {"text": t, "preamble": preamble(3, text).hex()}
        try:
            entry["name"] = ast.literal_eval(text)["descr"][0][0]
        except (SyntaxError, ValueError) as e:
            entry["error"] = f"{type(e).__name__}: {e}"
            inner = t[3:-1]
            if inner.upper() in aliases:  # an alias from after this Python's Unicode
                entry["newer"] = unicodedata.unidata_version
        entries.append(entry)
    # What numpy writes for field names holding every code point but the surrogates
    # (which UTF-8 cannot carry), 2,000 to a name: repr's escapes of unprintables.
    points = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    for i in range(0, len(points), 2000):
        name = "".join(points[i:i + 2000])
        saved = io.BytesIO()
        np.save(saved, np.zeros(1, [(name, "u1")]), allow_pickle=False)
        entries.append({"text": f"code points {ord(name[0]):#x}..{ord(name[-1]):#x}",
                        "name": name, "saved_preamble": saved.getvalue()[:-1].hex()})
    with open(os.path.join(out, "names.json"), "w", encoding="utf-8") as f:
        json.dump(entries, f, ensure_ascii=False)
    print(len(entries))


if __name__ == "__main__":
    {"make": make, "check": check, "sweep": sweep, "names": names}[sys.argv[1]](sys.argv[2])
