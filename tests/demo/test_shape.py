"""Small and lopsided demo months (`analysis.demo.Shape`): each shape is what it says, from the
truth the generator writes beside the files, and a month without a shape is unchanged."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.demo import Shape, generate, load_truth
from analysis.demo.world import make_world
from analysis.errors import AnalysisError
from analysis.ingest.demo_hashes import DEMO_MONTHS
from analysis.ingest.pseudonyms import extract_hashes
from analysis.paths import PROJECT_REFERENCE_DIR
from analysis.pipeline import clean_period

from conftest import PERIOD, shapes


def month(tmp_path, businesses, **shape):
    raw = generate(PERIOD, tmp_path / "data", seed=3, businesses=businesses, shape=Shape(**shape))
    return raw, load_truth(raw)


def test_one_business_and_no_survey_file(tmp_path):
    raw, truth = month(tmp_path, 1, respondents=0)
    assert (truth["file"] == "umkm").sum() == 1
    assert not (raw / "survei_kesadaran.csv").exists()
    assert "survei_kesadaran" not in set(truth["file"])


def test_one_kelurahan_holds_every_business_and_respondent(tmp_path):
    _, truth = month(tmp_path, 30, kelurahan=1, respondents=7)
    places = truth.loc[truth["file"].isin(["umkm", "survei_kesadaran"]), "kode_kelurahan"]
    assert places.dropna().nunique() == 1
    assert (truth["file"] == "survei_kesadaran").sum() == 7


@pytest.mark.parametrize("coverage, expected", [("everyone", True), ("nobody", False)])
def test_everyone_or_nobody_covered(tmp_path, coverage, expected):
    _, truth = month(tmp_path, 25, coverage=coverage)
    workers = truth[(truth["file"] == "tenaga_kerja") & (truth["expected"] == "clean")]
    assert len(workers) and (workers["effective"] == expected).all()


def test_no_participants_is_a_header_without_records(tmp_path):
    raw, truth = month(tmp_path, 10, participants=False)
    lines = (raw / "peserta_bpjstk.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 1 and "NIK" in lines[0]
    assert not truth.loc[truth["file"] == "tenaga_kerja", "registered"].any()


def test_one_sector():
    world = make_world(
        np.random.default_rng(4), PERIOD, 60, PROJECT_REFERENCE_DIR, shape=Shape(sectors=1)
    )
    assert world.biz["sektor"].nunique() == 1


def test_a_shape_is_checked_and_only_a_shape_allows_tiny_months(tmp_path):
    with pytest.raises(ValueError, match="coverage"):
        Shape(coverage="half")
    with pytest.raises(AnalysisError, match="at least 200"):
        generate(PERIOD, tmp_path / "data", businesses=12)


def test_no_shape_draws_the_usual_month(tmp_path):
    """A shape that changes nothing draws exactly what no shape draws (same stream, same bytes)."""
    a = generate(PERIOD, tmp_path / "a", seed=5, businesses=200)
    b = generate(PERIOD, tmp_path / "b", seed=5, businesses=200, shape=Shape())
    for name in ("umkm.xlsx", "tenaga_kerja.csv", "peserta_bpjstk.csv", "survei_kesadaran.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    pd.testing.assert_frame_equal(load_truth(a), load_truth(b))


@pytest.mark.slow
@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    businesses=st.integers(1, 25),
    shape=shapes(),
    seed=st.integers(0, 2**16),
)
def test_any_tiny_month_is_written_and_cleaned_as_planted(
    tmp_path_factory, businesses, shape, seed
):
    """Empty rosters, an extract without records, a survey of one: the generator writes them and
    the cleaning concludes for every row what the truth says."""
    data = tmp_path_factory.mktemp("tiny") / "data"
    raw = generate(PERIOD, data, seed=seed, businesses=businesses, shape=shape)
    truth = load_truth(raw)
    with pytest.MonkeyPatch.context() as mp:
        # a tiny month is not a shipped demo month: vouch for it here, so that it is cleaned
        # with the demo key its truth was hashed with
        mp.setitem(DEMO_MONTHS, "tiny", extract_hashes(raw))
        result = clean_period(PERIOD, data)
    q = result.tables["quarantine"]
    for stem in ("umkm", "tenaga_kerja", "peserta_bpjstk", "survei_kesadaran"):
        t = truth[truth["file"] == stem].set_index("source_row")
        got = q[q["source_file"].str.startswith(stem + ".")].set_index("source_row")["rule"]
        expected = t.loc[~t["expected"].isin(["clean", "duplicate"]), "expected"]
        assert got.sort_index().to_dict() == expected.sort_index().to_dict(), stem
    workers = truth[(truth["file"] == "tenaga_kerja") & (truth["expected"] == "clean")]
    got = result.tables["workers"].set_index("nik_hash")
    assert set(got.index) == set(workers["key"])
    effective = workers.set_index("key")["effective"].astype(bool)
    assert (got["effective"].reindex(effective.index) == effective).all()
