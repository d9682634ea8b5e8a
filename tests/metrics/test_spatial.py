"""Spatial statistics on a toy lattice, checked against independent numpy calculations:
empirical-Bayes rates (Marshall's formula), Queen neighbours, local and global Moran's I."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from analysis.metrics.spatial import eb_rates, global_moran, local_moran, queen_weights


def lattice(n: int) -> gpd.GeoDataFrame:
    """n × n unit squares, row by row, keyed like kelurahan codes ('c00', 'c01', …)."""
    cells = [(r, c) for r in range(n) for c in range(n)]
    return gpd.GeoDataFrame(
        {"kode_kelurahan": [f"c{r}{c}" for r, c in cells]},
        geometry=[box(c, -r, c + 1, -r + 1) for r, c in cells],
    )


def queen_matrix(n: int) -> np.ndarray:
    """Queen adjacency of an n × n grid written out by hand (not from libpysal)."""
    m = np.zeros((n * n, n * n))
    for r in range(n):
        for c in range(n):
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    rr, cc = r + dr, c + dc
                    if (dr or dc) and 0 <= rr < n and 0 <= cc < n:
                        m[r * n + c, rr * n + cc] = 1
    return m


def marshall(e: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Marshall's (1991) global empirical-Bayes estimate, from the formula."""
    r = e / b
    m = e.sum() / b.sum()
    s2 = (b * (r - m) ** 2).sum() / b.sum()
    a = max(s2 - m / b.mean(), 0.0)
    w = a / (a + m / b)
    return w * r + (1 - w) * m


def test_eb_rates_follow_marshalls_formula():
    e = np.array([0, 2, 5, 30, 12, 1, 40])
    b = np.array([16, 23, 60, 200, 90, 15, 210])
    got = eb_rates(pd.Series(e), pd.Series(b))
    np.testing.assert_allclose(got.to_numpy(), marshall(e, b), rtol=1e-12)
    # small bases move most: 0 of 16 is pulled well above 0, 40 of 210 barely moves
    assert got[0] > 0.03 and abs(got[6] - 40 / 210) < abs(got[0] - 0)


def test_eb_rates_without_between_area_variance_give_the_pooled_rate():
    e = np.array([5, 10, 15])  # identical rates: nothing but chance could vary
    b = np.array([50, 100, 150])
    got = eb_rates(pd.Series(e), pd.Series(b))
    np.testing.assert_allclose(got.to_numpy(), [0.1, 0.1, 0.1])
    np.testing.assert_allclose(got.to_numpy(), marshall(e.astype(float), b.astype(float)))


def test_eb_rates_skip_units_without_workers_and_handle_no_events():
    got = eb_rates(
        pd.Series([3, 0, 4], index=list("abc")), pd.Series([30, 0, 40], index=list("abc"))
    )
    assert np.isnan(got["b"]) and got[["a", "c"]].notna().all()
    zeros = eb_rates(pd.Series([0, 0, 0]), pd.Series([10, 0, 30]))
    assert zeros[0] == 0 and zeros[2] == 0 and np.isnan(zeros[1])


def test_queen_weights_on_a_lattice():
    g = lattice(3)
    w = queen_weights(g, g["kode_kelurahan"].tolist())
    assert w.cardinalities["c00"] == 3 and w.cardinalities["c01"] == 5
    assert w.cardinalities["c11"] == 8
    assert set(w.neighbors["c00"]) == {"c01", "c10", "c11"}
    assert np.isclose(sum(w.weights["c11"]), 1.0)  # row-standardised


def test_local_moran_matches_the_formula():
    n = 4
    g = lattice(n)
    rng = np.random.default_rng(7)
    y = rng.normal(size=n * n)
    got = local_moran(pd.Series(y, index=g["kode_kelurahan"]), g, permutations=99)
    W = queen_matrix(n)
    W = W / W.sum(axis=1, keepdims=True)
    z = (y - y.mean()) / y.std()
    expected = (n * n - 1) * z * (W @ z) / (z @ z)
    np.testing.assert_allclose(got["lisa_i"].to_numpy(), expected, rtol=1e-10)
    lag = W @ z
    quad = np.where(z > 0, np.where(lag > 0, "HH", "HL"), np.where(lag > 0, "LH", "LL"))
    assert got["lisa_q"].tolist() == quad.tolist()


def test_planted_clusters_are_found_and_results_repeat():
    n = 6
    g = lattice(n)
    y = np.full((n, n), 0.10)
    y[:3, :3] = 0.35  # a high corner
    y[3:, 3:] = 0.01  # a low corner
    y = y.ravel() + np.random.default_rng(1).normal(0, 0.005, n * n)
    values = pd.Series(y, index=g["kode_kelurahan"])
    a = local_moran(values, g)
    b = local_moran(values, g)
    pd.testing.assert_frame_equal(a, b)  # fixed seed: the same every run
    assert a.loc["c11", "lisa_cluster"] == "HH" and a.loc["c44", "lisa_cluster"] == "LL"
    assert a["lisa_cluster"].isin(["HH", "LL", "LH", "HL", "ns"]).all()
    assert (a["lisa_cluster"] != "ns").eq(a["lisa_p"] < 0.05).all()


def test_global_moran_matches_the_formula_and_is_repeatable():
    n = 5
    g = lattice(n)
    y = np.add.outer(np.arange(n), np.arange(n)).ravel().astype(float)  # a smooth gradient
    values = pd.Series(y, index=g["kode_kelurahan"])
    i, p = global_moran(values, g)
    W = queen_matrix(n)
    W = W / W.sum(axis=1, keepdims=True)
    z = y - y.mean()
    assert i == pytest.approx((z @ W @ z) / (z @ z))  # row-standardised: S0 = n
    assert p < 0.01 and global_moran(values, g) == (i, p)


def test_units_without_a_value_are_left_out_and_constant_values_are_not_tested():
    g = lattice(4)
    values = pd.Series(np.arange(16, dtype=float), index=g["kode_kelurahan"])
    values["c00"] = np.nan
    got = local_moran(values, g, permutations=99)
    assert pd.isna(got.loc["c00", "lisa_cluster"]) and got.drop("c00")["lisa_i"].notna().all()
    flat = local_moran(pd.Series(0.0, index=g["kode_kelurahan"]), g)
    assert flat["lisa_cluster"].isna().all() and global_moran(flat["lisa_i"].fillna(0), g) is None
