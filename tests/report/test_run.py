"""Which parameters the report passes: every one a notebook declares, none papermill cannot read."""

from __future__ import annotations

import nbformat
import pytest

from analysis.errors import AnalysisError
from analysis.paths import NOTEBOOKS_DIR
from analysis.report.run import OVERVIEW, assigned, notebooks, parameters
from analysis.settings import DEFAULTS

#: What the report passes (analysis.report.publish): the city's report has no area.
PARAMS = {
    "period": "2026-10",
    "data_dir": "",
    "lang": "id",
    "publish": True,
    "region": "surakarta",
    "area": "",
    **DEFAULTS.as_dict(),
}


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
    # Soloraya's report: the overview once, every other notebook once per kabupaten/kota
    soloraya = {**PARAMS, "region": "soloraya"}
    overview = parameters(NOTEBOOKS_DIR / OVERVIEW, soloraya)
    assert sorted(overview) == sorted(assigned(NOTEBOOKS_DIR / OVERVIEW))
    for nb in notebooks()[1:]:
        passed = parameters(nb, {**soloraya, "area": "klaten"})
        assert passed["region"] == "soloraya" and passed["area"] == "klaten", nb.name


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


def test_a_kernel_started_ahead_runs_without_papermill_changing_folder(tmp_path, monkeypatch):
    """papermill's `cwd` is a change of the whole process's folder: two notebooks run side by
    side by threads left the report (and every later command of that process) in a notebook
    folder. Kernels started ahead already run in the notebooks' folder, so none is asked for."""
    import papermill

    from analysis.report.run import run_notebook

    asked = []
    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **kw: asked.append(kw["cwd"]))
    nb = _notebook(tmp_path, 'period = "2026-10"\ndata_dir = ""\nlang = "id"\npublish = False')
    run_notebook(nb, tmp_path / "out.ipynb", PARAMS, tmp_path, km=object())
    run_notebook(nb, tmp_path / "out.ipynb", PARAMS, tmp_path)
    assert asked == [None, str(tmp_path)]
