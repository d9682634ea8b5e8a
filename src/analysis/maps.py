"""Static maps of the region's kelurahan with geopandas + matplotlib, readable offline and on phones.

`choropleth` classifies values on fixed, documented breaks with mapclassify (so that months
compare), draws kecamatan outlines and names, a legend in the report's language, the boundary
source line, and distinct styles for kelurahan with no data and for suppressed cells. Maps are
drawn in UTM zone 49S (EPSG:32749) so distances and shapes are true.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib import patheffects as pe
from matplotlib.patches import Patch

from analysis.charts import WIDTH, Chart, setup
from analysis.reference import BOUNDARY_CREDIT, DEFAULT_REGION, boundaries
from analysis.text import t

CRS_METRIC = "EPSG:32749"  # UTM 49S: metres, for Java south of the equator
NO_DATA = {"facecolor": "#f2f2f2", "edgecolor": "#9a9a9a", "hatch": "...."}
SUPPRESSED = {"facecolor": "#ffffff", "edgecolor": "#6d6d6d", "hatch": "xxx"}


@lru_cache(maxsize=8)
def _layers(region: str, reference_dir: str | None):
    kel = boundaries(region, Path(reference_dir) if reference_dir else None).to_crs(CRS_METRIC)
    kec = kel.dissolve(by="kode_kecamatan", as_index=False, aggfunc={"kecamatan": "first"})
    return kel, kec


def layers(region: str = DEFAULT_REGION, reference_dir: Path | None = None):
    """(kelurahan polygons, dissolved kecamatan polygons) in metres, keyed by code."""
    kel, kec = _layers(region, str(reference_dir) if reference_dir else None)
    return kel.copy(), kec.copy()


def class_labels(breaks: list[float], fmt: Callable[[float], str]) -> list[str]:
    """Legend labels for classes bounded by `breaks` (upper bounds, inclusive): '0–5%', '5–10%', …"""
    lows = [None, *breaks[:-1]]
    return [
        f"≤ {fmt(hi)}" if lo is None else f"{fmt(lo)}–{fmt(hi)}"
        for lo, hi in zip(lows, breaks, strict=True)
    ]


def _scale_bar(ax, length_m: int = 2000) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    x, y = x0 + 0.04 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    ax.plot([x, x + length_m], [y, y], color="#333333", lw=3, solid_capstyle="butt")
    ax.text(
        x + length_m / 2,
        y + 0.015 * (y1 - y0),
        f"{length_m // 1000} km",
        ha="center",
        va="bottom",
        fontsize=9,
    )


def choropleth(
    values: pd.Series,
    breaks: list[float],
    title: str,
    legend_title: str,
    lang: str = "id",
    fmt: Callable[[float], str] = str,
    cmap: str = "YlGnBu",
    suppressed: pd.Series | None = None,
    note: str | None = None,
    region: str = DEFAULT_REGION,
    reference_dir: Path | None = None,
) -> Chart:
    """A choropleth of `values` (indexed by kode_kelurahan; NaN = no data) on fixed `breaks`.

    `breaks` are the classes' upper bounds (mapclassify.UserDefined); the last should cover the
    maximum possible value so that every month uses the same classes. `suppressed` (bool,
    same index) marks kelurahan whose value may not be published.
    """
    import mapclassify

    setup()
    kel, kec = layers(region, reference_dir)
    v = values.reindex(kel["kode_kelurahan"]).to_numpy(dtype="float64")
    hidden = (
        suppressed.reindex(kel["kode_kelurahan"]).fillna(False).to_numpy(dtype=bool)
        if suppressed is not None
        else np.zeros(len(kel), dtype=bool)
    )
    shown = ~np.isnan(v) & ~hidden
    colors = colormaps[cmap](np.linspace(0.15, 0.95, len(breaks)))
    fig, ax = plt.subplots(figsize=(WIDTH, WIDTH * 0.6))
    if shown.any():
        classes = mapclassify.UserDefined(
            v[shown], bins=breaks, lowest=min(0.0, float(np.nanmin(v[shown])))
        ).yb
        kel[shown].plot(ax=ax, color=colors[classes], edgecolor="white", linewidth=0.6)
    if (~shown & ~hidden).any():
        kel[~shown & ~hidden].plot(ax=ax, linewidth=0.4, **NO_DATA)
    if hidden.any():
        kel[hidden].plot(ax=ax, linewidth=0.4, **SUPPRESSED)
    kec.boundary.plot(ax=ax, color="#222222", linewidth=1.4)
    halo = [pe.withStroke(linewidth=3, foreground="white")]
    for row in kec.itertuples():
        p = row.geometry.representative_point()
        ax.text(
            p.x,
            p.y,
            row.kecamatan,
            ha="center",
            va="center",
            fontsize=10,
            fontweight="bold",
            color="#222222",
            path_effects=halo,
        )
    handles = [
        Patch(facecolor=c, edgecolor="white", label=lab)
        for c, lab in zip(colors, class_labels(breaks, fmt), strict=True)
    ]
    if (~shown & ~hidden).any():
        handles.append(Patch(label=t("map_no_data", lang), **NO_DATA))
    if hidden.any():
        handles.append(Patch(label=t("map_suppressed", lang), **SUPPRESSED))
    ax.legend(
        handles=handles,
        title=legend_title,
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=9,
        title_fontsize=10,
    )
    ax.set_axis_off()
    ax.set_title(title)
    _scale_bar(ax)
    source = BOUNDARY_CREDIT + (f". {note}" if note else "")
    fig.text(0.01, 0.005, source, fontsize=8, color="#555555", ha="left", va="bottom")
    plt.close(fig)
    names = kel.set_index("kode_kelurahan")["kelurahan"]
    ranked = pd.Series(v[shown], index=kel["kode_kelurahan"][shown]).sort_values()
    alt = title
    if len(ranked):
        alt += ". " + t(
            "map_alt_range",
            lang,
            low=names[ranked.index[0]],
            low_v=fmt(ranked.iloc[0]),
            high=names[ranked.index[-1]],
            high_v=fmt(ranked.iloc[-1]),
        )
    return Chart(fig, alt)
