"""Reading raw extracts: delimiters, encodings, title blocks, header variants, and clear errors."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from analysis.errors import AnalysisError
from analysis.ingest import read
from analysis.ingest.read import find_raw_file, read_raw

from conftest import write

UMKM = "ID UMKM;Kelurahan;Jml Tenaga Kerja;Catatan\nU1;Jebres;3;a\nU2;Sewu;2;b\n"


def test_semicolon_csv_with_header_variants_and_ignored_columns(tmp_path):
    t = read_raw("umkm", write(tmp_path / "umkm.csv", UMKM))
    assert list(t.frame.columns) == ["source_row", "id_umkm", "kelurahan", "jumlah_tenaga_kerja"]
    assert t.frame["source_row"].tolist() == [1, 2]
    assert t.columns_ignored == ["Catatan"] and t.delimiter == ";"


@pytest.mark.parametrize(
    "encoding, delim", [("utf-8", ","), ("utf-8-sig", ","), ("cp1252", ";"), ("utf-8", "\t")]
)
def test_encodings_and_delimiters(tmp_path, encoding, delim):
    text = (
        delim.join(["id_umkm", "nik", "nama"])
        + "\n"
        + delim.join(["U1", "3372015708900001", "Nur’aini Andréa"])
        + "\n"
    )
    t = read_raw("tenaga_kerja", write(tmp_path / "tenaga_kerja.csv", text, encoding))
    assert t.frame["nama"].iloc[0] == "Nur’aini Andréa"
    assert t.frame["nik"].iloc[0] == "3372015708900001"  # text, never a float


def test_mixed_encodings_line_by_line(tmp_path):
    data = (
        b"id_umkm,nik,nama\n"
        + "U1,3372015708900001,Andréa\n".encode()
        + "U2,3372015708900002,Andréa\n".encode("cp1252")
    )
    (tmp_path / "tenaga_kerja.csv").write_bytes(data)
    t = read_raw("tenaga_kerja", tmp_path / "tenaga_kerja.csv")
    assert t.frame["nama"].tolist() == ["Andréa", "Andréa"] and t.encoding == "mixed"


def test_title_block_above_header_in_csv(tmp_path):
    t = read_raw(
        "umkm",
        write(tmp_path / "umkm.csv", "DATA UMKM KOTA SURAKARTA\nPer Oktober 2026\n\n" + UMKM),
    )
    assert t.header_row == 4 and len(t.frame) == 2


def test_xlsx_with_title_block_and_number_cells(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["DATA UMKM"])
    sheet.append([])
    sheet.append(["No", "ID UMKM", "Kelurahan", "Jumlah Tenaga Kerja", "NIK Pemilik"])
    sheet.append(
        [1, "U1", "Jebres", 3, 3372015708900001]
    )  # a NIK typed as a number: Excel keeps 15 digits
    sheet.append([2, "U2", "Sewu", 2.0, "3372015708900002"])
    book.save(tmp_path / "umkm.xlsx")
    t = read_raw("umkm", tmp_path / "umkm.xlsx")
    assert t.frame["jumlah_tenaga_kerja"].tolist() == ["3", "2"]
    assert (
        "E+15" in t.frame["nik_pemilik"].iloc[0]
    )  # becomes scientific notation → excel_mangled later
    assert t.frame["nik_pemilik"].iloc[1] == "3372015708900002"


def test_malformed_rows_keep_their_row_numbers(tmp_path):
    t = read_raw(
        "umkm",
        write(
            tmp_path / "umkm.csv",
            "id_umkm,kelurahan,jumlah_tenaga_kerja\nU1,Jebres,3\nU2,Sewu,2,extra\nU3,Tipes,1\n",
        ),
    )
    assert t.frame["source_row"].tolist() == [1, 3]
    assert t.malformed == [(2, "has 4 fields where the header has 3")] and t.rows_in == 3


def test_blank_rows_are_skipped_not_counted(tmp_path):
    t = read_raw(
        "umkm",
        write(
            tmp_path / "umkm.csv",
            "id_umkm,kelurahan,jumlah_tenaga_kerja\nU1,Jebres,3\n,,\nU3,Tipes,1\n",
        ),
    )
    assert t.rows_in == 2 and t.blank_rows == 1


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "is empty"),
        ("a,b,c\n1,2,3\n", "no header row with the expected columns"),
        ("id_umkm,kelurahan\nU1,Jebres\n", "required column jumlah_tenaga_kerja is missing"),
        ("id_umkm,kelurahan,jumlah_tenaga_kerja\n", "has a header row but no data rows"),
        (
            "id_umkm,kelurahan,jumlah_tenaga_kerja,Jml TK\nU1,Jebres,3,3\n",
            "both mean 'jumlah_tenaga_kerja'",
        ),
    ],
)
def test_clear_errors_name_the_file(tmp_path, content, message):
    path = write(tmp_path / "umkm.csv", content)
    with pytest.raises(AnalysisError, match=message) as err:
        read_raw("umkm", path)
    assert str(path) in str(err.value)


def test_binary_and_corrupt_files_are_refused(tmp_path):
    (tmp_path / "umkm.csv").write_bytes(bytes(range(256)) * 10)
    with pytest.raises(AnalysisError, match="binary"):
        read_raw("umkm", tmp_path / "umkm.csv")
    (tmp_path / "umkm.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(AnalysisError, match="xlsx"):
        read_raw("umkm", tmp_path / "umkm.xlsx")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "umkm.xlsx").write_bytes(
        b"\xd0\xcf\x11\xe0" + b"\0" * 100
    )  # OLE: encrypted xlsx
    with pytest.raises(AnalysisError, match="password-protected"):
        read_raw("umkm", tmp_path / "b" / "umkm.xlsx")


def test_find_raw_file(tmp_path):
    assert find_raw_file(tmp_path, "umkm") is None
    write(tmp_path / "UMKM.CSV", UMKM)
    assert find_raw_file(tmp_path, "umkm").name == "UMKM.CSV"
    write(tmp_path / "umkm.xlsx", "x")
    with pytest.raises(AnalysisError, match="keep only one"):
        find_raw_file(tmp_path, "umkm")


_PIECES = st.sampled_from(
    [
        b"a",
        b"\n",
        b";",
        "é".encode(),
        "😀".encode(),
        b"\xe9",
        b"\xed\xa0\x80",
        b"\xc0\x80",
        b"\xe2\x82",
        b"\xff",
    ]
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pieces=st.lists(_PIECES, max_size=30), chunk=st.integers(1, 9))
def test_utf8_check_agrees_with_python_whatever_the_chunks(
    tmp_path_factory, monkeypatch, pieces, chunk
):
    """Arrow's validator, fed in chunks cut after a newline, says what Python's decoder says, for
    any bytes and wherever the chunks fall (a character split over two chunks is still whole)."""
    data = b"".join(pieces)
    path = tmp_path_factory.mktemp("utf8") / "f.csv"
    path.write_bytes(data)
    monkeypatch.setattr(read, "UTF8_CHUNK", chunk)
    try:
        data.decode("utf-8")
        expected = True
    except UnicodeDecodeError:
        expected = False
    assert read._utf8_ok(path) is expected
