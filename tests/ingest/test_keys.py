"""Keys among millions of rows: the hashed text lookup and repeated keys equal pandas'."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.ingest.keys import TextLookup, repeats


def test_text_lookup_equals_pandas_get_indexer():
    rng = np.random.default_rng(3)
    keys = pd.Series([f"UMKM-{i:06d}" for i in rng.permutation(50_000)], dtype="str")
    values = pd.Series(
        list(rng.choice(keys.to_numpy(), 30_000)) + ["", "umkm-000001", "UMKM-999999", "é"],
        dtype="str",
    )
    expected = pd.Index(keys.to_numpy(object)).get_indexer(values.to_numpy(object))
    assert (TextLookup(keys).positions(values) == expected).all()
    assert (TextLookup(keys[:0]).positions(values) == -1).all()
    # repeated keys take Arrow's lookup: the first position of a key, as index_in gives
    doubled = TextLookup(pd.Series(["A", "B", "A"], dtype="str"))
    assert not doubled.unique
    assert doubled.positions(pd.Series(["A", "B", "C"], dtype="str")).tolist() == [0, 1, -1]


def test_repeats_equal_pandas_duplicated():
    rng = np.random.default_rng(5)
    a, b = rng.integers(0, 40, 5_000), rng.integers(0, 3, 5_000)
    repeated, first = repeats(a, b, first=True)
    assert (repeats(a, b)[0] == repeated).all()
    fast = repeats(a * 3 + b, b, first=True)  # the first key decides: no lexsort needed
    assert (fast[0] == repeated).all() and (fast[1] == first).all()
    frame = pd.DataFrame({"a": a, "b": b})
    assert (repeated == frame.duplicated(keep="first").to_numpy()).all()
    first_expected = frame.reset_index().groupby(["a", "b"])["index"].transform("first")
    assert (first == first_expected.to_numpy()).all()
    empty = repeats(np.array([], "int64"), first=True)
    assert len(empty[0]) == 0 and len(empty[1]) == 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-3, 3), max_size=300), st.integers(0, 2**32 - 1))
def test_repeats_whatever_order_the_sort_leaves_ties_in(values, seed):
    """Many ties (an unstable sort may put them in any order): the same repeats and first rows as
    pandas, with one key and with a second key that splits the first one's groups."""
    a = np.array(values, dtype="int64")
    b = np.random.default_rng(seed).integers(0, 2, len(a))
    for keys in ((a,), (a, b)):
        frame = pd.DataFrame({str(i): k for i, k in enumerate(keys)})
        repeated, first = repeats(*keys, first=True)
        assert (repeated == frame.duplicated(keep="first").to_numpy()).all()
        expected = frame.reset_index().groupby(list(frame.columns))["index"].transform("first")
        assert (first == expected.to_numpy()).all()
