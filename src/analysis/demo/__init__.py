"""Synthetic registries shaped like the real ones, with planted dirt and the truth beside them.

`generate` writes `umkm.xlsx` (a Dinas export with a title block), `tenaga_kerja.csv`
(semicolon, Windows-1252), `peserta_bpjstk.csv` (UTF-8 with BOM, a BPJS-style extract) and
`survei_kesadaran.csv` for one period, all synthetic people, deterministic for a seed. Beside
them, `_demo/truth.parquet` says for every written row what the cleaning must conclude
(clean with which kelurahan, exact duplicate, or quarantined under which rule) and, for
roster workers, whether they are registered, active and effectively covered;
`_demo/manifest.json` holds the SHA-256 of each file so that only untouched demo data is
cleaned with the public demo key. The planted rates are in `DIRT` (documented in the README).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from rapidfuzz.distance import Levenshtein

from analysis.errors import AnalysisError
from analysis.ingest.places import compact, norm_place
from analysis.ingest.pseudonyms import DEMO_KEY, hmac_hex
from analysis.paths import DEMO_DIR, DEMO_PERIOD, Paths, check_period, sha256_file
from analysis.reference import gazetteer, population_2010, units

DEFAULT_SEED = 2019
DEFAULT_BUSINESSES = 3000
MONTHLY_GROWTH = 0.06  # logit of coverage gained per month (synthetic trend for the history months)
XLSX_MAX_BUSINESSES = 100_000
#: Populations above this many businesses are generated chunk by chunk (bounded memory).
CHUNK_BUSINESSES = 250_000

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
#: UMK Kota Surakarta by year (docs/facts.md §2), for synthetic incomes.
UMK = {
    2019: 1_802_700,
    2020: 1_956_200,
    2021: 2_013_810,
    2022: 2_035_720,
    2023: 2_174_169,
    2024: 2_269_070,
    2025: 2_416_560,
    2026: 2_570_000,
}

#: Planted dirt: share of rows of each file. Cosmetic dirt must be recovered by cleaning;
#: the rest must be quarantined under the named rule. Exact duplicates are extra rows.
DIRT = {
    "umkm": {
        "kelurahan_prefix": 0.12,
        "kelurahan_case": 0.15,
        "kelurahan_spacing": 0.05,
        "kelurahan_alias": 0.40,
        "kelurahan_typo": 0.02,
        "workers_text": 0.05,
        "nik_number_cell": 0.01,
        "kelurahan_unmatched": 0.005,
        "outside_region": 0.01,
        "kelurahan_ambiguous": 0.004,
        "bad_number": 0.003,
        "bad_value": 0.004,
        "bad_date": 0.003,
        "missing_required": 0.002,
        "duplicate_key": 0.002,
        "exact_duplicate": 0.01,
    },
    "tenaga_kerja": {
        "nik_spaces": 0.03,
        "nik_float": 0.02,
        "missing_required": 0.003,
        "nik_excel_mangled": 0.01,
        "nik_invalid": 0.004,
        "bad_date": 0.002,
        "bad_number": 0.002,
        "unknown_business": 0.003,
        "duplicate_person": 0.005,
        "exact_duplicate": 0.01,
    },
    "peserta_bpjstk": {
        "missing_required": 0.004,
        "nik_excel_mangled": 0.005,
        "nik_invalid": 0.002,
        "bad_value": 0.004,
        "bad_date": 0.003,
        "bad_number": 0.001,
        "exact_duplicate": 0.01,
    },
    "survei_kesadaran": {
        "missing_required": 0.01,
        "bad_value": 0.015,
        "kelurahan_unmatched": 0.005,
        "outside_region": 0.005,
        "bad_number": 0.01,
        "duplicate_key": 0.005,
        "exact_duplicate": 0.01,
    },
}

_FEMALE = [
    "Sri",
    "Wahyuni",
    "Siti",
    "Aminah",
    "Dewi",
    "Lestari",
    "Rina",
    "Marlina",
    "Endang",
    "Sulastri",
    "Tri",
    "Utami",
    "Ratna",
    "Sari",
    "Yuni",
    "Astuti",
    "Nur",
    "Hidayah",
    "Sumiyati",
    "Suparmi",
    "Wulan",
    "Anggraini",
    "Fitri",
    "Handayani",
    "Eka",
    "Purwanti",
    "Dwi",
    "Rahayu",
    "Ani",
    "Suryani",
    "Puji",
    "Lestari",
    "Kartini",
    "Tutik",
    "Winarsih",
    "Sukarni",
    "Yanti",
    "Setyowati",
    "Lilis",
    "Suryaningsih",
    "Mega",
    "Puspita",
    "Ayu",
    "Kusuma",
    "Indah",
    "Permata",
    "Rahmawati",
    "Nining",
    "Ernawati",
    "Susanti",
    "Murni",
    "Sri",
    "Mulyani",
    "Sumarni",
    "Wahyu",
    "Ningsih",
    "Retno",
    "Wulandari",
]
_MALE = [
    "Agus",
    "Budi",
    "Santoso",
    "Joko",
    "Widodo",
    "Slamet",
    "Pujianto",
    "Bambang",
    "Sutrisno",
    "Heru",
    "Prasetyo",
    "Eko",
    "Saputro",
    "Teguh",
    "Wibowo",
    "Hadi",
    "Susilo",
    "Ahmad",
    "Fauzi",
    "Muhammad",
    "Rizky",
    "Dedi",
    "Kurniawan",
    "Wahyu",
    "Hidayat",
    "Rudi",
    "Hartono",
    "Andi",
    "Setiawan",
    "Yusuf",
    "Maulana",
    "Sugeng",
    "Riyanto",
    "Suparno",
    "Sukimin",
    "Dwi",
    "Cahyono",
    "Arif",
    "Nugroho",
    "Ari",
    "Wibisono",
    "Tri",
    "Haryanto",
    "Gunawan",
    "Purnomo",
    "Bayu",
    "Pratama",
    "Fajar",
    "Ramadhan",
    "Hendra",
    "Gunawan",
    "Iwan",
    "Kristanto",
    "Rahmat",
    "Hidayat",
]
_EXTRA = [
    "Nur’aini",
    "Setyaningrum",
    "Kusumaningtyas",
    "Prasetyaningsih",
    "Widyaningrum",
    "Andréa",
]  # Windows-1252 characters
_STREETS = [
    "Slamet Riyadi",
    "Veteran",
    "Dr. Rajiman",
    "Yos Sudarso",
    "Kapten Mulyadi",
    "Ir. Juanda",
    "Adi Sucipto",
    "Letjen Suprapto",
    "Urip Sumoharjo",
    "Kolonel Sutarto",
    "Ahmad Yani",
    "Sam Ratulangi",
    "Honggowongso",
    "Gatot Subroto",
    "Brigjen Katamso",
    "Tentara Pelajar",
    "Kyai Mojo",
    "Sungai Serang",
]
_BUSINESS_WORDS = [
    "Barokah",
    "Sri Rejeki",
    "Makmur Jaya",
    "Lancar Jaya",
    "Sumber Rezeki",
    "Mulya",
    "Sido Mukti",
    "Berkah Abadi",
    "Santoso",
    "Manunggal",
    "Mekar Sari",
    "Sekar Jagad",
    "Rukun",
    "Karya Mandiri",
    "Tunas Baru",
]
_SECTOR_TEXT = {
    "kuliner": ["Kuliner", "Makanan & Minuman", "makanan dan minuman", "KULINER", "Warung Makan"],
    "perdagangan": ["Perdagangan", "Toko Kelontong", "perdagangan eceran", "Dagang"],
    "fesyen": ["Fesyen", "Batik", "Konveksi", "Fashion", "batik tulis"],
    "jasa": ["Jasa", "Bengkel", "Salon", "Laundry", "jasa"],
    "kerajinan": ["Kerajinan", "Kerajinan Tangan", "Mebel"],
    "industri": ["Industri Pengolahan", "Produksi", "industri rumah tangga"],
    "transportasi": ["Transportasi", "Ojek", "Jasa Angkutan", "Kurir"],
}
_SECTOR_PREFIX = {
    "kuliner": "Warung",
    "perdagangan": "Toko",
    "fesyen": "Batik",
    "jasa": "Jasa",
    "kerajinan": "Kerajinan",
    "industri": "UD",
    "transportasi": "Angkutan",
}
_MONTH_FULL = dict(
    enumerate(
        [
            "januari",
            "februari",
            "maret",
            "april",
            "mei",
            "juni",
            "juli",
            "agustus",
            "september",
            "oktober",
            "november",
            "desember",
        ],
        1,
    )
)
_MONTH_ABBR = dict(
    enumerate(
        ["jan", "feb", "mar", "apr", "mei", "jun", "jul", "agu", "sep", "okt", "nov", "des"], 1
    )
)
_OUTSIDE_KECAMATAN = (
    "Kartasura",
    "Grogol",
    "Baki",
    "Colomadu",
    "Gatak",
    "Mojolaban",
    "Jaten",
    "Gondangrejo",
)
_REASONS = {
    "tidak_tahu": ["Tidak tahu ada program ini", "belum tahu programnya", "Tidak pernah dengar"],
    "mahal": ["Iuran mahal", "tidak mampu bayar iuran", "biaya berat"],
    "penghasilan_tidak_tetap": ["Penghasilan tidak tetap", "pendapatan tidak menentu"],
    "prosedur": ["Prosedur rumit", "tidak tahu cara daftar", "ribet daftarnya"],
    "tidak_perlu": ["Merasa tidak perlu", "belum butuh"],
    "sudah_bpjs_kesehatan": ["Sudah punya BPJS Kesehatan", "sudah ada KIS"],
    "tidak_percaya": ["Tidak percaya klaimnya cair", "ragu"],
}


# ---------------------------------------------------------------- text renderers (vectorised)


def _pick(rng: np.random.Generator, options, n: int, p=None) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=n, p=p)]


def _fmt_dates(rng: np.random.Generator, days: pd.Series, allow_serial: bool = True) -> pd.Series:
    """Dates as Indonesian spreadsheets write them: 17-Agu-2019, 17/08/2019, 2019-08-17, 17 Agustus 2019, 43694."""
    d = pd.to_datetime(days)
    style = rng.choice(
        5,
        size=len(d),
        p=[0.3, 0.3, 0.2, 0.1, 0.1] if allow_serial else [0.33, 0.34, 0.22, 0.11, 0.0],
    )
    dd, mm, yy = d.dt.day.astype(str).str.zfill(2), d.dt.month, d.dt.year.astype(str)
    out = pd.Series("", index=d.index, dtype=object)
    out[style == 0] = (dd + "-" + mm.map(lambda m: _MONTH_ABBR[m].title()) + "-" + yy)[style == 0]
    out[style == 1] = (dd + "/" + mm.astype(str).str.zfill(2) + "/" + yy)[style == 1]
    out[style == 2] = d.dt.strftime("%Y-%m-%d")[style == 2]
    out[style == 3] = (
        d.dt.day.astype(str) + " " + mm.map(lambda m: _MONTH_FULL[m].title()) + " " + yy
    )[style == 3]
    serial = (d - pd.Timestamp("1899-12-30")).dt.days.astype(str)
    out[style == 4] = serial[style == 4]
    return out.where(d.notna(), "")


def _fmt_months(rng: np.random.Generator, months: pd.Series) -> pd.Series:
    """Months as 'Okt 2026', '10/2026', '2026-10', 'Oktober 2026'."""
    d = pd.to_datetime(months)
    style = rng.choice(4, size=len(d), p=[0.35, 0.3, 0.2, 0.15])
    mm, yy = d.dt.month, d.dt.year.astype("Int64").astype(str)
    out = pd.Series("", index=d.index, dtype=object)
    out[style == 0] = (mm.map(lambda m: _MONTH_ABBR.get(m, "").title()) + " " + yy)[style == 0]
    out[style == 1] = (mm.astype("Int64").astype(str).str.zfill(2) + "/" + yy)[style == 1]
    out[style == 2] = d.dt.strftime("%Y-%m")[style == 2]
    out[style == 3] = (mm.map(lambda m: _MONTH_FULL.get(m, "").title()) + " " + yy)[style == 3]
    return out.where(d.notna(), "")


def _fmt_amounts(rng: np.random.Generator, amounts: pd.Series) -> pd.Series:
    """Rupiah as 'Rp 1.500.000', '1,5 jt', '1500000'."""
    a = amounts.round().astype("Int64")
    style = rng.choice(3, size=len(a), p=[0.4, 0.2, 0.4])
    dotted = a.map(lambda v: f"{v:,}".replace(",", ".") if pd.notna(v) else "")
    out = pd.Series(a.astype(str), index=a.index, dtype=object)
    out[style == 0] = ("Rp " + dotted)[style == 0]
    juta = (a % 100_000 == 0) & (a >= 1_000_000)
    jt = a.map(lambda v: f"{v / 1e6:g}".replace(".", ",") + " jt" if pd.notna(v) else "")
    use = (style == 1) & juta.fillna(False).to_numpy()
    out[use] = jt[use]
    return out.where(a.notna(), "")


def _case(rng: np.random.Generator, text: pd.Series, rate: float) -> pd.Series:
    r = rng.random(len(text))
    out = text.copy()
    out[r < rate / 2] = text[r < rate / 2].str.upper()
    out[(r >= rate / 2) & (r < rate)] = text[(r >= rate / 2) & (r < rate)].str.lower()
    return out


# ---------------------------------------------------------------- people


def _names(rng: np.random.Generator, female: np.ndarray) -> np.ndarray:
    n = len(female)
    first = np.where(female, _pick(rng, _FEMALE, n), _pick(rng, _MALE, n))
    second = np.where(female, _pick(rng, _FEMALE + _EXTRA, n), _pick(rng, _MALE, n))
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
    far = np.array(["337401", "337403", "340401", "340402", "357801", "317101", "320101", "330201"])
    which = rng.choice(3, size=n, p=[0.72, 0.2, 0.08])
    out = np.where(
        which == 0, solo[rng.integers(0, len(solo), n)], near[rng.integers(0, len(near), n)]
    )
    return np.where(which == 2, far[rng.integers(0, len(far), n)], out)


def _births(rng: np.random.Generator, n: int, on: pd.Timestamp, lo: int, hi: int) -> pd.Series:
    age_days = rng.integers(lo * 365 + 10, hi * 365, size=n)
    return pd.Series(on - pd.to_timedelta(age_days, unit="D")).dt.normalize()


# ---------------------------------------------------------------- the synthetic world


def _expit(x):
    return 1 / (1 + np.exp(-x))


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


def _coverage_logit(units_: pd.DataFrame, ref: Path, rng: np.random.Generator) -> pd.Series:
    """A smooth spatial pattern of coverage: high around Joglo (north Banjarsari), low around Sangkrah."""
    import geopandas as gpd

    gdf = (
        gpd.read_file(ref / "surakarta_kelurahan.geojson").to_crs(32749).set_index("kode_kelurahan")
    )
    xy = gdf.geometry.centroid
    hot, cold = xy.loc["33.72.05.1015"], xy.loc["33.72.03.1008"]
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


@dataclass
class _Chunk:
    """Where one chunk of a large synthetic population sits in the whole."""

    total: int  # businesses in the whole population
    first_id: int = 1
    serial_base: int = 0
    logit: pd.Series | None = None
    survey: bool = True


def _world(
    rng: np.random.Generator,
    period: str,
    B: int,
    ref: Path,
    chunk: _Chunk | None = None,
) -> dict:
    """The true synthetic population: businesses, roster workers, participant records, survey.

    Large populations are made in chunks (`chunk`): ids and NIK serials run on from the
    previous chunks, the spatial coverage pattern is shared, and only the first has a survey.
    """
    chunk = chunk or _Chunk(B)
    start = pd.Timestamp(f"{period}-01")
    end = start + pd.offsets.MonthEnd(0)
    umk = UMK.get(start.year, UMK[max(UMK)] if start.year > max(UMK) else UMK[min(UMK)])
    u = units("surakarta", ref)
    gaz = gazetteer(ref)

    # businesses
    w = _kelurahan_weights(u, ref)
    kel = w.index.to_numpy()[rng.choice(len(w), size=B, p=w.to_numpy())]
    sectors = np.array(list(SECTOR_SHARES))
    sector = sectors[rng.choice(len(sectors), size=B, p=list(SECTOR_SHARES.values()))]
    batik = np.isin(
        kel, ["33.72.01.1002", "33.72.03.1009"]
    )  # Laweyan and Kauman, Solo's batik villages
    sector = np.where(batik & (rng.random(B) < 0.5), "fesyen", sector)
    k = np.arange(1, 16)
    n_workers = rng.choice(k, size=B, p=0.72**k / (0.72**k).sum())
    omzet = np.round(np.exp(rng.normal(np.log(1.5e8 * (1 + 0.25 * (n_workers - 1))), 0.9)), -5)
    years = np.arange(2015, start.year + 1)
    year_w = np.array(
        [
            {
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
            }.get(y, 4)
            for y in years
        ],
        dtype=float,
    )
    reg_year = years[rng.choice(len(years), size=B, p=year_w / year_w.sum())]
    reg_day = pd.to_datetime(pd.Series(reg_year).astype(str) + "-01-01") + pd.to_timedelta(
        rng.integers(0, 365, B), unit="D"
    )
    late = end - pd.to_timedelta(rng.integers(1, 200, B), unit="D")
    reg_day = reg_day.where(reg_day < end, pd.Series(late))
    width = max(6, len(str(chunk.total)))
    biz = pd.DataFrame(
        {
            "id_umkm": [f"UMKM-{i:0{width}d}" for i in range(chunk.first_id, chunk.first_id + B)],
            "kode_kelurahan": kel,
            "sektor": sector,
            "jumlah_tenaga_kerja": n_workers,
            "omzet": omzet,
            "tanggal_daftar": reg_day,
        }
    )
    biz = biz.join(
        u.set_index("kode_kelurahan")[["kelurahan", "kecamatan", "aliases"]], on="kode_kelurahan"
    )

    # roster workers: mostly as declared, some rosters short, a few longer
    roster_n = np.clip(
        n_workers + rng.choice([0, -1, -2, 1], size=B, p=[0.85, 0.07, 0.03, 0.05]), 0, None
    )
    of = np.repeat(np.arange(B), roster_n)
    W = len(of)
    female = rng.random(W) < np.where(sector[of] == "fesyen", 0.7, 0.48)
    sector_pay = pd.Series(
        {
            "kuliner": 0.8,
            "perdagangan": 0.85,
            "fesyen": 0.9,
            "jasa": 0.9,
            "kerajinan": 0.85,
            "industri": 1.0,
            "transportasi": 1.05,
        }
    )
    pay = umk * sector_pay.reindex(sector[of]).to_numpy() * np.exp(rng.normal(-0.05, 0.35, W))
    wk = pd.DataFrame(
        {
            "biz": of,
            "id_umkm": biz["id_umkm"].to_numpy()[of],
            "female": female,
            "birth": _births(rng, W, end, 17, 60).to_numpy(),
            "income": np.maximum(300_000, np.round(pay, -4)),
        }
    )

    # one NIK pool for workers, owners and participants not on any roster: no two people share a NIK
    n_extra = int(round(0.25 * W))
    owner_female = (
        rng.random(B) < 0.657
    )  # 65.69% of Surakarta UMKM owners are women (docs/facts.md §3)
    pool_female = np.concatenate([female, owner_female, rng.random(n_extra) < 0.45])
    pool_birth = pd.concat(
        [wk["birth"], _births(rng, B, end, 22, 65), _births(rng, n_extra, end, 18, 58)],
        ignore_index=True,
    )
    nik = _niks(
        rng, pool_birth, pool_female, _regions(rng, len(pool_birth), gaz), chunk.serial_base
    )
    name = _names(rng, pool_female)
    wk["nik"], wk["nama"] = nik[:W], name[:W]
    biz["nik_pemilik"], biz["nama_pemilik"] = nik[W : W + B], name[W : W + B]

    # coverage: kelurahan pattern × sector × size, rising over the months (the enrolment push);
    # registered ⊇ active ⊇ effective
    pattern = chunk.logit if chunk.logit is not None else _coverage_logit(u, ref, rng)
    logit = pattern + MONTHLY_GROWTH * _months_from_anchor(period)
    eta = (
        logit.reindex(kel[of]).to_numpy()
        + pd.Series(SECTOR_EFFECT).reindex(sector[of]).to_numpy()
        + np.where(n_workers[of] >= 5, 0.4, 0.0)
    )
    p_act, p_paid = 0.78, 0.72
    registered = rng.random(W) < np.minimum(0.95, _expit(eta) / (p_act * p_paid))
    active = registered & (rng.random(W) < p_act)
    effective = active & (rng.random(W) < p_paid)

    # participant records: roster workers who registered, others, and earlier lapsed records
    reg = np.flatnonzero(registered)
    pu = rng.random(len(reg)) < np.where(n_workers[of[reg]] >= 5, 0.55, 0.3)
    ex_active = rng.random(n_extra) < 0.6
    rec = pd.DataFrame(
        {
            "nik": np.concatenate([nik[reg], nik[W + B :]]),
            "nama": np.concatenate([name[reg], name[W + B :]]),
            "segmen": np.concatenate(
                [np.where(pu, "PU", "BPU"), np.where(rng.random(n_extra) < 0.5, "PU", "BPU")]
            ),
            "status": np.concatenate(
                [
                    np.where(active[reg], "AKTIF", "NONAKTIF"),
                    np.where(ex_active, "AKTIF", "NONAKTIF"),
                ]
            ),
            "effective": np.concatenate([effective[reg], ex_active & (rng.random(n_extra) < 0.7)]),
            "income": np.concatenate(
                [
                    wk["income"].to_numpy()[reg],
                    np.round(umk * np.exp(rng.normal(0, 0.3, n_extra)), -4),
                ]
            ),
            "birth": pd.concat(
                [wk["birth"].iloc[reg], pool_birth.iloc[W + B :]], ignore_index=True
            ).to_numpy(),
        }
    )
    rec["old"] = False
    lapsed = rec.iloc[: len(reg)][rng.random(len(reg)) < 0.08].assign(
        segmen="BPU", status="NONAKTIF", effective=False, old=True
    )
    rec = pd.concat([rec, lapsed], ignore_index=True)
    R = len(rec)
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
    rec = rec.iloc[rng.permutation(R)].reset_index(drop=True)

    # survey: equal allocation by kecamatan; weight = the kecamatan's UMKM people / its respondents
    S = int(min(2000, max(400, chunk.total // 5))) if chunk.survey else 0
    kecs = list(KECAMATAN_SHARES)
    s_kec = np.array(kecs)[np.arange(S) % len(kecs)]
    kec_of = u.set_index("kode_kelurahan")["kecamatan"]
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
            pd.Series(s_kec).map(people * chunk.total / B)
            / pd.Series(s_kec).map(pd.Series(s_kec).value_counts())
        ).to_numpy()
    )
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
            "sektor": sectors[rng.choice(len(sectors), size=S, p=list(SECTOR_SHARES.values()))],
            "income": np.maximum(300_000, np.round(umk * np.exp(rng.normal(-0.1, 0.4, S)), -4)),
            "wtp": np.maximum(0, np.round(np.exp(rng.normal(np.log(15_000), 0.6, S)), -3)),
            "day": (start + pd.to_timedelta(rng.integers(0, end.day, S), unit="D")).to_numpy(),
            "weight": np.round(weight, 2),
        }
    )
    others = [k for k in _REASONS if k != "tidak_tahu"]
    survey["reason"] = np.where(
        ~tahu_tk & (rng.random(S) < 0.6),
        "tidak_tahu",
        _pick(rng, others, S, p=[0.25, 0.2, 0.2, 0.12, 0.13, 0.10]),
    )
    wk["registered"], wk["active"], wk["effective"] = registered, active, effective
    return {
        "start": start,
        "end": end,
        "units": u,
        "gazetteer": gaz,
        "biz": biz,
        "workers": wk,
        "records": rec,
        "survey": survey,
        "width": width,
    }


# ---------------------------------------------------------------- planting dirt


class _File:
    """A raw file under construction: text rows, the truth of each, and rows inserted later."""

    def __init__(
        self, stem: str, text: pd.DataFrame, truth: pd.DataFrame, rng: np.random.Generator
    ):
        self.stem, self.rng = stem, rng
        self.text = text.reset_index(drop=True)
        self.truth = truth.reset_index(drop=True).assign(file=stem)
        self.free = self.truth["expected"].eq("clean").to_numpy().copy()
        self.order = np.arange(len(self.text), dtype=float)

    def choose(self, rate: float, among: np.ndarray | None = None) -> np.ndarray:
        """Pick round(rate × rows) rows that are still clean (or among a given mask) and take them."""
        pool = self.free if among is None else among
        candidates = np.flatnonzero(pool)
        k = min(len(candidates), int(round(rate * len(self.free))))
        picked = (
            np.sort(self.rng.choice(candidates, size=k, replace=False))
            if k
            else np.array([], dtype=int)
        )
        if among is None:
            self.free[picked] = False
        return picked

    def plant(
        self, rate: float, rule: str, note: str, edit: Callable[[pd.DataFrame, np.ndarray], None]
    ) -> np.ndarray:
        """Damage still-clean rows so that the cleaning must quarantine them under `rule`."""
        picked = self.choose(rate)
        if len(picked):
            edit(self.text, picked)
            self.truth.loc[picked, ["expected", "dirt"]] = [rule, note]
        return picked

    def set(self, col: str, values) -> Callable[[pd.DataFrame, np.ndarray], None]:
        """An edit writing `values` (a list to draw from, or one value) into a column."""

        def edit(text: pd.DataFrame, picked: np.ndarray) -> None:
            text.loc[picked, col] = (
                _pick(self.rng, values, len(picked)) if isinstance(values, list) else values
            )

        return edit

    def insert(
        self,
        rows: np.ndarray,
        expected: str,
        note: str,
        change: Callable[[pd.DataFrame], None] | None = None,
    ) -> None:
        """Copy rows (optionally changed) to later places in the file: duplicates of several kinds."""
        copy = self.text.iloc[rows].copy()
        if change:
            change(copy)
        truth = self.truth.iloc[rows].copy().assign(expected=expected, dirt=note)
        n = len(self.order)
        gap = self.rng.uniform(0.1, 1.0, size=len(rows)) * np.maximum(1, (n - rows) * 0.5)
        self.text = pd.concat([self.text, copy], ignore_index=True)
        self.truth = pd.concat([self.truth, truth], ignore_index=True)
        self.order = np.concatenate([self.order, np.minimum(rows + gap, n - 0.5)])

    def exact_duplicates(self, rate: float) -> None:
        """Repeat some of the original rows, unchanged, further down the file."""
        n = len(self.free)
        self.insert(self.choose(rate, np.ones(n, dtype=bool)), "duplicate", "exact duplicate row")

    def finish(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        idx = np.argsort(self.order, kind="stable")
        text, truth = (
            self.text.iloc[idx].reset_index(drop=True),
            self.truth.iloc[idx].reset_index(drop=True),
        )
        truth.insert(0, "source_row", np.arange(1, len(truth) + 1))
        return text, truth


def _typos(name: str, others: list[str], taken: set[str]) -> list[str]:
    """Single-letter slips of a name that stay 3+ edits from every other kelurahan and name no other place."""
    key = compact(norm_place(name))
    if len(key) < 6:
        return []
    out = set()
    for i in range(1, len(key) - 1):
        for variant in (
            key[:i] + key[i + 1 :],
            key[:i] + key[i + 1] + key[i] + key[i + 2 :],
            key[:i] + "e" + key[i + 1 :],
        ):
            if (
                variant != key
                and variant not in taken
                and all(Levenshtein.distance(variant, o) >= 3 for o in others)
            ):
                out.add(variant.title())
    return sorted(out)


def _outside_names(gaz: pd.DataFrame, region_keys: list[str]) -> list[tuple[str, str]]:
    """Desa/kelurahan just outside the city whose names cannot be taken for a city kelurahan."""
    near = gaz[
        gaz["kecamatan"].isin(_OUTSIDE_KECAMATAN) & ~gaz["kode_kelurahan"].str.startswith("33.72")
    ]
    out = set()
    for r in near.itertuples():
        key = compact(norm_place(r.kelurahan))
        if all(
            Levenshtein.distance(key, o) >= 3 and not o.startswith(key) and not key.startswith(o)
            for o in region_keys
        ):
            out.add((r.kelurahan, r.kecamatan))
    return sorted(out)


_SPLIT_PARENT = {
    "33.72.05.1001": "Kadipiro",
    "33.72.05.1014": "Kadipiro",
    "33.72.05.1015": "Kadipiro",
    "33.72.03.1002": "Semanggi",
    "33.72.03.1010": "Semanggi",
}
_UNMATCHED = ["Solo", "-", "Surakarta", "Jl. Veteran", "xxx", "Kota"]


def _umkm(world: dict, rng: np.random.Generator) -> _File:
    biz, u, D, B = world["biz"], world["units"], DIRT["umkm"], len(world["biz"])
    # registered before the 2019 splits: the old name, which cannot say which successor (never guessed)
    pre_split = (
        biz["kode_kelurahan"].isin(list(_SPLIT_PARENT)).to_numpy()
        & (biz["tanggal_daftar"] < "2019-01-01").to_numpy()
    )
    kel = biz["kelurahan"].where(~pre_split, biz["kode_kelurahan"].map(_SPLIT_PARENT))
    alias = biz["aliases"].fillna("").ne("") & (rng.random(B) < D["kelurahan_alias"]) & ~pre_split
    kel[alias] = biz["aliases"][alias].str.split("|").str[0]
    keys = [compact(norm_place(n)) for n in u["kelurahan"]]
    places = {compact(norm_place(n)) for n in world["gazetteer"]["kelurahan"]}
    typos = {
        n: _typos(n, [k for k in keys if k != compact(norm_place(n))], places)
        for n in u["kelurahan"]
    }
    typo = (
        (rng.random(B) < D["kelurahan_typo"])
        & ~alias.to_numpy()
        & ~pre_split
        & biz["kelurahan"].map(typos).map(bool).to_numpy()
    )
    kel[typo] = [typos[n][rng.integers(len(typos[n]))] for n in biz["kelurahan"][typo]]
    kel = _case(rng, kel, D["kelurahan_case"])
    prefix = rng.random(B) < D["kelurahan_prefix"]
    kel[prefix] = (
        _pick(rng, ["Kel. ", "Kelurahan ", "KEL. ", "kel "], int(prefix.sum())) + kel[prefix]
    )
    spaced = rng.random(B) < D["kelurahan_spacing"]
    kel[spaced] = "  " + kel[spaced].str.replace(" ", "  ") + " "
    kec = biz["kecamatan"].where(rng.random(B) < 0.7, "")
    kec = kec.where((rng.random(B) > 0.1) | kec.eq(""), "Kec. " + kec)
    n_text = pd.Series(biz["jumlah_tenaga_kerja"].astype(str), dtype=object)
    orang = rng.random(B) < D["workers_text"]
    n_text[orang] = n_text[orang] + " orang"
    sector_text = [
        _SECTOR_TEXT[s][i % len(_SECTOR_TEXT[s])]
        for i, s in zip(rng.integers(0, 5, B), biz["sektor"], strict=True)
    ]
    text = pd.DataFrame(
        {
            "No": np.arange(1, B + 1),
            "ID UMKM": biz["id_umkm"],
            "NIB": (rng.integers(10**12, 10**13 - 1, B)).astype(str),
            "Nama Usaha": biz["sektor"].map(_SECTOR_PREFIX) + " " + _pick(rng, _BUSINESS_WORDS, B),
            "Nama Pemilik": biz["nama_pemilik"],
            "NIK Pemilik": biz["nik_pemilik"].astype(object),
            "Alamat": "Jl. "
            + _pick(rng, _STREETS, B)
            + " No. "
            + rng.integers(1, 250, B).astype(str),
            "Kelurahan": kel,
            "Kecamatan": kec,
            "Sektor Usaha": sector_text,
            "Jml Tenaga Kerja": n_text,
            "Omzet Tahunan (Rp)": _fmt_amounts(rng, biz["omzet"]),
            "Tgl Daftar": _fmt_dates(rng, biz["tanggal_daftar"], False),
        }
    )
    truth = pd.DataFrame(
        {
            "expected": np.where(pre_split, "kelurahan_ambiguous", "clean"),
            "kode_kelurahan": biz["kode_kelurahan"].where(~pre_split, None),
            "dirt": np.where(
                pre_split,
                "registered before the 2019 kelurahan split",
                np.where(typo, "kelurahan typo", ""),
            ),
            "id_umkm": biz["id_umkm"],
        }
    )
    f = _File("umkm", text, truth, rng)
    outside = _outside_names(world["gazetteer"], keys)

    def place_outside(t, p):
        pick = [outside[i] for i in rng.integers(0, len(outside), len(p))]
        t.loc[p, "Kelurahan"] = [n for n, _ in pick]
        t.loc[p, "Kecamatan"] = [kc if j % 2 else "" for j, (_, kc) in enumerate(pick)]

    def ambiguous(t, p):
        t.loc[p[::2], ["Kelurahan", "Kecamatan"]] = ["Kepatihan", ""]
        t.loc[p[1::2], ["Kelurahan", "Kecamatan"]] = ["Kauman", "Jebres"]

    future = (world["end"] + pd.DateOffset(months=3)).strftime("%d/%m/%Y")
    f.plant(
        D["kelurahan_unmatched"],
        "kelurahan_unmatched",
        "kelurahan is not a place",
        f.set("Kelurahan", _UNMATCHED),
    )
    f.plant(D["outside_region"], "outside_region", "kelurahan outside the city", place_outside)
    f.plant(D["kelurahan_ambiguous"], "kelurahan_ambiguous", "kelurahan could be two", ambiguous)
    f.plant(
        D["bad_number"],
        "bad_number",
        "worker count not a number",
        f.set("Jml Tenaga Kerja", ["lima", "3-4", "±2"]),
    )
    f.plant(
        D["bad_value"],
        "bad_value",
        "worker count out of range",
        f.set("Jml Tenaga Kerja", ["0", "-2", "150", "10000"]),
    )
    f.plant(
        D["bad_date"],
        "bad_date",
        "registration date unreadable or in the future",
        f.set("Tgl Daftar", ["31-02-2020", "kemarin", future]),
    )
    f.plant(D["missing_required"], "missing_required", "kelurahan empty", f.set("Kelurahan", ""))
    f.text["NIK Pemilik"] = f.text["NIK Pemilik"].astype(object)
    as_number = f.choose(D["nik_number_cell"], np.ones(B, dtype=bool))
    f.text.loc[as_number, "NIK Pemilik"] = f.text.loc[as_number, "NIK Pemilik"].astype(
        float
    )  # a number cell: 15 digits kept
    f.insert(
        f.choose(D["duplicate_key"]),
        "duplicate_key",
        "same id_umkm twice",
        lambda c: c.__setitem__("Omzet Tahunan (Rp)", "Rp 999.000.000"),
    )
    f.exact_duplicates(D["exact_duplicate"])
    return f


def _workers(world: dict, rng: np.random.Generator, clean_ids: set[str]) -> _File:
    wk, D, W = world["workers"], DIRT["tenaga_kerja"], len(world["workers"])
    biz_ok = wk["id_umkm"].isin(clean_ids).to_numpy()
    nik = pd.Series(wk["nik"], dtype=object)
    r = rng.random(W)
    spaced, floated = (
        r < D["nik_spaces"],
        (r >= D["nik_spaces"]) & (r < D["nik_spaces"] + D["nik_float"]),
    )
    nik[spaced] = nik[spaced].str.replace(r"(\d{4})(?=\d)", r"\1 ", regex=True)
    nik[floated] = nik[floated] + ".0"
    sex = np.where(
        wk["female"],
        _pick(rng, ["P", "Perempuan", "p", "P"], W),
        _pick(rng, ["L", "Laki-laki", "l", "L"], W),
    )
    text = pd.DataFrame(
        {
            "ID UMKM": wk["id_umkm"],
            "NIK": nik,
            "Nama": wk["nama"],
            "JK": sex,
            "Tgl Lahir": _fmt_dates(rng, wk["birth"]),
            "Penghasilan Bulanan": _fmt_amounts(rng, wk["income"]),
        }
    )
    biz_kel = world["biz"].set_index("id_umkm")["kode_kelurahan"]
    truth = pd.DataFrame(
        {
            "expected": np.where(biz_ok, "clean", "business_quarantined"),
            "kode_kelurahan": wk["id_umkm"].map(biz_kel).where(biz_ok, None),
            "dirt": "",
            "nik": wk["nik"],
        }
    )
    f = _File("tenaga_kerja", text, truth, rng)
    true_nik = wk["nik"].to_numpy()

    def mangle(t, p):
        sci = [
            f"{float(v):.5E}".replace(".", ",") if i % 2 else f"{float(v):.5E}"
            for i, v in enumerate(true_nik[p])
        ]
        cut = [v[:15] for v in true_nik[p]]
        t.loc[p, "NIK"] = np.where(np.arange(len(p)) % 4 == 3, cut, sci)

    def invalid(t, p):
        v = pd.Series(true_nik[p])
        kind = np.arange(len(p)) % 4
        t.loc[p, "NIK"] = np.select(
            [kind == 0, kind == 1, kind == 2],
            [v.str[:12] + "0000", v.str[:8] + "13" + v.str[10:], v.str[:14]],
            "99" + v.str[2:],
        )

    unknown = [f"UMKM-9{i:0{world['width']}d}" for i in range(50)]
    f.plant(D["missing_required"], "missing_required", "NIK empty", f.set("NIK", ""))
    f.plant(D["nik_excel_mangled"], "nik_excel_mangled", "NIK damaged by Excel", mangle)
    f.plant(D["nik_invalid"], "nik_invalid", "NIK breaks the NIK rules", invalid)
    f.plant(
        D["bad_date"],
        "bad_date",
        "birth date unreadable",
        f.set("Tgl Lahir", ["31/02/1990", "tidak ingat", "1990-13-01"]),
    )
    f.plant(
        D["bad_number"],
        "bad_number",
        "income not a number",
        f.set("Penghasilan Bulanan", ["dua juta", "±2jt", "Rp ?"]),
    )
    f.plant(
        D["unknown_business"],
        "unknown_business",
        "business not in the registry",
        f.set("ID UMKM", unknown),
    )
    clean_rows = np.flatnonzero(f.truth["expected"].eq("clean").to_numpy())
    moved = rng.choice(clean_rows, size=len(clean_rows))

    def second_roster(copy: pd.DataFrame) -> None:
        copy["ID UMKM"] = f.text["ID UMKM"].to_numpy()[moved[: len(copy)]]
        copy["Nama"] = copy["Nama"].str.upper()

    f.insert(
        f.choose(D["duplicate_person"]),
        "duplicate_person",
        "same person on a second roster",
        second_roster,
    )
    f.exact_duplicates(D["exact_duplicate"])
    return f


def _participants(world: dict, rng: np.random.Generator) -> _File:
    rec, D, R = world["records"], DIRT["peserta_bpjstk"], len(world["records"])
    sep = _pick(rng, [";", ", ", "/", " + "], R)
    text = pd.DataFrame(
        {
            "KPJ": rec["kpj"],
            "NIK": rec["nik"].astype(object),
            "NAMA": rec["nama"].str.upper(),
            "SEGMEN": np.where(
                rec["segmen"] == "PU",
                _pick(rng, ["PU", "Penerima Upah", "pu"], R),
                _pick(rng, ["BPU", "Bukan Penerima Upah", "bpu"], R),
            ),
            "PROGRAM": [s.join(p.split(";")) for s, p in zip(sep, rec["program"], strict=True)],
            "UPAH": _fmt_amounts(rng, rec["upah"]),
            "TGL KEPESERTAAN": _fmt_dates(rng, rec["joined"]),
            "STATUS": np.where(
                rec["status"] == "AKTIF",
                _pick(rng, ["AKTIF", "Aktif", "aktif"], R),
                _pick(rng, ["NONAKTIF", "Non Aktif", "non-aktif", "TIDAK AKTIF"], R),
            ),
            "BLN IURAN TERAKHIR": _fmt_months(rng, rec["paid"]),
        }
    )
    truth = pd.DataFrame(
        {
            "expected": "clean",
            "kode_kelurahan": None,
            "dirt": "",
            "nik": rec["nik"],
            "record_status": rec["status"],
            "record_effective": rec["effective"],
        }
    )
    f = _File("peserta_bpjstk", text, truth, rng)
    true_nik = rec["nik"].to_numpy()

    def missing(t, p):
        t.loc[p[::2], "NIK"] = ""
        t.loc[p[1::2], "STATUS"] = ""

    def bad_value(t, p):
        t.loc[p[0::3], "STATUS"] = "DIBLOKIR"
        t.loc[p[1::3], "SEGMEN"] = "PNS"
        t.loc[p[2::3], "PROGRAM"] = "JKK;JKN"

    def bad_date(t, p):
        t.loc[p[::2], "BLN IURAN TERAKHIR"] = _pick(rng, ["13/2026", "bulan lalu"], len(p[::2]))
        t.loc[p[1::2], "TGL KEPESERTAAN"] = (world["end"] + pd.DateOffset(months=2)).strftime(
            "%d-%m-%Y"
        )

    f.plant(D["missing_required"], "missing_required", "NIK or status empty", missing)
    f.plant(
        D["nik_excel_mangled"],
        "nik_excel_mangled",
        "NIK in scientific notation",
        lambda t, p: t.__setitem__(
            "NIK",
            t["NIK"].where(
                ~np.isin(np.arange(len(t)), p), pd.Series(true_nik).map(lambda v: f"{float(v):.5E}")
            ),
        ),
    )
    f.plant(
        D["nik_invalid"],
        "nik_invalid",
        "NIK serial 0000",
        lambda t, p: t.__setitem__(
            "NIK",
            t["NIK"].where(~np.isin(np.arange(len(t)), p), pd.Series(true_nik).str[:12] + "0000"),
        ),
    )
    f.plant(D["bad_value"], "bad_value", "unknown status, segment or programme", bad_value)
    f.plant(D["bad_date"], "bad_date", "month unreadable or joining date in the future", bad_date)
    f.plant(D["bad_number"], "bad_number", "wage not a number", f.set("UPAH", "Rp ???"))
    f.exact_duplicates(D["exact_duplicate"])
    return f


def _survey(world: dict, rng: np.random.Generator) -> _File:
    sv, u, D, S = world["survey"], world["units"], DIRT["survei_kesadaran"], len(world["survey"])

    def yes(b):
        return np.where(
            b,
            _pick(rng, ["Ya", "Y", "1", "ya", "YA"], S),
            _pick(rng, ["Tidak", "T", "0", "tidak", "TIDAK"], S),
        )

    seps = _pick(rng, [";", ", ", "/"], S)
    benefits = [
        s.join(b for b in ("JKK", "JKM", "JHT") if row[f"knows_{b}"])
        for s, (_, row) in zip(seps, sv.iterrows(), strict=True)
    ]
    benefits = [b or ("tidak tahu" if i % 2 else "") for i, b in enumerate(benefits)]
    reasons = [_REASONS[r][i % len(_REASONS[r])] for i, r in enumerate(sv["reason"])]
    text = pd.DataFrame(
        {
            "ID Responden": [f"R-{i:05d}" for i in range(1, S + 1)],
            "Tanggal": _fmt_dates(rng, sv["day"], False),
            "Kelurahan": _case(
                rng, sv["kode_kelurahan"].map(u.set_index("kode_kelurahan")["kelurahan"]), 0.2
            ),
            "Sektor": [_SECTOR_TEXT[s][0] for s in sv["sektor"]],
            "Peran": np.where(
                sv["owner"],
                _pick(rng, ["Pemilik", "pemilik usaha"], S),
                _pick(rng, ["Pekerja", "karyawan"], S),
            ),
            "Tahu BPJS Kesehatan": yes(sv["tahu_kes"]),
            "Tahu BPJS Ketenagakerjaan": yes(sv["tahu_tk"]),
            "Manfaat yang diketahui": benefits,
            "Terdaftar": yes(sv["enrolled"]),
            "Alasan tidak daftar": np.where(sv["enrolled"], "", reasons),
            "Kesediaan Bayar": _fmt_amounts(rng, sv["wtp"]),
            "Penghasilan": _fmt_amounts(rng, sv["income"]),
            "Bobot": sv["weight"].astype(str),
        }
    )
    truth = pd.DataFrame({"expected": "clean", "kode_kelurahan": sv["kode_kelurahan"], "dirt": ""})
    f = _File("survei_kesadaran", text, truth, rng)
    outside = [
        n
        for n, _ in _outside_names(
            world["gazetteer"], [compact(norm_place(n)) for n in u["kelurahan"]]
        )
    ]

    def bad_value(t, p):
        t.loc[p[0::3], "Tahu BPJS Ketenagakerjaan"] = "mungkin"
        t.loc[p[1::3], "Bobot"] = "0"
        t.loc[p[2::3], "Peran"] = "mahasiswa"

    f.plant(
        D["missing_required"],
        "missing_required",
        "awareness answer empty",
        f.set("Tahu BPJS Ketenagakerjaan", ""),
    )
    f.plant(D["bad_value"], "bad_value", "not yes/no, weight 0 or unknown role", bad_value)
    f.plant(
        D["kelurahan_unmatched"],
        "kelurahan_unmatched",
        "kelurahan is not a place",
        f.set("Kelurahan", ["Solo", "xxx"]),
    )
    f.plant(
        D["outside_region"],
        "outside_region",
        "kelurahan outside the city",
        f.set("Kelurahan", outside),
    )
    f.plant(
        D["bad_number"],
        "bad_number",
        "willingness to pay not a number",
        f.set("Kesediaan Bayar", ["terserah", "seikhlasnya"]),
    )
    f.insert(
        f.choose(D["duplicate_key"]),
        "duplicate_key",
        "same respondent id twice",
        lambda c: c.__setitem__("Penghasilan", "Rp 1.234.000"),
    )
    f.exact_duplicates(D["exact_duplicate"])
    return f


# ---------------------------------------------------------------- writing


def _write_xlsx(path: Path, text: pd.DataFrame, period: str) -> None:
    """A Dinas-style workbook: a title block, a blank row, then the header and data (deterministic bytes)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Data UMKM")
    year, month = period.split("-")
    sheet.append(["DATA UMKM KOTA SURAKARTA"])
    sheet.append(["Dinas Koperasi, Usaha Kecil dan Menengah, dan Perindustrian"])
    sheet.append(
        [f"Keadaan s.d. {_MONTH_FULL[int(month)].title()} {year} (data sintetis untuk demo)"]
    )
    sheet.append([])
    sheet.append(list(text.columns))
    for row in text.itertuples(index=False):
        sheet.append([None if (isinstance(v, str) and v == "") else v for v in row])
    fixed = datetime(2026, 1, 1)
    book.properties.created = book.properties.modified = fixed
    book.save(path)
    _normalise_zip(path)


def _normalise_zip(path: Path) -> None:
    """Rewrite a zip with fixed timestamps and no 'modified now' metadata, so bytes repeat for a seed."""
    import re
    import zipfile

    items = []
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            data = z.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>",
                    b'<dcterms:modified xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z</dcterms:modified>',
                    data,
                )
            items.append((info.filename, data))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in items:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def _truth_links(
    workers: pd.DataFrame, participants: pd.DataFrame, start: pd.Timestamp
) -> pd.DataFrame:
    """For clean roster rows: registered/active/effective from the participant records that stay clean."""
    kept = participants[participants["expected"].eq("clean")]
    by_person = (
        kept.assign(active=kept["record_status"].eq("AKTIF"))
        .groupby("nik")
        .agg(active=("active", "any"), effective=("record_effective", "any"))
    )
    out = workers.join(by_person, on="nik")
    out["registered"] = out["nik"].isin(by_person.index)
    for col in ("registered", "active", "effective"):
        out[col] = out[col].fillna(False).astype(bool) & out["expected"].eq("clean")
    return out


def generate(
    period: str,
    data_dir: str | Path | None = None,
    seed: int = DEFAULT_SEED,
    businesses: int = DEFAULT_BUSINESSES,
    log: Callable[[str], None] | None = None,
    overwrite: bool = False,
    csv: bool = False,
) -> Path:
    """Write one period of synthetic raw extracts + the planted truth; returns the raw folder.

    `csv` writes every file as UTF-8 CSV, the business registry too even when small (it is XLSX
    up to `XLSX_MAX_BUSINESSES`, the rosters Windows-1252), as benchmarks want; populations above `CHUNK_BUSINESSES` are
    generated chunk by chunk, so ten million workers fit in a few GB of memory.
    """
    check_period(period)
    if businesses < 200:
        raise AnalysisError(
            "--businesses must be at least 200 so that every kind of planted dirt occurs."
        )
    paths = Paths.of(data_dir)
    out = paths.raw(period)
    if out.exists() and any(out.iterdir()):
        if not (out / DEMO_DIR).exists():
            raise AnalysisError(
                f"{out} holds files the demo generator did not write; refusing to touch it."
            )
        if not overwrite:
            raise AnalysisError(
                f"{out} already holds demo data; pass --overwrite to generate it again."
            )
        shutil.rmtree(out)
    say = log or (lambda _m: None)
    say(f"generating {businesses:,} synthetic businesses for {period} (seed {seed})")
    out.mkdir(parents=True, exist_ok=True)
    n_chunks = -(-businesses // CHUNK_BUSINESSES)
    xlsx = businesses <= XLSX_MAX_BUSINESSES and n_chunks == 1 and not csv
    names = {
        "umkm": "umkm.xlsx" if xlsx else "umkm.csv",
        "tenaga_kerja": "tenaga_kerja.csv",
        "peserta_bpjstk": "peserta_bpjstk.csv",
        "survei_kesadaran": "survei_kesadaran.csv",
    }
    (out / DEMO_DIR).mkdir()
    sizes = [businesses // n_chunks + (i < businesses % n_chunks) for i in range(n_chunks)]
    logit = None
    if n_chunks > 1:  # one spatial pattern for the whole population
        logit = _coverage_logit(
            units("surakarta", paths.reference), paths.reference, np.random.default_rng(seed)
        )
    rows = dict.fromkeys(names, 0)
    truth_writer = None
    try:
        for c, size in enumerate(sizes):
            rng = np.random.default_rng(seed if n_chunks == 1 else [seed, c + 1])
            chunk = _Chunk(businesses, 1 + sum(sizes[:c]), 120 * c, logit, c == 0)
            texts, truth = _generate_chunk(rng, period, size, paths.reference, chunk)
            for stem, text in texts.items():
                if text is None:
                    continue
                truth_part = truth[truth["file"].eq(stem)]
                truth.loc[truth_part.index, "source_row"] += rows[stem]
                if stem == "umkm":
                    text["No"] = np.arange(1, len(text) + 1) + rows[stem]
                _write_text(out / names[stem], text, stem, period, xlsx, rows[stem] == 0, csv)
                rows[stem] += len(text)
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(truth, preserve_index=False)
            if truth_writer is None:
                truth_writer = pq.ParquetWriter(out / DEMO_DIR / "truth.parquet", table.schema)
            truth_writer.write_table(table.cast(truth_writer.schema))
            say(
                f"chunk {c + 1}/{n_chunks}: {rows['umkm']:,} business rows, {rows['tenaga_kerja']:,} roster rows, "
                f"{rows['peserta_bpjstk']:,} participant records, {rows['survei_kesadaran']:,} survey answers"
            )
    finally:
        if truth_writer is not None:
            truth_writer.close()
    say(f"wrote {', '.join(names.values())} to {out}")
    manifest = {
        "period": period,
        "seed": seed,
        "businesses": businesses,
        "dirt_rates": DIRT,
        "note": "Synthetic people only, generated by 'python -m analysis demo-data'. Not real data.",
        "files": {name: sha256_file(out / name) for name in sorted(names.values())},
    }
    (out / DEMO_DIR / "manifest.json").write_text(
        json.dumps(manifest, indent=2) + "\n", encoding="utf-8"
    )
    return out


def _write_text(
    path: Path,
    text: pd.DataFrame,
    stem: str,
    period: str,
    xlsx: bool,
    first: bool,
    plain: bool = False,
) -> None:
    """Write (or append) one file's text rows the way its source system exports them
    (`plain`: every file as UTF-8 CSV, for benchmarks and other tools)."""
    if stem == "umkm" and xlsx:
        _write_xlsx(path, text, period)
        return
    sep, encoding = {
        "umkm": (";", "utf-8"),
        "tenaga_kerja": (";", "utf-8" if plain else "cp1252"),
        "peserta_bpjstk": (",", "utf-8-sig" if first else "utf-8"),
        "survei_kesadaran": (",", "utf-8"),
    }[stem]
    text.to_csv(
        path,
        index=False,
        sep=sep,
        encoding=encoding,
        errors="replace",
        mode="w" if first else "a",
        header=first,
    )


def _generate_chunk(
    rng: np.random.Generator, period: str, businesses: int, ref: Path, chunk: _Chunk
) -> tuple[dict[str, pd.DataFrame | None], pd.DataFrame]:
    """The text rows of each file and their truth, for one chunk of the synthetic population."""
    world = _world(rng, period, businesses, ref, chunk)
    umkm_text, umkm_truth = _umkm(world, rng).finish()
    first = umkm_truth[~umkm_truth["expected"].isin(["duplicate", "duplicate_key"])]
    clean_ids = set(first.loc[first["expected"].eq("clean"), "id_umkm"])
    workers_text, workers_truth = _workers(world, rng, clean_ids).finish()
    part_text, part_truth = _participants(world, rng).finish()
    survey_text, survey_truth = _survey(world, rng).finish() if chunk.survey else (None, None)
    workers_truth = _truth_links(workers_truth, part_truth, world["start"])

    # `key` joins the truth to processed rows: id_umkm, the demo-key HMAC of the NIK, or id_responden
    umkm_truth["key"] = umkm_truth["id_umkm"]
    workers_truth["key"] = hmac_hex(workers_truth["nik"].tolist(), DEMO_KEY)
    part_truth["key"] = hmac_hex(part_truth["nik"].tolist(), DEMO_KEY)
    parts = [("umkm", umkm_truth), ("tenaga_kerja", workers_truth), ("peserta_bpjstk", part_truth)]
    if survey_truth is not None:
        survey_truth["key"] = survey_text["ID Responden"]
        parts.append(("survei_kesadaran", survey_truth))
    truth = pd.concat([t.assign(file=stem) for stem, t in parts], ignore_index=True)
    truth = truth[
        [
            "file",
            "source_row",
            "expected",
            "key",
            "kode_kelurahan",
            "dirt",
            "registered",
            "active",
            "effective",
        ]
    ]
    truth[["registered", "active", "effective"]] = truth[
        ["registered", "active", "effective"]
    ].astype("boolean")
    truth["kode_kelurahan"] = truth["kode_kelurahan"].astype("str")
    texts = {
        "umkm": umkm_text,
        "tenaga_kerja": workers_text,
        "peserta_bpjstk": part_text,
        "survei_kesadaran": survey_text,
    }
    return texts, truth


def load_truth(raw_dir: Path) -> pd.DataFrame:
    """The planted truth of a demo folder (tests compare the cleaning with it)."""
    return pd.read_parquet(raw_dir / DEMO_DIR / "truth.parquet")
