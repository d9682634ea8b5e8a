"""What officials take away from a published report: the cover that links everything, every
table as CSV and XLSX, the whole report as one HTML file, and as one A4 PDF.

Order matters: the tables are written first (the pages already link to them), then the cover,
then the single-file report assembled from the cover and the pages, then the PDF printed from
that file; last, the cover is written again with the single file's size and whether the PDF
could be made.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from analysis.pages.text import fmt_month, t
from analysis.paths import Paths
from analysis.report import bundle, cover, downloads, pdf
from analysis.report.manifest import git_commit
from analysis.settings import Settings
from analysis.store import read_quality


def single_name(period: str) -> str:
    """The single-file report's name in the published folder."""
    return f"laporan_{period}.html"


def pdf_name(period: str) -> str:
    """The PDF's name in the published folder."""
    return f"laporan_{period}.pdf"


@dataclass
class Report:
    """One report being published: where it is staged and what it is made of."""

    period: str
    lang: str
    stage: Path
    paths: Paths
    pages: list[tuple[str, str]]  # (file name, title) of the region's own pages
    executed: list[Path]  # every executed notebook (their tables are downloads)
    release: cover.Release
    banner: str
    settings: Settings
    on_cover: list[Path] | None = None  # the notebooks whose cover pieces the cover shows
    place: str = "Kota Surakarta"  # the region the report is for
    #: each kabupaten/kota's pages under its name: (name, [(file name, title)])
    groups: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)

    def all_pages(self) -> list[tuple[str, str]]:
        """(file name, title) of every page in reading order: the region's, then each
        kabupaten/kota's (its title under its name)."""
        return self.pages + [
            (href, t("region_area_title", self.lang, area=name, title=title))
            for name, pages in self.groups
            for href, title in pages
        ]

    def cover_notebooks(self) -> list[Path]:
        """The executed notebooks the cover's message and figures come from."""
        return self.executed if self.on_cover is None else self.on_cover


def _index(r: Report, takeaway: dict, cover_parts: dict, cards: list[dict]) -> None:
    folder = r.paths.processed(r.period)
    quality = read_quality(folder) if (folder / "quality.json").exists() else None
    prov = cover.provenance(r.period, quality, git_commit(), r.lang, r.settings.min_cell, r.release)
    page = cover.render(
        r.period,
        r.lang,
        cards,
        r.pages,
        prov,
        r.banner,
        cover_parts,
        r.release,
        takeaway,
        place=r.place,
        groups=r.groups,
    )
    (r.stage / "index.html").write_text(page, encoding="utf-8")


def make_takeaways(
    r: Report,
    say: Callable[[str], None],
    printer: pdf.Printer,
    tables: list[downloads.TableFile] | None = None,
) -> dict:
    """Write the downloads (`tables`, collected from the executed notebooks unless given), the
    cover, the single file and the PDF (with `printer`, a browser started while the notebooks
    ran); what the manifest records."""
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    tables = downloads.collect_tables(r.executed) if tables is None else tables
    entries = downloads.write_downloads(tables, r.stage / downloads.FOLDER, r.period)
    every = r.all_pages()
    titles = dict(every)
    listing = [
        (
            titles[f"{stem}.html"],
            [
                (x.title, f"{downloads.FOLDER}/{x.id}.csv", f"{downloads.FOLDER}/{x.id}.xlsx")
                for x in tables
                if x.page == stem
            ],
        )
        for stem in [href.removesuffix(".html") for href, _ in every]
        if any(x.page == stem for x in tables)
    ]
    seconds["downloads"] = time.perf_counter() - started
    on_cover = r.cover_notebooks()
    cover_parts, cards = cover.collect_cover(on_cover), cover.collect_cards(on_cover)
    # a region's next steps name each kabupaten/kota's first place to visit: their pages' steps
    others = [p for p in r.executed if p not in on_cover]
    cover_parts["steps"] |= cover.collect_cover(others)["steps"] if others else {}
    takeaway = {"tables": listing, "pdf": "", "pdf_missing": False, "single": None}
    _index(r, takeaway, cover_parts, cards)

    started = time.perf_counter()
    title = t("region_report_title", r.lang, place=r.place, month=fmt_month(r.period, r.lang))
    parts = [("index", t("nav_cover", r.lang))] + [
        (href.removesuffix(".html"), name) for href, name in every
    ]
    single = r.stage / single_name(r.period)
    single.write_text(
        bundle.single_file(r.stage, parts, title, r.lang, r.banner, r.release.line(r.lang)),
        encoding="utf-8",
    )
    seconds["single_file"] = time.perf_counter() - started

    say("PDF")
    started = time.perf_counter()
    problem = printer.print(single, r.stage / pdf_name(r.period), title)
    seconds["pdf"] = time.perf_counter() - started
    if problem:
        say(f"the PDF could not be made: {problem}")
    takeaway |= {
        "pdf": "" if problem else pdf_name(r.period),
        "pdf_missing": bool(problem),
        "single": (single.name, bundle.human_size(single.stat().st_size, r.lang)),
    }
    _index(r, takeaway, cover_parts, cards)
    return {
        "downloads": entries,
        "single_file": single.name,
        "pdf": pdf_name(r.period) if not problem else None,
        "pdf_problem": problem,
        "step_seconds": {k: round(v, 2) for k, v in seconds.items()},
    }
