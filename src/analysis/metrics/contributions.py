"""BPJS Ketenagakerjaan contributions: what a package costs a month, from the rules in force
(`analysis.metrics.rulebook`) on the contribution month.

**Rounding.** Each programme's share for each party is computed exactly (integer arithmetic on
sen and millionths), any discount applied, and then rounded to the whole Rupiah, half up; a
total is the sum of those rounded parts. This reproduces the Rp9.734 quoted for a micro-business
wage worker at the 2019 UMK (Rp1.802.700 × 0.24% = 4.326,48 → 4.326; × 0.30% = 5.408,1 →
5.408), where rounding the total instead would give Rp9.735.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.metrics.rulebook import (
    DISCOUNT_IN_FORCE,
    FILES,
    PPM,
    SEN,
    RuleBook,
    as_series,
    jp_wage_cap,
    kinds_of_sectors,
    live_rows,
    minimum_income,
    pu_programs,
    rulebook,
)
from analysis.reference import (
    as_date,
    in_force,
    validity_span,
)

PAYERS = ("employer", "worker")  # the parties pu_monthly adds up (not 'government')


# ------------------------------------------------------------------------- the rule tables


# ------------------------------------------------------------------------- money arithmetic


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
    sen = np.where(known, np.rint(num.fillna(0).to_numpy() * SEN), 0).astype(np.int64)
    return sen, known


def _round_half_up(num: np.ndarray, den: int) -> np.ndarray:
    """num / den rounded to the nearest integer, halves up (num ≥ 0, Python ints)."""
    return (num * 2 + den) // (2 * den)


def _component(base_sen, rate_ppm: int, keep_ppm) -> np.ndarray:
    """Rupiah of rate × base × (1 − discount), exact, then rounded half up to whole Rupiah."""
    return _round_half_up(base_sen * rate_ppm * keep_ppm, SEN * PPM * PPM)


def _flat(amount_sen: int, keep_ppm) -> np.ndarray:
    return _round_half_up(amount_sen * keep_ppm, SEN * PPM)


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
    live = live_rows(rows, on)
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
    keep = np.full(len(kinds), PPM, dtype=object)
    if discount is None or discount == "none":
        return keep
    d = [r for r in book.discount_rows if r.segment in ("all", segment) and r.program == program]
    if discount == DISCOUNT_IN_FORCE:
        d = live_rows(d, on)
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
        keep = np.where(hit, PPM - row.off_ppm, keep)
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
        v = sen[known & ~inside][0] / SEN
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
    s = as_series(declared_income)
    base, known, raised, lowered = _basis_sen(s, as_date(on), rulebook(reference_dir))
    rupiah = pd.Series(np.where(known, base / SEN, np.nan), index=s.index).astype("Float64")
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
    s = as_series(declared_income)
    programs = _norm_programs(programs)
    live = _rules_for(book, "BPU", programs, day, "standard")
    base, known, _, _ = _basis_sen(s, day, book)
    base_sen = base.astype(object)
    kinds = kinds_of_sectors(sector, len(s), book)
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
    s = as_series(wage)
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
            cap = int(round(jp_wage_cap(day, reference_dir) * SEN))
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
                    "rate": row.rate_ppm / PPM,
                    "basis": [b / SEN for b in base],
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
    s = as_series(wage)
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
