"""An honest APBD subsidy: whom it could enrol, what it would cost, and what it cannot buy.

Who is who
----------
Workers not effectively covered (declared workers − effective, as on the coverage page) are
split in two, because only one half is a question of city money:
- **self-employed** (BPU, *bukan penerima upah*): they pay their own contribution, so a city
  subsidy can enrol them;
- **wage workers** (PU, *penerima upah*): their employer must enrol them by law (Perpres
  109/2013: micro firms at least JKK + JKM); closing that gap is enforcement and outreach, not
  APBD money.

Nothing in the registry says who works for a wage, so each figure says what it rests on:
- **observed**: a roster worker with a lapsed participant record is what the record says (BPU →
  self-employed; PU or JAKON → wage worker);
- **assumed**: the others (roster workers never registered, declared workers on no roster) are
  assumed to split as the *registered* roster workers of businesses of the same headcount class
  do (BPS classes 1–4, 5–19, 20–99 workers; docs/facts.md §3): the share of them whose records
  are BPU only. A class with fewer than `MIN_REGISTERED` registered workers uses the share over
  all businesses; a month without any registered worker assumes everyone is self-employed (the
  most a subsidy could have to pay for), and says so.
Estimated counts are expected values (not whole people); pages round them.

Prices (a year = 12 contribution months from the report's month, under each month's rules)
-----------------------------------------------------------------------------------------------
- self-employed: the cheapest BPU package (JKK + JKM at the minimum declared income) of the
  business's sector kind — at the normal price, because PP 50/2025 excludes participants whose
  contributions the APBD pays, unless `subsidy_discount` asks what it would cost if it applied;
- wage workers: the employer's share of what the firm size requires (micro JKK + JKM, small
  + JHT, medium and large + JP; JKK at the lowest risk rate) on the UMK in force in the report's
  month, for all 12 months (a business of unknown size counts as micro: the least it owes).
The city pays `subsidy_share` of it for `subsidy_group` ("BPU", "PU" or "all").

Scenarios for the chosen group
------------------------------
baseline: the city's own programme (`city_subsidy_programmes.csv`; its budget computed from the
rules where it is not reported); (a) `all_uncovered`: every uncovered worker of the group;
(b) `above_threshold`: those of them on a roster with an income whose cheapest package at the
normal price exceeds the threshold; (c) `target`: what reaching the target of the group's
segment would take (BPU for self-employed or everyone, PU for wage workers): the target minus
roster workers effectively covered in that segment — all of them, not only the registry's (the
targets count the whole city's workers): 'short' when the registry holds fewer, 'reached' when
none are needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import AnalysisError
from analysis.metrics import contributions as contrib
from analysis.metrics import rulebook
from analysis.reference import as_date, minimum_wage, read_table, targets

SUBSIDY_MONTHS = 12
CHEAPEST = ("JKK", "JKM")
SIDES = ("self", "wage")
#: The segment of each side, and of the target a group's scenario (c) is measured against.
SEGMENT = {"self": "BPU", "wage": "PU"}
GROUP_SIDES = {"BPU": ("self",), "PU": ("wage",), "all": ("self", "wage")}
GROUP_TARGET = {"BPU": "BPU", "PU": "PU", "all": "BPU"}
#: BPS headcount classes (docs/facts.md §3): household/micro, small, medium.
HEADCOUNT_BINS = [0, 4, 19, np.inf]
HEADCOUNT_CLASSES = ("1-4", "5-19", "20+")
#: Registered roster workers a headcount class needs for its own self-employed share.
MIN_REGISTERED = 10
TARGET_SEGMENT = "BPU"


@dataclass(frozen=True)
class Policy:
    """What the city would pay: a share of the package, for a group, with or without the discount."""

    share: float = 1.0
    group: str = "BPU"
    discount: bool = False

    @classmethod
    def of(cls, settings) -> Policy:
        """The policy of a month's settings (subsidy_share, subsidy_group, subsidy_discount)."""
        return cls(settings.subsidy_share, settings.subsidy_group, settings.subsidy_discount)

    @property
    def sides(self) -> tuple[str, ...]:
        return GROUP_SIDES[self.group]


# ------------------------------------------------------------------------- who is who


def record_side(segmen: pd.Series) -> pd.Series:
    """'wage' for a PU or JAKON record ('BPU+PU' too: an employer once enrolled them), 'self' for
    BPU only, missing without a record."""
    tokens = segmen.fillna("").astype(str).str.split("+")
    wage = tokens.map(lambda t: bool({"PU", "JAKON"} & set(t))).astype(bool)
    self_ = tokens.map(lambda t: "BPU" in t).astype(bool)
    side = np.where(wage, "wage", np.where(self_, "self", None))
    return pd.Series(side, index=segmen.index, dtype="object")


def headcount_class(workers: pd.Series) -> pd.Series:
    """BPS headcount class of a business's workers: '1-4', '5-19' or '20+'."""
    return pd.cut(workers, HEADCOUNT_BINS, labels=HEADCOUNT_CLASSES).astype("object")


def self_employed_shares(
    businesses: pd.DataFrame, roster: pd.DataFrame, min_registered: int = MIN_REGISTERED
) -> pd.DataFrame:
    """Per headcount class (and 'all'): registered roster workers, how many hold BPU-only
    records, the share used for the unknown, and its basis ('class', 'all' or 'none')."""
    size = businesses.set_index("id_umkm")["workers"]
    reg = roster[roster["registered"]]
    frame = pd.DataFrame(
        {
            "size_class": headcount_class(reg["id_umkm"].map(size)),
            "self": record_side(reg["segmen"]).eq("self"),
        }
    )
    counts = frame.groupby("size_class")["self"].agg(["size", "sum"])
    counts = counts.reindex(list(HEADCOUNT_CLASSES), fill_value=0)
    n, k = int(counts["size"].sum()), int(counts["sum"].sum())
    overall = k / n if n else 1.0
    rows = []
    for cls in HEADCOUNT_CLASSES:
        cn, ck = int(counts.loc[cls, "size"]), int(counts.loc[cls, "sum"])
        own = cn >= min_registered
        basis = "class" if own else "all" if n else "none"
        rows.append((cls, cn, ck, ck / cn if own else overall, basis))
    rows.append(("all", n, k, overall, "all" if n else "none"))
    return pd.DataFrame(
        rows, columns=["size_class", "registered", "self_employed", "share", "basis"]
    ).set_index("size_class")


def uncovered_split(
    businesses: pd.DataFrame, roster: pd.DataFrame, min_registered: int = MIN_REGISTERED
) -> pd.DataFrame:
    """One row per business: its uncovered workers, those whose lapsed record says self-employed
    or wage worker (observed), the unknown, the self-employed share assumed for them, and the
    estimated self-employed and wage workers (observed + share × unknown)."""
    shares = self_employed_shares(businesses, roster, min_registered)
    keep = ["id_umkm", "kode_kelurahan", "sektor", "kelas_usaha", "workers"]
    biz = businesses[[c for c in keep if c in businesses]].copy()
    eff = roster.loc[roster["effective"]].groupby("id_umkm").size()
    biz["uncovered"] = (biz["workers"] - biz["id_umkm"].map(eff).fillna(0)).clip(lower=0)
    lapsed = roster.loc[~roster["effective"]]
    sides = record_side(lapsed["segmen"])
    for side in SIDES:
        seen = lapsed.loc[sides.eq(side).to_numpy()].groupby("id_umkm").size()
        biz[f"{side}_observed"] = biz["id_umkm"].map(seen).fillna(0).astype("int64")
    biz["unknown"] = biz["uncovered"] - biz["self_observed"] - biz["wage_observed"]
    biz["size_class"] = headcount_class(biz["workers"])
    biz["self_share"] = biz["size_class"].map(shares["share"]).astype("float64")
    biz["self"] = biz["self_observed"] + biz["self_share"] * biz["unknown"]
    biz["wage"] = biz["wage_observed"] + (1 - biz["self_share"]) * biz["unknown"]
    biz.attrs["shares"] = shares
    return biz.reset_index(drop=True)


# ------------------------------------------------------------------------- prices


def _cost(weights: pd.Series, prices: pd.Series) -> float:
    """Σ weight × price; NaN when someone with a weight has no price (no UMK for wage workers)."""
    w = np.asarray(weights, dtype="float64")
    p = np.asarray(prices, dtype="float64")
    if ((w > 0) & np.isnan(p)).any():
        return float("nan")
    return float((w * np.nan_to_num(p)).sum())


def self_employed_price(
    on, discount: bool = False, months: int = SUBSIDY_MONTHS, reference_dir: Path | None = None
) -> pd.Series:
    """A year of the cheapest BPU package by sector kind: at the normal price (budget-paid), or
    with the PP 50/2025 discount where it applies."""
    low = rulebook.minimum_income(on, reference_dir)
    return pd.Series(
        {
            kind: contrib.bpu_yearly(
                low, on, months, CHEAPEST, kind, not discount, reference_dir=reference_dir
            )
            for kind in rulebook.SECTOR_KINDS
        },
        dtype="int64",
    )


def wage_worker_price(
    on, months: int = SUBSIDY_MONTHS, reference_dir: Path | None = None
) -> pd.Series | None:
    """A year of an employer's contributions for a wage worker on the UMK, by kelas_usaha
    (tidak_diketahui as micro); None when umk.csv has no UMK for the month.

    Where a firm size's programmes cannot be priced for the month (JP without a wage ceiling in
    the reference data), its price is that of the next smaller size; `attrs['without']` lists
    those sizes, so a page can say so.
    """
    try:
        umk = minimum_wage(on, reference_dir=reference_dir)
    except ValueError:
        return None
    sizes = {**rulebook.FIRM_SIZE_ALIASES, "tidak_diketahui": "micro"}
    prices: dict[str, float] = {}
    without = []
    last = np.nan
    for kelas, size in sizes.items():  # smallest first
        try:
            monthly = contrib.pu_monthly_many(
                [umk], on, firm_size=size, reference_dir=reference_dir
            )
            prices[kelas] = last = float(months * int(monthly["employer"].iloc[0]))
        except ValueError:
            prices[kelas] = last
            without.append(kelas)
    out = pd.Series(prices, dtype="float64")
    out.attrs["without"] = without
    out.attrs["umk"] = umk
    return out


def business_prices(
    split: pd.DataFrame, on, policy: Policy, reference_dir: Path | None = None
) -> pd.DataFrame:
    """Each business's yearly price per self-employed worker (`price_self`, with the policy's
    discount choice) and per wage worker (`price_wage`, NaN without a UMK)."""
    out = split.copy()
    kinds = rulebook.sector_kinds(out["sektor"], reference_dir) if len(out) else pd.Series([])
    out["kind"] = list(kinds)
    self_price = self_employed_price(on, policy.discount, reference_dir=reference_dir)
    wage_price = wage_worker_price(on, reference_dir=reference_dir)
    out["price_self"] = out["kind"].map(self_price).astype("float64")
    out["price_wage"] = (
        out["kelas_usaha"].map(wage_price).fillna(wage_price["tidak_diketahui"])
        if wage_price is not None
        else np.nan
    )
    out["price_wage"] = out["price_wage"].astype("float64")
    out.attrs = {**split.attrs, "wage_price": wage_price, "self_price": self_price}
    return out


def split_summary(priced: pd.DataFrame) -> pd.DataFrame:
    """Self-employed and wage workers not covered: observed, assumed, total; the mean yearly
    price per worker and the yearly total at that price (for wage workers: what employers owe)."""
    rows = {}
    for side in SIDES:
        observed = float(priced[f"{side}_observed"].sum())
        total = float(priced[side].sum())
        cost = _cost(priced[side], priced[f"price_{side}"])
        rows[side] = {
            "observed": observed,
            "assumed": total - observed,
            "total": total,
            "per_worker": cost / total if total else float(priced[f"price_{side}"].mean()),
            "cost": cost,
        }
    return pd.DataFrame(rows).T


def budget_by(priced: pd.DataFrame, policy: Policy, by: str = "kode_kelurahan") -> pd.DataFrame:
    """Per group (kelurahan): estimated self-employed and wage workers not covered, and the
    yearly budget of the policy for them (Σ workers × price × share over the policy's sides)."""
    frame = priced.assign(
        budget=sum(priced[s] * priced[f"price_{s}"] for s in policy.sides) * policy.share
    )
    return frame.groupby(by)[["self", "wage", "budget"]].sum(min_count=1)


# ------------------------------------------------------------------------- targets


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


# ------------------------------------------------------------------------- scenarios


def _group_cost(frame: pd.DataFrame, weights: dict[str, pd.Series], policy: Policy) -> tuple:
    """(workers, budget the city pays) over the policy's sides: Σ weight × price × share."""
    workers = sum(float(weights[s].sum()) for s in policy.sides)
    budget = sum(_cost(weights[s], frame[f"price_{s}"]) for s in policy.sides)
    return workers, budget * policy.share


def _row(scenario: str, workers: float, budget: float, status: str, **more) -> dict:
    per = budget / workers if workers else np.nan
    return {"scenario": scenario, "workers": workers, "per_worker": per, "budget": budget,
            "status": status, **more}  # fmt: skip


def scenarios(
    priced: pd.DataFrame,
    costed: pd.DataFrame,
    roster: pd.DataFrame,
    participants: pd.DataFrame,
    on,
    threshold: float,
    target: Target | None,
    policy: Policy,
    reference_dir: Path | None = None,
) -> pd.DataFrame:
    """Yearly APBD budget of the baseline and scenarios (a), (b), (c) for the policy: workers
    (estimated), what the city pays per worker and in all, status; (c) also `needed`, `covered`.

    `priced` is `business_prices(uncovered_split(...))`; `costed` the roster workers with an
    income and prices (affordability.person_costs). Status: 'reported'/'computed' (baseline),
    'ok', 'short', 'reached', 'no_target', 'no_price' (no UMK for wage workers).
    """
    rows = []
    prog = city_programme(on, reference_dir)
    if prog:
        per = float(self_employed_price(on, reference_dir=reference_dir)["non-transport"])
        budget = prog["budget_reported"]
        rows.append(
            _row(
                "baseline",
                prog["workers"],
                budget if budget is not None else prog["workers"] * per,
                "reported" if budget is not None else "computed",
            )
        )
    no_price = any(priced[f"price_{s}"].isna().any() for s in policy.sides)
    status = "no_price" if no_price else "ok"
    workers, budget = _group_cost(priced, {s: priced[s] for s in SIDES}, policy)
    rows.append(_row("all_uncovered", workers, budget, status))
    rows.append(_row("above_threshold", *_above(priced, costed, threshold, policy), status))
    rows.append(_target_row(priced, roster, participants, target, policy, status))
    out = pd.DataFrame(rows)
    out.attrs["uncovered"] = float(priced["uncovered"].sum())
    return out


def _above(priced: pd.DataFrame, costed: pd.DataFrame, threshold: float, policy: Policy):
    """(workers, budget) for uncovered roster workers with an income whose cheapest package at
    the normal price exceeds the threshold: each weighted by the chance they are of each side."""
    above = costed[~costed["effective"] & (costed["share_full"] > threshold)]
    by_biz = priced.set_index("id_umkm")
    side = record_side(above["segmen"]) if "segmen" in above else pd.Series(None, above.index)
    share = above["id_umkm"].map(by_biz["self_share"]).astype("float64").fillna(1.0)
    w_self = np.where(side.eq("self"), 1.0, np.where(side.eq("wage"), 0.0, share))
    people = pd.DataFrame(
        {
            "price_self": above["id_umkm"].map(by_biz["price_self"]).to_numpy(),
            "price_wage": above["id_umkm"].map(by_biz["price_wage"]).to_numpy(),
        }
    )
    weights = {"self": pd.Series(w_self), "wage": pd.Series(1.0 - w_self)}
    return _group_cost(people, weights, policy)


def _target_row(
    priced: pd.DataFrame,
    roster: pd.DataFrame,
    participants: pd.DataFrame,
    target: Target | None,
    policy: Policy,
    status: str,
) -> dict:
    """Scenario (c): everyone the group's target still needs, at the group side's mean price."""
    side = "self" if SEGMENT["self"] == GROUP_TARGET[policy.group] else "wage"
    counted = float(priced[side].sum())
    cost = _cost(priced[side], priced[f"price_{side}"])
    mean = cost / counted if counted else float(priced[f"price_{side}"].mean())
    if target is None:
        return _row("target", np.nan, np.nan, "no_target")
    covered = effective_in_segment(roster, participants, target.segment)
    needed = max(target.workers - covered, 0)
    if status == "ok":
        status = "reached" if needed == 0 else "short" if needed > counted else "ok"
    row = _row("target", needed, needed * mean * policy.share, status)
    return {**row, "needed": needed, "covered": covered, "in_registry": counted}
