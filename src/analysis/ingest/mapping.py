"""The analyst's header mapping: headers the readers do not know, mapped without code.

A raw file whose headers the readers do not recognise (a NIB export's `Kelurahan Usaha`, worker
counts split by sex, rosters keyed by `NIB`) is read through `headers.toml`, a TOML file with
one table per raw file, each line `canonical column = "Header as in the file"`:

    [umkm]
    id_umkm = "NIB"                      # one column can feed two: the NIB is the business id …
    nib = "NIB"                          # … and the NIB
    kelurahan = "Kelurahan Usaha"
    jumlah_tenaga_kerja = ["Jumlah TK Laki-laki", "Jumlah TK Perempuan"]   # a list is summed

    [tenaga_kerja]
    id_umkm = "NIB"

Two places, both beside the data (git-ignored with it): `data/raw/<period>/headers.toml` for
one month, whose every line must match the file, and `data/raw/headers.toml` for every month,
whose lines apply where the file has their headers. A month's line wins over the all-months
one for the same column. Headers match whatever their case, spacing and punctuation
(`norm_header`). Only counts and amounts can be summed. `python -m analysis inspect` prints a
ready-to-edit mapping for a month (`analysis.ingest.inspect`).
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa

from analysis.errors import AnalysisError
from analysis.ingest.headers import COLUMNS, check_columns, map_header, norm_header
from analysis.ingest.parse import map_unique, parse_amount, parse_int
from analysis.paths import RAW_STEMS

MAPPING_FILE = "headers.toml"
#: Columns a mapping may make as the sum of several (each part read as the column is).
SUMMABLE: dict[str, Callable[[object], float | int | None]] = {
    "jumlah_tenaga_kerja": parse_int,
    "omzet_tahunan": parse_amount,
    "penghasilan_bulanan": parse_amount,
    "upah_dilaporkan": parse_amount,
    "kesediaan_bayar": parse_amount,
}


@dataclass(frozen=True)
class Entry:
    """One line of a mapping: a canonical column made from one header, or the sum of several."""

    column: str
    headers: tuple[str, ...]  # as written in the mapping file
    strict: bool  # a month's own mapping: every header must be in the file
    source: str  # the mapping file's name, for messages ('2026-10/headers.toml')

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(norm_header(h) for h in self.headers)


@dataclass(frozen=True)
class Mapping:
    """The mapping lines that apply to one raw file (a month's lines first)."""

    stem: str
    entries: tuple[Entry, ...] = ()
    fingerprint: str = ""  # changes whenever a line that applies changes (the cache key)
    sources: tuple[str, ...] = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def names(self) -> frozenset[str]:
        """Every header the mapping names, normalised (they help find the header row)."""
        return frozenset(k for e in self.entries for k in e.keys)


def _entries(path: Path, stem: str, strict: bool, label: str) -> list[Entry]:
    """The lines of one mapping file for one raw file, checked (one sentence per problem)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AnalysisError(
            f"{path} is not a valid TOML file ({exc}); fix it or remove it."
        ) from None
    unknown = [k for k in data if k not in RAW_STEMS]
    if unknown:
        raise AnalysisError(
            f"{path}: [{unknown[0]}] is not a raw file; use {', '.join(f'[{s}]' for s in RAW_STEMS)}."
        )
    table = data.get(stem, {})
    if not isinstance(table, dict):
        raise AnalysisError(
            f'{path}: {stem} must be a table ([{stem}]) of column = "Header" lines.'
        )
    out = []
    for column, value in table.items():
        if column not in COLUMNS[stem]:
            raise AnalysisError(
                f"{path}: [{stem}] {column} is not a column of {stem} "
                f"(the columns are {', '.join(COLUMNS[stem])})."
            )
        headers = (value,) if isinstance(value, str) else value
        if not (
            isinstance(headers, (list, tuple))
            and headers
            and all(isinstance(h, str) and norm_header(h) for h in headers)
        ):
            raise AnalysisError(
                f'{path}: [{stem}] {column} must be a header ("Header") or a list of headers to add up.'
            )
        if len(headers) > 1 and column not in SUMMABLE:
            raise AnalysisError(
                f"{path}: [{stem}] {column} lists several headers, but only counts and amounts can "
                f"be added up ({', '.join(SUMMABLE)})."
            )
        out.append(Entry(column, tuple(headers), strict, label))
    return out


def load_mapping(stem: str, raw_file: Path) -> Mapping:
    """The mapping lines for a raw file: its month's `headers.toml`, then the all-months one."""
    month_dir = raw_file.parent
    files = [
        (month_dir / MAPPING_FILE, True, f"{month_dir.name}/{MAPPING_FILE}"),
        (month_dir.parent / MAPPING_FILE, False, MAPPING_FILE),
    ]
    entries: list[Entry] = []
    digest = hashlib.sha256(stem.encode())
    for path, strict, label in files:
        if not path.is_file():
            continue
        for entry in _entries(path, stem, strict, label):
            if all(e.column != entry.column for e in entries):  # the month's line wins
                entries.append(entry)
                digest.update(repr((entry.column, entry.keys, strict)).encode())
    sources = tuple(dict.fromkeys(e.source for e in entries))
    return Mapping(stem, tuple(entries), digest.hexdigest()[:16] if entries else "", sources)


def apply_mapping(
    mapping: Mapping, keys: list[str], header: list[object], where: str
) -> dict[str, list[int]]:
    """The columns the mapping makes from a header row (normalised `keys`): column → positions.

    A month's line whose header is not in the row stops the run; an all-months line applies
    only where the row has all its headers. A header that occurs twice is ambiguous.
    """
    out: dict[str, list[int]] = {}
    for entry in mapping.entries:
        found = [[i for i, k in enumerate(keys) if k == key] for key in entry.keys]
        missing = [h for h, at in zip(entry.headers, found, strict=True) if not at]
        if missing and (entry.strict or len(missing) < len(entry.headers)):
            raise AnalysisError(
                f"{where}: {entry.source} maps {entry.column} to {missing[0]!r}, which is not a "
                f"column of the file; check the spelling with 'python -m analysis inspect'."
            )
        if missing:
            continue
        twice = [h for h, at in zip(entry.headers, found, strict=True) if len(at) > 1]
        if twice:
            raise AnalysisError(
                f"{where}: the file has two columns {twice[0]!r}; {entry.source} cannot tell which "
                f"one {entry.column} is. Rename one of them in the file."
            )
        out[entry.column] = [at[0] for at in found]
    return out


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def sum_text(column: str, parts: list[str]) -> str:
    """The text of a column made as a sum of several cells: the sum if every given part can be
    read, '' if none is given, else the parts as written ('3 + lima'), which the cleaning then
    refuses as a number it cannot read (empty parts count as 0)."""
    given = [p for p in parts if p.strip()]
    if not given:
        return ""
    parse = SUMMABLE[column]
    values = [parse(p) for p in given]
    if any(v is None for v in values):
        return " + ".join(given)
    return _number_text(sum(values))


def columns_of(
    stem: str, header: list[object], mapping: Mapping | None, path: Path
) -> tuple[dict[str, list[int]], list[str]]:
    """What a file's header row gives: canonical column → positions (several: added up), and the
    header cells nothing uses. The mapping's lines first; every other header by its known
    spellings (`headers.COLUMNS`), unless the mapping already made that column. Stops with one
    sentence if a required column is missing or two columns mean the same thing."""
    keys = [norm_header(c) for c in header]
    columns = apply_mapping(mapping, keys, header, str(path)) if mapping else {}
    by_mapping = frozenset(columns)
    for i, canon in map_header(stem, header)[0].items():
        if canon not in by_mapping:
            columns.setdefault(canon, []).append(i)
    check_columns(stem, path, columns, header, by_mapping)
    used = {i for positions in columns.values() for i in positions}
    ignored = [
        str(c).strip() for i, c in enumerate(header) if i not in used and str(c or "").strip()
    ]
    return columns, ignored


def _added_up(column: str, parts: list[pa.Array]) -> pa.Array:
    """A column made by adding several up (`mapping.sum_text`), computed once per distinct set of cells."""
    cells = pd.DataFrame({i: p.to_pandas() for i, p in enumerate(parts)}).fillna("").astype(str)
    joined = cells.agg("\x1f".join, axis=1) if len(cells) else pd.Series([], dtype=str)
    summed = map_unique(joined, lambda key: sum_text(column, key.split("\x1f")), dtype="str")
    return pa.array(summed.to_numpy(dtype=object), pa.string())


def assemble(columns: dict[str, list[int]], cells: dict[int, pa.Array]) -> dict[str, pa.Array]:
    """The canonical columns of a batch from its columns by header position (one position may
    feed two canonical columns; several positions are added up)."""
    return {
        canon: cells[at[0]] if len(at) == 1 else _added_up(canon, [cells[i] for i in at])
        for canon, at in columns.items()
    }
