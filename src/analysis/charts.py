"""Charts with matplotlib in one house style: readable on a phone, labelled in the report's language.

Each function returns a `Chart` (a closed figure plus alternative text), so a notebook cell shows it
exactly once and the published page carries a description for screen readers.
"""

from __future__ import annotations

import base64
import io
import textwrap

import matplotlib.pyplot as plt
import pandas as pd

from analysis.text import fmt_int, t


class Chart:
    """A finished figure with its alternative text: shown once in a notebook, as a PNG with alt in HTML."""

    def __init__(self, fig, alt: str):
        self.fig, self.alt = fig, alt

    def png(self) -> bytes:
        buf = io.BytesIO()
        self.fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", facecolor="white")
        return buf.getvalue()

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {
            "image/png": base64.b64encode(self.png()).decode("ascii"),
            "text/plain": self.alt,
        }, {"image/png": {"alt": self.alt}}


PALETTE = {
    "main": "#1f5f8b",
    "accent": "#e07b39",
    "muted": "#9aa5b1",
    "good": "#2e8b57",
    "bad": "#c0392b",
}
WIDTH = 7.0  # inches: with the fonts below, labels stay legible when a phone shrinks the image to ~360 px
DPI = 110


def setup() -> None:
    """House style for every figure; PNG output at a resolution that stays sharp on phones."""
    plt.rcParams.update(
        {
            "figure.dpi": DPI,
            "savefig.dpi": DPI,
            "figure.figsize": (WIDTH, 4.5),
            "font.size": 13,
            "axes.titlesize": 15,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": False,
            "legend.frameon": False,
            "figure.constrained_layout.use": True,
        }
    )
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png")
    except ImportError:  # outside IPython
        pass


def barh(
    values: pd.Series,
    title: str,
    xlabel: str,
    fmt=None,
    color: str = PALETTE["main"],
    note: str | None = None,
):
    """Horizontal bars, largest on top, each labelled with its value."""
    setup()
    values = values.sort_values()
    fig, ax = plt.subplots(figsize=(WIDTH, max(2.4, 0.5 * len(values) + 1.3)))
    labels = [textwrap.fill(str(i), 24) for i in values.index]  # long labels wrap instead of squeezing the bars
    bars = ax.barh(labels, values.to_numpy(), color=color)
    fmt = fmt or (lambda v: f"{v:,.0f}")
    ax.bar_label(bars, labels=[fmt(v) for v in values.to_numpy()], padding=3, fontsize=12)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.margins(x=0.15)
    if note:
        fig.text(0.01, -0.02, note, fontsize=8.5, color="#555555", ha="left", va="top")
    plt.close(fig)
    return Chart(fig, f"{title}: " + "; ".join(f"{i} {fmt(v)}" for i, v in values[::-1].items()))


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
    )
