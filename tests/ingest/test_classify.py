"""Size classes by the regulation in force on the registration date (hand-computed cases)."""

import numpy as np
import pandas as pd

from analysis.ingest.classify import size_class
from analysis.reference import UNKNOWN


def test_size_class_follows_the_regulation_in_force():
    cases = [  # (annual sales, registered on, class)
        (300_000_000, "2015-06-01", "mikro"),  # UU 20/2008: up to Rp300 juta
        (300_000_001, "2015-06-01", "kecil"),
        (2_000_000_000, "2021-02-01", "kecil"),  # the last day of UU 20/2008
        (2_000_000_000, "2021-02-02", "mikro"),  # PP 7/2021: up to Rp2 miliar
        (15_000_000_001, "2023-01-01", "menengah"),
        (60_000_000_000, "2023-01-01", "besar"),
        (0, "2023-01-01", "mikro"),
        (1_000_000, None, "mikro"),  # no date: the latest regulation
        (3_000_000_000, None, "kecil"),
        (np.nan, "2023-01-01", UNKNOWN),
        (-5, "2023-01-01", UNKNOWN),
        (1_000_000, "2001-01-01", UNKNOWN),  # before any regulation here
    ]
    sales = pd.Series([c[0] for c in cases], dtype="float64", index=range(10, 10 + len(cases)))
    dates = pd.to_datetime(pd.Series([c[1] for c in cases], index=sales.index))
    got = size_class(sales, dates.astype("datetime64[us]"))
    assert got.tolist() == [c[2] for c in cases]
    assert got.dtype == "str" and got.index.equals(sales.index)
