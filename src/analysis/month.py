"""One cleaned month, loaded once: its tables, quality, region, the region's units and settings.

Every metric and page function takes a `Month`. The region is the one the month was cleaned
for (recorded in quality.json at cleaning, never guessed again), so coverage, awareness and
affordability all use the same kelurahan/desa. Tables are read from the processed folder on
first use; results that several pages need are computed once per month (`memo`).

A month cleaned for a region made of several kabupaten/kota (Soloraya) can be looked at one
kabupaten/kota at a time: `month.within("klaten")` is the same cleaning seen as a month of
Kabupaten Klaten — its `region` is 'klaten', its `units` are Klaten's desa/kelurahan, and every
table with a place (`kode_kelurahan`) keeps only Klaten's rows (participant records, which are
people rather than places, stay whole: they are reached through the workers). Metrics and pages
need nothing else to show one kabupaten/kota.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from analysis.errors import AnalysisError
from analysis.paths import DEFAULT_REGION, Paths, check_period
from analysis.reference import areas, region_code, region_name
from analysis.reference import units as region_units
from analysis.settings import DEFAULTS, Settings, check
from analysis.store import QUALITY_FILE, read_quality

T = TypeVar("T")
#: The column that places a row of a processed table (tables without it are not restricted).
PLACE = "kode_kelurahan"


@dataclass
class Month:
    """A processed month (or one kabupaten/kota of it) and the settings its pages are computed with."""

    period: str
    paths: Paths
    quality: dict
    settings: Settings = DEFAULTS
    area: str | None = None  # a kabupaten/kota of the region (regions.csv id), or the whole region
    _tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)
    _others: dict[str, Month] = field(default_factory=dict, repr=False)  # other periods, whole

    @classmethod
    def load(
        cls,
        period: str,
        data_dir: str | Path | None = None,
        region: str = DEFAULT_REGION,
        area: str | None = None,
    ) -> Month:
        """The month `period` cleaned for `region` in a data folder (committed settings), or one
        kabupaten/kota of it (`area`); a clear error if it was not cleaned."""
        paths = Paths.of(data_dir, region=region)
        folder = paths.processed(check_period(period))
        if not (folder / QUALITY_FILE).exists():
            where = "" if region == DEFAULT_REGION else f" --region {region}"
            raise AnalysisError(
                f"{period} has not been cleaned yet in {paths.data_dir}: run notebook 01 or "
                f"'python -m analysis clean --period {period}{where}'.",
                "err_not_cleaned",
                period=period,
                folder=str(paths.data_dir),
                where=where,
            )
        month = cls(period, paths, read_quality(folder))
        if month.cleaned_for != region:
            raise AnalysisError(
                f"{folder} was cleaned for region {month.cleaned_for!r}, not {region!r}; clean it again."
            )
        return month.within(area) if area else month

    def within(self, area: str) -> Month:
        """The same month seen as one of the kabupaten/kota its region is made of (module docstring)."""
        parts = areas(self.cleaned_for, self.reference_dir)
        if area not in parts:
            known = ", ".join(parts) or "none: it is one kabupaten/kota"
            raise AnalysisError(
                f"{area!r} is not a kabupaten/kota of region {self.cleaned_for!r} (its parts: {known})."
            )
        return replace(self, area=area, _memo={})  # full tables are shared: read once

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
    def cleaned_for(self) -> str:
        """The region the month was cleaned for (quality.json): whose folders it lives in."""
        return self.quality["region"]

    @property
    def region(self) -> str:
        """The region the month's pages describe: its kabupaten/kota when `within` one, else the
        region it was cleaned for."""
        return self.area or self.cleaned_for

    @property
    def place(self) -> str:
        """The name of that region as pages show it ('Kota Surakarta', 'Kabupaten Klaten')."""
        return region_name(self.region, self.reference_dir)

    @property
    def reference_dir(self) -> Path:
        return self.paths.reference

    @property
    def units(self) -> pd.DataFrame:
        """The region's kelurahan/desa: code, name, kecamatan code and name."""
        return self.memo("units", lambda: region_units(self.region, self.reference_dir))

    def table(self, name: str) -> pd.DataFrame:
        """A processed table by name ('workers', 'coverage_kelurahan', …), read once; within a
        kabupaten/kota, only the rows placed in it."""
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
        whole = self._tables[name]
        if self.area is None or PLACE not in whole:
            return whole
        key = f"{name}@{self.area}"
        if key not in self._tables:
            prefix = region_code(self.area, self.reference_dir)
            inside = whole[PLACE].astype("str").str.startswith(prefix)
            self._tables[key] = whole[inside.to_numpy()].reset_index(drop=True)
        return self._tables[key]

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """`compute()` once per month: results several sections share (LISA, survey estimates)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def earlier(self) -> list[str]:
        """Cleaned months of the same region and data folder up to this one, oldest first (for
        trends); a month cleaned for another region in the same folder is not one of them."""
        return [
            p
            for p in self.paths.processed_periods()
            if p <= self.period
            and read_quality(self.paths.processed(p)).get("region") == self.cleaned_for
        ]

    def at(self, period: str) -> Month:
        """Another cleaned month of the same region (and kabupaten/kota), with the same settings;
        its tables are read once for the region and all its kabupaten/kota."""
        if period == self.period:
            return self
        if period not in self._others:
            self._others[period] = Month.load(period, self.paths.data_dir, self.cleaned_for)
        other = self._others[period]
        other = other.within(self.area) if self.area else other
        return replace(other, settings=self.settings, _memo={})
