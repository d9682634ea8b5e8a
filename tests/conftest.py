"""Shared fixtures: generated demo data in temporary folders, and a test pseudonymisation key."""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st

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
