"""The explore notebook (notebooks/explore.ipynb, for analysts, never published): every kelurahan
with every measure in one table that sorts and filters offline, a kelurahan's profile chosen
from a list, a map with names and figures on hover that works offline, the subsidy under any
share, group and discount, and the processed tables to load yourself.

Figures here are not suppressed (analysts see what the processed data hold); the published
report is what officials receive. Column names are in the notebook's language and rates are
percentages. Widget callbacks are plain functions (`show_profile`, `show_map`, `show_subsidy`)
that put one output into an `ipywidgets.Output`, so they are tested without a browser.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import partial

import pandas as pd

from analysis.metrics import affordability, awareness, coverage
from analysis.metrics.affordability import SHARE_BREAKS, burden_by
from analysis.metrics.coverage import RATE_BREAKS
from analysis.metrics.subsidy import Policy, budget_by
from analysis.month import Month
from analysis.pages import affordability_subsidy as subsidy
from analysis.pages.explore_map import VegaLite, choropleth_spec
from analysis.pages.text import (
    LOCALE,
    analyst_table,
    fmt_int,
    fmt_interval,
    fmt_month,
    fmt_pct,
    fmt_rp,
    fmt_share,
    fmt_threshold,
    t,
)
from analysis.paths import PROCESSED_FILES
from analysis.settings import SUBSIDY_GROUPS


@dataclass(frozen=True)
class Column:
    """A column of the explore table: its message key and kind (text, count, estimate, pct, rp)."""

    key: str
    kind: str
    digits: int = 1


#: The explore table's columns, in order (internal name → how it is shown).
COLUMNS = {
    "kelurahan": Column("col_kelurahan", "text"),
    "kecamatan": Column("col_kecamatan", "text"),
    "businesses": Column("ex_col_businesses", "count"),
    "workers": Column("ex_col_workers", "count"),
    "registered": Column("ex_col_registered", "count"),
    "effective": Column("ex_col_effective", "count"),
    "uncovered": Column("ex_col_uncovered", "count"),
    "effective_rate": Column("ex_col_effective_rate", "pct"),
    "effective_low": Column("ex_col_effective_low", "pct"),
    "effective_high": Column("ex_col_effective_high", "pct"),
    "effective_rate_eb": Column("ex_col_effective_rate_eb", "pct"),
    "registered_rate": Column("ex_col_registered_rate", "pct"),
    "lisa": Column("ex_col_lisa", "text"),
    "respondents": Column("ex_col_respondents", "count"),
    "aware_tk": Column("ex_col_aware_tk", "pct"),
    "aware_kesehatan": Column("ex_col_aware_kesehatan", "pct"),
    "aware_gap": Column("ex_col_aware_gap", "pct"),
    "burden_n": Column("ex_col_burden_n", "count"),
    "burden_median": Column("ex_col_burden_median", "pct", 2),
    "above_full_rate": Column("ex_col_above_full", "pct"),
    "self": Column("ex_col_self", "estimate"),
    "wage": Column("ex_col_wage", "estimate"),
    "budget": Column("ex_col_budget", "rp"),
}
#: What the map can colour, with its fixed classes (upper bounds) and legend format.
MAP_MEASURES = {
    "effective_rate_eb": (RATE_BREAKS, ".0%", "yellowgreenblue"),
    "effective_rate": (RATE_BREAKS, ".0%", "yellowgreenblue"),
    "uncovered": ([50, 100, 200, 400, 800, float("inf")], ",d", "orangered"),
    "aware_tk": ([0.1, 0.2, 0.3, 0.5, 0.7, 1.0], ".0%", "purples"),
    "burden_median": (SHARE_BREAKS, ".2%", "orangered"),
}


# ------------------------------------------------------------------ the kelurahan table


def kelurahan_frame(month: Month, policy: Policy | None = None) -> pd.DataFrame:
    """Every kelurahan of the month's region with every measure, as numbers (shares 0–1), sorted
    by effective coverage, lowest first; indexed by kode_kelurahan. Not suppressed. Computed
    once per month and policy (do not change the frame)."""
    policy = policy or Policy.of(month.settings)
    return month.memo(f"explore:{policy}", lambda: _kelurahan_frame(month, policy))


def _kelurahan_frame(month: Month, policy: Policy) -> pd.DataFrame:
    cov = coverage.results(month).kelurahan.set_index("kode_kelurahan")
    aw = awareness.results(month).kelurahan.set_index("kode_kelurahan")
    a = affordability.with_policy(month, policy)
    codes = list(cov.index)
    burden = burden_by(a.roster, "kode_kelurahan", a.threshold, groups=codes).set_index(
        "kode_kelurahan"
    )
    money = budget_by(a.priced, a.policy).reindex(codes)
    out = cov[
        ["kelurahan", "kecamatan", "businesses", "workers", "registered", "effective"]
        + ["uncovered", "effective_rate", "effective_low", "effective_high"]
        + ["effective_rate_eb", "registered_rate", "lisa_cluster"]
    ].rename(columns={"lisa_cluster": "lisa"})
    for col in ("respondents", "aware_tk", "aware_kesehatan", "aware_gap"):
        out[col] = aw[col].reindex(codes)
    out["respondents"] = out["respondents"].fillna(0).astype("int64")
    out["burden_n"] = burden["n"].reindex(codes).fillna(0).astype("int64")
    out["burden_median"] = burden["share_now_median"].reindex(codes)
    out["above_full_rate"] = burden["above_full_rate"].reindex(codes)
    for col in ("self", "wage", "budget"):
        out[col] = money[col].fillna(0.0)
    return out.sort_values(["effective_rate", "uncovered"], ascending=[True, False],
                           na_position="last")  # fmt: skip


def kelurahan_table(month: Month, lang: str = "id", policy: Policy | None = None) -> pd.DataFrame:
    """The explore table as shown: column names in `lang`, rates as percentages (44.2, not
    0.442), estimates as whole workers, clusters in words."""
    frame = kelurahan_frame(month, policy)
    out = pd.DataFrame(index=frame.index)
    for name, col in COLUMNS.items():
        values = frame[name]
        if col.kind == "pct":
            values = (values * 100).round(col.digits)
        elif col.kind in ("estimate", "rp"):
            values = values.round().astype("int64")
        elif name == "lisa":
            values = values.map(lambda c: t(f"cov_lisa_{c}", lang) if isinstance(c, str) else "–")
        out[label(name, month, lang)] = values
    return out.reset_index(drop=True)


def label(name: str, month: Month, lang: str) -> str:
    """A column's name in `lang`, with the threshold or the unit it needs."""
    col = COLUMNS[name]
    text = t(col.key, lang, threshold=fmt_threshold(month.settings.threshold, lang))
    return f"{text} (%)" if col.kind == "pct" else text


def _js_number(lang: str, digits: int, prefix: str = "") -> str:
    """A DataTables renderer: numbers in the language's format for display, raw for sorting."""
    return (
        "function (data, type) { if (type !== 'display') { return data; } "
        "if (data === null || data === '' || Number.isNaN(Number(data))) { return '–'; } "
        f"return '{prefix}' + Number(data).toLocaleString('{LOCALE[lang].replace('_', '-')}', "
        f"{{minimumFractionDigits: {digits}, maximumFractionDigits: {digits}}}); }}"
    )


def table_options(month: Month, lang: str) -> dict:
    """itables options: offline, sortable by a click on a header, a filter box per column,
    numbers shown the language's way (and sorted as numbers)."""
    from itables import JavascriptFunction  # lazy: only the explore notebook needs itables

    defs = []
    for i, col in enumerate(COLUMNS.values()):
        if col.kind == "text":
            defs.append({"targets": [i], "className": "dt-left"})
            continue
        digits = col.digits if col.kind == "pct" else 0
        prefix = "Rp" if col.kind == "rp" else ""
        defs.append(
            {"targets": [i], "render": JavascriptFunction(_js_number(lang, digits, prefix))}
        )
    return {
        "connected": False,
        "columnDefs": defs,
        "pageLength": 10,
        "lengthMenu": [10, 25, 100],
        "column_filters": "footer",
        "text_in_header_can_be_selected": False,
        "classes": "display compact nowrap",
        "scrollX": True,
        "showIndex": False,
        "maxBytes": 0,
        "display_logo_when_loading": False,
    }


def setup_tables() -> None:
    """Load the table library into the notebook from the installed package (no internet)."""
    from itables import init_notebook_mode  # lazy: only the explore notebook needs itables

    init_notebook_mode(all_interactive=False, connected=False)


class Interactive:
    """An interactive table (itables, offline) in JupyterLab; the first rows as text elsewhere."""

    def __init__(self, frame: pd.DataFrame, options: dict, caption: str = ""):
        self.frame, self.options, self.caption = frame, options, caption

    def html(self) -> str:
        from itables import to_html_datatable  # lazy: only the explore notebook needs itables

        return to_html_datatable(self.frame, caption=self.caption or None, **self.options)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.html(), "text/plain": self.frame.head(10).to_string()}


def section_table(month: Month, lang: str = "id") -> Interactive:
    """Every kelurahan with every measure: sort by a click on a column, filter with the boxes."""
    return Interactive(kelurahan_table(month, lang), table_options(month, lang))


# ------------------------------------------------------------------ one kelurahan


def _place(frame: pd.DataFrame, code: str) -> pd.Series:
    if code not in frame.index:
        from analysis.errors import AnalysisError

        raise AnalysisError(
            f"There is no kelurahan {code!r} in this month's region.",
            "err_no_kelurahan",
            code=repr(code),
        )
    return frame.loc[code]


def profile(month: Month, code: str, lang: str = "id") -> str:
    """One kelurahan's figures (HTML): coverage with its interval and rank, awareness, burden
    and what the subsidy would cost there under the notebook's policy."""
    frame = kelurahan_frame(month)
    row = _place(frame, code)
    ranked = frame["effective_rate"].notna()
    rank = int(frame.loc[ranked, "effective_rate"].rank(method="min").get(code, 0))
    pct = lambda v: fmt_pct(v, lang)  # noqa: E731
    n = lambda v: fmt_int(v, lang)  # noqa: E731
    lines = [
        (label("workers", month, lang), n(row["workers"])),
        (label("effective", month, lang), n(row["effective"])),
        (label("uncovered", month, lang), n(row["uncovered"])),
        (t("ex_col_effective_rate", lang), pct(row["effective_rate"])),
        (t("ex_profile_interval", lang), fmt_interval(row["effective_low"], row["effective_high"], lang)),
        (t("ex_col_effective_rate_eb", lang), pct(row["effective_rate_eb"])),
        (t("ex_col_registered_rate", lang), pct(row["registered_rate"])),
        (label("lisa", month, lang), t(f"cov_lisa_{row['lisa']}", lang) if isinstance(row["lisa"], str) else "–"),
        (label("respondents", month, lang), n(row["respondents"])),
        (t("ex_col_aware_tk", lang), pct(row["aware_tk"])),
        (t("ex_col_aware_kesehatan", lang), pct(row["aware_kesehatan"])),
        (t("ex_col_burden_median", lang), fmt_share(row["burden_median"], lang)),
        (t("ex_col_above_full", lang, threshold=fmt_threshold(month.settings.threshold, lang)), pct(row["above_full_rate"])),
        (label("self", month, lang), n(row["self"])),
        (label("wage", month, lang), n(row["wage"])),
        (label("budget", month, lang), fmt_rp(row["budget"], lang)),
    ]  # fmt: skip
    head = t(
        "ex_profile_head",
        lang,
        kelurahan=row["kelurahan"],
        kecamatan=row["kecamatan"],
        month=fmt_month(month.period, lang),
        rank=rank if rank else "–",
        n=int(ranked.sum()),
    )
    body = analyst_table(
        pd.DataFrame(lines, columns=[t("ex_col_measure", lang), t("ex_col_value", lang)])
    )
    return f"<p>{_md_html(head)}</p>{body.data}"


def _md_html(text: str) -> str:
    """Markdown bold in a sentence as HTML (the sentence escaped)."""
    return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", html.escape(text, quote=False))


def _show(out, bundle: dict) -> None:
    """Replace what an ipywidgets Output shows by one display (works without a live kernel)."""
    out.outputs = ({"output_type": "display_data", "data": bundle, "metadata": {}},)


def show_profile(out, month: Month, lang: str, code: str) -> None:
    """The dropdown's callback: show the chosen kelurahan's profile."""
    _show(out, {"text/html": profile(month, code, lang), "text/plain": code})


def kelurahan_options(month: Month) -> list[tuple[str, str]]:
    """(Kelurahan (Kecamatan), code) for every kelurahan, by name."""
    units = month.units.sort_values(["kelurahan", "kecamatan"])
    return [(f"{k} ({c})", code) for k, c, code in
            zip(units["kelurahan"], units["kecamatan"], units["kode_kelurahan"], strict=True)]  # fmt: skip


def section_profile(month: Month, lang: str = "id"):
    """A kelurahan chosen from a list, and its profile (the lowest coverage first)."""
    import ipywidgets as w  # lazy: only the explore notebook needs widgets

    first = kelurahan_frame(month).index[0]
    pick = w.Dropdown(
        options=kelurahan_options(month),
        value=first,
        description=t("ex_pick_kelurahan", lang),
        style={"description_width": "initial"},
    )
    out = w.Output()
    show = partial(show_profile, out, month, lang)
    pick.observe(lambda change: show(change["new"]), names="value")
    show(first)
    return w.VBox([pick, out])


# ------------------------------------------------------------------ the map


def map_view(month: Month, measure: str = "effective_rate_eb", lang: str = "id") -> VegaLite:
    """The map of one measure, with each kelurahan's name and figures on hover."""
    if measure not in MAP_MEASURES:
        from analysis.errors import AnalysisError

        raise AnalysisError(
            f"The map shows one of {', '.join(MAP_MEASURES)}, not {measure!r}.",
            "err_map_measure",
            names=", ".join(MAP_MEASURES),
            value=repr(measure),
        )
    frame = kelurahan_frame(month)
    breaks, legend_format, scheme = MAP_MEASURES[measure]
    shown = pd.DataFrame(index=frame.index)
    shown["value"] = frame[measure]
    shown["kelurahan"] = frame["kelurahan"]
    shown["kecamatan"] = frame["kecamatan"]
    shown["workers_text"] = frame["workers"].map(lambda v: fmt_int(v, lang))
    shown["uncovered_text"] = frame["uncovered"].map(lambda v: fmt_int(v, lang))
    shown["rate_text"] = frame["effective_rate"].map(lambda v: fmt_pct(v, lang))
    shown["measure_text"] = frame[measure].map(
        (lambda v: fmt_int(v, lang)) if measure == "uncovered" else (lambda v: fmt_share(v, lang))
    )
    name = label(measure, month, lang).removesuffix(" (%)")
    tooltip = {
        "kelurahan": t("col_kelurahan", lang),
        "kecamatan": t("col_kecamatan", lang),
        "measure_text": name,
        "rate_text": t("ex_col_effective_rate", lang),
        "workers_text": label("workers", month, lang),
        "uncovered_text": label("uncovered", month, lang),
    }
    if measure == "effective_rate":
        del tooltip["rate_text"]
    spec = choropleth_spec(
        shown,
        "value",
        breaks,
        name,
        tooltip,
        t("ex_map_title", lang, measure=name, month=fmt_month(month.period, lang)),
        region=month.region,
        reference_dir=month.reference_dir,
        scheme=scheme,
        legend_format=legend_format,
    )
    return VegaLite(spec, name)


def show_map(out, month: Month, lang: str, measure: str) -> None:
    """The measure dropdown's callback: draw the map of the chosen measure."""
    _show(out, map_view(month, measure, lang)._repr_mimebundle_())


def section_map(month: Month, lang: str = "id"):
    """The map with a list of measures to colour it by; hover a kelurahan for its figures."""
    import ipywidgets as w  # lazy: only the explore notebook needs widgets

    pick = w.Dropdown(
        options=[(label(m, month, lang).removesuffix(" (%)"), m) for m in MAP_MEASURES],
        value="effective_rate_eb",
        description=t("ex_pick_measure", lang),
        style={"description_width": "initial"},
    )
    out = w.Output()
    show = partial(show_map, out, month, lang)
    pick.observe(lambda change: show(change["new"]), names="value")
    show(pick.value)
    return w.VBox([pick, out])


# ------------------------------------------------------------------ the subsidy


def subsidy_view(month: Month, policy: Policy, lang: str = "id") -> str:
    """What the subsidy would cost under `policy` (HTML): the sentences, who is not covered and
    who can change it, and the scenarios with what each assumes."""
    a = affordability.with_policy(month, policy)
    lines = "".join(f"<li>{_md_html(line)}</li>" for line in subsidy.subsidy_lines(a, lang))
    notes = subsidy.scenario_notes(a, lang).data.splitlines()
    notes_html = "".join(f"<li>{_md_html(line.removeprefix('- '))}</li>" for line in notes)
    return (
        f"<ul>{lines}</ul>{subsidy.split_table(a, lang).html()}"
        f"{subsidy.scenario_table(a, lang).html()}<ul>{notes_html}</ul>"
    )


def show_subsidy(out, month: Month, lang: str, share: float, group: str, discount: bool) -> None:
    """The subsidy controls' callback: the figures for the chosen share, group and discount."""
    policy = Policy(float(share), group, bool(discount))
    _show(out, {"text/html": subsidy_view(month, policy, lang), "text/plain": str(policy)})


def section_subsidy(month: Month, lang: str = "id"):
    """The subsidy under any share, group and discount (starting from the notebook's parameters)."""
    import ipywidgets as w  # lazy: only the explore notebook needs widgets

    start = Policy.of(month.settings)
    share = w.FloatSlider(
        value=start.share, min=0.05, max=1.0, step=0.05, readout_format=".0%",
        description=t("ex_pick_share", lang), style={"description_width": "initial"},
    )  # fmt: skip
    group = w.Dropdown(
        options=[(t(f"sub_group_{g}", lang), g) for g in SUBSIDY_GROUPS],
        value=start.group,
        description=t("ex_pick_group", lang),
        style={"description_width": "initial"},
    )
    discount = w.Checkbox(
        value=start.discount,
        description=t("ex_pick_discount", lang),
        indent=False,
        layout=w.Layout(width="auto"),
    )
    out = w.Output()

    def update(_change=None) -> None:
        show_subsidy(out, month, lang, share.value, group.value, discount.value)

    for control in (share, group, discount):
        control.observe(update, names="value")
    update()
    return w.VBox([share, group, discount, out])


# ------------------------------------------------------------------ the tables themselves


def tables_overview(month: Month, lang: str = "id") -> pd.DataFrame:
    """The month's processed tables: name (for `month.table(name)`), rows and columns."""
    rows = []
    for file in PROCESSED_FILES:
        if not file.endswith(".parquet") or not (month.folder / file).exists():
            continue
        name = file.removesuffix(".parquet")
        frame = month.table(name)
        rows.append((name, fmt_int(len(frame), lang), ", ".join(frame.columns)))
    return pd.DataFrame(
        rows, columns=[t("ex_col_table", lang), t("ex_col_rows", lang), t("ex_col_columns", lang)]
    )


def section_tables(month: Month, lang: str = "id"):
    """The processed tables you can load yourself (see docs/data-dictionary.md)."""
    return analyst_table(tables_overview(month, lang))
