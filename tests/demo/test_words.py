"""The name lists are package data: they load in file order (repeats kept: draws pick by
position), carry no notes or blanks, and fit the rosters' Windows-1252 encoding."""

import tomllib

import pytest

from analysis.demo import words
from analysis.paths import ROOT


@pytest.mark.parametrize(
    "names, first, count",
    [
        (words.FEMALE, "Sri", 58),
        (words.MALE, "Agus", 55),
        (words.FEMALE_EXTRA, "Nur’aini", 6),
        (words.STREETS, "Slamet Riyadi", 18),
        (words.BUSINESS_WORDS, "Barokah", 15),
        (words.OUTSIDE_KECAMATAN, "Kartasura", 8),
    ],
)
def test_name_lists_load_in_file_order(names, first, count):
    assert isinstance(names, tuple) and len(names) == count and names[0] == first
    assert all(n and n == n.strip() and not n.startswith("#") for n in names)
    for n in names:
        n.encode("cp1252")  # the roster is written in Windows-1252


def test_repeats_are_kept_and_extra_names_test_the_encoding():
    assert words.FEMALE.count("Sri") == 2 and words.MALE.count("Gunawan") == 2
    assert any(not n.isascii() for n in words.FEMALE_EXTRA)


def test_every_list_file_is_read_and_shipped_as_package_data():
    stems = {p.stem for p in words.NAMES_DIR.glob("*.txt")}
    assert stems == {
        "female",
        "male",
        "female_extra",
        "streets",
        "business_words",
        "outside_kecamatan",
    }
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "demo/names/*.txt" in pyproject["tool"]["setuptools"]["package-data"]["analysis"]
