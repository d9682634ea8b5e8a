"""Spatial statistics for kelurahan rates with PySAL: empirical-Bayes smoothing, Queen weights, LISA.

Small kelurahan have tens of workers, so a raw rate jumps with one person more or less.
`eb_rates` shrinks each rate towards the city-wide rate in proportion to how unreliable it is
(Marshall's global empirical Bayes, `esda.smoothing.Empirical_Bayes`). `local_moran` finds
clusters of high or low values among Queen-contiguous neighbours (`esda.Moran_Local`) with a
fixed seed and number of permutations, so a month's hot spots are the same on every run.
esda and libpysal are imported inside the functions: they cost about a second to import.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

#: Conditional permutations for LISA pseudo p-values, and the seed that makes them repeatable.
PERMUTATIONS = 999
SEED = 2019
ALPHA = 0.05
#: LISA quadrants as esda numbers them (PySAL scheme), by name.
QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
NOT_SIGNIFICANT = "ns"
#: Fewer units with data than this and no spatial pattern is tested.
MIN_UNITS = 5


def _quiet_import() -> None:
    """Import esda without its tqdm 'IProgress not found' warning (shown in JupyterLab otherwise;
    esda only uses progress bars in functions this project does not call)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "IProgress not found")
        import esda  # noqa: F401


def eb_rates(events: pd.Series, base: pd.Series) -> pd.Series:
    """Global empirical-Bayes rates (esda): unreliable small-base rates pulled towards the pooled rate.

    Units with no population at risk (`base` 0 or missing) get NaN. When the rates vary no more
    than chance alone would make them (the method-of-moments between-unit variance is not
    positive) every unit gets the pooled rate, as in Marshall (1991); esda itself would then
    return weights outside [0, 1].
    """
    _quiet_import()
    from esda.smoothing import (  # lazy: esda costs ~1 s (module docstring)
        Empirical_Bayes,
    )

    e = events.astype("float64")
    b = base.astype("float64")
    ok = b.fillna(0).gt(0) & e.notna()
    out = pd.Series(np.nan, index=events.index, dtype="float64")
    if not ok.any():
        return out
    e_ok, b_ok = e[ok].to_numpy(), b[ok].to_numpy()
    pooled = e_ok.sum() / b_ok.sum()
    between = (b_ok * (e_ok / b_ok - pooled) ** 2).sum() / b_ok.sum() - pooled / b_ok.mean()
    if pooled == 0 or between <= 0:
        out[ok] = pooled
    else:
        out[ok] = Empirical_Bayes(e_ok, b_ok).r.ravel()
    return out


def queen_weights(geoms, ids: list[str]):
    """Queen-contiguity weights (libpysal W) for polygons `geoms`, keyed by `ids`, row-standardised."""
    from libpysal.weights import Queen  # lazy: see the module docstring

    w = Queen.from_dataframe(geoms, ids=list(ids), silence_warnings=True)
    w.transform = "r"
    return w


def _subset(values: pd.Series, geoms) -> tuple[pd.Series, object]:
    """The units with a value, and Queen weights among them (units without neighbours dropped)."""
    keep = values.dropna()
    sub = geoms.set_index("kode_kelurahan").loc[keep.index].reset_index()
    if len(sub) < MIN_UNITS:
        return keep.iloc[:0], None
    w = queen_weights(sub, sub["kode_kelurahan"].tolist())
    if w.islands:
        keep = keep.drop(w.islands)
        return _subset(keep, geoms)
    return keep, w


def local_moran(
    values: pd.Series,
    geoms,
    permutations: int = PERMUTATIONS,
    seed: int = SEED,
    alpha: float = ALPHA,
) -> pd.DataFrame:
    """Local Moran's I of `values` (indexed by kode_kelurahan) on Queen contiguity (esda.Moran_Local).

    Returns, per unit: `lisa_i`, pseudo p-value `lisa_p`, quadrant `lisa_q` (HH, LH, LL, HL) and
    `lisa_cluster`: the quadrant where p < alpha, else 'ns'. Units without a value or without a
    neighbour that has one get NaN; so does everything when fewer than MIN_UNITS units remain
    or the values do not vary.
    """
    _quiet_import()
    from esda.moran import Moran_Local  # lazy: see the module docstring

    out = pd.DataFrame(
        {
            "lisa_i": np.nan,
            "lisa_p": np.nan,
            "lisa_q": pd.Series(pd.NA, index=values.index, dtype="str"),
            "lisa_cluster": pd.Series(pd.NA, index=values.index, dtype="str"),
        },
        index=values.index,
    )
    keep, w = _subset(values.astype("float64"), geoms)
    if w is None or np.isclose(keep.std(ddof=0), 0):
        return out
    with warnings.catch_warnings():
        # esda warns that its conditional-randomisation default will change; Moran_Local then
        # recomputes p_sim from the kept simulations (folded), so the warning does not apply.
        warnings.filterwarnings("ignore", "The alternative hypothesis", DeprecationWarning)
        # a unit exactly at the mean has constant simulated I: z_sim (unused) divides by zero
        warnings.filterwarnings("ignore", "invalid value encountered", RuntimeWarning)
        lm = Moran_Local(
            keep.reindex(w.id_order).to_numpy(),
            w,
            transformation="r",
            permutations=permutations,
            seed=seed,
            n_jobs=1,
            keep_simulations=True,
        )
    ids = list(w.id_order)
    quad = pd.Series([QUADRANTS[int(q)] for q in lm.q], index=ids)
    p = pd.Series(lm.p_sim, index=ids)
    out.loc[ids, "lisa_i"] = lm.Is
    out.loc[ids, "lisa_p"] = p
    out.loc[ids, "lisa_q"] = quad
    out.loc[ids, "lisa_cluster"] = quad.where(p < alpha, NOT_SIGNIFICANT)
    return out


def global_moran(
    values: pd.Series, geoms, permutations: int = PERMUTATIONS, seed: int = SEED
) -> tuple[float, float] | None:
    """Global Moran's I and its permutation p-value (esda.Moran), or None when it cannot be tested."""
    _quiet_import()
    from esda.moran import Moran  # lazy: see the module docstring

    keep, w = _subset(values.astype("float64"), geoms)
    if w is None or np.isclose(keep.std(ddof=0), 0):
        return None
    state = np.random.get_state()  # esda.Moran permutes with numpy's global generator
    np.random.seed(seed)
    try:
        y = keep.reindex(w.id_order).to_numpy()
        m = Moran(y, w, transformation="r", permutations=permutations)
    finally:
        np.random.set_state(state)
    return float(m.I), float(m.p_sim)
