"""Looking for personal data in what we write: NIKs and names, however they are disguised.

Cleaning runs it over the processed month before it is swapped in, and the report over
everything it is about to publish (`analysis.report.privacy` adds the checks of published
tables). Text is *normalised before it is looked at*: HTML entities unescaped (twice encoded
too), Unicode NFKC (full-width digits and letters become ASCII), zero-width and other format
characters removed, accents stripped for names. Then:

- **NIK-shaped**: 16 digits, with or without one separator character between any two of
  them (spaces, no-break spaces, dots, dashes, slashes …), standing alone or right after
  letters (`NIK3404…`); a run of more than 16 digits holding a valid NIK (province, date and
  serial rules); a NIK split over the cells of a table row (`3372 | 0145 | 0885 | 0003`); a
  CSV is read as a table, cell by cell (a row of counts does not run into one number), and a
  parquet file column by column, each distinct value on its own (`scan_parquet`: in Arrow for
  plain ASCII values, through the same Python checks for any other).
  Hex digests (32 or more lower-case hex characters) are not read as digits, and base64 is skipped
  only where it is a real embedded image (`<img src="data:image/…;base64,…">`, or an image
  output of a notebook) — anything else after `data:…;base64,` is read like other text, and
  read again decoded (a CSV carried in a download link, percent-encoded or base64).
- **Raw NIKs**: the NIK-shaped strings that are NIKs of this month's raw files.
- **Names**: people's names (roster, participants, owners), business names and addresses
  from this month's raw files, as whole words in sequence or run together (`budisantoso`),
  ignoring case and accents; single words shorter than `MIN_NAME_CHARS` letters and the
  region's own place names are not looked for (they are ordinary words).

A finding names the file and the kind of leak and how many, never the leaked value.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis.errors import AnalysisError
from analysis.ingest.cache import PARTITION_ROWS, CachedRaw, cache_raw
from analysis.ingest.keys import all_hex64, contiguous, text_buffers
from analysis.ingest.nik import PROVINCES
from analysis.ingest.read import cached_part, cached_shape, find_raw_file
from analysis.paths import RAW_STEMS

MIN_NAME_CHARS = 6
NIK_DIGITS = 16
TEXT_SUFFIXES = {".html", ".htm", ".json", ".ipynb", ".log", ".txt", ".md", ".csv", ".tsv"}
#: Raw columns whose values must never appear: people's names, business names, addresses.
NAME_COLUMNS = ("nama", "nama_pemilik", "nama_usaha", "alamat", "nama_responden")
NIK_COLUMNS = ("nik", "nik_pemilik")

_FORMAT_CHARS = re.compile(r"[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f"
                           r"\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]")  # fmt: skip
_HEX_DIGEST = re.compile(r"(?<![0-9A-Za-z])(?=[0-9a-f]*[a-f])[0-9a-f]{32,}(?![0-9A-Za-z])")
_SEP = r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000.\-\u2010-\u2015\u2212_/\\,|·•'’]"
_NIK_RUN = re.compile(rf"(?<!\d)\d(?:{_SEP}?\d)+(?!\d)")
_IMG_DATA = re.compile(
    r"(<img\b[^>]*?\bsrc\s*=\s*[\"']?data:image/[\w+.-]+;base64,)([A-Za-z0-9+/=\s]+)",
    re.IGNORECASE,
)
_DATA_TEXT = re.compile(
    r"data:(?!image/)([\w+.-]+/[\w+.-]+(?:;[\w=.-]+)*),([^\"'\s<>]+)", re.IGNORECASE
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_CELL_ROW = re.compile(r"<tr\b.*?</tr>", re.IGNORECASE | re.DOTALL)
_CELL = re.compile(r"<t[dh]\b[^>]*>(.*?)</t[dh]>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


@dataclass(frozen=True)
class Finding:
    """One leak: which file, what kind, and how many."""

    path: Path
    kind: str
    count: int

    KINDS = {
        "nik_shaped": "NIK-shaped numbers",
        "raw_nik": "NIKs from the raw files",
        "raw_name": "names or addresses from the raw files",
        "unmarked_table": "tables that did not pass the disclosure gate",
        "altered_table": "tables changed after the disclosure gate",
        "small_count": "counts of fewer than min_cell people outside gated tables",
        "unmarked_download": "downloads without a gated manifest entry",
        "unlisted_file": "files that are not part of a report",
    }

    def __str__(self) -> str:
        return f"{self.path}: {self.count} {self.KINDS.get(self.kind, self.kind)}"


@dataclass
class Secrets:
    """What must never appear: this month's raw NIKs (sorted numbers) and names (normalised,
    words joined by one space, and run together). The NIKs may be read only when first needed
    (`load_niks`): a NIK-shaped number is already a finding, and processed data has none, so a
    clean run need not hold every raw NIK in memory."""

    niks: np.ndarray | None = field(default_factory=lambda: np.array([], dtype="int64"))
    names: set[str] = field(default_factory=set)
    joined: set[str] = field(default_factory=set)
    longest: int = 1
    load_niks: Callable[[], np.ndarray] | None = field(default=None, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def raw_niks(self) -> np.ndarray:
        """The raw NIKs, sorted (read from the raw files the first time, once)."""
        with self._lock:
            if self.niks is None:
                self.niks = self.load_niks() if self.load_niks else np.array([], dtype="int64")
            return self.niks


# ------------------------------------------------------------------ normalising


def normalise(text: str) -> str:
    """HTML entities unescaped (repeatedly), NFKC, zero-width and format characters removed."""
    for _ in range(3):
        unescaped = html.unescape(text)
        if unescaped == text:
            break
        text = unescaped
    return _FORMAT_CHARS.sub("", unicodedata.normalize("NFKC", text))


def fold(text: str) -> str:
    """Lower case without accents (for names): 'Budi Sántoso' → 'budi santoso'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def name_words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def readable(text: str, suffix: str) -> str:
    """The text a reader could see in a file: notebook JSON without image outputs, HTML with
    embedded images' base64 removed (only there), everything normalised."""
    if suffix == ".ipynb":
        text = _notebook_text(text)
    if suffix in (".csv", ".tsv"):
        text = _table_text(text, "\t" if suffix == ".tsv" else ",")
    text = _IMG_DATA.sub(lambda m: m.group(1) + " ", text)
    # what a data: address that is not an image carries, read again decoded, outside any tag
    text += "".join("\n" + _data_text(*m.groups()) for m in _DATA_TEXT.finditer(text))
    return normalise(text)


def _data_text(meta: str, data: str) -> str:
    """What a `data:` address that is not an image carries, decoded (a CSV in a download link:
    percent-encoded, or base64), so it is read like other text."""
    if meta.lower().endswith(";base64"):
        try:
            return base64.b64decode(data + "=" * (-len(data) % 4)).decode("utf-8", "replace")
        except ValueError:
            return ""
    return unquote(data)


#: A number as the report's downloads write a share or an amount: one or two decimals, no
#: leading zero (a piece of a NIK split over cells is four digits, often with one).
_DECIMAL = re.compile(r"^-?(?:0|[1-9]\d*)\.(\d{1,2})$")


def _table_text(raw: str, delimiter: str) -> str:
    """A CSV (or TSV) as the rows of an HTML table, so its cells are read like a page's table's:
    digits never run on from one cell into the next (a row of counts is not a NIK), and a NIK
    split over cells is still found (`_split_over_cells`). A decimal number is written with a
    decimal comma, as the pages write it, so it does not join its neighbours into 16 digits."""
    rows = csv.reader(io.StringIO(raw.lstrip("\ufeff")), delimiter=delimiter)
    return "\n".join(
        "<tr>"
        + "".join(f"<td>{html.escape(_DECIMAL.sub(_comma, c.strip()))}</td>" for c in row)
        + "</tr>"
        for row in rows
    )


def _comma(m: re.Match) -> str:
    return m.group(0).replace(".", ",")


def _notebook_text(raw: str) -> str:
    """Sources and outputs of a notebook as text; image outputs left out (they are pictures)."""
    try:
        nb = json.loads(raw)
    except ValueError:
        return raw
    parts = [json.dumps(nb.get("metadata", {}), ensure_ascii=False)]
    for cell in nb.get("cells", []):
        parts.append("".join(cell.get("source", "")))
        for out in cell.get("outputs", []):
            parts.append("".join(out.get("text", "")) if "text" in out else "")
            parts += [str(out.get(k, "")) for k in ("ename", "evalue", "traceback")]
            for mime, value in out.get("data", {}).items():
                if not mime.startswith("image/") or mime == "image/svg+xml":
                    parts.append(value if isinstance(value, str) else json.dumps(value))
    return "\n".join(parts)


# ------------------------------------------------------------------ NIKs


def nik_valid(digits: str) -> bool:
    """Whether 16 digits follow the NIK rules (province, region codes, birth date, serial)."""
    if len(digits) != NIK_DIGITS or digits[:2] not in PROVINCES:
        return False
    day, month = int(digits[6:8]), int(digits[8:10])
    return (
        digits[2:4] != "00"
        and digits[4:6] != "00"
        and (1 <= day <= 31 or 41 <= day <= 71)
        and 1 <= month <= 12
        and digits[12:] != "0000"
    )


def nik_candidates(text: str) -> list[str]:
    """NIK-shaped digit strings in normalised text (see the module docstring)."""
    text = _HEX_DIGEST.sub(" ", text)
    found = []
    for m in _NIK_RUN.finditer(text):
        parts = re.split(f"({_SEP})", m.group())
        digits = "".join(parts[::2])
        if len(digits) == NIK_DIGITS:
            found.append(digits)
        elif len(digits) > NIK_DIGITS:
            found += _inside(parts[::2], parts[1::2])[:1]
    found += _split_over_cells(text)
    return found


def _inside(groups: list[str], seps: list[str]) -> list[str]:
    """Valid NIKs inside a longer run: any 16 contiguous digits, or 16 digits made of whole
    consecutive groups joined by one and the same separator (dates and times, lists of codes
    never line up so)."""
    out = []
    for g in groups:
        out += [g[i : i + NIK_DIGITS] for i in range(len(g) - NIK_DIGITS + 1)]
    for i in range(len(groups)):
        joined, used = groups[i], set()
        for j in range(i + 1, len(groups)):
            if len(joined) >= NIK_DIGITS:
                break
            used.add(seps[j - 1])
            joined += groups[j]
        if len(joined) == NIK_DIGITS and len(used) <= 1:
            out.append(joined)
    return [w for w in out if nik_valid(w)]


def _split_over_cells(text: str) -> list[str]:
    """NIKs spread over consecutive all-digit cells of an HTML table row (cells aligned with
    the 16 digits, none longer than half a NIK), valid by the NIK rules. A cell of more than 8
    digits is an amount, not a piece of a NIK: a download's yearly rupiah beside a price made
    a valid-looking 16 digits (365396 | 1910132549)."""
    found = []
    if "<t" not in text.lower():
        return found
    for row in _CELL_ROW.findall(text):
        cells = [re.sub(r"[\s.\-/]", "", _TAG.sub("", c)) for c in _CELL.findall(row)]
        for i in range(len(cells)):
            joined = ""
            for c in cells[i:]:
                if not c.isdigit() or len(c) > NIK_DIGITS // 2:
                    break
                joined += c
                if len(joined) >= NIK_DIGITS:
                    if len(joined) == NIK_DIGITS and nik_valid(joined) and len(joined) > len(c):
                        found.append(joined)
                    break
    return found


# ------------------------------------------------------------------ the raw files' secrets


def secrets_from_raw(raw_dir: Path, public: Iterable[str] = ()) -> Secrets:
    """The secrets of a period's raw folder (`secrets_from_cache`), converting each raw file to
    the cache first if needed. `public`: words and names that are not secrets however
    a raw file uses them (the region's place names)."""
    tables = []
    for stem in RAW_STEMS:
        try:
            path = find_raw_file(raw_dir, stem)
            tables.append(cache_raw(stem, path, PARTITION_ROWS) if path else None)
        except AnalysisError:
            continue
    return secrets_from_cache([t for t in tables if t is not None], public)


def secrets_from_cache(tables: Iterable[CachedRaw], public: Iterable[str] = ()) -> Secrets:
    """The names of cached raw files, partition by partition, reading only the name columns;
    their NIKs are read the same way when first needed (`Secrets.raw_niks`)."""
    tables = list(tables)
    names = set()
    for values in _raw_columns(tables, NAME_COLUMNS):
        names.update(pc.unique(pc.drop_null(values)).to_pylist())
    return _secrets(
        lambda: np.concatenate(
            [np.array([], "int64"), *map(_nik_numbers, _raw_columns(tables, NIK_COLUMNS))]
        ),
        names,
        public,
    )


def _raw_columns(tables: list[CachedRaw], columns: tuple[str, ...]) -> Iterator[pa.ChunkedArray]:
    """Those of `columns` that the cached raw files hold, one partition at a time."""
    for table in tables:
        schema, parts, _ = cached_shape(table.cache)
        wanted = [c for c in columns if c in schema.names]
        for i in range(parts if wanted else 0):
            yield from cached_part(table.cache, i, wanted).columns


def _nik_numbers(values: pa.ChunkedArray) -> np.ndarray:
    """The numbers of 15 or 16 digits that a raw NIK column holds (its digits only)."""
    digits = pc.replace_substring_regex(values.cast(pa.large_string()), r"\D", "")
    length = pc.utf8_length(digits)
    kept = pc.filter(
        digits, pc.and_(pc.greater_equal(length, 15), pc.less_equal(length, NIK_DIGITS))
    )
    return kept.cast(pa.int64()).to_numpy()


def _secrets(
    niks: np.ndarray | Callable[[], np.ndarray], raw_names: set[str], public: Iterable[str]
) -> Secrets:
    """Secrets from raw NIKs (numbers, or a function that reads them when first needed), raw
    names and the words that are public."""
    known = {" ".join(name_words(p)) for p in public}
    known |= {w for p in known for w in p.split()}
    names, joined = set(), set()
    for name in raw_names:
        words = name_words(str(name))
        key = " ".join(words)
        if not words or key in known or (len(words) == 1 and len(words[0]) < MIN_NAME_CHARS):
            continue
        names.add(key)
        if len(words) > 1:
            joined.add("".join(words))
    longest = max((k.count(" ") + 1 for k in names), default=1)
    if callable(niks):
        return Secrets(None, names, joined, longest, lambda: _sorted_unique(niks()))
    return Secrets(_sorted_unique(niks), names, joined, longest)


def _sorted_unique(numbers: np.ndarray) -> np.ndarray:
    """The distinct numbers, sorted: by sorting, which is 15 times faster on a million NIKs than
    numpy 2.4's `np.unique` (a hash table when no counts or indices are asked for)."""
    numbers = np.array(numbers, dtype="int64")  # our own copy, sorted in place
    numbers.sort()
    keep = np.ones(len(numbers), dtype=bool)
    np.not_equal(numbers[1:], numbers[:-1], out=keep[1:])
    return numbers[keep]


# ------------------------------------------------------------------ scanning


def scan_text(text: str, secrets: Secrets) -> dict[str, int]:
    """Kinds of leak found in normalised text, with counts."""
    found = _nik_hits(text, secrets)
    if secrets.names:
        found |= _name_hits(name_words(_TAG.sub(" ", text)), secrets)
    return found


def _nik_hits(text: str, secrets: Secrets) -> dict[str, int]:
    """NIK-shaped numbers in normalised text, and how many of them are this month's raw NIKs."""
    shaped = nik_candidates(text)
    if not shaped:
        return {}
    found = {"nik_shaped": len(shaped)}
    niks, numbers = secrets.raw_niks(), np.array([int(s) for s in shaped], dtype="int64")
    at = np.minimum(np.searchsorted(niks, numbers), max(len(niks) - 1, 0))
    hits = int((niks[at] == numbers).sum()) if len(niks) else 0
    return found | ({"raw_nik": hits} if hits else {})


def _name_hits(words: list[str], secrets: Secrets) -> dict[str, int]:
    """Raw names in a run of normalised words: whole names in sequence, or run together."""
    hits = sum(w in secrets.joined for w in words)
    for n in range(1, secrets.longest + 1):
        for i in range(len(words) - n + 1):
            hits += " ".join(words[i : i + n]) in secrets.names
    return {"raw_name": hits} if hits else {}


#: Plain values looked at in Arrow at a time.
SCAN_SLICE = 1 << 18


#: Bytes a plain value is made of: printable ASCII but '&' (an entity) and '<' (a tag).
_PLAIN_BYTES = np.zeros(256, dtype=bool)
_PLAIN_BYTES[0x20:0x7F] = True
_PLAIN_BYTES[[ord("&"), ord("<")]] = False
_DIGITS = np.zeros(256, dtype=bool)
_DIGITS[ord("0") : ord("9") + 1] = True


def _per_value(offsets: np.ndarray, flags: np.ndarray) -> np.ndarray:
    """How many bytes of each value are flagged (values as `text_buffers` gives their offsets)."""
    seen = np.zeros(len(flags) + 1, dtype="int64")
    np.cumsum(flags, out=seen[1:])
    return seen[offsets[1:]] - seen[offsets[:-1]]


def plain_and_digits(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Which values read the same normalised and have their ASCII letters as words (printable
    ASCII without '&' or '<'), and how many ASCII digits each holds: one look at the bytes."""
    offsets, data = text_buffers(values)
    plain = _per_value(offsets, ~_PLAIN_BYTES[data]) == 0
    return plain, _per_value(offsets, _DIGITS[data])


def plain_text(values: pa.Array) -> np.ndarray:
    """Which values are plain (`plain_and_digits`)."""
    return plain_and_digits(values)[0]


#: Row groups of one parquet file looked at side by side (reading and checking them is mostly
#: Arrow and numpy, off the GIL: the last table of a large month is scanned while nothing else
#: runs).
GROUP_THREADS = 2


class _Group(NamedTuple):
    """What one row group's columns hold, as the scanner reads them, in column order: per text
    column `(name, None)` when all its values are hex digests (pseudonyms) or `(name, values
    looked at)`; the rest of the columns' text as Python strings (`other`)."""

    text: list[tuple[str, _PlainValues | None]]
    other: list[str]


#: A text column whose dictionary page (in a row group) is smaller than this has few distinct
#: values (a code, a sector, a segment): it is read as its dictionary, each distinct value once,
#: not decoded value by value. Larger pages mean many values, or a writer that fell back to plain
#: pages, where a dictionary would have to be built: read as values.
FEW_VALUES_BYTES = 1 << 16


def _few_valued(metadata: pq.FileMetaData, group: int, text: set[str]) -> list[str]:
    """The text columns of a row group stored as a small dictionary (see `FEW_VALUES_BYTES`)."""
    chunks = metadata.row_group(group)
    out = []
    for i in range(chunks.num_columns):
        chunk = chunks.column(i)
        if (
            chunk.path_in_schema in text
            and chunk.has_dictionary_page
            and chunk.data_page_offset - chunk.dictionary_page_offset < FEW_VALUES_BYTES
        ):
            out.append(chunk.path_in_schema)
    return out


def _column(parquet: pq.ParquetFile, group: int, name: str) -> pa.Array:
    """One column of a row group; a column read as a dictionary gives the distinct values it holds."""
    col = parquet.read_row_group(group, [name]).column(0).combine_chunks()
    if pa.types.is_dictionary(col.type):
        return col.dictionary.take(pc.drop_null(pc.unique(col.indices)))
    return col


def _read_group(
    path: Path, group: int, names: list[str], text: set[str], metadata: pq.FileMetaData
) -> _Group:
    """One row group of a parquet file, a column at a time (memory holds one column of it)."""
    # one reader per thread (a reader is not shared between threads)
    parquet = pq.ParquetFile(
        path, metadata=metadata, read_dictionary=_few_valued(metadata, group, text)
    )
    seen, other = [], []
    for name in names:
        col = _column(parquet, group, name)
        if name not in text:
            other += _other_values(col)
        elif all_hex64(col):
            seen.append((name, None))
        else:
            looked = _PlainValues()
            looked(name, col)
            seen.append((name, looked))
    return _Group(seen, other)


def _parquet_values(path: Path, looked_at: _PlainValues) -> list[str]:
    """A parquet file's text as the scanner reads it, row groups side by side (`GROUP_THREADS`),
    each a column at a time: each text column's values go to `looked_at`, and the rest is
    returned as Python strings (column names, numbers that could be NIKs as digits, text of
    other types). Columns that are all hex digests (pseudonyms) in every row group are skipped
    whole; the groups are taken in order, as if read one after the other."""
    parquet = pq.ParquetFile(path)
    schema = parquet.schema_arrow
    text = {n for n in schema.names if _is_text(schema.field(n).type)}
    digests = set(text)  # columns all hex digests so far
    other = list(schema.names)

    def look_again(name: str, group: int) -> None:
        looked_at(name, parquet.read_row_group(group, [name]).column(0))

    with ThreadPoolExecutor(GROUP_THREADS) as pool:
        read = partial(_read_group, path, names=schema.names, text=text, metadata=parquet.metadata)
        for i, group in enumerate(pool.map(read, range(parquet.num_row_groups))):
            for name, looked in group.text:
                if looked is None:
                    if name not in digests:  # digests here, but not all through: looked at
                        look_again(name, i)
                    continue
                if name in digests:  # a value that is not a digest: the earlier groups count too
                    digests.discard(name)
                    for j in range(i):
                        look_again(name, j)
                looked_at.add(looked)
            other += group.other
    return other


def _distinct(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    return contiguous(pc.unique(pc.drop_null(values)))


def _is_text(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _other_values(col: pa.Array) -> list[str]:
    """A column that is not text, as the scanner reads it: numbers that could be NIKs as digits,
    nothing of booleans and dates, anything else as its text."""
    if pa.types.is_integer(col.type) or pa.types.is_floating(col.type):
        v = pd.Series(col.to_numpy(zero_copy_only=False)).dropna().abs()
        return [str(int(x)) for x in v[(v >= 1e14) & (v < 1e20)].unique()]
    if pa.types.is_boolean(col.type) or pa.types.is_temporal(col.type):
        return []
    return [str(v) for v in pd.Series(col.to_pylist()).dropna().astype(str).unique()]


_LETTERS = np.zeros(256, dtype=bool)
_LETTERS[np.r_[ord("A") : ord("Z") + 1, ord("a") : ord("z") + 1]] = True


def word_runs(values: pa.Array) -> pa.Array:
    """Each plain (ASCII) value's runs of letters, lower case, joined by one space ('UMKM-0001/budi'
    → 'umkm budi'): the words `name_words` finds in it. In numpy over the bytes, 10× faster than
    the regex replacement it stands for (which took most of a large month's scan)."""
    offsets, data = text_buffers(values)
    letter = _LETTERS[data]
    # a space where a run of letters ends, if another run follows in the same value
    ends = np.flatnonzero(~letter[1:] & letter[:-1]) + 1
    first = np.zeros(len(data) + 1, dtype=bool)
    first[offsets] = True
    ends = ends[~first[ends]]  # not the first byte of the next value
    letters = np.append(np.flatnonzero(letter), len(data))
    value_end = offsets[np.searchsorted(offsets, ends, side="right")]
    ends = ends[letters[np.searchsorted(letters, ends)] < value_end]
    out = data | 0x20  # lower case (only letters are kept as they are)
    out[ends] = 0x20
    keep = letter
    keep[ends] = True
    kept = np.zeros(len(data) + 1, dtype="int64")
    np.cumsum(keep, out=kept[1:])
    return pa.Array.from_buffers(
        pa.large_string(),
        len(offsets) - 1,
        [None, pa.py_buffer(kept[offsets]), pa.py_buffer(out[keep])],
    )


class _PlainValues:
    """What a parquet file's text columns hold, looked at a row group's values at a time (distinct
    ones, unless a column's values are mostly distinct anyway) and remembered in little: each column's values that are not plain (for `scan_text`), its
    plain values with 16 digits or more (for `_nik_hits`), and its distinct runs of words (for
    `_name_hits`, once each). Plain values are looked at in Arrow and numpy."""

    def __init__(self) -> None:
        self.other: list[pa.Array] = []
        self.long: dict[str, list[pa.Array]] = {}
        self.runs: dict[str, set[str]] = {}
        self.dense: set[str] = set()  # columns of mostly distinct values: not deduplicated first

    def __call__(self, column: str, values: pa.Array) -> None:
        values = pc.drop_null(values)
        if column not in self.dense:  # what is kept is deduplicated again: this only saves work
            distinct = pc.unique(values)
            if len(distinct) > len(values) // 2:
                self.dense.add(column)
            values = distinct
        values = contiguous(values).cast(pa.large_string())  # one type, whichever the column's
        for start in range(0, len(values), SCAN_SLICE):  # bounded memory on millions of values
            part = values.slice(start, SCAN_SLICE)
            plain, digits = plain_and_digits(part)
            self.other.append(pc.filter(part, ~plain))
            self.long.setdefault(column, []).append(pc.filter(part, plain & (digits >= NIK_DIGITS)))
            runs = pc.unique(word_runs(pc.filter(part, plain))).to_pylist()
            self.runs.setdefault(column, set()).update(runs)

    def add(self, more: _PlainValues) -> None:
        """What `more` looked at, as if this had looked at it next."""
        self.other += more.other
        for column, long in more.long.items():
            self.long.setdefault(column, []).extend(long)
        for column, runs in more.runs.items():
            self.runs.setdefault(column, set()).update(runs)
        self.dense |= more.dense


def _values_with_run(path: Path, column: str, run: str) -> int:
    """How many distinct plain values of a parquet column have this run of words (read again:
    only for a run that holds a name, so only when there is a leak to count)."""
    values = _distinct(pq.read_table(path, columns=[column]).column(0)).cast(pa.large_string())
    plain = pc.filter(values, plain_text(values))
    return sum(
        pc.sum(pc.equal(word_runs(plain.slice(i, SCAN_SLICE)), run)).as_py() or 0
        for i in range(0, len(plain), SCAN_SLICE)
    )


def scan_parquet(path: Path, secrets: Secrets) -> dict[str, int]:
    """Kinds of leak in a parquet file, with counts, each distinct value of a column read on its
    own (as a table's cells are: one value never runs on into the next). Plain values are looked
    at in Arrow: only those with 16 digits or more can hold a NIK, and their names are looked for
    once per distinct run of words; everything else goes through `scan_text` one by one."""
    seen = _PlainValues()
    other = _parquet_values(path, seen)
    found: dict[str, int] = {}

    def add(kinds: dict[str, int], times: int = 1) -> None:
        for kind, n in kinds.items():
            found[kind] = found.get(kind, 0) + n * times

    other += pc.unique(pa.chunked_array(seen.other, pa.large_string())).to_pylist()
    for text in dict.fromkeys(other):
        add(scan_text(normalise(text), secrets))
    for long in seen.long.values():
        for text in pc.unique(pa.chunked_array(long, pa.large_string())).to_pylist():
            add(_nik_hits(text, secrets))  # names: below, for every plain value
    if secrets.names:
        for column, runs in seen.runs.items():
            for run in runs:
                hits = _name_hits(run.split(), secrets)
                if hits:
                    add(hits, _values_with_run(path, column, run))
    return found


def files_under(paths: Iterable[Path]) -> list[Path]:
    """Files given, and every file under the folders given (sorted)."""
    out = []
    for root in map(Path, paths):
        if root.is_file():
            out.append(root)
        elif root.is_dir():
            out += sorted(p for p in root.rglob("*") if p.is_file())
    return out


def file_text(path: Path) -> str | None:
    """What a reader of a text file sees, normalised; None for other files (parquet files are
    read by `scan_parquet`)."""
    if path.suffix.lower() in TEXT_SUFFIXES:
        return readable(path.read_text(encoding="utf-8", errors="replace"), path.suffix.lower())
    return None


def scan_file(path: Path, secrets: Secrets) -> list[Finding]:
    """Scan one file for NIKs and names; one finding per kind."""
    if path.suffix == ".parquet":
        found = scan_parquet(path, secrets)
    else:
        text = file_text(path)
        found = scan_text(text, secrets) if text is not None else {}
    return [Finding(path, kind, n) for kind, n in found.items()]


def scan_paths(
    paths: Iterable[Path], secrets: Secrets, done: Mapping[Path, list[Finding]] | None = None
) -> list[Finding]:
    """Scan files and folders (recursively) for NIKs and names; one finding per file and kind,
    in file order. `done`: findings of files already scanned (not scanned again)."""
    done = done or {}

    def scan(f: Path) -> list[Finding]:
        return done[f] if f in done else scan_file(f, secrets)

    # two files at a time: reading and checking a parquet file is mostly Arrow, off the GIL
    with ThreadPoolExecutor(2) as pool:
        return [finding for found in pool.map(scan, files_under(paths)) for finding in found]
