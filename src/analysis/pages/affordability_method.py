"""Notebook 04's method section: the discount in force, the contribution rules used, and how
the figures are computed, in words for a reader who is not a statistician.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import Markdown

from analysis.metrics import contributions as contrib
from analysis.metrics import rulebook
from analysis.metrics.affordability import (
    KINDS,
    SENSITIVITY,
    Affordability,
    willing,
)
from analysis.pages.affordability_burden import count_shown, rate_shown
from analysis.pages.affordability_subsidy import method_line
from analysis.pages.published import Col, PublishedTable, published
from analysis.pages.text import (
    fmt_int,
    fmt_list,
    fmt_month,
    fmt_num,
    fmt_pct,
    fmt_rp,
    fmt_share,
    fmt_threshold,
    t,
)
from analysis.reference import minimum_wage, region_name
from analysis.settings import DEFAULTS


def discount_text(a: Affordability, lang: str = "id"):
    """The 2026 discount: its windows, whether in force this month, and what it changes (Markdown)."""
    if a.discount is None:
        return Markdown(t("aff_no_discount", lang))
    windows = rulebook.discount_windows("BPU", a.discount, a.reference_dir)
    parts = []
    for w in windows.itertuples():
        parts.append(
            t(
                "aff_window",
                lang,
                sector=t(f"aff_kind_{w.sector}", lang),
                start=fmt_month(w.valid_from, lang),
                end=fmt_month(w.valid_to, lang),
            )
        )
    p = a.prices.loc["non-transport"]
    r = a.roster
    lines = [
        t(
            "aff_discount_rule",
            lang,
            regulation=a.discount,
            off=fmt_pct(windows["share_off"].iloc[0], lang, digits=0),
            windows="; ".join(parts),
            full=fmt_rp(p["full"], lang),
            discounted=fmt_rp(p["discounted"], lang),
        )
    ]
    live = [k for k in KINDS if a.prices.loc[k, "in_window"]]
    lines.append(
        t(
            "aff_discount_now" if live else "aff_discount_not_now",
            lang,
            month=fmt_month(a.period, lang),
            kinds=fmt_list([t(f"aff_kind_{k}", lang) for k in live], lang),
        )
    )
    if len(r):
        above_full = int((r["share_full"] > a.threshold).sum())
        above_disc = int((r["share_discounted"] > a.threshold).sum())
        lines.append(
            t(
                "aff_discount_effect",
                lang,
                threshold=fmt_threshold(a.threshold, lang),
                full=count_shown(above_full, a.min_cell, lang),
                discounted=count_shown(above_disc, a.min_cell, lang),
            )
        )
    share_full, n = willing(a.survey, "cost_full")
    share_disc, _ = willing(a.survey, "cost_discounted")
    if n >= a.min_cell:
        lines.append(
            t(
                "aff_discount_wtp",
                lang,
                full=fmt_share(share_full, lang),
                discounted=fmt_share(share_disc, lang),
            )
        )
    lines.append(t("aff_discount_budget_paid", lang))
    return Markdown("\n\n".join(lines))


@published("aturan_iuran")
def rules_table(a: Affordability, lang: str = "id") -> PublishedTable:
    """The BPU rules in force this month (programme, rate or amount, regulation), for the method section."""
    rules = rulebook.rules_in_force(a.on, "BPU", a.reference_dir)
    low = a.income_min
    rows = []
    for r in rules.itertuples():
        rate = r.basis == "rate"
        rows.append(
            {
                "program": t(f"aff_prog_{r.program}", lang),
                "rate": r.rate_ppm / 1e6 if rate else None,
                "flat": None if rate else r.amount_sen / 100,
                "amount": r.rate_ppm / 1e6 * low if rate else r.amount_sen / 100,
                "regulation": r.regulation,
            }
        )
    cols = [
        Col("program", t("aff_col_program", lang)),
        Col("rate", t("aff_col_rule_rate", lang), "pct", 0),
        Col("flat", t("aff_col_rule_flat", lang), "rp"),
        Col("amount", t("aff_col_at_min", lang, income=fmt_rp(low, lang)), "rp"),
        Col("regulation", t("aff_col_regulation", lang)),
    ]
    data = pd.DataFrame(rows, columns=[c.key for c in cols])
    table = PublishedTable(t("aff_tbl_rules", lang), cols, data, lang)
    return table.gated(exempt="contribution rules, no people")


def _example_2019(reference_dir: Path | None = None) -> dict[str, str] | None:
    """The 2019 micro-business wage-worker package at the Surakarta UMK (the seed article's 'under Rp10,000')."""
    try:
        day = pd.Timestamp("2019-06-01")
        umk = minimum_wage(day, reference_dir=reference_dir)
        parts = contrib.pu_components(pd.Series([umk]), day, reference_dir=reference_dir)
    except ValueError:
        return None
    return {
        "umk": umk,
        "employer": int(parts["amount"].sum()),
        "exact": float((parts["rate"] * umk).sum()),
    }


def method_text(a: Affordability, lang: str = "id"):
    """Method notes with this month's numbers: minimum income, left-out people, PU route, subsidy basis (Markdown)."""
    r = a.roster
    below = int(r["below_min"].sum()) if len(r) else 0
    low, high = rulebook.income_limits(a.on, a.reference_dir)
    ex = _example_2019(a.reference_dir) or {}
    rates = (
        contrib.pu_components(pd.Series([1.0]), a.on, reference_dir=a.reference_dir)["rate"]
        if a.pu_micro
        else pd.Series()
    )
    ex_fields = {
        "umk_2019": fmt_rp(ex.get("umk"), lang),
        "employer_2019": fmt_rp(ex.get("employer"), lang),
        "exact_2019": "Rp" + fmt_num(ex.get("exact"), lang, 2) if ex else "–",
        "total_rounded_2019": fmt_rp(float(np.floor(ex["exact"] + 0.5)), lang) if ex else "–",
    }
    caps = rulebook.rulebook(a.reference_dir).jp_cap
    lines = [
        t(
            "aff_method_minimum",
            lang,
            income=fmt_rp(a.income_min, lang),
            below=count_shown(below, a.min_cell, lang),
            share=rate_shown(below, len(r), a.min_cell, lang),
            n=fmt_int(len(r), lang),
        ),
        t("aff_method_brackets", lang, low=fmt_rp(low, lang), high=fmt_rp(high, lang)),
        t(
            "aff_method_left_out",
            lang,
            roster=fmt_int(a.roster_left_out, lang),
            roster_total=fmt_int(a.roster_total, lang),
            survey=fmt_int(a.survey_left_out, lang),
            survey_total=fmt_int(a.survey_total, lang),
        ),
        t(
            "aff_method_pu",
            lang,
            place=region_name(a.region, a.reference_dir),
            year=a.on.year,
            umk=fmt_rp(a.pu_micro["umk"], lang),
            employer=fmt_rp(a.pu_micro["employer"], lang),
            rates=" + ".join(fmt_pct(x, lang, digits=2) for x in rates),
            **ex_fields,
        )
        if a.pu_micro and ex
        else t("aff_method_pu_no_umk", lang, year=a.on.year),
        t("aff_method_rounding", lang, **ex_fields) if ex else "",
        t(
            "aff_method_threshold",
            lang,
            default=fmt_threshold(DEFAULTS.threshold, lang),
            thresholds=fmt_list([fmt_threshold(x, lang) for x in SENSITIVITY], lang),
        ),
        method_line(a, lang),
        t(
            "aff_method_caveats",
            lang,
            jp_from=fmt_month(caps["valid_from"].min(), lang),
            jp_to=fmt_month(caps["valid_to"].max(), lang),
        ),
    ]
    return Markdown("\n\n".join(f"- {line}" for line in lines if line))
