"""The contribution rules as dated reference tables, loaded once: which rule, limit, discount,
wage cap and firm-size phasing holds on a day, and a consistency check of the tables.

Every rate, flat amount, income limit, bracket, JP wage cap, discount window and firm-size
phasing is a row of a CSV in the reference folder with `valid_from`/`valid_to` (inclusive; empty
`valid_to` = still in force) and its regulation and source (docs/facts.md §1, §2):

- `contribution_rules.csv`      segment (BPU/PU), programme, party, risk group, scheme, rate or flat amount
- `contribution_discounts.csv`  temporary discounts (PP 49/2020, PP 50/2025) by segment, programme, sector
- `bpu_income_limits.csv`       the declared-income floor and ceiling for BPU
- `bpu_income_brackets.csv`     PP 44/2015 Lampiran II brackets (empty until an analyst adds them)
- `pu_programmes_by_firm_size.csv`  programmes a wage worker's employer must pay by firm size
- `jp_wage_cap.csv`             the JP wage ceiling by date
- `umk.csv`                     minimum wages (UMK/UMP) by region and year (read by
                                `analysis.reference.minimum_wage`; checked here with the rest)

Amounts are kept as integer millionths (rates) and sen (money) so that the arithmetic in
`analysis.metrics.contributions` is exact.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from analysis.paths import PROJECT_REFERENCE_DIR
from analysis.reference import (
    MINIMUM_WAGE_FILE,
    UNKNOWN,
    as_date,
    in_force,
    minimum_wages,
    read_dated,
    read_table,
    validity_span,
)

FILES = {
    "rules": "contribution_rules.csv",
    "discounts": "contribution_discounts.csv",
    "limits": "bpu_income_limits.csv",
    "brackets": "bpu_income_brackets.csv",
    "phasing": "pu_programmes_by_firm_size.csv",
    "jp_cap": "jp_wage_cap.csv",
    "umk": MINIMUM_WAGE_FILE,
    "sectors": "sectors.csv",
}


#: Firm-size names as the registry writes them (classes.size_class) → the names the rules use.
FIRM_SIZE_ALIASES = {"mikro": "micro", "kecil": "small", "menengah": "medium", "besar": "large"}


#: The sector kinds PP 50/2025 distinguishes; a sector code from sectors.csv maps to one of them.
SECTOR_KINDS = ("transport", "non-transport")


DISCOUNT_IN_FORCE = "in_force"


PPM = 10**6  # rates and discounts as integer millionths


SEN = 100  # money as integer sen before rounding to whole Rupiah


@dataclass(frozen=True)
class RuleBook:
    """All contribution tables of one reference folder, typed (dates as Timestamps, rates in millionths)."""

    rules: pd.DataFrame
    discounts: pd.DataFrame
    limits: pd.DataFrame
    brackets: pd.DataFrame
    phasing: pd.DataFrame
    jp_cap: pd.DataFrame
    umk: pd.DataFrame
    transport_sectors: frozenset[str]
    sector_codes: frozenset[str]
    rule_rows: tuple = ()  # the same rows as records, for fast lookups
    discount_rows: tuple = ()


def _ppm(text: str, what: str) -> int:
    """A decimal fraction in text ('0.0024') as integer millionths; finer rates are a data error."""
    try:
        value = Decimal(text) * PPM
    except InvalidOperation:
        raise ValueError(f"{what}: {text!r} is not a number") from None
    if value != value.to_integral_value():
        raise ValueError(f"{what}: {text!r} is finer than one millionth")
    return int(value)


def _sen_text(text: str, what: str) -> int:
    try:
        value = Decimal(text) * SEN
    except InvalidOperation:
        raise ValueError(f"{what}: {text!r} is not an amount") from None
    return int(value.to_integral_value())


def _load(ref: Path) -> RuleBook:
    def dated(key: str) -> pd.DataFrame:
        return read_dated(FILES[key], ref)

    rules = dated("rules")
    rules["rate_ppm"] = [
        _ppm(r, f"{FILES['rules']} rate") if b == "rate" else 0
        for r, b in zip(rules["rate"], rules["basis"], strict=True)
    ]
    rules["amount_sen"] = [
        _sen_text(a, f"{FILES['rules']} amount") if b == "flat" else 0
        for a, b in zip(rules["amount"], rules["basis"], strict=True)
    ]
    bad = set(rules["basis"]) - {"rate", "flat"}
    if bad:
        raise ValueError(f"{FILES['rules']}: basis must be 'rate' or 'flat', not {sorted(bad)}")
    discounts = dated("discounts")
    discounts["off_ppm"] = [_ppm(x, "share_off") for x in discounts["share_off"]]
    discounts["excludes_budget_paid"] = discounts["excludes_budget_paid"].str.lower().eq("true")
    limits = dated("limits")
    for col in ("income_min", "income_max"):
        limits[col + "_sen"] = [_sen_text(x, col) for x in limits[col]]
    brackets = dated("brackets")
    for col in ("income_from", "income_to", "base_income"):
        brackets[col + "_sen"] = [_sen_text(x, col) if x else None for x in brackets[col]]
    if (brackets["base_income"] == "").any() or (brackets["income_from"] == "").any():
        raise ValueError(f"{FILES['brackets']}: every bracket needs income_from and base_income")
    phasing = dated("phasing")
    jp_cap = dated("jp_cap")
    jp_cap["cap_sen"] = [_sen_text(x, "wage_cap") for x in jp_cap["wage_cap"]]
    umk = minimum_wages(ref)
    sectors = read_table(FILES["sectors"], ref)
    transport = sectors.loc[sectors["transport"].str.lower().eq("true"), "sektor"]
    return RuleBook(
        rules,
        discounts,
        limits,
        brackets,
        phasing,
        jp_cap,
        umk,
        frozenset(transport),
        frozenset(sectors["sektor"]),
        _records(rules),
        _records(discounts),
    )


def _records(table: pd.DataFrame) -> tuple[SimpleNamespace, ...]:
    """Rows as records (valid_to None when open) for lookups without pandas overhead."""
    rows = []
    for rec in table.to_dict("records"):
        rec["valid_to"] = None if pd.isna(rec["valid_to"]) else rec["valid_to"]
        rows.append(SimpleNamespace(**rec))
    return tuple(rows)


def live_rows(rows, on: pd.Timestamp) -> list:
    return [r for r in rows if r.valid_from <= on and (r.valid_to is None or on <= r.valid_to)]


@lru_cache(maxsize=8)
def _cached(ref: str, stamps: tuple) -> RuleBook:
    return _load(Path(ref))


def rulebook(reference_dir: Path | None = None) -> RuleBook:
    """The contribution tables of a reference folder (re-read when a file changes)."""
    ref = Path(reference_dir) if reference_dir is not None else PROJECT_REFERENCE_DIR
    stamps = tuple(
        os.stat(ref / f).st_mtime_ns if (ref / f).exists() else None for f in FILES.values()
    )
    return _cached(str(ref), stamps)


def kinds_of_sectors(sector, n: int, book: RuleBook) -> np.ndarray:
    """'transport'/'non-transport' per row from a kind or a sector code of sectors.csv."""
    values = pd.Series([sector] * n) if isinstance(sector, str) else pd.Series(sector)
    if len(values) != n:
        raise ValueError("sector must be one value or one per income")
    values = values.astype("object").where(values.notna(), UNKNOWN)
    values = values.where(values != UNKNOWN, "non-transport").astype(str)
    kinds = np.where(values.isin(SECTOR_KINDS), values, "")
    codes = values.isin(book.sector_codes).to_numpy()
    kinds = np.where(
        codes, np.where(values.isin(book.transport_sectors), "transport", "non-transport"), kinds
    )
    unknown = kinds == ""
    if unknown.any():
        known = ", ".join([*SECTOR_KINDS, *sorted(book.sector_codes)])
        raise ValueError(f"unknown sector {values[unknown].iloc[0]!r}; use one of: {known}")
    return kinds


def sector_kinds(sector: pd.Series, reference_dir: Path | None = None) -> pd.Series:
    """'transport' or 'non-transport' (PP 50/2025) for a column of sector codes of sectors.csv.

    A missing or unknown-sector ('tidak_diketahui') value counts as non-transport; any other
    value that is neither a kind nor a code of sectors.csv is an error.
    """
    s = as_series(sector)
    return pd.Series(kinds_of_sectors(s, len(s), rulebook(reference_dir)), index=s.index)


def minimum_income(on, reference_dir: Path | None = None) -> float:
    """The lowest declared income the BPU rules accept on a date (Rp1.000.000 since PP 44/2015)."""
    return income_limits(on, reference_dir)[0]


def income_limits(on, reference_dir: Path | None = None) -> tuple[float, float]:
    """(lowest, highest) declared income the BPU rules use on a date (Rp1.000.000 and Rp20.700.000)."""
    book = rulebook(reference_dir)
    day = as_date(on)
    limits = book.limits[in_force(book.limits, day)]
    if limits.empty:
        raise ValueError(f"{day:%Y-%m-%d} is outside the BPU income limits in {FILES['limits']}")
    row = limits.iloc[0]
    return int(row["income_min_sen"]) / SEN, int(row["income_max_sen"]) / SEN


def firm_size_name(firm_size: str, book: RuleBook) -> str:
    size = FIRM_SIZE_ALIASES.get(str(firm_size).strip().lower(), str(firm_size).strip().lower())
    known = sorted(set(book.phasing["firm_size"]))
    if size not in known:
        raise ValueError(
            f"unknown firm size {firm_size!r}; use one of {', '.join(known)} "
            f"(or {', '.join(FIRM_SIZE_ALIASES)})"
        )
    return size


def pu_programs(firm_size: str, on, reference_dir: Path | None = None) -> tuple[str, ...]:
    """Programmes an employer must pay for a wage worker by firm size (Perpres 109/2013 phasing)."""
    book = rulebook(reference_dir)
    day = as_date(on)
    size = firm_size_name(firm_size, book)
    rows = book.phasing[book.phasing["firm_size"] == size]
    live = rows[in_force(rows, day)]
    if live.empty:
        raise ValueError(
            f"{day:%Y-%m-%d} is outside the firm-size phasing in {FILES['phasing']} "
            f"(it covers {validity_span(rows)})"
        )
    return tuple(live["programs"].iloc[0].split("|"))


def jp_wage_cap(on, reference_dir: Path | None = None) -> float:
    """The JP wage ceiling on a date (PP 45/2015 Pasal 29); ValueError when the table has no cap for it."""
    book = rulebook(reference_dir)
    day = as_date(on)
    live = book.jp_cap[in_force(book.jp_cap, day)]
    if live.empty:
        raise ValueError(
            f"no JP wage cap in {FILES['jp_cap']} covers {day:%Y-%m-%d} (it covers "
            f"{validity_span(book.jp_cap)}); add that year's cap (PP 45/2015 Pasal 29) to compute JP"
        )
    return int(live["cap_sen"].iloc[0]) / SEN


def discount_windows(
    segment: str = "BPU", regulation: str | None = None, reference_dir: Path | None = None
) -> pd.DataFrame:
    """Discount windows (one row per regulation and sector): share off, first and last day, programmes."""
    d = rulebook(reference_dir).discounts
    d = d[d["segment"].isin(["all", segment])]
    if regulation is not None:
        d = d[d["regulation"] == regulation]
    out = (
        d.groupby(["regulation", "sector", "valid_from", "valid_to"], sort=False)
        .agg(
            share_off=("off_ppm", lambda x: x.iloc[0] / PPM),
            programs=("program", lambda x: "+".join(x)),
            excludes_budget_paid=("excludes_budget_paid", "first"),
        )
        .reset_index()
    )
    return out.sort_values(["valid_from", "sector"]).reset_index(drop=True)


def latest_discount(segment: str = "BPU", reference_dir: Path | None = None) -> str | None:
    """The regulation of the most recent discount for a segment (e.g. 'PP 50/2025'), None if none."""
    w = discount_windows(segment, reference_dir=reference_dir)
    return None if w.empty else str(w.sort_values("valid_from")["regulation"].iloc[-1])


def rules_in_force(on, segment: str, reference_dir: Path | None = None) -> pd.DataFrame:
    """The contribution rule rows of a segment in force on a date (standard scheme), for the report's method section."""
    book = rulebook(reference_dir)
    day = as_date(on)
    r = book.rules[(book.rules["segment"] == segment) & book.rules["scheme"].isin(["", "standard"])]
    return r[in_force(r, day)].reset_index(drop=True)


def check_rules(reference_dir: Path | None = None) -> list[str]:
    """Problems in the rule tables: periods that end before they start or overlap for the same key."""
    book = rulebook(reference_dir)
    problems: list[str] = []
    keyed = {
        FILES["rules"]: (book.rules, ["segment", "program", "party", "risk_group", "scheme"]),
        FILES["discounts"]: (book.discounts, ["regulation", "segment", "program", "sector"]),
        FILES["limits"]: (book.limits, []),
        FILES["phasing"]: (book.phasing, ["firm_size"]),
        FILES["jp_cap"]: (book.jp_cap, []),
        FILES["umk"]: (book.umk, ["region_code", "kind"]),
        FILES["brackets"]: (book.brackets, ["income_from"]),
    }
    for name, (table, keys) in keyed.items():
        if table.empty:
            continue
        end = table["valid_to"].fillna(pd.Timestamp("2200-01-01"))
        backwards = table["valid_from"] > end
        problems += [
            f"{name} row {i + 2}: valid_to before valid_from" for i in np.flatnonzero(backwards)
        ]
        groups = table.assign(_end=end).groupby(keys or (lambda _i: 0), sort=False)
        for key, g in groups:
            g = g.sort_values("valid_from")
            overlap = g["valid_from"].iloc[1:].to_numpy() <= g["_end"].iloc[:-1].to_numpy()
            if overlap.any():
                problems.append(f"{name}: periods overlap for {key}")
        if "source" in table and table["source"].eq("").any():
            problems.append(f"{name}: a row has no source")
    d = book.discounts
    jht = d[d["program"] == "JHT"]
    if not jht.empty:
        problems.append(f"{FILES['discounts']}: JHT is never discounted, but a row discounts it")
    return problems


def as_series(values) -> pd.Series:
    return values if isinstance(values, pd.Series) else pd.Series(values)
