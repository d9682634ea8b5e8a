"""Executed notebooks → offline HTML pages: no code, prompts or stderr, one language, nothing fetched.

Cells tagged `remove` (analyst-only output) and the other language's narrative never reach a
page; pages carry the report's navigation, the demo-data banner and a provenance footer.
"""

from __future__ import annotations

from pathlib import Path

from analysis.ingest.pseudonyms import is_untouched_demo
from analysis.pages.published import DOWNLOAD_MIME
from analysis.pages.text import LANGS, fmt_month, t
from analysis.paths import Paths
from analysis.reference import region_name
from analysis.report.bundle import CSP
from analysis.report.cover import REPORT_CSS, Release
from analysis.report.downloads import area_prefix, link_downloads
from analysis.report.lab_lang import show_all

TEMPLATES = Path(__file__).with_name("templates")
#: Cells whose outputs are for analysts only (never on a page, never in any published file).
REMOVE_TAG = "remove"


def export_html(
    executed: Path, out: Path, lang: str, title: str, resources: dict | None = None
) -> None:
    """Export an executed notebook to one offline HTML page without code, prompts or stderr."""
    import nbformat  # lazy: the CLI starts without Jupyter
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

    other = [x for x in LANGS if x != lang]
    nb = show_all(nbformat.read(executed, as_version=4))  # lab-lang's raw cells back to markdown
    nb.metadata["title"] = title
    exporter = HTMLExporter(
        template_name="offline",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags={f"lang-{o}" for o in other} | {REMOVE_TAG}),
        enabled=True,
    )
    exporter.register_preprocessor(DropNoise(), enabled=True)
    page = dict(resources or {})
    page["report_nav"] = [
        (href, name, href == out.name) for href, name in page.get("report_nav", [])
    ]
    body, _ = exporter.from_notebook_node(nb, resources={"language_code": lang, **page})
    out.write_text(
        link_downloads(body, lang, published_ids(nb), area_prefix(out.stem)), encoding="utf-8"
    )


def published_ids(nb) -> set[str]:
    """The ids of the published tables a notebook shows on its page (not in removed cells)."""
    return {
        output["data"][DOWNLOAD_MIME]["id"]
        for cell in nb.cells
        if REMOVE_TAG not in cell.get("metadata", {}).get("tags", [])
        for output in cell.get("outputs", [])
        if DOWNLOAD_MIME in output.get("data", {})
    }


def page_resources(
    period: str, paths: Paths, lang: str, pages: list[tuple[str, str]], release: Release
) -> dict:
    """What every page shows around the notebook: navigation, the demo-data banner, the report's
    styles, and a footer with the release, the producing unit and whom to ask."""
    demo = is_untouched_demo(paths.raw(period))
    return {
        "report_csp": CSP,
        "report_nav": [("index.html", t("nav_cover", lang)), *pages],
        "report_nav_label": t("nav_label", lang),
        "report_banner": t("banner_demo", lang) if demo else "",
        "report_css": REPORT_CSS.read_text(encoding="utf-8"),
        "report_footer": t(
            "page_footer",
            lang,
            month=fmt_month(period, lang),
            place=region_name(paths.region, paths.reference),
            unit=release.unit,
            release=release.line(lang),
            contact=t("release_contact", lang, contact=release.contact),
        ),
    }
