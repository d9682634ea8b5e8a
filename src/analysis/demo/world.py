"""The true synthetic population of one period: businesses, roster workers, the people behind
every NIK, participation in BPJS Ketenagakerjaan and survey answers.

`make_world` runs the steps in a fixed order, and each step draws from the one random generator
in a fixed order: the seed's stream is the data, so a step that moved or drew once more would
change every file after it. The people behind the NIKs are drawn in `analysis.demo.people`, their
participation and membership records in `analysis.demo.participation`; the businesses, rosters,
coverage pattern and survey here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.demo import shape as shaped
from analysis.demo.participation import expit, mark_participation, membership, participant_records
from analysis.demo.people import births, nik_pool
from analysis.demo.shape import Shape
from analysis.demo.words import pick
from analysis.paths import DEMO_PERIOD
from analysis.reference import (
    DEFAULT_REGION,
    boundaries,
    gazetteer,
    kabkota,
    minimum_wage,
    minimum_wages,
    population_2010,
    read_table,
    region_code,
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
#: Logit shift of coverage by kabupaten/kota in regions of several (synthetic, so that the
#: overview has differences to show; not a finding).
KABKOTA_EFFECT = {
    "33.09": -0.1,
    "33.10": 0.0,
    "33.11": 0.25,
    "33.12": -0.45,
    "33.13": 0.2,
    "33.14": -0.2,
    "33.72": 0.2,
}
#: How much more often a business is registered in a kelurahan (urban) than in a desa, in
#: regions other than the city (illustrative: no desa-level UMKM counts were found).
URBAN_WEIGHT = 3.0
#: Registered UMKM per kabupaten/kota: the shares of the synthetic businesses (reported or
#: illustrative counts, data/reference/SOURCES.md).
UMKM_FILE = "soloraya_umkm.csv"
BATIK_KELURAHAN = ["33.72.01.1002", "33.72.03.1009"]  # Laweyan and Kauman, Solo's batik villages
COVERAGE_HOT = "33.72.05.1015"  # around Joglo (north Banjarsari): coverage is highest
COVERAGE_COLD = "33.72.03.1008"  # Sangkrah: coverage is lowest


@dataclass
class Chunk:
    """Where one chunk of a large synthetic population sits in the whole."""

    total: int  # businesses in the whole population
    first_id: int = 1
    serial_base: int = 0
    logit: pd.Series | None = None
    survey: bool = True


@dataclass(frozen=True)
class Layout:
    """Where a region's synthetic businesses are, how the survey is drawn, what people earn.

    Kota Surakarta (the default) keeps the layout the demo always had: kecamatan shares of the
    2022 registry and 2010 population within them, survey strata by kecamatan name. Any other
    region spreads businesses over its kabupaten/kota by their registered UMKM (`UMKM_FILE`),
    within each by URBAN_WEIGHT (Kota Surakarta's part as in the city's own demo), draws the
    survey by kecamatan code, and pays around each kabupaten/kota's own UMK.
    """

    region: str
    units: pd.DataFrame  # the region's kelurahan/desa
    weights: pd.Series  # share of businesses per unit code (sums to 1)
    strata: list[str]  # survey strata in allocation order
    stratum: pd.Series  # unit code → its stratum
    umk: pd.Series  # kab/kota code → UMK of the year (whole Rupiah)

    @property
    def several(self) -> bool:
        """Whether the region has several kabupaten/kota (its extracts carry a kab/kota column)."""
        return len(self.umk) > 1

    def umk_of(self, codes: pd.Series | np.ndarray) -> np.ndarray:
        """The UMK where each unit (code) is."""
        return self.umk.reindex(pd.Series(codes).str[:5]).to_numpy(dtype="int64")

    @property
    def umk_typical(self) -> int:
        """One UMK for people placed nowhere (participants on no roster): the median."""
        return int(self.umk.median()) if self.several else int(self.umk.iloc[0])


def layout(region: str, year: int, ref: Path) -> Layout:
    """The layout of a region's synthetic world in a year (see `Layout`)."""
    u = units(region, ref)
    kab = sorted(u["kode_kelurahan"].str[:5].unique())
    umk = pd.Series({k: umk_of_year(year, ref, k) for k in kab}, dtype="int64")
    if region == DEFAULT_REGION:
        stratum = u.set_index("kode_kelurahan")["kecamatan"]
        return Layout(region, u, _kelurahan_weights(u, ref), list(KECAMATAN_SHARES), stratum, umk)
    stratum = u.set_index("kode_kelurahan")["kode_kecamatan"]
    strata = sorted(stratum.unique())
    return Layout(region, u, _region_weights(u, ref), strata, stratum, umk)


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
    layout: Layout | None = None
    kabkota: pd.DataFrame | None = None  # the reference list of kab/kota (names, aliases)

    @property
    def city(self) -> bool:
        """Whether this is Kota Surakarta's world (the demo's own, with its own kinds of dirt)."""
        return self.layout is None or self.layout.region == DEFAULT_REGION

    @property
    def region_kab(self) -> set[str]:
        """The kab/kota codes of the region."""
        return set(self.units["kode_kelurahan"].str[:5])


def make_world(
    rng: np.random.Generator,
    period: str,
    B: int,
    ref: Path,
    chunk: Chunk | None = None,
    region: str = DEFAULT_REGION,
    shape: Shape | None = None,
) -> World:
    """The true synthetic population of a region: businesses, roster workers, participant
    records, survey.

    Large populations are made in chunks (`chunk`): ids and NIK serials run on from the
    previous chunks, the spatial coverage pattern is shared, and only the first has a survey.
    A `shape` makes a small or lopsided month (`analysis.demo.shape`).
    """
    chunk = chunk or Chunk(B)
    start = pd.Timestamp(f"{period}-01")
    end = start + pd.offsets.MonthEnd(0)
    lay = layout(region, start.year, ref)
    u = lay.units
    gaz = gazetteer(ref)
    w = shaped.kelurahan_weights(rng, lay.weights, shape)
    width = max(6, len(str(chunk.total)))

    biz = _businesses(rng, B, w, u, end, chunk.first_id, width)
    biz["sektor"] = shaped.sectors(rng, biz["sektor"].to_numpy(), shape)
    wk = _rosters(rng, biz, lay.umk_of(biz["kode_kelurahan"]), end)
    pool = nik_pool(rng, wk, B, end, gaz, chunk.serial_base, _home(lay, gaz))
    W = len(wk)
    wk["nik"], wk["nama"] = pool.nik[:W], pool.name[:W]
    biz["nik_pemilik"], biz["nama_pemilik"] = pool.nik[W : W + B], pool.name[W : W + B]

    pattern = chunk.logit if chunk.logit is not None else coverage_logit(u, ref, rng, region)
    logit = pattern + MONTHLY_GROWTH * _months_from_anchor(period)
    mark_participation(rng, wk, biz, logit)
    shaped.participation(wk, shape)
    records = participant_records(rng, wk, biz, pool, lay.umk_typical)
    records = membership(rng, records, start, end)
    size = None if shape is None else shape.respondents
    survey = _survey(rng, lay, w, biz, logit, chunk, start, end, size)
    return World(start, end, u, gaz, biz, wk, records, survey, width, lay, kabkota(ref))


# ---------------------------------------------------------------- reference data behind the world


def umk_of_year(year: int, ref: Path, code: str | None = None) -> int:
    """A kab/kota's UMK in a year (`umk.csv`; the nearest year it holds outside them; Kota
    Surakarta unless `code` says which), in whole Rupiah: the level synthetic incomes are drawn
    around."""
    code = code or region_code(DEFAULT_REGION, ref)
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


def _region_weights(units_: pd.DataFrame, ref: Path) -> pd.Series:
    """Business weight of each desa/kelurahan of a region of kabupaten/kota: the kabupaten/kota's
    share of registered UMKM (`UMKM_FILE`) × the unit's share within it (URBAN_WEIGHT for a
    kelurahan, 1 for a desa; Kota Surakarta's kelurahan as in the city's own demo)."""
    counts = read_table(UMKM_FILE, ref).set_index("kode_kabkota")["umkm_registered"].astype(float)
    code = units_.set_index("kode_kelurahan").index.to_series()
    kab = code.str[:5]
    urban = np.where(code.str[9] == "1", URBAN_WEIGHT, 1.0)  # Kemendagri: T=1 kelurahan, 2 desa
    within = pd.Series(urban, index=code.index)
    city = units(DEFAULT_REGION, ref)
    if city["kode_kelurahan"].isin(code).any():
        within.update(_kelurahan_weights(city, ref))
    within = within / within.groupby(kab).transform("sum")
    share = kab.map(counts / counts.reindex(kab.unique()).sum())
    w = within * share
    return w / w.sum()


def _home(lay: Layout, gaz: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Kecamatan where people first registered (their NIK's region): the city's own and the rest
    of Soloraya for Kota Surakarta; the region's own for any other (then 'near' is the region too)."""
    kec = gaz["kode_kecamatan"].str.replace(".", "", regex=False)
    if lay.region == DEFAULT_REGION:
        near = ("3311", "3313", "3309", "3310", "3312", "3314")
        return (
            np.array(sorted(kec[kec.str.startswith("3372")].unique())),
            np.array(sorted(kec[kec.str.startswith(near)].unique())),
        )
    own = tuple(c.replace(".", "") for c in lay.umk.index)
    home = np.array(sorted(kec[kec.str.startswith(own)].unique()))
    return home, home


def coverage_logit(
    units_: pd.DataFrame, ref: Path, rng: np.random.Generator, region: str = DEFAULT_REGION
) -> pd.Series:
    """A smooth spatial pattern of coverage: in the city high around Joglo (north Banjarsari), low
    around Sangkrah; elsewhere higher near Kota Surakarta and in kelurahan, by kabupaten/kota."""
    if region != DEFAULT_REGION:
        return _region_logit(units_, ref, rng, region)
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


def _region_logit(
    units_: pd.DataFrame, ref: Path, rng: np.random.Generator, region: str
) -> pd.Series:
    """Coverage of a region of kabupaten/kota: higher within ~20 km of Kota Surakarta and in
    kelurahan (urban), shifted by KABKOTA_EFFECT, with desa-level noise."""
    gdf = boundaries(region, ref).to_crs(32749).set_index("kode_kelurahan")
    xy = gdf.geometry.centroid
    city = xy[xy.index.str.startswith(region_code(DEFAULT_REGION, ref))]
    cx, cy = (city.x.mean(), city.y.mean()) if len(city) else (xy.x.mean(), xy.y.mean())
    d = np.hypot(xy.x - cx, xy.y - cy) / 1000
    code = xy.index.to_series()
    logit = (
        -2.9
        + 0.9 * np.exp(-((d / 20) ** 2))
        + code.str[:5].map(KABKOTA_EFFECT).fillna(0).to_numpy()
        + np.where(code.str[9] == "1", 0.3, 0.0)
        + rng.normal(0, 0.3, len(xy))
    )
    return (
        pd.Series(np.asarray(logit), index=gdf.index).reindex(units_["kode_kelurahan"]).fillna(-2.9)
    )


def _months_from_anchor(period: str) -> int:
    """Months from the demo month (negative before it): synthetic coverage grows month by month."""
    y, m = map(int, period.split("-"))
    ay, am = map(int, DEMO_PERIOD.split("-"))
    return (y - ay) * 12 + (m - am)


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
    rng: np.random.Generator, biz: pd.DataFrame, umk: np.ndarray, end: pd.Timestamp
) -> pd.DataFrame:
    """Roster workers: mostly as many as declared, some rosters short, a few longer; sex, birth
    and a monthly income around the UMK where the business is (`umk`, per business) by sector."""
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
    pay = umk[of] * sector_pay * np.exp(rng.normal(-0.05, 0.35, W))
    return pd.DataFrame(
        {
            "biz": of,
            "id_umkm": biz["id_umkm"].to_numpy()[of],
            "female": female,
            "birth": births(rng, W, end, 17, 60).to_numpy(),
            "income": np.maximum(300_000, np.round(pay, -4)),
        }
    )


# ---------------------------------------------------------------- survey


def _survey(
    rng: np.random.Generator,
    lay: Layout,
    w: pd.Series,
    biz: pd.DataFrame,
    logit: pd.Series,
    chunk: Chunk,
    start: pd.Timestamp,
    end: pd.Timestamp,
    size: int | None = None,
) -> pd.DataFrame:
    """The awareness survey (first chunk only): equal allocation by stratum (kecamatan) among
    those with businesses, kelurahan by business weight (`w`) within it; weight = the stratum's
    UMKM people / its respondents. Up to 2,000 respondents per kabupaten/kota (one per five
    businesses, at least 400), or `size` respondents."""
    cap = 2000 * len(lay.umk)
    S = int(min(cap, max(400, chunk.total // 5))) if size is None else size
    S = S if chunk.survey else 0
    biz_stratum = biz["kode_kelurahan"].map(lay.stratum)
    kec_of = lay.stratum
    # the strata with businesses to weigh respondents by (all of them, unless the month is small)
    kecs = [k for k in lay.strata if (biz_stratum == k).any()]
    s_kec = np.array(kecs)[np.arange(S) % len(kecs)]
    s_kel = np.empty(S, dtype=object)
    for kname in kecs:
        idx = np.flatnonzero(s_kec == kname)
        ww = w[kec_of.reindex(w.index).eq(kname).to_numpy()]
        s_kel[idx] = ww.index.to_numpy()[
            rng.choice(len(ww), size=len(idx), p=(ww / ww.sum()).to_numpy())
        ]
    by = biz.groupby(biz_stratum)
    people = by["jumlah_tenaga_kerja"].sum() + by.size()
    weight = (
        np.zeros(0)
        if S == 0
        else (
            pd.Series(s_kec).map(people * chunk.total / len(biz))
            / pd.Series(s_kec).map(pd.Series(s_kec).value_counts())
        ).to_numpy()
    )
    umk = lay.umk_of(pd.Series(s_kel, dtype="str")) if S else np.zeros(0, dtype="int64")
    return _survey_answers(rng, s_kel, np.round(weight, 2), logit, umk, start, end)


def _survey_answers(
    rng: np.random.Generator,
    s_kel: np.ndarray,
    weight: np.ndarray,
    logit: pd.Series,
    umk: np.ndarray,
    start: pd.Timestamp,
    end: pd.Timestamp,
) -> pd.DataFrame:
    """Each respondent's answers: role, awareness (following the kelurahan's coverage), known
    benefits, enrolment, sector, income (around the UMK where they are, `umk`), willingness to
    pay, interview day, reason not enrolled."""
    S = len(s_kel)
    owner = rng.random(S) < 0.35
    tahu_tk = rng.random(S) < np.clip(
        0.12 + 1.1 * expit(logit.reindex(s_kel).to_numpy()) + np.where(owner, 0.08, 0), 0, 0.9
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
