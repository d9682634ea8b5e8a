"""The overview page of a region of several kabupaten/kota (notebook `region_overview`): the
kabupaten/kota side by side, a map of them, progress toward the region's targets, how it is
computed. Every count goes through disclosure control; each row's numbers are its own pages'."""

from __future__ import annotations

import numpy as np
import pandas as pd
from IPython.display import Markdown

from analysis.metrics.coverage import RATE_BREAKS, protect_table
from analysis.metrics.disclosure import SECONDARY, Protected, is_small
from analysis.metrics.overview import Overview, population_ratio, results, target_ratios
from analysis.month import Month
from analysis.pages import charts, maps
from analysis.pages.affordability_subsidy import policy_basis, policy_group, policy_share
from analysis.pages.awareness_page import points
from analysis.pages.coverage_page import target_card, target_items
from analysis.pages.published import Col, PublishedTable, published
from analysis.pages.text import (
    Cards,
    Section,
    fmt_int,
    fmt_interval,
    fmt_month,
    fmt_num,
    fmt_pct,
    fmt_points,
    fmt_rp,
    fmt_rp_compact,
    fmt_share,
    fmt_threshold,
    md,
    t,
    uncovered_step,
)
from analysis.reference import DEFAULT_REGION, region_code

PAGE = "region_overview"
#: The pages of each kabupaten/kota, as the report names them ('<area>-<notebook>.html').
AREA_PAGES = ("02_coverage_map", "03_awareness_gaps", "04_premium_affordability", "05_outreach")


def short_name(place: str) -> str:
    """'Kabupaten Klaten' → 'Klaten', 'Kota Surakarta' → 'Surakarta' (for maps and charts)."""
    return place.removeprefix("Kabupaten ").removeprefix("Kota ")


def protected(o: Overview) -> Protected:
    """The rows and the region's total, with coverage's disclosure control (the total is
    published, so complementary suppression works across the rows)."""
    p = protect_table(o.rows, o.min_cell, [None])
    total = protect_table(o.total.to_frame().T.infer_objects(), o.min_cell, [])
    return Protected(
        pd.concat([p.table, total.table], ignore_index=True),
        pd.concat([p.state, total.state], ignore_index=True),
        o.min_cell,
    )


@published("ikhtisar_cakupan")
def coverage_table(o: Overview, lang: str = "id") -> PublishedTable:
    """Per kabupaten/kota and for the region: workers, effective coverage with last month's and
    the change, its 95% range, workers not covered (protected; a hidden rate hides its range,
    last month and change)."""
    p = protected(o)
    data = p.table.copy()
    data["ci_lo"], data["ci_hi"] = data["effective_low"], data["effective_high"]
    data["change"] = data["change"].astype("float64") / 100  # points, stored as a share's change
    data["prev"] = data["effective_rate"].astype("float64") - data["change"]
    hidden = p.hidden["effective_rate"].to_numpy()
    state = p.state.copy()
    for col in ("effective_rate", "ci", "prev", "change"):
        state[col] = np.where(hidden, SECONDARY, 0)
    cols = [
        Col("place", t("ov_col_place", lang)),
        Col("workers", t("ov_col_workers", lang), "count"),
        Col("uncovered", t("ov_col_uncovered", lang), "count"),
        Col("effective_rate", t("ov_col_effective_rate", lang), "pct"),
    ]
    before = o.total["change_from"]
    if before is not None and not pd.isna(o.total["change"]):
        cols += [
            Col("prev", t("cov_col_prev", lang, month=fmt_month(before, lang)), "pct"),
            Col("change", t("cov_col_change", lang), "points"),
        ]
    cols.append(Col("ci", t("ov_col_ci", lang), "interval"))
    title = t("ov_tbl_coverage", lang, place=o.place, month=fmt_month(o.period, lang))
    return PublishedTable(title, cols, data, lang, state, o.min_cell)


@published("ikhtisar_kesadaran_biaya")
def cost_table(o: Overview, lang: str = "id") -> PublishedTable:
    """Per kabupaten/kota and for the region: the awareness gap (points, with its 95% range),
    the cheapest package's median burden and the share who pay more than the threshold (hidden
    when their count is small), and the yearly subsidy for the uncovered of the subsidy's group."""
    rows = pd.concat([o.rows, o.total.to_frame().T], ignore_index=True)
    above = rows["burden_above"].astype("int64")
    n = rows["burden_n"].astype("int64")
    data = pd.DataFrame(
        {
            "place": rows["place"],
            "aware_gap": rows["aware_gap"].astype("float64") * 100,
            "gap_lo": rows["aware_gap_lo"].astype("float64") * 100,
            "gap_hi": rows["aware_gap_hi"].astype("float64") * 100,
            "burden_median": rows["burden_median"].astype("float64"),
            "burden_above": (above / n.where(n > 0)).astype("float64"),
            "subsidy_budget": rows["subsidy_budget"].astype("float64"),
        }
    )
    small = [is_small(int(a), o.min_cell) for a in above]
    workers = pd.to_numeric(rows["subsidy_workers"], errors="coerce").fillna(0)
    few = [is_small(round(float(w)), o.min_cell) for w in workers]
    state = pd.DataFrame(
        {
            "burden_above": np.where(small, SECONDARY, 0),
            "subsidy_budget": np.where(few, SECONDARY, 0),
        }
    )
    cols = [
        Col("place", t("ov_col_place", lang)),
        Col("aware_gap", t("ov_col_aware_gap", lang), "num", 0),
        Col("gap", t("ov_col_aware_gap_range", lang), "range"),
        Col("burden_median", t("ov_col_burden_median", lang), "share"),
        Col(
            "burden_above",
            t("ov_col_burden_above", lang, threshold=fmt_threshold(o.threshold, lang)),
            "share",
        ),
        Col(
            "subsidy_budget",
            t("ov_col_subsidy_budget", lang, group=policy_group(o.policy, lang)),
            "rp",
        ),
    ]
    title = t("ov_tbl_cost", lang, place=o.place, month=fmt_month(o.period, lang))
    return PublishedTable(title, cols, data, lang, state, o.min_cell).gated(
        exempt="gaps, medians, shares and estimated budgets; a share or budget resting on a "
        "small count is hidden"
    )


def _change(total: pd.Series, hidden: bool, key: str, lang: str) -> str:
    """'+0,4 poin dibanding September 2026' in the words of `key`, or nothing (no month before,
    or the rate is hidden)."""
    if pd.isna(total["change"]) or hidden:
        return ""
    points, month = fmt_points(total["change"], lang), fmt_month(total["change_from"], lang)
    return t(key, lang, points=points, month=month)


def headline(o: Overview, lang: str = "id"):
    """The answers first: the region, where coverage is lowest and highest, where most are
    uncovered, the widest awareness gap, the subsidy (Markdown)."""
    return Markdown("\n".join(f"- {line}" for line in headline_lines(o, lang)))


def headline_lines(o: Overview, lang: str = "id") -> list[str]:
    """The headline's sentences: level and change, where, why, cost (also the cover's summary)."""
    p = protected(o)
    last = len(p.table) - 1
    tot = o.total
    rate_hidden = bool(p.hidden.loc[last, "effective_rate"])
    rows = o.rows.assign(_hidden=p.hidden["effective_rate"].iloc[:last].to_numpy())
    ranked = rows[~rows["_hidden"]].sort_values("effective_rate")
    most = o.rows.sort_values("uncovered", ascending=False).iloc[0]
    widest = o.rows.dropna(subset=["aware_gap"]).sort_values("aware_gap", ascending=False)
    change = _change(tot, rate_hidden, "ov_head_change", lang)
    lines = [
        t(
            "ov_head_region",
            lang,
            place=o.place,
            month=fmt_month(o.period, lang),
            n=len(o.rows),
            workers=fmt_int(tot["workers"], lang),
            rate="x" if rate_hidden else fmt_pct(tot["effective_rate"], lang),
            ci="–"
            if rate_hidden
            else fmt_interval(tot["effective_low"], tot["effective_high"], lang),
            change=change,
            uncovered=fmt_int(tot["uncovered"], lang),
        )
    ]
    if len(ranked) > 1:
        low, high = ranked.iloc[0], ranked.iloc[-1]
        lines.append(
            t(
                "ov_head_range",
                lang,
                low=low["place"],
                low_rate=fmt_pct(low["effective_rate"], lang),
                high=high["place"],
                high_rate=fmt_pct(high["effective_rate"], lang),
                most=most["place"],
                most_n=fmt_int(most["uncovered"], lang),
            )
        )
    if len(widest):
        w = widest.iloc[0]
        lines.append(
            t(
                "ov_head_gap",
                lang,
                place=w["place"],
                gap=points(w["aware_gap"], lang),
                region_gap=points(tot["aware_gap"], lang) if pd.notna(tot["aware_gap"]) else "–",
            )
        )
    lines.append(
        t(
            "ov_head_subsidy",
            lang,
            budget=fmt_rp_compact(tot["subsidy_budget"], lang),
            workers=fmt_int(tot["subsidy_workers"], lang),
            per=fmt_rp(tot["subsidy_per_worker"], lang),
            median=fmt_share(tot["burden_median"], lang),
            share=policy_share(o.policy, lang),
            group=policy_group(o.policy, lang),
        )
    )
    return lines


def area_links(o: Overview, lang: str = "id"):
    """Where each kabupaten/kota's own pages are (links that work in the published folder)."""
    items = []
    for row in o.rows.itertuples():
        pages = ", ".join(
            f"[{t(f'ov_link_{stem}', lang)}]({row.area}-{stem}.html)" for stem in AREA_PAGES
        )
        items.append(f"- **{row.place}**: {pages}")
    return Markdown(t("ov_links_intro", lang) + "\n\n" + "\n".join(items))


def kabkota_map(o: Overview, lang: str = "id"):
    """Effective coverage of each kabupaten/kota on the coverage map's fixed classes."""
    p = protected(o)
    last = len(p.table) - 1
    rates = o.rows["effective_rate"].mask(p.hidden["effective_rate"].iloc[:last].to_numpy())
    return maps.kabkota_choropleth(
        pd.Series(rates.to_numpy(), index=o.rows["kode_kabkota"]),
        {r.kode_kabkota: short_name(r.place) for r in o.rows.itertuples()},
        RATE_BREAKS,
        t("ov_map_title", lang, place=o.place, month=fmt_month(o.period, lang)),
        t("cov_col_effective_rate", lang),
        lang,
        fmt=lambda v: fmt_pct(v, lang, 0),
        note=t("ov_map_note", lang),
        region=o.region,
        reference_dir=o.reference_dir,
    )


def uncovered_chart(o: Overview, lang: str = "id"):
    """Workers not effectively covered, by kabupaten/kota (largest first)."""
    p = protected(o)
    last = len(p.table) - 1
    values = o.rows["uncovered"].mask(p.hidden["uncovered"].iloc[:last].to_numpy())
    return charts.barh(
        pd.Series(values.to_numpy(dtype="float64"), index=o.rows["place"]).dropna(),
        t("ov_unc_title", lang, month=fmt_month(o.period, lang)),
        t("cov_unc_legend", lang),
        fmt=lambda v: fmt_int(v, lang),
    )


def territory_text(o: Overview, lang: str = "id"):
    """What the region's targets are and are not: its territory is not given, so the
    kabupaten/kota's own targets cannot be worked out from them (Markdown)."""
    ratios = target_ratios(o.region, DEFAULT_REGION, o.reference_dir)
    if not ratios:
        return None
    codes = list(o.rows["kode_kabkota"])
    people = population_ratio(codes, region_code(DEFAULT_REGION, o.reference_dir), o.reference_dir)
    return md(
        "ov_target_territory",
        lang,
        place=o.place,
        bpu=fmt_num(ratios.get("BPU"), lang, 1),
        pu=fmt_num(ratios.get("PU"), lang, 1),
        people=fmt_num(people, lang, 0),
    )


def method_text(o: Overview, lang: str = "id"):
    """How the overview is computed and how small areas are treated on the kabupaten pages."""
    return md(
        "ov_method",
        lang,
        n=len(o.rows),
        min_cell=o.min_cell,
        min_n=o.min_n,
        threshold=fmt_threshold(o.threshold, lang),
        share=policy_share(o.policy, lang),
        group=policy_group(o.policy, lang),
        basis=policy_basis(o.policy, lang),
    )


# ------------------------------------------------------------------ the page's sections


def section_headline(month: Month, lang: str = "id") -> Section:
    """The answers first, and where each kabupaten/kota's own pages are."""
    o = results(month)
    return Section([headline(o, lang), area_links(o, lang)])


def section_side_by_side(month: Month, lang: str = "id") -> Section:
    """The kabupaten/kota side by side: coverage, then awareness and cost (two narrow tables
    that stay readable on a phone), with the note on hidden cells."""
    o = results(month)
    return Section(
        [
            coverage_table(o, lang),
            cost_table(o, lang),
            md("suppressed_note", lang, k=o.min_cell),
        ]
    )


def section_map(month: Month, lang: str = "id") -> Section:
    """A map of the kabupaten/kota's effective coverage and the uncovered workers of each."""
    o = results(month)
    return Section([kabkota_map(o, lang), uncovered_chart(o, lang)])


def section_targets(month: Month, lang: str = "id") -> Section:
    """Progress toward the region's targets, and why the kabupaten/kota have none of their own."""
    o = results(month)
    return Section([*target_items(o.progress, lang), territory_text(o, lang)])


def section_method(month: Month, lang: str = "id") -> Section:
    """How the overview is computed."""
    return Section([method_text(results(month), lang)])


def cover_cards(month: Month, lang: str = "id") -> Cards:
    """The region's figures for the cover: workers, effective coverage and its change, the
    uncovered with the subsidy they would need, the gap to the informal target."""
    o = results(month)
    p = protected(o)
    last = len(p.table) - 1
    tot = o.total
    hidden = bool(p.hidden.loc[last, "effective_rate"])
    change = _change(tot, hidden, "ov_card_change", lang)
    cards = [
        {
            "label": t("ov_card_workers", lang, place=o.place),
            "value": fmt_int(tot["workers"], lang),
            "note": t("ov_card_workers_note", lang, n=len(o.rows)),
            "page": PAGE,
            "rank": "11",
        },
        {
            "label": t("cov_card_effective", lang),
            "value": "x" if hidden else fmt_pct(tot["effective_rate"], lang),
            "note": change,
            "page": PAGE,
            "rank": "10",
        },
        {
            "label": t("ov_card_uncovered", lang),
            "value": fmt_int(tot["uncovered"], lang),
            "note": t(
                "ov_card_uncovered_note",
                lang,
                budget=fmt_rp_compact(tot["subsidy_budget"], lang),
                group=policy_group(o.policy, lang),
            ),
            "page": PAGE,
            "rank": "12",
        },
    ]
    cards += target_card(
        o.progress.targets, o.progress.segments, o.min_cell, o.place, PAGE, "13", lang
    )
    summary = [{"rank": 10 * i, "text": line} for i, line in enumerate(headline_lines(o, lang), 1)]
    return Cards(cards, summary=summary, steps=area_steps(o, lang))


#: How many kabupaten/kota the cover's next steps name.
STEPS = 3


def area_steps(o: Overview, lang: str = "id", n: int = STEPS) -> list[dict]:
    """The cover's next steps for a region: the kabupaten/kota with the most workers not covered
    (as published), each with why and a link to its own visit plan (the report adds the plan's
    first kelurahan: `analysis.report.cover.next_steps`)."""
    p = protected(o)
    last = len(p.table) - 1
    shown = o.rows.assign(
        uncovered_hidden=p.hidden["uncovered"].iloc[:last].to_numpy(),
        rate_hidden=p.hidden["effective_rate"].iloc[:last].to_numpy(),
    )
    ranked = shown[~shown["uncovered_hidden"] & shown["uncovered"].gt(0)]
    ranked = ranked.sort_values("uncovered", ascending=False, kind="stable").head(n)
    steps = []
    for i, row in enumerate(ranked.itertuples(), 1):
        reasons = [uncovered_step(fmt_int(row.uncovered, lang), lang)]
        if not row.rate_hidden:
            reasons.append(t("ov_step_rate", lang, rate=fmt_pct(row.effective_rate, lang)))
        if pd.notna(row.aware_gap):
            reasons.append(t("ov_step_gap", lang, gap=points(row.aware_gap, lang)))
        steps.append(
            {
                "rank": i,
                "code": str(row.kode_kabkota),
                "area": str(row.area),
                "place": row.place,
                "reasons": reasons,
                "href": f"{row.area}-05_outreach.html",
            }
        )
    return steps
