"""Raw extracts → text DataFrames with canonical column names and `source_row`.

Accepts `.csv` (comma, semicolon, tab or pipe; UTF-8, UTF-8 with BOM, Windows-1252, or lines
of both) and `.xlsx` (first sheet with a recognisable header; title blocks above the header
row are skipped). Every value stays text here: parsing and validation come later, so nothing
is silently converted (a NIK never becomes a float). Columns the project does not use are
ignored; a file whose header cannot be found, or lacks a required column, stops the run with
one sentence naming the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from analysis.errors import AnalysisError

HEADER_SCAN_ROWS = 30
csv.field_size_limit(1 << 30)  # a pasted 1 MB cell must be quarantined, not crash the reader

_ID_UMKM = ["id_umkm", "id_usaha", "kode_umkm", "no_umkm", "nomor_umkm", "id_ukm", "kode_usaha"]
_NIK = ["nik", "no_ktp", "nik_ktp", "nomor_ktp", "nomor_induk_kependudukan", "no_nik"]
_KELURAHAN = [
    "kelurahan",
    "kel",
    "desa_kelurahan",
    "kelurahan_desa",
    "kalurahan",
    "nama_kelurahan",
    "desa",
]
_KECAMATAN = ["kecamatan", "kec", "nama_kecamatan"]
_SEKTOR = [
    "sektor",
    "sektor_usaha",
    "bidang_usaha",
    "jenis_usaha",
    "kategori_usaha",
    "lapangan_usaha",
]
_INCOME = [
    "penghasilan_bulanan",
    "penghasilan",
    "penghasilan_per_bulan",
    "pendapatan_bulanan",
    "pendapatan",
    "gaji",
    "gaji_bulanan",
    "upah_bulanan",
]

#: canonical column → header spellings seen (after normalisation: lower case, '_' for gaps).
COLUMNS: dict[str, dict[str, list[str]]] = {
    "umkm": {
        "id_umkm": _ID_UMKM + ["id"],
        "nib": ["nib", "nomor_induk_berusaha", "no_nib"],
        "nama_usaha": ["nama_usaha", "nama_umkm", "nama_ukm", "usaha", "nama_toko"],
        "nama_pemilik": ["nama_pemilik", "pemilik", "nama_pelaku_usaha", "nama"],
        "nik_pemilik": ["nik_pemilik", "nik_ktp_pemilik", "no_ktp_pemilik", "ktp_pemilik"] + _NIK,
        "alamat": ["alamat", "alamat_usaha", "alamat_lengkap"],
        "kelurahan": _KELURAHAN,
        "kecamatan": _KECAMATAN,
        "sektor": _SEKTOR,
        "jumlah_tenaga_kerja": [
            "jumlah_tenaga_kerja",
            "jml_tenaga_kerja",
            "jumlah_tk",
            "jml_tk",
            "tenaga_kerja",
            "jumlah_pekerja",
            "jml_pekerja",
            "jumlah_karyawan",
        ],
        "omzet_tahunan": [
            "omzet_tahunan",
            "omset_tahunan",
            "omzet",
            "omset",
            "omzet_per_tahun",
            "omset_per_tahun",
            "penjualan_tahunan",
        ],
        "tanggal_daftar": [
            "tanggal_daftar",
            "tgl_daftar",
            "tanggal_registrasi",
            "tgl_registrasi",
            "tanggal_pendaftaran",
            "terdaftar_sejak",
        ],
    },
    "tenaga_kerja": {
        "id_umkm": _ID_UMKM,
        "nik": _NIK + ["nik_pekerja", "nik_tenaga_kerja"],
        "nama": ["nama", "nama_pekerja", "nama_tenaga_kerja", "nama_lengkap"],
        "jenis_kelamin": ["jenis_kelamin", "jk", "l_p", "gender", "kelamin"],
        "tanggal_lahir": ["tanggal_lahir", "tgl_lahir", "tgl_lhr"],
        "penghasilan_bulanan": _INCOME,
    },
    "peserta_bpjstk": {
        "kpj": ["kpj", "no_kpj", "nomor_kpj", "no_peserta", "nomor_peserta"],
        "nik": _NIK,
        "nama": ["nama", "nama_peserta", "nama_lengkap", "nama_tenaga_kerja"],
        "segmen": ["segmen", "segmen_kepesertaan", "jenis_kepesertaan", "kategori_peserta"],
        "program": ["program", "program_diikuti", "jenis_program", "programs"],
        "upah_dilaporkan": [
            "upah_dilaporkan",
            "upah",
            "upah_lapor",
            "penghasilan_dilaporkan",
            "dasar_upah",
        ],
        "tgl_kepesertaan": [
            "tgl_kepesertaan",
            "tanggal_kepesertaan",
            "tmt",
            "tmt_kepesertaan",
            "tgl_terdaftar",
            "tgl_daftar",
            "tanggal_daftar",
        ],
        "status": ["status", "status_kepesertaan", "status_peserta", "keaktifan"],
        "iuran_terakhir": [
            "iuran_terakhir",
            "bulan_iuran_terakhir",
            "bln_iuran_terakhir",
            "bulan_terakhir_bayar",
            "terakhir_bayar",
            "pembayaran_terakhir",
        ],
    },
    "survei_kesadaran": {
        "id_responden": ["id_responden", "no_responden", "responden", "id", "no"],
        "tanggal": ["tanggal", "tgl", "tanggal_survei", "tgl_survei", "tanggal_wawancara"],
        "kelurahan": _KELURAHAN,
        "kecamatan": _KECAMATAN,
        "sektor": _SEKTOR,
        "peran": ["peran", "status_responden", "posisi", "kedudukan"],
        "tahu_bpjs_kesehatan": [
            "tahu_bpjs_kesehatan",
            "tahu_bpjs_kes",
            "kenal_bpjs_kesehatan",
            "mengetahui_bpjs_kesehatan",
        ],
        "tahu_bpjs_tk": [
            "tahu_bpjs_tk",
            "tahu_bpjs_ketenagakerjaan",
            "tahu_bpjstk",
            "kenal_bpjs_tk",
            "mengetahui_bpjs_ketenagakerjaan",
        ],
        "tahu_manfaat": ["tahu_manfaat", "manfaat_diketahui", "manfaat_yang_diketahui"],
        "terdaftar": ["terdaftar", "terdaftar_bpjs_tk", "sudah_terdaftar", "peserta_bpjs_tk"],
        "alasan_tidak_daftar": [
            "alasan_tidak_daftar",
            "alasan",
            "alasan_belum_daftar",
            "alasan_tidak_ikut",
        ],
        "kesediaan_bayar": ["kesediaan_bayar", "wtp", "bersedia_bayar", "kesediaan_membayar"],
        "penghasilan_bulanan": _INCOME,
        "bobot": ["bobot", "weight", "pembobot", "bobot_sampel"],
    },
}
REQUIRED: dict[str, list[str]] = {
    "umkm": ["id_umkm", "kelurahan", "jumlah_tenaga_kerja"],
    "tenaga_kerja": ["id_umkm", "nik"],
    "peserta_bpjstk": ["nik", "status", "iuran_terakhir"],
    "survei_kesadaran": ["id_responden", "kelurahan", "tahu_bpjs_kesehatan", "tahu_bpjs_tk"],
}
#: Files that may legitimately have no data rows this month (no participants, no survey).
MAY_BE_EMPTY = {"tenaga_kerja", "peserta_bpjstk", "survei_kesadaran"}
#: Columns holding personal data: never echoed in messages, quarantine details or quality.json.
PERSONAL = {
    "nik",
    "nik_pemilik",
    "nama",
    "nama_pemilik",
    "alamat",
    "kpj",
    "tanggal_lahir",
    "penghasilan_bulanan",
    "upah_dilaporkan",
    "nama_usaha",
}


@dataclass
class RawTable:
    """One raw file read as text: canonical columns + `source_row`, and how it was read."""

    stem: str
    path: Path
    frame: pd.DataFrame
    header_row: int = 1
    encoding: str = "utf-8"
    delimiter: str | None = None
    columns_mapped: dict[str, str] = field(default_factory=dict)
    columns_ignored: list[str] = field(default_factory=list)
    malformed: list[tuple[int, str]] = field(default_factory=list)
    blank_rows: int = 0

    @property
    def rows_in(self) -> int:
        return len(self.frame) + len(self.malformed)


def norm_header(text: object) -> str:
    """'Jml. Tenaga Kerja ' → 'jml_tenaga_kerja' (accents, case and punctuation removed)."""
    t = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode().lower()
    t = re.sub(r"[^a-z0-9]+", "_", t).strip("_")
    return re.sub(
        r"_(rp|rupiah|idr|orang|org)$", "", t
    )  # units: 'Omzet Tahunan (Rp)' → omzet_tahunan


def _lookup(stem: str) -> dict[str, str]:
    return {variant: canon for canon, variants in COLUMNS[stem].items() for variant in variants}


def map_header(stem: str, header: list[object]) -> tuple[dict[int, str], list[str]]:
    """Positions of known columns → canonical names, and the header cells ignored."""
    lookup, mapped, ignored = _lookup(stem), {}, []
    for i, cell in enumerate(header):
        canon = lookup.get(norm_header(cell))
        if canon is None:
            if str(cell or "").strip():
                ignored.append(str(cell).strip())
        else:
            mapped[i] = canon
    return mapped, ignored


def _score(stem: str, row: list[object]) -> int:
    lookup = _lookup(stem)
    return len({lookup[n] for n in map(norm_header, row) if n in lookup})


def find_header(stem: str, rows: list[list[object]]) -> int | None:
    """Index of the row that names the most known columns (title blocks above it are skipped)."""
    best, where = 0, None
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        s = _score(stem, row)
        if s > best:
            best, where = s, i
    return where


def find_raw_file(raw_dir: Path, stem: str) -> Path | None:
    """`<stem>.csv` or `<stem>.xlsx` in a period folder (any case); an error if both exist."""
    if not raw_dir.is_dir():
        return None
    hits = sorted(
        p
        for p in raw_dir.iterdir()
        if p.is_file() and p.stem.lower() == stem and p.suffix.lower() in (".csv", ".xlsx")
    )
    others = [
        p
        for p in raw_dir.iterdir()
        if p.is_file() and p.stem.lower() == stem and p.suffix.lower() in (".xls", ".ods", ".txt")
    ]
    if len(hits) > 1:
        raise AnalysisError(f"{raw_dir} has both {hits[0].name} and {hits[1].name}; keep only one.")
    if not hits and others:
        raise AnalysisError(
            f"{others[0]} is not a supported format; save it as .xlsx or .csv (UTF-8)."
        )
    return hits[0] if hits else None


def _check_columns(stem: str, path: Path, mapped: dict[int, str], header: list[object]) -> None:
    seen: dict[str, list[str]] = {}
    for i, canon in mapped.items():
        seen.setdefault(canon, []).append(str(header[i]).strip())
    for canon, cells in seen.items():
        if len(cells) > 1:
            raise AnalysisError(
                f"{path}: columns {', '.join(map(repr, cells))} both mean {canon!r}; remove one of them."
            )
    missing = [c for c in REQUIRED[stem] if c not in seen]
    if missing:
        found = ", ".join(repr(str(h).strip()) for h in header if str(h or "").strip())[:200]
        raise AnalysisError(
            f"{path}: required column {', '.join(missing)} is missing (columns found: {found or 'none'})."
        )


# ---------------------------------------------------------------- CSV


def _utf8_ok(path: Path) -> bool:
    """Whether the whole file is valid UTF-8, checked in 16 MB chunks (no full copy in memory)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(1 << 24):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _decode(data: bytes) -> tuple[str, str]:
    """Decode non-UTF-8 bytes as Windows-1252, or line by line when UTF-8 and 1252 lines are mixed."""
    if not re.search(rb"[\xc2-\xf4][\x80-\xbf]", data):
        return data.decode("cp1252", errors="replace"), "cp1252"
    lines = []
    for line in data.splitlines(keepends=True):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(line.decode("cp1252", errors="replace"))
    return "".join(lines), "mixed"


def _looks_binary(sample: bytes) -> bool:
    if not sample:
        return False
    if b"\x00" in sample[:4096]:
        return True
    control = sum(b < 9 or 13 < b < 32 for b in sample[:4096])
    return control / min(len(sample), 4096) > 0.05


def _sniff(stem: str, text: str) -> tuple[str, int | None, list[str]]:
    """Choose the delimiter whose parse of the first lines names the most known columns."""
    lines = text.splitlines()[: HEADER_SCAN_ROWS + 1]
    best: tuple[int, str, int | None, list[str]] = (0, ",", None, [])
    for delim in (",", ";", "\t", "|"):
        rows = list(csv.reader(lines, delimiter=delim))
        where = find_header(stem, rows)
        if where is not None and _score(stem, rows[where]) > best[0]:
            best = (_score(stem, rows[where]), delim, where, rows[where])
    return best[1], best[2], best[3]


def read_csv(stem: str, path: Path) -> RawTable:
    """Read one CSV extract as text with pyarrow (streams UTF-8 files of millions of rows)."""
    with path.open("rb") as handle:
        sample = handle.read(1 << 20)
    if not sample.strip():
        raise AnalysisError(f"{path} is empty.")
    if _looks_binary(sample):
        raise AnalysisError(
            f"{path} is not a text CSV file (it contains binary data); export it again as CSV or XLSX."
        )
    if _utf8_ok(path):
        encoding, source = "utf-8", None
        head = sample.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="ignore")
    else:
        text, encoding = _decode(path.read_bytes())
        source, head = io.BytesIO(text.encode("utf-8")), text[: 1 << 20]
    delim, where, header = _sniff(stem, head)
    if where is None:
        wanted = ", ".join(REQUIRED[stem])
        raise AnalysisError(
            f"{path}: no header row with the expected columns ({wanted}) in the first {HEADER_SCAN_ROWS} lines."
        )
    mapped, ignored = map_header(stem, header)
    _check_columns(stem, path, mapped, header)
    names = [f"c{i}" for i in range(len(header))]
    invalid: list[int] = []

    def on_invalid(row) -> str:
        invalid.append(row.actual_columns)
        return "skip"

    table = pacsv.read_csv(
        source if source is not None else path,
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=where + 1, block_size=1 << 24),
        parse_options=pacsv.ParseOptions(
            delimiter=delim, newlines_in_values=True, invalid_row_handler=on_invalid
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            include_columns=[names[i] for i in mapped],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    frame = table.to_pandas()
    frame.columns = [mapped[int(c[1:])] for c in frame.columns]
    bad = _malformed_rows(source or path, delim, where + 1, len(names)) if invalid else []
    return _finish(stem, path, frame, where + 1, encoding, delim, mapped, ignored, bad)


def _malformed_rows(source, delim: str, skip: int, expected: int) -> list[tuple[int, str]]:
    """Data-row numbers of records whose field count differs from the header's (a slow pass, run only then)."""
    if isinstance(source, io.BytesIO):
        source.seek(0)
        handle = io.TextIOWrapper(source, encoding="utf-8", newline="")
    else:
        handle = open(source, encoding="utf-8-sig", newline="")  # noqa: SIM115
    with handle:
        records = csv.reader(handle, delimiter=delim)
        for _ in range(skip):
            next(records, None)
        out, ordinal = [], 0
        for record in records:
            if not record:
                continue
            ordinal += 1
            if len(record) != expected:
                out.append((ordinal, f"has {len(record)} fields where the header has {expected}"))
        return out


# ---------------------------------------------------------------- XLSX


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float) and abs(value) >= 1e15:
        return f"{value:.5E}"  # a 16-digit number cell (a NIK typed as a number): Excel keeps 15 digits only
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def read_xlsx(stem: str, path: Path) -> RawTable:
    """Read the first sheet with a recognisable header of an XLSX workbook, as text."""
    import openpyxl

    head = path.read_bytes()[:8]
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise AnalysisError(
            f"{path} is password-protected or an old .xls file; save it as an unprotected .xlsx."
        )
    if not head.startswith(b"PK"):
        raise AnalysisError(
            f"{path} is not a valid .xlsx file (it may be damaged or renamed); export it again."
        )
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise AnalysisError(
            f"{path} cannot be opened as .xlsx ({type(exc).__name__}); export it again."
        ) from None
    try:
        best = None
        for sheet in book.worksheets:
            rows = [
                list(r)
                for _, r in zip(
                    range(HEADER_SCAN_ROWS), sheet.iter_rows(values_only=True), strict=False
                )
            ]
            where = find_header(stem, rows)
            if where is not None and (best is None or _score(stem, rows[where]) > best[0]):
                best = (_score(stem, rows[where]), sheet, where, rows[where])
        if best is None:
            wanted = ", ".join(REQUIRED[stem])
            raise AnalysisError(
                f"{path}: no sheet has a header row with the expected columns ({wanted}) in its first {HEADER_SCAN_ROWS} rows."
            )
        _, sheet, where, header = best
        mapped, ignored = map_header(stem, header)
        _check_columns(stem, path, mapped, header)
        cols = {canon: [] for canon in mapped.values()}
        for row in sheet.iter_rows(min_row=where + 2, values_only=True):
            for i, canon in mapped.items():
                cols[canon].append(_cell_text(row[i]) if i < len(row) else "")
    finally:
        book.close()
    frame = pd.DataFrame(cols, dtype="str")
    return _finish(stem, path, frame, where + 1, "xlsx", None, mapped, ignored, [])


# ---------------------------------------------------------------- both


def _finish(stem, path, frame, header_row, encoding, delim, mapped, ignored, bad) -> RawTable:
    """Trim cells, drop blank rows, number data rows 1.. (malformed CSV rows keep their slots)."""
    for col in frame.columns:
        frame[col] = frame[col].str.strip()
    blank = (frame == "").all(axis=1) if len(frame.columns) else pd.Series(False, index=frame.index)
    ordinals = pd.RangeIndex(1, len(frame) + len(bad) + 1)
    if bad:
        ordinals = ordinals.difference(pd.Index([n for n, _ in bad]))
    frame.insert(0, "source_row", pd.array(ordinals, dtype="int64"))
    frame = frame[~blank.to_numpy()].reset_index(drop=True)
    table = RawTable(
        stem,
        path,
        frame,
        header_row,
        encoding,
        delim,
        {str(i): c for i, c in mapped.items()},
        ignored,
        bad,
        int(blank.sum()),
    )
    if table.rows_in == 0 and stem not in MAY_BE_EMPTY:
        raise AnalysisError(f"{path} has a header row but no data rows.")
    return table


def read_raw(stem: str, path: Path) -> RawTable:
    """Read a raw extract of the given kind (`umkm`, `tenaga_kerja`, …) from CSV or XLSX."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return read_csv(stem, path)
        if suffix == ".xlsx":
            return read_xlsx(stem, path)
    except AnalysisError:
        raise
    except (pa.ArrowInvalid, csv.Error, UnicodeError, MemoryError) as exc:
        raise AnalysisError(
            f"{path} cannot be read as {suffix[1:].upper()}: {str(exc).splitlines()[0][:120]}"
        ) from None
    raise AnalysisError(f"{path} is not a .csv or .xlsx file.")
