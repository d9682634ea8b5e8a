"""The whole report as one self-contained HTML file, to forward by WhatsApp or e-mail.

The cover and every page are exported with markers around their content (`<!--report:main-->`);
this module puts those contents one after another in a single file with one stylesheet, one
table of contents and the demo banner once. Links between pages become links within the file,
each page's anchors are prefixed with its name (pages share heading names such as 'Cara
menghitung'), and the download links are left out (the tables stay in the report folder). The
file fetches nothing and runs no script; its Content-Security-Policy says so.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from analysis.pages.text import fmt_num, t

START, END = "<!--report:main-->", "<!--/report:main-->"
#: Every published page (the cover, each page, the single file): no script may run, images only
#: from data: URIs, inline styles only, nothing fetched — a value typed into a raw file can never
#: become live markup.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
_STYLE = re.compile(r"<style[^>]*>.*?</style>", re.S)
_ID = re.compile(r'\bid="([^"]+)"')
_HREF = re.compile(r'\bhref="([^"]*)"')


def part_id(stem: str) -> str:
    """The anchor of one page of the report inside the single file."""
    return f"halaman-{stem}"


def main_of(page: str) -> str:
    """The content of an exported page between its markers."""
    try:
        return page[page.index(START) + len(START) : page.index(END)]
    except ValueError:
        raise ValueError("an exported page has no content markers") from None


def _relink(body: str, stem: str, stems: set[str]) -> str:
    """Prefix the page's anchors and turn links to other pages into links within the file."""
    body = _ID.sub(lambda m: f'id="{stem}--{m.group(1)}"', body)

    def href(m: re.Match) -> str:
        target = html.unescape(m.group(1))
        page, _, anchor = target.partition("#")
        if not page:
            return f'href="#{stem}--{anchor}"'
        name = page.removesuffix(".html")
        if page.endswith(".html") and name in stems:
            return f'href="#{f"{name}--{anchor}" if anchor else part_id(name)}"'
        return m.group(0)

    body = _HREF.sub(href, body)
    body = re.sub(r'<p class="tbl-dl">.*?</p>', "", body, flags=re.S)
    return re.sub(r'<section class="takeaway[^"]*".*?</section>', "", body, flags=re.S)


def single_file(
    folder: Path, parts: list[tuple[str, str]], title: str, lang: str, banner: str, release: str
) -> str:
    """The single-file report from the exported cover and pages in `folder`.

    `parts`: (stem, title) in reading order, the cover ('index') first.
    """
    styles: list[str] = []
    sections = []
    stems = {stem for stem, _ in parts}
    for stem, _ in parts:
        page = (folder / f"{stem}.html").read_text(encoding="utf-8")
        head = page[: page.index("</head>")]
        for style in _STYLE.findall(head):
            if style not in styles:
                styles.append(style)
        body = _relink(main_of(page), stem, stems)
        if stem == "index":
            body = f'<div class="cover"><h1>{html.escape(title)}</h1>{body}</div>'
        sections.append(f'<section class="report-part" id="{part_id(stem)}">{body}</section>')
    nav = "".join(f'<a href="#{part_id(stem)}">{html.escape(name)}</a>' for stem, name in parts)
    top = f'<p class="report-banner">{html.escape(banner)}</p>' if banner else ""
    note = html.escape(t("cover_single_note", lang))
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        f"<title>{html.escape(title)}</title>\n"
        + "\n".join(styles)
        + '\n</head>\n<body class="jp-Notebook single-file" data-jp-theme-light="true">\n<main>\n'
        f'<nav class="report-nav" aria-label="{html.escape(t("single_nav_label", lang))}">{nav}</nav>\n'
        f'{top}<p class="report-release">{html.escape(release)}</p>'
        f'<p class="report-release no-print">{note}</p>\n'
        + "\n".join(sections)
        + "\n</main>\n</body>\n</html>\n"
    )


def human_size(n: int, lang: str) -> str:
    """A file size for people: '2,1 MB' (id), '2.1 MB' (en)."""
    return f"{fmt_num(n / 1_000_000, lang, 1)} MB"
