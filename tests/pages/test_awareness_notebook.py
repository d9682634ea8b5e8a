"""End to end: notebook 03 publishes on a demo month (its figures match the processed table) and,
in a month without a survey file, says so plainly while the rest of the report still publishes."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest

from analysis.metrics import awareness as aw
from analysis.paths import Paths

from conftest import PERIOD, publish_pages

pytestmark = pytest.mark.slow
NOTEBOOKS = ("01_clean_registry.ipynb", "03_awareness_gaps.ipynb")


def publish(data, tmp_path, lang="id"):
    return publish_pages(data, tmp_path, NOTEBOOKS, lang)


def test_the_page_shows_the_gap_funnel_map_reasons_and_priority(demo_dir, tmp_path):
    report = publish(demo_dir, tmp_path)
    page = (report / "03_awareness_gaps.html").read_text(encoding="utf-8")
    assert "Traceback" not in page and "Warning" not in page
    assert page.count("<img") == 4  # gap, funnel, map, reasons
    table = pd.read_parquet(Paths.of(demo_dir).processed(PERIOD) / aw.FILE_NAME)
    assert len(table) == 54
    survey = pd.read_parquet(Paths.of(demo_dir).processed(PERIOD) / "survey.parquet")
    city = aw.gap(survey).iloc[0]
    # the headline sentence carries the city's weighted shares, in Indonesian format
    sentence = re.search(r"<strong>(\d+)%</strong> pelaku UMKM di Kota Surakarta", page)
    assert sentence and int(sentence[1]) == round(city["aware_kesehatan"] * 100)
    assert f"<strong>{round(city['aware_gap'] * 100)} poin</strong>" in page
    prio = aw.priority(
        pd.read_parquet(Paths.of(demo_dir).processed(PERIOD) / "coverage_kelurahan.parquet"),
        table,
    )
    assert f"{prio.iloc[0]['kelurahan']} ({prio.iloc[0]['kecamatan']})" in page


def test_a_month_without_a_survey_says_so_and_the_report_still_publishes(demo_dir, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(demo_dir / "raw", data / "raw")
    (data / "raw" / PERIOD / "survei_kesadaran.csv").unlink()
    report = publish(data, tmp_path, lang="en")
    assert (report / "index.html").exists() and (report / "01_clean_registry.html").exists()
    page = (report / "03_awareness_gaps.html").read_text(encoding="utf-8")
    assert "There are no awareness-survey data for October 2026" in page
    assert "data/raw" not in page and ".csv" not in page  # no file path on an official's page
    assert "Traceback" not in page and "<img" not in page
    table = pd.read_parquet(Paths.of(data).processed(PERIOD) / aw.FILE_NAME)
    assert len(table) == 54 and (table["respondents"] == 0).all() and table["aware_tk"].isna().all()
