"""BPJS Ketenagakerjaan contributions looked up by date from the reference tables: what a package costs a month.

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

**Rounding.** Each programme's share for each party is computed exactly (integer arithmetic on
sen and millionths), any discount applied, and then rounded to the whole Rupiah, half up; a
total is the sum of those rounded parts. This reproduces the Rp9.734 quoted for a micro-business
wage worker at the 2019 UMK (Rp1.802.700 × 0.24% = 4.326,48 → 4.326; × 0.30% = 5.408,1 →
5.408), where rounding the total instead would give Rp9.735.
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
PAYERS = ("employer", "worker")  # the parties pu_monthly adds up (not 'government')

_PPM = 10**6  # rates and discounts as integer millionths
_SEN = 100  # money as integer sen before rounding to whole Rupiah


# ------------------------------------------------------------------------- the rule tables


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
        value = Decimal(text) * _PPM
    except InvalidOperation:
        raise ValueError(f"{what}: {text!r} is not a number") from None
    if value != value.to_integral_value():
        raise ValueError(f"{what}: {text!r} is finer than one millionth")
    return int(value)


def _sen_text(text: str, what: str) -> int:
    try:
        value = Decimal(text) * _SEN
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


def _live(rows, on: pd.Timestamp) -> list:
    return [r for r in rows if r.valid_from <= on and (r.valid_to is None or on <= r.valid_to)]


@lru_cache(maxsize=8)
def _cached(ref: str, stamps: tuple) -> RuleBook:
    return _load(Path(ref))


def book_key(reference_dir: Path | None = None) -> tuple[str, tuple]:
    """The reference folder and its rule files' modification times: what results computed from
    the rules may be cached under (they change when a file does)."""
    ref = Path(reference_dir) if reference_dir is not None else PROJECT_REFERENCE_DIR
    stamps = tuple(
        os.stat(ref / f).st_mtime_ns if (ref / f).exists() else None for f in FILES.values()
    )
    return str(ref), stamps


def rulebook(reference_dir: Path | None = None) -> RuleBook:
    """The contribution tables of a reference folder (re-read when a file changes)."""
    return _cached(*book_key(reference_dir))


# ------------------------------------------------------------------------- money arithmetic


def _series(values) -> pd.Series:
    return values if isinstance(values, pd.Series) else pd.Series(values)


def _to_sen(values: pd.Series, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Amounts in Rupiah → (int64 sen, known mask); missing stays unknown; negatives are refused."""
    num = pd.to_numeric(values, errors="coerce").astype("float64")
    bad = values.notna() & num.isna()
    if bad.any():
        raise ValueError(f"{what} must be a number, not {values[bad].iloc[0]!r}")
    if (num < 0).any():
        raise ValueError(f"{what} must not be negative (got {num[num < 0].iloc[0]:,.0f})")
    if np.isinf(num).any():
        raise ValueError(f"{what} must be finite")
    known = num.notna().to_numpy()
    sen = np.where(known, np.rint(num.fillna(0).to_numpy() * _SEN), 0).astype(np.int64)
    return sen, known


def _round_half_up(num: np.ndarray, den: int) -> np.ndarray:
    """num / den rounded to the nearest integer, halves up (num ≥ 0, Python ints)."""
    return (num * 2 + den) // (2 * den)


def _component(base_sen, rate_ppm: int, keep_ppm) -> np.ndarray:
    """Rupiah of rate × base × (1 − discount), exact, then rounded half up to whole Rupiah."""
    return _round_half_up(base_sen * rate_ppm * keep_ppm, _SEN * _PPM * _PPM)


def _flat(amount_sen: int, keep_ppm) -> np.ndarray:
    return _round_half_up(amount_sen * keep_ppm, _SEN * _PPM)


# ------------------------------------------------------------------------- lookups


def _norm_programs(programs) -> tuple[str, ...]:
    if isinstance(programs, str):
        programs = [programs]
    out = tuple(dict.fromkeys(str(p).strip().upper() for p in programs))
    if not out:
        raise ValueError("choose at least one programme (e.g. JKK, JKM)")
    return out


def _rules_for(
    book: RuleBook, segment: str, programs: tuple[str, ...], on: pd.Timestamp, scheme: str
) -> list:
    """The rule rows of a segment for the programmes on a date; clear errors for unknown or uncovered ones."""
    known = sorted({r.program for r in book.rule_rows})
    seg = [r for r in book.rule_rows if r.segment == segment]
    available = sorted({r.program for r in seg})
    for p in programs:
        if p not in known:
            raise ValueError(f"unknown programme {p!r}: the rules know {', '.join(known)}")
        if p not in available:
            why = (
                " (PP 45/2015: JP is only for workers of an employer)"
                if (segment, p) == ("BPU", "JP")
                else ""
            )
            raise ValueError(
                f"programme {p} is not available to {segment} participants{why}; "
                f"{segment} programmes: {', '.join(available)}"
            )
    rows = [r for r in seg if r.program in programs and r.scheme in ("", scheme)]
    live = _live(rows, on)
    for p in programs:
        if not any(r.program == p for r in live):
            mine = book.rules[
                (book.rules["segment"] == segment)
                & (book.rules["program"] == p)
                & book.rules["scheme"].isin(["", scheme])
            ]
            span = validity_span(mine) if len(mine) else "no date"
            raise ValueError(
                f"{on:%Y-%m-%d} is outside the {segment} {p} rules in {FILES['rules']} "
                f"(they cover {span})"
            )
    return live


def _sector_kinds(sector, n: int, book: RuleBook) -> np.ndarray:
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
    s = _series(sector)
    return pd.Series(_sector_kinds(s, len(s), rulebook(reference_dir)), index=s.index)


def _keep(
    book: RuleBook,
    segment: str,
    program: str,
    on: pd.Timestamp,
    kinds: np.ndarray,
    budget_paid: np.ndarray,
    discount: str | None,
) -> np.ndarray:
    """Per row, the millionths of the normal contribution still paid after discounts."""
    keep = np.full(len(kinds), _PPM, dtype=object)
    if discount is None or discount == "none":
        return keep
    d = [r for r in book.discount_rows if r.segment in ("all", segment) and r.program == program]
    if discount == DISCOUNT_IN_FORCE:
        d = _live(d, on)
    else:
        if not any(r.regulation == discount for r in book.discount_rows):
            known = ", ".join(sorted({r.regulation for r in book.discount_rows}))
            raise ValueError(f"unknown discount {discount!r}; {FILES['discounts']} has {known}")
        d = [r for r in d if r.regulation == discount]
    applied = np.zeros(len(kinds), dtype=bool)
    for row in d:
        hit = (row.sector == "all") | (kinds == row.sector)
        if row.excludes_budget_paid:
            hit &= ~budget_paid
        if (hit & applied).any():
            raise ValueError(
                f"{FILES['discounts']}: two discounts for {segment} {program} overlap on {on:%Y-%m-%d}"
            )
        keep = np.where(hit, _PPM - row.off_ppm, keep)
        applied |= hit
    return keep


def _basis_sen(
    s: pd.Series, day: pd.Timestamp, book: RuleBook
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(basis in sen, known, raised to the minimum, lowered to the maximum) for declared incomes."""
    sen, known = _to_sen(s, "declared income")
    limits = book.limits[in_force(book.limits, day)]
    if limits.empty:
        raise ValueError(
            f"{day:%Y-%m-%d} is outside the BPU income limits in {FILES['limits']} "
            f"(they cover {validity_span(book.limits)})"
        )
    lo, hi = int(limits["income_min_sen"].iloc[0]), int(limits["income_max_sen"].iloc[0])
    raised, lowered = known & (sen < lo), known & (sen > hi)
    brackets = book.brackets[in_force(book.brackets, day)].sort_values("income_from_sen")
    if brackets.empty:
        return np.clip(sen, lo, hi), known, raised, lowered
    top = np.iinfo(np.int64).max

    def ints(col: str, missing: int) -> np.ndarray:
        return np.array([missing if pd.isna(x) else int(x) for x in brackets[col]], dtype=np.int64)

    starts, ends = ints("income_from_sen", 0), ints("income_to_sen", top)
    nominal = ints("base_income_sen", -1)
    idx = np.searchsorted(starts, sen, side="right") - 1
    inside = (idx >= 0) & (sen <= ends[np.clip(idx, 0, None)])
    if (known & ~inside).any():
        v = sen[known & ~inside][0] / _SEN
        raise ValueError(
            f"declared income {v:,.0f} is in no bracket of {FILES['brackets']} on {day:%Y-%m-%d}"
        )
    return np.where(known, nominal[np.clip(idx, 0, None)], 0), known, raised, lowered


def contribution_basis(
    declared_income, on, reference_dir: Path | None = None
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """BPU declared income → (contribution basis in Rupiah, raised to the minimum?, lowered to the maximum?).

    With PP 44/2015 Lampiran II brackets in `bpu_income_brackets.csv` for the date, the basis is
    the bracket's nominal; otherwise the declared income itself, raised to the floor and lowered
    to the ceiling of `bpu_income_limits.csv`.
    """
    s = _series(declared_income)
    base, known, raised, lowered = _basis_sen(s, as_date(on), rulebook(reference_dir))
    rupiah = pd.Series(np.where(known, base / _SEN, np.nan), index=s.index).astype("Float64")
    return rupiah, pd.Series(raised, index=s.index), pd.Series(lowered, index=s.index)


# ------------------------------------------------------------------------- BPU


def bpu_monthly_many(
    declared_income,
    on,
    programs=("JKK", "JKM"),
    sector="non-transport",
    budget_paid=False,
    discount: str | None = DISCOUNT_IN_FORCE,
    reference_dir: Path | None = None,
) -> pd.Series:
    """Monthly BPU contribution (whole Rupiah, Int64) for a column of declared incomes; missing income → <NA>.

    `sector`: 'transport', 'non-transport' or a sector code of sectors.csv, one value or one per
    row; `budget_paid`: bool or one per row (APBN/APBD-paid participants get no PP 50/2025
    discount). `discount`: 'in_force' (the windows of the date), None (the normal price) or a
    regulation in contribution_discounts.csv (its rate as if in force, e.g. 'PP 50/2025').
    """
    book = rulebook(reference_dir)
    day = as_date(on)
    s = _series(declared_income)
    programs = _norm_programs(programs)
    live = _rules_for(book, "BPU", programs, day, "standard")
    base, known, _, _ = _basis_sen(s, day, book)
    base_sen = base.astype(object)
    kinds = _sector_kinds(sector, len(s), book)
    paid = np.broadcast_to(np.asarray(budget_paid, dtype=bool), (len(s),))
    total = np.zeros(len(s), dtype=object)
    for row in live:
        keep = _keep(book, "BPU", row.program, day, kinds, paid, discount)
        if row.basis == "rate":
            total = total + _component(base_sen, row.rate_ppm, keep)
        else:
            total = total + _flat(row.amount_sen, keep)
    out = pd.Series(total, index=s.index).where(known, None)
    return out.astype("Int64")


def bpu_monthly(
    declared_income: float,
    on,
    programs=("JKK", "JKM"),
    sector: str = "non-transport",
    budget_paid: bool = False,
) -> int:
    """Monthly BPU contribution in whole Rupiah for one participant, by the rules in force on `on`.

    Declared income below the minimum is raised to it (above the maximum, lowered); JHT may be
    added, JP is not available to BPU. The PP 49/2020 and PP 50/2025 discounts apply by date and
    sector, the latter not when the state or city budget pays.
    """
    if declared_income is None or (
        isinstance(declared_income, float) and np.isnan(declared_income)
    ):
        raise ValueError("declared income is missing")
    return int(
        bpu_monthly_many(pd.Series([declared_income]), on, programs, sector, budget_paid).iloc[0]
    )


def bpu_yearly(
    declared_income: float,
    first_month,
    months: int = 12,
    programs=("JKK", "JKM"),
    sector: str = "non-transport",
    budget_paid: bool = False,
    reference_dir: Path | None = None,
) -> int:
    """BPU contributions summed over `months` contribution months from `first_month` (rules of each month)."""
    start = as_date(first_month).to_period("M").to_timestamp()
    total = 0
    for k in range(months):
        day = start + pd.DateOffset(months=k)
        total += int(
            bpu_monthly_many(
                pd.Series([declared_income]),
                day,
                programs,
                sector,
                budget_paid,
                reference_dir=reference_dir,
            ).iloc[0]
        )
    return total


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
    return int(row["income_min_sen"]) / _SEN, int(row["income_max_sen"]) / _SEN


def cheapest_bpu(
    on,
    sector="non-transport",
    budget_paid: bool = False,
    discount: str | None = DISCOUNT_IN_FORCE,
    reference_dir: Path | None = None,
) -> int:
    """The cheapest BPU package on a date: JKK + JKM at the minimum declared income (Rp16.800 normally)."""
    low = minimum_income(on, reference_dir)
    return int(
        bpu_monthly_many(
            pd.Series([low]),
            on,
            ("JKK", "JKM"),
            sector,
            budget_paid,
            discount,
            reference_dir,
        ).iloc[0]
    )


# ------------------------------------------------------------------------- PU


def _firm_size(firm_size: str, book: RuleBook) -> str:
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
    size = _firm_size(firm_size, book)
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
    return int(live["cap_sen"].iloc[0]) / _SEN


def pu_components(
    wage,
    on,
    risk_group: str = "very_low",
    firm_size: str = "micro",
    scheme: str = "standard",
    reference_dir: Path | None = None,
) -> pd.DataFrame:
    """One row per programme and party: rate, wage basis and Rupiah a month for wage workers (a column of wages).

    `scheme='jkp'` gives the JKP recomposition (PP 37/2021, PP 6/2025) for JKP-enrolled workers:
    the same employer total, split differently, plus the government's JKP share.
    """
    book = rulebook(reference_dir)
    day = as_date(on)
    s = _series(wage)
    sen, known = _to_sen(s, "wage")
    programs = pu_programs(firm_size, day, reference_dir)
    if scheme == "jkp":
        programs = (*programs, "JKP")
    elif scheme != "standard":
        raise ValueError(f"unknown scheme {scheme!r}; use 'standard' or 'jkp'")
    live = _rules_for(book, "PU", programs, day, scheme)
    groups = sorted(set(book.rules["risk_group"]) - {""})
    if risk_group not in groups:
        raise ValueError(f"unknown risk group {risk_group!r}; use one of {', '.join(groups)}")
    live = [r for r in live if r.risk_group in ("", risk_group)]
    wage_sen = sen.astype(object)
    kinds = np.full(len(s), "non-transport")
    paid = np.zeros(len(s), dtype=bool)
    frames = []
    for row in live:
        base = wage_sen
        if row.program == "JP":
            cap = int(round(jp_wage_cap(day, reference_dir) * _SEN))
            base = np.minimum(sen, cap).astype(object)
        keep = _keep(book, "PU", row.program, day, kinds, paid, DISCOUNT_IN_FORCE)
        amount = (
            _component(base, row.rate_ppm, keep)
            if row.basis == "rate"
            else _flat(row.amount_sen, keep)
        )
        frames.append(
            pd.DataFrame(
                {
                    "row": np.arange(len(s)),
                    "program": row.program,
                    "party": row.party,
                    "rate": row.rate_ppm / _PPM,
                    "basis": [b / _SEN for b in base],
                    "amount": pd.Series(amount).where(known, None).astype("Int64"),
                    "regulation": row.regulation,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def pu_monthly_many(
    wage,
    on,
    risk_group: str = "very_low",
    firm_size: str = "micro",
    reference_dir: Path | None = None,
) -> pd.DataFrame:
    """Monthly PU contributions for a column of wages: columns employer, worker, total (Int64)."""
    s = _series(wage)
    parts = pu_components(s, on, risk_group, firm_size, "standard", reference_dir)
    paid = parts[parts["party"].isin(PAYERS)]
    sums = paid.groupby(["row", "party"])["amount"].sum().unstack("party")
    out = sums.reindex(index=range(len(s)), columns=list(PAYERS)).fillna(0).astype("Int64")
    out.loc[s.isna().to_numpy(), list(PAYERS)] = pd.NA
    out["total"] = out["employer"] + out["worker"]
    out.index = s.index
    return out


def pu_monthly(
    wage: float, on, risk_group: str = "very_low", firm_size: str = "micro"
) -> dict[str, int]:
    """Monthly contributions for one wage worker (PU): {'employer', 'worker', 'total'} in whole Rupiah.

    Programmes follow the firm size (micro JKK+JKM; small +JHT; medium and large +JP, on the wage
    up to the JP cap); JKK's rate follows the risk group.
    """
    if wage is None or (isinstance(wage, float) and np.isnan(wage)):
        raise ValueError("wage is missing")
    row = pu_monthly_many(pd.Series([wage]), on, risk_group, firm_size).iloc[0]
    return {k: int(row[k]) for k in ("employer", "worker", "total")}


# ------------------------------------------------------------------------- discount windows


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
            share_off=("off_ppm", lambda x: x.iloc[0] / _PPM),
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
