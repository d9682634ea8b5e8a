"""The monthly report: run every notebook, export pages, check privacy, publish atomically.

Notebooks run (papermill, `analysis.report.run`) into a staging folder for executed notebooks;
each is exported to one offline page (`analysis.report.export`) in a second staging folder.
Every published table is audited together, the pages' and the downloads' (`analysis.report
.disclosure`: no suppressed cell may be worked out from the published totals); then the
take-away files are written (`analysis.report.takeaway`: every table as CSV and XLSX, the cover,
the single-file report and the PDF) with the manifest, and the privacy scanner runs over the
published folder (`check_published`: every table and download gated, no small count outside
one) and over everything written (`check_privacy`: no NIK or name).
Only when all of that passes are both folders swapped in: `reports/<period>/` gets only what
officials may receive, and the executed notebooks and run log go to
`reports/_executed/<period>/` (analysts only). On failure the executed notebook is kept under
`reports/_failed/<period>/`, the previous report is left as it was, and the error names the
notebook and cell (or the check that failed).
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
from analysis.paths import NOTEBOOKS_DIR, Paths, check_inside, check_period
from analysis.reference import units
from analysis.report import cover
from analysis.report.disclosure import check_disclosure, collect_records
from analysis.report.downloads import collect_tables
from analysis.report.downloads import records as download_records
from analysis.report.export import export_html, page_resources
from analysis.report.kernels import shutdown as kernels_down
from analysis.report.kernels import start_kernels
from analysis.report.manifest import manifest
from analysis.report.pdf import Printer
from analysis.report.privacy import check_privacy, check_published
from analysis.report.run import failure, kernel_name, notebooks, run_notebook, scrub_timings
from analysis.report.takeaway import Report, make_takeaways
from analysis.settings import Settings, check, publication
from analysis.store import new_stage, read_quality, swap_in


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
    for folder in (paths.report(period), paths.executed(period), paths.failed(period)):
        check_inside(folder, paths.reports_dir)  # before anything is written or deleted
    stage = new_stage(paths.report(period), f".staging-{period}-", paths.reports_dir)
    executed_stage = new_stage(paths.executed(period), None, paths.reports_dir)

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
        # the audit sees every table a reader gets: the pages' and the downloads' (CSV, XLSX)
        tables = collect_tables(executed)
        records = collect_records(executed) + download_records(tables)
        log_lines = [f"[{i}/{len(nbs)}] {nb.name}" for i, nb in enumerate(nbs, 1)]
        log_lines.append("disclosure audit: every published table together (pages and downloads)")
        log_lines.append("privacy check: processed data, pages, executed notebooks, manifest, log")
        # the log stays identical between reruns; timings go to the manifest
        (executed_stage / "run.log").write_text("\n".join(log_lines) + "\n", encoding="utf-8")
        say("disclosure audit")
        try:
            audited = check_disclosure(records, period)
        except AnalysisError as exc:
            _keep_failed(stage, executed_stage, paths.failed(period))
            raise AnalysisError(f"{exc} The pages are kept at {paths.failed(period)}.") from None
        made = make_takeaways(report, say, printer, tables)
        provenance = manifest(period, paths, lang, settings, timings, records, audited.summary())
        (stage / "manifest.json").write_text(
            json.dumps(provenance | made, indent=2) + "\n", encoding="utf-8"
        )
        say("privacy check")
        leaks = check_published(stage, settings.min_cell) + check_privacy(
            [stage, executed_stage, paths.processed(period)],
            paths.raw(period),
            _place_names(paths, period),
        )
        if leaks:
            kept = _keep_failed(stage, executed_stage, paths.failed(period))
            more = f" (and {len(leaks) - 1} more)" if len(leaks) > 1 else ""
            raise AnalysisError(
                f"Privacy check failed, so the report for {period} was not published: "
                f"{leaks[0]}{more}; the pages are kept at {kept} for inspection."
            )
        swap_in(executed_stage, paths.executed(period), paths.reports_dir)
        swap_in(stage, paths.report(period), paths.reports_dir)
        _remove(paths.failed(period), paths.reports_dir)
        return paths.report(period) / "index.html"
    finally:
        printer.close()
        kernels_down(kernels.values())
        shutil.rmtree(stage, ignore_errors=True)
        shutil.rmtree(executed_stage, ignore_errors=True)


def _place_names(paths: Paths, period: str) -> list[str]:
    """The region's kelurahan and kecamatan names: public words, never taken for a person's name."""
    folder = paths.processed(period)
    region = read_quality(folder)["region"] if (folder / "quality.json").exists() else None
    u = units(region, paths.reference) if region else units(reference_dir=paths.reference)
    return [*u["kelurahan"].unique(), *u["kecamatan"].unique()]


def _remove(folder: Path, root: Path) -> None:
    """Delete a folder under `root`, refusing one reached through a link out of `root`."""
    check_inside(folder, root)
    shutil.rmtree(folder, ignore_errors=True)


def _keep_failed(stage: Path, executed_stage: Path, failed: Path) -> Path:
    """Move a staged report that must not be published to reports/_failed/<period>/ for inspection."""
    _remove(failed, stage.parent)
    failed.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(stage), failed)
    shutil.move(str(executed_stage), failed / "notebooks")
    return failed
