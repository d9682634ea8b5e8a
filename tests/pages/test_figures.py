"""Figures for phones: every chart and map comes with a phone drawing at twice the density that is
barely shrunk on a 390 px screen; titles and notes are text; every map numbers every kelurahan,
keyed to a list; number labels never overlap."""

import io
import re

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from analysis.pages import charts
from analysis.pages.figures import DPI, LAPTOP, PHONE, key_html
from analysis.pages.map_labels import key_rows, numbering, spread
from analysis.pages.maps import choropleth, layers

#: The width a 390 px phone gives a figure (the page's side padding taken off).
PHONE_COLUMN = 370


def size(png: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(png)).size


@pytest.fixture(scope="module")
def bar_chart():
    values = pd.Series(
        [552, 127, 87, 62], index=["Usahanya dikarantina", "NIK rusak oleh Excel", "A", "B"]
    )
    return charts.barh(values, "Judul grafik", "Jumlah baris", note="Catatan di bawah")


def test_a_chart_has_a_laptop_and_a_phone_drawing(bar_chart):
    laptop_w, _ = size(bar_chart.png())
    phone_w, _ = size(bar_chart.phone_png())
    assert laptop_w == pytest.approx(LAPTOP.width * DPI, rel=0.15)
    # the phone drawing, at twice the density, is at most 1.6x wider than a phone's column
    assert phone_w / PHONE.density / PHONE_COLUMN <= 1.6


def test_the_page_gets_a_picture_with_title_and_note_as_text(bar_chart):
    html = bar_chart.html()
    assert re.search(
        r'<source media="\(max-width: 640px\)" srcset="data:image/png;base64,[^"]+ 2x">', html
    )
    assert '<figcaption class="fig-title">Judul grafik</figcaption>' in html
    assert '<p class="fig-note">Catatan di bawah</p>' in html
    assert 'alt="Judul grafik: Usahanya dikarantina 552' in html


def test_numbers_follow_kecamatan_then_name_and_are_the_same_on_every_map():
    kel, _ = layers()
    numbers = numbering(kel)
    assert sorted(numbers) == list(range(1, len(kel) + 1))
    ordered = kel.set_index("kode_kelurahan").loc[numbers.index]
    assert list(ordered["kode_kecamatan"]) == sorted(ordered["kode_kecamatan"])
    for _, group in ordered.groupby("kode_kecamatan"):
        assert list(group["kelurahan"]) == sorted(group["kelurahan"])
    assert numbering(kel.sample(frac=1, random_state=1)).equals(numbers)


def test_every_kelurahan_is_in_a_maps_key_with_its_value():
    kel, _ = layers()
    values = pd.Series(np.linspace(0, 0.4, len(kel)), index=kel["kode_kelurahan"].to_numpy())
    hidden = pd.Series(False, index=values.index)
    hidden.iloc[3] = True
    chart = choropleth(
        values, [0.1, 0.2, 1.0], "Judul", "Legenda", fmt=lambda v: f"{v:.0%}", suppressed=hidden
    )
    listed = {name: value for _, items in chart.key for _, name, value in items}
    assert set(listed) == set(kel["kelurahan"])
    name = kel.set_index("kode_kelurahan").loc[values.index[3], "kelurahan"]
    assert listed[name] == "x"  # hidden on the map, hidden in the key
    html = key_html(chart.key, "Nomor")
    assert html.count("<li>") == len(kel) and "Nomor" in html
    numbers = [n for t in chart.fig.axes[0].texts if (n := t.get_text()).isdigit()]
    assert sorted(map(int, numbers)) == list(range(1, len(kel) + 1))  # every number drawn once


def test_key_rows_group_by_kecamatan_in_number_order():
    kel, _ = layers()
    rows = key_rows(kel)
    flat = [n for _, items in rows for n, _, _ in items]
    assert flat == list(range(1, len(kel) + 1))
    assert [k for k, _ in rows] == list(
        dict.fromkeys(kel.sort_values("kode_kecamatan")["kecamatan"])
    )


def overlaps(pos: np.ndarray, sizes: np.ndarray) -> int:
    """Pairs of boxes that overlap (an independent check of the spreading)."""
    n = 0
    for i in range(len(pos)):
        for j in range(i + 1, len(pos)):
            if (abs(pos[i] - pos[j]) < (sizes[i] + sizes[j]) / 2 - 1e-9).all():
                n += 1
    return n


def test_crowded_labels_are_spread_until_none_overlap():
    rng = np.random.default_rng(7)
    anchors = rng.normal([2.0, 2.0], 0.15, size=(25, 2))  # 25 labels in a small crowd
    sizes = np.tile([0.15, 0.12], (25, 1))
    assert overlaps(anchors, sizes) > 0
    placed = spread(anchors, sizes, np.empty((0, 4)), (0.0, 0.0, 4.0, 4.0))
    assert overlaps(placed, sizes) == 0
    assert np.abs(placed - anchors).max() < 0.8  # each stays near its place


def test_labels_keep_off_fixed_names():
    anchors = np.array([[1.0, 1.0], [1.05, 1.0]])
    sizes = np.tile([0.1, 0.1], (2, 1))
    name = np.array([[1.0, 1.0, 0.6, 0.2]])  # a kecamatan name over both
    placed = spread(anchors, sizes, name, (0.0, 0.0, 3.0, 3.0))
    for (x, y), (w, h) in zip(placed, sizes, strict=True):
        assert abs(x - 1.0) >= (0.6 + w) / 2 - 1e-6 or abs(y - 1.0) >= (0.2 + h) / 2 - 1e-6
