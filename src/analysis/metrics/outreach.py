"""Outreach (sosialisasi): the visits over the months, and whether they raised enrolment.

The outreach log of every cleaned month up to this one (`outreach.parquet`; an activity listed in
two months' logs counts once) gives each kelurahan's first and last visit. The monthly panel has
one row per kelurahan and cleaned month of the same region:
- `new`: roster workers of the kelurahan whose first BPJS Ketenagakerjaan registration
  (`tgl_kepesertaan`, earliest of their records) falls in that month — from that month's own
  extract;
- `effective_rate`: effectively covered workers ÷ workers (coverage_kelurahan.parquet), in
  percentage points.
The effect of a visit on each is estimated by `analysis.metrics.did` (kelurahan and month fixed
effects, visited kelurahan compared only with those not yet visited, errors clustered by
kelurahan), with the event study, a permutation check, a dose view by attendees, and — when the
data are too few — how many months and visits would be needed to see an effect of `detect`
extra registrations a month per visited kelurahan.

Caveats the page states: kelurahan were chosen for visits (so they may differ in ways the fixed
effects do not remove, e.g. a local drive at the same time); counts are small; few months.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.metrics import did
from analysis.month import Month
from analysis.settings import DEFAULTS
from analysis.store import read_quality

OUTCOMES = ("new", "effective_rate")
#: A dose group (fewer / more attendees) needs this many visited kelurahan to be shown.
MIN_DOSE_UNITS = 5
DEFAULT_DETECT = DEFAULTS.detect
LOG_FILE = "outreach.parquet"
#: The columns of the activities (outreach.parquet's, plus the month number `t`).
LOG_COLUMNS = {
    "tanggal": "datetime64[us]",
    "bulan": "str",
    "kode_kelurahan": "str",
    "kode_kecamatan": "str",
    "kelurahan": "str",
    "kecamatan": "str",
    "kegiatan": "str",
    "peserta": "Int64",
    "usaha": "Int64",
    "kelurahan_match": "str",
    "t": "int64",
}


def _month_no(period: str) -> int:
    return pd.Period(period, "M").ordinal


def _period_of(number: int) -> str:
    return pd.Period(ordinal=int(number), freq="M").strftime("%Y-%m")


def activities(month: Month) -> pd.DataFrame:
    """Every activity of the outreach logs of the cleaned months up to this one (same region), each
    once, oldest first; with `t`, the month number of the activity."""
    parts = []
    for p in _months(month):
        path = month.paths.processed(p) / LOG_FILE
        if path.exists():
            parts.append(pd.read_parquet(path))
    parts = [x for x in parts if len(x)]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=dt) for c, dt in LOG_COLUMNS.items()})
    log = pd.concat(parts, ignore_index=True)
    key = [c for c in log.columns if c != "kelurahan_match"]
    log = log.drop_duplicates(key).sort_values(["tanggal", "kode_kelurahan"], kind="stable")
    log = log[log["bulan"].le(month.period)].reset_index(drop=True)
    log["t"] = log["bulan"].map(_month_no).astype("int64")
    return log


def _months(month: Month) -> list[str]:
    """The cleaned months up to this one that were cleaned for the same region."""
    out = []
    for p in month.earlier():
        try:
            region = (
                month.region
                if p == month.period
                else read_quality(month.paths.processed(p))["region"]
            )
        except (OSError, ValueError, KeyError):
            continue
        if region == month.region:
            out.append(p)
    return out


def visits(log: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Per kelurahan of the region: first and last month visited, activities, and the attendees
    of the first month's activities (the dose; missing when none was counted)."""
    out = units[["kode_kelurahan", "kelurahan", "kode_kecamatan", "kecamatan"]].copy()
    if log.empty:
        return out.assign(first=None, last=None, activities=0, dose=np.nan, cohort=np.nan)
    by = log.groupby("kode_kelurahan")
    first = by["bulan"].min()
    in_first = log[log["bulan"].eq(log["kode_kelurahan"].map(first))]
    dose = in_first.groupby("kode_kelurahan")["peserta"].agg(
        lambda s: float(s.sum()) if s.notna().any() else np.nan
    )
    code = out["kode_kelurahan"]
    out["first"] = code.map(first)
    out["last"] = code.map(by["bulan"].max())
    out["activities"] = code.map(by.size()).fillna(0).astype("int64")
    out["dose"] = code.map(dose).astype("float64")
    out["cohort"] = out["first"].map(lambda p: _month_no(p) if isinstance(p, str) else np.nan)
    return out


def new_registrations(workers: pd.DataFrame, participants: pd.DataFrame, period: str) -> pd.Series:
    """Roster workers per kelurahan whose first registration (earliest `tgl_kepesertaan` of their
    records) falls in `period`."""
    first = participants.groupby("nik_hash")["tgl_kepesertaan"].min()
    # reindex, not map: map with an empty mapper (nobody registered) casts the dates to float
    when = pd.Series(first.reindex(workers["nik_hash"]).to_numpy(), index=workers.index)
    fresh = when.dt.strftime("%Y-%m").eq(period)
    return workers.loc[fresh.fillna(False).to_numpy(dtype=bool)].groupby("kode_kelurahan").size()


def month_outcomes(month: Month, period: str) -> pd.DataFrame:
    """One cleaned month's outcomes per kelurahan: workers, effective, new registrations, and the
    effective rate in percentage points (missing without workers)."""
    folder = month.paths.processed(period)
    cov = pd.read_parquet(
        folder / "coverage_kelurahan.parquet", columns=["kode_kelurahan", "workers", "effective"]
    )
    workers = pd.read_parquet(folder / "workers.parquet", columns=["nik_hash", "kode_kelurahan"])
    participants = pd.read_parquet(
        folder / "participants.parquet", columns=["nik_hash", "tgl_kepesertaan"]
    )
    new = new_registrations(workers, participants, period)
    cov["new"] = cov["kode_kelurahan"].map(new).fillna(0).astype("int64")
    rate = cov["effective"] / cov["workers"].where(cov["workers"] > 0)
    cov["effective_rate"] = 100 * rate
    cov["period"] = period
    cov["t"] = _month_no(period)
    return cov


def build_panel(month: Month, visited: pd.DataFrame) -> pd.DataFrame:
    """The monthly panel: one row per kelurahan of the region and cleaned month up to this one,
    with outcomes, the month of the first visit (`cohort`) and the first month's attendees."""
    rows = [month_outcomes(month, p) for p in _months(month)]
    panel = pd.concat(rows, ignore_index=True)
    panel = panel[panel["kode_kelurahan"].isin(visited["kode_kelurahan"])]
    on = visited.set_index("kode_kelurahan")
    panel["cohort"] = panel["kode_kelurahan"].map(on["cohort"]).astype("float64")
    panel["dose"] = panel["kode_kelurahan"].map(on["dose"]).astype("float64")
    return panel.reset_index(drop=True)


@dataclass
class Effect:
    """What the visits changed in one outcome: the overall estimate, the event study (with the
    months before the visit), the permutation check and the smallest effect the data could find."""

    outcome: str
    estimate: did.Estimate | None = None
    event: pd.DataFrame | None = None
    placebo_p: float | None = None
    mde: float | None = None
    sigma2: float | None = None
    scale: float = 1.0  # observed / design standard error (carries clustering into `needed`)


def effect(panel: pd.DataFrame, outcome: str, units: int, permutations: int) -> Effect:
    """The effect of a first visit on `outcome`, with its checks (nothing when it cannot be estimated)."""
    result = did.fit(panel, outcome, unit="kode_kelurahan")
    if result is None:
        return Effect(outcome)
    est = result.aggregate()
    leads = did.fit(panel, outcome, unit="kode_kelurahan", leads=True)
    event = (leads or result).by_event()
    visited = est.units
    months = panel["t"].nunique()
    design = did.design_se(result.sigma2, visited, units - visited, months)
    scale = est.se / design if design and math.isfinite(design) and design > 0 else 1.0
    p = (
        did.permutation_p(panel, outcome, est.value, unit="kode_kelurahan", n=permutations)
        if permutations
        else None
    )
    mde = did.min_detectable(result.sigma2, visited, units - visited, months, scale)
    return Effect(outcome, est, event, p, mde, result.sigma2, scale)


@dataclass
class Dose:
    """The effect on new registrations by attendance at the first visit: below or at the median
    of attendees (`fewer`) and above it (`more`)."""

    median: float
    fewer: did.Estimate | None
    more: did.Estimate | None


@dataclass
class OutreachMonth:
    """Everything the outreach page shows for one month."""

    period: str
    region: str
    months: list[str]
    has_log: bool  # this month's outreach log was supplied
    log: pd.DataFrame  # every activity up to this month
    visits: pd.DataFrame  # per kelurahan: first, last, activities, dose
    panel: pd.DataFrame
    effects: dict[str, Effect] = field(default_factory=dict)
    dose: Dose | None = None
    status: str = "no_log"  # 'no_log', 'one_month', 'no_comparison', 'estimated'
    needs: dict = field(default_factory=dict)
    detect: float = DEFAULT_DETECT

    @property
    def this_month(self) -> pd.DataFrame:
        return self.log[self.log["bulan"].eq(self.period)] if len(self.log) else self.log

    @property
    def main(self) -> Effect | None:
        return self.effects.get("new")

    @property
    def enough(self) -> bool:
        """An estimate exists and the data could find an effect of `detect` (80% power)."""
        m = self.main
        return bool(m and m.estimate and m.mde is not None and m.mde <= self.detect)


def results(month: Month, permutations: int = did.PERMUTATIONS) -> OutreachMonth:
    """The outreach log, panel and effects of the month (computed once per month)."""
    return month.memo("outreach", lambda: _compute(month, permutations))


def _compute(month: Month, permutations: int) -> OutreachMonth:
    log = activities(month)
    units = month.units
    visited = visits(log, units)
    panel = build_panel(month, visited)
    months = sorted(panel["period"].unique())
    detect = float(month.settings.detect)
    q = month.quality.get("sosialisasi", {})
    out = OutreachMonth(
        period=month.period,
        region=month.region,
        months=months,
        has_log=bool(q.get("file")),
        log=log,
        visits=visited,
        panel=panel,
        detect=detect,
    )
    if log.empty:
        out.status = "no_log"
    elif len(months) < 2:
        out.status = "one_month"
    else:
        out.effects = {
            o: effect(panel, o, len(units), permutations if o == "new" else 0) for o in OUTCOMES
        }
        out.status = "estimated" if out.main.estimate is not None else "no_comparison"
    out.dose = _dose(panel) if out.status == "estimated" else None
    out.needs = _needs(out, panel, len(units))
    return out


def _dose(panel: pd.DataFrame) -> Dose | None:
    """The effect on new registrations for kelurahan whose first visit drew fewer / more attendees
    than the median, when each group has MIN_DOSE_UNITS visited kelurahan that can be compared."""
    first_t = panel["t"].min()
    usable = panel.drop_duplicates("kode_kelurahan")
    usable = usable[usable["cohort"].gt(first_t) & usable["dose"].notna()]
    if len(usable) < 2 * MIN_DOSE_UNITS:
        return None
    groups = did.dose_groups(usable.set_index("kode_kelurahan")["dose"])
    if groups.value_counts().min() < MIN_DOSE_UNITS:
        return None
    p = panel[panel["cohort"].isna() | panel["kode_kelurahan"].isin(groups.index)].copy()
    p["dose_group"] = p["kode_kelurahan"].map(groups)
    result = did.fit(p, "new", unit="kode_kelurahan", group="dose_group")
    if result is None:
        return None
    by = result.by_group()
    fewer, more = (by.get(g) for g in did.DOSE_GROUPS)
    return Dose(float(usable["dose"].median()), fewer, more)


def _needs(out: OutreachMonth, panel: pd.DataFrame, units: int) -> dict:
    """How many months and visited kelurahan it takes to find an effect of `detect`."""
    m = out.main
    if m is not None and m.sigma2 is not None and math.isfinite(m.sigma2):
        sigma2, scale = m.sigma2, m.scale
    else:  # no fit yet: the spread of new registrations between kelurahan (an upper bound)
        v = panel.groupby("period")["new"].var().mean() if len(panel) else math.nan
        sigma2, scale = (float(v) if v == v and v > 0 else 1.0), 1.0
    first_t = panel["t"].min() if len(panel) else 0
    visited = int(out.visits["cohort"].gt(first_t).sum())
    return did.needed(sigma2, out.detect, units, visited, len(out.months), scale) | {
        "visited_now": visited,
        "months_now": len(out.months),
    }
