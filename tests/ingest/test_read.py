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


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pieces=st.lists(_PIECES, max_size=30), sizes=st.lists(st.integers(1, 9), min_size=1))
def test_the_checked_stream_hashes_and_checks_whatever_the_reads(tmp_path_factory, pieces, sizes):
    """The stream a UTF-8 file is converted through passes every byte on unchanged and says, once
    read to the end, what hashlib and Python's decoder say of the whole file, however the reader
    asks for it (reads of any size)."""
    import hashlib

    data = b"".join(pieces)
    path = tmp_path_factory.mktemp("checked") / "f.csv"
    path.write_bytes(data)
    got = []
    with read._Checked(path) as stream:
        for i in range(len(data) + 1):
            got.append(stream.read(sizes[i % len(sizes)]))
        assert stream.sha256() is None or stream.read(1) == b""
        got.append(stream.read(1))
        assert b"".join(got) == data
        assert stream.sha256() == hashlib.sha256(data).hexdigest()
        try:
            data.decode("utf-8")
            expected = True
        except UnicodeDecodeError:
            expected = False
        assert stream.utf8 is expected


def _long_utf8_roster(tail: bytes) -> bytes:
    """A roster of more than 1 MB whose first MB is UTF-8, then `tail`."""
    row = "U1,3372015708900001,Andréa,catatan\n".encode()
    return b"id_umkm,nik,nama,keterangan\n" + row * (1 + (1 << 20) // len(row)) + tail


@pytest.mark.parametrize(
    "tail, column",
    [
        ("U2,3372015708900002,Andréa,x\n".encode("cp1252"), "nama"),
        ("U2,3372015708900002,Andrea,catatán\n".encode("cp1252"), "an ignored column"),
    ],
)
def test_utf8_in_the_first_mb_only_is_read_again_line_by_line(tmp_path, monkeypatch, tail, column):
    """The first MB decides nothing alone: a Windows-1252 line further on (in a column read, or in
    one ignored) makes the file 'mixed', read line by line, as a scan of the whole file says."""
    streams = []

    def spied(path, hashed=True):  # the conversion's stream, not the whole-file checks
        if hashed:
            streams.append(path)
        return Checked(path, hashed)

    monkeypatch.setattr(read, "_Checked", spied)
    path = tmp_path / "tenaga_kerja.csv"
    data = _long_utf8_roster(tail)
    path.write_bytes(data)
    info = read.csv_to_cache("tenaga_kerja", path, tmp_path / "t.arrow", rows=1 << 20)
    frame = read.cached_table(tmp_path / "t.arrow").to_pandas()
    assert streams == [path]  # read as UTF-8 first
    assert info["encoding"] == "mixed" == read._scan_encoding(path)
    assert len(frame) == data.count(b"\n") - 1
    assert set(frame["nama"].iloc[:-1]) == {"Andréa"}
    assert frame["nama"].iloc[-1] == ("Andréa" if column == "nama" else "Andrea")
    assert "sha256" not in info  # what was read again was not hashed: the cache hashes the file


Checked = read._Checked


def test_a_utf8_file_is_hashed_as_it_is_converted(tmp_path):
    from analysis.paths import sha256_file

    path = tmp_path / "tenaga_kerja.csv"
    path.write_bytes(_long_utf8_roster("U2,3372015708900002,Zoë,x\n".encode()))
    info = read.csv_to_cache("tenaga_kerja", path, tmp_path / "t.arrow", rows=1 << 20)
    assert info["encoding"] == "utf-8" and info["sha256"] == sha256_file(path)
    assert info["cache_sha256"] == sha256_file(tmp_path / "t.arrow")  # hashed as it was written
