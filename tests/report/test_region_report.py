"""Soloraya's report end to end: one cleaning, the overview, and every kabupaten/kota's pages from
the same notebooks; a kabupaten's pages show its own desa; the overview's totals are the sums of
the kabupaten/kota pages' own figures (read back from the executed notebooks, as the cover does)."""

import json
import re
import shutil

import pytest

from analysis.paths import Paths
from analysis.reference import areas, units
from analysis.report.cover import collect_cards
from analysis.report.privacy import check_privacy
from analysis.report.run import notebooks

from conftest import PERIOD, REGION

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("region")]  # one worker builds the region
AREA_PAGES = [nb.stem for nb in notebooks()[1:]]


@pytest.fixture(scope="module")
def report(region_report_dir):
    return region_report_dir


def executed(report):
    return report.parent / "_executed" / PERIOD


def test_the_region_has_its_own_folder_and_every_kabupaten_its_pages(report, region_dir):
    assert report == Paths.of(region_dir, report.parent.parent, REGION).report(PERIOD)
    assert report.parent.name == REGION  # reports/soloraya/2026-10/
    pages = {f"{a}-{stem}.html" for a in areas(REGION) for stem in AREA_PAGES}
    expected = {"index.html", "manifest.json", "region_overview.html", "01_clean_registry.html"}
    takeaway = {f"laporan_{PERIOD}.html", "unduhan"}  # the single file, the tables
    if shutil.which("chromium") or shutil.which("chromium-browser"):
        takeaway.add(f"laporan_{PERIOD}.pdf")
    assert {p.name for p in report.iterdir()} == expected | pages | takeaway
    assert len(pages) == 7 * 4  # notebooks 02–05 for each of the seven
    m = json.loads((report / "manifest.json").read_text())
    assert m["region"] == REGION and m["areas"] == areas(REGION)
    assert set(m["notebook_seconds"]) == {p.removesuffix(".html") for p in expected | pages} - {
        "index",
        "manifest.json",
    }


def test_every_kabupatens_tables_download_under_its_own_name(report):
    """The same notebook's tables for seven kabupaten/kota: each written once, named after its
    kabupaten/kota, linked from its own page, and the overview's tables for the region."""
    m = json.loads((report / "manifest.json").read_text())
    files = {p.name for p in (report / "unduhan").iterdir()}
    assert files == {d["file"].split("/")[1] for d in m["downloads"]}  # one entry per file
    ids = {d["id"] for d in m["downloads"]}
    assert {"ikhtisar_cakupan", "ikhtisar_kesadaran_biaya", "baris_per_berkas"} <= ids
    for a in areas(REGION):
        assert {f"{a}-cakupan_kelurahan", f"{a}-rencana_kunjungan"} <= ids
        page = (report / f"{a}-02_coverage_map.html").read_text(encoding="utf-8")
        assert f'href="unduhan/{a}-cakupan_kelurahan.csv"' in page


def test_no_page_shows_code_and_every_figure_is_described(report):
    for page in report.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "hl-ipython3" not in html and "import analysis" not in html, page.name
        assert "Traceback" not in html and "Warning" not in html, page.name
        assert not re.search(r'<img(?![^>]*alt="[^"]{10,})', html), page.name


def _desa_in_tables(html: str) -> set[str]:
    """Names in the first column of the page's top-10 table (desa/kelurahan names)."""
    top = 'data-table="kelurahan_belum_tercakup_terbanyak"'
    table = html.split(top, 1)[1].split("</table>", 1)[0] if top in html else ""
    return set(re.findall(r'<th scope="row"[^>]*>([^<]+)</th>', table))


def test_a_kabupatens_pages_use_that_kabupatens_desa(report):
    klaten = set(units("klaten")["kelurahan"])
    html = (report / "klaten-02_coverage_map.html").read_text(encoding="utf-8")
    assert "Kabupaten Klaten" in html and "401 desa/kelurahan" in html
    named = _desa_in_tables(html)
    assert len(named) == 10 and named <= klaten  # the ten with the most workers not covered
    alts = re.findall(r'<img[^>]*\balt="([^"]*)"', html)
    coverage_alt = next(a for a in alts if a.startswith("Cakupan efektif per kelurahan"))
    uncovered_alt = next(a for a in alts if a.startswith("Pekerja belum tercakup per kelurahan"))
    # the clusters map, where any desa was tested (none where coverage is flat: the page says so)
    clusters_alt = next((a for a in alts if a.startswith("Kantong cakupan")), "")
    named = set(re.findall(r"(?:Terendah|tertinggi) (.+?) \(\d", coverage_alt))
    named |= {n.strip() for n in re.findall(r"(?:: |, )([^:,(]+) \(\d", uncovered_alt)}
    clusters = clusters_alt.split(". ", 1)[1].split("; ") if ". " in clusters_alt else []
    for part in clusters:  # 'Rendah, tetangga rendah: A, B; …' (none where nothing clusters)
        named |= set(part.split(": ", 1)[1].split(", "))
    assert len(named) >= 4 and named <= klaten, named - klaten  # the maps name Klaten's desa
    for stem in AREA_PAGES:
        page = (report / f"klaten-{stem}.html").read_text(encoding="utf-8")
        assert "Kabupaten Klaten" in page and "Soloraya" in page


def _number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def test_the_overviews_totals_are_the_sums_of_the_kabupaten_pages(report):
    run = executed(report)
    total = {c["label"]: c for c in collect_cards([run / "region_overview.ipynb"])}
    per_area = [
        {c["label"]: c for c in collect_cards([run / f"{a}-02_coverage_map.ipynb"])}
        for a in areas(REGION)
    ]
    uncovered = [cards["Pekerja belum tercakup"] for cards in per_area]  # each page's own card
    assert _number(total["Pekerja belum tercakup"]["value"]) == sum(
        _number(c["value"]) for c in uncovered
    )
    # the uncovered card's note: 'dari 1.234 pekerja di 567 usaha terdaftar'
    workers = sum(_number(re.search(r"dari ([\d.]+) pekerja", c["note"])[1]) for c in uncovered)
    assert _number(total["Pekerja UMKM di registri Soloraya"]["value"]) == workers
    overview = (report / "region_overview.html").read_text(encoding="utf-8")
    for card in uncovered:  # each kabupaten's own figure appears in the overview's table
        assert f">{card['value']}</td>" in overview


def test_the_cover_shows_the_regions_figures_and_links_every_page(report):
    html = (report / "index.html").read_text(encoding="utf-8")
    assert "UMKM Soloraya — Oktober 2026" in html
    for a in areas(REGION):
        for stem in AREA_PAGES:
            assert f'href="{a}-{stem}.html"' in html
    assert html.count('class="card"') == 5  # cleaning (1) and the overview (4), not 28 pages'


def test_nothing_personal_leaks(report, region_dir):
    paths = Paths.of(region_dir, region=REGION)
    found = check_privacy([paths.processed(PERIOD), report, executed(report)], paths.raw(PERIOD))
    assert found == [], [str(f) for f in found]
