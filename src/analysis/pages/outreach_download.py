"""The visit plan as a file field staff can download: one function makes the table (counts only,
through the disclosure gate), one writes it, one links it from the page.

The page carries the file inside its link (a `data:` address), so the single HTML page stays
self-contained offline and the published folder keeps its list of files. When the report gets
a writer for every published table, `visit_plan_file` is what it should be handed: it returns
the file name and the table, nothing else.
"""

from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import quote

import pandas as pd
from IPython.display import HTML

from analysis.metrics.visit_plan import month_plan, next_period
from analysis.month import Month
from analysis.pages.outreach_plan import download_table
from analysis.pages.text import t

#: Spreadsheet programs open UTF-8 CSV with its accents only when it starts with a byte-order mark.
ENCODING = "utf-8-sig"


def visit_plan_file(month: Month, lang: str = "id") -> tuple[str, pd.DataFrame]:
    """The download: its file name (`rencana_kunjungan_2026-11.csv`) and the published table."""
    plan = month_plan(month)
    name = f"{t('out_dl_file', lang)}_{next_period(month.period)}.csv"
    return name, download_table(plan, lang, month.settings.min_cell)


def csv_text(frame: pd.DataFrame) -> str:
    """The table as CSV text (comma-separated, quoted where needed, no index)."""
    return frame.to_csv(index=False, lineterminator="\n")


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write a published table as CSV that spreadsheet programs and pandas open as they are."""
    path.write_text(csv_text(frame), encoding=ENCODING)
    return path


def download_link(name: str, frame: pd.DataFrame, label: str) -> HTML:
    """A link that downloads the table as a CSV file, carried inside the page (works offline)."""
    data = quote("\ufeff" + csv_text(frame), safe="")
    return HTML(
        f'<p><a download="{html.escape(name)}" href="data:text/csv;charset=utf-8,{data}">'
        f"⬇ {html.escape(label)}</a></p>"
    )
