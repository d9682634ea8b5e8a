"""Shared fixtures: generated demo data in temporary folders, and a test pseudonymisation key."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba

from analysis.demo.shape import COVERAGE, Shape
from analysis.ingest.pseudonyms import KEY_ENV
from analysis.paths import DEMO_PERIOD

PERIOD = DEMO_PERIOD
#: Every table the pages publish, each downloadable as CSV and XLSX (analysis.pages.published).
PUBLISHED_TABLES = {
    "baris_per_berkas",
    "alasan_karantina",
    "kelurahan_dicocokkan",
    "cakupan_kota",
    "kelurahan_belum_tercakup_terbanyak",
    "cakupan_kecamatan",
    "cakupan_kelurahan",
    "cakupan_sektor",
    "cakupan_kelas_usaha",
    "sumbangan_target",
    "prioritas_sosialisasi",
    "subsidi_kelompok",
    "subsidi_apbd",
    "beban_desil",
    "kepekaan_ambang",
    "beban_sektor",
    "beban_kelurahan_tertinggi",
    "aturan_iuran",
    "kunjungan_berikutnya",
    "rencana_kunjungan",
}

# No time limits on generated examples: speed is measured in benchmarks/, never in tests (a
# busy machine would otherwise fail correct code).
settings.register_profile("project", deadline=None)
settings.load_profile("project")


@pytest.fixture(autouse=True)
def _test_key(monkeypatch):
    """Real-data mode in tests uses a random key from the environment, never the project's key file."""
    monkeypatch.setenv(KEY_ENV, secrets.token_hex(32))


@pytest.fixture(autouse=True)
def _stays_in_its_folder():
    """No test may leave the process in another working folder: a passed test's temporary
    folder is deleted, and every later command started without a folder would then fail."""
    start = os.getcwd()
    yield
    try:
        moved = os.getcwd() != start
    except FileNotFoundError:  # left in a folder since deleted
        moved = True
    if moved:
        os.chdir(start)
        pytest.fail("the test left the process in another working folder")


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    """A data folder with the demo month generated (seed 2019, 3,000 businesses), not yet cleaned."""
    from analysis.demo import generate

    data = tmp_path_factory.mktemp("demo") / "data"
    generate(PERIOD, data)
    return data


@pytest.fixture(scope="session")
def cleaned(demo_dir: Path):
    """The demo month cleaned (processed tables + quality), as a complete processed month."""
    from analysis.pipeline import clean_period

    return clean_period(PERIOD, demo_dir)


def output_digests(folder: Path) -> dict[str, str]:
    """A SHA-256 of the content of every processed file (each parquet table's columns, types and
    values; quality.json's data), independent of the parquet writer's version."""
    import pyarrow.parquet as pq

    out = {}
    for path in sorted(folder.iterdir()):
        if path.suffix == ".parquet":
            table = pq.read_table(path)
            content = [str(table.schema.remove_metadata()), table.to_pydict()]
        elif path.name == "quality.json":
            content = json.loads(path.read_text(encoding="utf-8"))
        else:
            continue
        text = json.dumps(content, sort_keys=True, default=repr, ensure_ascii=False)
        out[path.name] = hashlib.sha256(text.encode()).hexdigest()
    return out


#: The region of several kabupaten/kota the tests use, and its demo's size in tests (small, so
#: that many desa have few workers, as in the real region at desa scale).
REGION = "soloraya"
REGION_BUSINESSES = 3000


@pytest.fixture(scope="session")
def region_dir(tmp_path_factory) -> Path:
    """A data folder with Soloraya's demo month and the month before it (for the change since
    last month), generated with 3,000 businesses; the month before is cleaned, the month not."""
    from analysis.demo import generate
    from analysis.pipeline import clean_period

    data = tmp_path_factory.mktemp("region") / "data"
    before = f"{PERIOD[:5]}{int(PERIOD[5:]) - 1:02d}"
    for period in (before, PERIOD):
        _vouch(generate(period, data, businesses=REGION_BUSINESSES, region=REGION), period)
    clean_period(before, data, region=REGION)
    return data


def _vouch(raw: Path, period: str) -> None:
    """A test-sized Soloraya month is not a shipped demo month: vouch for it for this session
    (as the code vouches for its own), so that it is cleaned with the demo key its planted truth
    was hashed with and published with the demo banner."""
    from analysis.ingest.demo_hashes import REGION_CAMPAIGN_MONTHS
    from analysis.ingest.pseudonyms import extract_hashes

    REGION_CAMPAIGN_MONTHS.setdefault("tests", {})[period] = extract_hashes(raw)


@pytest.fixture(scope="session")
def region_cleaned(region_dir: Path):
    """Soloraya's demo month cleaned: 1,568 desa/kelurahan from one cleaning."""
    from analysis.pipeline import clean_period

    return clean_period(PERIOD, region_dir, region=REGION)


def hatched(ax, style: dict) -> int:
    """Number of kelurahan drawn in a hatched style: the hatch laid once over their union, and
    one border line per kelurahan in the style's colour."""
    if not any(c.get_hatch() == style["hatch"] for c in ax.collections):
        return 0
    colour = to_rgba(style["edgecolor"])
    return sum(
        len(c.get_paths())
        for c in ax.collections
        if isinstance(c, LineCollection)
        and len(c.get_edgecolor())
        and np.allclose(c.get_edgecolor()[0], colour)
    )


#: The months `make data` writes: the outreach campaign runs over all four.
OUTREACH_MONTHS = ("2026-07", "2026-08", "2026-09", "2026-10")


def outreach_months(data: Path, effect: float) -> Path:
    """Generate and clean the four demo months with the outreach log and `effect` planted."""
    from analysis.demo import generate
    from analysis.pipeline import clean_period

    for p in OUTREACH_MONTHS:
        generate(p, data, outreach=effect)
        clean_period(p, data)
    return data


@pytest.fixture(scope="session")
def outreach_dir(tmp_path_factory) -> Path:
    """The data of `make data`: four demo months with the outreach campaign and its planted effect
    (analysis.demo.outreach.DEFAULT_EFFECT), cleaned."""
    from analysis.demo.outreach import DEFAULT_EFFECT

    return outreach_months(tmp_path_factory.mktemp("outreach") / "data", DEFAULT_EFFECT)


@pytest.fixture(scope="session")
def outreach_report(outreach_dir, tmp_path_factory) -> Path:
    """The demo month's published report on the outreach data (Indonesian)."""
    from analysis.report.publish import publish_report

    reports = tmp_path_factory.mktemp("outreach_reports")
    return publish_report(PERIOD, data_dir=outreach_dir, reports_dir=reports, lang="id").parent


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write a small fixture file, creating folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture(scope="session")
def report_dir(demo_dir, tmp_path_factory) -> Path:
    """The demo month's published report (Indonesian), built once per test session."""
    from analysis.report.publish import publish_report

    reports = tmp_path_factory.mktemp("reports")
    return publish_report(PERIOD, data_dir=demo_dir, reports_dir=reports, lang="id").parent


@pytest.fixture(scope="session")
def region_report_dir(region_dir, tmp_path_factory) -> Path:
    """Soloraya's published report for the demo month (Indonesian), built once per session."""
    from analysis.report.publish import publish_report

    reports = tmp_path_factory.mktemp("region_reports")
    index = publish_report(PERIOD, data_dir=region_dir, reports_dir=reports, region=REGION)
    return index.parent


def publish_pages(data: Path, tmp_path: Path, names: tuple[str, ...], lang: str = "id") -> Path:
    """Publish a report made of some of the project's notebooks only; returns the report folder."""
    import shutil

    from analysis.paths import NOTEBOOKS_DIR
    from analysis.report.publish import publish_report

    nb_dir = tmp_path / "notebooks"
    nb_dir.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(NOTEBOOKS_DIR / name, nb_dir / name)
    reports = tmp_path / "reports"
    return publish_report(
        PERIOD, data_dir=data, reports_dir=reports, lang=lang, notebook_dir=nb_dir
    ).parent


#: Debian's Chromium (never `playwright install`) and the flags every browser test launches it with.
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
]


def need_poppler() -> None:
    """Poppler's pdfinfo, pdftoppm and pdftotext (reading the printed PDF); skips the test
    without them (fails on CI, where .ci/run installs them)."""
    missing = [tool for tool in ("pdfinfo", "pdftoppm", "pdftotext") if not shutil.which(tool)]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{', '.join(missing)} not installed (.ci/run installs poppler-utils)")
        pytest.skip("poppler-utils is not installed: apt-get install -y poppler-utils")


def need_chromium() -> str:
    """Chromium's path; skips the test without it (fails on CI, where .ci/run installs it)."""
    if not CHROMIUM:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs Debian's chromium)")
        pytest.skip("chromium is not installed: apt-get install -y chromium")
    return CHROMIUM


def screenshot_folder(tmp_path_factory, name: str) -> Path:
    """Where a browser test writes its screenshots: $SCREENSHOT_DIR, or a temporary folder."""
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path_factory.mktemp(name))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"screenshots in {folder}")
    return folder


def shapes():
    """Small and lopsided demo months for hypothesis: every option of `analysis.demo.Shape`."""
    return st.builds(
        Shape,
        kelurahan=st.sampled_from([None, 1, 2, 3]),
        sectors=st.sampled_from([None, 1]),
        coverage=st.sampled_from(COVERAGE),
        participants=st.booleans(),
        respondents=st.integers(0, 10),
    )
