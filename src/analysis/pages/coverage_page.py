"""Notebook 02's page: the sentences, tables and cover figures of one month's coverage, in the
report's language, every count through disclosure control (`analysis.disclosure`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.metrics.coverage import (
    COUNT_COLUMNS,
    HORIZON_MONTHS,
    MEASURES,
    MIN_HISTORY,
    RATE_BREAKS,
    SEGMENTS,
    SIZE_ORDER,
    CoverageMonth,
    Projection,
    protect_table,
)


def _markdown(text: str):
    """Show text as Markdown in a notebook (the published page shows it as text)."""
    from IPython.display import Markdown

    return Markdown(text)


def _ci(low: float, high: float, lang: str) -> str:
    from analysis.pages.text import fmt_pct

    if pd.isna(low) or pd.isna(high):
        return "–"
    return f"{fmt_pct(low, lang)}–{fmt_pct(high, lang)}"


def _city_frame(month: CoverageMonth) -> pd.DataFrame:
    """The city totals as a one-row table with proper dtypes."""
    frame = month.city.to_frame().T.reset_index(drop=True)
    return frame.astype({c: "int64" for c in [*COUNT_COLUMNS, "uncovered"]}).infer_objects()


def _city_protected(month: CoverageMonth):
    return protect_table(_city_frame(month), month.min_cell, [])


def _shown(p, column: str, fmt, row: int = 0) -> str:
    """One cell as published: formatted, or '<k' / 'x' when suppressed."""
    from analysis.metrics.disclosure import display

    return str(display(p, {column: fmt})[column].iloc[row])


def headline(month: CoverageMonth, lang: str = "id"):
    """The page's first lines: workers, effective coverage with its interval, the gap to target (Markdown)."""
    from analysis.pages.text import fmt_int, fmt_month, fmt_pct, t

    p = _city_protected(month)
    c = month.city
    n = lambda v: fmt_int(v, lang)  # noqa: E731
    rate_hidden = bool(p.state.loc[0, "effective_rate"])
    lines = [
        t(
            "cov_headline",
            lang,
            month=fmt_month(month.period, lang),
            workers=_shown(p, "workers", n),
            businesses=n(c["businesses"]),
            effective=_shown(p, "effective", n),
            rate=_shown(p, "effective_rate", lambda v: fmt_pct(v, lang)),
            ci="–" if rate_hidden else _ci(c["effective_low"], c["effective_high"], lang),
            uncovered=_shown(p, "uncovered", n),
            registered=_shown(p, "registered_rate", lambda v: fmt_pct(v, lang)),
        )
    ]
    if month.targets.empty:
        lines.append(t("cov_headline_no_target", lang))
    for row in month.targets.itertuples():
        seg = row.segment
        covered = int(month.segments.get(seg, 0))
        lines.append(
            t(
                "cov_headline_target",
                lang,
                sector=t(f"cov_sector_{row.sector}", lang),
                segment=seg,
                year=row.year,
                covered=_small(covered, month.min_cell, lang),
                target=n(row.target_workers),
                share=_share(covered, row.target_workers, month.min_cell, lang),
                gap=n(max(row.target_workers - covered, 0)),
            )
        )
    return _markdown("\n".join(lines))


def _share(count: int, total: int, min_cell: int, lang: str) -> str:
    from analysis.pages.text import fmt_pct

    return "–" if 0 < count < min_cell else fmt_pct(count / total, lang)


def _small(count: int, min_cell: int, lang: str) -> str:
    from analysis.pages.text import fmt_int

    return f"<{min_cell}" if 0 < count < min_cell else fmt_int(count, lang)


def city_table(month: CoverageMonth, lang: str = "id") -> pd.DataFrame:
    """The three measures for the whole city: count, rate and 95% interval (suppressed where small)."""
    from analysis.metrics.disclosure import display, protect
    from analysis.pages.text import fmt_int, fmt_pct, t

    c = month.city
    rows = pd.DataFrame(
        {
            "measure": list(MEASURES),
            "count": [int(c[m]) for m in MEASURES],
            "workers": int(c["workers"]),
            "rate": [c[f"{m}_rate"] for m in MEASURES],
            "ci": [_ci(c[f"{m}_low"], c[f"{m}_high"], lang) for m in MEASURES],
        }
    )
    p = protect(rows, ["count"], month.min_cell, groups=[], rates={"rate": ("count", "workers")})
    p.state["ci"] = p.state["rate"]
    _rates_as_x(p, ["rate", "ci"])
    shown = display(
        p,
        {
            "measure": lambda m: t(f"cov_measure_{m}", lang),
            "count": lambda v: fmt_int(v, lang),
            "rate": lambda v: fmt_pct(v, lang),
            "ci": str,
        },
    )
    shown["out_of"] = fmt_int(c["workers"], lang)
    shown = shown[["measure", "count", "out_of", "rate", "ci"]]
    shown.columns = [t(f"cov_col_{k}", lang) for k in shown.columns]
    return shown


def _rates_as_x(p, columns: list[str]) -> None:
    """Show a suppressed share as 'x', not '<k': '<5' under a percentage would read as 'under 5%'."""
    from analysis.metrics.disclosure import SECONDARY

    for c in columns:
        p.state[c] = p.state[c].where(p.state[c] == 0, SECONDARY)


def _rates_display(p, label_col: str, labels, lang: str, extra: list[str]) -> pd.DataFrame:
    """Format a protected coverage table: label, counts, effective rate + interval, registered rate."""
    from analysis.metrics.disclosure import display
    from analysis.pages.text import fmt_int, fmt_pct, t

    p.table["ci"] = [
        _ci(lo, hi, lang)
        for lo, hi in zip(p.table["effective_low"], p.table["effective_high"], strict=True)
    ]
    p.state["ci"] = p.state["effective_rate"]
    _rates_as_x(p, ["effective_rate", "ci", "registered_rate"])
    n = lambda v: fmt_int(v, lang)  # noqa: E731
    pct = lambda v: fmt_pct(v, lang)  # noqa: E731
    formats = {
        label_col: labels,
        "workers": n,
        "effective": n,
        "uncovered": n,
        "effective_rate": pct,
        "ci": str,
        "registered_rate": pct,
    }
    cols = [label_col, *extra, "workers", "effective", "uncovered"]
    cols += ["effective_rate", "ci", "registered_rate"]
    shown = display(p, formats)[cols]
    shown.columns = [t(f"cov_col_{c}", lang) for c in cols]
    return shown


def top_uncovered(month: CoverageMonth, n: int = 10) -> pd.Index:
    """The n kelurahan with the most uncovered workers, ranked on what may be published.

    A kelurahan whose uncovered count is suppressed is ranked by its workers (an upper bound
    anyone can compute from the page), so the ranking reveals nothing the table hides.
    """
    p = month.protected
    key = p.table["uncovered"].where(~p.hidden["uncovered"], p.table["workers"])
    return key.sort_values(ascending=False, kind="stable").index[:n]


def top_uncovered_table(month: CoverageMonth, lang: str = "id", n: int = 10) -> pd.DataFrame:
    """Table of the n kelurahan with the most uncovered workers (suppressed cells shown as <k or x)."""
    from analysis.metrics.disclosure import Protected

    p = month.protected
    idx = top_uncovered(month, n)
    sub = Protected(
        p.table.loc[idx].reset_index(drop=True),
        p.state.loc[idx].reset_index(drop=True),
        p.min_cell,
    )
    out = _rates_display(sub, "kelurahan", str, lang, ["kecamatan"])
    out.insert(0, "#", [str(i) for i in range(1, len(out) + 1)])
    return out


def kecamatan_table(month: CoverageMonth, lang: str = "id") -> pd.DataFrame:
    """Coverage per kecamatan and the city total, protected."""
    from analysis.metrics.disclosure import Protected
    from analysis.pages.text import t

    p = protect_table(month.kecamatan, month.min_cell, [None])
    total = _city_protected(month)
    total.table["kecamatan"] = t("city", lang)
    both = Protected(
        pd.concat([p.table, total.table], ignore_index=True),
        pd.concat([p.state, total.state], ignore_index=True),
        month.min_cell,
    )
    return _rates_display(both, "kecamatan", str, lang, [])


def group_labels(which: str, lang: str, reference_dir: Path | None = None) -> dict[str, str]:
    """Display names of sector or size-class codes in the report language."""
    from analysis.pages.text import t
    from analysis.reference import UNKNOWN, sectors

    if which == "sektor":
        s = sectors(reference_dir)
        labels = dict(zip(s["sektor"], s[f"label_{lang}"], strict=True))
        labels[UNKNOWN] = t("sector_tidak_diketahui", lang)
        return labels
    return {k: t(f"size_{k}", lang) for k in SIZE_ORDER}


def _labeller(which: str, lang: str, month: CoverageMonth):
    """Label of a (possibly merged, 'a+b') sector or size code: 'Kecil + Menengah'."""
    labels = group_labels(which, lang, month.reference_dir)
    return lambda code: " + ".join(labels.get(c, c) for c in str(code).split("+"))


def group_table(month: CoverageMonth, which: str, lang: str = "id") -> pd.DataFrame:
    """Coverage by sector (`sektor`) or business size class (`kelas_usaha`), protected."""
    table = month.sector if which == "sektor" else month.size
    p = protect_table(table, month.min_cell, [None])
    return _rates_display(p, which, _labeller(which, lang, month), lang, [])


def group_chart_frame(month: CoverageMonth, which: str, lang: str = "id") -> pd.DataFrame:
    """Effective rate with its interval (`rate`, `rate_lo`, `rate_hi`) by sector or size, indexed by
    label, highest first, NaN where suppressed (for charts.dot_intervals)."""
    table = month.sector if which == "sektor" else month.size
    p = protect_table(table, month.min_cell, [None])
    hidden = p.hidden["effective_rate"].to_numpy()
    label = _labeller(which, lang, month)
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


def suppressed_note(month: CoverageMonth, lang: str = "id"):
    """The note under protected tables (Markdown)."""
    from analysis.pages.text import md

    return md("suppressed_note", lang, k=month.min_cell)


def lisa_text(month: CoverageMonth, lang: str = "id"):
    """What the hot-spot map shows: the clusters found, or why none were tested (Markdown)."""
    from analysis.pages.text import fmt_num, md

    kel = month.kelurahan
    if month.moran is None or kel["lisa_cluster"].isna().all():
        return md("cov_lisa_none", lang)
    names = lambda q: ", ".join(kel.loc[kel["lisa_cluster"] == q, "kelurahan"]) or "–"  # noqa: E731
    return md(
        "cov_lisa_found",
        lang,
        moran=fmt_num(month.moran[0], lang, 2),
        p=fmt_num(month.moran[1], lang, 3),
        ll=names("LL"),
        hh=names("HH"),
        n_ll=int((kel["lisa_cluster"] == "LL").sum()),
        n_hh=int((kel["lisa_cluster"] == "HH").sum()),
        n_other=int(kel["lisa_cluster"].isin(["LH", "HL"]).sum()),
    )


def _projection_line(sector: str, pr: Projection, lang: str) -> str:
    from analysis.pages.text import fmt_int, fmt_month, t

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


def target_text(month: CoverageMonth, lang: str = "id"):
    """Progress to target: the pace of the last months and when the target would be met (Markdown)."""
    from analysis.pages.text import fmt_int, md, t

    if month.targets.empty:
        return md("cov_headline_no_target", lang)
    h = month.history
    lines = [
        _projection_line(row.sector, month.projections[row.sector], lang)
        for row in month.targets.itertuples()
    ]
    months = len(h)
    lines.insert(
        0,
        t("cov_history_short", lang, n=months, need=MIN_HISTORY)
        if months < MIN_HISTORY
        else t("cov_history", lang, n=months),
    )
    if int(month.city["workers"]) < int(month.targets["target_workers"].min()):
        lines.append(t("cov_target_ceiling", lang, workers=fmt_int(month.city["workers"], lang)))
    lines.append(t("cov_target_caveat", lang))
    for source in month.targets["source"].unique():
        lines.append(t("cov_target_source", lang, source=source))
    return _markdown("\n\n".join(lines))


def target_table(month: CoverageMonth, lang: str = "id") -> pd.DataFrame:
    """The targets on record (year, whether verified) against this month's effective count by segment."""
    from analysis.pages.text import fmt_int, t

    rows = []
    for row in month.targets.itertuples():
        seg = row.segment
        covered = int(month.segments.get(seg, 0))
        rows.append(
            {
                t("cov_col_target", lang): f"{t(f'cov_sector_{row.sector}', lang)} ({seg})",
                t("cov_col_year", lang): str(row.year),
                t("cov_col_target_workers", lang): fmt_int(row.target_workers, lang),
                t("cov_col_covered_segment", lang): _small(covered, month.min_cell, lang),
                t("cov_col_share_target", lang): _share(
                    covered, row.target_workers, month.min_cell, lang
                ),
                t("cov_col_verified", lang): t(f"cov_verified_{str(row.verified).lower()}", lang),
            }
        )
    return pd.DataFrame(rows)


def trend_frame(month: CoverageMonth, lang: str = "id") -> pd.DataFrame:
    """Effectively covered workers per month (total and by segment), labelled for a line chart."""
    from analysis.pages.text import fmt_month, t

    h = month.history
    if h.empty:
        return pd.DataFrame()
    cols = {"effective": t("cov_trend_total", lang)}
    for seg in SEGMENTS:
        if f"effective_{seg}" in h:
            cols[f"effective_{seg}"] = t(f"cov_segment_{seg}", lang)
    out = h[list(cols)].rename(columns=cols).astype("float64")
    out.index = [fmt_month(p, lang) for p in h["period"]]
    return out


def eb_example(month: CoverageMonth) -> pd.Series | None:
    """The published kelurahan whose rate smoothing moves most (to explain smoothing), or None."""
    p = month.protected
    ok = ~p.hidden["effective_rate"] & p.table["effective_rate"].notna()
    if not ok.any():
        return None
    moved = (p.table["effective_rate"] - p.table["effective_rate_eb"]).abs().where(ok)
    return p.table.loc[moved.idxmax()]


def method_text(month: CoverageMonth, lang: str = "id"):
    """How the figures are computed, with this page's settings (Markdown)."""
    from analysis.metrics.spatial import ALPHA as LISA_ALPHA
    from analysis.metrics.spatial import PERMUTATIONS, SEED
    from analysis.pages.text import fmt_int, fmt_num, fmt_pct, md, t

    ex = eb_example(month)
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
        min_cell=month.min_cell,
        permutations=fmt_int(PERMUTATIONS, lang),
        seed=SEED,
        alpha=fmt_num(LISA_ALPHA, lang, 2),
        eb_example=example,
        need=MIN_HISTORY,
    )


def cover_cards(month: CoverageMonth, lang: str = "id"):
    """The cover page's coverage figures: workers, effective coverage and its change, gap to target."""
    from analysis.pages.text import Cards, fmt_int, fmt_month, fmt_num, fmt_pct, t

    p = _city_protected(month)
    c = month.city
    n = lambda v: fmt_int(v, lang)  # noqa: E731
    rate_hidden = bool(p.state.loc[0, "effective_rate"])
    change = ""
    h = month.history
    if not rate_hidden and len(h) > 1 and h["period"].iloc[-1] == month.period:
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
                            else _ci(c["effective_low"], c["effective_high"], lang),
                        ),
                        change,
                    ],
                )
            ),
            "page": "02_coverage_map",
        },
    ]
    for row in month.targets.itertuples():
        covered = int(month.segments.get(row.segment, 0))
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
