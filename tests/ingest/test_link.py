"""Linking roster workers to participation records, and the counts per kelurahan it gives."""

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

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


@given(
    st.lists(
        st.tuples(
            st.integers(1, 6),
            st.sampled_from(["PU", "BPU", "JAKON", None]),
            st.sampled_from(["AKTIF", "NONAKTIF"]),
            st.booleans(),
            st.sampled_from([None, "2025-01-01", "2026-09-01", "2026-10-01"]),
        ),
        max_size=25,
    )
)
def test_person_status_equals_pandas_groupby(rows):
    records = pd.DataFrame(
        {
            "_nik": pd.Series([r[0] for r in rows], dtype="int64"),
            "segmen": pd.Series([r[1] for r in rows], dtype="str"),
            "status": pd.Series([r[2] for r in rows], dtype="str"),
            "effective": pd.Series([r[3] for r in rows], dtype=bool),
            "iuran_terakhir": pd.to_datetime(pd.Series([r[4] for r in rows])).astype(
                "datetime64[us]"
            ),
        }
    )
    seg = records["segmen"]
    by = pd.DataFrame(
        {
            "_nik": records["_nik"],
            "active": records["status"].eq("AKTIF"),
            "effective": records["effective"],
            "paid_through": records["iuran_terakhir"],
            **{n: seg.eq(n).fillna(False).astype(bool) for n in ("BPU", "JAKON", "PU")},
        }
    ).groupby("_nik")
    expected = by.agg(
        active=("active", "any"),
        effective=("effective", "any"),
        paid_through=("paid_through", "max"),
    )
    held = by[["BPU", "JAKON", "PU"]].any()
    expected["segmen"] = pd.Series(
        [
            "+".join(n for n in ("BPU", "JAKON", "PU") if row[n]) or None
            for _, row in held.iterrows()
        ],
        index=held.index,
        dtype="str",
    )
    pd.testing.assert_frame_equal(person_status(records), expected)
