"""Every path the project uses, from one place: notebooks and modules never write '../data'."""

from __future__ import annotations

import hashlib
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import AnalysisError

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS_DIR = ROOT / "notebooks"
DEFAULT_DATA_DIR = ROOT / "data"
DEFAULT_REPORTS_DIR = ROOT / "reports"
PROJECT_REFERENCE_DIR = DEFAULT_DATA_DIR / "reference"
SECRETS_DIR = ROOT / ".secrets"
KERNEL_NAME = "umkm-bpjstk"
#: Beside a demo month's raw files: what the generator planted (truth) and wrote (hashes).
DEMO_DIR = "_demo"

#: The month the demo data, the notebooks' defaults and `make report` use.
DEMO_PERIOD = "2026-10"
#: The region a report covers unless told otherwise (regions.csv); its folders have no region level.
DEFAULT_REGION = "surakarta"

RAW_STEMS = ("umkm", "tenaga_kerja", "peserta_bpjstk", "survei_kesadaran", "sosialisasi")
REQUIRED_STEMS = ("umkm", "tenaga_kerja", "peserta_bpjstk")
PROCESSED_FILES = (
    "businesses.parquet",
    "workers.parquet",
    "participants.parquet",
    "survey.parquet",
    "quarantine.parquet",
    "coverage_kelurahan.parquet",
    "awareness_kelurahan.parquet",
    "outreach.parquet",
    "quality.json",
)

#: A month whose raw files together reach this size is "large": it is cleaned in bounded memory
#: (partition results parked in files, `analysis.ingest.clean`; freed memory handed back as it
#: goes, `analysis.ingest.memory`). Smaller months (a million roster workers is 150 MB of CSV)
#: keep their partition results, and what they free, in memory: faster, not bounded (peak 1.7 GB
#: at 1M, 3.2 GB at 3.2M roster workers, just under the line; 1.8 GB at 10M, above it).
LARGE_MONTH_BYTES = 512 << 20

_PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_REGION_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def raw_size(raw_dir: Path) -> int:
    """The bytes of a period's raw files (the folder's files, not its cache; 0 if it is missing)."""
    if not raw_dir.is_dir():
        return 0
    return sum(p.stat().st_size for p in raw_dir.iterdir() if p.is_file())


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MB chunks (provenance and the demo-data check)."""
    h = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def sha256_files(paths: list[Path]) -> dict[Path, str]:
    """`sha256_file` of several files, two at a time (hashlib and reads let go of the GIL: the
    raw extracts of a large month hash in half the time on two cores)."""
    with ThreadPoolExecutor(2) as pool:
        return dict(zip(paths, pool.map(sha256_file, paths), strict=True))


def check_inside(path: Path, root: Path) -> Path:
    """`path` if it is inside `root` once every symbolic link is followed, else one sentence: a
    link under reports/ or data/ must never make a delete or a replace reach outside them."""
    real_root, real = Path(root).resolve(), Path(path).resolve()
    if real != real_root and real_root not in real.parents:
        raise AnalysisError(
            f"{path} leads outside {root} through a symbolic link; nothing was deleted or "
            "replaced. Remove the link (or point it inside the folder) and run again."
        )
    return Path(path)


def check_period(period: str) -> str:
    """Return the period if it is a valid 'YYYY-MM' month, else raise a one-sentence error."""
    if not isinstance(period, str) or not _PERIOD_RE.match(period):
        raise AnalysisError(
            f"Period {period!r} is not a month in the form YYYY-MM (for example 2026-10).",
            "err_period",
            value=repr(period),
        )
    return period


def check_region(region: str) -> str:
    """Return the region id if it can name a folder (lower-case letters, digits, '_'), else one
    sentence. Whether regions.csv knows it is checked where the reference data is read."""
    if not isinstance(region, str) or not _REGION_RE.match(region):
        raise AnalysisError(
            f"Region {region!r} is not a region id like 'surakarta' or 'soloraya' "
            "(lower-case letters, digits and '_'; see data/reference/regions.csv)."
        )
    return region


@dataclass(frozen=True)
class Paths:
    """The folders of one data directory and one region: raw → processed, plus reference data and
    reports.

    The default region (Kota Surakarta) keeps the folders as they always were
    (`data/raw/<period>/`, `data/processed/<period>/`, `reports/<period>/`); every other region
    has its own level below each of them (`data/raw/<region>/<period>/`,
    `data/processed/<region>/<period>/`, `reports/<region>/<period>/`, and
    `reports/<region>/_executed|_failed/<period>/`), so regions never share a month's files and
    raw extracts stay under `data/raw/`.
    """

    data_dir: Path = DEFAULT_DATA_DIR
    reports_dir: Path = DEFAULT_REPORTS_DIR
    region: str = DEFAULT_REGION

    @classmethod
    def of(
        cls,
        data_dir: str | os.PathLike | None = None,
        reports_dir: str | os.PathLike | None = None,
        region: str | None = None,
    ) -> Paths:
        """Build from user-given folders (relative paths are taken from the project root)."""

        def resolve(p, default):
            if p is None or p == "":
                return default
            p = Path(p).expanduser()
            return p if p.is_absolute() else (ROOT / p).resolve()

        return cls(
            resolve(data_dir, DEFAULT_DATA_DIR),
            resolve(reports_dir, DEFAULT_REPORTS_DIR),
            check_region(region or DEFAULT_REGION),
        )

    def _level(self, base: Path) -> Path:
        """`base` for the default region, `base/<region>` for any other."""
        return base if self.region == DEFAULT_REGION else base / self.region

    @property
    def reference(self) -> Path:
        """Reference data: the data dir's own `reference/` if it has one, else the project's."""
        own = self.data_dir / "reference"
        return own if own.is_dir() else PROJECT_REFERENCE_DIR

    def raw(self, period: str) -> Path:
        """A month's raw extracts (personal data: never copied anywhere else)."""
        return self._level(self.data_dir / "raw") / check_period(period)

    def processed(self, period: str) -> Path:
        return self._level(self.data_dir / "processed") / check_period(period)

    def report(self, period: str) -> Path:
        """The published folder: only what officials may receive."""
        return self._level(self.reports_dir) / check_period(period)

    def executed(self, period: str) -> Path:
        """The executed notebooks and run log of the published report: for analysts, never published."""
        return self._level(self.reports_dir) / "_executed" / check_period(period)

    def failed(self, period: str) -> Path:
        """What a failed or refused report run left for inspection."""
        return self._level(self.reports_dir) / "_failed" / check_period(period)

    def processed_periods(self) -> list[str]:
        """Periods of this region that have cleaned data, oldest first (for trends)."""
        base = self._level(self.data_dir / "processed")
        if not base.is_dir():
            return []
        return sorted(
            p.name
            for p in base.iterdir()
            if _PERIOD_RE.match(p.name) and (p / "quality.json").exists()
        )
