"""Notebook 04's burden tables: what the cheapest package costs against income, by income decile,
sector and kelurahan, with the threshold's sensitivity and willingness to pay. Counts come from
the burden universe (`analysis.metrics.burden`: deciles, sectors, kelurahan and the total
protected together) and every table passes the disclosure gate; income labels are rounded to
`INCOME_STEP`, never one person's income.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import Markdown

from analysis.metrics import burden as burden_tables
from analysis.metrics.affordability import (
    SENSITIVITY,
    Affordability,
    burden_by,
    sensitivity,
    weighted_median,
    willing,
)
from analysis.metrics.burden import TOTAL_KEY
from analysis.metrics.disclosure import (
    HIDDEN_MARK,
    PRIMARY,
    SECONDARY,
    Protected,
    count_text,
    is_small,
    refs_for,
    small_label,
)
from analysis.pages.published import Col, PublishedTable, from_protected, published
from analysis.pages.text import (
    catalogue,
    fmt_int,
    fmt_rp,
    fmt_share,
    fmt_threshold,
    t,
)
from analysis.reference import sectors

#: Incomes shown as labels or medians are rounded to this many Rupiah (never one person's income).
INCOME_STEP = 50_000


def round_income(x: float, how: str = "nearest") -> float:
    """An income rounded to INCOME_STEP: 'nearest', 'down' or 'up'."""
    if pd.isna(x):
        return x
    step = {"nearest": round, "down": math.floor, "up": math.ceil}[how]
    return step(x / INCOME_STEP) * INCOME_STEP


def decile_cuts(table: pd.DataFrame) -> list[float]:
    """Boundaries between consecutive deciles: halfway between one decile's highest income and
    the next one's lowest, rounded to INCOME_STEP (no boundary is a person's income)."""
    lows, highs = table["income_min"].to_numpy(), table["income_max"].to_numpy()
    return [round_income((highs[i] + lows[i + 1]) / 2) for i in range(len(table) - 1)]


def decile_labels(table: pd.DataFrame, lang: str = "id") -> list[str]:
    """'D1 (< Rp1.250.000)', 'D2 (Rp1.250.000–Rp1.500.000)', …, 'D10 (≥ Rp3.500.000)'."""
    cuts, n = decile_cuts(table), len(table)
    out = []
    for i, d in enumerate(table["decile"]):
        if n == 1:
            rng = "–"
        elif i == 0:
            rng = f"< {fmt_rp(cuts[0], lang)}"
        elif i == n - 1:
            rng = f"≥ {fmt_rp(cuts[-1], lang)}"
        else:
            rng = f"{fmt_rp(cuts[i - 1], lang)}–{fmt_rp(cuts[i], lang)}"
        out.append(t("aff_decile_label", lang, d=int(d), range=rng))
    return out


def total_hidden(a: Affordability) -> dict[str, str]:
    """The region's total counts above the threshold that the burden tables hide, with the
    symbol they show ('<5' or 'x'), so sentences never state what a table hides."""
    u, out = burden_tables.of(a).universe, {}
    for m in ("above_now", "above_full"):
        status = u.cell("total", TOTAL_KEY, m)[0]
        if status:
            out[m] = small_label(a.min_cell) if status == 1 else HIDDEN_MARK
    return out


def count_shown(n: int, min_cell: int, lang: str) -> str:
    return count_text(n, lambda v: fmt_int(v, lang), min_cell)


def rate_shown(count: int, n: int, min_cell: int, lang: str) -> str:
    """count / n as a percentage, or '–' when the count itself is suppressed (the rate would reveal it)."""
    return "–" if is_small(count, min_cell) or n == 0 else fmt_share(count / n, lang)


#: How each burden column is published.
_BURDEN_KINDS = {
    "n": "count",
    "income_median": "rp",
    "share_now_median": "share",
    "share_full_median": "share",
    "above_now_rate": "share",
    "above_full_rate": "share",
}


def _burden_cols(columns: list[str], a: Affordability, lang: str) -> list[Col]:
    """The burden columns as published: headers in the report language, kinds."""
    th = fmt_threshold(a.threshold, lang)
    names = {
        "n": t("aff_col_people", lang),
        "income_median": t("aff_col_income_median", lang),
        "share_now_median": t("aff_col_share_now", lang),
        "share_full_median": t("aff_col_share_full", lang),
        "above_now_rate": t("aff_col_above_now", lang, threshold=th),
        "above_full_rate": t("aff_col_above_full", lang, threshold=th),
    }
    return [Col(c, names[c], _BURDEN_KINDS[c]) for c in columns]


def _burden_table(
    p: Protected,
    a: Affordability,
    lang: str,
    columns: list[str],
    title: str,
    first: list[Col],
    extra: dict[str, list] | None = None,
    after: list[Col] = (),
    counts: tuple[str, ...] = (),
) -> PublishedTable:
    """A protected burden table as published: `first` label columns (their values in `extra`),
    the burden `columns`, then `after` columns (`counts` of them counts of people); medians of
    income rounded to INCOME_STEP (never one person's income); through the gate with its cells
    (people counted, and the counts above the threshold that the shown shares reveal)."""
    extra = dict(extra or {})
    if "income_median" in columns:
        extra["income_median"] = [round_income(v) for v in p.table["income_median"]]
    rates = [r for r in ("above_now_rate", "above_full_rate") if r in columns]
    refs = refs_for(p, {"n": "n"} | {r: r.removesuffix("_rate") for r in rates})
    cols = [*first, *_burden_cols(columns, a, lang), *after]
    return from_protected(
        p,
        cols,
        title,
        lang,
        extra,
        refs=refs,
        universe=burden_tables.of(a).universe,
        derived=rates,  # a share hidden for its denominator gives nothing of its count
        counts=counts,
    )


@published("beban_desil")
def decile_table(a: Affordability, lang: str = "id") -> PublishedTable:
    """Burden by income decile of roster workers (income range, people, median burden, share
    above threshold); the ranges rounded, never one person's income."""
    b = burden_tables.of(a)
    p = b.protected("decile")
    return _burden_table(
        p,
        a,
        lang,
        ["n", "share_now_median", "share_full_median", "above_now_rate", "above_full_rate"],
        t("aff_tbl_deciles", lang),
        [Col("label", t("aff_col_decile", lang))],
        {"label": decile_labels(b.decile, lang) if len(b.decile) else []},
    )


def decile_chart_frame(a: Affordability, lang: str = "id") -> pd.DataFrame:
    """Median burden by decile, this month and at full price (columns labelled), for a column chart;
    a decile of fewer than `min_cell` people has no bar (its median would describe a few people)."""
    table = burden_by(a.roster.dropna(subset=["decile"]), "decile", a.threshold)
    small = is_small(table["n"], a.min_cell) | table["n"].eq(0).to_numpy()
    frame = pd.DataFrame(
        {
            t("aff_series_now", lang): table["share_now_median"].mask(small).to_numpy(),
            t("aff_series_full", lang): table["share_full_median"].mask(small).to_numpy(),
        },
        index=[f"D{int(d)}" for d in table["decile"]],
    )
    if (frame.iloc[:, 0] == frame.iloc[:, 1]).all():
        frame = frame.iloc[:, [1]]
    return frame


@published("kepekaan_ambang")
def sensitivity_table(a: Affordability, lang: str = "id") -> PublishedTable:
    """Workers above each threshold (1/2/5/10% and the chosen one) at this month's and the full
    price, and the survey's share at the full price; small counts hidden with their shares. The
    chosen threshold's counts are the burden universe's totals (hidden as the burden tables
    hide them)."""
    ths = sorted({*SENSITIVITY, a.threshold})
    r = sensitivity(a.roster, ths).reset_index(drop=True)
    s = sensitivity(a.survey, ths, weight="bobot").reset_index(drop=True) if len(a.survey) else None
    u = burden_tables.of(a).universe
    data = pd.DataFrame(
        {
            "threshold": ths,
            **{
                f"{k}_{w}": r[f"above_{w}{x}"]
                for w in ("now", "full")
                for k, x in (("n", ""), ("rate", "_rate"))
            },
            "used": [t("aff_threshold_used", lang) if th == a.threshold else "" for th in ths],
        }
    )
    chosen = [th == a.threshold for th in ths]
    state = pd.DataFrame(index=data.index)
    refs = {}
    for w in ("now", "full"):
        cell = ("total", TOTAL_KEY, f"above_{w}")
        small = is_small(r[f"above_{w}"].to_numpy(), a.min_cell)
        status = [
            u.cell(*cell)[0] if c else (PRIMARY if s_ else 0)
            for c, s_ in zip(chosen, small, strict=True)
        ]
        state[f"n_{w}"] = np.array(status, dtype="int64")
        state[f"rate_{w}"] = np.where(
            state[f"n_{w}"] > 0, SECONDARY, 0
        )  # it would reveal the count
        refs[f"n_{w}"] = refs[f"rate_{w}"] = [cell if c else None for c in chosen]
    whole = all(round(th * 100, 6) == round(th * 100) for th in ths)
    cols = [
        Col("threshold", t("aff_col_threshold", lang), "pct", 0 if whole else 1),
        Col("n_now", t("aff_col_roster_now", lang), "count"),
        Col("rate_now", t("aff_col_roster_now_share", lang), "share"),
        Col("n_full", t("aff_col_roster_full", lang), "count"),
        Col("rate_full", t("aff_col_roster_full_share", lang), "share"),
    ]
    if s is not None:
        data["survey_full"] = s["above_full_rate"]
        state["survey_full"] = np.where(
            is_small(s["above_full"].to_numpy(), a.min_cell), SECONDARY, 0
        )
        cols.append(Col("survey_full", t("aff_col_survey_full", lang), "share"))
    cols.append(Col("used", t("aff_col_threshold_used", lang)))
    table = PublishedTable(t("aff_tbl_sensitivity", lang), cols, data, lang, state, a.min_cell)
    return table.gated(
        refs=refs, universe=u, counts=("n_now", "n_full"), derived=("rate_now", "rate_full")
    )


@published("beban_sektor")
def sector_table(a: Affordability, lang: str = "id") -> PublishedTable:
    """Burden by business sector (roster) with the survey's willingness to pay the full price."""
    b = burden_tables.of(a)
    p, table = b.protected("sektor"), b.sector
    wtp, resp = [], []
    for code in table["sektor"]:
        part = a.survey[a.survey["sektor"] == code] if len(a.survey) else a.survey
        share, n = willing(part, "cost_full") if len(part) else (float("nan"), 0)
        resp.append(n)
        wtp.append(share if n else float("nan"))
    p.table["respondents"], p.table["wtp_full"] = resp, wtp
    small = is_small(np.array(resp, dtype="float64"), a.min_cell)
    p.state["respondents"] = np.where(small, PRIMARY, 0)
    p.state["wtp_full"] = np.where(small, PRIMARY, 0)
    return _burden_table(
        p,
        a,
        lang,
        ["n", "income_median", "share_now_median", "above_full_rate"],
        t("aff_tbl_sectors", lang),
        [Col("label", t("col_sector", lang))],
        {"label": [_sector_label(c, lang, a.reference_dir) for c in table["sektor"]]},
        [
            Col("respondents", t("aff_col_respondents", lang), "count"),
            Col("wtp_full", t("aff_col_wtp_full", lang), "share"),
        ],
        counts=("respondents",),
    )


def _sector_label(code: str, lang: str, reference_dir: Path | None = None) -> str:

    table = sectors(reference_dir).set_index("sektor")
    if code in table.index:
        return table.loc[code, "label_id" if lang == "id" else "label_en"]
    key = f"sector_{code}"

    return t(key, lang) if key in catalogue() else code


def kelurahan_burden(a: Affordability) -> tuple[pd.DataFrame, Protected]:
    """Burden by kelurahan for every kelurahan of the region (zeros included), with the burden
    universe's states."""
    b = burden_tables.of(a)
    return b.kelurahan, b.protected("kelurahan")


@published("beban_kelurahan_tertinggi")
def kelurahan_table(a: Affordability, lang: str = "id", top: int = 10) -> PublishedTable:
    """The kelurahan where the package weighs most (highest median burden this month; hidden
    ones left out)."""
    table, p = kelurahan_burden(a)
    shown_ok = (p.state["share_now_median"] == 0) & table["n"].gt(0)
    order = list(
        table[shown_ok].sort_values(["share_now_median", "n"], ascending=[False, False]).index[:top]
    )
    sub = p.rows(order)
    return _burden_table(
        sub,
        a,
        lang,
        ["n", "income_median", "share_now_median", "above_full_rate"],
        t("aff_tbl_kelurahan", lang, n=len(order)),
        [Col("kelurahan", t("col_kelurahan", lang)), Col("kecamatan", t("col_kecamatan", lang))],
    )


def kelurahan_map_values(a: Affordability) -> tuple[pd.Series, pd.Series]:
    """(median burden this month by kode_kelurahan, suppressed?) for a choropleth on SHARE_BREAKS."""
    b = burden_tables.of(a)
    p, table = b.protected("kelurahan"), b.kelurahan
    values = table.set_index("kode_kelurahan")["share_now_median"]
    hidden = pd.Series(
        (p.state["share_now_median"] > 0).to_numpy() & table["n"].gt(0).to_numpy(),
        index=values.index,
    )
    return values.where(table.set_index("kode_kelurahan")["n"].gt(0)), hidden


def wtp_text(a: Affordability, lang: str = "id"):
    """Willingness to pay against each price, as sentences (Markdown)."""
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
            now=fmt_share(share_now, lang),
            price_now=fmt_rp(a.prices.loc["non-transport", "now"], lang),
            full=fmt_share(share_full, lang),
            price_full=fmt_rp(a.prices.loc["non-transport", "full"], lang),
            jht=fmt_share(share_jht, lang),
            price_jht=fmt_rp(a.prices.loc["non-transport", "jht_full"], lang),
        )
        + (
            " "
            + t(
                "aff_wtp_not_enrolled", lang, n=fmt_int(n_ne, lang), share=fmt_share(share_ne, lang)
            )
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
