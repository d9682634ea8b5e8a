"""The monthly report: run every notebook, export pages, check privacy, publish atomically.

Notebooks run (papermill, `analysis.report.run`) into a staging folder for executed notebooks;
each is exported to one offline page (`analysis.report.export`) in a second staging folder,
with the cover and the manifest. Only when every notebook succeeds and the privacy check finds
nothing are both swapped in: `reports/<period>/` gets only what officials may receive, and
the executed notebooks and run log go to `reports/_executed/<period>/` (analysts only). On
failure the executed notebook is kept under `reports/_failed/<period>/`, the previous report
is left as it was, and the error names the notebook and cell.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.pages.notebook import check_lang
from analysis.pages.text import catalogue, t
from analysis.paths import NOTEBOOKS_DIR, Paths, check_period
from analysis.report import cover
from analysis.report.export import export_html, page_resources
from analysis.report.kernels import shutdown as kernels_down
from analysis.report.kernels import start_kernels
from analysis.report.manifest import manifest
from analysis.report.pdf import Printer
from analysis.report.privacy import check_privacy
from analysis.report.run import failure, kernel_name, notebooks, run_notebook, scrub_timings
from analysis.report.takeaway import Report, make_takeaways
from analysis.settings import Settings, check, publication
from analysis.store import new_stage, swap_in


def _titles(nbs: list[Path], lang: str) -> dict[str, str]:
    return {
        nb.stem: t(f"title_{nb.stem}", lang) if f"title_{nb.stem}" in catalogue() else nb.stem
        for nb in nbs
    }


def publish_report(
    period: str,
    data_dir: str | Path | None = None,
    reports_dir: str | Path | None = None,
    lang: str = "id",
    log: Callable[[str], None] | None = None,
    notebook_dir: Path = NOTEBOOKS_DIR,
    settings: Settings | None = None,
    released: date | None = None,
) -> Path:
    """Run every notebook for `period`, export pages, write the cover, the tables, the single
    file, the PDF and the manifest, check privacy, swap in. `released`: the release date on the
    cover (default today)."""
    check_period(period)
    check_lang(lang)
    settings = check(settings or publication(), floors=True)
    paths = Paths.of(data_dir, reports_dir)
    say = log or (lambda _m: None)
    nbs = notebooks(notebook_dir)
    if not nbs:
        raise AnalysisError(f"No notebooks found in {notebook_dir}.")
    if not paths.raw(period).is_dir():
        raise AnalysisError(f"No raw data for {period}: folder {paths.raw(period)} does not exist.")
    params = {
        "period": period,
        "data_dir": str(paths.data_dir),
        "lang": lang,
        "publish": True,  # analyst-only cells (interactive maps) are skipped
        **settings.as_dict(),
    }
    titles = _titles(nbs, lang)
    pages = [(f"{nb.stem}.html", titles[nb.stem]) for nb in nbs]
    release = cover.release_info(period, lang, released)
    resources = page_resources(period, paths, lang, pages, release)
    timings: dict[str, float] = {}
    stage = new_stage(paths.report(period), prefix=f".staging-{period}-")
    executed_stage = new_stage(paths.executed(period))

    def run_one(i: int, nb: Path) -> None:
        started = time.perf_counter()
        executed = executed_stage / nb.name
        try:
            run_notebook(nb, executed, params, notebook_dir, km=kernels.get(nb))
        except Exception as exc:  # papermill raises PapermillExecutionError, kernels others
            raise failure(nb, executed, exc, paths.failed(period), period) from None
        scrub_timings(executed, nb.name)
        export_html(executed, stage / f"{nb.stem}.html", lang, titles[nb.stem], resources)
        timings[nb.stem] = time.perf_counter() - started
        say(f"[{i}/{len(nbs)}] {nb.name} ({timings[nb.stem]:.1f} s)")

    kernels: dict = {}
    printer = Printer().start()  # the PDF's browser starts while the notebooks run
    try:
        kernels = start_kernels(nbs, kernel_name(), notebook_dir)
        run_one(1, nbs[0])  # cleaning first: every later notebook reads its output
        with ThreadPoolExecutor(max_workers=max(1, len(nbs) - 1)) as pool:  # kernels: processes
            futures = [pool.submit(run_one, i, nb) for i, nb in enumerate(nbs[1:], 2)]
            errors = [f.exception() for f in futures]
        first_error = next((e for e in errors if e is not None), None)
        if first_error is not None:
            raise first_error
        executed = [executed_stage / nb.name for nb in nbs]
        report = Report(
            period,
            lang,
            stage,
            paths,
            pages,
            executed,
            release,
            resources["report_banner"],
            settings,
        )
        made = make_takeaways(report, say, printer)
        (stage / "manifest.json").write_text(
            json.dumps(manifest(period, paths, lang, settings, timings) | made, indent=2) + "\n",
            encoding="utf-8",
        )
        log_lines = [f"[{i}/{len(nbs)}] {nb.name}" for i, nb in enumerate(nbs, 1)]
        log_lines.append("privacy check: processed data, pages, executed notebooks, manifest, log")
        # the log stays identical between reruns; timings go to the manifest
        (executed_stage / "run.log").write_text("\n".join(log_lines) + "\n", encoding="utf-8")
        say("privacy check")
        leaks = check_privacy([stage, executed_stage, paths.processed(period)], paths.raw(period))
        if leaks:
            kept = _keep_failed(stage, executed_stage, paths.failed(period))
            more = f" (and {len(leaks) - 1} more)" if len(leaks) > 1 else ""
            raise AnalysisError(
                f"Privacy check failed, so the report for {period} was not published: "
                f"{leaks[0]}{more}; the pages are kept at {kept} for inspection."
            )
        swap_in(executed_stage, paths.executed(period))
        swap_in(stage, paths.report(period))
        shutil.rmtree(paths.failed(period), ignore_errors=True)
        return paths.report(period) / "index.html"
    finally:
        printer.close()
        kernels_down(kernels.values())
        shutil.rmtree(stage, ignore_errors=True)
        shutil.rmtree(executed_stage, ignore_errors=True)


def _keep_failed(stage: Path, executed_stage: Path, failed: Path) -> Path:
    """Move a staged report that must not be published to reports/_failed/<period>/ for inspection."""
    shutil.rmtree(failed, ignore_errors=True)
    failed.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(stage), failed)
    shutil.move(str(executed_stage), failed / "notebooks")
    return failed
