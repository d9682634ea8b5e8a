"""Charts and maps with nothing to draw give their plain sentence, never an empty figure, a
warning or a crash; a suppressed value draws no bar."""

import gc
import warnings

import numpy as np
import pandas as pd
import pytest
from IPython.display import Markdown

from analysis.pages import charts, maps

NAN = float("nan")
SAY = "Terlalu sedikit responden untuk ditampilkan."


@pytest.fixture(autouse=True)
def _no_warnings():
    gc.collect()  # earlier tests' unclosed sockets and loops warn here, not in these charts
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("default", category=ResourceWarning)
        warnings.filterwarnings("default", category=pytest.PytestUnraisableExceptionWarning)
        yield


def _said(out) -> bool:
    return isinstance(out, Markdown) and out.data == SAY


def test_every_chart_without_values_says_so():
    empty = pd.Series([], dtype="float64")
    nan = pd.Series([NAN, NAN], index=["a", "b"])
    dots = pd.DataFrame({"v": [NAN, NAN], "v_lo": [NAN, NAN], "v_hi": [NAN, NAN]}, index=["a", "b"])
    assert _said(charts.barh(empty, "T", "x", empty=SAY))
    assert _said(charts.bars_intervals(nan, nan, nan, "T", "x", empty=SAY))
    assert _said(charts.dot_intervals(dots, {"v": "V"}, "T", "x", empty=SAY))
    assert _said(charts.columns(pd.DataFrame({"a": [NAN]}), "T", "y", empty=SAY))
    assert _said(charts.columns(pd.DataFrame(), "T", "y", empty=SAY))
    assert _said(charts.lines(pd.DataFrame(), "T", "y", empty=SAY))
    assert _said(charts.share_at_least(empty, "T", "x", "y", empty=SAY))
    assert charts.barh(empty, "T", "x").data == "–"  # no sentence given: a dash, not a figure


def test_maps_where_no_kelurahan_can_be_shown_say_so():
    codes = maps.layers()[0]["kode_kelurahan"]
    hidden = pd.Series(True, index=codes)
    values = pd.Series(0.3, index=codes)
    assert _said(maps.choropleth(values, [0.5, 1.0], "T", "L", suppressed=hidden, empty=SAY))
    assert _said(maps.proportional_symbols(values * np.nan, "T", "L", empty=SAY))
    assert _said(
        maps.categories(pd.Series(dtype=object), {"HH": "#000"}, {"HH": "h"}, "T", "L", empty=SAY)
    )


def test_a_suppressed_bar_is_left_out_and_zero_shares_keep_an_axis():
    values = pd.Series([0.0, NAN, 0.0], index=["a", "b", "c"])
    chart = charts.bars_intervals(values, values, values, "T", "x", sort=False)
    assert chart.png()[:4] == b"\x89PNG"
    assert "b " not in chart.alt and "a 0%" in chart.alt
    ax = chart.fig.axes[0]
    assert ax.get_xlim()[1] > 0 and len(ax.patches) == 2


def test_a_missing_column_value_draws_no_bar_and_no_label():
    frame = pd.DataFrame({"now": [0.01, NAN, 0.02]}, index=["D1", "D2", "D3"])
    chart = charts.columns(frame, "T", "y", fmt=lambda v: f"{v:.0%}")
    labels = [t.get_text() for t in chart.fig.axes[0].texts]
    assert "nan%" not in labels and "1%" in labels and "2%" in labels
