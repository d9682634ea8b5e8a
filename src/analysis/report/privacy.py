"""The privacy scanner: nothing personal and no unprotected table in anything we publish.

Two kinds of check, both run at the end of every report (and by `python -m analysis
check-privacy`):

- **Personal data** (`check_privacy`, `analysis.ingest.scan`, which `clean` also runs over the
  processed month): NIK-shaped numbers and this month's raw NIKs and names, after normalising
  the text (entities, full-width characters, separators, zero-width characters …).
- **Published tables** (`check_published`, over the folder officials receive): every HTML
  table must carry the disclosure gate's mark (`data-disclosure`, the digest of exactly the
  text it shows: a table never gated, or changed after the gate, fails); every CSV or XLSX
  must have a manifest entry from the gate (`downloads`: file, table, digest, sha256) that
  matches its bytes and its cells, and a CSV carried inside a page's link (`data:text/csv`)
  the gate's mark on its link (`analysis.pages.text.download`); counts of 1 to `min_cell − 1` in the count columns of
  gated tables, and anywhere in unmarked tables, text outputs and downloads, are leaks;
  files of kinds a report never holds (notebooks, logs, data) are listed too.

A finding names the file and the kind, never the value.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

from analysis.ingest.scan import Finding, Secrets, files_under, scan_paths, secrets_from_raw
from analysis.metrics.disclosure import (
    COUNTS_ATTRIBUTE,
    DEFAULT_MIN_CELL,
    MARK_ATTRIBUTE,
    count_of,
    is_small,
    table_digest,
)

#: What a published folder may hold (anything else is a finding).
PUBLISHED_SUFFIXES = {".html", ".json", ".csv", ".xlsx", ".pdf"}
DOWNLOAD_SUFFIXES = {".csv", ".xlsx"}
MANIFEST = "manifest.json"


def check_privacy(
    paths: Iterable[Path], raw_dir: Path | None = None, public: Iterable[str] = ()
) -> list[Finding]:
    """Personal-data findings in the given files and folders, against a period's raw files
    when given (else NIK shapes only); `public`: the region's place names (never secrets)."""
    secrets = (
        secrets_from_raw(raw_dir, public) if raw_dir is not None and raw_dir.exists() else Secrets()
    )
    return scan_paths(paths, secrets)


class _Tables(HTMLParser):
    """Every <table> of a page with its attributes, header cells and rows of cell texts; the
    text of <pre> blocks (notebook text outputs); and links that carry a CSV file."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self.pre: list[str] = []
        self.links: list[dict] = []  # <a href="data:text/csv…">: downloads carried in the page
        self._stack: list[dict] = []
        self._cell: list[str] | None = None
        self._in_pre = 0

    def handle_starttag(self, tag, attrs):
        if tag == "a" and (dict(attrs).get("href") or "").lower().startswith("data:text/csv"):
            self.links.append(dict(attrs))
        if tag == "table":
            self._stack.append({"attrs": dict(attrs), "head": [], "rows": [], "row": None})
        elif self._stack and tag == "tr":
            self._stack[-1]["row"] = []
        elif self._stack and tag in ("td", "th"):
            self._cell = []
        elif tag == "pre":
            self._in_pre += 1
            self.pre.append("")

    def handle_endtag(self, tag):
        if tag == "table" and self._stack:
            self.tables.append(self._stack.pop())
        elif self._stack and tag in ("td", "th") and self._cell is not None:
            t = self._stack[-1]
            if t["row"] is not None:
                t["row"].append(("".join(self._cell), tag))
            self._cell = None
        elif self._stack and tag == "tr":
            t = self._stack[-1]
            row = t.pop("row") or []
            t["row"] = None
            if row and all(kind == "th" for _, kind in row) and not t["head"] and not t["rows"]:
                t["head"] = [text for text, _ in row]
            elif row:
                t["rows"].append([text for text, _ in row])
        elif tag == "pre" and self._in_pre:
            self._in_pre -= 1

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._in_pre:
            self.pre[-1] += data


def _small_cells(rows: Iterable[Iterable[str]], min_cell: int, columns=None) -> int:
    """How many cells state a whole number of 1 to min_cell − 1 (in `columns`, or any)."""
    n = 0
    for row in rows:
        for j, text in enumerate(row):
            if columns is None or j in columns:
                v = count_of(str(text).strip().split(" ")[0])
                n += v is not None and bool(is_small(v, min_cell))
    return n


def _check_page(path: Path, min_cell: int) -> list[Finding]:
    parser = _Tables()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    found: dict[str, int] = {}
    for t in parser.tables:
        kind, small = _check_cells(t["head"], t["rows"], t["attrs"], min_cell)
        if kind:
            found[kind] = found.get(kind, 0) + 1
        if small:
            found["small_count"] = found.get("small_count", 0) + small
    for attrs in parser.links:
        head, rows = _csv_cells(_data_url_text(attrs["href"]))
        kind, small = _check_cells(head, rows, attrs, min_cell)
        if kind:  # a file carried in the page is a download: marked by the gate, or a finding
            kind = "unmarked_download" if kind == "unmarked_table" else kind
            found[kind] = found.get(kind, 0) + 1
        if small:
            found["small_count"] = found.get("small_count", 0) + small
    small = sum(_small_cells([re.findall(r"\S+", p)], min_cell) for p in parser.pre)
    if small:
        found["small_count"] = found.get("small_count", 0) + small
    return [Finding(path, kind, n) for kind, n in found.items()]


def _check_cells(
    head: list[str], rows: list[list[str]], attrs: dict, min_cell: int
) -> tuple[str | None, int]:
    """(finding kind or None, small counts) of a table or a download carried in a page: a
    valid mark (`data-disclosure`, the digest of exactly these cells) limits the small-count
    check to its count columns (`data-counts`); without one every cell is checked."""
    mark = attrs.get(MARK_ATTRIBUTE)
    if not mark:
        return "unmarked_table", _small_cells(rows, min_cell)
    if table_digest(head, rows) != mark:
        return "altered_table", _small_cells(rows, min_cell)
    cols = {int(c) for c in (attrs.get(COUNTS_ATTRIBUTE) or "").split(",") if c}
    return None, _small_cells(rows, min_cell, cols)


def _data_url_text(url: str) -> str:
    """The text a `data:` address carries (percent-encoded or base64)."""
    meta, _, data = url.partition(",")
    if meta.lower().endswith(";base64"):
        return base64.b64decode(data + "=" * (-len(data) % 4)).decode("utf-8", "replace")
    return unquote(data)


def _csv_cells(text: str) -> tuple[list[str], list[list[str]]]:
    """A CSV text's header and rows (a byte-order mark dropped)."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    return (rows[0], rows[1:]) if rows else ([], [])


def _download_cells(path: Path) -> tuple[list[str], list[list[str]]]:
    """A download's header and rows as text (CSV, or the first sheet of an XLSX)."""
    if path.suffix.lower() == ".csv":
        return _csv_cells(path.read_text(encoding="utf-8-sig"))
    import openpyxl  # lazy: only downloads need it

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = [
            ["" if v is None else str(v) for v in r]
            for r in book.worksheets[0].iter_rows(values_only=True)
        ]
    finally:
        book.close()
    return (rows[0], rows[1:]) if rows else ([], [])


def _check_download(path: Path, entry: dict | None, min_cell: int) -> list[Finding]:
    head, rows = _download_cells(path)
    if entry is None or entry.get("sha256") != hashlib.sha256(path.read_bytes()).hexdigest():
        return [Finding(path, "unmarked_download", 1)] + (
            [Finding(path, "small_count", n)] if (n := _small_cells(rows, min_cell)) else []
        )
    if table_digest(head, rows) != entry.get("digest"):
        return [Finding(path, "altered_table", 1)]
    cols = set(entry.get("counts", []))
    n = _small_cells(rows, min_cell, cols)
    return [Finding(path, "small_count", n)] if n else []


def check_published(folder: Path, min_cell: int = DEFAULT_MIN_CELL) -> list[Finding]:
    """Findings about the tables and files of a published folder (see the module docstring)."""
    folder = Path(folder)
    manifest_file = folder / MANIFEST
    entries = {}
    if manifest_file.exists():
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
        entries = {e.get("file"): e for e in manifest.get("downloads", [])}
    findings = []
    for path in files_under([folder]):
        suffix = path.suffix.lower()
        rel = path.relative_to(folder).as_posix() if folder.is_dir() else path.name
        if suffix not in PUBLISHED_SUFFIXES or (suffix == ".json" and path.name != MANIFEST):
            findings.append(Finding(path, "unlisted_file", 1))
        elif suffix in (".html", ".htm"):
            findings += _check_page(path, min_cell)
        elif suffix in DOWNLOAD_SUFFIXES:
            findings += _check_download(path, entries.get(rel), min_cell)
    return findings
