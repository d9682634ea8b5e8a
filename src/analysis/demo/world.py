"""The true synthetic population of one period: businesses, roster workers, the people behind
every NIK, participation in BPJS Ketenagakerjaan and survey answers.

`make_world` runs the steps in a fixed order, and each step draws from the one random generator
in a fixed order: the seed's stream is the data, so a step that moved or drew once more would
change every file after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.demo import shape as shaped
from analysis.demo.shape import Shape
from analysis.demo.words import FEMALE, FEMALE_EXTRA, MALE, pick
from analysis.paths import DEMO_PERIOD
from analysis.reference import (
    DEFAULT_REGION,
    boundaries,
    gazetteer,
    minimum_wage,
    minimum_wages,
    population_2010,
    regions,
    units,
)

MONTHLY_GROWTH = 0.06  # logit of coverage gained per month (synthetic trend for the history months)

#: Kecamatan shares of registered UMKM, 2022 registry (bisnis.solopos 1573994; docs/facts.md §3).
KECAMATAN_SHARES = {
    "Pasar Kliwon": 0.266,
    "Serengan": 0.248,
    "Jebres": 0.177,
    "Banjarsari": 0.176,
    "Laweyan": 0.133,
}
SECTOR_SHARES = {
    "kuliner": 0.32,
    "perdagangan": 0.22,
    "fesyen": 0.15,
    "jasa": 0.12,
    "kerajinan": 0.07,
    "industri": 0.06,
    "transportasi": 0.06,
}
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
#: Roster pay by sector as a share of the UMK (before each worker's own spread).
SECTOR_PAY = {
    "kuliner": 0.8,
    "perdagangan": 0.85,
    "fesyen": 0.9,
    "jasa": 0.9,
    "kerajinan": 0.85,
    "industri": 1.0,
    "transportasi": 1.05,
}
#: Relative number of businesses registered each year (the 2022 registration drive); 4 otherwise.
REGISTRATION_YEAR_WEIGHTS = {
    2015: 4,
    2016: 4,
    2017: 4,
    2018: 4,
    2019: 6,
    2020: 6,
    2021: 10,
    2022: 30,
    2023: 12,
    2024: 9,
    2025: 7,
}
#: Why respondents did not enrol: the code, then the ways they wrote it (files.py renders them).
REASONS = {
    "tidak_tahu": ["Tidak tahu ada program ini", "belum tahu programnya", "Tidak pernah dengar"],
    "mahal": ["Iuran mahal", "tidak mampu bayar iuran", "biaya berat"],
    "penghasilan_tidak_tetap": ["Penghasilan tidak tetap", "pendapatan tidak menentu"],
    "prosedur": ["Prosedur rumit", "tidak tahu cara daftar", "ribet daftarnya"],
    "tidak_perlu": ["Merasa tidak perlu", "belum butuh"],
    "sudah_bpjs_kesehatan": ["Sudah punya BPJS Kesehatan", "sudah ada KIS"],
    "tidak_percaya": ["Tidak percaya klaimnya cair", "ragu"],
}
BATIK_KELURAHAN = ["33.72.01.1002", "33.72.03.1009"]  # Laweyan and Kauman, Solo's batik villages
COVERAGE_HOT = "33.72.05.1015"  # around Joglo (north Banjarsari): coverage is highest
COVERAGE_COLD = "33.72.03.1008"  # Sangkrah: coverage is lowest
FAR_REGIONS = ["337401", "337403", "340401", "340402", "357801", "317101", "320101", "330201"]


@dataclass
class Chunk:
    """Where one chunk of a large synthetic population sits in the whole."""

    total: int  # businesses in the whole population
    first_id: int = 1
    serial_base: int = 0
    logit: pd.Series | None = None
    survey: bool = True


@dataclass
class World:
    """The true synthetic population of one chunk, before any file is written."""

    start: pd.Timestamp  # first day of the period
    end: pd.Timestamp  # last day of the period
    units: pd.DataFrame  # the region's kelurahan
    gazetteer: pd.DataFrame  # every known place
    biz: pd.DataFrame  # one row per business, with its owner
    workers: pd.DataFrame  # one row per roster worker, with registered/active/effective
    records: pd.DataFrame  # participant records (roster workers, others, lapsed records)
    survey: pd.DataFrame  # one row per respondent
    width: int  # digits of the id_umkm numbers


@dataclass
class _Pool:
    """One NIK pool for roster workers, owners and participants on no roster (no NIK twice)."""

    nik: np.ndarray
    name: np.ndarray
    birth: pd.Series
    extra_from: int  # where the people on no roster start


def make_world(
    rng: np.random.Generator,
    period: str,
    B: int,
    ref: Path,
    chunk: Chunk | None = None,
    shape: Shape | None = None,
) -> World:
    """The true synthetic population: businesses, roster workers, participant records, survey.

    Large populations are made in chunks (`chunk`): ids and NIK serials run on from the
    previous chunks, the spatial coverage pattern is shared, and only the first has a survey.
    A `shape` makes a small or lopsided month (`analysis.demo.shape`).
    """
    chunk = chunk or Chunk(B)
    start = pd.Timestamp(f"{period}-01")
    end = start + pd.offsets.MonthEnd(0)
    umk = umk_of_year(start.year, ref)
    u = units(DEFAULT_REGION, ref)
    gaz = gazetteer(ref)
    w = shaped.kelurahan_weights(rng, _kelurahan_weights(u, ref), shape)
    width = max(6, len(str(chunk.total)))

    biz = _businesses(rng, B, w, u, end, chunk.first_id, width)
    biz["sektor"] = shaped.sectors(rng, biz["sektor"].to_numpy(), shape)
    wk = _rosters(rng, biz, umk, end)
    pool = _nik_pool(rng, wk, B, end, gaz, chunk.serial_base)
    W = len(wk)
    wk["nik"], wk["nama"] = pool.nik[:W], pool.name[:W]
    biz["nik_pemilik"], biz["nama_pemilik"] = pool.nik[W : W + B], pool.name[W : W + B]

    pattern = chunk.logit if chunk.logit is not None else coverage_logit(u, ref, rng)
    logit = pattern + MONTHLY_GROWTH * _months_from_anchor(period)
    _participation(rng, wk, biz, logit)
    shaped.participation(wk, shape)
    records = _membership(rng, _participant_records(rng, wk, biz, pool, umk), start, end)
    size = None if shape is None else shape.respondents
    survey = _survey(rng, u, w, biz, logit, chunk, umk, start, end, size)
    return World(start, end, u, gaz, biz, wk, records, survey, width)


# ---------------------------------------------------------------- reference data behind the world


def umk_of_year(year: int, ref: Path) -> int:
    """The region's UMK in a year (`umk.csv`; the nearest year it holds outside them), in whole
    Rupiah: the level synthetic incomes are drawn around."""
    code = regions(ref).loc[DEFAULT_REGION, "code_prefix"]
    table = minimum_wages(ref)
    years = table.loc[(table["region_code"] == code) & (table["kind"] == "UMK"), "valid_from"]
    day = min(max(pd.Timestamp(year=year, month=1, day=1), years.min()), years.max())
    return round(minimum_wage(day, code, "UMK", ref))


def _kelurahan_weights(units_: pd.DataFrame, ref: Path) -> pd.Series:
    """Business weight of each kelurahan: kecamatan share × 2010 population share within it."""
    rows = []
    for r in population_2010(ref).itertuples():
        codes = r.kode_kelurahan.split("|")
        rows += [(c, r.population / len(codes)) for c in codes]
    pop = pd.DataFrame(rows, columns=["kode_kelurahan", "pop"]).set_index("kode_kelurahan")["pop"]
    u = units_.set_index("kode_kelurahan").join(pop)
    u["pop"] = u["pop"].fillna(u["pop"].median())
    u["w"] = (
        u["pop"]
        / u.groupby("kecamatan")["pop"].transform("sum")
        * u["kecamatan"].map(KECAMATAN_SHARES)
    )
    return u["w"] / u["w"].sum()


def coverage_logit(units_: pd.DataFrame, ref: Path, rng: np.random.Generator) -> pd.Series:
    """A smooth spatial pattern of coverage: high around Joglo (north Banjarsari), low around Sangkrah."""
    gdf = boundaries(DEFAULT_REGION, ref).to_crs(32749).set_index("kode_kelurahan")
    xy = gdf.geometry.centroid
    hot, cold = xy.loc[COVERAGE_HOT], xy.loc[COVERAGE_COLD]
    d_hot = np.hypot(xy.x - hot.x, xy.y - hot.y) / 1000
    d_cold = np.hypot(xy.x - cold.x, xy.y - cold.y) / 1000
    logit = (
        -2.6
        + 1.9 * np.exp(-((d_hot / 2.2) ** 2))
        - 1.1 * np.exp(-((d_cold / 1.6) ** 2))
        + rng.normal(0, 0.18, len(xy))
    )
    return (
        pd.Series(logit.to_numpy(), index=gdf.index).reindex(units_["kode_kelurahan"]).fillna(-2.6)
    )


def _months_from_anchor(period: str) -> int:
    """Months from the demo month (negative before it): synthetic coverage grows month by month."""
    y, m = map(int, period.split("-"))
    ay, am = map(int, DEMO_PERIOD.split("-"))
    return (y - ay) * 12 + (m - am)


def _expit(x):
    """The logistic function: a logit as a probability."""
    return 1 / (1 + np.exp(-x))


# ---------------------------------------------------------------- people


def _names(rng: np.random.Generator, female: np.ndarray) -> np.ndarray:
    """One or two given names per person, from the women's or the men's list."""
    n = len(female)
    first = np.where(female, pick(rng, FEMALE, n), pick(rng, MALE, n))
    second = np.where(female, pick(rng, FEMALE + FEMALE_EXTRA, n), pick(rng, MALE, n))
    two = rng.random(n) < 0.7
    return np.where(two, first + " " + second, first)


def _niks(
    rng: np.random.Generator,
    birth: pd.Series,
    female: np.ndarray,
    region6: np.ndarray,
    serial_base: int = 0,
) -> np.ndarray:
    """Valid NIKs (docs/facts.md §6): region + DDMMYY (day+40 for women) + serial, unique over the pool."""
    d = pd.to_datetime(birth)
    day = d.dt.day.to_numpy() + np.where(female, 40, 0)
    prefix = (
        pd.Series(region6)
        + pd.Series(day).astype(str).str.zfill(2)
        + d.dt.month.astype(str).str.zfill(2).to_numpy()
        + (d.dt.year % 100).astype(str).str.zfill(2).to_numpy()
    )
    group = prefix.groupby(prefix)
    offset = rng.integers(0, 60, size=group.ngroups)[
        group.ngroup().to_numpy()
    ]  # serials run on from a random start
    serial = np.minimum(group.cumcount().to_numpy() + 1 + offset + serial_base, 9999)
    return (prefix + pd.Series(serial).astype(str).str.zfill(4)).to_numpy()


def _regions(rng: np.random.Generator, n: int, gaz: pd.DataFrame) -> np.ndarray:
    """Kecamatan of first registration: mostly Surakarta, some Soloraya, a few elsewhere in Indonesia."""
    kec = gaz["kode_kecamatan"].str.replace(".", "", regex=False)
    solo = np.array(sorted(kec[kec.str.startswith("3372")].unique()))
    near = np.array(
        sorted(kec[kec.str.startswith(("3311", "3313", "3309", "3310", "3312", "3314"))].unique())
    )
    far = np.array(FAR_REGIONS)
    which = rng.choice(3, size=n, p=[0.72, 0.2, 0.08])
    out = np.where(
        which == 0, solo[rng.integers(0, len(solo), n)], near[rng.integers(0, len(near), n)]
    )
    return np.where(which == 2, far[rng.integers(0, len(far), n)], out)


def _births(rng: np.random.Generator, n: int, on: pd.Timestamp, lo: int, hi: int) -> pd.Series:
    """Birth dates of people aged `lo` to `hi` on a day."""
    age_days = rng.integers(lo * 365 + 10, hi * 365, size=n)
    return pd.Series(on - pd.to_timedelta(age_days, unit="D")).dt.normalize()


def _nik_pool(
    rng: np.random.Generator,
    wk: pd.DataFrame,
    B: int,
    end: pd.Timestamp,
    gaz: pd.DataFrame,
    serial_base: int,
) -> _Pool:
    """NIKs, names and births of the roster workers, then the owners, then a quarter as many
    participants again who are on no roster: drawn as one pool, so no two people share a NIK."""
    W = len(wk)
    n_extra = int(round(0.25 * W))
    owner_female = (
        rng.random(B) < 0.657
    )  # 65.69% of Surakarta UMKM owners are women (docs/facts.md §3)
    pool_female = np.concatenate(
        [wk["female"].to_numpy(), owner_female, rng.random(n_extra) < 0.45]
    )
    pool_birth = pd.concat(
        [wk["birth"], _births(rng, B, end, 22, 65), _births(rng, n_extra, end, 18, 58)],
        ignore_index=True,
    )
    nik = _niks(rng, pool_birth, pool_female, _regions(rng, len(pool_birth), gaz), serial_base)
    return _Pool(nik, _names(rng, pool_female), pool_birth, W + B)


# ---------------------------------------------------------------- businesses and rosters


def _draw_sectors(rng: np.random.Generator, n: int) -> np.ndarray:
    """Sectors in the registry's shares."""
    sectors = np.array(list(SECTOR_SHARES))
    return sectors[rng.choice(len(sectors), size=n, p=list(SECTOR_SHARES.values()))]


def _businesses(
    rng: np.random.Generator,
    B: int,
    w: pd.Series,
    u: pd.DataFrame,
    end: pd.Timestamp,
    first_id: int,
    width: int,
) -> pd.DataFrame:
    """Businesses: kelurahan by weight, sector (batik villages lean to fesyen), declared workers,
    turnover and registration day, joined to their kelurahan's names and aliases."""
    kel = w.index.to_numpy()[rng.choice(len(w), size=B, p=w.to_numpy())]
    sector = _draw_sectors(rng, B)
    batik = np.isin(kel, BATIK_KELURAHAN)
    sector = np.where(batik & (rng.random(B) < 0.5), "fesyen", sector)
    k = np.arange(1, 16)
    n_workers = rng.choice(k, size=B, p=0.72**k / (0.72**k).sum())
    omzet = np.round(np.exp(rng.normal(np.log(1.5e8 * (1 + 0.25 * (n_workers - 1))), 0.9)), -5)
    biz = pd.DataFrame(
        {
            "id_umkm": [f"UMKM-{i:0{width}d}" for i in range(first_id, first_id + B)],
            "kode_kelurahan": kel,
            "sektor": sector,
            "jumlah_tenaga_kerja": n_workers,
            "omzet": omzet,
            "tanggal_daftar": _registration_days(rng, B, end),
        }
    )
    return biz.join(
        u.set_index("kode_kelurahan")[["kelurahan", "kecamatan", "aliases"]], on="kode_kelurahan"
    )


def _registration_days(rng: np.random.Generator, B: int, end: pd.Timestamp) -> pd.Series:
    """Registration days from 2015 on, weighted by year; none after the period's last day."""
    years = np.arange(2015, end.year + 1)
    year_w = np.array([REGISTRATION_YEAR_WEIGHTS.get(y, 4) for y in years], dtype=float)
    reg_year = years[rng.choice(len(years), size=B, p=year_w / year_w.sum())]
    reg_day = pd.to_datetime(pd.Series(reg_year).astype(str) + "-01-01") + pd.to_timedelta(
        rng.integers(0, 365, B), unit="D"
    )
    late = end - pd.to_timedelta(rng.integers(1, 200, B), unit="D")
    return reg_day.where(reg_day < end, pd.Series(late))


def _rosters(
    rng: np.random.Generator, biz: pd.DataFrame, umk: int, end: pd.Timestamp
) -> pd.DataFrame:
    """Roster workers: mostly as many as declared, some rosters short, a few longer; sex, birth
    and a monthly income around the UMK by sector."""
    B = len(biz)
    sector = biz["sektor"].to_numpy()
    roster_n = np.clip(
        biz["jumlah_tenaga_kerja"].to_numpy()
        + rng.choice([0, -1, -2, 1], size=B, p=[0.85, 0.07, 0.03, 0.05]),
        0,
        None,
    )
    of = np.repeat(np.arange(B), roster_n)
    W = len(of)
    female = rng.random(W) < np.where(sector[of] == "fesyen", 0.7, 0.48)
    sector_pay = pd.Series(SECTOR_PAY).reindex(sector[of]).to_numpy()
    pay = umk * sector_pay * np.exp(rng.normal(-0.05, 0.35, W))
    return pd.DataFrame(
        {
            "biz": of,
            "id_umkm": biz["id_umkm"].to_numpy()[of],
            "female": female,
            "birth": _births(rng, W, end, 17, 60).to_numpy(),
            "income": np.maximum(300_000, np.round(pay, -4)),
        }
    )


# ---------------------------------------------------------------- participation


def _participation(
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
    registered = rng.random(len(wk)) < np.minimum(0.95, _expit(eta) / (p_act * p_paid))
    active = registered & (rng.random(len(wk)) < p_act)
    effective = active & (rng.random(len(wk)) < p_paid)
    wk["registered"], wk["active"], wk["effective"] = registered, active, effective


def _participant_records(
    rng: np.random.Generator, wk: pd.DataFrame, biz: pd.DataFrame, pool: _Pool, umk: int
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


def _membership(
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


# ---------------------------------------------------------------- survey


def _survey(
    rng: np.random.Generator,
    u: pd.DataFrame,
    w: pd.Series,
    biz: pd.DataFrame,
    logit: pd.Series,
    chunk: Chunk,
    umk: int,
    start: pd.Timestamp,
    end: pd.Timestamp,
    size: int | None = None,
) -> pd.DataFrame:
    """The awareness survey (first chunk only): equal allocation by kecamatan, kelurahan by
    business weight within it; weight = the kecamatan's UMKM people / its respondents.
    `size` respondents instead of one per five businesses (400 to 2,000)."""
    S = int(min(2000, max(400, chunk.total // 5))) if size is None else size
    S = S if chunk.survey else 0
    kec_of = u.set_index("kode_kelurahan")["kecamatan"]
    # the kecamatan with businesses to weigh respondents by (all five, unless the month is small)
    kecs = [k for k in KECAMATAN_SHARES if k in set(biz["kecamatan"]) & set(kec_of[w.index])]
    s_kec = np.array(kecs)[np.arange(S) % len(kecs)]
    s_kel = np.empty(S, dtype=object)
    for kname in kecs:
        idx = np.flatnonzero(s_kec == kname)
        ww = w[kec_of.reindex(w.index).eq(kname).to_numpy()]
        s_kel[idx] = ww.index.to_numpy()[
            rng.choice(len(ww), size=len(idx), p=(ww / ww.sum()).to_numpy())
        ]
    people = biz.groupby("kecamatan")["jumlah_tenaga_kerja"].sum() + biz.groupby("kecamatan").size()
    weight = (
        np.zeros(0)
        if S == 0
        else (
            pd.Series(s_kec).map(people * chunk.total / len(biz))
            / pd.Series(s_kec).map(pd.Series(s_kec).value_counts())
        ).to_numpy()
    )
    return _survey_answers(rng, s_kel, np.round(weight, 2), logit, umk, start, end)


def _survey_answers(
    rng: np.random.Generator,
    s_kel: np.ndarray,
    weight: np.ndarray,
    logit: pd.Series,
    umk: int,
    start: pd.Timestamp,
    end: pd.Timestamp,
) -> pd.DataFrame:
    """Each respondent's answers: role, awareness (following the kelurahan's coverage), known
    benefits, enrolment, sector, income, willingness to pay, interview day, reason not enrolled."""
    S = len(s_kel)
    owner = rng.random(S) < 0.35
    tahu_tk = rng.random(S) < np.clip(
        0.12 + 1.1 * _expit(logit.reindex(s_kel).to_numpy()) + np.where(owner, 0.08, 0), 0, 0.9
    )
    survey = pd.DataFrame(
        {
            "kode_kelurahan": s_kel,
            "owner": owner,
            "tahu_tk": tahu_tk,
            "tahu_kes": rng.random(S) < np.where(tahu_tk, 0.97, 0.87),
            **{
                f"knows_{b}": tahu_tk & (rng.random(S) < p)
                for b, p in (("JKK", 0.5), ("JKM", 0.4), ("JHT", 0.6))
            },
            "enrolled": np.where(tahu_tk, rng.random(S) < 0.35, rng.random(S) < 0.02),
            "sektor": _draw_sectors(rng, S),
            "income": np.maximum(300_000, np.round(umk * np.exp(rng.normal(-0.1, 0.4, S)), -4)),
            "wtp": np.maximum(0, np.round(np.exp(rng.normal(np.log(15_000), 0.6, S)), -3)),
            "day": (start + pd.to_timedelta(rng.integers(0, end.day, S), unit="D")).to_numpy(),
            "weight": weight,
        }
    )
    others = [k for k in REASONS if k != "tidak_tahu"]
    survey["reason"] = np.where(
        ~tahu_tk & (rng.random(S) < 0.6),
        "tidak_tahu",
        pick(rng, others, S, p=[0.25, 0.2, 0.2, 0.12, 0.13, 0.10]),
    )
    return survey
