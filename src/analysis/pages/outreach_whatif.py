"""For analysts in JupyterLab: a live what-if of the subsidy scenarios and the visit plan.

Sliders for the share of the cheapest package the city pays, the year by which the target should
be reached and the burden threshold recompute, in place: the yearly APBD budget of each subsidy
scenario (page 04's table, at that share and threshold), the path to the target year by year, and
next month's visit plan (optionally with the subsidy in force, so that more workers can afford the
package). With the defaults the tables are the published ones: the scenarios and the plan go
through the disclosure gate as on the pages; the path to the target year is an analyst's view
(`analyst_table`, unmarked). Nothing here reaches a published page: notebook 05's cell is tagged
`remove`, and `panel` builds nothing when publishing.

`recompute` and `update` are the callbacks, plain functions (tested directly); `panel` only wires
them to widgets. The scenarios are page 04's (`analysis.metrics.affordability.with_policy`): the
month's subsidy policy (group, discount) with the share chosen here.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd

from analysis.metrics import affordability
from analysis.metrics.visit_plan import month_plan
from analysis.month import Month
from analysis.pages.affordability_subsidy import scenario_table
from analysis.pages.outreach_plan import page_table
from analysis.pages.published import PublishedTable
from analysis.pages.text import analyst_table, fmt_int, fmt_rp, md, t

SHARE_STEP = 0.05
THRESHOLDS = (0.005, 0.10, 0.005)  # slider: from, to, step
YEARS_AHEAD = 10


def defaults(month: Month) -> dict:
    """The published choices: the month's subsidy share, the target by next year, the
    publication threshold, no subsidy assumed in the visit plan."""
    year = affordability.results(month).on.year
    return {
        "share": month.settings.subsidy_share,
        "year": year + 1,
        "threshold": month.settings.threshold,
        "plan_subsidy": False,
    }


def _results(month: Month, share: float, threshold: float | None) -> affordability.Affordability:
    """Page 04's results with the city paying `share` of the package, at `threshold`."""
    if threshold is not None and threshold != month.settings.threshold:
        month = month.with_settings(threshold=threshold)
    base = affordability.results(month)
    return affordability.with_policy(month, replace(base.policy, share=share))


def scenarios(month: Month, share: float = 1.0, threshold: float | None = None) -> pd.DataFrame:
    """The subsidy scenarios (baseline, a, b, c) at `threshold`, the city paying `share` of the
    package: workers reached, what the city pays per worker and a year (raw numbers)."""
    return _results(month, share, threshold).scenarios


def target_path(month: Month, table_: pd.DataFrame, year: int) -> pd.DataFrame:
    """Towards the target by `year`: subsidised workers and the city's budget each year, enrolling
    the workers scenario (c) needs in equal steps from the report's year."""
    a = affordability.results(month)
    row = table_[table_["scenario"].eq("target")]
    if row.empty or row["status"].iloc[0] == "no_target":
        return pd.DataFrame(columns=["year", "workers", "budget"])
    r = row.iloc[0]
    start = a.on.year
    years = list(range(start, max(year, start) + 1))
    reach = 0 if pd.isna(r["workers"]) else int(r["workers"])
    steps = [math.ceil(reach * (k + 1) / len(years)) for k in range(len(years))]
    return pd.DataFrame(
        {"year": years, "workers": steps, "budget": [s * r["per_worker"] for s in steps]}
    )


def recompute(
    month: Month,
    lang: str = "id",
    share: float = 1.0,
    year: int | None = None,
    threshold: float | None = None,
    plan_subsidy: bool = False,
) -> dict[str, PublishedTable | pd.DataFrame]:
    """The three tables for one set of choices, as shown: the scenarios and the plan through the
    disclosure gate, the path to the target year (planned steps, not people counted) as text."""
    th = month.settings.threshold if threshold is None else threshold
    a = _results(month, share, th)
    shown = scenario_table(a, lang)
    path = target_path(month, a.scenarios, year or a.on.year + 1)
    path_shown = pd.DataFrame(
        {
            t("out_whatif_col_year", lang): path["year"].astype(str),
            t("out_whatif_col_workers", lang): path["workers"].map(lambda v: fmt_int(v, lang)),
            t("out_whatif_col_budget", lang): path["budget"].map(lambda v: fmt_rp(v, lang)),
        }
    )
    plan = month_plan(month, subsidy=share if plan_subsidy else 0.0, threshold=th)
    return {"scenarios": shown, "path": path_shown, "plan": page_table(plan, month, lang)}


def update(
    outputs: dict, month: Month, lang: str = "id", **choices
) -> dict[str, PublishedTable | pd.DataFrame]:
    """The widgets' callback: recompute, then replace what each output area (an ipywidgets
    Output) shows by its new table — set on the widget itself, so it works from any thread."""
    tables = recompute(month, lang, **choices)
    for key, out in outputs.items():
        shown = tables[key]
        gated = isinstance(shown, PublishedTable)
        out.outputs = ()
        if not len(shown):
            out.append_display_data(md("out_whatif_no_target", lang))
        else:
            out.append_display_data(shown if gated else analyst_table(shown))
    return tables


def panel(month: Month, lang: str = "id", publish: bool = False):
    """The what-if in JupyterLab: sliders and three live tables (nothing when publishing)."""
    if publish:
        return None
    import ipywidgets as w  # lazy: analysts only, never in a published run

    d = defaults(month)
    lo, hi, step = THRESHOLDS
    share = w.FloatSlider(
        value=d["share"],
        min=0,
        max=1,
        step=SHARE_STEP,
        readout_format=".0%",
        description=t("out_whatif_share", lang),
        style={"description_width": "initial"},
    )
    year = w.IntSlider(
        value=d["year"],
        min=d["year"] - 1,
        max=d["year"] - 1 + YEARS_AHEAD,
        description=t("out_whatif_year", lang),
        style={"description_width": "initial"},
    )
    threshold = w.FloatSlider(
        value=d["threshold"],
        min=lo,
        max=hi,
        step=step,
        readout_format=".1%",
        description=t("out_whatif_threshold", lang),
        style={"description_width": "initial"},
    )
    subsidy = w.Checkbox(value=d["plan_subsidy"], description=t("out_whatif_plan_subsidy", lang))
    outputs = {"scenarios": w.Output(), "path": w.Output(), "plan": w.Output()}

    def on_change(_change=None) -> None:
        update(
            outputs,
            month,
            lang,
            share=share.value,
            year=year.value,
            threshold=threshold.value,
            plan_subsidy=subsidy.value,
        )

    for control in (share, year, threshold, subsidy):
        control.observe(on_change, names="value")
    on_change()
    heads = {k: w.HTML(f"<h4>{t(f'out_whatif_{k}', lang)}</h4>") for k in outputs}
    return w.VBox(
        [share, year, threshold, subsidy]
        + [part for k in outputs for part in (heads[k], outputs[k])]
    )
