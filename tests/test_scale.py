"""Cleaning at scale: vectorised pseudonyms equal Python's hmac, partitioned cleaning equals the
whole file at once, and the parquet cache stays in data/raw (chunked demo data: tests/demo)."""

import hashlib
import hmac
import json
import secrets
import shutil
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

from analysis.ingest.clean import clean_period
from analysis.ingest.pseudonyms import DEMO_KEY, hmac_hex, pseudonymise
from analysis.ingest.read import CACHE_DIR

from conftest import PERIOD


@pytest.mark.parametrize(
    "key",
    [DEMO_KEY, secrets.token_hex(32).encode(), b"k" * 100, bytes(range(150, 230))],
    ids=["demo", "hex", "long", "non-ascii"],
)
def test_vectorised_hmac_equals_python_hmac(key):
    rng = np.random.default_rng(7)
    values = [str(v) for v in rng.integers(10**15, 10**16, 30_000)]
    values += ["", "é", "3372 0101 0190 0001", "x" * 500, "ÿ\x00"]
    expected = [hmac.new(key, v.encode(), hashlib.sha256).hexdigest() for v in values]
    assert hmac_hex(values, key) == expected


def test_pseudonymise_keeps_missing_and_repeats():
    s = pd.Series(["3372010101900001", None, "3372010101900001"], dtype="str")
    out = pseudonymise(s, DEMO_KEY)
    assert out.isna().tolist() == [False, True, False] and out[0] == out[2]
    assert out[0] == hmac.new(DEMO_KEY, b"3372010101900001", hashlib.sha256).hexdigest()


def _frames(folder):
    return {p.stem: pd.read_parquet(p) for p in sorted(folder.glob("*.parquet"))}


def test_small_partitions_give_the_same_outputs(cleaned, demo_dir, tmp_path):
    """Exact duplicates, duplicate ids and persons, links: across partitions as within one."""
    data = tmp_path / "data"
    shutil.copytree(demo_dir / "raw", data / "raw", ignore=shutil.ignore_patterns(CACHE_DIR))
    result = clean_period(PERIOD, data, partition_rows=1_500)
    assert json.loads((result.out_dir / "quality.json").read_text()) == cleaned.quality
    whole, parts = _frames(cleaned.out_dir), _frames(result.out_dir)
    assert whole.keys() == parts.keys()
    for name in whole:
        pd.testing.assert_frame_equal(whole[name], parts[name], obj=name)


def test_cache_stays_in_raw_and_is_reused(demo_dir, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(demo_dir / "raw", data / "raw", ignore=shutil.ignore_patterns(CACHE_DIR))
    first = clean_period(PERIOD, data)
    cache = data / "raw" / PERIOD / CACHE_DIR
    stamps = {p.name: p.stat().st_mtime_ns for p in cache.glob("*.parquet")}
    assert {"umkm.parquet", "tenaga_kerja.parquet", "peserta_bpjstk.parquet"} <= stamps.keys()
    assert not [p for p in cache.iterdir() if p.name.startswith("work-")]  # work files removed
    assert not list((data / "processed").rglob("*cache*"))
    second = clean_period(PERIOD, data)
    assert {p.name: p.stat().st_mtime_ns for p in cache.glob("*.parquet")} == stamps
    assert second.quality == first.quality
    # a changed raw file is read again (the cache is keyed by size and modification time)
    path = data / "raw" / PERIOD / "survei_kesadaran.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")
    third = clean_period(PERIOD, data)
    assert (
        third.quality["survei_kesadaran"]["rows_in"]
        == first.quality["survei_kesadaran"]["rows_in"] - 1
    )


def test_text_lookup_equals_pandas_get_indexer():
    from analysis.ingest.clean import TextLookup

    rng = np.random.default_rng(3)
    keys = pd.Series([f"UMKM-{i:06d}" for i in rng.permutation(50_000)], dtype="str")
    values = pd.Series(
        list(rng.choice(keys.to_numpy(), 30_000)) + ["", "umkm-000001", "UMKM-999999", "é"],
        dtype="str",
    )
    expected = pd.Index(keys.to_numpy(object)).get_indexer(values.to_numpy(object))
    assert (TextLookup(keys).positions(values) == expected).all()
    assert (TextLookup(keys[:0]).positions(values) == -1).all()
    # repeated keys take Arrow's lookup: the first position of a key, as index_in gives
    doubled = TextLookup(pd.Series(["A", "B", "A"], dtype="str"))
    assert not doubled.unique
    assert doubled.positions(pd.Series(["A", "B", "C"], dtype="str")).tolist() == [0, 1, -1]


def test_repeats_equal_pandas_duplicated():
    from analysis.ingest.clean import _repeats

    rng = np.random.default_rng(5)
    a, b = rng.integers(0, 40, 5_000), rng.integers(0, 3, 5_000)
    repeated, first = _repeats(a, b, first=True)
    assert (_repeats(a, b)[0] == repeated).all()
    fast = _repeats(a * 3 + b, b, first=True)  # the first key decides: no lexsort needed
    assert (fast[0] == repeated).all() and (fast[1] == first).all()
    frame = pd.DataFrame({"a": a, "b": b})
    assert (repeated == frame.duplicated(keep="first").to_numpy()).all()
    first_expected = frame.reset_index().groupby(["a", "b"])["index"].transform("first")
    assert (first == first_expected.to_numpy()).all()
    empty = _repeats(np.array([], "int64"), first=True)
    assert len(empty[0]) == 0 and len(empty[1]) == 0


def test_coded_text_round_trip_keeps_missing():
    from analysis.ingest.parse import coded_text, text_of_codes

    values = pd.Series(["33.72.01.1001", None, "33.72.02.1001", "33.72.01.1001"], dtype="str")
    codes, texts = coded_text(values)
    assert codes.tolist() == [0, -1, 1, 0] and texts.to_pylist() == [
        "33.72.01.1001",
        "33.72.02.1001",
    ]
    back = text_of_codes(codes[[3, 1, 2]], texts, pd.Index([7, 8, 9]))
    expected = pd.Series(["33.72.01.1001", None, "33.72.02.1001"], index=[7, 8, 9], dtype="str")
    pd.testing.assert_series_equal(back, expected)


def test_duckdb_connection_is_per_thread_and_forgets_tables():
    import duckdb
    import pyarrow as pa

    from analysis.ingest.engine import duckdb_over

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
    from analysis.ingest.engine import duckdb_over

    with duckdb_over() as con:
        return con


def test_vectorised_hmac_in_two_threads_at_once():
    rng = np.random.default_rng(11)
    batches = [[str(v) for v in rng.integers(10**15, 10**16, 25_000)] for _ in range(4)]
    with ThreadPoolExecutor(2) as pool:
        got = list(pool.map(lambda b: hmac_hex(b, DEMO_KEY), batches))
    for batch, hashed in zip(batches, got, strict=True):
        assert hashed == [hmac.new(DEMO_KEY, v.encode(), hashlib.sha256).hexdigest() for v in batch]


def test_a_failed_background_write_is_raised(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    from analysis.ingest import schemas
    from analysis.ingest.clean import _TableWriter

    def fail(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pq.ParquetWriter, "write_table", fail)
    writer = _TableWriter(tmp_path / "q.parquet", schemas.QUARANTINE)
    rows = pd.DataFrame(
        {
            "source_file": ["a.csv"],
            "source_row": pd.Series([1], dtype="int64"),
            "rule": ["bad_date"],
            "column": ["tanggal"],
            "detail": ["tanggal cannot be read"],
        }
    )
    writer.write(rows.astype({c: "str" for c in ("source_file", "rule", "column", "detail")}))
    with pytest.raises(OSError, match="disk full"):
        writer.close()
