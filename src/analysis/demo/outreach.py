"""The demo outreach campaign: a sosialisasi log and the rise in registrations it causes (the
planted effect the outreach page must recover), behind the generator option `outreach`.

The campaign runs over the demo month and the three before it (the months `make data` writes):
each month five kelurahan not yet visited get their first visit, and a visited kelurahan now and
then a second one. A kelurahan's first visit, on day d of month g with a attendees, raises its
new registrations by a Poisson number with mean `effect × a / REFERENCE_ATTENDEES` in month g
(after day d) and in every month after: extra BPU records of roster workers who had none.

Every draw comes from streams of its own (the seed with OUTREACH_STREAM, the kelurahan and the
month), never from the world's generator: the campaign is the same whichever month is generated,
and the other files stay byte-identical — the participant extract only gains rows at its end.
`effect = 0` writes the log and plants nothing (the null the page must find).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.demo.dirt import KELURAHAN_PREFIXES, outside_names, place_key
from analysis.demo.files import participant_text
from analysis.demo.words import MONTH_ABBR, MONTH_FULL, pick
from analysis.demo.world import World
from analysis.paths import DEMO_PERIOD

#: The campaign's random streams are (seed, OUTREACH_STREAM, …): apart from the world's.
OUTREACH_STREAM = 18
#: The campaign's months, counted from the demo month (2026-07 … 2026-10).
CAMPAIGN_MONTHS = range(-3, 1)
FIRST_VISITS_PER_MONTH = 5
SECOND_VISITS_PER_MONTH = 1
#: The planted effect is per visit of this many attendees (more people, proportionally more).
REFERENCE_ATTENDEES = 30
#: What `make data` plants: extra registrations a month per visited kelurahan at 30 attendees.
DEFAULT_EFFECT = 2.0
KINDS = {
    "sosialisasi": ["Sosialisasi BPJS Ketenagakerjaan", "Sosialisasi", "Penyuluhan jaminan sosial"],
    "pendaftaran": ["Jemput bola pendaftaran", "Sosialisasi dan pendaftaran", "Gerai pendaftaran"],
    "pendampingan": ["Pendampingan door to door", "Kunjungan usaha", "Pendampingan"],
}
KIND_SHARES = [0.6, 0.25, 0.15]
WEEKDAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
NOTES = [
    "Narasumber BPJS Ketenagakerjaan Cabang Surakarta",
    "Bersama Dinas Koperasi dan UKM",
    "Di balai kelurahan",
    "",
]
#: The log's own dirt, per month: one activity held just outside the city, one row typed twice.
LOG_DIRT = {"outside_region": 1, "exact_duplicate": 1}


@dataclass(frozen=True)
class Outreach:
    """The generator option: write the month's outreach log and plant `effect` extra registrations
    a month per visited kelurahan (at REFERENCE_ATTENDEES attendees; 0 = no effect)."""

    effect: float = DEFAULT_EFFECT
    seed: int = 2019


def _shift(period: str, months: int) -> str:
    return (pd.Period(period, "M") + months).strftime("%Y-%m")


def campaign(seed: int, units_: pd.DataFrame) -> pd.DataFrame:
    """Every activity of the demo campaign, oldest first: day, kelurahan, kind, attendees,
    businesses reached and whether it is the kelurahan's first visit. The same for every month."""
    rng = np.random.default_rng([seed, OUTREACH_STREAM])
    codes = units_["kode_kelurahan"].to_numpy()
    order = list(rng.permutation(codes))
    rows, visited = [], []
    for k in CAMPAIGN_MONTHS:
        start = pd.Timestamp(f"{_shift(DEMO_PERIOD, k)}-01")
        firsts = [order.pop() for _ in range(FIRST_VISITS_PER_MONTH)]
        seconds = (
            list(rng.choice(visited, SECOND_VISITS_PER_MONTH, replace=False)) if visited else []
        )
        for code in firsts + seconds:
            attendees = int(np.clip(round(np.exp(rng.normal(np.log(30), 0.45))), 8, 120))
            rows.append(
                {
                    "tanggal": start + pd.Timedelta(days=int(rng.integers(0, 27))),
                    "kode_kelurahan": code,
                    "kegiatan": pick(rng, list(KINDS), 1, p=KIND_SHARES)[0],
                    "peserta": attendees,
                    "usaha": int(rng.binomial(attendees, 0.7)),
                    "first": code in firsts,
                }
            )
        visited += firsts
    return pd.DataFrame(rows).sort_values("tanggal", kind="stable").reset_index(drop=True)


def planted(seed: int, log: pd.DataFrame, period: str, effect: float) -> pd.DataFrame:
    """The planted extra registrations up to `period`: one row per visited kelurahan and month from
    its first visit on, with the expected number (`expected`), the number drawn (`planted`), and
    the first registration day allowed (the visit's day in its month, else the 1st)."""
    first = log[log["first"] & log["tanggal"].dt.strftime("%Y-%m").le(period)]
    rows = []
    for i, visit in enumerate(first.itertuples()):
        g = visit.tanggal.strftime("%Y-%m")
        s = g
        while s <= period:
            lam = effect * visit.peserta / REFERENCE_ATTENDEES
            month_no = pd.Period(s, "M").ordinal
            draw = np.random.default_rng([seed, OUTREACH_STREAM, i, month_no]).poisson(lam)
            rows.append(
                {
                    "kode_kelurahan": visit.kode_kelurahan,
                    "bulan": s,
                    "first_visit": g,
                    "peserta": visit.peserta,
                    "expected": lam,
                    "planted": int(draw),
                    "from_day": visit.tanggal if s == g else pd.Timestamp(f"{s}-01"),
                }
            )
            s = _shift(s, 1)
    columns = ["kode_kelurahan", "bulan", "first_visit", "peserta", "expected", "planted"]
    return pd.DataFrame(rows, columns=[*columns, "from_day"])


# ---------------------------------------------------------------- the log file


def _day_text(rng: np.random.Generator, days: pd.Series) -> np.ndarray:
    """Days as activity reports write them: 'Senin, 5 Oktober 2026', '05/10/2026', '5-Okt-2026'."""
    style = rng.choice(3, size=len(days), p=[0.4, 0.4, 0.2])
    out = []
    for s, d in zip(style, days, strict=True):
        if s == 0:
            out.append(f"{WEEKDAYS[d.weekday()]}, {d.day} {MONTH_FULL[d.month].title()} {d.year}")
        elif s == 1:
            out.append(d.strftime("%d/%m/%Y"))
        else:
            out.append(f"{d.day}-{MONTH_ABBR[d.month].title()}-{d.year}")
    return np.array(out, dtype=object)


def log_file(
    seed: int, world: World, log: pd.DataFrame, period: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The month's outreach log as the Dinas types it (text rows) and the truth of every row."""
    rng = np.random.default_rng([seed, OUTREACH_STREAM, pd.Period(period, "M").ordinal])
    rows = log[log["tanggal"].dt.strftime("%Y-%m").eq(period)].reset_index(drop=True)
    u = world.units.set_index("kode_kelurahan")
    n = len(rows)
    kel = u["kelurahan"].reindex(rows["kode_kelurahan"]).to_numpy(dtype=object)
    alias = u["aliases"].fillna("").reindex(rows["kode_kelurahan"]).str.split("|").str[0]
    kel = np.where((alias != "").to_numpy() & (rng.random(n) < 0.5), alias, kel)
    kel = np.where(rng.random(n) < 0.3, pick(rng, KELURAHAN_PREFIXES, n) + kel, kel)
    text = pd.DataFrame(
        {
            "Hari/Tanggal": _day_text(rng, rows["tanggal"]),
            "Kelurahan": kel,
            "Kecamatan": np.where(
                rng.random(n) < 0.6, u["kecamatan"].reindex(rows["kode_kelurahan"]), ""
            ),
            "Jenis Kegiatan": [pick(rng, KINDS[k], 1)[0] for k in rows["kegiatan"]],
            "Jumlah Peserta": [
                f"{p} orang" if r < 0.4 else str(p)
                for p, r in zip(rows["peserta"], rng.random(n), strict=True)
            ],
            "Jumlah UMKM": rows["usaha"].astype(str).to_numpy(),
            "Keterangan": pick(rng, NOTES, n),
        }
    )
    truth = pd.DataFrame(
        {
            "expected": "clean",
            "key": [f"{period}-{i + 1:02d}" for i in range(n)],
            "kode_kelurahan": rows["kode_kelurahan"].to_numpy(dtype=object),
            "dirt": "",
        }
    )
    return _dirty_log(rng, world, text, truth, period)


def _dirty_log(
    rng: np.random.Generator, world: World, text: pd.DataFrame, truth: pd.DataFrame, period: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Number the rows and add the log's planted dirt (LOG_DIRT): an activity held just outside
    the city, and a row typed twice."""
    text.insert(0, "No", np.arange(1, len(text) + 1))
    if len(text):
        outside = outside_names(world.gazetteer, [place_key(n) for n in world.units["kelurahan"]])
        name, kec = outside[int(rng.integers(0, len(outside)))]
        away = text.iloc[[0]].assign(
            No=len(text) + 1,
            Kelurahan=name,
            Kecamatan=kec,
            **{"Hari/Tanggal": f"15/{period[5:]}/{period[:4]}"},
        )
        twice = text.iloc[[int(rng.integers(0, len(text)))]]
        text = pd.concat([text, away, twice], ignore_index=True)
        dirt = pd.DataFrame(
            {
                "expected": ["outside_region", "duplicate"],
                "key": ["", ""],
                "kode_kelurahan": [None, None],
                "dirt": ["activity outside the city", "exact duplicate row"],
            }
        )
        truth = pd.concat([truth, dirt], ignore_index=True)
    truth.insert(0, "source_row", np.arange(1, len(truth) + 1))
    return text, truth


# ---------------------------------------------------------------- the planted registrations


def extra_records(
    seed: int,
    world: World,
    effects: pd.DataFrame,
    roster_truth: pd.DataFrame,
    records_truth: pd.DataFrame,
    period: str,
) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    """The planted registrations as participant-extract rows (appended after the others; None when
    there are none) and their truth: roster workers of the visited kelurahan with no record at all, clean roster rows only,
    each joining on a day of their month after the visit, active and paid up to the period."""
    rng = np.random.default_rng([seed, OUTREACH_STREAM, 0, pd.Period(period, "M").ordinal])
    clean = roster_truth[roster_truth["expected"].eq("clean")].drop_duplicates("nik")
    free = clean[~clean["nik"].isin(records_truth["nik"])]
    names = world.workers.set_index("nik")["nama"]
    start, end = world.start, world.end
    chosen, joined = [], []
    for e in effects[effects["planted"] > 0].itertuples():
        pool = free[free["kode_kelurahan"].eq(e.kode_kelurahan) & ~free["nik"].isin(chosen)]
        n = min(int(e.planted), len(pool))
        chosen += list(pool["nik"].to_numpy()[rng.choice(len(pool), n, replace=False)])
        last = min(pd.Timestamp(f"{e.bulan}-01") + pd.offsets.MonthEnd(0), end)
        span = max((last - e.from_day).days, 0)
        joined += [e.from_day + pd.Timedelta(days=int(d)) for d in rng.integers(0, span + 1, n)]
    n_rec = len(chosen)
    rec = pd.DataFrame(
        {
            "kpj": (9 * 10**10 + rng.choice(10**9, size=len(chosen), replace=False)).astype(str),
            "nik": pd.Series(chosen, dtype=object),
            "nama": names.reindex(chosen).to_numpy(),
            "segmen": np.full(n_rec, "BPU", dtype=object),
            "program": np.full(n_rec, "JKK;JKM", dtype=object),
            "upah": np.full(n_rec, 1_000_000, dtype="int64"),
            "joined": pd.to_datetime(pd.Series(joined, dtype="datetime64[ns]")),
            "status": np.full(n_rec, "AKTIF", dtype=object),
            "paid": pd.Series(np.full(n_rec, start, dtype="datetime64[ns]")),
        }
    )
    truth = pd.DataFrame(
        {
            "expected": "clean",
            "kode_kelurahan": None,
            "dirt": "",
            "nik": rec["nik"],
            "record_status": "AKTIF",
            "record_effective": True,
        }
    )
    return (participant_text(rec, rng) if n_rec else None), truth
