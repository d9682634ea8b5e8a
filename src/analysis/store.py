"""Processed data in and out, and the one atomic folder swap that cleaning and publishing share.

A processed month (or a published report) is written into a staging folder beside its final
place and swapped in only when complete (`staged`), so a reader never sees it half-written.
Cleaning writes through `staged`; everything after it reads through `load_processed`.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from analysis.errors import AnalysisError
from analysis.paths import Paths, check_inside

QUALITY_FILE = "quality.json"
#: What linking finds for each roster worker (docs/design.md metric definitions).
MEASURES = ("registered", "active", "effective")
#: The counts of coverage_kelurahan.parquet (one row per kelurahan/desa of the region).
COUNT_COLUMNS = ["businesses", "workers", "roster_workers", *MEASURES]


def new_stage(
    final: Path, prefix: str | None = None, root: Path | None = None, mode: int = 0o755
) -> Path:
    """An empty staging folder beside `final` (same file system, so the swap is a rename);
    with `root`, refused when `final` would lead outside it through a link. `mode`: 0o755 for
    what others read (reports), 0o700 for personal data (processed months)."""
    if root is not None:
        check_inside(final, root)
    final.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=prefix or f".{final.name}-", dir=final.parent))
    stage.chmod(mode)
    return stage


def swap_in(stage: Path, final: Path, root: Path | None = None) -> None:
    """Put a fully written staging folder in place of `final` (the old one goes only after);
    with `root`, nothing is replaced or deleted if `final` leads outside it through a link."""
    old = final.with_name(f".{final.name}-old")
    if root is not None:
        check_inside(final, root), check_inside(old, root)
    if final.exists():
        shutil.rmtree(old, ignore_errors=True)
        final.rename(old)
    stage.rename(final)
    shutil.rmtree(old, ignore_errors=True)


@contextmanager
def staged(
    final: Path, prefix: str | None = None, root: Path | None = None, mode: int = 0o755
) -> Iterator[Path]:
    """A staging folder that replaces `final` when the block ends without error (removed if not,
    unless the block moved it elsewhere first); `root` as for `swap_in`, `mode` as for
    `new_stage`."""
    stage = new_stage(final, prefix, root, mode)
    try:
        yield stage
        swap_in(stage, final, root)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def write_quality(folder: Path, quality: dict) -> None:
    """quality.json as every processed month has it (UTF-8, indented, stable key order)."""
    (folder / QUALITY_FILE).write_text(
        json.dumps(quality, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )


def write_processed(out_dir: Path, tables: dict[str, pd.DataFrame], quality: dict) -> None:
    """Write tables and quality.json as one processed month (swapped in whole, for tests and tools)."""
    with staged(out_dir) as stage:
        for name, table in tables.items():
            table.to_parquet(stage / f"{name}.parquet", index=False)
        write_quality(stage, quality)


def read_quality(folder: Path) -> dict:
    """A processed month's quality.json."""
    return json.loads((folder / QUALITY_FILE).read_text(encoding="utf-8"))


def load_processed(
    period: str, data_dir: str | Path | None = None, region: str | None = None
) -> dict:
    """Read a cleaned period of a region back: the tables by name and `quality`; a clear error if
    not cleaned yet."""
    out_dir = Paths.of(data_dir, region=region).processed(period)
    if not (out_dir / QUALITY_FILE).exists():
        raise AnalysisError(
            f"{period} has not been cleaned yet: run notebook 01 or 'python -m analysis clean --period {period}'."
        )
    tables = {p.stem: pd.read_parquet(p) for p in sorted(out_dir.glob("*.parquet"))}
    tables["quality"] = read_quality(out_dir)
    return tables
