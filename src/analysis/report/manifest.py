"""Provenance of a published report (manifest.json): what went in, with which code and settings.

Only the recognised extracts of the raw folder are named (`umkm.xlsx`, …, with their SHA-256);
any other file there is counted, never named (a file name can hold a name or a NIK). Every
published table is listed with its disclosure mark, with the audit's figures.
"""

from __future__ import annotations

import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from analysis.ingest.pseudonyms import extract_hashes
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


def raw_inputs(raw: Path) -> tuple[dict[str, str], int]:
    """SHA-256 of the recognised extracts (`raw/<name>`), and how many other files the folder has."""
    hashes = extract_hashes(raw) if raw.is_dir() else {}
    others = (
        [p for p in raw.iterdir() if p.is_file() and p.name not in hashes] if raw.is_dir() else []
    )
    return {f"raw/{name}": digest for name, digest in hashes.items()}, len(others)


def manifest(
    period: str,
    paths: Paths,
    lang: str,
    settings: Settings,
    timings: dict[str, float],
    tables: list[dict] = (),
    audit: dict | None = None,
) -> dict:
    """Provenance: period, commit, settings, SHA-256 of every input, package versions, timings,
    the published tables with their marks and the disclosure audit's figures."""
    inputs, others = raw_inputs(paths.raw(period))
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
        "raw_other_files": others,
        "tables": [
            {"name": n, "digest": d}
            for n, d in dict.fromkeys((t["name"], t["digest"]) for t in tables)
        ],
        "disclosure_audit": audit or {},
        "downloads": [],
        "notebook_seconds": {k: round(v, 2) for k, v in timings.items()},
    }
