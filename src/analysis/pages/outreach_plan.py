"""Next month's visit plan as officials and field staff read it: counts through the disclosure gate,
the reason for each kelurahan in words, the top of the list for the page and the whole list (folded
on the page) for field staff. Both are published tables (`analysis.pages.published`), so the
report writes each as CSV and XLSX with the same cells as the page (`analysis.report.downloads`).

The plan's counts of workers, effectively covered and uncovered are the coverage page's
kelurahan cells: they take their states from the coverage universe (`analysis.metrics.coverage
.universe`), so no table of the report shows what another hides, and both tables are gated with
their cells (the report's audit sees them, and their downloads, with the coverage tables). The
share of workers for whom the package is too costly is the affordability page's kelurahan share
(or the city's): it is hidden wherever the burden tables hide its count or its denominator.
"""

from __future__ import annotations

import pandas as pd

from analysis.metrics import affordability, burden, coverage
from analysis.metrics.disclosure import SECONDARY, SHOWN, Protected, refs_for
from analysis.month import Month
from analysis.pages.published import Col, PublishedTable, published
from analysis.pages.text import fmt_month, fmt_pct, t

#: Below this share of workers for whom the package is too costly, the reason says it is affordable.
HEAVY_SHARE = 0.10
COUNTS = ["workers", "effective", "uncovered"]


def protected(plan: pd.DataFrame, month: Month) -> Protected:
    """The plan's people counts with the states the report publishes them with: the coverage
    universe's kelurahan cells (small counts hidden, and a second cell wherever kecamatan or
    city totals, or effective + uncovered = workers, would reveal one, across every coverage
    table); the too-costly share hidden (as 'x') where its count or denominator is hidden on
    the affordability page at the plan's threshold (`plan.attrs['threshold']`)."""
    p = coverage.universe(month).protected("kelurahan", plan, "kode_kelurahan")
    p.state["above_share"] = [
        SECONDARY if hidden else SHOWN for hidden in _share_hidden(plan, month)
    ]
    return p


def _share_hidden(plan: pd.DataFrame, month: Month) -> list[bool]:
    """Per row: whether the burden tables hide the count or the denominator behind its share
    (the kelurahan's, or the region's where the kelurahan has too few incomes)."""
    threshold = plan.attrs.get("threshold", month.settings.threshold)
    if threshold != month.settings.threshold:  # the analysts' what-if at another threshold
        month = month.with_settings(threshold=threshold)
    uni = burden.of(affordability.results(month)).universe
    out = []
    for code, basis in zip(plan["kode_kelurahan"], plan["afford_basis"], strict=True):
        ref = ("kelurahan", code) if basis == "kelurahan" else ("total", burden.TOTAL_KEY)
        try:
            out.append(any(uni.cell(*ref, m)[0] for m in ("above_now", "n")))
        except KeyError:  # no incomes at all: the share is 0 and hides nothing
            out.append(False)
    return out


def _aware(row, lang: str) -> str:
    if row.aware_basis == "none" or pd.isna(row.aware_tk):
        return t("out_reason_aware_none", lang)
    key = {
        "kelurahan": "out_reason_aware",
        "kecamatan": "out_reason_aware_kecamatan",
        "city": "out_reason_aware_city",
    }[row.aware_basis]
    return t(key, lang, pct=fmt_pct(1 - row.aware_tk, lang, 0))


def _afford(row, hidden: bool, lang: str) -> str:
    if row.above_share < HEAVY_SHARE:
        return t("out_reason_afford_ok", lang)
    share = "–" if hidden else fmt_pct(row.above_share, lang, 0)
    return t("out_reason_afford_heavy", lang, pct=share)


def _visit(row, lang: str) -> str:
    if not isinstance(row.last_visit, str):
        return t("out_reason_never", lang)
    key = "out_reason_last" if row.due else "out_reason_wait"
    return t(key, lang, month=fmt_month(row.last_visit, lang))


def reason_parts(plan: pd.DataFrame, prot: Protected, lang: str = "id") -> list[list[str]]:
    """Why each kelurahan stands where it does, in words: last visit, awareness, affordability."""
    hidden = prot.state["above_share"].to_numpy() > 0
    return [
        [_visit(r, lang), _aware(r, lang), _afford(r, bool(h), lang)]
        for r, h in zip(plan.itertuples(), hidden, strict=True)
    ]


def reasons(plan: pd.DataFrame, prot: Protected, lang: str = "id") -> list[str]:
    """Why each kelurahan stands where it does, as one text per kelurahan (words first, so the
    column reads as text)."""
    return ["; ".join(parts) for parts in reason_parts(plan, prot, lang)]


def _published(
    plan: pd.DataFrame, month: Month, rows: int, cols: list[Col], title: str, lang: str
) -> PublishedTable:
    """The first `rows` kelurahan of the plan with their words, as a published table (the cells'
    states from the coverage universe and the burden tables), gated with its universe cells."""
    prot = protected(plan, month)
    data = plan.head(rows).reset_index(drop=True).copy()
    data["place"] = data["kelurahan"] + " (" + data["kecamatan"] + ")"
    data["reason"] = reasons(plan, prot, lang)[:rows]
    data["not_aware"] = 1 - data["aware_tk"]
    data["last_text"] = data["last_visit"].map(
        lambda p: (
            fmt_month(p, lang) if isinstance(p, str) else None
        )  # '–' on the page, empty in files
    )
    data["due_text"] = data["due"].map(
        lambda d: t("out_dl_yes", lang) if d else t("out_dl_no", lang)
    )
    state = prot.state.head(rows).reset_index(drop=True)
    table = PublishedTable(title, cols, data, lang, state, prot.min_cell)
    keys = {c.key for c in cols}
    refs = refs_for(prot, {c: c for c in COUNTS if c in keys}, range(len(data)))
    return table.gated(refs=refs, universe=coverage.universe(month))


@published("kunjungan_berikutnya")
def page_table(
    plan: pd.DataFrame, month: Month, lang: str = "id", top: int | None = None
) -> PublishedTable:
    """The first `top` kelurahan for the page (the month's `top` by default): place, workers not
    covered, why (narrow enough for a phone)."""
    top = month.settings.top if top is None else top
    cols = [
        Col("place", t("out_col_place", lang)),
        Col("uncovered", t("out_col_uncovered", lang), "count"),
        Col("reason", t("out_col_reason", lang)),
    ]
    title = t("out_tbl_plan_top", lang, n=min(top, len(plan)))
    return _published(plan, month, top, cols, title, lang)


@published("rencana_kunjungan")
def download_table(plan: pd.DataFrame, month: Month, lang: str = "id") -> PublishedTable:
    """Every kelurahan with the figures behind its rank, counts only, as published (suppressed
    cells as '<k' or 'x', never 0): the field staff's list, folded on the page."""
    cols = [
        Col("kelurahan", t("out_dl_kelurahan", lang)),
        Col("kecamatan", t("out_dl_kecamatan", lang)),
        Col("rank", t("out_dl_rank", lang), "int"),
        Col("workers", t("out_dl_workers", lang), "count"),
        Col("effective", t("out_dl_effective", lang), "count"),
        Col("uncovered", t("out_dl_uncovered", lang), "count"),
        Col("not_aware", t("out_dl_not_aware", lang), "pct", 0),
        Col("above_share", t("out_dl_heavy", lang), "pct", 0),
        Col("last_text", t("out_dl_last", lang)),
        Col("due_text", t("out_dl_due", lang)),
        Col("reason", t("out_dl_reason", lang), wide=True),
    ]
    title = t("out_tbl_plan", lang, n=len(plan))
    table = _published(plan, month, len(plan), cols, title, lang)
    table.collapsed = True  # every kelurahan: folded under its title, opened on demand
    return table
