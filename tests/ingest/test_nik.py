"""NIK rules (docs/facts.md §6) and Excel damage."""

from datetime import date

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.ingest.nik import check_niks


def one(text):
    row = check_niks(pd.Series([text], dtype="str")).iloc[0]
    return row["nik"], row["status"]


@pytest.mark.parametrize(
    "raw, nik, status",
    [
        (
            "3372015708900001",
            "3372015708900001",
            "ok",
        ),  # man born 17-08-1990, first registered in Laweyan
        ("3372015702000001", "3372015702000001", "ok"),  # woman (day 57 = 17 + 40) born 17-02-2000
        ("3372016902000001", "3372016902000001", "ok"),  # woman born 29-02-2000 (a leap year)
        ("3372013108900001", "3372013108900001", "ok"),  # 31 August exists
        ("3372 0157 0890 0001", "3372015708900001", "repaired"),
        ("3372.0157.0890.0001", "3372015708900001", "repaired"),
        ("3372015708900001.0", "3372015708900001", "repaired"),  # float text
        ("'3372015708900001", "3372015708900001", "repaired"),  # Excel's text prefix
        ("3.37201E+15", None, "excel_mangled"),
        ("3,37202E+15", None, "excel_mangled"),
        ("337201570890001", None, "invalid"),  # 15 digits: one left out while typing
        ("3372013102900001", None, "invalid"),  # 31 February
        ("3372017208900001", None, "invalid"),  # day 72 (> 71)
        ("3372013508900001", None, "invalid"),  # day 35: neither 01-31 nor 41-71
        ("3372015713900001", None, "invalid"),  # month 13
        ("3372015708900000", None, "invalid"),  # serial 0000
        ("9972015708900001", None, "invalid"),  # province 99
        ("3300015708900001", None, "invalid"),  # kab/kota 00
        ("33720157089000011", None, "invalid"),  # 17 digits
        ("33720157089000a1", None, "invalid"),
        ("", None, "missing"),
    ],
)
def test_nik_rules(raw, nik, status):
    got_nik, got_status = one(raw)
    assert got_status == status
    assert (got_nik if pd.notna(got_nik) else None) == nik


def test_no_check_digit_is_applied():
    # Changing only the serial keeps a NIK valid: there is no check digit (python-stdnum id/nik).
    for serial in ("0001", "0002", "4711", "9999"):
        assert one("337201570890" + serial)[1] == "ok"


def test_two_digit_year_accepts_either_century():
    assert one("3372012902000001")[1] == "ok"  # 29-02-2000 (leap)
    assert one("3372012902010001")[1] == "invalid"  # 29-02-1901/2001: neither is leap


def valid_niks():
    return st.builds(
        lambda prov, kab, kec, day, female, serial: (
            f"{prov}{kab:02d}{kec:02d}{day.day + (40 if female else 0):02d}{day.month:02d}{day.year % 100:02d}{serial:04d}"
        ),
        st.sampled_from(["33", "34", "35", "31", "11", "94"]),
        st.integers(1, 99),
        st.integers(1, 99),
        st.dates(date(1940, 1, 1), date(2010, 12, 31)),
        st.booleans(),
        st.integers(1, 9999),
    )


@given(valid_niks(), st.sampled_from(["plain", "spaces", "dots", "float", "dashes"]))
def test_any_valid_nik_in_any_harmless_format_normalises_to_itself(nik, style):
    text = {
        "plain": nik,
        "spaces": " ".join(nik[i : i + 4] for i in range(0, 16, 4)),
        "dots": ".".join(nik[i : i + 4] for i in range(0, 16, 4)),
        "float": nik + ".0",
        "dashes": f"{nik[:6]}-{nik[6:12]}-{nik[12:]}",
    }[style]
    got, status = one(text)
    assert got == nik
    assert status == ("ok" if style == "plain" else "repaired")


@given(valid_niks())
def test_scientific_notation_is_always_recognised_as_excel_damage(nik):
    assert one(f"{float(nik):.5E}")[1] == "excel_mangled"


@given(valid_niks(), st.integers(0, 15))
def test_a_nik_with_one_digit_left_out_is_invalid_not_excel_damage(nik, at):
    """Excel keeps 16 digits (zeroing the tail) or shows '3.37203E+15'; 15 digits are a typing
    slip, quarantined as nik_invalid with the reason in words."""
    row = check_niks(pd.Series([nik[:at] + nik[at + 1 :]], dtype="str")).iloc[0]
    assert row["status"] == "invalid" and "15 digits" in row["detail"]


@given(st.text(max_size=30))
def test_check_niks_never_raises(text):
    check_niks(pd.Series([text], dtype="str"))


def test_nik_in_other_unicode_digits_is_invalid_not_a_crash():
    """Full-width or Arabic-Indic digits are digits to Python but not NIK digits: the row is
    refused with the reason a person would give, never a crash of the whole run."""
    out = check_niks(
        pd.Series(["３３７２０１１２０３８５０００１", "33720112٣3850001", "3372011203850001"])
    )
    assert out["status"].tolist() == ["invalid", "invalid", "ok"]
    assert "province" in out["detail"][0] and "birth date" in out["detail"][1]
