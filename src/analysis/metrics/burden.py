"""The burden tables of the affordability page, protected together as one universe.

Roster workers with an income, counted by income decile, by sector and by kelurahan (with
their kecamatan, which no table shows) and for the whole region: how many (`n`) and how many
pay more than the threshold for the cheapest package at this month's and at the full price
(`above_now`, `above_full`). Readers know that deciles, sectors and kelurahan each add up to
the region's total and that no group has more people above the threshold than people, so all
of them are protected together (`analysis.metrics.universe`); medians are hidden with their
group's count.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.metrics.affordability import Affordability, burden_by
from analysis.metrics.disclosure import Protected
from analysis.metrics.universe import Universe, universe_name
from analysis.reference import sectors

MEASURES = ("n", "above_now", "above_full")
RATES = {"above_now_rate": ("above_now", "n"), "above_full_rate": ("above_full", "n")}
MEDIANS = {"income_median": "n", "share_now_median": "n", "share_full_median": "n"}
TOTAL_KEY = "all"


@dataclass
class Burden:
    """The burden tables (deciles, sectors, kelurahan, total) and their universe."""

    decile: pd.DataFrame
    sector: pd.DataFrame
    kelurahan: pd.DataFrame
    total: pd.DataFrame
    universe: Universe

    def protected(self, level: str) -> Protected:
        """One table with the universe's states: 'decile', 'sektor', 'kelurahan' or 'total'."""
        table, key = {
            "decile": (self.decile, "decile"),
            "sektor": (self.sector, "sektor"),
            "kelurahan": (self.kelurahan, "kode_kelurahan"),
            "total": (self.total, "total"),
        }[level]
        return self.universe.protected(level, table, key, rates=RATES, hide_with=MEDIANS)


def of(a: Affordability) -> Burden:
    """The month's burden tables, made once per `Affordability`."""
    if a.burden is None:
        a.burden = _make(a)
    return a.burden


def _make(a: Affordability) -> Burden:
    r, th = a.roster, a.threshold
    decile = burden_by(r.dropna(subset=["decile"]), "decile", th)
    decile["decile"] = decile["decile"].astype("int64").astype(str)
    codes = list(sectors(a.reference_dir)["sektor"])
    codes += sorted(set(r.get("sektor", pd.Series(dtype=str)).dropna()) - set(codes))
    sector = burden_by(r, "sektor", th, groups=codes)
    sector = sector[sector["n"] > 0].reset_index(drop=True)
    u = a.units[["kode_kelurahan", "kelurahan", "kode_kecamatan", "kecamatan"]]
    kel = burden_by(r, "kode_kelurahan", th, groups=list(u["kode_kelurahan"]))
    kel = u.merge(kel, on="kode_kelurahan", how="left")
    kec = kel.groupby("kode_kecamatan", sort=False)[list(MEASURES)].sum().reset_index()
    total = burden_by(r, None, th).rename(columns={"_all": "total"})
    total["total"] = TOTAL_KEY
    uni = Universe(
        universe_name("affordability", a.region),
        a.min_cell,
        MEASURES,
        at_most=(("above_now", "n"), ("above_full", "n")),
        groups=(("above_now", "n"), ("above_full", "n")),
        min_group=a.min_group,
    )
    uni.add_rows("total", total, "total")
    uni.add_rows("kecamatan", kec, "kode_kecamatan", published=())  # no table shows them
    uni.nest("kecamatan", kec, "kode_kecamatan", "total", None)
    for level, table, key, parent, by in (
        ("decile", decile, "decile", "total", None),
        ("sektor", sector, "sektor", "total", None),
        ("kelurahan", kel, "kode_kelurahan", "kecamatan", "kode_kecamatan"),
    ):
        if len(table):
            uni.add_rows(level, table, key).nest(level, table, key, parent, by)
    return Burden(decile, sector, kel, total, uni.protect())
