"""End to end: the notebooks run through papermill on generated data and publish a report
without code; nothing personal leaks; a failing notebook leaves the previous report intact."""

import json
import re
import shutil

import nbformat
import pytest

from analysis.errors import AnalysisError
from analysis.paths import NOTEBOOKS_DIR
from analysis.report.privacy import check_privacy
from analysis.report.publish import notebooks, publish_report

from conftest import PERIOD

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report(report_dir):
    return report_dir


def test_every_notebook_becomes_a_page_without_code(report):
    assert (report / "index.html").exists() and (report / "manifest.json").exists()
    for nb in notebooks():
        page = (report / f"{nb.stem}.html").read_text(encoding="utf-8")
        assert (
            "hl-ipython3" not in page
            and 'class="jp-InputArea-editor' not in page
            and "import analysis" not in page
        )
        assert "Traceback" not in page and "Warning" not in page
        assert not re.search(r"<script[^>]+src=\"https?://", page), (
            "nothing may be fetched from the internet"
        )
        assert len(page.encode()) <= 2_000_000
        assert "<img" in page  # charts are embedded images …
        assert not re.search(r'<img(?![^>]*alt="[^"]{10,})', page)  # … each with a description


def test_pages_are_in_indonesian_by_default(report):
    page = (report / "01_clean_registry.html").read_text(encoding="utf-8")
    assert "Baris per berkas" in page and "Rows per file" not in page
    assert "Oktober 2026" in page


def test_manifest_records_provenance(report):
    m = json.loads((report / "manifest.json").read_text())
    assert m["period"] == PERIOD and m["lang"] == "id"
    assert {
        "raw/umkm.xlsx",
        "raw/tenaga_kerja.csv",
        "reference/surakarta_kelurahan.geojson",
    } <= set(m["inputs_sha256"])
    assert set(m["notebook_seconds"]) == {nb.stem for nb in notebooks()}


def test_no_raw_nik_or_name_in_processed_data_reports_or_executed_notebooks(report, demo_dir):
    found = check_privacy([demo_dir / "processed" / PERIOD, report], demo_dir / "raw" / PERIOD)
    assert found == [], [str(f) for f in found]
    assert list((report / "notebooks").glob("*.ipynb")), "the executed notebooks are scanned too"


def test_english_report(demo_dir, tmp_path):
    index = publish_report(PERIOD, data_dir=demo_dir, reports_dir=tmp_path, lang="en")
    page = (index.parent / "01_clean_registry.html").read_text(encoding="utf-8")
    assert "Rows per file" in page and "Baris per berkas" not in page and "October 2026" in page


def test_a_failing_notebook_keeps_the_previous_report(demo_dir, tmp_path):
    nb_dir = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS_DIR, nb_dir)
    reports = tmp_path / "reports"
    publish_report(PERIOD, data_dir=demo_dir, reports_dir=reports, notebook_dir=nb_dir)
    before = (reports / PERIOD / "index.html").read_text()
    bad = nbformat.v4.new_notebook()
    bad.cells = [
        nbformat.v4.new_code_cell(
            'period = "2026-10"\ndata_dir = ""\nlang = "id"', metadata={"tags": ["parameters"]}
        ),
        nbformat.v4.new_code_cell("1 / 0"),
    ]
    bad.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(bad, nb_dir / "99_broken.ipynb")
    with pytest.raises(
        AnalysisError, match=r"99_broken.ipynb failed in cell \d+ \(ZeroDivisionError"
    ) as err:
        publish_report(PERIOD, data_dir=demo_dir, reports_dir=reports, notebook_dir=nb_dir)
    assert "\n" not in str(err.value)
    assert (reports / PERIOD / "index.html").read_text() == before
    assert (reports / "_failed" / PERIOD / "99_broken.ipynb").exists()
    assert not list(reports.glob(".staging-*"))
