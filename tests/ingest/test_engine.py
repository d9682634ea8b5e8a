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
from analysis.ingest.engine import duckdb_over
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
            m[1]
            for line in lines
            if (m := re.match(r"(\S+) read into the parquet cache \(\d+ s\)$", line))
        ]
        assert sorted(converted) == raw_files  # each raw file told as it enters the cache
        assert _partitions_told(lines, "tenaga_kerja") == [(n, parts) for n in range(1, parts)]
        assert any(line.startswith("linking and writing: workers.parquet, ") for line in lines)


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
