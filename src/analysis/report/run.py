"""Running the report's notebooks with papermill: which notebooks, which kernel, which parameters.

Every parameter a notebook declares is passed explicitly (period, data folder, language,
`publish`, and the publication settings), so what an analyst changed in a notebook's
parameters cell never reaches a published page; a parameter the notebook does not declare is
an error, not a warning.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.paths import KERNEL_NAME, NOTEBOOKS_DIR
from analysis.report.kernels import manager_class

#: Every notebook of the report declares these (the report always passes them).
REQUIRED_PARAMETERS = ("period", "data_dir", "lang", "publish")


def notebooks(folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The report's notebooks in order (`NN_name.ipynb`)."""
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def kernel_name() -> str:
    """The project's kernel when registered (make report does), else the current Python's own."""
    from jupyter_client.kernelspec import KernelSpecManager  # lazy: the CLI starts without Jupyter

    specs = KernelSpecManager().find_kernel_specs()
    return KERNEL_NAME if KERNEL_NAME in specs else "python3"


def assigned(nb: Path) -> list[str]:
    """The names the notebook's `parameters` cell assigns (read with Python's own parser)."""
    import ast

    import nbformat  # lazy: the CLI starts without Jupyter

    cells = nbformat.read(nb, as_version=4).cells
    cell = next((c for c in cells if "parameters" in c.metadata.get("tags", [])), None)
    if cell is None:
        return []
    tree = ast.parse(cell.source)
    return [t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets
            if isinstance(t, ast.Name)]  # fmt: skip


def parameters(nb: Path, params: dict) -> dict:
    """The parameters to pass to `nb`: every one it declares, each given a value by the report.

    papermill silently skips a parameter line it cannot read (one with a second '=', say in its
    comment); such a parameter would keep the notebook's own value, so it is refused."""
    import papermill as pm  # lazy: the CLI starts without Jupyter

    declared = pm.inspect_notebook(str(nb))
    unread = [k for k in assigned(nb) if k not in declared]
    if unread:
        raise AnalysisError(
            f"papermill cannot read {', '.join(unread)} in the parameters cell of {nb.name}; "
            "keep one '=' per line (none in the comment)."
        )
    missing = [k for k in REQUIRED_PARAMETERS if k not in declared]
    if missing:
        raise AnalysisError(
            f"{nb.name} has no parameter {', '.join(missing)} in its 'parameters' cell."
        )
    unset = [k for k in declared if k not in params]
    if unset:
        raise AnalysisError(
            f"{nb.name} declares {', '.join(unset)}, which the report does not set; add it to "
            "config/publication.toml or remove it from the notebook's parameters cell."
        )
    return {k: params[k] for k in declared}


def run_notebook(nb: Path, out: Path, params: dict, cwd: Path = NOTEBOOKS_DIR, km=None) -> None:
    """Execute one notebook with papermill into `out` (in a kernel started ahead when `km` is given)."""
    import papermill as pm  # lazy: the CLI starts without Jupyter

    extra = {"kernel_manager_class": manager_class(km)} if km is not None else {}
    pm.execute_notebook(
        str(nb),
        str(out),
        parameters=parameters(nb, params),
        kernel_name=kernel_name(),
        progress_bar=False,
        cwd=str(cwd),
        log_output=False,
        request_save_on_cell_execute=False,  # written once at the end (the staging copy is all we keep)
        shutdown_kernel="immediate",  # the notebook is done: no need to wait for a polite exit
        **extra,
    )


def scrub_timings(executed: Path, published_as: str) -> None:
    """Drop run timestamps and the staging path from an executed notebook, so reruns are identical."""
    import nbformat  # lazy: the CLI starts without Jupyter

    nb = nbformat.read(executed, as_version=4)
    meta = nb.metadata.get("papermill", {})
    for key in ("start_time", "end_time", "duration"):
        meta.pop(key, None)
    meta["output_path"] = published_as
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"  # papermill gives it a random id
        cell.metadata.pop("execution", None)
        for key in ("start_time", "end_time", "duration"):
            cell.metadata.get("papermill", {}).pop(key, None)
    nbformat.write(nb, executed)


def failure(
    nb: Path, executed: Path, exc: Exception, failed_dir: Path, period: str
) -> AnalysisError:
    """Keep the failed executed notebook and describe the failure in one sentence."""
    failed_dir.mkdir(parents=True, exist_ok=True)
    kept = failed_dir / nb.name
    if executed.exists():
        shutil.copy2(executed, kept)
    cell = getattr(exc, "exec_count", None) or getattr(exc, "cell_index", None)
    evalue = str(getattr(exc, "evalue", exc))
    what = f"{getattr(exc, 'ename', type(exc).__name__)}: {evalue.splitlines()[0][:200] if evalue else ''}"
    where = f" in cell {cell}" if cell is not None else ""
    return AnalysisError(
        f"Notebook {nb.name} failed{where} ({what}); the executed notebook is kept at {kept} "
        f"and the previous report for {period} is unchanged."
    )
