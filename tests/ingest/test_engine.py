"""Where partitions run: the Dask engine (the same partitions cleaned on a 2-worker LocalCluster
give identical outputs), and the one DuckDB connection per thread."""

import json
import re
import shutil
from concurrent.futures import ThreadPoolExecutor

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from analysis.ingest import clean
from analysis.ingest.cache import CACHE_DIR
from analysis.ingest.engine import LocalEngine, duckdb_over
from analysis.pipeline import clean_period

from conftest import PERIOD


def _partitions_told(said: list[str], stem: str) -> list[tuple[int, int]]:
    return [
        (int(m[1]), int(m[2]))
        for line in said
        if (m := re.match(rf"{stem}: (\d+) of (\d+) partitions cleaned \(\d+ s\)$", line))
    ]


@pytest.mark.slow  # a Dask cluster of two processes
def test_dask_engine_gives_identical_outputs(cleaned, demo_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(clean, "PROGRESS_SECONDS", 0.0)  # every progress line, not one per 5 s
    data = tmp_path / "data"
    shutil.copytree(demo_dir / "raw", data / "raw", ignore=shutil.ignore_patterns(CACHE_DIR))
    said: list[str] = []
    result = clean_period(PERIOD, data, engine="dask", partition_rows=4_000, log=said.append)
    assert json.loads((result.out_dir / "quality.json").read_text()) == cleaned.quality
    for path in sorted(cleaned.out_dir.glob("*.parquet")):
        pd.testing.assert_frame_equal(
            pd.read_parquet(path), pd.read_parquet(result.out_dir / path.name), obj=path.name
        )
    # the same partitions in this process give byte-identical files
    again = tmp_path / "again"
    shutil.copytree(data / "raw", again / "raw", ignore=shutil.ignore_patterns(CACHE_DIR))
    told: list[str] = []
    local = clean_period(PERIOD, again, partition_rows=4_000, log=told.append)
    for path in sorted(result.out_dir.iterdir()):
        assert path.read_bytes() == (local.out_dir / path.name).read_bytes(), path.name
    # progress on long runs: each engine tells partitions as they finish, then the writing
    rows = cleaned.quality["tenaga_kerja"]["rows_in"]
    parts = -(-rows // 4_000)
    assert parts > 1
    raw_files = sorted(f.name for f in (data / "raw" / PERIOD).glob("*.*"))
    for lines in (said, told):
        converted = [
            m[1] for line in lines if (m := re.match(r"(\S+) read into the cache \(\d+ s\)$", line))
        ]
        assert sorted(converted) == raw_files  # each raw file told as it enters the cache
        assert _partitions_told(lines, "tenaga_kerja") == [(n, parts) for n in range(1, parts)]
        assert any(line.startswith("linking and writing: workers.parquet, ") for line in lines)


def _slow_square(n: int, delay: float) -> int:
    import time

    time.sleep(delay * (5 - n))  # the first items finish last
    if n == 99:
        raise ValueError("partition 99 failed")
    return n * n


def test_the_local_engine_runs_partitions_on_two_threads_in_order():
    engine = LocalEngine(workers=2)
    told: list[tuple[int, int]] = []
    try:
        got = engine.map(
            _slow_square, [0, 1, 2, 3, 4], progress=lambda d, t: told.append((d, t)), delay=0.02
        )
        assert got == [0, 1, 4, 9, 16]
        assert told == [(n, 5) for n in range(1, 6)]
        with pytest.raises(ValueError, match="partition 99"):
            engine.map(_slow_square, [1, 99, 2, 3], delay=0.0)
    finally:
        engine.close()
    assert LocalEngine(workers=1).map(_slow_square, [2, 3], delay=0.0) == [4, 9]


def test_duckdb_connection_is_per_thread_and_forgets_tables():
    table = pa.table({"v": [1, 2, 3]})
    with duckdb_over(numbers=table) as con:
        assert con.sql("select sum(v) from numbers").fetchall() == [(6,)]
    with duckdb_over() as again:
        assert again is con  # made once per thread
        with pytest.raises(duckdb.CatalogException):
            again.sql("select * from numbers").fetchall()  # unregistered when the block ended
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(lambda: _connection_of_this_thread()).result() is not con


def _connection_of_this_thread():
    with duckdb_over() as con:
        return con


def test_partitions_and_file_work_share_the_engine_slots():
    """Two files cleaned side by side (two maps from two threads) and a file's own work in a
    slot never hold more than `workers` partitions' worth at once, and all of it runs."""
    import threading
    import time

    engine = LocalEngine(2)
    lock, now, most, done = threading.Lock(), [0], [0], []

    def unit(item):
        with lock:
            now[0] += 1
            most[0] = max(most[0], now[0])
        time.sleep(0.01)
        with lock:
            now[0] -= 1
        done.append(item)
        return item

    def file_work(name):
        with engine.slot():
            return unit(name)

    try:
        with ThreadPoolExecutor(3) as side:
            maps = [side.submit(engine.map, unit, list(range(k, k + 6))) for k in (0, 100)]
            own = side.submit(file_work, "finish")
            assert [m.result() for m in maps] == [list(range(6)), list(range(100, 106))]
            assert own.result() == "finish"
    finally:
        engine.close()
    assert most[0] == 2 and len(done) == 13


def test_fewer_collections_is_undone_after_the_block_even_on_error():
    """The cycle collector's thresholds are raised in the block only: a notebook kernel that ran
    a clean (or a clean that failed) collects as often as before."""
    import gc

    from analysis.ingest.engine import COLLECT_EVERY, fewer_collections

    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold()[0] == COLLECT_EVERY > before[0]
    assert gc.get_threshold() == before
    with pytest.raises(KeyError), fewer_collections():
        raise KeyError("stop")
    assert gc.get_threshold() == before
