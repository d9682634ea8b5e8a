"""Executed notebooks → offline HTML pages: no code, prompts or stderr, one language, nothing fetched.

Cells tagged `remove` (analyst-only output) and the other language's narrative never reach a
page; pages carry the report's navigation, the demo-data banner and a provenance footer.
"""

from __future__ import annotations

from pathlib import Path

from analysis.ingest.pseudonyms import is_untouched_demo
from analysis.pages.text import LANGS, fmt_month, t
from analysis.paths import Paths
from analysis.report.lab_lang import show_all
from analysis.report.manifest import git_commit

TEMPLATES = Path(__file__).with_name("templates")
#: Every published page: no script may run, images only from data: URIs, inline styles only,
#: nothing fetched — a value typed into a raw file can never become live markup.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
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
    out.write_text(body, encoding="utf-8")


def page_resources(period: str, paths: Paths, lang: str, pages: list[tuple[str, str]]) -> dict:
    """What every page shows around the notebook: navigation, the demo-data banner, a provenance footer."""
    demo = is_untouched_demo(paths.raw(period))
    return {
        "report_csp": CSP,
        "report_nav": [("index.html", t("nav_cover", lang)), *pages],
        "report_nav_label": t("nav_label", lang),
        "report_banner": t("banner_demo", lang) if demo else "",
        "report_footer": t(
            "page_footer", lang, month=fmt_month(period, lang), commit=git_commit()[:10]
        ),
    }
