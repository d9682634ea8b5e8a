"""Data-quality summaries for notebook 01, from quality.json only (so they hold no personal data).

The tables count rows of files, not people, so they pass the disclosure gate as exempt; place
names are the canonical kelurahan a spelling was matched to, never the text as typed.
"""

from __future__ import annotations

import pandas as pd

from analysis.metrics.disclosure import Published, gate
from analysis.month import Month
from analysis.pages import charts
from analysis.pages.text import Cards, Section, fmt_int, fmt_month, fmt_pct, md, t, table
from analysis.paths import RAW_STEMS

#: Why the data-quality tables hold no counts of people (the gate's exemption).
ROWS_NOT_PEOPLE = "rows of the raw files by outcome: data quality, not counts of people"


def rows_table(quality: dict, lang: str = "id") -> Published:
    """Rows in → clean / quarantined / exact duplicates, per raw file, with the share kept."""
    rows = []
    for stem in RAW_STEMS:
        q = quality[stem]
        rows.append(
            {
                t(
                    "q_file", lang
                ): f"{t('file_' + stem, lang)} ({q['file'] or t('q_not_present', lang)})",
                t("q_rows_in", lang): fmt_int(q["rows_in"], lang),
                t("q_rows_clean", lang): fmt_int(q["rows_clean"], lang),
                t("q_rows_quarantined", lang): fmt_int(q["rows_quarantined"], lang),
                t("q_rows_duplicate", lang): fmt_int(q["rows_duplicate"], lang),
                t("q_share_clean", lang): fmt_pct(q["rows_clean"] / q["rows_in"], lang)
                if q["rows_in"]
                else "–",
            }
        )
    return gate(pd.DataFrame(rows), "quality.rows", exempt=ROWS_NOT_PEOPLE)


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


def rules_table(quality: dict, lang: str = "id") -> Published:
    """Quarantined rows by rule (rows) and file (columns), with what each rule means."""
    long = rules_long(quality)
    if long.empty:
        return gate(pd.DataFrame(), "quality.rules", exempt=ROWS_NOT_PEOPLE)
    wide = long.pivot_table(
        index="rule", columns="file", values="rows", aggfunc="sum", fill_value=0
    )
    wide = wide.reindex(columns=[s for s in RAW_STEMS if s in wide.columns])
    wide[t("total", lang)] = wide.sum(axis=1)
    wide = wide.sort_values(t("total", lang), ascending=False)
    out = wide.map(lambda v: fmt_int(v, lang))
    out.columns = [t(f"file_{c}", lang) if c in RAW_STEMS else c for c in out.columns]
    out.insert(0, t("q_what", lang), [t(f"rule_{r}", lang) for r in wide.index])
    out.index.name = t("q_rule", lang)
    return gate(out.reset_index(), "quality.rules", exempt=ROWS_NOT_PEOPLE)


def matches_table(quality: dict, lang: str = "id") -> Published:
    """Kelurahan matched by alias or fuzzy match: the canonical name, how, how many different
    spellings and rows (the spellings themselves are analyst-only, never published)."""
    matches = pd.DataFrame(quality.get("kelurahan_matches", []))
    exempt = "kelurahan spellings matched: rows of files, not counts of people"
    if matches.empty:
        return gate(pd.DataFrame(), "quality.matches", exempt=exempt)
    grouped = (
        matches.groupby(["kelurahan", "method"], sort=False)
        .agg(spellings=("spellings", "sum"), score=("score", "min"), rows=("rows", "sum"))
        .reset_index()
        .sort_values(["method", "score", "kelurahan"], ascending=[False, True, True])
    )
    frame = pd.DataFrame(
        {
            t("q_matched", lang): grouped["kelurahan"],
            t("q_method", lang): grouped["method"].map(lambda m: t(f"method_{m}", lang)),
            t("q_spellings", lang): grouped["spellings"].map(lambda v: fmt_int(v, lang)),
            t("q_score", lang): grouped["score"].map(lambda v: fmt_int(v, lang)),
            t("col_rows", lang): grouped["rows"].map(lambda v: fmt_int(v, lang)),
        }
    )
    return gate(frame, "quality.matches", exempt=exempt)


def headline(quality: dict, lang: str = "id"):
    """One paragraph: rows read, kept, quarantined, dropped as exact duplicates (Markdown)."""
    n = {k: fmt_int(v, lang) for k, v in totals(quality).items()}
    return md("clean_headline", lang, month=fmt_month(quality["period"], lang), **n)


def links_text(quality: dict, lang: str = "id"):
    """One paragraph: roster workers found in the participant extract, active, effectively covered (Markdown)."""
    links = quality["links"]
    return md(
        "clean_links",
        lang,
        month=fmt_month(quality["period"], lang),
        workers=fmt_int(links["roster_workers"], lang),
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
            }
        ]
    )


# ------------------------------------------------------------------ the page's sections


def section_headline(month: Month, lang: str = "id") -> Section:
    """Rows read, kept, quarantined and dropped as exact duplicates, in one paragraph."""
    return Section([headline(month.quality, lang)])


def section_rows(month: Month, lang: str = "id") -> Section:
    """Rows in → clean / quarantined / duplicates, per raw file."""
    return Section([table(rows_table(month.quality, lang))])


def section_rules(month: Month, lang: str = "id") -> Section:
    """Why rows were quarantined: a chart by rule and file, and the table with what each rule means."""
    return Section(
        [
            charts.quarantine_chart(rules_long(month.quality), lang),
            table(rules_table(month.quality, lang)),
        ]
    )


def section_quarantine_sample(month: Month, lang: str = "id") -> Section:
    """For analysts only: the first quarantined rows of each rule (file, row number, reason)."""
    return Section([quarantine_sample(month.table("quarantine"))])


def section_matches(month: Month, lang: str = "id") -> Section:
    """Kelurahan names matched by alias or fuzzy match."""
    return Section([table(matches_table(month.quality, lang)), md("q_matches_note", lang)])


def section_links(month: Month, lang: str = "id") -> Section:
    """Roster workers found in the participant extract, active and effectively covered."""
    return Section([links_text(month.quality, lang)])


def cover_cards(month: Month, lang: str = "id") -> Cards:
    """The cover page's data-quality figure: the share of raw rows kept."""
    return _cards(month.quality, lang)
