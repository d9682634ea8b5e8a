"""One cleaned month, loaded once: its tables, quality, region, the region's units and settings.

Every metric and page function takes a `Month`. The region is the one the month was cleaned
for (recorded in quality.json at cleaning, never guessed again), so coverage, awareness and
affordability all use the same kelurahan/desa. Tables are read from the processed folder on
first use; results that several pages need are computed once per month (`memo`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from analysis.errors import AnalysisError
from analysis.paths import Paths, check_period
from analysis.reference import units as region_units
from analysis.settings import DEFAULTS, Settings, check
from analysis.store import QUALITY_FILE, read_quality

T = TypeVar("T")


@dataclass
class Month:
    """A processed month and the settings its pages are computed with."""

    period: str
    paths: Paths
    quality: dict
    settings: Settings = DEFAULTS
    _tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, period: str, data_dir: str | Path | None = None) -> Month:
        """The cleaned month `period` of a data folder (committed settings); a clear error if it
        was not cleaned."""
        paths = Paths.of(data_dir)
        folder = paths.processed(check_period(period))
        if not (folder / QUALITY_FILE).exists():
            raise AnalysisError(
                f"{period} has not been cleaned yet in {paths.data_dir}: run notebook 01 or "
                f"'python -m analysis clean --period {period}'.",
                "err_not_cleaned",
                period=period,
                folder=str(paths.data_dir),
            )
        return cls(period, paths, read_quality(folder))

    def with_settings(self, publish: bool = False, **changes: object) -> Month:
        """The same month computed with other settings (checked; floors enforced when publishing).
        Results computed under the old settings are not carried over."""
        settings = check(self.settings.with_(**changes), floors=publish)
        return replace(self, settings=settings, _tables=self._tables, _memo={})

    @property
    def folder(self) -> Path:
        """The processed folder of this month."""
        return self.paths.processed(self.period)

    @property
    def region(self) -> str:
        """The region the month was cleaned for (quality.json)."""
        return self.quality["region"]

    @property
    def reference_dir(self) -> Path:
        return self.paths.reference

    @property
    def units(self) -> pd.DataFrame:
        """The region's kelurahan/desa: code, name, kecamatan code and name."""
        return self.memo("units", lambda: region_units(self.region, self.reference_dir))

    def table(self, name: str) -> pd.DataFrame:
        """A processed table by name ('workers', 'coverage_kelurahan', …), read once."""
        if name not in self._tables:
            path = self.folder / f"{name}.parquet"
            if not path.exists():
                raise AnalysisError(
                    f"{self.period} has no processed table {name!r}; clean it again.",
                    "err_no_table",
                    period=self.period,
                    name=repr(name),
                )
            self._tables[name] = pd.read_parquet(path)
        return self._tables[name]

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """`compute()` once per month: results several sections share (LISA, survey estimates)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def earlier(self) -> list[str]:
        """Cleaned months of the same data folder up to this one, oldest first (for trends)."""
        return [p for p in self.paths.processed_periods() if p <= self.period]
