"""Provenance of a published report (manifest.json): what went in, with which code and settings."""

from __future__ import annotations

import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata

from analysis.paths import ROOT, Paths, sha256_file
from analysis.settings import Settings

PACKAGES = (
    "pandas",
    "geopandas",
    "matplotlib",
    "papermill",
    "nbconvert",
    "pandera",
    "rapidfuzz",
    "esda",
    "mapclassify",
    "babel",
    "pyarrow",
    "numpy",
)


def git_commit() -> str:
    """The commit of the code that made the report ('unknown' outside a git checkout)."""
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5
        )
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def manifest(
    period: str, paths: Paths, lang: str, settings: Settings, timings: dict[str, float]
) -> dict:
    """Provenance: period, commit, settings, SHA-256 of every input file, package versions, timings."""
    raw = paths.raw(period)
    inputs = {f"raw/{p.name}": sha256_file(p) for p in sorted(raw.glob("*")) if p.is_file()}
    inputs |= {
        f"reference/{p.name}": sha256_file(p)
        for p in sorted(paths.reference.glob("*"))
        if p.is_file()
    }
    return {
        "period": period,
        "lang": lang,
        "settings": settings.as_dict(),
        "git_commit": git_commit(),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "packages": {p: metadata.version(p) for p in PACKAGES},
        "inputs_sha256": inputs,
        "notebook_seconds": {k: round(v, 2) for k, v in timings.items()},
    }
