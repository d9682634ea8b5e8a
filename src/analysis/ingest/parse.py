"""Parsers for the text found in registry extracts: Indonesian dates and months, Rupiah, yes/no.

Each `parse_*` takes one string and returns a value or None (never raises), so they can be
property-tested; `map_unique` applies one to a column via its distinct values, which keeps
million-row columns fast (a column has far fewer distinct dates or amounts than rows).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from datetime import date, timedelta
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "pebruari": 2, "feb": 2, "peb": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}  # fmt: skip
_EXCEL_EPOCH = date(1899, 12, 30)
_MONTH_WORD = "|".join(sorted(MONTHS, key=len, reverse=True))


#: Distinct raw values remembered per parser (a few tens of MB at most).
_CACHED = 1 << 18


def clean_text(value: object) -> str:
    """Unicode-normalise, trim and collapse inner white space (non-breaking spaces included)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = unicodedata.normalize("NFKC", str(value)).replace("\u00a0", " ")
    return " ".join(text.split())


def quote(value: object, limit: int = 60) -> str:
    """A raw value quoted for a message, cut to `limit` characters (a pasted 1 MB cell stays short)."""
    text = clean_text(value)
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _year(text: str, pivot: int) -> int | None:
    y = int(text)
    if len(text) == 4:
        return y
    if len(text) == 2:
        return 2000 + y if y <= pivot else 1900 + y
    return None


def _mk(y: int | None, m: int, d: int) -> date | None:
    if y is None or not 1800 <= y <= 2200:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


_ISO = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$")
_DMONY = re.compile(rf"^(\d{{1,2}})[-/. ]?({_MONTH_WORD})\.?[-/. ]?(\d{{2}}|\d{{4}})$")
_SERIAL = re.compile(r"^(\d{5})(?:\.0+)?$")


@lru_cache(maxsize=_CACHED, typed=True)  # the same dates recur in every partition of a large file
def parse_date(value: object, pivot_year: int = 40) -> date | None:
    """Parse a day: '17-Agu-2019', '17 Agustus 2019', '17/08/2019', '2019-08-17', Excel serial 43694.

    Day first as in Indonesia; a middle part above 12 can only be a month-first (US) date and
    is read so; two-digit years at or below `pivot_year` are 20xx, else 19xx.
    """
    text = clean_text(value).lower()
    if not text:
        return None
    if m := _ISO.match(text):
        return _mk(int(m[1]), int(m[2]), int(m[3]))
    if m := _DMY.match(text):
        a, b, y = int(m[1]), int(m[2]), _year(m[3], pivot_year)
        if b > 12 and a <= 12:
            a, b = b, a
        return _mk(y, b, a)
    if m := _DMONY.match(text):
        return _mk(_year(m[3], pivot_year), MONTHS[m[2]], int(m[1]))
    if m := _SERIAL.match(text):
        serial = int(m[1])
        if 10000 <= serial <= 80000:
            return _EXCEL_EPOCH + timedelta(days=serial)
    return None


_MONY = re.compile(rf"^({_MONTH_WORD})\.?[-/ ]?(\d{{2}}|\d{{4}})$")
_MY = re.compile(r"^(\d{1,2})[-/.](\d{4})$")
_YM = re.compile(r"^(\d{4})[-/.]?(\d{1,2})$")


@lru_cache(maxsize=_CACHED, typed=True)
def parse_month(value: object) -> date | None:
    """Parse a month to its first day: 'Okt 2026', 'Oktober 2026', '10/2026', '2026-10', '202610', or a date."""
    text = clean_text(value).lower()
    if not text:
        return None
    if m := _MONY.match(text):
        return _mk(_year(m[2], 79), MONTHS[m[1]], 1)
    if m := _MY.match(text):
        return _mk(int(m[2]), int(m[1]), 1) if 1 <= int(m[1]) <= 12 else None
    if (m := _YM.match(text)) and len(text) in (6, 7):
        return _mk(int(m[1]), int(m[2]), 1) if 1 <= int(m[2]) <= 12 else None
    day = parse_date(text)
    return day.replace(day=1) if day else None


_MULTIPLIERS = {
    "jt": 1e6, "juta": 1e6, "jta": 1e6,
    "rb": 1e3, "ribu": 1e3, "rbu": 1e3, "k": 1e3,
    "m": 1e9, "miliar": 1e9, "milyar": 1e9,
}  # fmt: skip
_AMOUNT = re.compile(r"^(-)?\s*(\d[\d.,]*)\s*([a-z]*)$")


def _number(digits: str, has_multiplier: bool) -> float | None:
    if "." in digits and "," in digits:
        dec = "," if digits.rfind(",") > digits.rfind(".") else "."
        thousands = "." if dec == "," else ","
        whole, _, frac = digits.replace(thousands, "").rpartition(dec)
        # '0.,.0': the decimal mark twice is no number (float() would fail on '0..0')
        return float(f"{whole}.{frac}") if whole.isdigit() and frac.isdigit() else None
    for sep in (".", ","):
        if sep in digits:
            parts = digits.split(sep)
            if len(parts) > 2:
                if all(len(p) == 3 for p in parts[1:]) and parts[0]:
                    return float("".join(parts))
                return None
            whole, frac = parts
            if not whole or not frac:
                return None
            if len(frac) == 3 and not has_multiplier:
                return float(whole + frac)
            return float(f"{whole}.{frac}")
    return float(digits)


@lru_cache(maxsize=_CACHED, typed=True)
def parse_amount(value: object) -> float | None:
    """Parse Rupiah: 'Rp 1.500.000', 'Rp1.500.000,-', '1,5 jt', '750rb', '1.2 M' (miliar), '1500000.0'."""
    text = clean_text(value).lower()
    text = re.sub(
        r"\s*(/|per)\s*(bulan|bln|bl|month|mo|tahun|thn)\.?$", "", text
    )  # '15rb/bln': a unit, not a number
    text = re.sub(r"^(rp\.?|idr)\s*", "", text)
    text = re.sub(r"(,-|\.-|-,)$", "", text).replace(" ", "")
    text = re.sub(r"^(-)?(rp\.?|idr)", r"\1", text)
    if not text:
        return None
    m = _AMOUNT.match(text)
    if not m:
        return None
    sign, digits, word = m.groups()
    if word and word not in _MULTIPLIERS:
        return None
    number = _number(digits, bool(word))
    if number is None:
        return None
    number = round(number * _MULTIPLIERS.get(word, 1.0), 2)  # 1,2 jt is 1200000, not 1199999.9999
    return -number if sign else number


def parse_decimal(value: object) -> float | None:
    """Parse a plain decimal such as a survey weight: '57.24', '57,24', '3' (no thousands separators)."""
    text = clean_text(value).replace(" ", "")
    if re.fullmatch(r"-?\d+(?:[.,]\d+)?", text):
        return float(text.replace(",", "."))
    return None


def parse_int(value: object) -> int | None:
    """Parse a whole count: '5', '5.0', ' 5 orang', '-3'; '5,5' or 'lima' give None."""
    text = clean_text(value).lower()
    m = re.match(r"^(-?\d+)(?:[.,]0+)?(?:\s*(orang|org|tk|pekerja))?$", text)
    return int(m[1]) if m else None


_TRUE = {
    "ya",
    "y",
    "iya",
    "yes",
    "1",
    "benar",
    "b",
    "true",
    "sudah",
    "pernah",
    "tahu",
    "v",
    "✓",
    "iyo",
    "nggih",
    "inggih",
}
_FALSE = {
    "tidak",
    "t",
    "tdk",
    "no",
    "n",
    "0",
    "salah",
    "s",
    "false",
    "belum",
    "blm",
    "tidak tahu",
    "x",
    "-",
    "gak",
    "ga",
    "nggak",
    "ngga",
    "enggak",
    "ndak",
    "tak",
    "mboten",
    "belum pernah",
    "tidak pernah",
}


def parse_bool(value: object) -> bool | None:
    """Parse yes/no in any spelling: Ya/Y/1/Sudah → True; Tidak/T/0/Belum → False; else None."""
    text = clean_text(value).lower().rstrip(".")
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def split_codes(value: object, known: set[str]) -> tuple[list[str], list[str]]:
    """Split a list like 'JKK; jkm, JHT' into (known codes upper-cased, unknown tokens)."""
    words = {"DAN", "AND", "SERTA"}  # 'JKK dan JKM'
    tokens = [
        t for t in re.split(r"[;,/+&\s()]+", clean_text(value).upper()) if t and t not in words
    ]
    good = [t for t in dict.fromkeys(tokens) if t in known]
    bad = [t for t in tokens if t not in known]
    return good, bad


def arrow_text(values: pd.Series | pd.Index) -> pa.Array:
    """A text column as one Arrow string array (zero-copy when pandas already holds Arrow
    strings), for Arrow's and DuckDB's vectorised string functions."""
    arr = pa.array(values.array) if isinstance(values.dtype, pd.StringDtype) else None
    if arr is not None and pa.types.is_large_string(arr.type):
        return arr  # pandas' own text storage: no copy
    if arr is not None and pa.types.is_string(arr.type):
        return arr.cast(pa.large_string())
    objects = values.to_numpy(dtype=object, na_value=None)
    try:
        return pa.array(objects, pa.large_string(), from_pandas=True)
    except (pa.ArrowTypeError, pa.ArrowInvalid):  # numbers or other objects: their text
        missing = pd.isna(objects)
        return pa.array(np.where(missing, None, objects.astype(str)), pa.large_string())


def coded_text(values: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """A text column as integer codes (-1: missing) and its distinct texts: small to ship to every
    partition, and `text_of_codes` turns any selection back into text without Python strings."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes.astype("int64"), arrow_text(pd.Series(uniques, dtype="str"))


def text_of_codes(codes: np.ndarray, texts: pa.Array, index: pd.Index) -> pd.Series:
    """The text of each code (missing for -1) as a pandas text column, by one Arrow take."""
    taken = texts.take(pa.array(np.maximum(codes, 0), mask=codes < 0))
    return pd.Series(pd.arrays.ArrowStringArray(taken), index=index).astype("str")


def map_text(values: pd.Series, mapping: pd.Series) -> pd.Series:
    """`values.map(mapping)` as text (missing where absent), looked up once per distinct value."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    found = pd.Series(uniques).map(mapping).astype("str")
    return text_of_codes(codes, arrow_text(found), values.index)


def map_unique(
    series: pd.Series, fn: Callable[[str], object], dtype: str | None = None
) -> pd.Series:
    """Apply a scalar parser to each distinct value of a column once and broadcast the result
    (texts and yes/no as Arrow or NumPy arrays, without a Python object per row)."""
    if dtype in ("str", bool):
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        results = [fn(u) for u in uniques.tolist()] + [None]
        if dtype == "str" and all(r is None or isinstance(r, str) for r in results):
            at = pa.array(np.where(codes < 0, len(results) - 1, codes))
            taken = pa.array(results, pa.large_string()).take(at)
            return pd.Series(pd.arrays.ArrowStringArray(taken), index=series.index).astype("str")
        if dtype is bool and all(r is None or isinstance(r, bool) for r in results):
            return pd.Series(np.array(results, dtype=bool)[codes], index=series.index)
        return pd.Series(_objects(results)[codes], index=series.index).astype(dtype)
    out = _parse_distinct(series, fn, _objects)
    return out.astype(dtype) if dtype else out


def _objects(values: list) -> np.ndarray:
    """A flat object array of any Python values (tuples and lists stay whole, one per cell)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _parse_distinct(
    series: pd.Series,
    fn: Callable[[str], object],
    convert: Callable,
    fast: Callable[[pa.Array], tuple[np.ndarray, np.ndarray]] | None = None,
) -> pd.Series:
    """Parse each distinct value once, convert the distinct results (`convert` → array with a
    missing value appended), and broadcast: converting millions of parsed objects costs more
    than parsing the few thousand distinct ones. `fast`, if given, reads the distinct values of
    the common plain forms at once (which ones, and their converted values); `fn` the rest."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if fast is None or len(uniques) == 0:
        values = convert([fn(u) for u in uniques.tolist()] + [None])
        return pd.Series(values[codes], index=series.index)
    done, read = fast(arrow_text(pd.Series(uniques)))
    rest = np.flatnonzero(~done)
    slow = convert([fn(u) for u in uniques[rest].tolist()] + [None])
    values = np.empty(len(uniques) + 1, dtype=slow.dtype)
    values[np.flatnonzero(done)] = read[done]
    values[rest] = slow[:-1]
    values[-1] = slow[-1]
    return pd.Series(values[codes], index=series.index)


def _ascii_lower(values: pa.Array) -> pa.Array:
    """The values as lower-case text, ASCII ones only (others null: the scalar parser reads them,
    as NFKC and Unicode case rules can change them)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    ascii_ = pc.fill_null(pc.string_is_ascii(values), False)
    return pc.if_else(ascii_, pc.ascii_lower(values), pa.scalar(None, values.type))


def _field(parts: pa.StructArray, name: str) -> pa.Array:
    """A named group of `extract_regex`'s result, null where the pattern did not match."""
    return pc.struct_field(parts, name)


def _ints(parts: pa.StructArray, name: str) -> np.ndarray:
    return pc.cast(pc.fill_null(_field(parts, name), "0"), pa.int64()).to_numpy()


def _calendar(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dates from year, month, day where `_mk` accepts them (years 1800-2200, a real day)."""
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(m, 0, 12)]
    ok = (y >= 1800) & (y <= 2200) & (m >= 1) & (m <= 12) & (d >= 1)
    ok &= d <= days + ((m == 2) & leap)
    months = (np.where(ok, y, 1970) - 1970) * 12 + np.where(ok, m, 1) - 1
    dates = months.astype("datetime64[M]").astype("datetime64[D]") + (np.where(ok, d, 1) - 1)
    return ok, np.where(ok, dates, np.datetime64("NaT"))


_FAST_ISO = r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})$"
_FAST_DMY = r"^(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{2}|\d{4})$"
_FAST_DMONY = rf"^(?P<d>\d{{1,2}})[-/. ]?(?P<w>{_MONTH_WORD})\.?[-/. ]?(?P<y>\d{{2}}|\d{{4}})$"
_MONTH_WORDS = pa.array(list(MONTHS), pa.large_string())
_MONTH_NUMBERS = np.array(list(MONTHS.values()))


def _two_digit_years(text: pa.Array, y: np.ndarray, pivot: int) -> np.ndarray:
    """`_year`: a two-digit year at or below the pivot is 20xx, else 19xx."""
    short = pc.fill_null(pc.equal(pc.utf8_length(text), 2), False).to_numpy(zero_copy_only=False)
    return np.where(short, np.where(y <= pivot, 2000 + y, 1900 + y), y)


def _fast_dates(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """`parse_date` of ASCII values in the plain forms ('2019-08-17', '17/08/2019', '17-Agu-2019'),
    all at once; which values were read, and their days (datetime64)."""
    text = _ascii_lower(values)
    n = len(text)
    done, out = np.zeros(n, dtype=bool), np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    for pattern in (_FAST_ISO, _FAST_DMY, _FAST_DMONY):
        parts = pc.extract_regex(text, pattern)
        hit = pc.is_valid(parts).to_numpy(zero_copy_only=False) & ~done
        if not hit.any():
            continue
        if pattern == _FAST_ISO:
            y, m, d = _ints(parts, "y"), _ints(parts, "m"), _ints(parts, "d")
        elif pattern == _FAST_DMY:
            a, b = _ints(parts, "a"), _ints(parts, "b")
            y = _two_digit_years(_field(parts, "y"), _ints(parts, "y"), 40)
            swap = (b > 12) & (a <= 12)  # a middle part above 12 can only be a US date
            m, d = np.where(swap, a, b), np.where(swap, b, a)
        else:
            y = _two_digit_years(_field(parts, "y"), _ints(parts, "y"), 40)
            word = pc.fill_null(pc.index_in(_field(parts, "w"), value_set=_MONTH_WORDS), 0)
            m, d = _MONTH_NUMBERS[word.to_numpy()], _ints(parts, "d")
        _, dates = _calendar(y, m, d)
        out[hit], done[hit] = dates[hit], True
    return done, out


#: Plain amounts: digits, or digits grouped by dots in threes, after 'Rp'/'IDR'; up to 15 digits
#: (every such number is exactly a float).
_FAST_AMOUNT = r"^(?:(?:rp\.?|idr) ?)?(?P<n>\d{1,15}|\d{1,12}(?:\.\d{3}){1,4})$"


#: Amounts in millions or thousands ('172,8 jt', '750rb'): up to 6 digits, a decimal comma with
#: one or two digits. `parse_amount` reads them as round(float('172.8') * 1e6, 2), which is the
#: whole number 1728 × 10⁵ exactly: below 10¹² the float product is off by less than 0.001.
_FAST_SCALED = r"^(?P<w>\d{1,6})(?:,(?P<f>\d{1,2}))? ?(?P<u>jt|rb)$"
_SCALE = {"jt": 6, "rb": 3}


def _fast_amounts(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """`parse_amount` of ASCII values in the plain forms ('2380000', 'Rp 1.113.600.000', '172,8 jt',
    '750rb'), all at once; which values were read, and their amounts."""
    text = _ascii_lower(values)
    parts = pc.extract_regex(text, _FAST_AMOUNT)
    done = pc.is_valid(parts).to_numpy(zero_copy_only=False)
    digits = pc.replace_substring(pc.fill_null(_field(parts, "n"), "0"), ".", "")
    numbers = pc.cast(digits, pa.float64()).to_numpy(zero_copy_only=False)
    done &= pc.utf8_length(digits).to_numpy(zero_copy_only=False) <= 15
    scaled = pc.extract_regex(text, _FAST_SCALED)
    hit = pc.is_valid(scaled).to_numpy(zero_copy_only=False) & ~done
    if hit.any():
        frac = pc.fill_null(_field(scaled, "f"), "")  # '' where there is no comma
        places = pc.utf8_length(frac).to_numpy()
        unit = pc.fill_null(_field(scaled, "u"), "rb").to_numpy(zero_copy_only=False)
        power = np.where(unit == "jt", _SCALE["jt"], _SCALE["rb"]) - places
        frac_int = pc.cast(pc.if_else(pc.equal(frac, ""), "0", frac), pa.int64()).to_numpy()
        whole = _ints(scaled, "w") * 10**places + frac_int  # '172,8' → 1728
        numbers = np.where(hit, (whole * 10**power).astype("float64"), numbers)  # exact < 10¹⁴
        done |= hit
    return done, numbers


def to_datetime_col(series: pd.Series, fn: Callable[[str], date | None] = parse_date) -> pd.Series:
    """Parse a text column of dates (or months) to datetime64, NaT where it cannot be read."""
    return _parse_distinct(
        series,
        fn,
        lambda v: pd.to_datetime(pd.Series(v, dtype=object), errors="coerce").to_numpy(),
        _fast_dates if fn is parse_date else None,
    )


def to_float_col(series: pd.Series, fn: Callable[[str], float | None] = parse_amount) -> pd.Series:
    """Parse a text column of amounts or counts to float64, NaN where it cannot be read."""
    return _parse_distinct(
        series,
        fn,
        lambda v: pd.to_numeric(pd.Series(v, dtype=object), errors="coerce").to_numpy("float64"),
        _fast_amounts if fn is parse_amount else None,
    )
