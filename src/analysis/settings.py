"""Publication settings: one committed file (`config/publication.toml`) says what a report uses.

Notebooks carry the same values as plain defaults in their `parameters` cell (so they run top
to bottom in JupyterLab); the report passes every one explicitly from here, so a value an
analyst changed while exploring never reaches a published page. Privacy settings have floors:
they can be raised, never lowered.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import asdict, dataclass, fields, replace
from functools import lru_cache

from analysis.errors import AnalysisError
from analysis.paths import ROOT

SETTINGS_FILE = ROOT / "config" / "publication.toml"
#: The lowest values a published report may use (docs/facts.md §6: thresholds of 5 and 10).
FLOORS = {"min_cell": 5, "min_n": 10, "min_group": 10}
#: Who a city subsidy would pay for: self-employed workers (BPU), wage workers (PU), or both.
SUBSIDY_GROUPS = ("BPU", "PU", "all")


@dataclass(frozen=True)
class Settings:
    """The parameters every page is computed with (the defaults are in config/publication.toml)."""

    min_cell: int
    min_n: int
    min_group: int
    top: int
    threshold: float
    subsidy_share: float
    subsidy_group: str
    subsidy_discount: bool
    detect: float
    revisit: int

    def as_dict(self) -> dict[str, int | float | str | bool]:
        """The settings as plain values (for papermill and the manifest)."""
        return asdict(self)

    def with_(self, **changes: object) -> Settings:
        """A copy with some values changed (typed; `check` them before use)."""
        return replace(self, **{k: _typed(k, v) for k, v in changes.items()})


def _typed(name: str, value: object) -> int | float | str | bool:
    kinds = {f.name: f.type for f in fields(Settings)}
    if name not in kinds:
        names = ", ".join(kinds)
        raise AnalysisError(
            f"There is no setting {name!r}; the settings are {names}.",
            "err_setting_unknown",
            name=repr(name),
            names=names,
        )
    if kinds[name] == "str":
        return str(value)
    if kinds[name] == "bool":
        return _flag(name, value)
    return _number(name, value, whole=kinds[name] == "int")


def _flag(name: str, value: object) -> bool:
    """True/False (or, from the command line, 'true'/'false')."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "false"):
        return text == "true"
    raise AnalysisError(
        f"Setting {name} must be True or False, not {value!r}.",
        "err_setting_bool",
        name=name,
        value=repr(value),
    )


def _number(name: str, value: object, whole: bool) -> int | float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or not math.isfinite(number):
        raise AnalysisError(
            f"Setting {name} must be a number, not {value!r}.",
            "err_setting_number",
            name=name,
            value=repr(value),
        )
    if not whole:
        return number
    if number != int(number):
        raise AnalysisError(
            f"Setting {name} must be a whole number, not {value!r}.",
            "err_setting_whole",
            name=name,
            value=repr(value),
        )
    return int(number)


def check(settings: Settings, floors: bool = True) -> Settings:
    """The settings if they make sense (and, for publishing, respect the privacy floors)."""
    if not 0 < settings.threshold < 1:
        raise AnalysisError(
            f"threshold must be a share between 0 and 1 (for example 0.02), not {settings.threshold}.",
            "err_threshold",
            value=settings.threshold,
        )
    if not 0 < settings.subsidy_share <= 1:
        raise AnalysisError(
            f"subsidy_share must be a share above 0 and at most 1 (0.5 = the city pays half), "
            f"not {settings.subsidy_share}.",
            "err_subsidy_share",
            value=settings.subsidy_share,
        )
    if settings.subsidy_group not in SUBSIDY_GROUPS:
        raise AnalysisError(
            f'subsidy_group must be "BPU" (self-employed), "PU" (wage workers) or "all", '
            f"not {settings.subsidy_group!r}.",
            "err_subsidy_group",
            value=repr(settings.subsidy_group),
        )
    if settings.top < 1:
        raise AnalysisError(
            f"top must be at least 1, not {settings.top}.", "err_top", value=settings.top
        )
    if not settings.detect > 0:
        raise AnalysisError(
            f"detect must be a positive number of extra registrations a month (for example 1), "
            f"not {settings.detect}."
        )
    if settings.revisit < 0:
        raise AnalysisError(f"revisit must be 0 months or more, not {settings.revisit}.")
    for name in ("min_cell", "min_n", "min_group"):
        value, floor = getattr(settings, name), FLOORS[name]
        if floors and value < floor:
            raise AnalysisError(
                f"{name} = {value} is below {floor}, the lowest value that protects the people "
                f"in the tables; published reports use at least {floor}.",
                "err_floor",
                name=name,
                value=value,
                floor=floor,
            )
        if value < 1:
            raise AnalysisError(
                f"{name} must be at least 1, not {value} (1 hides nothing; published reports "
                f"use at least {floor}).",
                "err_below_one",
                name=name,
                value=value,
                floor=floor,
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
