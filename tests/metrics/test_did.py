"""The staggered difference-in-differences estimator against independent calculations: a 2×2 DiD
computed by hand from four means, statsmodels OLS with cluster-robust errors, noise-free panels
with effects that change over time (where a single-dummy regression is biased), the permutation
check, and the power calculation against its closed form."""

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from analysis.metrics import did


def panel(units: int, months: int, cohorts: dict[int, float], seed: int = 1, noise: float = 1.0):
    """A balanced panel: unit and month effects, noise; `cohorts` unit → first visit month (NaN: never)."""
    rng = np.random.default_rng(seed)
    a = rng.normal(0, 2, units)
    b = rng.normal(0, 1, months)
    rows = [
        {
            "unit": f"k{i:02d}",
            "t": t,
            "cohort": cohorts.get(i, np.nan),
            "y": a[i] + b[t] + rng.normal(0, noise),
        }
        for i in range(units)
        for t in range(months)
    ]
    return pd.DataFrame(rows)


def test_two_by_two_equals_the_difference_of_four_means():
    p = panel(40, 2, {i: 1 for i in range(15)}, seed=3)
    p.loc[p["cohort"].eq(1) & p["t"].eq(1), "y"] += 2.5
    est = did.fit(p, "y").aggregate()
    m = p.groupby([p["cohort"].notna(), "t"])["y"].mean()
    by_hand = (m[(True, 1)] - m[(True, 0)]) - (m[(False, 1)] - m[(False, 0)])
    assert est.value == pytest.approx(by_hand, abs=1e-10)


def nested(ols, units: int) -> float:
    """statsmodels counts the kelurahan dummies in K; with them nested in the clusters they are not
    counted (fixest, reghdfe): the factor that turns its cluster SE into ours."""
    n, p = ols.nobs, len(ols.params)
    return math.sqrt((n - p) / (n - (p - units + 1)))


def test_single_cohort_matches_statsmodels_ols_with_cluster_robust_errors():
    """One visit month, one month after: the cell dummy is the usual DiD dummy; coefficient, SE and
    interval equal statsmodels' OLS with kelurahan and month dummies, clustered by kelurahan (its
    small-sample factor adjusted for the nested kelurahan dummies)."""
    p = panel(30, 5, {i: 4 for i in range(10)}, seed=5)
    p["d"] = (p["t"] >= p["cohort"]).astype(float)
    p.loc[p["d"].eq(1), "y"] += 1.0
    ours = did.fit(p, "y")
    est = ours.aggregate()
    ols = smf.ols("y ~ 0 + C(unit) + C(t) + d", data=p).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(p["unit"])[0]}
    )
    se = ols.bse["d"] * nested(ols, 30)
    assert est.value == pytest.approx(ols.params["d"], rel=1e-10)
    assert est.se == pytest.approx(se, rel=1e-8)
    q = stats.t.ppf(0.975, 29)  # t with G − 1 degrees of freedom
    assert est.lo == pytest.approx(ols.params["d"] - q * se, rel=1e-8)


def test_staggered_cells_and_their_weighted_average_match_statsmodels():
    """Three cohorts: every cell coefficient and SE, and the SE of the unit-weighted average (a
    linear combination through statsmodels' t_test), equal statsmodels' OLS on the same dummies."""
    cohorts = (
        {i: 2 for i in range(6)} | {i: 3 for i in range(6, 14)} | {i: 4 for i in range(14, 18)}
    )
    p = panel(45, 6, cohorts, seed=7)
    after = p["t"] >= p["cohort"]
    p.loc[after, "y"] += 0.5 + 0.3 * (p["t"] - p["cohort"])[after]
    ours = did.fit(p, "y")
    names = []
    for r in ours.cells.itertuples():
        name = f"c{int(r.cohort)}_{int(r.t)}"
        p[name] = ((p["cohort"] == r.cohort) & (p["t"] == r.t)).astype(float)
        names.append(name)
    ols = smf.ols("y ~ 0 + C(unit) + C(t) + " + " + ".join(names), data=p).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(p["unit"])[0]}
    )
    assert np.allclose(ours.cells["coef"], ols.params[names], rtol=1e-9)
    assert np.allclose(ours.cells["se"], ols.bse[names] * nested(ols, 45), rtol=1e-7)
    w = ours.cells["units"].to_numpy(dtype=float)
    w = w / w.sum()
    combo = ols.t_test(np.concatenate([np.zeros(len(ols.params) - len(names)), w]))
    est = ours.aggregate()
    assert est.value == pytest.approx(float(combo.effect[0]), rel=1e-9)
    assert est.se == pytest.approx(float(combo.sd[0, 0]) * nested(ols, 45), rel=1e-7)


def test_effects_that_grow_after_the_visit_are_recovered_where_one_dummy_is_biased():
    """Noise-free data, staggered visits, an effect of 1 + 2 × months since the visit: every cell
    and the average are exact; the single-dummy two-way regression is far off (Goodman-Bacon)."""
    cohorts = {i: 2 for i in range(10)} | {i: 5 for i in range(10, 20)}
    p = panel(30, 8, cohorts, seed=11, noise=0.0)
    e = p["t"] - p["cohort"]
    truth = (1 + 2 * e).where(e >= 0, 0.0)
    p["y"] += truth
    ours = did.fit(p, "y")
    for r in ours.cells.itertuples():
        assert r.coef == pytest.approx(1 + 2 * (r.t - r.cohort), abs=1e-9)
    treated = p[e >= 0]
    assert ours.aggregate().value == pytest.approx(truth[e >= 0].mean(), abs=1e-9)
    assert treated["cohort"].notna().all()
    p["d"] = (e >= 0).astype(float)
    naive = smf.ols("y ~ 0 + C(unit) + C(t) + d", data=p).fit().params["d"]
    assert abs(naive - truth[e >= 0].mean()) > 1.0


def test_leads_are_zero_under_parallel_trends_and_the_visit_month_is_event_zero():
    cohorts = {i: 4 for i in range(12)} | {i: 5 for i in range(12, 20)}
    p = panel(40, 7, cohorts, seed=2, noise=0.0)
    p.loc[p["t"] >= p["cohort"], "y"] += 3.0
    study = did.fit(p, "y", leads=True).by_event()
    assert set(study["event"]) == {-5, -4, -3, -2, 0, 1, 2}
    assert np.allclose(study.loc[study["event"] < 0, "value"], 0, atol=1e-9)
    assert np.allclose(study.loc[study["event"] >= 0, "value"], 3, atol=1e-9)


def test_kelurahan_visited_in_the_first_month_are_left_out_and_nothing_to_compare_gives_none():
    p = panel(20, 4, {i: 0 for i in range(5)} | {i: 2 for i in range(5, 10)}, seed=4)
    f = did.fit(p, "y")
    assert set(f.cells["cohort"]) == {2} and f.n_clusters == 15
    everyone_at_once = panel(10, 3, {i: 0 for i in range(10)})
    assert did.fit(everyone_at_once, "y") is None
    never = panel(10, 3, {})
    assert did.fit(never, "y") is None


def test_dose_groups_get_their_own_effects():
    cohorts = {i: 3 for i in range(20)}
    p = panel(50, 5, cohorts, seed=8, noise=0.0)
    dose = pd.Series({f"k{i:02d}": 10 + i for i in range(20)})
    groups = did.dose_groups(dose)
    p["g"] = p["unit"].map(groups)
    p.loc[(p["t"] >= 3) & p["g"].eq("more"), "y"] += 4.0
    p.loc[(p["t"] >= 3) & p["g"].eq("fewer"), "y"] += 1.0
    by = did.fit(p, "y", group="g").by_group()
    assert by["more"].value == pytest.approx(4.0) and by["fewer"].value == pytest.approx(1.0)
    assert (groups == "more").sum() == 10


def test_permutation_check_finds_a_strong_effect_and_not_a_null_one():
    cohorts = {i: 3 for i in range(15)}
    strong = panel(40, 5, cohorts, seed=9)
    strong.loc[strong["t"] >= strong["cohort"], "y"] += 3.0
    est = did.fit(strong, "y").aggregate()
    assert did.permutation_p(strong, "y", est.value, n=99) == pytest.approx(1 / 100)
    null = panel(40, 5, cohorts, seed=10)
    est0 = did.fit(null, "y").aggregate()
    assert did.permutation_p(null, "y", est0.value, n=99) > 0.05


def test_interval_coverage_is_near_95_percent_on_simulated_panels():
    """Many clusters and visited units: the t(G−1) interval covers the true effect ~95% of the time."""
    hits = 0
    reps = 200
    for s in range(reps):
        p = panel(60, 4, {i: 2 + (i % 2) for i in range(24)}, seed=1000 + s)
        p.loc[p["t"] >= p["cohort"], "y"] += 0.7
        est = did.fit(p, "y").aggregate()
        hits += est.lo <= 0.7 <= est.hi
    assert 0.88 <= hits / reps <= 0.99


def test_minimum_detectable_effect_matches_its_closed_form_and_needed_finds_the_threshold():
    se = did.design_se(4.0, 10, 40, 8)
    assert se == pytest.approx(math.sqrt(4.0 * (1 / 10 + 1 / 40) * 4 / 8))
    m = stats.t.ppf(0.975, 49) + stats.t.ppf(0.8, 49)
    assert did.min_detectable(4.0, 10, 40, 8) == pytest.approx(m * se)
    need = did.needed(4.0, 1.0, 54, 10, 4)
    months, visited = need["months"], need["visited"]
    assert (
        did.min_detectable(4.0, 10, 44, months) <= 1.0 < did.min_detectable(4.0, 10, 44, months - 1)
    )
    assert visited is None  # four months are too few for 1.0 however many are visited
    visited = did.needed(4.0, 2.0, 54, 10, 4)["visited"]
    assert did.min_detectable(4.0, visited, 54 - visited, 4) <= 2.0
    assert did.min_detectable(4.0, visited - 1, 55 - visited, 4) > 2.0
