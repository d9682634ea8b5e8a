"""A region of several kabupaten/kota side by side (Soloraya), and its progress toward its targets.

Each row is one kabupaten/kota seen through `Month.within`, computed with the same functions
its own pages use: effective coverage with its Wilson interval and the change since the month
before (coverage), the gap between knowing BPJS Kesehatan and BPJS Ketenagakerjaan (awareness,
design-based), the cheapest package's burden on roster incomes and the yearly APBD subsidy for
the uncovered workers of the subsidy's group under the month's subsidy policy (affordability and
subsidy: who is self-employed is estimated within each kabupaten/kota from its own registered
workers, and wage workers are priced at its own UMK). So a row shows its kabupaten/kota's pages'
numbers, and the region's counts — workers, covered, uncovered, the subsidy — are the sums of
the rows (the subsidy's workers are estimates, not whole people).
The region's rates are computed again from those sums; its awareness from the whole survey;
its burden from all roster incomes together; its change from its own history.

The targets on record for the region (targets.csv) are compared with the region's effectively
covered workers by segment, as on the coverage page. Targets of its kabupaten/kota are not
derived from them (the article gives none, and does not say what 'Soloraya' covers).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.metrics import affordability, awareness
from analysis.metrics.affordability import weighted_median
from analysis.metrics.coverage import Progress, add_rates, history, progress, rate_change
from analysis.metrics.subsidy import Policy
from analysis.month import Month
from analysis.reference import areas, read_table, region_code, targets
from analysis.store import COUNT_COLUMNS

#: The counts of a row that add up to the region's.
SUMMED = ["businesses", "workers", "effective", "uncovered", "subsidy_workers", "subsidy_budget"]


@dataclass
class Overview:
    """The overview of a region for one month: a row per kabupaten/kota and the region's total."""

    period: str
    region: str
    place: str
    reference_dir: Path
    min_cell: int
    min_n: int
    threshold: float
    policy: Policy  # the subsidy the rows price (share, group, discount)
    rows: pd.DataFrame  # one per kabupaten/kota, in code order
    total: pd.Series  # the region
    progress: Progress  # the region's targets, segments and trend


def _coverage(kel: pd.DataFrame) -> dict:
    """Counts and effective rate (Wilson interval) of a coverage table's sum."""
    sums = kel[[c for c in COUNT_COLUMNS if c in kel]].sum().to_frame().T.astype("int64")
    c = add_rates(sums).iloc[0]
    return {
        "businesses": int(c["businesses"]),
        "workers": int(c["workers"]),
        "effective": int(c["effective"]),
        "uncovered": int(c["uncovered"]),
        "effective_rate": float(c["effective_rate"]),
        "effective_low": float(c["effective_low"]),
        "effective_high": float(c["effective_high"]),
    }


def _change(month: Month) -> dict:
    moved = rate_change(history(month), month.period)
    return {"change": moved[0] if moved else np.nan, "change_from": moved[1] if moved else None}


def _gap(survey: pd.DataFrame, min_n: int) -> dict:
    """The awareness gap of all respondents (as the awareness page's first line)."""
    g = awareness.gap(survey, None, min_n=min_n)
    row = g.iloc[0] if len(g) else pd.Series(dtype="object")
    out = {"respondents": int(row.get("respondents", 0) or 0)}
    for col in ("aware_kesehatan", "aware_tk", "aware_gap", "aware_gap_lo", "aware_gap_hi"):
        out[col] = float(row[col]) if col in row and pd.notna(row[col]) else np.nan
    return out


def _burden(roster: pd.DataFrame, threshold: float) -> dict:
    """The cheapest package this month against roster incomes (as the affordability headline)."""
    share = roster["share_now"] if len(roster) else pd.Series(dtype="float64")
    return {
        "burden_n": len(share),
        "burden_median": weighted_median(share) if len(share) else np.nan,
        "burden_above": int((share > threshold).sum()),
    }


def area_row(month: Month) -> tuple[dict, pd.DataFrame]:
    """One kabupaten/kota's figures (a month `within` it), and its costed roster."""
    a = affordability.results(month)
    every = a.scenario("all_uncovered")
    row = {
        "area": month.area,
        "kode_kabkota": region_code(month.region, month.reference_dir),
        "place": month.place,
        **_coverage(month.table("coverage_kelurahan")),
        **_change(month),
        **_gap(month.table("survey"), month.settings.min_n),
        **_burden(a.roster, month.settings.threshold),
        "subsidy_workers": float(every["workers"]),  # estimated (expected values)
        "subsidy_budget": float(every["budget"]),
        "subsidy_per_worker": float(every["per_worker"]),
    }
    return row, a.roster


def _total(month: Month, rows: pd.DataFrame, rosters: list[pd.DataFrame]) -> pd.Series:
    """The region: summed counts, rates from the sums, its own awareness, burden and change."""
    kel = rows[["businesses", "workers", "effective"]].assign(
        roster_workers=0, registered=0, active=0
    )
    out = {
        "area": None,
        "kode_kabkota": region_code(month.region, month.reference_dir),
        "place": month.place,
        **_coverage(kel),
        **_change(month),
        **_gap(month.table("survey"), month.settings.min_n),
        **_burden(pd.concat(rosters, ignore_index=True), month.settings.threshold),
    }
    for col in SUMMED:
        out[col] = rows[col].sum()
    out["subsidy_per_worker"] = (
        out["subsidy_budget"] / out["subsidy_workers"] if out["subsidy_workers"] else np.nan
    )
    return pd.Series(out)


def results(month: Month) -> Overview:
    """The overview of the month's region (computed once per month)."""
    return month.memo("overview", lambda: _compute(month))


def _compute(month: Month) -> Overview:
    parts = [month.within(a) for a in areas(month.region, month.reference_dir)]
    if not parts:
        raise ValueError(f"{month.region} is one kabupaten/kota: it has no overview")
    figures = [area_row(m) for m in parts]
    rows = pd.DataFrame([f for f, _ in figures])
    return Overview(
        period=month.period,
        region=month.region,
        place=month.place,
        reference_dir=month.reference_dir,
        min_cell=month.settings.min_cell,
        min_n=month.settings.min_n,
        threshold=month.settings.threshold,
        policy=Policy.of(month.settings),
        rows=rows,
        total=_total(month, rows, [r for _, r in figures]),
        progress=progress(month),
    )


def target_ratios(region: str, city: str, reference_dir: Path | None = None) -> dict[str, float]:
    """How many times a city's targets each of a region's targets is, by segment (for the
    caveat that the region's targets are far below its population)."""
    mine = targets(region, reference_dir).set_index("segment")["target_workers"]
    theirs = targets(city, reference_dir).set_index("segment")["target_workers"]
    both = mine.index.intersection(theirs.index)
    return {seg: float(mine[seg] / theirs[seg]) for seg in both}


def population_ratio(codes: list[str], city_code: str, reference_dir: Path | None = None) -> float:
    """Residents of the region's kabupaten/kota over the city's (soloraya_umkm.csv: 2021, or the
    2020 census where 2021 is not given)."""
    table = read_table("soloraya_umkm.csv", reference_dir).set_index("kode_kabkota")
    recent = table["population_2021"].replace("", np.nan).fillna(table["population_sp2020"])
    people = pd.to_numeric(recent, errors="coerce")
    return float(people.reindex(codes).sum() / people[city_code])
