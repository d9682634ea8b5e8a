"""The stages' import contract (pyproject's [tool.importlinter]): raw → processed → reports, one way."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.paths import ROOT

LINT = Path(sys.executable).with_name("lint-imports")
pytestmark = pytest.mark.slow  # lint-imports runs in a subprocess


def lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_the_layers_hold():
    out = lint(ROOT)
    assert out.returncode == 0, out.stdout[-2000:]


def test_a_deliberate_violation_is_caught(tmp_path):
    # a copy of the package where a metric imports a page: the contract must break
    src = tmp_path / "src"
    shutil.copytree(
        ROOT / "src" / "analysis", src / "analysis", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = src / "analysis" / "metrics" / "coverage.py"
    target.write_text(target.read_text() + "\nfrom analysis.pages import text  # noqa\n")
    out = subprocess.run(
        [str(LINT), "--no-cache"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
    )
    assert out.returncode != 0
    assert "analysis.metrics is not allowed to import analysis.pages" in out.stdout
