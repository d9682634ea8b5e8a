"""Exact duplicate rows across partitions: a 64-bit hash finds candidates, a full comparison
decides, so the answer equals pandas' `duplicated` on the whole file whatever the hash does."""

import json
import shutil

import numpy as np
import pandas as pd
import pyarrow as pa

from analysis.ingest import memory, partitions
from analysis.ingest.cache import CACHE_DIR
from analysis.ingest.partitions import exact_duplicates, row_hashes
from analysis.ingest.read import PartWriter
from analysis.pipeline import clean_period

from conftest import PERIOD


def _cached(tmp_path, columns: dict[str, list]) -> tuple[pa.Table, str]:
    n = len(next(iter(columns.values())))
    table = pa.table({"source_row": pa.array(range(1, n + 1), pa.int64()), **columns})
    path = tmp_path / "raw.arrow"
    out = PartWriter(path, 3)
    out.add(table)
    out.close(table.schema)
    return table, path


def _expected(table: pa.Table) -> list[int]:
    frame = table.to_pandas()
    cells = frame.drop(columns="source_row").astype(object).where(frame.notna(), "<NULL>")
    return frame["source_row"][cells.duplicated(keep="first")].tolist()


def test_exact_duplicates_compare_every_cell_whatever_the_hash(tmp_path):
    a = ["x", "x", "ab", "a", None, "", None, "x", "é", "é", "x"]
    b = ["y", "y", "", "b", "z", "z", "z", "y", "1", "1", "y "]
    table, path = _cached(tmp_path, {"a": pa.array(a, pa.string()), "b": pa.array(b, pa.string())})
    expected = _expected(table)
    assert expected == [2, 7, 8, 10]  # 'ab'+'' is not 'a'+'b', NULL is not ''
    rows = row_hashes(table)
    got = exact_duplicates(path, rows["source_row"].to_numpy(), rows["h"].to_numpy())
    assert got.tolist() == expected
    useless = np.zeros(len(rows), "int64")  # every row the same hash: all compared in full
    assert exact_duplicates(path, rows["source_row"].to_numpy(), useless).tolist() == expected
    distinct = np.arange(len(rows), dtype="int64")  # no hash shared: nothing to compare
    assert exact_duplicates(path, rows["source_row"].to_numpy(), distinct).tolist() == []


def test_a_hash_that_always_collides_changes_no_output(cleaned, demo_dir, tmp_path, monkeypatch):
    def colliding(table):
        rows = row_hashes(table)
        rows["h"] = 0
        return rows

    monkeypatch.setattr(partitions, "row_hashes", colliding)
    data = tmp_path / "data"
    shutil.copytree(demo_dir / "raw", data / "raw", ignore=shutil.ignore_patterns(CACHE_DIR))
    result = clean_period(PERIOD, data, partition_rows=4_000)
    assert json.loads((result.out_dir / "quality.json").read_text()) == cleaned.quality
    for path in sorted(cleaned.out_dir.glob("*.parquet")):
        pd.testing.assert_frame_equal(
            pd.read_parquet(path), pd.read_parquet(result.out_dir / path.name), obj=path.name
        )


def test_results_parked_in_memory_or_in_files_give_the_same_bytes(demo_dir, tmp_path, monkeypatch):
    """A month that is not large keeps its partition results in memory, cut in the pieces the
    files would have, so every processed file is the same to the byte (small pieces here: several
    per partition); a large month parks them in files."""
    monkeypatch.setattr(partitions, "PARKED_BATCH_ROWS", 1_000)
    written = []
    write_feather = partitions.feather.write_feather
    monkeypatch.setattr(
        partitions.feather,
        "write_feather",
        lambda table, path, **kw: (written.append(path), write_feather(table, path, **kw)),
    )
    out = {}
    for where, large in (("memory", 1 << 60), ("files", 0)):
        monkeypatch.setattr(memory, "LARGE_MONTH_BYTES", large)
        data = tmp_path / where
        shutil.copytree(demo_dir / "raw", data / "raw", ignore=shutil.ignore_patterns(CACHE_DIR))
        written.clear()
        out[where] = clean_period(PERIOD, data).out_dir
        assert bool(written) == (where == "files"), where
    for path in sorted(out["files"].iterdir()):
        assert path.read_bytes() == (out["memory"] / path.name).read_bytes(), path.name


def test_a_partition_parked_in_memory_reads_back_in_the_pieces_of_its_file(tmp_path, monkeypatch):
    """The pieces decide where the parquet writer cuts pages and gives up on a dictionary (at a
    million rows a single piece changed the bytes of three processed files)."""
    monkeypatch.setattr(partitions, "PARKED_BATCH_ROWS", 1_000)
    frame = pd.DataFrame(
        {
            "_row": np.arange(2_500),
            "text": pd.Series([f"v{i % 7}" for i in range(2_500)], dtype="str"),
        }
    )
    drop = np.array([5, 1_500])
    parked: dict = {}
    partitions.spill(frame, tmp_path / "p.arrow")
    partitions.spill(frame, tmp_path / "p.arrow", parked)
    from_file = partitions.unspill(tmp_path / "p.arrow", ["text"], drop)
    in_memory = partitions.unspill(tmp_path / "p.arrow", ["text"], drop, parked=parked)
    assert from_file.equals(in_memory)
    pieces = [[len(c) for c in t.column("text").chunks] for t in (from_file, in_memory)]
    assert pieces[0] == pieces[1] == [999, 999, 500]
