"""Small and lopsided demo months: the odd shapes a real month can take, for tests and for
trying the report before real extracts arrive.

A `Shape` changes the synthetic world after the usual draws (or instead of a draw that would
need more than the shape allows), so a month without a shape is exactly what it always was:
every business in one or a few kelurahan, in one or a few sectors, everyone or nobody
effectively covered, a participant extract with no records, a survey of a handful of
respondents or none at all. With a shape, a month may have as few as one business.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: What `Shape.coverage` may say: the usual spatial pattern, or everyone / nobody effective.
COVERAGE = ("pattern", "everyone", "nobody")


@dataclass(frozen=True)
class Shape:
    """How a small or lopsided demo month departs from the usual one (None: as usual)."""

    kelurahan: int | None = None  # businesses (and respondents) in this many kelurahan only
    sectors: int | None = None  # businesses in this many sectors only
    coverage: str = "pattern"  # "everyone" / "nobody": every roster worker effective, or none
    participants: bool = True  # False: the participant extract has its header and no records
    respondents: int | None = None  # survey respondents (0: no survey file this month)

    def __post_init__(self) -> None:
        if self.coverage not in COVERAGE:
            raise ValueError(f"coverage must be one of {', '.join(COVERAGE)}")
        for name in ("kelurahan", "sectors"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.respondents is not None and self.respondents < 0:
            raise ValueError("respondents cannot be negative")

    @property
    def survey(self) -> bool:
        """Whether the month has a survey file."""
        return self.respondents != 0


def kelurahan_weights(rng: np.random.Generator, w: pd.Series, shape: Shape | None) -> pd.Series:
    """The business weight of each kelurahan, kept for `shape.kelurahan` of them (drawn by weight)."""
    if shape is None or shape.kelurahan is None or shape.kelurahan >= len(w):
        return w
    keep = np.sort(rng.choice(len(w), size=shape.kelurahan, replace=False, p=w.to_numpy()))
    kept = w.iloc[keep]
    return kept / kept.sum()


def sectors(rng: np.random.Generator, drawn: np.ndarray, shape: Shape | None) -> np.ndarray:
    """Businesses' sectors, kept to `shape.sectors` of those drawn (the others re-drawn among them)."""
    if shape is None or shape.sectors is None:
        return drawn
    present = pd.unique(drawn)
    if len(present) <= shape.sectors:
        return drawn
    kept = np.sort(rng.choice(present, size=shape.sectors, replace=False))
    return np.where(np.isin(drawn, kept), drawn, kept[rng.integers(0, len(kept), len(drawn))])


def participation(wk: pd.DataFrame, shape: Shape | None) -> None:
    """Everyone or nobody on the rosters covered, or nobody in the extract (in place)."""
    if shape is None:
        return
    if not shape.participants or shape.coverage == "nobody":
        wk[["registered", "active", "effective"]] = False
    elif shape.coverage == "everyone":
        wk[["registered", "active", "effective"]] = True


def no_records(text: pd.DataFrame, truth: pd.DataFrame, shape: Shape | None):
    """The participant extract's rows and truth, none when the shape has no participants."""
    if shape is not None and not shape.participants:
        return text.iloc[:0], truth.iloc[:0]
    return text, truth
