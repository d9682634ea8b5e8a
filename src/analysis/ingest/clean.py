"""Clean one period: raw extracts → typed, pseudonymised tables + quarantine + quality.json.

`clean_period` runs the stages in order. For each raw file: read as text into the cache
(`read`, `cache`) → clean partition by partition (`partitions`, with one module per raw file:
`businesses`, `roster`, `participants`, `survey`, `outreach`): check required values (pandera) → parse
Indonesian dates, months, Rupiah, yes/no → check typed values (pandera) → match kelurahan →
validate NIKs → pseudonymise → then, across the partitions, drop exact duplicate rows and
quarantine the same key or person twice. A failing row is quarantined with the first rule it
breaks (`schemas.RULES` order, `rules`) and the run goes on. The survey's and the outreach log's
tables are written as soon as those files are cleaned (they depend on no other file); last,
workers are linked to their participation records and the other tables are written (`link`,
`write`); every file satisfies
`rows_in == rows_clean + rows_quarantined + rows_duplicate`, checked on every run.

Notebook 01 and `python -m analysis clean` run `analysis.pipeline.clean_period`, which adds the
tables that metrics derive from the cleaned data (`derive`) before the month is swapped in.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.errors import AnalysisError
from analysis.ingest import businesses, outreach, participants, roster, survey
from analysis.ingest.cache import CACHE_DIR, PARTITION_ROWS, CachedRaw, cache_raw, has_cache
from analysis.ingest.engine import fewer_collections, make_engine
from analysis.ingest.keys import TextLookup
from analysis.ingest.memory import in_memory, release_memory
from analysis.ingest.parse import coded_text
from analysis.ingest.partitions import (
    FileOutcome,
    KeyRule,
    Parked,
    PartCleaner,
    PartJob,
    clean_part,
    finish_file,
)
from analysis.ingest.places import SPELLINGS_FILE, PlaceMatcher
from analysis.ingest.pseudonyms import extract_hashes, is_untouched_demo, load_key
from analysis.ingest.read import find_raw_file
from analysis.ingest.rules import Context
from analysis.ingest.scan import Finding, Secrets, scan_file, scan_paths, secrets_from_cache
from analysis.ingest.write import SIDE_TABLES, SideTable, write_processed_tables, write_side_table
from analysis.paths import (
    PROCESSED_FILES,
    RAW_STEMS,
    REQUIRED_STEMS,
    Paths,
    check_inside,
    check_period,
)
from analysis.reference import DEFAULT_REGION, gazetteer, kabkota, region_code, splits, units
from analysis.store import staged

#: Per raw file: the cleaner of one partition, and the rule that compares kept rows across the file.
FILES: dict[str, tuple[PartCleaner, KeyRule | None]] = {
    "umkm": (businesses.clean_businesses, businesses.KEY_RULE),
    "tenaga_kerja": (roster.clean_roster, roster.KEY_RULE),
    "peserta_bpjstk": (participants.clean_participants, None),
    "survei_kesadaran": (survey.clean_survey, survey.KEY_RULE),
    "sosialisasi": (outreach.clean_outreach, None),
}
#: Writes tables derived from the cleaned month into its staging folder: (folder, the region's units).
Derive = Callable[[Path, pd.DataFrame], None]
#: The processed table derived tables are made from: `derive` runs once it is complete.
DERIVED_FROM = "survey.parquet"
#: Raw files converted to the cache at the same time.
READ_THREADS = 2
#: Seconds between progress lines on long runs.
PROGRESS_SECONDS = 5.0


class Steps:
    """Progress in steps for a progress bar: each raw file read, each partition cleaned, the
    write; `report(done, total)` is told after each (the total grows once the files are read).
    Files cleaned side by side tell their steps from two threads: counted and told under a lock,
    so `done` never goes back."""

    def __init__(self, report: Callable[[int, int], None] | None = None):
        self.report = report or (lambda _done, _total: None)
        self.done, self.total = 0, len(RAW_STEMS) + 1
        self.lock = threading.Lock()

    def add(self, steps: int) -> None:
        with self.lock:
            self.total += steps
            self.report(self.done, self.total)

    def advance(self, steps: int = 1) -> None:
        with self.lock:
            self.done += steps
            self.report(self.done, self.total)

    def finish(self) -> None:
        with self.lock:
            self.done = self.total
            self.report(self.done, self.total)


class Ticker:
    """Progress on long runs: says a line at most every PROGRESS_SECONDS, so short runs stay quiet."""

    def __init__(self, say: Callable[[str], None]):
        self.say, self.every, self.start = say, PROGRESS_SECONDS, time.perf_counter()
        self.last = self.start

    def __call__(self, message: str) -> None:
        now = time.perf_counter()
        if now - self.last >= self.every:
            self.say(f"{message} ({now - self.start:.0f} s)")
            self.last = now


def read_period(
    period: str,
    paths: Paths,
    partition_rows: int = PARTITION_ROWS,
    say: Callable[[str], None] | None = None,
    hashes: dict[str, str] | None = None,
    reuse: bool = True,
    steps: Steps | None = None,
) -> dict[str, CachedRaw | None]:
    """Find the period's raw files and convert each once to the cache (progress to `say`
    on long conversions; `hashes`: the files' SHA-256 if known; `reuse`: whether an up-to-date
    cache may be used); missing required files stop the run with one sentence."""
    raw_dir = paths.raw(period)
    check_inside(raw_dir, paths.data_dir)
    if not raw_dir.is_dir():
        raise AnalysisError(
            f"No raw data for {period}: folder {raw_dir} does not exist (generate demo data with "
            f"'python -m analysis demo-data --period {period}{_region_flag(paths)}' or put the "
            "extracts there).",
            "err_no_raw",
            period=period,
            folder=str(raw_dir),
            where=_region_flag(paths),
        )
    found: dict[str, Path | None] = {}
    for stem in RAW_STEMS:
        path = find_raw_file(raw_dir, stem)
        if path is None and stem in REQUIRED_STEMS:
            raise AnalysisError(
                f"{raw_dir} has no {stem}.csv or {stem}.xlsx, which every period needs.",
                "err_no_required",
                folder=str(raw_dir),
                stem=stem,
            )
        found[stem] = path
    tick = Ticker(say or (lambda _msg: None))
    steps = steps or Steps()

    def convert(stem: str, path: Path) -> CachedRaw:
        sha = (hashes or {}).get(path.name)
        table = cache_raw(stem, path, partition_rows, sha, reuse)
        tick(f"{path.name} read into the cache")
        steps.advance()
        return table

    # two files at a time: Arrow parses on its own threads, but each parquet file is written on one
    with ThreadPoolExecutor(READ_THREADS) as pool:
        pending = {s: pool.submit(convert, s, p) for s, p in found.items() if p is not None}
        cached = {stem: pending[stem].result() if stem in pending else None for stem in found}
    steps.advance(len(found) - len(pending))
    return cached


def _region_flag(paths: Paths) -> str:
    """' --region R' for a region other than the default (in commands the user is told to run)."""
    return "" if paths.region == DEFAULT_REGION else f" --region {paths.region}"


class ProcessedTables(Mapping):
    """The processed tables of a cleaned period, read from disk when first asked for (bounded memory)."""

    def __init__(self, out_dir: Path, names: list[str]):
        self.out_dir, self.names, self.loaded = out_dir, names, {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self.names:
            raise KeyError(name)
        if name not in self.loaded:
            self.loaded[name] = pd.read_parquet(self.out_dir / f"{name}.parquet")
        return self.loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


@dataclass
class CleanResult:
    """What a cleaning run produced: the processed tables (on disk, read on access) and quality."""

    period: str
    out_dir: Path
    tables: Mapping[str, pd.DataFrame]
    quality: dict
    seconds: dict[str, float]


def _registry_lookups(biz: FileOutcome) -> dict:
    """What every roster partition checks its workers against: one lookup of every id in the
    registry file, each id's position among the clean businesses (-1: quarantined), and the clean
    businesses' place, sector and size as codes (a partition takes codes, not strings)."""
    columns = ["kode_kelurahan", "kode_kecamatan", "sektor", "kelas_usaha"]
    lookup = (  # the clean businesses (the rest of the row is not needed)
        pd.concat(list(biz.clean_parts(["_row", "id_umkm", *columns])))
        .drop(columns="_row")
        .reset_index(drop=True)
    )
    registry_ids = TextLookup(biz.ids.drop_duplicates())
    biz.ids = None
    clean_position = np.full(len(registry_ids.keys), -1, dtype="int64")
    clean_position[registry_ids.positions(lookup["id_umkm"])] = np.arange(len(lookup))
    return {
        "businesses": {col: coded_text(lookup[col]) for col in columns},
        "registry_ids": registry_ids,
        "clean_position": clean_position,
    }


@dataclass
class _Cleaning:
    """One run's partitions: the cached raw files, the context, the folder where partition results
    are parked, the engine that runs them, and the seconds each file took."""

    raw: dict[str, CachedRaw | None]
    ctx: Context
    work: Path
    runner: Any
    seconds: dict[str, float]
    say: Callable[[str], None]
    steps: Steps
    parked: Parked | None = None  # partition results in memory (else files in `work`)

    def file(self, stem: str, extra: dict | None = None) -> FileOutcome | None:
        """One raw file through its partitions (on the engine) and the cross-partition rules."""
        table = self.raw[stem]
        if table is None:
            self.say(f"{stem}: no file this period")
            return None
        t = time.perf_counter()
        cleaner, key_rule = FILES[stem]
        jobs = [
            PartJob(stem, str(table.cache), i, str(self.work), table.path.name, cleaner)
            for i in range(table.parts)
        ]
        tick = Ticker(self.say)
        told = 0

        def progress(done: int, total: int) -> None:
            nonlocal told
            self.steps.advance(done - told)
            told = done
            if done < total:  # the last one is told by the summary below
                tick(f"{stem}: {done} of {total} partitions cleaned")

        parking = {} if self.parked is None else {"parked": self.parked}
        results = self.runner.map(
            clean_part, jobs, progress=progress, ctx=self.ctx, extra=extra, **parking
        )
        with self.runner.slot():  # as much memory as a partition: counted as one (bounded peak)
            outcome = finish_file(stem, table, results, self.work, key_rule, self.parked)
        del results
        release_memory()
        self.seconds[stem] = time.perf_counter() - t
        self.say(
            f"{stem}: {table.rows_in:,} rows, {outcome.duplicates:,} exact duplicates, "
            f"{table.parts} partition(s) ({self.seconds[stem]:.1f} s)"
        )
        return outcome

    def all_files(
        self, write_side: Callable[[str, FileOutcome | None], SideTable]
    ) -> tuple[dict[str, FileOutcome | None], dict[str, SideTable]]:
        """Every raw file, the registry first: rosters are checked against its clean businesses.
        The participants, the survey and the outreach log depend on neither, so where the engine
        allows they are cleaned meanwhile (their partitions share the engine's threads); the
        survey's and the outreach log's tables are written by `write_side` as soon as each is
        cleaned (returned by raw stem)."""
        written: dict[str, SideTable] = {}
        # after a failure no table is started: the staging folder is about to be removed
        stop, writing = threading.Event(), threading.Lock()

        def independent() -> tuple[FileOutcome | None, ...]:
            out = [self.file("peserta_bpjstk")]
            for stem in SIDE_TABLES:
                out.append(self.file(stem))
                with writing:
                    if not stop.is_set():
                        written[stem] = write_side(stem, out[-1])
            return tuple(out)

        side = ThreadPoolExecutor(1)
        try:
            others = side.submit(independent) if self.runner.concurrent_files else None
            biz = self.file("umkm")
            with self.runner.slot():
                lookups = _registry_lookups(biz)
            wrk = self.file("tenaga_kerja", lookups)
            par, srv, out = others.result() if others is not None else independent()
        except BaseException:
            with writing:  # a table being written is finished first
                stop.set()
            raise
        finally:
            side.shutdown(wait=False)  # after a failure, closing the engine stops the rest
        files = {
            "umkm": biz,
            "tenaga_kerja": wrk,
            "peserta_bpjstk": par,
            "survei_kesadaran": srv,
            "sosialisasi": out,
        }
        return files, written


@contextmanager
def owner_only() -> Iterator[None]:
    """Files and folders created in the block are the owner's only (umask 077): processed data
    is still personal data."""
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def write_spellings(raw_dir: Path, spellings: pd.DataFrame) -> Path:
    """The kelurahan spellings matched by alias or fuzzy match, as typed: for analysts only, in
    the raw folder beside the personal data they may hold (never processed, never published)."""
    path = raw_dir / SPELLINGS_FILE
    path.parent.mkdir(mode=0o700, exist_ok=True)
    spellings.to_csv(path, index=False)
    path.chmod(0o600)
    return path


def _secrets(raw: dict[str, CachedRaw | None], units_: pd.DataFrame) -> Secrets:
    """What the privacy scanner looks for: the NIKs and names of this month's raw files, as
    cached for this run (the region's place names are not secrets)."""
    public = [*units_["kelurahan"].unique(), *units_["kecamatan"].unique()]
    return secrets_from_cache([t for t in raw.values() if t is not None], public)


#: Processed tables scanned side by side as they are completed: at a million rows the scans of
#: the workers and the participants were the last thing the month waited for, one after the other.
SCAN_THREADS = 2


def _derive(complete: Callable[[], None], derive: Derive, stage: Path, units: pd.DataFrame) -> None:
    """The derived tables, once the table they are made from is complete on disk."""
    complete()
    derive(stage, units)


class _EarlyScans:
    """The privacy scan of each processed table as soon as it is complete, on threads while the
    next tables are written (`_scan` looks at the rest of the month at the end)."""

    def __init__(self, secrets: Future):
        self.secrets, self.pool = secrets, ThreadPoolExecutor(SCAN_THREADS)
        self.found: dict[Path, Future] = {}

    def add(self, path: Path, complete: Callable[[], None]) -> None:
        """Scan `path` once `complete()` has returned (the file is whole on disk)."""

        def scan() -> list[Finding]:
            complete()
            return scan_file(path, self.secrets.result())

        self.found[path] = self.pool.submit(scan)

    def results(self) -> dict[Path, list[Finding]]:
        """The findings of every table scanned so far (waiting for those still being scanned)."""
        return {path: found.result() for path, found in self.found.items()}

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _scan(
    stage: Path,
    secrets: Secrets,
    period: str,
    say,
    done: dict[Path, list[Finding]] | None = None,
) -> None:
    """The privacy scanner over the processed month before it is swapped in (no NIK, no name);
    `done`: the findings of files scanned already (`_EarlyScans`)."""
    leaks = scan_paths([stage], secrets, done)
    say(f"privacy check of the processed data: {len(leaks)} leak(s)")
    if leaks:
        first = leaks[0]
        raise AnalysisError(
            f"Privacy check failed, so the processed data for {period} was not written: "
            f"{first.path.name} holds {first.count} {Finding.KINDS[first.kind]}"
            + (f" (and {len(leaks) - 1} more findings)." if len(leaks) > 1 else ".")
        )


def _say_outcome(quality: dict, seconds: dict[str, float], say: Callable[[str], None]) -> None:
    for stem in RAW_STEMS:
        q = quality[stem]
        if q["file"]:
            say(
                f"{stem}: {q['rows_in']:,} rows → {q['rows_clean']:,} clean, {q['rows_quarantined']:,} quarantined, "
                f"{q['rows_duplicate']:,} exact duplicates"
            )
    say(f"linked and wrote in {seconds['link_write']:.1f} s")


@fewer_collections()  # the cycle collector runs less often while a month is cleaned
def clean_period(
    period: str,
    data_dir: str | Path | None = None,
    region: str = DEFAULT_REGION,
    log: Callable[[str], None] | None = None,
    engine: str = "pandas",
    scheduler: str | None = None,
    partition_rows: int = PARTITION_ROWS,
    derive: Derive | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CleanResult:
    """Clean one period's raw extracts and write its processed files atomically.

    The raw files and the processed month are the region's (`analysis.paths.Paths`: the default
    region's folders have no region level). Each raw file is converted once to a cache (an Arrow file)
    and cleaned partition by partition
    (`partition_rows` rows at a time) by `engine` ('pandas': in this process; 'dask': on the
    cluster at `scheduler`, or a local one). The result does not depend on the engine or the
    partition size; only one partition's raw rows are in memory at a time. `derive`, if given,
    is called with the staging folder and the region's units as soon as `DERIVED_FROM` is complete
    there (on a thread, while the rest of the month is cleaned and written), and may add tables
    there before the month is swapped in whole.
    `progress(done, total)`, if given, is told after each file read, partition cleaned and the
    write (for a progress bar; `log` gets sentences).
    """
    check_period(period)
    paths = Paths.of(data_dir, region=region)
    say = log or (lambda _msg: None)
    ref = paths.reference
    region_code(region, ref)  # an unknown region is one sentence before any file is read
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    # The demo check needs every file's hash. A month with a cache hashes every file first (a
    # conversion is reused only for the same bytes, and never for demo data: the public key
    # only ever sees the shipped bytes); a month without one is converted afresh whole, each
    # file hashed as it is read.
    raw_dir = paths.raw(period)
    hashes = extract_hashes(raw_dir) if has_cache(raw_dir) else None
    reuse = hashes is not None and not is_untouched_demo(raw_dir, hashes)
    steps = Steps(progress)
    raw = read_period(period, paths, partition_rows, say, hashes, reuse=reuse, steps=steps)
    demo = is_untouched_demo(raw_dir, {t.path.name: t.sha256 for t in raw.values() if t})
    steps.add(sum(t.parts for t in raw.values() if t))
    units_ = units(region, ref)
    matcher = PlaceMatcher(units_, gazetteer(ref), splits(ref), kabkota(ref))
    ctx = Context(period, matcher, load_key(demo), ref)
    seconds["read"] = time.perf_counter() - t0
    say(f"read {', '.join(t.path.name for t in raw.values() if t)} in {seconds['read']:.1f} s")

    work = paths.raw(period) / CACHE_DIR / f"work-{os.getpid()}-{time.time_ns()}"
    work.mkdir(parents=True, mode=0o700)
    runner = make_engine(engine, scheduler)
    # a month that is not large, cleaned in this process, keeps its partition results in memory
    parked: Parked | None = {} if in_memory(paths.raw(period), engine) else None
    out_dir = paths.processed(period)
    # the scanner's secrets are read from the cache meanwhile (mostly Arrow, off the GIL)
    side = ThreadPoolExecutor(1)
    secrets = side.submit(_secrets, raw, units_)
    try:
        # the staging folder is made first: the survey's table is written into it (and its
        # derived tables made) as soon as the survey is cleaned, while the rosters still are
        with owner_only(), staged(out_dir, root=paths.data_dir, mode=0o700) as stage:
            early = _EarlyScans(secrets)
            derived: list[Future] = []

            def completed(path: Path, complete: Callable[[], None]) -> None:
                early.add(path, complete)
                if derive is not None and path.name == DERIVED_FROM:  # while the rest is written
                    derived.append(side.submit(_derive, complete, derive, stage, ctx.matcher.units))

            try:
                cleaning = _Cleaning(raw, ctx, work, runner, seconds, say, steps, parked)
                files, side_tables = cleaning.all_files(
                    partial(write_side_table, stage=stage, completed=completed)
                )
                t = time.perf_counter()
                quality, spellings = write_processed_tables(
                    period, region, demo, ctx, files, side_tables, stage, Ticker(say), completed
                )
                # the parked partitions are read no more: removed while the last scans run
                # (freeing gigabytes of files takes the kernel most of a second at 10M rows)
                side.submit(shutil.rmtree, work, ignore_errors=True)
                for done in derived:
                    done.result()
                write_spellings(paths.raw(period), spellings)
                _scan(stage, secrets.result(), period, say, early.results())
            finally:
                wait(derived)  # nothing is still writing into the staging folder after a failure
                early.close()
        seconds["link_write"] = time.perf_counter() - t
        steps.finish()
        _say_outcome(quality, seconds, say)
    finally:
        side.shutdown(cancel_futures=True)
        runner.close()
        shutil.rmtree(work, ignore_errors=True)
        if parked is not None:
            parked.clear()
    names = [p.removesuffix(".parquet") for p in PROCESSED_FILES if p.endswith(".parquet")]
    tables = ProcessedTables(out_dir, [n for n in names if (out_dir / f"{n}.parquet").exists()])
    say(f"wrote {out_dir} ({len(tables)} tables + quality.json)")
    return CleanResult(period, out_dir, tables, quality, seconds)
