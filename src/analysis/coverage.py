"""Coverage of UMKM workers by BPJS Ketenagakerjaan, by kelurahan (counts; DESIGN.md metrics)."""

from __future__ import annotations

import pandas as pd

COUNT_COLUMNS = ["businesses", "workers", "roster_workers", "registered", "active", "effective"]
MEASURES = ("registered", "active", "effective")


def kelurahan_counts(
    businesses: pd.DataFrame, workers: pd.DataFrame, units: pd.DataFrame
) -> pd.DataFrame:
    """Counts for every kelurahan of the region (zeros included) and the three rates over `workers`."""
    by_biz = businesses.groupby("kode_kelurahan").agg(
        businesses=("id_umkm", "size"),
        workers=("workers", "sum"),
        roster_workers=("roster_workers", "sum"),
    )
    by_person = workers.groupby("kode_kelurahan")[list(MEASURES)].sum()
    out = units[["kode_kelurahan", "kelurahan", "kode_kecamatan", "kecamatan"]].set_index(
        "kode_kelurahan"
    )
    out = out.join(by_biz).join(by_person)
    out[COUNT_COLUMNS] = out[COUNT_COLUMNS].fillna(0).astype("int64")
    for m in MEASURES:
        out[f"{m}_rate"] = (out[m] / out["workers"]).where(out["workers"] > 0)
    return out.reset_index()
