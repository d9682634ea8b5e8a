"""Words and formats of the synthetic registries: name lists, and dates, months and rupiah as
Indonesian spreadsheets write them (each row drawing its own style).

The name lists are package data (`names/*.txt`, one name a line, `#` lines are notes), read once
on import; their order and repeats matter, since draws pick by position.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

NAMES_DIR = Path(__file__).with_name("names")


def read_names(stem: str) -> tuple[str, ...]:
    """One name list of the package (`names/<stem>.txt`), in file order, repeats kept."""
    lines = (NAMES_DIR / f"{stem}.txt").read_text(encoding="utf-8").splitlines()
    return tuple(line for line in lines if line.strip() and not line.startswith("#"))


FEMALE = read_names("female")
MALE = read_names("male")
#: Women's second names with Windows-1252 characters (the roster's encoding must keep them).
FEMALE_EXTRA = read_names("female_extra")
STREETS = read_names("streets")
BUSINESS_WORDS = read_names("business_words")
#: Kecamatan next to the city: their desa stand for kelurahan outside the region.
OUTSIDE_KECAMATAN = read_names("outside_kecamatan")

MONTH_FULL = dict(
    enumerate(
        [
            "januari",
            "februari",
            "maret",
            "april",
            "mei",
            "juni",
            "juli",
            "agustus",
            "september",
            "oktober",
            "november",
            "desember",
        ],
        1,
    )
)
MONTH_ABBR = dict(
    enumerate(
        ["jan", "feb", "mar", "apr", "mei", "jun", "jul", "agu", "sep", "okt", "nov", "des"], 1
    )
)


def pick(
    rng: np.random.Generator, options: Sequence, n: int, p: Sequence[float] | None = None
) -> np.ndarray:
    """`n` draws from `options` (with probabilities `p`), as an object array."""
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=n, p=p)]


def fmt_dates(rng: np.random.Generator, days: pd.Series, allow_serial: bool = True) -> pd.Series:
    """Dates as Indonesian spreadsheets write them: 17-Agu-2019, 17/08/2019, 2019-08-17, 17 Agustus 2019, 43694."""
    if days.empty:
        return pd.Series([], index=days.index, dtype=object)
    d = pd.to_datetime(days)
    style = rng.choice(
        5,
        size=len(d),
        p=[0.3, 0.3, 0.2, 0.1, 0.1] if allow_serial else [0.33, 0.34, 0.22, 0.11, 0.0],
    )
    dd, mm, yy = d.dt.day.astype(str).str.zfill(2), d.dt.month, d.dt.year.astype(str)
    out = pd.Series("", index=d.index, dtype=object)
    out[style == 0] = (dd + "-" + mm.map(lambda m: MONTH_ABBR[m].title()) + "-" + yy)[style == 0]
    out[style == 1] = (dd + "/" + mm.astype(str).str.zfill(2) + "/" + yy)[style == 1]
    out[style == 2] = d.dt.strftime("%Y-%m-%d")[style == 2]
    out[style == 3] = (
        d.dt.day.astype(str) + " " + mm.map(lambda m: MONTH_FULL[m].title()) + " " + yy
    )[style == 3]
    serial = (d - pd.Timestamp("1899-12-30")).dt.days.astype(str)
    out[style == 4] = serial[style == 4]
    return out.where(d.notna(), "")


def fmt_months(rng: np.random.Generator, months: pd.Series) -> pd.Series:
    """Months as 'Okt 2026', '10/2026', '2026-10', 'Oktober 2026'."""
    if months.empty:
        return pd.Series([], index=months.index, dtype=object)
    d = pd.to_datetime(months)
    style = rng.choice(4, size=len(d), p=[0.35, 0.3, 0.2, 0.15])
    mm, yy = d.dt.month, d.dt.year.astype("Int64").astype(str)
    out = pd.Series("", index=d.index, dtype=object)
    out[style == 0] = (mm.map(lambda m: MONTH_ABBR.get(m, "").title()) + " " + yy)[style == 0]
    out[style == 1] = (mm.astype("Int64").astype(str).str.zfill(2) + "/" + yy)[style == 1]
    out[style == 2] = d.dt.strftime("%Y-%m")[style == 2]
    out[style == 3] = (mm.map(lambda m: MONTH_FULL.get(m, "").title()) + " " + yy)[style == 3]
    return out.where(d.notna(), "")


def fmt_amounts(rng: np.random.Generator, amounts: pd.Series) -> pd.Series:
    """Rupiah as 'Rp 1.500.000', '1,5 jt', '1500000'."""
    if amounts.empty:
        return pd.Series([], index=amounts.index, dtype=object)
    a = amounts.round().astype("Int64")
    style = rng.choice(3, size=len(a), p=[0.4, 0.2, 0.4])
    dotted = a.map(lambda v: f"{v:,}".replace(",", ".") if pd.notna(v) else "")
    out = pd.Series(a.astype(str), index=a.index, dtype=object)
    out[style == 0] = ("Rp " + dotted)[style == 0]
    juta = (a % 100_000 == 0) & (a >= 1_000_000)
    jt = a.map(lambda v: f"{v / 1e6:g}".replace(".", ",") + " jt" if pd.notna(v) else "")
    use = (style == 1) & juta.fillna(False).to_numpy()
    out[use] = jt[use]
    return out.where(a.notna(), "")
