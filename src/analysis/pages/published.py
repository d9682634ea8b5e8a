"""Published tables: one object per table a page shows, from which both the page's HTML table and
the downloadable CSV/XLSX are made, so a download holds exactly what the page shows.

A `PublishedTable` keeps typed values (counts, shares, Rupiah, intervals) and, per cell, the
disclosure state decided by `analysis.metrics.disclosure.protect` (0 shown, 1 small count, 2
hidden so that another cell cannot be worked out). The page formats each cell in the report's
language ('1.234', '9,7%', '<5', 'x'); the download stores numbers as numbers at the precision
the page shows (shares in percent), hidden cells as the same marks as text, and intervals as two
columns.

Every table a page publishes is made by one function registered with `@published("id")`
(`REGISTRY`: id → function), in the manner of NHS Digital's publication pipelines; the report
writes every table of the executed notebooks with one writer (`analysis.report.downloads`).

**Every published table passes the disclosure gate** (`analysis.metrics.disclosure.gate`) twice,
as the reader gets it: the page's text (`page_gate`: the HTML table carries its mark,
`data-disclosure`, and the notebook output its audit record) and the download's cells
(`download_gate`: the CSV and XLSX carry its mark in the manifest, and the report's audit sees
the download's record beside the pages'). A table says what its cells are (`gated`): universe
cells (`refs`, with the `universe`, and `derived` shares of them), other counts of people
(`counts`; by default every column of kind 'count'), or why it holds no counts (`exempt`).
"""

from __future__ import annotations

import functools
import html
import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.metrics.disclosure import (
    PRIMARY,
    SECONDARY,
    Protected,
    Published,
    gate,
    small_label,
)
from analysis.pages.text import (
    TABLE_MIME,
    fmt_int,
    fmt_interval,
    fmt_num,
    fmt_pct,
    fmt_rp,
    fmt_share,
    mark_attributes,
    t,
)

#: Mimetype of a published table's download in an executed notebook (read back by the report):
#: headers, rows and the download's gate record.
DOWNLOAD_MIME = "application/vnd.umkm-bpjstk.download+json"
#: Kinds of column: how a value is shown on the page and stored in a download.
KINDS = ("text", "count", "int", "pct", "share", "points", "rp", "num", "interval", "range")
#: Columns shown as numbers (right-aligned).
NUMERIC = set(KINDS) - {"text"}
#: Where the report puts a table's download links (an invisible comment in JupyterLab).
DOWNLOADS_MARK = "<!--downloads:{id}-->"
#: Tables with more columns than this get a 'slide sideways' hint on phones.
PHONE_COLUMNS = 3


@dataclass(frozen=True)
class Col:
    """One column: its key in the data, its header in the report language, its kind."""

    key: str
    label: str
    kind: str = "text"
    digits: int = 1
    wide: bool = False  # a column of sentences: kept wide enough to read (the table scrolls)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"column kind {self.kind!r} is not one of {', '.join(KINDS)}")


def _missing(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


@dataclass
class PublishedTable:
    """A table as published: typed values, per-cell disclosure state, headers, title."""

    title: str
    cols: list[Col]
    data: pd.DataFrame
    lang: str = "id"
    state: pd.DataFrame = field(default_factory=pd.DataFrame)
    min_cell: int = 5
    id: str = ""
    collapsed: bool = False  # shown folded under its title (a long table, e.g. every kelurahan)
    # what the disclosure gate needs (see `gated`)
    refs: dict[str, list] = field(default_factory=dict)
    universe: object = None
    counts: tuple[str, ...] | None = None
    derived: tuple[str, ...] = ()
    exempt: str | None = None

    def __post_init__(self):
        self.data = self.data.reset_index(drop=True)
        self.state = self.state.reset_index(drop=True) if len(self.state.columns) else self.state

    def __len__(self) -> int:
        return len(self.data)

    # -- one cell ---------------------------------------------------------------------------

    def mark(self, col: Col, i: int) -> str | None:
        """'<k' or 'x' when the cell is hidden, else None. Only a count says '<k': under a share
        or an amount '<5' would read as 'under 5%', so any other hidden cell is 'x'."""
        if col.key not in self.state:
            return None
        s = int(self.state[col.key].iloc[i])
        if s == PRIMARY and col.kind == "count":
            return small_label(self.min_cell)
        return "x" if s in (PRIMARY, SECONDARY) else None

    def text(self, col: Col, i: int) -> str:
        """The cell as the page shows it."""
        hidden = self.mark(col, i)
        if hidden:
            return hidden
        lang = self.lang
        if col.kind == "interval":
            lo, hi = self.data[f"{col.key}_lo"].iloc[i], self.data[f"{col.key}_hi"].iloc[i]
            return fmt_interval(lo, hi, lang, col.digits)
        if col.kind == "range":
            lo, hi = self.data[f"{col.key}_lo"].iloc[i], self.data[f"{col.key}_hi"].iloc[i]
            return (
                "–" if _missing(lo) or _missing(hi) else f"{fmt_int(lo, lang)}–{fmt_int(hi, lang)}"
            )
        v = self.data[col.key].iloc[i]
        if _missing(v):
            return "–"
        if col.kind == "text":
            return str(v)
        return {
            "count": lambda: fmt_int(v, lang),
            "int": lambda: fmt_int(v, lang),
            "pct": lambda: fmt_pct(v, lang, col.digits),
            "share": lambda: fmt_share(v, lang),
            "points": lambda: _signed(v * 100, lang, col.digits),
            "rp": lambda: fmt_rp(v, lang),
            "num": lambda: fmt_num(v, lang, col.digits),
        }[col.kind]()

    def stored(self, col: Col, i: int) -> list[object]:
        """The cell as a download stores it: numbers at the page's precision, marks as text
        (two values for an interval)."""
        hidden = self.mark(col, i)
        if col.kind in ("interval", "range"):
            if hidden:
                return [hidden, hidden]
            lo, hi = self.data[f"{col.key}_lo"].iloc[i], self.data[f"{col.key}_hi"].iloc[i]
            if col.kind == "range":
                return [None if _missing(x) else int(round(float(x))) for x in (lo, hi)]
            return [_percent(lo, col.digits), _percent(hi, col.digits)]
        if hidden:
            return [hidden]
        v = self.data[col.key].iloc[i]
        if _missing(v):
            return [None]
        if col.kind == "text":
            return [str(v)]
        if col.kind in ("count", "int", "rp"):
            return [int(round(float(v)))]
        if col.kind in ("pct", "points"):
            return [_percent(v, col.digits)]
        if col.kind == "share":
            return [_percent(v, 1 if v >= 0.01 or v == 0 else 2)]
        return [round(float(v), col.digits)]

    # -- the whole table --------------------------------------------------------------------

    def header(self, col: Col) -> str:
        """A column's header on the page (a change says its unit: values carry no '%')."""
        return f"{col.label} ({t('unit_points', self.lang)})" if col.kind == "points" else col.label

    def shown(self) -> pd.DataFrame:
        """The table as the page shows it (text, headers in the report language)."""
        labels = [self.header(c) for c in self.cols]
        return pd.DataFrame(
            {
                h: [self.text(c, i) for i in range(len(self))]
                for h, c in zip(labels, self.cols, strict=True)
            },
            columns=labels,
        )

    def headers(self) -> list[str]:
        """The download's column headers (units said in the header)."""
        out = []
        for c in self.cols:
            unit = t(f"unit_{c.kind}", self.lang) if f"unit_{c.kind}" in _units() else ""
            if c.kind in ("interval", "range"):
                pct = " (%)" if c.kind == "interval" else ""
                out += [
                    f"{c.label} – {t('unit_low', self.lang)}{pct}",
                    f"{c.label} – {t('unit_high', self.lang)}{pct}",
                ]
            else:
                out.append(f"{c.label} ({unit})" if unit else c.label)
        return out

    def rows(self) -> list[list[object]]:
        """The download's rows."""
        return [sum((self.stored(c, i) for c in self.cols), []) for i in range(len(self))]

    def download(self) -> pd.DataFrame:
        """The table as a download holds it."""
        return pd.DataFrame(self.rows(), columns=self.headers())

    def html(self) -> str:
        """The page's table: a scrolling box whose first column stays in view, numbers right."""
        esc = html.escape
        head = "".join(
            f'<th scope="col"{_num_class(c)}>{esc(self.header(c))}</th>' for c in self.cols
        )
        body = []
        for i in range(len(self)):
            cells = []
            for j, c in enumerate(self.cols):
                tag = 'th scope="row"' if j == 0 else "td"
                end = "th" if j == 0 else "td"
                cells.append(f"<{tag}{_num_class(c)}>{esc(self.text(c, i))}</{end}>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        hint = (
            f'<p class="tbl-hint">{esc(t("table_hint", self.lang))}</p>'
            if len(self.cols) > PHONE_COLUMNS
            else ""
        )
        table = (
            f'{hint}<div class="tbl-scroll"><table class="tbl" data-table="{esc(self.id, quote=True)}" '
            f"{mark_attributes(self.page_gate())}>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
            f"{DOWNLOADS_MARK.format(id=esc(self.id))}"
        )
        if self.collapsed:
            return (
                f'<div class="tbl-block"><details class="tbl-more"><summary>{esc(self.title)}</summary>'
                f"{table}</details></div>"
            )
        title = f'<p class="tbl-title">{esc(self.title)}</p>' if self.title else ""
        return f'<div class="tbl-block">{title}{table}</div>'

    def payload(self) -> dict:
        """What the report needs to write the download (JSON-safe), with the download's gate
        record (its mark, count columns, cells and statuses for the audit)."""
        rows = [[_json_safe(v) for v in row] for row in self.rows()]
        return {
            "id": self.id,
            "title": self.title,
            "lang": self.lang,
            "columns": self.headers(),
            "rows": rows,
            "min_cell": self.min_cell,
            "record": self.download_gate(rows).record(),
        }

    # -- the disclosure gate ----------------------------------------------------------------

    def gated(
        self,
        refs: dict[str, list] | None = None,
        universe: object = None,
        counts: tuple[str, ...] | list[str] | None = None,
        derived: tuple[str, ...] | list[str] = (),
        exempt: str | None = None,
    ) -> PublishedTable:
        """Say what the table's cells are, for the gate: `refs` (column key → each row's
        universe cell (level, key, measure), with its `universe`), `derived` (column keys of
        shares of a referenced count: a hidden cell may show either mark), `counts` (other
        columns of people counts; default: the 'count' columns without refs), `exempt` (why the
        table holds no counts of people). Returns the table."""
        self.refs, self.universe = dict(refs or {}), universe
        self.counts = None if counts is None else tuple(counts)
        self.derived, self.exempt = tuple(derived), exempt
        return self

    def _count_keys(self) -> tuple[str, ...]:
        if self.counts is not None:
            return self.counts
        return tuple(c.key for c in self.cols if c.kind == "count" and c.key not in self.refs)

    def _gate(self, frame: pd.DataFrame, headers: dict[str, str], name: str) -> Published:
        """The gate over `frame` (as published), whose column of each key is `headers[key]`."""
        keys = [c.key for c in self.cols]
        refs = {headers[k]: r for k, r in self.refs.items() if k in keys}
        return gate(
            frame,
            name,
            refs=refs,
            universe=self.universe if refs else None,
            counts=[headers[k] for k in self._count_keys() if k in keys],
            derived=[headers[k] for k in self.derived if k in self.refs and k in keys],
            exempt=self.exempt,
            min_cell=self.min_cell,
        )

    def page_gate(self) -> Published:
        """The page's table through the disclosure gate: its text as shown, marked."""
        headers = {c.key: self.header(c) for c in self.cols}
        return self._gate(self.shown(), headers, self.id or self.title)

    def download_gate(self, rows: list[list[object]] | None = None) -> Published:
        """The download's cells through the disclosure gate, as the CSV and XLSX hold them
        (numbers as their text), so the report marks each file with this digest."""
        rows = [[_json_safe(v) for v in row] for row in self.rows()] if rows is None else rows
        names, headers, j = self.headers(), {}, 0
        for c in self.cols:
            headers[c.key] = names[j]
            j += 2 if c.kind in ("interval", "range") else 1
        frame = pd.DataFrame([[cell_text(v) for v in row] for row in rows], columns=names)
        return self._gate(frame, headers, f"{self.id or self.title} (download)")

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {
            "text/html": self.html(),
            TABLE_MIME: self.page_gate().record(),
            DOWNLOAD_MIME: self.payload(),
            "text/plain": self.shown().to_string(index=False),
        }


def cell_text(v: object) -> str:
    """A download cell as text, as both the CSV and the XLSX (read back) give it."""
    return "" if _missing(v) else str(v)


def _signed(x: float, lang: str, digits: int) -> str:
    """A change with its sign: '+0,5', '-1,2', '0,0' (never '-0,0')."""
    r = round(float(x), digits) + 0.0  # + 0.0 turns -0.0 into 0.0
    return ("+" if r > 0 else "") + fmt_num(r, lang, digits)


def _num_class(col: Col) -> str:
    if col.kind in NUMERIC:
        return ' class="num"'
    return ' class="wide"' if col.wide else ""


def _percent(v: object, digits: int) -> float | int | None:
    return None if _missing(v) else _whole(round(float(v) * 100, digits) + 0.0)


def _whole(v: float) -> float | int:
    """A float that is a whole number as an int: a spreadsheet stores 10.0 as 10, so the CSV
    writes it the same way and both files carry the same cells (the gate's mark)."""
    return int(v) if float(v).is_integer() else v


def _json_safe(v: object) -> object:
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isnan(v):
        return _whole(v)
    return None if isinstance(v, float) and math.isnan(v) else v


@functools.lru_cache(maxsize=1)
def _units() -> set[str]:
    from analysis.pages.text import catalogue

    return {k for k in catalogue() if k.startswith("unit_")}


def from_protected(
    p: Protected,
    cols: list[Col],
    title: str,
    lang: str,
    extra: dict[str, object] | None = None,
    **gating,
) -> PublishedTable:
    """A published table from a protected table: its values, its cells' states, and `extra`
    columns (e.g. labels) added to the data; `gating`: what `PublishedTable.gated` takes."""
    data = p.table.copy()
    for key, values in (extra or {}).items():
        data[key] = values
    return PublishedTable(title, cols, data, lang, p.state.copy(), p.min_cell).gated(**gating)


#: Every published table: id → the function that makes it.
REGISTRY: dict[str, Callable[..., PublishedTable]] = {}


def published(table_id: str) -> Callable[[Callable[..., PublishedTable]], Callable]:
    """Register a function as the one maker of a published table.

    `table_id` names the download (`unduhan/<id>.csv`); it may use the function's arguments,
    e.g. "cakupan_{which}" for one function that makes the sector and the size tables.
    """

    def register(make: Callable[..., PublishedTable]) -> Callable[..., PublishedTable]:
        signature = inspect.signature(make)
        REGISTRY[table_id] = make

        @functools.wraps(make)
        def wrapper(*args, **kwargs) -> PublishedTable:
            table = make(*args, **kwargs)
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            table.id = table_id.format(**bound.arguments)
            return table

        return wrapper

    return register
