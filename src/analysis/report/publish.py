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

A region other than the default has its own folders (`analysis.paths.Paths`). A region of
several kabupaten/kota (Soloraya) is cleaned once by the first notebook; then the overview
notebook runs once and every other notebook once per kabupaten/kota (`area`), each page named
'<area>-<notebook>.html' — one notebook, many pages (`run.plan`). Notebooks run side by side in
warmed kernels, a few at a time, on every core.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.metrics.universe import RecordsAudit
from analysis.pages.notebook import check_lang
from analysis.pages.text import catalogue, t
from analysis.paths import DEFAULT_REGION, NOTEBOOKS_DIR, Paths, check_inside, check_period
from analysis.reference import areas, region_name, units
from analysis.report import cover
from analysis.report.disclosure import check_disclosure, collect_records
from analysis.report.downloads import collect_tables
from analysis.report.downloads import records as download_records
from analysis.report.export import export_html, page_resources
from analysis.report.kernels import reset as kernels_reset
from analysis.report.kernels import shutdown as kernels_down
from analysis.report.kernels import warm_kernels
from analysis.report.manifest import manifest
from analysis.report.pdf import Printer
from analysis.report.privacy import check_privacy, check_published
from analysis.report.run import (
    OVERVIEW,
    Job,
    failure,
    kernel_name,
    notebooks,
    plan,
    run_notebook,
    scrub_timings,
)
from analysis.report.takeaway import Report, make_takeaways
from analysis.settings import Settings, check, publication
from analysis.store import new_stage, read_quality, swap_in

#: Notebooks run side by side after the first: one more than the cores, so that one kernel
#: starting (importing) never leaves a core idle; at least three (the city's three pages).
WORKERS = max(3, (os.cpu_count() or 2) + 1)


def _title(stem: str, lang: str) -> str:
    return t(f"title_{stem}", lang) if f"title_{stem}" in catalogue() else stem


def _titles(jobs: list[Job], lang: str, reference: Path) -> dict[str, str]:
    """Each page's title: the notebook's, with the kabupaten/kota's name for its pages."""
    return {
        j.stem: t(
            "region_area_title",
            lang,
            area=region_name(j.area, reference),
            title=_title(j.notebook.stem, lang),
        )
        if j.area
        else _title(j.notebook.stem, lang)
        for j in jobs
    }


def _navigation(jobs: list[Job], titles: dict[str, str]):
    """The pages every page links to (the region's own), and a job's navigation: those, and on a
    kabupaten/kota's page its own pages (28 links on every page would be too many on a phone)."""
    # the overview first, where there is one: it is where a region's reader starts
    region_pages = sorted(
        (j for j in jobs if not j.area), key=lambda j: j.notebook.name != OVERVIEW
    )
    shared = [(f"{j.stem}.html", titles[j.stem]) for j in region_pages]

    def of(job: Job) -> list[tuple[str, str]]:
        own = [(f"{j.stem}.html", titles[j.stem]) for j in jobs if j.area and j.area == job.area]
        return shared + own

    return shared, of


def publish_report(
    period: str,
    data_dir: str | Path | None = None,
    reports_dir: str | Path | None = None,
    lang: str = "id",
    log: Callable[[str], None] | None = None,
    notebook_dir: Path = NOTEBOOKS_DIR,
    settings: Settings | None = None,
    released: date | None = None,
    region: str = DEFAULT_REGION,
) -> Path:
    """Run every notebook for `period` and `region`, export pages, write the cover, the tables,
    the single file, the PDF and the manifest, check privacy, swap in; returns the published
    index.html. `released`: the release date on the cover (default today)."""
    check_period(period)
    check_lang(lang)
    settings = check(settings or publication(), floors=True)
    paths = Paths.of(data_dir, reports_dir, region)
    parts = areas(region, paths.reference)  # an unknown region: one sentence
    say = log or (lambda _m: None)
    jobs = _jobs(period, paths, parts, notebook_dir)
    params = {
        "period": period,
        "data_dir": str(paths.data_dir),
        "lang": lang,
        "publish": True,  # analyst-only cells (interactive maps) are skipped
        "region": region,
        **settings.as_dict(),
    }
    titles = _titles(jobs, lang, paths.reference)
    pages, nav = _navigation(jobs, titles)
    release = cover.release_info(period, lang, released)
    resources = page_resources(period, paths, lang, pages, release)
    stage, executed_stage = _stages(paths, period)
    run = _Run(jobs, params, paths, period, notebook_dir, executed_stage, say)
    export = _exporter(stage, lang, titles, resources, nav)
    printer = Printer().start()  # the PDF's browser starts while the notebooks run
    try:
        run.all(export)
        groups = _groups(jobs, parts, lang, paths.reference)
        report = Report(
            period,
            lang,
            stage,
            paths,
            pages,
            [executed_stage / f"{j.stem}.ipynb" for j in jobs],
            release,
            resources["report_banner"],
            settings,
            on_cover=[executed_stage / f"{j.stem}.ipynb" for j in jobs if not j.area],
            place=region_name(paths.region, paths.reference),
            groups=groups,
        )
        # the audit sees every table a reader gets, the pages' and the downloads' (CSV, XLSX),
        # of the region's pages and every kabupaten/kota's together
        tables = collect_tables(report.executed)
        records = collect_records(report.executed) + download_records(tables)
        _run_log(run, executed_stage)
        audited = _audit(records, period, stage, executed_stage, paths, say)
        made = make_takeaways(report, say, printer, tables)
        facts = manifest(period, paths, lang, settings, run.timings, records, audited.summary())
        facts |= made | {"region": region, "areas": parts}
        (stage / "manifest.json").write_text(json.dumps(facts, indent=2) + "\n", encoding="utf-8")
        _finish(run, stage, executed_stage, paths, period, settings, say)
        return paths.report(period) / "index.html"
    finally:
        printer.close()
        kernels_down(run.started)
        shutil.rmtree(stage, ignore_errors=True)
        shutil.rmtree(executed_stage, ignore_errors=True)


def _exporter(
    stage: Path, lang: str, titles: dict[str, str], resources: dict, nav: Callable
) -> Callable[[Job, Path], None]:
    """What exports a job's executed notebook to its page in `stage`, with its navigation."""

    def export(job: Job, executed: Path) -> None:
        page_nav = [resources["report_nav"][0], *nav(job)]
        export_html(
            executed,
            stage / f"{job.stem}.html",
            lang,
            titles[job.stem],
            {**resources, "report_nav": page_nav},
        )

    return export


def _jobs(period: str, paths: Paths, parts: list[str], notebook_dir: Path) -> list[Job]:
    """The notebook runs of the report (`run.plan`), once there are notebooks and raw data."""
    nbs = notebooks(notebook_dir)
    if not nbs:
        raise AnalysisError(f"No notebooks found in {notebook_dir}.")
    if not paths.raw(period).is_dir():
        raise AnalysisError(f"No raw data for {period}: folder {paths.raw(period)} does not exist.")
    return plan(nbs, parts, notebook_dir)


def _stages(paths: Paths, period: str) -> tuple[Path, Path]:
    """New staging folders for the published pages and the executed notebooks, made only after
    every folder the report may write or delete is checked to be inside the reports folder."""
    for folder in (paths.report(period), paths.executed(period), paths.failed(period)):
        check_inside(folder, paths.reports_dir)  # before anything is written or deleted
    stage = new_stage(paths.report(period), f".staging-{period}-", paths.reports_dir)
    return stage, new_stage(paths.executed(period), None, paths.reports_dir)


def _groups(
    jobs: list[Job], parts: list[str], lang: str, reference: Path
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The cover's pages of each kabupaten/kota: (its name, [(href, title)]), titles without the
    area's name (they are listed under it)."""
    plain = {j.stem: _title(j.notebook.stem, lang) for j in jobs}
    return [
        (
            region_name(a, reference),
            [(href, title) for href, title, area in _pages(jobs, plain) if area == a],
        )
        for a in parts
    ]


def _audit(
    records: list[dict],
    period: str,
    stage: Path,
    executed_stage: Path,
    paths: Paths,
    say: Callable[[str], None],
) -> RecordsAudit:
    """The disclosure audit of the published tables' records; on failure the staged report is
    kept under reports/_failed/<period>/ and the error says so."""
    say("disclosure audit")
    try:
        return check_disclosure(records, period)
    except AnalysisError as exc:
        _keep_failed(stage, executed_stage, paths.failed(period))
        raise AnalysisError(f"{exc} The pages are kept at {paths.failed(period)}.") from None


def _pages(jobs: list[Job], titles: dict[str, str]) -> list[tuple[str, str, str]]:
    """(href, title, area) of every kabupaten/kota's page, in run order."""
    return [(f"{j.stem}.html", titles[j.stem], j.area) for j in jobs if j.area]


def _run_log(run, executed_stage: Path) -> None:
    """The run log (analysts only): the notebooks in run order and the checks; it stays
    identical between reruns (timings go to the manifest)."""
    log_lines = [f"[{i}/{len(run.jobs)}] {j.stem}.ipynb" for i, j in enumerate(run.jobs, 1)]
    log_lines.append("disclosure audit: every published table together (pages and downloads)")
    log_lines.append("privacy check: processed data, pages, executed notebooks, manifest, log")
    (executed_stage / "run.log").write_text("\n".join(log_lines) + "\n", encoding="utf-8")


def _finish(
    run, stage: Path, executed_stage: Path, paths: Paths, period: str, settings: Settings, say
) -> None:
    """The privacy scanner over the published folder (every table and download gated, no small
    count outside one) and over everything the run made (no NIK or name), then the swap (or
    not)."""
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


class _Run:
    """The notebook runs of one report: the first (cleaning) alone, then the rest side by side,
    WORKERS at a time, each worker with one warmed kernel (started while cleaning runs) that it
    keeps for its next notebook, emptied in between (`kernels.reset`): a region of seven
    kabupaten/kota starts four kernels, not twenty-three."""

    def __init__(self, jobs, params, paths, period, notebook_dir, executed_stage, say):
        self.jobs, self.params, self.paths, self.period = jobs, params, paths, period
        self.notebook_dir, self.executed_stage, self.say = notebook_dir, executed_stage, say
        self.timings: dict[str, float] = {}
        self.started: list = []  # every kernel started, to be sure none is left running
        self.lock = threading.Lock()

    def _kernels(self, jobs: list[Job], first: bool = False) -> list:
        """Warmed kernels for `jobs`, started together; each preloads its page's boundaries
        except the first job's when `first` (it cleans at once and needs no maps)."""
        regions = [
            None if first and i == 0 else (j.area or self.paths.region) for i, j in enumerate(jobs)
        ]
        managers = warm_kernels(
            [j.notebook for j in jobs], kernel_name(), self.notebook_dir, regions
        )
        with self.lock:
            self.started += managers
        return managers

    def one(self, i: int, job: Job, km, export, keep: bool = False) -> None:
        """Run one job in `km` and export its page."""
        started = time.perf_counter()
        executed = self.executed_stage / f"{job.stem}.ipynb"
        params = {**self.params, "area": job.area}
        try:
            run_notebook(job.notebook, executed, params, self.notebook_dir, km=km, keep=keep)
        except Exception as exc:  # papermill raises PapermillExecutionError, kernels others
            raise failure(
                job.notebook, executed, exc, self.paths.failed(self.period), self.period
            ) from None
        scrub_timings(executed, f"{job.stem}.ipynb")
        export(job, executed)
        self.timings[job.stem] = time.perf_counter() - started
        self.say(f"[{i}/{len(self.jobs)}] {job.stem}.ipynb ({self.timings[job.stem]:.1f} s)")

    def all(self, export) -> None:
        """Every job: the first (cleaning) alone, then the rest side by side."""
        first, rest = self.jobs[0], self.jobs[1:]
        workers = max(1, min(len(rest), WORKERS))
        ahead = self._kernels([first, *rest[:workers]], first=True)
        self.one(1, first, ahead[0], export)  # cleaning first: every later notebook reads it
        idle: queue.SimpleQueue = queue.SimpleQueue()
        for km in ahead[1:]:
            idle.put(km)

        def worker_job(i: int, job: Job) -> None:
            km = idle.get()
            try:
                self.one(i, job, km, export, keep=True)
            finally:  # emptied for the next notebook, or replaced if it died
                idle.put(km if kernels_reset(km) else self._kernels([job])[0])

        with ThreadPoolExecutor(max_workers=workers) as pool:  # kernels: processes
            futures = [pool.submit(worker_job, i, job) for i, job in enumerate(rest, 2)]
            errors = [f.exception() for f in futures]
        first_error = next((e for e in errors if e is not None), None)
        if first_error is not None:
            raise first_error


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
