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


def spread(
    anchors: np.ndarray, sizes: np.ndarray, obstacles: np.ndarray, bounds, steps: int = 300
) -> np.ndarray:
    """Label centres near `anchors` (n×2, inches) with no two boxes (`sizes`, n×2) overlapping,
    kept off the fixed `obstacles` (m×4: centre x, y, width, height) and inside `bounds`
    (x0, y0, x1, y1). Overlapping labels are pushed apart along their shorter overlap; a weak
    pull keeps each near its kelurahan."""
    pos = anchors.astype("float64").copy()
    n = len(pos)
    if n == 0:
        return pos
    half = sizes / 2 + GAP_IN / 2
    tie = np.arange(n)
    for _ in range(steps):
        d = pos[:, None, :] - pos[None, :, :]
        reach = half[:, None, :] + half[None, :, :]
        over = reach - np.abs(d)
        hit = (over[..., 0] > 0) & (over[..., 1] > 0)
        np.fill_diagonal(hit, False)
        sign = np.sign(d)
        # identical centres: the later label moves right/up
        same = sign == 0
        sign[same] = np.where(tie[:, None] > tie[None, :], 1.0, -1.0)[..., None].repeat(2, -1)[same]
        along_x = over[..., 0] < over[..., 1]
        push = np.zeros_like(pos)
        push[:, 0] = np.where(hit & along_x, sign[..., 0] * over[..., 0] / 2, 0).sum(1)
        push[:, 1] = np.where(hit & ~along_x, sign[..., 1] * over[..., 1] / 2, 0).sum(1)
        for ox, oy, ow, oh in obstacles:
            dx, dy = pos[:, 0] - ox, pos[:, 1] - oy
            ovx = half[:, 0] + ow / 2 - np.abs(dx)
            ovy = half[:, 1] + oh / 2 - np.abs(dy)
            inside = (ovx > 0) & (ovy > 0)
            by_x = ovx < ovy
            push[:, 0] += np.where(inside & by_x, np.where(dx >= 0, 1, -1) * ovx, 0)
            push[:, 1] += np.where(inside & ~by_x, np.where(dy >= 0, 1, -1) * ovy, 0)
        if not push.any():
            break
        pos += 0.6 * push + 0.01 * (anchors - pos)
        pos[:, 0] = np.clip(pos[:, 0], bounds[0] + half[:, 0], bounds[2] - half[:, 0])
        pos[:, 1] = np.clip(pos[:, 1], bounds[1] + half[:, 1], bounds[3] - half[:, 1])
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
