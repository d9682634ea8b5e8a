"""Every published table as CSV and XLSX, written by one writer from the tables the pages show.

Each table a page shows is a `analysis.pages.published.PublishedTable`; its display in the
executed notebook carries the download's data (`DOWNLOAD_MIME`: headers and rows, hidden cells
already marked, and the download's record from the disclosure gate: its mark, count columns and
cells). `collect_tables` reads them back from the executed notebooks (only from cells that
reach a page) and `write_downloads` writes each to `unduhan/<id>.csv` and `.xlsx`:

- headers in the report's language, with units ('(%)', '(Rp)', '(poin)');
- numbers stored as numbers, at the precision the page shows (shares in percent);
- hidden cells as the same text as on the page: '<5' (fewer than 5 people) or 'x' (hidden so
  that another figure cannot be worked out); empty where the page shows '–' (no data);
- CSV: UTF-8, comma-separated, '.' as the decimal mark (for programs; `pandas.read_csv` reads it
  as is). XLSX: the table on the first sheet (Excel shows numbers with the reader's own decimal
  mark), and a 'Keterangan'/'Notes' sheet with the title, month and what the marks mean.

Every download has passed the disclosure gate (`analysis.metrics.disclosure.gate`) with exactly
the cells it holds: the writer refuses a table whose cells are not the ones the gate marked, and
`manifest_entries` marks each file in manifest.json (`disclosure.download_entry`: the gate's
digest and count columns, the file's SHA-256), which the privacy scanner checks file by file.
The report's audit reads the same records (`records`), so it sees what a reader can download.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from analysis.metrics.disclosure import download_entry, table_digest
from analysis.pages.published import DOWNLOAD_MIME, DOWNLOADS_MARK, cell_text
from analysis.pages.text import fmt_month, t

#: The folder of the published report that holds the tables.
FOLDER = "unduhan"
#: Cells whose outputs never reach a page (see analysis.report.export).
_REMOVED = "remove"
#: A fixed time for the files inside an XLSX (a zip), so that reruns give identical files.
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


@dataclass
class TableFile:
    """One published table as the download holds it."""

    id: str
    page: str  # the notebook whose page shows it
    title: str
    lang: str
    columns: list[str]
    rows: list[list[object]]
    min_cell: int
    record: dict  # the download's record from the disclosure gate

    @classmethod
    def from_payload(cls, data: dict, page: str, prefix: str = "") -> TableFile:
        """A table as a page's output carries it (`PublishedTable.payload()`); `prefix`: what
        its id starts with (a kabupaten/kota's page, `area_prefix`)."""
        return cls(
            prefix + data["id"],
            page,
            data["title"],
            data["lang"],
            data["columns"],
            data["rows"],
            data["min_cell"],
            data["record"],
        )

    def check(self) -> None:
        """Refuse a download whose cells are not the ones the disclosure gate marked."""
        rows = [[cell_text(v) for v in row] for row in self.rows]
        if table_digest(self.columns, rows) != self.record.get("digest"):
            raise ValueError(f"download {self.id!r} is not the table the disclosure gate marked")


def area_prefix(stem: str) -> str:
    """What a page's download names start with: 'klaten-' for a kabupaten/kota's page of a
    regional report ('klaten-02_coverage_map'), so that its tables do not overwrite another
    kabupaten/kota's; nothing for the region's own pages."""
    area, sep, _ = stem.partition("-")
    return f"{area}-" if sep else ""


def collect_tables(executed: list[Path]) -> list[TableFile]:
    """Every published table the executed notebooks show on their pages, in page order (a
    kabupaten/kota's tables named after it, `area_prefix`)."""
    found: dict[str, TableFile] = {}
    for path in executed:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if _REMOVED in cell.get("metadata", {}).get("tags", []):
                continue
            for output in cell.get("outputs", []):
                data = output.get("data", {}).get(DOWNLOAD_MIME)
                if not data:
                    continue
                table = TableFile.from_payload(data, path.stem, area_prefix(path.stem))
                if table.id in found:
                    raise ValueError(f"two published tables are called {table.id!r}")
                found[table.id] = table
    return list(found.values())


def records(tables: list[TableFile]) -> list[dict]:
    """The downloads' records from the disclosure gate, for the report's audit."""
    return [table.record for table in tables]


def write_downloads(tables: list[TableFile], folder: Path, period: str) -> list[dict]:
    """Write every table as CSV and XLSX into `folder` (the one writer), each checked against
    the gate's mark first; their manifest entries."""
    folder.mkdir(parents=True, exist_ok=True)
    for table in tables:
        table.check()
        (folder / f"{table.id}.csv").write_text(_csv(table), encoding="utf-8")
        (folder / f"{table.id}.xlsx").write_bytes(_xlsx(table, period))
    return manifest_entries(tables, folder)


def manifest_entries(tables: list[TableFile], folder: Path) -> list[dict]:
    """One manifest entry per file, marked by the gate (`disclosure.download_entry`: file,
    table, digest, count columns, SHA-256), with the table's id, page, title and rows."""
    return [
        download_entry(table.record, f"{FOLDER}/{table.id}.{ext}", data)
        | {"id": table.id, "page": table.page, "title": table.title, "rows": len(table.rows)}
        for table in tables
        for ext in ("csv", "xlsx")
        for data in [(folder / f"{table.id}.{ext}").read_bytes()]
    ]


def _csv(table: TableFile) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows([["" if v is None else v for v in row] for row in table.rows])
    return buf.getvalue()


def _number_format(header: str, values: list[object]) -> str | None:
    """Excel's display of a numeric column: whole numbers with thousands, else one or two decimals."""
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if not numbers:
        return None
    if all(float(v).is_integer() for v in numbers) and "%" not in header:
        return "#,##0"
    decimals = max(len(repr(float(v)).split(".")[1].rstrip("0")) for v in numbers)
    return "0." + "0" * max(1, min(decimals, 2))


def _xlsx(table: TableFile, period: str) -> bytes:
    """The table as an Excel workbook: the table, and the notes sheet (identical on every rerun)."""
    from openpyxl import Workbook  # lazy: only when writing downloads
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    lang = table.lang
    wb = Workbook()
    ws = wb.active
    ws.title = t("dl_sheet_table", lang)
    ws.append(table.columns)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
    for row in table.rows:
        ws.append(row)
    for j, header in enumerate(table.columns, 1):
        values = [row[j - 1] for row in table.rows]
        fmt = _number_format(header, values)
        letter = get_column_letter(j)
        if fmt:
            for cell in ws[letter][1:]:
                if isinstance(cell.value, int | float):
                    cell.number_format = fmt
                else:
                    cell.alignment = Alignment(horizontal="right")
        width = max([len(str(v)) for v in values if v is not None] + [min(len(header), 24), 6])
        ws.column_dimensions[letter].width = min(width + 2, 48)
    ws.freeze_panes = "B2"
    notes = wb.create_sheet(t("dl_sheet_notes", lang))
    for line in (
        table.title,
        t("dl_note_month", lang, month=fmt_month(period, lang)),
        t("dl_note_marks", lang, k=table.min_cell),
        t("dl_note_numbers", lang),
        t("dl_note_source", lang),
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    wb.properties.creator = t("dl_creator", lang)
    return _fixed_times(wb)


def _fixed_times(wb) -> bytes:
    """Save the workbook with fixed timestamps inside, so identical tables give identical files."""
    from datetime import datetime

    fixed = datetime(*_ZIP_TIME)
    wb.properties.created = wb.properties.modified = fixed
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>2000-01-01T00:00:00Z\g<2>",
                    data,
                )
            fixed_info = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed_info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed_info, data)
    return out.getvalue()


def link_downloads(html: str, lang: str, tables: set[str], prefix: str = "") -> str:
    """Put each table's download links where its page marked them (`DOWNLOADS_MARK`); `prefix`:
    the page's `area_prefix`, which its download names start with."""

    def links(match: re.Match) -> str:
        if match.group(1) not in tables:
            return ""
        table_id = prefix + match.group(1)
        return (
            f'<p class="tbl-dl">{t("dl_table_links", lang)} '
            f'<a href="{FOLDER}/{table_id}.csv" download>CSV</a> · '
            f'<a href="{FOLDER}/{table_id}.xlsx" download>XLSX</a></p>'
        )

    pattern = re.escape(DOWNLOADS_MARK).replace(re.escape("{id}"), r"([A-Za-z0-9_\-]+)")
    return re.sub(pattern, links, html)
