"""Affordability: burdens, thresholds, willingness to pay, the 2026 discount and subsidy budgets,
checked on toy tables by hand and on the demo month against the parquet files."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.weightstats import DescrStatsW

from analysis.metrics import affordability as af
from analysis.month import Month
from analysis.pages import affordability_burden as afb
from analysis.pages import affordability_method as afm
from analysis.pages import affordability_page as afp
from analysis.pages import affordability_subsidy as afs
from analysis.paths import PROJECT_REFERENCE_DIR, Paths

from conftest import PERIOD

ON = pd.Timestamp("2026-10-01")  # PP 50/2025 window for every sector
FULL, DISCOUNTED, YEAR_PAID = 16_800, 8_400, 12 * 16_800


def people(incomes, sectors=None, **extra) -> pd.DataFrame:
    n = len(incomes)
    return pd.DataFrame(
        {"penghasilan_bulanan": incomes, "sektor": sectors or ["kuliner"] * n, **extra}
    )


@pytest.fixture(scope="module")
def prices():
    return af.package_prices(ON)


# ----------------------------------------------------------------- prices and burdens


def test_prices_this_month_full_and_discounted(prices):
    assert prices.loc["non-transport", ["now", "full", "discounted", "jht_full"]].tolist() == [
        DISCOUNTED,
        FULL,
        DISCOUNTED,
        FULL + 20_000,
    ]
    assert prices.loc[:, "in_window"].all()
    assert prices.attrs["discount"] == "PP 50/2025" and prices.attrs["income_min"] == 1_000_000
    before = af.package_prices("2026-02-01")  # transport in its window, others not yet
    assert (
        before.loc["transport", "now"] == DISCOUNTED and before.loc["non-transport", "now"] == FULL
    )
    assert not before.loc["non-transport", "in_window"]


def test_person_costs_share_of_income_and_who_is_left_out(prices):
    frame = people(
        [840_000, 1_680_000, 500_000, 0, None, 2_000_000],
        ["kuliner", "jasa", "transportasi", "kuliner", "kuliner", "tidak_diketahui"],
    )
    out, left_out = af.person_costs(frame, prices, 1_000_000)
    assert left_out == 2  # zero and missing income
    assert out["cost_now"].tolist() == [DISCOUNTED] * 4
    assert out["share_full"].tolist() == pytest.approx([0.02, 0.01, 0.0336, 0.0084])
    assert out["below_min"].tolist() == [True, False, True, False]
    assert out["kind"].tolist() == ["non-transport", "non-transport", "transport", "non-transport"]


def test_above_the_threshold_is_strictly_above(prices):
    out, _ = af.person_costs(people([840_000, 839_999, 840_001]), prices, 1_000_000)
    sens = af.sensitivity(out, [0.02]).iloc[0]
    assert sens["above_full"] == 1  # 16.800 / 839.999 > 2%; exactly 2% is not above
    assert sens["above_now"] == 0


def test_weighted_median_and_shares_match_statsmodels():
    rng = np.random.default_rng(5)
    v = pd.Series(rng.lognormal(14.5, 0.4, 301))
    w = pd.Series(rng.uniform(1, 40, 301))
    expected = DescrStatsW(v.to_numpy(), weights=w.to_numpy()).quantile([0.5], return_pandas=False)[
        0
    ]
    assert af.weighted_median(v, w) == pytest.approx(expected)
    assert af.weighted_median(v) == pytest.approx(np.median(v))
    mask = v > 2_000_000
    assert af._share(mask, w) == pytest.approx(w[mask].sum() / w.sum())


def test_burden_by_group_counts_and_weighted_rates(prices):
    frame = people([500_000, 700_000, 2_000_000, 3_000_000], bobot=[1.0, 3.0, 2.0, 2.0])
    frame["grp"] = ["a", "a", "b", "b"]
    out, _ = af.person_costs(frame, prices, 1_000_000)
    t = af.burden_by(out, "grp", 0.02, weight="bobot").set_index("grp")
    assert t.loc["a", "n"] == 2 and t.loc["a", "above_full"] == 2 and t.loc["b", "above_full"] == 0
    assert t.loc["a", "above_full_rate"] == 1.0
    # weighted median of a: weights 1 and 3 → the 700.000 earner
    assert t.loc["a", "income_median"] == 700_000
    assert t.loc["a", "share_now_median"] == pytest.approx(DISCOUNTED / 700_000)


def test_deciles_split_incomes_in_ten(prices):
    out, _ = af.person_costs(people(list(range(1_000_000, 3_000_000, 20_000))), prices, 1e6)
    d = af.add_deciles(out)
    assert d["decile"].value_counts().sort_index().tolist() == [10] * 10
    assert (
        d.loc[d["income"].idxmin(), "decile"] == 1 and d.loc[d["income"].idxmax(), "decile"] == 10
    )


def test_willingness_to_pay_weighted_share_and_curve():
    r = pd.DataFrame(
        {
            "kesediaan_bayar": [5_000, 8_400, 20_000, None],
            "bobot": [1.0, 2.0, 1.0, 5.0],
            "cost_now": [DISCOUNTED] * 4,
            "cost_full": [FULL] * 4,
        }
    )
    assert af.willing(r, "cost_now") == (pytest.approx(3 / 4), 3)  # 8.400 counts as willing
    assert af.willing(r, "cost_full")[0] == pytest.approx(1 / 4)
    curve = af.wtp_curve(r)
    assert curve.iloc[0] == 1.0 and curve.iloc[-1] == 0.0
    assert curve[8_400] == pytest.approx(3 / 4) and curve[20_000] == pytest.approx(1 / 4)


# ----------------------------------------------------------------- the demo month, end to end


@pytest.fixture(scope="module")
def month(cleaned, demo_dir):
    return af.results(Month.load(PERIOD, demo_dir)), demo_dir


def test_demo_month_figures_match_the_parquet_files(month):
    a, data = month
    folder = Paths.of(data).processed(PERIOD)
    workers = pd.read_parquet(folder / "workers.parquet")
    kel = pd.read_parquet(folder / "coverage_kelurahan.parquet")
    everyone = af.results(Month.load(PERIOD, data).with_settings(subsidy_group="all"))
    s = everyone.scenarios.set_index("scenario")
    assert s.loc["all_uncovered", "workers"] == pytest.approx(
        kel["workers"].sum() - kel["effective"].sum()
    )
    inc = workers["penghasilan_bulanan"]
    above = (FULL / inc > 0.02) & ~workers["effective"] & inc.gt(0)
    assert s.loc["above_threshold", "workers"] == pytest.approx(above.sum())
    assert len(a.roster) == inc.gt(0).sum()
    assert (a.roster["share_now"] == DISCOUNTED / a.roster["income"]).all()


def test_every_page_function_runs_in_both_languages(month):
    a, _ = month
    for lang in ("id", "en"):
        text = afp.headline(a, lang).data
        assert "Rp8.400" in text if lang == "id" else "Rp8,400" in text
        assert afs.scenario_table(a, lang).shown().shape[0] == len(a.scenarios)
        assert afs.split_table(a, lang).shown().shape == (2, 6)
        assert afb.decile_table(a, lang).shown().shape[0] == 10
        assert afb.sensitivity_table(a, lang).shown().shape[0] == 4
        assert len(afb.sector_table(a, lang)) and len(afb.kelurahan_table(a, lang)) <= 10
        for md in (afs.scenario_notes, afb.wtp_text, afm.discount_text, afm.method_text):
            assert "{" not in md(a, lang).data
        assert len(afm.rules_table(a, lang).shown()) == 3


def test_small_counts_are_hidden_in_the_scenario_table(month):
    a, _ = month
    small = af.Affordability(**{**a.__dict__})
    small.scenarios = a.scenarios.copy()
    small.scenarios.loc[small.scenarios["scenario"] == "above_threshold", ["workers", "budget"]] = [
        3,
        3 * YEAR_PAID,
    ]
    shown = afs.scenario_table(small, "id").shown()
    row = shown[shown.iloc[:, 0].str.startswith("(b)")].iloc[0]
    assert row.iloc[1] == "<5" and row.iloc[3] == "x"  # the budget would reveal the count
    assert "(b)" not in " ".join(afs.scenario_chart_values(small, "id").index)


def test_deciles_of_a_few_workers_pass_the_gate(month):
    """A small month: deciles of three workers; the people count is '<5', and a share hidden
    for its denominator says nothing of its count (it used to fail the gate)."""
    a, _ = month
    roster = af.add_deciles(a.roster.drop(columns="decile").head(30).reset_index(drop=True))
    small = af.Affordability(**{**a.__dict__, "roster": roster, "burden": None})
    shown = afb.decile_table(small, "en").shown()
    assert len(shown) == 10 and shown["Roster workers with a recorded income"].eq("<5").all()
    rates = shown[[c for c in shown.columns if c.startswith("> 2%")]]
    assert rates.shape[1] == 2
    assert rates.isin(["<5", "x"]).all().all()  # no share of three people is shown


def test_a_small_group_where_nobody_is_above_says_fewer_than_five(month):
    """Three workers, none above the threshold: the group rule hides the zero as '<5' (not 'x')
    in the sensitivity table, which shows the burden tables' total."""
    a, _ = month
    roster = a.roster.nsmallest(3, "share_now").reset_index(drop=True)
    assert (roster["share_now"] <= a.threshold).all()
    small = af.Affordability(**{**a.__dict__, "roster": af.add_deciles(roster), "burden": None})
    chosen = afb.sensitivity_table(small, "en").shown().iloc[1]  # the chosen threshold, 2%
    assert chosen.iloc[-1] != "" and chosen.iloc[1] == "<5"


def test_a_month_without_participants_or_survey_still_computes(demo_dir, tmp_path):
    from analysis.pipeline import clean_period

    data = tmp_path / "data"
    shutil.copytree(demo_dir / "raw", data / "raw")
    raw = data / "raw" / PERIOD
    for f in raw.glob("survei_kesadaran.*"):
        f.unlink()
    for f in raw.glob("peserta_bpjstk.*"):
        header = f.read_text(encoding="utf-8-sig").splitlines()[0]
        f.write_text(header + "\n", encoding="utf-8")
    clean_period(PERIOD, data)
    a = af.results(Month.load(PERIOD, data))
    assert len(a.survey) == 0 and not a.roster["effective"].any()
    s = a.scenarios.set_index("scenario")
    kel = pd.read_parquet(Paths.of(data).processed(PERIOD) / "coverage_kelurahan.parquet")
    # nobody registered: nothing says who works for a wage, so all are taken as self-employed
    assert s.loc["all_uncovered", "workers"] == kel["workers"].sum()
    assert "survei" in afp.headline(a, "id").data.lower()
    assert afb.sensitivity_table(a, "en").shown().shape[1] == 6  # no survey column
    (
        afb.wtp_text(a, "en"),
        afm.discount_text(a, "en"),
        afm.method_text(a, "en"),
        afb.sector_table(a, "en").shown(),
    )


def test_reference_folder_of_the_data_dir_is_used(demo_dir, tmp_path, cleaned):
    # a data dir with its own reference folder: a different JKM amount changes the prices
    data = tmp_path / "data"
    shutil.copytree(demo_dir / "processed", data / "processed")
    shutil.copytree(
        PROJECT_REFERENCE_DIR, data / "reference", ignore=shutil.ignore_patterns("soloraya*")
    )
    rules = data / "reference" / "contribution_rules.csv"
    rules.write_text(
        rules.read_text(encoding="utf-8").replace(",flat,,6800,", ",flat,,7000,"), encoding="utf-8"
    )
    a = af.results(Month.load(PERIOD, data))
    assert a.prices.loc["non-transport", "full"] == 17_000


def test_target_row_is_hidden_when_it_would_reveal_a_small_covered_count(month):
    a, _ = month
    scn = a.scenarios.copy()
    target = af.Target(20, 2019, "informal", "BPU", False, "")
    row = scn["scenario"] == "target"
    scn.loc[row, ["covered", "needed", "workers", "status"]] = [1, 19, 19, "ok"]
    small = af.Affordability(**{**a.__dict__, "scenarios": scn, "target": target})
    shown = afs.scenario_table(small, "en").shown().set_index("Scenario")
    label = "(c) Everyone the BPU target still needs"
    assert shown.loc[label].tolist()[0] == "x" and shown.loc[label].tolist()[2] == "x"
    assert "(c)" not in " ".join(afs.scenario_chart_values(small, "en").index)
    assert "now: <5; – to go" in afs.scenario_notes(small, "en").data
