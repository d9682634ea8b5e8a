"""Charts with matplotlib in one house style: readable on a phone, labelled in the report's language.

Each function returns a `Chart` (`analysis.pages.figures`): the figure drawn for a laptop column,
able to draw itself again for a phone, with its title, note and alternative text kept as text, so
a notebook cell shows it once and the published page serves each screen its own drawing. A chart
with nothing to draw (no values, or every value suppressed) is never an empty figure: the function
returns its `empty` sentence instead (`nothing_to_draw`), which the page shows as text.
"""

from __future__ import annotations

import contextlib
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown

from analysis.pages.figures import DPI, PHONE, Chart, figure, layout, width
from analysis.pages.text import fmt_int, t

__all__ = ["DPI", "PALETTE", "Chart", "figure", "has_values", "nothing_to_draw", "setup", "width"]


def has_values(*arrays) -> bool:
    """Whether any of the arrays holds a finite number (something a chart could draw)."""
    return any(np.isfinite(np.asarray(a, dtype="float64")).any() for a in arrays if np.size(a))


def nothing_to_draw(empty: str | None) -> Markdown:
    """What a chart shows when it has nothing to draw: its plain sentence, never an empty figure
    ('' when the text beside it already says why; '–' when no sentence was given)."""
    return Markdown("–" if empty is None else empty)


PALETTE = {
    "main": "#1f5f8b",
    "accent": "#e07b39",
    "muted": "#9aa5b1",
    "good": "#2e8b57",
    "bad": "#c0392b",
}


def setup() -> None:
    """House style for every figure, with the text sizes of the layout being drawn."""
    lay = layout()
    plt.rcParams.update(
        {
            "figure.dpi": DPI,
            "savefig.dpi": DPI,
            "figure.figsize": (lay.width, 4.5),
            "font.size": lay.font,
            "legend.fontsize": lay.legend,
            "axes.titlesize": lay.font + 2,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": False,
            "legend.frameon": False,
            "figure.constrained_layout.use": True,
        }
    )
    with contextlib.suppress(ImportError):  # outside IPython there is no inline backend
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png")


def _wrap(label: object) -> str:
    """A category label wrapped to the layout's line length."""
    return textwrap.fill(str(label), layout().wrap)


def _figure_legend(fig, ax, loc: str, n: int) -> None:
    """The legend above or below the plot, across the figure: in columns on a laptop, one entry
    per line on a phone (a legend wider than the figure would squeeze the plot away)."""
    ncol = n if layout() is not PHONE else 1
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc=loc,
        ncol=min(ncol, 3),
        fontsize=layout().legend,
        borderaxespad=0.2,
        handletextpad=0.3,
    )


def _value_label(value: str, extra: str) -> str:
    """A bar's value and its annotation: on one line on a laptop, the annotation below on a phone."""
    if not extra:
        return value
    if layout() is PHONE:
        return value + "\n" + textwrap.fill(extra, 18)
    return f"{value}  ·  {extra}"


def _room_for(labels: list[str]) -> float:
    """How far the value axis must reach (× the largest bar) for text right of the bars to fit."""
    longest = max((len(line) for x in labels for line in x.split("\n")), default=0)
    text_in = longest * 0.58 * layout().label / 72 + 0.15
    plot_in = width() * 0.62  # what the category labels leave of the figure
    return 1.0 / max(0.35, 1.0 - text_in / plot_in)


def _row_inches(labels, least: float) -> float:
    """Height of one row of a category chart: room for its longest wrapped label (inches)."""
    lines = max((str(x).count("\n") + 1 for x in labels), default=1)
    return max(least, lines * layout().font * 1.25 / 72 + 0.12)


@figure
def barh(
    values: pd.Series,
    title: str,
    xlabel: str,
    fmt=None,
    color: str = PALETTE["main"],
    note: str | None = None,
    empty: str | None = None,
):
    """Horizontal bars, largest on top, each labelled with its value (`empty` when there are none)."""
    if not has_values(values):
        return nothing_to_draw(empty)
    setup()
    values = values.sort_values()
    labels = [_wrap(i) for i in values.index]  # long labels wrap instead of squeezing the bars
    row = _row_inches(labels, 0.5)
    fig, ax = plt.subplots(figsize=(width(), max(2.4, row * len(values) + 1.3)))
    bars = ax.barh(labels, values.to_numpy(), color=color)
    fmt = fmt or (lambda v: f"{v:,.0f}")
    ax.bar_label(
        bars, labels=[fmt(v) for v in values.to_numpy()], padding=3, fontsize=layout().label
    )
    ax.set_xlabel(xlabel)
    ax.margins(x=0.15)
    plt.close(fig)
    return Chart(
        fig,
        f"{title}: " + "; ".join(f"{i} {fmt(v)}" for i, v in values[::-1].items()),
        title=title,
        note=note or "",
    )


def quarantine_chart(long: pd.DataFrame, lang: str = "id"):
    """Quarantined rows by rule (all files together)."""
    by_rule = long.groupby("rule")["rows"].sum()
    by_rule.index = [t(f"rule_{r}", lang) for r in by_rule.index]
    return barh(
        by_rule,
        t("chart_quarantine_title", lang),
        t("chart_rows", lang),
        fmt=lambda v: fmt_int(v, lang),
        color=PALETTE["accent"],
        empty=t("no_quarantine", lang),
    )


def _interval_fmt(fmt):
    return fmt or (lambda v: f"{v:.0%}")


@figure
def dot_intervals(
    table: pd.DataFrame,
    series: dict[str, str],
    title: str,
    xlabel: str,
    fmt=None,
    sections: str | None = None,
    missing: str = "–",
    colors: list[str] | None = None,
    note: str | None = None,
    xlim: tuple[float, float] = (0.0, 1.0),
    empty: str | None = None,
):
    """Dots with interval lines: one row per index label, one dot per series (e.g. two programmes).

    `series` maps a column of `table` to its legend label; the interval of column `c` is in
    `c_lo`/`c_hi`. Rows are drawn top to bottom in table order, grouped under headings when
    `sections` names a column. A row whose values are all missing shows the `missing` text.
    Each row's lowest value is labelled on its left, its highest on its right. When no row
    has a value, the `empty` sentence is returned instead of the chart.
    """
    if not has_values(*(table[c] for c in series)):
        return nothing_to_draw(empty)
    setup()
    fmt = _interval_fmt(fmt)
    colors = colors or [PALETTE["muted"], PALETTE["main"], PALETTE["accent"]]
    cols = list(series)
    ys, heads, y = _section_rows(table, sections)
    row = _row_inches([_wrap(i) for i in table.index], 0.34)
    fig, ax = plt.subplots(figsize=(width(), max(2.4, row * y + 1.4)))
    span = xlim[1] - xlim[0]
    offsets = np.linspace(-0.14, 0.14, len(cols)) if len(cols) > 1 else [0.0]
    for k, (col, label) in enumerate(series.items()):
        v = table[col].to_numpy(dtype="float64")
        lo = table[f"{col}_lo"].to_numpy(dtype="float64")
        hi = table[f"{col}_hi"].to_numpy(dtype="float64")
        yy = ys + offsets[k]
        ok = ~np.isnan(v)
        ax.hlines(yy[ok], lo[ok], hi[ok], color=colors[k], lw=2.2, alpha=0.55)
        ax.scatter(v[ok], yy[ok], s=46, color=colors[k], zorder=3, label=label)
    _label_extremes(ax, table, cols, ys, offsets, colors, fmt, missing, xlim)
    tick_y = list(ys) + [hy for hy, _ in heads]
    tick_labels = [_wrap(i) for i in table.index] + [str(h) for _, h in heads]
    ax.set_yticks(tick_y, tick_labels)
    for lab in ax.get_yticklabels()[len(ys) :]:
        lab.set_fontweight("bold")
    ax.set_ylim(y - 0.4, -0.8)
    ax.set_xlim(xlim[0] - 0.14 * span, xlim[1] + 0.12 * span)
    ticks = np.linspace(xlim[0], xlim[1], 5 if layout() is not PHONE else 3)
    ax.set_xticks(ticks, [fmt(x) for x in ticks])
    ax.grid(axis="x", color="#e5e5e5", lw=0.8)
    ax.set_axisbelow(True)
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel(xlabel)
    _figure_legend(fig, ax, "outside upper left", len(cols))
    plt.close(fig)
    parts = []
    for label, row in table.iterrows():
        vals = [f"{series[c]} {fmt(row[c])}" for c in cols if pd.notna(row[c])]
        parts.append(f"{label}: " + (", ".join(vals) if vals else missing))
    return Chart(fig, f"{title}. " + "; ".join(parts), title=title, note=note or "")


def _section_rows(
    table: pd.DataFrame, sections: str | None
) -> tuple[np.ndarray, list[tuple[float, object]], float]:
    """(each row's y, top to bottom; (y, name) of each section heading; the height used): a new
    value of the `sections` column starts with a gap and its heading's own line."""
    ys, heads, y = [], [], 0.0
    previous = None
    for _, row in table.iterrows():
        sec = row[sections] if sections else None
        if sections and sec != previous:
            y += 0.4 if previous is not None else 0.0
            heads.append((y, sec))
            y += 0.9
            previous = sec
        ys.append(y)
        y += 1.0
    return np.array(ys), heads, y


def _label_extremes(
    ax,
    table: pd.DataFrame,
    cols: list[str],
    ys: np.ndarray,
    offsets,
    colors: list[str],
    fmt,
    missing: str,
    xlim: tuple[float, float],
) -> None:
    """Write each row's lowest value left of its interval and its highest right of it (one label
    when they are the same dot), or the `missing` text on a row without values."""
    span = xlim[1] - xlim[0]
    values = table[cols].to_numpy(dtype="float64")
    for i, row_vals in enumerate(values):
        if np.isnan(row_vals).all():
            ax.text(
                xlim[0] + 0.01 * span,
                ys[i],
                missing,
                va="center",
                fontsize=layout().label,
                color="#666666",
                style="italic",
            )
            continue
        k_lo, k_hi = int(np.nanargmin(row_vals)), int(np.nanargmax(row_vals))
        lo_edge = table[f"{cols[k_lo]}_lo"].iloc[i]
        hi_edge = table[f"{cols[k_hi]}_hi"].iloc[i]
        lo_edge = row_vals[k_lo] if pd.isna(lo_edge) else lo_edge
        hi_edge = row_vals[k_hi] if pd.isna(hi_edge) else hi_edge
        ends = [(k_lo, lo_edge - 0.012 * span, "right")] if k_lo != k_hi else []
        for k, x, ha in [*ends, (k_hi, hi_edge + 0.012 * span, "left")]:
            ax.text(
                x,
                ys[i] + offsets[k],
                fmt(row_vals[k]),
                ha=ha,
                va="center",
                fontsize=layout().label,
                color=colors[k],
            )


@figure
def bars_intervals(
    values: pd.Series,
    lo: pd.Series,
    hi: pd.Series,
    title: str,
    xlabel: str,
    fmt=None,
    sort: bool = True,
    color: str = PALETTE["main"],
    annotations: pd.Series | None = None,
    note: str | None = None,
    empty: str | None = None,
):
    """Horizontal bars with 95% interval whiskers, each labelled with its value (and an annotation).

    `sort`: largest on top; otherwise the given order is kept top to bottom (e.g. funnel steps).
    A bar without a value (a suppressed share) is left out; with none left, the `empty`
    sentence is returned instead of the chart.
    """
    if not has_values(values):
        return nothing_to_draw(empty)
    setup()
    fmt = _interval_fmt(fmt)
    values = values[values.notna()]
    order = values.sort_values(ascending=False).index if sort else values.index
    v, lo_, hi_ = (s.reindex(order).to_numpy(dtype="float64") for s in (values, lo, hi))
    lo_, hi_ = np.where(np.isnan(lo_), v, lo_), np.where(np.isnan(hi_), v, hi_)
    notes = (
        annotations.reindex(order).fillna("").tolist() if annotations is not None else [""] * len(v)
    )
    row = _row_inches([_wrap(i) for i in order], 0.62)
    fig, ax = plt.subplots(figsize=(width(), max(2.4, row * len(v) + 1.3)))
    y = np.arange(len(v))
    ax.barh(y, v, color=color, height=0.62)
    ax.errorbar(
        v, y, xerr=[v - lo_, hi_ - v], fmt="none", ecolor="#333333", elinewidth=1.2, capsize=4
    )
    top = float(np.nanmax(hi_))
    top = top if top > 0 else 1.0  # every share 0%: an axis to 100%, not a collapsed one
    labels = [_value_label(fmt(vi), extra) for vi, extra in zip(v, notes, strict=True)]
    for yi, end, label in zip(y, hi_, labels, strict=True):
        ax.text(end + 0.015 * top, yi, label, va="center", fontsize=layout().label)
    ax.set_yticks(y, [_wrap(i) for i in order])
    ax.set_ylim(len(v) - 0.4, -0.6)
    ax.set_xlim(0, top * _room_for(labels))
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda x, _p: fmt(x)))
    ax.set_xlabel(xlabel)
    plt.close(fig)
    parts = [
        f"{i} {fmt(a)} ({fmt(b)}–{fmt(c)})" + (f", {e}" if e else "")
        for i, a, b, c, e in zip(order, v, lo_, hi_, notes, strict=True)
    ]
    return Chart(fig, f"{title}: " + "; ".join(parts), title=title, note=note or "")


@figure
def lines(
    frame: pd.DataFrame,
    title: str,
    ylabel: str,
    fmt=None,
    note: str | None = None,
    empty: str | None = None,
):
    """One line per column over the index (e.g. months), the first column emphasised; last values labelled."""
    if frame.empty or not has_values(frame.to_numpy(dtype="float64")):
        return nothing_to_draw(empty)
    setup()
    fmt = fmt or (lambda v: f"{v:,.0f}")
    fig, ax = plt.subplots(figsize=(width(), 4.2))
    x = np.arange(len(frame))
    colors = [PALETTE["main"], PALETTE["accent"], PALETTE["good"], PALETTE["muted"], PALETTE["bad"]]
    for i, col in enumerate(frame.columns):
        y = frame[col].to_numpy(dtype="float64")
        ax.plot(
            x, y, marker="o", lw=2.6 if i == 0 else 1.8, color=colors[i % len(colors)], label=col
        )
        if len(y) and not np.isnan(y[-1]):
            ax.annotate(
                fmt(y[-1]),
                (x[-1], y[-1]),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                fontsize=layout().label,
                color=colors[i % len(colors)],
            )
    ax.set_xticks(x, [textwrap.fill(str(i), 10) for i in frame.index])
    ax.set_xlim(-0.3, max(len(frame) - 1, 0) + 0.7)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(lambda v, _pos: fmt(v))
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", color="#e5e5e5")
    if len(frame.columns) > 1:
        _figure_legend(fig, ax, "outside lower left", len(frame.columns))
    plt.close(fig)
    parts = [
        f"{col} {fmt(frame[col].iloc[0])} → {fmt(frame[col].iloc[-1])}"
        for col in frame.columns
        if len(frame)
    ]
    span = f" ({frame.index[0]} – {frame.index[-1]})" if len(frame) else ""
    return Chart(fig, f"{title}{span}: " + "; ".join(parts), title=title, note=note or "")


@figure
def columns(
    frame: pd.DataFrame,
    title: str,
    ylabel: str,
    fmt=None,
    line: float | None = None,
    line_label: str | None = None,
    note: str | None = None,
    empty: str | None = None,
):
    """Vertical bars: one group per row of `frame`, one bar per column (a legend when several), values on top.

    `line` draws a dashed horizontal reference (e.g. a threshold) labelled `line_label`. A
    missing value (suppressed) draws no bar and no label; with no value at all, the `empty`
    sentence is returned instead of the chart.
    """
    if frame.empty or not has_values(frame.to_numpy(dtype="float64")):
        return nothing_to_draw(empty)
    setup()
    fmt = fmt or (lambda v: f"{v:,.0f}")
    n_rows, n_cols = frame.shape
    fig, ax = plt.subplots(figsize=(width(), 4.2))
    bar = 0.8 / max(n_cols, 1)
    x = np.arange(n_rows)
    colors = [PALETTE["main"], PALETTE["accent"], PALETTE["muted"], PALETTE["good"]]
    for j, col in enumerate(frame.columns):
        vals = frame[col].to_numpy(dtype="float64")
        bars = ax.bar(
            x + (j - (n_cols - 1) / 2) * bar, vals, bar, label=str(col), color=colors[j % 4]
        )
        # values on the bars where they fit: a phone has room for about eight of them
        if n_cols <= 2 and (layout() is not PHONE or n_rows * n_cols <= 8):
            ax.bar_label(
                bars,
                labels=["" if np.isnan(v) else fmt(v) for v in vals],
                padding=2,
                fontsize=layout().label - (1 if n_cols > 1 else 0),
            )
    ax.set_xticks(x, [str(i) for i in frame.index])
    if layout() is PHONE and n_rows > 6:
        ax.tick_params(axis="x", labelsize=layout().label - 1)
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _p: fmt(v)))
    top = float(np.nanmax([np.nanmax(frame.to_numpy(dtype="float64")), line or 0.0]))
    ax.set_ylim(0, top * (1.4 if n_cols > 1 else 1.2) if top > 0 else 1)
    if line is not None:
        ax.axhline(line, color=PALETTE["bad"], linestyle="--", linewidth=1.2)
        if line_label:
            ax.annotate(
                line_label,
                (0.0, line),
                xycoords=("axes fraction", "data"),
                xytext=(4, 4),
                textcoords="offset points",
                ha="left",
                va="bottom",
                color=PALETTE["bad"],
                fontsize=layout().label,
            )
    if n_cols > 1:
        ax.legend(loc="upper right", ncols=n_cols)
    plt.close(fig)
    parts = "; ".join(
        f"{i}: " + ", ".join(f"{c} {fmt(v)}" if n_cols > 1 else fmt(v) for c, v in row.items())
        for i, row in frame.iterrows()
    )
    return Chart(fig, f"{title}. {parts}", title=title, note=note or "")


@figure
def share_at_least(
    curve: pd.Series,
    title: str,
    xlabel: str,
    ylabel: str,
    marks: dict[str, float] | None = None,
    xfmt=None,
    yfmt=None,
    note: str | None = None,
    empty: str | None = None,
):
    """A falling step curve of the share of people at or above each amount, with labelled marks.

    `curve` holds that share at each amount where it changes (index ascending, the share there
    counting people at exactly that amount); between two amounts the share is the next one's.
    Each mark is a dashed vertical line at an amount, labelled with its name and the share there.
    With no amounts, the `empty` sentence is returned instead of the chart.
    """
    if not has_values(curve):
        return nothing_to_draw(empty)
    setup()
    xfmt = xfmt or (lambda v: f"{v:,.0f}")
    yfmt = yfmt or (lambda v: f"{v:.0%}")
    fig, ax = plt.subplots(figsize=(width(), 4.2))
    x, y = curve.index.to_numpy(dtype="float64"), curve.to_numpy(dtype="float64")
    ax.step(x, y, where="pre", color=PALETTE["main"], linewidth=2)
    ax.set_ylim(0, 1.05)
    ax.set_xlim(left=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.xaxis.set_major_locator(plt.MaxNLocator(nbins=5 if layout() is not PHONE else 3))
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _p: xfmt(v)))
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _p: yfmt(v)))
    found = []
    for k, (label, amount) in enumerate(sorted((marks or {}).items(), key=lambda m: m[1])):
        i = int(np.searchsorted(x, amount, side="left"))
        at = float(y[i]) if i < len(x) else 0.0  # the share at or above `amount` (left-continuous)
        ax.axvline(amount, color=PALETTE["accent"], linestyle="--", linewidth=1.2)
        ax.annotate(
            f"{label}: {yfmt(at)}",
            (amount, 0.95 - 0.12 * k),
            xytext=(5, 0),
            textcoords="offset points",
            fontsize=layout().label,
            color="#333333",
            va="center",
            bbox={
                "boxstyle": "round,pad=0.2",
                "facecolor": "white",
                "edgecolor": "none",
                "alpha": 0.85,
            },
        )
        found.append(f"{label} {yfmt(at)}")
    plt.close(fig)
    return Chart(fig, f"{title}. " + "; ".join(found), title=title, note=note or "")


@figure
def effects_over_time(
    table: pd.DataFrame,
    title: str,
    xlabel: str,
    ylabel: str,
    fmt=None,
    reference: int | None = None,
    reference_label: str = "",
    note: str | None = None,
    empty: str | None = None,
):
    """Effects with 95% interval lines by time around an event (an event study): one dot per row
    (index: periods from the event, 0 = the event's period; columns `value`, `lo`, `hi`), a zero
    line, a dashed line just before the event, and the `reference` period as an open dot at 0.
    With no estimate, the `empty` sentence is returned instead of the chart."""
    if table.empty or not has_values(table["value"]):
        return nothing_to_draw(empty)
    setup()
    fmt = fmt or (lambda v: f"{v:,.1f}")
    table = table[table["value"].notna()]
    x = table.index.to_numpy(dtype="float64")
    v, lo, hi = (table[c].to_numpy(dtype="float64") for c in ("value", "lo", "hi"))
    lo, hi = np.where(np.isnan(lo), v, lo), np.where(np.isnan(hi), v, hi)
    fig, ax = plt.subplots(figsize=(width(), 4.2))
    before = x < 0
    for sel, color in ((before, PALETTE["muted"]), (~before, PALETTE["main"])):
        ax.vlines(x[sel], lo[sel], hi[sel], color=color, lw=2.4, alpha=0.6)
        ax.scatter(x[sel], v[sel], s=60, color=color, zorder=3)
    for xi, vi in zip(x, v, strict=True):
        ax.annotate(
            fmt(vi),
            (xi, vi),
            xytext=(7, 0),
            textcoords="offset points",
            va="center",
            fontsize=layout().label,
        )
    if reference is not None:
        ax.scatter([reference], [0], s=60, facecolor="white", edgecolor="#555555", zorder=3)
        if reference_label:
            ax.annotate(
                textwrap.fill(reference_label, layout().wrap),
                (reference, 0),
                xytext=(0, -8),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=layout().label,
                color="#555555",
            )
    ax.axhline(0, color="#333333", lw=0.9)
    ax.axvline(-0.5, color=PALETTE["accent"], lw=1.2, ls="--")
    ticks = sorted(set(x.astype(int)) | ({reference} if reference is not None else set()))
    ax.set_xticks(ticks, [str(i) for i in ticks])
    ax.set_xlim(min(ticks) - 0.6, max(ticks) + 0.9)
    ax.yaxis.set_major_locator(plt.MaxNLocator(nbins=6 if layout() is not PHONE else 4))
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda y, _p: fmt(y)))
    ax.grid(axis="y", color="#e5e5e5")
    ax.set_axisbelow(True)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(textwrap.fill(ylabel, 28 if layout() is PHONE else 60))
    plt.close(fig)
    parts = [
        f"{int(i)}: {fmt(a)} ({fmt(b)} – {fmt(c)})" for i, a, b, c in zip(x, v, lo, hi, strict=True)
    ]
    return Chart(fig, f"{title}. {xlabel}: " + "; ".join(parts), title=title, note=note or "")
