"""The published pages in a real browser (Debian's headless Chromium, driven by Playwright), offline:
every chart and map visible and made for the screen, tables that never hide a column on a phone,
plain words, a cover that says where to start, downloads equal to the page tables, and a PDF that
renders. Screenshots at laptop and phone widths are written under the test's temporary folder
(or $SCREENSHOT_DIR)."""

import io
import math
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.report.pdf import FLAGS as PRINT_FLAGS

from conftest import need_poppler

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [*PRINT_FLAGS, "--disable-quic"]
WIDTHS = {"laptop": 1280, "phone": 390}
#: A cell the page shows as a number: '1.234', '9,7%', '+0,5', 'Rp201.600'.
NUMBER = re.compile(r"^[+-]?(?:Rp)?\d[\d.]*(?:,\d+)?%?$")
#: A phone's first screen (iPhone 12–15: 390 × 844 CSS px).
PHONE_SCREEN = {"width": 390, "height": 844}
#: How much smaller than its natural size a figure may be drawn (text stays legible).
MAX_SHRINK = 1.6
#: Words of developers, never of officials: file paths and types, column or rule codes
#: (snake_case), library and tool names, 'notebook'.
DEVELOPER_WORDS = re.compile(
    r"(?<![\w/])(?:data|reports|src|notebooks)/|\.(?:parquet|csv|json|ipynb|py)\b"
    r"|\b[a-z]+_[a-z0-9_]+\b"
    r"|\b(?:esda|svy|pysal|libpysal|statsmodels|rapidfuzz|mapclassify|geopandas|pandas|papermill"
    r"|nbconvert|matplotlib|duckdb|jupyter\w*|notebook|buku catatan|empirical bayes)\b",
    re.IGNORECASE,
)


def require_chromium():
    if not CHROMIUM:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs Debian's chromium)")
        pytest.skip("chromium is not installed: apt-get install -y chromium")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"screenshots in {folder}")
    return folder


def pages(report_dir):
    return sorted(report_dir.glob("*.html"))


def open_offline(browser, path: Path, width: int, height: int = 900):
    """Open a page with every non-file request blocked; collect console errors and blocked requests."""
    page = browser.new_page(viewport={"width": width, "height": height})
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

    def route(r):
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            problems.append(f"network request: {r.request.url}")
            r.abort()

    page.route("**/*", route)
    page.goto(path.as_uri(), wait_until="load")
    return page, problems


def visible_ink(png: bytes) -> float:
    """Share of pixels that are not (near-)white: a blank image has almost none."""
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)
    return float((pixels < 235).mean())


def check_page(browser, path: Path, device: str, shots: Path, prefix: str = "") -> None:
    """Open one page offline at a device's width: no problems, no code, every image loaded,
    described, sized to the screen and not blank, nothing scrolling sideways; save a screenshot."""
    width = WIDTHS[device]
    page, problems = open_offline(browser, path, width)
    assert problems == [], (path.name, problems)
    assert (
        page.locator(".jp-InputArea-editor, .hl-ipython3, .jp-InputPrompt:visible").count() == 0
    ), path.name
    images = page.locator("img")
    if path.name != "index.html":
        assert images.count() >= 1, path.name
    for i in range(images.count()):
        img = images.nth(i)
        img.scroll_into_view_if_needed()
        info = img.evaluate(
            "e => ({ok: e.complete && e.naturalWidth > 0, nw: e.naturalWidth, w: e.getBoundingClientRect().width, alt: e.alt})"
        )
        assert info["ok"] and info["nw"] >= 300, (path.name, i, info)
        assert min(width - 40, 300) <= info["w"] <= width, (
            path.name,
            i,
            info,
        )  # fills the column, never wider than the screen
        assert len(info["alt"]) >= 10, (path.name, i, "alt text")
        assert visible_ink(img.screenshot()) > 0.02, (path.name, i, "image looks blank")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, (path.name, device, "the page scrolls sideways")
    page.screenshot(path=str(shots / f"{prefix}{path.stem}_{device}.png"), full_page=True)
    page.close()


@pytest.mark.parametrize("device", list(WIDTHS))
def test_every_page_renders_offline_with_visible_figures(report_dir, browser, shots, device):
    for path in pages(report_dir):
        check_page(browser, path, device, shots)


#: Soloraya's cover and overview, and one kabupaten's pages (the others come from the same notebooks).
REGION_PAGES = [
    "index.html",
    "region_overview.html",
    "klaten-02_coverage_map.html",
    "klaten-03_awareness_gaps.html",
    "klaten-04_premium_affordability.html",
    "klaten-05_outreach.html",
]


@pytest.mark.xdist_group("region")  # the worker that builds the region report
@pytest.mark.parametrize("device", list(WIDTHS))
def test_the_region_overview_and_a_kabupatens_pages_render_offline(
    region_report_dir, browser, shots, device
):
    for name in REGION_PAGES:
        check_page(browser, region_report_dir / name, device, shots, prefix="soloraya_")


@pytest.mark.xdist_group("region")  # the worker that builds the region report
def test_the_regions_links_work(region_report_dir, browser):
    for name in ("index.html", "region_overview.html", "klaten-02_coverage_map.html"):
        page, _ = open_offline(browser, region_report_dir / name, 1280)
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        local = [h for h in hrefs if not h.startswith(("http:", "https:", "#", "mailto:"))]
        assert local, name
        for h in local:
            assert (region_report_dir / h).exists(), (name, h)
        page.close()


@pytest.mark.parametrize("device", list(WIDTHS))
def test_the_outreach_page_with_its_estimates_renders_offline(
    outreach_report, browser, shots, device
):
    """The demo report with its outreach campaign: the outreach page's estimate, charts and visit
    plan, and the cover with the outreach figures (the default demo month has no log)."""
    for name in ("05_outreach.html", "index.html"):
        check_page(browser, outreach_report / name, device, shots, prefix="outreach_")


def test_on_a_phone_no_figure_is_shrunk_and_no_table_hides_a_column(report_dir, browser):
    """At 390 px: every image is drawn at most 1.6× below its natural size (the phone drawing is
    served), and a table wider than the screen keeps its first column in view while it scrolls."""
    for path in pages(report_dir):
        page, _ = open_offline(browser, path, PHONE_SCREEN["width"])
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        figures = page.evaluate(
            """() => [...document.images].map(e => ({src: e.currentSrc.slice(0, 40),
                 natural: e.naturalWidth, shown: e.getBoundingClientRect().width}))"""
        )
        for f in figures:
            assert f["natural"] / f["shown"] <= MAX_SHRINK, (path.name, f)
        tables = page.evaluate(
            """() => [...document.querySelectorAll('table')].map(t => {
                 const box = t.closest('.tbl-scroll') || t.parentElement;
                 const first = t.querySelector('tbody tr > :first-child');
                 return {id: t.dataset.table || t.id, hides: box.scrollWidth > box.clientWidth + 1,
                         overflowing: t.getBoundingClientRect().right > window.innerWidth + 1
                                      && getComputedStyle(box).overflowX === 'visible',
                         sticky: first ? getComputedStyle(first).position === 'sticky' : false}})"""
        )
        for table in tables:
            assert not table["overflowing"], (path.name, table)
            assert table["sticky"] or not table["hides"], (path.name, table)
        page.close()


def test_no_developer_words_reach_officials(report_dir, browser):
    for path in pages(report_dir):
        page, _ = open_offline(browser, path, 1280)
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        text = page.evaluate("() => document.body.innerText")
        found = sorted({m.group(0) for m in DEVELOPER_WORDS.finditer(text)})
        assert found == [], (path.name, found)
        page.close()


@pytest.mark.parametrize("which", ["report_dir", "outreach_report"])
def test_the_cover_opens_with_the_message_and_the_first_next_step(which, request, browser, shots):
    """On the demo month, and on `make data`'s months, whose cover also says what the visits did."""
    report = request.getfixturevalue(which)
    page, _ = open_offline(browser, report / "index.html", **PHONE_SCREEN)
    summary = page.locator("ol.summary-list > li")
    steps = page.locator("ol.steps-list > li")
    assert 3 <= summary.count() <= 5 and steps.count() >= 1
    first_step = steps.nth(0).bounding_box()
    last_sentence = summary.nth(summary.count() - 1).bounding_box()
    # the whole summary and the first next step are on the first screen, without scrolling
    assert last_sentence["y"] + last_sentence["height"] <= PHONE_SCREEN["height"]
    assert first_step["y"] + first_step["height"] <= PHONE_SCREEN["height"], first_step
    assert "pekerja belum tercakup" in steps.nth(0).inner_text()
    page.screenshot(path=str(shots / f"index_phone_first_screen_{which}.png"))
    page.close()


def _number(text: str) -> object:
    """A page cell as the download stores it: '1.234' → 1234, '9,7%' → 9.7, '+0,5' → 0.5,
    'Rp1.234' → 1234; marks ('<5', 'x') stay text; '–' is empty."""
    text = text.strip()
    if text in ("–", ""):
        return math.nan
    if text == "x" or text.startswith("<"):
        return text
    plain = text.removeprefix("Rp").removesuffix("%").replace(".", "").replace(",", ".")
    try:
        return float(plain)
    except ValueError:
        return text


def _expected_download(headers: list[str], rows: list[list[str]], csv_columns: list[str]):
    """The page's table as its download should hold it (an interval or range: two columns)."""
    out = {c: [] for c in csv_columns}
    for j, h in enumerate(headers):
        mine = [c for c in csv_columns if c == h] or [
            c for c in csv_columns if c.startswith((h + " (", h + " – "))
        ]
        assert mine, (h, csv_columns)
        for row in rows:
            cell = row[j]
            if len(mine) == 2:
                parts = [cell, cell] if cell in ("x", "–") or cell.startswith("<") else None
                if parts is None:
                    lo, hi = re.split(r"(?<=\d)%?–", cell.removesuffix("%"), maxsplit=1)
                    parts = [lo, hi]
                for c, part in zip(mine, parts, strict=True):
                    out[c].append((_number(part), part))
            else:
                value = _number(cell) if NUMBER.match(cell) or cell in ("x", "–", "") else cell
                out[mine[0]].append((value if not cell.startswith("<") else cell, cell))
    return out


def test_downloads_open_with_pandas_and_equal_the_page_tables(report_dir, browser):
    checked = 0
    for path in pages(report_dir):
        if path.name.startswith("laporan_"):
            continue  # the single file carries the same tables, without download links
        page, _ = open_offline(browser, path, 1280)
        tables = page.evaluate(
            """() => [...document.querySelectorAll('table[data-table]')].map(t => ({
                 id: t.dataset.table,
                 headers: [...t.querySelectorAll('thead th')].map(c => c.textContent.trim()),
                 rows: [...t.querySelectorAll('tbody tr')].map(r =>
                        [...r.children].map(c => c.textContent.trim())),
                 links: [...t.closest('.tbl-block').querySelectorAll('.tbl-dl a')]
                        .map(a => a.getAttribute('href'))}))"""
        )
        for table in tables:
            csv = report_dir / "unduhan" / f"{table['id']}.csv"
            xlsx = report_dir / "unduhan" / f"{table['id']}.xlsx"
            assert table["links"] == [f"unduhan/{csv.name}", f"unduhan/{xlsx.name}"]
            frame = pd.read_csv(csv)
            book = pd.read_excel(xlsx, sheet_name=0)
            assert list(book.columns) == list(frame.columns) and len(book) == len(frame)
            expected = _expected_download(table["headers"], table["rows"], list(frame.columns))
            for column, values in expected.items():
                for got, (want, text), cell in zip(
                    frame[column], values, book[column], strict=True
                ):
                    where = (table["id"], column, text)
                    if NUMBER.match(text):  # a number on the page is a number in the workbook
                        assert isinstance(cell, int | float | np.number), where
                    for value in (got, cell):
                        if isinstance(want, float) and math.isnan(want):
                            assert pd.isna(value), where
                        elif isinstance(want, float) and not isinstance(value, str):
                            assert float(value) == pytest.approx(want), where
                        elif isinstance(want, float):  # the CSV reads a column with marks as text
                            assert value in ("x", text) or float(value) == pytest.approx(want), (
                                where
                            )
                        else:
                            assert str(value) == want, where
            numeric = frame.select_dtypes("number").columns
            assert len(numeric) >= 1 or table["id"] == "kelurahan_dicocokkan", table["id"]
            checked += 1
        page.close()
    assert checked == len(list((report_dir / "unduhan").glob("*.csv")))


def test_the_pdf_renders_and_has_every_page(report_dir, tmp_path):
    require_chromium()
    need_poppler()
    pdf = next(report_dir.glob("laporan_*.pdf"))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    n_pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))
    parts = [p for p in pages(report_dir) if not p.name.startswith("laporan_")]
    assert n_pages >= len(parts)
    assert re.search(r"^Page size:.*\(A4\)", info.stdout, re.M)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "3", str(pdf), str(tmp_path / "p")],
        check=True,
    )
    for png in sorted(tmp_path.glob("p-*.png")):
        assert visible_ink(png.read_bytes()) > 0.01, png.name
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for title in ("Ringkasan", "Langkah berikutnya", "Kualitas data", "Cakupan BPJS", "Kesadaran"):
        assert title in text, title
    assert "Dirilis" in text and "Kontak" in text  # release date and contact on the cover
    assert not re.search(r"Ringkasan\s+Kualitas data", text)  # the navigation is not printed


def test_links_between_pages_work(report_dir, browser):
    index = report_dir / "index.html"
    page, problems = open_offline(browser, index, 1280)
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    local = [h for h in hrefs if not h.startswith(("http:", "https:", "#", "mailto:"))]
    assert {p.name for p in pages(report_dir)} - {"index.html"} <= set(local)
    for h in local:
        assert (report_dir / h).exists(), h
    page.close()


def test_the_single_file_report_is_self_contained_and_links_within_itself(report_dir, browser):
    single = next(report_dir.glob("laporan_*.html"))
    assert single.stat().st_size < 5_000_000
    page, problems = open_offline(browser, single, 390)
    assert problems == []
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    assert hrefs and all(h.startswith("#") for h in hrefs), [h for h in hrefs if h[:1] != "#"]
    ids = set(page.eval_on_selector_all("[id]", "els => els.map(e => e.id)"))
    assert {h[1:] for h in hrefs} <= ids  # every link lands somewhere
    assert page.locator("section.report-part").count() == len(pages(report_dir)) - 1
    page.close()
