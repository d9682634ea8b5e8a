"""Cleaning at scale: partitioned cleaning equals the whole file at once, the cache stays in
data/raw, and chunked demo data keeps its truth."""

import json
import shutil

import pandas as pd

from analysis.ingest.cache import CACHE_DIR
from analysis.paths import sha256_file
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


def _stamps(cache):
    return {p.name: p.stat().st_mtime_ns for p in cache.glob("*.arrow")}


def test_cache_stays_in_raw_is_reused_for_real_data_and_never_for_demo_data(demo_dir, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(demo_dir / "raw", data / "raw", ignore=shutil.ignore_patterns(CACHE_DIR))
    first = clean_period(PERIOD, data)
    cache = data / "raw" / PERIOD / CACHE_DIR
    stamps = _stamps(cache)
    assert {"umkm.arrow", "tenaga_kerja.arrow", "peserta_bpjstk.arrow"} <= stamps.keys()
    assert not [p for p in cache.iterdir() if p.name.startswith("work-")]  # work files removed
    assert not list((data / "processed").rglob("*cache*"))
    assert first.quality["demo"]
    # a month without a cache is hashed as it is converted: the keys hold each file's own hash
    for meta in cache.glob("*.json"):
        key = json.loads(meta.read_text())["key"]
        assert key["sha256"] == sha256_file(data / "raw" / PERIOD / key["file"])
    # demo data is converted afresh every time: the public key only sees the shipped bytes
    second = clean_period(PERIOD, data)
    assert _stamps(cache).keys() == stamps.keys() and all(
        _stamps(cache)[k] != stamps[k] for k in stamps
    )
    assert second.quality == first.quality
    # a changed raw file (one row less) is real data: read again, then reused
    path = data / "raw" / PERIOD / "survei_kesadaran.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")
    third = clean_period(PERIOD, data)
    assert not third.quality["demo"]
    assert (
        third.quality["survei_kesadaran"]["rows_in"]
        == first.quality["survei_kesadaran"]["rows_in"] - 1
    )
    stamps = _stamps(cache)
    clean_period(PERIOD, data)
    assert _stamps(cache) == stamps


def test_a_row_appended_to_the_cache_is_not_cleaned(demo_dir, tmp_path):
    """The attack: append a row to _cache/tenaga_kerja.arrow (size and time were all that was
    checked). The cache is tied to its raw file and to its own bytes by SHA-256: made again."""
    import pyarrow as pa

    from analysis.ingest.read import cached_shape, cached_table

    data = tmp_path / "data"
    shutil.copytree(demo_dir / "raw", data / "raw", ignore=shutil.ignore_patterns(CACHE_DIR))
    (data / "raw" / PERIOD / "survei_kesadaran.csv").unlink()  # real data: the cache is reused
    first = clean_period(PERIOD, data)
    target = data / "raw" / PERIOD / CACHE_DIR / "tenaga_kerja.arrow"
    table = cached_table(target)
    extra = table.slice(0, 1).to_pylist()[0] | {"source_row": table.num_rows + 1}
    longer = pa.concat_tables([table, pa.Table.from_pylist([extra], table.schema)])
    with pa.ipc.new_file(target.with_suffix(".tmp"), table.schema) as out:
        out.write_table(longer.combine_chunks())
    target.with_suffix(".tmp").replace(target)
    second = clean_period(PERIOD, data)
    assert second.quality["tenaga_kerja"] == first.quality["tenaga_kerja"]
    assert cached_shape(target)[2] == table.num_rows
