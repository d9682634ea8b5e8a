"""Writing a cleaned period: every processed table of docs/design.md, and quality.json, into the staging
folder of the atomic swap.

One file after another, part by part, in bounded memory. The survey and the outreach log (both
optional, depending on no other file) are written as soon as each is cleaned, while the rosters
still are (`write_side_table`). Then roster workers (linked to their participation records: the
largest table, first, so that its privacy scan runs while the rest is written), businesses
(with their roster counts), participants (on a roster or not), each raw file's quarantine rows in
file order (registry, rosters, participants, survey, outreach log), the coverage counts per
kelurahan, and quality.json, which checks `rows_in == rows_clean + rows_quarantined +
rows_duplicate` for every file. Tables derived by metrics are not written here (see
`analysis.pipeline`)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.ingest import schemas
from analysis.ingest.contracts import conform
from analysis.ingest.keys import sorted_position
from analysis.ingest.link import (
    MEASURES,
    PersonLinks,
    kelurahan_counts,
    link_counts,
    person_status,
    sum_link_counts,
)
from analysis.ingest.memory import release_memory
from analysis.ingest.outreach import empty_outreach
from analysis.ingest.partitions import QUARANTINE_COLUMNS, FileOutcome
from analysis.ingest.places import PlaceMatcher
from analysis.ingest.pseudonyms import key_id
from analysis.ingest.rules import Context
from analysis.ingest.survey import empty_survey
from analysis.store import write_quality

COVERAGE_FILE = "coverage_kelurahan.parquet"
#: Told of each processed table once it is closed: its file, and a call that waits until the
#: file is complete on disk (the privacy scan of the table starts then, while the next is written).
Completed = Callable[[Path, Callable[[], None]], None]


class _TableWriter:
    """Write a processed table part by part to one parquet file, each part checked by its schema.

    Parquet encoding (which releases the GIL) runs in a background thread while the caller
    prepares the next part; at most one part waits to be written. `close` returns at once:
    the last part is encoded and the file closed on that thread while the next table is
    prepared, and `finish` waits until the file is complete.
    """

    def __init__(self, path: Path, schema):
        self.path, self.schema, self.writer, self.empty = path, schema, None, None
        self.pool, self.pending, self.closing = ThreadPoolExecutor(1), None, None
        self.closed = False

    def write(self, frame: pd.DataFrame) -> None:
        frame = conform(self.schema, frame)
        if frame.empty:
            self.empty = frame
            return
        table = pa.Table.from_pandas(frame, preserve_index=False)
        self._wait()
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, table.schema)
        self.pending = self.pool.submit(
            self.writer.write_table, table.cast(self.writer.schema), row_group_size=len(frame)
        )

    def _wait(self) -> None:
        if self.pending is not None:
            self.pending.result()  # a failed write raises here
            self.pending = None

    def close(self) -> None:
        """No more parts: the file is completed in the background (see `finish`)."""
        self.closed = True
        if self.writer is None:
            self.pool.shutdown()
            (self.empty if self.empty is not None else pd.DataFrame()).to_parquet(
                self.path, index=False
            )
        else:
            self.closing = self.pool.submit(self.writer.close)  # after the last part's write
            self.pool.shutdown(wait=False)

    def finish(self) -> None:
        """Wait until the file is complete (a failed write or close raises here)."""
        try:
            self._wait()
        finally:
            if self.closing is not None:
                self.closing.result()


@dataclass
class _Output:
    """Where the processed tables go: the staging folder, the one quarantine file (each raw file's
    rows added when that file is done, umkm first), the region's places, and progress."""

    stage: Path
    quarantine: _TableWriter
    matcher: PlaceMatcher
    tick: Callable[[str], None]
    completed: Completed | None = None

    writers: list[_TableWriter] = field(default_factory=list)
    handed: set[Path] = field(default_factory=set)

    def table(self, name: str, schema) -> _TableWriter:
        self.writers.append(_TableWriter(self.stage / f"{name}.parquet", schema))
        return self.writers[-1]

    def hand_over(self) -> None:
        """Tell `completed` of each table closed since last told (its file, and how to wait
        until the file is complete on disk)."""
        if self.completed is None:
            return
        for writer in [*self.writers, self.quarantine]:
            if writer.closed and writer.path not in self.handed:
                self.handed.add(writer.path)
                self.completed(writer.path, writer.finish)

    def finish(self) -> None:
        """Every table written so far complete on disk."""
        for writer in [self.quarantine, *self.writers]:
            writer.finish()
        self.hand_over()


def _typed_quarantine(rows: pd.DataFrame) -> pd.DataFrame:
    """A file's quarantine rows in the dtypes of quarantine.parquet (empty ones included)."""
    return rows.astype(
        {
            "source_file": "str",
            "source_row": "int64",
            "rule": "str",
            "column": "str",
            "detail": "str",
        }
    )


def _file_quality(
    out: FileOutcome | None, n_clean: int, quarantine: pd.DataFrame, notes: dict
) -> dict:
    """A raw file's entry in quality.json (rows in, clean, quarantined by rule, duplicates; how it
    was read; `notes`), checking that every row read is accounted for."""
    raw = out.raw if out else None
    entry = {
        "file": raw.path.name if raw else None,
        "rows_in": raw.rows_in if raw else 0,
        "rows_clean": n_clean,
        "rows_quarantined": len(quarantine),
        "rows_duplicate": out.duplicates if out else 0,
        "quarantined_by_rule": {
            r: int(n) for r, n in quarantine["rule"].value_counts().sort_index().items()
        },
    }
    if raw:
        entry |= {
            "header_row": raw.header_row,
            "encoding": raw.encoding,
            "delimiter": raw.delimiter,
            "columns_used": sorted(raw.columns_mapped),
            "columns_by_mapping": raw.columns_by_mapping,
            "columns_ignored": len(raw.columns_ignored),  # header cells are never quoted
            "blank_rows_skipped": raw.blank_rows,
        }
    entry |= notes
    if (
        entry["rows_in"]
        != entry["rows_clean"] + entry["rows_quarantined"] + entry["rows_duplicate"]
    ):
        raise AssertionError(
            f"{out.stem if out else 'file'}: rows_in {entry['rows_in']} != clean {entry['rows_clean']} + quarantined "
            f"{entry['rows_quarantined']} + duplicate {entry['rows_duplicate']}"
        )
    return entry


def _quarantine_file(output: _Output, file: FileOutcome, n_clean: int, notes: dict) -> dict:
    """Add a finished file's quarantine rows to quarantine.parquet; returns its quality entry."""
    rows = file.quarantine()
    entry = _file_quality(file, n_clean, rows, notes)
    output.quarantine.write(_typed_quarantine(rows))
    return entry


def _match_notes(frames: list[pd.DataFrame], names: dict[str, str], stem: str) -> pd.DataFrame:
    """The non-exact kelurahan matches made: typed text → code, name, method, score, rows (the
    typed text is analyst-only: `match_summary` makes what quality.json may say)."""
    made = [f for f in frames if len(f)]
    cols = ["file", "raw", "kode_kelurahan", "kelurahan", "method", "score", "rows"]
    if not made:
        return pd.DataFrame(columns=cols)
    table = pd.concat(made, ignore_index=True)
    table = pd.DataFrame(
        {
            "raw": table["_raw_kel"],
            "kode_kelurahan": table["kode_kelurahan"],
            "kelurahan": table["kode_kelurahan"].map(names),
            "method": table["_method"],
            "score": table["_score"],
        }
    )
    grouped = (
        table.groupby(["raw", "kode_kelurahan", "kelurahan", "method", "score"])
        .size()
        .reset_index(name="rows")
        .assign(file=stem)
    )
    return grouped.sort_values(["method", "score", "raw"])[cols].reset_index(drop=True)


def match_summary(spellings: pd.DataFrame) -> list[dict]:
    """What quality.json says of the non-exact matches: per canonical kelurahan and method, how
    many different spellings, the lowest score and the rows — never the text as typed."""
    if spellings.empty:
        return []
    out = (
        spellings.groupby(["kode_kelurahan", "kelurahan", "method"], sort=True)
        .agg(spellings=("raw", "nunique"), score=("score", "min"), rows=("rows", "sum"))
        .reset_index()
    )
    out[["spellings", "rows"]] = out[["spellings", "rows"]].astype(int)
    return out.sort_values(["method", "score", "kelurahan"]).to_dict("records")


def _roster_counts(wrk: FileOutcome) -> np.ndarray:
    """Roster workers per clean business: workers carry their business's position among the clean
    businesses (`_biz`, in `clean_parts()` order), so counting is a bincount."""
    biz_at = [part["_biz"].to_numpy(dtype="int64") for part in wrk.clean_parts(["_biz"])]
    return np.bincount(np.concatenate(biz_at)) if biz_at else np.array([], "int64")


def _write_businesses(
    output: _Output, biz: FileOutcome, roster_n: np.ndarray
) -> tuple[dict, pd.DataFrame]:
    """businesses.parquet with roster counts and workers = max(declared, roster); returns the
    quality entry and what the coverage counts need of each business."""
    writer = output.table("businesses", schemas.BUSINESSES)
    biz_counts, matches = [], []
    owner_unusable = n_biz = 0
    counted = dict.fromkeys(
        ["_nib_invalid", "_sector_unmatched", "_size_stated_used", "_size_disagrees"], 0
    )
    for part in biz.clean_parts():
        counts = np.zeros(len(part), dtype="int64")
        on_roster = roster_n[n_biz : n_biz + len(part)]
        counts[: len(on_roster)] = on_roster
        part["roster_workers"] = counts
        part["workers"] = np.maximum(part["jumlah_tenaga_kerja"], part["roster_workers"]).astype(
            "int64"
        )
        writer.write(part)
        biz_counts.append(part[["id_umkm", "kode_kelurahan", "workers", "roster_workers"]])
        matches.append(
            part.loc[part["kelurahan_match"].isin(["alias", "fuzzy"])].assign(
                _method=lambda f: f["kelurahan_match"]
            )
        )
        owner_unusable += int(part["_owner_unusable"].sum())
        for col in counted:
            counted[col] += int(part[col].sum())
        n_biz += len(part)
        output.tick(f"linking and writing: businesses.parquet, {n_biz:,} rows")
    writer.close()
    release_memory()
    notes = {
        "kelurahan_matches": _match_notes(matches, output.matcher.names, "umkm"),
        "owner_nik_unusable": owner_unusable,
        "nib_not_13_digits": counted["_nib_invalid"],
        "sector_unrecognised": counted["_sector_unmatched"],
        "size_class_from_stated": counted["_size_stated_used"],
        "size_class_disagrees_with_stated": counted["_size_disagrees"],
    }
    entry = _quarantine_file(output, biz, n_biz, notes)
    return entry, pd.concat(biz_counts, ignore_index=True)


def _person_links(par: FileOutcome) -> PersonLinks:
    """Each person's participation status, from the records kept."""
    records = pd.concat(
        list(par.clean_parts(["_row", "_nik", "segmen", "status", "effective", "iuran_terakhir"]))
    )
    return PersonLinks(person_status(records))


def _write_workers(
    output: _Output, wrk: FileOutcome, par: FileOutcome
) -> tuple[int, dict, pd.DataFrame, np.ndarray, int]:
    """workers.parquet: each roster worker linked to their participation status. Returns the
    number of workers written and the notes of the roster's quality entry (its quarantine rows
    are added after the registry's), the link counts per kelurahan, every roster NIK (sorted)
    and the number of persons in the participant extract."""
    links = _person_links(par)
    people = links.people
    release_memory()
    writer = output.table("workers", schemas.WORKERS)
    counts, worker_niks = [], []
    repaired = outside = n_workers = 0
    units = output.matcher.units
    region_kabkota = set(units["kode_kelurahan"].str.slice(0, 5).str.replace(".", ""))
    for part in wrk.clean_parts():
        linked = links.link(part)
        writer.write(linked)
        counts.append(link_counts(linked))  # a few rows per part, not one per worker
        worker_niks.append(part["_key"].to_numpy())
        repaired += int(part["_repaired"].sum())
        outside += int((~part["nik_kabkota"].isin(region_kabkota)).sum())
        n_workers += len(part)
        output.tick(f"linking and writing: workers.parquet, {n_workers:,} rows")
    writer.close()
    del links
    # every roster NIK, sorted in place (repeats do no harm to a binary search)
    niks = np.concatenate(worker_niks) if worker_niks else np.array([], "int64")
    del worker_niks
    niks.sort()
    release_memory()
    notes = {"nik_repaired": repaired, "nik_registered_outside_region": outside}
    return n_workers, notes, sum_link_counts(counts), niks, people


def _write_participants(
    output: _Output, par: FileOutcome, worker_niks: np.ndarray, people: int
) -> tuple[dict, int]:
    """participants.parquet, each record marked on a roster or not; returns the quality entry and
    the number of records of people on no roster."""
    writer = output.table("participants", schemas.PARTICIPANTS)
    repaired = n_par = not_on_roster = 0
    for part in par.clean_parts():
        part["on_roster"] = sorted_position(part["_nik"].to_numpy(dtype="int64"), worker_niks) >= 0
        writer.write(part)
        repaired += int(part["_repaired"].sum())
        not_on_roster += int((~part["on_roster"]).sum())
        n_par += len(part)
        output.tick(f"linking and writing: participants.parquet, {n_par:,} rows")
    writer.close()
    release_memory()
    entry = _quarantine_file(output, par, n_par, {"nik_repaired": repaired, "people": people})
    return entry, not_on_roster


#: The processed tables of raw files that depend on no other file, written as soon as that file is
#: cleaned (`write_side_table`): raw stem → table name, schema, and the table of a month without
#: the file (every column, no rows).
SIDE_TABLES: dict[str, tuple[str, object, Callable[[], pd.DataFrame]]] = {
    "survei_kesadaran": ("survey", schemas.SURVEY, empty_survey),
    "sosialisasi": ("outreach", schemas.OUTREACH, empty_outreach),
}


@dataclass
class SideTable:
    """An optional table (the survey, the outreach log) written before the rest of the month: its
    raw file's outcome (None: no such file), its writer, its rows and its non-exact place matches
    (for the file's quality entry, made in order with the others by `write_processed_tables`)."""

    file: FileOutcome | None
    writer: _TableWriter
    rows: int = 0
    matches: list[pd.DataFrame] = field(default_factory=list)


def write_side_table(
    stem: str, file: FileOutcome | None, stage: Path, completed: Completed | None = None
) -> SideTable:
    """The processed table of an optional raw file, as soon as it is cleaned (while the rosters are
    still being cleaned): its clean rows, or the empty table when the month has no such file;
    `completed` is told once it is closed."""
    name, schema, empty = SIDE_TABLES[stem]
    out = SideTable(file, _TableWriter(stage / f"{name}.parquet", schema))
    if file is None:
        out.writer.write(empty())
    else:
        for part in file.clean_parts():
            out.writer.write(part)
            out.matches.append(part.loc[part["_method"].isin(["alias", "fuzzy"])])
            out.rows += len(part)
    out.writer.close()
    if completed is not None:
        completed(out.writer.path, out.writer.finish)
    return out


def _side_quality(output: _Output, side: SideTable) -> dict:
    """An optional file's quality entry, its quarantine rows added (none when there is no file)."""
    side.writer.finish()
    if side.file is None:
        rows = pd.DataFrame(columns=QUARANTINE_COLUMNS)
        output.quarantine.write(_typed_quarantine(rows))
        return _file_quality(None, 0, rows, {"missing": True})
    notes = {"kelurahan_matches": _match_notes(side.matches, output.matcher.names, side.file.stem)}
    return _quarantine_file(output, side.file, side.rows, notes)


def write_processed_tables(
    period: str,
    region: str,
    demo: bool,
    ctx: Context,
    files: dict[str, FileOutcome | None],
    side: dict[str, SideTable],
    stage: Path,
    tick: Callable[[str], None],
    completed: Completed | None = None,
) -> tuple[dict, pd.DataFrame]:
    """Link workers to participation records, then write every other processed table and
    quality.json into `stage` (`side`: the optional tables, written already by
    `write_side_table`); returns the quality and the kelurahan spellings matched by alias or
    fuzzy match (typed text: analyst-only, kept in the raw folder by the caller). `completed` is
    told of each table as soon as it is closed (`Completed`)."""
    biz, wrk, par = files["umkm"], files["tenaga_kerja"], files["peserta_bpjstk"]
    quarantine = _TableWriter(stage / "quarantine.parquet", schemas.QUARANTINE)
    output = _Output(stage, quarantine, ctx.matcher, tick, completed)
    # the largest table first: its privacy scan, the longest, runs while the others are written
    n_workers, wrk_notes, counts, worker_niks, people = _write_workers(output, wrk, par)
    output.hand_over()
    q_biz, businesses = _write_businesses(output, biz, _roster_counts(wrk))
    output.hand_over()
    q_wrk = _quarantine_file(output, wrk, n_workers, wrk_notes)  # after the registry's rows
    release_memory()
    q_par, not_on_roster = _write_participants(output, par, worker_niks, people)
    output.hand_over()
    del worker_niks
    q_srv = _side_quality(output, side["survei_kesadaran"])
    q_log = _side_quality(output, side["sosialisasi"])
    quarantine.close()
    output.finish()

    coverage = kelurahan_counts(businesses, counts, ctx.matcher.units)
    schemas.COVERAGE_COUNTS.validate(coverage).to_parquet(stage / COVERAGE_FILE, index=False)
    quality = {
        "period": period,
        "region": region,
        "demo": demo,
        "key_id": key_id(ctx.key),
        "umkm": q_biz,
        "tenaga_kerja": q_wrk,
        "peserta_bpjstk": q_par,
        "survei_kesadaran": q_srv,
        "sosialisasi": q_log,
        "links": {
            "roster_workers": q_wrk["rows_clean"],
            **{m: int(counts[m].sum()) for m in MEASURES},
            "participants_not_on_roster": not_on_roster,
        },
    }
    spellings = pd.concat(
        [quality[s].pop("kelurahan_matches") for s in ("umkm", "survei_kesadaran", "sosialisasi")
         if "kelurahan_matches" in quality[s]],
        ignore_index=True,
    )  # fmt: skip
    quality["kelurahan_matches"] = match_summary(spellings)
    write_quality(stage, quality)
    return quality, spellings
