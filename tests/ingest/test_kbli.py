"""KBLI 2020 codes: the reference table follows the ISIC Rev. 4 divisions of docs/facts.md §8, a
code gives its kategori and the project's sector, a code that does not exist is quarantined
(never guessed), the stated size is used where turnover is missing, and one rule (KBLI decides)
holds for codes and sector words alike."""

import pandas as pd
import pytest

from analysis.ingest.classify import kbli_of, sector_of, stated_size
from analysis.pipeline import clean_period
from analysis.reference import kbli_divisions, sectors

from conftest import PERIOD, write

#: docs/facts.md §8: golongan pokok → kategori (ISIC Rev. 4), written out here independently.
KATEGORI = {
    "A": (1, 3), "B": (5, 9), "C": (10, 33), "D": (35, 35), "E": (36, 39), "F": (41, 43),
    "G": (45, 47), "H": (49, 53), "I": (55, 56), "J": (58, 63), "K": (64, 66), "L": (68, 68),
    "M": (69, 75), "N": (77, 82), "O": (84, 84), "P": (85, 85), "Q": (86, 88), "R": (90, 93),
    "S": (94, 96), "T": (97, 98), "U": (99, 99),
}  # fmt: skip


def test_the_reference_table_holds_the_88_divisions_in_their_kategori():
    table = kbli_divisions()
    expected = {f"{d:02d}": k for k, (lo, hi) in KATEGORI.items() for d in range(lo, hi + 1)}
    assert len(table) == 88 and table["kategori"].to_dict() == expected
    assert set(table["sektor"]) <= set(sectors()["sektor"])


def test_the_transport_discount_window_follows_the_codes_through_the_sector():
    """PP 50/2025's transport window is for H 49 (drivers) and H 53 (couriers) only; the sector
    carries it, so a code's discount is its sector's."""
    table = kbli_divisions()
    transport = set(sectors().query("transport")["sektor"])
    assert set(table.index[table["pp50_2025_transport"]]) == {"49", "53"}
    assert (table["sektor"].isin(transport) == table["pp50_2025_transport"]).all()


@pytest.mark.parametrize(
    "cell, kbli, kategori, sektor",
    [
        ("56101", "56101", "I", "kuliner"),
        ("47.111", "47111", "G", "perdagangan"),
        ("49", "49", "H", "transportasi"),
        ("13134 - Industri Batik", "13134", "C", "fesyen"),
        ("47111; 47191", "47111", "G", "perdagangan"),  # several codes of one sector
        ("10792", "10792", "C", "industri"),
    ],
)
def test_a_code_gives_its_kategori_and_sector(cell, kbli, kategori, sektor):
    row = kbli_of(pd.Series([cell])).iloc[0]
    assert (row["kbli"], row["kategori"], row["sektor"], row["problem"]) == (
        kbli,
        kategori,
        sektor,
        "",
    )


@pytest.mark.parametrize(
    "cell, why",
    [
        ("04123", "no golongan pokok 04"),
        ("34", "no golongan pokok 34"),
        ("4711", "2- or 5-digit"),  # a lost leading zero or a subgolongan: not guessed
        ("47111, 56101", "different sectors"),
        ("toko", "not a KBLI code"),
    ],
)
def test_a_code_that_does_not_exist_is_refused_with_a_reason(cell, why):
    row = kbli_of(pd.Series([cell])).iloc[0]
    assert row["kbli"] == "" and why in row["problem"]


@pytest.mark.parametrize(
    "words, code",
    [
        ("Percetakan", "18111"),
        ("Bengkel motor", "45407"),
        ("Jasa logistik", "52101"),
        ("Fotokopi", "82191"),
        ("Makanan & Minuman", "56102"),
        ("Makanan olahan", "10792"),
        ("Ojek online", "49424"),
        ("Kurir", "53201"),
        ("Warung makan", "56102"),
        ("Batik tulis", "13134"),
    ],
)
def test_one_rule_for_words_and_codes(words, code):
    """The words and the KBLI code of the same activity give the same sector (KBLI decides)."""
    assert sector_of(pd.Series([words])).iloc[0] == kbli_of(pd.Series([code])).iloc[0]["sektor"]


def test_stated_size_words():
    classes, unreadable = stated_size(pd.Series(["Mikro", "USAHA KECIL", "menengah", "", "UMK"]))
    assert classes.tolist()[:4] == ["mikro", "kecil", "menengah", "tidak_diketahui"]
    assert unreadable.tolist() == [False, False, False, False, True]


UMKM = """id_umkm,kelurahan,sektor,kbli,skala_usaha,jumlah_tenaga_kerja,omzet_tahunan,tanggal_daftar
U1,Jebres,Kuliner,56101,Mikro,3,Rp 120.000.000,01/02/2022
U2,Jebres,,49424,Kecil,2,,01/02/2022
U3,Jebres,Toko,47111,Menengah,2,Rp 100.000.000,01/02/2022
U4,Jebres,Toko,04123,,2,,01/02/2022
U5,Jebres,Toko,4711,,2,,01/02/2022
U6,Jebres,Bengkel,,,2,,01/02/2022
U7,Jebres,Toko,,UMK,2,,01/02/2022
U8,Jebres,Sablon kaos,,,2,,01/02/2022
"""
TK = "id_umkm;nik;nama;jenis_kelamin;tanggal_lahir;penghasilan_bulanan\n"
PESERTA = "kpj,nik,nama,segmen,program,upah_dilaporkan,tgl_kepesertaan,status,iuran_terakhir\n"


def test_a_registry_with_codes_and_stated_sizes_is_cleaned(tmp_path):
    raw = tmp_path / "data" / "raw" / PERIOD
    write(raw / "umkm.csv", UMKM)
    write(raw / "tenaga_kerja.csv", TK)
    write(raw / "peserta_bpjstk.csv", PESERTA)
    result = clean_period(PERIOD, tmp_path / "data")
    b = result.tables["businesses"].set_index("id_umkm")
    assert b.loc["U1", ["sektor", "kbli", "kbli_kategori"]].tolist() == ["kuliner", "56101", "I"]
    assert b.loc["U2", "sektor"] == "transportasi" and b.loc["U2", "kelas_usaha"] == "kecil"
    assert b.loc["U3", "sektor"] == "perdagangan"  # the code, not the words, decides
    assert b.loc["U3", "kelas_usaha"] == "mikro"  # Rp100 juta a year: turnover's class holds …
    assert b.loc["U6", "sektor"] == "lainnya" and pd.isna(b.loc["U6", "kbli"])
    q = result.tables["quarantine"].set_index("source_row")
    assert q.loc[[4, 5, 7], "rule"].tolist() == ["bad_value"] * 3
    assert "no golongan pokok 04" in q.loc[4, "detail"] and q.loc[4, "column"] == "kbli"
    assert q.loc[7, "column"] == "skala_usaha"
    quality = result.quality["umkm"]
    assert quality["size_class_disagrees_with_stated"] == 1  # … and the disagreement is counted
    assert quality["size_class_from_stated"] == 1  # U2: no turnover, the stated size
    assert quality["sector_unrecognised"] == 1  # 'Sablon kaos' names no sector
