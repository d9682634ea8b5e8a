"""End to end: the notebooks run through papermill on generated data and publish a report
without code; nothing personal leaks; a failing notebook leaves the previous report intact."""

import hashlib
import json
import re
import shutil

import nbformat
import pytest

from analysis.errors import AnalysisError
from analysis.paths import NOTEBOOKS_DIR
from analysis.report.privacy import check_privacy
from analysis.report.publish import publish_report
from analysis.report.run import notebooks

from conftest import PERIOD, PUBLISHED_TABLES

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
    assert re.search(r"<h2[^>]*>Baris per berkas", page)  # a heading, not raw notebook text
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


def test_the_published_folder_holds_only_what_officials_may_receive(report):
    expected = {"index.html", "manifest.json", f"laporan_{PERIOD}.html", "unduhan"}
    expected |= {f"{nb.stem}.html" for nb in notebooks()}
    expected |= {f"unduhan/{t}.{ext}" for t in PUBLISHED_TABLES for ext in ("csv", "xlsx")}
    if shutil.which("chromium") or shutil.which("chromium-browser"):
        expected.add(f"laporan_{PERIOD}.pdf")
    assert {p.relative_to(report).as_posix() for p in report.rglob("*")} == expected


def test_every_download_is_in_the_manifest_and_linked_from_the_cover(report):
    m = json.loads((report / "manifest.json").read_text())
    assert {d["id"] for d in m["downloads"]} == PUBLISHED_TABLES
    assert {d["file"] for d in m["downloads"]} == {
        f"unduhan/{t}.{ext}" for t in PUBLISHED_TABLES for ext in ("csv", "xlsx")
    }
    cover = (report / "index.html").read_text(encoding="utf-8")
    for d in m["downloads"]:
        assert f'href="{d["file"]}"' in cover
        assert hashlib.sha256((report / d["file"]).read_bytes()).hexdigest() == d["sha256"]
    assert m["single_file"] == f"laporan_{PERIOD}.html" and f'href="{m["single_file"]}"' in cover
    if m["pdf"]:
        assert f'href="{m["pdf"]}"' in cover
    else:  # no Chromium on this machine: the cover says plainly that there is no PDF
        assert "PDF tidak dapat dibuat" in cover


def test_the_cover_gives_release_date_cut_off_unit_and_contact(report):
    cover = (report / "index.html").read_text(encoding="utf-8")
    assert "Dirilis" in cover and "data sampai 31 Oktober 2026" in cover
    assert "Dinas Koperasi dan UKM Kota Surakarta" in cover and "Kontak" in cover
    page = (report / "02_coverage_map.html").read_text(encoding="utf-8")
    assert "Pertanyaan tentang angka" in page  # every page's footer says whom to ask


def test_executed_notebooks_and_the_log_are_kept_outside_it_for_analysts(report):
    executed = report.parent / "_executed" / PERIOD
    assert {p.name for p in executed.iterdir()} == {nb.name for nb in notebooks()} | {"run.log"}


def test_no_raw_nik_or_name_in_processed_data_reports_or_executed_notebooks(report, demo_dir):
    executed = report.parent / "_executed" / PERIOD
    found = check_privacy(
        [demo_dir / "processed" / PERIOD, report, executed], demo_dir / "raw" / PERIOD
    )
    assert found == [], [str(f) for f in found]


def test_english_report(demo_dir, tmp_path):
    index = publish_report(PERIOD, data_dir=demo_dir, reports_dir=tmp_path, lang="en")
    page = (index.parent / "01_clean_registry.html").read_text(encoding="utf-8")
    assert "Rows per file" in page and "Baris per berkas" not in page and "October 2026" in page
    # the notebooks are committed showing Indonesian only (lab-lang): English is still a heading
    assert re.search(r"<h2[^>]*>Rows per file", page) and "## Rows per file" not in page


def test_a_failing_notebook_keeps_the_previous_report(demo_dir, tmp_path):
    nb_dir = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS_DIR, nb_dir)
    reports = tmp_path / "reports"
    publish_report(PERIOD, data_dir=demo_dir, reports_dir=reports, notebook_dir=nb_dir)
    before = (reports / PERIOD / "index.html").read_text()
    bad = nbformat.v4.new_notebook()
    bad.cells = [
        nbformat.v4.new_code_cell(
            'period = "2026-10"\ndata_dir = ""\nlang = "id"\npublish = False',
            metadata={"tags": ["parameters"]},
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


def test_a_parameter_changed_while_exploring_never_reaches_the_published_report(demo_dir, tmp_path):
    """As JupyterLab's autosave would leave it: min_cell = 1 in notebook 02, outputs kept."""
    nb_dir = tmp_path / "notebooks"
    nb_dir.mkdir()
    for name in ("01_clean_registry.ipynb", "02_coverage_map.ipynb"):
        shutil.copy(NOTEBOOKS_DIR / name, nb_dir / name)
    nb = nbformat.read(nb_dir / "02_coverage_map.ipynb", as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    params.source = params.source.replace("min_cell = 5", "min_cell = 1")
    params.outputs = [nbformat.v4.new_output("stream", name="stdout", text="explored\n")]
    params.execution_count = 3
    nbformat.write(nb, nb_dir / "02_coverage_map.ipynb")
    reports = tmp_path / "reports"
    index = publish_report(PERIOD, data_dir=demo_dir, reports_dir=reports, notebook_dir=nb_dir)
    m = json.loads((index.parent / "manifest.json").read_text())
    assert m["settings"] == {
        "min_cell": 5,
        "min_n": 10,
        "min_group": 20,
        "top": 10,
        "threshold": 0.02,
        "subsidy_share": 1.0,
        "subsidy_group": "BPU",
        "subsidy_discount": False,
        "detect": 1.0,
        "revisit": 3,
    }
    page = (index.parent / "02_coverage_map.html").read_text(encoding="utf-8")
    assert "&lt;5" in page and "&lt;1" not in page and "explored" not in page


def test_privacy_settings_below_their_floor_are_refused_with_one_sentence(demo_dir, tmp_path):
    from analysis.settings import publication

    with pytest.raises(AnalysisError, match=r"min_cell = 1 is below 5") as err:
        publish_report(
            PERIOD,
            data_dir=demo_dir,
            reports_dir=tmp_path,
            settings=publication().with_(min_cell=1),
        )
    assert "\n" not in str(err.value) and not list(tmp_path.iterdir())


def test_outputs_of_remove_tagged_cells_never_enter_a_published_file(report):
    """Analyst-only outputs (the quarantine sample, the whole awareness table, the interactive
    map) stay in the executed notebooks; only the cover cards (tagged remove and cover) are
    read back, onto the cover."""
    executed = report.parent / "_executed" / PERIOD
    tokens, analyst = set(), []
    for nb_path in sorted(executed.glob("*.ipynb")):
        nb = nbformat.read(nb_path, as_version=4)
        for cell in nb.cells:
            tags = cell.metadata.get("tags", [])
            if "remove" not in tags or "cover" in tags or cell.cell_type != "code":
                continue
            for out in cell.get("outputs", []):
                html = str(out.get("data", {}).get("text/html", ""))
                headers = re.findall(r"<th[^>]*>([^<]+)</th>", html)  # the analyst tables' columns
                tokens |= {h for h in headers if re.fullmatch(r"[a-z]+_[a-z_]+", h)}
                if "data-analyst-only" in html:  # notebook 03's every-kelurahan estimates
                    analyst.append("".join(re.findall(r"<th[^>]*>[^<]+</th>", html)))
    assert "source_row" in tokens and analyst  # the quarantine sample; the awareness table
    assert any("Tahu BPJS Kesehatan" in head and "Responden" in head for head in analyst)
    published = " ".join(p.read_text(encoding="utf-8") for p in report.glob("*.html"))
    published += (report / "manifest.json").read_text()
    assert not {t for t in tokens if t in published}
    assert "data-analyst-only" not in published and not any(h in published for h in analyst)


def test_every_published_table_is_gated_and_the_audit_passed(report):
    from analysis.report.privacy import check_published

    assert check_published(report) == []
    m = json.loads((report / "manifest.json").read_text())
    audit = m["disclosure_audit"]
    assert audit["weak_cells"] == 0 and audit["hidden_cells"] > 0 and audit["narrowest_range"] >= 2
    names = {t["name"] for t in m["tables"]}
    # every table a page shows, and every download, is in the audit (the same cells a reader
    # can download are the ones audited)
    assert names >= PUBLISHED_TABLES
    assert {f"{t} (download)" for t in PUBLISHED_TABLES} <= names
    for d in m["downloads"]:  # each file marked by the gate with its table's download record
        assert d["table"] == f"{d['id']} (download)" and d["digest"]
    pages = " ".join((report / f"{nb.stem}.html").read_text(encoding="utf-8") for nb in notebooks())
    assert pages.count("data-disclosure=") >= len(PUBLISHED_TABLES)
    single = (report / f"laporan_{PERIOD}.html").read_text(encoding="utf-8")
    assert single.count("data-disclosure=") >= len(PUBLISHED_TABLES)  # the single file too
