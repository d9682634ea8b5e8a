"""The published pages in a real browser (Debian's headless Chromium, driven by Playwright), offline:
every chart and map visible, no code, no console errors, nothing fetched; screenshots at laptop
and phone widths are written under the test's temporary folder (or $SCREENSHOT_DIR)."""

import io
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
WIDTHS = {"laptop": 1280, "phone": 390}


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not CHROMIUM:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs Debian's chromium)")
        pytest.skip("chromium is not installed: apt-get install -y chromium")
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


def open_offline(browser, path: Path, width: int):
    """Open a page with every non-file request blocked; collect console errors and blocked requests."""
    page = browser.new_page(viewport={"width": width, "height": 900})
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


@pytest.mark.parametrize("device", list(WIDTHS))
def test_the_outreach_page_with_its_estimates_renders_offline(
    outreach_report, browser, shots, device
):
    """The demo report with its outreach campaign: the outreach page's estimate, charts and visit
    plan, and the cover with the outreach figures (the default demo month has no log)."""
    for name in ("05_outreach.html", "index.html"):
        check_page(browser, outreach_report / name, device, shots, prefix="outreach_")


def test_links_between_pages_work(report_dir, browser):
    index = report_dir / "index.html"
    page, problems = open_offline(browser, index, 1280)
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    local = [h for h in hrefs if not h.startswith(("http:", "https:", "#", "mailto:"))]
    assert {p.name for p in pages(report_dir)} - {"index.html"} <= set(local)
    for h in local:
        assert (report_dir / h).exists(), h
    page.close()
