"""Report language: every message in both languages; Indonesian number and date formats via babel."""

import re
from datetime import date

from analysis.pages.text import (
    catalogue,
    fmt_date,
    fmt_int,
    fmt_month,
    fmt_pct,
    fmt_rp,
    t,
    uncovered_step,
)


def test_every_message_has_both_languages_with_the_same_fields():
    for key, entry in catalogue().items():
        assert set(entry) == {"id", "en"}, key
        fields = [set(re.findall(r"{(\w+)", entry[lang])) for lang in ("id", "en")]
        assert fields[0] == fields[1], key


def test_indonesian_formats():
    assert fmt_rp(1_802_700) == "Rp1.802.700"
    assert fmt_rp(1_802_700, "en") == "Rp1,802,700"
    assert fmt_pct(0.442) == "44,2%" and fmt_pct(0.442, "en") == "44.2%"
    assert fmt_int(12345) == "12.345" and fmt_int(12345, "en") == "12,345"
    assert (
        fmt_date(date(2026, 10, 12)) == "12 Oktober 2026"
        and fmt_date(date(2026, 10, 12), "en") == "12 October 2026"
    )
    assert fmt_month("2026-10") == "Oktober 2026"
    assert fmt_int(None) == "–" and fmt_pct(float("nan")) == "–"


def test_messages_fill_fields():
    title = t("region_report_title", "id", place="Soloraya", month=fmt_month("2026-10"))
    assert title.endswith("UMKM Soloraya — Oktober 2026")


def test_a_table_reaches_the_page_only_gated_and_escaped():
    import pandas as pd
    import pytest

    from analysis.metrics.disclosure import gate
    from analysis.pages.text import TABLE_MIME, table

    with pytest.raises(TypeError, match="gate"):
        table(pd.DataFrame({"a": [1]}))
    hostile = '<img src=x onerror=alert(1)><script>alert(2)</script>"&'
    pub = gate(pd.DataFrame({"Kelurahan": [hostile], "Pekerja": ["12"]}), "t", counts=["Pekerja"])
    bundle = table(pub)._repr_mimebundle_()
    html = bundle["text/html"]
    assert "<img" not in html and "<script" not in html and "onerror=alert(1)&gt;" in html
    assert "&lt;script&gt;" in html and "&quot;&amp;" in html
    assert f'data-disclosure="{pub.digest}"' in html and 'data-counts="1"' in html
    assert bundle[TABLE_MIME]["digest"] == pub.digest


def test_markdown_fields_are_escaped():
    from analysis.pages.text import md

    out = md("suppressed_note", "id", k="<script>alert(1)</script>").data
    assert "<script>" not in out and "&lt;script&gt;" in out


def test_a_hidden_count_in_a_next_step_is_said_in_words():
    assert uncovered_step("1.234") == "1.234 pekerja belum tercakup"
    assert uncovered_step("<5") == "<5 pekerja belum tercakup"  # reads as "fewer than 5"
    assert uncovered_step("x") == t("cov_step_uncovered_hidden", "id")
    assert "x" not in uncovered_step("x").split()
    assert uncovered_step("x", "en") == t("cov_step_uncovered_hidden", "en")
