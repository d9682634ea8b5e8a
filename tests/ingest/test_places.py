"""Kelurahan matching: exact → alias → fuzzy, and quarantine (never a guess) for the rest."""

import pandas as pd
import pytest

from analysis.ingest.places import PlaceMatcher, norm_place
from analysis.reference import gazetteer, splits, units


@pytest.fixture(scope="module")
def matcher():
    return PlaceMatcher(units(), gazetteer(), splits())


@pytest.mark.parametrize(
    "kel, kec, code, method",
    [
        ("Jebres", "", "33.72.04.1010", "exact"),
        ("Kel. Jebres", "", "33.72.04.1010", "exact"),
        ("KELURAHAN  jebres ", "", "33.72.04.1010", "exact"),
        ("Kel. Jebres Kec. Jebres", "", "33.72.04.1010", "exact"),
        ("Kauman", "Ps. Kliwon", "33.72.03.1009", "exact"),
        ("Kampung Baru", "", "33.72.03.1006", "alias"),
        ("KAMPUNGBARU", "", "33.72.03.1006", "exact"),
        ("Kedung Lumbu", "Pasar Kliwon", "33.72.03.1007", "alias"),
        ("Stabelan", "", "33.72.05.1004", "alias"),
        ("Pucang  Sawit", "Kec. Jebres", "33.72.04.1006", "alias"),
        ("Mangkubumin", "", "33.72.05.1010", "fuzzy"),  # one slip in an 11-letter name
        ("Jebers", "", "33.72.04.1010", "fuzzy"),  # a transposition
        ("Purwodiningrat", "", None, None),  # a prefix of Purwodiningratan: never guessed
    ],
)
def test_matches(matcher, kel, kec, code, method):
    m = matcher.match_one(kel, kec)
    assert (m.kode_kelurahan, m.method) == (code, method) or (
        code is None and m.rule == "kelurahan_ambiguous"
    )


@pytest.mark.parametrize(
    "kel, kec, rule",
    [
        ("Kepatihan", "", "kelurahan_ambiguous"),  # Kepatihan Kulon or Kepatihan Wetan
        ("Kauman", "Jebres", "kelurahan_ambiguous"),  # Kauman is in Pasar Kliwon
        ("Makamhaji", "", "outside_region"),  # Kartasura, Sukoharjo
        ("Gumpang", "Kartasura", "outside_region"),
        (
            "Karangasem",
            "Bulu",
            "outside_region",
        ),  # same name as a city kelurahan, but the kecamatan says otherwise
        ("Solo", "", "kelurahan_unmatched"),
        ("-", "", "kelurahan_unmatched"),
        ("Jl. Slamet Riyadi", "", "kelurahan_unmatched"),
    ],
)
def test_quarantines_rather_than_guesses(matcher, kel, kec, rule):
    m = matcher.match_one(kel, kec)
    assert m.kode_kelurahan is None and m.rule == rule and m.detail


def test_old_names_before_the_2019_split_are_ambiguous(matcher):
    got = matcher.match(
        pd.Series(["Kadipiro", "Kadipiro", "Semanggi", "Jebres"]),
        registered_on=pd.to_datetime(
            pd.Series(["2017-05-01", "2020-01-01", "2018-12-31", "2010-01-01"])
        ),
    )
    assert got["rule"].tolist() == ["kelurahan_ambiguous", None, "kelurahan_ambiguous", None]
    assert got["kode_kelurahan"].tolist() == [None, "33.72.05.1001", None, "33.72.04.1010"]
    assert "Joglo" in got["detail"].iloc[0]


def test_every_official_name_and_alias_matches_itself(matcher):
    u = units()
    for r in u.itertuples():
        assert matcher.match_one(r.kelurahan, r.kecamatan).kode_kelurahan == r.kode_kelurahan
        for alias in filter(None, r.aliases.split("|")):
            assert matcher.match_one(alias).kode_kelurahan == r.kode_kelurahan


def test_column_matching_works_per_distinct_value_and_keeps_the_index(matcher):
    s = pd.Series(["Jebres", "Solo", "Jebres"], index=[10, 20, 30])
    got = matcher.match(s)
    assert got.index.tolist() == [10, 20, 30]
    assert got["kode_kelurahan"].tolist() == ["33.72.04.1010", None, "33.72.04.1010"]


def test_norm_place():
    assert norm_place("  Kel. Pasar   Kliwon ") == "pasar kliwon"
    assert norm_place("KELURAHAN Sudiroprajan") == "sudiroprajan"


# ---------------------------------------------------------------- properties (hypothesis)

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

UNITS = units()


@settings(max_examples=200)
@given(
    st.sampled_from(list(UNITS.itertuples())),
    st.sampled_from(["", "Kel. ", "Kelurahan ", "KEL.", "kel "]),
    st.sampled_from([str.upper, str.lower, str.title, str]),
    st.integers(0, 3),
    st.booleans(),
)
def test_any_official_name_with_prefix_case_and_spacing_matches_exactly(
    unit, prefix, case, pad, with_kec
):
    text = " " * pad + prefix + case(unit.kelurahan).replace(" ", " " * (pad + 1)) + " " * pad
    m = PlaceMatcher(UNITS, gazetteer(), splits()).match_one(
        text, unit.kecamatan if with_kec else ""
    )
    assert (m.kode_kelurahan, m.method) == (unit.kode_kelurahan, "exact")


@settings(max_examples=200)
@given(st.text(max_size=40), st.text(max_size=20))
def test_matching_never_raises_and_never_returns_a_code_with_a_rule(kel, kec):
    m = PlaceMatcher(UNITS, gazetteer(), splits()).match_one(kel, kec)
    assert (m.kode_kelurahan is None) == (m.rule is not None)
    assert m.kode_kelurahan is None or m.kode_kelurahan in set(UNITS["kode_kelurahan"])
