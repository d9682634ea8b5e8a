"""The words raw files use for coded values, and the codes they mean.

Status (AKTIF/NONAKTIF), segment (PU/BPU/JAKON), sex (L/P), survey role (pemilik/pekerja) and
the BPJS Ketenagakerjaan programmes, written by their codes or full names. Values are compared
after `word_key` (lower case; '-', '_' and '.' read as spaces). A `*_code` function returns the
code, '?' for a word it does not know (the cleaning quarantines it as `bad_value`), and None for
an empty cell.
"""

from __future__ import annotations

from analysis.ingest.parse import clean_text, parse_bool, split_codes

PROGRAMS = ("JKK", "JKM", "JHT", "JP", "JKP")
BENEFITS = ("JKK", "JKM", "JHT")
STATUS = {
    "aktif": "AKTIF",
    "active": "AKTIF",
    "a": "AKTIF",
    "nonaktif": "NONAKTIF",
    "non aktif": "NONAKTIF",
    "tidak aktif": "NONAKTIF",
    "tdk aktif": "NONAKTIF",
    "inactive": "NONAKTIF",
    "na": "NONAKTIF",
    "non": "NONAKTIF",
}
SEGMEN = {
    "pu": "PU",
    "penerima upah": "PU",
    "formal": "PU",
    "ppu": "PU",
    "bpu": "BPU",
    "bukan penerima upah": "BPU",
    "informal": "BPU",
    "mandiri": "BPU",
    "pbpu": "BPU",
    "jakon": "JAKON",
    "jasa konstruksi": "JAKON",
}
SEX = {
    "l": "L",
    "laki laki": "L",
    "laki": "L",
    "pria": "L",
    "m": "L",
    "male": "L",
    "lk": "L",
    "p": "P",
    "perempuan": "P",
    "wanita": "P",
    "f": "P",
    "female": "P",
    "pr": "P",
}
ROLE = {
    "pemilik": "pemilik",
    "pemilik usaha": "pemilik",
    "owner": "pemilik",
    "pengusaha": "pemilik",
    "pekerja": "pekerja",
    "karyawan": "pekerja",
    "buruh": "pekerja",
    "tenaga kerja": "pekerja",
    "worker": "pekerja",
}
PROGRAM_NAMES = {
    "jaminan kecelakaan kerja": "JKK", "jaminan kematian": "JKM", "jaminan hari tua": "JHT",
    "jaminan pensiun": "JP", "jaminan kehilangan pekerjaan": "JKP",
}  # fmt: skip
#: Survey answers that mean 'knows no benefit'.
_KNOWS_NONE = {"", "tidak tahu", "tidak ada", "tdk tahu", "belum tahu", "0"}


def word_key(value: object) -> str:
    """A cell as the vocabularies look it up: 'Non-Aktif ' → 'non aktif'."""
    return " ".join(
        clean_text(value).lower().replace("-", " ").replace("_", " ").replace(".", " ").split()
    )


def _code(words: dict[str, str], value: object) -> str | None:
    key = word_key(value)
    return words.get(key, "?" if key else None)


def status_code(value: object) -> str | None:
    """AKTIF or NONAKTIF ('non aktif' and 'nonaktif' alike)."""
    return STATUS.get(word_key(value).replace("non ", "non"), _code(STATUS, value))


def segment_code(value: object) -> str | None:
    """PU, BPU or JAKON."""
    return _code(SEGMEN, value)


def role_code(value: object) -> str | None:
    """pemilik or pekerja."""
    return _code(ROLE, value)


def sex_code(value: object) -> str | None:
    """L or P; None for anything else (an unknown sex is left empty, not quarantined)."""
    return SEX.get(word_key(value))


def programs_named(value: object) -> tuple[list[str], list[str]]:
    """Programme codes in a cell ('JKK;JKM;JHT') and the parts that name no programme."""
    return split_codes(value, set(PROGRAMS))


def benefits_named(value: object) -> tuple[list[str], list[str]]:
    """Benefits a respondent knows: codes or full names ('Jaminan Hari Tua'); 'tidak'/'-' means none."""
    text = clean_text(value).lower()
    if word_key(text) in _KNOWS_NONE or parse_bool(text) is False:
        return [], []
    for name, code in PROGRAM_NAMES.items():
        text = text.replace(name, f" {code} ")
    return programs_named(text)
