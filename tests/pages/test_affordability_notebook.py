"""End to end: notebook 04 publishes on the demo month with figures matching the processed tables,
and on a month with no participants and no survey it says so plainly instead of failing."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest

from analysis.paths import Paths

from conftest import PERIOD, publish_pages

pytestmark = pytest.mark.slow
NOTEBOOKS = ("01_clean_registry.ipynb", "04_premium_affordability.ipynb")


def publish(data, tmp_path, lang="id"):
    return (
        publish_pages(data, tmp_path, NOTEBOOKS, lang) / "04_premium_affordability.html"
    ).read_text(encoding="utf-8")


def test_the_page_answers_first_with_the_months_figures(demo_dir, tmp_path):
    page = publish(demo_dir, tmp_path)
    assert "Traceback" not in page and "Warning" not in page
    assert page.count("<img") == 4  # subsidy, deciles, willingness to pay, map
    assert "Rp8.400" in page and "Rp16.800" in page and "Rp604,8 juta" in page
    folder = Paths.of(demo_dir).processed(PERIOD)
    kel = pd.read_parquet(folder / "coverage_kelurahan.parquet")
    uncovered = int(kel["workers"].sum() - kel["effective"].sum())
    assert f"Dari {uncovered:,} pekerja UMKM".replace(",", ".") in page
    # split into self-employed (a subsidy could enrol them) and wage workers (employers must)
    split = [
        int(x.replace(".", "")) for x in re.findall(r"<strong>([\d.]+)</strong> bekerja", page)
    ]
    assert len(split) == 2 and abs(sum(split) - uncovered) <= 1
    workers = pd.read_parquet(folder / "workers.parquet")
    n = int(workers["penghasilan_bulanan"].gt(0).sum())
    assert f"{n:,} pekerja".replace(",", ".") in page
    # the answers come before the method
    assert page.index("Subsidi APBD") < page.index("Cara menghitung")


def test_a_month_without_participants_or_survey_says_so(demo_dir, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(demo_dir / "raw", data / "raw")
    raw = data / "raw" / PERIOD
    for f in raw.glob("survei_kesadaran.*"):
        f.unlink()
    for f in raw.glob("peserta_bpjstk.*"):
        f.write_text(f.read_text(encoding="utf-8-sig").splitlines()[0] + "\n", encoding="utf-8")
    page = publish(data, tmp_path, lang="en")
    assert "Traceback" not in page
    assert "There are not enough survey answers on willingness to pay" in page
    assert page.count("<img") == 3  # no willingness-to-pay chart
