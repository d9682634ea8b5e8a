"""Notebook 02's page: the sentences, tables and cover figures of one month's coverage, in the
report's language. Every count comes from the coverage universe (kelurahan, kecamatan, city,
sectors and size classes protected together, `analysis.metrics.universe`) and every table
passes the disclosure gate with its cells (`analysis.metrics.disclosure.gate`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import Markdown

from analysis.metrics.coverage import (
    CITY_KEY,
    HORIZON_MONTHS,
    MEASURES,
    MIN_HISTORY,
    RATE_BREAKS,
    SEGMENTS,
    SIZE_ORDER,
    CoverageMonth,
    Projection,
    protected,
    results,
)
from analysis.metrics.disclosure import (
    SECONDARY,
    Protected,
    Published,
    count_text,
    display,
    gate,
    is_small,
    refs_for,
)
from analysis.metrics.spatial import ALPHA as LISA_ALPHA
from analysis.metrics.spatial import PERMUTATIONS, SEED
from analysis.month import Month
from analysis.pages import charts, maps
from analysis.pages.text import (
    Cards,
    Section,
    fmt_int,
    fmt_interval,
    fmt_month,
    fmt_num,
    fmt_pct,
    md,
    published_elsewhere,
    t,
    table,
)
from analysis.reference import UNKNOWN, sectors


def _markdown(text: str):
    """Show text as Markdown in a notebook (the published page shows it as text)."""
    return Markdown(text)


def _city_protected(cov: CoverageMonth) -> Protected:
    return protected(cov, "city")


def _shown(p, column: str, fmt, row: int = 0) -> str:
    """One cell as published: formatted, or '<k' / 'x' when suppressed."""
    return str(display(p, {column: fmt})[column].iloc[row])


def headline(cov: CoverageMonth, lang: str = "id"):
    """The page's first lines: workers, effective coverage with its interval, the gap to target (Markdown)."""
    p = _city_protected(cov)
    c = cov.city
    n = lambda v: fmt_int(v, lang)  # noqa: E731
    rate_hidden = bool(p.state.loc[0, "effective_rate"])
    lines = [
        t(
            "cov_headline",
            lang,
            month=fmt_month(cov.period, lang),
            workers=_shown(p, "workers", n),
            businesses=n(c["businesses"]),
            effective=_shown(p, "effective", n),
            rate=_shown(p, "effective_rate", lambda v: fmt_pct(v, lang)),
            ci="–" if rate_hidden else fmt_interval(c["effective_low"], c["effective_high"], lang),
            uncovered=_shown(p, "uncovered", n),
            registered=_shown(p, "registered_rate", lambda v: fmt_pct(v, lang)),
        )
    ]
    if cov.targets.empty:
        lines.append(t("cov_headline_no_target", lang))
    for row in cov.targets.itertuples():
        seg = row.segment
        covered = int(cov.segments.get(seg, 0))
        lines.append(
            t(
                "cov_headline_target",
                lang,
                sector=t(f"cov_sector_{row.sector}", lang),
                segment=seg,
                year=row.year,
                covered=_small(covered, cov.min_cell, lang),
                target=n(row.target_workers),
                share=_share(covered, row.target_workers, cov.min_cell, lang),
                gap=n(max(row.target_workers - covered, 0)),
            )
        )
    return _markdown("\n".join(lines))


def _share(count: int, total: int, min_cell: int, lang: str) -> str:
    """count / total as a percentage, or '–' when the count is hidden (the share would reveal it)."""
    return "–" if is_small(count, min_cell) else fmt_pct(count / total, lang)


def _small(count: int, min_cell: int, lang: str) -> str:
    return count_text(count, lambda v: fmt_int(v, lang), min_cell)


def city_table(cov: CoverageMonth, lang: str = "id") -> Published:
    """The three measures for the whole city: count, rate and 95% interval (suppressed where small)."""
    c, u = cov.city, cov.universe
    rows = pd.DataFrame(
        {
            "measure": list(MEASURES),
            "count": [int(c[m]) for m in MEASURES],
            "workers": int(c["workers"]),
            "rate": [c[f"{m}_rate"] for m in MEASURES],
            "ci": [fmt_interval(c[f"{m}_low"], c[f"{m}_high"], lang) for m in MEASURES],
        }
    )
    state = pd.DataFrame(
        {
            "count": [u.cell("city", CITY_KEY, m)[0] for m in MEASURES],
            "workers": u.cell("city", CITY_KEY, "workers")[0],
        }
    )
    p = Protected(rows, state, cov.min_cell, {"rate": ("count", "workers")}).refresh()
    p.state["ci"] = p.state["rate"]
    _rates_as_x(p, ["rate", "ci"])
    n = lambda v: fmt_int(v, lang)  # noqa: E731
    shown = display(
        p,
        {
            "measure": lambda m: t(f"cov_measure_{m}", lang),
            "count": n,
            "workers": n,
            "rate": lambda v: fmt_pct(v, lang),
            "ci": str,
        },
    )
    shown = shown[["measure", "count", "workers", "rate", "ci"]]
    names = {k: t(f"cov_col_{k}", lang) for k in ("measure", "count", "rate", "ci")}
    shown = shown.rename(columns={**names, "workers": t("cov_col_out_of", lang)})
    refs = {
        names["count"]: [("city", CITY_KEY, m) for m in MEASURES],
        t("cov_col_out_of", lang): [("city", CITY_KEY, "workers")] * len(MEASURES),
    }
    return gate(shown, "coverage.city", refs=refs, universe=u)


def _rates_as_x(p, columns: list[str]) -> None:
    """Show a suppressed share as 'x', not '<k': '<5' under a percentage would read as 'under 5%'."""
    for c in columns:
        p.state[c] = p.state[c].where(p.state[c] == 0, SECONDARY)


def _rates_display(
    p: Protected,
    label_col: str,
    labels,
    lang: str,
    extra: list[str],
    name: str,
    universe,
    first: tuple[str, ...] = (),
) -> Published:
    """Format a protected coverage table (label, counts, effective rate + interval, registered
    rate) and gate it with its cells."""
    p.table["ci"] = [
        fmt_interval(lo, hi, lang)
        for lo, hi in zip(p.table["effective_low"], p.table["effective_high"], strict=True)
    ]
    p.state["ci"] = p.state["effective_rate"]
    _rates_as_x(p, ["effective_rate", "ci", "registered_rate"])
    n = lambda v: fmt_int(v, lang)  # noqa: E731
    pct = lambda v: fmt_pct(v, lang)  # noqa: E731
    counts = ["workers", "effective", "uncovered"]
    formats = {label_col: labels, **dict.fromkeys(counts, n)}
    formats |= {"effective_rate": pct, "ci": str, "registered_rate": pct}
    cols = [*first, label_col, *extra, *counts, "effective_rate", "ci", "registered_rate"]
    shown = display(p, formats)[cols]
    shown.columns = [t(f"cov_col_{c}", lang) for c in cols]
    refs = refs_for(p, {t(f"cov_col_{c}", lang): c for c in counts})
    registered = t("cov_col_registered_rate", lang)  # a share of shown workers: the count itself
    refs |= refs_for(p, {registered: "registered"})
    return gate(shown, name, refs=refs, universe=universe, derived=[registered])


def top_uncovered(cov: CoverageMonth, n: int = 10) -> pd.Index:
    """The n kelurahan with the most uncovered workers, ranked on what may be published.

    A kelurahan whose uncovered count is suppressed is ranked by its workers (an upper bound
    anyone can compute from the page), so the ranking reveals nothing the table hides.
    """
    p = cov.protected
    key = p.table["uncovered"].where(~p.hidden["uncovered"], p.table["workers"])
    return key.sort_values(ascending=False, kind="stable").index[:n]


def top_uncovered_table(cov: CoverageMonth, lang: str = "id", n: int = 10) -> Published:
    """Table of the n kelurahan with the most uncovered workers (suppressed cells shown as <k or x)."""
    sub = cov.protected.rows(list(top_uncovered(cov, n)))
    sub.table.insert(0, "rank", [str(i) for i in range(1, len(sub.table) + 1)])
    return _rates_display(
        sub,
        "kelurahan",
        str,
        lang,
        ["kecamatan"],
        "coverage.top_uncovered",
        cov.universe,
        ("rank",),
    )


def kelurahan_table(cov: CoverageMonth, lang: str = "id") -> Published:
    """Every kelurahan (the maps show them all; the downloads publish this table)."""
    return _rates_display(
        cov.protected.rows(list(range(len(cov.protected.table)))),
        "kelurahan",
        str,
        lang,
        ["kecamatan"],
        "coverage.kelurahan",
        cov.universe,
    )


def kecamatan_table(cov: CoverageMonth, lang: str = "id") -> Published:
    """Coverage per kecamatan and the city total, protected."""
    p, total = protected(cov, "kecamatan"), _city_protected(cov)
    total.table["kecamatan"] = t("city", lang)
    both = Protected(
        pd.concat([p.table, total.table], ignore_index=True),
        pd.concat([p.state, total.state], ignore_index=True),
        cov.min_cell,
        refs=p.refs + total.refs,
    )
    return _rates_display(both, "kecamatan", str, lang, [], "coverage.kecamatan", cov.universe)


def group_labels(which: str, lang: str, reference_dir: Path | None = None) -> dict[str, str]:
    """Display names of sector or size-class codes in the report language."""
    if which == "sektor":
        s = sectors(reference_dir)
        labels = dict(zip(s["sektor"], s[f"label_{lang}"], strict=True))
        labels[UNKNOWN] = t("sector_tidak_diketahui", lang)
        return labels
    return {k: t(f"size_{k}", lang) for k in SIZE_ORDER}


def _labeller(which: str, lang: str, cov: CoverageMonth):
    """Label of a (possibly merged, 'a+b') sector or size code: 'Kecil + Menengah'."""
    labels = group_labels(which, lang, cov.reference_dir)
    return lambda code: " + ".join(labels.get(c, c) for c in str(code).split("+"))


def group_table(cov: CoverageMonth, which: str, lang: str = "id") -> Published:
    """Coverage by sector (`sektor`) or business size class (`kelas_usaha`), protected."""
    p = protected(cov, which)
    return _rates_display(
        p, which, _labeller(which, lang, cov), lang, [], f"coverage.{which}", cov.universe
    )


def group_chart_frame(cov: CoverageMonth, which: str, lang: str = "id") -> pd.DataFrame:
    """Effective rate with its interval (`rate`, `rate_lo`, `rate_hi`) by sector or size, indexed by
    label, highest first, NaN where suppressed (for charts.dot_intervals)."""
    table = cov.sector if which == "sektor" else cov.size
    p = protected(cov, which)
    hidden = p.hidden["effective_rate"].to_numpy()
    label = _labeller(which, lang, cov)
    out = pd.DataFrame(
        {
            "rate": table["effective_rate"].mask(hidden).to_numpy(),
            "rate_lo": table["effective_low"].mask(hidden).to_numpy(),
            "rate_hi": table["effective_high"].mask(hidden).to_numpy(),
        },
        index=pd.Index([label(v) for v in table[which]], name=which),
    )
    return out.sort_values("rate", ascending=False, na_position="last")


def chart_limit(frame: pd.DataFrame) -> tuple[float, float]:
    """x-axis range for a rate chart: 0 to the smallest of a few round shares above the highest
    interval end, each a multiple of 4 ticks (so the 5 ticks read 0, 5, 10, 15, 20%)."""
    top = frame["rate_hi"].max() if len(frame) else np.nan
    for limit in (0.04, 0.08, 0.2, 0.4, 0.6, 0.8, 1.0):
        if pd.isna(top) or top <= limit:
            return (0.0, limit)
    return (0.0, 1.0)


def suppressed_note(cov: CoverageMonth, lang: str = "id"):
    """The note under protected tables (Markdown)."""
    return md("suppressed_note", lang, k=cov.min_cell)


def lisa_text(cov: CoverageMonth, lang: str = "id"):
    """What the hot-spot map shows: the clusters found, or why none were tested (Markdown)."""
    kel = cov.kelurahan
    if cov.moran is None or kel["lisa_cluster"].isna().all():
        return md("cov_lisa_none", lang)
    names = lambda q: ", ".join(kel.loc[kel["lisa_cluster"] == q, "kelurahan"]) or "–"  # noqa: E731
    return md(
        "cov_lisa_found",
        lang,
        moran=fmt_num(cov.moran[0], lang, 2),
        p=fmt_num(cov.moran[1], lang, 3),
        ll=names("LL"),
        hh=names("HH"),
        n_ll=int((kel["lisa_cluster"] == "LL").sum()),
        n_hh=int((kel["lisa_cluster"] == "HH").sum()),
        n_other=int(kel["lisa_cluster"].isin(["LH", "HL"]).sum()),
    )


def _projection_line(sector: str, pr: Projection, lang: str) -> str:

    fields = {
        "sector": t(f"cov_sector_{sector}", lang),
        "months": pr.months_used,
        "target": fmt_int(pr.target, lang),
    }
    if pr.status in ("on_track", "beyond_horizon", "not_growing"):
        fields["slope"] = fmt_int(pr.slope, lang) if pr.slope >= 0.5 else "0"
    if pr.status == "on_track":
        fields |= {"reach": fmt_month(pr.reach, lang), "to_go": fmt_int(pr.months_to_go, lang)}
    if pr.status == "beyond_horizon":
        fields["horizon"] = fmt_int(HORIZON_MONTHS / 12, lang)
    return t(f"cov_projection_{pr.status}", lang, **fields)


def target_text(cov: CoverageMonth, lang: str = "id"):
    """Progress to target: the pace of the last months and when the target would be met (Markdown)."""
    if cov.targets.empty:
        return md("cov_headline_no_target", lang)
    h = cov.history
    lines = [
        _projection_line(row.sector, cov.projections[row.sector], lang)
        for row in cov.targets.itertuples()
    ]
    months = len(h)
    lines.insert(
        0,
        t("cov_history_short", lang, n=months, need=MIN_HISTORY)
        if months < MIN_HISTORY
        else t("cov_history", lang, n=months),
    )
    if int(cov.city["workers"]) < int(cov.targets["target_workers"].min()):
        lines.append(t("cov_target_ceiling", lang, workers=fmt_int(cov.city["workers"], lang)))
    lines.append(t("cov_target_caveat", lang))
    for source in cov.targets["source"].unique():
        lines.append(t("cov_target_source", lang, source=source))
    return _markdown("\n\n".join(lines))


def target_table(cov: CoverageMonth, lang: str = "id") -> Published:
    """The targets on record (year, whether verified) against this month's effective count by segment."""
    rows = []
    for row in cov.targets.itertuples():
        seg = row.segment
        covered = int(cov.segments.get(seg, 0))
        rows.append(
            {
                t("cov_col_target", lang): f"{t(f'cov_sector_{row.sector}', lang)} ({seg})",
                t("cov_col_year", lang): str(row.year),
                t("cov_col_target_workers", lang): fmt_int(row.target_workers, lang),
                t("cov_col_covered_segment", lang): _small(covered, cov.min_cell, lang),
                t("cov_col_share_target", lang): _share(
                    covered, row.target_workers, cov.min_cell, lang
                ),
                t("cov_col_verified", lang): t(f"cov_verified_{str(row.verified).lower()}", lang),
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return gate(frame, "coverage.targets", exempt="no targets on record")
    return gate(frame, "coverage.targets", counts=[t("cov_col_covered_segment", lang)])


def trend_frame(cov: CoverageMonth, lang: str = "id") -> pd.DataFrame:
    """Effectively covered workers per month (total and by segment), labelled for a line chart."""
    h = cov.history
    if h.empty:
        return pd.DataFrame()
    cols = {"effective": t("cov_trend_total", lang)}
    for seg in SEGMENTS:
        if f"effective_{seg}" in h:
            cols[f"effective_{seg}"] = t(f"cov_segment_{seg}", lang)
    out = h[list(cols)].rename(columns=cols).astype("float64")
    out.index = [fmt_month(p, lang) for p in h["period"]]
    return out


def eb_example(cov: CoverageMonth) -> pd.Series | None:
    """The published kelurahan whose rate smoothing moves most (to explain smoothing), or None."""
    p = cov.protected
    ok = ~p.hidden["effective_rate"] & p.table["effective_rate"].notna()
    if not ok.any():
        return None
    moved = (p.table["effective_rate"] - p.table["effective_rate_eb"]).abs().where(ok)
    return p.table.loc[moved.idxmax()]


def method_text(cov: CoverageMonth, lang: str = "id"):
    """How the figures are computed, with this page's settings (Markdown)."""
    ex = eb_example(cov)
    example = (
        ""
        if ex is None
        else t(
            "cov_method_eb_example",
            lang,
            kelurahan=ex["kelurahan"],
            workers=fmt_int(ex["workers"], lang),
            effective=fmt_int(ex["effective"], lang),
            raw=fmt_pct(ex["effective_rate"], lang),
            eb=fmt_pct(ex["effective_rate_eb"], lang),
        )
    )
    return md(
        "cov_method",
        lang,
        breaks=", ".join(fmt_pct(b, lang, 0) for b in RATE_BREAKS[:-1]),
        min_cell=cov.min_cell,
        permutations=fmt_int(PERMUTATIONS, lang),
        seed=SEED,
        alpha=fmt_num(LISA_ALPHA, lang, 2),
        eb_example=example,
        need=MIN_HISTORY,
    )


def _cards(cov: CoverageMonth, lang: str = "id") -> Cards:
    """The cover page's coverage figures: workers, effective coverage and its change, gap to target."""
    p = _city_protected(cov)
    c = cov.city
    n = lambda v: fmt_int(v, lang)  # noqa: E731
    rate_hidden = bool(p.state.loc[0, "effective_rate"])
    change = ""
    h = cov.history
    if not rate_hidden and len(h) > 1 and h["period"].iloc[-1] == cov.period:
        before = h.iloc[-2]
        points = (c["effective_rate"] - before["effective_rate"]) * 100
        change = t(
            "cov_card_change",
            lang,
            points=("+" if points >= 0 else "") + fmt_num(points, lang, 1),
            month=fmt_month(before["period"], lang),
        )
    cards = [
        {
            "label": t("cov_card_workers", lang),
            "value": _shown(p, "workers", n),
            "note": t("cov_card_workers_note", lang, businesses=n(c["businesses"])),
            "page": "02_coverage_map",
        },
        {
            "label": t("cov_card_effective", lang),
            "value": _shown(p, "effective_rate", lambda v: fmt_pct(v, lang)),
            "note": " ".join(
                filter(
                    None,
                    [
                        t(
                            "cov_card_effective_note",
                            lang,
                            effective=_shown(p, "effective", n),
                            ci="–"
                            if rate_hidden
                            else fmt_interval(c["effective_low"], c["effective_high"], lang),
                        ),
                        change,
                    ],
                )
            ),
            "page": "02_coverage_map",
        },
    ]
    for row in cov.targets.itertuples():
        covered = int(cov.segments.get(row.segment, 0))
        cards.append(
            {
                "label": t("cov_card_target", lang, segment=row.segment, year=row.year),
                "value": n(max(row.target_workers - covered, 0)),
                "note": t("cov_card_target_note", lang, target=n(row.target_workers)),
                "page": "02_coverage_map",
            }
        )
        break  # the informal (BPU) target first: the one UMKM workers mostly fall under
    return Cards(cards)


# ------------------------------------------------------------------ the page's sections


def section_headline(month: Month, lang: str = "id") -> Section:
    """The answer first: workers, effective coverage with its interval, progress to target,
    and the three measures for the whole city."""
    cov = results(month)
    return Section([headline(cov, lang), table(city_table(cov, lang))])


def section_map(month: Month, lang: str = "id") -> Section:
    """Where workers are effectively covered: the smoothed choropleth on fixed classes."""
    cov = results(month)
    return Section([maps.coverage_map(cov, lang), published_elsewhere(kelurahan_table(cov, lang))])


def section_uncovered_map(month: Month, lang: str = "id") -> Section:
    """Where most workers lack cover: uncovered workers as proportional circles."""
    cov = results(month)
    return Section([maps.uncovered_map(cov, lang), published_elsewhere(kelurahan_table(cov, lang))])


def section_hot_spots(month: Month, lang: str = "id") -> Section:
    """Clusters of low and high coverage (LISA): a sentence and the map."""
    cov = results(month)
    return Section([lisa_text(cov, lang), maps.hot_spot_map(cov, lang)])


def section_top(month: Month, lang: str = "id") -> Section:
    """The kelurahan with the most workers not covered, protected, and the note on hidden cells."""
    cov = results(month)
    return Section([table(top_uncovered_table(cov, lang)), suppressed_note(cov, lang)])


def section_kecamatan(month: Month, lang: str = "id") -> Section:
    """Coverage per kecamatan and for the city, protected."""
    cov = results(month)
    return Section([table(kecamatan_table(cov, lang)), suppressed_note(cov, lang)])


def section_group(month: Month, which: str, lang: str = "id") -> Section:
    """Coverage by sector (`sektor`) or size class (`kelas_usaha`): a dot chart with intervals,
    the protected table and its note."""
    cov = results(month)
    frame = group_chart_frame(cov, which, lang)
    title = "cov_chart_sector_title" if which == "sektor" else "cov_chart_size_title"
    chart = charts.dot_intervals(
        frame,
        {"rate": t("cov_col_effective_rate", lang)},
        t(title, lang),
        t("cov_chart_axis", lang),
        fmt=lambda v: fmt_pct(v, lang, 0),
        missing=t("cov_chart_suppressed", lang),
        colors=[charts.PALETTE["main"]],
        xlim=chart_limit(frame),
        empty=t("few_workers_chart", lang, k=cov.min_cell),
    )
    return Section([chart, table(group_table(cov, which, lang)), suppressed_note(cov, lang)])


def section_target(month: Month, lang: str = "id") -> Section:
    """Progress to the targets: the table, the pace of recent months and the trend chart."""
    cov = results(month)
    trend = (
        charts.lines(
            trend_frame(cov, lang),
            t("cov_trend_title", lang),
            t("cov_trend_axis", lang),
            fmt=lambda v: fmt_int(v, lang),
        )
        if len(cov.history) > 1
        else md("cov_trend_none", lang)
    )
    return Section([table(target_table(cov, lang)), target_text(cov, lang), trend])


def section_method(month: Month, lang: str = "id") -> Section:
    """How the figures are computed, with this page's settings."""
    return Section([method_text(results(month), lang)])


def cover_cards(month: Month, lang: str = "id") -> Cards:
    """The cover page's coverage figures: workers, effective coverage and its change, gap to target."""
    return _cards(results(month), lang)
