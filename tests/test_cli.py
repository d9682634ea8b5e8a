"""The command line: clear one-sentence errors with a non-zero exit and no traceback."""

import subprocess
import sys

import pytest

from conftest import PERIOD

pytestmark = pytest.mark.slow  # every test here runs the command line in a subprocess


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_missing_period_folder(tmp_path):
    r = run("clean", "--period", "2024-01", "--data-dir", str(tmp_path))
    assert r.returncode == 2
    assert r.stderr.strip().startswith("error: No raw data for 2024-01")
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_bad_period():
    r = run("clean", "--period", "2024-13")
    assert r.returncode == 2 and "YYYY-MM" in r.stderr and "Traceback" not in r.stderr


def test_unreadable_file_names_the_file(tmp_path):
    raw = tmp_path / "raw" / PERIOD
    raw.mkdir(parents=True)
    for stem in ("umkm", "tenaga_kerja", "peserta_bpjstk"):
        (raw / f"{stem}.csv").write_bytes(b"\x00\x01\x02" * 100)
    r = run("clean", "--period", PERIOD, "--data-dir", str(tmp_path))
    assert (
        r.returncode == 2
        and "umkm.csv is not a text CSV file" in r.stderr
        and "Traceback" not in r.stderr
    )


def test_demo_data_then_clean(tmp_path):
    assert (
        run(
            "demo-data", "--period", PERIOD, "--data-dir", str(tmp_path), "--businesses", "300"
        ).returncode
        == 0
    )
    again = run("demo-data", "--period", PERIOD, "--data-dir", str(tmp_path), "--businesses", "300")
    assert again.returncode == 2 and "--overwrite" in again.stderr
    r = run("clean", "--period", PERIOD, "--data-dir", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "processed" / PERIOD / "quality.json").exists()
    assert "umkm:" in r.stderr  # progress per file
