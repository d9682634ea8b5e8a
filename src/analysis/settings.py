"""Publication settings: one committed file (`config/publication.toml`) says what a report uses.

Notebooks carry the same values as plain defaults in their `parameters` cell (so they run top
to bottom in JupyterLab); the report passes every one explicitly from here, so a value an
analyst changed while exploring never reaches a published page. Privacy settings have floors:
they can be raised, never lowered.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, fields, replace
from functools import lru_cache

from analysis.errors import AnalysisError
from analysis.paths import ROOT

SETTINGS_FILE = ROOT / "config" / "publication.toml"
#: The lowest values a published report may use (docs/facts.md §6: thresholds of 5 and 10).
FLOORS = {"min_cell": 5, "min_n": 10, "min_group": 10}


@dataclass(frozen=True)
class Settings:
    """The parameters every page is computed with (the defaults are in config/publication.toml)."""

    min_cell: int
    min_n: int
    min_group: int
    top: int
    threshold: float

    def as_dict(self) -> dict[str, int | float]:
        """The settings as plain values (for papermill and the manifest)."""
        return asdict(self)

    def with_(self, **changes: object) -> Settings:
        """A copy with some values changed (typed; `check` them before use)."""
        return replace(self, **{k: _typed(k, v) for k, v in changes.items()})


def _typed(name: str, value: object) -> int | float:
    kinds = {f.name: f.type for f in fields(Settings)}
    if name not in kinds:
        raise AnalysisError(f"There is no setting {name!r}; the settings are {', '.join(kinds)}.")
    try:
        return float(value) if kinds[name] == "float" else int(value)
    except (TypeError, ValueError):
        raise AnalysisError(f"Setting {name} must be a number, not {value!r}.") from None


def check(settings: Settings, floors: bool = True) -> Settings:
    """The settings if they make sense (and, for publishing, respect the privacy floors)."""
    if not 0 < settings.threshold < 1:
        raise AnalysisError(
            f"threshold must be a share between 0 and 1 (for example 0.02), not {settings.threshold}."
        )
    if settings.top < 1:
        raise AnalysisError(f"top must be at least 1, not {settings.top}.")
    for name in ("min_cell", "min_n", "min_group"):
        value, floor = getattr(settings, name), FLOORS[name] if floors else 1
        if value < floor:
            raise AnalysisError(
                f"{name} = {value} is below {floor}, the lowest value that protects the people "
                f"in the tables; published reports use at least {floor}."
            )
    return settings


@lru_cache(maxsize=1)
def publication() -> Settings:
    """The committed publication settings (config/publication.toml), checked against the floors."""
    try:
        data = tomllib.loads(SETTINGS_FILE.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AnalysisError(f"{SETTINGS_FILE.name} is missing; restore it from git.") from None
    flat = {k: v for section in data.values() for k, v in section.items()}
    missing = {f.name for f in fields(Settings)} - set(flat)
    if missing:
        raise AnalysisError(f"{SETTINGS_FILE.name} does not set {', '.join(sorted(missing))}.")
    return check(Settings(**{k: _typed(k, v) for k, v in flat.items()}))


#: The committed settings: the default of every function that takes one of them.
DEFAULTS = publication()
