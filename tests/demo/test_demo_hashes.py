"""The demo months `make report` generates are byte for byte the ones whose hashes the code
ships (`analysis.ingest.demo_hashes`): only they are cleaned with the public demo key."""

import re

import pytest

from analysis.demo import DEFAULT_BUSINESSES, DEFAULT_SEED, generate
from analysis.demo.outreach import DEFAULT_EFFECT
from analysis.ingest.demo_hashes import (
    CAMPAIGN_MONTHS,
    DEMO_BUSINESSES,
    DEMO_MONTHS,
    DEMO_OUTREACH,
    DEMO_SEED,
    REGION_CAMPAIGN_MONTHS,
)
from analysis.ingest.pseudonyms import extract_hashes, is_untouched_demo
from analysis.paths import ROOT


def test_the_shipped_hashes_are_of_the_default_demo():
    assert (DEMO_SEED, DEMO_BUSINESSES) == (DEFAULT_SEED, DEFAULT_BUSINESSES)
    assert set(DEMO_MONTHS) == set(CAMPAIGN_MONTHS) == {"2026-07", "2026-08", "2026-09", "2026-10"}


def test_the_campaign_hashes_are_of_make_data():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert float(re.search(r"^DEMO_OUTREACH := (\S+)$", makefile, re.M)[1]) == DEMO_OUTREACH
    assert DEMO_OUTREACH == DEFAULT_EFFECT


@pytest.mark.slow
@pytest.mark.parametrize("period", sorted(DEMO_MONTHS))
def test_regenerating_a_demo_month_gives_the_shipped_hashes(period, tmp_path):
    raw = generate(period, tmp_path / "data")
    assert extract_hashes(raw) == DEMO_MONTHS[period]
    assert is_untouched_demo(raw)
    campaign = generate(period, tmp_path / "campaign", outreach=DEMO_OUTREACH)
    assert extract_hashes(campaign) == CAMPAIGN_MONTHS[period]
    assert is_untouched_demo(campaign)


@pytest.mark.slow
@pytest.mark.parametrize("period", sorted(REGION_CAMPAIGN_MONTHS["soloraya"]))
def test_regenerating_soloraya_s_demo_month_gives_the_shipped_hashes(period, tmp_path):
    raw = generate(period, tmp_path / "data", region="soloraya", outreach=DEMO_OUTREACH)
    assert extract_hashes(raw) == REGION_CAMPAIGN_MONTHS["soloraya"][period]
    assert is_untouched_demo(raw)


def test_other_demo_data_is_real_data_for_the_key(tmp_path):
    raw = generate("2026-10", tmp_path / "data", businesses=200)
    assert not is_untouched_demo(raw)
