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
- **Subsidy** (APBD): the city pays the cheapest package for 12 contribution months from the
  report's month. Budget-paid participants get no PP 50/2025 discount, so the city pays the full
  price. Scenarios: (a) every UMKM worker not effectively covered (declared workers − effective,
  docs/design.md), (b) the uncovered roster workers whose full-price package exceeds the threshold,
  (c) as many as needed to reach the informal-sector (BPU) target in `targets.csv`, compared,
  as on the coverage page, with the roster workers effectively covered as BPU. The city's own
  programme (`city_subsidy_programmes.csv`) is the baseline; where its budget is not reported it
  is computed from the same rules and labelled so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import AnalysisError
from analysis.metrics import contributions as contrib
from analysis.month import Month
from analysis.reference import DEFAULT_REGION, as_date, minimum_wage, read_table, targets

SENSITIVITY = (0.01, 0.02, 0.05, 0.10)
DECILES = 10
SUBSIDY_MONTHS = 12
TARGET_SEGMENT = "BPU"
#: Fixed classes (upper bounds) of the burden map, the same every month.
SHARE_BREAKS = [0.0025, 0.005, 0.01, 0.02, 0.05, 1.0]
CHEAPEST = ("JKK", "JKM")
WITH_JHT = ("JKK", "JKM", "JHT")
KINDS = contrib.SECTOR_KINDS


# ------------------------------------------------------------------------- prices


def period_day(period: str) -> pd.Timestamp:
    """The first day of the report's month: the contribution month the prices are for."""
    return as_date(period).to_period("M").to_timestamp()


def package_prices(on, reference_dir: Path | None = None) -> pd.DataFrame:
    """Monthly prices by sector kind: now (discounts in force), full (none), with the latest BPU
    discount as if in force, with JHT at full price, and the discount window of the kind."""
    day = as_date(on)
    low = contrib.minimum_income(day, reference_dir)
    latest = contrib.latest_discount("BPU", reference_dir)
    windows = contrib.discount_windows("BPU", latest, reference_dir) if latest else pd.DataFrame()
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
                "now": price(CHEAPEST, contrib.DISCOUNT_IN_FORCE),
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


def subsidy_cost_per_worker(
    on, months: int = SUBSIDY_MONTHS, reference_dir: Path | None = None
) -> pd.Series:
    """What the city pays a year per worker for the cheapest package, by sector kind (budget-paid)."""
    low = contrib.minimum_income(on, reference_dir)
    return pd.Series(
        {
            kind: contrib.bpu_yearly(low, on, months, CHEAPEST, kind, True, reference_dir)
            for kind in KINDS
        },
        dtype="int64",
    )


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
    out["kind"] = contrib.sector_kinds(out[sector], reference_dir) if len(out) else []
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


# ------------------------------------------------------------------------- targets and subsidy


@dataclass
class Target:
    """A coverage target on record (targets.csv)."""

    workers: int
    year: int
    sector: str
    segment: str
    verified: bool
    source: str


def read_target(
    region: str, segment: str = TARGET_SEGMENT, reference_dir: Path | None = None
) -> tuple[Target | None, str | None]:
    """The segment's target on record (latest year), or (None, message key saying why not)."""
    try:
        table = targets(region, reference_dir)
    except AnalysisError:
        return None, "aff_target_missing"
    except (KeyError, ValueError):
        return None, "aff_target_unreadable"
    rows = table[table["segment"] == segment]
    if rows.empty:
        return None, "aff_target_none"
    row = rows.sort_values("year").iloc[-1]
    return (
        Target(
            workers=int(row["target_workers"]),
            year=int(row["year"]),
            sector=row.get("sector", ""),
            segment=segment,
            verified=bool(row["verified"]),
            source=row.get("source", ""),
        ),
        None,
    )


def effective_in_segment(
    workers: pd.DataFrame, participants: pd.DataFrame, segment: str = TARGET_SEGMENT
) -> int:
    """Roster workers effectively covered through a record of `segment` (PU wins over BPU, as on the coverage page)."""
    covered = set(workers.loc[workers["effective"], "nik_hash"])
    recs = participants[participants["effective"] & participants["nik_hash"].isin(covered)]
    segs = recs.groupby("nik_hash")["segmen"].agg(lambda s: set(s.dropna()))
    first = segs.map(lambda s: "PU" if "PU" in s else "BPU" if "BPU" in s else "other")
    return int((first == segment).sum())


def city_programme(on, reference_dir: Path | None = None) -> dict | None:
    """The city's own subsidy programme in force in the month (city_subsidy_programmes.csv), or None."""
    table = read_table("city_subsidy_programmes.csv", reference_dir)
    month = as_date(on).strftime("%Y-%m")
    live = table[
        (table["first_month"] <= month)
        & (table["last_month"].eq("") | (month <= table["last_month"]))
    ]
    if live.empty:
        return None
    row = live.iloc[-1]
    reported = row["budget_rp_per_year"]
    return {
        "programme": row["programme"],
        "workers": int(row["workers"]),
        "first_month": row["first_month"],
        "budget_reported": float(reported) if reported else None,
        "source": row["source"],
    }


def subsidy_scenarios(
    businesses: pd.DataFrame,
    roster: pd.DataFrame,
    costed: pd.DataFrame,
    participants: pd.DataFrame,
    on,
    threshold: float,
    target: Target | None,
    reference_dir: Path | None = None,
) -> pd.DataFrame:
    """Yearly APBD budget for the baseline and scenarios (a), (b), (c): workers reached, cost per worker, budget.

    `roster` is all roster workers (workers.parquet), `costed` those with an income and prices.
    Column `status`: 'computed' (baseline budget not reported), 'reported', 'ok', 'short'
    (the target needs more workers than are uncovered), 'reached', 'no_target'.
    """
    per = subsidy_cost_per_worker(on, reference_dir=reference_dir)
    kinds = contrib.sector_kinds
    biz = businesses[["id_umkm", "sektor", "workers"]].copy()
    eff = roster.loc[roster["effective"]].groupby("id_umkm").size()
    biz["uncovered"] = (biz["workers"] - biz["id_umkm"].map(eff).fillna(0)).clip(lower=0)
    biz["kind"] = kinds(biz["sektor"], reference_dir) if len(biz) else []
    unc_kind = biz.groupby("kind")["uncovered"].sum().reindex(list(KINDS), fill_value=0)
    uncovered = int(unc_kind.sum())
    mean_cost = float((unc_kind * per).sum() / uncovered) if uncovered else float(per.iloc[0])
    rows = []
    prog = city_programme(on, reference_dir)
    if prog:
        cost = int(per["non-transport"])
        budget = prog["budget_reported"]
        rows.append(
            {
                "scenario": "baseline",
                "workers": prog["workers"],
                "per_worker": cost,
                "budget": budget if budget is not None else prog["workers"] * cost,
                "status": "reported" if budget is not None else "computed",
            }
        )
    rows.append(
        {
            "scenario": "all_uncovered",
            "workers": uncovered,
            "per_worker": round(mean_cost),
            "budget": int((unc_kind * per).sum()),
            "status": "ok",
        }
    )
    above = costed[~costed["effective"] & (costed["share_full"] > threshold)]
    above_kind = above.groupby("kind").size().reindex(list(KINDS), fill_value=0)
    rows.append(
        {
            "scenario": "above_threshold",
            "workers": int(above_kind.sum()),
            "per_worker": round(float((above_kind * per).sum() / above_kind.sum()))
            if above_kind.sum()
            else int(per.iloc[0]),
            "budget": int((above_kind * per).sum()),
            "status": "ok",
        }
    )
    if target is None:
        rows.append(
            {
                "scenario": "target",
                "workers": pd.NA,
                "per_worker": round(mean_cost),
                "budget": np.nan,
                "status": "no_target",
            }
        )
    else:
        covered = effective_in_segment(roster, participants, target.segment)
        needed = max(target.workers - covered, 0)
        reach = min(needed, uncovered)
        rows.append(
            {
                "scenario": "target",
                "workers": reach,
                "per_worker": round(mean_cost),
                "budget": round(reach * mean_cost),
                "status": "reached" if needed == 0 else "short" if needed > uncovered else "ok",
                "needed": needed,
                "covered": covered,
            }
        )
    out = pd.DataFrame(rows)
    out["workers"] = out["workers"].astype("Int64")
    out.attrs["uncovered"] = uncovered
    return out


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


def _compute(month: Month) -> Affordability:
    ref, s = month.reference_dir, month.settings
    on = period_day(month.period)
    prices = package_prices(on, ref)
    low = prices.attrs["income_min"]
    workers, survey_table = month.table("workers"), month.table("survey")
    roster, roster_out = person_costs(workers, prices, low, reference_dir=ref)
    survey, survey_out = person_costs(survey_table, prices, low, reference_dir=ref)
    target, problem = read_target(month.region, TARGET_SEGMENT, ref)
    scenarios = subsidy_scenarios(
        month.table("businesses"),
        workers,
        roster,
        month.table("participants"),
        on,
        s.threshold,
        target,
        ref,
    )
    try:  # the micro-business wage-worker route at the UMK, for comparison
        umk = minimum_wage(on, reference_dir=ref)
        pu = contrib.pu_monthly_many(pd.Series([umk]), on, reference_dir=ref).iloc[0]
        pu_micro = {"umk": umk, "employer": int(pu["employer"]), "total": int(pu["total"])}
    except ValueError:  # no UMK for the year in umk.csv yet
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
        scenarios=scenarios,
        target=target,
        target_problem=problem,
        units=month.units,
        pu_micro=pu_micro,
        baseline_since=(city_programme(on, ref) or {}).get("first_month"),
        reference_dir=ref,
        region=month.region,
        min_group=s.min_group,
    )
