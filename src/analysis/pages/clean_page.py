"""Data-quality summaries for notebook 01, from quality.json only (so they hold no personal data).

The tables count rows of files, not people, so they pass the disclosure gate as exempt; place
names are the canonical kelurahan a spelling was matched to, never the text as typed.
"""

from __future__ import annotations

import pandas as pd

from analysis.month import Month
from analysis.pages import charts
from analysis.pages.published import Col, PublishedTable, published
from analysis.pages.text import Cards, Section, fmt_int, fmt_month, fmt_pct, md, t
from analysis.paths import RAW_STEMS

#: Why the data-quality tables hold no counts of people (the gate's exemption).
ROWS_NOT_PEOPLE = "rows of the raw files by outcome: data quality, not counts of people"


@published("baris_per_berkas")
def rows_table(quality: dict, lang: str = "id") -> PublishedTable:
    """Rows in → clean / quarantined / exact duplicates, per raw file, with the share kept."""
    rows = []
    for stem in RAW_STEMS:
        q = quality[stem]
        name = t("file_" + stem, lang)
        rows.append(
            {
                "file": name if q["file"] else f"{name} ({t('q_not_present', lang)})",
                **{
                    k: q[k] for k in ("rows_in", "rows_clean", "rows_quarantined", "rows_duplicate")
                },
                "share": q["rows_clean"] / q["rows_in"] if q["rows_in"] else None,
            }
        )
    cols = [
        Col("file", t("q_file", lang)),
        Col("rows_in", t("q_rows_in", lang), "int"),
        Col("rows_clean", t("q_rows_clean", lang), "int"),
        Col("rows_quarantined", t("q_rows_quarantined", lang), "int"),
        Col("rows_duplicate", t("q_rows_duplicate", lang), "int"),
        Col("share", t("q_share_clean", lang), "pct"),
    ]
    return PublishedTable(t("q_tbl_rows", lang), cols, pd.DataFrame(rows), lang).gated(
        exempt=ROWS_NOT_PEOPLE
    )


def totals(quality: dict) -> dict[str, int]:
    """The four row counts summed over the files."""
    keys = ("rows_in", "rows_clean", "rows_quarantined", "rows_duplicate")
    return {k: sum(quality[s][k] for s in RAW_STEMS) for k in keys}


def rules_long(quality: dict) -> pd.DataFrame:
    """Quarantined rows per file and rule (long format, for the chart)."""
    rows = [
        {"file": stem, "rule": rule, "rows": n}
        for stem in RAW_STEMS
        for rule, n in quality[stem].get("quarantined_by_rule", {}).items()
    ]
    return pd.DataFrame(rows, columns=["file", "rule", "rows"])


@published("alasan_karantina")
def rules_table(quality: dict, lang: str = "id") -> PublishedTable:
    """Quarantined rows by reason (rows) and file (columns), most frequent first."""
    long = rules_long(quality)
    stems = [s for s in RAW_STEMS if s in set(long["file"])]
    wide = (
        long.pivot_table(index="rule", columns="file", values="rows", aggfunc="sum", fill_value=0)
        .reindex(columns=stems)
        .assign(total=lambda w: w.sum(axis=1))
        .sort_values("total", ascending=False)
        if len(long)
        else pd.DataFrame(columns=[*stems, "total"])
    )
    data = wide.reset_index(drop=True)
    data.insert(0, "reason", [t(f"rule_{r}", lang) for r in wide.index])
    cols = [
        Col("reason", t("q_reason", lang)),
        *[Col(s, t(f"file_{s}", lang), "int") for s in stems],
        Col("total", t("total", lang), "int"),
    ]
    return PublishedTable(t("q_tbl_rules", lang), cols, data, lang).gated(exempt=ROWS_NOT_PEOPLE)


@published("kelurahan_dicocokkan")
def matches_table(quality: dict, lang: str = "id") -> PublishedTable:
    """Kelurahan names matched by alias or by a close spelling: what they became, how, how many
    rows (the spellings as typed are raw input and are not published)."""
    matches = pd.DataFrame(
        quality.get("kelurahan_matches", []), columns=["kelurahan", "method", "score", "rows"]
    )
    grouped = (
        matches.groupby(["kelurahan", "method"], sort=False)
        .agg(score=("score", "min"), rows=("rows", "sum"))
        .reset_index()
        .sort_values(["method", "score", "kelurahan"], ascending=[False, True, True])
        .reset_index(drop=True)
    )
    grouped["method"] = grouped["method"].map(lambda m: t(f"method_{m}", lang))
    cols = [
        Col("kelurahan", t("q_matched", lang)),
        Col("method", t("q_method", lang)),
        Col("score", t("q_score", lang), "int"),
        Col("rows", t("col_rows", lang), "int"),
    ]
    table = PublishedTable(t("q_tbl_matches", lang), cols, grouped, lang)
    return table.gated(exempt="kelurahan spellings matched: rows of files, not counts of people")


def headline(quality: dict, lang: str = "id"):
    """One paragraph: rows read, kept, quarantined, dropped as exact duplicates (Markdown)."""
    n = {k: fmt_int(v, lang) for k, v in totals(quality).items()}
    return md("clean_headline", lang, month=fmt_month(quality["period"], lang), **n)


def links_text(quality: dict, workers: int, lang: str = "id"):
    """One paragraph: roster workers found in the participant data, active, effectively covered,
    and how that count relates to the declared workers every other page counts over (Markdown)."""
    links = quality["links"]
    roster = int(links["roster_workers"])
    return md(
        "clean_links",
        lang,
        month=fmt_month(quality["period"], lang),
        workers=fmt_int(roster, lang),
        declared=fmt_int(workers, lang),
        unlisted=fmt_int(max(workers - roster, 0), lang),
        rate_roster=fmt_pct(links["effective"] / roster, lang) if roster else "–",
        rate_declared=fmt_pct(links["effective"] / workers, lang) if workers else "–",
        **{k: fmt_int(links[k], lang) for k in ("registered", "active", "effective")},
    )


def quarantine_sample(quarantine: pd.DataFrame, n: int = 20) -> pd.DataFrame:
    """The first quarantined rows of each rule with file, row number and reason (for analysts)."""
    return (
        quarantine.groupby("rule", sort=True)
        .head(max(1, n // max(1, quarantine["rule"].nunique())))
        .reset_index(drop=True)
    )


def _cards(quality: dict, lang: str = "id") -> Cards:
    """The cover page's data-quality figure: the share of raw rows kept (for the report's cover)."""
    n = totals(quality)
    share = n["rows_clean"] / n["rows_in"] if n["rows_in"] else None
    note = t(
        "card_rows_note",
        lang,
        clean=fmt_int(n["rows_clean"], lang),
        rows_in=fmt_int(n["rows_in"], lang),
        quarantined=fmt_int(n["rows_quarantined"], lang),
    )
    return Cards(
        [
            {
                "label": t("card_rows", lang),
                "value": fmt_pct(share, lang),
                "note": note,
                "page": "01_clean_registry",
                "rank": "90",
            }
        ]
    )


# ------------------------------------------------------------------ the page's sections


def section_headline(month: Month, lang: str = "id") -> Section:
    """Rows read, kept, quarantined and dropped as exact duplicates, in one paragraph."""
    return Section([headline(month.quality, lang)])


def section_rows(month: Month, lang: str = "id") -> Section:
    """Rows in → clean / quarantined / duplicates, per raw file."""
    return Section([rows_table(month.quality, lang)])


def section_rules(month: Month, lang: str = "id") -> Section:
    """Why rows were quarantined: a chart by rule and file, and the table with what each rule means."""
    return Section(
        [
            charts.quarantine_chart(rules_long(month.quality), lang),
            rules_table(month.quality, lang),
        ]
    )


def section_quarantine_sample(month: Month, lang: str = "id") -> Section:
    """For analysts only: the first quarantined rows of each rule (file, row number, reason)."""
    return Section([quarantine_sample(month.table("quarantine"))])


def section_matches(month: Month, lang: str = "id") -> Section:
    """Kelurahan names matched by alias or by a close spelling."""
    table = matches_table(month.quality, lang)
    return Section([table if len(table) else md("clean_no_matches", lang)])


def section_links(month: Month, lang: str = "id") -> Section:
    """Roster workers found in the participant data, active and effectively covered."""
    workers = int(month.table("coverage_kelurahan")["workers"].sum())
    return Section([links_text(month.quality, workers, lang)])


def cover_cards(month: Month, lang: str = "id") -> Cards:
    """The cover page's data-quality figure: the share of raw rows kept."""
    return _cards(month.quality, lang)
