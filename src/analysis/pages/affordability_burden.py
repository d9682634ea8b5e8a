"""Notebook 04's burden tables: what the cheapest package costs against income, by income decile,
sector and kelurahan, with the threshold's sensitivity and willingness to pay. Counts come from
the burden universe (`analysis.metrics.burden`: deciles, sectors, kelurahan and the total
protected together) and every table passes the disclosure gate; income labels are rounded to
`INCOME_STEP`, never one person's income.
"""

from __future__ import annotations

import math
from pathlib import Path

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
    Protected,
    Published,
    count_text,
    display,
    gate,
    is_small,
    refs_for,
    small_label,
)
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


_BURDEN_FORMATS = {
    "n": fmt_int,
    "income_median": lambda v, lang: fmt_rp(round_income(v), lang),
    "share_now_median": fmt_share,
    "share_full_median": fmt_share,
    "above_now_rate": fmt_share,
    "above_full_rate": fmt_share,
}


def _burden_display(
    p: Protected,
    labels: tuple[str, list[str]],
    a: Affordability,
    lang: str,
    columns: list[str],
    name: str,
    extra: dict[str, list[str]] | None = None,
    after: dict[str, list[str]] | None = None,
    after_counts: tuple[str, ...] = (),
) -> Published:
    """Format a protected burden table (first column: `labels` = (header, texts); then `extra`
    text columns; `after`: columns added at the end, `after_counts` of them counts of people)
    and gate it with its cells: people counted, and the counts above the threshold that the
    shown shares reveal."""
    shown = display(p, {c: (lambda f: lambda v: f(v, lang))(_BURDEN_FORMATS[c]) for c in columns})
    th = fmt_threshold(a.threshold, lang)
    names = {
        "n": t("aff_col_people", lang),
        "income_median": t("aff_col_income_median", lang),
        "share_now_median": t("aff_col_share_now", lang),
        "share_full_median": t("aff_col_share_full", lang),
        "above_now_rate": t("aff_col_above_now", lang, threshold=th),
        "above_full_rate": t("aff_col_above_full", lang, threshold=th),
    }
    frame = pd.DataFrame({labels[0]: labels[1], **(extra or {})})
    for c in columns:
        frame[names[c]] = shown[c].to_numpy()
    for c, values in (after or {}).items():
        frame[c] = values
    refs = refs_for(p, {names["n"]: "n"})
    rates = [r for r in ("above_now_rate", "above_full_rate") if r in columns]
    for rate in rates:  # a share shown with its count of people reveals the count
        refs |= refs_for(p, {names[rate]: rate.removesuffix("_rate")})
    universe = burden_tables.of(a).universe
    # a share hidden for its denominator (fewer than min_cell people) gives nothing of its count
    derived = [names[r] for r in rates]
    return gate(frame, name, refs=refs, universe=universe, counts=after_counts, derived=derived)


def decile_table(a: Affordability, lang: str = "id") -> Published:
    """Burden by income decile of roster workers (income range, people, median burden, share above threshold)."""
    b = burden_tables.of(a)
    if b.decile.empty:
        return gate(pd.DataFrame(), "affordability.deciles", exempt="no incomes this month")
    return _burden_display(
        b.protected("decile"),
        (t("aff_col_decile", lang), decile_labels(b.decile, lang)),
        a,
        lang,
        ["n", "share_now_median", "share_full_median", "above_now_rate", "above_full_rate"],
        "affordability.deciles",
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


def sensitivity_table(a: Affordability, lang: str = "id") -> Published:
    """Share above each threshold (1/2/5/10% and the chosen one): roster at this month's and the full price, survey too."""
    ths = sorted({*SENSITIVITY, a.threshold})
    r = sensitivity(a.roster, ths)
    s = sensitivity(a.survey, ths, weight="bobot") if len(a.survey) else None
    u = burden_tables.of(a).universe
    rows = []
    for i, th in enumerate(ths):
        chosen = th == a.threshold  # the burden tables' total: the universe's cells
        row = {
            t("aff_col_threshold", lang): fmt_threshold(th, lang) + (" ◀" if chosen else ""),
            t("aff_col_roster_now", lang): _count_rate(r.iloc[i], "now", a, lang, chosen and u),
            t("aff_col_roster_full", lang): _count_rate(r.iloc[i], "full", a, lang, chosen and u),
        }
        if s is not None:
            row[t("aff_col_survey_full", lang)] = (
                fmt_share(s.iloc[i]["above_full_rate"], lang)
                if not is_small(s.iloc[i]["above_full"], a.min_cell)
                else small_label(a.min_cell)
            )
        rows.append(row)
    cols = [t("aff_col_roster_now", lang), t("aff_col_roster_full", lang)]
    if s is not None:
        cols.append(t("aff_col_survey_full", lang))
    refs = {
        col: [("total", TOTAL_KEY, m) if th == a.threshold else None for th in ths]
        for col, m in zip(cols, ("above_now", "above_full"), strict=False)
    }
    return gate(pd.DataFrame(rows), "affordability.sensitivity", refs=refs, universe=u, counts=cols)


def _count_rate(row: pd.Series, which: str, a: Affordability, lang: str, universe=None) -> str:
    n = int(row[f"above_{which}"])
    state = universe.cell("total", TOTAL_KEY, f"above_{which}")[0] if universe else 0
    if state == PRIMARY or (not state and is_small(n, a.min_cell)):  # a group-rule zero too
        return small_label(a.min_cell)
    if state:
        return HIDDEN_MARK
    return f"{fmt_int(n, lang)} ({fmt_share(row[f'above_{which}_rate'], lang)})"


def sector_table(a: Affordability, lang: str = "id") -> Published:
    """Burden by business sector (roster) with the survey's willingness to pay the full price."""
    b = burden_tables.of(a)
    table = b.sector
    wtp, resp = [], []
    for code in table["sektor"]:
        part = a.survey[a.survey["sektor"] == code] if len(a.survey) else a.survey
        share, n = willing(part, "cost_full") if len(part) else (float("nan"), 0)
        resp.append(count_shown(n, a.min_cell, lang))
        wtp.append(
            fmt_share(share, lang) if n >= a.min_cell else small_label(a.min_cell) if n else "–"
        )
    return _burden_display(
        b.protected("sektor"),
        (t("col_sector", lang), [_sector_label(c, lang, a.reference_dir) for c in table["sektor"]]),
        a,
        lang,
        ["n", "income_median", "share_now_median", "above_full_rate"],
        "affordability.sectors",
        after={t("aff_col_respondents", lang): resp, t("aff_col_wtp_full", lang): wtp},
        after_counts=(t("aff_col_respondents", lang),),
    )


def _sector_label(code: str, lang: str, reference_dir: Path | None = None) -> str:

    table = sectors(reference_dir).set_index("sektor")
    if code in table.index:
        return table.loc[code, "label_id" if lang == "id" else "label_en"]
    key = f"sector_{code}"

    return t(key, lang) if key in catalogue() else code


def kelurahan_table(a: Affordability, lang: str = "id", top: int = 10) -> Published:
    """The kelurahan where the package weighs most (highest median burden this month; suppressed ones left out)."""
    b = burden_tables.of(a)
    p, table = b.protected("kelurahan"), b.kelurahan
    shown_ok = (p.state["share_now_median"] == 0) & table["n"].gt(0)
    order = list(
        table[shown_ok].sort_values(["share_now_median", "n"], ascending=[False, False]).index[:top]
    )
    sub = p.rows(order)
    return _burden_display(
        sub,
        (t("col_kelurahan", lang), list(sub.table["kelurahan"])),
        a,
        lang,
        ["n", "income_median", "share_now_median", "above_full_rate"],
        "affordability.kelurahan",
        extra={t("col_kecamatan", lang): list(sub.table["kecamatan"])},
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
