"""One cleaning of a region, seen one kabupaten/kota at a time: `Month.within` gives that
kabupaten/kota's units and rows only, and the kabupaten/kota together are the region."""

import numpy as np
import pandas as pd
import pytest

from analysis.errors import AnalysisError
from analysis.metrics import coverage
from analysis.metrics.coverage import history
from analysis.month import Month
from analysis.reference import areas, units

from conftest import PERIOD, REGION

#: a whole region: Soloraya cleaned (1,568 desa) and its disclosure audits per kabupaten/kota
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("region")]

SEVEN = ["boyolali", "klaten", "sukoharjo", "wonogiri", "karanganyar", "sragen", "surakarta"]


@pytest.fixture(scope="module")
def month(region_cleaned, region_dir):
    return Month.load(PERIOD, region_dir, REGION)


def test_soloraya_is_seven_kabupaten_kota_and_a_kabupaten_is_none():
    assert areas(REGION) == SEVEN
    assert areas("surakarta") == [] and areas("klaten") == []


def test_a_kabupaten_month_has_that_kabupatens_desa_and_rows_only(month):
    klaten = month.within("klaten")
    assert (klaten.region, klaten.cleaned_for, klaten.place) == (
        "klaten",
        REGION,
        "Kabupaten Klaten",
    )
    assert klaten.units["kode_kelurahan"].tolist() == units("klaten")["kode_kelurahan"].tolist()
    assert klaten.units["kode_kelurahan"].str.startswith("33.10.").all()
    cov = klaten.table("coverage_kelurahan")
    assert cov["kode_kelurahan"].tolist() == klaten.units["kode_kelurahan"].tolist()
    whole = month.table("businesses")
    expected = whole[whole["kode_kelurahan"].str[:5] == "33.10"]
    assert klaten.table("businesses")["id_umkm"].tolist() == expected["id_umkm"].tolist()
    assert klaten.table("participants") is month.table("participants")  # people, not places
    assert klaten.folder == month.folder  # one cleaning


def test_the_kabupaten_kota_together_are_the_region(month):
    parts = [month.within(a) for a in areas(REGION)]
    for name in ("coverage_kelurahan", "businesses", "workers", "survey"):
        assert sum(len(p.table(name)) for p in parts) == len(month.table(name)), name
    for col in ("businesses", "workers", "registered", "active", "effective"):
        total = sum(int(p.table("coverage_kelurahan")[col].sum()) for p in parts)
        assert total == int(month.table("coverage_kelurahan")[col].sum()), col


def test_a_place_that_is_not_part_of_the_region_is_one_sentence(month, tmp_path):
    with pytest.raises(AnalysisError, match=r"'semarang' is not a kabupaten/kota of region") as e:
        month.within("semarang")
    assert "\n" not in str(e.value)
    with pytest.raises(AnalysisError, match=r"clean --period 2026-10 --region klaten'"):
        Month.load(PERIOD, month.paths.data_dir, "klaten")  # its own folders: not cleaned
    old = tmp_path / "processed" / PERIOD  # cleaned with --region before regions had folders
    old.mkdir(parents=True)
    (old / "quality.json").write_text('{"region": "sukoharjo"}')
    with pytest.raises(AnalysisError, match="cleaned for region 'sukoharjo', not 'surakarta'"):
        Month.load(PERIOD, tmp_path)


def test_the_month_before_is_the_same_kabupaten_and_history_follows_it(month):
    klaten = month.within("klaten")
    before = klaten.at(month.earlier()[0])
    assert before.area == "klaten" and before.period < PERIOD
    h = history(klaten)
    assert h["period"].tolist() == [before.period, PERIOD]
    for m, row in zip((before, klaten), h.itertuples(), strict=True):
        assert row.workers == int(m.table("coverage_kelurahan")["workers"].sum())
        assert row.effective == int(m.table("workers")["effective"].sum())


def test_small_areas_are_smoothed_within_their_kabupaten_and_clustered_on_its_own_map(month):
    """Empirical Bayes pulls each desa towards its own kabupaten/kota's rate (esda on that
    kabupaten/kota's desa alone; everything to that rate where the desa differ no more than
    chance would make them, Marshall 1991), and LISA neighbours are its own desa."""
    from esda.smoothing import Empirical_Bayes

    flat = 0
    for area in areas(REGION):
        kel = coverage.results(month.within(area)).kelurahan
        assert set(kel["kode_kelurahan"]) == set(units(area)["kode_kelurahan"])
        ok = kel["workers"] > 0
        e, b = kel.loc[ok, "effective"].to_numpy(float), kel.loc[ok, "workers"].to_numpy(float)
        pooled = e.sum() / b.sum()
        between = (b * (e / b - pooled) ** 2).sum() / b.sum() - pooled / b.mean()
        got = kel.loc[ok, "effective_rate_eb"].to_numpy()
        if between > 0:
            np.testing.assert_allclose(got, Empirical_Bayes(e, b).r.ravel())
            assert kel["lisa_cluster"].notna().sum() > 0.8 * ok.sum()  # its own desa
        else:
            flat += 1
            np.testing.assert_allclose(got, pooled)
            assert kel["lisa_cluster"].isna().all()  # nothing varies: no clusters to test
        raw_gap = np.abs(e / b - pooled)
        assert (np.abs(got - pooled) <= raw_gap + 1e-12).all(), area  # towards, never away
    assert flat < len(areas(REGION))


def test_each_kabupaten_pays_around_its_own_umk(month):
    from analysis.metrics import affordability
    from analysis.reference import minimum_wage

    klaten = affordability.results(month.within("klaten"))
    assert klaten.pu_micro["umk"] == minimum_wage(f"{PERIOD}-01", "33.10")
    assert klaten.scenario("baseline") is None  # Surakarta's own programme is not Klaten's
    assert klaten.target is None and klaten.target_problem == "aff_target_none"
    city = affordability.results(month.within("surakarta"))
    assert city.pu_micro["umk"] == minimum_wage(f"{PERIOD}-01", "33.72")
    assert city.scenario("baseline") is not None
    assert klaten.wage_price.attrs["umk"] == minimum_wage(f"{PERIOD}-01", "33.10")  # subsidy too
    whole = affordability.results(month)
    assert whole.pu_micro == {}  # seven UMKs: no one wage-worker price for the whole region
    assert whole.wage_price is None
    parts = [affordability.results(month.within(a)) for a in areas(REGION)]
    uncovered = [a.scenarios.attrs["uncovered"] for a in parts]
    assert sum(uncovered) == whole.scenarios.attrs["uncovered"]  # every uncovered worker once
    for side in ("self", "wage"):  # those a lapsed record places are the same, wherever counted
        observed = sum(a.split.loc[side, "observed"] for a in parts)
        assert observed == whole.split.loc[side, "observed"], side
    assert pd.Series(uncovered).gt(0).all()
