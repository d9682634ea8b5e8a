"""Published tables: the page's text and the download's numbers come from the same cells, hidden
cells are hidden in both (as '<5' or 'x', never as a number or zero), and every table has one
registered maker."""

import numpy as np
import pandas as pd
import pytest

from analysis.metrics.disclosure import PRIMARY, SECONDARY, protect
from analysis.pages.published import (
    DOWNLOAD_MIME,
    REGISTRY,
    Col,
    PublishedTable,
    from_protected,
    published,
)

from conftest import PUBLISHED_TABLES


def table(lang: str = "id") -> PublishedTable:
    data = pd.DataFrame(
        {
            "name": ["Mojo", "Sewu", "Kota"],
            "n": [1234, 3, 0],
            "rate": [0.0973, 0.5, np.nan],
            "change": [0.00512, -0.0004, 0.01],
            "rp": [201600.4, 8400, 16800],
            "ci_lo": [0.0921, 0.2, np.nan],
            "ci_hi": [0.1031, 0.8, np.nan],
            "score_lo": [361.4, 1, 2],
            "score_hi": [502.6, 2, 3],
        }
    )
    state = pd.DataFrame(
        {
            "n": [0, PRIMARY, 0],
            "rate": [0, PRIMARY, 0],
            "change": [0, SECONDARY, 0],
            "ci": [0, SECONDARY, 0],
        }
    )
    cols = [
        Col("name", "Kelurahan"),
        Col("n", "Pekerja", "count"),
        Col("rate", "Cakupan", "pct"),
        Col("change", "Perubahan", "points"),
        Col("rp", "Harga", "rp"),
        Col("ci", "Rentang 95%", "interval"),
        Col("score", "Rentang skor", "range"),
    ]
    return PublishedTable("Judul", cols, data, lang, state, 5, id="uji")


def test_the_page_shows_each_cell_in_the_report_language():
    shown = table("id").shown()
    assert list(shown.columns) == [
        "Kelurahan",
        "Pekerja",
        "Cakupan",
        "Perubahan (poin)",
        "Harga",
        "Rentang 95%",
        "Rentang skor",
    ]
    assert shown.iloc[0].tolist() == [
        "Mojo",
        "1.234",
        "9,7%",
        "+0,5",
        "Rp201.600",
        "9,2%–10,3%",
        "361–503",
    ]
    # a hidden count says '<5'; a hidden share 'x' ('<5' under a percentage reads 'under 5%')
    assert shown.iloc[1, 1:4].tolist() == ["<5", "x", "x"] and shown.iloc[1, 5] == "x"
    assert shown.iloc[2, 2] == "–" and shown.iloc[2, 5] == "–"  # no data: a dash, not 0
    assert table("en").shown().iloc[0, 1:4].tolist() == ["1,234", "9.7%", "+0.5"]


def test_the_download_holds_the_same_cells_as_numbers():
    download = table("id").download()
    assert list(download.columns) == [
        "Kelurahan",
        "Pekerja",
        "Cakupan (%)",
        "Perubahan (poin)",
        "Harga (Rp)",
        "Rentang 95% – batas bawah (%)",
        "Rentang 95% – batas atas (%)",
        "Rentang skor – batas bawah",
        "Rentang skor – batas atas",
    ]
    assert download.iloc[0].tolist() == ["Mojo", 1234, 9.7, 0.5, 201600, 9.2, 10.3, 361, 503]
    assert download.iloc[1].tolist()[1:7] == ["<5", "x", "x", 8400, "x", "x"]
    row = download.iloc[2].tolist()
    assert row[1] == 0 and row[2] is None and row[3] == 1.0  # no data: an empty cell


def test_a_change_that_rounds_to_zero_has_no_sign():
    t = table("id")
    t.data.loc[0, "change"] = -0.0004
    assert t.shown().iloc[0, 3] == "0,0" and t.download().iloc[0, 3] == 0.0


def test_html_keeps_the_first_column_as_row_headers_and_marks_the_table():
    t_ = table("id")
    html = t_.html()
    gated = t_.page_gate()
    assert f'<table class="tbl" data-table="uji" data-disclosure="{gated.digest}"' in html
    assert html.count('<th scope="row">') == 3 and "<!--downloads:uji-->" in html
    assert 'class="tbl-hint"' in html  # more than three columns: a 'slide sideways' hint
    assert "&lt;5" in html and "<5" not in html.replace("<5", "", 0)


def test_a_page_table_passes_the_scanner_and_a_changed_one_does_not(tmp_path):
    """The page's table carries the gate's mark of exactly the text it shows: the privacy
    scanner passes it, and fails it once a cell is changed after the gate."""
    from analysis.report.privacy import check_published

    html = table("id").html()
    (tmp_path / "ok.html").write_text(html, encoding="utf-8")
    assert check_published(tmp_path) == []
    (tmp_path / "ok.html").write_text(html.replace("&lt;5", "3"), encoding="utf-8")
    kinds = {f.kind for f in check_published(tmp_path)}
    assert kinds == {"altered_table", "small_count"}


def test_a_table_that_says_nothing_of_its_cells_is_refused():
    """No count column, no universe cells, no reason: the gate refuses to mark it."""
    bare = PublishedTable("t", [Col("a", "A")], pd.DataFrame({"a": ["x"]}), "id")
    with pytest.raises(ValueError, match="say which columns hold counts"):
        bare.html()


def test_a_protected_table_publishes_no_small_count():
    raw = pd.DataFrame(
        {"kel": list("abcd"), "workers": [40, 3, 50, 60], "effective": [10, 2, 0, 30]}
    )
    p = protect(raw, ["workers", "effective"], 5, groups=[None])
    t = from_protected(
        p,
        [Col("kel", "Kel"), Col("workers", "W", "count"), Col("effective", "E", "count")],
        "t",
        "id",
    )
    stored = t.download()
    for col in ("W", "E"):
        numbers = [v for v in stored[col] if not isinstance(v, str)]
        assert all(v == 0 or v >= 5 for v in numbers), col
    # the workers' total is published, so one more workers' cell is hidden besides b's 3
    assert (stored["W"] == "x").sum() == 1 and stored.loc[1, "W"] == "<5"


def test_every_published_table_has_one_registered_maker():
    from analysis.pages import (  # noqa: F401
        affordability_page,
        awareness_page,
        clean_page,
        coverage_page,
        outreach_page,
    )

    ids = {i.format(which=w) for i in REGISTRY for w in ("sektor", "kelas_usaha")}
    assert ids >= PUBLISHED_TABLES


def test_the_id_may_use_the_makers_arguments():
    @published("uji_{which}")
    def make(which: str, lang: str = "id") -> PublishedTable:
        table = PublishedTable("t", [Col("a", "A")], pd.DataFrame({"a": [which]}), lang)
        return table.gated(exempt="words, no people")

    assert make("sektor").id == "uji_sektor" and make(which="x").id == "uji_x"
    bundle = make("sektor")._repr_mimebundle_()
    assert bundle[DOWNLOAD_MIME]["columns"] == ["A"] and bundle[DOWNLOAD_MIME]["rows"] == [
        ["sektor"]
    ]


def test_an_unknown_column_kind_is_refused():
    with pytest.raises(ValueError, match="not one of"):
        Col("a", "A", "percentage")
