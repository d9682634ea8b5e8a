"""The demo months `make report` generates are byte for byte the ones whose hashes the code
ships (`analysis.ingest.demo_hashes`): only they are cleaned with the public demo key."""

import pytest

from analysis.demo import DEFAULT_BUSINESSES, DEFAULT_SEED, generate
from analysis.ingest.demo_hashes import DEMO_BUSINESSES, DEMO_MONTHS, DEMO_SEED
from analysis.ingest.pseudonyms import extract_hashes, is_untouched_demo


def test_the_shipped_hashes_are_of_the_default_demo():
    assert (DEMO_SEED, DEMO_BUSINESSES) == (DEFAULT_SEED, DEFAULT_BUSINESSES)
    assert set(DEMO_MONTHS) == {"2026-07", "2026-08", "2026-09", "2026-10"}


@pytest.mark.slow
@pytest.mark.parametrize("period", sorted(DEMO_MONTHS))
def test_regenerating_a_demo_month_gives_the_shipped_hashes(period, tmp_path):
    raw = generate(period, tmp_path / "data")
    assert extract_hashes(raw) == DEMO_MONTHS[period]
    assert is_untouched_demo(raw)


def test_other_demo_data_is_real_data_for_the_key(tmp_path):
    raw = generate("2026-10", tmp_path / "data", businesses=200)
    assert not is_untouched_demo(raw)
