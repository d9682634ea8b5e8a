"""Premium affordability: what the cheapest BPJS Ketenagakerjaan package costs UMKM workers, and a city subsidy.

Method, and why
---------------
- **The cheapest package** a UMKM worker can buy alone is the BPU (self-paid) JKK + JKM at the
  minimum declared income (Rp16.800 a month since PP 44/2015; Rp8.400 inside the PP 50/2025
  window). Prices come from `analysis.contributions`, i.e. from the dated rule tables, for the
  first day of the report's month and the worker's sector (transport has its own window).
- **Burden** = that monthly price ÷ the person's monthly income (`penghasilan_bulanan` of the
  roster or the survey). People without a positive income are left out and counted.
  Declared income below the BPU minimum is raised to it (PP 44/2015; the Lampiran II bracket
  table was not available), so for people earning less the package is a larger share.
- **Threshold.** No agreed international threshold for contributions exists (docs/facts.md §5); the
  share of people above a parameter (default 2%) is shown with a sensitivity table at 1/2/5/10%.
  "Above" means strictly more than the threshold.
- **Survey** figures are weighted by `bobot` (shares: sum of weights of "yes" over the sum of
  weights; medians: numpy's weighted inverted-CDF quantile); roster figures are counts.
- **Willingness to pay** (`kesediaan_bayar`, Rp a month) against the price: the weighted share of
  respondents whose stated amount is at least the price.
- **Subsidy** (APBD): who a city subsidy could enrol, what it would cost and what it cannot
  buy (wage workers' employers must enrol them) — `analysis.metrics.subsidy`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.metrics import contributions as contrib
from analysis.metrics import rulebook
from analysis.metrics.subsidy import (
    GROUP_TARGET,
    Policy,
    Target,
    business_prices,
    city_programme,
    read_target,
    scenarios,
    split_summary,
    uncovered_split,
)
from analysis.month import Month
from analysis.reference import DEFAULT_REGION, as_date, minimum_wage, region_code

SENSITIVITY = (0.01, 0.02, 0.05, 0.10)
DECILES = 10
#: Fixed classes (upper bounds) of the burden map, the same every month.
SHARE_BREAKS = [0.0025, 0.005, 0.01, 0.02, 0.05, 1.0]
CHEAPEST = ("JKK", "JKM")
WITH_JHT = ("JKK", "JKM", "JHT")
KINDS = rulebook.SECTOR_KINDS


# ------------------------------------------------------------------------- prices


def period_day(period: str) -> pd.Timestamp:
    """The first day of the report's month: the contribution month the prices are for."""
    return as_date(period).to_period("M").to_timestamp()


def package_prices(on, reference_dir: Path | None = None) -> pd.DataFrame:
    """Monthly prices by sector kind: now (discounts in force), full (none), with the latest BPU
    discount as if in force, with JHT at full price, and the discount window of the kind.
    Computed once per day and rule files (a region's seven kabupaten/kota share them)."""
    return _package_prices(as_date(on), *rulebook.book_key(reference_dir)).copy()


@lru_cache(maxsize=16)
def _package_prices(day: pd.Timestamp, ref: str, _stamps: tuple) -> pd.DataFrame:
    reference_dir = Path(ref)
    low = rulebook.minimum_income(day, reference_dir)
    latest = rulebook.latest_discount("BPU", reference_dir)
    windows = rulebook.discount_windows("BPU", latest, reference_dir) if latest else pd.DataFrame()
    rows = []
    for kind in KINDS:

        def price(programs, discount, kind=kind) -> int:
            one = pd.Series([low])
            return int(
                contrib.bpu_monthly_many(
                    one, day, programs, kind, False, discount, reference_dir
                ).iloc[0]
            )

        win = windows[windows["sector"].isin([kind, "all"])] if len(windows) else windows
        first = win["valid_from"].min() if len(win) else pd.NaT
        last = win["valid_to"].max() if len(win) else pd.NaT
        rows.append(
            {
                "kind": kind,
                "now": price(CHEAPEST, rulebook.DISCOUNT_IN_FORCE),
                "full": price(CHEAPEST, None),
                "discounted": price(CHEAPEST, latest) if latest else price(CHEAPEST, None),
                "jht_full": price(WITH_JHT, None),
                "window_from": first,
                "window_to": last,
                "in_window": bool(len(win)) and first <= day <= last,
            }
        )
    out = pd.DataFrame(rows).set_index("kind")
    out.attrs["discount"] = latest
    out.attrs["income_min"] = low
    return out


# ------------------------------------------------------------------------- people


def person_costs(
    people: pd.DataFrame,
    prices: pd.DataFrame,
    income_min: float,
    income: str = "penghasilan_bulanan",
    sector: str = "sektor",
    reference_dir: Path | None = None,
) -> tuple[pd.DataFrame, int]:
    """People with a positive income and their package prices and burdens; and how many were left out.

    Adds `kind`, `cost_now`, `cost_full`, `cost_discounted`, `share_now`, `share_full`,
    `share_discounted` and `below_min` (income below the BPU minimum declared income).
    """
    inc = pd.to_numeric(people[income], errors="coerce")
    keep = inc.notna() & (inc > 0)
    out = people.loc[keep].copy()
    out["income"] = inc[keep].astype("float64")
    out["kind"] = rulebook.sector_kinds(out[sector], reference_dir) if len(out) else []
    for col in ("now", "full", "discounted"):
        out[f"cost_{col}"] = out["kind"].map(prices[col]).astype("int64")
        out[f"share_{col}"] = out[f"cost_{col}"] / out["income"]
    out["below_min"] = out["income"] < income_min
    return out.reset_index(drop=True), int((~keep).sum())


def add_deciles(people: pd.DataFrame) -> pd.DataFrame:
    """Income decile 1–10 (pandas qcut over the people given; ties may merge deciles)."""
    out = people.copy()
    if len(out) >= DECILES:
        out["decile"] = pd.qcut(out["income"], DECILES, labels=False, duplicates="drop") + 1
    else:
        out["decile"] = pd.Series(pd.NA, index=out.index, dtype="Int64")
    return out


def weighted_median(values: pd.Series, weights: pd.Series | None = None) -> float:
    """The (weighted) median: numpy's inverted-CDF quantile; NaN for no values."""
    v = np.asarray(values, dtype="float64")
    if v.size == 0:
        return float("nan")
    if weights is None:
        return float(np.median(v))
    return float(
        np.quantile(v, 0.5, weights=np.asarray(weights, dtype="float64"), method="inverted_cdf")
    )


def _share(mask: pd.Series, weights: pd.Series | None) -> float:
    if len(mask) == 0:
        return float("nan")
    if weights is None:
        return float(mask.mean())
    return float(weights[mask].sum() / weights.sum())


def burden_by(
    people: pd.DataFrame,
    by: str | None,
    threshold: float,
    weight: str | None = None,
    groups: list | None = None,
) -> pd.DataFrame:
    """Per group: people, median income, median burden now and at full price, and how many are above the threshold.

    `n` and `above*` are counts of people (for disclosure control); `above*_rate` are shares
    (weighted when `weight` is given). `groups` lists every group to show, zeros included.
    """
    key = by or "_all"
    frame = people.assign(_all="all") if by is None else people
    rows = []
    for g, part in frame.groupby(key, sort=True, observed=True):
        w = part[weight] if weight else None
        rows.append(
            {
                key: g,
                "n": len(part),
                "income_median": weighted_median(part["income"], w),
                "share_now_median": weighted_median(part["share_now"], w),
                "share_full_median": weighted_median(part["share_full"], w),
                "above_now": int((part["share_now"] > threshold).sum()),
                "above_now_rate": _share(part["share_now"] > threshold, w),
                "above_full": int((part["share_full"] > threshold).sum()),
                "above_full_rate": _share(part["share_full"] > threshold, w),
                "income_min": part["income"].min(),
                "income_max": part["income"].max(),
            }
        )
    cols = [
        key,
        "n",
        "income_median",
        "share_now_median",
        "share_full_median",
        "above_now",
        "above_now_rate",
        "above_full",
        "above_full_rate",
        "income_min",
        "income_max",
    ]
    out = pd.DataFrame(rows, columns=cols)
    if groups is not None:
        out = out.set_index(key).reindex(groups).reset_index()
        out[["n", "above_now", "above_full"]] = (
            out[["n", "above_now", "above_full"]].fillna(0).astype("int64")
        )
    return out


def sensitivity(
    people: pd.DataFrame, thresholds=SENSITIVITY, weight: str | None = None
) -> pd.DataFrame:
    """How many are above each threshold, at this month's price and at the full price."""
    w = people[weight] if weight else None
    rows = []
    for th in sorted(set(thresholds)):
        rows.append(
            {
                "threshold": th,
                "n": len(people),
                "above_now": int((people["share_now"] > th).sum()),
                "above_now_rate": _share(people["share_now"] > th, w),
                "above_full": int((people["share_full"] > th).sum()),
                "above_full_rate": _share(people["share_full"] > th, w),
            }
        )
    return pd.DataFrame(rows)


def willing(respondents: pd.DataFrame, price_col: str) -> tuple[float, int]:
    """(Weighted share of respondents whose stated willingness to pay ≥ their price, respondents who answered)."""
    r = respondents[respondents["kesediaan_bayar"].notna()]
    if r.empty:
        return float("nan"), 0
    return _share(r["kesediaan_bayar"] >= r[price_col], r["bobot"]), len(r)


def wtp_curve(respondents: pd.DataFrame) -> pd.Series:
    """Weighted share of respondents willing to pay at least x, at 0 and at every amount answered (exact steps)."""
    r = respondents[respondents["kesediaan_bayar"].notna()]
    if r.empty:
        return pd.Series(dtype="float64")
    v = r["kesediaan_bayar"].to_numpy(dtype="float64")
    w = r["bobot"].to_numpy(dtype="float64")
    amounts = np.unique(np.concatenate([[0.0], v]))
    shares = [w[v >= x].sum() / w.sum() for x in amounts]
    top = amounts[-1] * 1.05 if amounts[-1] > 0 else 1.0
    return pd.Series([*shares, 0.0], index=[*amounts, top])


# ------------------------------------------------------------------------- the month


@dataclass
class Affordability:
    """Everything the affordability page shows for one month."""

    period: str
    on: pd.Timestamp
    threshold: float
    min_cell: int
    prices: pd.DataFrame
    roster: pd.DataFrame  # roster workers with a positive income, with prices and burdens
    survey: pd.DataFrame  # respondents with a positive income, with prices and burdens
    roster_left_out: int
    survey_left_out: int
    roster_total: int
    survey_total: int
    scenarios: pd.DataFrame
    target: Target | None
    target_problem: str | None
    units: pd.DataFrame
    policy: Policy = field(default_factory=Policy)
    split: pd.DataFrame = field(default_factory=pd.DataFrame)  # subsidy.split_summary
    priced: pd.DataFrame = field(
        default_factory=pd.DataFrame
    )  # by business: subsidy.business_prices
    self_shares: pd.DataFrame = field(default_factory=pd.DataFrame)
    self_price: pd.Series = field(default_factory=pd.Series)  # a year, by sector kind
    wage_price: pd.Series | None = None  # an employer's year, by kelas_usaha (None: no UMK)
    pu_micro: dict = field(default_factory=dict)
    baseline_since: str | None = None
    reference_dir: Path | None = None
    region: str = DEFAULT_REGION
    min_group: int = 20
    burden: object = None  # analysis.metrics.burden.Burden, made on first use (`burden.of`)

    def scenario(self, key: str) -> pd.Series | None:
        """One subsidy scenario's row ('baseline', 'all_uncovered', 'above_threshold', 'target')."""
        hit = self.scenarios[self.scenarios["scenario"] == key]
        return None if hit.empty else hit.iloc[0]

    @property
    def discount(self) -> str | None:
        return self.prices.attrs.get("discount")

    @property
    def income_min(self) -> float:
        return self.prices.attrs["income_min"]


def results(month: Month) -> Affordability:
    """Prices, burdens, willingness to pay and subsidy scenarios of the month (computed once),
    on the region the month was cleaned for."""
    return month.memo("affordability", lambda: _compute(month))


def with_policy(month: Month, policy: Policy) -> Affordability:
    """The month's results with the subsidy figures of another policy (share, group, discount):
    only the subsidy is computed again (the explore notebook's controls)."""
    base = results(month)
    if policy == base.policy:
        return base
    return month.memo(
        f"affordability:{policy}", lambda: replace(base, **_subsidy(month, base.roster, policy))
    )


def _subsidy(month: Month, roster: pd.DataFrame, policy: Policy) -> dict:
    """The subsidy fields of `Affordability` for a policy (metrics.subsidy)."""
    ref, on = month.reference_dir, period_day(month.period)
    target, problem = read_target(month.region, GROUP_TARGET[policy.group], ref)
    workers = month.table("workers")
    split = uncovered_split(month.table("businesses"), workers)
    code = region_code(month.region, ref)
    priced = business_prices(split, on, policy, ref, code)
    table = scenarios(
        priced, roster, workers, month.table("participants"), on, month.settings.threshold,
        target, policy, ref, code,
    )  # fmt: skip
    return {
        "scenarios": table,
        "target": target,
        "target_problem": problem,
        "policy": policy,
        "split": split_summary(priced),
        "priced": priced,
        "self_shares": split.attrs["shares"],
        "self_price": priced.attrs["self_price"],
        "wage_price": priced.attrs["wage_price"],
    }


def _compute(month: Month) -> Affordability:
    ref, s = month.reference_dir, month.settings
    on = period_day(month.period)
    prices = package_prices(on, ref)
    low = prices.attrs["income_min"]
    workers, survey_table = month.table("workers"), month.table("survey")
    roster, roster_out = person_costs(workers, prices, low, reference_dir=ref)
    survey, survey_out = person_costs(survey_table, prices, low, reference_dir=ref)
    code = region_code(month.region, ref)
    try:  # the micro-business wage-worker route at the region's UMK, for comparison
        umk = minimum_wage(on, code, reference_dir=ref)
        pu = contrib.pu_monthly_many(pd.Series([umk]), on, reference_dir=ref).iloc[0]
        pu_micro = {"umk": umk, "employer": int(pu["employer"]), "total": int(pu["total"])}
    except ValueError:  # no UMK for the year in umk.csv yet, or a region of several kab/kota
        pu_micro = {}
    return Affordability(
        period=month.period,
        on=on,
        threshold=s.threshold,
        min_cell=s.min_cell,
        prices=prices,
        roster=add_deciles(roster),
        survey=survey,
        roster_left_out=roster_out,
        survey_left_out=survey_out,
        roster_total=len(workers),
        survey_total=len(survey_table),
        units=month.units,
        pu_micro=pu_micro,
        baseline_since=(city_programme(on, code, ref) or {}).get("first_month"),
        reference_dir=ref,
        region=month.region,
        min_group=s.min_group,
        **_subsidy(month, roster, Policy.of(s)),
    )
