"""Next month's visit plan: every kelurahan ranked by the workers a visit could bring in, with the
facts behind each place's rank.

Four things decide where field staff go next:
- **uncovered workers** (coverage: workers − effectively covered);
- the **awareness gap**: the share of UMKM people who have not heard of BPJS Ketenagakerjaan
  (survey; the kelurahan's share with at least `min_n` respondents, else its kecamatan's, else
  the city's; without a survey the plan says so and leaves awareness out);
- **affordability**: the share of the kelurahan's roster workers for whom the cheapest package
  costs more than the threshold of their income at this month's price (after a city subsidy of
  `subsidy` of the price, for the what-if; the city's share where fewer than `min_n` workers
  have a recorded income). A visit cannot bring in those who cannot pay: the reason says to bring
  news of a subsidy instead;
- **the last visit** (outreach log): a kelurahan visited fewer than `revisit` months before next
  month is not due yet; it is listed after the others, with when it was visited.
`reach` = uncovered × (1 − aware) × (1 − above threshold): the uncovered workers a visit could
bring in (not yet aware, and able to pay). Due kelurahan come first by reach, then the others.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.metrics import affordability, awareness, outreach
from analysis.metrics.awareness import MEASURES, priority, shares
from analysis.month import Month

PLAN_COLUMNS = [
    "rank",
    "kode_kelurahan",
    "kelurahan",
    "kode_kecamatan",
    "kecamatan",
    "workers",
    "effective",
    "uncovered",
    "aware_tk",
    "aware_basis",
    "with_income",
    "above",
    "above_share",
    "afford_basis",
    "last_visit",
    "months_since",
    "due",
    "reach",
]


def next_period(period: str) -> str:
    """The month after `period` (the plan is for it)."""
    return (pd.Period(period, "M") + 1).strftime("%Y-%m")


def burden_by_kelurahan(
    roster: pd.DataFrame, threshold: float, subsidy: float = 0.0
) -> pd.DataFrame:
    """Per kelurahan: roster workers with a recorded income and how many of them would pay more
    than `threshold` of it for the cheapest package at this month's price, when the city pays
    `subsidy` (0–1) of the price."""
    above = roster["share_now"] * (1 - subsidy) > threshold
    out = pd.DataFrame({"kode_kelurahan": roster["kode_kelurahan"], "above": above})
    grouped = out.groupby("kode_kelurahan")["above"]
    return pd.DataFrame({"with_income": grouped.size(), "above": grouped.sum()}).astype("int64")


def _awareness(
    coverage: pd.DataFrame, aware_kel: pd.DataFrame, survey: pd.DataFrame, min_n: int
) -> pd.DataFrame:
    """Uncovered workers and the share aware of BPJS Ketenagakerjaan with where it comes from."""
    prio = priority(coverage, aware_kel, min_n).set_index("kode_kelurahan")
    basis = prio["basis"].where(prio["basis"].ne("unknown"), "city")
    city = shares(survey, [MEASURES["aware_tk"]], None, min_n=min_n) if len(survey) else None
    city_share = (
        float(city["share"].iloc[0])
        if city is not None and len(city) and not city["suppressed"].iloc[0]
        else np.nan
    )
    aware = prio["aware_tk"].where(basis.ne("city"), city_share)
    basis = basis.where(aware.notna(), "none")
    return pd.DataFrame({"uncovered": prio["uncovered"], "aware_tk": aware, "aware_basis": basis})


def visit_plan(
    coverage: pd.DataFrame,
    aware_kel: pd.DataFrame,
    survey: pd.DataFrame,
    roster: pd.DataFrame,
    visits: pd.DataFrame,
    period: str,
    threshold: float,
    min_n: int,
    revisit: int,
    subsidy: float = 0.0,
) -> pd.DataFrame:
    """Every kelurahan of `coverage` ranked for next month's visits (columns PLAN_COLUMNS).

    `aware_kel`: awareness_kelurahan; `survey`: the month's survey; `roster`: roster workers with
    `share_now` (affordability); `visits`: per kelurahan `last` month visited (outreach).
    """
    out = coverage[
        ["kode_kelurahan", "kelurahan", "kode_kecamatan", "kecamatan", "workers", "effective"]
    ].reset_index(drop=True)
    code = out["kode_kelurahan"]
    aware = _awareness(coverage, aware_kel, survey, min_n)
    for col in aware.columns:
        out[col] = code.map(aware[col])
    burden = burden_by_kelurahan(roster, threshold, subsidy)
    out["with_income"] = code.map(burden["with_income"]).fillna(0).astype("int64")
    out["above"] = code.map(burden["above"]).fillna(0).astype("int64")
    city = (
        burden["above"].sum() / burden["with_income"].sum() if burden["with_income"].sum() else 0.0
    )
    own = out["with_income"] >= min_n
    out["above_share"] = np.where(own, out["above"] / out["with_income"].clip(lower=1), city)
    out["afford_basis"] = np.where(own, "kelurahan", "city")
    last = code.map(visits.set_index("kode_kelurahan")["last"]) if len(visits) else None
    out["last_visit"] = last.where(last.notna(), None) if last is not None else None
    upcoming = pd.Period(next_period(period), "M").ordinal
    since = out["last_visit"].map(
        lambda p: upcoming - pd.Period(p, "M").ordinal if isinstance(p, str) else np.nan
    )
    out["months_since"] = pd.array(since, dtype="Int64")
    out["due"] = since.isna() | (since >= revisit)
    not_aware = (1 - out["aware_tk"]).fillna(1.0)
    out["reach"] = out["uncovered"] * not_aware * (1 - out["above_share"])
    out = out.sort_values(["due", "reach", "uncovered"], ascending=[False, False, False])
    out["rank"] = np.arange(1, len(out) + 1)
    return out[PLAN_COLUMNS].reset_index(drop=True)


def month_plan(month: Month, subsidy: float = 0.0, threshold: float | None = None) -> pd.DataFrame:
    """Next month's plan from a cleaned month, with its settings (`threshold` and `subsidy` change
    the affordability part, for the analysts' what-if; both are kept in `attrs`)."""
    s = month.settings
    a = awareness.results(month)
    roster = affordability.results(month).roster
    visited = outreach.results(month).visits
    threshold = s.threshold if threshold is None else threshold
    plan = visit_plan(
        a.coverage,
        a.kelurahan,
        a.survey,
        roster,
        visited,
        month.period,
        threshold,
        s.min_n,
        s.revisit,
        subsidy,
    )
    plan.attrs.update(threshold=threshold, subsidy=subsidy)
    return plan
