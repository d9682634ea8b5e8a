"""Next month's visit plan as officials and field staff read it: counts through the disclosure gate,
the reason for each kelurahan in words, the top of the list for the page and the whole list for
the download (`analysis.pages.outreach_download`).

The plan's counts of workers, effectively covered and uncovered are the coverage page's
kelurahan cells: they take their states from the coverage universe (`analysis.metrics.coverage
.universe`), so no table of the report shows what another hides, and both tables are gated with
their cells (the report's audit sees them with the coverage tables). The share of workers for
whom the package is too costly is the affordability page's kelurahan share (or the city's): it
is hidden wherever the burden tables hide its count or its denominator.
"""

from __future__ import annotations

import pandas as pd

from analysis.metrics import affordability, burden, coverage
from analysis.metrics.disclosure import (
    SECONDARY,
    SHOWN,
    Protected,
    Published,
    display,
    gate,
    refs_for,
)
from analysis.month import Month
from analysis.pages.text import fmt_int, fmt_month, fmt_pct, t

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


def reasons(plan: pd.DataFrame, prot: Protected, lang: str = "id") -> list[str]:
    """Why each kelurahan stands where it does: last visit, awareness, affordability (in words;
    text first, so the column reads as text)."""
    hidden = prot.state["above_share"].to_numpy() > 0
    return [
        "; ".join([_visit(r, lang), _aware(r, lang), _afford(r, bool(h), lang)])
        for r, h in zip(plan.itertuples(), hidden, strict=True)
    ]


def page_table(
    plan: pd.DataFrame, month: Month, lang: str = "id", top: int | None = None
) -> Published:
    """The first `top` kelurahan for the page (the month's `top` by default): rank, place,
    workers not covered, why (narrow for a phone); through the gate with its cells."""
    top = month.settings.top if top is None else top
    prot = protected(plan, month)
    shown = display(prot, {"uncovered": lambda v: fmt_int(v, lang)})
    why = reasons(plan, prot, lang)
    uncovered = t("out_col_uncovered", lang)
    frame = pd.DataFrame(
        {
            t("out_col_rank", lang): plan["rank"].map(lambda v: fmt_int(v, lang)),
            t("out_col_place", lang): plan["kelurahan"] + " (" + plan["kecamatan"] + ")",
            uncovered: shown["uncovered"],
            t("out_col_reason", lang): why,
        }
    ).head(top)
    rows = range(len(frame))
    refs = refs_for(prot, {uncovered: "uncovered"}, rows)
    return gate(frame, "outreach.plan", refs=refs, universe=coverage.universe(month))


def download_table(plan: pd.DataFrame, month: Month, lang: str = "id") -> Published:
    """Every kelurahan with the figures behind its rank, counts only, as published (suppressed
    cells as '<k' or 'x', never 0): the field staff's download, through the gate with its cells."""
    prot = protected(plan, month)
    n = lambda v: fmt_int(v, lang)  # noqa: E731
    shown = display(
        prot,
        {c: n for c in COUNTS} | {"above_share": lambda v: fmt_pct(v, lang, 0)},
    )
    not_aware = (1 - plan["aware_tk"]).map(lambda v: fmt_pct(v, lang, 0))
    last = plan["last_visit"].map(lambda p: fmt_month(p, lang) if isinstance(p, str) else "–")
    cols = {c: t(f"out_dl_{c}", lang) for c in COUNTS}
    frame = pd.DataFrame(
        {
            t("out_dl_rank", lang): plan["rank"].astype("int64"),
            t("out_dl_kelurahan", lang): plan["kelurahan"],
            t("out_dl_kecamatan", lang): plan["kecamatan"],
            cols["workers"]: shown["workers"],
            cols["effective"]: shown["effective"],
            cols["uncovered"]: shown["uncovered"],
            t("out_dl_not_aware", lang): not_aware,
            t("out_dl_heavy", lang): shown["above_share"],
            t("out_dl_last", lang): last,
            t("out_dl_due", lang): plan["due"].map(
                lambda d: t("out_dl_yes", lang) if d else t("out_dl_no", lang)
            ),
            t("out_dl_reason", lang): reasons(plan, prot, lang),
        }
    )
    refs = refs_for(prot, {cols[c]: c for c in COUNTS})
    return gate(frame, "outreach.plan_download", refs=refs, universe=coverage.universe(month))
