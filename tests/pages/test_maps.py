"""Maps: fixed classes, suppressed and no-data styles (never drawn as zero), circles sized by
count, and category maps."""

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection

from analysis.pages import maps
from analysis.pages.maps import (
    NO_DATA,
    SUPPRESSED,
    categories,
    choropleth,
    class_labels,
    layers,
    nice_sizes,
    proportional_symbols,
)

from conftest import hatched

BREAKS = [0.05, 0.10, 0.20, 0.30, 0.50, 1.00]


@pytest.fixture(scope="module")
def codes() -> pd.Series:
    kel, _ = layers()
    return kel["kode_kelurahan"]


def legend_texts(chart) -> list[str]:
    return [t.get_text() for t in chart.fig.axes[0].get_legend().get_texts()]


def test_choropleth_styles_suppressed_and_missing_kelurahan_apart_from_zero(codes):
    values = pd.Series(np.linspace(0, 0.4, len(codes)), index=codes.to_numpy())
    values.iloc[0] = 0.0  # a real zero is coloured in the lowest class
    values.iloc[1] = np.nan  # no workers
    suppressed = pd.Series(False, index=codes.to_numpy())
    suppressed.iloc[2:5] = True
    chart = choropleth(
        values, BREAKS, "Judul", "Legenda", "id", fmt=lambda v: f"{v:.0%}", suppressed=suppressed
    )
    ax = chart.fig.axes[0]
    assert hatched(ax, SUPPRESSED) == 3 and hatched(ax, NO_DATA) == 1
    texts = legend_texts(chart)
    assert texts[: len(BREAKS)] == class_labels(BREAKS, lambda v: f"{v:.0%}")
    assert "Tidak ada data" in texts and any(t.startswith("Disembunyikan") for t in texts)
    assert chart.png()[:4] == b"\x89PNG"


def test_proportional_symbols_areas_follow_the_counts(codes):
    values = pd.Series(np.arange(len(codes), dtype=float) * 10, index=codes.to_numpy())
    suppressed = pd.Series(False, index=codes.to_numpy())
    suppressed.iloc[[10, 20]] = True
    values.iloc[30] = np.nan
    chart = proportional_symbols(
        values, "Judul", "Pekerja", "id", fmt=lambda v: f"{v:,.0f}", suppressed=suppressed
    )
    ax = chart.fig.axes[0]
    circles = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(circles) == 1
    sizes = circles[0].get_sizes()
    # one circle per kelurahan with a published count above zero: not the zero, the two
    # suppressed ones or the one without data
    assert len(sizes) == len(codes) - 4
    shown = values[~suppressed & values.gt(0)].sort_values(ascending=False).to_numpy()
    np.testing.assert_allclose(sizes / shown, sizes[0] / shown[0])  # area ∝ count
    assert hatched(ax, SUPPRESSED) == 2 and hatched(ax, NO_DATA) == 1
    assert legend_texts(chart)[:3] == ["500", "100", "20"]
    assert "Judul. " in chart.alt and f"({shown[0]:,.0f})" in chart.alt


@pytest.mark.parametrize(
    ("vmax", "expected"),
    [(554, [500, 100, 20]), (9, [5, 1]), (1200, [1000, 200, 50]), (0, [])],
)
def test_legend_sizes_are_round_numbers(vmax, expected):
    assert nice_sizes(vmax) == expected


def test_category_map_lists_present_categories_and_names_them(codes):
    values = pd.Series("ns", index=codes.to_numpy(), dtype="object")
    values.iloc[:3] = "LL"
    values.iloc[3] = np.nan
    colors = {"LL": "#d95f02", "HH": "#01665e", "ns": "#e6e6e6"}
    labels = {"LL": "Rendah", "HH": "Tinggi", "ns": "Tidak signifikan"}
    chart = categories(values, colors, labels, "Judul", "Klaster", "id", describe=["LL", "HH"])
    assert legend_texts(chart) == ["Rendah", "Tidak signifikan", "Tidak ada data"]
    kel, _ = layers()
    first = kel.set_index("kode_kelurahan").loc[codes.iloc[:3], "kelurahan"]
    assert chart.alt == "Judul. Rendah: " + ", ".join(first)


def test_a_kabupatens_map_of_hundreds_of_desa_is_not_numbered_and_says_why():
    """Sragen's 208 desa numbered on a phone would be leader lines over the whole map: no
    numbers, no key, and the note says why; the city's 54 kelurahan are numbered."""
    from analysis.metrics.coverage import RATE_BREAKS

    kab, _ = maps.layers("sragen")
    values = pd.Series(0.07, index=kab["kode_kelurahan"])
    chart = maps.choropleth(values, RATE_BREAKS, "Cakupan", "Cakupan", "id", region="sragen")
    assert len(kab) > maps.MAX_NUMBERED and chart.key == []
    assert "terlalu banyak untuk diberi nomor" in chart.note
    city, _ = maps.layers()
    values = pd.Series(0.07, index=city["kode_kelurahan"])
    chart = maps.choropleth(values, RATE_BREAKS, "Cakupan", "Cakupan", "id")
    assert sum(len(items) for _, items in chart.key) == len(city) <= maps.MAX_NUMBERED
    assert "terlalu banyak" not in chart.note
