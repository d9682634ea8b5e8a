"""The people behind every NIK of the synthetic world: names, valid NIKs, birth dates and the
kecamatan where they first registered, drawn as one pool (`nik_pool`) so no NIK is used twice.

Part of `make_world` (`analysis.demo.world`): each function draws from the world's one random
generator in a fixed order, so moving a draw would change every file after it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.demo.words import FEMALE, FEMALE_EXTRA, MALE, pick

#: Kecamatan (Kemendagri, 6 digits) elsewhere in Indonesia where a few people first registered.
FAR_REGIONS = ["337401", "337403", "340401", "340402", "357801", "317101", "320101", "330201"]


@dataclass
class Pool:
    """One NIK pool for roster workers, owners and participants on no roster (no NIK twice)."""

    nik: np.ndarray
    name: np.ndarray
    birth: pd.Series
    extra_from: int  # where the people on no roster start


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


def _regions(rng: np.random.Generator, n: int, home: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Kecamatan of first registration: mostly the region's own (`home`: own, near), a few
    elsewhere in Indonesia."""
    solo, near = home
    far = np.array(FAR_REGIONS)
    which = rng.choice(3, size=n, p=[0.72, 0.2, 0.08])
    out = np.where(
        which == 0, solo[rng.integers(0, len(solo), n)], near[rng.integers(0, len(near), n)]
    )
    return np.where(which == 2, far[rng.integers(0, len(far), n)], out)


def births(rng: np.random.Generator, n: int, on: pd.Timestamp, lo: int, hi: int) -> pd.Series:
    """Birth dates of people aged `lo` to `hi` on a day."""
    age_days = rng.integers(lo * 365 + 10, hi * 365, size=n)
    return pd.Series(on - pd.to_timedelta(age_days, unit="D")).dt.normalize()


def nik_pool(
    rng: np.random.Generator,
    wk: pd.DataFrame,
    B: int,
    end: pd.Timestamp,
    gaz: pd.DataFrame,
    serial_base: int,
    home: tuple[np.ndarray, np.ndarray],
) -> Pool:
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
        [wk["birth"], births(rng, B, end, 22, 65), births(rng, n_extra, end, 18, 58)],
        ignore_index=True,
    )
    nik = _niks(rng, pool_birth, pool_female, _regions(rng, len(pool_birth), home), serial_base)
    return Pool(nik, _names(rng, pool_female), pool_birth, W + B)
