"""The monthly report: run every notebook through papermill, export HTML without code, publish atomically.

Notebooks run in order in a staging folder, each exported to a self-contained HTML page (no
code, no prompts, no stderr, the other language's narrative removed, nothing fetched from
the internet). Only when all succeed is `reports/<period>/` replaced; on failure the
executed notebook is kept under `reports/_failed/<period>/`, the previous report is left
as it was, and the error names the notebook and cell.
"""

from __future__ import annotations

import json
import platform
import shutil
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.ingest.pseudonyms import is_untouched_demo
from analysis.pages.text import catalogue, check_lang, fmt_month, t
from analysis.paths import KERNEL_NAME, NOTEBOOKS_DIR, ROOT, Paths, check_period, sha256_file
from analysis.report import cover
from analysis.report.kernels import manager_class, start_kernels
from analysis.report.kernels import shutdown as kernels_down
from analysis.report.privacy import check_privacy
from analysis.settings import publication
from analysis.store import new_stage, swap_in

TEMPLATES = Path(__file__).with_name("templates")
PACKAGES = (
    "pandas",
    "geopandas",
    "matplotlib",
    "papermill",
    "nbconvert",
    "pandera",
    "rapidfuzz",
    "esda",
    "mapclassify",
    "babel",
    "pyarrow",
    "numpy",
)


def notebooks(folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The report's notebooks in order (`NN_name.ipynb`)."""
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def kernel_name() -> str:
    """The project's kernel when registered (make report does), else the current Python's own."""
    from jupyter_client.kernelspec import (  # lazy: the CLI starts without Jupyter
        KernelSpecManager,
    )

    specs = KernelSpecManager().find_kernel_specs()
    return KERNEL_NAME if KERNEL_NAME in specs else "python3"


def _parameters(nb: Path, params: dict) -> dict:
    """Keep only parameters the notebook declares (papermill would warn and carry on otherwise)."""
    import papermill as pm  # lazy: the CLI starts without Jupyter

    declared = pm.inspect_notebook(str(nb))
    missing = [k for k in ("period", "data_dir", "lang") if k not in declared]
    if missing:
        raise AnalysisError(
            f"{nb.name} has no parameter {', '.join(missing)} in its 'parameters' cell."
        )
    return {k: v for k, v in params.items() if k in declared}


def run_notebook(nb: Path, out: Path, params: dict, cwd: Path = NOTEBOOKS_DIR, km=None) -> None:
    """Execute one notebook with papermill into `out` (in a kernel started ahead when `km` is given)."""
    import papermill as pm  # lazy: the CLI starts without Jupyter

    extra = {"kernel_manager_class": manager_class(km)} if km is not None else {}
    pm.execute_notebook(
        str(nb),
        str(out),
        parameters=_parameters(nb, params),
        kernel_name=kernel_name(),
        progress_bar=False,
        cwd=str(cwd),
        log_output=False,
        request_save_on_cell_execute=False,  # written once at the end (the staging copy is all we keep)
        shutdown_kernel="immediate",  # the notebook is done: no need to wait for a polite exit
        **extra,
    )


def export_html(
    executed: Path, out: Path, lang: str, title: str, resources: dict | None = None
) -> None:
    """Export an executed notebook to one offline HTML page without code, prompts or stderr."""
    import nbformat  # lazy: the CLI starts without Jupyter
    from nbconvert.exporters import (
        HTMLExporter,
    )
    from nbconvert.preprocessors import (
        Preprocessor,
        TagRemovePreprocessor,
    )

    class DropNoise(Preprocessor):
        """Remove stderr streams and warnings: they are for analysts, not for the published page."""

        def preprocess_cell(self, cell, resources, index):
            if cell.cell_type == "code":
                cell.outputs = [
                    o
                    for o in cell.outputs
                    if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
                ]
            return cell, resources

    other = [x for x in ("id", "en") if x != lang]
    nb = nbformat.read(executed, as_version=4)
    nb.metadata["title"] = title
    exporter = HTMLExporter(
        template_name="offline",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags={f"lang-{o}" for o in other} | {"remove"}),
        enabled=True,
    )
    exporter.register_preprocessor(DropNoise(), enabled=True)
    page = dict(resources or {})
    page["report_nav"] = [
        (href, name, href == out.name) for href, name in page.get("report_nav", [])
    ]
    body, _ = exporter.from_notebook_node(nb, resources={"language_code": lang, **page})
    out.write_text(body, encoding="utf-8")


def _git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5
        )
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def manifest(period: str, paths: Paths, lang: str, timings: dict[str, float]) -> dict:
    """Provenance: period, commit, SHA-256 of every input file, package versions, timings."""
    raw = paths.raw(period)
    inputs = {f"raw/{p.name}": sha256_file(p) for p in sorted(raw.glob("*")) if p.is_file()}
    inputs |= {
        f"reference/{p.name}": sha256_file(p)
        for p in sorted(paths.reference.glob("*"))
        if p.is_file()
    }
    return {
        "period": period,
        "lang": lang,
        "git_commit": _git_commit(),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "packages": {p: metadata.version(p) for p in PACKAGES},
        "inputs_sha256": inputs,
        "notebook_seconds": {k: round(v, 2) for k, v in timings.items()},
    }


def page_resources(period: str, paths: Paths, lang: str, pages: list[tuple[str, str]]) -> dict:
    """What every page shows around the notebook: navigation, the demo-data banner, a provenance footer."""
    demo = is_untouched_demo(paths.raw(period))
    return {
        "report_nav": [("index.html", t("nav_cover", lang)), *pages],
        "report_nav_label": t("nav_label", lang),
        "report_banner": t("banner_demo", lang) if demo else "",
        "report_footer": t(
            "page_footer", lang, month=fmt_month(period, lang), commit=_git_commit()[:10]
        ),
    }


def index_page(
    period: str,
    paths: Paths,
    pages: list[tuple[str, str]],
    executed: list[Path],
    lang: str,
    banner: str,
) -> str:
    """The cover page: the pages' headline figures, links to every page, provenance."""
    quality_file = paths.processed(period) / "quality.json"
    quality = (
        json.loads(quality_file.read_text(encoding="utf-8")) if quality_file.exists() else None
    )
    prov = cover.provenance(period, quality, _git_commit(), lang)
    return cover.render(period, lang, cover.collect_cards(executed), pages, prov, banner)


def publish_report(
    period: str,
    data_dir: str | Path | None = None,
    reports_dir: str | Path | None = None,
    lang: str = "id",
    log: Callable[[str], None] | None = None,
    notebook_dir: Path = NOTEBOOKS_DIR,
) -> Path:
    """Run every notebook for `period`, export HTML, write index + manifest + log, check privacy, then swap in."""
    check_period(period)
    check_lang(lang)
    paths = Paths.of(data_dir, reports_dir)
    say = log or (lambda _m: None)
    nbs = notebooks(notebook_dir)
    if not nbs:
        raise AnalysisError(f"No notebooks found in {notebook_dir}.")
    if not paths.raw(period).is_dir():
        raise AnalysisError(f"No raw data for {period}: folder {paths.raw(period)} does not exist.")
    stage = new_stage(paths.report(period), prefix=f".staging-{period}-")
    # `publish` (when a notebook declares it) skips analyst-only cells such as interactive maps
    params = {
        "period": period,
        "data_dir": str(paths.data_dir),
        "lang": lang,
        "publish": True,
        **publication().as_dict(),
    }
    timings: dict[str, float] = {}
    pages: list[tuple[str, str]] = []
    log_lines: list[str] = []

    def note(message: str) -> None:
        log_lines.append(
            message
        )  # the log stays identical between reruns; timings go to the manifest

    def run_one(i: int, nb: Path) -> None:
        started = time.perf_counter()
        executed = stage / "notebooks" / nb.name
        try:
            run_notebook(nb, executed, params, notebook_dir, km=kernels.get(nb))
        except Exception as exc:  # papermill raises PapermillExecutionError, kernels others
            raise _failure(nb, executed, exc, paths, period) from None
        scrub_timings(executed, f"notebooks/{nb.name}")
        export_html(executed, stage / f"{nb.stem}.html", lang, titles[nb.stem], resources)
        timings[nb.stem] = time.perf_counter() - started
        say(f"[{i}/{len(nbs)}] {nb.name} ({timings[nb.stem]:.1f} s)")

    titles = {
        nb.stem: t(f"title_{nb.stem}", lang) if f"title_{nb.stem}" in _catalogue() else nb.stem
        for nb in nbs
    }
    resources = page_resources(
        period, paths, lang, [(f"{nb.stem}.html", titles[nb.stem]) for nb in nbs]
    )
    (stage / "notebooks").mkdir()
    kernels: dict = {}
    try:
        kernels = start_kernels(nbs, kernel_name(), notebook_dir)
        run_one(1, nbs[0])  # cleaning first: every later notebook reads its output
        with ThreadPoolExecutor(
            max_workers=max(1, len(nbs) - 1)
        ) as pool:  # kernels are processes: all at once
            futures = [pool.submit(run_one, i, nb) for i, nb in enumerate(nbs[1:], 2)]
            errors = [f.exception() for f in futures]
        first_error = next((e for e in errors if e is not None), None)
        if first_error is not None:
            raise first_error
        for i, nb in enumerate(nbs, 1):
            note(f"[{i}/{len(nbs)}] {nb.name}")
            pages.append((f"{nb.stem}.html", titles[nb.stem]))
        executed = [stage / "notebooks" / nb.name for nb in nbs]
        cover_html = index_page(period, paths, pages, executed, lang, resources["report_banner"])
        (stage / "index.html").write_text(cover_html, encoding="utf-8")
        (stage / "manifest.json").write_text(
            json.dumps(manifest(period, paths, lang, timings), indent=2) + "\n", encoding="utf-8"
        )
        note("privacy check: processed data, pages, executed notebooks, manifest, log")
        say("privacy check")
        (stage / "run.log").write_text("\n".join(log_lines) + "\n", encoding="utf-8")
        leaks = check_privacy([stage, paths.processed(period)], paths.raw(period))
        if leaks:
            kept = _keep_failed(stage, paths, period)
            more = f" (and {len(leaks) - 1} more)" if len(leaks) > 1 else ""
            raise AnalysisError(
                f"Privacy check failed, so the report for {period} was not published: "
                f"{leaks[0]}{more}; the pages are kept at {kept} for inspection."
            )
        target = paths.report(period)
        swap_in(stage, target)
        shutil.rmtree(paths.reports_dir / "_failed" / period, ignore_errors=True)
        return target / "index.html"
    finally:
        kernels_down(kernels.values())
        shutil.rmtree(stage, ignore_errors=True)


def _keep_failed(stage: Path, paths: Paths, period: str) -> Path:
    """Move a staged report that must not be published to reports/_failed/<period>/ for inspection."""
    failed = paths.reports_dir / "_failed" / period
    shutil.rmtree(failed, ignore_errors=True)
    failed.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(stage), failed)
    return failed


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


def _catalogue() -> dict:

    return catalogue()


def _failure(nb: Path, executed: Path, exc: Exception, paths: Paths, period: str) -> AnalysisError:
    """Keep the failed executed notebook and describe the failure in one sentence."""
    failed_dir = paths.reports_dir / "_failed" / period
    failed_dir.mkdir(parents=True, exist_ok=True)
    kept = failed_dir / nb.name
    if executed.exists():
        shutil.copy2(executed, kept)
    cell = getattr(exc, "exec_count", None) or getattr(exc, "cell_index", None)
    what = f"{getattr(exc, 'ename', type(exc).__name__)}: {str(getattr(exc, 'evalue', exc)).splitlines()[0][:200] if str(getattr(exc, 'evalue', exc)) else ''}"
    where = f" in cell {cell}" if cell is not None else ""
    return AnalysisError(
        f"Notebook {nb.name} failed{where} ({what}); the executed notebook is kept at {kept} "
        f"and the previous report for {period} is unchanged."
    )
