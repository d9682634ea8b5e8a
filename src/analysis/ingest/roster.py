"""Business rosters (`tenaga_kerja`), one partition at a time: NIK validated and pseudonymised, each
worker linked to a clean business of the registry; the same person twice is found across the
file afterwards."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.ingest import schemas
from analysis.ingest.nik import nik_number, nik_region
from analysis.ingest.parse import map_unique, text_of_codes, to_datetime_col, to_float_col
from analysis.ingest.partitions import KeyRule
from analysis.ingest.pseudonyms import pseudonymise
from analysis.ingest.rules import (
    CleanedPart,
    Context,
    Flags,
    begin,
    flag_niks,
    flag_unparsed,
    raw_column,
)
from analysis.ingest.vocab import sex_code

KEY_RULE: KeyRule = ("duplicate_person", "nik", "same NIK")


def _business_positions(ids: pd.Series, flags: Flags, extra: dict) -> np.ndarray:
    """Each worker's business among the clean businesses (-1: none); flags workers whose business
    is quarantined or not in the registry. `extra` holds the registry's lookups (see
    `analysis.ingest.clean`)."""
    raw_pos = extra["registry_ids"].positions(ids)  # among every id of the registry file
    pos = np.where(raw_pos >= 0, extra["clean_position"][np.maximum(raw_pos, 0)], -1)
    known = pd.Series(pos >= 0, index=ids.index)
    in_quarantine = pd.Series(raw_pos >= 0, index=ids.index) & ~known
    flags.add(
        ~known & in_quarantine & ids.ne(""),
        "business_quarantined",
        "id_umkm",
        "the business of this worker is quarantined in umkm",
    )
    flags.add(
        ~known & ~in_quarantine & ids.ne(""),
        "unknown_business",
        "id_umkm",
        (ids, "id_umkm {} is not in the registry"),
    )
    return pos


def _age(birth: pd.Series, on: pd.Timestamp) -> pd.Series:
    """Age in whole years on a day."""
    return (
        on.year
        - birth.dt.year
        - ((birth.dt.month > on.month) | ((birth.dt.month == on.month) & (birth.dt.day > on.day)))
    ).astype("Int64")


def clean_roster(frame: pd.DataFrame, ctx: Context, file_name: str, extra: dict) -> CleanedPart:
    """Roster workers: NIK validated and pseudonymised, linked to a clean business."""
    flags = begin(frame, "tenaga_kerja")
    niks = flag_niks(flags, frame["nik"], "nik")
    income_raw, birth_raw = (
        raw_column(frame, "penghasilan_bulanan"),
        raw_column(frame, "tanggal_lahir"),
    )
    typed = pd.DataFrame(index=frame.index)
    typed["penghasilan_bulanan"] = to_float_col(income_raw)
    typed["tanggal_lahir"] = to_datetime_col(birth_raw).astype("datetime64[us]")
    flag_unparsed(
        flags, income_raw, typed["penghasilan_bulanan"], "bad_number", "penghasilan_bulanan"
    )
    flag_unparsed(flags, birth_raw, typed["tanggal_lahir"], "bad_date", "tanggal_lahir")
    flags.add_failures(schemas.failures(schemas.typed("tenaga_kerja", ctx.end), typed))
    ids = frame["id_umkm"].str.upper()
    pos = _business_positions(ids, flags, extra)

    ok = ~flags.bad
    at = pos[ok.astype(bool)]  # the business's position among the clean businesses
    nik = niks["nik"][ok]
    clean = pd.DataFrame(
        {
            "nik_hash": pseudonymise(nik, ctx.key),
            "id_umkm": ids[ok].astype("str"),
            **{
                col: text_of_codes(codes[at], texts, nik.index)
                for col, (codes, texts) in extra["businesses"].items()
            },
            "jenis_kelamin": map_unique(
                raw_column(frame, "jenis_kelamin")[ok], sex_code, dtype="str"
            ),
            "umur": _age(typed["tanggal_lahir"][ok], ctx.end),
            "nik_kabkota": nik_region(nik).astype("str"),
            "penghasilan_bulanan": typed["penghasilan_bulanan"][ok],
            "_row": frame["source_row"][ok].astype("int64"),
            "_biz": at,
            "_key": nik_number(nik),
            "_repaired": niks["status"].eq("repaired")[ok].astype(bool),
        }
    ).reset_index(drop=True)
    return CleanedPart(clean, flags.quarantine(frame, file_name))
