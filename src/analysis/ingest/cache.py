"""The cache of raw extracts: each raw file converted once, then read partition by partition.

A raw file becomes `data/raw/<period>/_cache/<stem>.arrow` (text columns + `source_row`, an
uncompressed Arrow file with one record batch per partition of `partition_rows` rows, read back
memory-mapped: nothing decoded or copied) with `<stem>.json` beside it: how the file was read,
and the key (file name, size, SHA-256 of the raw file, partition size, the header mapping's
fingerprint, cache version) that says whether the conversion is still up to date, with the
SHA-256 of the cache file it made: a cache whose raw file or whose own bytes changed (a row
appended to the cache file, say) is made again. Untouched demo data is never read from a cache (`reuse=False`): what is
cleaned with the public demo key is then always exactly the files whose hashes the code
ships. The cache holds the same personal data as the raw file, so it stays in the git-ignored
raw folder (owner-only) and never leaves `data/raw/`.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass, fields
from pathlib import Path

import pandas as pd
import pyarrow as pa

from analysis.errors import AnalysisError
from analysis.ingest.limits import check_limits
from analysis.ingest.mapping import Mapping, load_mapping
from analysis.ingest.read import (
    HowRead,
    PartWriter,
    cached_part,
    cached_shape,
    cached_table,
    csv_to_cache,
    how_from,
    read_raw,
)
from analysis.paths import check_inside, sha256_file

#: Bumped whenever the cached form changes, so an old cache is never reused.
CACHE_VERSION = 3  # 3: an Arrow file (was parquet)
CACHE_DIR = "_cache"
#: Rows per partition of the cache: the unit of bounded-memory cleaning (and of Dask tasks).
PARTITION_ROWS = 500_000


@dataclass
class CachedRaw(HowRead):
    """A raw file converted once to an Arrow file (text columns + `source_row`), read partition by
    partition.

    Each record batch is one partition of `partition_rows` rows, so a partition can be read on
    its own (by a Dask worker too). The cache lives beside the raw file, in the git-ignored
    `data/raw/<period>/_cache/`: it holds the same personal data as the raw file and never
    leaves `data/raw/`.
    """

    stem: str
    path: Path
    cache: Path
    rows: int
    parts: int
    sha256: str  # of the raw file's bytes

    @property
    def rows_in(self) -> int:
        return self.rows + len(self.malformed)

    def part(self, i: int) -> pd.DataFrame:
        """Partition `i` as a text DataFrame (canonical columns + `source_row`)."""
        return cached_part(self.cache, i).to_pandas()

    def read_all(self) -> pd.DataFrame:
        return cached_table(self.cache).to_pandas()


def _how_of(table: HowRead) -> dict:
    """How a table was read, as the cache's metadata keeps it."""
    return {f.name: getattr(table, f.name) for f in fields(HowRead)}


def _frame_to_cache(frame: pd.DataFrame, target: Path, rows: int) -> dict:
    """A table read whole (a workbook) written as partitions of `rows` rows: how many, and the
    cache file's hash."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    out = PartWriter(target, rows)
    out.add(table)
    return {"parts": out.close(table.schema), "cache_sha256": out.sha256}


def _cache_key(
    path: Path, partition_rows: int, mapping: Mapping, sha256: str | None = None
) -> dict:
    """What a conversion was made from (the file's bytes, the partition size, the header mapping's
    lines for it): when any of it changes, the cache is made again."""
    return {
        "version": CACHE_VERSION,
        "file": path.name,
        "size": path.stat().st_size,
        "sha256": sha256 or sha256_file(path),
        "partition_rows": partition_rows,
        "mapping": mapping.fingerprint,
    }


def _up_to_date(meta_file: Path, target: Path, key: dict) -> dict | None:
    """The cache's metadata if the conversion exists, was made from the same bytes and is itself
    unchanged, else None."""
    if not (meta_file.exists() and target.exists()):
        return None
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except ValueError:
        return None
    if meta.get("key") != key or meta.get("cache_sha256") != sha256_file(target):
        return None
    return meta


def _convert(stem: str, path: Path, target: Path, partition_rows: int, mapping: Mapping) -> dict:
    """Convert a raw file to `target` through a temporary file (a failed run leaves no half cache);
    returns how it was read, with `parts`, `rows` and the cache file's hash (`cache_sha256`)."""
    tmp = target.with_name(f".{stem}.{os.getpid()}.arrow")
    try:
        if path.suffix.lower() == ".csv":
            info = csv_to_cache(stem, path, tmp, partition_rows, mapping)
        else:
            table = read_raw(stem, path, mapping)
            info = _how_of(table) | _frame_to_cache(table.frame, tmp, partition_rows)
        tmp.replace(target)
    except (pa.ArrowInvalid, csv.Error, UnicodeError, MemoryError) as exc:
        raise AnalysisError(
            f"{path} cannot be read as {path.suffix[1:].upper()}: {str(exc).splitlines()[0][:120]}"
        ) from None
    finally:
        tmp.unlink(missing_ok=True)
    info["rows"] = cached_shape(target)[2]
    return info


def cache_raw(
    stem: str, path: Path, partition_rows: int, sha256: str | None = None, reuse: bool = True
) -> CachedRaw:
    """The raw file as cached (an Arrow file), converting it first unless an up-to-date cache exists
    (never reused when `reuse` is false; read through the header mapping beside it,
    `analysis.ingest.mapping`); `sha256`: the raw file's, if already known."""
    cache = path.parent / CACHE_DIR
    check_inside(cache, path.parent)  # a linked _cache would copy personal data elsewhere
    check_limits(path)
    mapping = load_mapping(stem, path)
    target, meta_file = cache / f"{stem}.arrow", cache / f"{stem}.json"
    meta = None
    if reuse and meta_file.exists() and target.exists():
        meta = _up_to_date(meta_file, target, _cache_key(path, partition_rows, mapping, sha256))
    if meta is None:
        cache.mkdir(mode=0o700, exist_ok=True)
        info = _convert(stem, path, target, partition_rows, mapping)
        # the hash of the bytes converted (a CSV is hashed as it is read), else of the file
        read_as = info.pop("sha256", None) or sha256
        meta = {"key": _cache_key(path, partition_rows, mapping, read_as), **info}
        meta_file.write_text(json.dumps(meta) + "\n", encoding="utf-8")
    return CachedRaw(
        stem, path, target, meta["rows"], meta["parts"], meta["key"]["sha256"], **how_from(meta)
    ).require_rows(stem, path)


def has_cache(raw_dir: Path) -> bool:
    """Whether a period's raw folder holds a conversion of any of its files (then each file is
    hashed before it is read: only the same bytes may reuse a conversion)."""
    return any((Path(raw_dir) / CACHE_DIR).glob("*.json"))
