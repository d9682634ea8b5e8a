"""Quarantine rules within one partition: each row's first broken rule, and the checks every file shares.

A row breaks at most one rule as far as the quarantine is concerned: the first in
`schemas.RULES` order (`missing_required` before `nik_invalid` before … `duplicate_person`).
`Flags` keeps, per row, the highest-priority rule flagged so far with its column and detail;
the steps below flag what every raw file checks the same way (required values present, values
that cannot be read, kelurahan matching, NIK rules). Details never quote a personal column, and
quote other columns' values only when they are made of words the readers know (months, yes/no,
roles, statuses, programmes, amount units) and short digit groups (`safe_quote`): anything
else — a name typed into `peran`, a NIK in a date — is described by its length only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.ingest import schemas
from analysis.ingest.headers import PERSONAL, REQUIRED
from analysis.ingest.nik import check_niks
from analysis.ingest.parse import _FALSE, _TRUE, MONTHS, clean_text, map_unique, quote
from analysis.ingest.places import PlaceMatcher
from analysis.ingest.vocab import PROGRAM_NAMES, PROGRAMS, ROLE, SEGMEN, SEX, STATUS

#: Words a quarantine detail may quote: the vocabularies of coded columns, months, amounts.
SAFE_WORDS = frozenset(
    w
    for phrase in [*MONTHS, *_TRUE, *_FALSE, *ROLE, *SEGMEN, *SEX, *STATUS, *PROGRAM_NAMES]
    + [p.lower() for p in PROGRAMS]
    + ["rp", "jt", "juta", "rb", "ribu", "k", "m", "miliar", "per", "bulan", "tahun", "dan"]
    for w in re.findall(r"[^\W\d_]+", phrase.lower())
)
#: Longest digit run (separators inside numbers removed) a detail may quote: an amount, a date.
SAFE_DIGITS = 10


def safe_quote(value: object) -> str:
    """A raw value quoted for a quarantine detail when it can hold nothing personal (known words,
    short numbers, at most 30 characters), else only its length: '(a value of 27 characters)'."""
    text = clean_text(value)
    words = re.findall(r"[^\W\d_]+", text.lower())
    digits = re.sub(r"(?<=\d)[\s.,/:-](?=\d)", "", text)
    longest = max((len(r) for r in re.findall(r"\d+", digits)), default=0)
    if len(text) <= 30 and longest <= SAFE_DIGITS and all(w in SAFE_WORDS for w in words):
        return quote(text)
    return f"(a value of {len(text)} characters)"


@dataclass
class Context:
    """What every file's cleaning needs: the period, the place matcher, the pseudonym key."""

    period: str
    matcher: PlaceMatcher
    key: bytes
    reference_dir: Path

    @property
    def start(self) -> pd.Timestamp:
        return pd.Timestamp(f"{self.period}-01")

    @property
    def end(self) -> pd.Timestamp:
        return self.start + pd.offsets.MonthEnd(0)


@dataclass
class CleanedPart:
    """One partition's outcome before the rules that compare rows across the file."""

    clean: pd.DataFrame
    quarantine: pd.DataFrame
    ids: pd.Series | None = None  # umkm: every row's id_umkm (upper case)


class Flags:
    """The first-priority quarantine rule (with column and detail) of each row of a frame."""

    def __init__(self, index: pd.Index):
        self.index = index
        self.prio = np.full(len(index), len(schemas.RULES), dtype="int64")
        # None everywhere: numpy makes object arrays of None (np.full would set each again)
        self.rule = np.empty(len(index), dtype=object)
        self.column = np.empty(len(index), dtype=object)
        self.detail = np.empty(len(index), dtype=object)
        self.pos = pd.Series(np.arange(len(index)), index=index)

    def add(
        self,
        mask: pd.Series | np.ndarray,
        rule: str,
        column: str | None,
        detail: str | pd.Series | tuple[pd.Series, str],
    ) -> None:
        """Flag rows where `mask` holds, unless they already carry a higher-priority rule.

        `detail` is one text, one per row, or (raw values, "… {} …") to quote each flagged
        row's raw value into the template (done for flagged rows only: cheap on millions).
        """
        p = schemas.RULES.index(rule)
        m = np.asarray(mask, dtype=bool) & (self.prio > p)
        if not m.any():
            return
        self.prio[m], self.rule[m], self.column[m] = p, rule, column
        if isinstance(detail, tuple):  # (raw values, "… {} …"): quoted for the flagged rows only
            raw, template = detail
            at = np.flatnonzero(m)
            failing = pd.Series(
                raw.iloc[at].to_numpy(dtype=object)
                if isinstance(raw, pd.Series)
                else np.asarray(raw, dtype=object)[at]
            )
            self.detail[m] = map_unique(
                failing, lambda v: template.format(safe_quote(v))
            ).to_numpy()
        elif isinstance(detail, str):
            self.detail[m] = detail
        elif isinstance(detail, pd.Series):  # the flagged rows' texts only (no copy of them all)
            self.detail[m] = detail.iloc[np.flatnonzero(m)].to_numpy(dtype=object)
        else:
            self.detail[m] = np.asarray(detail, dtype=object)[m]

    def add_failures(self, fails: pd.DataFrame) -> None:
        """Flag the cells pandera reported (see `schemas.failures`), one mask per kind of failure."""
        if fails.empty:
            return
        at = self.pos.reindex(fails["index"]).to_numpy()
        for (rule, column, detail), rows in fails.groupby(
            ["rule", "column", "detail"], sort=False
        ).indices.items():
            mask = np.zeros(len(self.index), dtype=bool)
            mask[at[rows]] = True
            self.add(mask, rule, column, detail)

    @property
    def bad(self) -> np.ndarray:
        """Which rows carry a rule: their priority is one of the rules' (in numpy, not a Python
        comparison per row of the rule texts)."""
        return self.prio < len(schemas.RULES)

    def quarantine(self, raw: pd.DataFrame, file_name: str) -> pd.DataFrame:
        """The flagged rows as quarantine rows (file, row number, rule, column, detail)."""
        bad = self.bad
        return pd.DataFrame(
            {
                "source_file": file_name,
                "source_row": raw["source_row"].to_numpy()[bad].astype("int64"),
                "rule": self.rule[bad].astype(str),
                "column": self.column[bad],
                "detail": self.detail[bad].astype(str),
            }
        )


def raw_column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A raw text column, or empty text where the file has no such column."""
    return frame[name] if name in frame else pd.Series("", index=frame.index, dtype="str")


def begin(frame: pd.DataFrame, stem: str) -> Flags:
    """Check required values are present (the first rule of every file)."""
    flags = Flags(frame.index)
    flags.add_failures(schemas.failures(schemas.present(REQUIRED[stem]), frame))
    return flags


def flag_unparsed(flags: Flags, raw: pd.Series, parsed: pd.Series, rule: str, column: str) -> None:
    """Flag values given but not readable (a personal column's value is never quoted)."""
    bad = raw.ne("") & parsed.isna()
    if column in PERSONAL:
        flags.add(bad, rule, column, f"{column} cannot be read")
    else:
        flags.add(bad, rule, column, (raw, f"{column} {{}} cannot be read"))


def flag_places(
    flags: Flags, frame: pd.DataFrame, ctx: Context, registered_on: pd.Series | None
) -> pd.DataFrame:
    """Match each row's kelurahan (with its kecamatan and kab/kota, and registration date for the
    old names); flag the unmatched, ambiguous and outside the region. Returns the matches."""
    places = ctx.matcher.match(
        frame["kelurahan"],
        raw_column(frame, "kecamatan") if "kecamatan" in frame else None,
        registered_on,
        raw_column(frame, "kabkota") if "kabkota" in frame else None,
    )
    for rule in ("kelurahan_unmatched", "kelurahan_ambiguous", "outside_region"):
        flags.add(places["rule"].eq(rule), rule, "kelurahan", places["detail"])
    return places


def flag_niks(flags: Flags, raw: pd.Series, column: str) -> pd.DataFrame:
    """Check the NIK rules; flag Excel damage and invalid NIKs. Returns the checked NIKs."""
    niks = check_niks(raw)
    flags.add(niks["status"].eq("excel_mangled"), "nik_excel_mangled", column, niks["detail"])
    flags.add(niks["status"].eq("invalid"), "nik_invalid", column, niks["detail"])
    return niks


def match_notes(frame: pd.DataFrame, places: pd.DataFrame, ok: np.ndarray) -> dict[str, pd.Series]:
    """What the writer needs of each kept row besides its values: the row number, and the
    kelurahan as typed with how it was matched (for quality.json's list of alias and fuzzy
    matches)."""
    return {
        "_row": frame["source_row"][ok].astype("int64"),
        "_raw_kel": map_unique(frame["kelurahan"][ok], clean_text, dtype="str"),
        "_score": places["score"][ok].astype("float64"),
        "_method": places["method"][ok].astype("str"),
    }


def empty_table(columns: tuple[tuple[str, object], ...]) -> pd.DataFrame:
    """The processed table of an optional file a month does not have: every column, no rows."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns})
