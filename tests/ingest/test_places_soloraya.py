"""Desa names repeat across kecamatan and kabupaten/kota: matching uses the row's kecamatan and
kab/kota to tell them apart, and quarantines what stays ambiguous — tested on the real repeated
names of Soloraya's 1,568 desa/kelurahan.

`fixtures/desa_repeats.csv` is an independent count (a colleague's script over
soloraya_desa_codes.csv, /work/scratch/refdata/desa_repeats.md): every name used more than once,
with all its codes, kecamatan and kab/kota.
"""

from pathlib import Path

import pandas as pd
import pytest

from analysis.ingest.places import PlaceMatcher, compact, norm_place
from analysis.reference import gazetteer, kabkota, splits, units
from analysis.store import load_processed

from conftest import PERIOD, write

FIXTURES = Path(__file__).with_name("fixtures")
REPEATS = pd.read_csv(FIXTURES / "desa_repeats.csv", dtype=str, keep_default_na=False)


def occurrences() -> list[tuple[str, str, str, str]]:
    """(code, name, kecamatan, kab/kota) of every place whose name is used more than once."""
    rows = []
    for r in REPEATS.itertuples():
        parts = [r.codes, r.names, r.kecamatan, r.kabkota]
        rows += list(zip(*(p.split("|") for p in parts), strict=True))
    return rows


@pytest.fixture(scope="module")
def solo():
    return PlaceMatcher(units("soloraya"), gazetteer(), splits(), kabkota())


@pytest.fixture(scope="module")
def surakarta():
    return PlaceMatcher(units("surakarta"), gazetteer(), splits(), kabkota())


def test_the_fixture_is_the_reference_list_of_repeats():
    """198 names repeat (517 places): 60 within one kab/kota, 177 across kab/kota."""
    u = units("soloraya")
    key = u["kelurahan"].str.lower().str.split().str.join(" ")
    counts = key.value_counts()
    assert set(REPEATS["name_norm"]) == set(counts[counts > 1].index)
    assert len(REPEATS) == 198 and len(occurrences()) == 517
    kinds = REPEATS["kinds"].str.split("|")
    assert kinds.map(lambda k: "across_kecamatan_same_kabupaten" in k).sum() == 60
    assert kinds.map(lambda k: "across_kabupaten" in k).sum() == 177


def test_a_repeated_name_alone_is_ambiguous_never_guessed(solo):
    for name in sorted({name for _, name, _, _ in occurrences()}):
        m = solo.match_one(name)
        assert (m.kode_kelurahan, m.rule) == (None, "kelurahan_ambiguous"), name


def test_every_repeated_name_is_found_with_its_kecamatan_and_kabkota(solo):
    for code, name, kec, kab in occurrences():
        m = solo.match_one(name.upper(), f"Kec. {kec}", False, kab)
        assert m.kode_kelurahan == code, (name, kec, kab, m)


def test_the_kabkota_alone_resolves_a_name_only_where_it_is_once_in_it(solo):
    for code, name, _, kab in occurrences():
        in_kab = sum(
            1
            for _, n, _, k in occurrences()
            if k == kab and compact(norm_place(n)) == compact(norm_place(name))
        )
        m = solo.match_one(name, "", False, kab)
        if in_kab == 1:
            assert m.kode_kelurahan == code, (name, kab, m)
        else:  # e.g. Jetis four times in Klaten
            assert m.rule == "kelurahan_ambiguous", (name, kab, m)


@pytest.mark.parametrize(
    "kel, kec, kab, code",
    [
        ("Jetis", "", "Klaten", None),  # four in Klaten
        ("Jetis", "Delanggu", "Klaten", "33.10.16.2002"),
        ("Jetis", "Delanggu", "", "33.10.16.2002"),  # the kecamatan alone is enough
        ("Karang Tengah", "", "Sragen", "33.14.10.1006"),
        ("Karangtengah", "", "Kab. Sragen", "33.14.10.1006"),  # the same letters without spaces
        ("Karangtengah", "", "", None),  # Sragen, Sukoharjo or Wonogiri
        ("Karang Tengah", "", "", None),  # spelt exactly like Sragen's: still three places
        ("Mojosongo", "", "", None),  # Kota Surakarta and Kabupaten Boyolali
        ("Mojosongo", "", "Solo", "33.72.04.1011"),
        ("Mojosongo", "", "Kabupaten Boyolali", "33.09.06.1009"),
        ("Sidoharjo", "Sidoharjo", "", None),  # a desa Sidoharjo in both kecamatan Sidoharjo
        ("Sidoharjo", "Sidoharjo", "Sragen", "33.14.11.2006"),
        ("Sidoharjo", "Sidoharjo", "Wonogiri", "33.12.14.1012"),
        ("Jetis", "Sidoharjo", "", None),  # no Jetis in either Sidoharjo
        ("Kebak", "", "Karanganyar", None),  # Jumantono and Kebakkramat
        ("Kebak", "Jumantono", "Karanganyar", "33.13.04.2002"),
        ("Jetis", "Delanggu", "Sukoharjo", None),  # kecamatan and kab/kota disagree
    ],
)
def test_real_repeated_names(solo, kel, kec, kab, code):
    m = solo.match_one(kel, kec, False, kab)
    if code is None:
        assert (m.kode_kelurahan, m.rule) == (None, "kelurahan_ambiguous"), m
    else:
        assert m.kode_kelurahan == code, m


def test_sidoharjo_is_two_kecamatan_and_a_kabkota_tells_which(solo):
    assert solo.match_kecamatan("Sidoharjo") == ({"33.12.14", "33.14.11"}, False)
    assert solo.match_kecamatan("Kec. Sidoharjo", {"33.14"}) == ({"33.14.11"}, False)


def test_near_twins_in_one_kecamatan_are_not_merged_by_the_fuzzy_match(solo):
    assert (
        solo.match_one("Wonokarto", "Wonogiri", False, "Wonogiri").kode_kelurahan == "33.12.12.1015"
    )
    assert (
        solo.match_one("Wonokerto", "Wonogiri", False, "Wonogiri").kode_kelurahan == "33.12.12.2013"
    )
    # one slip from both: which one is not guessed
    assert solo.match_one("Wonokurto", "Wonogiri", False, "Wonogiri").rule == "kelurahan_ambiguous"


def test_a_kabkota_outside_the_region_is_outside(solo, surakarta):
    assert solo.match_one("Tlogolele", "", False, "Kabupaten Sleman").rule == "outside_region"
    assert solo.match_one("Jetis", "", False, "Kota Semarang").rule == "outside_region"
    # for Kota Surakarta, a kabupaten of Soloraya is outside too, even for a name Solo also has
    assert surakarta.match_one("Mojosongo", "", False, "Boyolali").rule == "outside_region"
    assert surakarta.match_one("Mojosongo", "", False, "Kota Surakarta").kode_kelurahan == (
        "33.72.04.1011"
    )


def test_surakarta_names_found_elsewhere_stay_surakartas_in_the_city_and_need_a_kabkota_in_soloraya(
    solo, surakarta
):
    city = units("surakarta")
    elsewhere = [
        (r.kode_kelurahan, r.kelurahan)
        for r in city.itertuples()
        if (units("soloraya")["kelurahan"].str.lower() == r.kelurahan.lower()).sum() > 1
    ]
    assert len(elsewhere) == 13  # desa_repeats.md: 13 of Surakarta's 54 names occur elsewhere
    for code, name in elsewhere:
        assert surakarta.match_one(name).kode_kelurahan == code, name
        assert solo.match_one(name).rule == "kelurahan_ambiguous", name
        assert solo.match_one(name, "", False, "Kota Surakarta").kode_kelurahan == code, name


def _nik(kabkota: str, serial: int) -> str:
    return f"{kabkota}01" + "010190" + f"{serial:04d}"


def test_cleaning_a_soloraya_registry_uses_kecamatan_and_kabkota_columns(tmp_path):
    raw = tmp_path / "raw" / "soloraya" / PERIOD
    write(
        raw / "umkm.csv",
        "ID UMKM;Desa/Kelurahan;Kecamatan;Kabupaten/Kota;Jml Tenaga Kerja\n"
        "U1;Jetis;Delanggu;Kab. Klaten;3\n"
        "U2;JETIS;;KLATEN;2\n"  # four Jetis in Klaten
        "U3;Mojosongo;;Solo;4\n"
        "U4;Karang Tengah;;;1\n"  # three places
        "U5;Ds. Karangtengah;Weru;Sukoharjo;2\n"
        "U6;Tlogolele;Selo;Kabupaten Sleman;1\n",  # a kab/kota outside Soloraya
    )
    write(raw / "tenaga_kerja.csv", f"id_umkm;nik\nU1;{_nik('3310', 1)}\nU3;{_nik('3372', 2)}\n")
    write(
        raw / "peserta_bpjstk.csv", f"nik,status,iuran_terakhir\n{_nik('3310', 1)},AKTIF,{PERIOD}\n"
    )
    from analysis.pipeline import clean_period

    clean_period(PERIOD, tmp_path, region="soloraya")
    d = load_processed(PERIOD, tmp_path, region="soloraya")
    got = d["businesses"].set_index("id_umkm")["kode_kelurahan"].to_dict()
    assert got == {"U1": "33.10.16.2002", "U3": "33.72.04.1011", "U5": "33.11.01.2002"}
    q = d["quarantine"].set_index("source_row")["rule"].to_dict()
    assert q == {2: "kelurahan_ambiguous", 4: "kelurahan_ambiguous", 6: "outside_region"}
    cov = d["coverage_kelurahan"]
    assert len(cov) == 1568 and d["quality"]["region"] == "soloraya"
    assert cov.set_index("kode_kelurahan").loc["33.10.16.2002", "effective"] == 1
