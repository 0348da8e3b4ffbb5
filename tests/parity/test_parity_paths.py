"""Item 2 of the DataJoint parity suite: for the same row, npystore's schema-addressed
path equals the one DataJoint 2.3.5 builds, token aside, through real inserts.

DataJoint inserts a row (its path comes from the row's JSON); npystore puts for the
same key through the C API, in DataJoint's primary-key order, into each configured
store: default settings, a custom `schema_prefix` with `token_length` 12, an empty
`schema_prefix` with `token_length` 2 (clamped to 4) and a `partition_pattern` with
`token_length` 30 (clamped to 16). Keys: every type DataJoint encodes into paths, in
one composite key, and every table tier."""
import datetime as dt

import numpy as np
import pytest
from conftest import STORE_ATTRIBUTES as ATTRIBUTES
from conftest import store_attribute_lines
from djparity import pk_of, row_meta, split_token

ATTRIBUTE_LINES = store_attribute_lines()

SUBJECTS = {
    "plain": "m01",
    "space": "with space",
    "unsafe": 'a/b\\c:d*e?f"g<h>i|j',
    "safe_specials": "100%=done & more #1 (a,b) ~.",
    "unicode": "ünïcödé-日本",
    "exactly_100": "y" * 100,
    "long_101": "x" * 101,
    "long_ascii": "long " * 30,
    "long_unicode": "ü" * 20 + "b" * 90,
    "long_unsafe": "a/b:" * 40,
    "dots": "..",
    "empty": "",
}
INTS = [0, -1, 2**62, 42, -(2**63), 2**63 - 1]
FLOATS = [0.1, 1e16, -2.5, 1e-05, 3.0, 123456789.123, 0.30000000000000004, -0.0, 1.5e300]
DATES = [dt.date(2024, 5, 17), dt.date(1970, 1, 1), dt.date(1, 1, 1), dt.date(9999, 12, 31)]
DATETIMES = [dt.datetime(2024, 5, 17, 13, 4, 5, 123456), dt.datetime(2000, 1, 1), dt.datetime(1999, 12, 31, 23, 59, 59)]


def composite_row(i, subject):
    return {
        "subject": subject,
        "session_date": DATES[i % len(DATES)],
        "k_int": INTS[i % len(INTS)],
        "k_float": FLOATS[i % len(FLOATS)],
        "k_bool": i % 2 == 0,
        "k_dt": DATETIMES[i % len(DATETIMES)],
    }


@pytest.fixture(scope="module")
def tables(dj, schema):
    @schema
    class Composite(dj.Manual):
        definition = f"""
        subject : varchar(255)
        session_date : date
        k_int : int64
        k_float : float64
        k_bool : bool
        k_dt : datetime(6)
        ---
        {ATTRIBUTE_LINES}
        """

    @schema
    class Animal(dj.Lookup):
        definition = f"""
        subject : varchar(255)
        ---
        {ATTRIBUTE_LINES}
        """

    @schema
    class Scan(dj.Imported):
        definition = f"""
        subject : varchar(255)
        session_date : date
        ---
        {ATTRIBUTE_LINES}
        """

        def make(self, key):
            raise NotImplementedError

    @schema
    class Analysis(dj.Computed):
        definition = f"""
        k_dt : datetime
        k_float : float64
        ---
        {ATTRIBUTE_LINES}
        """

        def make(self, key):
            raise NotImplementedError

    @schema
    class Session(dj.Manual):
        definition = """
        subject : varchar(255)
        session_date : date
        """

        class Channel(dj.Part):
            definition = f"""
            -> master
            k_int : int64
            k_bool : bool
            ---
            {ATTRIBUTE_LINES}
            """

    return {"composite": Composite, "lookup": Animal, "imported": Scan, "computed": Analysis,
            "part": Session.Channel, "manual": Session}


def check_paths(store, table, row, **insert_options):
    """Insert `row` with DataJoint, put npystore arrays for the same key, compare."""
    table.insert1({**row, **{a: np.arange(3.0) for a in ATTRIBUTES}}, **insert_options)
    key = pk_of(table, row)
    for attribute, store_name in ATTRIBUTES.items():
        theirs = row_meta(table, key, attribute)["path"]
        ours = store.npy(store_name).put(np.arange(3.0), schema=table.database, table=table.table_name,
                                         attribute=attribute, key=key).path
        (their_path, their_token), (our_path, our_token) = split_token(theirs, attribute), split_token(ours, attribute)
        assert our_path == their_path, (store_name, ours, theirs)
        assert len(our_token) == len(their_token) == store.token_length(store_name), (ours, theirs)
        assert our_token != their_token
    return key


@pytest.mark.parametrize("case", list(SUBJECTS))
def test_composite_key_of_every_type(store, tables, case):
    i = list(SUBJECTS).index(case)
    check_paths(store, tables["composite"], composite_row(i, SUBJECTS[case]))


def test_paths_have_the_expected_shape(store, tables):
    """One spelled-out example per store, so a change on both sides is still caught."""
    row = {"subject": "m/01", "session_date": dt.date(2024, 5, 17), "k_int": 3, "k_float": 1e16,
           "k_bool": True, "k_dt": dt.datetime(2024, 5, 17, 13, 4, 5, 999999)}
    table = tables["composite"]
    check_paths(store, table, row)
    db, t = table.database, table.table_name
    keys = "k_int=3/k_float=1e+16/k_bool=True/k_dt=2024-05-17T13-04-05"
    want = {
        "main": f"_schema/{db}/{t}/subject=m%2F01/session_date=2024-05-17/{keys}/a_main_.npy",
        "custom": f"lab/npy/{db}/{t}/subject=m%2F01/session_date=2024-05-17/{keys}/a_custom_.npy",
        "bare": f"{db}/{t}/subject=m%2F01/session_date=2024-05-17/{keys}/a_bare_.npy",
        "parted": f"_schema/session_date=2024-05-17/subject=m%2F01/{db}/{t}/{keys}/a_parted_.npy",
    }
    for attribute, store_name in ATTRIBUTES.items():
        assert split_token(row_meta(table, pk_of(table, row), attribute)["path"], attribute)[0] == want[store_name]


@pytest.mark.parametrize("tier", ["lookup", "imported", "computed", "part"])
def test_every_table_tier(store, tables, tier):
    """The manual tier is the composite table above."""
    table = tables[tier]
    prefix = {"lookup": "#", "imported": "_", "computed": "__", "part": "session__"}[tier]
    assert table.table_name.startswith(prefix)
    rows = [composite_row(i, s) for i, s in enumerate(["m01", "a/b c", "z" * 130])]
    if tier == "part":
        tables["manual"].insert([{k: r[k] for k in ("subject", "session_date")} for r in rows])
    for row in rows:
        row = {k: row[k] for k in table.heading.names if k in row}
        options = {"allow_direct_insert": True} if tier in ("imported", "computed", "part") else {}
        check_paths(store, table, row, **options)



def test_key_folder_longer_than_a_file_name(store, tables):
    """A string key over 100 characters is cut to 50 characters + an MD5 suffix and
    then percent-encoded: 50 non-ASCII characters become a 309-byte folder name. A
    file system refuses names over 255 bytes, DataJoint's write and npystore's alike
    (DataJoint's limitation: its encoding does not bound the encoded length);
    object stores take such keys."""
    row = composite_row(0, "ü" * 120)
    table = tables["composite"]
    if store.kind != "file":
        check_paths(store, table, row)
        return
    import npystore_ctypes

    with pytest.raises(OSError, match="File name too long"):
        table.insert1({**row, **{a: np.arange(3.0) for a in ATTRIBUTES}})
    with pytest.raises(npystore_ctypes.NpyError) as err:
        store.npy().put(np.arange(3.0), schema=table.database, table=table.table_name,
                        attribute="a_main", key=pk_of(table, row))
    assert "%C3%BC" * 50 + "_" in str(err.value), err.value
