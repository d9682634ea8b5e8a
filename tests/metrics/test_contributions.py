"""Contribution rules as dated data: the regulation cases of docs/facts.md §1–§2, every discount
window's first and last day, clear errors, and the rule tables themselves.

Expected amounts are computed here independently, with `decimal` and the rates written out
from docs/facts.md, not with the module's own arithmetic.
"""

from __future__ import annotations

import shutil
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.metrics import contributions as c
from analysis.metrics import rulebook as rules
from analysis.paths import PROJECT_REFERENCE_DIR
from analysis.reference import minimum_wage


def rp(x: Decimal) -> int:
    """Whole Rupiah, halves up (the documented rounding of each part)."""
    return int(x.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


D = Decimal


# ----------------------------------------------------------------- docs/facts.md regulation cases


def test_2019_micro_business_wage_worker_at_the_2019_umk_is_rp9734():
    umk_2019 = minimum_wage("2019-06-01")
    assert umk_2019 == 1_802_700  # SK Gubernur 560/68/2018
    out = c.pu_monthly(umk_2019, "2019-06-01", risk_group="very_low", firm_size="micro")
    assert out == {"employer": 9734, "worker": 0, "total": 9734}
    # the rounding decision: each part rounded (4.326,48 → 4.326; 5.408,1 → 5.408) …
    parts = rp(D("1802700") * D("0.0024")) + rp(D("1802700") * D("0.0030"))
    assert parts == 9734
    # … not the total (9.734,58 → 9.735), which would not match the Rp9.734 ANTARA quoted
    assert rp(D("1802700") * D("0.0054")) == 9735


def test_micro_firm_size_accepts_the_registry_name():
    assert c.pu_monthly(1_802_700, "2019-06-01", firm_size="mikro")["total"] == 9734


def test_bpu_minimum_package_is_16800_and_8400_in_the_2026_window():
    assert c.bpu_monthly(1_000_000, "2025-06-01") == 10_000 + 6_800
    assert c.bpu_monthly(1_000_000, "2026-10-01") == 8_400  # PP 50/2025, other BPU
    assert c.bpu_monthly(1_000_000, "2026-10-01", sector="transport") == 8_400
    assert c.cheapest_bpu("2025-06-01") == 16_800


def test_bpu_with_jht_is_36800_and_jht_is_never_discounted():
    full = ("JKK", "JKM", "JHT")
    assert c.bpu_monthly(1_000_000, "2025-06-01", programs=full) == 36_800
    assert c.bpu_monthly(1_000_000, "2026-10-01", programs=full) == 8_400 + 20_000
    assert c.bpu_monthly(1_000_000, "2020-09-01", programs=full) == 100 + 68 + 20_000
    assert c.bpu_monthly(1_000_000, "2026-10-01", programs=("JHT",)) == 20_000


def test_declared_income_below_the_minimum_is_raised_and_above_the_maximum_lowered():
    assert c.bpu_monthly(500_000, "2025-06-01") == 16_800
    assert c.bpu_monthly(0, "2025-06-01") == 16_800
    assert c.bpu_monthly(30_000_000, "2025-06-01") == 207_000 + 6_800  # JKK max Rp207.000
    basis, raised, lowered = c.contribution_basis(
        pd.Series([500_000, 2_500_000, 30_000_000, None]), "2025-06-01"
    )
    assert basis.tolist()[:3] == [1_000_000, 2_500_000, 20_700_000] and pd.isna(basis.iloc[3])
    assert raised.tolist() == [True, False, False, False]
    assert lowered.tolist() == [False, False, True, False]


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=0, max_value=40_000_000), st.sampled_from(["2016-03-01", "2025-06-30"])
)
def test_bpu_package_matches_one_percent_of_the_clamped_income_plus_jkm(income, day):
    base = min(max(D(income), D(1_000_000)), D(20_700_000))
    expected = rp(base * D("0.01")) + 6800
    assert c.bpu_monthly(income, day) == expected


def test_vectorised_helper_matches_the_scalar_function_and_keeps_missing_values():
    incomes = pd.Series([900_000, 1_234_567, None, 8_000_000], index=[10, 11, 12, 13])
    out = c.bpu_monthly_many(
        incomes, "2026-02-01", sector=["kuliner", "transportasi", "jasa", "transport"]
    )
    assert out.index.tolist() == [10, 11, 12, 13]
    assert out[10] == c.bpu_monthly(900_000, "2026-02-01")
    assert out[11] == c.bpu_monthly(1_234_567, "2026-02-01", sector="transport")
    assert pd.isna(out[12])
    assert out[13] == rp(D(8_000_000) * D("0.01") * D("0.5")) + 3_400


# ----------------------------------------------------------------- discount windows, first and last day


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2020-07-31", 16_800),
        ("2020-08-01", 100 + 68),  # PP 49/2020: 99% off JKK and JKM (JKM Rp6.800 → Rp68)
        ("2021-01-31", 100 + 68),
        ("2021-02-01", 16_800),
    ],
)
def test_pp_49_2020_window_for_bpu(day, expected):
    assert c.bpu_monthly(1_000_000, day) == expected
    assert c.bpu_monthly(1_000_000, day, sector="transport") == expected


def test_pp_49_2020_also_cut_wage_workers_jkk_and_jkm():
    umk = D("1956200")  # UMK Surakarta 2020
    expected = rp(umk * D("0.0024") * D("0.01")) + rp(umk * D("0.003") * D("0.01"))
    assert c.pu_monthly(1_956_200, "2020-08-01")["total"] == expected
    assert c.pu_monthly(1_956_200, "2020-07-31")["total"] == rp(umk * D("0.0024")) + rp(
        umk * D("0.003")
    )


@pytest.mark.parametrize(
    ("sector", "day", "expected"),
    [
        ("transport", "2025-12-31", 16_800),
        ("transport", "2026-01-01", 8_400),  # PP 50/2025, transport: Jan 2026 – Mar 2027
        ("transport", "2027-03-31", 8_400),
        ("transport", "2027-04-01", 16_800),
        ("non-transport", "2026-03-31", 16_800),
        ("non-transport", "2026-04-01", 8_400),  # other BPU: Apr – Dec 2026
        ("non-transport", "2026-12-31", 8_400),
        ("non-transport", "2027-01-01", 16_800),
        ("transportasi", "2026-01-01", 8_400),  # a sector code of sectors.csv
        ("kuliner", "2026-01-01", 16_800),
        ("kuliner", "2026-04-01", 8_400),
    ],
)
def test_pp_50_2025_windows_by_sector(sector, day, expected):
    assert c.bpu_monthly(1_000_000, day, sector=sector) == expected


@pytest.mark.parametrize("day", ["2026-01-01", "2026-04-01", "2026-12-31", "2027-03-31"])
def test_pp_50_2025_does_not_apply_when_a_budget_pays(day):
    for sector in ("transport", "non-transport"):
        assert c.bpu_monthly(1_000_000, day, sector=sector, budget_paid=True) == 16_800


def test_discount_as_if_in_force_and_the_normal_price():
    s = pd.Series([1_000_000])
    assert c.bpu_monthly_many(s, "2025-06-01", discount="PP 50/2025").iloc[0] == 8_400
    assert c.bpu_monthly_many(s, "2026-10-01", discount=None).iloc[0] == 16_800
    assert rules.latest_discount("BPU") == "PP 50/2025"
    w = rules.discount_windows("BPU", "PP 50/2025").set_index("sector")
    assert w.loc["transport", "valid_from"] == pd.Timestamp("2026-01-01")
    assert w.loc["transport", "valid_to"] == pd.Timestamp("2027-03-31")
    assert w.loc["non-transport", "valid_from"] == pd.Timestamp("2026-04-01")
    assert w.loc["non-transport", "valid_to"] == pd.Timestamp("2026-12-31")
    assert (w["share_off"] == 0.5).all() and w["excludes_budget_paid"].all()


def test_a_year_of_contributions_follows_each_months_rules():
    # Oct–Dec 2026 discounted (other BPU), Jan–Sep 2027 not
    assert c.bpu_yearly(1_000_000, "2026-10") == 3 * 8_400 + 9 * 16_800
    # a city-paid participant pays the full price all year (the brief's Rp604,8 juta for 3,000)
    assert 3_000 * c.bpu_yearly(1_000_000, "2026-10", budget_paid=True) == 604_800_000


# ----------------------------------------------------------------- wage workers (PU)


def test_pu_phasing_by_firm_size():
    assert rules.pu_programs("micro", "2024-06-01") == ("JKK", "JKM")
    assert rules.pu_programs("small", "2024-06-01") == ("JKK", "JKM", "JHT")
    assert rules.pu_programs("medium", "2024-06-01") == ("JKK", "JKM", "JHT", "JP")
    wage = D(3_000_000)
    small = c.pu_monthly(3_000_000, "2024-06-01", firm_size="small")
    assert small["employer"] == rp(wage * D("0.0024")) + rp(wage * D("0.003")) + rp(
        wage * D("0.037")
    )
    assert small["worker"] == rp(wage * D("0.02"))
    assert small["total"] == small["employer"] + small["worker"]


def test_jp_uses_the_wage_cap_of_the_date():
    cap = D(10_042_300)  # from March 2024
    out = c.pu_monthly(12_000_000, "2024-06-01", risk_group="low", firm_size="medium")
    w = D(12_000_000)
    employer = rp(w * D("0.0054")) + rp(w * D("0.003")) + rp(w * D("0.037")) + rp(cap * D("0.02"))
    worker = rp(w * D("0.02")) + rp(cap * D("0.01"))
    assert out == {"employer": employer, "worker": worker, "total": employer + worker}
    assert rules.jp_wage_cap("2024-02-29") == 9_559_600
    assert rules.jp_wage_cap("2024-03-01") == 10_042_300


@pytest.mark.parametrize(
    ("group", "rate"),
    [
        ("very_low", "0.0024"),
        ("low", "0.0054"),
        ("medium", "0.0089"),
        ("high", "0.0127"),
        ("very_high", "0.0174"),
    ],
)
def test_jkk_rate_by_risk_group(group, rate):
    out = c.pu_monthly(2_000_000, "2024-06-01", risk_group=group)
    assert out["employer"] == rp(D(2_000_000) * D(rate)) + rp(D(2_000_000) * D("0.003"))


@pytest.mark.parametrize(
    "day", ["2021-06-01", "2024-06-01", "2025-02-06", "2025-02-07", "2026-10-01"]
)
@pytest.mark.parametrize("group", ["very_low", "medium", "very_high"])
def test_jkp_recomposition_keeps_the_employers_total(day, group):
    wage = pd.Series([4_000_000])
    std = c.pu_components(wage, day, group, "small", "standard")
    jkp = c.pu_components(wage, day, group, "small", "jkp")
    paid = jkp[jkp["party"].isin(["employer", "worker"])]
    assert paid["amount"].sum() == std["amount"].sum()
    gov = jkp[jkp["party"] == "government"]
    assert gov["amount"].sum() == rp(D(4_000_000) * D("0.0022"))


# ----------------------------------------------------------------- clear errors


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (
            lambda: c.bpu_monthly(1e6, "2026-10-01", programs=("JKK", "JKM", "JP")),
            "JP is not available to BPU",
        ),
        (lambda: c.bpu_monthly(1e6, "2026-10-01", programs=("JKX",)), "unknown programme 'JKX'"),
        (lambda: c.bpu_monthly(1e6, "2014-12-31"), "outside the BPU JKK rules"),
        (lambda: c.bpu_monthly(-5, "2026-10-01"), "must not be negative"),
        (lambda: c.bpu_monthly(float("nan"), "2026-10-01"), "missing"),
        (lambda: c.bpu_monthly(1e6, "2026-13-01"), "is not a date"),
        (lambda: c.bpu_monthly(1e6, "2026-10-01", sector="kapal"), "unknown sector 'kapal'"),
        (lambda: c.pu_monthly(-1, "2026-10-01"), "must not be negative"),
        (lambda: c.pu_monthly(2e6, "2014-06-01"), "outside"),
        (lambda: c.pu_monthly(2e6, "2026-10-01", risk_group="extreme"), "unknown risk group"),
        (lambda: c.pu_monthly(2e6, "2026-10-01", firm_size="huge"), "unknown firm size"),
        (lambda: c.pu_monthly(2e6, "2026-10-01", firm_size="medium"), "no JP wage cap"),
        (lambda: minimum_wage("2014-06-01"), "outside the UMK table"),
        (
            lambda: c.bpu_monthly_many(pd.Series([1e6]), "2026-10-01", discount="PP 1/1999"),
            "unknown discount",
        ),
    ],
)
def test_errors_say_what_is_wrong(call, words):
    with pytest.raises(ValueError, match=words):
        call()


# ----------------------------------------------------------------- the tables


def test_rule_tables_are_consistent_and_sourced():
    assert rules.check_rules() == []
    for name in rules.FILES.values():
        if name == "sectors.csv":
            continue
        table = pd.read_csv(PROJECT_REFERENCE_DIR / name, dtype=str, keep_default_na=False)
        assert {"valid_from", "valid_to"} <= set(table.columns), name
        assert ("source" in table.columns) and (table["source"] != "").all(), name


def test_the_caveats_are_in_the_datas_notes():
    rules = pd.read_csv(
        PROJECT_REFERENCE_DIR / "contribution_rules.csv", dtype=str, keep_default_na=False
    )
    jkp = rules[rules["scheme"] == "jkp"]
    assert jkp["note"].str.contains("⚠").any()  # the inferred 0.20% JKM
    jp = rules[rules["program"] == "JP"]
    assert jp["note"].str.contains("⚠").any()  # caps not verified outside the table
    caps = pd.read_csv(PROJECT_REFERENCE_DIR / "jp_wage_cap.csv", dtype=str, keep_default_na=False)
    assert caps["note"].str.contains("⚠").any()
    limits = pd.read_csv(
        PROJECT_REFERENCE_DIR / "bpu_income_limits.csv", dtype=str, keep_default_na=False
    )
    assert limits["note"].str.contains("Lampiran II").all()


@pytest.fixture
def ref_copy(tmp_path):
    ref = tmp_path / "reference"
    shutil.copytree(PROJECT_REFERENCE_DIR, ref, ignore=shutil.ignore_patterns("*.geojson"))
    return ref


def test_overlapping_rule_periods_are_reported(ref_copy):
    path = ref_copy / "jp_wage_cap.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("2024-03-01,2025-02-28", "2024-02-01,2025-02-28"), encoding="utf-8"
    )
    assert any("overlap" in p for p in rules.check_rules(ref_copy))


def test_the_lampiran_ii_bracket_table_is_used_when_an_analyst_adds_it(ref_copy):
    # toy brackets (NOT the regulation's values): the table format an analyst fills in
    (ref_copy / "bpu_income_brackets.csv").write_text(
        "valid_from,valid_to,income_from,income_to,base_income,regulation,source,note\n"
        "2015-07-01,,0,1000000,1000000,toy,test,\n"
        "2015-07-01,,1000001,1500000,1500000,toy,test,\n"
        "2015-07-01,,1500001,,2000000,toy,test,\n",
        encoding="utf-8",
    )
    out = c.bpu_monthly_many(
        pd.Series([600_000, 1_200_000, 5_000_000]), "2025-06-01", reference_dir=ref_copy
    )
    assert out.tolist() == [10_000 + 6_800, 15_000 + 6_800, 20_000 + 6_800]
    # the project's own (empty) table leaves the declared income as the basis
    assert c.bpu_monthly(1_200_000, "2025-06-01") == 12_000 + 6_800


def test_a_rule_changed_in_the_data_changes_the_result(ref_copy):
    path = ref_copy / "contribution_rules.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(",flat,,6800,", ",flat,,7000,"), encoding="utf-8"
    )
    out = c.bpu_monthly_many(pd.Series([1_000_000]), "2025-06-01", reference_dir=ref_copy)
    assert out.iloc[0] == 17_000
