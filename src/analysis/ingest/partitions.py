"""A raw file cleaned partition by partition, then finished across its partitions.

Each partition (a record batch of the cache) is cleaned on its own with the rules that need
only the row itself; its result is parked on disk (`spill`) with, per row, a 64-bit hash of its
content (`row_hashes`; rows sharing a hash are compared in full, `exact_duplicates`). The rules
that compare rows — exact duplicates, the same key or person twice — come last in `schemas.RULES` order, so `finish_file` applies them afterwards, across all
partitions, with the same result as on the whole file at once. `FileOutcome` then reads the
file's clean and quarantined rows back, partition by partition, without the rows removed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.feather as feather

from analysis.ingest.cache import CachedRaw
from analysis.ingest.engine import duckdb_over
from analysis.ingest.keys import repeats, sorted_position
from analysis.ingest.memory import release_memory
from analysis.ingest.read import cached_part, cached_shape
from analysis.ingest.rules import CleanedPart, Context

#: The rule that compares kept rows after the partitions: (rule, column, what the detail says).
KeyRule = tuple[str, str, str]
#: Cleans one partition of a raw file: (raw text rows, context, file name, shared lookups).
PartCleaner = Callable[[pd.DataFrame, Context, str, dict], CleanedPart]
QUARANTINE_COLUMNS = ["source_file", "source_row", "rule", "column", "detail"]
#: Partitions at least this large hand the C library's freed memory back to the OS when done
#: (`memory.release_memory`; not where the process keeps what it frees).
RELEASE_MIN_ROWS = 50_000
#: Partition results parked in memory (a month cleaned in this process, not large): file name →
#: table. Otherwise they are parked in files of the work folder.
Parked = dict[str, pa.Table]
#: Rows per record batch of a parked partition, as Arrow's feather writer cuts them (its default):
#: parked in memory or in a file, a partition reads back in the same pieces, so the tables written
#: from it are the same to the byte.
PARKED_BATCH_ROWS = 1 << 16


class PartJob(NamedTuple):
    """One partition to clean (sent to a Dask worker as it is): the file, its row group, the
    folder where results are parked, and the file's partition cleaner."""

    stem: str
    cache: str
    part: int
    work: str
    file_name: str
    cleaner: PartCleaner


def _spilled(work: Path | str, stem: str, kind: str, part: int) -> Path:
    """Where a partition's clean or quarantined rows are parked."""
    return Path(work) / f"{stem}.{kind}.{part:05d}.arrow"


def clean_part(
    job: PartJob, ctx: Context, extra: dict | None = None, parked: Parked | None = None
) -> dict:
    """Clean one partition (a record batch of the cached raw file) and park its rows: in `parked`
    (memory of this process) if given, else in the work folder.

    Runs in this process or on a Dask worker; returns only what the cross-partition rules
    need: every row's hashes, and the key of each row kept.
    """
    table = cached_part(Path(job.cache), job.part)
    rows = row_hashes(table)
    local = job.cleaner(table.to_pandas(), ctx, job.file_name, extra or {})
    spill(local.clean, _spilled(job.work, job.stem, "clean", job.part), parked)
    spill(local.quarantine, _spilled(job.work, job.stem, "quarantine", job.part), parked)
    out = {"rows": rows, "ids": local.ids, "n_clean": len(local.clean)}
    if "_key" in local.clean:
        out["keys"] = local.clean[["_row", "_key"]].copy(deep=True)  # not a view of the partition
    if table.num_rows >= RELEASE_MIN_ROWS:  # small partitions: not worth a trim each
        del local, table
        release_memory(arrow=False)  # Arrow's pool is reused by the next partition (`memory`)
    return out


def _quoted_columns(names: list[str]) -> str:
    """Every raw column but `source_row`, quoted for SQL."""
    return ", ".join('"' + n.replace('"', '""') + '"' for n in names if n != "source_row")


def row_hashes(table: pa.Table) -> pd.DataFrame:
    """Every row's source_row and a 64-bit hash of its cells (DuckDB's `hash` of all the columns,
    on every core): rows with different hashes differ; rows sharing one are compared in full
    afterwards (`exact_duplicates`), so a collision never makes a duplicate."""
    with duckdb_over(partition_rows=table) as con:
        out = con.sql(
            f"select source_row, hash({_quoted_columns(table.column_names)}) as h from partition_rows"
        ).fetchnumpy()
    return pd.DataFrame(  # own copies: nothing of DuckDB's result stays alive with them
        {
            "source_row": np.array(out["source_row"], dtype="int64"),
            "h": np.array(out["h"], dtype="uint64").view("int64"),
        }
    )


def exact_duplicates(cache: Path, source_row: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Source rows that exactly repeat an earlier row of the cached file (ascending): the rows
    whose hash is shared, taken from the cache partition by partition and compared cell by
    cell in DuckDB (NULL equals NULL, never '')."""
    order = np.argsort(h)  # any order of equal hashes: both sides of a tie are marked
    same = h[order][1:] == h[order][:-1]
    shared = np.zeros(len(h), dtype=bool)
    shared[order[1:][same]] = True
    shared[order[:-1][same]] = True
    del order, same
    candidates = np.sort(source_row[shared])
    if len(candidates) == 0:
        return candidates
    wanted = pa.array(candidates)
    _, parts, _ = cached_shape(cache)
    rows = pa.concat_tables(
        [
            part.filter(pc.is_in(part["source_row"], value_set=wanted))
            for part in (cached_part(cache, i) for i in range(parts))
        ]
    )
    columns = _quoted_columns(rows.schema.names)
    with duckdb_over(candidates=rows) as con:
        out = con.sql(
            "select source_row from (select source_row, row_number() over"
            f" (partition by {columns} order by source_row) as k from candidates)"
            " where k > 1 order by source_row"
        ).fetchnumpy()
    return np.array(out["source_row"], dtype="int64")


def spill(frame: pd.DataFrame, path: Path, parked: Parked | None = None) -> None:
    """Park a partition's result until the file's cross-partition rules are known: in `parked`
    under the file's name, or on disk as an uncompressed Arrow file, written and read back at disk
    speed (parquet encodes and decodes). Memory saves writing and reading the file: at a million
    roster workers 386 MB, 0.14 s of a clean."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if parked is None:
        feather.write_feather(table, path, compression="uncompressed", chunksize=PARKED_BATCH_ROWS)
    else:  # the pieces the file would have (slices: nothing copied)
        batches = table.to_batches(max_chunksize=PARKED_BATCH_ROWS)
        parked[str(path)] = pa.Table.from_batches(batches, schema=table.schema)


def unspill(
    path: Path,
    columns: list[str] | None = None,
    drop: np.ndarray | None = None,
    row: str = "_row",
    parked: Parked | None = None,
) -> pa.Table:
    """A parked partition (`columns` only), without the rows whose `row` number is in sorted `drop`;
    from `parked` if given (see `spill`)."""
    dropping = drop is not None and len(drop) > 0
    extra = [row] if dropping and columns is not None and row not in columns else []
    wanted = None if columns is None else columns + extra
    if parked is None:
        table = feather.read_table(path, columns=wanted)
    else:
        table = parked[str(path)]
        table = table if wanted is None else table.select(wanted)
    if dropping and table.num_rows:
        keep = sorted_position(table.column(row).to_numpy(), drop) < 0
        if not keep.all():  # most partitions of a clean file lose a few rows, some none
            table = table.filter(pa.array(keep))
    return table.drop_columns(extra)


@dataclass
class FileOutcome:
    """A raw file after every rule: which kept rows to drop, extra quarantine rows, counts."""

    stem: str
    raw: CachedRaw | None
    work: Path
    parts: int
    drop: np.ndarray  # source rows kept by their partition but removed after (duplicates)
    dups: np.ndarray  # source rows that exactly repeat an earlier row
    duplicates: int
    key_quarantine: pd.DataFrame
    ids: pd.Series | None = None
    parked: Parked | None = None  # the partitions' results, if parked in memory

    def clean_parts(self, columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
        """The file's clean rows, partition by partition (rows removed by cross-partition rules left out)."""
        for part in range(self.parts):
            path = _spilled(self.work, self.stem, "clean", part)
            yield unspill(path, columns, self.drop, parked=self.parked).to_pandas()

    def quarantine(self) -> pd.DataFrame:
        """Every quarantined row of the file in source order (malformed records first)."""
        dups = np.sort(self.dups)  # exact duplicates are counted as such, not quarantined
        parts = [
            unspill(
                _spilled(self.work, self.stem, "quarantine", part),
                None,
                dups,
                "source_row",
                self.parked,
            )
            for part in range(self.parts)
        ]
        parts.append(pa.Table.from_pandas(self.key_quarantine, preserve_index=False))
        rows = pa.concat_tables(parts, promote_options="permissive")
        del parts
        rows = rows.take(pc.sort_indices(rows, [("source_row", "ascending")]))  # stable
        if self.raw is not None and self.raw.malformed:
            rows = pa.concat_tables(
                [pa.Table.from_pandas(_malformed(self.raw), preserve_index=False), rows],
                promote_options="permissive",
            )
        return rows.to_pandas()


def _malformed(raw: CachedRaw) -> pd.DataFrame:
    """The quarantine rows of records whose field count differs from the header's."""
    return pd.DataFrame(
        {
            "source_file": raw.path.name,
            "source_row": pd.Series([n for n, _ in raw.malformed], dtype="int64"),
            "rule": "malformed_row",
            "column": None,
            "detail": [f"row {m}" for _, m in raw.malformed],
        }
    )


def finish_file(
    stem: str,
    raw: CachedRaw,
    results: list[dict],
    work: Path,
    key_rule: KeyRule | None,
    parked: Parked | None = None,
) -> FileOutcome:
    """Apply the rules that compare rows across partitions: exact duplicates, then the same key
    twice (`key_rule`, on the `keys` the partitions returned); `parked`: where the partitions'
    results are, if in memory."""
    rows = [r.pop("rows") for r in results]  # the partitions' copies go before the sort
    source_row, h = (np.concatenate([r[c].to_numpy() for r in rows]) for c in ("source_row", "h"))
    del rows
    dup_rows = exact_duplicates(raw.cache, source_row, h)
    del source_row, h
    key_q = pd.DataFrame(columns=QUARANTINE_COLUMNS)
    drop = np.sort(dup_rows)
    if key_rule is not None and results:
        rule, column, what = key_rule
        parts = [r.pop("keys") for r in results]
        kept_rows = np.concatenate([k["_row"].to_numpy(dtype="int64") for k in parts])
        keys = pd.concat([k["_key"] for k in parts], ignore_index=True)
        del parts
        kept = sorted_position(kept_rows, drop) < 0  # exact duplicates are not compared again
        kept_rows, keys = kept_rows[kept], keys[kept]
        codes = pd.factorize(keys)[0] if keys.dtype != "int64" else keys.to_numpy()
        again, first = repeats(codes, first=True)
        if again.any():
            key_q = pd.DataFrame(
                {
                    "source_file": raw.path.name,
                    "source_row": kept_rows[again],
                    "rule": rule,
                    "column": column,
                    "detail": what + " as row " + pd.Series(kept_rows[first[again]]).astype(str),
                }
            )
            drop = np.union1d(dup_rows, key_q["source_row"].to_numpy())
    ids = None
    if results and results[0]["ids"] is not None:
        ids = pd.concat([r["ids"] for r in results], ignore_index=True)
    return FileOutcome(
        stem, raw, work, len(results), drop, dup_rows, len(dup_rows), key_q, ids, parked
    )
