"""Static maps of the region's kelurahan with geopandas + matplotlib, readable offline and on phones.

`choropleth` classifies values on fixed, documented breaks with mapclassify (so that months
compare), draws kecamatan outlines and names, a legend in the report's language, the boundary
source line, and distinct styles for kelurahan with no data and for suppressed cells.
`proportional_symbols` draws counts as circles and `categories` draws classes such as LISA
clusters (the analysts' interactive map is `analysis.pages.explore_map`, never in the report).
Maps are drawn in UTM zone 49S (EPSG:32749) so distances and shapes are true. A map on which no
kelurahan could be shown (no data, or every value suppressed) is not drawn: its `empty` sentence
is returned instead.
Notebook 02's maps, drawn from a `coverage.CoverageMonth`, are in `analysis.pages.coverage_maps`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown
from matplotlib import colormaps
from matplotlib import patheffects as pe
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analysis.pages.charts import PALETTE, Chart, nothing_to_draw, setup
from analysis.pages.figures import LAPTOP, PHONE, figure, layout, width
from analysis.pages.map_labels import draw_numbers, key_rows
from analysis.pages.text import t
from analysis.reference import DEFAULT_REGION, boundaries

CRS_METRIC = "EPSG:32749"  # UTM 49S: metres, for Java south of the equator
#: Maps of more places than this are not numbered: a kabupaten's hundreds of desa (Sragen 208,
#: Klaten 401) numbered with leader lines cover the whole map on a phone; the note under such a
#: map says so, and the kecamatan names say where a desa lies (a whole region's desa are never
#: mapped at once: its report is made one kota/kabupaten at a time).
MAX_NUMBERED = 120
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


def _map_figure(kel):
    """A figure whose axes hold the region at a known scale (inches per metre), legend below.

    geopandas asks the canvas to redraw after every layer it plots (`draw_idle`, which Agg does
    at once); a map is drawn once, when its PNG is made — with hundreds of desa, each extra
    drawing costs about a second, so the figure's canvas skips it."""
    x0, y0, x1, y1 = kel.total_bounds
    pad = 0.02 * max(x1 - x0, y1 - y0)
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    w = width()
    fig = plt.figure(figsize=(w, w * (y1 - y0) / (x1 - x0)), layout="none")
    fig.canvas.draw_idle = lambda *args, **kwargs: None
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    return fig, ax, w / (x1 - x0), (x0, y0, x1, y1)


def _fix_extent(ax, extent) -> None:
    """Pin the axes to the region (plots would otherwise rescale it)."""
    x0, y0, x1, y1 = extent
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box")


#: Scale bar lengths to choose from (metres): the longest that is at most a fifth of the map.
SCALE_BARS = (1000, 2000, 5000, 10_000, 20_000, 50_000)


def _scale_bar(ax, extent, scale: float, length_m: int | None = None) -> tuple:
    """A bar in the lower-left corner (2 km across the city, 5–10 km across a kabupaten);
    returns its box (centre x, y, width, height in map units)."""
    x0, y0, x1, y1 = extent
    if length_m is None:
        length_m = max([b for b in SCALE_BARS if b <= (x1 - x0) / 5] or [SCALE_BARS[0]])
    x, y = x0 + 0.03 * (x1 - x0), y0 + 0.04 * (y1 - y0)
    ax.plot([x, x + length_m], [y, y], color="#333333", lw=3, solid_capstyle="butt")
    ax.text(
        x + length_m / 2,
        y + 0.012 * (y1 - y0),
        f"{length_m // 1000} km",
        ha="center",
        va="bottom",
        fontsize=layout().number,
    )
    height = 2.2 * layout().number / 72 / scale
    return (x + length_m / 2, y + height / 3, length_m * 1.1, height)


#: Above this many kecamatan (a kabupaten has up to 26) their names are set smaller.
MANY_KECAMATAN = 10


def _outlines(ax, kec, scale: float, fontsize: float | None = None) -> list[tuple]:
    """Kecamatan borders and names (with a white halo, readable over any fill); returns the
    names' boxes (map units) so that kelurahan numbers keep clear of them. A kabupaten's many
    kecamatan get thinner borders and names no larger than the map's numbers."""
    fontsize = fontsize or (layout().legend if layout() is not PHONE else layout().number)
    many = len(kec) > MANY_KECAMATAN
    if many:
        fontsize = min(fontsize, layout().number)
    thick = 1.4 if layout() is not PHONE else 1.0
    kec.boundary.plot(ax=ax, color="#222222", linewidth=thick * (0.65 if many else 1.0))
    halo = [pe.withStroke(linewidth=3, foreground="white")]
    boxes = []
    for row in kec.itertuples():
        p = row.geometry.representative_point()
        ax.text(
            p.x,
            p.y,
            row.kecamatan,
            ha="center",
            va="center",
            fontsize=fontsize,
            fontweight="bold",
            color="#222222",
            path_effects=halo,
            zorder=5,
        )
        em = fontsize / 72 / scale
        boxes.append((p.x, p.y, len(row.kecamatan) * 0.6 * em, 1.2 * em))
    return boxes


def _finish(fig, ax, extent, scale, kel, obstacles: list[tuple], note: str | None, lang: str):
    """Scale bar and kelurahan numbers; returns the note under the map (source and `note`)."""
    obstacles = [*obstacles, _scale_bar(ax, extent, scale)]
    _fix_extent(ax, extent)
    if len(kel) <= MAX_NUMBERED:
        draw_numbers(
            ax,
            kel,
            kel.geometry.representative_point(),
            layout().number,
            scale,
            extent[:2],
            obstacles,
        )
    plt.close(fig)
    crowded = t("map_not_numbered", lang) if len(kel) > MAX_NUMBERED else None
    return ". ".join(x for x in (note, crowded, t("map_source", lang)) if x)


def _masks(values: pd.Series, suppressed: pd.Series | None, codes: pd.Series):
    """Values aligned to the polygons, and which are shown, hidden (suppressed) or missing."""
    v = values.reindex(codes).to_numpy(dtype="float64")
    hidden = (
        suppressed.reindex(codes).fillna(False).to_numpy(dtype=bool)
        if suppressed is not None
        else np.zeros(len(codes), dtype=bool)
    )
    shown = ~np.isnan(v) & ~hidden
    return v, shown, hidden, ~shown & ~hidden


def _hatched(ax, shapes, style: dict, linewidth: float = 0.4) -> None:
    """Kelurahan in a hatched style: the hatch drawn once over their union (hatching hundreds of
    desa one by one costs seconds per drawing), then their borders as lines in the style's colour."""
    union = shapes.geometry.union_all()
    type(shapes.geometry)([union], crs=shapes.crs).plot(ax=ax, linewidth=0, **style)
    shapes.boundary.plot(ax=ax, color=style["edgecolor"], linewidth=linewidth)


def _plot_missing(ax, kel, missing: np.ndarray, hidden: np.ndarray, lang: str) -> list:
    """Draw kelurahan without data and suppressed ones in their own styles; their legend entries."""
    handles = []
    if missing.any():
        _hatched(ax, kel[missing], NO_DATA)
        handles.append(Patch(label=t("map_no_data", lang), **NO_DATA))
    if hidden.any():
        _hatched(ax, kel[hidden], SUPPRESSED)
        handles.append(Patch(label=t("map_suppressed", lang), **SUPPRESSED))
    return handles


def _legend(ax, handles: list, title: str, **kwargs) -> None:
    """The legend under the map, in columns, its labels wrapped so it is never wider than the map."""
    labels = [h.get_label() for h in handles]
    short = len(handles) <= 4 and max(map(len, labels), default=0) <= 14
    ncol = len(handles) if short and layout() is not PHONE else 2
    per_line = int(layout().width * 72 / layout().legend / 0.6 / ncol) - 6
    for h, label in zip(handles, labels, strict=True):
        h.set_label(textwrap.fill(label, per_line))
    ax.legend(
        handles=handles,
        title=title,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.01),
        ncol=ncol,
        fontsize=layout().legend,
        title_fontsize=layout().legend,
        **kwargs,
    )


def _class_handles(colors, breaks: list[float], fmt: Callable[[float], str]) -> list:
    """Legend entries of a choropleth's fixed classes."""
    return [
        Patch(facecolor=c, edgecolor="white", label=lab)
        for c, lab in zip(colors, class_labels(breaks, fmt), strict=True)
    ]


def _range_alt(
    title: str, values: pd.Series, names: dict[str, str], fmt: Callable[[float], str], lang: str
) -> str:
    """A map's alt text: its title, and where the value is lowest and highest."""
    ranked = values.sort_values()
    if not len(ranked):
        return title
    low, high = ranked.index[0], ranked.index[-1]
    return (
        title
        + ". "
        + t(
            "map_alt_range",
            lang,
            low=names.get(low, low),
            low_v=fmt(ranked.iloc[0]),
            high=names.get(high, high),
            high_v=fmt(ranked.iloc[-1]),
        )
    )


@figure
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
    fallback: pd.Series | None = None,
    shown_as: pd.Series | None = None,
    empty: str | None = None,
) -> Chart | Markdown:
    """A choropleth of `values` (indexed by kode_kelurahan; NaN = no data) on fixed `breaks`.

    `breaks` are the classes' upper bounds (mapclassify.UserDefined); the last should cover the
    maximum possible value so that every month uses the same classes. `suppressed` (bool,
    same index) marks kelurahan whose value may not be published. `fallback` (same index) is
    a published value of a wider area (its kecamatan's) to colour a suppressed kelurahan with,
    under the hatching — where desa are small and many are suppressed, the map still shows
    where coverage is low, without revealing any desa's figure. Every kelurahan is numbered
    on the map; the key beside it gives its name and value (`shown_as`, text by kode_kelurahan,
    or `fmt` of the value, 'x' where suppressed).
    """
    import mapclassify  # lazy: slow to import, only for classified maps

    kel, kec = layers(region, reference_dir)
    v, shown, hidden, missing = _masks(values, suppressed, kel["kode_kelurahan"])
    if not shown.any():
        return nothing_to_draw(empty)
    setup()
    colors = colormaps[cmap](np.linspace(0.15, 0.95, len(breaks)))
    fig, ax, scale, extent = _map_figure(kel)

    def classified(vals: np.ndarray) -> np.ndarray:
        return mapclassify.UserDefined(
            vals, bins=breaks, lowest=min(0.0, float(np.nanmin(vals)))
        ).yb

    kel[shown].plot(ax=ax, color=colors[classified(v[shown])], edgecolor="white", linewidth=0.6)
    wider = np.full(len(kel), np.nan)
    if fallback is not None:
        wider = fallback.reindex(kel["kode_kelurahan"]).to_numpy(dtype="float64")
    under = hidden & ~np.isnan(wider)
    if under.any():
        kel[under].plot(
            ax=ax, color=colors[classified(wider[under])], edgecolor="white", linewidth=0.6
        )
    handles = _class_handles(colors, breaks, fmt)
    handles += _plot_missing(ax, kel, missing, hidden & ~under, lang)
    if under.any():
        over = {**SUPPRESSED, "facecolor": "none"}
        _hatched(ax, kel[under], over)
        handles.append(
            Patch(label=t("map_suppressed_wider", lang), **{**SUPPRESSED, "facecolor": colors[1]})
        )
    boxes = _outlines(ax, kec, scale)
    _legend(ax, handles, legend_title)
    note = _finish(fig, ax, extent, scale, kel, boxes, note, lang)
    names = kel.set_index("kode_kelurahan")["kelurahan"]
    ranked = pd.Series(v[shown], index=kel["kode_kelurahan"][shown])
    alt = _range_alt(title, ranked, names.to_dict(), fmt, lang)
    texts = _value_texts(kel, v, shown, hidden, fmt, shown_as)
    return _map_chart(fig, alt, title, note, kel, texts, lang)


def _value_texts(kel, v, shown, hidden, fmt, shown_as: pd.Series | None) -> dict[str, str]:
    """Each kelurahan's value as the key shows it: given text, else formatted, 'x' hidden, '–' none."""
    codes = kel["kode_kelurahan"].to_numpy()
    given = shown_as.to_dict() if shown_as is not None else {}
    out = {}
    for i, code in enumerate(codes):
        if code in given:
            out[code] = str(given[code])
        elif shown[i]:
            out[code] = fmt(v[i])
        else:
            out[code] = "x" if hidden[i] else "–"
    return out


def _map_chart(fig, alt: str, title: str, note: str, kel, texts: dict[str, str], lang: str):
    """The finished map: figure, title, note, and the numbered key of its kelurahan."""
    numbered = len(kel) <= MAX_NUMBERED
    return Chart(
        fig,
        alt,
        title=title,
        note=note,
        key=key_rows(kel, texts) if numbered else None,
        key_title=t("map_key_title", lang),
    )


@lru_cache(maxsize=4)
def _kabkota_layer(region: str, reference_dir: str | None):
    kel, _ = _layers(region, reference_dir)
    kab = kel.assign(kode_kabkota=kel["kode_kelurahan"].str[:5])
    return kab.dissolve(by="kode_kabkota", as_index=False)[["kode_kabkota", "geometry"]]


@figure
def kabkota_choropleth(
    values: pd.Series,
    names: dict[str, str],
    breaks: list[float],
    title: str,
    legend_title: str,
    lang: str = "id",
    fmt: Callable[[float], str] = str,
    cmap: str = "YlGnBu",
    note: str | None = None,
    region: str = DEFAULT_REGION,
    reference_dir: Path | None = None,
) -> Chart:
    """A choropleth of a region's kabupaten/kota (`values` indexed by kab/kota code; NaN = no
    data), each labelled with its name and value: the overview's map, where a region's 1,568
    desa would be specks. Classes as in `choropleth` (fixed upper bounds, mapclassify)."""
    import mapclassify  # lazy: slow to import, only for classified maps

    setup()
    kab = _kabkota_layer(region, str(reference_dir) if reference_dir else None).copy()
    v = values.reindex(kab["kode_kabkota"]).to_numpy(dtype="float64")
    shown = ~np.isnan(v)
    colors = colormaps[cmap](np.linspace(0.15, 0.95, len(breaks)))
    fig, ax, scale, extent = _map_figure(kab)
    if shown.any():
        classes = mapclassify.UserDefined(
            v[shown], bins=breaks, lowest=min(0.0, float(np.nanmin(v[shown])))
        ).yb
        kab[shown].plot(ax=ax, color=colors[classes], edgecolor="white", linewidth=1.5)
    handles = _class_handles(colors, breaks, fmt)
    handles += _plot_missing(ax, kab, ~shown, np.zeros(len(kab), dtype=bool), lang)
    kab.boundary.plot(ax=ax, color="#222222", linewidth=1.2 if layout() is not PHONE else 0.9)
    halo = [pe.withStroke(linewidth=3, foreground="white")]
    for row, value in zip(kab.itertuples(), v, strict=True):
        at = row.geometry.representative_point()
        label = names.get(row.kode_kabkota, row.kode_kabkota)
        text = label if np.isnan(value) else f"{label}\n{fmt(value)}"
        ax.text(
            at.x,
            at.y,
            text,
            ha="center",
            va="center",
            fontsize=layout().legend,
            fontweight="bold",
            color="#222222",
            path_effects=halo,
            zorder=5,
        )
    _legend(ax, handles, legend_title)
    _scale_bar(ax, extent, scale)
    _fix_extent(ax, extent)
    plt.close(fig)
    ranked = pd.Series(v[shown], index=kab["kode_kabkota"][shown])
    alt = _range_alt(title, ranked, names, fmt, lang)
    note = ". ".join(x for x in (note, t("map_source", lang)) if x)
    return Chart(fig, alt, title=title, note=note)


def nice_sizes(vmax: float, n: int = 3) -> list[float]:
    """Round legend values for proportional symbols: the largest 1-2-5 number ≤ vmax, then smaller ones."""
    if not vmax or vmax <= 0 or np.isnan(vmax):
        return []
    nice = sorted(
        {m * 10**e for e in range(int(np.floor(np.log10(vmax))) + 1) for m in (1, 2, 5)},
        reverse=True,
    )
    nice = [x for x in nice if x <= vmax]
    top = nice[0]
    picks = [top] + [x for x in nice if x <= top / 3.5][:1] + [x for x in nice if x <= top / 12][:1]
    return sorted(set(picks), reverse=True)[:n]


@figure
def proportional_symbols(
    values: pd.Series,
    title: str,
    legend_title: str,
    lang: str = "id",
    fmt: Callable[[float], str] = str,
    color: str = PALETTE["accent"],
    suppressed: pd.Series | None = None,
    note: str | None = None,
    max_area: float = 600.0,
    region: str = DEFAULT_REGION,
    reference_dir: Path | None = None,
    shown_as: pd.Series | None = None,
    empty: str | None = None,
) -> Chart | Markdown:
    """Circles whose area is proportional to `values` (indexed by kode_kelurahan), one per kelurahan.

    For counts of people, where the number matters more than the rate. The largest value gets
    `max_area` (points²); zero draws no circle; NaN is no data; `suppressed` kelurahan are
    hatched and get no circle (never drawn as zero). The key beside the map gives each
    kelurahan's count (`shown_as`, e.g. '<5' where a count is hidden, or `fmt` of the value).
    """
    kel, kec = layers(region, reference_dir)
    v, shown, hidden, missing = _masks(values, suppressed, kel["kode_kelurahan"])
    if not shown.any():
        return nothing_to_draw(empty)
    setup()
    fig, ax, inch_per_m, extent = _map_figure(kel)
    kel[shown].plot(ax=ax, facecolor="#eef1f4", edgecolor="white", linewidth=0.6)
    handles = _plot_missing(ax, kel, missing, hidden, lang)
    boxes = _outlines(
        ax,
        kec,
        inch_per_m,
        fontsize=layout().legend - 1 if layout() is not PHONE else layout().number,
    )
    vmax = float(np.nanmax(v[shown])) if shown.any() else 0.0
    max_area *= (width() / LAPTOP.width) ** 2  # circles keep their share of the map
    scale = max_area / vmax if vmax > 0 else 0.0
    pts = kel.geometry.representative_point()
    order = np.argsort(-np.where(shown, v, -1))  # large circles first, small ones on top
    draw = [i for i in order if shown[i] and v[i] > 0]
    if draw:
        ax.scatter(
            pts.x.to_numpy()[draw],
            pts.y.to_numpy()[draw],
            s=v[draw] * scale,
            color=color,
            alpha=0.7,
            edgecolor="white",
            linewidth=0.8,
            zorder=3,
        )
    sizes = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markersize=np.sqrt(x * scale),  # scatter sizes are areas in points², markers widths
            markerfacecolor=color,
            markeredgecolor="white",
            alpha=0.7,
            label=fmt(x),
        )
        for x in nice_sizes(vmax)
    ]
    _legend(ax, sizes + handles, legend_title, borderpad=1.0, columnspacing=1.5)
    note = _finish(fig, ax, extent, inch_per_m, kel, boxes, note, lang)
    names = kel["kelurahan"].to_numpy()
    top = [f"{names[i]} ({fmt(v[i])})" for i in draw[:3]]
    alt = title + (". " + t("cov_map_alt_top", lang, top=", ".join(top)) if top else "")
    texts = _value_texts(kel, v, shown, hidden, fmt, shown_as)
    return _map_chart(fig, alt, title, note, kel, texts, lang)


@figure
def categories(
    values: pd.Series,
    colors: dict[str, str],
    labels: dict[str, str],
    title: str,
    legend_title: str,
    lang: str = "id",
    note: str | None = None,
    describe: list[str] | None = None,
    region: str = DEFAULT_REGION,
    reference_dir: Path | None = None,
    empty: str | None = None,
) -> Chart | Markdown:
    """A map of categories (indexed by kode_kelurahan; NaN = no data), e.g. LISA clusters.

    `colors` and `labels` map each category code to a fill and a legend label, in legend order;
    only categories present are listed. The alt text names the kelurahan of the categories in
    `describe` (default: all).
    """
    kel, kec = layers(region, reference_dir)
    v = values.reindex(kel["kode_kelurahan"]).astype("object").to_numpy()
    missing = pd.isna(v)
    if missing.all():
        return nothing_to_draw(empty)
    setup()
    fig, ax, scale, extent = _map_figure(kel)
    handles = []
    for code, fill in colors.items():
        sel = ~missing & (v == code)
        if sel.any():
            kel[sel].plot(ax=ax, color=fill, edgecolor="white", linewidth=0.6)
            handles.append(Patch(facecolor=fill, edgecolor="white", label=labels[code]))
    handles += _plot_missing(ax, kel, missing, np.zeros(len(kel), dtype=bool), lang)
    boxes = _outlines(ax, kec, scale)
    _legend(ax, handles, legend_title)
    note = _finish(fig, ax, extent, scale, kel, boxes, note, lang)
    names = kel["kelurahan"].to_numpy()
    described = describe if describe is not None else list(colors)
    parts = [
        f"{labels[code]}: {', '.join(names[~missing & (v == code)])}"
        for code in described
        if (~missing & (v == code)).any()
    ]
    texts = {
        code: labels[c] for code, c in zip(kel["kode_kelurahan"], v, strict=True) if c in described
    }
    alt = title + (". " + "; ".join(parts) if parts else "")
    return _map_chart(fig, alt, title, note, kel, texts, lang)
