"""The privacy scanner and the pseudonymisation rules: leaks are caught, keys never shown."""

import json
import shutil
import subprocess
import sys

import nbformat
import numpy as np
import pandas as pd
import pytest

from analysis.__main__ import main
from analysis.errors import AnalysisError
from analysis.ingest.pseudonyms import KEY_ENV
from analysis.ingest.read import read_raw
from analysis.ingest.scan import Secrets, _secrets, scan_paths
from analysis.report.privacy import check_privacy
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
    secrets = Secrets(np.array([3372015708900001]))
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
    secrets = _secrets(np.array([]), {"Agus", "Permata"}, [])  # 'agus' is too short to scan
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


def _tiny(nb_dir, name, code: str) -> None:
    """A notebook of the report's shape: the parameters cell, then `code`."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        nbformat.v4.new_code_cell(
            'period = "2026-10"\ndata_dir = ""\nlang = "id"\npublish = False',
            metadata={"tags": ["parameters"]},
        ),
        nbformat.v4.new_code_cell(code),
    ]
    nb_dir.mkdir(exist_ok=True)
    nbformat.write(nb, nb_dir / name)


@pytest.mark.slow
def test_a_report_that_would_leak_is_not_published(demo_dir, tmp_path, raw_people):
    """A notebook that shows a raw name: the run fails after the pages are made, nothing is published."""
    _, name = raw_people
    nb_dir = tmp_path / "notebooks"
    _tiny(nb_dir, "01_leaky.ipynb", f"print({name!r})")
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
    import secrets as random

    good = random.token_hex(32)
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


def test_edited_demo_data_is_no_longer_treated_as_demo(tmp_path, demo_dir):
    """The attack: add a roster row and re-hash _demo/manifest.json (the hash list vouched for
    itself). Demo mode now rests on hashes shipped in the code: edited data is real data."""
    import hashlib

    from analysis.ingest.pseudonyms import is_untouched_demo

    raw = tmp_path / PERIOD
    shutil.copytree(demo_dir / "raw" / PERIOD, raw, ignore=shutil.ignore_patterns("_cache"))
    assert is_untouched_demo(raw)
    with (raw / "tenaga_kerja.csv").open("a", encoding="cp1252") as f:
        f.write("UMKM-000001;3372015708900001;REAL PERSON;P;01/01/1990;2000000\n")
    manifest = raw / "_demo" / "manifest.json"
    m = json.loads(manifest.read_text())
    m["files"]["tenaga_kerja.csv"] = hashlib.sha256(
        (raw / "tenaga_kerja.csv").read_bytes()
    ).hexdigest()
    manifest.write_text(json.dumps(m))
    assert not is_untouched_demo(
        raw
    )  # so a real extract dropped beside demo files never gets the public key
    (raw / "tenaga_kerja.csv").unlink()
    shutil.copy(demo_dir / "raw" / PERIOD / "tenaga_kerja.csv", raw / "tenaga_kerja.csv")
    (raw / "stray notes.txt").write_text("not an extract")
    assert is_untouched_demo(raw)  # files cleaning never reads do not matter


@pytest.mark.slow
def test_a_small_cell_in_a_notebook_output_or_an_unmarked_table_is_not_published(
    demo_dir, tmp_path
):
    from analysis.report.privacy import check_published

    nb_dir = tmp_path / "notebooks"
    _tiny(
        nb_dir,
        "01_planted.ipynb",
        "import pandas as pd\n"
        "from IPython.display import display\n"
        "display(pd.DataFrame({'Kelurahan': ['Sewu', 'Jebres'], 'Pekerja': [3, 120]}))\n"
        "print('Sewu  3')",
    )
    with pytest.raises(
        AnalysisError, match="Privacy check failed.*did not pass the disclosure gate"
    ):
        publish_report(
            PERIOD, data_dir=demo_dir, reports_dir=tmp_path / "reports", notebook_dir=nb_dir
        )
    assert not (tmp_path / "reports" / PERIOD).exists()
    kept = tmp_path / "reports" / "_failed" / PERIOD
    kinds = {f.kind for f in check_published(kept / "01_planted.html")}
    assert kinds == {"unmarked_table", "small_count"}


PLANTED_WEAK = """
import pandas as pd
from analysis.metrics.disclosure import display, gate, refs_for
from analysis.metrics.universe import Universe
from analysis.pages.text import table

C = ["workers", "effective", "uncovered"]
t = pd.DataFrame({"kecamatan": ["L"] * 4 + ["S"] * 3,
                  "kelurahan": ["Pajang", "Laweyan", "Bumi", "Panularan", "Kemlayan", "Joyotakan", "Danukusuman"],
                  "workers": [60, 30, 200, 150, 120, 90, 80], "effective": [4, 4, 50, 48, 30, 20, 12]})
t["uncovered"] = t["workers"] - t["effective"]
kec = t.groupby("kecamatan", sort=False)[C].sum().reset_index()
u = Universe("planted", 5, tuple(C), ((("effective", "uncovered"), "workers"),))
u.add_rows("kelurahan", t, "kelurahan").add_rows("kecamatan", kec, "kecamatan")
u.nest("kelurahan", t, "kelurahan", "kecamatan", "kecamatan")
# the old rule: no total with exactly one hidden cell, yet Laweyan's two '<5' are both 4
u.state = {("kelurahan", k, m): s for k in ("Pajang", "Laweyan")
           for m, s in (("effective", 1), ("uncovered", 2))}
for level, frame in (("kelurahan", t), ("kecamatan", kec)):
    p = u.protected(level, frame, level)
    shown = display(p, {c: str for c in C})[[level, *C]]
    display_table = table(gate(shown, "planted." + level, refs=refs_for(p, {c: c for c in C}), universe=u))
    display_table
    from IPython.display import display as show
    show(display_table)
"""


@pytest.mark.slow
def test_a_planted_weak_table_is_not_published(demo_dir, tmp_path):
    nb_dir = tmp_path / "notebooks"
    _tiny(nb_dir, "01_weak.ipynb", PLANTED_WEAK)
    with pytest.raises(AnalysisError, match=r"Disclosure audit failed.*planted.kelurahan") as err:
        publish_report(
            PERIOD, data_dir=demo_dir, reports_dir=tmp_path / "reports", notebook_dir=nb_dir
        )
    assert "2 suppressed cell(s)" in str(err.value) and "\n" not in str(err.value)
    assert not (tmp_path / "reports" / PERIOD).exists()
    assert (tmp_path / "reports" / "_failed" / PERIOD / "01_weak.html").exists()


def test_a_linked_failed_folder_never_lets_a_report_delete_outside(demo_dir, tmp_path):
    """The attack: reports/_failed was a link to a folder elsewhere, and a successful report
    deleted reports/_failed/<period>/ there. Now nothing starts."""
    outside = tmp_path / "elsewhere"
    (outside / PERIOD).mkdir(parents=True)
    (outside / PERIOD / "precious.txt").write_text("keep me")
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "_failed").symlink_to(outside, target_is_directory=True)
    with pytest.raises(AnalysisError, match="symbolic link") as err:
        publish_report(PERIOD, data_dir=demo_dir, reports_dir=reports)
    assert "\n" not in str(err.value)
    assert (outside / PERIOD / "precious.txt").read_text() == "keep me"
    assert not list(reports.glob(".staging-*")) and not (reports / PERIOD).exists()
