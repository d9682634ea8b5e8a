"""The canonical columns of each raw file and the header spellings that mean them.

Headers vary in case, spacing and wording (`Jml. Tenaga Kerja`, `NIK Pemilik`, `BLN IURAN
TERAKHIR` …): `norm_header` folds a header cell to a lookup form, `map_header` maps a file's
header row to canonical names, `find_header` finds that row below a title block, and
`check_columns` stops the run with one sentence when a required column is missing or two
columns mean the same thing. Headers no spelling here knows are mapped by the analyst's
`headers.toml` (`analysis.ingest.mapping`). `REQUIRED`, `MAY_BE_EMPTY` and `PERSONAL` say what the rest of
the cleaning may expect of each file and must never echo.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from analysis.errors import AnalysisError

HEADER_SCAN_ROWS = 30

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
        "nik_pemilik": [
            "nik_pemilik",
            "nik_ktp_pemilik",
            "no_ktp_pemilik",
            "ktp_pemilik",
            "nik_pelaku_usaha",
        ]
        + _NIK,
        "alamat": ["alamat", "alamat_usaha", "alamat_lengkap"],
        "kelurahan": _KELURAHAN,
        "kecamatan": _KECAMATAN,
        "sektor": _SEKTOR,
        "kbli": ["kbli", "kode_kbli", "kbli_2020", "kode_kbli_2020", "kbli_utama", "no_kbli"],
        "skala_usaha": ["skala_usaha", "skala", "skala_umkm", "kelas_usaha", "ukuran_usaha"],
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
            "tanggal_terbit_nib",  # a NIB export: the day the business was registered in OSS
            "tgl_terbit_nib",
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
    "sosialisasi": {
        "tanggal": [
            "tanggal",
            "tgl",
            "hari_tanggal",
            "hari_tgl",
            "tanggal_kegiatan",
            "tgl_kegiatan",
            "tanggal_sosialisasi",
            "tgl_sosialisasi",
            "tanggal_pelaksanaan",
            "tgl_pelaksanaan",
            "waktu",
            "waktu_pelaksanaan",
        ],
        "kelurahan": _KELURAHAN + ["lokasi_kelurahan", "kelurahan_sasaran"],
        "kecamatan": _KECAMATAN,
        "kegiatan": [
            "kegiatan",
            "jenis_kegiatan",
            "bentuk_kegiatan",
            "nama_kegiatan",
            "jenis",
            "metode",
            "kegiatan_sosialisasi",
        ],
        "peserta": [
            "peserta",
            "jumlah_peserta",
            "jml_peserta",
            "peserta_hadir",
            "jumlah_hadir",
            "jml_hadir",
            "hadir",
        ],
        "usaha": [
            "usaha",
            "umkm",
            "jumlah_umkm",
            "jml_umkm",
            "jumlah_usaha",
            "jml_usaha",
            "umkm_dijangkau",
            "usaha_dijangkau",
            "jumlah_pelaku_usaha",
            "jml_pelaku_usaha",
        ],
    },
}
REQUIRED: dict[str, list[str]] = {
    "umkm": ["id_umkm", "kelurahan", "jumlah_tenaga_kerja"],
    "tenaga_kerja": ["id_umkm", "nik"],
    "peserta_bpjstk": ["nik", "status", "iuran_terakhir"],
    "survei_kesadaran": ["id_responden", "kelurahan", "tahu_bpjs_kesehatan", "tahu_bpjs_tk"],
    "sosialisasi": ["tanggal", "kelurahan"],
}
#: Files that may legitimately have no data rows this month (no participants, no survey, no
#: outreach activity).
MAY_BE_EMPTY = {"tenaga_kerja", "peserta_bpjstk", "survei_kesadaran", "sosialisasi"}
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


def norm_header(text: object) -> str:
    """'Jml. Tenaga Kerja ' → 'jml_tenaga_kerja' (accents, case and punctuation removed)."""
    t = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode().lower()
    t = re.sub(r"[^a-z0-9]+", "_", t).strip("_")
    return re.sub(
        r"_(rp|rupiah|idr|orang|org)$", "", t
    )  # units: 'Omzet Tahunan (Rp)' → omzet_tahunan


def _lookup(stem: str) -> dict[str, str]:
    """Every header spelling of a file → its canonical column."""
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


def header_score(stem: str, row: list[object], mapped: frozenset[str] = frozenset()) -> int:
    """How many different canonical columns a row of cells names, counting the headers a mapping
    names (`mapped`, normalised) too: the header row names most."""
    lookup = _lookup(stem)
    keys = list(map(norm_header, row))
    return len({lookup[n] for n in keys if n in lookup}) + len(mapped & set(keys))


def find_header(
    stem: str, rows: list[list[object]], mapped: frozenset[str] = frozenset()
) -> int | None:
    """Index of the row that names the most known columns (title blocks above it are skipped)."""
    best, where = 0, None
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        s = header_score(stem, row, mapped)
        if s > best:
            best, where = s, i
    return where


def check_columns(
    stem: str,
    path: Path,
    columns: dict[str, list[int]],
    header: list[object],
    mapped: frozenset[str] = frozenset(),
) -> None:
    """Stop with one sentence naming the file if two columns mean the same canonical column (and no
    mapping says which: `mapped` columns are the mapping's) or a required one is missing; the
    sentence says how to map the file's own headers."""
    inspect = f"'python -m analysis inspect --period {path.parent.name}'"
    for canon, positions in columns.items():
        if len(positions) > 1 and canon not in mapped:
            cells = [str(header[i]).strip() for i in positions]
            raise AnalysisError(
                f"{path}: columns {', '.join(map(repr, cells))} both mean {canon!r}; remove one of "
                f"them, or say which one in headers.toml ({inspect} prints a mapping to edit)."
            )
    missing = [c for c in REQUIRED[stem] if c not in columns]
    if missing:
        cells = [repr(str(h).strip()) for h in header if str(h or "").strip()]
        found = ", ".join(cells)
        if len(found) > 200:  # whole headers only, then an ellipsis
            shown = [c for i, c in enumerate(cells) if len(", ".join(cells[: i + 1])) <= 200]
            found = ", ".join(shown) + ", …"
        raise AnalysisError(
            f"{path}: required column {', '.join(missing)} is missing (columns found: "
            f"{found or 'none'}). Map the file's own header to it in headers.toml: {inspect} "
            f"prints a ready-to-edit mapping."
        )
