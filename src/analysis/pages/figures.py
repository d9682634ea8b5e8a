"""Figures for laptops and phones: every chart and map is drawn twice, once for a laptop column and
once narrow for a phone, and shown as one `<picture>` so each screen gets the drawing made for it.

A chart function draws for the current `layout()` (width, font sizes, label wrapping) and returns a
`Chart`. Decorated with `@figure`, it is called again under the `PHONE` layout when the page needs
the phone drawing. The title, the note under a figure and a map's numbered key are HTML text (they
wrap to any screen and are read by screen readers and translators), not part of the image. Images
are PNGs quantised to a small palette, so a page stays light enough to forward.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import html
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import matplotlib.pyplot as plt

#: CSS pixels per inch of a figure: a 7-inch figure is 770 CSS pixels wide.
DPI = 110
#: Colours kept in a quantised PNG: enough for smooth text and every fill of the house palette.
PNG_COLOURS = 96
#: Screens at most this wide (CSS px) get the phone drawing.
PHONE_MAX_CSS = 640


@dataclass(frozen=True)
class Layout:
    """How big a figure is drawn, and with which text sizes (points)."""

    name: str
    width: float  # inches
    density: int  # image pixels per CSS pixel (2: sharp on phone screens)
    font: float  # body text, ticks, axis labels
    label: float  # values written next to bars and dots
    legend: float
    number: float  # kelurahan numbers on maps
    wrap: int  # characters per line of a category label


#: A laptop column (60rem): 770 CSS pixels wide, text 15–20 px.
LAPTOP = Layout("laptop", 7.0, 1, 13, 11, 12, 9, 26)
#: A 390-px phone: about 400 CSS pixels drawn at twice the density, shown at about 360 px; the
#: smallest text (9 pt) still renders at about 12 CSS px.
PHONE = Layout("phone", 3.6, 2, 10.5, 10, 10, 9, 16)
_STACK = [LAPTOP]


def layout() -> Layout:
    """The layout figures are being drawn for (the laptop one unless a phone drawing is made)."""
    return _STACK[-1]


def width() -> float:
    """The width of a figure in inches, for the current layout."""
    return layout().width


@contextlib.contextmanager
def drawing(for_layout: Layout) -> Iterator[Layout]:
    """Draw figures for another layout inside the block."""
    _STACK.append(for_layout)
    try:
        plt.rcParams.update({"font.size": for_layout.font, "legend.fontsize": for_layout.legend})
        yield for_layout
    finally:
        _STACK.pop()
        plt.rcParams.update({"font.size": layout().font, "legend.fontsize": layout().legend})


def encode(fig, density: int = 1) -> bytes:
    """The figure as a PNG with a small palette (a third of the bytes of a full-colour PNG)."""
    from PIL import Image  # matplotlib's own dependency

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI * density, bbox_inches="tight", facecolor="white")
    image = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    small = image.quantize(colors=PNG_COLOURS, method=Image.Quantize.MEDIANCUT, dither=0)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


#: A map's key: (group heading, [(number, name, value as shown)]) per kecamatan.
Key = list[tuple[str, list[tuple[int, str, str]]]]


class Chart:
    """A finished figure with its title, alternative text, note and (maps) numbered key.

    Shown once in a notebook; on a page it is a `<figure>`: the title, a `<picture>` with the
    laptop and the phone drawing, the key and the note as text.
    """

    def __init__(
        self,
        fig,
        alt: str,
        title: str = "",
        note: str = "",
        key: Key | None = None,
        key_title: str = "",
    ):
        self.fig, self.alt, self.title, self.note = fig, alt, title, note
        self.key, self.key_title = key or [], key_title
        self.redraw: Callable[[], Chart] | None = None  # the same chart drawn for the phone
        self._png: dict[str, bytes] = {}

    def png(self) -> bytes:
        """The laptop drawing as PNG bytes."""
        if "laptop" not in self._png:
            self._png["laptop"] = encode(self.fig, LAPTOP.density)
        return self._png["laptop"]

    def phone_png(self) -> bytes | None:
        """The phone drawing as PNG bytes (twice the density), or None when there is none."""
        if self.redraw is None:
            return None
        if "phone" not in self._png:
            with drawing(PHONE):
                phone = self.redraw()
            self._png["phone"] = encode(phone.fig, PHONE.density)
        return self._png["phone"]

    def html(self) -> str:
        """The figure for a page: title, picture (phone and laptop drawings), key and note."""
        esc = html.escape
        phone = self.phone_png()
        source = (
            f'<source media="(max-width: {PHONE_MAX_CSS}px)" srcset="{_data_uri(phone)} 2x">'
            if phone
            else ""
        )
        parts = ['<figure class="fig">']
        if self.title:
            parts.append(f'<figcaption class="fig-title">{esc(self.title)}</figcaption>')
        parts.append(
            f'<picture>{source}<img class="fig-img" src="{_data_uri(self.png())}" '
            f'alt="{esc(self.alt, quote=True)}"></picture>'
        )
        if self.key:
            parts.append(key_html(self.key, self.key_title))
        if self.note:
            parts.append(f'<p class="fig-note">{esc(self.note)}</p>')
        parts.append("</figure>")
        return "".join(parts)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {
            "text/html": self.html(),
            "image/png": base64.b64encode(self.png()).decode("ascii"),
            "text/plain": self.alt,
        }, {"image/png": {"alt": self.alt}}


def key_html(key: Key, title: str = "") -> str:
    """A map's numbered key as HTML: one short list per kecamatan, in columns."""
    esc = html.escape
    groups = []
    for heading, items in key:
        lis = "".join(
            f'<li><b class="key-n">{n}</b> {esc(name)}'
            + (f' <span class="key-v">{esc(value)}</span>' if value else "")
            + "</li>"
            for n, name, value in items
        )
        groups.append(
            f'<div class="key-group"><p class="key-head">{esc(heading)}</p><ul>{lis}</ul></div>'
        )
    head = f'<p class="key-title">{esc(title)}</p>' if title else ""
    return f'<div class="fig-key">{head}<div class="key-groups">{"".join(groups)}</div></div>'


def figure(draw: Callable[..., Chart]) -> Callable[..., Chart]:
    """Make a chart function's result able to draw itself again for the phone layout (a function
    with nothing to draw returns its sentence instead, which needs no second drawing)."""

    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        chart = draw(*args, **kwargs)
        if isinstance(chart, Chart):
            chart.redraw = lambda: draw(*args, **kwargs)
        return chart

    return wrapper
