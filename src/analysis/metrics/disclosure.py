"""Statistical disclosure control for everything published, and the one gate every table passes.

**Suppression** (`protect`):
1. *primary*: a count of 1 to `min_cell - 1` people is hidden (zero is shown: it says nobody,
   which reveals no one);
2. *complementary*: wherever published totals let a hidden cell be worked out (a kecamatan or
   city total over kelurahan, or a row identity such as covered + uncovered = workers), the
   smallest other cell of that sum is hidden too, repeated until no sum has exactly one hidden
   cell — a first pass only: `analysis.metrics.universe` then protects all tables of the same
   people together and the linear-programming audit (`analysis.metrics.audit`) hides more
   until no '<k' can be narrowed to one value;
3. rates (and, `hide_with`, medians) are hidden when their numerator is hidden or their
   denominator is hidden or below `min_cell`.
`display` renders hidden cells visibly, '<5' for primary and 'x' for complementary
suppression, never as 0.

**The gate** (`gate`): the only way a table reaches a page, a download, the PDF or the cover::

    shown = display(protected, formats)[columns]          # text as it will be published
    published = gate(shown, "coverage.kecamatan",
                     refs=refs_for(protected, {"Pekerja": "workers", ...}),
                     universe=universe)                   # cells with relations (audited)
    published = gate(shown, "affordability.rules", exempt="contribution rules, no people")
    published = gate(shown, "coverage.targets", counts=["Tercakup"])   # counts, no relations

`gate` refuses a table whose text shows a count of 1 to `min_cell − 1` people in a count
column, a hidden cell shown as a number, or a table that says neither which of its columns
hold counts nor why it holds none. It returns a `Published`: the text (`frame`), a content
`digest` that marks the table wherever it goes (the HTML table's `data-disclosure`
attribute, `analysis.pages.text.table`; a download's manifest entry), and `record()`, what
the report's audit needs (cells with their statuses and the relations between them, never a
hidden value). The privacy scanner fails publication on any table without a valid mark.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.settings import DEFAULTS

DEFAULT_MIN_CELL = DEFAULTS.min_cell
SHOWN, PRIMARY, SECONDARY = 0, 1, 2
#: How a complementary-suppressed cell is shown.
HIDDEN_MARK = "x"
#: Where a table's digest goes on the page: `<table data-disclosure="…">`.
MARK_ATTRIBUTE = "data-disclosure"
#: The HTML attribute listing a gated table's count columns (0-based), for the scanner.
COUNTS_ATTRIBUTE = "data-counts"


def is_small(n: object, min_cell: int = DEFAULT_MIN_CELL) -> bool | np.ndarray:
    """The small-count rule, the only place it is written: 1 to min_cell − 1 people may not be
    published (zero is shown: it says nobody, which reveals no one). Scalars or arrays."""
    v = np.asarray(n, dtype="float64")
    small = (v > 0) & (v < min_cell)
    return bool(small) if small.ndim == 0 else small


def small_label(min_cell: int = DEFAULT_MIN_CELL) -> str:
    """How a hidden small count is shown: '<5'."""
    return f"<{min_cell}"


def count_text(n: float, fmt, min_cell: int = DEFAULT_MIN_CELL) -> str:
    """A count as published: formatted, or '<k' when it is small."""
    return small_label(min_cell) if is_small(n, min_cell) else fmt(n)


@dataclass
class Protected:
    """A table with its suppression state per cell (0 shown, 1 primary, 2 complementary).

    `rates` (column → (numerator, denominator)) and `hide_with` (column → count column) say
    which columns follow the counts' states (`refresh`); `refs` names each row's cells in a
    `Universe` ((level, key) per row) when the table belongs to one."""

    table: pd.DataFrame
    state: pd.DataFrame
    min_cell: int
    rates: dict[str, tuple[str, str]] = field(default_factory=dict)
    hide_with: dict[str, str] = field(default_factory=dict)
    refs: list[tuple[str, str]] | None = None

    @property
    def hidden(self) -> pd.DataFrame:
        return self.state > 0

    def values(self) -> pd.DataFrame:
        """The table with hidden cells as NaN (for maps and charts)."""
        out = self.table.copy()
        for col in self.state.columns:
            out[col] = out[col].astype("float64").mask(self.hidden[col])
        return out

    def refresh(self) -> Protected:
        """Recompute the states of rates and `hide_with` columns from the counts' states."""
        for rate, (num, den) in self.rates.items():
            self.state[rate] = _rate_state(self.table, self.state, num, den, self.min_cell)
        for col, count in self.hide_with.items():
            s = self.state[count].where(self.state[count] > 0, 0)
            few = self.table[count].astype("float64").fillna(0) < self.min_cell
            self.state[col] = np.where(few.to_numpy() & (s == 0).to_numpy(), PRIMARY, s)
        return self

    def rows(self, index) -> Protected:
        """The same protection for a subset of rows (e.g. a top-10 list), renumbered 0.."""
        return Protected(
            self.table.loc[index].reset_index(drop=True),
            self.state.loc[index].reset_index(drop=True),
            self.min_cell,
            dict(self.rates),
            dict(self.hide_with),
            None if self.refs is None else [self.refs[i] for i in index],
        )


def _rate_state(table, state, num: str, den: str, min_cell: int) -> np.ndarray:
    """A rate's state: its numerator's if hidden, else hidden when the denominator is small
    ('<k') or hidden ('x'); shown otherwise."""
    den_values = table[den].astype("float64").fillna(0)
    den_small = is_small(den_values, min_cell)  # no denominator: no rate, nothing to hide
    den_hidden = state[den].to_numpy() > 0 if den in state else np.zeros(len(table), dtype=bool)
    rate_state = np.where(den_small, PRIMARY, np.where(den_hidden, SECONDARY, 0))
    n = state[num].to_numpy()
    return np.where(n > 0, n, rate_state)


def _sum_groups(table: pd.DataFrame, groups: list[str | None]) -> list[np.ndarray]:
    """Row index sets whose column sums are published: one per value of each group column, and all rows."""
    sets = []
    for g in groups:
        if g is None:
            sets.append(np.arange(len(table)))
        else:
            sets += [np.flatnonzero(table[g].to_numpy() == v) for v in pd.unique(table[g])]
    return [s for s in sets if len(s) > 1]


def protect(
    table: pd.DataFrame,
    counts: list[str],
    min_cell: int = DEFAULT_MIN_CELL,
    groups: list[str | None] | None = None,
    row_sums: list[tuple[list[str], str]] | None = None,
    rates: dict[str, tuple[str, str]] | None = None,
    hide_with: dict[str, str] | None = None,
) -> Protected:
    """Decide which cells to hide.

    `counts`: count columns (people). `groups`: columns whose groups' totals are published
    (None = the whole table's total), e.g. ["kecamatan", None]. `row_sums`: within-row
    identities, e.g. ([effective, uncovered], workers). `rates`: rate column → (numerator,
    denominator). `hide_with`: column → count column it is hidden with (a median of the
    people counted there; also hidden where that count is below `min_cell`).
    """
    if min_cell < 1:
        raise ValueError("min_cell must be at least 1")
    table = table.reset_index(drop=True)
    groups = [None] if groups is None else groups
    values = table[counts].astype("float64").fillna(0).to_numpy()
    state = np.where(is_small(values, min_cell), PRIMARY, 0)
    col = {c: i for i, c in enumerate(counts)}
    # every linear relation whose total is published: lists of (row, col) cells
    relations: list[list[tuple[int, int]]] = []
    for rows in _sum_groups(table, groups):
        for j in range(len(counts)):
            relations.append([(int(r), j) for r in rows])
    for parts, _total in row_sums or []:
        for r in range(len(table)):
            relations.append([(r, col[p]) for p in parts])
    changed = True
    while changed:
        changed = False
        for cells in relations:
            hidden = [c for c in cells if state[c]]
            if len(hidden) != 1:
                continue
            open_cells = [c for c in cells if not state[c]]
            if not open_cells:
                continue
            # the smallest other cell; prefer non-zero ones (a hidden zero protects little)
            best = min(open_cells, key=lambda c: (values[c] == 0, values[c]))
            state[best] = SECONDARY
            changed = True
    out = pd.DataFrame(state, columns=counts)
    return Protected(table, out, min_cell, dict(rates or {}), dict(hide_with or {})).refresh()


def display(protected: Protected, formats: dict[str, Callable]) -> pd.DataFrame:
    """Render the table as text: formatted values, '<k' for primary and 'x' for complementary suppression."""
    out = protected.table.copy().astype(object)
    for column, fmt in formats.items():
        shown = protected.table[column].map(fmt).astype(object)
        if column in protected.state:
            s = protected.state[column].to_numpy()
            shown = shown.mask(s == PRIMARY, small_label(protected.min_cell)).mask(
                s == SECONDARY, HIDDEN_MARK
            )
        out[column] = shown
    return out


def check_published(protected: Protected, counts: list[str]) -> None:
    """Raise if any published count is between 1 and min_cell - 1 (a guard for tests and reports)."""
    for c in counts:
        v = protected.table[c].astype("float64")
        leak = is_small(v, protected.min_cell) & ~protected.hidden[c]
        if leak.any():
            raise AssertionError(f"column {c}: {int(leak.sum())} small cells would be published")


# ------------------------------------------------------------------ the gate

#: A number as the pages write it (Indonesian or English grouping), for the gate's checks.
_COUNT_TEXT = re.compile(r"^-?\d{1,3}(?:[.,\u202f\u00a0 ]\d{3})*$")


def count_of(text: str) -> int | None:
    """The whole number a cell's text states ('1.234', '1,234', '7'), or None if it states none."""
    text = str(text).strip()
    if not _COUNT_TEXT.match(text):
        return None
    return int(re.sub(r"\D", "", text)) * (-1 if text.startswith("-") else 1)


#: A digest's hex digits written as letters: 16 hex digits may all be decimal and look like a
#: NIK to the privacy scanner (one in ~1,800 tables), so a mark holds no digit at all.
_LETTERS = str.maketrans("0123456789", "ghijklmnop")


def table_digest(columns: Iterable[object], rows: Iterable[Iterable[object]]) -> str:
    """The mark of a gated table: SHA-256 (16 hex digits, written as the letters a–p) of its
    header and cell texts, so a table changed after the gate (or never gated) does not carry a
    valid mark."""
    cells = [[str(c) for c in columns], *[[_cell(v) for v in row] for row in rows]]
    blob = json.dumps(cells, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:16].translate(_LETTERS)


def _cell(v: object) -> str:
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)


@dataclass(frozen=True)
class Published:
    """A table that passed the gate: its text, its mark, and what the audit needs."""

    name: str
    frame: pd.DataFrame
    counts: tuple[str, ...]
    digest: str
    cells: tuple[tuple, ...] = ()  # (level, key, measure, status, value|None, flag) per cell
    universe: dict | None = None  # the universe's relations (Universe.spec())
    local: tuple[
        tuple[int, str, int], ...
    ] = ()  # (row, column, status) of counts without relations
    exempt: str | None = None

    def record(self) -> dict:
        """What the report collects from every published table: name, mark, count columns,
        cells with statuses (values only where shown) and the universe's relations."""
        return {
            "name": self.name,
            "digest": self.digest,
            "counts": [list(self.frame.columns).index(c) for c in self.counts],
            "exempt": self.exempt,
            "universe": self.universe,
            "cells": [list(c) for c in self.cells],
            "local": [list(c) for c in self.local],
            "min_cell": (self.universe or {}).get("min_cell"),
        }

    def csv_bytes(self) -> bytes:
        """The table as a download: its text exactly as gated, UTF-8 CSV without an index (the
        scanner recomputes the mark from these cells)."""
        return self.frame.to_csv(index=False, lineterminator="\n").encode("utf-8")

    def download_entry(self, file: str, data: bytes) -> dict:
        """The manifest entry that marks this table written as a download: `file` relative to
        the published folder, `data` the file's bytes (the frame's text, e.g. `csv_bytes()`)."""
        return download_entry(self.record(), file, data)


def download_entry(record: dict, file: str, data: bytes) -> dict:
    """The manifest entry that marks a gated table written as a download (`record`: its
    `Published.record()`; `file` relative to the published folder; `data` the file's bytes,
    whose cells are the gated text): what the privacy scanner checks the file against."""
    return {
        "file": file,
        "table": record["name"],
        "digest": record["digest"],
        "counts": list(record["counts"]),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def refs_for(
    protected: Protected, columns: dict[str, str], rows: Iterable[int] | None = None
) -> dict[str, list[tuple[str, str, str]]]:
    """The universe cells of a displayed table's count columns: {shown column: measure} →
    {shown column: [(level, key, measure) per row]} (rows of `protected`, all by default)."""
    if protected.refs is None:
        raise ValueError("this table is not part of a universe (protect it with one)")
    rows = range(len(protected.table)) if rows is None else list(rows)
    return {col: [(*protected.refs[i], m) for i in rows] for col, m in columns.items()}


def gate(
    frame: pd.DataFrame,
    name: str,
    *,
    refs: dict[str, list[tuple[str, str, str] | None]] | None = None,
    universe=None,
    counts: Iterable[str] = (),
    exempt: str | None = None,
    min_cell: int | None = None,
    derived: Iterable[str] = (),
) -> Published:
    """Check a table as it will be published and mark it (see the module docstring).

    `refs` (with `universe`): per count column, each row's cell (level, key, measure) in the
    universe, whose final states decide what must be hidden. `derived`: columns of `refs` that
    show a share of the referenced count (a rate beside its denominator reveals the count): a
    hidden cell may show either symbol there. `counts`: other columns of people counts
    (checked: no count of 1 to min_cell − 1 shown). `exempt`: why a table holds no counts of
    people at all (data-quality rows, rules, prices)."""
    refs, counts, derived = dict(refs or {}), tuple(counts), set(derived)
    if not refs and not counts and not (exempt and exempt.strip()):
        raise ValueError(f"table {name}: say which columns hold counts of people, or why none do")
    if refs and universe is None:
        raise ValueError(f"table {name}: cells given without their universe")
    k = min_cell or (universe.min_cell if universe is not None else DEFAULT_MIN_CELL)
    frame = frame.reset_index(drop=True).astype(object).where(frame.notna().to_numpy(), "")
    frame.columns = [str(c) for c in frame.columns]
    cells = []
    for col, col_refs in refs.items():
        for i, ref in enumerate(col_refs):
            cell = (
                None
                if ref is None
                else _checked(name, frame.at[i, col], ref, universe, k, col in derived)
            )
            if cell is not None:
                cells.append(cell)
    local = [
        (i, col, _local_status(name, frame.at[i, col], k))
        for col in counts
        for i in range(len(frame))
    ]
    return Published(
        name,
        frame,
        tuple(c for c in refs if c not in derived) + counts,
        table_digest(frame.columns, frame.itertuples(index=False)),
        tuple(cells),
        universe.spec() if universe is not None else None,
        tuple(local),
        exempt.strip() if exempt and not refs and not counts else None,
    )


def _checked(name: str, text: object, ref, universe, k: int, derived: bool = False) -> tuple | None:
    """One universe cell as published, checked against its state: (level, key, measure, status,
    value if shown, group-rule flag); None where a derived share does not give it."""
    status, value, flag = universe.cell(*ref)
    text, symbols = str(text), (small_label(k), HIDDEN_MARK)
    expected = {PRIMARY: small_label(k), SECONDARY: HIDDEN_MARK}.get(status)
    if expected is not None and text != expected and not (derived and text in symbols):
        raise ValueError(f"table {name}: cell {ref} is hidden but shown as {text!r}")
    if status == SHOWN and derived and text in symbols:
        return None  # a share hidden for its denominator: this table does not give the count
    if status == SHOWN and (text in symbols or is_small(value, k)):
        raise ValueError(f"table {name}: cell {ref} is {text!r} against its state")
    return (*ref, status, int(value) if status == SHOWN else None, int(flag))


def _local_status(name: str, text: object, k: int) -> int:
    """The status a count column's text shows; a shown count of 1 to k − 1 is refused."""
    text = str(text).strip()
    if text == small_label(k):
        return PRIMARY
    if text == HIDDEN_MARK:
        return SECONDARY
    n = count_of(text.split(" ")[0])
    if n is not None and is_small(n, k):
        raise ValueError(f"table {name}: a count of {n} people would be published")
    return SHOWN
