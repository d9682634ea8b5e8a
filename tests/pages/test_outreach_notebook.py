"""End to end: notebook 05 in the published report. On the demo data of `make data` (four months,
outreach campaign, planted effect) the page shows the estimate the metrics compute, its charts and
the plan, whose download (the report's one writer) opens with pandas, and the cover carries the
effect and takes its next steps from the plan; on the demo month without an outreach log the
report still publishes and the page says there is no log."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.metrics import outreach
from analysis.metrics.visit_plan import month_plan
from analysis.month import Month
from analysis.pages.outreach_page import signed
from analysis.paths import NOTEBOOKS_DIR
from analysis.report.run import run_notebook
from analysis.settings import publication

from conftest import PERIOD

pytestmark = pytest.mark.slow


def download(report: Path) -> pd.DataFrame:
    """The visit plan as the report publishes it, linked from the page and opened with pandas."""
    page = (report / "05_outreach.html").read_text(encoding="utf-8")
    assert 'href="unduhan/rencana_kunjungan.csv"' in page
    assert 'href="unduhan/rencana_kunjungan.xlsx"' in page
    return pd.read_csv(report / "unduhan" / "rencana_kunjungan.csv", dtype=str)


def test_the_page_shows_the_estimate_the_charts_and_the_plan(outreach_report, outreach_dir):
    page = (outreach_report / "05_outreach.html").read_text(encoding="utf-8")
    assert "Traceback" not in page and "Warning" not in page
    assert page.count("<img") == 4  # first visits, event study, dose, plan map
    est = outreach.results(Month.load(PERIOD, outreach_dir)).main.estimate
    assert "Pendaftaran baru naik" in page
    assert f"<strong>{signed(est.value)} orang sebulan per kelurahan</strong>" in page
    assert f"(rentang 95%: {signed(est.lo)} sampai {signed(est.hi)})" in page
    # the message first: where to go next month and what the visits did
    assert page.index("kunjungi lebih dulu") < page.index("Pendaftaran baru naik")
    plan = download(outreach_report)
    assert len(plan) == 54 and plan.columns[2] == "Peringkat" and "Alasan" in plan.columns
    assert plan["Peringkat"].astype(int).tolist() == list(range(1, 55))
    assert "x = disembunyikan" in page  # the note on hidden cells under the plan


def test_the_cover_carries_the_effect_and_the_plan(outreach_report, outreach_dir):
    cover = (outreach_report / "index.html").read_text(encoding="utf-8")
    est = outreach.results(Month.load(PERIOD, outreach_dir)).main.estimate
    assert "Pengaruh sosialisasi" in cover and f"{signed(est.value)} pendaftar" in cover
    assert f"menambah sekitar <strong>{signed(est.value)} pendaftar baru sebulan" in cover  # …
    summary = re.search(r'<ol class="summary-list">(.*?)</ol>', cover, re.S)[1]
    assert 3 <= summary.count("<li") <= 5  # … after the action, so the summary stays at five
    first = month_plan(Month.load(PERIOD, outreach_dir)).iloc[0]
    steps = cover[cover.index("Langkah berikutnya") :]
    assert f"{first['kelurahan']} ({first['kecamatan']})" in steps  # the plan's first place
    assert 'href="05_outreach.html"' in cover
    manifest = json.loads((outreach_report / "manifest.json").read_text())
    assert "raw/sosialisasi.csv" in manifest["inputs_sha256"]
    assert manifest["settings"]["detect"] == 1.0 and manifest["settings"]["revisit"] == 3


def test_a_month_without_an_outreach_log_publishes_and_says_so(report_dir):
    page = (report_dir / "05_outreach.html").read_text(encoding="utf-8")
    assert "Catatan sosialisasi Oktober 2026 tidak ada" in page
    assert "Pengaruh kunjungan belum bisa dihitung" in page and "Yang diperlukan" in page
    assert len(download(report_dir)) == 54
    cover = (report_dir / "index.html").read_text(encoding="utf-8")
    assert "Pengaruh sosialisasi" not in cover  # nothing to say about the effect yet


def test_the_notebook_runs_in_english_with_the_publication_settings(outreach_dir, tmp_path):
    out = tmp_path / "05_outreach.ipynb"
    params = {
        "period": PERIOD,
        "data_dir": str(outreach_dir),
        "lang": "en",
        "publish": True,
        **publication().as_dict(),
    }
    run_notebook(NOTEBOOKS_DIR / "05_outreach.ipynb", out, params)
    text = out.read_text(encoding="utf-8")
    assert "New registrations went up" in text and "For November 2026" in text
    assert "The full visit plan for field staff" in text and "Traceback" not in text
    cells = json.loads(text)["cells"]
    whatif = next(c for c in cells if "outreach_whatif.panel" in "".join(c["source"]))
    assert whatif["outputs"] == []  # no widgets in a published run
