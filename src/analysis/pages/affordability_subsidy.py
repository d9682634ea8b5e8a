"""Notebook 04's subsidy section: who is not covered and who can change it (self-employed
workers a city subsidy could enrol; wage workers whose employers must enrol them), and what an
APBD subsidy would cost under the page's policy (share, group, discount), each figure saying
what it assumes. Counts go through disclosure control and both tables through the gate
(`analysis.metrics.disclosure.gate`); the sentences and the cover figure state a count or a
budget only where the tables show it. Estimates are rounded to whole workers.
"""

from __future__ import annotations

import pandas as pd
from IPython.display import Markdown

from analysis.metrics.affordability import Affordability, results
from analysis.metrics.disclosure import (
    HIDDEN_MARK,
    PRIMARY,
    SECONDARY,
    Protected,
    is_small,
    protect,
    small_label,
)
from analysis.metrics.subsidy import GROUP_TARGET, SUBSIDY_MONTHS, Policy
from analysis.month import Month
from analysis.pages import charts
from analysis.pages.affordability_burden import count_shown
from analysis.pages.published import Col, PublishedTable, from_protected, published
from analysis.pages.text import (
    Section,
    fmt_int,
    fmt_month,
    fmt_num,
    fmt_pct,
    fmt_rp,
    fmt_rp_compact,
    fmt_threshold,
    md,
    t,
)

SCENARIOS = ("baseline", "all_uncovered", "above_threshold", "target")


def _n(x: float) -> int:
    """An estimated number of workers as a whole number (estimates are expected values)."""
    return int(round(float(x))) if pd.notna(x) else 0


def policy_share(policy: Policy, lang: str) -> str:
    """'all' for a full subsidy, else the share as a percentage ('50%')."""
    s = policy.share
    return t("sub_share_all", lang) if s == 1 else fmt_pct(s, lang, 0 if s * 100 % 1 == 0 else 1)


def policy_group(policy: Policy, lang: str) -> str:
    """Whom the subsidy pays for, in words ('self-employed workers (BPU)')."""
    return t(f"sub_group_{policy.group}", lang)


def policy_basis(policy: Policy, lang: str) -> str:
    """What price the figure takes: normal (the regulation) or with the discount; wage workers' basis."""
    key = "sub_basis_discount" if policy.discount else "sub_basis_normal"
    parts = [t(key, lang)] if "self" in policy.sides else []
    if "wage" in policy.sides:
        parts.append(t("sub_basis_wage", lang))
    return "; ".join(parts)


def share_text(a: Affordability, lang: str) -> str:
    return policy_share(a.policy, lang)


def group_text(a: Affordability, lang: str) -> str:
    return policy_group(a.policy, lang)


def basis_text(a: Affordability, lang: str) -> str:
    return policy_basis(a.policy, lang)


def _symbol(p: Protected, row: int, column: str) -> str | None:
    """How a hidden cell of a protected table is shown ('<5' or 'x'), None where it is shown."""
    state = int(p.state.at[row, column])
    return None if not state else small_label(p.min_cell) if state == PRIMARY else HIDDEN_MARK


def subsidy_lines(a: Affordability, lang: str = "id") -> list[str]:
    """The headline bullets: who is not covered and who can change it; what the policy would
    cost, against the city's own programme (counts and budgets as the tables show them)."""
    split = _split_protected(a)
    at = {side: i for i, side in enumerate(split.table["side"])}
    n = lambda v: fmt_int(v, lang)  # noqa: E731
    text = t(
        "sub_head",
        lang,
        uncovered=count_shown(
            _n(a.scenarios.attrs.get("uncovered", split.table["total"].sum())), a.min_cell, lang
        ),
        self=_symbol(split, at["self"], "total") or n(split.table.at[at["self"], "total"]),
        wage=_symbol(split, at["wage"], "total") or n(split.table.at[at["wage"], "total"]),
        known=count_shown(_n(a.split["observed"].sum()), a.min_cell, lang),
    )
    lines = [text]
    main = a.scenario("all_uncovered")
    cost = ""
    if main["status"] != "no_price":
        cost = t(
            "sub_head_cost",
            lang,
            share=share_text(a, lang),
            group=group_text(a, lang),
            budget=_main_budget(a, lang),
            per=fmt_rp(main["per_worker"], lang),
            basis=basis_text(a, lang),
        )
    base = a.scenario("baseline")
    if base is not None:
        cost += " " + t(
            "sub_head_baseline_computed" if base["status"] == "computed" else "sub_head_baseline",
            lang,
            workers=fmt_int(base["workers"], lang),
            budget=fmt_rp_compact(base["budget"], lang),
            ratio=fmt_num(main["budget"] / base["budget"], lang, 1)
            if base["budget"] and _main_shown(a)
            else "–",
            since=fmt_month(a.baseline_since, lang) if a.baseline_since else "–",
        )
    return [*lines, cost.strip()] if cost.strip() else lines


def _main_shown(a: Affordability) -> bool:
    """Whether the scenario table shows scenario (a)'s workers (and so its budget)."""
    p = _scenario_protected(a)
    row = p.table.index[p.table["scenario"] == "all_uncovered"]
    return bool(len(row)) and not int(p.state.at[row[0], "workers"])


def _main_budget(a: Affordability, lang: str) -> str:
    """Scenario (a)'s yearly budget, or '–' where the table hides it (it would reveal the count)."""
    return fmt_rp_compact(a.scenario("all_uncovered")["budget"], lang) if _main_shown(a) else "–"


def scenario_labels(a: Affordability, lang: str = "id") -> dict[str, str]:
    """Scenario key → label in the report language (naming the policy's group)."""
    base = a.scenario("baseline")
    fields = {
        "workers": fmt_int(base["workers"], lang) if base is not None else "–",
        "group": group_text(a, lang),
        "segment": GROUP_TARGET[a.policy.group],
    }
    return {k: t(f"sub_scn_{k}", lang, **fields) for k in SCENARIOS}


def _target_reveals_covered(a: Affordability) -> pd.Series:
    """Rows whose count is target − covered while `covered` is a suppressed small count."""
    s = a.scenarios.reset_index(drop=True)
    if "covered" not in s:
        return pd.Series(False, index=s.index)
    small = pd.Series(is_small(s["covered"].fillna(0), a.min_cell), index=s.index)
    return (s["scenario"] == "target") & s["status"].isin(["ok", "short"]) & small


def _scenario_protected(a: Affordability) -> Protected:
    """The scenarios' workers protected (small counts hidden; (c) hidden where it would reveal a
    small covered count), each budget hidden with its workers (it would reveal the count)."""
    s = a.scenarios.reset_index(drop=True)
    frame = s[["scenario", "workers", "per_worker", "budget"]].copy()
    frame["workers"] = frame["workers"].map(_n).astype("float64").where(s["workers"].notna())
    p = protect(frame, ["workers"], a.min_cell, groups=[])
    # (c) = target − covered: a small covered count would be worked out from it
    p.state.loc[_target_reveals_covered(a).to_numpy() & (p.state["workers"] == 0), "workers"] = (
        SECONDARY
    )
    p.state["budget"] = p.state["workers"]  # a budget would reveal a hidden count
    return p


@published("subsidi_apbd")
def scenario_table(a: Affordability, lang: str = "id") -> PublishedTable:
    """The subsidy scenarios as published: workers reached, what the city pays per worker a year,
    yearly budget (a budget is hidden with the count it would reveal); through the gate, the
    workers column holds counts of people."""
    p = _scenario_protected(a)
    p.table["label"] = p.table["scenario"].map(scenario_labels(a, lang))
    cols = [
        Col("label", t("aff_col_scenario", lang)),
        Col("workers", t("aff_col_workers_reached", lang), "count"),
        Col("per_worker", t("sub_col_per_worker", lang), "rp"),
        Col("budget", t("aff_col_budget", lang), "rp"),
    ]
    return from_protected(p, cols, t("aff_tbl_subsidy", lang), lang, counts=["workers"])


def scenario_notes(a: Affordability, lang: str = "id"):
    """What each scenario counts and what it assumes (Markdown list under the table)."""
    labels = scenario_labels(a, lang)
    lines = []
    for row in a.scenarios.itertuples():
        if row.status in ("computed", "reported"):
            note = t(f"sub_note_baseline_{row.status}", lang)
        elif row.status == "no_price":
            note = t("sub_note_no_price", lang)
        elif row.scenario == "target":
            note = _target_note(a, row, lang)
        elif row.scenario == "above_threshold":
            note = t("sub_note_above", lang, threshold=fmt_threshold(a.threshold, lang))
        else:
            sides = a.split.loc[list(a.policy.sides)]
            note = t(
                "sub_note_all",
                lang,
                group=group_text(a, lang),
                known=count_shown(_n(sides["observed"].sum()), a.min_cell, lang),
                assumed=fmt_int(_n(sides["assumed"].sum()), lang),
                share=share_text(a, lang),
                basis=basis_text(a, lang),
            )
        lines.append(f"- **{labels[row.scenario]}**: {note}")
    return Markdown("\n".join(lines))


def _target_note(a: Affordability, row, lang: str) -> str:
    if a.target is None:
        return t(a.target_problem or "aff_target_missing", lang)
    key = {"reached": "sub_note_target_reached", "short": "sub_note_target_short"}.get(
        row.status, "sub_note_target"
    )
    return t(
        key,
        lang,
        segment=a.target.segment,
        target=fmt_int(a.target.workers, lang),
        year=a.target.year,
        covered=count_shown(int(row.covered), a.min_cell, lang),
        needed="–" if is_small(row.covered, a.min_cell) else fmt_int(row.needed, lang),
        in_registry=fmt_int(_n(row.in_registry), lang),
        unverified="" if a.target.verified else t("aff_unverified", lang),
    )


def scenario_chart_values(a: Affordability, lang: str = "id") -> pd.Series:
    """Yearly budgets by scenario label, for a bar chart (suppressed or unknown scenarios left out)."""
    s = a.scenarios.reset_index(drop=True)
    ok = s["budget"].notna() & ~is_small(s["workers"].fillna(0).map(_n), a.min_cell)
    ok &= ~_target_reveals_covered(a)
    labels = scenario_labels(a, lang)
    return pd.Series(
        s.loc[ok, "budget"].astype("float64").to_numpy(),
        index=[labels[k] for k in s.loc[ok, "scenario"]],
    )


def shares_text(a: Affordability, lang: str) -> str:
    """How the unknown were split: the self-employed share used for each business size."""
    sh = a.self_shares
    if len(sh) and (sh["basis"] == "none").all():
        return t("sub_share_none", lang)
    parts = [
        t(
            "sub_share_class" if row.basis == "class" else "sub_share_class_all",
            lang,
            size=size.replace("-", "–").replace("20+", "≥20"),
            share=fmt_pct(row.share, lang, 0),
        )
        for size, row in sh.drop(index="all", errors="ignore").iterrows()
    ]
    return "; ".join(parts)


def _split_protected(a: Affordability) -> Protected:
    """Self-employed and wage workers not covered, protected: known and total counts (the two
    rows add up to every uncovered worker, which the headline states, so a hidden row hides
    the other); the estimated part hidden with either (total − known); the cost with the total."""
    frame = a.split.reset_index(names="side")
    for col in ("observed", "assumed", "total"):
        frame[col] = frame[col].map(_n).astype("float64")
    p = protect(frame, ["observed", "total"], a.min_cell, groups=[None])
    p.state["cost"] = p.state["total"]
    p.state["assumed"] = p.state[["observed", "total"]].max(axis=1)  # total − known = estimated
    return p


@published("subsidi_kelompok")
def split_table(a: Affordability, lang: str = "id") -> PublishedTable:
    """Self-employed and wage workers not covered: known, estimated, total, the yearly package per
    worker and for all (what a subsidy would pay; what employers owe), through the gate."""
    p = _split_protected(a)
    p.table["label"] = p.table["side"].map(lambda s: t(f"sub_split_{s}", lang))
    cols = [
        Col("label", t("sub_col_group", lang)),
        Col("observed", t("sub_col_known", lang), "count"),
        Col("assumed", t("sub_col_assumed", lang), "count"),
        Col("total", t("sub_col_total", lang), "count"),
        Col("per_worker", t("sub_col_price", lang), "rp"),
        Col("cost", t("sub_col_cost", lang), "rp"),
    ]
    # the estimated column holds expected values (a share of a size class), not people counted
    return from_protected(p, cols, t("sub_split_title", lang), lang, counts=["observed", "total"])


def method_line(a: Affordability, lang: str = "id") -> str:
    """The method note on the subsidy, with this month's prices and shares."""
    wage = a.wage_price
    without = wage is not None and wage.attrs.get("without")
    return t(
        "sub_method",
        lang,
        months=SUBSIDY_MONTHS,
        start=fmt_month(a.on, lang),
        self_price=fmt_rp(a.self_price["non-transport"], lang),
        basis=t("sub_basis_discount" if a.policy.discount else "sub_basis_normal", lang),
        umk=fmt_rp(wage.attrs["umk"], lang) if wage is not None else "–",
        wage_price=fmt_rp(wage["mikro"], lang) if wage is not None else "–",
        jp_note=t("sub_jp_missing", lang) if without else "",
        shares=shares_text(a, lang),
    )


def cards(a: Affordability, lang: str = "id") -> list[dict]:
    """The cover page's subsidy figure: the yearly budget of scenario (a) for the policy's group
    (as the scenario table shows it)."""
    main = a.scenario("all_uncovered")
    return [
        {
            "label": t("sub_card", lang, group=group_text(a, lang)),
            "value": _main_budget(a, lang),
            "note": t(
                "sub_card_note",
                lang,
                workers=count_shown(_n(main["workers"]), a.min_cell, lang),
                per=fmt_rp(main["per_worker"], lang),
            ),
            "page": "04_premium_affordability",
            "rank": "30",
        }
    ]


# ------------------------------------------------------------------ the page's section


def section_subsidy(month: Month, lang: str = "id") -> Section:
    """Who is not covered and who can change it; what a city subsidy would cost a year: the
    split table, the chart, the protected scenario table and what each figure assumes."""
    a = results(month)
    chart = charts.barh(
        scenario_chart_values(a, lang) / 1e6,
        t("aff_chart_subsidy_title", lang),
        t("aff_chart_budget_axis_million", lang),
        fmt=lambda v: fmt_rp_compact(v * 1e6, lang),
        empty=t("few_budget", lang, k=a.min_cell),
    )
    return Section(
        [
            split_table(a, lang),
            md("sub_split_note", lang, shares=shares_text(a, lang)),
            chart,
            scenario_table(a, lang),
            scenario_notes(a, lang),
            md("suppressed_note", lang, k=a.min_cell),
        ]
    )
