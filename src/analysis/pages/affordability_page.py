"""Notebook 04's page: sentences, tables and chart inputs of premium affordability in the
report's language, counts through disclosure control, and the cover figure.
"""

from __future__ import annotations

import pandas as pd
from IPython.display import Markdown

from analysis.metrics.affordability import (
    DECILES,
    SHARE_BREAKS,
    Affordability,
    results,
    weighted_median,
    willing,
    wtp_curve,
)
from analysis.month import Month
from analysis.pages import affordability_burden as burden
from analysis.pages import affordability_method as method
from analysis.pages import affordability_subsidy as subsidy
from analysis.pages import charts, maps
from analysis.pages.affordability_burden import count_shown, rate_shown
from analysis.pages.place import area_note
from analysis.pages.text import (
    Cards,
    Section,
    fmt_int,
    fmt_month,
    fmt_pct,
    fmt_rp,
    fmt_share,
    fmt_threshold,
    md,
    t,
)


def _price_clause(a: Affordability, lang: str) -> str:
    """'Rp8.400 (PP 50/2025 discount; normally Rp16.800)' or 'Rp16.800' — for non-transport, with transport noted."""
    p = a.prices
    non, tr = p.loc["non-transport"], p.loc["transport"]
    text = fmt_rp(non["now"], lang)
    if non["now"] < non["full"]:
        text += t(
            "aff_price_discounted", lang, regulation=a.discount, full=fmt_rp(non["full"], lang)
        )
    if tr["now"] != non["now"]:
        text += t("aff_price_transport", lang, price=fmt_rp(tr["now"], lang))
    return text


def headline(a: Affordability, lang: str = "id"):
    """The answers first: price, burden, willingness to pay, and what a subsidy would cost (Markdown)."""
    month = fmt_month(a.period, lang)
    th = fmt_threshold(a.threshold, lang)
    lines = [t("aff_head_price", lang, month=month, price=_price_clause(a, lang))]
    r = a.roster
    if len(r):
        now = int((r["share_now"] > a.threshold).sum())
        full = int((r["share_full"] > a.threshold).sum())
        hidden = burden.total_hidden(a)  # the burden tables' total cells: the same suppression
        lines.append(
            t(
                "aff_head_burden",
                lang,
                n=fmt_int(len(r), lang),
                median=fmt_share(weighted_median(r["share_now"]), lang),
                threshold=th,
                above=hidden.get("above_now") or count_shown(now, a.min_cell, lang),
                rate="–" if "above_now" in hidden else rate_shown(now, len(r), a.min_cell, lang),
                above_full=hidden.get("above_full") or count_shown(full, a.min_cell, lang),
                rate_full="–"
                if "above_full" in hidden
                else rate_shown(full, len(r), a.min_cell, lang),
            )
        )
    else:
        lines.append(t("aff_head_no_income", lang))
    share_now, n_now = willing(a.survey, "cost_now")
    share_full, _ = willing(a.survey, "cost_full")
    if n_now >= a.min_cell:
        lines.append(
            t(
                "aff_head_wtp",
                lang,
                n=fmt_int(n_now, lang),
                now=fmt_share(share_now, lang),
                full=fmt_share(share_full, lang),
                full_price=fmt_rp(a.prices.loc["non-transport", "full"], lang),
            )
        )
    else:
        lines.append(t("aff_head_no_survey", lang))
    lines.extend(subsidy.subsidy_lines(a, lang))
    return Markdown("\n\n".join(f"- {line}" for line in lines))


def _cards(a: Affordability, lang: str = "id") -> Cards:
    """The cover page's affordability figures (the yearly subsidy of scenario (a) for the page's
    group), its sentence on what the cheapest package costs, and each kelurahan's burden."""
    return Cards(
        subsidy.cards(a, lang), summary=_summary_cost(a, lang), facts=_burden_facts(a, lang)
    )


def _summary_cost(a: Affordability, lang: str) -> list[dict]:
    """What the cheapest package costs and how heavy it is, in one sentence for the cover."""
    r = a.roster
    if not len(r):
        return []
    now = int((r["share_now"] > a.threshold).sum())
    text = t(
        "aff_summary_cost" if now else "aff_summary_cost_none",
        lang,
        price=fmt_rp(a.prices.loc["non-transport", "now"], lang),
        median=fmt_share(weighted_median(r["share_now"]), lang),
        above=count_shown(now, a.min_cell, lang),
        threshold=fmt_threshold(a.threshold, lang),
    )
    return [{"rank": 40, "text": text}]


def _burden_facts(a: Affordability, lang: str) -> dict[str, str]:
    """Each kelurahan's median burden as published, as a reason beside a next step."""
    table, p = burden.kelurahan_burden(a)
    ok = (p.state["share_now_median"] == 0).to_numpy() & table["n"].gt(0).to_numpy()
    return {
        str(code): t("aff_step_burden", lang, median=fmt_share(v, lang))
        for code, v in zip(
            table.loc[ok, "kode_kelurahan"], table.loc[ok, "share_now_median"], strict=True
        )
    }


# ------------------------------------------------------------------ the page's sections


def section_headline(month: Month, lang: str = "id") -> Section:
    """The answers first: price, burden, willingness to pay, and what a subsidy would cost."""
    return Section([area_note(month, lang), headline(results(month), lang)])


def section_deciles(month: Month, lang: str = "id") -> Section:
    """The burden by income decile: the chart and the table, or one plain sentence when there are
    too few incomes for a decile of at least `min_cell` people."""
    a = results(month)
    if a.roster.empty:
        return Section([md("aff_head_no_income", lang)])
    frame = burden.decile_chart_frame(a, lang) if len(a.roster) >= DECILES else pd.DataFrame()
    if frame.empty or not charts.has_values(frame.to_numpy(dtype="float64")):
        return Section([md("few_incomes", lang, n=fmt_int(len(a.roster), lang), k=a.min_cell)])
    chart = charts.columns(
        frame,
        t("aff_chart_decile_title", lang),
        t("aff_chart_decile_axis", lang),
        fmt=lambda v: fmt_share(v, lang),
        line=a.threshold,
        line_label=t("aff_chart_threshold_line", lang, threshold=fmt_threshold(a.threshold, lang)),
        note=t("aff_chart_decile_note", lang),
    )
    return Section([chart, burden.decile_table(a, lang), _suppressed(a, lang)])


def section_sensitivity(month: Month, lang: str = "id") -> Section:
    """How many are above the threshold if the threshold were 1, 2, 5 or 10%."""
    a = results(month)
    if a.roster.empty:  # nobody to compare with a threshold (the burden section says why)
        return Section([md("aff_sensitivity_no_income", lang)])
    return Section([burden.sensitivity_table(a, lang), _suppressed(a, lang)])


def section_wtp(month: Month, lang: str = "id") -> Section:
    """Willingness to pay against the price: a sentence and, with enough answers, the curve."""
    a = results(month)
    curve = (
        charts.share_at_least(
            wtp_curve(a.survey),
            t("aff_chart_wtp_title", lang),
            t("aff_chart_wtp_x", lang),
            t("aff_chart_wtp_y", lang),
            marks=burden.wtp_marks(a, lang),
            xfmt=lambda v: fmt_rp(v, lang),
            yfmt=lambda v: fmt_pct(v, lang, 0),
            note=t("aff_chart_wtp_note", lang),
        )
        if willing(a.survey, "cost_now")[1] >= a.min_cell
        else None
    )
    return Section([burden.wtp_text(a, lang), curve])


def section_discount(month: Month, lang: str = "id") -> Section:
    """The PP 50/2025 discount in force this month and what it changes."""
    return Section([method.discount_text(results(month), lang)])


def section_sectors(month: Month, lang: str = "id") -> Section:
    """The burden by sector, protected."""
    a = results(month)
    return Section([burden.sector_table(a, lang), _suppressed(a, lang)])


def section_kelurahan(month: Month, lang: str = "id") -> Section:
    """Where the package weighs most: the burden map and the kelurahan with the highest burden."""
    a = results(month)
    values, hidden = burden.kelurahan_map_values(a)
    chart = maps.choropleth(
        values,
        SHARE_BREAKS,
        t("aff_map_title", lang),
        t("aff_map_legend", lang),
        lang,
        fmt=lambda v: fmt_share(v, lang),
        cmap="OrRd",
        suppressed=hidden,
        note=t("aff_map_note", lang),
        region=a.region,
        reference_dir=a.reference_dir,
        empty="",  # the sentence under the map says there is no kelurahan to show
    )
    top = burden.kelurahan_table(a, lang)
    intro = (
        md("aff_kelurahan_intro", lang, n=len(top)) if len(top) else md("aff_no_kelurahan", lang)
    )
    return Section([chart, intro, top] if len(top) else [chart, intro])


def section_method(month: Month, lang: str = "id") -> Section:
    """The contribution rules used and how the figures are computed."""
    a = results(month)
    return Section([method.rules_table(a, lang), method.method_text(a, lang)])


def _suppressed(a: Affordability, lang: str):
    return md("suppressed_note", lang, k=a.min_cell)


def cover_cards(month: Month, lang: str = "id") -> Cards:
    """The cover page's affordability figure: the yearly subsidy for every uncovered worker."""
    return _cards(results(month), lang)
