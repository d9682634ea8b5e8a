"""Every kelurahan identified on every map: a number on the map, keyed to a list beside it.

Numbers follow the kecamatan (in code order), then the kelurahan's name, so the key reads as a
short alphabetical list per kecamatan and the same kelurahan has the same number on every map of
a region. Labels that would overlap on a small map are pushed apart (a few hundred steps of a
simple repulsion, deterministic) and tied to their kelurahan by a thin leader line.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import patheffects as pe

#: Width of one digit, and the height of a line, as a share of the font size.
DIGIT_EM, LINE_EM = 0.62, 1.15
#: Space kept between two labels (inches).
GAP_IN = 0.015


def numbering(kel: pd.DataFrame) -> pd.Series:
    """Number of each kelurahan (indexed by kode_kelurahan): by kecamatan code, then by name."""
    order = kel.sort_values(["kode_kecamatan", "kelurahan"], kind="stable")["kode_kelurahan"]
    return pd.Series(np.arange(1, len(order) + 1), index=order.to_numpy(), name="number")


def key_rows(kel: pd.DataFrame, values: dict[str, str] | None = None):
    """The key beside a map: (kecamatan, [(number, kelurahan, value as shown)]) in number order."""
    numbers = numbering(kel)
    table = kel.assign(number=kel["kode_kelurahan"].map(numbers)).sort_values("number")
    values = values or {}
    return [
        (
            kecamatan,
            [
                (int(r.number), str(r.kelurahan), values.get(r.kode_kelurahan, ""))
                for r in group.itertuples()
            ],
        )
        for kecamatan, group in table.groupby("kecamatan", sort=False)
    ]


def _candidates(step: float, rings: int = 14, per_ring: int = 16) -> np.ndarray:
    """Offsets to try for a label, nearest first: its own place, then rings around it."""
    out = [(0.0, 0.0)]
    for r in range(1, rings + 1):
        angles = np.linspace(0, 2 * np.pi, per_ring, endpoint=False) + (r % 2) * np.pi / per_ring
        out += [(r * step * np.cos(a), r * step * np.sin(a)) for a in angles]
    return np.array(out)


def spread(anchors: np.ndarray, sizes: np.ndarray, obstacles: np.ndarray, bounds) -> np.ndarray:
    """Label centres near `anchors` (n×2, inches) with no two boxes (`sizes`, n×2) overlapping,
    kept off the fixed `obstacles` (m×4: centre x, y, width, height) and inside `bounds`
    (x0, y0, x1, y1).

    Labels are placed one by one, the most crowded first (those with most other labels over
    their place): each takes the nearest free spot among its own place and rings of spots
    around it (the least crowded spot if none is free), so a label moves only when another
    already sits where it would go, and mostly the labels at the edge of a crowd move.
    """
    n = len(anchors)
    pos = anchors.astype("float64").copy()
    if n == 0:
        return pos
    half = sizes / 2 + GAP_IN / 2
    taken = [(o[0], o[1], o[2] / 2, o[3] / 2) for o in obstacles]
    boxes = np.array(taken, dtype="float64").reshape(-1, 4)
    offsets = _candidates(float(sizes[:, 1].max()) * 0.5, rings=24)
    reach = half[:, None, :] + half[None, :, :] - np.abs(anchors[:, None, :] - anchors[None, :, :])
    crowd = ((reach > 0).all(axis=2)).sum(axis=1)
    for i in np.argsort(-crowd, kind="stable"):
        spots = anchors[i] + offsets
        spots[:, 0] = np.clip(spots[:, 0], bounds[0] + half[i, 0], bounds[2] - half[i, 0])
        spots[:, 1] = np.clip(spots[:, 1], bounds[1] + half[i, 1], bounds[3] - half[i, 1])
        if len(boxes):
            ox = boxes[None, :, 2] + half[i, 0] - np.abs(spots[:, None, 0] - boxes[None, :, 0])
            oy = boxes[None, :, 3] + half[i, 1] - np.abs(spots[:, None, 1] - boxes[None, :, 1])
            clash = (np.clip(ox, 0, None) * np.clip(oy, 0, None)).sum(axis=1)
        else:
            clash = np.zeros(len(spots))
        best = int(np.flatnonzero(clash == 0)[0]) if (clash == 0).any() else int(clash.argmin())
        pos[i] = spots[best]
        boxes = np.vstack([boxes, [pos[i, 0], pos[i, 1], half[i, 0], half[i, 1]]])
    return pos


def draw_numbers(ax, kel, points, fontsize: float, scale: float, origin, obstacles=()) -> None:
    """Write each kelurahan's number at its point, spread so none overlap, with leader lines.

    `scale` is inches per map unit and `origin` the map's lower-left corner (map units), so
    that sizes can be reckoned in inches before the figure is drawn.
    """
    numbers = numbering(kel).reindex(kel["kode_kelurahan"]).to_numpy()
    x0, y0 = origin
    anchors = np.column_stack([(points.x - x0) * scale, (points.y - y0) * scale])
    em = fontsize / 72
    sizes = np.column_stack(
        [
            np.array([len(str(n)) for n in numbers]) * DIGIT_EM * em + 0.04,
            np.full(len(numbers), LINE_EM * em),
        ]
    )
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    bounds = (0.0, 0.0, (xlim[1] - x0) * scale, (ylim[1] - y0) * scale)
    boxes = np.array(
        [[(bx - x0) * scale, (by - y0) * scale, w * scale, h * scale] for bx, by, w, h in obstacles]
    )
    placed = spread(anchors, sizes, boxes.reshape(-1, 4), bounds)
    halo = [pe.withStroke(linewidth=2.2, foreground="white")]
    for (ax_in, ay_in), (px, py), n, (w, h) in zip(anchors, placed, numbers, sizes, strict=True):
        lx, ly = px / scale + x0, py / scale + y0
        if abs(px - ax_in) > w / 2 or abs(py - ay_in) > h / 2:
            ax.plot(
                [ax_in / scale + x0, lx],
                [ay_in / scale + y0, ly],
                color="#333333",
                lw=0.6,
                zorder=6,
            )
            ax.plot(ax_in / scale + x0, ay_in / scale + y0, "o", ms=1.6, color="#333333", zorder=6)
        ax.text(
            lx,
            ly,
            str(n),
            ha="center",
            va="center",
            fontsize=fontsize,
            color="#111111",
            path_effects=halo,
            zorder=7,
        )
