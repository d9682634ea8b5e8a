"""Notebook 02's page: the sentences, tables and cover figures of one month's coverage, in the
report's language. Every count comes from the coverage universe (kelurahan, kecamatan, city,
sectors and size classes protected together, `analysis.metrics.universe`) and every table
passes the disclosure gate with its cells (`analysis.metrics.disclosure.gate`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from IPython.display import Markdown

from analysis.metrics.coverage import (
    MIN_HISTORY,
    RATE_BREAKS,
    CoverageMonth,
    Progress,
    protected,
    results,
)
from analysis.metrics.disclosure import HIDDEN_MARK, count_text, display, is_small
from analysis.metrics.spatial import ALPHA as LISA_ALPHA
from analysis.metrics.spatial import PERMUTATIONS, SEED
from analysis.month import Month
from analysis.pages import charts, coverage_maps
from analysis.pages.coverage_tables import (
    city_protected,
    city_table,
    group_table,
    kecamatan_table,
    kelurahan_table,
    labeller,
    top_uncovered,
    top_uncovered_table,
)
from analysis.pages.coverage_trend import (
    change_phrase,
    contribution_lines,
    target_table,
    trend_frame,
)
from analysis.pages.place import area_note
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
    uncovered_step,
)


def _markdown(text: str):
    """Show text as Markdown in a notebook (the published page shows it as text)."""
    return Markdown(text)


def _shown(p, column: str, fmt, row: int = 0) -> str:
    """One cell as published: formatted, or '<k' / 'x' when suppressed."""
    return str(display(p, {column: fmt})[column].iloc[row])


def headline(cov: CoverageMonth, lang: str = "id"):
    """The page's first lines: workers (and who among them is on a roster), effective coverage
    with its 95% range and the change since last month, contribution to the targets (Markdown)."""
    p = city_protected(cov)
    c = cov.city
    n = lambda v: fmt_int(v, lang)  # noqa: E731
    rate_hidden = bool(p.state.loc[0, "effective_rate"])
    change = change_phrase(cov, lang)
    lines = [
        t(
            "cov_headline",
            lang,
            month=fmt_month(cov.period, lang),
            workers=_shown(p, "workers", n),
            businesses=n(c["businesses"]),
            **_roster_split(c, cov.min_cell, lang),
            effective=_shown(p, "effective", n),
            rate=_shown(p, "effective_rate", lambda v: fmt_pct(v, lang)),
            ci="–" if rate_hidden else fmt_interval(c["effective_low"], c["effective_high"], lang),
            change=f"; {change}" if change else "",
            uncovered=_shown(p, "uncovered", n),
            registered=_shown(p, "registered_rate", lambda v: fmt_pct(v, lang)),
        )
    ]
    if cov.targets.empty:
        lines.append(t("cov_headline_no_target", lang))
    lines += [f"- {line}" for line in contribution_lines(cov.progress, lang)]
    return _markdown("\n".join(lines))


def _roster_split(c: pd.Series, min_cell: int, lang: str) -> dict[str, str]:
    """Workers on a roster and declared workers on none, as published: the two add up to the
    shown workers, so when one is a small count the other is hidden too ('x')."""
    roster, unlisted = int(c["roster_workers"]), int(c["workers"] - c["roster_workers"])
    small = is_small(roster, min_cell) or is_small(unlisted, min_cell)
    shown = lambda n: _small(n, min_cell, lang) if is_small(n, min_cell) else HIDDEN_MARK  # noqa: E731
    if small:
        return {"roster": shown(roster), "unlisted": shown(unlisted)}
    return {"roster": fmt_int(roster, lang), "unlisted": fmt_int(unlisted, lang)}


def _small(count: int, min_cell: int, lang: str) -> str:
    return count_text(count, lambda v: fmt_int(v, lang), min_cell)


def target_card(
    targets: pd.DataFrame, segments, min_cell: int, place: str, page: str, rank: str, lang: str
) -> list[dict]:
    """The card of the first target — the informal (BPU) one, which UMKM workers mostly fall
    under: the registry's share of it (a dash while its count is small); none without targets."""
    for row in targets.itertuples():
        covered = int(segments.get(row.segment, 0))
        hidden = is_small(covered, min_cell)
        note = t(
            "cov_card_target_note",
            lang,
            covered=_small(covered, min_cell, lang),
            target=fmt_int(row.target_workers, lang),
            sector=t(f"cov_sector_{row.sector}", lang),
            place=place,
        )
        value = "–" if hidden else fmt_pct(covered / row.target_workers, lang)
        label = t("cov_card_target", lang, segment=row.segment, year=row.year)
        return [{"label": label, "value": value, "note": note, "page": page, "rank": rank}]
    return []


def group_chart_frame(cov: CoverageMonth, which: str, lang: str = "id") -> pd.DataFrame:
    """Effective rate with its interval (`rate`, `rate_lo`, `rate_hi`) by sector or size, indexed by
    label, highest first, NaN where suppressed (for charts.dot_intervals)."""
    table = cov.sector if which == "sektor" else cov.size
    p = protected(cov, which)
    hidden = p.hidden["effective_rate"].to_numpy()
    label = labeller(which, lang, cov)
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
    tested = int(kel["lisa_cluster"].notna().sum())
    chance = t(
        "region_lisa_chance",
        lang,
        n=fmt_int(tested, lang),
        expected=fmt_int(tested * LISA_ALPHA, lang),
    )
    found = t(
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
    return _markdown(found + "\n\n" + chance)


def target_text(cov: Progress, lang: str = "id"):
    """What registry workers contribute to the region's targets, over the months on record,
    what the targets are, and their source (Markdown)."""
    if cov.targets.empty:
        return md("cov_headline_no_target", lang)
    months = len(cov.history)
    lines = [
        t("cov_history_short", lang, n=months, need=MIN_HISTORY)
        if months < MIN_HISTORY
        else t("cov_history", lang, n=months),
        *contribution_lines(cov, lang),
        t("cov_target_caveat", lang, place=cov.place),
        t("cov_target_source", lang),
    ]
    return _markdown("\n\n".join(lines))


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
    """The cover's coverage figures (effective coverage and its change, workers, contribution to
    the informal target), its first summary sentences and, for the next steps, the kelurahan
    with the most workers not covered."""
    p = city_protected(cov)
    c = cov.city
    n = lambda v: fmt_int(v, lang)  # noqa: E731
    change = change_phrase(cov, lang)
    cards = [
        {
            "label": t("cov_card_effective", lang),
            "value": _shown(p, "effective_rate", lambda v: fmt_pct(v, lang)),
            "note": t(
                "cov_card_effective_note",
                lang,
                effective=_shown(p, "effective", n),
                workers=_shown(p, "workers", n),
                change=f" {change[:1].upper()}{change[1:]}." if change else "",
            ),
            "page": "02_coverage_map",
            "rank": "10",
        },
        {
            "label": t("cov_card_uncovered", lang),
            "value": _shown(p, "uncovered", n),
            "note": t(
                "cov_card_uncovered_note",
                lang,
                workers=_shown(p, "workers", n),
                businesses=n(c["businesses"]),
            ),
            "page": "02_coverage_map",
            "rank": "11",
        },
    ]
    cards += target_card(
        cov.targets, cov.segments, cov.min_cell, cov.progress.place, "02_coverage_map", "12", lang
    )
    summary = [{"rank": 10, "text": _summary_level(cov, p, change, lang)}]
    where = _summary_where(cov, lang)
    if where:
        summary.append({"rank": 20, "text": where})
    steps = [
        {
            "rank": i,
            "code": str(r.kode_kelurahan),
            "place": f"{r.kelurahan} ({r.kecamatan})",
            "reasons": [uncovered_step(_shown_row(cov, r.Index), lang)],
            "href": "02_coverage_map.html",
        }
        for i, r in enumerate(cov.protected.table.loc[top_uncovered(cov, 3)].itertuples(), 1)
        if r.uncovered > 0  # a month where everyone is covered has no place to start
    ]
    return Cards(cards, summary=summary, steps=steps)


def _shown_row(cov: CoverageMonth, i) -> str:
    """A kelurahan's uncovered workers as published ('<5' or 'x' when hidden)."""
    return str(display(cov.protected, {"uncovered": fmt_int})["uncovered"].iloc[i])


def _summary_level(cov: CoverageMonth, p, change: str, lang: str) -> str:
    """The level and its change, in one sentence."""
    n = lambda v: fmt_int(v, lang)  # noqa: E731
    return t(
        "cov_summary_level",
        lang,
        month=fmt_month(cov.period, lang),
        rate=_shown(p, "effective_rate", lambda v: fmt_pct(v, lang)),
        effective=_shown(p, "effective", n),
        workers=_shown(p, "workers", n),
        change=f", {change}" if change else "",
    )


def _summary_where(cov: CoverageMonth, lang: str) -> str:
    """Where coverage is lowest and highest (kecamatan, published shares only)."""
    p = protected(cov, "kecamatan")
    ok = ~p.hidden["effective_rate"] & p.table["effective_rate"].notna()
    kec = p.table[ok].sort_values("effective_rate")
    if len(kec) < 2:
        return ""
    low, high = kec.iloc[0], kec.iloc[-1]
    return t(
        "cov_summary_where",
        lang,
        low=low["kecamatan"],
        low_rate=fmt_pct(low["effective_rate"], lang),
        high=high["kecamatan"],
        high_rate=fmt_pct(high["effective_rate"], lang),
    )


# ------------------------------------------------------------------ the page's sections


def section_headline(month: Month, lang: str = "id") -> Section:
    """The answer first: workers, effective coverage with its 95% range and last month, the
    contribution to the targets, and the three measures for the whole city."""
    cov = results(month)
    return Section([area_note(month, lang), headline(cov, lang), city_table(cov, lang)])


def eb_pooled_note(cov: CoverageMonth, lang: str = "id"):
    """Why the smoothed map is one colour, when it is: every kelurahan pulled to the region's rate
    because they differ no more than chance would make them (Markdown), else nothing."""
    eb = cov.kelurahan.loc[cov.kelurahan["workers"] > 0, "effective_rate_eb"]
    if len(eb) < 2 or eb.nunique() > 1:
        return None
    return md("region_eb_pooled", lang, place=cov.progress.place, rate=fmt_pct(eb.iloc[0], lang))


def section_map(month: Month, lang: str = "id") -> Section:
    """Where workers are effectively covered: the smoothed choropleth on fixed classes (and why it
    is one colour, when it is)."""
    cov = results(month)
    return Section(
        [
            coverage_maps.coverage_map(cov, lang),
            eb_pooled_note(cov, lang),
            published_elsewhere(kelurahan_table(cov, lang).page_gate()),
        ]
    )


def section_uncovered_map(month: Month, lang: str = "id") -> Section:
    """Where most workers lack cover: uncovered workers as proportional circles."""
    cov = results(month)
    return Section(
        [
            coverage_maps.uncovered_map(cov, lang),
            published_elsewhere(kelurahan_table(cov, lang).page_gate()),
        ]
    )


def section_hot_spots(month: Month, lang: str = "id") -> Section:
    """Clusters of low and high coverage: a sentence and the map."""
    cov = results(month)
    return Section([lisa_text(cov, lang), coverage_maps.hot_spot_map(cov, lang)])


def section_top(month: Month, lang: str = "id") -> Section:
    """The kelurahan with the most workers not covered, protected, and the note on hidden cells."""
    cov = results(month)
    return Section([top_uncovered_table(cov, lang), suppressed_note(cov, lang)])


def section_kecamatan(month: Month, lang: str = "id") -> Section:
    """Coverage per kecamatan and for the city, protected; then every kelurahan."""
    cov = results(month)
    return Section(
        [kecamatan_table(cov, lang), kelurahan_table(cov, lang), suppressed_note(cov, lang)]
    )


def section_group(month: Month, which: str, lang: str = "id") -> Section:
    """Coverage by sector (`sektor`) or size class (`kelas_usaha`): a dot chart with 95% ranges,
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
    return Section([chart, group_table(cov, which, lang), suppressed_note(cov, lang)])


def target_items(p: Progress, lang: str = "id") -> list:
    """The targets as shown: the trend of effective coverage in percent, then the contribution
    to the targets (table and sentences)."""
    trend = (
        charts.lines(
            trend_frame(p, lang),
            t("cov_trend_title", lang),
            t("cov_trend_axis", lang),
            fmt=lambda v: fmt_pct(v, lang),
        )
        if len(p.history) > 1
        else md("cov_trend_none", lang)
    )
    return [trend, target_table(p, lang), target_text(p, lang)]


def section_target(month: Month, lang: str = "id") -> Section:
    """The trend of effective coverage in percent, and the contribution to the targets."""
    return Section(target_items(results(month).progress, lang))


def section_method(month: Month, lang: str = "id") -> Section:
    """How the figures are computed, with this page's settings."""
    return Section([method_text(results(month), lang)])


def cover_cards(month: Month, lang: str = "id") -> Cards:
    """The cover's coverage figures, summary sentences and the kelurahan with most workers
    not covered."""
    return _cards(results(month), lang)
