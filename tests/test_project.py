"""Project hygiene: one dependency list mirrored for conda, clean notebooks, data kept out of git."""

import ast
import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from analysis.paths import DEMO_PERIOD, NOTEBOOKS_DIR, ROOT
from analysis.report.run import notebooks
from analysis.settings import publication


def _norm(spec: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.-]+)(\[[^\]]*\])?\s*(.*)$", spec)
    return m[1].lower().replace("_", "-"), m[3].replace(" ", "")


def test_environment_yml_mirrors_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {}
    for spec in project["dependencies"] + project["optional-dependencies"]["dev"]:
        name, bounds = _norm(spec)
        if name == "dask":  # conda splits the extras into packages
            wanted["dask"] = wanted["distributed"] = bounds
        else:
            wanted[name] = bounds
    env = (ROOT / "environment.yml").read_text()
    listed = {}
    for line in env.split("dependencies:", 1)[1].splitlines():  # conda packages, then the pip: list
        m = re.match(r"^(?:  |      )- ([A-Za-z0-9_.-]+)([<>=!].*)?$", line)
        if m and m[1] not in ("python", "pip"):
            listed[m[1].lower()] = (m[2] or "").replace(" ", "")
    assert listed == wanted
    assert "- -e .[dev]" in env


def notebook_files():
    return sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


@pytest.mark.parametrize("path", notebook_files(), ids=lambda p: p.name)
def test_notebooks_are_committed_clean_and_thin(path):
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and not c.get("execution_count") for c in code), (
        "outputs must be stripped"
    )
    params = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1
    src = "".join(params[0]["source"])
    assert f'period = "{DEMO_PERIOD}"' in src and "data_dir =" in src and 'lang = "id"' in src
    if path in notebooks():  # the report's notebooks (explore.ipynb is never published)
        assert "publish = False" in src
    defaults = publication().as_dict()
    for name, value in re.findall(r"^(\w+) = ([^#\n]*?)\s*(?:#.*)?$", src, re.M):
        if name in defaults:  # the notebook's default is the committed publication setting
            assert ast.literal_eval(value) == defaults[name], (name, value)
    for line in src.splitlines():  # plain literals only
        assert re.match(r'^\w+ = ("[^"]*"|-?\d+(\.\d+)?|True|False|None)\s*(#.*)?$', line), line
    for c in code:
        assert not re.search(r"^\s*(def|class)\s", "".join(c["source"]), re.M), (
            "logic belongs in src/analysis"
        )
    for c in nb["cells"]:
        if c["cell_type"] in ("markdown", "raw"):
            tags = set(c.get("metadata", {}).get("tags", []))
            assert tags & {"lang-id", "lang-en"}, "narrative cells say which language they are in"


def test_notebook_languages_come_in_pairs():
    for path in notebook_files():
        nb = json.loads(path.read_text())
        tags = [
            t
            for c in nb["cells"]
            if c["cell_type"] in ("markdown", "raw")
            for t in c["metadata"].get("tags", [])
        ]
        assert tags.count("lang-id") == tags.count("lang-en"), path.name


@pytest.mark.parametrize("path", notebook_files(), ids=lambda p: p.name)
def test_notebooks_are_committed_showing_indonesian_only(path):
    """In JupyterLab the English narrative is hidden (a raw cell with source_hidden: not in the
    cells, not in the table of contents) and the Indonesian is markdown (`lab-lang id`)."""
    import nbformat

    from analysis.report.lab_lang import COMMITTED, cell_lang, set_lang

    nb = nbformat.read(path, as_version=4)
    assert COMMITTED == "id"
    for cell in nb.cells:
        lang = cell_lang(cell)
        if lang == "en":
            assert cell.cell_type == "raw" and cell.metadata["jupyter"]["source_hidden"] is True
        elif lang == "id":
            assert cell.cell_type == "markdown" and "jupyter" not in cell.metadata
    assert set_lang(nb, COMMITTED) == 0  # `python -m analysis lab-lang id` would change nothing


def _tracked() -> list[str]:
    out = subprocess.run(["git", "-C", str(ROOT), "ls-files"], capture_output=True, text=True)
    if out.returncode != 0:
        pytest.skip("not a git checkout")
    return out.stdout.splitlines()


def test_no_data_or_secrets_are_tracked():
    for path in _tracked():
        if path.startswith(("data/raw/", "data/processed/", "reports/")):
            assert Path(path).name in ("README.md", ".gitkeep"), path
        assert not re.search(r"(\.key|\.secrets/|\.env)$", path), path


def test_gitignore_keeps_data_out_but_the_folders_in():
    ignore = (ROOT / ".gitignore").read_text()
    for line in ("data/raw/*", "!data/raw/.gitkeep", "data/processed/*", ".secrets/", "reports/*"):
        assert line in ignore


def test_readme_shows_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make report" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def _notebook_with_outputs() -> dict:
    cell = {
        "cell_type": "code",
        "id": "kept-id",
        "metadata": {},
        "execution_count": 3,
        "outputs": [{"output_type": "stream", "name": "stdout", "text": ["min_cell = 1\n"]}],
        "source": ["print('min_cell = 1')"],
    }
    kernel = {"name": "umkm-bpjstk", "display_name": "Python (UMKM BPJSTK)", "language": "python"}
    return {"cells": [cell], "metadata": {"kernelspec": kernel}, "nbformat": 4, "nbformat_minor": 5}


def test_make_install_sets_up_the_git_filter_that_strips_notebook_outputs(tmp_path):
    """`make git-filter` (part of `make install`) twice in a fresh clone: a notebook committed
    from a subfolder with outputs reaches git without them, its cell ids and kernel kept."""
    import shutil

    if not (shutil.which("git") and shutil.which("make")):
        pytest.skip("needs git and make")
    venv = ROOT / ".venv"
    if not (venv / "bin" / "python").exists():
        pytest.skip("needs the project's .venv (make install)")
    repo = tmp_path / "clone"
    repo.mkdir()
    git = ["git", "-C", str(repo)]
    subprocess.run([*git, "init", "-q"], check=True)
    for name in ("Makefile", ".gitattributes"):
        shutil.copy(ROOT / name, repo / name)
    (repo / ".venv").symlink_to(venv)
    for _ in range(2):
        subprocess.run(["make", "-s", "-C", str(repo), "git-filter"], check=True)
    config = subprocess.run(
        [*git, "config", "--get-all", "filter.nbstripout.clean"], capture_output=True, text=True
    ).stdout.splitlines()
    assert config == [".venv/bin/python -m nbstripout --keep-id"]
    (repo / "notebooks").mkdir()
    (repo / "notebooks" / "n.ipynb").write_text(json.dumps(_notebook_with_outputs()))
    subprocess.run(["git", "add", "n.ipynb"], cwd=repo / "notebooks", check=True)
    staged = json.loads(
        subprocess.run(
            [*git, "show", ":notebooks/n.ipynb"], capture_output=True, text=True, check=True
        ).stdout
    )
    cell = staged["cells"][0]
    assert cell["outputs"] == [] and cell["execution_count"] is None
    assert cell["id"] == "kept-id"
    assert staged["metadata"]["kernelspec"]["name"] == "umkm-bpjstk"


def test_the_git_filter_is_skipped_with_a_note_outside_a_clone(tmp_path):
    import shutil

    if not shutil.which("make"):
        pytest.skip("needs make")
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    env = {"PATH": "/usr/bin:/bin", "GIT_CEILING_DIRECTORIES": str(tmp_path.parent)}
    out = subprocess.run(
        ["make", "-s", "git-filter"], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    assert out.returncode == 0 and "not a git clone" in out.stdout


def test_the_readme_lists_every_parameter_of_every_notebook():
    from analysis.report.run import assigned

    readme = (ROOT / "README.md").read_text()
    rows = dict(re.findall(r"^\| `(\w+)` \| ([^|]+) \|", readme, re.M))
    for path in notebook_files():
        short = "explore" if path.stem == "explore" else path.stem[:2]
        for name in assigned(path):
            assert name in rows, (path.name, name)
            where = rows[name].strip()
            if where != "all":
                numbers = re.findall(r"\d\d", where)
                spans = [f"{n:02d}" for a, b in re.findall(r"(\d\d)–(\d\d)", where)
                         for n in range(int(a), int(b) + 1)]  # fmt: skip
                assert short in where or short in numbers + spans, (path.name, name, where)
