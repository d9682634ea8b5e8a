"""An honest subsidy: self-employed workers a city subsidy could enrol, wage workers whose
employers must enrol them, and what a share of the package costs a year — checked by hand on a
toy month, and on the demo month against the parquet files."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.metrics import affordability as af
from analysis.metrics import subsidy as sub
from analysis.month import Month
from analysis.paths import Paths

from conftest import PERIOD

ON = pd.Timestamp("2026-10-01")
FULL_YEAR = 12 * 16_800  # BPU JKK + JKM at the normal price (APBD-paid: no discount)
# PP 50/2025 (Rp8.400): non-transport Apr–Dec 2026 → Oct–Dec discounted; transport to Mar 2027
NON_TRANSPORT_DISCOUNTED = 3 * 8_400 + 9 * 16_800  # 176.400
TRANSPORT_DISCOUNTED = 6 * 8_400 + 6 * 16_800  # 151.200
UMK_2026 = 2_570_000
MICRO_EMPLOYER_YEAR = 12 * (round(UMK_2026 * 0.0024) + round(UMK_2026 * 0.0030))  # 166.536
SMALL_EMPLOYER_YEAR = MICRO_EMPLOYER_YEAR + 12 * round(UMK_2026 * 0.037)  # + JHT: 1.307.616


def toy():
    """Three businesses: A (kuliner, 4 workers), B (transport, 3), C (jasa, small, 6)."""
    businesses = pd.DataFrame(
        {
            "id_umkm": ["A", "B", "C"],
            "sektor": ["kuliner", "transportasi", "jasa"],
            "kelas_usaha": ["mikro", "mikro", "kecil"],
            "workers": [4, 3, 6],
        }
    )
    roster = pd.DataFrame(
        {
            "nik_hash": ["p1", "p2", "p3", "p4", "p5", "p6"],
            "id_umkm": ["A", "A", "B", "C", "C", "C"],
            "sektor": ["kuliner", "kuliner", "transportasi", "jasa", "jasa", "jasa"],
            "penghasilan_bulanan": [600_000, 2_000_000, 700_000, 800_000, None, 3_000_000],
            "registered": [False, True, True, True, False, True],
            "effective": [False, True, False, True, False, False],
            "segmen": [None, "BPU", "BPU", "PU", None, "BPU+PU"],
        }
    )
    participants = pd.DataFrame(
        {"nik_hash": ["p2", "p4"], "segmen": ["BPU", "PU"], "effective": [True, True]}
    )
    return businesses, roster, participants


def run(policy=None, target=None, min_registered=sub.MIN_REGISTERED):
    policy = policy or sub.Policy()
    biz, roster, part = toy()
    split = sub.uncovered_split(biz, roster, min_registered)
    priced = sub.business_prices(split, ON, policy)
    costed, _ = af.person_costs(roster, af.package_prices(ON), 1_000_000)
    table = sub.scenarios(priced, costed, roster, part, ON, 0.02, target, policy)
    return split, priced, table.set_index("scenario")


def target(workers: int) -> sub.Target:
    return sub.Target(workers, 2019, "informal", "BPU", True, "")


def test_a_record_says_who_works_for_a_wage():
    segmen = pd.Series(["BPU", "PU", "BPU+PU", "JAKON", None])
    assert sub.record_side(segmen).tolist() == ["self", "wage", "wage", "wage", None]


def test_the_uncovered_are_split_by_their_records_and_an_assumed_share():
    split, _, _ = run()
    s = split.set_index("id_umkm")
    # uncovered: A 4 − 1, B 3 − 0, C 6 − 1; lapsed records: p3 BPU (B), p6 BPU+PU (C)
    assert s["uncovered"].tolist() == [3, 3, 5]
    assert s["self_observed"].tolist() == [0, 1, 0] and s["wage_observed"].tolist() == [0, 0, 1]
    assert s["unknown"].tolist() == [3, 2, 4]
    # registered: p2 BPU, p3 BPU, p4 PU, p6 BPU+PU → 2 of 4 self-employed; each class has
    # fewer than 10 registered, so the share over all businesses (0.5) is used
    assert s["self_share"].tolist() == [0.5, 0.5, 0.5]
    assert s["self"].tolist() == [1.5, 2.0, 2.0] and s["wage"].tolist() == [1.5, 1.0, 3.0]
    shares = split.attrs["shares"]
    assert shares.loc["all", "registered"] == 4 and shares.loc["1-4", "basis"] == "all"


def test_a_class_with_enough_registered_workers_uses_its_own_share():
    split, _, _ = run(min_registered=2)
    s = split.set_index("id_umkm")
    # 1–4 workers (A, B): p2, p3 both BPU → 1.0; 5–19 (C): p4 PU, p6 BPU+PU → 0.0
    assert s["self_share"].tolist() == [1.0, 1.0, 0.0]
    assert s["self"].tolist() == [3.0, 3.0, 0.0] and s["wage"].tolist() == [0.0, 0.0, 5.0]


def test_prices_a_year_for_the_self_employed_and_for_employers():
    _, priced, _ = run()
    assert priced["price_self"].tolist() == [FULL_YEAR] * 3
    assert priced["price_wage"].tolist() == [MICRO_EMPLOYER_YEAR] * 2 + [SMALL_EMPLOYER_YEAR]
    assert MICRO_EMPLOYER_YEAR == 166_536 and SMALL_EMPLOYER_YEAR == 1_307_616
    _, discounted, _ = run(sub.Policy(discount=True))
    assert discounted["price_self"].tolist() == [
        NON_TRANSPORT_DISCOUNTED,
        TRANSPORT_DISCOUNTED,
        NON_TRANSPORT_DISCOUNTED,
    ]


def test_a_full_subsidy_for_the_self_employed():
    _, _, s = run()
    assert s.loc["all_uncovered", "workers"] == 5.5
    assert s.loc["all_uncovered", "budget"] == 5.5 * FULL_YEAR
    # (b): p1 (600.000, unknown → half self-employed) and p3 (700.000, lapsed BPU) are above 2%
    assert s.loc["above_threshold", "workers"] == 1.5
    assert s.loc["above_threshold", "budget"] == 1.5 * FULL_YEAR
    assert s.loc["baseline", "budget"] == 3_000 * FULL_YEAR  # the city's 3,000, computed


def test_half_the_package_for_the_self_employed_costs_half():
    _, _, s = run(sub.Policy(share=0.5))
    assert s.loc["all_uncovered", "budget"] == 5.5 * FULL_YEAR / 2
    assert s.loc["all_uncovered", "per_worker"] == FULL_YEAR / 2


def test_wage_workers_and_everyone_and_the_discount():
    _, _, pu = run(sub.Policy(group="PU"))
    wage = 1.5 * MICRO_EMPLOYER_YEAR + 1.0 * MICRO_EMPLOYER_YEAR + 3.0 * SMALL_EMPLOYER_YEAR
    assert pu.loc["all_uncovered", "workers"] == 5.5
    assert pu.loc["all_uncovered", "budget"] == pytest.approx(wage)
    assert pu.loc["above_threshold", "workers"] == 0.5  # p1's other half
    assert pu.loc["above_threshold", "budget"] == pytest.approx(0.5 * MICRO_EMPLOYER_YEAR)
    _, _, both = run(sub.Policy(group="all"))
    assert both.loc["all_uncovered", "workers"] == 11
    assert both.loc["all_uncovered", "budget"] == pytest.approx(wage + 5.5 * FULL_YEAR)
    _, _, disc = run(sub.Policy(discount=True))
    expected = 1.5 * NON_TRANSPORT_DISCOUNTED + 2.0 * TRANSPORT_DISCOUNTED
    expected += 2.0 * NON_TRANSPORT_DISCOUNTED
    assert disc.loc["all_uncovered", "budget"] == pytest.approx(expected)


def test_the_target_scenario_counts_everyone_it_still_needs():
    # BPU target 5; p2 is effectively covered as BPU (p4 counts as PU) → 4 to go, within 5.5
    _, _, s = run(target=target(5))
    row = s.loc["target"]
    assert (row["covered"], row["needed"], row["workers"], row["status"]) == (1, 4, 4, "ok")
    assert row["budget"] == 4 * FULL_YEAR
    # a target larger than the registry: all 999 still needed are priced, not capped at 5.5
    _, _, big = run(target=target(1_000))
    assert big.loc["target", "status"] == "short" and big.loc["target", "workers"] == 999
    assert big.loc["target", "budget"] == 999 * FULL_YEAR
    assert big.loc["target", "budget"] != big.loc["all_uncovered", "budget"]
    _, _, none = run()
    assert none.loc["target", "status"] == "no_target" and pd.isna(none.loc["target", "workers"])


def test_without_registered_workers_everyone_is_taken_as_self_employed():
    biz, roster, _ = toy()
    roster = roster.assign(registered=False, effective=False, segmen=None)
    split = sub.uncovered_split(biz, roster)
    assert split["self"].sum() == 13 and split["wage"].sum() == 0
    assert (split.attrs["shares"]["basis"] == "none").all()


def test_no_city_programme_before_august_2025():
    biz, roster, part = toy()
    priced = sub.business_prices(sub.uncovered_split(biz, roster), "2025-07-01", sub.Policy())
    costed, _ = af.person_costs(roster, af.package_prices("2025-07-01"), 1_000_000)
    s = sub.scenarios(priced, costed, roster, part, "2025-07-01", 0.02, None, sub.Policy())
    assert "baseline" not in set(s["scenario"])


def test_read_target_handles_a_missing_or_foreign_file(tmp_path):
    assert sub.read_target("surakarta", reference_dir=tmp_path) == (None, "aff_target_missing")
    (tmp_path / "targets.csv").write_text(
        "region,year,target\nsurakarta,2019,5\n", encoding="utf-8"
    )
    assert sub.read_target("surakarta", reference_dir=tmp_path) == (None, "aff_target_unreadable")
    (tmp_path / "targets.csv").write_text(
        "region,year,sector,segment,target_workers,verified,source\n"
        "surakarta,2019,informal,BPU,34785,false,x\nsurakarta,2019,formal,PU,57303,false,x\n",
        encoding="utf-8",
    )
    target, problem = sub.read_target("surakarta", reference_dir=tmp_path)
    assert problem is None and (target.workers, target.segment, target.verified) == (
        34_785,
        "BPU",
        False,
    )
    pu, _ = sub.read_target("surakarta", "PU", reference_dir=tmp_path)
    assert pu.workers == 57_303


# ----------------------------------------------------------------- the demo month


def test_demo_month_split_matches_the_parquet_files(cleaned, demo_dir):
    folder = Paths.of(demo_dir).processed(PERIOD)
    workers = pd.read_parquet(folder / "workers.parquet")
    kel = pd.read_parquet(folder / "coverage_kelurahan.parquet")
    month = Month.load(PERIOD, demo_dir)
    a = af.results(month)
    lapsed = workers[~workers["effective"] & workers["registered"]]
    wage = lapsed["segmen"].str.split("+").map(lambda parts: "PU" in parts)
    assert a.split.loc["self", "observed"] == (~wage).sum()
    assert a.split.loc["wage", "observed"] == wage.sum()
    uncovered = kel["workers"].sum() - kel["effective"].sum()
    assert a.split["total"].sum() == pytest.approx(uncovered)
    s = a.scenarios.set_index("scenario")
    assert s.loc["all_uncovered", "workers"] == pytest.approx(a.split.loc["self", "total"])
    assert s.loc["target", "budget"] != s.loc["all_uncovered", "budget"]  # (c) is not (a)
    everyone = af.results(month.with_settings(subsidy_group="all")).scenarios
    assert everyone.set_index("scenario").loc["all_uncovered", "workers"] == pytest.approx(
        uncovered
    )
    half = af.results(month.with_settings(subsidy_share=0.5)).scenarios.set_index("scenario")
    assert half.loc["all_uncovered", "budget"] == pytest.approx(
        s.loc["all_uncovered", "budget"] / 2
    )
