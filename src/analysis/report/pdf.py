"""The whole report as one A4 PDF, printed by headless Chromium from the single-file report.

Playwright drives Debian's Chromium (`page.pdf`: A4, backgrounds, the page size of the CSS), with
every network request refused; the print styles hide the navigation, start each page of the
report on a new sheet and keep figures and table rows whole. Folded tables are opened first, so
the PDF holds every table. Without Chromium (or Playwright) the report is still published and
its cover says plainly that the PDF could not be made.
"""

from __future__ import annotations

import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from html import escape
from pathlib import Path

#: Chromium's flags for a headless, offline print.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
#: Seconds the print may take before it is given up.
TIMEOUT_S = 120
#: The PDF's own timestamps are set to this, so identical reports give identical files.
_FIXED_DATE = b"D:20000101000000+00'00'"


def chromium() -> str | None:
    """Debian's Chromium (or chromium-browser) on this machine, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def footer(title: str) -> str:
    """The line at the foot of every PDF page: the report's title and 'page / pages'."""
    return (
        '<div style="font-size:7.5pt;color:#555;width:100%;padding:0 12mm;'
        'font-family:system-ui,sans-serif;display:flex;justify-content:space-between">'
        f'<span>{escape(title)}</span><span><span class="pageNumber"></span> / '
        '<span class="totalPages"></span></span></div>'
    )


def _print(source: Path, target: Path, title: str, browser_path: str) -> None:
    from playwright.sync_api import sync_playwright  # lazy: only when a PDF is made

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path, args=FLAGS)
        try:
            page = browser.new_page()
            page.route(
                "**/*",
                lambda r: (
                    r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort()
                ),
            )
            page.goto(source.resolve().as_uri(), wait_until="load", timeout=TIMEOUT_S * 1000)
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
            page.emulate_media(media="print")
            page.pdf(
                path=str(target),
                format="A4",
                print_background=True,
                prefer_css_page_size=True,
                display_header_footer=True,
                header_template="<div></div>",
                footer_template=footer(title),
            )
        finally:
            browser.close()


def _fix_dates(pdf: Path) -> None:
    """Set the PDF's creation and modification times to a fixed value of the same length (so
    the file's offsets hold), making reruns give identical files."""
    data = pdf.read_bytes()

    def fixed(m: re.Match) -> bytes:
        stamp = m.group(2)
        return m.group(1) + (_FIXED_DATE if len(stamp) == len(_FIXED_DATE) else stamp) + b")"

    pdf.write_bytes(re.sub(rb"(/(?:CreationDate|ModDate) \()(D:[^)]*)\)", fixed, data))


def write_pdf(source: Path, target: Path, title: str) -> str | None:
    """Print `source` (the single-file report) to `target`; None when done, else why not.

    Runs in its own thread, so that it works from a notebook's running event loop too.
    """
    browser_path = chromium()
    if browser_path is None:
        return "Chromium is not installed"
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(_print, source, target, title, browser_path).result(timeout=TIMEOUT_S)
    except ImportError:
        return "Playwright is not installed"
    except Exception as exc:  # a browser that fails must not stop the report
        target.unlink(missing_ok=True)
        return f"Chromium could not print the report ({type(exc).__name__})"
    _fix_dates(target)
    return None
