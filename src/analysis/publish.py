"""The monthly report: run every notebook through papermill, export HTML without code, publish atomically.

Notebooks run in order in a staging folder, each exported to a self-contained HTML page (no
code, no prompts, no stderr, the other language's narrative removed, nothing fetched from
the internet). Only when all succeed is `reports/<period>/` replaced; on failure the
executed notebook is kept under `reports/_failed/<period>/`, the previous report is left
as it was, and the error names the notebook and cell.
"""

from __future__ import annotations

import html
import json
import platform
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.paths import KERNEL_NAME, NOTEBOOKS_DIR, ROOT, Paths, check_period, sha256_file
from analysis.privacy import check_privacy
from analysis.text import check_lang, fmt_month, t

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
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().find_kernel_specs()
    return KERNEL_NAME if KERNEL_NAME in specs else "python3"


def _parameters(nb: Path, params: dict) -> dict:
    """Keep only parameters the notebook declares (papermill would warn and carry on otherwise)."""
    import papermill as pm

    declared = pm.inspect_notebook(str(nb))
    missing = [k for k in ("period", "data_dir", "lang") if k not in declared]
    if missing:
        raise AnalysisError(
            f"{nb.name} has no parameter {', '.join(missing)} in its 'parameters' cell."
        )
    return {k: v for k, v in params.items() if k in declared}


def run_notebook(nb: Path, out: Path, params: dict, cwd: Path = NOTEBOOKS_DIR) -> None:
    """Execute one notebook with papermill (in this process's event loop) into `out`."""
    import papermill as pm

    pm.execute_notebook(
        str(nb),
        str(out),
        parameters=_parameters(nb, params),
        kernel_name=kernel_name(),
        progress_bar=False,
        cwd=str(cwd),
        log_output=False,
    )


def export_html(executed: Path, out: Path, lang: str, title: str) -> None:
    """Export an executed notebook to one offline HTML page without code, prompts or stderr."""
    import nbformat
    from nbconvert.exporters import HTMLExporter
    from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

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
    body, _ = exporter.from_notebook_node(nb, resources={"language_code": lang})
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


def index_page(period: str, pages: list[tuple[str, str]], lang: str) -> str:
    """A cover page linking every page of the report (the monthly-report issue adds headline figures)."""
    items = "\n".join(
        f'<li><a href="{html.escape(href)}">{html.escape(title)}</a></li>' for href, title in pages
    )
    title = t("report_title", lang, month=fmt_month(period, lang))
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:46rem;margin:0 auto;padding:1rem;line-height:1.5}}
li{{margin:.4rem 0}}</style></head>
<body><h1>{html.escape(title)}</h1><ul>{items}</ul></body></html>
"""


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
    paths.reports_dir.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".staging-{period}-", dir=paths.reports_dir))
    stage.chmod(0o755)  # mkdtemp makes it private; a published report is for reading
    # `publish` (when a notebook declares it) skips analyst-only cells such as interactive maps
    params = {"period": period, "data_dir": str(paths.data_dir), "lang": lang, "publish": True}
    timings: dict[str, float] = {}
    pages: list[tuple[str, str]] = []
    log_lines: list[str] = []

    def note(message: str, timing: str = "") -> None:
        log_lines.append(message)  # the log stays identical between reruns; timings go to the manifest
        say(message + timing)

    try:
        for i, nb in enumerate(nbs, 1):
            started = time.perf_counter()
            executed = stage / "notebooks" / nb.name
            executed.parent.mkdir(exist_ok=True)
            try:
                run_notebook(nb, executed, params, notebook_dir)
            except Exception as exc:  # papermill raises PapermillExecutionError, kernels others
                raise _failure(nb, executed, exc, paths, period) from None
            scrub_timings(executed, f"notebooks/{nb.name}")
            title = t(f"title_{nb.stem}", lang) if f"title_{nb.stem}" in _catalogue() else nb.stem
            export_html(executed, stage / f"{nb.stem}.html", lang, title)
            timings[nb.stem] = time.perf_counter() - started
            pages.append((f"{nb.stem}.html", title))
            note(f"[{i}/{len(nbs)}] {nb.name}", f" ({timings[nb.stem]:.1f} s)")
        (stage / "index.html").write_text(index_page(period, pages, lang), encoding="utf-8")
        (stage / "manifest.json").write_text(
            json.dumps(manifest(period, paths, lang, timings), indent=2) + "\n", encoding="utf-8"
        )
        note("privacy check: processed data, pages, executed notebooks, manifest, log")
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
        old = target.with_name(f".old-{period}")
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            target.rename(old)
        stage.rename(target)
        shutil.rmtree(old, ignore_errors=True)
        shutil.rmtree(paths.reports_dir / "_failed" / period, ignore_errors=True)
        return target / "index.html"
    finally:
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
    import nbformat

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
    from analysis.text import catalogue

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
