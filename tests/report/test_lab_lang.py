"""lab-lang: one language's narrative in JupyterLab, switched back and forth without losing a byte."""

from __future__ import annotations

import shutil

import nbformat
import pytest

from analysis.__main__ import main
from analysis.errors import AnalysisError
from analysis.paths import NOTEBOOKS_DIR
from analysis.report.lab_lang import cell_lang, set_lang, show_all, switch


def _copy(tmp_path):
    for nb in NOTEBOOKS_DIR.glob("*.ipynb"):
        shutil.copy(nb, tmp_path / nb.name)
    return sorted(tmp_path.glob("*.ipynb"))


def test_switching_languages_and_back_gives_the_same_bytes(tmp_path):
    paths = _copy(tmp_path)
    before = {p: p.read_bytes() for p in paths}
    switch("en", paths)
    assert any(p.read_bytes() != before[p] for p in paths)
    switch("off", paths)
    switch("id", paths)
    assert {p: p.read_bytes() for p in paths} == before


def test_the_chosen_language_is_markdown_the_other_a_hidden_raw_cell(tmp_path):
    path = _copy(tmp_path)[1]
    assert main(["lab-lang", "en", str(path)]) == 0
    nb = nbformat.read(path, as_version=4)
    narrative = [c for c in nb.cells if cell_lang(c)]
    assert narrative and all(
        (c.cell_type, c.metadata.get("jupyter", {}).get("source_hidden", False))
        == (("markdown", False) if cell_lang(c) == "en" else ("raw", True))
        for c in narrative
    )
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert code == [
        c.source for c in nbformat.read(NOTEBOOKS_DIR / path.name, 4).cells if c.cell_type == "code"
    ]
    show_all(nb)
    assert all(c.cell_type == "markdown" and "jupyter" not in c.metadata for c in narrative)
    assert set_lang(nb, "off") == 0


def test_an_unknown_language_is_refused_with_one_sentence(tmp_path):
    nb = nbformat.read(_copy(tmp_path)[0], as_version=4)
    with pytest.raises(AnalysisError, match="must be one of id, en, off"):
        set_lang(nb, "fr")
    with pytest.raises(AnalysisError, match="There is no notebook"):
        switch("en", [tmp_path / "missing.ipynb"])
