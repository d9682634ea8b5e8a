"""Disclosure control: small cells hidden, complements hidden where a total would reveal them."""

import itertools
import re

import numpy as np
import pandas as pd
import pytest

from analysis.metrics.disclosure import (
    PRIMARY,
    SECONDARY,
    check_published,
    display,
    gate,
    protect,
    refs_for,
    table_digest,
)


def table():
    return pd.DataFrame(
        {
            "kecamatan": ["A", "A", "A", "B", "B"],
            "kelurahan": ["a1", "a2", "a3", "b1", "b2"],
            "workers": [120, 40, 8, 60, 3],
            "effective": [30, 3, 0, 12, 2],
        }
    )


def test_primary_suppression_hides_one_to_four_but_shows_zero():
    p = protect(table(), ["workers", "effective"], min_cell=5, groups=[])
    assert p.state["effective"].tolist() == [0, PRIMARY, 0, 0, PRIMARY]
    assert p.state["workers"].tolist() == [0, 0, 0, 0, PRIMARY]


def test_complementary_suppression_protects_against_published_group_totals():
    p = protect(table(), ["workers", "effective"], min_cell=5, groups=["kecamatan", None])
    # kecamatan A: effective 3 hidden → the smallest other non-zero cell (30) is hidden too
    a = p.state["effective"][:3].tolist()
    assert a.count(PRIMARY) == 1 and a.count(SECONDARY) == 1
    # kecamatan B: workers 3 hidden → 60 hidden too; effective 2 hidden → 12 hidden too
    assert p.state.loc[3, "workers"] == SECONDARY and p.state.loc[3, "effective"] == SECONDARY
    no_single_hidden_cell_in_any_sum(p, ["kecamatan", None])


def no_single_hidden_cell_in_any_sum(p, groups):
    for col in p.state.columns:
        for g in groups:
            keys = [None] if g is None else p.table[g].unique()
            for k in keys:
                rows = p.table.index if g is None else p.table.index[p.table[g] == k]
                if len(rows) > 1:
                    assert (p.state.loc[rows, col] > 0).sum() != 1, (col, g, k)


def test_row_identities_are_protected_too():
    t = pd.DataFrame({"workers": [50, 40], "effective": [3, 20], "uncovered": [47, 20]})
    p = protect(
        t,
        ["workers", "effective", "uncovered"],
        5,
        groups=[],
        row_sums=[(["effective", "uncovered"], "workers")],
    )
    assert p.state.loc[0, "effective"] == PRIMARY and p.state.loc[0, "uncovered"] == SECONDARY


def test_rates_hidden_with_their_numerator_or_a_small_denominator():
    t = pd.DataFrame({"workers": [50, 4, 80, 0], "effective": [3, 1, 20, 0]})
    t["rate"] = t["effective"] / t["workers"].where(t["workers"] > 0)
    p = protect(t, ["workers", "effective"], 5, groups=[], rates={"rate": ("effective", "workers")})
    assert p.hidden["rate"].tolist() == [
        True,
        True,
        False,
        False,
    ]  # no workers: no rate, not a hidden one


def test_display_never_shows_a_hidden_cell_as_zero_or_its_value():
    p = protect(table(), ["workers", "effective"], 5, groups=["kecamatan", None])
    shown = display(p, {"workers": str, "effective": str})
    assert shown.loc[1, "effective"] == "<5"
    assert (shown["effective"][p.state["effective"] == SECONDARY] == "x").all()
    assert shown.loc[2, "effective"] == "0"
    check_published(p, ["workers", "effective"])


@pytest.mark.parametrize("seed", range(20))
def test_random_tables_never_leave_a_single_hidden_cell_in_a_published_sum(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 12))
    t = pd.DataFrame(
        {
            "g": rng.choice(["x", "y", "z"], n),
            "a": rng.integers(0, 12, n),
            "b": rng.integers(0, 30, n),
        }
    )
    p = protect(t, ["a", "b"], 5, groups=["g", None])
    no_single_hidden_cell_in_any_sum(p, ["g", None])
    check_published(p, ["a", "b"])


def test_min_cell_is_a_parameter():
    t = pd.DataFrame({"n": [2, 7, 9, 40]})
    assert protect(t, ["n"], 3, groups=[]).state["n"].tolist() == [PRIMARY, 0, 0, 0]
    assert protect(t, ["n"], 10, groups=[]).state["n"].tolist() == [PRIMARY, PRIMARY, PRIMARY, 0]
    assert list(itertools.chain(protect(t, ["n"], 1, groups=[]).state["n"])) == [0, 0, 0, 0]


# ------------------------------------------------------------------ the gate


def small_universe():
    """Two kelurahan in one kecamatan, protected together (a '<5' and its complements)."""
    from analysis.metrics.universe import Universe

    t = pd.DataFrame({"kel": ["a", "b", "c"], "workers": [60, 80, 90], "effective": [3, 20, 30]})
    t["uncovered"] = t["workers"] - t["effective"]
    ids = ((("effective", "uncovered"), "workers"),)
    u = Universe("cov", 5, ("workers", "effective", "uncovered"), ids)
    u.add_rows("kel", t, "kel").add_rows(
        "all", t[["workers", "effective", "uncovered"]].sum().to_frame().T.assign(all="all"), "all"
    )
    return t, u.nest("kel", t, "kel", "all", None).protect()


def test_gate_marks_a_protected_table_and_records_no_hidden_value():
    t, u = small_universe()
    p = u.protected("kel", t, "kel")
    shown = display(p, {c: str for c in ("workers", "effective", "uncovered")})
    pub = gate(
        shown,
        "t",
        refs=refs_for(p, {c: c for c in ("workers", "effective", "uncovered")}),
        universe=u,
    )
    assert shown.loc[0, "effective"] == "<5"
    rec = pub.record()
    hidden = [c for c in rec["cells"] if c[3]]
    assert hidden and all(c[4] is None for c in hidden)  # never a hidden value
    shown_cells = [c for c in rec["cells"] if not c[3]]
    assert all(isinstance(c[4], int) for c in shown_cells)
    assert pub.digest == table_digest(pub.frame.columns, pub.frame.itertuples(index=False))
    # the mark follows the text: one changed cell, another digest
    other = pub.frame.copy()
    other.iloc[1, 1] = "21"
    assert table_digest(other.columns, other.itertuples(index=False)) != pub.digest


def test_a_mark_never_looks_like_a_nik():
    """16 hex digits are all decimal in one table of ~1,800: a small month's visit plan was
    refused by the scanner for its mark. Marks are written in letters."""
    from analysis.ingest.scan import nik_candidates

    marks = [table_digest(["n"], [[str(i)]]) for i in range(5000)]
    assert all(re.fullmatch(r"[a-p]{16}", m) for m in marks) and len(set(marks)) == 5000
    page = " ".join(f'<table data-disclosure="{m}">' for m in marks)
    assert nik_candidates(page) == []


def test_gate_refuses_a_small_count_or_a_hidden_cell_shown_as_a_number():
    t, u = small_universe()
    p = u.protected("kel", t, "kel")
    raw = t[["kel", "workers", "effective"]].astype(str)
    with pytest.raises(ValueError, match="hidden but shown"):
        gate(raw, "t", refs=refs_for(p, {"effective": "effective"}), universe=u)
    with pytest.raises(ValueError, match="3 people"):
        gate(raw, "t", counts=["effective"])
    with pytest.raises(ValueError, match="say which columns"):
        gate(raw, "t")
    ok = gate(raw[["kel"]], "t", exempt="names only")
    assert ok.exempt == "names only" and ok.counts == ()


def test_a_download_entry_marks_the_csv_bytes():
    import hashlib

    pub = gate(pd.DataFrame({"a": ["x", "y"], "n": ["12", "<5"]}), "t", counts=["n"])
    data = pub.csv_bytes()
    entry = pub.download_entry("tables/t.csv", data)
    assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["counts"] == [1]
    assert entry["digest"] == pub.digest and data.decode().splitlines()[2] == "y,<5"


def test_a_share_hidden_for_its_denominator_does_not_publish_its_count():
    t, u = small_universe()
    p = u.protected("kel", t, "kel")
    frame = pd.DataFrame({"kel": ["a", "b", "c"], "share": ["<5", "x", "33,3%"]})
    pub = gate(frame, "t", refs=refs_for(p, {"share": "effective"}), universe=u, derived=["share"])
    got = {c[1]: c[3] for c in pub.record()["cells"]}
    assert got["a"] == PRIMARY and got["c"] == 0  # a: hidden count; c: shown share, count known
    assert pub.counts == ()  # shares are not counts: the scanner leaves them alone
