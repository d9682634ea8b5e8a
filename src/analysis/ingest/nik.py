"""NIK rules (docs/facts.md §6), Excel damage, and keyed pseudonyms: raw NIKs stop here.

A NIK is 16 digits: province (2), kab/kota (2), kecamatan (2) of first registration, birth date
DDMMYY with 40 added to the day for women, and a serial from 0001. There is no check digit.
All checks are vectorised string operations so that ten million NIKs take seconds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.ingest.parse import arrow_text

#: Province codes in use (Kemendagri), including the Papua provinces created in 2022.
PROVINCES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "16",
        "17",
        "18",
        "19",
        "21",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "51",
        "52",
        "53",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "72",
        "73",
        "74",
        "75",
        "76",
        "81",
        "82",
        "91",
        "92",
        "93",
        "94",
        "95",
        "96",
    ]
)
NIK_STATUSES = ("ok", "repaired", "missing", "excel_mangled", "invalid")


_DETAILS = {
    "missing": "NIK is empty",
    "sci": "NIK in scientific notation (Excel rounded it; the last digits are lost)",
    "len15": "NIK has 15 digits (a digit was left out while typing)",
    "letters": "NIK contains characters other than digits",
    "length": "NIK does not have 16 digits",
    "province": "NIK starts with an unknown province code",
    "region": "NIK has kab/kota or kecamatan code 00",
    "birth": "NIK birth date (digits 7-12) is not a calendar date",
    "serial": "NIK serial (last 4 digits) is 0000",
}


def _days_in_month(month: np.ndarray, year: np.ndarray) -> np.ndarray:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(month, 0, 12)]
    return days + ((month == 2) & leap)


#: Why a NIK is refused, in the order the checks apply (code 0: nothing wrong).
_REASONS = (
    "",
    "missing",
    "sci",
    "letters",
    "len15",
    "length",
    "province",
    "region",
    "birth",
    "serial",
)
_PROVINCE_NUMBERS = np.array(sorted(int(p) for p in PROVINCES))


def check_niks(raw: pd.Series) -> pd.DataFrame:
    """Normalise and validate NIK text: columns `nik` (16 digits or NA), `status`, `detail`.

    Spaces, dots, dashes and a leading apostrophe are removed and float text ('…0001.0') is
    repaired (status 'repaired'); scientific notation is 'excel_mangled' (Excel keeps 15
    significant digits and shows '3.37203E+15', or zeroes the tail and keeps 16 digits); a
    15-digit value is a typing slip, 'invalid' like any other wrong length.
    The digit fields are read from the NIK as one 64-bit number, the rules combined as codes.
    """
    text = raw.astype("str").fillna("").str.strip()
    text = text.mask(raw.isna(), "")
    sci = text.str.fullmatch(r"\d(?:[.,]\d*)?[eE]\+?\d+").to_numpy(dtype=bool, na_value=False)
    cleaned = pc.replace_substring_regex(
        pc.replace_substring_regex(arrow_text(text), pattern=r"\.0+$", replacement=""),
        pattern=r"[\s.\-'’_]",
        replacement="",
    )
    digits = pd.Series(pd.arrays.ArrowStringArray(cleaned), index=raw.index).astype("str")
    repaired = (digits != text).to_numpy(dtype=bool) & ~sci

    is16 = digits.str.fullmatch(r"\d{16}").to_numpy(dtype=bool, na_value=False)
    ascii16 = is16 & digits.str.fullmatch(r"[0-9]{16}").to_numpy(dtype=bool, na_value=False)
    number = pc.cast(pc.if_else(pa.array(ascii16), cleaned, "0"), pa.int64()).to_numpy().copy()
    # fields compared as text ('00', '0000', province codes) only hold for ASCII digits
    ascii_at = {part: np.ones(len(raw), dtype=bool) for part in ("prov", "kab", "kec", "serial")}
    other = np.flatnonzero(is16 & ~ascii16)  # other Unicode digits ('３３７２…'): rare, in Python
    if len(other):
        texts = digits.to_numpy(dtype=object)[other]
        number[other] = [int(t) for t in texts]  # int() reads any decimal digit, as before
        for part, (a, b) in {
            "prov": (0, 2),
            "kab": (2, 4),
            "kec": (4, 6),
            "serial": (12, 16),
        }.items():
            ascii_at[part][other] = [t[a:b].isascii() for t in texts]
    field = lambda first, width: (number // 10 ** (16 - first - width)) % 10**width  # noqa: E731
    dd, mm, yy = field(6, 2), field(8, 2), field(10, 2)
    day = np.where(dd > 40, dd - 40, dd)
    month_ok = (mm >= 1) & (mm <= 12)
    day_ok = (day >= 1) & (
        (day <= _days_in_month(mm, 1900 + yy)) | (day <= _days_in_month(mm, 2000 + yy))
    )
    birth_ok = month_ok & day_ok & ~((dd > 31) & (dd < 41))

    checks = [  # in _REASONS order: the first that holds is the reason
        text.eq("").to_numpy(dtype=bool),
        sci,
        digits.str.contains(r"\D", regex=True).to_numpy(dtype=bool, na_value=False),
        (digits.str.len() == 15).to_numpy(dtype=bool, na_value=False),
        ~is16,
        ~(np.isin(field(0, 2), _PROVINCE_NUMBERS) & ascii_at["prov"]),
        ((field(2, 2) == 0) & ascii_at["kab"]) | ((field(4, 2) == 0) & ascii_at["kec"]),
        ~birth_ok,
        (field(12, 4) == 0) & ascii_at["serial"],
    ]
    code = np.zeros(len(raw), dtype="int8")
    for i, holds in enumerate(checks, start=1):
        code[(code == 0) & holds] = i
    status = np.select(
        [code == 1, code == 2, code > 0, repaired],
        [NIK_STATUSES.index(s) for s in ("missing", "excel_mangled", "invalid", "repaired")],
        default=NIK_STATUSES.index("ok"),
    )
    details = np.array([_DETAILS.get(r, "") for r in _REASONS], dtype=object)
    return pd.DataFrame(
        {
            "nik": digits.where(code == 0, None),
            "status": pd.Categorical.from_codes(status, categories=NIK_STATUSES),
            "detail": pd.Series(details[code], index=raw.index, dtype="str"),
        },
        index=raw.index,
    )


def nik_region(nik: pd.Series) -> pd.Series:
    """The kab/kota of first registration ('3372' = Kota Surakarta); not the place of residence."""
    return nik.str.slice(0, 4)


def nik_number(nik: pd.Series) -> np.ndarray:
    """Valid 16-digit NIKs as int64, -1 for none (exact keys for duplicate persons and linking;
    never written out)."""
    return pc.fill_null(pc.cast(arrow_text(nik), pa.int64()), -1).to_numpy()
