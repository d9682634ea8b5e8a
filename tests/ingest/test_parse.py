"""Parsers of Indonesian dates, months, Rupiah and yes/no: hand cases and properties (hypothesis)."""

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.ingest.parse import (
    clean_text,
    coded_text,
    map_text,
    map_unique,
    parse_amount,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
    parse_month,
    split_codes,
    text_of_codes,
    to_datetime_col,
    to_float_col,
)

ID_MONTHS = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
ID_MONTHS_FULL = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("17-Agu-2019", date(2019, 8, 17)),
        ("17/08/2019", date(2019, 8, 17)),
        ("2019-08-17", date(2019, 8, 17)),
        ("17 Agustus 2019", date(2019, 8, 17)),
        ("17-Aug-2019", date(2019, 8, 17)),
        ("17.08.2019", date(2019, 8, 17)),
        ("43694", date(2019, 8, 17)),
        ("2019-08-17 00:00:00", date(2019, 8, 17)),
        ("08/17/2019", date(2019, 8, 17)),
        ("1 Pebruari 2020", date(2020, 2, 1)),
        ("5-Nop-2021", date(2021, 11, 5)),
        ("17/08/19", date(2019, 8, 17)),
        ("31-02-2019", None),
        ("kemarin", None),
        ("", None),
        ("2019-13-01", None),
        ("00/01/2019", None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Okt 2026", date(2026, 10, 1)),
        ("Oktober 2026", date(2026, 10, 1)),
        ("10/2026", date(2026, 10, 1)),
        ("2026-10", date(2026, 10, 1)),
        ("202610", date(2026, 10, 1)),
        ("Okt-26", date(2026, 10, 1)),
        ("15/10/2026", date(2026, 10, 1)),
        ("Des 2025", date(2025, 12, 1)),
        ("13/2026", None),
        ("bulan lalu", None),
    ],
)
def test_parse_month(text, expected):
    assert parse_month(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Rp 1.500.000", 1_500_000),
        ("Rp1.500.000,-", 1_500_000),
        ("1,5 jt", 1_500_000),
        ("1.5 juta", 1_500_000),
        ("750rb", 750_000),
        ("750 ribu", 750_000),
        ("1,2 M", 1_200_000_000),
        ("1500000.0", 1_500_000),
        ("1,500,000", 1_500_000),
        ("Rp 1.500.000,00", 1_500_000),
        ("Rp. 2.000.000", 2_000_000),
        ("IDR 16.800", 16_800),
        ("-500000", -500_000),
        ("abc", None),
        ("Rp ???", None),
        ("", None),
        ("1.2.3", None),
        ("dua juta", None),
    ],
)
def test_parse_amount(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("5", 5),
        ("5.0", 5),
        (" 5 orang", 5),
        ("-3", -3),
        ("5,5", None),
        ("lima", None),
        ("3-4", None),
    ],
)
def test_parse_int(text, expected):
    assert parse_int(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Ya", True),
        ("y", True),
        ("1", True),
        ("YA", True),
        ("Sudah", True),
        ("Tidak", False),
        ("T", False),
        ("0", False),
        ("tidak", False),
        ("Belum", False),
        ("mungkin", None),
        ("", None),
    ],
)
def test_parse_bool(text, expected):
    assert parse_bool(text) is expected


def test_parse_decimal_reads_weights_without_thousands_guessing():
    assert parse_decimal("57.245") == 57.245
    assert parse_decimal("57,24") == 57.24
    assert parse_decimal("abc") is None


def test_amounts_with_a_per_month_unit():
    assert parse_amount("15rb/bln") == 15_000
    assert parse_amount("Rp 15.000/bulan") == 15_000
    assert parse_amount("Rp 15.000 per bulan") == 15_000


def test_colloquial_no():
    for word in ("gak", "nggak", "enggak", "ndak", "tak", "belum pernah", "tidak pernah"):
        assert parse_bool(word) is False, word


def test_split_codes_separates_known_and_unknown():
    assert split_codes("JKK; jkm, JHT", {"JKK", "JKM", "JHT"}) == (["JKK", "JKM", "JHT"], [])
    assert split_codes("JKK/JKN", {"JKK", "JKM"}) == (["JKK"], ["JKN"])
    assert split_codes("JKK + JKM", {"JKK", "JKM"}) == (["JKK", "JKM"], [])
    assert split_codes("JKK dan JKM", {"JKK", "JKM"}) == (["JKK", "JKM"], [])
    assert split_codes("JHT (jaminan)", {"JHT"}) == (["JHT"], ["JAMINAN"])


def test_map_unique_parses_each_distinct_value_once():
    calls = []

    def fn(v):
        calls.append(v)
        return len(v)

    out = map_unique(pd.Series(["ab", "ab", "c", None, "ab"]), fn)
    assert out.tolist() == [2, 2, 1, None, 2]
    assert sorted(calls) == ["ab", "c"]


@given(st.lists(st.sampled_from(["ab", "c", "", "Ya", "é", None]), max_size=30))
def test_map_unique_to_text_or_yes_no_equals_the_objects_converted(values):
    raw = pd.Series(values, dtype="str")
    for fn, dtype in (
        (lambda v: v.upper() or None, "str"),
        (lambda v: len(v) > 1, bool),
        (lambda v: {"ab": True, "c": False}.get(v), bool),
        (lambda v: len(v), "str"),  # not text: converted as pandas converts objects
    ):
        results = pd.Series([None if v is None else fn(v) for v in values], dtype=object)
        pd.testing.assert_series_equal(map_unique(raw, fn, dtype=dtype), results.astype(dtype))


# ---------------------------------------------------------------- properties

days = st.dates(min_value=date(1950, 1, 1), max_value=date(2035, 12, 31))


@given(days, st.sampled_from(["dmy_slash", "dmy_dash_abbr", "iso", "d_month_y", "serial"]))
def test_any_date_written_the_indonesian_ways_reads_back(d, style):
    text = {
        "dmy_slash": f"{d.day:02d}/{d.month:02d}/{d.year}",
        "dmy_dash_abbr": f"{d.day}-{ID_MONTHS[d.month - 1]}-{d.year}",
        "iso": d.isoformat(),
        "d_month_y": f"{d.day} {ID_MONTHS_FULL[d.month - 1]} {d.year}",
        "serial": str((d - date(1899, 12, 30)).days),
    }[style]
    assert parse_date(text) == d


@given(
    st.integers(min_value=1900, max_value=2100),
    st.integers(min_value=1, max_value=12),
    st.sampled_from(["abbr", "full", "slash", "iso"]),
)
def test_any_month_reads_back_as_its_first_day(y, m, style):
    text = {
        "abbr": f"{ID_MONTHS[m - 1]} {y}",
        "full": f"{ID_MONTHS_FULL[m - 1]} {y}",
        "slash": f"{m:02d}/{y}",
        "iso": f"{y}-{m:02d}",
    }[style]
    assert parse_month(text) == date(y, m, 1)


@given(st.integers(min_value=0, max_value=10**12))
def test_rupiah_with_dot_grouping_reads_back(n):
    dotted = f"{n:,}".replace(",", ".")
    assert parse_amount(f"Rp {dotted}") == n
    assert parse_amount(f"Rp{dotted},-") == n
    assert parse_amount(str(n)) == n


@given(st.integers(min_value=1, max_value=999), st.integers(min_value=0, max_value=9))
def test_juta_with_decimal_comma_reads_back(whole, tenth):
    assert parse_amount(f"{whole},{tenth} jt") == whole * 1_000_000 + tenth * 100_000


@given(st.text(max_size=40))
def test_parsers_never_raise_on_any_text(text):
    for fn in (
        parse_date,
        parse_month,
        parse_amount,
        parse_int,
        parse_bool,
        parse_decimal,
        clean_text,
    ):
        fn(text)


def test_coded_text_round_trip_keeps_missing():
    values = pd.Series(["33.72.01.1001", None, "33.72.02.1001", "33.72.01.1001"], dtype="str")
    codes, texts = coded_text(values)
    assert codes.tolist() == [0, -1, 1, 0] and texts.to_pylist() == [
        "33.72.01.1001",
        "33.72.02.1001",
    ]
    back = text_of_codes(codes[[3, 1, 2]], texts, pd.Index([7, 8, 9]))
    expected = pd.Series(["33.72.01.1001", None, "33.72.02.1001"], index=[7, 8, 9], dtype="str")
    pd.testing.assert_series_equal(back, expected)


# ------------------------------------------- columns: plain forms read at once, the rest one by one

MONTH_WORDS = ID_MONTHS + ID_MONTHS_FULL + ["Sept", "Agt", "Nop", "Pebruari", "August", "Dec"]
parts = st.integers(min_value=0, max_value=45).map(str) | st.integers(0, 9).map(lambda n: f"0{n}")
years = st.sampled_from([0, 1, 19, 39, 40, 41, 99, 1799, 1800, 1900, 2000, 2024, 2200, 2201]).map(
    str
) | st.integers(1700, 2300).map(str)
month_word_dates = st.tuples(
    parts,
    st.sampled_from(["", "-", " ", "/", "."]),
    st.sampled_from(MONTH_WORDS),
    st.sampled_from([str, str.upper, str.lower, str.title]),
    st.sampled_from(["", ".", "-", " ", ". "]),
    years,
).map(lambda t: f"{t[0]}{t[1]}{t[3](t[2])}{t[4]}{t[5]}")
date_texts = st.one_of(
    st.tuples(years, parts, parts, st.sampled_from("-/.")).map(lambda t: t[3].join(t[:3])),
    st.tuples(parts, parts, years, st.sampled_from("-/.")).map(lambda t: t[3].join(t[:3])),
    month_word_dates,
    st.dates(date(1700, 1, 1), date(2300, 12, 31)).map(lambda d: d.strftime("%d/%m/%Y")),
    st.sampled_from(
        ["17-Agu-2019 ", "17  Agu 2019", "２０１９-08-17", "2019-08-17 10:00", "43694"]
    ),
    st.text(max_size=12),
    st.none(),
)


@given(st.lists(date_texts, max_size=30))
def test_date_columns_read_the_plain_forms_at_once_to_the_same_days(values):
    raw = pd.Series(values, dtype="str")
    got = to_datetime_col(raw).astype("datetime64[us]")
    expected = pd.to_datetime(
        pd.Series([None if v is None else parse_date(v) for v in values], dtype=object),
        errors="coerce",
    ).astype("datetime64[us]")
    pd.testing.assert_series_equal(got, expected, check_names=False)


amount_texts = st.one_of(
    st.integers(0, 10**17).map(str),
    st.integers(0, 10**16).map(lambda n: f"{n:,}".replace(",", ".")),
    st.tuples(
        st.sampled_from(["Rp", "Rp ", "rp.", "Rp. ", "IDR ", "idr", "RP  ", "Rp-"]),
        st.integers(0, 10**16).map(lambda n: f"{n:,}".replace(",", ".")),
    ).map("".join),
    st.sampled_from(["0.500", "00.000", "1.2345", "1.23", "1.000,-", "1,5 jt", "750rb", "-1.000"]),
    st.text("0123456789.,rpRP ", max_size=20),
    st.none(),
)


def test_an_amount_with_its_decimal_mark_twice_is_no_number_not_an_error():
    """Found by hypothesis in a fresh-clone run: '0.,.0' stopped the whole month with a
    ValueError; now it is an amount that cannot be read (the row is quarantined)."""
    for text in ["0.,.0", "1.,.5", "Rp 1.000,.5", "2,.,0"]:
        assert parse_amount(text) is None, text
    assert to_float_col(pd.Series(["0.,.0", "1.500"], dtype="str")).tolist()[1] == 1500.0
    assert parse_amount("1.500,5") == 1500.5 and parse_amount("1,500.5") == 1500.5


@given(st.lists(amount_texts, max_size=30))
def test_amount_columns_read_the_plain_forms_at_once_to_the_same_numbers(values):
    raw = pd.Series(values, dtype="str")
    expected = pd.to_numeric(
        pd.Series([None if v is None else parse_amount(v) for v in values], dtype=object),
        errors="coerce",
    ).astype("float64")
    pd.testing.assert_series_equal(to_float_col(raw), expected, check_names=False)


scaled_amounts = st.tuples(
    st.integers(0, 10**7).map(str),  # 7 digits: beyond the fast form, read one by one
    st.sampled_from(["", ","]) | st.integers(0, 999).map(lambda n: f",{n}"),
    st.sampled_from(["", " ", "  "]),
    st.sampled_from(["jt", "rb", "JT", "Rb", "juta", "k", "m", "j t"]),
).map("".join)


@given(st.lists(scaled_amounts | amount_texts, max_size=30))
def test_amounts_in_millions_read_at_once_are_the_same_floats(values):
    """'172,8 jt' read at once equals parse_amount's round(172.8 * 1e6, 2) to the bit."""
    got = to_float_col(pd.Series(values, dtype="str")).to_numpy()
    expected = np.array([np.nan if v is None else parse_amount(v) for v in values], dtype=float)
    assert got.tobytes() == np.where(np.isnan(expected), np.nan, expected).tobytes()


@given(
    st.lists(st.sampled_from(["33.72.01.1001", "33.72.02.1001", "99.99", "", None]), max_size=30)
)
def test_map_text_equals_pandas_map_as_text(values):
    """Looked up once per distinct value, broadcast by an Arrow take: `Series.map` then text,
    missing for a missing value and for a value the mapping does not hold."""
    mapping = pd.Series(
        ["Kampung Baru", "Keprabon", None], index=["33.72.01.1001", "33.72.02.1001", ""]
    )
    codes = pd.Series(values, dtype="str", index=range(3, 3 + len(values)))
    pd.testing.assert_series_equal(map_text(codes, mapping), codes.map(mapping).astype("str"))
