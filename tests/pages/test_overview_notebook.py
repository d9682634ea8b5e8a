"""The overview notebook runs top to bottom through papermill on Soloraya's cleaned demo month,
in English, with its figures and without an error."""

import nbformat
import pytest

from conftest import PERIOD, REGION

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("region")]  # one worker builds the region


def test_the_overview_notebook_runs_top_to_bottom(region_cleaned, region_dir, tmp_path):
    import papermill as pm

    from analysis.paths import NOTEBOOKS_DIR
    from analysis.report.run import OVERVIEW, kernel_name

    out = tmp_path / OVERVIEW
    pm.execute_notebook(
        str(NOTEBOOKS_DIR / OVERVIEW),
        str(out),
        parameters={
            "period": PERIOD,
            "data_dir": str(region_dir),
            "lang": "en",
            "region": REGION,
            "publish": True,
        },
        kernel_name=kernel_name(),
        progress_bar=False,
        cwd=str(NOTEBOOKS_DIR),
    )
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 3  # the map, the uncovered workers, the trend
    text = "".join(str(o.get("data", {}).get("text/markdown", "")) for o in outputs)
    assert "cannot be worked out by subtracting" in text and "Kabupaten Klaten" in text
