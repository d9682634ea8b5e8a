"""The Dask engine: the same partitions cleaned on a 2-worker LocalCluster give identical outputs."""

import json
import shutil

import pandas as pd

from analysis.clean import clean_period
from analysis.read import CACHE_DIR

from conftest import PERIOD


def test_dask_engine_gives_identical_outputs(cleaned, demo_dir, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(demo_dir / "raw", data / "raw", ignore=shutil.ignore_patterns(CACHE_DIR))
    result = clean_period(PERIOD, data, engine="dask", partition_rows=4_000)
    assert json.loads((result.out_dir / "quality.json").read_text()) == cleaned.quality
    for path in sorted(cleaned.out_dir.glob("*.parquet")):
        pd.testing.assert_frame_equal(
            pd.read_parquet(path), pd.read_parquet(result.out_dir / path.name), obj=path.name
        )
    # the same partitions in this process give byte-identical files
    again = tmp_path / "again"
    shutil.copytree(data / "raw", again / "raw", ignore=shutil.ignore_patterns(CACHE_DIR))
    local = clean_period(PERIOD, again, partition_rows=4_000)
    for path in sorted(result.out_dir.iterdir()):
        assert path.read_bytes() == (local.out_dir / path.name).read_bytes(), path.name
