"""How large a raw file may be: bytes on disk, data rows, and what an XLSX unpacks to.

A raw extract is read whole into the cache, so an oversized or hostile file (a 1 MB
workbook that unpacks to hundreds of MB of XML) would otherwise tie up the machine for
minutes. Each limit stops the run with one sentence that says how to raise it; the defaults
leave room for ten million roster rows. Set them in the environment (they reach the
notebooks' kernels too): `ANALYSIS_MAX_RAW_MB`, `ANALYSIS_MAX_ROWS`, `ANALYSIS_MAX_XLSX_MB`.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import AnalysisError

ENV = {
    "raw_mb": "ANALYSIS_MAX_RAW_MB",
    "rows": "ANALYSIS_MAX_ROWS",
    "xlsx_mb": "ANALYSIS_MAX_XLSX_MB",
}
#: Workbooks whose XML is this many times larger than the file are refused (a real export
#: compresses 5–20 times; a zip bomb thousands of times).
MAX_XLSX_RATIO = 100


@dataclass(frozen=True)
class Limits:
    raw_mb: int = 4096  # a file on disk
    rows: int = 25_000_000  # data rows of one file
    xlsx_mb: int = 512  # what an .xlsx unpacks to (Excel holds 1,048,576 rows a sheet)


def limits() -> Limits:
    """The limits in force: the defaults, or the environment's."""
    values = {}
    for name, var in ENV.items():
        if os.environ.get(var):
            try:
                values[name] = int(os.environ[var])
            except ValueError:
                raise AnalysisError(
                    f"${var} must be a whole number, not {os.environ[var]!r}."
                ) from None
    return Limits(**values)


def check_limits(path: Path) -> None:
    """Refuse a raw file larger than the limits (and a workbook that unpacks to too much)."""
    lim = limits()
    size = path.stat().st_size
    if size > lim.raw_mb * 2**20:
        raise AnalysisError(
            f"{path.name} is {size / 2**20:,.0f} MB, more than the limit of {lim.raw_mb:,} MB; "
            f"check the file, or raise ${ENV['raw_mb']}."
        )
    if path.suffix.lower() != ".xlsx":
        return
    try:
        with zipfile.ZipFile(path) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # the reader says what is wrong with it
    if unpacked > lim.xlsx_mb * 2**20 or unpacked > MAX_XLSX_RATIO * max(size, 1):
        raise AnalysisError(
            f"{path.name} unpacks to {unpacked / 2**20:,.0f} MB of spreadsheet data, more than "
            f"the limit of {lim.xlsx_mb:,} MB (or {MAX_XLSX_RATIO} times its size); export it "
            f"again as CSV, or raise ${ENV['xlsx_mb']}."
        )


def check_rows(path: Path, rows: int) -> None:
    """Refuse a raw file once it has more data rows than the limit."""
    lim = limits()
    if rows > lim.rows:
        raise AnalysisError(
            f"{path.name} has more than {lim.rows:,} data rows, the limit; split the extract or "
            f"raise ${ENV['rows']}."
        )
