"""The row checks of every raw file (`schemas.present`, `schemas.typed`) read without pandera's
overhead give exactly pandera's failing cells, in pandera's order (which decides the detail a
row breaking two rules of one priority is quarantined with)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.ingest import schemas
from analysis.ingest.headers import REQUIRED

END = pd.Timestamp("2026-10-31")
DATES = ["1899-12-31", "1900-01-01", "1944-12-31", "1945-01-01", "1976-12-31", "1977-01-01"]
DATES += ["1999-12-31", "2016-10-31", "2016-11-01", "2026-10-31", "2026-11-01", "2027-11-01"]


def _column(dtype: str, picks: list[int]) -> pd.Series:
    """A typed column as the cleaners build it, values picked from edge cases."""
    if dtype == "Int64":
        return pd.Series(pd.array([[None, -1, 0, 1, 50, 99, 100][p % 7] for p in picks], "Int64"))
    if dtype == "float64":
        values = [np.nan, -0.01, 0.0, 1.0, 1e9, 1e9 + 1, 1e7, 1e7 + 1]
        return pd.Series([values[p % len(values)] for p in picks], dtype="float64")
    if dtype.startswith("datetime64"):
        texts = [None, *DATES]
        return pd.to_datetime(pd.Series([texts[p % len(texts)] for p in picks])).astype(
            "datetime64[us]"
        )
    words = [None, "", "AKTIF", "NONAKTIF", "PU", "BPU", "JAKON", "pemilik", "pekerja", "x"]
    return pd.Series([words[p % len(words)] for p in picks], dtype="str")


@pytest.mark.parametrize("stem", sorted(REQUIRED))
@settings(max_examples=25)  # pandera, the reference, takes ~50 ms a frame
@given(picks=st.lists(st.integers(0, 50), min_size=0, max_size=40), drop=st.booleans())
def test_typed_checks_fail_the_cells_pandera_fails(stem, picks, drop):
    schema = schemas.typed(stem, END)
    frame = pd.DataFrame(
        {
            name: _column(str(col.dtype), picks[i:] + picks[:i])
            for i, (name, col) in enumerate(schema.columns.items())
        },
        index=pd.RangeIndex(len(picks)) * 3 + 7,  # not 0..n-1: the index is reported
    )
    if drop:  # optional columns may be absent from a file
        frame = frame.drop(columns=[n for n, c in schema.columns.items() if not c.required])
    pd.testing.assert_frame_equal(
        schemas.failures(schema, frame), schemas._pandera_failures(schema, frame)
    )


@pytest.mark.parametrize("stem", sorted(REQUIRED))
@given(
    st.lists(st.lists(st.sampled_from(["", "x", None, " "]), min_size=4, max_size=4), max_size=30)
)
def test_presence_checks_fail_the_cells_pandera_fails(stem, rows):
    columns = REQUIRED[stem]
    frame = pd.DataFrame(
        {c: pd.Series([r[i] for r in rows], dtype="str") for i, c in enumerate(columns)}
    )
    schema = schemas.present(columns)
    pd.testing.assert_frame_equal(
        schemas.failures(schema, frame), schemas._pandera_failures(schema, frame)
    )


def test_a_check_not_read_here_goes_to_pandera():
    import pandera.pandas as pa

    schema = pa.DataFrameSchema(
        {"n": pa.Column(int, pa.Check(lambda s: s % 2 == 0, error="bad_value: n is odd"))}
    )
    frame = pd.DataFrame({"n": [1, 2, 3]})
    got = schemas.failures(schema, frame)
    assert got["index"].tolist() == [0, 2] and set(got["detail"]) == {"n is odd"}


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.lists(st.booleans(), min_size=6, max_size=6), st.integers(0, 13))))
def test_a_row_is_bad_once_any_rule_flags_it(additions):
    """`Flags.bad` (from the priorities) marks exactly the rows that carry a rule, and each
    carries the highest-priority rule flagged on it, whatever the order rules came in."""
    from analysis.ingest.rules import Flags

    flags = Flags(pd.RangeIndex(6))
    expected = [None] * 6
    for mask, p in additions:
        rule = schemas.RULES[p]
        flags.add(np.array(mask), rule, "x", "because")
        for i, hit in enumerate(mask):
            if hit and (expected[i] is None or schemas.RULES.index(expected[i]) > p):
                expected[i] = rule
    assert flags.bad.tolist() == [r is not None for r in expected]
    assert flags.rule.tolist() == expected
