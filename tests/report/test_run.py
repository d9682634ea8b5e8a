"""Which parameters the report passes: every one a notebook declares, none papermill cannot read."""

from __future__ import annotations

import nbformat
import pytest

from analysis.errors import AnalysisError
from analysis.paths import NOTEBOOKS_DIR
from analysis.report.run import assigned, notebooks, parameters
from analysis.settings import DEFAULTS

PARAMS = {"period": "2026-10", "data_dir": "", "lang": "id", "publish": True, **DEFAULTS.as_dict()}


def _notebook(tmp_path, source: str):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source, metadata={"tags": ["parameters"]})]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = tmp_path / "01_x.ipynb"
    nbformat.write(nb, path)
    return path


def test_every_parameter_of_every_notebook_is_passed():
    for nb in notebooks():
        passed = parameters(nb, PARAMS)
        assert sorted(passed) == sorted(assigned(nb)), nb.name


def test_a_parameter_papermill_cannot_read_is_refused(tmp_path):
    nb = _notebook(
        tmp_path,
        'period = "2026-10"\ndata_dir = ""\nlang = "id"\npublish = False\n'
        "min_cell = 5  # min_cell = 1 shows everything\n",
    )
    with pytest.raises(AnalysisError, match="cannot read min_cell in the parameters cell"):
        parameters(nb, PARAMS)


def test_the_explore_notebook_is_not_part_of_the_report():
    assert (NOTEBOOKS_DIR / "explore.ipynb").exists()
    assert "explore.ipynb" not in [nb.name for nb in notebooks()]
