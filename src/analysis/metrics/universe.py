"""The tables published about one population, protected together and audited together.

A `Universe` is every count published about the same people (for coverage: kelurahan,
kecamatan, the city, sectors and size classes of the registry's workers) with what readers
know links them: totals (a kecamatan is the sum of its kelurahan, the city of its kecamatan,
of its sectors, of its size classes), row identities (effective + uncovered = workers) and
orderings (effective ≤ active ≤ registered ≤ workers). A cell is named (level, key, measure),
so the same number in two tables is one cell.

`Universe.protect` decides what every table of the universe hides, jointly: the first-pass
rule of `disclosure.protect` per level, the group-disclosure rule (a group of fewer than
`min_group` people where everyone or no one has the attribute is not stated: '0 of 16
covered' becomes '<5', fewer than five — unless the published totals say it of a larger group
anyway, 'none in the whole city'), then `audit.widen` until no '<k' (and no hidden zero of the group
rule) can be narrowed to one value by linear programming over all the totals. Tables for the
pages are then cut from it (`protected`), and `disclosure.gate` records each published cell
with the universe's relations (`spec`, never a hidden value). At the end of a report,
`audit_records` rebuilds the attacker's problem from those records alone — pages and
downloads together — and the report is not published if any cell can be narrowed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.metrics.audit import (
    FREE,
    KEEP,
    ZERO_OK,
    AuditResult,
    Problem,
    Rule,
    Widened,
    audit,
    widen,
)
from analysis.metrics.disclosure import PRIMARY, SECONDARY, SHOWN, Protected, protect
from analysis.reference import DEFAULT_REGION

Row = tuple[str, str]  # (level, key)


@dataclass
class Universe:
    """Counts about one population, the relations between them, and their suppression state."""

    name: str
    min_cell: int
    measures: tuple[str, ...]
    identities: tuple[tuple[tuple[str, ...], str], ...] = ()
    at_most: tuple[tuple[str, str], ...] = ()
    groups: tuple[tuple[str, str], ...] = ()  # (part, whole) pairs of the group-disclosure rule
    min_group: int = 0
    values: dict[Row, dict[str, int]] = field(default_factory=dict)
    published: dict[Row, tuple[str, ...]] = field(default_factory=dict)
    sums: list[tuple[Row, list[Row]]] = field(default_factory=list)
    state: dict[tuple[str, str, str], int] = field(default_factory=dict)
    flags: dict[tuple[str, str, str], int] = field(default_factory=dict)  # the group rule's
    widened: Widened | None = None

    # -- building ---------------------------------------------------------------------------

    def add_rows(
        self, level: str, table: pd.DataFrame, key: str, published: tuple[str, ...] | None = None
    ) -> Universe:
        """One level's rows (keyed by column `key`) with their true counts; `published`: the
        measures its tables show (default: every measure the table has)."""
        shown = tuple(m for m in (self.measures if published is None else published) if m in table)
        for row in table.itertuples(index=False):
            r = row._asdict()
            self.values[(level, str(r[key]))] = {
                m: int(r[m]) for m in self.measures if m in r and pd.notna(r[m])
            }
            self.published[(level, str(r[key]))] = shown
        return self

    def nest(
        self, child: str, table: pd.DataFrame, key: str, parent: str, parent_key: str | None
    ) -> Universe:
        """Each `parent` row is the sum of its `child` rows (`parent_key`: the column of `table`
        naming the parent; None: one parent row, 'all')."""
        groups = table.groupby(parent_key, sort=False)[key] if parent_key else [("all", table[key])]
        for p, members in groups:
            self.sums.append(((parent, str(p)), [(child, str(m)) for m in members]))
        return self

    # -- protecting -------------------------------------------------------------------------

    def protect(self, rule: Rule | None = None) -> Universe:
        """Decide the state of every cell (see the module docstring); records what `widen` added."""
        self.state, self.flags, self.maybe_zero = {}, {}, set()
        for level in dict.fromkeys(level for level, _ in self.values):
            self._first_pass(level)
        self._group_rule()
        w = widen(self.problem(), rule or Rule())
        # a 'none'/'all' the group rule hid (never a small count: that stays hidden)
        pinned = [c for c in w.unresolved if c in self.flags and c not in self.maybe_zero]
        if pinned:  # the totals say it of a larger group anyway ('none in the city'): show it
            for c in pinned:
                self.state.pop(c, None), self.flags.pop(c)
            w = widen(self.problem(), rule or Rule())
        self.widened = w
        for name, status in zip(w.problem.names, w.problem.status, strict=True):
            if status in (PRIMARY, SECONDARY):
                self.state[name] = status
        return self

    def _first_pass(self, level: str) -> None:
        """disclosure.protect over one level's rows: its own totals and row identities."""
        rows = [r for r in self.values if r[0] == level]
        parent = {c: p for p, children in self.sums for c in children}
        measures = [m for m in self.measures if any(m in self.values[r] for r in rows)]
        frame = pd.DataFrame([self.values[r] for r in rows], columns=measures).fillna(0)
        frame["_parent"] = [str(parent.get(r, "")) for r in rows]
        ids = [(list(p), w) for p, w in self.identities if {*p, w} <= set(measures)]
        p = protect(frame, measures, self.min_cell, groups=["_parent"], row_sums=ids)
        for i, r in enumerate(rows):
            for m in measures:
                if p.state.at[i, m] and m in self.published[r]:
                    self.state[(*r, m)] = int(p.state.at[i, m])

    def _group_rule(self) -> None:
        """In a group of fewer than `min_group` people, 'none' and 'all' are not stated: a zero
        (none have it; or, through effective + uncovered = workers, none lack it) is shown as
        '<k' (fewer than k) and must not be narrowed to one value; 'all' without such a
        complement is hidden as 'x' and must not be worked out either. Readers cannot rule out
        that rule for any group the true size of which is under `min_group`, so there every '<k'
        may be 0 for them too (the audit's attacker is told no more than readers are)."""
        for r, v in self.values.items():
            for part, whole in self.groups:
                n, w = v.get(part), v.get(whole)
                if n is None or not w or w >= self.min_group:
                    continue
                cell = (*r, part)
                if 0 < n < self.min_cell and self.state.get(cell) == PRIMARY:
                    self.flags.setdefault(cell, ZERO_OK)
                    self.maybe_zero.add(cell)
                if n not in (0, w):
                    continue
                zeros = (
                    [part] if n == 0 else [m for m in self._complements(part, whole) if m != part]
                )
                if n == w and not zeros:
                    self._flag((*r, part), SECONDARY, KEEP)
                for m in zeros:
                    self._flag((*r, m), PRIMARY, ZERO_OK)

    def _flag(self, cell: tuple[str, str, str], status: int, flag: int) -> None:
        if cell[2] in self.published[cell[:2]] and self.state.get(cell) != PRIMARY:
            self.state[cell], self.flags[cell] = status, flag

    def _complements(self, part: str, whole: str) -> list[str]:
        """The other parts of the identities that make up `whole` with `part` (uncovered)."""
        return [m for parts, w in self.identities if w == whole and part in parts for m in parts]

    def problem(self, true_values: bool = True) -> Problem:
        """The attacker's problem: every cell (published or FREE) and every relation."""
        p = Problem(self.min_cell)
        for r, vals in self.values.items():
            for m in self.measures:
                if m not in vals:
                    continue
                status = self.state.get((*r, m), SHOWN) if m in self.published[r] else FREE
                value = vals[m] if true_values or status == SHOWN else None
                p.add((*r, m), value, status, self.flags.get((*r, m), 0))
        _relations(p, self.spec())
        return p

    # -- using ------------------------------------------------------------------------------

    def cell(self, level: str, key: str, measure: str) -> tuple[int, int, int]:
        """(status, true value, group-rule flag) of one cell."""
        r = (level, str(key))
        if measure not in self.published.get(r, ()):
            raise KeyError(f"{self.name}: cell {(level, key, measure)} is not published")
        c = (level, str(key), measure)
        return self.state.get(c, SHOWN), self.values[r][measure], self.flags.get(c, 0)

    def protected(
        self,
        level: str,
        table: pd.DataFrame,
        key: str,
        rates: dict | None = None,
        hide_with: dict | None = None,
    ) -> Protected:
        """A table of one level's rows (any order or subset) with the universe's states."""
        t = table.reset_index(drop=True)
        refs = [(level, str(k)) for k in t[key]]
        cols = [m for m in self.measures if m in t]
        state = pd.DataFrame(
            [[self.state.get((*r, m), SHOWN) for m in cols] for r in refs], columns=cols
        ).astype("int64")
        p = Protected(t, state, self.min_cell, dict(rates or {}), dict(hide_with or {}), refs)
        return p.refresh()

    def spec(self) -> dict:
        """The relations readers know (no values): what the audit of a report needs."""
        return {
            "name": self.name,
            "min_cell": self.min_cell,
            "measures": list(self.measures),
            "identities": [[list(p), w] for p, w in self.identities],
            "at_most": [list(pair) for pair in self.at_most],
            "sums": [[list(p), [list(c) for c in children]] for p, children in self.sums],
        }


def _relations(p: Problem, spec: dict) -> None:
    """Add a universe's relations to a problem whose cells are (level, key, measure)."""
    measures = spec["measures"]
    for parent, children in spec["sums"]:
        for m in measures:
            names = [(*c, m) for c in children]
            if (*parent, m) in p.index and all(n in p.index for n in names):
                p.add_sum(names, (*parent, m))
    rows = dict.fromkeys(name[:2] for name in p.names if len(name) == 3)  # in order: ties in
    # the solvers would otherwise break differently in each process (the pages must agree)
    for r in rows:
        for parts, whole in spec["identities"]:
            if all((*r, m) in p.index for m in [*parts, whole]):
                p.add_sum([(*r, m) for m in parts], (*r, whole))
        for small, big in spec["at_most"]:
            if (*r, small) in p.index and (*r, big) in p.index:
                p.add_le((*r, small), (*r, big))


# ------------------------------------------------------------------ the report's audit


def universe_name(base: str, region: str) -> str:
    """A universe's name in a report: one per kabupaten/kota of a region ('coverage@klaten'),
    since each has its own desa and totals; the city's keeps the plain name."""
    return base if region == DEFAULT_REGION else f"{base}@{region}"


@dataclass
class RecordsAudit:
    """The audit of a report's published tables: per universe, the attacker's ranges."""

    tables: int
    results: dict[str, AuditResult]
    local_hidden: int

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results.values())

    @property
    def weak(self) -> pd.DataFrame:
        parts = [r.weak.assign(universe=u) for u, r in self.results.items()]
        return pd.concat(parts) if parts else pd.DataFrame()

    def summary(self) -> dict:
        """Figures for the log and the manifest: tables, hidden cells, the narrowest range."""
        hidden = [r.hidden for r in self.results.values()]
        small = [h[h["status"] == PRIMARY] for h in hidden]
        widths = [float((s["high"] - s["low"]).min()) for s in small if len(s)]
        return {
            "tables": self.tables,
            "hidden_cells": int(sum(len(h) for h in hidden)) + self.local_hidden,
            "small_cells": int(sum(len(s) for s in small)),
            "narrowest_range": min(widths) + 1 if widths else None,  # values a '<k' may take
            "weak_cells": int(sum(len(r.weak) for r in self.results.values())),
        }


def records_problems(records: list[dict]) -> dict[str, Problem]:
    """The attacker's problem per universe from the published tables' records alone."""
    specs: dict[str, dict] = {}
    cells: dict[str, dict] = defaultdict(dict)
    for rec in records:
        u = rec.get("universe")
        if not u:
            continue
        if specs.setdefault(u["name"], u) != u:
            raise ValueError(f"universe {u['name']} published with different relations")
        for level, key, measure, status, value, flag in rec["cells"]:
            c, seen = (level, key, measure), cells[u["name"]].get((level, key, measure))
            cells[u["name"]][c] = _merge(seen, (status, value, flag), c)
    problems = {}
    for name, spec in specs.items():
        p = Problem(spec["min_cell"])
        rows = {tuple(c[:2]) for c in cells[name]}
        rows |= {tuple(parent) for parent, _ in spec["sums"]}
        rows |= {tuple(c) for _, children in spec["sums"] for c in children}
        for r in sorted(rows):
            for m in spec["measures"]:
                status, value, flag = cells[name].get((*r, m), (FREE, None, 0))
                p.add((*r, m), value, status, flag)
        _relations(p, spec)
        problems[name] = p
    return problems


def _merge(seen, new, cell) -> tuple:
    """One cell published in two tables: shown wins (it is known), then '<k', then 'x'."""
    if seen is None:
        return tuple(new)
    if seen[0] == SHOWN and new[0] == SHOWN and seen[1] != new[1]:
        raise ValueError(f"cell {cell} published with two values")
    rank = {SHOWN: 0, PRIMARY: 1, SECONDARY: 2}
    best = min(seen, new, key=lambda s: rank[s[0]])
    return (best[0], best[1], max(seen[2], new[2]))


def audit_records(records: list[dict], rule: Rule | None = None) -> RecordsAudit:
    """Audit every published table of a report together (see the module docstring)."""
    results = {name: audit(p, rule or Rule()) for name, p in records_problems(records).items()}
    local = sum(1 for rec in records for _r, _c, s in rec.get("local", []) if s)
    return RecordsAudit(len(records), results, local)


def narrowest(result: AuditResult) -> float:
    """The fewest values any '<k' cell may take (∞ when there is none)."""
    h = result.hidden
    h = h[h["status"] == PRIMARY]
    return float((h["high"] - h["low"]).min() + 1) if len(h) else np.inf
