"""Coverage metrics against independent calculations: statsmodels' Wilson interval, hand-computed
kelurahan, breakdowns, segments, the targets file, history and the straight-line projection."""

import json
import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from analysis.ingest.link import kelurahan_counts
from analysis.metrics.coverage import (
    add_rates,
    add_smoothed,
    city_coverage,
    collapse_small,
    effective_segments,
    group_coverage,
    history,
    kecamatan_coverage,
    project,
    wilson,
)
from analysis.month import Month
from analysis.paths import Paths
from analysis.reference import targets

Z = 1.959963984540054  # the 97.5% normal quantile


def wilson_by_hand(k: int, n: int) -> tuple[float, float]:
    """Wilson (1927) score interval from its formula."""
    p = k / n
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2)) / (1 + Z**2 / n)
    return centre - half, centre + half


def test_wilson_matches_statsmodels_and_the_formula():
    rng = np.random.default_rng(3)
    n = rng.integers(1, 600, 200)
    k = rng.integers(0, n + 1)
    low, high = wilson(k, n)
    for ki, ni, lo, hi in zip(k, n, low, high, strict=True):
        ref = proportion_confint(int(ki), int(ni), alpha=0.05, method="wilson")
        assert (lo, hi) == pytest.approx(ref, abs=1e-12)
        assert (lo, hi) == pytest.approx(wilson_by_hand(int(ki), int(ni)), abs=1e-12)


def test_wilson_edges():
    low, high = wilson([0, 10, 0], [10, 10, 0])
    assert low[0] == 0 and high[0] == pytest.approx(Z**2 / (10 + Z**2))  # 0 of 10: [0, 0.2775]
    assert high[1] == pytest.approx(1) and low[1] == pytest.approx(10 / (10 + Z**2))
    assert np.isnan(low[2]) and np.isnan(high[2])  # nobody to count: no interval


UNITS = pd.DataFrame(
    {
        "kode_kelurahan": ["33.72.01.1001", "33.72.01.1002", "33.72.02.1001"],
        "kelurahan": ["Pajang", "Laweyan", "Joyotakan"],
        "kode_kecamatan": ["33.72.01", "33.72.01", "33.72.02"],
        "kecamatan": ["Laweyan", "Laweyan", "Serengan"],
    }
)


def toy_registry():
    """Pajang: 2 businesses, 40 workers declared (38 on rosters); Laweyan: 1 business of 5;
    Joyotakan: no business at all."""
    businesses = pd.DataFrame(
        {
            "id_umkm": ["A", "B", "C"],
            "kode_kelurahan": ["33.72.01.1001", "33.72.01.1001", "33.72.01.1002"],
            "sektor": ["kuliner", "jasa", "kuliner"],
            "kelas_usaha": ["mikro", "kecil", "mikro"],
            "workers": [30, 10, 5],
            "roster_workers": [28, 10, 5],
        }
    )
    flags = (
        # Pajang, business A: 28 on roster; 10 registered, 8 active, 6 effective
        [("A", "33.72.01.1001", "kuliner", "mikro", i < 10, i < 8, i < 6) for i in range(28)]
        # Pajang, business B: 10 on roster, 2 effective
        + [("B", "33.72.01.1001", "jasa", "kecil", i < 2, i < 2, i < 2) for i in range(10)]
        # Laweyan: 5 on roster, 1 registered but not active
        + [("C", "33.72.01.1002", "kuliner", "mikro", i < 1, False, False) for i in range(5)]
    )
    workers = pd.DataFrame(
        flags,
        columns=[
            "id_umkm",
            "kode_kelurahan",
            "sektor",
            "kelas_usaha",
            "registered",
            "active",
            "effective",
        ],
    )
    workers["nik_hash"] = [f"{i:064x}" for i in range(len(workers))]
    return businesses, workers


def test_a_hand_computed_kelurahan():
    businesses, workers = toy_registry()
    kel = add_rates(kelurahan_counts(businesses, workers, UNITS)).set_index("kelurahan")
    pajang = kel.loc["Pajang"]
    assert pajang[["businesses", "workers", "registered", "active", "effective"]].tolist() == [
        2,
        40,
        12,
        10,
        8,
    ]
    assert pajang["effective_rate"] == pytest.approx(8 / 40)
    assert pajang["uncovered"] == 32
    lo, hi = wilson_by_hand(8, 40)
    assert (pajang["effective_low"], pajang["effective_high"]) == pytest.approx((lo, hi))
    assert pajang["registered_rate"] == pytest.approx(12 / 40)


def test_every_kelurahan_is_listed_and_one_without_businesses_has_no_rate():
    businesses, workers = toy_registry()
    kel = add_smoothed(add_rates(kelurahan_counts(businesses, workers, UNITS))).set_index(
        "kelurahan"
    )
    assert len(kel) == 3
    joy = kel.loc["Joyotakan"]
    assert joy["workers"] == 0 and joy["effective"] == 0 and joy["uncovered"] == 0
    assert (
        joy[["effective_rate", "effective_low", "effective_high", "effective_rate_eb"]].isna().all()
    )
    assert kel.loc[["Pajang", "Laweyan"], "effective_rate_eb"].notna().all()


def test_kecamatan_and_city_totals_add_up():
    businesses, workers = toy_registry()
    kel = add_smoothed(add_rates(kelurahan_counts(businesses, workers, UNITS)))
    kec = kecamatan_coverage(kel).set_index("kecamatan")
    assert kec.loc["Laweyan", "workers"] == 45 and kec.loc["Laweyan", "effective"] == 8
    assert kec.loc["Serengan", "workers"] == 0 and np.isnan(kec.loc["Serengan", "effective_rate"])
    city = city_coverage(kel)
    assert city["workers"] == 45 and city["effective"] == 8 and city["registered"] == 13
    assert city["effective_rate"] == pytest.approx(8 / 45)
    assert (city["effective_low"], city["effective_high"]) == pytest.approx(wilson_by_hand(8, 45))


def test_breakdown_by_sector_and_size():
    businesses, workers = toy_registry()
    sector = group_coverage(businesses, workers, "sektor", ["kuliner", "jasa"]).set_index("sektor")
    assert list(sector.index) == ["kuliner", "jasa"]
    assert sector.loc["kuliner", "workers"] == 35 and sector.loc["kuliner", "effective"] == 6
    assert sector.loc["jasa", "effective_rate"] == pytest.approx(2 / 10)
    size = group_coverage(businesses, workers, "kelas_usaha", ["mikro", "kecil"])
    assert size["workers"].sum() == 45 and size["effective"].sum() == 8


def test_small_groups_are_merged_into_the_next_one():
    table = add_rates(
        pd.DataFrame(
            {
                "kelas_usaha": ["mikro", "kecil", "menengah"],
                "businesses": [100, 20, 1],
                "workers": [500, 120, 16],
                "roster_workers": [480, 110, 16],
                "registered": [90, 20, 6],
                "active": [70, 15, 3],
                "effective": [50, 12, 2],
            }
        )
    )
    out = collapse_small(table, "kelas_usaha", {"besar": "menengah", "menengah": "kecil"}, 5)
    assert out["kelas_usaha"].tolist() == ["mikro", "kecil+menengah"]
    merged = out.set_index("kelas_usaha").loc["kecil+menengah"]
    assert merged["workers"] == 136 and merged["effective"] == 14
    assert merged["effective_rate"] == pytest.approx(14 / 136)
    # nothing small: unchanged
    same = collapse_small(table.iloc[:2], "kelas_usaha", {"menengah": "kecil"}, 5)
    assert same["kelas_usaha"].tolist() == ["mikro", "kecil"]


def test_effective_workers_by_segment_count_each_person_once():
    h = [f"{i:064x}" for i in range(5)]
    workers = pd.DataFrame({"nik_hash": h, "effective": [True, True, True, True, False]})
    participants = pd.DataFrame(
        {
            "nik_hash": [h[0], h[0], h[1], h[2], h[2], h[3], h[4]],
            "segmen": ["BPU", "PU", "BPU", "PU", "BPU", None, "BPU"],
            "effective": [True, True, True, False, True, True, True],
        }
    )
    seg = effective_segments(workers, participants)
    # h0: BPU and PU effective -> PU; h1 BPU; h2: only its BPU record is effective -> BPU;
    # h3: segment not given -> other; h4 is not effectively covered
    assert seg.to_dict() == {"BPU": 2, "PU": 1, "lainnya": 1}


def test_targets_are_reference_data_with_source_year_and_caveat():
    t = targets("surakarta").set_index("sector")
    assert (
        t.loc["informal", "target_workers"] == 34_785
        and t.loc["formal", "target_workers"] == 57_303
    )
    assert (t["year"] == 2019).all() and t["verified"].all()  # the full ANTARA text (facts §0)
    assert t.loc["informal", "segment"] == "BPU" and t.loc["formal", "segment"] == "PU"
    assert t["source"].str.contains("antaranews.com/berita/225757").all()
    assert t["note"].str.contains("not a target for UMKM-registry workers").all()
    assert targets("klaten").empty


@pytest.mark.parametrize(
    ("periods", "values", "target", "status", "reach"),
    [
        (["2026-01", "2026-02", "2026-03"], [100, 110, 120], 150, "on_track", "2026-06"),
        # a gap: Feb missing; the line is still 10 a month
        (["2026-01", "2026-03", "2026-04"], [100, 120, 130], 160, "on_track", "2026-07"),
        (["2026-11", "2026-12", "2027-01"], [100, 110, 120], 131, "on_track", "2027-03"),
        (["2026-01", "2026-02"], [100, 110], 150, "short", None),
        (["2026-01", "2026-02", "2026-03"], [120, 110, 100], 150, "not_growing", None),
        (["2026-01", "2026-02", "2026-03"], [100, 100, 100], 150, "not_growing", None),
        (["2026-01", "2026-02", "2026-03"], [100, 140, 160], 150, "reached", None),
        # 898 more months at +1 a month: 2026-03 + 898 months = 2101-01
        (["2026-01", "2026-02", "2026-03"], [100, 101, 102], 1000, "beyond_horizon", "2101-01"),
    ],
)
def test_projection(periods, values, target, status, reach):
    p = project(periods, values, target)
    assert p.status == status and p.reach == reach
    if status == "on_track":
        assert p.slope == pytest.approx(10)


def test_projection_counts_months_to_go_from_the_last_month():
    p = project(["2026-08", "2026-09", "2026-10"], [0, 10, 20], 50)
    assert p.reach == "2027-01" and p.months_to_go == 3


def write_month(data_dir, period, effective, segs=("BPU", "PU")):
    folder = data_dir / "processed" / period
    folder.mkdir(parents=True)
    kel = pd.DataFrame(
        {
            "kode_kelurahan": ["a", "b"],
            "kelurahan": ["A", "B"],
            "kode_kecamatan": ["k", "k"],
            "kecamatan": ["K", "K"],
            "businesses": [10, 5],
            "workers": [100, 50],
            "roster_workers": [90, 50],
            "registered": [effective + 10, 5],
            "active": [effective + 5, 2],
            "effective": [effective, 0],
        }
    )
    kel.to_parquet(folder / "coverage_kelurahan.parquet")
    h = [f"{i:064x}" for i in range(effective)]
    pd.DataFrame({"nik_hash": h, "effective": True}).to_parquet(folder / "workers.parquet")
    pd.DataFrame(
        {"nik_hash": h, "segmen": [segs[i % 2] for i in range(effective)], "effective": True}
    ).to_parquet(folder / "participants.parquet")
    (folder / "quality.json").write_text(json.dumps({"period": period}))


def month_of(data, period: str) -> Month:
    return Month(period, Paths.of(data), {"period": period, "region": "surakarta"})


def test_history_reads_every_cleaned_month_up_to_the_period(tmp_path):
    for period, eff in [("2026-07", 10), ("2026-08", 14), ("2026-10", 20), ("2026-11", 99)]:
        write_month(tmp_path, period, eff)
    (tmp_path / "processed" / "2026-09").mkdir()  # no quality.json: not a cleaned month
    h = history(month_of(tmp_path, "2026-10"))
    assert h["period"].tolist() == ["2026-07", "2026-08", "2026-10"]
    assert h["effective"].tolist() == [10, 14, 20] and (h["workers"] == 150).all()
    assert h["effective_BPU"].tolist() == [5, 7, 10] and h["effective_PU"].tolist() == [5, 7, 10]
    assert h["effective_rate"].iloc[-1] == pytest.approx(20 / 150)
    assert history(month_of(tmp_path, "2026-06")).empty
