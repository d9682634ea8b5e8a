"""Finding a period's raw extracts and reading them as text, with canonical column names and
`source_row`.

Accepts `.csv` (comma, semicolon, tab or pipe; UTF-8, UTF-8 with BOM, Windows-1252, or lines
of both) and `.xlsx` (first sheet with a recognisable header; title blocks above the header
row are skipped). Every value stays text here: parsing and validation come later, so nothing
is silently converted (a NIK never becomes a float). Columns the project does not use are
ignored; a file whose header cannot be found, or lacks a required column, stops the run with
one sentence naming the file. A CSV is streamed into parquet row groups in bounded memory
(`csv_to_parquet`), which is also how `analysis.ingest.cache` converts large files once.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import tempfile
import zipfile
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from analysis.errors import AnalysisError
from analysis.ingest.headers import (
    HEADER_SCAN_ROWS,
    MAY_BE_EMPTY,
    REQUIRED,
    check_columns,
    find_header,
    header_score,
    map_header,
)
from analysis.ingest.limits import check_limits, check_rows

csv.field_size_limit(1 << 30)  # a pasted 1 MB cell must be quarantined, not crash the reader


@dataclass(kw_only=True)
class HowRead:
    """How a raw file was read: header row, encoding, delimiter, columns used and ignored,
    malformed records (with their row numbers) and blank rows skipped."""

    header_row: int = 1
    encoding: str = "utf-8"
    delimiter: str | None = None
    columns_mapped: dict[str, str] = field(default_factory=dict)
    columns_ignored: list[str] = field(default_factory=list)
    malformed: list[tuple[int, str]] = field(default_factory=list)
    blank_rows: int = 0

    def require_rows(self, stem: str, path: Path):
        """Itself, unless a file that must have data rows has none (then one clear sentence)."""
        if self.rows_in == 0 and stem not in MAY_BE_EMPTY:
            raise AnalysisError(f"{path} has a header row but no data rows.")
        return self


def how_from(info: dict) -> dict:
    """The HowRead fields of a conversion's (or a cache's) metadata (JSON turns tuples into lists)."""
    how = {f.name: info[f.name] for f in fields(HowRead)}
    return how | {"malformed": [tuple(m) for m in how["malformed"]]}


@dataclass
class RawTable(HowRead):
    """One raw file read as text: canonical columns + `source_row`, and how it was read."""

    stem: str
    path: Path
    frame: pd.DataFrame

    @property
    def rows_in(self) -> int:
        return len(self.frame) + len(self.malformed)


def find_raw_file(raw_dir: Path, stem: str) -> Path | None:
    """`<stem>.csv` or `<stem>.xlsx` in a period folder (any case); an error if both exist."""
    if not raw_dir.is_dir():
        return None
    hits = sorted(
        p
        for p in raw_dir.iterdir()
        if p.is_file() and p.stem.lower() == stem and p.suffix.lower() in (".csv", ".xlsx")
    )
    others = [
        p
        for p in raw_dir.iterdir()
        if p.is_file() and p.stem.lower() == stem and p.suffix.lower() in (".xls", ".ods", ".txt")
    ]
    if len(hits) > 1:
        raise AnalysisError(f"{raw_dir} has both {hits[0].name} and {hits[1].name}; keep only one.")
    if not hits and others:
        raise AnalysisError(
            f"{others[0]} is not a supported format; save it as .xlsx or .csv (UTF-8)."
        )
    return hits[0] if hits else None


# ---------------------------------------------------------------- CSV


def _utf8_ok(path: Path) -> bool:
    """Whether the whole file is valid UTF-8, checked in 16 MB chunks (no full copy in memory)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(1 << 24):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _decode(data: bytes) -> tuple[str, str]:
    """Decode non-UTF-8 bytes as Windows-1252, or line by line when UTF-8 and 1252 lines are mixed."""
    if not re.search(rb"[\xc2-\xf4][\x80-\xbf]", data):
        return data.decode("cp1252", errors="replace"), "cp1252"
    lines = []
    for line in data.splitlines(keepends=True):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(line.decode("cp1252", errors="replace"))
    return "".join(lines), "mixed"


def _looks_binary(sample: bytes) -> bool:
    if not sample:
        return False
    if b"\x00" in sample[:4096]:
        return True
    control = sum(b < 9 or 13 < b < 32 for b in sample[:4096])
    return control / min(len(sample), 4096) > 0.05


def _sniff(stem: str, text: str) -> tuple[str, int | None, list[str]]:
    """Choose the delimiter whose parse of the first lines names the most known columns."""
    lines = text.splitlines()[: HEADER_SCAN_ROWS + 1]
    best: tuple[int, str, int | None, list[str]] = (0, ",", None, [])
    for delim in (",", ";", "\t", "|"):
        rows = list(csv.reader(lines, delimiter=delim))
        where = find_header(stem, rows)
        if where is not None and header_score(stem, rows[where]) > best[0]:
            best = (header_score(stem, rows[where]), delim, where, rows[where])
    return best[1], best[2], best[3]


def read_csv(stem: str, path: Path) -> RawTable:
    """Read one CSV extract whole, as text, with the same streaming reader the parquet cache uses.

    The intermediate parquet lives in a temporary folder beside the raw file (personal data never
    leaves `data/raw/`) and is removed at once.
    """
    with tempfile.TemporaryDirectory(prefix=".read-", dir=path.parent) as tmp:
        target = Path(tmp) / f"{stem}.parquet"
        info = csv_to_parquet(stem, path, target, rows=1 << 40)
        frame = pq.read_table(target).to_pandas()
    return RawTable(stem, path, frame, **how_from(info)).require_rows(stem, path)


def _malformed_rows(source, delim: str, skip: int, expected: int) -> list[tuple[int, str]]:
    """Data-row numbers of records whose field count differs from the header's (a slow pass, run only then)."""
    if isinstance(source, io.BytesIO):
        source.seek(0)
        handle = io.TextIOWrapper(source, encoding="utf-8", newline="")
    else:
        handle = open(source, encoding="utf-8-sig", newline="")  # noqa: SIM115
    with handle:
        records = csv.reader(handle, delimiter=delim)
        for _ in range(skip):
            next(records, None)
        out, ordinal = [], 0
        for record in records:
            if not record:
                continue
            ordinal += 1
            if len(record) != expected:
                out.append((ordinal, f"has {len(record)} fields where the header has {expected}"))
        return out


def _scan_encoding(path: Path) -> str:
    """'utf-8', 'cp1252', or 'mixed' (lines of both), in one streaming pass over the file."""
    if _utf8_ok(path):
        return "utf-8"
    pattern = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")
    with path.open("rb") as handle:
        tail = b""
        while chunk := handle.read(1 << 24):
            if pattern.search(tail + chunk):
                return "mixed"
            tail = chunk[-1:]
    return "cp1252"


class _Recoded(io.RawIOBase):
    """A file read as UTF-8 whatever it holds: Windows-1252 (or lines of both) re-encoded as it streams."""

    def __init__(self, path: Path, mode: str):
        self.handle, self.mode, self.buffer, self.rest = path.open("rb"), mode, b"", b""

    def readable(self) -> bool:
        return True

    def _more(self) -> bool:
        chunk = self.handle.read(1 << 22)
        if not chunk:
            if self.rest:
                self.buffer += self._convert(self.rest)
                self.rest = b""
                return True
            return False
        if self.mode == "cp1252":
            self.buffer += chunk.decode("cp1252", errors="replace").encode("utf-8")
            return True
        data = self.rest + chunk
        cut = data.rfind(b"\n") + 1
        self.rest = data[cut:]
        self.buffer += self._convert(data[:cut])
        return True

    def _convert(self, data: bytes) -> bytes:
        if self.mode == "cp1252":
            return data.decode("cp1252", errors="replace").encode("utf-8")
        return _decode(data)[0].encode("utf-8")

    def readinto(self, target) -> int:
        while not self.buffer and self._more():
            pass
        n = min(len(target), len(self.buffer))
        target[:n] = self.buffer[:n]
        self.buffer = self.buffer[n:]
        return n

    def close(self) -> None:
        self.handle.close()
        super().close()


def _trimmed(columns: dict[str, pa.ChunkedArray], first_row: int) -> tuple[pa.Table, int]:
    """Trim every cell (as `_finish` does), number the rows from `first_row`, drop all-empty rows."""
    cols = {name: pc.utf8_trim_whitespace(c) for name, c in columns.items()}
    n = len(next(iter(columns.values()))) if columns else 0
    table = pa.table({"source_row": pa.array(range(first_row, first_row + n), pa.int64()), **cols})
    if not cols:
        return table, 0
    blank = None
    for c in cols.values():
        empty = pc.equal(c, "")
        blank = empty if blank is None else pc.and_(blank, empty)
    n_blank = pc.sum(blank).as_py() or 0
    return (table.filter(pc.invert(blank)) if n_blank else table), n_blank


class PartWriter:
    """Write tables to parquet in row groups of exactly `rows` rows (the last may be shorter)."""

    def __init__(self, target: Path, rows: int):
        self.target, self.rows, self.pending, self.count = target, rows, [], 0
        self.writer, self.parts = None, 0

    def add(self, table: pa.Table) -> None:
        self.pending.append(table)
        self.count += table.num_rows
        while self.count >= self.rows:
            self._flush(self.rows)

    def _flush(self, n: int) -> None:
        table = pa.concat_tables(self.pending).combine_chunks()
        head, rest = table.slice(0, n), table.slice(n)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.target, head.schema, compression="lz4")
        if head.num_rows or self.parts == 0:  # an empty file still has one (empty) partition
            self.writer.write_table(head, row_group_size=max(n, 1))
            self.parts += 1
        self.pending, self.count = ([rest] if rest.num_rows else []), rest.num_rows

    def close(self, schema: pa.Schema) -> int:
        """Write what is left; returns the number of row groups (partitions) written."""
        if not self.pending and self.writer is None:
            self.pending = [schema.empty_table()]
        if self.pending:
            self._flush(self.count)
        self.writer.close()
        return pq.ParquetFile(self.target).num_row_groups


def _csv_header(stem: str, path: Path) -> tuple[str, str, int, list[str]]:
    """A CSV's encoding, delimiter, header line (0-based) and header cells, found in its first MB;
    one sentence naming the file if it is empty, binary, or has no recognisable header."""
    with path.open("rb") as handle:
        sample = handle.read(1 << 20)
    if not sample.strip():
        raise AnalysisError(f"{path} is empty.")
    if _looks_binary(sample):
        raise AnalysisError(
            f"{path} is not a text CSV file (it contains binary data); export it again as CSV or XLSX."
        )
    encoding = _scan_encoding(path)
    if encoding == "utf-8":
        head = sample.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="ignore")
    else:
        head = _decode(sample)[0]
    delim, where, header = _sniff(stem, head)
    if where is None:
        wanted = ", ".join(REQUIRED[stem])
        raise AnalysisError(
            f"{path}: no header row with the expected columns ({wanted}) in the first {HEADER_SCAN_ROWS} lines."
        )
    return encoding, delim, where, header


def csv_to_parquet(stem: str, path: Path, target: Path, rows: int) -> dict:
    """Stream one CSV into parquet row groups of `rows` rows (text columns + `source_row`) in
    bounded memory; returns how it was read and the number of row groups (`parts`)."""
    encoding, delim, where, header = _csv_header(stem, path)
    mapped, ignored = map_header(stem, header)
    check_columns(stem, path, mapped, header)
    names = [f"c{i}" for i in range(len(header))]
    invalid: list[int] = []

    def on_invalid(row) -> str:
        invalid.append(row.actual_columns)
        return "skip"

    def source():
        return path if encoding == "utf-8" else _Recoded(path, encoding)

    reader = pacsv.open_csv(
        source(),
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=where + 1, block_size=1 << 24),
        parse_options=pacsv.ParseOptions(
            delimiter=delim, newlines_in_values=True, invalid_row_handler=on_invalid
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            include_columns=[names[i] for i in mapped],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    canon = [mapped[int(n[1:])] for n in reader.schema.names]
    out = PartWriter(target, rows)
    seen = blank_rows = 0
    schema = None
    for batch in reader:
        table, n_blank = _trimmed(dict(zip(canon, batch.columns, strict=True)), seen + 1)
        seen += batch.num_rows
        check_rows(path, seen)
        blank_rows += n_blank
        schema = table.schema
        out.add(table)
    if schema is None:
        schema = pa.schema([("source_row", pa.int64())] + [(c, pa.string()) for c in canon])
    parts = out.close(schema)
    bad = []
    if invalid:
        if encoding == "utf-8":
            recoded = path
        else:
            with _Recoded(path, encoding) as stream:
                recoded = io.BytesIO(stream.read())
        bad = _malformed_rows(recoded, delim, where + 1, len(names))
        _renumber(target, seen, [n for n, _ in bad])
    return {
        "header_row": where + 1,
        "encoding": encoding,
        "delimiter": delim,
        "columns_mapped": {str(i): c for i, c in mapped.items()},
        "columns_ignored": ignored,
        "malformed": bad,
        "blank_rows": blank_rows,
        "parts": parts,
    }


def _renumber(target: Path, seen: int, bad: list[int]) -> None:
    """Give rows after malformed records their true data-row numbers (malformed rows keep their slots)."""
    ordinals = np.asarray(pd.RangeIndex(1, seen + len(bad) + 1).difference(pd.Index(bad)))
    source = pq.ParquetFile(target)
    tmp = target.with_suffix(".renumber")
    writer = None
    for i in range(source.num_row_groups):
        group = source.read_row_group(i)
        fixed = pa.array(ordinals[group.column("source_row").to_numpy() - 1], pa.int64())
        group = group.set_column(0, "source_row", fixed)
        writer = writer or pq.ParquetWriter(tmp, group.schema, compression="lz4")
        writer.write_table(group, row_group_size=max(group.num_rows, 1))
    if writer is not None:
        writer.close()
        tmp.replace(target)


# ---------------------------------------------------------------- XLSX


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float) and abs(value) >= 1e15:
        return f"{value:.5E}"  # a 16-digit number cell (a NIK typed as a number): Excel keeps 15 digits only
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def read_xlsx(stem: str, path: Path) -> RawTable:
    """Read the first sheet with a recognisable header of an XLSX workbook, as text."""
    import openpyxl  # lazily: 0.1 s to import, and only workbooks need it

    check_limits(path)

    head = path.read_bytes()[:8]
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise AnalysisError(
            f"{path} is password-protected or an old .xls file; save it as an unprotected .xlsx."
        )
    if not head.startswith(b"PK"):
        raise AnalysisError(
            f"{path} is not a valid .xlsx file (it may be damaged or renamed); export it again."
        )
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise AnalysisError(
            f"{path} cannot be opened as .xlsx ({type(exc).__name__}); export it again."
        ) from None
    try:
        best = None
        for sheet in book.worksheets:
            rows = [
                list(r)
                for _, r in zip(
                    range(HEADER_SCAN_ROWS), sheet.iter_rows(values_only=True), strict=False
                )
            ]
            where = find_header(stem, rows)
            if where is not None and (best is None or header_score(stem, rows[where]) > best[0]):
                best = (header_score(stem, rows[where]), sheet, where, rows[where])
        if best is None:
            wanted = ", ".join(REQUIRED[stem])
            raise AnalysisError(
                f"{path}: no sheet has a header row with the expected columns ({wanted}) in its first {HEADER_SCAN_ROWS} rows."
            )
        _, sheet, where, header = best
        mapped, ignored = map_header(stem, header)
        check_columns(stem, path, mapped, header)
        cols = {canon: [] for canon in mapped.values()}
        for n, row in enumerate(sheet.iter_rows(min_row=where + 2, values_only=True), 1):
            if n % 100_000 == 0:
                check_rows(path, n)
            for i, canon in mapped.items():
                cols[canon].append(_cell_text(row[i]) if i < len(row) else "")
    finally:
        book.close()
    frame = pd.DataFrame(cols, dtype="str")
    return _finish(stem, path, frame, where + 1, "xlsx", None, mapped, ignored, [])


# ---------------------------------------------------------------- both


def _finish(stem, path, frame, header_row, encoding, delim, mapped, ignored, bad) -> RawTable:
    """Trim cells, drop blank rows, number data rows 1.. (malformed CSV rows keep their slots)."""
    for col in frame.columns:
        frame[col] = frame[col].str.strip()
    blank = (frame == "").all(axis=1) if len(frame.columns) else pd.Series(False, index=frame.index)
    ordinals = pd.RangeIndex(1, len(frame) + len(bad) + 1)
    if bad:
        ordinals = ordinals.difference(pd.Index([n for n, _ in bad]))
    frame.insert(0, "source_row", pd.array(ordinals, dtype="int64"))
    frame = frame[~blank.to_numpy()].reset_index(drop=True)
    return RawTable(
        stem,
        path,
        frame,
        header_row=header_row,
        encoding=encoding,
        delimiter=delim,
        columns_mapped={str(i): c for i, c in mapped.items()},
        columns_ignored=ignored,
        malformed=bad,
        blank_rows=int(blank.sum()),
    ).require_rows(stem, path)


def read_raw(stem: str, path: Path) -> RawTable:
    """Read a raw extract of the given kind (`umkm`, `tenaga_kerja`, …) from CSV or XLSX."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return read_csv(stem, path)
        if suffix == ".xlsx":
            return read_xlsx(stem, path)
    except AnalysisError:
        raise
    except (pa.ArrowInvalid, csv.Error, UnicodeError, MemoryError) as exc:
        raise AnalysisError(
            f"{path} cannot be read as {suffix[1:].upper()}: {str(exc).splitlines()[0][:120]}"
        ) from None
    raise AnalysisError(f"{path} is not a .csv or .xlsx file.")
