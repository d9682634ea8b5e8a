"""The LP disclosure audit: leaks that per-table suppression lets through, caught and fixed.

Hand-made tables where the old rule (each table protected on its own, no margin left with
exactly one hidden cell) leaks, the audit's ranges against brute-force enumeration, and
`widen` ending protected."""

import itertools

import numpy as np
import pandas as pd
import pytest

from analysis.metrics.audit import FREE, ZERO_OK, Problem, Rule, audit, widen
from analysis.metrics.disclosure import PRIMARY, SECONDARY, SHOWN, protect
from analysis.metrics.universe import Universe

C = ["workers", "effective", "uncovered"]
ROW = [(["effective", "uncovered"], "workers")]
IDS = ((("effective", "uncovered"), "workers"),)


def kelurahan(effective, workers, kecamatan, names=None):
    names = names or [f"k{i}" for i in range(len(workers))]
    t = pd.DataFrame(
        {"kecamatan": kecamatan, "kelurahan": names, "workers": workers, "effective": effective}
    )
    t["uncovered"] = t["workers"] - t["effective"]
    return t


def laweyan():
    """Laweyan: kecamatan total 106, shown cells 50 + 48 = 98, two '<5' cells: both must be 4."""
    return kelurahan(
        [4, 4, 50, 48, 30, 20, 12],
        [60, 30, 200, 150, 120, 90, 80],
        ["Laweyan"] * 4 + ["Serengan"] * 3,
        ["Pajang", "Laweyan", "Bumi", "Panularan", "Kemlayan", "Joyotakan", "Danukusuman"],
    )


def universe(t, measures=C, at_most=(), breakdowns=()):
    """Kelurahan ⊂ kecamatan ⊂ city, plus breakdowns of the same people summing to the city."""
    u = Universe("coverage", 5, tuple(measures), IDS, tuple(at_most))
    kec = t.groupby("kecamatan", sort=False)[list(measures)].sum().reset_index()
    city = t[list(measures)].sum().to_frame().T.assign(total="all")
    u.add_rows("kelurahan", t, "kelurahan").add_rows("kecamatan", kec, "kecamatan")
    u.add_rows("total", city, "total")
    u.nest("kelurahan", t, "kelurahan", "kecamatan", "kecamatan")
    u.nest("kecamatan", kec, "kecamatan", "total", None)
    for level, table in breakdowns:
        u.add_rows(level, table, level).nest(level, table, level, "total", None)
    return u


def old_rule(u, t, breakdowns=()):
    """States as the old code published them: each table protected on its own (the kelurahan
    table with its kecamatan and city sums, the kecamatan table and the city row alone)."""
    m = list(u.measures)
    kec = t.groupby("kecamatan", sort=False)[m].sum().reset_index()
    city = t[m].sum().to_frame().T.assign(total="all")
    parts = [
        ("kelurahan", t, protect(t, m, 5, groups=["kecamatan", None], row_sums=ROW)),
        ("kecamatan", kec, protect(kec, m, 5, groups=[None], row_sums=ROW)),
        ("total", city, protect(city, m, 5, groups=[], row_sums=ROW)),
    ]
    parts += [(lv, b, protect(b, m, 5, groups=[None], row_sums=ROW)) for lv, b in breakdowns]
    u.state = {}
    for level, table, p in parts:
        for i, key in enumerate(table[level if level != "total" else "total"]):
            for col in m:
                if p.state.at[i, col]:
                    u.state[(level, str(key), col)] = int(p.state.at[i, col])
    return u.problem()


def rng(r, name):
    row = r.ranges[r.ranges["name"] == name].iloc[0]
    return int(row["low"]), int(row["high"])


def check_widened(p, exact=False):
    """widen fixes the leak: a fresh audit passes, only shown cells became 'x', nothing else moved."""
    w = widen(p, exact=exact)
    assert w.added and not w.unresolved
    again = audit(w.problem, exact=exact)
    assert again.ok and w.audit.ok
    for i, (before, after) in enumerate(zip(p.status, w.problem.status, strict=True)):
        assert after == before or (before == SHOWN and after == SECONDARY and p.names[i] in w.added)
    return w


# --- leaks of the old rule ----------------------------------------------------------------


def test_laweyan_two_small_cells_forced_to_four_by_the_kecamatan_total():
    t = laweyan()
    r = audit(old_rule(universe(t), t))
    assert not r.ok
    assert set(r.weak["name"]) == {
        ("kelurahan", "Pajang", "effective"),
        ("kelurahan", "Laweyan", "effective"),
    }
    assert rng(r, ("kelurahan", "Pajang", "effective")) == (4, 4)
    # and the hidden 'uncovered' of those rows follows from effective + uncovered = workers
    assert rng(r, ("kelurahan", "Pajang", "uncovered")) == (56, 56)
    assert rng(r, ("kelurahan", "Laweyan", "uncovered")) == (26, 26)


def test_widen_fixes_laweyan_with_a_small_cycle():
    t = laweyan()
    w = check_widened(old_rule(universe(t), t))
    assert len(w.added) == 2  # one more kelurahan's effective and uncovered: a rectangle
    assert rng(w.audit, ("kelurahan", "Pajang", "effective")) == (1, 4)


def test_universe_protect_publishes_laweyan_safely_from_the_start():
    t = laweyan()
    u = universe(t).protect()
    assert audit(u.problem()).ok and u.widened.audit.ok
    assert u.cell("kelurahan", "Pajang", "effective")[0] == PRIMARY
    # the attacker's problem rebuilt without any hidden value gives the same verdict
    assert audit(u.problem(true_values=False)).ok


def test_a_safe_table_passes():
    t = kelurahan(
        [2, 3, 50, 48, 30, 20, 12], [60, 30, 200, 150, 120, 90, 80], ["L"] * 4 + ["S"] * 3
    )
    p = old_rule(universe(t), t)
    r = audit(p)
    assert r.ok and (r.ranges["reason"] == "").all()
    assert rng(r, ("kelurahan", "k0", "effective")) == (1, 4)
    w = widen(p)
    assert w.added == [] and w.rounds == 1


def test_row_of_six_workers_pins_a_small_count_through_the_x_symbol():
    """workers 6, effective 1 ('<5'), uncovered 5 ('x'): an 'x' is never 1..4, so uncovered ≥ 5."""
    t = kelurahan([1, 30, 40, 25], [6, 100, 120, 90], ["A", "A", "B", "B"])
    p = old_rule(universe(t), t)
    assert p.status[p.cell(("kelurahan", "k0", "uncovered"))] == SECONDARY
    assert rng(audit(p), ("kelurahan", "k0", "effective")) == (1, 1)
    assert rng(audit(p, exact=True), ("kelurahan", "k0", "effective")) == (1, 1)
    # a reader who cannot tell '<5' from 'x' (one symbol for both) learns nothing here
    p.small_marked = False
    assert audit(p).ok
    p.small_marked = True
    check_widened(p)
    check_widened(p, exact=True)


def test_chain_across_kecamatan_and_kelurahan_tables_sharing_a_total():
    """Kecamatan table alone is safe (A '<5' with B hidden as its complement), but the kelurahan
    table shows all of B's kelurahan, so B's total and then A follow."""
    t = kelurahan(
        [3, 0, 9, 0, 40, 30], [150, 150, 100, 80, 400, 300], ["A", "A", "B", "B", "C", "C"]
    )
    kec = t.groupby("kecamatan")[C].sum().reset_index()
    kec_alone = protect(kec, C, 5, groups=[None], row_sums=ROW)
    assert kec_alone.state.at[1, "effective"] == SECONDARY  # B hidden as A's complement
    alone = Universe("k", 5, tuple(C), IDS).add_rows("kecamatan", kec, "kecamatan")
    alone.add_rows("total", t[C].sum().to_frame().T.assign(total="all"), "total")
    alone.nest("kecamatan", kec, "kecamatan", "total", None)
    alone.state = {("kecamatan", "A", "effective"): PRIMARY, ("kecamatan", "A", "uncovered"): 2}
    alone.state |= {("kecamatan", "B", "effective"): 2, ("kecamatan", "B", "uncovered"): 2}
    assert audit(alone.problem()).ok
    both = old_rule(universe(t), t)
    r = audit(both)
    assert rng(r, ("kecamatan", "A", "effective")) == (3, 3)
    assert rng(r, ("kelurahan", "k0", "effective")) == (3, 3)
    check_widened(both)


def test_sector_breakdown_shares_the_city_total():
    """Two '<5' sectors whose total follows from the city total of the kelurahan table."""
    t = kelurahan([10, 20, 28], [100, 200, 150], ["A", "A", "B"])
    sectors = pd.DataFrame(
        {"sektor": ["C", "G", "I"], "workers": [40, 60, 350], "effective": [4, 4, 50]}
    )
    sectors["uncovered"] = sectors["workers"] - sectors["effective"]
    assert audit(old_rule(universe(t), t)).ok
    u = universe(t, breakdowns=[("sektor", sectors)])
    p = old_rule(u, t, [("sektor", sectors)])
    r = audit(p)
    assert set(r.weak["name"]) == {("sektor", "C", "effective"), ("sektor", "G", "effective")}
    assert rng(r, ("sektor", "C", "effective")) == (4, 4)
    w = check_widened(p)
    assert all(name[0] == "sektor" for name in w.added)


def test_narrow_ranges_fail_a_wider_rule():
    t = kelurahan([3, 4, 50, 48], [60, 30, 200, 150], ["L"] * 4)  # hidden sum 7: each in 3..4
    p = old_rule(universe(t), t)
    r = audit(p, Rule(min_width=1))
    assert r.ok and rng(r, ("kelurahan", "k0", "effective")) == (3, 4)
    r2 = audit(p, Rule(min_width=2))
    assert set(r2.weak["reason"]) == {"narrow"}
    w = widen(p, Rule(min_width=2))
    assert w.audit.ok and audit(w.problem, Rule(min_width=2)).ok


def test_group_rule_says_fewer_than_k_for_none_of_a_small_group_and_keeps_it_unpinned():
    """'16 workers, 0 covered' tells every one of them: the zero is shown as '<5' (fewer than
    five), which readers must read as 0..4, and it must not be worked out from the totals."""
    t = kelurahan(
        [0, 30, 40, 25], [16, 100, 120, 90], ["A", "A", "B", "B"], ["Sriwedari", "b", "c", "d"]
    )
    u = universe(t)
    u.groups, u.min_group = (("effective", "workers"),), 20
    u.protect()
    assert u.cell("kelurahan", "Sriwedari", "effective") == (PRIMARY, 0, ZERO_OK)
    assert u.cell("kelurahan", "Sriwedari", "uncovered")[0] == SECONDARY
    r = audit(u.problem())
    assert r.ok and rng(r, ("kelurahan", "Sriwedari", "effective")) == (0, 4)
    assert audit(u.problem(true_values=False)).ok
    # without the rule the row is all shown: 16 workers, 0 covered
    plain = universe(t).protect()
    assert plain.cell("kelurahan", "Sriwedari", "effective") == (SHOWN, 0, 0)


def test_group_rule_all_covered_shows_none_uncovered_as_fewer_than_k():
    t = kelurahan([12, 30, 40, 25], [12, 100, 120, 90], ["A", "A", "B", "B"])
    u = universe(t)
    u.groups, u.min_group = (("effective", "workers"),), 20
    u.protect()
    assert u.cell("kelurahan", "k0", "uncovered") == (PRIMARY, 0, ZERO_OK)
    assert u.cell("kelurahan", "k0", "effective")[0] == SECONDARY
    assert audit(u.problem()).ok


def test_inconsistent_relations_and_wrong_statuses_are_refused():
    p = Problem(5)
    p.add("a", 3), p.add("b", 10), p.add("t", 14)
    with pytest.raises(ValueError):
        p.add_sum(["a", "b"], "t")
    with pytest.raises(ValueError):
        p.add("c", 3, SECONDARY)  # a small count shown as 'x' would make the 'x' knowledge false
    with pytest.raises(ValueError):
        p.add("d", 7, PRIMARY)
    with pytest.raises(ValueError):
        p.add("e", None, SHOWN)


def test_unpublished_cells_are_unknowns_and_never_reported():
    """A kecamatan total nobody publishes leaves its kelurahan free: nothing is pinned."""
    p = Problem(5)
    p.add("a", 4), p.add("b", None, SECONDARY), p.add("t", None, FREE)
    p.add_sum(["a", "b"], "t")
    r = audit(p)
    assert r.ok and set(r.hidden["name"]) == {"a", "b"}
    assert rng(r, "a") == (1, 4)


# --- the ranges against brute-force enumeration ---------------------------------------------


def brute_force(p: Problem, top: int) -> dict[int, tuple[int, int]]:
    """Integer range of every hidden cell by trying every value: '<k' 1..k-1; 'x' 0..top, and if
    readers tell the symbols apart, not 1..k-1. Backtracking; a cell that is the last unknown of
    an equality takes the one value that equality leaves."""
    k = p.min_cell
    hidden = [i for i, s in enumerate(p.status) if s]
    dom = {}
    for i in hidden:
        if p.status[i] == PRIMARY and p.small_marked:
            dom[i] = set(range(1, k))
        else:
            dom[i] = {v for v in range(top + 1) if not (p.small_marked and 0 < v < k)}
    known = {i: v for i, v in enumerate(p.values) if not p.status[i]}
    found = {i: set() for i in hidden}

    def holds(terms, le):
        lhs = sum(c * known[j] for j, c in terms.items())
        return lhs <= 1e-9 if le else abs(lhs) <= 1e-9

    def search(n):
        if n == len(hidden):
            for i in hidden:
                found[i].add(known[i])
            return
        i, choices = hidden[n], dom[hidden[n]]
        for terms, le in p.relations:
            if not le and i in terms and all(j in known for j in terms if j != i):
                forced = -sum(c * known[j] for j, c in terms.items() if j != i) / terms[i]
                choices = {round(forced)} & choices if abs(forced - round(forced)) < 1e-9 else set()
                break
        for v in choices:
            known[i] = v
            if all(holds(t, le) for t, le in p.relations if i in t and all(j in known for j in t)):
                search(n + 1)
            del known[i]

    search(0)
    return {i: (min(v), max(v)) for i, v in found.items()}


def random_table(seed: int, small_marked: bool) -> tuple[Problem, int]:
    """A 2 x 3 table with row, column and grand totals, small values, a few cells hidden."""
    r = np.random.default_rng(seed)
    inner = r.choice([0, 1, 2, 3, 4, 5, 6, 8], size=(2, 3))
    while inner.sum() < 5:
        inner = r.choice([0, 1, 2, 3, 4, 5, 6, 8], size=(2, 3))
    p = Problem(5, small_marked=small_marked)
    for i, j in itertools.product(range(2), range(3)):
        p.add(("c", i, j), inner[i, j])
    for i in range(2):
        p.add(("r", i), inner[i].sum())
        p.add_sum([("c", i, j) for j in range(3)], ("r", i))
    for j in range(3):
        p.add(("k", j), inner[:, j].sum())
        p.add_sum([("c", i, j) for i in range(2)], ("k", j))
    p.add(("t",), inner.sum(), SHOWN)  # shown: it bounds every cell for brute force
    p.add_sum([("r", i) for i in range(2)], ("t",))
    # hide a few not-small cells as 'x' (as a complementary rule would)
    big = [
        n for n, v, s in zip(p.names, p.values, p.status, strict=True) if s == SHOWN and n[0] == "c"
    ]
    for n in r.permutation(len(big))[: r.integers(1, 3)]:
        p.status[p.cell(big[n])] = SECONDARY
    return p, int(inner.sum())


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("small_marked", [True, False])
def test_ranges_match_brute_force(seed, small_marked):
    p, top = random_table(seed, small_marked)
    truth = brute_force(p, top)
    exact = audit(p, exact=True).ranges
    lp = audit(p).ranges
    for i, (lo, hi) in truth.items():
        assert (exact.at[i, "low"], exact.at[i, "high"]) == (lo, hi), p.names[i]
        assert lp.at[i, "low"] <= lo and lp.at[i, "high"] >= hi  # LP is an outer bound
        if not small_marked:  # a 2-way table with margins is totally unimodular: LP is exact
            assert (lp.at[i, "low"], lp.at[i, "high"]) == (lo, hi), p.names[i]


def test_tiny_case_by_hand_and_by_enumeration():
    """a + b + c = 10 with a, b '<5' and c 'x': c in 5..8, a and b in 1..4 (brute force agrees)."""
    p = Problem(5)
    p.add("a", 3), p.add("b", 2), p.add("c", 5, SECONDARY), p.add("t", 10)
    p.add_sum(["a", "b", "c"], "t")
    r = audit(p).ranges.set_index("name")
    assert (r.loc["c", "low"], r.loc["c", "high"]) == (5, 8)  # 'x' knowledge lifts 2..8 to 5..8
    assert (r.loc["a", "low"], r.loc["a", "high"]) == (1, 4)
    assert brute_force(p, 10) == {0: (1, 4), 1: (1, 4), 2: (5, 8)}
    # what if the total were hidden too: c is 0 or >= 5, unbounded; t >= a + b >= 2, so >= 5
    q = audit(p.hide(["t"])).ranges.set_index("name")
    assert (q.loc["c", "low"], q.loc["c", "high"]) == (0, np.inf) and q.loc["t", "low"] == 5


@pytest.mark.parametrize("seed", range(15))
def test_widen_always_ends_protected_on_random_tables(seed):
    p, _ = random_table(seed, True)
    w = widen(p)
    assert w.audit.ok or w.unresolved
    assert audit(w.problem).ok == w.audit.ok


# --- edge cases ---------------------------------------------------------------------------


def test_no_hidden_cells_and_isolated_or_unbounded_hidden_cells():
    p = Problem(5)
    p.add("a", 10), p.add("b", 20), p.add("t", 30)
    p.add_sum(["a", "b"], "t")
    assert audit(p).ok and audit(p).ranges.empty
    p.add("lone", 3)  # a '<5' in no relation: readers know only 1..4
    p.add("u", 7, SECONDARY), p.add("v", 9, SECONDARY), p.add("w", 2)
    p.add_sum(["w", "u"], "v")  # no published total bounds u or v from above
    r = audit(p).ranges.set_index("name")
    assert (r.loc["lone", "low"], r.loc["lone", "high"]) == (1, 4)
    assert r.loc["u", "high"] == np.inf and r.loc["v", "low"] == 6  # v = w + u, u >= 5 ('x')
    assert audit(p, exact=True).ranges.set_index("name").loc["u", "high"] == np.inf


def test_known_inequalities_narrow_ranges():
    """effective ≤ registered: once registered (2) follows from its total, effective is 1 or 2."""

    def problem(with_order):
        p = Problem(5)
        p.add("registered", 2), p.add("registered b", 30), p.add("registered total", 32)
        p.add("effective", 2)
        p.add_sum(["registered", "registered b"], "registered total")
        if with_order:
            p.add_le("effective", "registered")
        return p

    assert rng(audit(problem(False)), "effective") == (1, 4)
    assert rng(audit(problem(True)), "effective") == (1, 2)
    assert brute_force(problem(True), 40)[3] == (1, 2)
    # the universe adds such orderings per row: effective ≤ registered ≤ workers
    t = pd.DataFrame(
        {"kelurahan": ["a", "b"], "workers": [40, 60], "registered": [8, 30], "effective": [2, 20]}
    )
    t["uncovered"] = t["workers"] - t["effective"]
    counts = ["workers", "registered", "effective", "uncovered"]
    u = Universe(
        "c", 5, tuple(counts), IDS, (("effective", "registered"), ("registered", "workers"))
    )
    u.add_rows("kelurahan", t, "kelurahan")
    u.add_rows("total", t[counts].sum().to_frame().T.assign(total="all"), "total")
    u.nest("kelurahan", t, "kelurahan", "total", None)
    p = u.protect().problem()
    assert sum(le for _terms, le in p.relations) == 2 * 3  # two rows and the total row


def test_widen_stops_and_reports_what_it_cannot_fix():
    """A '<5' cell can never span more than 1..4, so a width of 5 is impossible: widen says so."""
    t = laweyan()
    w = widen(old_rule(universe(t), t), Rule(min_width=5))
    assert not w.audit.ok and w.unresolved
    assert w.rounds < 20


_ORDER = """
import hashlib, sys
from pathlib import Path
from analysis.metrics import coverage
from analysis.month import Month
u = coverage.universe(Month.load(sys.argv[1], Path(sys.argv[2])))
text = repr(u.problem().relations) + repr(sorted(map(repr, u.state.items())))
print(hashlib.sha256(text.encode()).hexdigest())
"""


@pytest.mark.slow  # subprocesses
def test_every_process_protects_a_month_alike(cleaned, demo_dir):
    """Each page runs in its own kernel, with its own string hashing: the relations (and so the
    solvers' ties, and so the hidden cells) must not depend on it, or two pages of one report
    hide different cells of one table and together give a cell away."""
    import os
    import subprocess
    import sys

    from conftest import PERIOD

    out = []
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", _ORDER, PERIOD, str(demo_dir)],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        out.append(run.stdout.strip())
    assert len(set(out)) == 1, out
