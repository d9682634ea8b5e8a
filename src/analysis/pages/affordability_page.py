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
from analysis.metrics.disclosure import (
    SECONDARY,
    Published,
    display,
    gate,
    is_small,
    protect,
)
from analysis.month import Month
from analysis.pages import affordability_burden as burden
from analysis.pages import affordability_method as method
from analysis.pages import charts, maps
from analysis.pages.affordability_burden import count_shown, rate_shown
from analysis.pages.text import (
    Cards,
    Section,
    fmt_int,
    fmt_month,
    fmt_num,
    fmt_pct,
    fmt_rp,
    fmt_rp_compact,
    fmt_share,
    fmt_threshold,
    md,
    t,
    table,
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
    lines.append(_subsidy_sentence(a, lang))
    return Markdown("\n\n".join(f"- {line}" for line in lines))


def _subsidy_sentence(a: Affordability, lang: str) -> str:
    all_ = a.scenario("all_uncovered")
    above = a.scenario("above_threshold")
    text = t(
        "aff_head_subsidy",
        lang,
        uncovered=fmt_int(all_["workers"], lang),
        budget=fmt_rp_compact(all_["budget"], lang),
        per=fmt_rp(all_["per_worker"], lang),
        above=count_shown(int(above["workers"]), a.min_cell, lang),
        threshold=fmt_threshold(a.threshold, lang),
        budget_above=fmt_rp_compact(above["budget"], lang)
        if not is_small(above["workers"], a.min_cell)
        else "–",
    )
    base = a.scenario("baseline")
    if base is not None:
        text += " " + t(
            "aff_head_baseline_computed" if base["status"] == "computed" else "aff_head_baseline",
            lang,
            workers=fmt_int(base["workers"], lang),
            budget=fmt_rp_compact(base["budget"], lang),
            ratio=fmt_num(all_["budget"] / base["budget"], lang, 1) if base["budget"] else "–",
            since=fmt_month(a.baseline_since, lang) if a.baseline_since else "–",
        )
    return text


def scenario_labels(a: Affordability, lang: str = "id") -> dict[str, str]:
    """Scenario key → label in the report language."""
    base = a.scenario("baseline")
    workers = fmt_int(base["workers"], lang) if base is not None else "–"
    keys = ("baseline", "all_uncovered", "above_threshold", "target")
    return {k: t(f"aff_scn_{k}", lang, workers=workers) for k in keys}


def scenario_table(a: Affordability, lang: str = "id") -> Published:
    """The subsidy scenarios as published: workers reached, cost per worker per year, yearly budget."""
    s = a.scenarios.reset_index(drop=True)
    table = s[["scenario", "workers", "per_worker", "budget"]].copy()
    table["workers"] = table["workers"].astype("float64")
    p = protect(table, ["workers"], a.min_cell, groups=[])
    # (c) = target − covered: a small covered count would be worked out from it
    p.state.loc[_target_reveals_covered(a).to_numpy() & (p.state["workers"] == 0), "workers"] = (
        SECONDARY
    )
    p.state["budget"] = p.state["workers"]  # a budget would reveal a hidden count
    shown = display(
        p,
        {
            "workers": lambda v: fmt_int(v, lang),
            "per_worker": lambda v: fmt_rp(v, lang),
            "budget": lambda v: fmt_rp(v, lang),
        },
    )
    shown["scenario"] = shown["scenario"].map(scenario_labels(a, lang))
    frame = shown.rename(
        columns={
            "scenario": t("aff_col_scenario", lang),
            "workers": t("aff_col_workers_reached", lang),
            "per_worker": t("aff_col_per_worker", lang),
            "budget": t("aff_col_budget", lang),
        }
    )
    return gate(frame, "affordability.scenarios", counts=[t("aff_col_workers_reached", lang)])


def _target_reveals_covered(a: Affordability) -> pd.Series:
    """Rows whose count is target − covered while `covered` is a suppressed small count."""
    s = a.scenarios.reset_index(drop=True)
    if "covered" not in s:
        return pd.Series(False, index=s.index)
    small = pd.Series(is_small(s["covered"].fillna(0), a.min_cell), index=s.index)
    return (s["scenario"] == "target") & (s["status"] == "ok") & small


def scenario_notes(a: Affordability, lang: str = "id"):
    """What each scenario counts and where its figures come from (Markdown list under the table)."""
    labels = scenario_labels(a, lang)
    lines = []
    for row in a.scenarios.itertuples():
        if row.status in ("computed", "reported"):
            note = t(f"aff_note_baseline_{row.status}", lang)
        elif row.scenario == "target":
            note = _target_note(a, row, lang)
        elif row.scenario == "above_threshold":
            note = t("aff_note_above", lang, threshold=fmt_threshold(a.threshold, lang))
        else:
            note = t("aff_note_all", lang)
        lines.append(f"- **{labels[row.scenario]}**: {note}")
    return Markdown("\n".join(lines))


def _target_note(a: Affordability, row, lang: str) -> str:
    if a.target is None:
        return t(a.target_problem or "aff_target_missing", lang)
    key = {"reached": "aff_note_target_reached", "short": "aff_note_target_short"}.get(
        row.status, "aff_note_target"
    )
    return t(
        key,
        lang,
        target=fmt_int(a.target.workers, lang),
        year=a.target.year,
        covered=count_shown(int(row.covered), a.min_cell, lang),
        needed="–" if is_small(row.covered, a.min_cell) else fmt_int(row.needed, lang),
        unverified="" if a.target.verified else t("aff_unverified", lang),
    )


def scenario_chart_values(a: Affordability, lang: str = "id") -> pd.Series:
    """Yearly budgets by scenario label, for a bar chart (suppressed or unknown scenarios left out)."""
    s = a.scenarios.reset_index(drop=True)
    ok = s["budget"].notna() & ~is_small(s["workers"].fillna(0), a.min_cell)
    ok &= ~_target_reveals_covered(a)
    labels = scenario_labels(a, lang)
    return pd.Series(
        s.loc[ok, "budget"].astype("float64").to_numpy(),
        index=[labels[k] for k in s.loc[ok, "scenario"]],
    )


def _cards(a: Affordability, lang: str = "id") -> Cards:
    """The cover page's affordability figures: this month's cheapest package and the yearly subsidy for all uncovered."""
    all_ = a.scenario("all_uncovered")
    cards = [
        {
            "label": t("aff_card_subsidy", lang),
            "value": fmt_rp_compact(all_["budget"], lang),
            "note": t(
                "aff_card_subsidy_note",
                lang,
                workers=fmt_int(all_["workers"], lang),
                per=fmt_rp(all_["per_worker"], lang),
            ),
            "page": "04_premium_affordability",
        }
    ]
    return Cards(cards)


# ------------------------------------------------------------------ the page's sections


def section_headline(month: Month, lang: str = "id") -> Section:
    """The answers first: price, burden, willingness to pay, and what a subsidy would cost."""
    return Section([headline(results(month), lang)])


def section_subsidy(month: Month, lang: str = "id") -> Section:
    """What a city subsidy would cost a year: the chart, the protected table and its notes."""
    a = results(month)
    chart = charts.barh(
        scenario_chart_values(a, lang) / 1e6,
        t("aff_chart_subsidy_title", lang),
        t("aff_chart_budget_axis_million", lang),
        fmt=lambda v: fmt_rp_compact(v * 1e6, lang),
    )
    return Section(
        [chart, table(scenario_table(a, lang)), scenario_notes(a, lang), _suppressed(a, lang)]
    )


def section_deciles(month: Month, lang: str = "id") -> Section:
    """The burden by income decile: the chart (when there are enough incomes) and the table."""
    a = results(month)
    chart = (
        charts.columns(
            burden.decile_chart_frame(a, lang),
            t("aff_chart_decile_title", lang),
            t("aff_chart_decile_axis", lang),
            fmt=lambda v: fmt_share(v, lang),
            line=a.threshold,
            line_label=t(
                "aff_chart_threshold_line", lang, threshold=fmt_threshold(a.threshold, lang)
            ),
            note=t("aff_chart_decile_note", lang),
        )
        if len(a.roster) >= DECILES
        else md("aff_head_no_income", lang)
    )
    return Section([chart, table(burden.decile_table(a, lang)), _suppressed(a, lang)])


def section_sensitivity(month: Month, lang: str = "id") -> Section:
    """How many are above the threshold if the threshold were 1, 2, 5 or 10%."""
    a = results(month)
    return Section([table(burden.sensitivity_table(a, lang)), _suppressed(a, lang)])


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
    return Section([table(burden.sector_table(a, lang)), _suppressed(a, lang)])


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
    )
    top = burden.kelurahan_table(a, lang)
    n = len(top.frame)
    intro = md("aff_kelurahan_intro", lang, n=n) if n else md("aff_no_kelurahan", lang)
    return Section([chart, intro, table(top)])


def section_method(month: Month, lang: str = "id") -> Section:
    """The contribution rules used and how the figures are computed."""
    a = results(month)
    return Section([table(method.rules_table(a, lang)), method.method_text(a, lang)])


def _suppressed(a: Affordability, lang: str):
    return md("suppressed_note", lang, k=a.min_cell)


def cover_cards(month: Month, lang: str = "id") -> Cards:
    """The cover page's affordability figure: the yearly subsidy for every uncovered worker."""
    return _cards(results(month), lang)
