"""Small hand-written extracts, one kind of dirt each: cleaned or quarantined as a person would expect."""

import pandas as pd
import pytest

from analysis.errors import AnalysisError
from analysis.ingest.pseudonyms import load_key, rekey
from analysis.pipeline import clean_period

from conftest import PERIOD, write

UMKM = """id_umkm,kelurahan,kecamatan,sektor,jumlah_tenaga_kerja,omzet_tahunan,tanggal_daftar,nik_pemilik
U1,Jebres,Jebres,Kuliner,3,Rp 120.000.000,17-Agu-2019,3372015708900001
U2,Kel. Kampung Baru,,Batik,2,"1,5 jt",10/01/2022,
"""
TK = """id_umkm;nik;nama;jenis_kelamin;tanggal_lahir;penghasilan_bulanan
U1;3372015708900011;Sri Wahyuni;P;17-Agu-1990;Rp 2.000.000
U1;3372 0157 0890 0012;Budi Santoso;L;01/02/1985;"2,1 jt"
U2;3372015708900013.0;Siti Aminah;P;1990-01-01;1800000
"""
PESERTA = """kpj,nik,nama,segmen,program,upah_dilaporkan,tgl_kepesertaan,status,iuran_terakhir
11111111111,3372015708900011,SRI WAHYUNI,BPU,JKK;JKM,Rp 1.000.000,01/01/2020,Aktif,Okt 2026
22222222222,3372015708900012,BUDI SANTOSO,Penerima Upah,JKK/JKM,2000000,01/01/2021,AKTIF,08/2026
"""


def make_period(tmp_path, umkm=UMKM, tk=TK, peserta=PESERTA, survey=None):
    raw = tmp_path / "data" / "raw" / PERIOD
    write(raw / "umkm.csv", umkm)
    write(raw / "tenaga_kerja.csv", tk, "cp1252")
    write(raw / "peserta_bpjstk.csv", peserta, "utf-8-sig")
    if survey:
        write(raw / "survei_kesadaran.csv", survey)
    return tmp_path / "data"


def rules(result, stem):
    q = result.tables["quarantine"]
    return q[q["source_file"].str.startswith(stem)].set_index("source_row")["rule"].to_dict()


def test_a_clean_small_period(tmp_path):
    r = clean_period(PERIOD, make_period(tmp_path))
    b = r.tables["businesses"].set_index("id_umkm")
    assert (
        b.loc["U2", "kode_kelurahan"] == "33.72.03.1006"
        and b.loc["U2", "kelurahan_match"] == "alias"
    )
    assert b.loc["U1", "omzet_tahunan"] == 120_000_000 and b.loc["U2", "omzet_tahunan"] == 1_500_000
    assert b.loc["U1", "tanggal_daftar"] == pd.Timestamp("2019-08-17")
    w = r.tables["workers"]
    assert len(w) == 3 and w["registered"].sum() == 2 and w["active"].sum() == 2
    assert w["effective"].sum() == 1  # Budi paid up to August only
    assert sorted(w["penghasilan_bulanan"]) == [1_800_000, 2_000_000, 2_100_000]
    assert r.quality["tenaga_kerja"]["nik_repaired"] == 2
    assert r.quality["survei_kesadaran"]["missing"] is True and len(r.tables["survey"]) == 0


@pytest.mark.parametrize(
    "row, rule",
    [
        ("U3,Solo,,Kuliner,2,,,", "kelurahan_unmatched"),
        ("U3,Kepatihan,,Kuliner,2,,,", "kelurahan_ambiguous"),
        ("U3,Makamhaji,Kartasura,Kuliner,2,,,", "outside_region"),
        ("U3,Kadipiro,,Kuliner,2,,01/06/2017,", "kelurahan_ambiguous"),
        ("U3,,,Kuliner,2,,,", "missing_required"),
        ("U3,Jebres,,Kuliner,lima,,,", "bad_number"),
        ("U3,Jebres,,Kuliner,0,,,", "bad_value"),
        ("U3,Jebres,,Kuliner,-2,,,", "bad_value"),
        ("U3,Jebres,,Kuliner,10000,,,", "bad_value"),
        ("U3,Jebres,,Kuliner,2,abc,,", "bad_number"),
        ("U3,Jebres,,Kuliner,2,,31-02-2020,", "bad_date"),
        ("U3,Jebres,,Kuliner,2,,01/01/2030,", "bad_date"),
        ("U1,Sewu,,Kuliner,2,,,", "duplicate_key"),
    ],
)
def test_business_dirt(tmp_path, row, rule):
    r = clean_period(PERIOD, make_period(tmp_path, umkm=UMKM + row + "\n"))
    assert rules(r, "umkm") == {3: rule}
    assert r.quality["umkm"]["rows_in"] == 3


@pytest.mark.parametrize(
    "row, rule",
    [
        ("U1;;Ani;P;;", "missing_required"),
        ("U1;3.37201E+15;Ani;P;;", "nik_excel_mangled"),
        ("U1;337201570890001;Ani;P;;", "nik_invalid"),
        ("U1;3372015708900000;Ani;P;;", "nik_invalid"),
        ("U1;3372013002900001;Ani;P;;", "nik_invalid"),
        ("U1;3372015708900014;Ani;P;31/02/1990;", "bad_date"),
        ("U1;3372015708900014;Ani;P;;dua juta", "bad_number"),
        ("U1;3372015708900014;Ani;P;;-5000", "bad_value"),
        ("U9;3372015708900014;Ani;P;;", "unknown_business"),
        ("U2;3372015708900011;SRI W.;P;;", "duplicate_person"),
    ],
)
def test_worker_dirt(tmp_path, row, rule):
    r = clean_period(PERIOD, make_period(tmp_path, tk=TK + row + "\n"))
    assert rules(r, "tenaga_kerja") == {4: rule}


def test_workers_of_a_quarantined_business_are_quarantined_with_it(tmp_path):
    r = clean_period(
        PERIOD, make_period(tmp_path, umkm=UMKM.replace("U2,Kel. Kampung Baru", "U2,Solo"))
    )
    assert rules(r, "tenaga_kerja") == {3: "business_quarantined"}


@pytest.mark.parametrize(
    "row, rule",
    [
        ("333,3372015708900013,X,BPU,JKK;JKM,1000000,01/01/2020,DIBLOKIR,Okt 2026", "bad_value"),
        ("333,3372015708900013,X,PNS,JKK;JKM,1000000,01/01/2020,AKTIF,Okt 2026", "bad_value"),
        ("333,3372015708900013,X,BPU,JKK;JKN,1000000,01/01/2020,AKTIF,Okt 2026", "bad_value"),
        ("333,3372015708900013,X,BPU,JKK;JKM,1000000,01/01/2020,,Okt 2026", "missing_required"),
        ("333,3372015708900013,X,BPU,JKK;JKM,1000000,01/01/2020,AKTIF,13/2026", "bad_date"),
        ("333,3372015708900013,X,BPU,JKK;JKM,1000000,01/01/2030,AKTIF,Okt 2026", "bad_date"),
        ("333,3372015708900013,X,BPU,JKK;JKM,Rp ???,01/01/2020,AKTIF,Okt 2026", "bad_number"),
        ("333,3.37201E+15,X,BPU,JKK;JKM,1000000,01/01/2020,AKTIF,Okt 2026", "nik_excel_mangled"),
    ],
)
def test_participant_dirt(tmp_path, row, rule):
    r = clean_period(PERIOD, make_period(tmp_path, peserta=PESERTA + row + "\n"))
    assert rules(r, "peserta_bpjstk") == {3: rule}


def test_status_in_any_case_and_the_same_person_twice_in_the_extract(tmp_path):
    extra = (
        "33333333333,3372015708900013,SITI,BPU,JKK;JKM,1000000,01/01/2019,non-aktif,Jan 2020\n"
        "44444444444,3372015708900013,SITI AMINAH,BPU,JKK;JKM,1000000,01/01/2024,aktif ,10/2026\n"
    )
    r = clean_period(PERIOD, make_period(tmp_path, peserta=PESERTA + extra))
    assert rules(r, "peserta_bpjstk") == {}
    p = r.tables["participants"]
    assert sorted(p["status"]) == ["AKTIF", "AKTIF", "AKTIF", "NONAKTIF"]
    w = r.tables["workers"]
    assert w["effective"].sum() == 2  # Siti counts once, through her paid-up record


def test_exact_duplicate_rows_are_dropped_and_counted(tmp_path):
    r = clean_period(PERIOD, make_period(tmp_path, tk=TK + TK.splitlines()[1] + "\n"))
    assert (
        r.quality["tenaga_kerja"]["rows_duplicate"] == 1
        and r.quality["tenaga_kerja"]["rows_in"] == 4
    )
    assert len(r.tables["workers"]) == 3


def test_a_month_with_no_participants_and_an_empty_roster(tmp_path):
    r = clean_period(
        PERIOD, make_period(tmp_path, tk="id_umkm;nik\n", peserta="nik,status,iuran_terakhir\n")
    )
    cov = r.tables["coverage_kelurahan"]
    assert len(cov) == 54 and cov["registered"].sum() == 0 and cov["workers"].sum() == 5


def test_an_empty_survey_file_is_a_month_without_answers(tmp_path):
    header = SURVEY.splitlines()[0] + "\n"
    r = clean_period(PERIOD, make_period(tmp_path, survey=header))
    assert len(r.tables["survey"]) == 0
    assert r.quality["survei_kesadaran"]["rows_in"] == 0
    assert r.tables["awareness_kelurahan"]["respondents"].sum() == 0


SURVEY = """id_responden,tanggal,kelurahan,sektor,peran,tahu_bpjs_kesehatan,tahu_bpjs_tk,tahu_manfaat,terdaftar,alasan_tidak_daftar,kesediaan_bayar,penghasilan_bulanan,bobot
R1,05/10/2026,Jebres,Kuliner,Pemilik,Ya,Tidak,,T,Tidak tahu ada program,Rp 10.000,2 jt,1.5
R2,06/10/2026,Sewu,Batik,karyawan,Y,Y,JKK;JHT,1,,15rb,"2,5 jt",2
"""


@pytest.mark.parametrize(
    "row, rule",
    [
        ("R3,05/10/2026,Jebres,Kuliner,Pemilik,Ya,mungkin,,T,,,,1", "bad_value"),
        ("R3,05/10/2026,Jebres,Kuliner,Pemilik,Ya,,,T,,,,1", "missing_required"),
        ("R3,05/10/2026,Jebres,Kuliner,Pemilik,Ya,Ya,JKN,T,,,,1", "bad_value"),
        ("R3,05/10/2026,Jebres,Kuliner,mahasiswa,Ya,Ya,,T,,,,1", "bad_value"),
        ("R3,05/10/2026,Jebres,Kuliner,Pemilik,Ya,Ya,,T,,,,0", "bad_value"),
        ("R3,05/10/2026,Jebres,Kuliner,Pemilik,Ya,Ya,,T,,terserah,,1", "bad_number"),
        ("R3,05/10/2026,Solo,Kuliner,Pemilik,Ya,Ya,,T,,,,1", "kelurahan_unmatched"),
        ("R1,05/10/2026,Jebres,Kuliner,Pemilik,Ya,Ya,,T,,,,1", "duplicate_key"),
    ],
)
def test_survey_dirt(tmp_path, row, rule):
    r = clean_period(PERIOD, make_period(tmp_path, survey=SURVEY + row + "\n"))
    assert rules(r, "survei_kesadaran") == {3: rule}


def by_respondent(survey: pd.DataFrame, ids=("R1", "R2", "R3", "R4")) -> pd.DataFrame:
    """The survey indexed by the ids as typed (processed data holds their keyed pseudonyms)."""
    keyed = rekey(pd.Series(list(ids)), load_key(False), "id_responden")
    return survey.set_index(survey["id_responden"].map(dict(zip(keyed, ids, strict=True))))


def test_id_responden_is_re_keyed_so_a_nik_typed_there_is_gone(tmp_path):
    nik = "3372015708900001"
    row = f"{nik},05/10/2026,Jebres,Kuliner,Pemilik,Ya,Ya,JKK,T,,,,1\n"
    r = clean_period(PERIOD, make_period(tmp_path, survey=SURVEY + row))
    ids = r.tables["survey"]["id_responden"]
    assert ids.str.fullmatch(r"[0-9a-f]{64}").all() and nik not in set(ids)
    assert rekey(pd.Series([nik]), load_key(False), "id_responden").iloc[0] in set(ids)


def test_benefits_written_out_or_denied_are_read(tmp_path):
    rows = (
        "R3,05/10/2026,Jebres,Kuliner,Pemilik,Ya,Ya,Jaminan Hari Tua dan JKK,T,,,,1\n"
        "R4,05/10/2026,Jebres,Kuliner,Pemilik,Ya,Ya,Tidak,T,,,,1\n"
    )
    r = clean_period(PERIOD, make_period(tmp_path, survey=SURVEY + rows))
    assert rules(r, "survei_kesadaran") == {}
    s = by_respondent(r.tables["survey"])
    assert s.loc["R3", "tahu_jht"] and s.loc["R3", "tahu_jkk"] and not s.loc["R4", "tahu_manfaat"]


def test_survey_values_are_typed(tmp_path):
    s = by_respondent(clean_period(PERIOD, make_period(tmp_path, survey=SURVEY)).tables["survey"])
    assert (
        s.loc["R1", "tahu_bpjs_kesehatan"]
        and not s.loc["R1", "tahu_bpjs_tk"]
        and s.loc["R1", "alasan"] == "tidak_tahu"
    )
    assert (
        s.loc["R2", "peran"] == "pekerja"
        and s.loc["R2", "tahu_jkk"]
        and s.loc["R2", "tahu_jht"]
        and not s.loc["R2", "tahu_jkm"]
    )
    assert (
        s.loc["R2", "kesediaan_bayar"] == 15_000
        and s.loc["R1", "bobot"] == 1.5
        and s.loc["R2", "sektor"] == "fesyen"
    )


@pytest.mark.parametrize(
    "remove, message",
    [
        ("umkm.csv", "has no umkm.csv or umkm.xlsx"),
        ("peserta_bpjstk.csv", "has no peserta_bpjstk.csv"),
    ],
)
def test_missing_required_file_is_one_clear_sentence(tmp_path, remove, message):
    data = make_period(tmp_path)
    (data / "raw" / PERIOD / remove).unlink()
    with pytest.raises(AnalysisError, match=message):
        clean_period(PERIOD, data)


def test_missing_period_folder(tmp_path):
    with pytest.raises(AnalysisError, match="does not exist"):
        clean_period("2020-01", tmp_path)
