"""The demo month's processed files are exactly what the reference cleaning writes (the code
without the fast paths of issue 19; since main was merged in, main's code): every parquet table
and quality.json, by a digest of its content (`fixtures/demo_outputs.json`). The small-partition
and Dask tests compare their outputs with the same month (`test_scale`, `test_engine`), so all
three ways of cleaning are held to it.

When an output changes on purpose, write the new digests with the reference code first on the
path (`git archive <commit> src config data/reference | tar -x -C /tmp/ref`, then
`PYTHONPATH=/tmp/ref/src .venv/bin/python tests/ingest/test_outputs_unchanged.py`), check that
this tree gives the same, and commit them with the change.
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
