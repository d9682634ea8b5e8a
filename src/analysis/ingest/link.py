"""Link roster workers to BPJS Ketenagakerjaan records by pseudonym: registered, active, effective.

A roster worker is registered if their NIK appears in the participant extract, active if any
record is AKTIF, effective if an AKTIF record is paid up to the reporting month
(`iuran_terakhir >= period`, the ILO SDG 1.3.1 sense). A person counts once.
"""

from __future__ import annotations

import pandas as pd

SEGMENTS = ("BPU", "JAKON", "PU")  # segments a person can hold, in this order


def record_flags(participants: pd.DataFrame, period_start: pd.Timestamp) -> pd.DataFrame:
    """Per record: paid up to the period, and effective (AKTIF and paid up)."""
    paid = participants["iuran_terakhir"].ge(period_start).fillna(False).astype(bool)
    out = participants.assign(paid_up=paid)
    out["effective"] = out["status"].eq("AKTIF") & out["paid_up"]
    return out


def person_status(records: pd.DataFrame) -> pd.DataFrame:
    """One row per person (`_nik`): active, effective, latest month paid, segments held ('BPU+PU')."""
    seg = records["segmen"]
    p = pd.DataFrame(
        {
            "_nik": records["_nik"].to_numpy(),
            "active": records["status"].eq("AKTIF").to_numpy(dtype=bool),
            "effective": records["effective"].to_numpy(dtype=bool),
            "paid_through": records["iuran_terakhir"].to_numpy(),
            **{n: seg.eq(n).fillna(False).to_numpy(dtype=bool) for n in SEGMENTS},
        }
    )
    out = p.groupby("_nik").agg(
        active=("active", "any"),
        effective=("effective", "any"),
        paid_through=("paid_through", "max"),
        **{n: (n, "any") for n in SEGMENTS},
    )
    mask = sum(out[n].to_numpy(dtype="int64") << i for i, n in enumerate(SEGMENTS))
    names = {
        m: "+".join(n for i, n in enumerate(SEGMENTS) if m & (1 << i)) or None
        for m in range(1 << len(SEGMENTS))
    }
    out["segmen"] = pd.Series(mask, index=out.index).map(names).astype("str")
    return out[["active", "effective", "paid_through", "segmen"]]
