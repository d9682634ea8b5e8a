"""A processed month made whole: ingest cleans without metrics, and the pipeline adds the derived
tables in the staging folder, before the month is swapped in."""

import shutil
import subprocess
import sys
import threading

import pytest

from analysis.ingest import clean
from analysis.ingest.cache import CACHE_DIR
from analysis.pipeline import write_derived

from conftest import PERIOD


def test_ingest_alone_writes_the_cleaned_month_and_derive_sees_its_table_staged(
    cleaned, demo_dir, tmp_path
):
    data = tmp_path / "data"
    shutil.copytree(demo_dir / "raw", data / "raw", ignore=shutil.ignore_patterns(CACHE_DIR))
    out_dir = data / "processed" / PERIOD
    seen = {}

    def derive(stage, units):
        seen["files"] = sorted(p.name for p in stage.iterdir())
        seen["swapped_in"] = out_dir.exists()
        seen["units"] = len(units)
        write_derived(stage, units)

    result = clean.clean_period(PERIOD, data, derive=derive)
    # derive runs once the table it is made from is complete (the others may still be written)
    assert (
        clean.DERIVED_FROM in seen["files"] and "awareness_kelurahan.parquet" not in seen["files"]
    )
    assert not seen["swapped_in"] and seen["units"] == 54
    assert list(result.tables) == list(cleaned.tables) and result.quality == cleaned.quality
    for name in cleaned.tables:  # the pipeline's month, byte for byte
        path = f"{name}.parquet"
        assert (out_dir / path).read_bytes() == (cleaned.out_dir / path).read_bytes(), path

    alone = clean.clean_period(PERIOD, data)  # no derived tables: nothing of metrics runs
    assert "awareness_kelurahan" not in alone.tables
    assert not (out_dir / "awareness_kelurahan.parquet").exists()
    assert len(alone.tables) == len(cleaned.tables) - 1


@pytest.mark.slow  # a subprocess
def test_ingest_does_not_import_metrics():
    code = (
        "import sys, analysis.ingest.clean; "
        "print(sorted(m for m in sys.modules if m.startswith(('analysis.metrics', "
        "'analysis.pages', 'analysis.report', 'analysis.demo'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_derive_that_fails_stops_the_month_and_leaves_no_staging(demo_dir, tmp_path):
    """`derive` runs on a thread while the last tables are written: its error still reaches the
    caller, the month is not swapped in, and no staging folder is left behind."""
    data = tmp_path / "data"
    shutil.copytree(demo_dir / "raw", data / "raw", ignore=shutil.ignore_patterns(CACHE_DIR))

    def fails(stage, units):
        raise ValueError("derived table broken")

    with pytest.raises(ValueError, match="derived table broken"):
        clean.clean_period(PERIOD, data, derive=fails)
    processed = data / "processed"
    assert not (processed / PERIOD).exists()
    assert not processed.exists() or not any(processed.iterdir())


def test_a_roster_that_fails_after_the_survey_table_was_written_leaves_no_staging(
    demo_dir, tmp_path, monkeypatch
):
    """The survey's table is written while the rosters are still being cleaned (it depends on no
    other file); when the rosters then fail, the error reaches the caller, the month is not
    swapped in and no staging folder is left behind."""
    data = tmp_path / "data"
    shutil.copytree(demo_dir / "raw", data / "raw", ignore=shutil.ignore_patterns(CACHE_DIR))
    written = threading.Event()
    write_side_table = clean.write_side_table

    def side_table(stem, file, stage, completed=None):
        out = write_side_table(stem, file, stage, completed)
        if stem == "survei_kesadaran":
            written.set()
        return out

    def roster_fails(frame, ctx, file_name, extra):
        assert written.wait(60), "the survey's table waits for the rosters"
        raise ValueError("roster broken")

    monkeypatch.setattr(clean, "write_side_table", side_table)
    monkeypatch.setitem(clean.FILES, "tenaga_kerja", (roster_fails, None))
    with pytest.raises(ValueError, match="roster broken"):
        clean.clean_period(PERIOD, data, derive=write_derived)
    processed = data / "processed"
    assert not (processed / PERIOD).exists()
    assert not processed.exists() or not any(processed.iterdir())
