"""Linking roster workers to participation records, and the counts per kelurahan it gives."""

import numpy as np
import pandas as pd

from analysis.ingest.link import (
    PersonLinks,
    kelurahan_counts,
    link_counts,
    person_status,
    sum_link_counts,
)

UNITS = pd.DataFrame(
    {
        "kode_kelurahan": ["33.72.01.1001", "33.72.01.1002", "33.72.02.1001"],
        "kelurahan": ["A", "B", "C"],
        "kode_kecamatan": ["33.72.01", "33.72.01", "33.72.02"],
        "kecamatan": ["K1", "K1", "K2"],
    }
)


def test_a_person_counts_once_whatever_their_records():
    records = pd.DataFrame(
        {
            "_nik": [11, 11, 22, 33],
            "segmen": ["PU", "BPU", "BPU", None],
            "status": ["NONAKTIF", "AKTIF", "AKTIF", "NONAKTIF"],
            "effective": [False, True, False, False],
            "iuran_terakhir": pd.to_datetime(["2026-01-01", "2026-10-01", "2026-08-01", None]),
        }
    )
    links = PersonLinks(person_status(records))
    workers = pd.DataFrame(
        {"kode_kelurahan": ["33.72.01.1001"] * 3 + ["33.72.02.1001"], "_key": [22, 11, 44, 33]}
    )
    linked = links.link(workers)
    assert links.people == 3
    assert linked["registered"].tolist() == [True, True, False, True]
    assert linked["active"].tolist() == [True, True, False, False]
    assert linked["effective"].tolist() == [False, True, False, False]
    assert linked["segmen"].tolist()[:2] == ["BPU", "BPU+PU"]
    assert linked["segmen"].isna().tolist() == [False, False, True, True]  # none held; not in it
    assert np.isnat(linked["paid_through"].to_numpy()[2])
    counts = sum_link_counts([link_counts(linked[:2]), link_counts(linked[2:])])
    assert counts.set_index("kode_kelurahan").to_dict("index") == {
        "33.72.01.1001": {"registered": 2, "active": 2, "effective": 1},
        "33.72.02.1001": {"registered": 1, "active": 0, "effective": 0},
    }
    assert sum_link_counts([]).columns.tolist() == [
        "kode_kelurahan",
        "registered",
        "active",
        "effective",
    ]


def test_every_kelurahan_is_counted_zeros_included():
    businesses = pd.DataFrame(
        {
            "id_umkm": ["U1", "U2"],
            "kode_kelurahan": ["33.72.01.1001", "33.72.01.1001"],
            "workers": [3, 5],
            "roster_workers": [2, 5],
        }
    )
    workers = pd.DataFrame(
        {"kode_kelurahan": ["33.72.01.1001"], "registered": [4], "active": [2], "effective": [1]}
    )
    out = kelurahan_counts(businesses, workers, UNITS).set_index("kelurahan")
    assert out.loc["A", ["businesses", "workers", "roster_workers", "effective"]].tolist() == [
        2,
        8,
        7,
        1,
    ]
    assert out.loc["A", "effective_rate"] == 1 / 8
    assert out.loc["B", ["businesses", "workers", "registered"]].tolist() == [0, 0, 0]
    assert pd.isna(out.loc["C", "registered_rate"])
