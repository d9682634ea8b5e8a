"""Next month's visit plan on hand-made kelurahan: the reach computed by hand, awareness from the
kelurahan / kecamatan / city, affordability with and without a subsidy, and recent visits last."""

import numpy as np
import pandas as pd
import pytest

from analysis.metrics import visit_plan as vp

CODES = ["33.72.01.1001", "33.72.01.1002", "33.72.02.1001", "33.72.02.1002"]


def inputs():
    coverage = pd.DataFrame(
        {
            "kode_kelurahan": CODES,
            "kelurahan": ["A", "B", "C", "D"],
            "kode_kecamatan": ["33.72.01", "33.72.01", "33.72.02", "33.72.02"],
            "kecamatan": ["K1", "K1", "K2", "K2"],
            "workers": [200, 120, 300, 50],
            "effective": [20, 20, 100, 10],
        }
    )
    aware = pd.DataFrame(
        {
            "kode_kelurahan": CODES,
            "respondents": [30, 4, 25, 0],
            "aware_tk": [0.2, 0.9, 0.5, np.nan],
            "aware_tk_lo": [0.1, 0.5, 0.3, np.nan],
            "aware_tk_hi": [0.3, 1.0, 0.7, np.nan],
            "kecamatan_respondents": [34, 34, 25, 25],
            "aware_tk_kecamatan": [0.25, 0.25, 0.5, 0.5],
            "aware_tk_kecamatan_lo": [0.1, 0.1, 0.3, 0.3],
            "aware_tk_kecamatan_hi": [0.4, 0.4, 0.7, 0.7],
        }
    )
    # 20 roster workers with an income in A (5 pay more than 2%), 3 in D (too few: city share)
    shares = [0.05] * 5 + [0.01] * 15 + [0.03, 0.01, 0.01]
    roster = pd.DataFrame({"kode_kelurahan": [CODES[0]] * 20 + [CODES[3]] * 3, "share_now": shares})
    visits = pd.DataFrame({"kode_kelurahan": CODES, "last": [None, "2026-09", "2026-10", None]})
    return coverage, aware, roster, visits


def plan(**kw):
    coverage, aware, roster, visits = inputs()
    args = {"threshold": 0.02, "min_n": 10, "revisit": 3} | kw
    return vp.visit_plan(
        coverage, aware, pd.DataFrame(), roster, visits, "2026-10", **args
    ).set_index("kelurahan")


def test_reach_is_uncovered_times_not_aware_times_able_to_pay():
    p = plan()
    city_above = 6 / 23  # D has 3 workers with an income: the city's share is used
    expected = {
        "A": 180 * (1 - 0.2) * (1 - 5 / 20),  # the kelurahan's own awareness and affordability
        "B": 100 * (1 - 0.25) * (1 - city_above),  # 4 respondents: the kecamatan's awareness
        "C": 200 * (1 - 0.5) * (1 - city_above),
        "D": 40 * (1 - 0.5) * (1 - city_above),
    }
    for k, v in expected.items():
        assert p.loc[k, "reach"] == pytest.approx(v)
    assert p.loc["B", "aware_basis"] == "kecamatan" and p.loc["A", "aware_basis"] == "kelurahan"
    assert p.loc["D", "afford_basis"] == "city" and p.loc["A", "above"] == 5


def test_recently_visited_kelurahan_wait_and_come_last():
    p = plan()
    # next month is November: September is 2 months back, October 1 (< 3): both wait
    assert p.loc["B", "months_since"] == 2 and p.loc["C", "months_since"] == 1
    assert list(p.index) == ["A", "D", "C", "B"]  # due by reach (A, D), then waiting by reach
    assert list(p["rank"]) == [1, 2, 3, 4] and p.loc[["A", "D"], "due"].all()
    assert list(plan(revisit=1).index) == ["A", "C", "B", "D"]  # nobody waits: by reach


def test_a_subsidy_makes_the_package_affordable_and_the_threshold_matters():
    assert plan(subsidy=0.5).loc["A", "above"] == 5  # 5% of income halved: 2.5%, still above
    assert plan(subsidy=0.7).loc["A", "above"] == 0  # 1.5%
    assert plan(threshold=0.005).loc["A", "above"] == 20


def test_without_a_survey_awareness_is_left_out_and_said_so():
    coverage, aware, roster, visits = inputs()
    aware[["aware_tk", "aware_tk_kecamatan"]] = np.nan
    aware[["respondents", "kecamatan_respondents"]] = 0
    p = vp.visit_plan(coverage, aware, pd.DataFrame(), roster, visits, "2026-10", 0.02, 10, 3)
    assert (p["aware_basis"] == "none").all()
    a = p.set_index("kelurahan").loc["A"]
    assert a["reach"] == pytest.approx(180 * (1 - 5 / 20))


def test_next_period_rolls_over_the_year():
    assert vp.next_period("2026-12") == "2027-01"
