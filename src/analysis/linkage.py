"""Link roster workers to BPJS Ketenagakerjaan records by pseudonym: registered, active, effective.

A roster worker is registered if their NIK appears in the participant extract, active if any
record is AKTIF, effective if an AKTIF record is paid up to the reporting month
(`iuran_terakhir >= period`, the ILO SDG 1.3.1 sense). A person counts once.
"""

from __future__ import annotations

import pandas as pd


def record_flags(participants: pd.DataFrame, period_start: pd.Timestamp) -> pd.DataFrame:
    """Per record: paid up to the period, and effective (AKTIF and paid up)."""
    paid = participants["iuran_terakhir"].ge(period_start).fillna(False).astype(bool)
    out = participants.assign(paid_up=paid)
    out["effective"] = out["status"].eq("AKTIF") & out["paid_up"]
    return out


def person_status(participants: pd.DataFrame) -> pd.DataFrame:
    """One row per `nik_hash`: active, effective, segments held, latest month paid."""
    if participants.empty:
        return pd.DataFrame(
            {
                "active": pd.Series(dtype=bool),
                "effective": pd.Series(dtype=bool),
                "paid_through": pd.Series(dtype="datetime64[us]"),
                "segmen": pd.Series(dtype="str"),
            },
            index=pd.Index([], dtype="str", name="nik_hash"),
        )
    p = participants.assign(aktif=participants["status"].eq("AKTIF"))
    segs = (
        p.dropna(subset=["segmen"])
        .groupby("nik_hash")["segmen"]
        .agg(lambda s: "+".join(sorted(set(s))))
    )
    out = p.groupby("nik_hash").agg(
        active=("aktif", "any"),
        effective=("effective", "any"),
        paid_through=("iuran_terakhir", "max"),
    )
    return out.join(segs.rename("segmen"))


def link(workers: pd.DataFrame, participants: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Add registered/active/effective/segmen/paid_through to workers; flag participants on a roster."""
    status = person_status(participants)
    out = workers.join(status, on="nik_hash")
    out["registered"] = out["nik_hash"].isin(status.index)
    for col in ("active", "effective"):
        out[col] = out[col].fillna(False).astype(bool)
    out["segmen"] = out["segmen"].astype("str")
    out["paid_through"] = pd.to_datetime(out["paid_through"]).astype("datetime64[us]")
    on_roster = participants["nik_hash"].isin(set(workers["nik_hash"]))
    return out, on_roster
