"""Notebook 05's page, message first: where to go next month and what the visits did so far, then
the outreach log, what the visits changed (or what it would take to know), next month's visit plan
(its top on the page, every kelurahan in a folded table that downloads as CSV and XLSX), the
method, and the cover's pieces (the effect when the data can say it, and the next steps).
"""

from __future__ import annotations

import pandas as pd
from IPython.display import Markdown

from analysis.metrics import did
from analysis.metrics.outreach import MIN_DOSE_UNITS, OutreachMonth, results
from analysis.metrics.visit_plan import month_plan, next_period
from analysis.month import Month
from analysis.pages import charts, maps
from analysis.pages.outreach_plan import download_table, page_table, protected, reason_parts
from analysis.pages.place import area_note
from analysis.pages.text import (
    Cards,
    Section,
    fmt_int,
    fmt_list,
    fmt_month,
    fmt_num,
    fmt_pct,
    fmt_threshold,
    md,
    t,
    uncovered_step,
)

PAGE = "05_outreach"
#: Fills of the first-visit map: earlier months lighter, the latest darkest; never visited grey.
VISIT_COLORS = ["#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c", "#08306b"]
NEVER = "never"


def signed(x: float, lang: str = "id", digits: int = 1) -> str:
    """A change with its sign: +1,9 / −0,3 (id); +1.9 / −0.3 (en)."""
    text = fmt_num(abs(x), lang, digits)
    return ("+" if x >= 0 else "−") + text


def _range(est: did.Estimate, lang: str) -> dict[str, str]:
    return {
        "value": signed(est.value, lang),
        "lo": signed(est.lo, lang),
        "hi": signed(est.hi, lang),
    }


# ------------------------------------------------------------------ the message


def _first(plan: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    """The first `n` kelurahan of the plan that have workers not covered (a small month's plan
    ends with kelurahan where nobody is left to reach)."""
    return plan[plan["uncovered"].gt(0)].head(n)


def _places(plan: pd.DataFrame, n: int = 3) -> list[str]:
    """The first `n` kelurahan to visit, named with their kecamatan."""
    return [f"{r.kelurahan} ({r.kecamatan})" for r in _first(plan, n).itertuples()]


def effect_sentence(o: OutreachMonth, lang: str = "id", short: bool = False) -> str:
    """What the visits did so far, in one plain sentence: a rise (or fall) when the 95% range
    leaves out zero, 'not clear yet' when it does not, 'not measurable yet' without an estimate.
    `short`: without the range, for the cover (its card gives the range)."""
    if o.status != "estimated":
        return t("out_summary_unknown", lang)
    est = o.main.estimate
    key = (
        "out_summary_up"
        if est.lo > 0
        else "out_summary_down"
        if est.hi < 0
        else "out_summary_unclear"
    )
    return t(key + ("_short" if short else ""), lang, **_range(est, lang))


def summary(o: OutreachMonth, plan: pd.DataFrame, month: Month, lang: str = "id") -> Markdown:
    """The page's message: where to go first next month, what the visits did so far, what to do."""
    nxt = fmt_month(next_period(month.period), lang)
    places = _places(plan)
    lines = [
        t("out_summary_plan", lang, month=nxt, places=fmt_list(places, lang))
        if places
        else t("out_summary_plan_none", lang, month=nxt),
        effect_sentence(o, lang),
    ]
    todo = {
        (True, True): "out_summary_todo",
        (True, False): "out_summary_todo_log",
        (False, False): "out_summary_todo_only_log",
    }.get((bool(places), o.has_log))
    if todo:  # nobody to visit and a log kept: nothing more to do
        lines.append(t(todo, lang))
    return Markdown("\n".join(f"- {line}" for line in lines))


# ------------------------------------------------------------------ the log


def intro(o: OutreachMonth, units: int, lang: str = "id") -> Markdown:
    """This month's activities (or that there is no log) and how many kelurahan were ever visited."""
    month = fmt_month(o.period, lang)
    now = o.this_month
    visited = int(o.visits["first"].notna().sum())
    since = fmt_month(o.log["bulan"].min(), lang) if len(o.log) else month
    earlier = t(
        "out_intro_earlier",
        lang,
        since=since,
        visited=fmt_int(visited, lang),
        all=fmt_int(units, lang),
    )
    if not o.has_log:
        rest = earlier if len(o.log) else t("out_intro_never", lang)
        return Markdown(t("out_intro_no_file", lang, month=month) + " " + rest)
    if now.empty:
        rest = earlier if len(o.log) else t("out_intro_never", lang)
        return Markdown(t("out_intro_empty", lang, month=month) + " " + rest)
    people = now["peserta"].dropna()
    biz = now["usaha"].dropna()
    who = (
        t("out_people", lang, people=fmt_int(people.sum(), lang), biz=fmt_int(biz.sum(), lang))
        if len(people)
        else t("out_people_unknown", lang)
    )
    return Markdown(
        t(
            "out_intro",
            lang,
            month=month,
            n=fmt_int(len(now), lang),
            kel=fmt_int(now["kode_kelurahan"].nunique(), lang),
            people=who,
            since=since,
            visited=fmt_int(visited, lang),
            all=fmt_int(units, lang),
        )
    )


def visit_map(o: OutreachMonth, month: Month, lang: str = "id"):
    """Each kelurahan coloured by the month of its first visit (never visited: grey)."""
    first = o.visits.set_index("kode_kelurahan")["first"].fillna(NEVER)
    months = sorted(p for p in first.unique() if p != NEVER)
    fills = VISIT_COLORS[-len(months) :] if len(months) <= len(VISIT_COLORS) else None
    colors = dict(zip(months, fills or _shades(len(months)), strict=True))
    colors[NEVER] = "#e6e6e6"
    labels = {p: fmt_month(p, lang) for p in months} | {NEVER: t("out_map_never", lang)}
    return maps.categories(
        first,
        colors,
        labels,
        t("out_map_title", lang),
        t("out_map_legend", lang),
        lang,
        note=t("out_map_note", lang),
        describe=months,
        region=month.region,
        reference_dir=month.reference_dir,
    )


def _shades(n: int) -> list[str]:
    """`n` blues from light to dark (when there are more months than the fixed fills)."""
    import matplotlib as mpl  # lazy: only for long histories

    cmap = mpl.colormaps["Blues"]
    return [mpl.colors.to_hex(cmap(0.3 + 0.7 * i / max(n - 1, 1))) for i in range(n)]


def plan_map(plan: pd.DataFrame, month: Month, lang: str = "id"):
    """Next month's plan on the map: the first `top` kelurahan to visit, the others due, and those
    visited recently (waiting their turn)."""
    top = month.settings.top
    kind = pd.Series("due", index=plan["kode_kelurahan"].to_numpy())
    kind[~plan["due"].to_numpy()] = "wait"
    kind.iloc[: min(top, int(plan["due"].sum()))] = "next"
    colors = {"next": charts.PALETTE["accent"], "due": "#f3d9c6", "wait": "#c6dbef"}
    labels = {k: t(f"out_plan_map_{k}", lang, n=top) for k in colors}
    return maps.categories(
        kind,
        colors,
        labels,
        t("out_plan_map_title", lang, month=fmt_month(next_period(month.period), lang)),
        t("out_plan_map_legend", lang),
        lang,
        describe=["next"],
        region=month.region,
        reference_dir=month.reference_dir,
    )


# ------------------------------------------------------------------ the effect


def needs_text(o: OutreachMonth, lang: str = "id") -> Markdown:
    """What it takes to see an effect of `detect`: months and visited kelurahan."""
    n = o.needs
    detect = fmt_num(o.detect, lang, 1 if o.detect % 1 else 0)
    if n.get("months") is not None:
        months_clause = t(
            "out_needs_months", lang, months=n["months"], visited=n["months_with_visited"]
        )
    else:
        months_clause = t(
            "out_needs_months_never", lang, months=120, visited=n["months_with_visited"]
        )
    or_clause = (
        t("out_needs_visited", lang, visited=n["visited"], months=n["visited_with_months"])
        if n.get("visited") is not None
        else ""
    )
    return md(
        "out_needs",
        lang,
        detect=detect,
        months_clause=months_clause,
        or_clause=or_clause,
        months_now=n["months_now"],
        visited_now=n["visited_now"],
    )


def effect_text(o: OutreachMonth, units: int, lang: str = "id") -> list:
    """The estimate in words, with its basis, the coverage change, the check and the power."""
    main = o.main
    est = main.estimate
    key = (
        "out_effect_up" if est.lo > 0 else "out_effect_down" if est.hi < 0 else "out_effect_unclear"
    )
    out = [md(key, lang, **_range(est, lang))]
    basis = t(
        "out_effect_basis",
        lang,
        visited=est.units,
        others=units - est.units,
        months=len(o.months),
        first=fmt_month(o.months[0], lang),
        last=fmt_month(o.months[-1], lang),
    )
    rate = o.effects.get("effective_rate")
    lines = [basis]
    if rate is not None and rate.estimate is not None:
        lines.append(t("out_effect_rate", lang, **_range(rate.estimate, lang)))
    if main.placebo_p is not None:
        lines.append(
            t(
                "out_placebo",
                lang,
                n=fmt_int(did.PERMUTATIONS, lang),
                share=fmt_pct(main.placebo_p, lang, 1),
            )
        )
    power = "out_power_ok" if o.enough else "out_power_short"
    detect = fmt_num(o.detect, lang, 1 if o.detect % 1 else 0)
    lines.append(t(power, lang, detect=detect, mde=fmt_num(main.mde, lang, 1)))
    out.append(Markdown(" ".join(lines)))
    return out


def event_chart(o: OutreachMonth, lang: str = "id"):
    """The event study: extra new registrations by months since the first visit."""
    study = o.main.event.set_index("event")[["value", "lo", "hi"]]
    return charts.effects_over_time(
        study,
        t("out_event_title", lang),
        t("out_event_x", lang),
        t("out_event_y", lang),
        fmt=lambda v: fmt_num(v, lang, 1),
        reference=-1,
        reference_label=t("out_event_reference", lang),
        note=t("out_event_note", lang),
    )


def dose_section(o: OutreachMonth, lang: str = "id") -> Section:
    """The effect by attendance at the first visit: a sentence and two bars, or why not."""
    d = o.dose
    if d is None or d.fewer is None or d.more is None:
        return Section([md("out_dose_none", lang, k=MIN_DOSE_UNITS)])
    median = fmt_int(d.median, lang)

    def one(e: did.Estimate) -> str:
        r = _range(e, lang)
        return f"{r['value']} ({r['lo']} – {r['hi']})"

    labels = {
        "more": t("out_dose_more", lang, median=median, n=d.more.units),
        "fewer": t("out_dose_fewer", lang, median=median, n=d.fewer.units),
    }
    frame = pd.DataFrame(
        {k: [e.value, e.lo, e.hi] for k, e in (("more", d.more), ("fewer", d.fewer))},
        index=["value", "lo", "hi"],
    ).T.rename(index=labels)
    chart = charts.bars_intervals(
        frame["value"].clip(lower=0),
        frame["lo"].clip(lower=0),
        frame["hi"].clip(lower=0),
        t("out_dose_title", lang),
        t("out_event_y", lang),
        fmt=lambda v: fmt_num(v, lang, 1),
        sort=False,
        note=t("out_dose_note", lang),
    )
    return Section(
        [md("out_dose_sentence", lang, median=median, more=one(d.more), fewer=one(d.fewer)), chart]
    )


# ------------------------------------------------------------------ the page's sections


def section_intro(month: Month, lang: str = "id") -> Section:
    """The place (one kabupaten/kota of a regional report), the message first (where to go next
    month, what the visits did, what to do), then this month's outreach log in one paragraph and
    the map of first visits."""
    o = results(month)
    where = area_note(month, lang)  # none on a region's own page: the message stays first
    out = Section([] if where is None else [where])
    out += [summary(o, month_plan(month), month, lang), intro(o, len(month.units), lang)]
    if len(o.log):
        out.append(visit_map(o, month, lang))
    return out


def section_effect(month: Month, lang: str = "id") -> Section:
    """What the visits changed in new registrations (with the event study and the caveats), or,
    without enough data, what it would take to know."""
    o = results(month)
    if o.status != "estimated":
        return Section([md(f"out_status_{o.status}", lang), needs_text(o, lang)])
    out = Section([*effect_text(o, len(month.units), lang), event_chart(o, lang)])
    if not o.enough:
        out.append(needs_text(o, lang))
    out.append(md("out_caveats", lang, months=len(o.months)))
    return out


def section_dose(month: Month, lang: str = "id") -> Section:
    """The effect by attendance at the first visit, where the data allow."""
    o = results(month)
    if o.status != "estimated":
        return Section([md("out_dose_none", lang, k=MIN_DOSE_UNITS)])
    return dose_section(o, lang)


def section_plan(month: Month, lang: str = "id") -> Section:
    """Next month's visit plan: the first three in a sentence, the map, the top of the list with
    the reason for each, how the order is made, and every kelurahan in a folded table (its CSV
    and XLSX are the field staff's list)."""
    s = month.settings
    plan = month_plan(month)
    nxt = fmt_month(next_period(month.period), lang)
    places = [f"**{p}**" for p in _places(plan)]
    return Section(
        [
            md("out_plan_sentence", lang, month=nxt, places=fmt_list(places, lang))
            if places
            else md("out_summary_plan_none", lang, month=nxt),
            plan_map(plan, month, lang),
            page_table(plan, month, lang),
            md("out_plan_how", lang, threshold=fmt_threshold(s.threshold, lang), revisit=s.revisit),
            md("out_plan_note", lang, k=s.min_cell),
            download_table(plan, month, lang),
            md("suppressed_note", lang, k=s.min_cell),
        ]
    )


def section_method(month: Month, lang: str = "id") -> Section:
    """How the figures are computed, with this page's settings."""
    s = month.settings
    return Section(
        [
            md(
                "out_method",
                lang,
                n=fmt_int(did.PERMUTATIONS, lang),
                min_n=s.min_n,
                min_cell=s.min_cell,
            )
        ]
    )


def _steps(plan: pd.DataFrame, month: Month, lang: str, n: int = 3) -> list[dict]:
    """The cover's next steps: the first `n` kelurahan of the visit plan (those with workers not
    covered), each with its workers not covered (as published), when it was last visited and who
    there knows BPJS Ketenagakerjaan (page 04 adds what the package weighs there)."""
    table = page_table(plan, month, lang, len(plan))
    uncovered = next(c for c in table.cols if c.key == "uncovered")
    why = reason_parts(plan, protected(plan, month), lang)
    first = _first(plan, n)
    return [
        {
            "rank": k + 1,
            "code": str(row.kode_kelurahan),
            "place": f"{row.kelurahan} ({row.kecamatan})",
            "reasons": [uncovered_step(table.text(uncovered, i), lang), *why[i][:2]],
            "href": f"{PAGE}.html",
        }
        for k, (i, row) in enumerate(zip(first.index, first.itertuples(), strict=True))
    ]


def cover_cards(month: Month, lang: str = "id") -> Cards:
    """The cover's outreach pieces: the effect of visits (a figure and a summary sentence) when
    the data are enough to say it, and the next steps from next month's visit plan."""
    o = results(month)
    cards, summary_lines = [], []
    if o.status == "estimated" and o.enough:
        r = _range(o.main.estimate, lang)
        cards.append(
            {
                "label": t("out_card_effect", lang),
                "value": t("out_card_effect_value", lang, value=r["value"]),
                "note": t("out_card_effect_note", lang, lo=r["lo"], hi=r["hi"]),
                "page": PAGE,
                "rank": "45",
            }
        )
        # with the cover's action sentence (where to go), keeping the summary at five
        summary_lines.append(
            {"rank": 45, "text": effect_sentence(o, lang, short=True), "with_action": True}
        )
    plan = month_plan(month)
    return Cards(cards, summary=summary_lines, steps=_steps(plan, month, lang))
