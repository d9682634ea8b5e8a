"""Statistical disclosure control for everything published: small cells, complements, rates.

Every published table and map goes through `protect`:
1. *primary* suppression: a count of 1 to `min_cell - 1` people is hidden (zero is shown:
   it says nobody, which reveals no one);
2. *complementary* suppression: wherever published totals let a hidden cell be worked out
   (a kecamatan or city total over kelurahan, or a row identity such as covered + uncovered =
   workers), the smallest other cell of that sum is hidden too, repeated until no sum has
   exactly one hidden cell;
3. rates are hidden when their numerator is hidden or their denominator is below `min_cell`.
`display` then renders hidden cells visibly, '<5' for primary and 'x' for complementary
suppression, never as 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.settings import DEFAULTS

DEFAULT_MIN_CELL = DEFAULTS.min_cell
PRIMARY, SECONDARY = 1, 2


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
    """A table with its suppression state per cell (0 shown, 1 primary, 2 complementary)."""

    table: pd.DataFrame
    state: pd.DataFrame
    min_cell: int

    @property
    def hidden(self) -> pd.DataFrame:
        return self.state > 0

    def values(self) -> pd.DataFrame:
        """The table with hidden cells as NaN (for maps and charts)."""
        out = self.table.copy()
        for col in self.state.columns:
            out[col] = out[col].astype("float64").mask(self.hidden[col])
        return out


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
) -> Protected:
    """Decide which cells to hide.

    `counts`: count columns (people). `groups`: columns whose groups' totals are published
    (None = the whole table's total), e.g. ["kecamatan", None]. `row_sums`: within-row
    identities, e.g. ([effective, uncovered], workers). `rates`: rate column → (numerator,
    denominator).
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
    for rate, (num, den) in (rates or {}).items():
        den_values = table[den].astype("float64").fillna(0)
        den_small = is_small(den_values, min_cell)  # no denominator: no rate, nothing to hide
        den_hidden = out[den].to_numpy() > 0 if den in out else np.zeros(len(table), dtype=bool)
        rate_state = np.where(den_small, PRIMARY, np.where(den_hidden, SECONDARY, 0))
        out[rate] = np.where(out[num].to_numpy() > 0, out[num].to_numpy(), rate_state)
    return Protected(table, out, min_cell)


def display(protected: Protected, formats: dict[str, callable]) -> pd.DataFrame:
    """Render the table as text: formatted values, '<k' for primary and 'x' for complementary suppression."""
    out = protected.table.copy().astype(object)
    for column, fmt in formats.items():
        shown = protected.table[column].map(fmt).astype(object)
        if column in protected.state:
            s = protected.state[column].to_numpy()
            shown = shown.mask(s == PRIMARY, small_label(protected.min_cell)).mask(
                s == SECONDARY, "x"
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
