"""The outreach panel from hand-made months: new registrations counted from first registration
days, visits from the logs of every month (an activity in two logs counts once), and what the
page is told when there is no log or only one month."""

import json
import shutil

import numpy as np
import pandas as pd

from analysis.metrics import outreach
from analysis.month import Month

from conftest import PERIOD

KEL = ["33.72.01.1001", "33.72.01.1002", "33.72.02.1001"]


def activity(day: str, code: str, people: int | None = 20, kind: str = "sosialisasi") -> dict:
    return {
        "tanggal": pd.Timestamp(day),
        "bulan": day[:7],
        "kode_kelurahan": code,
        "kode_kecamatan": code[:8],
        "kelurahan": "x",
        "kecamatan": "y",
        "kegiatan": kind,
        "peserta": people,
        "usaha": None,
        "kelurahan_match": "exact",
    }


def log_month(data, period: str, rows: list[dict], region: str = "surakarta") -> None:
    """A processed month holding only its quality.json and outreach log."""
    folder = data / "processed" / period
    folder.mkdir(parents=True)
    (folder / "quality.json").write_text(json.dumps({"region": region, "period": period}))
    frame = pd.DataFrame(rows).astype({"peserta": "Int64", "usaha": "Int64"})
    frame.to_parquet(folder / "outreach.parquet", index=False)


def test_new_registrations_count_workers_whose_first_record_falls_in_the_month():
    workers = pd.DataFrame(
        {"nik_hash": ["a", "b", "c", "d", "e"], "kode_kelurahan": [KEL[0]] * 3 + [KEL[1]] * 2}
    )
    participants = pd.DataFrame(
        {
            "nik_hash": ["a", "b", "b", "c", "d", "z"],
            "tgl_kepesertaan": pd.to_datetime(
                ["2026-10-03", "2026-10-09", "2019-01-01", "2026-09-30", "2026-10-31", "2026-10-01"]
            ),
        }
    )
    got = outreach.new_registrations(workers, participants, "2026-10")
    # a: new; b: first registered in 2019; c: September; d: new; e: never; z: on no roster
    assert got.to_dict() == {KEL[0]: 1, KEL[1]: 1}
    # a month whose participant extract has no records: nobody is new (it used to stop the page)
    none = participants.iloc[:0]
    assert outreach.new_registrations(workers, none, "2026-10").empty


def test_an_activity_in_two_months_logs_counts_once_and_later_or_other_regions_are_left_out(
    tmp_path,
):
    data = tmp_path / "data"
    aug = [activity("2026-08-05", KEL[0], 30), activity("2026-08-20", KEL[1], None)]
    log_month(data, "2026-08", aug)
    log_month(data, "2026-09", [*aug, activity("2026-09-02", KEL[0], 10, "pendaftaran")])
    log_month(data, "2026-11", [activity("2026-11-02", KEL[2])])  # after the month asked for
    log_month(data, "2026-07", [activity("2026-07-02", KEL[2])], region="sukoharjo")
    month = Month.load("2026-09", data)
    log = outreach.activities(month)
    assert len(log) == 3 and list(log["bulan"]) == ["2026-08", "2026-08", "2026-09"]
    assert list(log["t"]) == [pd.Period(p, "M").ordinal for p in log["bulan"]]
    v = outreach.visits(log, month.units).set_index("kode_kelurahan")
    assert v.loc[KEL[0], ["first", "last", "activities"]].tolist() == ["2026-08", "2026-09", 2]
    assert v.loc[KEL[0], "dose"] == 30  # attendees of the first month's activities
    assert np.isnan(v.loc[KEL[1], "dose"])  # attendance not recorded
    assert pd.isna(v.loc[KEL[2], "first"]) and v.loc[KEL[2], "activities"] == 0
    assert v.loc[KEL[0], "cohort"] == pd.Period("2026-08", "M").ordinal
    assert len(v) == 54


def test_no_log_anywhere_gives_an_empty_log_and_nobody_visited(tmp_path):
    data = tmp_path / "data"
    folder = data / "processed" / PERIOD
    folder.mkdir(parents=True)
    (folder / "quality.json").write_text(json.dumps({"region": "surakarta"}))
    month = Month.load(PERIOD, data)
    log = outreach.activities(month)
    assert log.empty and {"tanggal", "bulan", "kode_kelurahan", "peserta", "t"} <= set(log.columns)
    assert outreach.visits(log, month.units)["first"].isna().all()


def test_a_month_without_a_log_says_what_it_would_need(cleaned):
    month = Month.load(PERIOD, cleaned.out_dir.parent.parent)
    r = outreach.results(month, permutations=0)
    assert r.status == "no_log" and not r.has_log and not r.enough and r.effects == {}
    assert r.months == [PERIOD] and len(r.panel) == 54
    n = r.needs
    assert n["months_now"] == 1 and n["visited_now"] == 0
    assert n["months"] >= 2 and n["months_with_visited"] == 54 // 3  # a third of the kelurahan
    assert n["visited"] is None or 2 <= n["visited"] < 54


def test_one_month_with_a_log_cannot_be_estimated_yet(cleaned, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(cleaned.out_dir, data / "processed" / PERIOD)
    folder = data / "processed" / PERIOD
    rows = [activity("2026-10-05", KEL[0], 25), activity("2026-10-06", KEL[1], 40)]
    pd.DataFrame(rows).astype({"peserta": "Int64", "usaha": "Int64"}).to_parquet(
        folder / "outreach.parquet", index=False
    )
    quality = json.loads((folder / "quality.json").read_text())
    quality["sosialisasi"] = {"file": "sosialisasi.csv"}
    (folder / "quality.json").write_text(json.dumps(quality))
    r = outreach.results(Month.load(PERIOD, data), permutations=0)
    assert r.has_log and r.status == "one_month" and len(r.this_month) == 2
    assert r.visits["first"].notna().sum() == 2
