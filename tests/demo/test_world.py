"""The synthetic world draws incomes around the UMK of the reference data (umk.csv), not a copy
of it; it repeats for a seed and keeps its own rules (registered ⊇ active ⊇ effective, one NIK
pool). Byte-identical files for a seed are checked by tests/demo/test_generate.py."""

import shutil

import numpy as np
import pandas as pd
import pytest

from analysis.demo.world import make_world, umk_of_year
from analysis.paths import PROJECT_REFERENCE_DIR
from analysis.reference import minimum_wage

from conftest import PERIOD


@pytest.mark.parametrize("year", [2015, 2019, 2024, 2026])
def test_umk_is_the_reference_minimum_wage_of_the_year(year):
    assert umk_of_year(year, PROJECT_REFERENCE_DIR) == minimum_wage(f"{year}-06-01")


def test_umk_is_whole_rupiah_and_the_nearest_year_outside_the_table():
    assert umk_of_year(2022, PROJECT_REFERENCE_DIR) == 2_035_720  # umk.csv: 2035720.17
    assert umk_of_year(2031, PROJECT_REFERENCE_DIR) == minimum_wage("2026-12-31")
    assert umk_of_year(2010, PROJECT_REFERENCE_DIR) == minimum_wage("2015-01-01")


def test_umk_comes_from_the_reference_folder(tmp_path):
    ref = tmp_path / "reference"
    shutil.copytree(PROJECT_REFERENCE_DIR, ref)
    table = pd.read_csv(ref / "umk.csv", dtype=str, keep_default_na=False)
    row = (table["region_code"] == "33.72") & (table["year"] == "2026")
    table.loc[row, "minimum_wage"] = "3000000"
    table.to_csv(ref / "umk.csv", index=False)
    assert umk_of_year(2026, ref) == 3_000_000
    world = make_world(np.random.default_rng(1), PERIOD, 200, ref)
    median = world.workers["income"].median()
    assert 0.6 * 3_000_000 < median < 1.2 * 3_000_000  # roster pay is 0.8–1.05 × UMK by sector


def test_world_is_consistent_and_repeats_for_a_seed():
    a = make_world(np.random.default_rng(3), PERIOD, 200, PROJECT_REFERENCE_DIR)
    b = make_world(np.random.default_rng(3), PERIOD, 200, PROJECT_REFERENCE_DIR)
    pd.testing.assert_frame_equal(a.workers, b.workers)
    pd.testing.assert_frame_equal(a.records, b.records)
    wk = a.workers
    assert (wk["effective"] <= wk["active"]).all() and (wk["active"] <= wk["registered"]).all()
    everyone = pd.concat([wk["nik"], a.biz["nik_pemilik"]])
    assert everyone.is_unique  # one NIK pool: no two people share a NIK
    assert set(a.records.loc[~a.records["old"], "nik"]) >= set(wk.loc[wk["registered"], "nik"])


def test_a_region_spreads_businesses_by_registered_umkm_and_pays_around_each_umk():
    """Soloraya's demo: businesses per kabupaten/kota in the shares of their registered UMKM
    (soloraya_umkm.csv), rosters paid around each kabupaten/kota's own UMK (umk.csv)."""
    world = make_world(
        np.random.default_rng(5), PERIOD, 6000, PROJECT_REFERENCE_DIR, region="soloraya"
    )
    registered = pd.read_csv(
        PROJECT_REFERENCE_DIR / "soloraya_umkm.csv", dtype={"kode_kabkota": str}
    )
    expected = registered.set_index("kode_kabkota")["umkm_registered"]
    expected = expected / expected.sum()
    got = world.biz["kode_kelurahan"].str[:5].value_counts(normalize=True)
    assert (got.reindex(expected.index) - expected).abs().max() < 0.02
    kab_of = world.biz.set_index("id_umkm")["kode_kelurahan"].str[:5]
    pay = world.workers.assign(kab=world.workers["id_umkm"].map(kab_of)).groupby("kab")["income"]
    for code, median in pay.median().items():
        assert 0.6 < median / minimum_wage(f"{PERIOD}-01", code) < 1.2, code
    assert world.survey["kode_kelurahan"].str[:5].nunique() == 7
