"""An interactive map for analysts that works offline: a Vega-Lite v5 spec that JupyterLab draws
with its own built-in renderer (no package, no CDN, no trusted notebook needed), with each
kelurahan's name and figures on hover.

Why Vega-Lite v5 as a plain dict: JupyterLab 4 ships renderers for Vega-Lite 3–5 only (altair 6
emits v6), folium and plotly's geo maps fetch scripts or tiles from the internet. The spec
carries the polygons inline; outer rings are turned clockwise, as d3-geo expects.
It is never part of the published report (nbconvert's HTML would fetch vega from a CDN).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from analysis.reference import DEFAULT_REGION, boundaries

MIME = "application/vnd.vegalite.v5+json"
SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"  # an identifier: never fetched
#: Coordinates rounded to 5 decimals (about a metre): a smaller notebook, the same map.
DIGITS = 5


class VegaLite:
    """A Vega-Lite v5 spec shown by JupyterLab's built-in renderer (text elsewhere)."""

    def __init__(self, spec: dict, text: str):
        self.spec, self.text = spec, text

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {MIME: self.spec, "text/plain": self.text}


def _round(coords, digits: int = DIGITS):
    if isinstance(coords, float | int):
        return round(float(coords), digits)
    return [_round(c, digits) for c in coords]


def features(region: str = DEFAULT_REGION, reference_dir: Path | None = None) -> list[dict]:
    """The region's kelurahan as GeoJSON features (clockwise outer rings, rounded coordinates),
    each with `kode_kelurahan` in its properties."""
    from shapely.geometry import mapping
    from shapely.geometry.polygon import orient

    gdf = boundaries(region, reference_dir)
    out = []
    for code, geom in zip(gdf["kode_kelurahan"], gdf.geometry, strict=True):
        parts = getattr(geom, "geoms", [geom])
        shape = mapping(type(geom)([orient(p, sign=-1.0) for p in parts]) if len(parts) > 1
                        else orient(parts[0], sign=-1.0))  # fmt: skip
        shape = {"type": shape["type"], "coordinates": _round(shape["coordinates"])}
        out.append({"type": "Feature", "geometry": shape, "properties": {"kode_kelurahan": code}})
    return out


def choropleth_spec(
    values: pd.DataFrame,
    color: str,
    breaks: list[float],
    legend: str,
    tooltip: dict[str, str],
    title: str,
    region: str = DEFAULT_REGION,
    reference_dir: Path | None = None,
    scheme: str = "yellowgreenblue",
    legend_format: str = ".0%",
    width: int = 560,
) -> dict:
    """A choropleth spec: `values` (indexed by kode_kelurahan) joined to the polygons; `color`
    is classed on the fixed `breaks` (upper bounds); `tooltip` maps columns to their labels
    (pass text columns: they are shown as given); `legend_format` is a d3 format of the
    legend's numbers. Kelurahan without a value are grey."""
    rows = values.reset_index().rename(columns={"index": "kode_kelurahan"})
    records = json.loads(rows.to_json(orient="records", force_ascii=False))
    return {
        "$schema": SCHEMA,
        "title": title,
        "width": width,
        "height": round(width * 0.85),
        "data": {"values": features(region, reference_dir), "format": {"type": "json"}},
        "transform": [
            {
                "lookup": "properties.kode_kelurahan",
                "from": {
                    "data": {"values": records},
                    "key": "kode_kelurahan",
                    "fields": [color, *tooltip],
                },  # fmt: skip
            }
        ],
        "projection": {"type": "mercator"},
        "layer": [
            {
                "mark": {
                    "type": "geoshape",
                    "fill": "#eeeeee",
                    "stroke": "white",
                    "strokeWidth": 0.7,
                },  # fmt: skip
                "encoding": {"tooltip": [{"field": c, "title": t} for c, t in tooltip.items()]},
            },
            {
                "transform": [{"filter": f"isValid(datum['{color}'])"}],
                "mark": {"type": "geoshape", "stroke": "white", "strokeWidth": 0.7},
                "encoding": {
                    "color": {
                        "field": color,
                        "type": "quantitative",
                        "title": legend,
                        "scale": {"type": "threshold", "domain": breaks[:-1], "scheme": scheme},
                        "legend": {"format": legend_format},
                    },
                    "tooltip": [{"field": c, "title": t} for c, t in tooltip.items()],
                },
            },
        ],
        "config": {"view": {"stroke": None}},
    }
