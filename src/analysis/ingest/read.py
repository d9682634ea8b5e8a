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
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field, fields
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


@dataclass(kw_only=True)
class HowRead:
    """How a raw file was read: header row, encoding, delimiter, columns used and ignored,
    malformed records (with their row numbers) and blank rows skipped."""

    header_row: int = 1
    encoding: str = "utf-8"
    delimiter: str | None = None
    columns_mapped: dict[str, str] = field(default_factory=dict)
    columns_ignored: list[str] = field(default_factory=list)
    malformed: list[tuple[int, str]] = field(default_factory=list)
    blank_rows: int = 0

    def require_rows(self, stem: str, path: Path):
        """Itself, unless a file that must have data rows has none (then one clear sentence)."""
        if self.rows_in == 0 and stem not in MAY_BE_EMPTY:
            raise AnalysisError(f"{path} has a header row but no data rows.")
        return self


def _how(info: dict) -> dict:
    """The HowRead fields of a cache's metadata (JSON turns tuples into lists)."""
    how = {f.name: info[f.name] for f in fields(HowRead)}
    return how | {"malformed": [tuple(m) for m in how["malformed"]]}


def _how_of(table: HowRead) -> dict:
    """How a table was read, as the cache's metadata keeps it."""
    return {f.name: getattr(table, f.name) for f in fields(HowRead)}


@dataclass
class RawTable(HowRead):
    """One raw file read as text: canonical columns + `source_row`, and how it was read."""

    stem: str
    path: Path
    frame: pd.DataFrame

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
    """Read one CSV extract whole, as text, with the same streaming reader the parquet cache uses.

    The intermediate parquet lives in a temporary folder beside the raw file (personal data never
    leaves `data/raw/`) and is removed at once.
    """
    import pyarrow.parquet as pq

    with tempfile.TemporaryDirectory(prefix=".read-", dir=path.parent) as tmp:
        target = Path(tmp) / f"{stem}.parquet"
        info = _csv_to_cache(stem, path, target, rows=1 << 40)
        frame = pq.read_table(target).to_pandas()
    return RawTable(stem, path, frame, **_how(info)).require_rows(stem, path)


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
    return RawTable(
        stem,
        path,
        frame,
        header_row=header_row,
        encoding=encoding,
        delimiter=delim,
        columns_mapped={str(i): c for i, c in mapped.items()},
        columns_ignored=ignored,
        malformed=bad,
        blank_rows=int(blank.sum()),
    ).require_rows(stem, path)


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


# ---------------------------------------------------------------- columnar cache (large files)

#: Bumped whenever the cached form changes, so an old cache is never reused.
CACHE_VERSION = 1
CACHE_DIR = "_cache"
#: Rows per partition of the parquet cache: the unit of bounded-memory cleaning (and of Dask tasks).
PARTITION_ROWS = 500_000


@dataclass
class CachedRaw(HowRead):
    """A raw file converted once to parquet (text columns + `source_row`), read partition by partition.

    Each row group is one partition of `partition_rows` rows, so a partition can be read on
    its own (by a Dask worker too). The cache lives beside the raw file, in the git-ignored
    `data/raw/<period>/_cache/`: it holds the same personal data as the raw file and never
    leaves `data/raw/`.
    """

    stem: str
    path: Path
    parquet: Path
    rows: int
    parts: int

    @property
    def rows_in(self) -> int:
        return self.rows + len(self.malformed)

    def part(self, i: int) -> pd.DataFrame:
        """Partition `i` as a text DataFrame (canonical columns + `source_row`)."""
        import pyarrow.parquet as pq

        return pq.ParquetFile(self.parquet).read_row_group(i).to_pandas()

    def read_all(self) -> pd.DataFrame:
        import pyarrow.parquet as pq

        return pq.read_table(self.parquet).to_pandas()


def _scan_encoding(path: Path) -> str:
    """'utf-8', 'cp1252', or 'mixed' (lines of both), in one streaming pass over the file."""
    if _utf8_ok(path):
        return "utf-8"
    pattern = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")
    with path.open("rb") as handle:
        tail = b""
        while chunk := handle.read(1 << 24):
            if pattern.search(tail + chunk):
                return "mixed"
            tail = chunk[-1:]
    return "cp1252"


class _Recoded(io.RawIOBase):
    """A file read as UTF-8 whatever it holds: Windows-1252 (or lines of both) re-encoded as it streams."""

    def __init__(self, path: Path, mode: str):
        self.handle, self.mode, self.buffer, self.rest = path.open("rb"), mode, b"", b""

    def readable(self) -> bool:
        return True

    def _more(self) -> bool:
        chunk = self.handle.read(1 << 22)
        if not chunk:
            if self.rest:
                self.buffer += self._convert(self.rest)
                self.rest = b""
                return True
            return False
        if self.mode == "cp1252":
            self.buffer += chunk.decode("cp1252", errors="replace").encode("utf-8")
            return True
        data = self.rest + chunk
        cut = data.rfind(b"\n") + 1
        self.rest = data[cut:]
        self.buffer += self._convert(data[:cut])
        return True

    def _convert(self, data: bytes) -> bytes:
        if self.mode == "cp1252":
            return data.decode("cp1252", errors="replace").encode("utf-8")
        return _decode(data)[0].encode("utf-8")

    def readinto(self, target) -> int:
        while not self.buffer and self._more():
            pass
        n = min(len(target), len(self.buffer))
        target[:n] = self.buffer[:n]
        self.buffer = self.buffer[n:]
        return n

    def close(self) -> None:
        self.handle.close()
        super().close()


def _trimmed(columns: dict[str, pa.ChunkedArray], first_row: int) -> tuple[pa.Table, int]:
    """Trim every cell (as `_finish` does), number the rows from `first_row`, drop all-empty rows."""
    import pyarrow.compute as pc

    cols = {name: pc.utf8_trim_whitespace(c) for name, c in columns.items()}
    n = len(next(iter(columns.values()))) if columns else 0
    table = pa.table({"source_row": pa.array(range(first_row, first_row + n), pa.int64()), **cols})
    if not cols:
        return table, 0
    blank = None
    for c in cols.values():
        empty = pc.equal(c, "")
        blank = empty if blank is None else pc.and_(blank, empty)
    n_blank = pc.sum(blank).as_py() or 0
    return (table.filter(pc.invert(blank)) if n_blank else table), n_blank


class _PartWriter:
    """Write tables to parquet in row groups of exactly `rows` rows (the last may be shorter)."""

    def __init__(self, target: Path, rows: int):
        self.target, self.rows, self.pending, self.count = target, rows, [], 0
        self.writer, self.parts = None, 0

    def add(self, table: pa.Table) -> None:
        self.pending.append(table)
        self.count += table.num_rows
        while self.count >= self.rows:
            self._flush(self.rows)

    def _flush(self, n: int) -> None:
        import pyarrow.parquet as pq

        table = pa.concat_tables(self.pending).combine_chunks()
        head, rest = table.slice(0, n), table.slice(n)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.target, head.schema, compression="lz4")
        if head.num_rows or self.parts == 0:  # an empty file still has one (empty) partition
            self.writer.write_table(head, row_group_size=max(n, 1))
            self.parts += 1
        self.pending, self.count = ([rest] if rest.num_rows else []), rest.num_rows

    def close(self, schema: pa.Schema) -> int:
        """Write what is left; returns the number of row groups (partitions) written."""
        import pyarrow.parquet as pq

        if not self.pending and self.writer is None:
            self.pending = [schema.empty_table()]
        if self.pending:
            self._flush(self.count)
        self.writer.close()
        return pq.ParquetFile(self.target).num_row_groups


def _frame_to_cache(frame: pd.DataFrame, target: Path, rows: int) -> int:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    out = _PartWriter(target, rows)
    out.add(table)
    return out.close(table.schema)


def _csv_to_cache(stem: str, path: Path, target: Path, rows: int) -> dict:
    """Stream one CSV into the parquet cache in bounded memory; returns how it was read."""
    with path.open("rb") as handle:
        sample = handle.read(1 << 20)
    if not sample.strip():
        raise AnalysisError(f"{path} is empty.")
    if _looks_binary(sample):
        raise AnalysisError(
            f"{path} is not a text CSV file (it contains binary data); export it again as CSV or XLSX."
        )
    encoding = _scan_encoding(path)
    if encoding == "utf-8":
        head = sample.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="ignore")
    else:
        head = _decode(sample)[0]
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

    def source():
        return path if encoding == "utf-8" else _Recoded(path, encoding)

    reader = pacsv.open_csv(
        source(),
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
    canon = [mapped[int(n[1:])] for n in reader.schema.names]
    out = _PartWriter(target, rows)
    seen = blank_rows = 0
    schema = None
    for batch in reader:
        table, n_blank = _trimmed(dict(zip(canon, batch.columns, strict=True)), seen + 1)
        seen += batch.num_rows
        blank_rows += n_blank
        schema = table.schema
        out.add(table)
    if schema is None:
        schema = pa.schema([("source_row", pa.int64())] + [(c, pa.string()) for c in canon])
    parts = out.close(schema)
    bad = []
    if invalid:
        if encoding == "utf-8":
            recoded = path
        else:
            with _Recoded(path, encoding) as stream:
                recoded = io.BytesIO(stream.read())
        bad = _malformed_rows(recoded, delim, where + 1, len(names))
        _renumber(target, seen, [n for n, _ in bad])
    return {
        "header_row": where + 1,
        "encoding": encoding,
        "delimiter": delim,
        "columns_mapped": {str(i): c for i, c in mapped.items()},
        "columns_ignored": ignored,
        "malformed": bad,
        "blank_rows": blank_rows,
        "parts": parts,
    }


def _renumber(target: Path, seen: int, bad: list[int]) -> None:
    """Give rows after malformed records their true data-row numbers (malformed rows keep their slots)."""
    import numpy as np
    import pyarrow.parquet as pq

    ordinals = np.asarray(pd.RangeIndex(1, seen + len(bad) + 1).difference(pd.Index(bad)))
    source = pq.ParquetFile(target)
    tmp = target.with_suffix(".renumber")
    writer = None
    for i in range(source.num_row_groups):
        group = source.read_row_group(i)
        fixed = pa.array(ordinals[group.column("source_row").to_numpy() - 1], pa.int64())
        group = group.set_column(0, "source_row", fixed)
        writer = writer or pq.ParquetWriter(tmp, group.schema, compression="lz4")
        writer.write_table(group, row_group_size=max(group.num_rows, 1))
    if writer is not None:
        writer.close()
        tmp.replace(target)


def cache_raw(stem: str, path: Path, partition_rows: int) -> CachedRaw:
    """The raw file as cached parquet, converting it first unless an up-to-date cache exists."""
    import json
    import os

    cache = path.parent / CACHE_DIR
    stamp = path.stat()
    key = {
        "version": CACHE_VERSION,
        "file": path.name,
        "size": stamp.st_size,
        "mtime_ns": stamp.st_mtime_ns,
        "partition_rows": partition_rows,
    }
    target, meta_file = cache / f"{stem}.parquet", cache / f"{stem}.json"
    meta = None
    if meta_file.exists() and target.exists():
        try:
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
        except ValueError:
            meta = None
        if meta is not None and meta.get("key") != key:
            meta = None
    if meta is None:
        cache.mkdir(mode=0o700, exist_ok=True)
        tmp = cache / f".{stem}.{os.getpid()}.parquet"
        try:
            if path.suffix.lower() == ".csv":
                info = _csv_to_cache(stem, path, tmp, partition_rows)
            else:
                table = read_raw(stem, path)
                info = _how_of(table) | {"parts": _frame_to_cache(table.frame, tmp, partition_rows)}
            tmp.replace(target)
        except (pa.ArrowInvalid, csv.Error, UnicodeError, MemoryError) as exc:
            raise AnalysisError(
                f"{path} cannot be read as {path.suffix[1:].upper()}: {str(exc).splitlines()[0][:120]}"
            ) from None
        finally:
            tmp.unlink(missing_ok=True)
        import pyarrow.parquet as pq

        info["rows"] = pq.ParquetFile(target).metadata.num_rows
        meta = {"key": key, **info}
        meta_file.write_text(json.dumps(meta) + "\n", encoding="utf-8")
    return CachedRaw(stem, path, target, meta["rows"], meta["parts"], **_how(meta)).require_rows(
        stem, path
    )
