"""Classifications read from reference data: business sector, size class, survey reasons.

Free text ('Makanan & Minuman', 'ojek online') is mapped to a fixed list of codes by keywords
in `sectors.csv` / `survey_reasons.csv`; the size class follows the regulation in force on the
business's registration date (UU 20/2008 until 1 Feb 2021, PP 7/2021 after).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from analysis.ingest.parse import clean_text, map_unique, text_of_codes
from analysis.reference import UNKNOWN, read_table, sectors


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


def reason_of(series: pd.Series, reference_dir: Path | None = None) -> pd.Series:
    """Reason codes for free-text 'why not enrolled' answers (the text itself is not kept)."""
    return categorise(series, read_table("survey_reasons.csv", reference_dir), "alasan")


def size_class(
    sales: pd.Series, registered_on: pd.Series, reference_dir: Path | None = None
) -> pd.Series:
    """UMKM size class by annual sales under the regulation in force on the registration date."""
    rules = read_table("umkm_size_classes.csv", reference_dir)
    rules["valid_from"] = pd.to_datetime(rules["valid_from"])
    rules["valid_to"] = pd.to_datetime(rules["valid_to"].replace("", None))
    rules["cap"] = pd.to_numeric(rules["sales_max_rp"].replace("", None)).fillna(np.inf)
    labels, at = [UNKNOWN], np.zeros(len(sales), dtype="int64")  # each row's label: UNKNOWN
    on = registered_on.fillna(rules["valid_from"].max())
    amount = sales.to_numpy(dtype="float64", na_value=np.nan)
    given = sales.notna().to_numpy() & (amount >= 0)
    for _, group in rules.groupby("regulation", sort=False):  # the last rule in force wins
        start, end = group["valid_from"].iloc[0], group["valid_to"].iloc[0]
        in_force = (on >= start) & ((on <= end) if pd.notna(end) else True)
        group = group.sort_values("cap")
        idx = np.searchsorted(group["cap"].to_numpy(), amount, side="left")
        classes = len(labels) + np.clip(idx, 0, len(group) - 1)
        labels += list(group["kelas"])
        at = np.where(np.asarray(in_force, dtype=bool) & given, classes, at)
    return text_of_codes(at, pa.array(labels, pa.large_string()), sales.index)
