"""Hostile and careless input (issue 21), reproduced on a month cut from the demo: NIKs and names
typed into place fields, markup in every free-text field, a NIK as a respondent id and inside a
NIB, a name and a NIK as a role, a personal file dropped beside the extracts. Cleaning and the
report succeed, and nothing raw reaches processed data, pages, notebooks or the manifest."""

import json
import re
import secrets
import shutil
from html.parser import HTMLParser

import openpyxl
import pandas as pd
import pytest

from analysis.ingest.places import SPELLINGS_FILE
from analysis.ingest.pseudonyms import KEY_ENV
from analysis.ingest.scan import files_under, readable
from analysis.pipeline import clean_period
from analysis.report.privacy import check_privacy, check_published
from analysis.report.publish import publish_report

from conftest import PERIOD

pytestmark = pytest.mark.slow

NAME = "Budi Santoso"
NIK = "3372014508850003"
NIK2 = "3404020605960026"
MARKUP = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    "<b onclick=alert(3)>x</b>",
]
PLACE_ATTACKS = [
    f"Kel. Pasar Kliwon Kec. {NAME} NIK 3404 0206 0596 0026",
    f"Jebres NIK{NIK2}",
    "Jebres data:a/b;base64," + NIK2,
    "Sewu " + MARKUP[1],
    MARKUP[0],
]


def _hostile_business_rows(ws) -> None:
    start = ws.max_row
    for i, place in enumerate(PLACE_ATTACKS):
        ws.append(
            [
                start + i,
                f"UMKM-9{i:05d}",
                "00" + NIK,  # an 18-digit 'NIB' holding a NIK
                MARKUP[i % 3],
                NAME,
                NIK2,
                MARKUP[(i + 1) % 3],
                place,
                None,
                MARKUP[(i + 2) % 3],
                "3",
                "100000000",
                "14/05/2020",
            ]
        )


@pytest.fixture(scope="module")
def hostile(demo_dir, tmp_path_factory):
    """The demo month with hostile rows in every file and a personal file beside them."""
    data = tmp_path_factory.mktemp("hostile") / "data"
    shutil.copytree(demo_dir / "raw", data / "raw", ignore=shutil.ignore_patterns("_cache"))
    raw = data / "raw" / PERIOD
    book = openpyxl.load_workbook(raw / "umkm.xlsx")
    _hostile_business_rows(book.worksheets[0])
    book.save(raw / "umkm.xlsx")
    with (raw / "tenaga_kerja.csv").open("a", encoding="cp1252") as f:
        f.write(f"UMKM-900001;{NIK};{NAME};L;01/01/1990;2000000\n")
    with (raw / "survei_kesadaran.csv").open("a", encoding="utf-8") as f:
        m = MARKUP[1].replace('"', "")
        f.write(
            f"{NIK},05/10/2026,Kampung Baru kec {NAME} 3372 0145 0885 0003,{MARKUP[0]},"
            f"{NAME} 3372-0145-0885-0003,Ya,Ya,JKK,Tidak,{m},5000,1500000,1\n"
        )
        f.write(f"R-99999,05/10/2026,{m},Kuliner,pekerja,Ya,Ya,JKK,Tidak,,5000,1500000,1\n")
    (raw / f"KTP {NAME} 3372 0145 0885 0003.txt").write_text("scan of an ID card")
    with pytest.MonkeyPatch.context() as mp:  # real data (edited): a test key, never the project's
        mp.setenv(KEY_ENV, secrets.token_hex(32))
        result = clean_period(PERIOD, data)
        reports = tmp_path_factory.mktemp("hostile_reports")
        index = publish_report(PERIOD, data_dir=data, reports_dir=reports)
    return data, result, index.parent


def _raw_forms(text: str) -> list[str]:
    """What must not be found: the name, the NIKs, and any markup typed in."""
    found = [w for w in (NAME, NAME.upper(), "Santoso Kec", NIK, NIK2, "3404 0206", "0145 0885")
             if w in text]  # fmt: skip
    return found + [m for m in ("alert(", "onerror", "onclick", "<script") if m in text]


def test_cleaning_keeps_nothing_raw_and_writes_owner_only_files(hostile):
    data, result, _ = hostile
    out = result.out_dir
    assert out.stat().st_mode & 0o777 == 0o700
    for f in out.iterdir():
        assert f.stat().st_mode & 0o777 == 0o600, f.name
        assert _raw_forms(readable(f.read_text("utf-8", "replace"), f.suffix)) == [] or (
            f.suffix == ".parquet"
        )
    quality = (out / "quality.json").read_text()
    assert _raw_forms(quality) == [] and "KTP" not in quality
    assert check_privacy([out], data / "raw" / PERIOD) == []
    b = result.tables["businesses"].set_index("id_umkm")
    assert b.loc["UMKM-900000", "kelurahan"] == "Pasarkliwon" and pd.isna(
        b.loc["UMKM-900000", "nib"]
    )
    assert json.loads(quality)["umkm"]["nib_not_13_digits"] >= 1
    s = result.tables["survey"]
    assert (
        NIK not in set(s["id_responden"]) and s["id_responden"].str.fullmatch("[0-9a-f]{64}").all()
    )
    q = result.tables["quarantine"]
    details = " ".join(q["detail"])
    assert _raw_forms(details) == [] and "(a value of" in details  # peran described, not quoted


def test_typed_spellings_stay_in_the_raw_folder_for_analysts(hostile):
    data, _, _ = hostile
    spellings = data / "raw" / PERIOD / SPELLINGS_FILE
    assert spellings.stat().st_mode & 0o777 == 0o600
    assert NAME in spellings.read_text()  # the analyst sees what was typed …
    matches = json.loads((data / "processed" / PERIOD / "quality.json").read_text())[
        "kelurahan_matches"
    ]
    assert matches and all("raw" not in m for m in matches)  # … quality.json: canonical only


class _Live(HTMLParser):
    """Elements that would run: <script>, and any on* event attribute."""

    def __init__(self):
        super().__init__()
        self.live = []

    def handle_starttag(self, tag, attrs):
        if tag == "script" or any(k.lower().startswith("on") for k, _ in attrs):
            self.live.append(tag)


def test_the_report_publishes_nothing_raw_and_no_live_markup(hostile):
    data, _, report = hostile
    for path in files_under([report, report.parent / "_executed" / PERIOD]):
        text = path.read_text(encoding="utf-8", errors="replace")
        assert _raw_forms(readable(text, path.suffix)) == [], path.name
        if path.suffix == ".html":
            parser = _Live()
            parser.feed(text)
            assert parser.live == [], path.name
            assert "Content-Security-Policy" in text and "default-src 'none'" in text.replace(
                "&#39;", "'"
            )
    assert check_published(report) == []


def test_the_manifest_names_only_the_recognised_extracts(hostile):
    _, _, report = hostile
    m = json.loads((report / "manifest.json").read_text())
    raw = [k for k in m["inputs_sha256"] if k.startswith("raw/")]
    assert sorted(raw) == sorted(
        f"raw/{n}"
        for n in ("umkm.xlsx", "tenaga_kerja.csv", "peserta_bpjstk.csv", "survei_kesadaran.csv")
    )
    assert m["raw_other_files"] == 1 and "KTP" not in json.dumps(m) and NAME not in json.dumps(m)


@pytest.mark.browser
def test_no_alert_fires_in_chromium(hostile):
    from test_browser import CHROMIUM, FLAGS

    if not CHROMIUM:
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    _, _, report = hostile
    fired = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for path in sorted(report.glob("*.html")):
            page = browser.new_page()
            page.on("dialog", lambda d: (fired.append(d.message), d.dismiss()))
            page.goto(path.as_uri(), wait_until="load")
            assert re.search(r"\S", page.inner_text("body"))
            page.close()
        browser.close()
    assert fired == []
