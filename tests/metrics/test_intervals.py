"""The Wilson interval written out equals statsmodels' `proportion_confint` to the bit."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from analysis.metrics.intervals import wilson


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 1, allow_nan=False),
            st.floats(1e-3, 1e7, allow_nan=False),
        ),
        min_size=1,
        max_size=20,
    ),
    st.sampled_from([0.05, 0.1, 0.01, 0.2, 0.001]) | st.floats(1e-6, 0.99),
)
def test_wilson_is_statsmodels_to_the_bit(cells, alpha):
    share = np.array([s for s, _ in cells])
    nobs = np.array([n for _, n in cells])
    count = share * nobs  # weighted surveys give fractional counts and sizes
    low, high = wilson(count, nobs, alpha)
    ref_low, ref_high = proportion_confint(count, nobs, alpha=alpha, method="wilson")
    assert low.tobytes() == np.asarray(ref_low, dtype="float64").tobytes()
    assert high.tobytes() == np.asarray(ref_high, dtype="float64").tobytes()


def test_no_interval_without_observations():
    low, high = wilson([0, 3, 0], [0, 0, -1])
    assert np.isnan(low).all() and np.isnan(high).all()
