"""Shared fixtures: generated demo data in temporary folders, and a test pseudonymisation key."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

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
    "subsidi_apbd",
    "beban_desil",
    "kepekaan_ambang",
    "beban_sektor",
    "beban_kelurahan_tertinggi",
    "aturan_iuran",
}


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
