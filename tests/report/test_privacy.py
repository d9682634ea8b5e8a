"""The privacy scanner and the pseudonymisation rules: leaks are caught, keys never shown."""

import json
import shutil
import subprocess
import sys

import nbformat
import pandas as pd
import pytest

from analysis.__main__ import main
from analysis.errors import AnalysisError
from analysis.ingest.pseudonyms import KEY_ENV
from analysis.ingest.read import read_raw
from analysis.report.privacy import Secrets, check_privacy, scan_paths
from analysis.report.publish import publish_report

from conftest import PERIOD


@pytest.fixture(scope="module")
def raw_people(demo_dir):
    """One real (synthetic) NIK and a two-word name from the demo roster."""
    frame = read_raw("tenaga_kerja", demo_dir / "raw" / PERIOD / "tenaga_kerja.csv").frame
    nik = frame["nik"][frame["nik"].str.fullmatch(r"\d{16}")].iloc[0]
    name = frame["nama"][frame["nama"].str.count(" ") == 1].iloc[0]
    return nik, name


def test_catches_a_planted_nik_in_an_html_page(tmp_path, demo_dir, raw_people):
    nik, _ = raw_people
    page = tmp_path / "page.html"
    page.write_text(f"<html><body><p>Peserta {nik} belum aktif</p></body></html>")
    kinds = {f.kind for f in check_privacy([tmp_path], demo_dir / "raw" / PERIOD)}
    assert kinds == {"nik_shaped", "raw_nik"}


def test_catches_a_name_in_an_executed_notebook(tmp_path, demo_dir, raw_people):
    _, name = raw_people
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("df.head()")
    cell.outputs = [
        nbformat.v4.new_output(
            "execute_result", {"text/plain": f"0  {name.upper()}  2.000.000"}, execution_count=1
        )
    ]
    nb.cells = [cell]
    nbformat.write(nb, tmp_path / "executed.ipynb")
    found = check_privacy([tmp_path], demo_dir / "raw" / PERIOD)
    assert [(f.path.name, f.kind) for f in found] == [("executed.ipynb", "raw_name")]
    assert name not in str(found[0]) and name.upper() not in str(
        found[0]
    )  # findings never repeat the leak


def test_catches_a_nik_in_a_parquet_file_as_text_or_number(tmp_path):
    pd.DataFrame({"a": ["3372015708900001"], "b": [1]}).to_parquet(tmp_path / "t.parquet")
    pd.DataFrame({"n": [3372015708900001]}).to_parquet(tmp_path / "u.parquet")
    secrets = Secrets({"3372015708900001"}, set())
    assert {(f.path.name, f.kind) for f in scan_paths([tmp_path], secrets)} == {
        ("t.parquet", "nik_shaped"),
        ("t.parquet", "raw_nik"),
        ("u.parquet", "nik_shaped"),
        ("u.parquet", "raw_nik"),
    }


def test_no_false_alarms_on_hashes_images_and_ordinary_words(tmp_path):
    import base64
    import hashlib

    digits_hash = "ab" + "1234567890123456" + "cd" + hashlib.sha256(b"x").hexdigest()
    image = base64.b64encode(bytes(range(256)) * 200).decode()
    (tmp_path / "p.html").write_text(
        f"<p>{digits_hash}</p><img src='data:image/png;base64,{image}'> Agustus Sri Lestari"
    )
    secrets = Secrets(
        set(), {("agus",), ("permata",)}
    )  # 'agus' is too short to scan as a single word
    assert scan_paths([tmp_path], secrets) == []


def test_cli_check_privacy(tmp_path, demo_dir, raw_people, capsys):
    nik, _ = raw_people
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "ok.html").write_text("<p>Cakupan 12,3%</p>")
    assert main(["check-privacy", str(clean), "--period", PERIOD, "--data-dir", str(demo_dir)]) == 0
    (clean / "leak.json").write_text(json.dumps({"nik": nik}))
    assert main(["check-privacy", str(clean), "--period", PERIOD, "--data-dir", str(demo_dir)]) == 1
    out = capsys.readouterr()
    assert "leak.json" in out.out and nik not in out.out + out.err


@pytest.mark.slow
def test_a_report_that_would_leak_is_not_published(demo_dir, tmp_path, raw_people):
    """A notebook that shows a raw name: the run fails after the pages are made, nothing is published."""
    _, name = raw_people
    nb_dir = tmp_path / "notebooks"
    nb_dir.mkdir()
    leaky = nbformat.v4.new_notebook()
    leaky.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    leaky.cells = [
        nbformat.v4.new_code_cell(
            'period = "2026-10"\ndata_dir = ""\nlang = "id"\npublish = False',
            metadata={"tags": ["parameters"]},
        ),
        nbformat.v4.new_code_cell(f"print({name!r})"),
    ]
    nbformat.write(leaky, nb_dir / "01_leaky.ipynb")
    with pytest.raises(AnalysisError, match="Privacy check failed") as err:
        publish_report(
            PERIOD, data_dir=demo_dir, reports_dir=tmp_path / "reports", notebook_dir=nb_dir
        )
    assert name not in str(err.value)
    assert not (tmp_path / "reports" / PERIOD).exists()
    assert (tmp_path / "reports" / "_failed" / PERIOD / "01_leaky.html").exists()


@pytest.mark.slow  # subprocesses
def test_a_weak_key_is_refused_and_never_printed(tmp_path):
    from analysis.demo import generate

    data = tmp_path / "data"
    raw = generate(PERIOD, data, businesses=200)
    shutil.rmtree(raw / "_demo")  # no longer untouched demo data: a real key is required
    weak = "password"
    env = {"PATH": "/usr/bin:/bin", KEY_ENV: weak}
    r = subprocess.run(
        [sys.executable, "-m", "analysis", "clean", "--period", PERIOD, "--data-dir", str(data)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert (
        r.returncode == 2
        and "well known" in r.stderr
        and weak not in r.stderr.replace("well known", "")
    )
    good = "k" + "8f3a" * 12
    r = subprocess.run(
        [sys.executable, "-m", "analysis", "clean", "--period", PERIOD, "--data-dir", str(data)],
        capture_output=True,
        text=True,
        env={**env, KEY_ENV: good},
        timeout=120,
    )
    assert r.returncode == 0 and good not in r.stdout + r.stderr
    quality = json.loads((data / "processed" / PERIOD / "quality.json").read_text())
    assert (
        quality["demo"] is False
        and good not in json.dumps(quality)
        and len(quality["key_id"]) == 12
    )


def test_edited_demo_data_is_no_longer_treated_as_demo(tmp_path):
    from analysis.demo import generate
    from analysis.ingest.pseudonyms import is_untouched_demo

    raw = generate(PERIOD, tmp_path / "data", businesses=200)
    assert is_untouched_demo(raw)
    with (raw / "peserta_bpjstk.csv").open("a", encoding="utf-8") as f:
        f.write(
            "99999999999,3372015708900001,REAL PERSON,BPU,JKK;JKM,1000000,01/01/2020,AKTIF,Okt 2026\n"
        )
    assert not is_untouched_demo(
        raw
    )  # so a real extract dropped beside demo files never gets the public key
