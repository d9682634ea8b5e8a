"""Report language: message catalogues (Indonesian by default, English) and babel number/date formats.

Messages live in `messages/<topic>.json` as {"key": {"id": "...", "en": "..."}} with
`str.format` fields; `t("key", lang, n=...)` looks one up. Numbers and dates are formatted
with babel in the report's locale: Rp1.802.700, 44,2%, 12 Oktober 2026 in Indonesian.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import date
from functools import lru_cache
from pathlib import Path

import pandas as pd
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

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


def fmt_rp(x: float | None, lang: str = "id") -> str:
    """Rupiah without decimals: Rp1.802.700 (id), Rp1,802,700 (en)."""
    if _missing(x):
        return "–"
    sign = "-" if x < 0 else ""
    return f"{sign}Rp{format_decimal(round(abs(float(x))), '#,##0', locale=LOCALE[lang])}"


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
    """Show a message as Markdown in a notebook (the published page shows it as text)."""
    from IPython.display import Markdown

    return Markdown(t(key, lang, **fields))


def table(frame: pd.DataFrame):
    """A table for the page: no index column, text left and numbers right (values already formatted)."""
    from IPython.display import HTML, Markdown

    if frame.empty:
        return Markdown("–")
    numeric = [
        c
        for c in frame.columns
        if frame[c].astype(str).str.match(r"^(<\d|[-–x]$|Rp|-?\d)").mean() > 0.8
    ]
    uid = hashlib.sha256(frame.to_csv().encode()).hexdigest()[
        :8
    ]  # not random: reruns give identical pages
    styler = frame.style.set_uuid(uid).hide(axis="index").set_properties(**{"text-align": "left"})
    if numeric:
        styler = styler.set_properties(subset=numeric, **{"text-align": "right"})
    return HTML(styler.to_html())


#: Mimetype of the cover-page figures a notebook hands to the report (see `Cards`).
CARDS_MIME = "application/vnd.umkm-bpjstk.cards+json"


class Cards:
    """Headline figures for the report's cover page, shown as a list in JupyterLab.

    A notebook's last cell (tagged `remove`, so it is not on its own page) displays them; the
    report reads them back from the executed notebook, so the cover shows exactly the
    numbers the pages computed.
    """

    def __init__(self, cards: list[dict[str, str]]):
        self.cards = [{k: str(v) for k, v in c.items() if v is not None} for c in cards]

    def _repr_mimebundle_(self, include=None, exclude=None):
        lines = [
            f"- **{c['label']}**: {c['value']}" + (f" — {c['note']}" if c.get("note") else "")
            for c in self.cards
        ]
        return {
            CARDS_MIME: self.cards,
            "text/markdown": "\n".join(lines),
            "text/plain": "\n".join(lines),
        }
