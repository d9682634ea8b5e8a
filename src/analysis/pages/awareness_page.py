"""Notebook 03's page: sentences, labels and tables of the awareness survey in the report's
language, with small cells suppressed, and the cover figure.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from analysis.metrics import coverage
from analysis.metrics.awareness import (
    DEFAULT_MIN_N,
    MAP_BREAKS,
    MEASURES,
    ROLES,
    STAGES,
    TOTAL,
    UNKNOWN,
    AwarenessMonth,
    funnel,
    gap,
    priority,
    reasons,
    results,
    shares,
)
from analysis.metrics.disclosure import is_small
from analysis.metrics.universe import Universe
from analysis.month import Month
from analysis.pages import charts, maps
from analysis.pages.place import area_note
from analysis.pages.published import Col, PublishedTable, published
from analysis.pages.text import (
    Cards,
    Section,
    analyst_table,
    fmt_date,
    fmt_estimate,
    fmt_int,
    fmt_month,
    fmt_num,
    fmt_pct,
    md,
    t,
    uncovered_step,
)
from analysis.reference import sectors


def percent(lang: str = "id"):
    """A formatter for shares as whole percentages in the report's language (for charts and maps)."""
    return partial(fmt_pct, lang=lang, digits=0)


def points(x: float, lang: str = "id") -> str:
    """A difference of shares in percentage points: 0.648 → '65'."""
    return fmt_num(x * 100, lang, 0)


def group_labels(
    column: str, groups: pd.Series, lang: str = "id", units: pd.DataFrame | None = None
) -> pd.Series:
    """Readable labels for group codes of a breakdown column (roles, sectors, kecamatan, kelurahan)."""
    if column == "peran":
        return groups.map(
            lambda g: t(f"aw_role_{g}", lang) if g in ROLES else t("aw_unknown", lang)
        )
    if column == "sektor":
        names = sectors().set_index("sektor")[f"label_{lang}"]
        return groups.map(lambda g: names.get(g, t("aw_unknown", lang)))
    if column in ("kode_kecamatan", "kode_kelurahan") and units is not None:
        key = "kecamatan" if column == "kode_kecamatan" else "kelurahan"
        names = units.drop_duplicates(column).set_index(column)[key]
        return groups.map(lambda g: names.get(g, g))
    return groups.astype(str)


def gap_panel(
    survey: pd.DataFrame,
    units: pd.DataFrame,
    lang: str = "id",
    min_n: int = DEFAULT_MIN_N,
    place: str = "Kota Surakarta",
) -> pd.DataFrame:
    """Awareness of both programmes for the region (`place`), each role, kecamatan and sector
    (rows in that order).

    Index: readable labels; columns: section, aware_kesehatan(_lo/_hi), aware_tk(_lo/_hi),
    aware_gap, respondents, suppressed. For the dot chart and the text.
    """
    parts = []
    for by, section in (
        (None, "aw_section_city"),
        ("peran", "aw_section_role"),
        ("kode_kecamatan", "aw_section_kecamatan"),
        ("sektor", "aw_section_sector"),
    ):
        g = gap(survey, by, min_n=min_n)
        if g.empty:
            continue
        if by:
            g = g[g["group"].ne(UNKNOWN)]
            g = g.sort_values("aware_tk", ascending=False, na_position="last")
            g["label"] = group_labels(by, g["group"], lang, units).to_numpy()
        else:
            g["label"] = place
        g["section"] = t(section, lang)
        parts.append(g)
    if not parts:
        return pd.DataFrame()
    return pd.concat(parts, ignore_index=True).set_index("label")


@published("prioritas_sosialisasi")
def priority_table(
    prio: pd.DataFrame,
    universe: Universe,
    lang: str = "id",
    top: int = 10,
) -> PublishedTable:
    """The top of the priority list: both inputs and the score, small counts hidden.

    Kelurahan (kecamatan), workers not covered, the share aware of BPJS Ketenagakerjaan with
    its 95% range and whose estimate it is (the kelurahan's, or its kecamatan's when the
    kelurahan has too few respondents), and the score with its range. The uncovered counts are
    the coverage universe's kelurahan cells (the same suppression as the coverage page, so no
    table shows what another hides), gated with their cells; a hidden count hides its score too.
    """
    table = prio.reset_index(drop=True)
    ranked = table["rank"].notna().to_numpy()
    keep = np.flatnonzero(ranked)[:top]
    data = table.iloc[keep].reset_index(drop=True)
    data["place"] = [f"{r.kelurahan} ({r.kecamatan})" for r in data.itertuples()]
    data["basis_text"] = data["basis"].map(lambda b: t(f"aw_basis_{b}", lang))
    refs = [("kelurahan", str(code), "uncovered") for code in data["kode_kelurahan"]]
    state = pd.DataFrame({"uncovered": [universe.cell(*ref)[0] for ref in refs]}, dtype="int64")
    for col in ("score",):
        state[col] = state["uncovered"]  # the score would reveal a hidden count
    data = data.rename(columns={"aware_tk_lo": "aware_ci_lo", "aware_tk_hi": "aware_ci_hi"})
    cols = [
        Col("place", t("aw_col_place", lang)),
        Col("uncovered", t("aw_col_uncovered", lang), "count"),
        Col("aware_tk", t("aw_col_aware_tk", lang), "pct", 0),
        Col("aware_ci", t("aw_col_aware_ci", lang), "interval", 0),
        Col("basis_text", t("aw_col_basis", lang)),
        Col("score", t("aw_col_score", lang), "int"),
        Col("score", t("aw_col_score_range", lang), "range"),
    ]
    table = PublishedTable(
        t("aw_tbl_priority", lang, n=len(data)), cols, data, lang, state, universe.min_cell
    )
    if data.empty:
        return table.gated(exempt="no kelurahan ranked")
    return table.gated(refs={"uncovered": refs}, universe=universe)


def _md(key: str, lang: str, **fields):

    return md(key, lang, **fields)


def intro(tables: dict, units: pd.DataFrame, period: str, lang: str = "id"):
    """Who answered this month's survey, or a plain sentence that there is no survey this month."""
    survey, month = tables["survey"], fmt_month(period, lang)
    if survey.empty:
        q = tables.get("quality", {}).get("survei_kesadaran", {})
        key = "aw_no_survey" if not q.get("file") else "aw_no_answers"
        return _md(key, lang, month=month, period=period)
    return _md(
        "aw_intro",
        lang,
        month=month,
        n=fmt_int(len(survey), lang),
        kel=fmt_int(survey["kode_kelurahan"].nunique(), lang),
        kel_all=fmt_int(len(units), lang),
        when=_interviewed(survey["tanggal"].dropna(), month, lang),
    )


def _interviewed(days: pd.Series, month: str, lang: str) -> str:
    """When the interviews were: '3 Oktober 2026 sampai 28 Oktober 2026', 'pada 12 Oktober 2026'
    when they were all on one day, 'pada Oktober 2026' when no day is known."""
    if days.empty:
        return t("aw_when_month", lang, month=month)
    first, last = fmt_date(days.min(), lang), fmt_date(days.max(), lang)
    if first == last:
        return t("aw_when_day", lang, day=first)
    return t("aw_when_days", lang, first=first, last=last)


def gap_text(panel: pd.DataFrame, lang: str = "id", place: str = "Kota Surakarta"):
    """The gap in one sentence (the region, `place`, with the interval; workers and owners)."""
    city = panel[panel["group"].eq(TOTAL)].iloc[0]
    role = panel[panel["group"].isin(ROLES)].set_index("group")

    def role_share(r: str) -> str:
        return fmt_pct(role.loc[r, "aware_tk"], lang, 0) if r in role.index else "–"

    return _md(
        "aw_gap_sentence",
        lang,
        place=place,
        kes=fmt_pct(city["aware_kesehatan"], lang, 0),
        tk=fmt_pct(city["aware_tk"], lang, 0),
        gap=points(city["aware_gap"], lang),
        gap_lo=points(city["aware_gap_lo"], lang),
        gap_hi=points(city["aware_gap_hi"], lang),
        tk_worker=role_share("pekerja"),
        tk_owner=role_share("pemilik"),
    )


def funnel_labels(fun: pd.DataFrame, lang: str = "id") -> pd.DataFrame:
    """The city's funnel indexed by stage labels, with 'x% of the step before' annotations."""
    city = fun[fun["group"].eq(TOTAL)].copy()
    city["label"] = [t(f"aw_stage_{s}", lang) for s in city["stage"]]
    city["annotation"] = [
        "" if s == STAGES[0] else t("aw_of_previous", lang, pct=fmt_pct(v, lang, 0))
        for s, v in zip(city["stage"], city["of_previous"], strict=True)
    ]
    return city.set_index("label")


def funnel_note(survey: pd.DataFrame, lang: str = "id", min_n: int = DEFAULT_MIN_N) -> str:
    """The funnel chart's note, with the share enrolled overall (aware of the name or not)."""
    enrolled = shares(survey, [MEASURES["enrolled"]], min_n=min_n)
    share = enrolled["share"].iloc[0] if len(enrolled) else np.nan
    return t("aw_funnel_note", lang, enrolled_any=fmt_pct(share, lang, 0))


def funnel_text(fun: pd.DataFrame, lang: str = "id"):
    """The funnel in one sentence, per 100 UMKM people."""
    city = fun[fun["group"].eq(TOTAL)].set_index("stage")["share"]
    per100 = {s: float(city[s]) * 100 for s in STAGES}  # NaN (too few answers) shows as '–'
    return _md(
        "aw_funnel_sentence",
        lang,
        aware=fmt_int(per100["aware"], lang),
        benefit=fmt_int(per100["knows_benefit"], lang),
        enrolled=fmt_int(per100["enrolled"], lang),
        not_aware=fmt_int(100 - round(per100["aware"]), lang),
    )


def map_text(kel: pd.DataFrame, min_n: int = DEFAULT_MIN_N, lang: str = "id"):
    """How many kelurahan the survey can speak for, and the kecamatan range."""
    n = kel["respondents"]
    kec = kel.drop_duplicates("kode_kecamatan")
    kec = kec[kec["kecamatan_respondents"] >= min_n].sort_values("aware_tk_kecamatan")
    counts = {
        "shown": fmt_int((n >= min_n).sum(), lang),
        "total": fmt_int(len(kel), lang),
        "k": min_n,
        "few": fmt_int(((n > 0) & (n < min_n)).sum(), lang),
        "none": fmt_int((n == 0).sum(), lang),
    }
    if kec.empty:
        return _md("aw_map_sentence_no_kecamatan", lang, **counts)
    low, high = kec.iloc[0], kec.iloc[-1]

    def estimate(row: pd.Series) -> str:
        return fmt_estimate(
            row["aware_tk_kecamatan"],
            row["aware_tk_kecamatan_lo"],
            row["aware_tk_kecamatan_hi"],
            lang,
        )

    return _md(
        "aw_map_sentence",
        lang,
        **counts,
        kec_low=low["kecamatan"],
        kec_low_v=estimate(low),
        kec_high=high["kecamatan"],
        kec_high_v=estimate(high),
    )


def reasons_text(rs: pd.DataFrame, lang: str = "id", min_n: int = DEFAULT_MIN_N):
    """The top three reasons in one sentence (or why there is no ranking)."""
    shown = rs[~rs["suppressed"].astype(bool)] if len(rs) else rs
    if len(shown) < 3:
        return _md("aw_reasons_too_few", lang, k=min_n)
    label = f"label_{lang}"
    top = shown.head(3).reset_index(drop=True)
    return _md(
        "aw_reasons_sentence",
        lang,
        n=fmt_int(top.loc[0, "respondents"], lang),
        **{
            name: (
                top.loc[i, label][:1].lower() + top.loc[i, label][1:] if i else top.loc[i, label]
            )
            for i, name in enumerate(("top", "second", "third"))
        },
        **{
            f"{name}_v": fmt_pct(top.loc[i, "share"], lang, 0)
            for i, name in enumerate(("top", "second", "third"))
        },
    )


def priority_text(prio: pd.DataFrame, lang: str = "id", min_n: int = DEFAULT_MIN_N):
    """The first three kelurahan to visit, and how the score is made."""
    ranked = prio[prio["rank"].notna()].head(3)
    if len(ranked) < 3:
        return _md("aw_priority_none", lang, k=min_n)
    names = [f"{r.kelurahan} ({r.kecamatan})" for r in ranked.itertuples()]
    return _md("aw_priority_sentence", lang, first=names[0], second=names[1], third=names[2])


def _cards(month: Month, lang: str = "id") -> Cards:
    """The cover's awareness figure (the gap between knowing BPJS Kesehatan and BPJS
    Ketenagakerjaan), the summary sentence on why people are not covered, and the next steps:
    the kelurahan first on the priority list, each with its reasons."""
    a = results(month)
    survey, min_n = a.survey, a.min_n
    card = {"label": t("aw_card_gap", lang), "page": "03_awareness_gaps", "rank": "20"}
    if survey.empty:
        return Cards([card | {"value": "–", "note": t("aw_card_no_survey", lang)}])
    city = gap(survey, None, min_n=min_n).iloc[0]
    if pd.isna(city["aware_gap"]):
        return Cards([card | {"value": "–", "note": t("aw_card_too_few", lang, k=min_n)}])
    card |= {
        "value": t("aw_card_points", lang, points=points(city["aware_gap"], lang)),
        "note": t(
            "aw_card_gap_note",
            lang,
            kes=fmt_pct(city["aware_kesehatan"], lang, 0),
            tk=fmt_pct(city["aware_tk"], lang, 0),
            n=fmt_int(city["respondents"], lang),
        ),
    }
    summary = [_summary_why(a, city, month.reference_dir, lang)]
    return Cards([card], summary=summary, steps=_steps(a, coverage.universe(month), lang))


def _summary_why(a: AwarenessMonth, city: pd.Series, reference_dir, lang: str) -> dict:
    """Why workers are not covered, in one sentence: who knows the programme, the main reason."""
    why = reasons(a.survey, min_n=a.min_n, reference_dir=reference_dir)
    shown = why[~why["suppressed"].astype(bool)] if len(why) else why
    reason = ""
    if len(shown):
        top = shown.iloc[0]
        label = str(top[f"label_{lang}"])
        reason = t(
            "aw_summary_reason",
            lang,
            reason=label[:1].lower() + label[1:],
            share=fmt_pct(top["share"], lang, 0),
        )
    text = t(
        "aw_summary_why",
        lang,
        tk=fmt_pct(city["aware_tk"], lang, 0),
        kes=fmt_pct(city["aware_kesehatan"], lang, 0),
        reason=reason,
    )
    return {"rank": 30, "text": text}


def _steps(a: AwarenessMonth, universe: Universe, lang: str, n: int = 3) -> list[dict]:
    """The first kelurahan of the priority list, with their workers not covered (as the
    coverage universe publishes them) and how many people there know BPJS Ketenagakerjaan."""
    table = priority_table(priority(a.coverage, a.kelurahan, a.min_n), universe, lang, n)
    steps = []
    cols = {c.key: c for c in table.cols}
    for i, row in table.data.iterrows():
        aware = t(
            "aw_step_aware" if row["basis"] == "kelurahan" else "aw_step_aware_kecamatan",
            lang,
            pct=table.text(cols["aware_tk"], i),
        )
        steps.append(
            {
                "rank": i + 1,
                "code": str(row["kode_kelurahan"]),
                "place": row["place"],
                "reasons": [
                    uncovered_step(table.text(cols["uncovered"], i), lang),
                    aware,
                ],
                "href": "03_awareness_gaps.html",
            }
        )
    return steps


# ------------------------------------------------------------------ the page's sections


def _no_survey(a: AwarenessMonth, lang: str) -> Section | None:
    """One plain sentence instead of a section's figures when there is no survey this month, or
    fewer respondents in the whole survey than a share needs (`min_n`); None otherwise."""
    if a.survey.empty:
        return Section([md("aw_nothing", lang)])
    if len(a.survey) < a.min_n:
        return Section([md("few_respondents", lang, n=fmt_int(len(a.survey), lang), k=a.min_n)])
    return None


def section_intro(month: Month, lang: str = "id") -> Section:
    """Who answered this month's survey, or a plain sentence that there is no survey."""
    a = results(month)
    return Section(
        [
            area_note(month, lang),
            intro({"survey": a.survey, "quality": a.quality}, a.units, month.period, lang),
        ]
    )


def section_gap(month: Month, lang: str = "id") -> Section:
    """The gap in one sentence and one chart (or a plain 'no survey this month')."""
    a = results(month)
    if (none := _no_survey(a, lang)) is not None:
        return none
    panel = gap_panel(a.survey, a.units, lang, a.min_n, month.place)
    series = {
        "aware_kesehatan": t("aw_series_kesehatan", lang),
        "aware_tk": t("aw_series_tk", lang),
    }
    chart = charts.dot_intervals(
        panel,
        series,
        t("aw_gap_title", lang),
        t("aw_gap_x", lang),
        fmt=percent(lang),
        sections="section",
        missing=t("aw_too_few", lang, k=a.min_n),
        note=t("aw_interval_note", lang, k=a.min_n),
        empty=t("few_respondents", lang, n=fmt_int(len(a.survey), lang), k=a.min_n),
    )
    return Section([gap_text(panel, lang, month.place), chart])


def section_funnel(month: Month, lang: str = "id") -> Section:
    """Aware → knows a benefit → enrolled: one sentence and the funnel chart."""
    a = results(month)
    if (none := _no_survey(a, lang)) is not None:
        return none
    fun = funnel(a.survey, min_n=a.min_n)
    steps = funnel_labels(fun, lang)
    chart = charts.bars_intervals(
        steps["share"],
        steps["lo"],
        steps["hi"],
        t("aw_funnel_title", lang),
        t("aw_funnel_x", lang),
        fmt=percent(lang),
        sort=False,
        annotations=steps["annotation"],
        note=funnel_note(a.survey, lang, a.min_n),
        empty=t("few_respondents", lang, n=fmt_int(len(a.survey), lang), k=a.min_n),
    )
    return Section([funnel_text(fun, lang), chart])


def section_map(month: Month, lang: str = "id") -> Section:
    """Awareness of BPJS Ketenagakerjaan by kelurahan: a sentence and the map (few respondents hatched)."""
    a = results(month)
    if (none := _no_survey(a, lang)) is not None:
        return none
    by_kel = a.kelurahan.set_index("kode_kelurahan")
    chart = maps.choropleth(
        by_kel["aware_tk"],
        MAP_BREAKS,
        t("aw_map_title", lang),
        t("aw_map_legend", lang),
        lang,
        fmt=percent(lang),
        suppressed=pd.Series(is_small(by_kel["respondents"], a.min_n), index=by_kel.index),
        note=t("aw_map_note", lang, k=a.min_n),
        region=month.region,
        reference_dir=month.reference_dir,
        empty=t("few_respondents_kelurahan", lang, k=a.min_n),
    )
    return Section([map_text(a.kelurahan, a.min_n, lang), chart])


def section_reasons(month: Month, lang: str = "id") -> Section:
    """Why people do not enrol, ranked: a sentence and a chart."""
    a = results(month)
    if (none := _no_survey(a, lang)) is not None:
        return none
    why = reasons(a.survey, min_n=a.min_n, reference_dir=month.reference_dir)
    out = Section([reasons_text(why, lang, a.min_n)])
    shown = why[~why["suppressed"].astype(bool)].set_index(f"label_{lang}")
    if len(shown):
        out.append(
            charts.bars_intervals(
                shown["share"],
                shown["lo"],
                shown["hi"],
                t("aw_reasons_title", lang),
                t("aw_reasons_x", lang),
                fmt=percent(lang),
                color=charts.PALETTE["accent"],
                note=t("aw_reasons_note", lang),
            )
        )
    return out


def section_priority(month: Month, lang: str = "id") -> Section:
    """Where to go first: a sentence, the priority table and its notes."""
    a = results(month)
    if (none := _no_survey(a, lang)) is not None:
        return none
    prio = priority(a.coverage, a.kelurahan, a.min_n)
    if prio["rank"].isna().all():  # no kelurahan or kecamatan with enough respondents
        return Section([priority_text(prio, lang, a.min_n)])
    s = month.settings
    return Section(
        [
            priority_text(prio, lang, a.min_n),
            priority_table(prio, coverage.universe(month), lang, s.top),
            md("aw_priority_note", lang, k=a.min_n),
            md("suppressed_note", lang, k=s.min_cell),
        ]
    )


def section_method(month: Month, lang: str = "id") -> Section:
    """How the figures are computed, with this page's settings."""
    s = month.settings
    return Section([md("aw_method", lang, min_n=s.min_n, min_cell=s.min_cell)])


#: The analysts' kelurahan table: estimates shown with their 95% interval.
_ANALYST_SHARES = ("aware_kesehatan", "aware_tk", "aware_gap", "knows_benefit", "enrolled")


def kelurahan_estimates(kel: pd.DataFrame, lang: str = "id") -> pd.DataFrame:
    """Every kelurahan's respondents and estimates as '24% (21–28%)', column names in `lang`
    (for analysts: no minimum applied; the explore notebook has them as sortable numbers)."""
    out = pd.DataFrame(
        {
            t("col_kelurahan", lang): kel["kelurahan"],
            t("col_kecamatan", lang): kel["kecamatan"],
            t("ex_col_respondents", lang): kel["respondents"].map(lambda v: fmt_int(v, lang)),
        }
    )
    for name in _ANALYST_SHARES:
        out[t(f"ex_col_{name}", lang)] = [
            fmt_pct(v, lang, 0) if pd.isna(lo) or pd.isna(hi) else fmt_estimate(v, lo, hi, lang)
            for v, lo, hi in zip(kel[name], kel[f"{name}_lo"], kel[f"{name}_hi"], strict=True)
        ]
    return out.reset_index(drop=True)


def section_kelurahan(month: Month, lang: str = "id") -> Section:
    """For analysts only: every kelurahan's estimates with their intervals, no minimum applied."""
    return Section([analyst_table(kelurahan_estimates(results(month).kelurahan, lang))])


def cover_cards(month: Month, lang: str = "id") -> Cards:
    """The cover page's awareness figure: the gap between knowing BPJS Kesehatan and BPJS Ketenagakerjaan."""
    return _cards(month, lang)
