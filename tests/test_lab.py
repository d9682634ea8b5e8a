"""The explore notebook in a real JupyterLab, offline: a headless JupyterLab on a free loopback
port (no token, its own config folders), Debian's Chromium driven by Playwright with every
request outside the loopback blocked. Run all cells; the kelurahan table sorts and filters, the
profile and the map render, the map names a kelurahan on hover, nothing is fetched from the
internet. Screenshots go under the test's temporary folder (or $SCREENSHOT_DIR)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest

from analysis.paths import NOTEBOOKS_DIR, ROOT
from analysis.report.run import kernel_name

from conftest import CHROMIUM_FLAGS, need_chromium, screenshot_folder

pytestmark = [pytest.mark.slow, pytest.mark.browser]

KERNEL_IDLE = (
    "() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
    " const k = w && w.sessionContext && w.sessionContext.session"
    " && w.sessionContext.session.kernel; return !!k && k.status === 'idle'; }"
)
ALL_RUN = (
    "() => { const cells = window.jupyterapp.shell.currentWidget.content.model.cells;"
    " let n = 0; for (let i = 0; i < cells.length; i++) { const c = cells.get(i);"
    " if (c.type === 'code') { if (!c.executionCount) { return false; } n++; } } return n > 0; }"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(cleaned, demo_dir, tmp_path_factory):
    """A JupyterLab serving a folder with the explore notebook set to the demo data."""
    need_chromium()
    root = tmp_path_factory.mktemp("lab")
    nb = nbformat.read(NOTEBOOKS_DIR / "explore.ipynb", as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    params.source = params.source.replace('data_dir = ""', f'data_dir = "{demo_dir}"')
    nb.metadata["kernelspec"]["name"] = kernel_name()
    # the progress bar notebook 01 shows on a long clean, told ten steps at once (this copy only)
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "from analysis.pages.notebook import cleaning_progress\n\n"
            "with cleaning_progress(lang, delay=0) as progress:\n"
            "    progress(10, 10)"
        )
    )
    nbformat.write(nb, root / "explore.ipynb")
    home = root / ".jupyter-home"
    # every cell in the page (no windowing), so the test can find outputs below the fold
    tracker = home / "settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    (tracker / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    news = home / "settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    shutil.copytree(
        ROOT / "config" / "jupyter" / "custom", home / "config" / "custom"
    )  # as make lab
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
    }
    port = _free_port()
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
           f"--port={port}", "--ServerApp.token=", "--ServerApp.password=",
           "--ServerApp.disable_check_xsrf=True", "--LabApp.expose_app_in_browser=True",
           "--LabApp.custom_css=True",
           f"--ServerApp.root_dir={root}", "--allow-root"]  # fmt: skip
    log = (root / "lab.log").open("w")
    server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api/status", timeout=2)
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"JupyterLab stopped: {(root / 'lab.log').read_text()[-2000:]}")
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start within a minute")
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    return screenshot_folder(tmp_path_factory, "lab-shots")


@pytest.fixture(scope="module")
def notebook(lab, shots):
    """The explore notebook open in JupyterLab with every cell run; requests outside blocked."""
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []

    def route(r):
        host = urlparse(r.request.url).hostname
        if r.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=need_chromium(), args=CHROMIUM_FLAGS)
        context = browser.new_context(viewport={"width": 1500, "height": 1000})
        context.route("**/*", route)
        page = context.new_page()
        page.goto(f"{lab}/lab/tree/explore.ipynb?reset", wait_until="domcontentloaded")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
        page.wait_for_function(KERNEL_IDLE, timeout=90_000)
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        try:
            page.wait_for_function(ALL_RUN, timeout=240_000)
            page.wait_for_function(KERNEL_IDLE, timeout=60_000)
            page.wait_for_selector("table.dataTable tbody tr", timeout=60_000)
            page.wait_for_selector(".vega-embed canvas, .vega-embed svg", timeout=60_000)
        finally:
            page.screenshot(path=str(shots / "lab_explore_top.png"))
        yield page, blocked, shots
        browser.close()


def _scroll_to(page, selector: str) -> None:
    page.locator(selector).first.scroll_into_view_if_needed()
    time.sleep(0.5)


def test_every_cell_runs_without_an_error(notebook):
    page, _, _ = notebook
    stderr = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert stderr.count() == 0, stderr.all_inner_texts()


def test_the_kelurahan_table_sorts_and_filters_offline(notebook):
    page, blocked, shots = notebook
    rows = page.locator("table.dataTable tbody tr")  # the body (the header is its own table)
    _scroll_to(page, "table.dataTable")
    first = rows.first.locator("td").first.inner_text()
    assert first == "Sriwedari"  # lowest effective coverage first (the demo's 0 of 16)
    info = page.locator(".dt-info, .dataTables_info").first.inner_text()
    assert "54" in info
    page.screenshot(path=str(shots / "lab_table.png"))
    header = page.locator("table.dataTable thead th", has_text="Belum tercakup").first
    header.click()
    header.click()  # descending: the most uncovered workers first
    time.sleep(0.5)
    top = rows.first.locator("td").first.inner_text()
    assert top != "Sriwedari"
    search = page.locator("input[type=search]").first
    search.fill("Laweyan")
    time.sleep(0.5)
    info = page.locator(".dt-info, .dataTables_info").first.inner_text()
    assert "54" in info and "11" in info  # 11 kelurahan of Laweyan, filtered from 54
    page.screenshot(path=str(shots / "lab_table_filtered.png"))
    assert blocked == []


def test_a_kelurahan_profile_is_chosen_from_a_list(notebook):
    page, _, shots = notebook
    select = page.locator(".widget-dropdown select").first
    _scroll_to(page, ".widget-dropdown select")
    assert "urutan ke-1 dari 54" in page.locator(".widget-output").first.inner_text()
    value = select.locator("option", has_text="Mojo (").first.get_attribute("value")
    select.select_option(value=value)
    page.wait_for_function(
        "() => document.querySelector('.widget-output').innerText.includes('Mojo')", timeout=30_000
    )
    page.screenshot(path=str(shots / "lab_profile.png"))


def test_the_map_names_a_kelurahan_on_hover_offline(notebook):
    page, blocked, shots = notebook
    canvas = page.locator(".vega-embed canvas, .vega-embed svg").first
    canvas.scroll_into_view_if_needed()
    time.sleep(1)
    box = canvas.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 300
    tip = ""
    for dx, dy in [(0.5, 0.5), (0.45, 0.55), (0.55, 0.45), (0.4, 0.4), (0.6, 0.6)]:
        page.mouse.move(box["x"] + box["width"] * dx, box["y"] + box["height"] * dy)
        time.sleep(1)
        tooltip = page.locator("#vg-tooltip-element")
        if tooltip.count() and tooltip.first.is_visible():
            tip = tooltip.first.inner_text()
            if "Kelurahan" in tip:
                break
    page.screenshot(path=str(shots / "lab_map_hover.png"))
    assert "Kelurahan" in tip and "Kecamatan" in tip and "%" in tip
    assert blocked == []


def test_only_the_chosen_language_shows_in_the_cells_and_the_table_of_contents(notebook):
    page, _, shots = notebook
    page.evaluate("() => window.jupyterapp.commands.execute('toc:show-panel')")
    page.wait_for_selector(".jp-TableOfContents-tree, .jp-TableOfContents-content", timeout=30_000)
    time.sleep(1)
    toc = page.locator(".jp-TableOfContents-tree, .jp-TableOfContents-content").first.inner_text()
    assert "Semua kelurahan, semua ukuran" in toc and "Every kelurahan" not in toc
    hidden = page.locator(".jp-RawCell")
    assert hidden.count() > 0 and not any(c.is_visible() for c in hidden.all())
    assert not page.get_by_text("Every kelurahan, every measure").first.is_visible()
    page.screenshot(path=str(shots / "lab_toc.png"))
    page.evaluate("() => window.jupyterapp.commands.execute('filebrowser:activate')")


def test_the_subsidy_slider_recomputes_the_budget(notebook):
    page, _, shots = notebook
    slider = page.locator(".widget-slider .noUi-handle, .widget-hslider .noUi-handle").first
    slider.scroll_into_view_if_needed()
    slider.focus()
    for _ in range(10):  # from 100% to 50%, 5 points a step
        page.keyboard.press("ArrowLeft")
        time.sleep(0.2)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.widget-output')].some("
        "o => o.innerText.includes('Bila Pemkot membayar 50% paket termurah'))",
        timeout=60_000,
    )
    page.locator(".widget-output").last.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "lab_subsidy.png"))


def test_a_long_clean_shows_its_progress_bar_in_jupyterlab(notebook):
    page, _, shots = notebook
    bar = page.locator(".widget-hprogress, .widget-progress").last
    bar.scroll_into_view_if_needed()
    assert bar.is_visible()
    row = page.locator(".jp-OutputArea-output", has=bar).last.inner_text()
    assert "Membersihkan" in row and "10/10" in row
    page.screenshot(path=str(shots / "lab_progress.png"))
