"""Running the report's notebooks with papermill: which notebooks, which kernel, which parameters.

Every parameter a notebook declares is passed explicitly (period, data folder, language,
`publish`, and the publication settings), so what an analyst changed in a notebook's
parameters cell never reaches a published page; a parameter the notebook does not declare is
an error, not a warning.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.paths import DEFAULT_REGION, KERNEL_NAME, NOTEBOOKS_DIR
from analysis.report.kernels import manager_class

#: Every notebook of the report declares these (the report always passes them).
REQUIRED_PARAMETERS = ("period", "data_dir", "lang", "publish")
#: The overview of a region of several kabupaten/kota: run once, before their pages.
OVERVIEW = "region_overview.ipynb"


def notebooks(folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The report's notebooks in order (`NN_name.ipynb`)."""
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


@dataclass(frozen=True)
class Job:
    """One notebook run of a report: which notebook, for which kabupaten/kota ('' = the whole
    region), and the name its page and executed notebook get."""

    notebook: Path
    area: str = ""

    @property
    def stem(self) -> str:
        """'02_coverage_map', or 'klaten-02_coverage_map' for a kabupaten/kota's page."""
        return f"{self.area}-{self.notebook.stem}" if self.area else self.notebook.stem


def plan(nbs: list[Path], parts: list[str], folder: Path = NOTEBOOKS_DIR) -> list[Job]:
    """The runs of a report: the first notebook (cleaning) once; for a region of several
    kabupaten/kota (`parts`) the overview once, then every other notebook once per kabupaten/kota
    (one notebook, many pages); otherwise every other notebook once."""
    first, rest = Job(nbs[0]), nbs[1:]
    if not parts:
        return [first, *(Job(nb) for nb in rest)]
    overview = folder / OVERVIEW
    if not overview.exists():
        raise AnalysisError(
            f"{folder} has no {OVERVIEW}, which a report of several kabupaten/kota needs."
        )
    return [first, Job(overview), *(Job(nb, area) for area in parts for nb in rest)]


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
    # a notebook that cannot be told the region (or kabupaten/kota) would show the default's
    needed = [
        *REQUIRED_PARAMETERS,
        *(["region"] if params.get("region", DEFAULT_REGION) != DEFAULT_REGION else []),
        *(["area"] if params.get("area") else []),
    ]
    missing = [k for k in needed if k not in declared]
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


def run_notebook(
    nb: Path, out: Path, params: dict, cwd: Path = NOTEBOOKS_DIR, km=None, keep: bool = False
) -> None:
    """Execute one notebook with papermill into `out` (in a kernel started ahead when `km` is
    given, and left running for the next notebook when `keep`). A kernel started ahead already
    runs in `cwd`, so papermill is not asked to change folder: its change is the whole process's,
    and two notebooks run side by side would leave it in the wrong one."""
    import papermill as pm  # lazy: the CLI starts without Jupyter

    extra = {"kernel_manager_class": manager_class(km, keep)} if km is not None else {}
    pm.execute_notebook(
        str(nb),
        str(out),
        parameters=parameters(nb, params),
        kernel_name=kernel_name(),
        progress_bar=False,
        cwd=None if km is not None else str(cwd),
        log_output=False,
        request_save_on_cell_execute=False,  # written once at the end (the staging copy is all we keep)
        shutdown_kernel="immediate",  # the notebook is done: no need to wait for a polite exit
        **extra,
    )


def scrub_timings(executed: Path, published_as: str) -> None:
    """Drop run timestamps and the staging path from an executed notebook, and number its cells
    from 1 (a kept kernel counts on), so reruns are identical."""
    import nbformat  # lazy: the CLI starts without Jupyter

    nb = nbformat.read(executed, as_version=4)
    meta = nb.metadata.get("papermill", {})
    for key in ("start_time", "end_time", "duration"):
        meta.pop(key, None)
    meta["output_path"] = published_as
    count = 0
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"  # papermill gives it a random id
        if cell.cell_type == "code" and cell.get("execution_count") is not None:
            count += 1  # as run in a fresh kernel, whichever kernel ran it before
            cell["execution_count"] = count
            for output in cell.get("outputs", []):
                if "execution_count" in output:
                    output["execution_count"] = count
        cell.metadata.pop("execution", None)
        for key in ("start_time", "end_time", "duration"):
            cell.metadata.get("papermill", {}).pop(key, None)
    nbformat.write(nb, executed)


def failure(
    nb: Path, executed: Path, exc: Exception, failed_dir: Path, period: str
) -> AnalysisError:
    """Keep the failed executed notebook and describe the failure in one sentence."""
    failed_dir.mkdir(parents=True, exist_ok=True)
    kept = failed_dir / executed.name
    if executed.exists():
        shutil.copy2(executed, kept)
    cell = getattr(exc, "exec_count", None) or getattr(exc, "cell_index", None)
    evalue = str(getattr(exc, "evalue", exc))
    what = f"{getattr(exc, 'ename', type(exc).__name__)}: {evalue.splitlines()[0][:200] if evalue else ''}"
    where = f" in cell {cell}" if cell is not None else ""
    name = nb.name if executed.stem == nb.stem else f"{nb.name} ({executed.stem.split('-')[0]})"
    return AnalysisError(
        f"Notebook {name} failed{where} ({what}); the executed notebook is kept at {kept} "
        f"and the previous report for {period} is unchanged."
    )
