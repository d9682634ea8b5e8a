"""The visit plan as a file field staff can download: one function makes the table (counts only,
through the disclosure gate), one writes it, one links it from the page.

The page carries the file inside its link (a `data:` address, `analysis.pages.text.download`),
so the single HTML page stays self-contained offline and the published folder keeps its list of
files; the link carries the gate's mark, which the privacy scanner checks against the file's
cells, and the table's audit record. When the report gets a writer for every published table,
`visit_plan_file` is what it should be handed: it returns the file name and the gated table
(`Published.download_entry` then marks it in the manifest).
"""

from __future__ import annotations

from pathlib import Path

from analysis.metrics.disclosure import Published
from analysis.metrics.visit_plan import month_plan, next_period
from analysis.month import Month
from analysis.pages.outreach_plan import download_table
from analysis.pages.text import Download, download, t


def visit_plan_file(month: Month, lang: str = "id") -> tuple[str, Published]:
    """The download: its file name (`rencana_kunjungan_2026-11.csv`) and the gated table."""
    plan = month_plan(month)
    name = f"{t('out_dl_file', lang)}_{next_period(month.period)}.csv"
    return name, download_table(plan, month, lang)


def csv_text(published: Published) -> str:
    """The table as CSV text (comma-separated, quoted where needed, no index): its gated cells."""
    return published.csv_bytes().decode("utf-8")


def write_csv(published: Published, path: Path) -> Path:
    """Write a gated table as CSV that spreadsheet programs and pandas open as they are (with a
    byte-order mark, as the page's link carries it)."""
    path.write_bytes(Download.BOM.encode("utf-8") + published.csv_bytes())
    return path


def download_link(name: str, published: Published, label: str) -> Download:
    """A link that downloads the gated table as a CSV file, carried inside the page (offline)."""
    return download(published, name, label)
