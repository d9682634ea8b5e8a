"""The report's cover page (index.html): headline figures, the pages, and where the data came from.

The figures are not computed again here: each notebook's last cell displays its cover figures
(`analysis.pages.text.Cards`), and this module reads them back from the executed notebooks, so the
cover always shows exactly the numbers of the pages.
"""

from __future__ import annotations

import json
from pathlib import Path

from jinja2 import (
    Environment,
    FileSystemLoader,
    select_autoescape,
)

from analysis.pages.text import CARDS_MIME, catalogue, fmt_int, fmt_month, t
from analysis.paths import RAW_STEMS
from analysis.report.export import CSP

TEMPLATE_DIR = Path(__file__).with_name("templates") / "cover"


def collect_cards(executed: list[Path]) -> list[dict]:
    """Every cover card the executed notebooks displayed, in notebook order."""
    cards = []
    for path in executed:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            for output in cell.get("outputs", []):
                cards += output.get("data", {}).get(CARDS_MIME, [])
    return cards


def provenance(
    period: str, quality: dict | None, commit: str, lang: str, min_cell: int = 5
) -> list[tuple[str, str]]:
    """Where the figures come from, as (label, text) pairs: period, extracts read, reference data, code."""
    rows = [(t("prov_period", lang), fmt_month(period, lang))]
    if quality:
        files = [
            f"{quality[s]['file']} ({fmt_int(quality[s]['rows_in'], lang)})"
            for s in RAW_STEMS
            if quality.get(s, {}).get("file")
        ]
        rows.append((t("prov_inputs", lang), ", ".join(files)))
    rows += [
        (t("prov_reference", lang), t("prov_reference_text", lang)),
        (t("prov_privacy", lang), t("prov_privacy_text", lang, k=min_cell)),
        (t("prov_code", lang), commit[:10]),
        (t("prov_manifest", lang), t("prov_manifest_text", lang)),
    ]
    return rows


def render(
    period: str,
    lang: str,
    cards: list[dict],
    pages: list[tuple[str, str]],
    prov: list[tuple[str, str]],
    banner: str = "",
) -> str:
    """The cover page as HTML (self-contained: inline CSS, no scripts, nothing fetched)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR), autoescape=select_autoescape(["html", "j2"])
    )
    stems = {href.removesuffix(".html") for href, _ in pages}
    return env.get_template("index.html.j2").render(
        csp=CSP,
        lang=lang,
        title=t("report_title", lang, month=fmt_month(period, lang)),
        lead=t("cover_lead", lang),
        banner=banner,
        cards=[{**c, "href": f"{c['page']}.html" if c.get("page") in stems else ""} for c in cards],
        cards_label=t("cover_cards", lang),
        pages=[
            {
                "href": href,
                "title": title,
                "desc": t(f"desc_{href.removesuffix('.html')}", lang)
                if f"desc_{href.removesuffix('.html')}" in _catalogue()
                else "",
            }
            for href, title in pages
        ],
        pages_label=t("cover_pages", lang),
        provenance=prov,
        prov_label=t("cover_prov", lang),
    )


def _catalogue() -> dict:

    return catalogue()
