"""docs/data-dictionary.md describes every column of every processed table, and nothing else."""

from __future__ import annotations

import re

import pandas as pd

from analysis.ingest import schemas
from analysis.paths import PROCESSED_FILES, ROOT
from analysis.store import COUNT_COLUMNS

from conftest import PERIOD

DICTIONARY = ROOT / "docs" / "data-dictionary.md"


def described() -> dict[str, list[str]]:
    """Table file → the columns its section describes (first cell of each table row)."""
    out: dict[str, list[str]] = {}
    current = None
    for line in DICTIONARY.read_text(encoding="utf-8").splitlines():
        head = re.match(r"^## `([\w.]+)`", line)
        if head:
            current = head[1]
            out[current] = []
        elif current and (cell := re.match(r"^\| `(\w+)`", line)):
            out[current].append(cell[1])
    return out


def test_every_processed_file_has_a_section():
    assert set(described()) == set(PROCESSED_FILES)


def test_every_column_of_the_processed_schemas_is_described():
    docs = described()
    for name, schema in {
        "businesses.parquet": schemas.BUSINESSES,
        "workers.parquet": schemas.WORKERS,
        "participants.parquet": schemas.PARTICIPANTS,
        "survey.parquet": schemas.SURVEY,
        "quarantine.parquet": schemas.QUARANTINE,
    }.items():
        assert docs[name] == list(schema.columns), name  # every column, in the table's order
    assert set(COUNT_COLUMNS) <= set(docs["coverage_kelurahan.parquet"])


def test_the_demo_months_files_have_exactly_the_described_columns(cleaned, demo_dir):
    docs = described()
    folder = demo_dir / "processed" / PERIOD
    for name in PROCESSED_FILES:
        if name.endswith(".parquet"):
            columns = list(pd.read_parquet(folder / name).columns)
            assert columns == docs[name], name
    import json

    quality = json.loads((folder / "quality.json").read_text(encoding="utf-8"))
    text = DICTIONARY.read_text(encoding="utf-8")
    for key, value in quality.items():
        assert f"`{key}`" in text, key
        if isinstance(value, dict) and "rows_in" in value:
            for field in value:
                assert f"`{field}`" in text, (key, field)
