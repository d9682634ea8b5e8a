"""Notebook 02's view over time: the change since last month, the trend of effective coverage in
percent, and what registry workers contribute to BPJS Ketenagakerjaan's targets for the region
(the overview of a region of several kabupaten/kota shows the same, `Progress`).

The 2019 targets (informal 34,785; formal 57,303 workers for Kota Surakarta, ANTARA 25 March
2019, docs/facts.md §0) are BPJS Ketenagakerjaan's targets for *all* informal and formal workers
of the city. UMKM-registry workers are one part of what counts toward them, so the page shows
their contribution (covered registry workers as a share of the target), never a shortfall.
"""

from __future__ import annotations

import pandas as pd

from analysis.metrics.coverage import SEGMENTS, CoverageMonth, Progress, previous_protected
from analysis.metrics.disclosure import PRIMARY, SECONDARY, is_small
from analysis.pages.coverage_tables import city_protected
from analysis.pages.published import Col, PublishedTable, published
from analysis.pages.text import fmt_int, fmt_month, fmt_num, fmt_pct, t


def last_month(cov: CoverageMonth) -> tuple[str, float] | None:
    """The month compared with and its effective coverage, when both months' city shares are
    published (last month's as last month's report protected it); None otherwise."""
    if cov.previous is None or bool(city_protected(cov).state.loc[0, "effective_rate"]):
        return None
    before = previous_protected(cov, "city")
    if before is None or bool(before.state.loc[0, "effective_rate"]):
        return None
    workers = int(before.table.loc[0, "workers"])
    if workers == 0:
        return None
    return cov.previous_period, int(before.table.loc[0, "effective"]) / workers


def change_phrase(cov: CoverageMonth, lang: str = "id") -> str:
    """'naik 0,5 poin dari September 2026 (9,2%)', or '' without a comparable last month."""
    before = last_month(cov)
    if before is None:
        return ""
    period, rate = before
    points = round((float(cov.city["effective_rate"]) - rate) * 100, 1)
    key = "cov_change_up" if points > 0 else "cov_change_down" if points < 0 else "cov_change_same"
    return t(
        key,
        lang,
        points=fmt_num(abs(points), lang, 1),
        month=fmt_month(period, lang),
        before=fmt_pct(rate, lang),
    )


def trend_frame(cov: Progress, lang: str = "id") -> pd.DataFrame:
    """Effective coverage per month in percent of workers: all, and by segment (BPU, PU)."""
    h = cov.history
    if h.empty:
        return pd.DataFrame()
    workers = h["workers"].astype("float64").where(h["workers"] > 0)
    out = pd.DataFrame({t("cov_trend_total", lang): h["effective"] / workers})
    for seg in SEGMENTS:
        if f"effective_{seg}" in h:
            out[t(f"cov_segment_{seg}", lang)] = h[f"effective_{seg}"].astype("float64") / workers
    out.index = [fmt_month(p, lang) for p in h["period"]]
    return out


def _covered(cov: Progress, segment: str) -> int:
    return int(cov.segments.get(segment, 0))


@published("sumbangan_target")
def target_table(cov: Progress, lang: str = "id") -> PublishedTable:
    """Each city-wide target and what registry workers effectively covered in its segment
    contribute to it (count and share of the target)."""
    rows = []
    for row in cov.targets.itertuples():
        covered = _covered(cov, row.segment)
        rows.append(
            {
                "target": t(f"cov_target_name_{row.sector}", lang, year=row.year),
                "target_workers": int(row.target_workers),
                "covered": covered,
                "share": covered / row.target_workers if row.target_workers else None,
                "hidden": PRIMARY if is_small(covered, cov.min_cell) else 0,
            }
        )
    data = pd.DataFrame(rows, columns=["target", "target_workers", "covered", "share", "hidden"])
    hidden = data["hidden"].astype("int64")
    # a share of a hidden count would reveal it: shown as 'x'
    state = pd.DataFrame({"covered": hidden, "share": hidden.where(hidden == 0, SECONDARY)})
    cols = [
        Col("target", t("cov_col_target", lang)),
        Col("target_workers", t("cov_col_target_workers", lang), "count"),
        Col("covered", t("cov_col_covered_segment", lang), "count"),
        Col("share", t("cov_col_share_target", lang), "pct"),
    ]
    table = PublishedTable(t("cov_tbl_target", lang), cols, data, lang, state, cov.min_cell)
    return table.gated(counts=["covered"])  # the targets are not counts of people we hold


def contribution_lines(cov: Progress, lang: str = "id") -> list[str]:
    """One sentence per target: registry workers covered in that segment as a share of it, and
    how that number moved over the months on record."""
    lines = []
    h = cov.history
    for row in cov.targets.itertuples():
        covered = _covered(cov, row.segment)
        hidden = is_small(covered, cov.min_cell)
        pace = ""
        col = f"effective_{row.segment}"
        if len(h) >= 2 and col in h and not hidden:
            first, last = h[col].iloc[0], h[col].iloc[-1]
            if pd.notna(first) and pd.notna(last):
                pace = " " + t(
                    "cov_contribution_pace",
                    lang,
                    first=fmt_int(first, lang),
                    last=fmt_int(last, lang),
                    since=fmt_month(h["period"].iloc[0], lang),
                )
        lines.append(
            t(
                "cov_contribution",
                lang,
                sector=t(f"cov_sector_{row.sector}", lang),
                segment=row.segment,
                year=row.year,
                covered="<" + str(cov.min_cell) if hidden else fmt_int(covered, lang),
                share="–" if hidden else fmt_pct(covered / row.target_workers, lang),
                target=fmt_int(row.target_workers, lang),
                place=cov.place,
            )
            + pace
        )
    return lines
