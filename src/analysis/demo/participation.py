"""Participation in BPJS Ketenagakerjaan in the synthetic world: which roster workers are
registered, active and paid up, their participant records (with people on no roster and lapsed
records), and each record's membership (joining day, last month paid, programmes, wage, KPJ).

Part of `make_world` (`analysis.demo.world`): each function draws from the world's one random
generator in a fixed order, so moving a draw would change every file after it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.demo.people import Pool

#: Logit shift of coverage by sector (synthetic, so the sector breakdown has a story to tell).
SECTOR_EFFECT = {
    "kuliner": -0.35,
    "perdagangan": -0.2,
    "fesyen": 0.2,
    "jasa": 0.0,
    "kerajinan": -0.1,
    "industri": 0.45,
    "transportasi": 0.35,
}


def expit(x: np.ndarray) -> np.ndarray:
    """The logistic function: a logit as a probability."""
    return 1 / (1 + np.exp(-x))


def mark_participation(
    rng: np.random.Generator, wk: pd.DataFrame, biz: pd.DataFrame, logit: pd.Series
) -> None:
    """Mark roster workers registered ⊇ active ⊇ effective (columns added to `wk`): kelurahan
    pattern × sector × business size, on the logit scale."""
    of = wk["biz"].to_numpy()
    eta = (
        logit.reindex(biz["kode_kelurahan"].to_numpy()[of]).to_numpy()
        + pd.Series(SECTOR_EFFECT).reindex(biz["sektor"].to_numpy()[of]).to_numpy()
        + np.where(biz["jumlah_tenaga_kerja"].to_numpy()[of] >= 5, 0.4, 0.0)
    )
    p_act, p_paid = 0.78, 0.72
    registered = rng.random(len(wk)) < np.minimum(0.95, expit(eta) / (p_act * p_paid))
    active = registered & (rng.random(len(wk)) < p_act)
    effective = active & (rng.random(len(wk)) < p_paid)
    wk["registered"], wk["active"], wk["effective"] = registered, active, effective


def participant_records(
    rng: np.random.Generator, wk: pd.DataFrame, biz: pd.DataFrame, pool: Pool, umk: int
) -> pd.DataFrame:
    """Participant records: roster workers who registered, people on no roster, and earlier
    lapsed records (BPU, inactive) of some registered workers."""
    reg = np.flatnonzero(wk["registered"].to_numpy())
    x, n_extra = pool.extra_from, len(pool.nik) - pool.extra_from
    big = biz["jumlah_tenaga_kerja"].to_numpy()[wk["biz"].to_numpy()[reg]] >= 5
    pu = rng.random(len(reg)) < np.where(big, 0.55, 0.3)
    ex_active = rng.random(n_extra) < 0.6
    rec = pd.DataFrame(
        {
            "nik": np.concatenate([pool.nik[reg], pool.nik[x:]]),
            "nama": np.concatenate([pool.name[reg], pool.name[x:]]),
            "segmen": np.concatenate(
                [np.where(pu, "PU", "BPU"), np.where(rng.random(n_extra) < 0.5, "PU", "BPU")]
            ),
            "status": np.concatenate(
                [
                    np.where(wk["active"].to_numpy()[reg], "AKTIF", "NONAKTIF"),
                    np.where(ex_active, "AKTIF", "NONAKTIF"),
                ]
            ),
            "effective": np.concatenate(
                [wk["effective"].to_numpy()[reg], ex_active & (rng.random(n_extra) < 0.7)]
            ),
            "income": np.concatenate(
                [
                    wk["income"].to_numpy()[reg],
                    np.round(umk * np.exp(rng.normal(0, 0.3, n_extra)), -4),
                ]
            ),
            "birth": pd.concat(
                [wk["birth"].iloc[reg], pool.birth.iloc[x:]], ignore_index=True
            ).to_numpy(),
        }
    )
    rec["old"] = False
    lapsed = rec.iloc[: len(reg)][rng.random(len(reg)) < 0.08].assign(
        segmen="BPU", status="NONAKTIF", effective=False, old=True
    )
    return pd.concat([rec, lapsed], ignore_index=True)


def membership(
    rng: np.random.Generator, rec: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp
) -> pd.DataFrame:
    """Each record's joining day, last month paid, programmes, declared wage and KPJ number;
    then the records in a random order (an extract is not sorted by anything we know)."""
    R = len(rec)
    if R == 0:  # a tiny month whose rosters are empty: an extract with no records
        return rec.assign(joined=pd.NaT, paid=pd.NaT, program="", upah=0.0, kpj="")
    first = np.maximum(
        pd.to_datetime(rec["birth"]) + pd.DateOffset(years=18), pd.Timestamp("2015-01-01")
    )
    first = first.clip(upper=start - pd.Timedelta(days=60))  # the youngest joined before turning 18
    span = (end - first).dt.days.clip(lower=1).to_numpy()
    frac = np.where(rec["old"], 0.4, 1.0) * rng.random(R)
    joined = first + pd.to_timedelta((frac * span).astype(int), unit="D")
    # not paid up this month ⇒ joined before last month, so the last month paid can be earlier than the period
    rec["joined"] = joined.where(
        rec["effective"], np.minimum(joined, start - pd.Timedelta(days=35))
    ).to_numpy()
    behind = np.where(
        rec["effective"],
        -rng.choice([0, 1], size=R, p=[0.85, 0.15]),
        np.where(rec["status"] == "AKTIF", rng.integers(1, 7, R), rng.integers(3, 30, R)),
    )
    months = start.year * 12 + start.month - 1 - behind
    paid = pd.to_datetime(pd.DataFrame({"year": months // 12, "month": months % 12 + 1, "day": 1}))
    joined_month = pd.to_datetime(pd.Series(rec["joined"])).dt.to_period("M").dt.to_timestamp()
    rec["paid"] = np.where(rec["effective"], paid, np.maximum(paid, joined_month))
    rec["program"] = np.where(
        rng.random(R) < np.where(rec["segmen"] == "PU", 0.2, 0.25), "JKK;JKM;JHT", "JKK;JKM"
    )
    declared = np.where(rng.random(R) < 0.6, 1_000_000, np.round(rec["income"], -5))
    rec["upah"] = np.maximum(500_000, np.where(rec["segmen"] == "BPU", declared, rec["income"]))
    rec["kpj"] = (rng.choice(9 * 10**10, size=R, replace=False) + 10**10).astype(str)
    return rec.iloc[rng.permutation(R)].reset_index(drop=True)
