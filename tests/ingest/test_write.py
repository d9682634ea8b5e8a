"""Writing processed tables: a failed background write is raised, not lost."""

import pandas as pd
import pyarrow.parquet as pq
import pytest

from analysis.ingest import schemas
from analysis.ingest.write import _TableWriter


def test_a_failed_background_write_is_raised(tmp_path, monkeypatch):
    def fail(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pq.ParquetWriter, "write_table", fail)
    writer = _TableWriter(tmp_path / "q.parquet", schemas.QUARANTINE)
    rows = pd.DataFrame(
        {
            "source_file": ["a.csv"],
            "source_row": pd.Series([1], dtype="int64"),
            "rule": ["bad_date"],
            "column": ["tanggal"],
            "detail": ["tanggal cannot be read"],
        }
    )
    writer.write(rows.astype({c: "str" for c in ("source_file", "rule", "column", "detail")}))
    writer.close()  # the file is completed in the background …
    with pytest.raises(OSError, match="disk full"):
        writer.finish()  # … and its failure raised when the table is waited for
