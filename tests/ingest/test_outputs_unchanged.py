"""The demo month's processed files are exactly what they were before cleaning was made fast
(issue 19): every parquet table and quality.json, by a digest of its content
(`fixtures/demo_outputs.json`). The small-partition and Dask tests compare their outputs with the
same month (`test_scale`, `test_engine`), so all three ways of cleaning are held to it.

When an output changes on purpose, write the new digests with
`.venv/bin/python tests/ingest/test_outputs_unchanged.py` and commit them with the change.
"""

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))  # conftest, under pytest and as a script
from analysis.demo import generate  # noqa: E402
from analysis.pipeline import clean_period  # noqa: E402

from conftest import PERIOD, output_digests  # noqa: E402

EXPECTED = Path(__file__).parent / "fixtures" / "demo_outputs.json"


def test_the_demo_month_is_cleaned_to_the_same_files(cleaned):
    assert output_digests(cleaned.out_dir) == json.loads(EXPECTED.read_text())


if __name__ == "__main__":  # write the digests of today's outputs
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        generate(PERIOD, data)
        digests = output_digests(clean_period(PERIOD, data).out_dir)
    EXPECTED.write_text(json.dumps(digests, indent=2) + "\n")
    print(f"wrote {EXPECTED}")
