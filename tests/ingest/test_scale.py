"""Cleaning at scale: partitioned cleaning equals the whole file at once, the parquet cache stays in
data/raw, and chunked demo data keeps its truth."""

import json
import shutil

import pandas as pd

from analysis.ingest.cache import CACHE_DIR
from analysis.pipeline import clean_period

from conftest import PERIOD


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
