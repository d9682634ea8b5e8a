"""Notebook 04's page: sentences, tables and chart inputs of premium affordability in the
report's language, counts through disclosure control, and the cover figure.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.metrics import contributions as contrib
from analysis.metrics.affordability import (
    DEFAULT_THRESHOLD,
    KINDS,
    SENSITIVITY,
    SUBSIDY_MONTHS,
    Affordability,
    burden_by,
    sensitivity,
    weighted_median,
    willing,
)
from analysis.metrics.disclosure import PRIMARY, SECONDARY, Protected, display, protect
from analysis.pages.text import fmt_int, fmt_month, fmt_num, fmt_pct, fmt_rp, t
from analysis.reference import minimum_wage


def fmt_share(x: float, lang: str = "id") -> str:
    """A burden or share as a percentage: one decimal from 1%, two below (0,39%; 1,4%)."""
    if x is None or pd.isna(x):
        return "–"
    return fmt_pct(x, lang, digits=1 if x >= 0.01 or x == 0 else 2)


_pct = fmt_share


def _list(items: list[str], lang: str) -> str:
    """'a, b, dan c' / 'a, b, and c' (babel)."""
    from babel.lists import format_list

    from analysis.pages.text import LOCALE

    return format_list(items, locale=LOCALE[lang]) if items else "–"


def fmt_threshold(x: float, lang: str = "id") -> str:
    """A threshold as a percentage without needless decimals: 2%, 2,5%."""
    return fmt_pct(x, lang, digits=0 if round(x * 100, 6) == round(x * 100) else 1)


def fmt_rp_compact(x: float, lang: str = "id") -> str:
    """Large Rupiah amounts in words: Rp3,2 miliar, Rp604,8 juta (id); Rp3.2 billion (en)."""
    from babel.numbers import format_compact_decimal

    from analysis.pages.text import LOCALE

    if x is None or pd.isna(x):
        return "–"
    if abs(x) < 1_000_000:
        return fmt_rp(x, lang)
    return "Rp" + format_compact_decimal(
        x, format_type="long", fraction_digits=1, locale=LOCALE[lang]
    )


def _protect(
    table: pd.DataFrame, counts: list[str], min_cell: int, rates: dict, hide_with: dict, groups=None
) -> Protected:
    """protect() plus: columns in `hide_with` (e.g. medians) are hidden wherever their count column is."""
    p = protect(table, counts, min_cell, groups=groups, rates=rates)
    for col, count in hide_with.items():
        p.state[col] = p.state[count].where(p.state[count] > 0, 0)
        small = table[count].astype("float64").fillna(0) < min_cell
        p.state.loc[small.to_numpy() & (p.state[col] == 0).to_numpy(), col] = PRIMARY
    return p


def _small_count(n: int, min_cell: int, lang: str) -> str:
    return f"<{min_cell}" if 0 < n < min_cell else fmt_int(n, lang)


def _rate_shown(count: int, n: int, min_cell: int, lang: str) -> str:
    """count / n as a percentage, or '–' when the count itself is suppressed (the rate would reveal it)."""
    return "–" if 0 < count < min_cell or n == 0 else _pct(count / n, lang)


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
    from IPython.display import Markdown

    month = fmt_month(a.period, lang)
    th = fmt_threshold(a.threshold, lang)
    lines = [t("aff_head_price", lang, month=month, price=_price_clause(a, lang))]
    r = a.roster
    if len(r):
        now = int((r["share_now"] > a.threshold).sum())
        full = int((r["share_full"] > a.threshold).sum())
        lines.append(
            t(
                "aff_head_burden",
                lang,
                n=fmt_int(len(r), lang),
                median=_pct(weighted_median(r["share_now"]), lang),
                threshold=th,
                above=_small_count(now, a.min_cell, lang),
                rate=_rate_shown(now, len(r), a.min_cell, lang),
                above_full=_small_count(full, a.min_cell, lang),
                rate_full=_rate_shown(full, len(r), a.min_cell, lang),
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
                now=_pct(share_now, lang),
                full=_pct(share_full, lang),
                full_price=fmt_rp(a.prices.loc["non-transport", "full"], lang),
            )
        )
    else:
        lines.append(t("aff_head_no_survey", lang))
    lines.append(_subsidy_sentence(a, lang))
    return Markdown("\n\n".join(f"- {line}" for line in lines))


def _scenario(a: Affordability, key: str) -> pd.Series | None:
    s = a.scenarios
    hit = s[s["scenario"] == key]
    return None if hit.empty else hit.iloc[0]


def _subsidy_sentence(a: Affordability, lang: str) -> str:
    all_ = _scenario(a, "all_uncovered")
    above = _scenario(a, "above_threshold")
    text = t(
        "aff_head_subsidy",
        lang,
        uncovered=fmt_int(all_["workers"], lang),
        budget=fmt_rp_compact(all_["budget"], lang),
        per=fmt_rp(all_["per_worker"], lang),
        above=_small_count(int(above["workers"]), a.min_cell, lang),
        threshold=fmt_threshold(a.threshold, lang),
        budget_above=fmt_rp_compact(above["budget"], lang)
        if not 0 < above["workers"] < a.min_cell
        else "–",
    )
    base = _scenario(a, "baseline")
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
    base = _scenario(a, "baseline")
    workers = fmt_int(base["workers"], lang) if base is not None else "–"
    keys = ("baseline", "all_uncovered", "above_threshold", "target")
    return {k: t(f"aff_scn_{k}", lang, workers=workers) for k in keys}


def scenario_table(a: Affordability, lang: str = "id") -> pd.DataFrame:
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
    return shown.rename(
        columns={
            "scenario": t("aff_col_scenario", lang),
            "workers": t("aff_col_workers_reached", lang),
            "per_worker": t("aff_col_per_worker", lang),
            "budget": t("aff_col_budget", lang),
        }
    )


def _target_reveals_covered(a: Affordability) -> pd.Series:
    """Rows whose count is target − covered while `covered` is a suppressed small count."""
    s = a.scenarios.reset_index(drop=True)
    if "covered" not in s:
        return pd.Series(False, index=s.index)
    small = s["covered"].fillna(0).between(1, a.min_cell - 1)
    return (s["scenario"] == "target") & (s["status"] == "ok") & small


def scenario_notes(a: Affordability, lang: str = "id"):
    """What each scenario counts and where its figures come from (Markdown list under the table)."""
    from IPython.display import Markdown

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
        covered=_small_count(int(row.covered), a.min_cell, lang),
        needed="–" if 0 < row.covered < a.min_cell else fmt_int(row.needed, lang),
        unverified="" if a.target.verified else t("aff_unverified", lang),
    )


def scenario_chart_values(a: Affordability, lang: str = "id") -> pd.Series:
    """Yearly budgets by scenario label, for a bar chart (suppressed or unknown scenarios left out)."""
    s = a.scenarios.reset_index(drop=True)
    ok = s["budget"].notna() & ~s["workers"].fillna(0).between(1, a.min_cell - 1)
    ok &= ~_target_reveals_covered(a)
    labels = scenario_labels(a, lang)
    return pd.Series(
        s.loc[ok, "budget"].astype("float64").to_numpy(),
        index=[labels[k] for k in s.loc[ok, "scenario"]],
    )


_BURDEN_FORMATS = {
    "n": fmt_int,
    "income_median": fmt_rp,
    "share_now_median": _pct,
    "share_full_median": _pct,
    "above_now_rate": _pct,
    "above_full_rate": _pct,
}


def _burden_display(
    table: pd.DataFrame,
    label_col: str,
    labels,
    a: Affordability,
    lang: str,
    columns: list[str],
    groups=None,
) -> pd.DataFrame:
    p = _protect(
        table,
        ["n", "above_now", "above_full"],
        a.min_cell,
        rates={"above_now_rate": ("above_now", "n"), "above_full_rate": ("above_full", "n")},
        hide_with={"income_median": "n", "share_now_median": "n", "share_full_median": "n"},
        groups=groups,
    )
    shown = display(p, {c: (lambda f: lambda v: f(v, lang))(_BURDEN_FORMATS[c]) for c in columns})
    shown[label_col] = labels
    th = fmt_threshold(a.threshold, lang)
    names = {
        "n": t("aff_col_people", lang),
        "income_median": t("aff_col_income_median", lang),
        "share_now_median": t("aff_col_share_now", lang),
        "share_full_median": t("aff_col_share_full", lang),
        "above_now_rate": t("aff_col_above_now", lang, threshold=th),
        "above_full_rate": t("aff_col_above_full", lang, threshold=th),
    }
    return shown[[label_col, *columns]].rename(columns=names)


def decile_table(a: Affordability, lang: str = "id") -> pd.DataFrame:
    """Burden by income decile of roster workers (income range, people, median burden, share above threshold)."""
    r = a.roster.dropna(subset=["decile"])
    table = burden_by(r, "decile", a.threshold)
    labels = [
        t(
            "aff_decile_label",
            lang,
            d=int(row.decile),
            low=fmt_rp(row.income_min, lang),
            high=fmt_rp(row.income_max, lang),
        )
        for row in table.itertuples()
    ]
    out = _burden_display(
        table,
        "decile",
        labels,
        a,
        lang,
        ["n", "share_now_median", "share_full_median", "above_now_rate", "above_full_rate"],
        groups=[None],
    )
    return out.rename(columns={"decile": t("aff_col_decile", lang)})


def decile_chart_frame(a: Affordability, lang: str = "id") -> pd.DataFrame:
    """Median burden by decile, this month and at full price (columns labelled), for a column chart."""
    table = burden_by(a.roster.dropna(subset=["decile"]), "decile", a.threshold)
    frame = pd.DataFrame(
        {
            t("aff_series_now", lang): table["share_now_median"].to_numpy(),
            t("aff_series_full", lang): table["share_full_median"].to_numpy(),
        },
        index=[f"D{int(d)}" for d in table["decile"]],
    )
    if (frame.iloc[:, 0] == frame.iloc[:, 1]).all():
        frame = frame.iloc[:, [1]]
    return frame


def sensitivity_table(a: Affordability, lang: str = "id") -> pd.DataFrame:
    """Share above each threshold (1/2/5/10% and the chosen one): roster at this month's and the full price, survey too."""
    ths = sorted({*SENSITIVITY, a.threshold})
    r = sensitivity(a.roster, ths)
    s = sensitivity(a.survey, ths, weight="bobot") if len(a.survey) else None
    rows = []
    for i, th in enumerate(ths):
        row = {
            t("aff_col_threshold", lang): fmt_threshold(th, lang)
            + (" ◀" if th == a.threshold else ""),
            t("aff_col_roster_now", lang): _count_rate(r.iloc[i], "now", a, lang),
            t("aff_col_roster_full", lang): _count_rate(r.iloc[i], "full", a, lang),
        }
        if s is not None:
            row[t("aff_col_survey_full", lang)] = (
                _pct(s.iloc[i]["above_full_rate"], lang)
                if not 0 < s.iloc[i]["above_full"] < a.min_cell
                else f"<{a.min_cell}"
            )
        rows.append(row)
    return pd.DataFrame(rows)


def _count_rate(row: pd.Series, which: str, a: Affordability, lang: str) -> str:
    n = int(row[f"above_{which}"])
    if 0 < n < a.min_cell:
        return f"<{a.min_cell}"
    return f"{fmt_int(n, lang)} ({_pct(row[f'above_{which}_rate'], lang)})"


def sector_table(a: Affordability, lang: str = "id") -> pd.DataFrame:
    """Burden by business sector (roster) with the survey's willingness to pay the full price."""
    from analysis.reference import sectors

    codes = list(sectors(a.reference_dir)["sektor"])
    present = sorted(set(a.roster.get("sektor", pd.Series(dtype=str))) - set(codes))
    codes += present
    table = burden_by(a.roster, "sektor", a.threshold, groups=codes)
    keep = table["n"] > 0
    table = table[keep].reset_index(drop=True)
    labels = [_sector_label(c, lang, a.reference_dir) for c in table["sektor"]]
    out = _burden_display(
        table,
        "sektor",
        labels,
        a,
        lang,
        ["n", "income_median", "share_now_median", "above_full_rate"],
        groups=[None],
    )
    wtp, resp = [], []
    for code in table["sektor"]:
        part = a.survey[a.survey["sektor"] == code] if len(a.survey) else a.survey
        share, n = willing(part, "cost_full") if len(part) else (float("nan"), 0)
        resp.append(_small_count(n, a.min_cell, lang))
        wtp.append(_pct(share, lang) if n >= a.min_cell else f"<{a.min_cell}" if n else "–")
    out[t("aff_col_respondents", lang)] = resp
    out[t("aff_col_wtp_full", lang)] = wtp
    return out.rename(columns={"sektor": t("col_sector", lang)})


def _sector_label(code: str, lang: str, reference_dir: Path | None = None) -> str:
    from analysis.reference import sectors

    table = sectors(reference_dir).set_index("sektor")
    if code in table.index:
        return table.loc[code, "label_id" if lang == "id" else "label_en"]
    key = f"sector_{code}"
    from analysis.pages.text import catalogue

    return t(key, lang) if key in catalogue() else code


def kelurahan_burden(a: Affordability) -> tuple[pd.DataFrame, Protected]:
    """Burden by kelurahan for every kelurahan of the region (zeros included), with its suppression state."""
    u = a.units[["kode_kelurahan", "kelurahan", "kecamatan"]]
    table = burden_by(a.roster, "kode_kelurahan", a.threshold, groups=list(u["kode_kelurahan"]))
    table = u.merge(table, on="kode_kelurahan", how="left")
    p = _protect(
        table,
        ["n", "above_now", "above_full"],
        a.min_cell,
        rates={"above_now_rate": ("above_now", "n"), "above_full_rate": ("above_full", "n")},
        hide_with={"income_median": "n", "share_now_median": "n", "share_full_median": "n"},
        groups=["kecamatan", None],
    )
    return table, p


def kelurahan_table(a: Affordability, lang: str = "id", top: int = 10) -> pd.DataFrame:
    """The kelurahan where the package weighs most (highest median burden this month; suppressed ones left out)."""
    table, p = kelurahan_burden(a)
    shown_ok = (p.state["share_now_median"] == 0) & table["n"].gt(0)
    order = (
        table[shown_ok].sort_values(["share_now_median", "n"], ascending=[False, False]).index[:top]
    )
    fmts = {c: (lambda f: lambda v: f(v, lang))(_BURDEN_FORMATS[c]) for c in _BURDEN_FORMATS}
    shown = display(p, fmts).loc[order]
    th = fmt_threshold(a.threshold, lang)
    cols = {
        "kelurahan": t("col_kelurahan", lang),
        "kecamatan": t("col_kecamatan", lang),
        "n": t("aff_col_people", lang),
        "income_median": t("aff_col_income_median", lang),
        "share_now_median": t("aff_col_share_now", lang),
        "above_full_rate": t("aff_col_above_full", lang, threshold=th),
    }
    return shown[list(cols)].rename(columns=cols)


def kelurahan_map_values(a: Affordability) -> tuple[pd.Series, pd.Series]:
    """(median burden this month by kode_kelurahan, suppressed?) for a choropleth on SHARE_BREAKS."""
    table, p = kelurahan_burden(a)
    values = table.set_index("kode_kelurahan")["share_now_median"]
    hidden = pd.Series(
        (p.state["share_now_median"] > 0).to_numpy() & table["n"].gt(0).to_numpy(),
        index=values.index,
    )
    return values.where(table.set_index("kode_kelurahan")["n"].gt(0)), hidden


def wtp_text(a: Affordability, lang: str = "id"):
    """Willingness to pay against each price, as sentences (Markdown)."""
    from IPython.display import Markdown

    s = a.survey
    share_now, n = willing(s, "cost_now")
    if n < a.min_cell:
        return Markdown(t("aff_head_no_survey", lang))
    answered = s[s["kesediaan_bayar"].notna()]
    share_full, _ = willing(s, "cost_full")
    jht = s.assign(cost_jht=s["kind"].map(a.prices["jht_full"]))
    share_jht, _ = willing(jht, "cost_jht")
    not_enrolled = s[s["terdaftar"].eq(False).fillna(False)] if "terdaftar" in s else s.iloc[0:0]
    share_ne, n_ne = willing(not_enrolled, "cost_full")
    return Markdown(
        t(
            "aff_wtp",
            lang,
            n=fmt_int(n, lang),
            median=fmt_rp(weighted_median(answered["kesediaan_bayar"], answered["bobot"]), lang),
            now=_pct(share_now, lang),
            price_now=fmt_rp(a.prices.loc["non-transport", "now"], lang),
            full=_pct(share_full, lang),
            price_full=fmt_rp(a.prices.loc["non-transport", "full"], lang),
            jht=_pct(share_jht, lang),
            price_jht=fmt_rp(a.prices.loc["non-transport", "jht_full"], lang),
        )
        + (
            " " + t("aff_wtp_not_enrolled", lang, n=fmt_int(n_ne, lang), share=_pct(share_ne, lang))
            if n_ne >= a.min_cell
            else ""
        )
    )


def wtp_marks(a: Affordability, lang: str = "id") -> dict[str, float]:
    """Prices to mark on the willingness-to-pay chart (label → Rupiah)."""
    p = a.prices.loc["non-transport"]
    marks = {t("aff_mark_full", lang, price=fmt_rp(p["full"], lang)): float(p["full"])}
    if p["discounted"] < p["full"]:
        marks[t("aff_mark_discounted", lang, price=fmt_rp(p["discounted"], lang))] = float(
            p["discounted"]
        )
    marks[t("aff_mark_jht", lang, price=fmt_rp(p["jht_full"], lang))] = float(p["jht_full"])
    return marks


def discount_text(a: Affordability, lang: str = "id"):
    """The 2026 discount: its windows, whether in force this month, and what it changes (Markdown)."""
    from IPython.display import Markdown

    if a.discount is None:
        return Markdown(t("aff_no_discount", lang))
    windows = contrib.discount_windows("BPU", a.discount, a.reference_dir)
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
            kinds=_list([t(f"aff_kind_{k}", lang) for k in live], lang),
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
                full=_small_count(above_full, a.min_cell, lang),
                discounted=_small_count(above_disc, a.min_cell, lang),
            )
        )
    share_full, n = willing(a.survey, "cost_full")
    share_disc, _ = willing(a.survey, "cost_discounted")
    if n >= a.min_cell:
        lines.append(
            t(
                "aff_discount_wtp",
                lang,
                full=_pct(share_full, lang),
                discounted=_pct(share_disc, lang),
            )
        )
    lines.append(t("aff_discount_budget_paid", lang))
    return Markdown("\n\n".join(lines))


def rules_table(a: Affordability, lang: str = "id") -> pd.DataFrame:
    """The BPU rules in force this month (programme, rate or amount, regulation), for the method section."""
    rules = contrib.rules_in_force(a.on, "BPU", a.reference_dir)
    low = a.income_min
    rows = []
    for r in rules.itertuples():
        amount = r.rate_ppm / 1e6 * low if r.basis == "rate" else r.amount_sen / 100
        rows.append(
            {
                t("aff_col_program", lang): t(f"aff_prog_{r.program}", lang),
                t("aff_col_rule", lang): fmt_pct(r.rate_ppm / 1e6, lang, digits=0)
                + t("aff_of_income", lang)
                if r.basis == "rate"
                else fmt_rp(r.amount_sen / 100, lang),
                t("aff_col_at_min", lang, income=fmt_rp(low, lang)): fmt_rp(amount, lang),
                t("aff_col_regulation", lang): r.regulation,
            }
        )
    return pd.DataFrame(rows)


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
    from IPython.display import Markdown

    r = a.roster
    below = int(r["below_min"].sum()) if len(r) else 0
    low, high = contrib.income_limits(a.on, a.reference_dir)
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
    caps = contrib.rulebook(a.reference_dir).jp_cap
    lines = [
        t(
            "aff_method_minimum",
            lang,
            income=fmt_rp(a.income_min, lang),
            below=_small_count(below, a.min_cell, lang),
            share=_rate_shown(below, len(r), a.min_cell, lang),
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
            default=fmt_threshold(DEFAULT_THRESHOLD, lang),
            thresholds=_list([fmt_threshold(x, lang) for x in SENSITIVITY], lang),
        ),
        t(
            "aff_method_subsidy",
            lang,
            months=SUBSIDY_MONTHS,
            start=fmt_month(a.on, lang),
            per=fmt_rp(int(_scenario(a, "all_uncovered")["per_worker"]), lang),
        ),
        t(
            "aff_method_caveats",
            lang,
            jp_from=fmt_month(caps["valid_from"].min(), lang),
            jp_to=fmt_month(caps["valid_to"].max(), lang),
        ),
    ]
    return Markdown("\n\n".join(f"- {line}" for line in lines if line))


def cover_cards(a: Affordability, lang: str = "id"):
    """The cover page's affordability figures: this month's cheapest package and the yearly subsidy for all uncovered."""
    from analysis.pages.text import Cards

    all_ = _scenario(a, "all_uncovered")
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
