"""The bad-input corpus: real-world ways the raw files go wrong, each with what must happen.

A case is a month's raw folder built from a small valid base plus one damage. The expectation is
either `error` (the run stops: non-zero exit, one sentence naming the file, no traceback) or
`rules` (the run goes on and the named rows are quarantined under the named rule), and in every
non-error case the row accounting holds for every file.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook

FIXTURES = Path(__file__).with_name("fixtures")
U_HEAD = "id_umkm,kelurahan,kecamatan,sektor,jumlah_tenaga_kerja,omzet_tahunan,tanggal_daftar,nik_pemilik,nama_pemilik"
UMKM_ROWS = [
    "U1,Jebres,Jebres,Kuliner,3,Rp 120.000.000,17-Agu-2019,3372015708900001,Sri Rejeki Lestari",
    'U2,Kel. Kampung Baru,,Batik,2,"1,5 jt",10/01/2022,,Bambang Sutrisno',
    "U3,Sewu,Jebres,Jasa,4,,05/05/2023,,Heru Prasetyo",
]
T_HEAD = "id_umkm;nik;nama;jenis_kelamin;tanggal_lahir;penghasilan_bulanan"
TK_ROWS = [
    "U1;3372015708900011;Sri Wahyuni;P;17-Agu-1990;Rp 2.000.000",
    'U1;3372 0157 0890 0012;Budi Santoso;L;01/02/1985;"2,1 jt"',
    "U2;3372015708900013.0;Siti Aminah;P;1990-01-01;1800000",
    "U3;3372015708900014;Dwi Rahayu;P;1992-03-04;1900000",
]
P_HEAD = "kpj,nik,nama,segmen,program,upah_dilaporkan,tgl_kepesertaan,status,iuran_terakhir"
P_ROWS = [
    "11111111111,3372015708900011,SRI WAHYUNI,BPU,JKK;JKM,Rp 1.000.000,01/01/2020,Aktif,Okt 2026",
    "22222222222,3372015708900012,BUDI SANTOSO,Penerima Upah,JKK/JKM,2000000,01/01/2021,AKTIF,08/2026",
]
S_HEAD = (
    "id_responden,tanggal,kelurahan,sektor,peran,tahu_bpjs_kesehatan,tahu_bpjs_tk,tahu_manfaat,terdaftar,"
    "alasan_tidak_daftar,kesediaan_bayar,penghasilan_bulanan,bobot"
)
S_ROWS = [
    "R1,05/10/2026,Jebres,Kuliner,Pemilik,Ya,Tidak,,T,Tidak tahu ada program,Rp 10.000,2 jt,1.5",
    'R2,06/10/2026,Sewu,Batik,karyawan,Y,Y,JKK;JHT,1,,15rb,"2,5 jt",2',
]


O_HEAD = "Hari/Tanggal;Kelurahan;Kecamatan;Jenis Kegiatan;Jumlah Peserta;Jumlah UMKM;Keterangan"
O_ROWS = [
    "Senin, 5 Oktober 2026;Kel. Jebres;Jebres;Sosialisasi BPJS Ketenagakerjaan;45 orang;30;di balai",
    "12/10/2026;Kampung Baru;;Jemput bola pendaftaran;20;12 UMKM;",
]


def csv(head: str, rows: list[str]) -> str:
    return "\n".join([head, *rows]) + "\n"


def xlsx(
    rows: list[list[object]], merge: str | None = None, title: list[str] | None = None
) -> bytes:
    book = Workbook()
    sheet = book.active
    for line in title or []:
        sheet.append([line])
    for r in rows:
        sheet.append(r)
    if merge:
        sheet.merge_cells(merge)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


@dataclass
class Case:
    """One bad input: the files of the month (name → bytes or text) and what must happen."""

    name: str
    files: dict[str, bytes | str] = field(default_factory=dict)
    error: str | None = None  # the error sentence must contain this and the file's name
    error_file: str | None = None
    rules: dict[str, dict[int, str]] = field(default_factory=dict)  # stem → {source_row: rule}
    check: Callable | None = None  # extra assertions on the CleanResult

    def write(self, raw: Path) -> None:
        base = {
            "umkm.csv": csv(U_HEAD, UMKM_ROWS),
            "tenaga_kerja.csv": csv(T_HEAD, TK_ROWS),
            "peserta_bpjstk.csv": csv(P_HEAD, P_ROWS),
        }
        for name in self.files:
            stem = name.split(".")[0]
            for other in [k for k in base if k.split(".")[0] == stem]:
                del base[other]
        raw.mkdir(parents=True, exist_ok=True)
        for name, content in {**base, **self.files}.items():
            if content is None:
                continue
            data = content if isinstance(content, bytes) else content.encode("utf-8")
            (raw / name).write_bytes(data)


def _u(*rows: str) -> str:
    return csv(U_HEAD, UMKM_ROWS + list(rows))


def _t(*rows: str) -> str:
    return csv(T_HEAD, TK_ROWS + list(rows))


def _p(*rows: str) -> str:
    return csv(P_HEAD, P_ROWS + list(rows))


def _s(*rows: str) -> str:
    return csv(S_HEAD, S_ROWS + list(rows))


def _o(*rows: str) -> str:
    return csv(O_HEAD, O_ROWS + list(rows)).replace("\n", "\r\n")


def _no_clean_businesses(result) -> None:
    assert result.quality["umkm"]["rows_clean"] == 0
    assert result.tables["coverage_kelurahan"]["workers"].sum() == 0


def _detail_short(result) -> None:
    assert result.tables["quarantine"]["detail"].str.len().max() < 200


def _names_decoded(result) -> None:
    assert result.quality["tenaga_kerja"]["encoding"] == "mixed"
    assert result.quality["tenaga_kerja"]["rows_clean"] == 6


def _no_participants(result) -> None:
    assert (
        result.tables["workers"]["registered"].sum() == 0
        and len(result.tables["participants"]) == 0
    )


def _no_workers(result) -> None:
    assert (
        len(result.tables["workers"]) == 0
        and result.tables["coverage_kelurahan"]["workers"].sum() == 9
    )


def _ignored(result) -> None:
    """Ignored columns are counted; their header cells are never quoted (they may hold anything)."""
    assert result.quality["umkm"]["columns_ignored"] == 2
    assert "Catatan" not in json.dumps(result.quality)


def _weights_default(result) -> None:
    assert (result.tables["survey"]["bobot"] == 1.0).all()


def _no_survey(result) -> None:
    assert result.quality["survei_kesadaran"]["missing"] and len(result.tables["survey"]) == 0


def _no_outreach(result) -> None:
    assert result.quality["sosialisasi"]["missing"] and len(result.tables["outreach"]) == 0


def _outreach_read(result) -> None:
    log = result.tables["outreach"]
    assert list(log["kelurahan"]) == ["Jebres", "Kampungbaru"]
    assert list(log["kegiatan"]) == ["sosialisasi", "pendaftaran"]
    assert list(log["peserta"]) == [45, 20] and list(log["usaha"]) == [30, 12]
    assert list(log["bulan"]) == ["2026-10", "2026-10"]
    # the ignored column is counted, its header never quoted (it may hold anything)
    assert result.quality["sosialisasi"]["columns_ignored"] == 1
    assert "Keterangan" not in json.dumps(result.quality)


def _no_outreach_rows(result) -> None:
    q = result.quality["sosialisasi"]
    assert (
        q["file"] == "sosialisasi.csv" and q["rows_in"] == 0 and len(result.tables["outreach"]) == 0
    )


def _one_duplicate_activity(result) -> None:
    assert (
        result.quality["sosialisasi"]["rows_duplicate"] == 1 and len(result.tables["outreach"]) == 2
    )


def _outreach_no_counts(result) -> None:
    log = result.tables["outreach"]
    assert len(log) == 1 and log["peserta"].isna().all() and log["kegiatan"].eq("sosialisasi").all()


def _repaired(result) -> None:
    assert result.quality["tenaga_kerja"]["nik_repaired"] >= 3


HEADER_XLSX = ["id_umkm", "kelurahan", "jumlah_tenaga_kerja"]

CASES: list[Case] = [
    # ---- whole-file problems: the run stops with one sentence naming the file
    Case("umkm empty file", {"umkm.csv": ""}, error="is empty", error_file="umkm.csv"),
    Case(
        "umkm header only", {"umkm.csv": U_HEAD + "\n"}, error="no data rows", error_file="umkm.csv"
    ),
    Case(
        "umkm unknown delimiter",
        {"umkm.csv": csv(U_HEAD.replace(",", ":"), [r.replace(",", ":") for r in UMKM_ROWS])},
        error="no header row with the expected columns",
        error_file="umkm.csv",
    ),
    Case(
        "umkm binary junk named .csv",
        {"umkm.csv": bytes(range(256)) * 40},
        error="binary data",
        error_file="umkm.csv",
    ),
    Case(
        "umkm corrupt xlsx",
        {"umkm.xlsx": b"PK\x03\x04" + b"\x00garbage" * 50},
        error="not a valid .xlsx|cannot be opened",
        error_file="umkm.xlsx",
    ),
    Case(
        "umkm password-protected xlsx",
        {"umkm.xlsx": (FIXTURES / "password_protected.xlsx").read_bytes()},
        error="password-protected",
        error_file="umkm.xlsx",
    ),
    Case(
        "umkm duplicated columns",
        {"umkm.csv": csv(U_HEAD + ",Jml TK", [r + ",3" for r in UMKM_ROWS])},
        error="both mean 'jumlah_tenaga_kerja'",
        error_file="umkm.csv",
    ),
    Case(
        "umkm missing required column",
        {"umkm.csv": csv("id_umkm,kecamatan,jumlah_tenaga_kerja", ["U1,Jebres,3"])},
        error="required column kelurahan is missing",
        error_file="umkm.csv",
    ),
    Case(
        "umkm none of the required columns",
        {"umkm.csv": "foo,bar\n1,2\n"},
        error="no header row with the expected columns",
        error_file="umkm.csv",
    ),
    Case(
        "umkm old .xls format",
        {"umkm.xls": b"\xd0\xcf\x11\xe0old excel"},
        error="not a supported format",
        error_file="umkm.xls",
    ),
    Case(
        "umkm both csv and xlsx",
        {"umkm.xlsx": xlsx([HEADER_XLSX, ["U1", "Jebres", 3]]), "umkm.csv": _u()},
        error="keep only one",
        error_file="umkm",
    ),
    Case(
        "tenaga_kerja missing file",
        {"tenaga_kerja.csv": None},
        error="has no tenaga_kerja.csv",
        error_file="tenaga_kerja",
    ),
    Case(
        "peserta binary junk",
        {"peserta_bpjstk.csv": b"\x00\x01\x02\x03" * 500},
        error="binary data",
        error_file="peserta_bpjstk.csv",
    ),
    Case(
        "survey missing a required column",
        {
            "survei_kesadaran.csv": csv(
                "id_responden,kelurahan,tahu_bpjs_kesehatan", ["R1,Jebres,Ya"]
            )
        },
        error="required column tahu_bpjs_tk is missing",
        error_file="survei_kesadaran.csv",
    ),
    Case(
        "survey binary junk",
        {"survei_kesadaran.csv": b"\x89PNG\r\n\x1a\n" + bytes(300)},
        error="binary data",
        error_file="survei_kesadaran.csv",
    ),
    # ---- readable files with bad rows: quarantined with the right rule, the run goes on
    Case(
        "umkm worker count 0",
        {"umkm.csv": _u("U4,Jebres,,Kuliner,0,,,,")},
        rules={"umkm": {4: "bad_value"}},
    ),
    Case(
        "umkm worker count negative",
        {"umkm.csv": _u("U4,Jebres,,Kuliner,-3,,,,")},
        rules={"umkm": {4: "bad_value"}},
    ),
    Case(
        "umkm worker count 10000",
        {"umkm.csv": _u("U4,Jebres,,Kuliner,10000,,,,")},
        rules={"umkm": {4: "bad_value"}},
    ),
    Case(
        "umkm worker count not a number",
        {"umkm.csv": _u("U4,Jebres,,Kuliner,lima,,,,")},
        rules={"umkm": {4: "bad_number"}},
    ),
    Case(
        "umkm future registration date",
        {"umkm.csv": _u("U4,Jebres,,Kuliner,2,,01/01/2031,,")},
        rules={"umkm": {4: "bad_date"}},
    ),
    Case(
        "umkm impossible date",
        {"umkm.csv": _u("U4,Jebres,,Kuliner,2,,31-02-2020,,")},
        rules={"umkm": {4: "bad_date"}},
    ),
    Case(
        "umkm kelurahan of a neighbouring regency",
        {"umkm.csv": _u("U4,Makamhaji,Kartasura,Kuliner,2,,,,", "U5,Gentan,,Kuliner,2,,,,")},
        rules={"umkm": {4: "outside_region", 5: "outside_region"}},
    ),
    Case(
        "umkm Kadipiro before its 2019 split",
        {"umkm.csv": _u("U4,Kadipiro,Banjarsari,Kuliner,2,,15/03/2016,,")},
        rules={"umkm": {4: "kelurahan_ambiguous"}},
    ),
    Case(
        "umkm Semanggi before its 2019 split",
        {"umkm.csv": _u("U4,Kel. Semanggi,,Kuliner,2,,2018-12-31,,")},
        rules={"umkm": {4: "kelurahan_ambiguous"}},
    ),
    Case(
        "umkm kelurahan unmatched",
        {"umkm.csv": _u("U4,Solo,,Kuliner,2,,,,")},
        rules={"umkm": {4: "kelurahan_unmatched"}},
    ),
    Case(
        "umkm 1 MB cell",
        {"umkm.csv": _u("U4," + "x" * 1_000_000 + ",,Kuliner,2,,,,")},
        rules={"umkm": {4: "kelurahan_unmatched"}},
        check=_detail_short,
    ),
    Case(
        "umkm ragged row",
        {"umkm.csv": _u("U4,Jebres,,Kuliner,2,,,,,,extra")},
        rules={"umkm": {4: "malformed_row"}},
    ),
    Case(
        "umkm every row invalid",
        {
            "umkm.csv": csv(
                U_HEAD,
                [
                    r.replace(",Jebres,", ",Solo,")
                    .replace(",Sewu,", ",Solo,")
                    .replace("Kampung Baru", "Solo")
                    for r in UMKM_ROWS
                ],
            )
        },
        rules={
            "umkm": {1: "kelurahan_unmatched", 2: "kelurahan_unmatched", 3: "kelurahan_unmatched"},
            "tenaga_kerja": {
                1: "business_quarantined",
                2: "business_quarantined",
                3: "business_quarantined",
                4: "business_quarantined",
            },
        },
        check=_no_clean_businesses,
    ),
    Case(
        "umkm extra columns",
        {"umkm.csv": csv(U_HEAD + ",Catatan,Kolom Lain", [r + ",ok,1" for r in UMKM_ROWS])},
        check=_ignored,
    ),
    Case(
        "umkm merged header cells and a title block",
        {
            "umkm.xlsx": xlsx(
                [
                    ["Identitas usaha", None, None],
                    HEADER_XLSX,
                    ["U1", "Jebres", 3],
                    ["U2", "Kampung Baru", 2],
                    ["U3", "Sewu", 4],
                ],
                merge="A2:C2",
                title=["DATA UMKM KOTA SURAKARTA"],
            )
        },
    ),
    Case(
        "umkm quoted newline inside a field",
        {"umkm.csv": _u('U4,Jebres,,"Kuliner\nrumahan",5,,,,', "U5,Xyz,,Kuliner,2,,,,")},
        rules={"umkm": {5: "kelurahan_unmatched"}},
    ),
    Case(
        "umkm CRLF and BOM, semicolons",
        {
            "umkm.csv": b"\xef\xbb\xbf"
            + csv(
                U_HEAD.replace(",", ";"),
                [
                    "U1;Jebres;Jebres;Kuliner;3;;;;",
                    "U2;Kampung Baru;;Batik;2;;;;",
                    "U3;Sewu;;Jasa;4;;;;",
                ],
            )
            .replace("\n", "\r\n")
            .encode()
        },
    ),
    Case(
        "umkm same id twice",
        {"umkm.csv": _u("U1,Sewu,,Kuliner,2,,,,")},
        rules={"umkm": {4: "duplicate_key"}},
    ),
    Case(
        "roster mixed encodings",
        {
            "tenaga_kerja.csv": T_HEAD.encode()
            + b"\n"
            + "\n".join(TK_ROWS).encode("utf-8")
            + b"\n"
            + "U3;3372015708900016;José Nur’aini;L;;".encode()
            + b"\n"
            + "U3;3372015708900015;Andréa Nur’aini;P;;".encode("cp1252")
            + b"\n"
        },
        check=_names_decoded,
    ),
    Case(
        "roster NIK empty",
        {"tenaga_kerja.csv": _t("U1;;Ani;P;;")},
        rules={"tenaga_kerja": {5: "missing_required"}},
    ),
    Case(
        "roster NIK in scientific notation",
        {"tenaga_kerja.csv": _t("U1;3.37201E+15;Ani;P;;")},
        rules={"tenaga_kerja": {5: "nik_excel_mangled"}},
    ),
    Case(
        "roster NIK in scientific notation, decimal comma",
        {"tenaga_kerja.csv": _t("U1;3,37202E+15;Ani;P;;")},
        rules={"tenaga_kerja": {5: "nik_excel_mangled"}},
    ),
    Case(
        "roster NIK with a digit left out while typing (15 digits)",
        {"tenaga_kerja.csv": _t("U1;337201570890001;Ani;P;;")},
        rules={"tenaga_kerja": {5: "nik_invalid"}},
    ),
    Case(
        "roster NIK float text, dots and spaces are repaired",
        {"tenaga_kerja.csv": _t("U1;3372.0157.0890.0016;Ani;P;;")},
        check=_repaired,
    ),
    Case(
        "roster NIK typed as a number in xlsx",
        {
            "tenaga_kerja.csv": None,
            "tenaga_kerja.xlsx": xlsx(
                [
                    ["id_umkm", "nik", "nama"],
                    ["U1", "3372015708900011", "Sri"],
                    ["U2", 3372015708900017, "Ani"],
                ]
            ),
        },
        rules={"tenaga_kerja": {2: "nik_excel_mangled"}},
    ),
    Case(
        "roster NIK with a month 13 birth date",
        {"tenaga_kerja.csv": _t("U1;3372015713900001;Ani;P;;")},
        rules={"tenaga_kerja": {5: "nik_invalid"}},
    ),
    Case(
        "roster NIK serial 0000",
        {"tenaga_kerja.csv": _t("U1;3372015708900000;Ani;P;;")},
        rules={"tenaga_kerja": {5: "nik_invalid"}},
    ),
    Case(
        "roster birth date in the future",
        {"tenaga_kerja.csv": _t("U1;3372015708900016;Ani;P;01/01/2030;")},
        rules={"tenaga_kerja": {5: "bad_date"}},
    ),
    Case(
        "roster unknown business",
        {"tenaga_kerja.csv": _t("U99;3372015708900016;Ani;P;;")},
        rules={"tenaga_kerja": {5: "unknown_business"}},
    ),
    Case(
        "roster same person twice",
        {"tenaga_kerja.csv": _t("U3;3372015708900011;SRI W;P;;")},
        rules={"tenaga_kerja": {5: "duplicate_person"}},
    ),
    Case("roster header only", {"tenaga_kerja.csv": T_HEAD + "\n"}, check=_no_workers),
    Case(
        "participants unseen status",
        {
            "peserta_bpjstk.csv": _p(
                "333,3372015708900013,X,BPU,JKK;JKM,1000000,01/01/2020,MENINGGAL,Okt 2026"
            )
        },
        rules={"peserta_bpjstk": {3: "bad_value"}},
    ),
    Case(
        "participants unreadable month",
        {
            "peserta_bpjstk.csv": _p(
                "333,3372015708900013,X,BPU,JKK;JKM,1000000,01/01/2020,AKTIF,13/2026"
            )
        },
        rules={"peserta_bpjstk": {3: "bad_date"}},
    ),
    Case(
        "participants future joining date",
        {
            "peserta_bpjstk.csv": _p(
                "333,3372015708900013,X,BPU,JKK;JKM,1000000,01/01/2030,AKTIF,Okt 2026"
            )
        },
        rules={"peserta_bpjstk": {3: "bad_date"}},
    ),
    Case(
        "participants JP for an unknown programme",
        {
            "peserta_bpjstk.csv": _p(
                "333,3372015708900013,X,BPU,JKK;JKN,1000000,01/01/2020,AKTIF,Okt 2026"
            )
        },
        rules={"peserta_bpjstk": {3: "bad_value"}},
    ),
    Case(
        "participants header only (a month with none)",
        {"peserta_bpjstk.csv": P_HEAD + "\n"},
        check=_no_participants,
    ),
    Case("survey missing (optional)", {}, check=_no_survey),
    Case(
        "survey yes/no unreadable",
        {"survei_kesadaran.csv": _s("R3,05/10/2026,Jebres,Kuliner,Pemilik,Ya,mungkin,,T,,,,1")},
        rules={"survei_kesadaran": {3: "bad_value"}},
    ),
    Case(
        "survey weight zero",
        {"survei_kesadaran.csv": _s("R3,05/10/2026,Jebres,Kuliner,Pemilik,Ya,Ya,,T,,,,0")},
        rules={"survei_kesadaran": {3: "bad_value"}},
    ),
    Case(
        "survey without a weight column",
        {
            "survei_kesadaran.csv": csv(
                S_HEAD.rsplit(",", 1)[0], [r.rsplit(",", 1)[0] for r in S_ROWS]
            )
        },
        check=_weights_default,
    ),
    # ---- the outreach log (optional): activities by day and kelurahan
    Case("outreach log missing (optional)", {}, check=_no_outreach),
    Case("outreach log read", {"sosialisasi.csv": _o()}, check=_outreach_read),
    Case(
        "outreach log header only (no activity this month)",
        {"sosialisasi.csv": O_HEAD + "\n"},
        check=_no_outreach_rows,
    ),
    Case(
        "outreach log without day or kelurahan column",
        {"sosialisasi.csv": csv("Kelurahan;Peserta", ["Jebres;10"])},
        error="required column tanggal is missing",
        error_file="sosialisasi.csv",
    ),
    Case(
        "outreach log only the required columns",
        {"sosialisasi.xlsx": xlsx([["Tanggal Kegiatan", "Kelurahan"], ["03/10/2026", "Sewu"]])},
        check=_outreach_no_counts,
    ),
    Case(
        "outreach day empty",
        {"sosialisasi.csv": _o(";Sewu;;Sosialisasi;10;5;")},
        rules={"sosialisasi": {3: "missing_required"}},
    ),
    Case(
        "outreach day after the period",
        {"sosialisasi.csv": _o("2026-11-20;Sewu;;Sosialisasi;10;5;")},
        rules={"sosialisasi": {3: "bad_date"}},
    ),
    Case(
        "outreach day before the programme began",
        {"sosialisasi.csv": _o("17/08/2015;Sewu;;Sosialisasi;10;5;")},
        rules={"sosialisasi": {3: "bad_date"}},
    ),
    Case(
        "outreach day unreadable",
        {"sosialisasi.csv": _o("minggu depan;Sewu;;Sosialisasi;10;5;")},
        rules={"sosialisasi": {3: "bad_date"}},
    ),
    Case(
        "outreach kelurahan not a place",
        {"sosialisasi.csv": _o("06/10/2026;Atlantis;;Sosialisasi;10;5;")},
        rules={"sosialisasi": {3: "kelurahan_unmatched"}},
    ),
    Case(
        "outreach kelurahan outside the city",
        {"sosialisasi.csv": _o("06/10/2026;Makamhaji;Kartasura;Sosialisasi;10;5;")},
        rules={"sosialisasi": {3: "outside_region"}},
    ),
    Case(
        "outreach attendees not a number",
        {"sosialisasi.csv": _o("06/10/2026;Sewu;;Sosialisasi;banyak;5;")},
        rules={"sosialisasi": {3: "bad_number"}},
    ),
    Case(
        "outreach attendees implausible",
        {"sosialisasi.csv": _o("06/10/2026;Sewu;;Sosialisasi;120000;5;")},
        rules={"sosialisasi": {3: "bad_value"}},
    ),
    Case(
        "outreach exact duplicate row",
        {"sosialisasi.csv": _o(O_ROWS[1])},
        check=_one_duplicate_activity,
    ),
]
