"""Report language: message catalogues (Indonesian by default, English) and babel number/date formats.

Messages live in `messages/<topic>.json` as {"key": {"id": "...", "en": "..."}} with
`str.format` fields; `t("key", lang, n=...)` looks one up. Numbers and dates are formatted
with babel in the report's locale: Rp1.802.700, 44,2%, 12 Oktober 2026 in Indonesian.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date
from functools import lru_cache
from html import escape
from pathlib import Path
from urllib.parse import quote

import pandas as pd
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_compact_decimal, format_decimal, format_percent
from IPython.display import HTML, Markdown, display

from analysis.metrics.disclosure import COUNTS_ATTRIBUTE, HIDDEN_MARK, MARK_ATTRIBUTE, Published

LANGS = ("id", "en")
LOCALE = {"id": "id_ID", "en": "en_US"}
MESSAGES_DIR = Path(__file__).with_name("messages")


def check_lang(lang: str) -> str:
    """Return `lang` if the report can be written in it, else raise ValueError."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    return lang


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """All messages of all topics; a key defined twice is an error."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(MESSAGES_DIR.glob("*.json")):
        for key, value in json.loads(path.read_text(encoding="utf-8")).items():
            if key in merged:
                raise KeyError(f"message {key!r} is defined twice ({path.name})")
            merged[key] = value
    return merged


def t(key: str, lang: str = "id", **fields: object) -> str:
    """The message `key` in `lang`, with its fields filled in."""
    entry = catalogue()[key]
    return entry[check_lang(lang)].format(**fields) if fields else entry[check_lang(lang)]


def uncovered_step(n: str, lang: str = "id") -> str:
    """'{n} workers not covered' in a next step, `n` as published; a count hidden with an 'x'
    (it would let a smaller hidden count be worked out) is said in words, not as a letter."""
    if n == HIDDEN_MARK:
        return t("cov_step_uncovered_hidden", lang)
    return t("cov_step_uncovered", lang, n=n)


def _missing(x: object) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def fmt_int(x: float | int | None, lang: str = "id") -> str:
    """A whole number with the locale's grouping: 12.345 (id), 12,345 (en); '–' when missing."""
    return "–" if _missing(x) else format_decimal(round(float(x)), "#,##0", locale=LOCALE[lang])


def fmt_num(x: float | None, lang: str = "id", digits: int = 1) -> str:
    """A decimal number: 1,5 (id), 1.5 (en)."""
    return (
        "–"
        if _missing(x)
        else format_decimal(x, "#,##0." + "0" * digits if digits else "#,##0", locale=LOCALE[lang])
    )


def fmt_pct(x: float | None, lang: str = "id", digits: int = 1) -> str:
    """A share as a percentage: 0.442 → 44,2% (id), 44.2% (en)."""
    pattern = "#,##0." + "0" * digits + "%" if digits else "#,##0%"
    return "–" if _missing(x) else format_percent(x, pattern, locale=LOCALE[lang])


def fmt_share(x: float | None, lang: str = "id") -> str:
    """A share as a percentage with the decimals it needs: one from 1% up, two below (0,39%; 1,4%)."""
    if _missing(x):
        return "–"
    return fmt_pct(x, lang, digits=1 if x >= 0.01 or x == 0 else 2)


def fmt_points(x: float | None, lang: str = "id") -> str:
    """A change in percentage points with its sign: '+1,2', '-0,4' (id); '+1.2' (en)."""
    if _missing(x):
        return "–"
    return ("+" if x >= 0 else "") + fmt_num(x, lang, 1)


def fmt_interval(low: float | None, high: float | None, lang: str = "id", digits: int = 1) -> str:
    """A 95% interval of shares: '12,3%–14,5%'; '–' when missing."""
    if _missing(low) or _missing(high):
        return "–"
    return f"{fmt_pct(low, lang, digits)}–{fmt_pct(high, lang, digits)}"


def fmt_estimate(share: float | None, low: float, high: float, lang: str = "id") -> str:
    """A share with its interval, in whole percent: '24% (21–28%)'; '–' when missing."""
    if _missing(share):
        return "–"
    return (
        f"{fmt_pct(share, lang, 0)} ({fmt_pct(low, lang, 0).rstrip('%')}–{fmt_pct(high, lang, 0)})"
    )


def fmt_threshold(x: float, lang: str = "id") -> str:
    """A threshold as a percentage without needless decimals: 2%, 2,5%."""
    return fmt_pct(x, lang, digits=0 if round(x * 100, 6) == round(x * 100) else 1)


def fmt_list(items: list[str], lang: str = "id") -> str:
    """'a, b, dan c' / 'a, b, and c' (babel)."""
    return format_list(items, locale=LOCALE[lang]) if items else "–"


def fmt_rp(x: float | None, lang: str = "id") -> str:
    """Rupiah without decimals: Rp1.802.700 (id), Rp1,802,700 (en)."""
    if _missing(x):
        return "–"
    sign = "-" if x < 0 else ""
    return f"{sign}Rp{format_decimal(round(abs(float(x))), '#,##0', locale=LOCALE[lang])}"


def fmt_rp_compact(x: float | None, lang: str = "id") -> str:
    """Large Rupiah amounts in words: Rp3,2 miliar, Rp604,8 juta (id); Rp3.2 billion (en)."""
    if _missing(x):
        return "–"
    if abs(x) < 1_000_000:
        return fmt_rp(x, lang)
    return "Rp" + format_compact_decimal(
        x, format_type="long", fraction_digits=1, locale=LOCALE[lang]
    )


def fmt_date(d: date | pd.Timestamp | str, lang: str = "id") -> str:
    """A day: 12 Oktober 2026 (id), 12 October 2026 (en)."""
    return format_date(pd.Timestamp(d).date(), "d MMMM y", locale=lang)


def fmt_month(period: str | date | pd.Timestamp, lang: str = "id") -> str:
    """A month: Oktober 2026 (id), October 2026 (en)."""
    day = (
        pd.Timestamp(f"{period}-01")
        if isinstance(period, str) and len(period) == 7
        else pd.Timestamp(period)
    )
    return format_date(day.date(), "MMMM y", locale=lang)


def md(key: str, lang: str = "id", **fields: object):
    """Show a message as Markdown in a notebook (the published page shows it as text); field
    values are HTML-escaped, so a value can never become markup on the page."""
    safe = {k: escape(v) if isinstance(v, str) else v for k, v in fields.items()}
    return Markdown(t(key, lang, **safe))


#: Mimetype of a published table's audit record (cells, statuses, relations; no hidden value),
#: which the report collects from the executed notebooks (`analysis.report.audit`).
TABLE_MIME = "application/vnd.umkm-bpjstk.published-table+json"
_NUMERIC = re.compile(r"^(<\d|[-–x]$|Rp|[-+]?\d)")


def _html_table(frame: pd.DataFrame, attrs: str) -> str:
    """`<table class="report-table" attrs>` of a formatted frame: every text HTML-escaped, no
    index, text left and numbers right."""
    cols = list(frame.columns)
    right = [frame[c].astype(str).str.match(_NUMERIC).mean() > 0.8 for c in cols]
    style = ['style="text-align:right"' if r else 'style="text-align:left"' for r in right]
    head = "".join(f"<th {a}>{escape(str(c))}</th>" for c, a in zip(cols, style, strict=True))
    body = "".join(
        "<tr>"
        + "".join(f"<td {a}>{escape(str(v))}</td>" for v, a in zip(row, style, strict=True))
        + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return (
        f'<table class="report-table" {attrs}><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def mark_attributes(published: Published) -> str:
    """The gate's mark of a table wherever it goes: its digest and its count columns."""
    cols = list(published.frame.columns)
    counts = ",".join(str(cols.index(c)) for c in published.counts)
    return f'{MARK_ATTRIBUTE}="{published.digest}" {COUNTS_ATTRIBUTE}="{counts}"'


class Table:
    """A gated table as the page shows it: escaped HTML marked with the gate's digest, plus the
    audit record (a custom mimetype nbconvert leaves out of the page). `show=False` records a
    table that a map or chart publishes without showing it as a table."""

    def __init__(self, published: Published, show: bool = True):
        if not isinstance(published, Published):
            raise TypeError("a table reaches a page only through analysis.metrics.disclosure.gate")
        self.published, self.show = published, show

    def html(self) -> str:
        """`<table data-disclosure="digest" data-counts="…">`, every text HTML-escaped."""
        frame = self.published.frame
        if frame.empty or not self.show:
            return "<p>–</p>" if self.show else ""
        return _html_table(frame, mark_attributes(self.published))

    def _repr_mimebundle_(self, include=None, exclude=None):
        text = self.published.frame.to_string(index=False) if self.show else ""
        return {"text/html": self.html(), TABLE_MIME: self.published.record(), "text/plain": text}


def table(published: Published) -> Table:
    """A table for the page: gated (`disclosure.gate`), escaped, no index column, text left and
    numbers right (values already formatted)."""
    return Table(published)


def published_elsewhere(published: Published) -> Table:
    """The audit record of a table a map or chart publishes (nothing shown on the page)."""
    return Table(published, show=False)


#: The attribute of an analyst-only table: never gated, so the privacy scanner refuses it in
#: anything published (`analysis.report.privacy`).
ANALYST_ATTRIBUTE = "data-analyst-only"


def analyst_table(frame: pd.DataFrame) -> HTML:
    """A table for analysts in JupyterLab (the explore notebook, cells tagged `remove`): escaped
    like a page's table, but unmarked — it never reaches a published page (no minimum applied)."""
    if frame.empty:
        return HTML("<p>–</p>")
    return HTML(_html_table(frame, f'{ANALYST_ATTRIBUTE}="true"'))


class Download:
    """A gated table as a CSV file carried inside the page's link (a `data:` address, so the
    single HTML page stays self-contained offline): the link carries the gate's mark, which the
    privacy scanner checks against the file's cells, and the table's audit record."""

    #: Spreadsheet programs open UTF-8 CSV with its accents only when it starts with a BOM.
    BOM = "\ufeff"

    def __init__(self, published: Published, name: str, label: str):
        if not isinstance(published, Published):
            raise TypeError("a download leaves only through analysis.metrics.disclosure.gate")
        self.published, self.name, self.label = published, name, label

    def html(self) -> str:
        data = quote(self.BOM + self.published.csv_bytes().decode("utf-8"), safe="")
        return (
            f'<p><a download="{escape(self.name)}" {mark_attributes(self.published)} '
            f'href="data:text/csv;charset=utf-8,{data}">⬇ {escape(self.label)}</a></p>'
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {
            "text/html": self.html(),
            TABLE_MIME: self.published.record(),
            "text/plain": self.label,
        }


def download(published: Published, name: str, label: str) -> Download:
    """A link on the page that downloads a gated table as a CSV file (works offline)."""
    return Download(published, name, label)


class Section(list):
    """What one notebook cell shows: items (Markdown, tables, figures) displayed in order.

    Every page module offers `section_*(month, lang) -> Section`, so a notebook cell is one
    call; the page's sentences, tables and charts are built and tested in `analysis.pages`.
    """

    def _ipython_display_(self) -> None:
        for item in self:
            if item is not None:
                display(item)


#: Mimetype of the cover-page figures a notebook hands to the report (see `Cards`).
CARDS_MIME = "application/vnd.umkm-bpjstk.cards+json"
#: Mimetype of the cover's message: summary sentences, next steps and facts per kelurahan.
COVER_MIME = "application/vnd.umkm-bpjstk.cover+json"


class Cards:
    """Headline figures for the report's cover page, shown as a list in JupyterLab.

    A notebook's last cell (tagged `remove`, so it is not on its own page) displays them; the
    report reads them back from the executed notebook, so the cover shows exactly the
    numbers of the pages. Besides the figure cards (`rank`: their place on the cover, coverage
    first), a page may give summary sentences (`summary`: {"rank", "text"}, and
    "with_action": True for one that follows the cover's action sentence), next steps
    (`steps`: {"rank", "code", "place", "reasons", "href"}) and one more reason per kelurahan
    for a step made by another page (`facts`: kode_kelurahan → text).
    """

    def __init__(
        self,
        cards: list[dict[str, str]],
        summary: list[dict] | None = None,
        steps: list[dict] | None = None,
        facts: dict[str, str] | None = None,
    ):
        self.cards = [{k: str(v) for k, v in c.items() if v is not None} for c in cards]
        self.cover = {"summary": summary or [], "steps": steps or [], "facts": facts or {}}

    def _repr_mimebundle_(self, include=None, exclude=None):
        lines = [
            f"- **{c['label']}**: {c['value']}" + (f" — {c['note']}" if c.get("note") else "")
            for c in self.cards
        ]
        lines += [f"- {s['text']}" for s in self.cover["summary"]]
        lines += [f"- {s['place']}: {'; '.join(s['reasons'])}" for s in self.cover["steps"]]
        return {
            CARDS_MIME: self.cards,
            COVER_MIME: self.cover,
            "text/markdown": "\n".join(lines),
            "text/plain": "\n".join(lines),
        }
