"""The whole report as one A4 PDF, printed by headless Chromium from the single-file report.

Playwright drives Debian's Chromium (`page.pdf`: A4, backgrounds, the page size of the CSS), with
every network request refused; the print styles hide the navigation, start each page of the
report on a new sheet and keep figures whole. Folded tables are opened first, so the PDF holds
every table. One browser does it, started by a `Printer` when the report starts (while the
notebooks run), so printing costs only the print. Without Chromium (or Playwright) the report is
still published and its cover says plainly that the PDF could not be made.
"""

from __future__ import annotations

import queue
import re
import shutil
import threading
from concurrent.futures import Future
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
#: Seconds a print may take before it is given up.
TIMEOUT_S = 180
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


def _print(browser, source: Path, target: Path, title: str) -> None:
    page = browser.new_page()
    try:
        page.route(
            "**/*",
            lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort(),
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
        page.close()


def _fix_dates(pdf: Path) -> None:
    """Set the PDF's creation and modification times to a fixed value of the same length (so
    the file's offsets hold), making reruns give identical files."""
    data = pdf.read_bytes()

    def fixed(m: re.Match) -> bytes:
        stamp = m.group(2)
        return m.group(1) + (_FIXED_DATE if len(stamp) == len(_FIXED_DATE) else stamp) + b")"

    pdf.write_bytes(re.sub(rb"(/(?:CreationDate|ModDate) \()(D:[^)]*)\)", fixed, data))


class Printer:
    """One headless Chromium in its own thread (Playwright's sync API is bound to the thread
    that started it, and must not run inside a notebook's event loop), printing on demand."""

    def __init__(self) -> None:
        self._jobs: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._ready: Future = Future()

    def start(self) -> Printer:
        """Launch the browser in the background; returns at once."""
        path = chromium()
        if path is None:
            self._ready.set_result("Chromium is not installed")
            return self
        self._thread = threading.Thread(target=self._run, args=(path,), daemon=True)
        self._thread.start()
        return self

    def _run(self, path: str) -> None:
        try:
            from playwright.sync_api import sync_playwright  # lazy: only when a PDF is made
        except ImportError:
            self._ready.set_result("Playwright is not installed")
            return
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=path, args=FLAGS)
                self._ready.set_result(None)
                while (job := self._jobs.get()) is not None:
                    source, target, title, done = job
                    try:
                        _print(browser, source, target, title)
                        done.set_result(None)
                    except Exception as exc:  # a failed print must not stop the report
                        done.set_result(
                            f"Chromium could not print the report ({type(exc).__name__})"
                        )
                browser.close()
        except Exception as exc:  # the browser did not start
            if not self._ready.done():
                self._ready.set_result(f"Chromium could not start ({type(exc).__name__})")

    def print(self, source: Path, target: Path, title: str) -> str | None:
        """Print `source` (the single-file report) to `target`: None when done, else why not."""
        try:
            problem = self._ready.result(timeout=TIMEOUT_S)
            if problem is None:
                done: Future = Future()
                self._jobs.put((source, target, title, done))
                problem = done.result(timeout=TIMEOUT_S)
        except TimeoutError:
            problem = "Chromium did not answer in time"
        if problem:
            target.unlink(missing_ok=True)
            return problem
        _fix_dates(target)
        return None

    def close(self) -> None:
        """Stop the browser (when it was started)."""
        if self._thread is not None and self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join(timeout=30)
