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
    # the command leaves without the interpreter's teardown: its last line still reaches a pipe
    assert r.stdout.splitlines()[-1].startswith(f"Cleaned {PERIOD} in ")


def test_report_settings_can_be_raised_on_the_command_line_never_lowered(tmp_path):
    r = run("report", "--data-dir", str(tmp_path), "--set", "min_cell=1")
    assert r.returncode == 2 and "min_cell = 1 is below 5" in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = run("report", "--data-dir", str(tmp_path), "--set", "min_cell")
    assert r.returncode == 2 and "--set takes NAME=VALUE" in r.stderr
    r = run("report", "--data-dir", str(tmp_path), "--set", "min_cell=10", "--set", "top=x")
    assert r.returncode == 2 and "Setting top must be a number, not 'x'." in r.stderr
    r = run("report", "--data-dir", str(tmp_path), "--set", "min_cell=10")
    assert r.returncode == 2 and "No raw data for" in r.stderr  # accepted; stops at the data


def test_lab_lang_names_a_bad_language():
    r = run("lab-lang", "fr")
    assert r.returncode == 2 and "invalid choice" in r.stderr


def test_inspect_lists_headers_on_stderr_and_prints_the_mapping_on_stdout(tmp_path):
    raw = tmp_path / "raw" / PERIOD
    raw.mkdir(parents=True)
    (raw / "umkm.csv").write_text("NIB;Kelurahan Usaha;Jml TK L;Jml TK P\n1;Jebres;1;2\n")
    r = run("inspect", "--period", PERIOD, "--data-dir", str(tmp_path))
    assert r.returncode == 0 and "Traceback" not in r.stderr
    assert "required, missing: id_umkm, kelurahan, jumlah_tenaga_kerja" in r.stderr
    assert "tenaga_kerja: no file this month (required)" in r.stderr
    assert r.stdout.startswith("# Header mapping for 2026-10") and "[umkm]" in r.stdout
    assert 'jumlah_tenaga_kerja = ["Jml TK L", "Jml TK P"]' in r.stdout
    assert "Jebres" not in r.stdout + r.stderr.replace("Kelurahan Usaha", "")  # headers, not data


def test_inspect_without_the_month_is_one_sentence(tmp_path):
    r = run("inspect", "--period", "2024-01", "--data-dir", str(tmp_path))
    assert r.returncode == 2 and r.stderr.startswith("error: No raw data for 2024-01")
