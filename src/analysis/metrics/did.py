"""Difference in differences for staggered visits: what a visit changed, against places not yet visited.

Method, and why
---------------
- **Staggered visits.** Kelurahan are visited in different months. The usual regression with
  one "visited" dummy and kelurahan and month fixed effects then also compares kelurahan visited
  later with kelurahan visited earlier, and is biased when the effect changes with time since
  the visit (Goodman-Bacon 2021; de Chaisemartin & D'Haultfœuille 2020). Instead, the
  **extended two-way fixed effects** regression of Wooldridge (2021) is used: the outcome on
  kelurahan dummies, month dummies, and one dummy per *cell* — a cohort (kelurahan first
  visited in the same month) in one month from its visit on. Each cell's coefficient is that
  cohort's effect in that month (ATT(g,t), Callaway & Sant'Anna 2021). The kelurahan and month
  effects are then estimated only from observations not yet visited — never-visited kelurahan
  and every kelurahan before its first visit — so a visit is compared only with places not yet
  visited; this is the imputation estimator of Borusyak, Jaravel & Spiess (2024).
- **Aggregation.** The overall effect is the average of the cells weighted by the kelurahan in
  each (Callaway & Sant'Anna's "simple" aggregation); by months since the visit likewise (the
  event study), and by dose group when cells are split by attendance.
- **Before the visit (leads).** With `leads=True` every cohort also gets a dummy for each month
  before its visit except the last one (the reference): the interaction-weighted event study of
  Sun & Abraham (2021), whose pre-visit estimates near zero support parallel trends.
- **Errors** are clustered by kelurahan (CR1: the sandwich times G/(G−1)·(N−1)/(N−K)), where K
  leaves out the kelurahan dummies, which are nested in the clusters (as R's fixest and Stata's
  reghdfe do; counting them, as plain OLS on dummies does, inflates the variance by a third with
  four months of data). Intervals use Student's t with G−1 degrees of freedom. With few
  visited kelurahan such intervals are too narrow (MacKinnon & Webb 2017), so `permutation_p`
  reassigns the visit months among kelurahan and counts how often an effect at least as large
  appears by chance.
- Kelurahan first visited in or before the first month of data have no month before their
  visit to compare with, and are left out; a cell whose month has no kelurahan not yet visited
  cannot be estimated, and its observations are left out too.
- **How much data is needed** (`min_detectable`, `needed`): the smallest effect a design finds
  with 80% power at the 5% level, from the variance of a DiD with N_T visited and N_C other
  kelurahan over T months (half before, half after): σ²·(1/N_T + 1/N_C)·(4/T) (Bloom 1995),
  scaled to the standard error actually observed when there is a fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

ALPHA = 0.05
POWER = 0.80
PERMUTATIONS = 499
SEED = 2019
#: The dose groups of `dose_groups`, low to high.
DOSE_GROUPS = ("fewer", "more")


@dataclass
class Estimate:
    """An aggregated effect: value, standard error, 95% interval (t with `df`), what it averages."""

    value: float
    se: float
    lo: float
    hi: float
    df: int
    cells: int
    units: int

    @classmethod
    def of(cls, value: float, se: float, df: int, cells: int, units: int) -> Estimate:
        q = stats.t.ppf(1 - ALPHA / 2, df) if df > 0 else math.nan
        return cls(value, se, value - q * se, value + q * se, df, cells, units)


@dataclass
class Fit:
    """One regression: the cells' effects, their cluster-robust covariance, and its size."""

    cells: pd.DataFrame  # cohort, time, event, group, units, coef, se
    vcov: np.ndarray
    n_obs: int
    n_clusters: int
    n_params: int
    sigma2: float  # residual variance (for the power calculation)

    @property
    def df(self) -> int:
        return self.n_clusters - 1

    def aggregate(self, mask: pd.Series | np.ndarray | None = None) -> Estimate | None:
        """The unit-weighted average of the chosen cells (all after-visit cells by default)."""
        keep = (
            self.cells["event"].ge(0) if mask is None else pd.Series(mask, index=self.cells.index)
        )
        keep = keep.to_numpy(dtype=bool)
        if not keep.any():
            return None
        w = np.where(keep, self.cells["units"].to_numpy(dtype="float64"), 0.0)
        w = w / w.sum()
        value = float(w @ self.cells["coef"].to_numpy())
        se = float(np.sqrt(max(w @ self.vcov @ w, 0.0)))
        units = int(self.cells.loc[keep].drop_duplicates(["cohort", "group"])["units"].sum())
        return Estimate.of(value, se, self.df, int(keep.sum()), units)

    def by_event(self) -> pd.DataFrame:
        """The event study: the effect by months since the first visit (event 0 = the visit month)."""
        rows = []
        for e in sorted(self.cells["event"].unique()):
            est = self.aggregate(self.cells["event"].eq(e))
            rows.append({"event": int(e), **vars(est)})
        return pd.DataFrame(rows)

    def by_group(self) -> dict[str, Estimate | None]:
        """The after-visit effect of each group of cells (e.g. dose groups)."""
        after = self.cells["event"].ge(0)
        return {
            g: self.aggregate(after & self.cells["group"].eq(g))
            for g in self.cells["group"].dropna().unique()
        }


def _usable(t: np.ndarray, cohort: np.ndarray, leads: bool) -> np.ndarray:
    """Rows that can be used: not of kelurahan with no month before their visit, and not after a
    visit in a month with no kelurahan left to compare with (never visited for `leads`; else
    never or not yet visited)."""
    first = t.min()
    keep = ~(cohort <= first)
    never = np.isnan(cohort) & keep
    months = np.unique(t[keep])
    if leads:
        ok = np.isin(months, t[never])
    else:
        ok = np.array([(never | (keep & (cohort > m))).any() for m in months], dtype=bool)
    visited = t >= cohort
    return keep & (~visited | np.isin(t, months[ok]))


def _sandwich(x: np.ndarray, y: np.ndarray, cluster: np.ndarray, n_clusters: int, errors: bool):
    """OLS coefficients, their CR1 cluster-robust covariance (when `errors`), and the residual
    variance; None when the design is not of full rank."""
    n, p = x.shape
    xtx = x.T @ x
    if np.linalg.matrix_rank(xtx) < p:
        return None  # some cell cannot be told apart from the fixed effects
    bread = np.linalg.inv(xtx)
    beta = bread @ (x.T @ y)
    if not errors:
        return beta, None, math.nan
    resid = y - x @ beta
    member = np.zeros((n_clusters, n))
    member[cluster, np.arange(n)] = 1.0
    scores = member @ (x * resid[:, None])  # one row of X'u per cluster (kelurahan)
    g, k = n_clusters, p - n_clusters + 1  # kelurahan dummies are nested in the clusters
    c = g / (g - 1) * (n - 1) / (n - k) if n > k and g > 1 else math.nan
    sigma2 = float(resid @ resid / (n - p)) if n > p else math.nan
    return beta, c * bread @ (scores.T @ scores) @ bread, sigma2


@dataclass
class _Data:
    """A panel as arrays: outcome, month, first-visit month, cell group and unit code per row."""

    y: np.ndarray
    t: np.ndarray
    cohort: np.ndarray
    label: np.ndarray
    unit: np.ndarray

    @classmethod
    def of(cls, panel, outcome, unit, time, cohort, group) -> _Data:
        label = panel[group].astype(str).to_numpy() if group else np.full(len(panel), "all")
        return cls(
            panel[outcome].to_numpy(dtype="float64"),
            panel[time].to_numpy(dtype="int64"),
            panel[cohort].to_numpy(dtype="float64"),
            label.astype(str),
            pd.factorize(panel[unit])[0],
        )


@dataclass
class _Solved:
    """The cells of one regression (cohort, month, group code), their coefficients, covariance
    and sizes (visited units in the cell's cohort and group)."""

    cells: np.ndarray
    coef: np.ndarray
    vcov: np.ndarray | None
    units: np.ndarray
    n: int
    clusters: int
    params: int
    sigma2: float
    names: np.ndarray  # the group label of each group code

    def overall(self) -> float:
        after = self.cells[:, 1] >= self.cells[:, 0]
        w = np.where(after, self.units, 0.0)
        return float(w @ self.coef / w.sum())


def _solve(d: _Data, leads: bool, errors: bool = True) -> _Solved | None:
    """The extended two-way fixed effects regression on arrays (see the module's notes)."""
    rows = np.isfinite(d.y)
    rows[rows] = _usable(d.t[rows], d.cohort[rows], leads)
    y, t, g_all, label = d.y[rows], d.t[rows], d.cohort[rows], d.label[rows]
    units, u_code = np.unique(d.unit[rows], return_inverse=True)
    event = t - g_all
    with np.errstate(invalid="ignore"):
        has = (event >= 0) | (leads & (event <= -2))
    if not has.any() or len(units) < 3:
        return None
    names, l_code = np.unique(label, return_inverse=True)
    cells, c_code = np.unique(
        np.column_stack([g_all[has], t[has], l_code[has]]), axis=0, return_inverse=True
    )
    times, t_code = np.unique(t, return_inverse=True)
    n, k_u, k_t = len(y), len(units), len(times) - 1
    x = np.zeros((n, k_u + k_t + len(cells)))
    x[np.arange(n), u_code] = 1.0
    later = np.flatnonzero(t_code > 0)
    x[later, k_u + t_code[later] - 1] = 1.0
    x[np.flatnonzero(has), k_u + k_t + c_code.ravel()] = 1.0
    solved = _sandwich(x, y, u_code, k_u, errors)
    if solved is None:
        return None
    beta, vcov, sigma2 = solved
    visited = np.unique(np.column_stack([u_code, g_all, l_code])[~np.isnan(g_all)], axis=0)
    groups, size = np.unique(visited[:, 1:], axis=0, return_counts=True)
    at = {(a, b): c for (a, b), c in zip(map(tuple, groups), size, strict=True)}
    sizes = np.array([at[(c, lc)] for c, lc in zip(cells[:, 0], cells[:, 2], strict=True)])
    sel = slice(k_u + k_t, None)
    vc = None if vcov is None else vcov[sel, sel]
    return _Solved(cells, beta[sel], vc, sizes, n, k_u, x.shape[1], sigma2, names)


def fit(
    panel: pd.DataFrame,
    outcome: str,
    unit: str = "unit",
    time: str = "t",
    cohort: str = "cohort",
    group: str | None = None,
    leads: bool = False,
) -> Fit | None:
    """Estimate every cohort × month effect of a panel (one row per unit and month).

    `cohort` is the month (same numbering as `time`) of the unit's first visit, missing for units
    never visited; `group` optionally splits the visited units' cells (dose groups). Returns None
    when there is nothing to estimate (no visited unit with a month before its visit, or no unit
    to compare with).
    """
    s = _solve(_Data.of(panel, outcome, unit, time, cohort, group), leads)
    if s is None:
        return None
    out = pd.DataFrame(
        {
            "cohort": s.cells[:, 0].astype("int64"),
            "t": s.cells[:, 1].astype("int64"),
            "event": (s.cells[:, 1] - s.cells[:, 0]).astype("int64"),
            "group": s.names[s.cells[:, 2].astype("int64")],
            "units": s.units.astype("int64"),
            "coef": s.coef,
            "se": np.sqrt(np.clip(np.diag(s.vcov), 0, None)),
        }
    )
    order = np.lexsort((out["cohort"].to_numpy(), out["event"].to_numpy()))
    out = out.iloc[order].reset_index(drop=True)
    return Fit(out, s.vcov[np.ix_(order, order)], s.n, s.clusters, s.params, s.sigma2)


def permutation_p(
    panel: pd.DataFrame,
    outcome: str,
    observed: float,
    unit: str = "unit",
    time: str = "t",
    cohort: str = "cohort",
    n: int = PERMUTATIONS,
    seed: int = SEED,
) -> float:
    """How often an effect at least as large (in absolute value) appears when the visit months are
    given to other kelurahan at random (each kelurahan keeps its own outcomes): (1 + hits)/(1 + n)."""
    rng = np.random.default_rng(seed)
    d = _Data.of(panel, outcome, unit, time, cohort, None)
    first = np.unique(d.unit, return_index=True)[1]
    per_unit = d.cohort[first]
    hits = done = 0
    for _ in range(n):
        shuffled = rng.permutation(per_unit)[d.unit]
        s = _solve(_Data(d.y, d.t, shuffled, d.label, d.unit), leads=False, errors=False)
        if s is None:
            continue
        done += 1
        hits += abs(s.overall()) >= abs(observed) - 1e-12
    return (1 + hits) / (1 + done)


def dose_groups(dose: pd.Series) -> pd.Series:
    """Split visited units into fewer / more attendees than their median (ties go to 'fewer')."""
    median = dose.median()
    return pd.Series(np.where(dose > median, DOSE_GROUPS[1], DOSE_GROUPS[0]), index=dose.index)


# ---------------------------------------------------------------- how much data is needed


def _multiplier(df: int = 200) -> float:
    """t_{1−α/2} + t_{power}: standard errors between the effect and zero for 80% power at 5%."""
    return float(stats.t.ppf(1 - ALPHA / 2, df) + stats.t.ppf(POWER, df))


def design_se(sigma2: float, visited: int, others: int, months: int) -> float:
    """The standard error of a DiD with `visited` and `others` kelurahan over `months` months, half
    before and half after the visits, for residual variance `sigma2` (Bloom 1995)."""
    if visited < 1 or others < 1 or months < 2:
        return math.inf
    return math.sqrt(sigma2 * (1 / visited + 1 / others) * 4 / months)


def min_detectable(
    sigma2: float, visited: int, others: int, months: int, scale: float = 1.0
) -> float:
    """The smallest effect found with 80% power at the 5% level (`scale`: observed / design SE)."""
    return (
        _multiplier(max(visited + others - 1, 1))
        * design_se(sigma2, visited, others, months)
        * scale
    )


def needed(
    sigma2: float,
    effect: float,
    units: int,
    visited: int,
    months: int,
    scale: float = 1.0,
    max_months: int = 120,
) -> dict[str, int | None]:
    """What it takes to find `effect`: months of data with the kelurahan visited so far (or with a
    third of all kelurahan visited, when fewer than two are), and kelurahan to visit with the
    months there are (at least two). None where even the maximum would not do."""
    base = visited if visited >= 2 else max(2, units // 3)
    need_months = next(
        (
            m
            for m in range(2, max_months + 1)
            if min_detectable(sigma2, base, units - base, m, scale) <= effect
        ),
        None,
    )
    at = max(months, 2)
    need_visited = next(
        (
            v
            for v in range(2, units - 1)
            if min_detectable(sigma2, v, units - v, at, scale) <= effect
        ),
        None,
    )
    return {
        "months": need_months,
        "months_with_visited": base,
        "visited": need_visited,
        "visited_with_months": at,
    }
