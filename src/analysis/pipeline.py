"""A processed month made whole: cleaning (`analysis.ingest`) plus the tables metrics derive from it.

`clean_period` is what notebook 01, `python -m analysis clean`, the tests and the benchmarks run.
It cleans the month with `analysis.ingest.clean.clean_period` and, before the month is swapped in,
writes the derived tables of docs/design.md that are metrics rather than cleaning — today
`awareness_kelurahan.parquet` (weighted awareness shares by kelurahan, `analysis.metrics.awareness`)
— so a reader never sees a cleaned month without them. Ingest and metrics stay independent of
each other; this module is the one place that joins them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from analysis.ingest import clean
from analysis.ingest.cache import PARTITION_ROWS
from analysis.ingest.clean import CleanResult
from analysis.metrics.awareness import FILE_NAME as AWARENESS_FILE
from analysis.metrics.awareness import awareness_kelurahan
from analysis.reference import DEFAULT_REGION


def write_derived(stage: Path, units: pd.DataFrame) -> None:
    """The derived tables of a cleaned month, from the tables already in its staging folder:
    awareness_kelurahan.parquet (weighted shares by kelurahan of the survey just written)."""
    survey = pd.read_parquet(stage / "survey.parquet")
    awareness_kelurahan(survey, units).to_parquet(stage / AWARENESS_FILE, index=False)


def clean_period(
    period: str,
    data_dir: str | Path | None = None,
    region: str = DEFAULT_REGION,
    log: Callable[[str], None] | None = None,
    engine: str = "pandas",
    scheduler: str | None = None,
    partition_rows: int = PARTITION_ROWS,
    progress: Callable[[int, int], None] | None = None,
) -> CleanResult:
    """Clean one period's raw extracts and write every processed file of docs/design.md atomically
    (the arguments are those of `analysis.ingest.clean.clean_period`)."""
    return clean.clean_period(
        period,
        data_dir,
        region=region,
        log=log,
        engine=engine,
        scheduler=scheduler,
        partition_rows=partition_rows,
        derive=write_derived,
        progress=progress,
    )
