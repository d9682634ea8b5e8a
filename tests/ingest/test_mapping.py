"""The header mapping (`headers.toml`): any header to a canonical column, one column feeding two,
columns added up; a month's own mapping is strict, the all-months one applies where it fits;
mistakes stop with one sentence; `inspect` reads headers only and proposes a mapping."""

import pytest
from openpyxl import Workbook

from analysis.errors import AnalysisError
from analysis.ingest.inspect import inspect_period, snippet
from analysis.ingest.mapping import load_mapping, sum_text
from analysis.ingest.read import read_raw
from analysis.pipeline import clean_period

from conftest import PERIOD, write

NIB_UMKM = """DATA PELAKU USAHA (ekspor OSS)

Nomor Induk Berusaha;Kelurahan Usaha;TK Laki-laki;TK Perempuan;Omzet
1234567890123;Jebres;2;1;Rp 120.000.000
1234567890124;Kel. Kampung Baru;lima;1;
1234567890125;Sriwedari;;;
"""
MAPPING = """[umkm]
id_umkm = "Nomor Induk Berusaha"
nib = "nomor induk berusaha"   # case and spacing do not matter
kelurahan = "Kelurahan Usaha"
jumlah_tenaga_kerja = ["TK Laki-laki", "TK Perempuan"]
"""


def month(tmp_path, umkm=NIB_UMKM, mapping=MAPPING, all_months=None):
    raw = tmp_path / "data" / "raw" / PERIOD
    write(raw / "umkm.csv", umkm)
    if mapping is not None:
        write(raw / "headers.toml", mapping)
    if all_months is not None:
        write(raw.parent / "headers.toml", all_months)
    return raw


def test_a_column_feeds_two_and_counts_are_added_up(tmp_path):
    raw = month(tmp_path)
    t = read_raw("umkm", raw / "umkm.csv")
    f = t.frame.set_index("source_row")
    assert (
        f["id_umkm"].tolist()
        == f["nib"].tolist()
        == ["1234567890123", "1234567890124", "1234567890125"]
    )
    assert f["jumlah_tenaga_kerja"].tolist() == [
        "3",
        "lima + 1",
        "",
    ]  # 2 + 1; unreadable; none given
    assert f.loc[1, "omzet_tahunan"] == "Rp 120.000.000"  # 'Omzet' is still known by itself
    assert t.header_row == 3 and t.columns_mapped["jumlah_tenaga_kerja"] == [2, 3]
    assert t.columns_by_mapping == ["id_umkm", "jumlah_tenaga_kerja", "kelurahan", "nib"]


@pytest.mark.parametrize(
    "parts, text",
    [
        (["2", "1"], "3"),
        (["2 orang", ""], "2"),
        (["", ""], ""),
        (["lima", "1"], "lima + 1"),
        (["1,5 jt", "Rp 500.000"], "2000000"),
    ],
)
def test_sum_text(parts, text):
    column = "omzet_tahunan" if "jt" in parts[0] else "jumlah_tenaga_kerja"
    assert sum_text(column, parts) == text


def test_the_summed_count_is_cleaned_like_any_count(tmp_path):
    month(tmp_path)
    write(tmp_path / "data" / "raw" / PERIOD / "tenaga_kerja.csv", "id_umkm;nik\n")
    write(tmp_path / "data" / "raw" / PERIOD / "peserta_bpjstk.csv", "nik,status,iuran_terakhir\n")
    r = clean_period(PERIOD, tmp_path / "data")
    b = r.tables["businesses"].set_index("id_umkm")
    assert b.loc["1234567890123", "jumlah_tenaga_kerja"] == 3
    q = r.tables["quarantine"].set_index("source_row")
    # the added-up text is not a number; words the readers do not know are never quoted
    assert q.loc[2, "rule"] == "bad_number"
    assert q.loc[2, "detail"] == "jumlah_tenaga_kerja (a value of 8 characters) cannot be read"
    assert q.loc[3, "rule"] == "missing_required"
    assert r.quality["umkm"]["columns_by_mapping"] == [
        "id_umkm",
        "jumlah_tenaga_kerja",
        "kelurahan",
        "nib",
    ]


def test_the_cache_is_made_again_when_the_mapping_changes(tmp_path):
    raw = month(tmp_path)
    write(raw / "tenaga_kerja.csv", "id_umkm;nik\n")
    write(raw / "peserta_bpjstk.csv", "nik,status,iuran_terakhir\n")
    first = clean_period(PERIOD, tmp_path / "data").tables["businesses"]
    write(
        raw / "headers.toml", MAPPING.replace('["TK Laki-laki", "TK Perempuan"]', '"TK Laki-laki"')
    )
    second = clean_period(PERIOD, tmp_path / "data").tables["businesses"]
    assert first["jumlah_tenaga_kerja"].tolist() == [3] and second[
        "jumlah_tenaga_kerja"
    ].tolist() == [2]


def test_an_xlsx_is_read_through_the_mapping_too(tmp_path):
    raw = tmp_path / "data" / "raw" / PERIOD
    raw.mkdir(parents=True)
    book = Workbook()
    sheet = book.active
    sheet.append(["Nomor Induk Berusaha", "Kelurahan Usaha", "TK Laki-laki", "TK Perempuan"])
    sheet.append([1234567890123, "Jebres", 2, 2])
    book.save(raw / "umkm.xlsx")
    write(raw / "headers.toml", MAPPING)
    f = read_raw("umkm", raw / "umkm.xlsx").frame
    assert f[["id_umkm", "jumlah_tenaga_kerja"]].values.tolist() == [["1234567890123", "4"]]


def test_the_all_months_mapping_applies_where_its_headers_are(tmp_path):
    """data/raw/headers.toml: lines whose headers a month's file lacks are skipped there; a
    month's own line for the same column wins."""
    all_months = MAPPING + 'kecamatan = "Kecamatan Usaha"\n'
    raw = month(
        tmp_path, mapping='[umkm]\nkelurahan = "Nomor Induk Berusaha"\n', all_months=all_months
    )
    mapping = load_mapping("umkm", raw / "umkm.csv")
    assert [e.column for e in mapping.entries][0] == "kelurahan" and mapping.entries[0].strict
    t = read_raw("umkm", raw / "umkm.csv")
    assert "kecamatan" not in t.frame and t.frame["kelurahan"].iloc[0] == "1234567890123"


@pytest.mark.parametrize(
    "mapping, message",
    [
        (
            '[umkm]\nkelurahan = "Kelurahan Domisili"\n',
            "maps kelurahan to 'Kelurahan Domisili', which is not a column",
        ),
        (
            '[umkm]\nkelurahan = ["Kelurahan Usaha", "Omzet"]\n',
            "only counts and amounts can be added up",
        ),
        ('[umkm]\nsektor_kbli = "KBLI"\n', "sektor_kbli is not a column of umkm"),
        ('[registri]\nid_umkm = "NIB"\n', "[registri] is not a raw file"),
        ('[umkm]\nid_umkm = ""\n', "must be a header"),
        ("[umkm\n", "is not a valid TOML file"),
    ],
)
def test_mistakes_in_the_mapping_stop_with_one_sentence(tmp_path, mapping, message):
    raw = month(tmp_path, mapping=mapping)
    with pytest.raises(AnalysisError) as err:
        read_raw("umkm", raw / "umkm.csv")
    assert message in str(err.value) and "\n" not in str(err.value)


def test_a_missing_column_points_to_inspect(tmp_path):
    raw = month(tmp_path, mapping=None)
    with pytest.raises(
        AnalysisError, match=r"inspect --period 2026-10' prints a ready-to-edit mapping"
    ):
        read_raw("umkm", raw / "umkm.csv")


def test_inspect_reads_headers_only_and_proposes_a_mapping_that_works(tmp_path):
    raw = month(tmp_path, mapping=None)
    files = inspect_period(PERIOD, tmp_path / "data")
    umkm = files[0]
    assert umkm.found is True and umkm.row == 3  # found by 'Omzet' below the title block
    assert umkm.missing(required=True) == ["id_umkm", "kelurahan", "jumlah_tenaga_kerja"]
    assert files[1].path is None  # no roster this month
    text = snippet(PERIOD, files)
    assert "Jebres" not in text and "120.000.000" not in text  # no data value, headers only
    write(raw / "headers.toml", text)
    f = read_raw("umkm", raw / "umkm.csv").frame
    assert f["jumlah_tenaga_kerja"].tolist() == ["3", "lima + 1", ""]
    assert f["kelurahan"].tolist() == ["Jebres", "Kel. Kampung Baru", "Sriwedari"]


def test_inspect_shows_a_file_whose_headers_are_all_unknown(tmp_path):
    month(tmp_path, umkm="Kode;Lokasi;Jumlah Orang\nA1;Jebres;3\n", mapping=None)
    umkm = inspect_period(PERIOD, tmp_path / "data")[0]
    assert umkm.found is False and umkm.header == ["Kode", "Lokasi", "Jumlah Orang"]
    assert "no header row with the expected columns" in umkm.problem
    assert '# id_umkm = ""  # required' in snippet(PERIOD, [umkm])


def test_another_regions_month_is_inspected_in_its_own_folder(tmp_path):
    raw = tmp_path / "data" / "raw" / "soloraya" / PERIOD
    write(raw / "umkm.csv", NIB_UMKM)
    with pytest.raises(AnalysisError, match=rf"inspect --period {PERIOD} --region soloraya'"):
        read_raw("umkm", raw / "umkm.csv")
    files = inspect_period(PERIOD, tmp_path / "data", "soloraya")
    assert files[0].path == raw / "umkm.csv"
    text = snippet(PERIOD, files, "soloraya")
    assert f"--period {PERIOD} --region soloraya" in text
    assert f"data/raw/soloraya/{PERIOD}/headers.toml" in text
    write(raw / "headers.toml", text)
    assert read_raw("umkm", raw / "umkm.csv").frame["kelurahan"].tolist()[0] == "Jebres"
