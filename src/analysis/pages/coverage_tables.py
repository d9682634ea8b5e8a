"""Notebook 02's published tables: coverage for the city, every kelurahan, the kelurahan with the
most workers not covered, kecamatan, sectors and business sizes, with last month's effective
coverage and the change wherever a month is compared, every cell through disclosure control.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.metrics.coverage import (
    CITY_KEY,
    MEASURES,
    SIZE_ORDER,
    CoverageMonth,
    previous_protected,
    protected,
)
from analysis.metrics.disclosure import SECONDARY, Protected, refs_for
from analysis.pages.published import Col, PublishedTable, from_protected, published
from analysis.pages.text import fmt_month, t
from analysis.reference import UNKNOWN, sectors

#: The count columns of a coverage table, each the universe's cell of the same name.
COUNTS = ("workers", "effective", "uncovered")


def city_protected(cov: CoverageMonth) -> Protected:
    """The city totals with the coverage universe's states (a small city total is hidden like
    any cell)."""
    return protected(cov, "city")


@published("cakupan_kota")
def city_table(cov: CoverageMonth, lang: str = "id") -> PublishedTable:
    """The three measures for the whole city: workers, share, last month's share and the change,
    95% range (suppressed where small)."""
    c, u = cov.city, cov.universe
    rows = pd.DataFrame(
        {
            "measure": [t(f"cov_measure_{m}", lang) for m in MEASURES],
            "count": [int(c[m]) for m in MEASURES],
            "workers": int(c["workers"]),
            "rate": [c[f"{m}_rate"] for m in MEASURES],
            "ci_lo": [c[f"{m}_low"] for m in MEASURES],
            "ci_hi": [c[f"{m}_high"] for m in MEASURES],
        }
    )
    state = pd.DataFrame(
        {
            "count": [u.cell("city", CITY_KEY, m)[0] for m in MEASURES],
            "workers": u.cell("city", CITY_KEY, "workers")[0],
        }
    )
    p = Protected(rows, state, cov.min_cell, {"rate": ("count", "workers")}).refresh()
    p.state["ci"] = p.state["rate"]
    before = _previous(cov, "city")
    if before is not None:
        prev = before.reindex(list(MEASURES))
        p.table["prev"] = prev["rate"].to_numpy()
        p.state["prev"] = np.where(prev["hidden"].fillna(False).to_numpy(dtype=bool), SECONDARY, 0)
    _add_change(p, "rate")
    _rates_as_x(p, ["rate", "ci", "prev", "change"])
    cols = [
        Col("measure", t("cov_col_measure", lang)),
        Col("count", t("cov_col_count", lang), "count"),
        Col("rate", t("cov_col_rate", lang), "pct"),
        *_change_cols(cov, lang),
        Col("ci", t("cov_col_ci", lang), "interval"),
    ]
    title = t("cov_tbl_city", lang, place=cov.progress.place, month=fmt_month(cov.period, lang))
    refs = {"count": [("city", CITY_KEY, m) for m in MEASURES]}
    return _table(p, cols, title, lang, refs=refs, universe=u)


def _table(p: Protected, cols: list[Col], title: str, lang: str, **gating) -> PublishedTable:
    """A published table of the columns of `p` that exist (the change columns need last month),
    through the gate with its universe cells (`gating`; by default the coverage counts and the
    registered share, which beside its workers gives the registered count)."""
    keep = [c for c in cols if c.key in p.table or f"{c.key}_lo" in p.table]
    return from_protected(p, keep, title, lang, **gating)


def _coverage_gating(p: Protected, cov: CoverageMonth) -> dict:
    """The gate's view of a coverage table cut from the universe: its counts and the registered
    share are the universe's cells."""
    refs = refs_for(p, {c: c for c in COUNTS} | {"registered_rate": "registered"})
    return {"refs": refs, "universe": cov.universe, "derived": ("registered_rate",)}


def _change_cols(cov: CoverageMonth, lang: str) -> list[Col]:
    """Last month's effective coverage and the change in points, when there is a last month."""
    if cov.previous_period is None:
        return []
    month = fmt_month(cov.previous_period, lang)
    return [
        Col("prev", t("cov_col_prev", lang, month=month), "pct"),
        Col("change", t("cov_col_change", lang), "points"),
    ]


def _previous(cov: CoverageMonth, level: str) -> pd.DataFrame | None:
    """Last month's effective coverage as last month's report published it, at one level
    ('kelurahan' by code, 'kecamatan' by code, 'city' by measure): columns `rate` and `hidden`
    (hidden wherever last month's universe hid it)."""
    p = previous_protected(cov, level)
    if p is None:
        return None
    if level == "city":
        rates = [f"{m}_rate" for m in MEASURES]
        return pd.DataFrame(
            {
                "rate": [float(p.table[r].iloc[0]) if r in p.state else np.nan for r in rates],
                "hidden": [bool(p.state[r].iloc[0]) if r in p.state else True for r in rates],
            },
            index=list(MEASURES),
        )
    key = "kode_kelurahan" if level == "kelurahan" else "kode_kecamatan"
    return pd.DataFrame(
        {
            "rate": p.table["effective_rate"].to_numpy(),
            "hidden": p.hidden["effective_rate"].to_numpy(),
        },
        index=p.table[key].to_numpy(),
    )


def _add_change(p: Protected, rate: str) -> None:
    """Add the change since last month (points) to a protected table that has `prev`; hidden
    where either month's share is hidden."""
    if "prev" not in p.table:
        return
    p.table["change"] = p.table[rate].astype("float64") - p.table["prev"].astype("float64")
    hidden = (p.state[rate].to_numpy() > 0) | (p.state["prev"].to_numpy() > 0)
    p.state["change"] = np.where(hidden, SECONDARY, 0)


def _rates_as_x(p, columns: list[str]) -> None:
    """Show a suppressed share as 'x', not '<k': '<5' under a percentage would read as 'under 5%'."""
    for c in columns:
        if c in p.state:
            p.state[c] = p.state[c].where(p.state[c] == 0, SECONDARY)


def _with_previous(p: Protected, prev: pd.DataFrame | None, keys: pd.Series) -> None:
    """Add last month's effective coverage (`prev`, hidden as last month hid it) and the change."""
    if prev is None:
        return
    aligned = prev.reindex(keys.to_numpy())
    p.table["prev"] = aligned["rate"].to_numpy()
    p.state["prev"] = np.where(aligned["hidden"].fillna(False).to_numpy(dtype=bool), SECONDARY, 0)
    _add_change(p, "effective_rate")


def _coverage_cols(cov: CoverageMonth, lang: str, first: list[Col]) -> list[Col]:
    """The columns of a coverage table after its label columns."""
    return [
        *first,
        Col("uncovered", t("cov_col_uncovered", lang), "count"),
        Col("workers", t("cov_col_workers", lang), "count"),
        Col("effective", t("cov_col_effective", lang), "count"),
        Col("effective_rate", t("cov_col_effective_rate", lang), "pct"),
        *_change_cols(cov, lang),
        Col("ci", t("cov_col_ci", lang), "interval"),
        Col("registered_rate", t("cov_col_registered_rate", lang), "pct"),
    ]


def _prepare(p: Protected) -> Protected:
    """Intervals as columns `ci_lo`/`ci_hi` (hidden with the rate), hidden shares shown as 'x'."""
    p.table["ci_lo"], p.table["ci_hi"] = p.table["effective_low"], p.table["effective_high"]
    p.state["ci"] = p.state["effective_rate"]
    return p


def top_uncovered(cov: CoverageMonth, n: int = 10) -> pd.Index:
    """The n kelurahan with the most uncovered workers, ranked on what may be published.

    A kelurahan whose uncovered count is suppressed is ranked by its workers (an upper bound
    anyone can compute from the page), so the ranking reveals nothing the table hides.
    """
    p = cov.protected
    key = p.table["uncovered"].where(~p.hidden["uncovered"], p.table["workers"])
    return key.sort_values(ascending=False, kind="stable").index[:n]


def _kelurahan_rows(cov: CoverageMonth, idx: pd.Index | None = None) -> Protected:
    """Rows of the protected kelurahan table (all, or `idx` in that order) with last month."""
    p = cov.protected
    idx = p.table.index if idx is None else idx
    sub = _prepare(p.rows(list(idx)))
    _with_previous(sub, _previous(cov, "kelurahan"), sub.table["kode_kelurahan"])
    _rates_as_x(
        sub, ["effective_rate", "effective_rate_eb", "ci", "registered_rate", "prev", "change"]
    )
    return sub


@published("kelurahan_belum_tercakup_terbanyak")
def top_uncovered_table(cov: CoverageMonth, lang: str = "id", n: int = 10) -> PublishedTable:
    """The n kelurahan with the most uncovered workers, most first (suppressed cells as <k or x)."""
    sub = _kelurahan_rows(cov, top_uncovered(cov, n))
    cols = _coverage_cols(
        cov,
        lang,
        [
            Col("kelurahan", t("cov_col_kelurahan", lang)),
            Col("kecamatan", t("cov_col_kecamatan", lang)),
        ],
    )
    return _table(sub, cols, t("cov_tbl_top", lang, n=n), lang, **_coverage_gating(sub, cov))


@published("cakupan_kelurahan")
def kelurahan_table(cov: CoverageMonth, lang: str = "id") -> PublishedTable:
    """Every kelurahan: counts, effective coverage with last month and its 95% range, the
    smoothed share the map shows, and the share registered (protected)."""
    sub = _kelurahan_rows(cov)
    sub = sub.rows(list(sub.table.sort_values(["kecamatan", "kelurahan"], kind="stable").index))
    cols = _coverage_cols(
        cov,
        lang,
        [
            Col("kelurahan", t("cov_col_kelurahan", lang)),
            Col("kecamatan", t("cov_col_kecamatan", lang)),
        ],
    )
    cols.insert(-1, Col("effective_rate_eb", t("cov_col_effective_rate_eb", lang), "pct"))
    table = _table(
        sub, cols, t("cov_tbl_all", lang, n=len(sub.table)), lang, **_coverage_gating(sub, cov)
    )
    table.collapsed = True  # 54 rows: folded under its title, opened on demand
    return table


@published("cakupan_kecamatan")
def kecamatan_table(cov: CoverageMonth, lang: str = "id") -> PublishedTable:
    """Coverage per kecamatan and the city total, with last month, protected."""
    p, total = protected(cov, "kecamatan"), city_protected(cov)
    total.table["kecamatan"] = cov.progress.place
    total.table["kode_kecamatan"] = ""
    both = _prepare(
        Protected(
            pd.concat([p.table, total.table], ignore_index=True),
            pd.concat([p.state, total.state], ignore_index=True).fillna(0).astype("int64"),
            cov.min_cell,
            refs=p.refs + total.refs,
        )
    )
    prev = _previous(cov, "kecamatan")
    if prev is not None:
        city = _previous(cov, "city").loc["effective"]
        prev.loc[""] = [city["rate"], city["hidden"]]
    _with_previous(both, prev, both.table["kode_kecamatan"])
    _rates_as_x(both, ["effective_rate", "ci", "registered_rate", "prev", "change"])
    cols = _coverage_cols(cov, lang, [Col("kecamatan", t("cov_col_kecamatan", lang))])
    return _table(both, cols, t("cov_tbl_kecamatan", lang), lang, **_coverage_gating(both, cov))


def group_labels(which: str, lang: str, reference_dir: Path | None = None) -> dict[str, str]:
    """Display names of sector or size-class codes in the report language."""
    if which == "sektor":
        s = sectors(reference_dir)
        labels = dict(zip(s["sektor"], s[f"label_{lang}"], strict=True))
        labels[UNKNOWN] = t("sector_tidak_diketahui", lang)
        return labels
    return {k: t(f"size_{k}", lang) for k in SIZE_ORDER}


def labeller(which: str, lang: str, cov: CoverageMonth):
    """Label of a (possibly merged, 'a+b') sector or size code: 'Kecil + Menengah'."""
    labels = group_labels(which, lang, cov.reference_dir)
    return lambda code: " + ".join(labels.get(c, c) for c in str(code).split("+"))


@published("cakupan_{which}")
def group_table(cov: CoverageMonth, which: str, lang: str = "id") -> PublishedTable:
    """Coverage by sector (`sektor`) or business size class (`kelas_usaha`), protected."""
    p = _prepare(protected(cov, which))
    _rates_as_x(p, ["effective_rate", "ci", "registered_rate"])
    p.table["label"] = p.table[which].map(labeller(which, lang, cov))
    cols = _coverage_cols(cov, lang, [Col("label", t(f"cov_col_{which}", lang))])
    cols = [c for c in cols if c.key not in ("prev", "change")]
    title = t("cov_tbl_sektor" if which == "sektor" else "cov_tbl_kelas_usaha", lang)
    return _table(p, cols, title, lang, **_coverage_gating(p, cov))
