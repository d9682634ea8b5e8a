"""The report's cover page (index.html): the message first, then the figures, the take-away files,
the pages, the terms, and where the data came from.

Like BPS's *Berita Resmi Statistik*, the cover opens with a few plain sentences (the level, the
change since last month, where, why, what to do), then **Langkah berikutnya**: the kelurahan to
visit first (the outreach page's visit plan), each with its reasons. Nothing is computed again here: each notebook's last cell
displays its cover pieces (`analysis.pages.text.Cards`: figure cards, summary sentences, next
steps, facts per kelurahan), and this module reads them back from the executed notebooks, so the
cover always shows exactly the pages' numbers.
"""

from __future__ import annotations

import calendar
import html
import json
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from analysis.errors import AnalysisError
from analysis.pages.text import (
    CARDS_MIME,
    COVER_MIME,
    catalogue,
    fmt_date,
    fmt_int,
    fmt_list,
    fmt_month,
    t,
)
from analysis.paths import RAW_STEMS, ROOT
from analysis.report.bundle import CSP

TEMPLATE_DIR = Path(__file__).with_name("templates") / "cover"
REPORT_CSS = Path(__file__).with_name("templates") / "report.css"
RELEASE_FILE = ROOT / "config" / "release.toml"
#: How many kelurahan the cover's next steps name.
STEPS = 3


@dataclass(frozen=True)
class Release:
    """When the report was released, how far its data reach, who made it and whom to ask."""

    released: date
    cutoff: date
    unit: str
    contact: str

    def line(self, lang: str) -> str:
        """'Dirilis 1 November 2026 · data sampai 31 Oktober 2026'."""
        return t(
            "release_line",
            lang,
            released=fmt_date(self.released, lang),
            cutoff=fmt_date(self.cutoff, lang),
        )


def release_info(period: str, lang: str, released: date | None = None) -> Release:
    """The release facts of a report: today (or `released`), the last day of the reporting month,
    and the producing unit and contact line of config/release.toml."""
    try:
        data = tomllib.loads(RELEASE_FILE.read_text(encoding="utf-8"))["release"]
        unit, contact = data[f"unit_{lang}"], data[f"contact_{lang}"]
    except FileNotFoundError:
        raise AnalysisError(f"{RELEASE_FILE.name} is missing; restore it from git.") from None
    except KeyError as missing:
        raise AnalysisError(
            f"{RELEASE_FILE.name} does not set {missing} under [release]."
        ) from None
    year, month = int(period[:4]), int(period[5:7])
    cutoff = date(year, month, calendar.monthrange(year, month)[1])
    return Release(released or date.today(), cutoff, unit, contact)


def collect_cards(executed: list[Path]) -> list[dict]:
    """Every cover card the executed notebooks displayed, in notebook order."""
    return [card for card, _ in _outputs(executed, CARDS_MIME, many=True)]


def collect_cover(executed: list[Path]) -> dict:
    """The cover's message pieces of every notebook: summary sentences, steps (by page), facts."""
    out: dict = {"summary": [], "steps": {}, "facts": {}}
    for piece, page in _outputs(executed, COVER_MIME):
        out["summary"] += piece.get("summary", [])
        if piece.get("steps"):
            out["steps"][page] = piece["steps"]
        for code, fact in piece.get("facts", {}).items():
            out["facts"].setdefault(code, []).append(fact)
    out["summary"].sort(key=lambda s: s["rank"])
    return out


def _outputs(executed: list[Path], mime: str, many: bool = False):
    for path in executed:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            for output in cell.get("outputs", []):
                data = output.get("data", {}).get(mime)
                if data is None:
                    continue
                for item in data if many else [data]:
                    yield item, path.stem


#: The pages whose steps the cover takes, the first that has any: a region's overview (its
#: kabupaten/kota), next month's visit plan, the awareness page's priority list, the coverage
#: page's kelurahan with the most workers not covered.
STEP_PAGES = ("region_overview", "05_outreach", "03_awareness_gaps", "02_coverage_map")


def next_steps(cover: dict, n: int = STEPS, lang: str = "id") -> list[dict]:
    """The places to start: next month's visit plan when the report has the outreach page (it
    weighs workers not covered by who has heard of the programme and who can afford it, and
    lets recently visited kelurahan wait their turn), else the awareness page's priority list,
    else the kelurahan with the most workers not covered; each with every page's reasons. In a
    region's report, the kabupaten/kota the overview names, each with the first kelurahan of its
    own visit plan."""
    steps = cover["steps"]
    chosen = next((steps[page] for page in STEP_PAGES if steps.get(page)), [])
    out = []
    for s in sorted(chosen, key=lambda s: s["rank"])[:n]:
        reasons = [*s["reasons"], *cover["facts"].get(s["code"], [])]
        first = _first_of_area(steps, s.get("area"), lang)
        if first is not None:
            reasons.append(first)
        out.append({**s, "reasons": reasons})
    return out


def _first_of_area(steps: dict, area: str | None, lang: str) -> str | None:
    """'visit X (Kecamatan) first': the first place of a kabupaten/kota's own steps (its visit
    plan, else its awareness or coverage page's), or None."""
    if not area:
        return None
    for page in STEP_PAGES[1:]:
        own = steps.get(f"{area}-{page}")
        if own:
            first = min(own, key=lambda s: s["rank"])
            return t("ov_step_first", lang, place=first["place"])
    return None


def summary_sentences(cover: dict, steps: list[dict], lang: str) -> list[str]:
    """Three to five plain sentences: level and change, where, why, cost — and what to do (a
    sentence marked `with_action`, e.g. what the visits did so far, follows the action in the
    same item, so the summary stays at five)."""
    lines = [s["text"] for s in cover["summary"] if not s.get("with_action")]
    after = [s["text"] for s in cover["summary"] if s.get("with_action")]
    if steps:
        places = fmt_list([s["place"] for s in steps], lang)
        return [*lines, " ".join([t("cover_summary_action", lang, places=places), *after])]
    return [*lines, *after]


def provenance(
    period: str,
    quality: dict | None,
    commit: str,
    lang: str,
    min_cell: int = 5,
    release: Release | None = None,
) -> list[tuple[str, str]]:
    """Where the figures come from, as (label, text) pairs: release, data, reference, privacy."""
    rows = [(t("prov_period", lang), fmt_month(period, lang))]
    if release is not None:
        rows += [
            (t("prov_release", lang), fmt_date(release.released, lang)),
            (
                t("prov_cutoff", lang),
                t("prov_cutoff_text", lang, cutoff=fmt_date(release.cutoff, lang)),
            ),
            (t("prov_unit", lang), release.unit),
            (t("prov_contact", lang), release.contact),
        ]
    if quality:
        files = [
            f"{t('file_' + s, lang)} ({fmt_int(quality[s]['rows_in'], lang)})"
            for s in RAW_STEMS
            if quality.get(s, {}).get("file")
        ]
        rows.append((t("prov_inputs", lang), ", ".join(files)))
    rows += [
        (t("prov_reference", lang), t("prov_reference_text", lang)),
        (t("prov_privacy", lang), t("prov_privacy_text", lang, k=min_cell)),
        (t("prov_code", lang), commit[:10]),
    ]
    return rows


def _stem(href: str) -> str:
    return href.removesuffix(".html")


def rich(text: str) -> Markup:
    """A message with **bold** as HTML, everything else escaped."""
    return Markup(re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html.escape(text)))


def glossary(lang: str) -> list[Markup]:
    """The terms of the report, in the catalogue's order."""
    return [rich(t(k, lang)) for k in catalogue() if k.startswith("gloss_")]


def render(
    period: str,
    lang: str,
    cards: list[dict],
    pages: list[tuple[str, str]],
    prov: list[tuple[str, str]],
    banner: str = "",
    cover: dict | None = None,
    release: Release | None = None,
    takeaway: dict | None = None,
    place: str = "Kota Surakarta",
    groups: list[tuple[str, list[tuple[str, str]]]] | None = None,
) -> str:
    """The cover page as HTML (self-contained: inline CSS, no scripts, nothing fetched).

    `takeaway`: {"pdf": href or "" (with "pdf_missing": True when it could not be made),
    "single": (href, size text) or None, "tables": [(page title, [(title, csv, xlsx)])]}.
    `place` is the region the report is for; `groups` are further pages under headings (each
    kabupaten/kota's pages in a report of several).
    """
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR), autoescape=select_autoescape(["html", "j2"])
    )
    cover = cover or {"summary": [], "steps": {}, "facts": {}}
    steps = next_steps(cover, lang=lang)
    stems = {href.removesuffix(".html") for href, _ in pages}
    stems |= {href.removesuffix(".html") for _, group in groups or [] for href, _ in group}
    ordered = sorted(cards, key=lambda c: int(c.get("rank", 50)))
    return env.get_template("index.html.j2").render(
        csp=CSP,
        lang=lang,
        t=lambda key, **kw: t(key, lang, **kw),
        title=t("region_report_title", lang, place=place, month=fmt_month(period, lang)),
        lead=t("cover_lead", lang),
        banner=banner,
        release=release.line(lang) if release else "",
        contact=f"{release.unit} · {t('release_contact', lang, contact=release.contact)}"
        if release
        else "",
        summary=[rich(s) for s in summary_sentences(cover, steps, lang)],
        steps=[
            {
                **s,
                "reasons": "; ".join(s["reasons"]),
                # a region's step is a kabupaten/kota: its own visit plan is one tap away
                "link": s["href"] if s.get("area") and _stem(s["href"]) in stems else "",
            }
            for s in steps
        ],
        steps_href=steps[0]["href"]
        if steps and steps[0]["href"].removesuffix(".html") in stems
        else "",
        cards=[
            {**c, "href": f"{c['page']}.html" if c.get("page") in stems else ""} for c in ordered
        ],
        pages=[
            {
                "href": href,
                "title": title,
                "desc": t(f"desc_{href.removesuffix('.html')}", lang)
                if f"desc_{href.removesuffix('.html')}" in catalogue()
                else "",
            }
            for href, title in pages
        ],
        groups=[
            {"heading": h, "pages": [{"href": a, "title": b} for a, b in g]}
            for h, g in groups or []
        ],
        takeaway=takeaway,
        glossary=glossary(lang),
        provenance=prov,
        report_css=Markup(REPORT_CSS.read_text(encoding="utf-8")),
    )
