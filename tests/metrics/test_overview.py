"""The overview of a region of several kabupaten/kota: each row is its kabupaten/kota's own pages'
numbers, and the region's totals are the sums of the rows."""

import numpy as np
import pandas as pd
import pytest

from analysis.metrics import affordability, awareness, coverage, overview
from analysis.month import Month
from analysis.pages import overview_page
from analysis.pages.text import fmt_int
from analysis.reference import areas, targets

from conftest import PERIOD, REGION

#: a whole region: Soloraya cleaned (1,568 desa) and its disclosure audits per kabupaten/kota
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("region")]


@pytest.fixture(scope="module")
def month(region_cleaned, region_dir):
    return Month.load(PERIOD, region_dir, REGION)


@pytest.fixture(scope="module")
def result(month):
    return overview.results(month)


def test_each_row_is_its_kabupatens_pages_numbers(month, result):
    assert result.rows["area"].tolist() == areas(REGION)
    for row in result.rows.itertuples():
        part = month.within(row.area)
        city = coverage.results(part).city  # the coverage page's headline
        assert (row.workers, row.effective, row.uncovered) == (
            int(city["workers"]),
            int(city["effective"]),
            int(city["uncovered"]),
        )
        assert row.effective_rate == pytest.approx(city["effective_rate"])
        assert (row.effective_low, row.effective_high) == pytest.approx(
            (city["effective_low"], city["effective_high"])
        )
        moved = coverage.rate_change(coverage.results(part).history, PERIOD)
        assert row.change == pytest.approx(moved[0])  # the coverage card's change
        gap = awareness.gap(part.table("survey"), None, min_n=part.settings.min_n).iloc[0]
        assert row.aware_gap == pytest.approx(gap["aware_gap"], nan_ok=True)
        a = affordability.results(part)  # the affordability page's headline
        assert row.subsidy_budget == pytest.approx(a.scenario("all_uncovered")["budget"])
        assert row.burden_median == pytest.approx(
            affordability.weighted_median(a.roster["share_now"])
        )


def test_the_regions_totals_are_the_sums_of_the_rows(month, result):
    tot, rows = result.total, result.rows
    for col in ("businesses", "workers", "effective", "uncovered", "subsidy_workers"):
        assert tot[col] == rows[col].sum(), col
    assert tot["subsidy_budget"] == pytest.approx(rows["subsidy_budget"].sum())
    assert tot["workers"] == int(month.table("coverage_kelurahan")["workers"].sum())
    assert tot["effective_rate"] == pytest.approx(tot["effective"] / tot["workers"])
    assert tot["burden_n"] == rows["burden_n"].sum()
    assert tot["burden_above"] == rows["burden_above"].sum()
    whole = affordability.results(month)  # the region computed in one piece
    # who of the uncovered is self-employed is estimated within each kabupaten/kota (the same
    # people: tests/test_month.py), so the region's budget is close to one pooled estimate
    assert tot["subsidy_budget"] == pytest.approx(
        whole.scenario("all_uncovered")["budget"], rel=0.02
    )
    # the region's own history: the month before is cleaned
    assert not np.isnan(tot["change"]) and tot["change_from"] < PERIOD


def test_the_published_table_shows_the_sums(result):
    shown = overview_page.coverage_table(result, "id").shown()
    last = shown.iloc[-1]
    assert last.iloc[0] == "Soloraya"
    assert last["Pekerja"] == fmt_int(result.rows["workers"].sum(), "id")
    assert last["Belum tercakup"] == fmt_int(result.rows["uncovered"].sum(), "id")
    assert len(shown) == len(areas(REGION)) + 1
    # the download holds the same rows, numbers as numbers
    down = overview_page.coverage_table(result, "id").download()
    assert down.iloc[-1, 1] == int(result.rows["workers"].sum())
    costs = overview_page.cost_table(result, "id").shown()
    assert list(costs.iloc[:, 0]) == list(shown.iloc[:, 0])


def test_progress_is_toward_the_regions_own_targets_and_the_territory_is_said(month, result):
    assert (
        result.progress.targets["target_workers"].tolist()
        == targets(REGION)["target_workers"].tolist()
    )
    segments = coverage.effective_segments(month.table("workers"), month.table("participants"))
    pd.testing.assert_series_equal(result.progress.segments, segments)
    ratios = overview.target_ratios(REGION, "surakarta")
    assert ratios == pytest.approx({"BPU": 52_183 / 34_785, "PU": 108_587 / 57_303})
    text = overview_page.territory_text(result, "id").data
    assert "1,5 kali" in text and "1,9 kali" in text and "mengurangkan" in text
    assert "13 kali" in text  # 6.74 million residents against Kota Surakarta's 522,364
    for area in areas(REGION):
        if area != "surakarta":
            assert targets(area).empty  # nothing derived for a kabupaten


def test_the_overview_page_renders_in_both_languages(month):
    for lang in ("id", "en"):
        for section in (
            overview_page.section_headline,
            overview_page.section_side_by_side,
            overview_page.section_map,
            overview_page.section_targets,
            overview_page.section_method,
        ):
            assert [item for item in section(month, lang) if item is not None]
        cards = overview_page.cover_cards(month, lang).cards
        assert len(cards) == 4 and all(c["page"] == "region_overview" for c in cards)


def test_the_covers_message_is_the_headline_and_the_steps_the_most_uncovered(month, result):
    """The cover's summary is the overview's headline; its next steps are the kabupaten/kota
    with the most workers not covered, most first, each linked to its own visit plan."""
    cover = overview_page.cover_cards(month, "id").cover
    assert [s["text"] for s in cover["summary"]] == overview_page.headline_lines(result, "id")
    steps = cover["steps"]
    most = result.rows.sort_values("uncovered", ascending=False).head(len(steps))
    assert [s["area"] for s in steps] == list(most["area"]) and len(steps) == 3
    assert steps[0]["href"] == f"{most['area'].iloc[0]}-05_outreach.html"
    assert (
        steps[0]["reasons"][0]
        == f"{fmt_int(most['uncovered'].iloc[0], 'id')} pekerja belum tercakup"
    )
