"""Next month's visit plan as officials and field staff read it: counts through the disclosure gate,
the reason for each kelurahan in words, the top of the list for the page and the whole list for
the download (`analysis.pages.outreach_download`)."""

from __future__ import annotations

import pandas as pd

from analysis.metrics.disclosure import Protected, display, protect
from analysis.pages.text import fmt_int, fmt_month, fmt_pct, t

#: Below this share of workers for whom the package is too costly, the reason says it is affordable.
HEAVY_SHARE = 0.10
COUNTS = ["workers", "effective", "uncovered", "with_income", "above"]


def protected(plan: pd.DataFrame, min_cell: int) -> Protected:
    """The plan's people counts through the disclosure gate: small counts hidden, and a second cell
    wherever kecamatan or city totals, or covered + uncovered = workers, would reveal one."""
    return protect(
        plan,
        COUNTS,
        min_cell=min_cell,
        groups=["kecamatan", None],
        row_sums=[(["effective", "uncovered"], "workers")],
        rates={"above_share": ("above", "with_income")},
    )


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
    plan: pd.DataFrame, lang: str = "id", top: int = 10, min_cell: int = 5
) -> pd.DataFrame:
    """The first `top` kelurahan for the page: rank, place, workers not covered, why (narrow)."""
    prot = protected(plan, min_cell)
    shown = display(prot, {"uncovered": lambda v: fmt_int(v, lang)})
    why = reasons(plan, prot, lang)
    return pd.DataFrame(
        {
            t("out_col_rank", lang): plan["rank"].map(lambda v: fmt_int(v, lang)),
            t("out_col_place", lang): plan["kelurahan"] + " (" + plan["kecamatan"] + ")",
            t("out_col_uncovered", lang): shown["uncovered"],
            t("out_col_reason", lang): why,
        }
    ).head(top)


def download_table(plan: pd.DataFrame, lang: str = "id", min_cell: int = 5) -> pd.DataFrame:
    """Every kelurahan with the figures behind its rank, counts only, as published (suppressed cells
    as '<k' or 'x', never 0): the field staff's download."""
    prot = protected(plan, min_cell)
    n = lambda v: fmt_int(v, lang)  # noqa: E731
    shown = display(
        prot,
        {c: n for c in COUNTS} | {"above_share": lambda v: fmt_pct(v, lang, 0)},
    )
    not_aware = (1 - plan["aware_tk"]).map(lambda v: fmt_pct(v, lang, 0))
    last = plan["last_visit"].map(lambda p: fmt_month(p, lang) if isinstance(p, str) else "–")
    return pd.DataFrame(
        {
            t("out_dl_rank", lang): plan["rank"].astype("int64"),
            t("out_dl_kelurahan", lang): plan["kelurahan"],
            t("out_dl_kecamatan", lang): plan["kecamatan"],
            t("out_dl_workers", lang): shown["workers"],
            t("out_dl_effective", lang): shown["effective"],
            t("out_dl_uncovered", lang): shown["uncovered"],
            t("out_dl_not_aware", lang): not_aware,
            t("out_dl_heavy", lang): shown["above_share"],
            t("out_dl_last", lang): last,
            t("out_dl_due", lang): plan["due"].map(
                lambda d: t("out_dl_yes", lang) if d else t("out_dl_no", lang)
            ),
            t("out_dl_reason", lang): reasons(plan, prot, lang),
        }
    )
