"""Link roster workers to BPJS Ketenagakerjaan records by pseudonym: registered, active, effective.

A roster worker is registered if their NIK appears in the participant extract, active if any
record is AKTIF, effective if an AKTIF record is paid up to the reporting month
(`iuran_terakhir >= period`, the ILO SDG 1.3.1 sense). A person counts once.

The links are counted per kelurahan (`kelurahan_counts`: every kelurahan of the region, zeros
included), which cleaning writes as `coverage_kelurahan.parquet`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.ingest.keys import sorted_position
from analysis.ingest.parse import coded_text, text_of_codes
from analysis.store import COUNT_COLUMNS, MEASURES

SEGMENTS = ("BPU", "JAKON", "PU")  # segments a person can hold, in this order


def record_flags(participants: pd.DataFrame, period_start: pd.Timestamp) -> pd.DataFrame:
    """Per record: paid up to the period, and effective (AKTIF and paid up)."""
    paid = participants["iuran_terakhir"].ge(period_start).fillna(False).astype(bool)
    out = participants.assign(paid_up=paid)
    out["effective"] = out["status"].eq("AKTIF") & out["paid_up"]
    return out


def person_status(records: pd.DataFrame) -> pd.DataFrame:
    """One row per person (`_nik`, ascending): active, effective, latest month paid, segments held
    ('BPU+PU'). Records sorted by person once, each measure reduced over a person's records."""
    nik = records["_nik"].to_numpy(dtype="int64")
    order = np.argsort(nik)  # each measure is an any or a max: a person's records in any order
    keys = nik[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else order

    def held(values: np.ndarray) -> np.ndarray:  # any of a person's records
        return np.logical_or.reduceat(values[order], starts) if len(keys) else values[:0]

    # NaT is the smallest int64: the latest month paid ignores it unless it is all there is
    paid = records["iuran_terakhir"].to_numpy(dtype="datetime64[us]").view("int64")[order]
    seg = records["segmen"]
    out = pd.DataFrame(
        {
            "active": held(records["status"].eq("AKTIF").to_numpy(dtype=bool)),
            "effective": held(records["effective"].to_numpy(dtype=bool)),
            "paid_through": (np.maximum.reduceat(paid, starts) if len(keys) else paid).view(
                "datetime64[us]"
            ),
        },
        index=pd.Index(keys[starts], name="_nik"),
    )
    mask = sum(
        held(seg.eq(n).fillna(False).to_numpy(dtype=bool)).astype("int64") << i
        for i, n in enumerate(SEGMENTS)
    )
    names = {
        m: "+".join(n for i, n in enumerate(SEGMENTS) if m & (1 << i)) or None
        for m in range(1 << len(SEGMENTS))
    }
    out["segmen"] = pd.Series(mask, index=out.index).map(names).astype("str")
    return out


class PersonLinks:
    """Each person's participation status, ready to link roster workers by NIK part after part:
    persons sorted by NIK (a binary search per part), with a last slot for workers not in the
    extract (not registered, not active, nothing paid)."""

    def __init__(self, status: pd.DataFrame):
        self.people = len(status)
        self.keys = status.index.to_numpy(dtype="int64")  # sorted: groupby output
        self.values = {
            "active": np.append(status["active"].to_numpy(dtype=bool), False),
            "effective": np.append(status["effective"].to_numpy(dtype=bool), False),
            "paid_through": np.append(
                status["paid_through"].to_numpy(dtype="datetime64[us]"),
                np.datetime64("NaT", "us"),
            ),
        }
        codes, self.segment_texts = coded_text(status["segmen"])  # 'BPU', 'BPU+PU', …
        self.segment_codes = np.append(codes, -1)

    def link(self, workers: pd.DataFrame) -> pd.DataFrame:
        """Roster workers (`_key`: the NIK as a number) with registered, active, effective,
        paid_through and segmen."""
        at = sorted_position(workers["_key"].to_numpy(dtype="int64"), self.keys)
        idx = np.where(at >= 0, at, len(self.keys))
        linked = workers.copy()
        linked["registered"] = at >= 0
        for col, values in self.values.items():
            linked[col] = values[idx]
        linked["segmen"] = text_of_codes(self.segment_codes[idx], self.segment_texts, workers.index)
        return linked


def link_counts(linked: pd.DataFrame) -> pd.DataFrame:
    """Registered, active and effective workers per kelurahan of linked roster workers."""
    return linked.groupby("kode_kelurahan")[list(MEASURES)].sum()


def sum_link_counts(counts: list[pd.DataFrame]) -> pd.DataFrame:
    """The `link_counts` of every part added up, one row per kelurahan with workers."""
    if not counts:
        return pd.DataFrame(
            {
                "kode_kelurahan": pd.Series(dtype="str"),
                **{m: pd.Series(dtype="int64") for m in MEASURES},
            }
        )
    return pd.concat(counts).groupby(level=0).sum().reset_index()


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
