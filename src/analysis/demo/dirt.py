"""Planted dirt: the documented rates (`DIRT`), the raw file that takes it (`RawFile`), and the
ways real extracts get text wrong (case, prefixes, spaces, typos, places outside the city,
NIKs with spaces, as floats, mangled by Excel or breaking the NIK rules).

Cosmetic dirt must be recovered by the cleaning; the rest must be quarantined under the rule
`plant` names. Every function draws from the generator it is given, in a fixed order.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from rapidfuzz.distance import Levenshtein

from analysis.demo.words import OUTSIDE_KECAMATAN, pick
from analysis.ingest.places import compact, norm_place

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

#: Kelurahan split in 2019 → the old name a business registered before then still carries.
SPLIT_PARENT = {
    "33.72.05.1001": "Kadipiro",
    "33.72.05.1014": "Kadipiro",
    "33.72.05.1015": "Kadipiro",
    "33.72.03.1002": "Semanggi",
    "33.72.03.1010": "Semanggi",
}
#: Kelurahan cells that name no place.
UNMATCHED = ["Solo", "-", "Surakarta", "Jl. Veteran", "xxx", "Kota"]
KELURAHAN_PREFIXES = ["Kel. ", "Kelurahan ", "KEL. ", "kel "]

Edit = Callable[[pd.DataFrame, np.ndarray], None]


class RawFile:
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

    def plant(self, rule: str, note: str, edit: Edit) -> np.ndarray:
        """Damage still-clean rows (the share `DIRT` gives the rule in this file) so that the
        cleaning must quarantine them under `rule`."""
        picked = self.choose(DIRT[self.stem][rule])
        if len(picked):
            edit(self.text, picked)
            self.truth.loc[picked, ["expected", "dirt"]] = [rule, note]
        return picked

    def plant_values(self, rule: str, note: str, col: str, values: str | list[str]) -> np.ndarray:
        """`plant` writing `values` (a list to draw from, or one value) into a column."""

        def edit(text: pd.DataFrame, picked: np.ndarray) -> None:
            text.loc[picked, col] = (
                pick(self.rng, values, len(picked)) if isinstance(values, list) else values
            )

        return self.plant(rule, note, edit)

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

    def duplicate_keys(self, note: str, col: str, value: str) -> None:
        """Repeat some still-clean rows further down with the same key but another `col`
        value: the cleaning must quarantine the repeat as `duplicate_key`."""
        rows = self.choose(DIRT[self.stem]["duplicate_key"])
        self.insert(rows, "duplicate_key", note, lambda c: c.__setitem__(col, value))

    def exact_duplicates(self) -> None:
        """Repeat some of the original rows, unchanged, further down the file."""
        rows = self.choose(DIRT[self.stem]["exact_duplicate"], np.ones(len(self.free), dtype=bool))
        self.insert(rows, "duplicate", "exact duplicate row")

    def finish(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The rows in file order (inserted rows in their places) and their truth, numbered."""
        idx = np.argsort(self.order, kind="stable")
        text, truth = (
            self.text.iloc[idx].reset_index(drop=True),
            self.truth.iloc[idx].reset_index(drop=True),
        )
        truth.insert(0, "source_row", np.arange(1, len(truth) + 1))
        return text, truth


# ---------------------------------------------------------------- cosmetic dirt


def case(rng: np.random.Generator, text: pd.Series, rate: float) -> pd.Series:
    """Half of `rate` of the cells in upper case, the other half in lower case."""
    r = rng.random(len(text))
    out = text.copy()
    out[r < rate / 2] = text[r < rate / 2].str.upper()
    out[(r >= rate / 2) & (r < rate)] = text[(r >= rate / 2) & (r < rate)].str.lower()
    return out


def prefixed(rng: np.random.Generator, kel: pd.Series, rate: float) -> pd.Series:
    """'Kel. ', 'Kelurahan ' … before a share of kelurahan names."""
    out = kel.copy()
    prefix = rng.random(len(out)) < rate
    out[prefix] = pick(rng, KELURAHAN_PREFIXES, int(prefix.sum())) + out[prefix]
    return out


def spaced(rng: np.random.Generator, kel: pd.Series, rate: float) -> pd.Series:
    """Doubled, leading and trailing spaces in a share of kelurahan names."""
    out = kel.copy()
    chosen = rng.random(len(out)) < rate
    out[chosen] = "  " + out[chosen].str.replace(" ", "  ") + " "
    return out


def place_key(name: str) -> str:
    """A place name as the cleaning compares it."""
    return compact(norm_place(name))


def typos(name: str, others: list[str], taken: set[str]) -> list[str]:
    """Single-letter slips of a name that stay 3+ edits from every other kelurahan and name no other place."""
    key = place_key(name)
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


def kelurahan_typos(units_: pd.DataFrame, gaz: pd.DataFrame) -> dict[str, list[str]]:
    """The safe typos of every kelurahan of the region (empty for short or crowded names)."""
    keys = [place_key(n) for n in units_["kelurahan"]]
    places = {place_key(n) for n in gaz["kelurahan"]}
    return {
        n: typos(n, [k for k in keys if k != place_key(n)], places) for n in units_["kelurahan"]
    }


def outside_names(gaz: pd.DataFrame, region_keys: list[str]) -> list[tuple[str, str]]:
    """Desa/kelurahan just outside the city whose names cannot be taken for a city kelurahan."""
    near = gaz[
        gaz["kecamatan"].isin(OUTSIDE_KECAMATAN) & ~gaz["kode_kelurahan"].str.startswith("33.72")
    ]
    out = set()
    for r in near.itertuples():
        key = place_key(r.kelurahan)
        if all(
            Levenshtein.distance(key, o) >= 3 and not o.startswith(key) and not key.startswith(o)
            for o in region_keys
        ):
            out.add((r.kelurahan, r.kecamatan))
    return sorted(out)


# ---------------------------------------------------------------- NIKs


def spaced_or_float_niks(
    rng: np.random.Generator, nik: pd.Series, spaces: float, floats: float
) -> pd.Series:
    """NIKs typed in groups of four ('3372 0101 …') or saved as float text ('…0001.0')."""
    out = nik.copy()
    r = rng.random(len(out))
    with_spaces, as_float = r < spaces, (r >= spaces) & (r < spaces + floats)
    out[with_spaces] = out[with_spaces].str.replace(r"(\d{4})(?=\d)", r"\1 ", regex=True)
    out[as_float] = out[as_float] + ".0"
    return out


def scientific(nik: str) -> str:
    """A NIK as Excel shows a 16-digit number: '3.37201E+15'."""
    return f"{float(nik):.5E}"


def excel_mangled(niks: np.ndarray) -> np.ndarray:
    """NIKs after Excel: scientific notation, every other one with a decimal comma."""
    sci = [scientific(v).replace(".", ",") if i % 2 else scientific(v) for i, v in enumerate(niks)]
    return np.array(sci, dtype=object)


def broken_niks(niks: np.ndarray) -> np.ndarray:
    """NIKs that break the NIK rules in turn: serial 0000, month 13, one digit left out while
    typing (15 digits), province 99."""
    v = pd.Series(niks)
    kind = np.arange(len(niks)) % 4
    return np.select(
        [kind == 0, kind == 1, kind == 2],
        [v.str[:12] + "0000", v.str[:8] + "13" + v.str[10:], v.str[:9] + v.str[10:]],
        "99" + v.str[2:],
    )
