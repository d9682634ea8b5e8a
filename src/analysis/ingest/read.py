"""Finding a period's raw extracts and reading them as text, with canonical column names and
`source_row`.

Accepts `.csv` (comma, semicolon, tab or pipe; UTF-8, UTF-8 with BOM, Windows-1252, or lines
of both) and `.xlsx` (first sheet with a recognisable header; title blocks above the header
row are skipped). Every value stays text here: parsing and validation come later, so nothing
is silently converted (a NIK never becomes a float). Columns the project does not use are
ignored; a file whose header cannot be found, or lacks a required column, stops the run with
one sentence naming the file. Headers the readers do not know come through the analyst's
`headers.toml` (`analysis.ingest.mapping`): a column may feed two canonical columns, and
counts or amounts split over several columns are added up here. A CSV is streamed into the
partitions of an Arrow file in bounded memory (`csv_to_cache`), which is also how
`analysis.ingest.cache` converts large files once.
"""

from __future__ import annotations

import csv
import hashlib
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

from analysis.errors import AnalysisError
from analysis.ingest.headers import (
    HEADER_SCAN_ROWS,
    MAY_BE_EMPTY,
    REQUIRED,
    find_header,
    header_score,
    inspect_command,
)
from analysis.ingest.limits import check_limits, check_rows
from analysis.ingest.mapping import Mapping, assemble, columns_of, load_mapping, sum_text

csv.field_size_limit(1 << 30)  # a pasted 1 MB cell must be quarantined, not crash the reader


@dataclass(kw_only=True)
class HowRead:
    """How a raw file was read: header row, encoding, delimiter, columns used (canonical column →
    header positions, several when added up) and ignored, the canonical columns a mapping file
    made, malformed records (with their row numbers) and blank rows skipped."""

    header_row: int = 1
    encoding: str = "utf-8"
    delimiter: str | None = None
    columns_mapped: dict[str, list[int]] = field(default_factory=dict)
    columns_ignored: list[str] = field(default_factory=list)
    columns_by_mapping: list[str] = field(default_factory=list)
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


#: Bytes read at a time when checking that a file is UTF-8.
UTF8_CHUNK = 1 << 24


def _utf8_ok(path: Path) -> bool:
    """Whether the whole file is valid UTF-8 (`_Checked`'s verdict, read in 16 MB chunks and
    stopping at the first that is not)."""
    with _Checked(path, hashed=False) as stream:
        while stream.utf8 and stream.read(UTF8_CHUNK):
            pass
        return stream.utf8


def _valid_utf8(data: bytes | memoryview) -> bool:
    """Whether `data` is valid UTF-8, by casting it to an Arrow string (no Python decoding)."""
    offsets = pa.py_buffer(np.array([0, len(data)], dtype="int64"))
    try:
        pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(data)]).cast(
            pa.large_string()
        )
    except pa.ArrowInvalid:
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


def sniff(stem: str, text: str, mapped: frozenset[str]) -> tuple[str, int | None, list[str]]:
    """(delimiter, header line or None, header cells): the delimiter whose parse of the first
    lines names the most known (or mapped) columns."""
    lines = text.splitlines()[: HEADER_SCAN_ROWS + 1]
    best: tuple[int, str, int | None, list[str]] = (0, ",", None, [])
    for delim in (",", ";", "\t", "|"):
        rows = list(csv.reader(lines, delimiter=delim))
        where = find_header(stem, rows, mapped)
        if where is not None and header_score(stem, rows[where], mapped) > best[0]:
            best = (header_score(stem, rows[where], mapped), delim, where, rows[where])
    return best[1], best[2], best[3]


def read_csv(stem: str, path: Path, mapping: Mapping | None = None) -> RawTable:
    """Read one CSV extract whole, as text, with the same streaming reader the cache uses.

    The intermediate file lives in a temporary folder beside the raw file (personal data never
    leaves `data/raw/`) and is removed at once.
    """
    with tempfile.TemporaryDirectory(prefix=".read-", dir=path.parent) as tmp:
        target = Path(tmp) / f"{stem}.arrow"
        info = csv_to_cache(stem, path, target, rows=1 << 40, mapping=mapping)
        frame = cached_table(target).to_pandas()
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


class _Checked(io.RawIOBase):
    """A file as the CSV reader reads it, hashed (unless `hashed` is false) and checked on the
    way: its SHA-256, and whether it is all UTF-8 by Arrow's validator (30× faster than decoding
    in Python, the same verdict), each piece cut after a newline so no character is split. A
    UTF-8 file is so read once when converted, not three times (hash, check, convert)."""

    def __init__(self, path: Path, hashed: bool = True):
        self.handle, self.rest = path.open("rb"), b""
        self.hash = hashlib.sha256() if hashed else None
        self.utf8, self.ended = True, False

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        if self.hash is not None:
            self.hash.update(data)
        if not data:
            self.ended, self.utf8 = True, self.utf8 and _valid_utf8(self.rest)
        elif self.utf8:
            joined = self.rest + data
            cut = joined.rfind(b"\n") + 1
            self.utf8, self.rest = _valid_utf8(memoryview(joined)[:cut]), joined[cut:]
        return data

    def readinto(self, target) -> int:
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)

    def sha256(self) -> str | None:
        """The SHA-256 of the file's bytes, once it has been read to the end (else None)."""
        return self.hash.hexdigest() if self.ended and self.hash is not None else None

    def close(self) -> None:
        self.handle.close()
        super().close()


def _trimmed(columns: dict[str, pa.ChunkedArray], first_row: int) -> tuple[pa.Table, int]:
    """Trim every cell (as `_finish` does), number the rows from `first_row`, drop all-empty rows."""
    cols = {name: pc.utf8_trim_whitespace(c) for name, c in columns.items()}
    n = len(next(iter(columns.values()))) if columns else 0
    rows = np.arange(first_row, first_row + n, dtype="int64")  # not a Python range: no GIL per row
    table = pa.table({"source_row": pa.array(rows), **cols})
    if not cols:
        return table, 0
    blank = None
    for c in cols.values():
        empty = pc.equal(c, "")
        blank = empty if blank is None else pc.and_(blank, empty)
    n_blank = pc.sum(blank).as_py() or 0
    return (table.filter(pc.invert(blank)) if n_blank else table), n_blank


class _HashedFile(io.RawIOBase):
    """A file opened for writing that hashes (SHA-256) every byte written to it: a cache file's
    hash without reading it back."""

    def __init__(self, path: Path):
        super().__init__()
        self.handle, self.hash = path.open("wb"), hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.hash.update(data)
        return self.handle.write(data)

    def close(self) -> None:
        self.handle.close()
        super().close()


class PartWriter:
    """Write tables to an Arrow file (uncompressed IPC) in record batches of exactly `rows` rows
    (the last may be shorter), one per partition: a partition is read back memory-mapped, without
    decoding or copying (parquet's encoding and decoding were a tenth of a cold clean's CPU).
    `sha256` is the file's hash once closed."""

    def __init__(self, target: Path, rows: int):
        self.target, self.rows, self.pending, self.count = target, rows, [], 0
        self.file, self.writer, self.parts, self.sha256 = None, None, 0, None

    def add(self, table: pa.Table) -> None:
        self.pending.append(table)
        self.count += table.num_rows
        while self.count >= self.rows:
            self._flush(self.rows)

    def _flush(self, n: int) -> None:
        table = pa.concat_tables(self.pending)
        head, rest = table.slice(0, n), table.slice(n)
        if self.writer is None:
            self.file = _HashedFile(self.target)
            self.writer = pa.ipc.new_file(self.file, head.schema)
        if head.num_rows or self.parts == 0:  # an empty file still has one (empty) partition
            batch = pa.RecordBatch.from_arrays(
                [c.combine_chunks() for c in head.columns], schema=head.schema
            )
            self.writer.write_batch(batch)
            self.parts += 1
        self.pending, self.count = ([rest] if rest.num_rows else []), rest.num_rows

    def cut(self) -> None:
        """End the partition being filled here (if any row is pending)."""
        if self.count:
            self._flush(self.count)

    def _end(self) -> None:
        self.writer.close()
        self.file.close()

    def abort(self) -> None:
        """Stop after a failure: the file is left incomplete (the caller discards or rewrites it)."""
        if self.writer is not None:
            self._end()
        self.pending, self.count = [], 0

    def close(self, schema: pa.Schema) -> int:
        """Write what is left; returns the number of record batches (partitions) written."""
        if not self.pending and self.writer is None:
            self.pending = [schema.empty_table()]
        if self.pending:
            self._flush(self.count)
        self._end()
        self.sha256 = self.file.hash.hexdigest()
        return self.parts


def _cached(path: Path) -> pa.ipc.RecordBatchFileReader:
    return pa.ipc.open_file(pa.memory_map(str(path)))


def cached_part(path: Path, part: int, columns: list[str] | None = None) -> pa.Table:
    """Partition `part` of a cache file (`PartWriter`), memory-mapped: its values stay in the
    file's pages, so nothing is decoded or copied (`columns`: those only)."""
    batch = _cached(path).get_batch(part)
    table = pa.Table.from_batches([batch])
    return table.select(columns) if columns is not None else table


def cached_table(path: Path) -> pa.Table:
    """A whole cache file (`PartWriter`), memory-mapped."""
    return _cached(path).read_all()


def cached_shape(path: Path) -> tuple[pa.Schema, int, int]:
    """A cache file's schema, partitions and rows (from its metadata and batch headers)."""
    reader = _cached(path)
    parts = reader.num_record_batches
    return reader.schema, parts, sum(reader.get_batch(i).num_rows for i in range(parts))


def csv_start(path: Path, whole: bool = True) -> tuple[str, str]:
    """A CSV's encoding and its first MB as text; one sentence naming the file if it is empty or
    binary. `whole=False`: 'utf-8' when the first MB is (`_Checked` then checks the rest as the
    file is converted), the whole file is read only when it is not."""
    with path.open("rb") as handle:
        sample = handle.read(1 << 20)
    if not sample.strip():
        raise AnalysisError(f"{path} is empty.")
    if _looks_binary(sample):
        raise AnalysisError(
            f"{path} is not a text CSV file (it contains binary data); export it again as CSV or XLSX."
        )
    cut = len(sample) if len(sample) < 1 << 20 else sample.rfind(b"\n") + 1
    encoding = "utf-8" if not whole and _valid_utf8(sample[:cut]) else _scan_encoding(path)
    if encoding == "utf-8":
        head = sample.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="ignore")
    else:
        head = _decode(sample)[0]
    return encoding, head


def no_header_error(stem: str, path: Path, where: str) -> AnalysisError:
    """The sentence for a file in which no header row names a known or mapped column."""
    wanted = ", ".join(REQUIRED[stem])
    return AnalysisError(
        f"{path}: no header row with the expected columns ({wanted}) in the first "
        f"{HEADER_SCAN_ROWS} {where}; {inspect_command(path)} shows the file's headers and "
        "prints a mapping to edit."
    )


def _csv_header(
    stem: str, path: Path, mapped: frozenset[str], whole: bool = True
) -> tuple[str, str, int, list[str]]:
    """A CSV's encoding (`csv_start`), delimiter, header line (0-based) and header cells, found in
    its first MB; one sentence naming the file if it is empty, binary, or has no recognisable header."""
    encoding, head = csv_start(path, whole)
    delim, where, header = sniff(stem, head, mapped)
    if where is None:
        raise no_header_error(stem, path, "lines")
    return encoding, delim, where, header


def csv_to_cache(
    stem: str, path: Path, target: Path, rows: int, mapping: Mapping | None = None
) -> dict:
    """Stream one CSV into a cache file (`PartWriter`) of `rows` rows per partition (text columns
    + `source_row`) in bounded memory; returns how it was read, the number of partitions
    (`parts`), the cache file's SHA-256 (`cache_sha256`) and, for a UTF-8 file, the SHA-256 of
    the bytes converted (`sha256`: the file is read once, hashed and checked on the way,
    `_Checked`). The header mapping is the one beside the file (`load_mapping`) unless one is
    given."""
    mapping = load_mapping(stem, path) if mapping is None else mapping
    encoding, delim, where, header = _csv_header(stem, path, mapping.names(), whole=False)
    columns, ignored = columns_of(stem, header, mapping, path)
    positions = sorted({i for at in columns.values() for i in at})
    names = [f"c{i}" for i in range(len(header))]
    invalid: list[int] = []

    def on_invalid(row) -> str:
        invalid.append(row.actual_columns)
        return "skip"

    def stream(source) -> tuple[int, int, int, str]:
        """Convert from `source`: rows seen, blank rows skipped, partitions written, the cache
        file's hash."""
        invalid.clear()
        reader = pacsv.open_csv(
            source,
            # 4 MB blocks: as fast as 16 MB, and half the memory (the reader reads blocks ahead)
            read_options=pacsv.ReadOptions(
                column_names=names, skip_rows=where + 1, block_size=1 << 22
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delim, newlines_in_values=True, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                include_columns=[names[i] for i in positions],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        at = [int(n[1:]) for n in reader.schema.names]
        out = PartWriter(target, rows)
        seen = blank_rows = 0
        schema = None
        try:
            for batch in reader:
                cells = dict(zip(at, batch.columns, strict=True))
                table, n_blank = _trimmed(assemble(columns, cells), seen + 1)
                seen += batch.num_rows
                check_rows(path, seen)
                blank_rows += n_blank
                schema = table.schema
                out.add(table)
        except BaseException:
            out.abort()
            raise
        if schema is None:
            schema = pa.schema([("source_row", pa.int64())] + [(c, pa.string()) for c in columns])
        return seen, blank_rows, out.close(schema), out.sha256

    checked = _Checked(path) if encoding == "utf-8" else None
    try:
        with checked or _Recoded(path, encoding) as source:
            seen, blank_rows, parts, cache_sha = stream(source)
        again = checked is not None and not checked.utf8
    except pa.ArrowInvalid:
        if checked is None or _scan_encoding(path) == "utf-8":
            raise
        again = True
    if again:  # UTF-8 in its first MB only: read again, recoded as `_scan_encoding` says
        encoding, checked = _scan_encoding(path), None
        with _Recoded(path, encoding) as source:
            seen, blank_rows, parts, cache_sha = stream(source)
    bad = []
    if invalid:
        if encoding == "utf-8":
            recoded = path
        else:
            with _Recoded(path, encoding) as stream:
                recoded = io.BytesIO(stream.read())
        bad = _malformed_rows(recoded, delim, where + 1, len(names))
        cache_sha = _renumber(target, seen, [n for n, _ in bad])
    return {
        "header_row": where + 1,
        "encoding": encoding,
        "delimiter": delim,
        "columns_mapped": columns,
        "columns_ignored": ignored,
        "columns_by_mapping": sorted(
            c for c in columns if c in {e.column for e in mapping.entries}
        ),
        "malformed": bad,
        "blank_rows": blank_rows,
        "parts": parts,
        "cache_sha256": cache_sha,
    } | ({"sha256": checked.sha256()} if checked is not None and checked.ended else {})


def _renumber(target: Path, seen: int, bad: list[int]) -> str:
    """Give rows after malformed records their true data-row numbers (malformed rows keep their
    slots); returns the rewritten cache file's hash."""
    ordinals = np.asarray(pd.RangeIndex(1, seen + len(bad) + 1).difference(pd.Index(bad)))
    schema, parts, _ = cached_shape(target)
    tmp = target.with_suffix(".renumber")
    out = PartWriter(tmp, max(len(ordinals), 1))  # partitions cut where the old ones end
    for i in range(parts):
        group = cached_part(target, i)
        fixed = pa.array(ordinals[group.column("source_row").to_numpy() - 1], pa.int64())
        out.add(group.set_column(0, "source_row", fixed))
        out.cut()
    out.close(schema)
    tmp.replace(target)
    return out.sha256


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


def open_xlsx(path: Path):
    """An XLSX workbook opened read-only (values, not formulas); one sentence if it cannot be."""
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
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise AnalysisError(
            f"{path} cannot be opened as .xlsx ({type(exc).__name__}); export it again."
        ) from None


def first_rows(sheet) -> list[list[object]]:
    """The rows of a sheet a header row is looked for in."""
    rows = zip(range(HEADER_SCAN_ROWS), sheet.iter_rows(values_only=True), strict=False)
    return [list(r) for _, r in rows]


def xlsx_header(stem: str, book, mapped: frozenset[str]) -> tuple | None:
    """(sheet, header row index, header cells) of the sheet whose header names most known (or
    mapped) columns; None if no sheet has one."""
    best = None
    for sheet in book.worksheets:
        rows = first_rows(sheet)
        where = find_header(stem, rows, mapped)
        if where is not None and (
            best is None or header_score(stem, rows[where], mapped) > best[0]
        ):
            best = (header_score(stem, rows[where], mapped), sheet, where, rows[where])
    return best[1:] if best else None


def _row_cells(columns: dict[str, list[int]], row: tuple) -> dict[str, str]:
    """One worksheet row's canonical cells (several positions added up)."""
    text = [_cell_text(v) for v in row]
    cell = lambda i: text[i] if i < len(text) else ""  # noqa: E731
    return {
        canon: cell(at[0]) if len(at) == 1 else sum_text(canon, [cell(i) for i in at])
        for canon, at in columns.items()
    }


def read_xlsx(stem: str, path: Path, mapping: Mapping | None = None) -> RawTable:
    """Read the first sheet with a recognisable header of an XLSX workbook, as text."""
    mapping = load_mapping(stem, path) if mapping is None else mapping
    book = open_xlsx(path)
    try:
        found = xlsx_header(stem, book, mapping.names())
        if found is None:
            raise no_header_error(stem, path, "rows of any sheet")
        sheet, where, header = found
        columns, ignored = columns_of(stem, header, mapping, path)
        cols: dict[str, list[str]] = {canon: [] for canon in columns}
        for n, row in enumerate(sheet.iter_rows(min_row=where + 2, values_only=True), 1):
            if n % 100_000 == 0:
                check_rows(path, n)
            for canon, text in _row_cells(columns, row).items():
                cols[canon].append(text)
    finally:
        book.close()
    frame = pd.DataFrame(cols, dtype="str")
    by_mapping = sorted(c for c in columns if c in {e.column for e in mapping.entries})
    how = HowRead(
        header_row=where + 1,
        encoding="xlsx",
        columns_mapped=columns,
        columns_ignored=ignored,
        columns_by_mapping=by_mapping,
    )
    return _finish(stem, path, frame, how)


# ---------------------------------------------------------------- both


def _finish(stem: str, path: Path, frame: pd.DataFrame, how: HowRead) -> RawTable:
    """Trim cells, drop blank rows, number data rows 1.. (malformed CSV rows keep their slots)."""
    bad = how.malformed
    for col in frame.columns:
        frame[col] = frame[col].str.strip()
    blank = (frame == "").all(axis=1) if len(frame.columns) else pd.Series(False, index=frame.index)
    ordinals = pd.RangeIndex(1, len(frame) + len(bad) + 1)
    if bad:
        ordinals = ordinals.difference(pd.Index([n for n, _ in bad]))
    frame.insert(0, "source_row", pd.array(ordinals, dtype="int64"))
    frame = frame[~blank.to_numpy()].reset_index(drop=True)
    how.blank_rows = int(blank.sum())
    fields_ = {f.name: getattr(how, f.name) for f in fields(HowRead)}
    return RawTable(stem, path, frame, **fields_).require_rows(stem, path)


def read_raw(stem: str, path: Path, mapping: Mapping | None = None) -> RawTable:
    """Read a raw extract of the given kind (`umkm`, `tenaga_kerja`, …) from CSV or XLSX, through
    the header mapping beside it (or the one given)."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return read_csv(stem, path, mapping)
        if suffix == ".xlsx":
            return read_xlsx(stem, path, mapping)
    except AnalysisError:
        raise
    except (pa.ArrowInvalid, csv.Error, UnicodeError, MemoryError) as exc:
        raise AnalysisError(
            f"{path} cannot be read as {suffix[1:].upper()}: {str(exc).splitlines()[0][:120]}"
        ) from None
    raise AnalysisError(f"{path} is not a .csv or .xlsx file.")
