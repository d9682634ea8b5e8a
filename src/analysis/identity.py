"""NIK rules (FACTS.md §6), Excel damage, and keyed pseudonyms: raw NIKs stop here.

A NIK is 16 digits: province (2), kab/kota (2), kecamatan (2) of first registration, birth date
DDMMYY with 40 added to the day for women, and a serial from 0001. There is no check digit.
All checks are vectorised string operations so that ten million NIKs take seconds.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.engine import duckdb_over
from analysis.errors import AnalysisError
from analysis.parse import arrow_text
from analysis.paths import SECRETS_DIR

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

#: Published on purpose: demo data is synthetic, so its pseudonyms need no secret and stay
#: identical on every machine. Real data refuses this key (see `load_key`).
DEMO_KEY = b"umkm-bpjstk demo key: synthetic people only, never for real data"
KEY_ENV = "ANALYSIS_PSEUDONYM_KEY"
KEY_FILE_ENV = "ANALYSIS_PSEUDONYM_KEY_FILE"
_WELL_KNOWN = {
    "",
    "changeme",
    "secret",
    "password",
    "test",
    "key",
    "demo",
    "0" * 64,
    DEMO_KEY.decode(),
}
MIN_KEY_CHARS = 32
#: From this many distinct values on, HMACs are computed in DuckDB (vectorised, all cores).
HMAC_VECTOR_MIN = 20_000

_DETAILS = {
    "missing": "NIK is empty",
    "sci": "NIK in scientific notation (Excel rounded it; the last digits are lost)",
    "len15": "NIK has 15 digits (the 16th digit was lost in a spreadsheet)",
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
    repaired (status 'repaired'); scientific notation and 15-digit values are 'excel_mangled'.
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
        [code == 1, (code == 2) | (code == 4), code > 0, repaired],
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


def _pads(key: bytes) -> tuple[bytes, bytes]:
    """HMAC's inner and outer padded keys (RFC 2104): the key, hashed if longer than a block."""
    k = (hashlib.sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in k), bytes(b ^ 0x5C for b in k)


def _hmac_arrow(values: pa.Array, key: bytes) -> pa.Array | None:
    """HMAC-SHA256 (hex) of an Arrow string array in DuckDB's vectorised sha256 across cores, as
    sha256(opad || unhex(sha256(ipad || msg))); None where the padded key is not ASCII text
    (DuckDB's strings cannot carry it) or the batch is too small to be worth it."""
    ipad, opad = _pads(key)
    if len(values) < HMAC_VECTOR_MIN or max(ipad) >= 0x80:
        return None
    with duckdb_over(hmac_input=pa.table({"v": values})) as con:
        out = con.sql(
            "select sha256($o || unhex(sha256($i || v))) as h from hmac_input",
            params={"i": ipad.decode("ascii"), "o": opad},
        ).to_arrow_table()
    return out.column("h").combine_chunks().cast(pa.string())


def hmac_hex(values: list[str], key: bytes) -> list[str]:
    """HMAC-SHA256 (hex) of each string, identical to `hmac.new(key, v.encode(), sha256)`:
    vectorised for large batches, Python's hmac for small ones and non-ASCII padded keys."""
    fast = _hmac_arrow(pa.array(values, pa.string()), key)
    if fast is not None:
        return fast.to_pylist()
    inner = hmac.new(key, digestmod=hashlib.sha256)
    hashed = []
    for value in values:
        h = inner.copy()
        h.update(value.encode())
        hashed.append(h.hexdigest())
    return hashed


def pseudonymise(values: pd.Series, key: bytes) -> pd.Series:
    """Keyed HMAC-SHA256 (hex) of each normalised identifier; NA stays NA.

    Large columns go to DuckDB as one Arrow array (no Python strings on the way); small ones
    hash each distinct value once in Python.
    """
    hashed = _hmac_arrow(arrow_text(values), key)
    if hashed is None:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        distinct = np.asarray(uniques, dtype=object).astype(str).tolist()
        table = pa.array(hmac_hex(distinct, key) + [None], pa.string())
        hashed = table.take(pa.array(np.where(codes < 0, len(uniques), codes)))
    return pd.Series(pd.arrays.ArrowStringArray(hashed), index=values.index).astype("str")


def key_id(key: bytes) -> str:
    """A short, non-reversible name for a key, recorded in quality.json: pseudonyms made with
    different key ids never match, so months cleaned with different keys must not be linked."""
    return hmac.new(key, b"umkm-bpjstk key id", hashlib.sha256).hexdigest()[:12]


def key_file() -> Path:
    """The git-ignored file holding this installation's pseudonymisation key."""
    return Path(os.environ.get(KEY_FILE_ENV) or SECRETS_DIR / "pseudonym.key")


def _check_key(key: str, origin: str) -> bytes:
    if key.strip().lower() in _WELL_KNOWN or len(set(key.strip())) < 4:
        raise AnalysisError(
            f"The pseudonymisation key from {origin} is empty or well known; set a random key of at least {MIN_KEY_CHARS} characters."
        )
    if len(key.strip()) < MIN_KEY_CHARS:
        raise AnalysisError(
            f"The pseudonymisation key from {origin} is shorter than {MIN_KEY_CHARS} characters; use a longer random key."
        )
    return key.strip().encode()


def load_key(demo: bool) -> bytes:
    """The pseudonymisation key: the fixed demo key for demo data, else the environment or key file.

    On first use with real data a random key is written to the git-ignored key file (mode 600).
    The key is never printed or logged; keep a copy somewhere safe, as hashes change with it.
    """
    if demo:
        return DEMO_KEY
    if KEY_ENV in os.environ:
        return _check_key(os.environ[KEY_ENV], f"${KEY_ENV}")
    path = key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    return _check_key(path.read_text(), str(path))
