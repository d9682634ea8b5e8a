"""Classifications read from reference data: business sector, size class, survey reasons, kinds of
outreach activity.

Free text ('Makanan & Minuman', 'ojek online', 'Jemput bola') is mapped to a fixed list of codes
by keywords in `sectors.csv` / `survey_reasons.csv` / `outreach_activities.csv`; the size class follows the regulation in force on the
business's registration date (UU 20/2008 until 1 Feb 2021, PP 7/2021 after), or the size a
registry states ('Skala Usaha') where turnover is missing.

A KBLI 2020 code (2 or 5 digits, `kbli_of`) gives the sector by its golongan pokok
(`kbli2020.csv`). One rule for both paths: **KBLI decides**. A sector is the KBLI 2020 division
of the business's main activity; codes map by division, and the free-text keywords are chosen to
land where KBLI puts the activity they name (percetakan → industri, C 18; bengkel → lainnya,
G 45; logistik → lainnya, H 52; fotokopi → lainnya, N 82). 'Makanan & minuman' is read as
KBLI 56 (Penyediaan Makanan dan Minuman → kuliner), whose title it is; food made to sell
('makanan olahan', 'industri', 'produksi') is C 10 (industri). See data/reference/SOURCES.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.ingest.parse import clean_text, map_unique
from analysis.reference import UNKNOWN, kbli_divisions, read_table, sectors


def _keyword_table(table: pd.DataFrame, code_col: str) -> list[tuple[str, str]]:
    pairs = []
    for row in table.itertuples():
        code = getattr(row, code_col)
        words = {code, code.replace("_", " "), row.label_id.lower(), row.label_en.lower()}
        words |= {w.strip().lower() for w in row.keywords.split("|") if w.strip()}
        pairs += [(w, code) for w in words]
    return sorted(pairs, key=lambda p: -len(p[0]))


def categorise(
    series: pd.Series, table: pd.DataFrame, code_col: str, other: str = "lainnya"
) -> pd.Series:
    """Map free text to category codes by the longest keyword it contains; empty → 'tidak_diketahui'."""
    pairs = _keyword_table(table, code_col)
    patterns = [(re.compile(rf"(?<![a-z]){re.escape(w)}(?![a-z])"), code) for w, code in pairs]

    def one(value: str) -> str:
        text = clean_text(value).lower()
        if not text or text in {"-", "0"}:
            return UNKNOWN
        for pattern, code in patterns:
            if pattern.search(text):
                return code
        return other

    return map_unique(series.fillna(""), one, dtype="str")


def sector_of(series: pd.Series, reference_dir: Path | None = None) -> pd.Series:
    """Sector codes for free-text sector names."""
    return categorise(series, sectors(reference_dir), "sektor")


#: What `categorise` returns for text no keyword matches, before it becomes 'lainnya'.
_UNMATCHED = "_unmatched"


def sector_and_match(series: pd.Series, reference_dir: Path | None = None):
    """Sector codes for free-text sector names, and which texts no keyword matched (counted in
    quality as unrecognised; they are 'lainnya')."""
    codes = categorise(series, sectors(reference_dir), "sektor", other=_UNMATCHED)
    unmatched = codes.eq(_UNMATCHED)
    return codes.mask(unmatched, "lainnya").astype("str"), unmatched


def _kbli_one(text: str, divisions: pd.DataFrame) -> tuple[str, str, str, str]:
    """(code, kategori, sector, problem) of one KBLI cell; problem '' when it can be used."""
    codes = re.findall(r"\d+", text.replace(".", ""))
    if not codes:
        return "", "", "", "is not a KBLI code"
    if any(len(c) not in (2, 5) for c in codes):
        return "", "", "", "is not a 2- or 5-digit KBLI 2020 code"
    unknown = [c for c in codes if c[:2] not in divisions.index]
    if unknown:
        return "", "", "", f"is not a KBLI 2020 code (there is no golongan pokok {unknown[0][:2]})"
    sectors_ = {divisions.at[c[:2], "sektor"] for c in codes}
    if len(sectors_) > 1:
        return "", "", "", "lists KBLI codes of different sectors"
    first = codes[0]
    return first, divisions.at[first[:2], "kategori"], sectors_.pop(), ""


def kbli_of(series: pd.Series, reference_dir: Path | None = None) -> pd.DataFrame:
    """KBLI 2020 cells ('47111', '56', '47.111', '47111 - Perdagangan eceran …', several codes of
    one sector) → `kbli` (the first code), `kategori` (A–U), `sektor`, and `problem` (why a
    cell cannot be used: a code that does not exist, a 3- or 4-digit code, codes of different
    sectors). Existence is checked by golongan pokok: the reference holds the 88 divisions.
    Empty cells give empty text and no problem."""
    divisions = kbli_divisions(reference_dir)
    text = series.fillna("").astype(str).str.strip()
    distinct = pd.unique(text)
    parts = {v: _kbli_one(v, divisions) if v else ("", "", "", "") for v in distinct}
    out = pd.DataFrame(
        [parts[v] for v in text],
        columns=["kbli", "kategori", "sektor", "problem"],
        index=series.index,
    )
    return out.astype("str")


#: How a registry may state a business's size ('Usaha Mikro', 'KECIL') → the size class.
SIZE_WORDS = {"mikro": "mikro", "kecil": "kecil", "menengah": "menengah", "besar": "besar"}


def stated_size(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The size class a registry states ('Skala Usaha': Mikro/Kecil/Menengah/Besar, 'Usaha Mikro'),
    UNKNOWN where empty; and which given values are none of them."""

    def one(value: str) -> str:
        words = re.sub(r"\busaha\b", " ", clean_text(value).lower()).split()
        return SIZE_WORDS.get(" ".join(words), "") if words else UNKNOWN

    classes = map_unique(series.fillna(""), one, dtype="str")
    return classes.replace("", UNKNOWN), classes.eq("")


def reason_of(series: pd.Series, reference_dir: Path | None = None) -> pd.Series:
    """Reason codes for free-text 'why not enrolled' answers (the text itself is not kept)."""
    return categorise(series, read_table("survey_reasons.csv", reference_dir), "alasan")


def activity_of(series: pd.Series, reference_dir: Path | None = None) -> pd.Series:
    """Kind-of-activity codes for the outreach log's free text ('Sosialisasi BPJS TK', 'jemput bola')."""
    return categorise(series, read_table("outreach_activities.csv", reference_dir), "kegiatan")


def size_class(
    sales: pd.Series, registered_on: pd.Series, reference_dir: Path | None = None
) -> pd.Series:
    """UMKM size class by annual sales under the regulation in force on the registration date."""
    rules = read_table("umkm_size_classes.csv", reference_dir)
    rules["valid_from"] = pd.to_datetime(rules["valid_from"])
    rules["valid_to"] = pd.to_datetime(rules["valid_to"].replace("", None))
    rules["cap"] = pd.to_numeric(rules["sales_max_rp"].replace("", None)).fillna(np.inf)
    out = pd.Series(UNKNOWN, index=sales.index, dtype="object")
    latest = rules["valid_from"].max()
    on = registered_on.fillna(latest)
    for _, group in rules.groupby("regulation", sort=False):
        start, end = group["valid_from"].iloc[0], group["valid_to"].iloc[0]
        in_force = (on >= start) & ((on <= end) if pd.notna(end) else True)
        group = group.sort_values("cap")
        labels = np.array(group["kelas"])
        idx = np.searchsorted(group["cap"].to_numpy(), sales.to_numpy(dtype="float64"), side="left")
        classes = pd.Series(labels[np.clip(idx, 0, len(labels) - 1)], index=sales.index)
        out = out.mask(in_force & sales.notna() & (sales >= 0), classes)
    return out.astype("str")
