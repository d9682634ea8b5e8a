"""Coverage of UMKM workers by BPJS Ketenagakerjaan (docs/design.md metrics): counts, rates with 95%
Wilson intervals, breakdowns, smoothed rates, hot spots, trend and progress to target.

Rates are counts over `workers` (declared workers, or the roster where it lists more):
*registered* (NIK in the participant extract), *active* (an AKTIF record) and *effective*
(active and paid up to the month, ILO SDG 1.3.1). The second half of the module turns one
month's results into the sentences and disclosure-protected tables of notebook 02.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import AnalysisError
from analysis.metrics.disclosure import Protected, is_small, protect
from analysis.metrics.intervals import ALPHA, wilson
from analysis.metrics.spatial import eb_rates, global_moran, local_moran
from analysis.metrics.universe import Universe, universe_name
from analysis.month import Month
from analysis.reference import boundaries, region_name, sectors, targets
from analysis.store import COUNT_COLUMNS, MEASURES

#: Fixed classes (upper bounds) of the coverage map, the same every month so that months compare:
#: ≤5% (almost nobody), 5–10%, 10–20%, 20–30%, 30–50%, more than half.
RATE_BREAKS = [0.05, 0.10, 0.20, 0.30, 0.50, 1.00]
#: Months of processed data a trend line needs (two points always lie on a line).
MIN_HISTORY = 3
#: Projections further ahead than this many months are reported as 'not within ten years'.
HORIZON_MONTHS = 120
#: Segments of effectively covered workers: Bukan Penerima Upah (informal), Penerima Upah (formal).
SEGMENTS = ("BPU", "PU")
OTHER_SEGMENT = "lainnya"
SIZE_ORDER = ["mikro", "kecil", "menengah", "besar", "tidak_diketahui"]
#: Where a size class too small to publish is merged (the next smaller class).
SIZE_MERGE = {"besar": "menengah", "menengah": "kecil"}
OTHER_SECTOR = "lainnya"


# --- rates and intervals ---------------------------------------------------------------------


def add_rates(table: pd.DataFrame, measures=MEASURES, alpha: float = ALPHA) -> pd.DataFrame:
    """Add `<m>_rate`, `<m>_low`, `<m>_high` (Wilson) over `workers`, and `uncovered` = workers − effective."""
    out = table.copy()
    n = out["workers"].astype("float64")
    for m in measures:
        out[f"{m}_rate"] = (out[m] / n).where(n > 0)
        out[f"{m}_low"], out[f"{m}_high"] = wilson(out[m], n, alpha)
    out["uncovered"] = (out["workers"] - out["effective"]).astype("int64")
    return out


def add_smoothed(table: pd.DataFrame) -> pd.DataFrame:
    """Add `effective_rate_eb`: the empirical-Bayes smoothed effective rate (esda), NaN without workers."""
    out = table.copy()
    out["effective_rate_eb"] = eb_rates(out["effective"], out["workers"]).to_numpy()
    return out


def _sum_counts(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    cols = [c for c in COUNT_COLUMNS if c in frame]
    return frame.groupby(by, sort=False)[cols].sum().reset_index()


def kecamatan_coverage(kelurahan: pd.DataFrame) -> pd.DataFrame:
    """Counts and rates (with intervals) per kecamatan, from the kelurahan table."""
    return add_rates(_sum_counts(kelurahan, ["kode_kecamatan", "kecamatan"]))


def city_coverage(kelurahan: pd.DataFrame) -> pd.Series:
    """Counts and rates (with intervals) for the whole region, from the kelurahan table."""
    total = kelurahan[[c for c in COUNT_COLUMNS if c in kelurahan]].sum().to_frame().T
    return add_rates(total.astype("int64")).iloc[0]


def group_coverage(
    businesses: pd.DataFrame, workers: pd.DataFrame, by: str, order: list[str] | None = None
) -> pd.DataFrame:
    """Counts and rates (with intervals) by a business attribute (`sektor`, `kelas_usaha`).

    The denominator is the businesses' `workers`; the numerators are roster workers of those
    businesses. Groups follow `order` (reference order), others after; groups without any
    business are left out.
    """
    biz = businesses.groupby(by).agg(
        businesses=("id_umkm", "size"),
        workers=("workers", "sum"),
        roster_workers=("roster_workers", "sum"),
    )
    people = workers.groupby(by)[list(MEASURES)].sum()
    out = biz.join(people).fillna(0).astype("int64")
    order = [g for g in (order or []) if g in out.index]
    out = out.reindex(order + sorted(set(out.index) - set(order)))
    return add_rates(out.rename_axis(by).reset_index())


def collapse_small(
    table: pd.DataFrame, by: str, into: dict[str, str], min_cell: int
) -> pd.DataFrame:
    """Merge groups with a count of 1 to min_cell − 1 (workers, effective or uncovered) into
    another group (`into`: code → code), so that a breakdown needs fewer suppressed cells.

    A merged group's code joins its parts with '+', e.g. 'kecil+menengah'; a merged group that
    is still small merges on by its first part's rule. Counts are summed, rates recomputed.
    """
    counts = [c for c in COUNT_COLUMNS if c in table]
    out = table.reset_index(drop=True)
    while True:
        vals = out[["workers", "effective", "uncovered"]]
        small = pd.Series(is_small(vals, min_cell).any(axis=1), index=vals.index)
        parts = [code.split("+") for code in out[by]]
        move = None
        for i in np.flatnonzero(small.to_numpy()):
            dest = next((into[p] for p in parts[i] if p in into), None)
            j = next((k for k, ps in enumerate(parts) if dest in ps and k != i), None)
            if j is not None:
                move = (i, j)
                break
        if move is None:
            return out
        i, j = move
        merged = out.loc[[j], [by, *counts]].copy()
        merged[counts] += out.loc[[i], counts].to_numpy()
        merged[by] = "+".join(parts[j] + parts[i])
        rest = out.drop(index=[i, j])[[by, *counts]]
        order = sorted([*rest.index, j])
        out = add_rates(pd.concat([rest, merged]).loc[order].reset_index(drop=True))


# --- segments and targets --------------------------------------------------------------------


def effective_segments(workers: pd.DataFrame, participants: pd.DataFrame) -> pd.Series:
    """Effectively covered roster workers by the segment of their effective record(s): PU, BPU, other.

    A person counts once: as PU if any effective record is PU, else BPU if any is, else other
    (e.g. Jasa Konstruksi, or segment not given).
    """
    covered = pd.Index(workers.loc[workers["effective"], "nik_hash"].unique())
    recs = participants.loc[participants["effective"] & participants["nik_hash"].isin(covered)]
    held = (
        pd.DataFrame(
            {
                "nik_hash": recs["nik_hash"],
                "pu": recs["segmen"].eq("PU").fillna(False),
                "bpu": recs["segmen"].eq("BPU").fillna(False),
            }
        )
        .groupby("nik_hash")[["pu", "bpu"]]
        .any()
    )
    held = held.reindex(covered, fill_value=False)
    seg = pd.Series(
        np.select([held["pu"], held["bpu"]], ["PU", "BPU"], OTHER_SEGMENT), index=held.index
    )
    counts = seg.value_counts()
    return counts.reindex([*SEGMENTS, OTHER_SEGMENT], fill_value=0).astype("int64")


# --- trend and projection --------------------------------------------------------------------


def _month_index(period: str) -> int:
    return int(period[:4]) * 12 + int(period[5:7]) - 1


def _period_of(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def history(month: Month) -> pd.DataFrame:
    """Totals of every cleaned month up to this one (oldest first), for the month's region (or
    kabupaten/kota): workers, registered, active, effective with rates, and effective workers by
    segment (BPU, PU, other)."""
    rows = []
    for p in month.earlier():
        then = month.at(p)  # the same region and kabupaten/kota in that month
        if not (then.folder / "coverage_kelurahan.parquet").exists():
            continue
        kel = then.table("coverage_kelurahan")
        row = {"period": p, **{c: int(kel[c].sum()) for c in COUNT_COLUMNS}}
        if (then.folder / "workers.parquet").exists() and (
            then.folder / "participants.parquet"
        ).exists():
            seg = effective_segments(then.table("workers"), then.table("participants"))
            row |= {f"effective_{k}": int(v) for k, v in seg.items()}
        rows.append(row)
    if not rows:
        return pd.DataFrame(columns=["period", *COUNT_COLUMNS])
    return add_rates(pd.DataFrame(rows))


def rate_change(history: pd.DataFrame, period: str) -> tuple[float, str] | None:
    """The change of the effective rate since the cleaned month before `period`, in percentage
    points, and that month; None when `period` is not the last month of the history or it has
    no month before it."""
    if len(history) < 2 or history["period"].iloc[-1] != period:
        return None
    before, now = history.iloc[-2], history.iloc[-1]
    return float((now["effective_rate"] - before["effective_rate"]) * 100), str(before["period"])


def previous_month(month: Month) -> tuple[str, pd.DataFrame] | None:
    """The latest cleaned month before this one (same data folder, same region and
    kabupaten/kota) and its kelurahan table with rates, for month-over-month changes; None when
    there is none."""
    for p in reversed([p for p in month.earlier() if p < month.period]):
        then = month.at(p)
        if (then.folder / "coverage_kelurahan.parquet").exists():
            return p, add_rates(then.table("coverage_kelurahan"))
    return None


@dataclass
class Projection:
    """A straight-line projection of a monthly count towards a target."""

    status: str  # 'short' (too few months), 'reached', 'not_growing', 'on_track', 'beyond_horizon'
    months_used: int
    target: float
    latest: float
    slope: float | None = None  # change per month, fitted
    reach: str | None = None  # the month the fitted line reaches the target (YYYY-MM)
    months_to_go: int | None = None


def project(
    periods: list[str],
    values: list[float],
    target: float,
    min_points: int = MIN_HISTORY,
    horizon_months: int = HORIZON_MONTHS,
) -> Projection:
    """When a least-squares line through the monthly values (numpy.polyfit) reaches `target`.

    Months may have gaps (the x axis is the month number). Fewer than `min_points` months
    give status 'short'; a value already at the target 'reached'; a flat or falling line
    'not_growing'; a reach further than `horizon_months` after the last month 'beyond_horizon'.
    """
    order = np.argsort([_month_index(p) for p in periods])
    x = np.array([_month_index(periods[i]) for i in order], dtype="float64")
    y = np.array([values[i] for i in order], dtype="float64")
    latest = float(y[-1]) if len(y) else math.nan
    base = Projection("short", len(x), float(target), latest)
    if len(y) and latest >= target:
        base.status = "reached"
        return base
    if len(x) < min_points:
        return base
    slope, intercept = np.polyfit(x, y, 1)
    base.slope = float(slope)
    if slope <= 0:
        base.status = "not_growing"
        return base
    reach = max(math.ceil((target - intercept) / slope - 1e-9), int(x[-1]) + 1)
    base.reach, base.months_to_go = _period_of(reach), int(reach - x[-1])
    base.status = "beyond_horizon" if base.months_to_go > horizon_months else "on_track"
    return base


# --- one month, everything the page needs ----------------------------------------------------


def hot_spots(kelurahan: pd.DataFrame, geoms) -> pd.DataFrame:
    """Add LISA columns (spatial.local_moran) of the smoothed effective rate to the kelurahan table."""
    values = kelurahan.set_index("kode_kelurahan")["effective_rate_eb"]
    lisa = local_moran(values, geoms)
    return kelurahan.join(lisa, on="kode_kelurahan")


@dataclass
class CoverageMonth:
    """One month's coverage results for the page (all counts from coverage_kelurahan.parquet)."""

    period: str
    region: str
    reference_dir: Path
    min_cell: int
    kelurahan: pd.DataFrame
    kecamatan: pd.DataFrame
    city: pd.Series
    sector: pd.DataFrame
    size: pd.DataFrame
    segments: pd.Series
    targets: pd.DataFrame
    history: pd.DataFrame
    moran: tuple[float, float] | None
    projections: dict[str, Projection] = field(default_factory=dict)
    universe: Universe | None = None  # every coverage count, protected together
    protected: Protected | None = None  # the kelurahan table, cut from the universe
    previous_period: str | None = None  # the month compared with (the latest cleaned before)
    previous: pd.DataFrame | None = None  # its kelurahan table with rates
    previous_universe: Universe | None = None  # its counts, protected as its report did

    @property
    def progress(self) -> Progress:
        """Where the month stands against the region's targets, and the trend."""
        return Progress(
            self.period,
            region_name(self.region, self.reference_dir),
            int(self.city["workers"]),
            self.min_cell,
            self.targets,
            self.segments,
            self.history,
            self.projections,
        )


@dataclass
class Progress:
    """A region's effectively covered workers against its targets on record, with the trend
    (what the coverage page and the overview of a region of several kabupaten/kota show)."""

    period: str
    place: str  # the region's name ('Kota Surakarta'), whose targets these are
    workers: int  # the registry's workers of the region (the most the registry can reach)
    min_cell: int
    targets: pd.DataFrame
    segments: pd.Series
    history: pd.DataFrame
    projections: dict[str, Projection]


def projections(
    period: str, goals: pd.DataFrame, past: pd.DataFrame, segments: pd.Series
) -> dict[str, Projection]:
    """For each target (sector): when the month's trend of its segment's effectively covered
    workers would reach it (the month alone when there is no history file for it)."""
    out = {}
    for row in goals.itertuples():
        seg = row.segment if row.segment in SEGMENTS else OTHER_SEGMENT
        col = f"effective_{seg}"
        if len(past) and col in past and past["period"].iloc[-1] == period:
            periods, values = list(past["period"]), list(past[col].fillna(0))
        else:  # no trend file for this month: the month alone
            periods, values = [period], [int(segments[seg])]
        out[row.sector] = project(periods, values, row.target_workers)
    return out


def progress(month: Month) -> Progress:
    """The month's progress toward its region's targets, without the maps' statistics (the
    overview of a region needs only this)."""

    def compute() -> Progress:
        segments = effective_segments(month.table("workers"), month.table("participants"))
        goals, past = targets(month.region, month.reference_dir), history(month)
        workers = int(month.table("coverage_kelurahan")["workers"].sum())
        plan = projections(month.period, goals, past, segments)
        return Progress(
            month.period, month.place, workers, month.settings.min_cell, goals, segments, past, plan
        )

    return month.memo("progress", compute)


KEL_COUNTS = ["workers", "registered", "effective", "uncovered"]
KEL_RATES = {
    "effective_rate": ("effective", "workers"),
    "effective_rate_eb": ("effective", "workers"),
    "registered_rate": ("registered", "workers"),
}
#: What readers know links the coverage counts of a row: covered + not covered = workers, and
#: effective ⊆ active ⊆ registered ⊆ workers; the group rule's (attribute, group) pairs.
IDENTITIES = ((("effective", "uncovered"), "workers"),)
ORDER = (("effective", "active"), ("active", "registered"), ("registered", "workers"))
GROUP_PAIRS = (("effective", "workers"), ("registered", "workers"))
CITY_KEY = "all"


def protect_table(table: pd.DataFrame, min_cell: int, groups: list[str | None]):
    """Disclosure control for one coverage table on its own (the first pass; pages take their
    tables from `coverage_universe`, which protects them all together)."""
    rates = {k: v for k, v in KEL_RATES.items() if k in table}
    return protect(
        table,
        [c for c in KEL_COUNTS if c in table],
        min_cell=min_cell,
        groups=groups,
        row_sums=[(["effective", "uncovered"], "workers")],
        rates=rates,
    )


def city_frame(city: pd.Series) -> pd.DataFrame:
    """The city totals as a one-row table keyed `CITY_KEY` (column `city`)."""
    frame = city.to_frame().T.reset_index(drop=True)
    frame = frame.astype({c: "int64" for c in [*COUNT_COLUMNS, "uncovered"]}).infer_objects()
    return frame.assign(city=CITY_KEY)


@dataclass
class CoverageCounts:
    """The count tables every coverage figure comes from (kelurahan with rates, kecamatan, the
    city, sectors and size classes with small groups merged)."""

    kelurahan: pd.DataFrame
    kecamatan: pd.DataFrame
    city: pd.Series
    sector: pd.DataFrame
    size: pd.DataFrame


def counts(month: Month) -> CoverageCounts:
    """The month's coverage count tables (computed once per month)."""
    return month.memo("coverage_counts", lambda: _counts(month))


def _counts(month: Month) -> CoverageCounts:
    kel = add_rates(month.table("coverage_kelurahan"))
    biz, wrk = month.table("businesses"), month.table("workers")
    codes, min_cell = list(sectors(month.reference_dir)["sektor"]), month.settings.min_cell
    return CoverageCounts(
        kel,
        kecamatan_coverage(kel),
        city_coverage(kel),
        collapse_small(
            group_coverage(biz, wrk, "sektor", codes),
            "sektor",
            {s: OTHER_SECTOR for s in codes if s != OTHER_SECTOR},
            min_cell,
        ),
        collapse_small(
            group_coverage(biz, wrk, "kelas_usaha", SIZE_ORDER), "kelas_usaha", SIZE_MERGE, min_cell
        ),
    )


def universe(month: Month) -> Universe:
    """Every coverage count the report publishes, protected together (once per month): what
    other pages that show coverage counts (the awareness priority list) take their states from."""
    s = month.settings
    name = universe_name("coverage", month.region)
    return month.memo(
        "coverage_universe",
        lambda: coverage_universe(counts(month), s.min_cell, s.min_group, name=name),
    )


def coverage_universe(
    cov: CoverageCounts, min_cell: int, min_group: int, groups: bool = True, name: str = "coverage"
) -> Universe:
    """Every coverage count the report publishes — kelurahan, kecamatan, the city, sectors and
    size classes (unless `groups` is false) — protected together (`analysis.metrics.universe`)."""
    counts = ("workers", "registered", "effective", "uncovered")
    u = Universe(
        name,
        min_cell,
        ("workers", "registered", "active", "effective", "uncovered"),
        IDENTITIES,
        ORDER,
        GROUP_PAIRS,
        min_group,
    )
    city = city_frame(cov.city)
    u.add_rows("kelurahan", cov.kelurahan, "kode_kelurahan", counts)
    u.add_rows("kecamatan", cov.kecamatan, "kode_kecamatan", counts)
    u.add_rows("city", city, "city")  # the city table shows active workers too
    u.nest("kelurahan", cov.kelurahan, "kode_kelurahan", "kecamatan", "kode_kecamatan")
    u.nest("kecamatan", cov.kecamatan, "kode_kecamatan", "city", None)
    for which, table in (("sektor", cov.sector), ("kelas_usaha", cov.size)) if groups else ():
        u.add_rows(which, table, which, counts).nest(which, table, which, "city", None)
    return u.protect()


def protected(cov: CoverageMonth, level: str) -> Protected:
    """One coverage table with the universe's states: 'kelurahan', 'kecamatan', 'city',
    'sektor' or 'kelas_usaha' (rows in the table's own order)."""
    table, key = {
        "kelurahan": (cov.kelurahan, "kode_kelurahan"),
        "kecamatan": (cov.kecamatan, "kode_kecamatan"),
        "city": (city_frame(cov.city), "city"),
        "sektor": (cov.sector, "sektor"),
        "kelas_usaha": (cov.size, "kelas_usaha"),
    }[level]
    rates = {k: v for k, v in KEL_RATES.items() if k in table}
    return cov.universe.protected(level, table, key, rates=rates)


def previous_universe(month: Month, period: str, kelurahan: pd.DataFrame) -> Universe:
    """Last month's coverage universe as last month's report protected it (its processed tables
    of the same region and kabupaten/kota, this month's settings): its shares are shown this
    month only where it showed them. When last month's tables cannot be read together (a table
    missing, or one that does not add up with the others), its kelurahan table alone
    (`kelurahan`: kelurahan, kecamatan, the city)."""
    try:
        return universe(month.at(period))
    except (AnalysisError, ValueError):
        s, kec = month.settings, kecamatan_coverage(kelurahan)
        geography = CoverageCounts(kelurahan, kec, city_coverage(kelurahan), kec[:0], kec[:0])
        name = universe_name("coverage", month.region)
        return coverage_universe(geography, s.min_cell, s.min_group, groups=False, name=name)


def previous_protected(cov: CoverageMonth, level: str) -> Protected | None:
    """Last month's 'kelurahan', 'kecamatan' or 'city' table with last month's states (None
    without a last month), for the pages' 'last month' and change columns."""
    if cov.previous is None or cov.previous_universe is None:
        return None
    kel = cov.previous
    table, key = {
        "kelurahan": (kel, "kode_kelurahan"),
        "kecamatan": (kecamatan_coverage(kel), "kode_kecamatan"),
        "city": (city_frame(city_coverage(kel)), "city"),
    }[level]
    u = cov.previous_universe
    published = {m for r, ms in u.published.items() if r[0] == level for m in ms}
    rates = {
        f"{m}_rate": (m, "workers") for m in MEASURES if f"{m}_rate" in table and m in published
    }
    return u.protected(level, table, key, rates=rates)


def results(month: Month) -> CoverageMonth:
    """Everything notebook 02 shows for the month (computed once per month)."""
    return month.memo("coverage", lambda: _compute(month))


def _compute(month: Month) -> CoverageMonth:
    ref, min_cell, c = month.reference_dir, month.settings.min_cell, counts(month)
    kel = add_smoothed(c.kelurahan)
    geoms = boundaries(month.region, ref)
    kel = hot_spots(kel, geoms)
    moran = global_moran(kel.set_index("kode_kelurahan")["effective_rate_eb"], geoms)
    out = CoverageMonth(
        period=month.period,
        region=month.region,
        reference_dir=ref,
        min_cell=min_cell,
        kelurahan=kel,
        kecamatan=c.kecamatan,
        city=c.city,
        sector=c.sector,
        size=c.size,
        segments=progress(month).segments,
        targets=progress(month).targets,
        history=progress(month).history,
        moran=moran,
    )
    # every coverage count protected together; kecamatan by code (two kecamatan of Soloraya
    # share a name: Sidoharjo, Wonogiri and Sragen)
    out.universe = universe(month)
    out.protected = protected(out, "kelurahan")
    out.projections = progress(month).projections
    before = previous_month(month)
    if before is not None:
        out.previous_period, out.previous = before
        out.previous_universe = previous_universe(month, *before)
    return out
