"""Kelurahan names → Kemendagri codes: exact → alias → fuzzy (rapidfuzz), never a guess.

Each distinct (kelurahan, kecamatan, registered-before-split) combination is matched once.
A match is `exact` after case, spacing and 'Kel.'/'Kelurahan' prefixes are normalised;
`alias` when it is a listed alias or the same letters without spaces (Kampung Baru →
Kampungbaru); `fuzzy` when one candidate is within a small edit distance and no other is as
close. Weak or tied matches are `kelurahan_ambiguous`, names of places outside the region are
`outside_region`, the rest `kelurahan_unmatched`: all three are quarantined by the caller.
A detail names official places only, never the text as typed (which may hold anything: a
name, a NIK); the typed spellings are kept for analysts in the raw folder (`SPELLINGS_FILE`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import OSA

from analysis.ingest.parse import clean_text

#: Where the kelurahan spellings matched by alias or fuzzy match are kept, as typed: in the raw
#: folder (git-ignored, owner-only), for analysts checking the matches; never published.
SPELLINGS_FILE = "_analyst/kelurahan_spellings.csv"

_PREFIX = re.compile(
    r"^(?:kel(?:urahan)?|kal(?:urahan)?|desa|ds|kec(?:amatan)?|kota|kab(?:upaten)?)\b\.?\s*"
)
_KEC_INSIDE = re.compile(r"\s*\bkec(?:amatan)?\b\s*(.*)$")


def norm_place(value: object) -> str:
    """Lower-case, strip accents, punctuation and 'Kel.'/'Kelurahan'/'Desa'/'Kec.' prefixes."""
    text = (
        unicodedata.normalize("NFKD", clean_text(value)).encode("ascii", "ignore").decode().lower()
    )
    text = re.sub(r"[^a-z0-9 ]+", " ", text.replace(".", ". "))
    text = " ".join(text.split())
    while (stripped := _PREFIX.sub("", text)) != text:
        text = stripped
    return text


def compact(text: str) -> str:
    """The letters without spaces: 'kampung baru' and 'kampungbaru' compare equal."""
    return text.replace(" ", "")


def allowed_edits(name: str) -> int:
    """How many typing slips a name of this length may carry and still be matched (0, 1 or 2)."""
    n = len(name)
    return 0 if n <= 4 else 1 if n <= 8 else 2


@dataclass(frozen=True)
class Match:
    """The outcome for one distinct place text."""

    kode_kelurahan: str | None
    method: str | None  # exact | alias | fuzzy
    rule: str | None  # kelurahan_unmatched | kelurahan_ambiguous | outside_region
    score: float
    detail: str


class PlaceMatcher:
    """Matches free-text kelurahan (and optional kecamatan) against one region's code list."""

    def __init__(
        self, units: pd.DataFrame, gazetteer: pd.DataFrame, splits: pd.DataFrame | None = None
    ):
        self.units = units.reset_index(drop=True)
        self.memo: dict[tuple[str, str, bool], Match] = {}  # names recur in every partition
        self.names = {r.kode_kelurahan: r.kelurahan for r in self.units.itertuples()}
        self.kec_of = dict(
            zip(self.units["kode_kelurahan"], self.units["kode_kecamatan"], strict=True)
        )
        self.kec_name = dict(
            zip(self.units["kode_kecamatan"], self.units["kecamatan"], strict=False)
        )
        region_codes = set(self.units["kode_kelurahan"])
        # compact spelling -> codes, for official names and for aliases
        self.exact: dict[str, set[str]] = {}
        self.alias: dict[str, set[str]] = {}
        for r in self.units.itertuples():
            self.exact.setdefault(norm_place(r.kelurahan), set()).add(r.kode_kelurahan)
            self.alias.setdefault(compact(norm_place(r.kelurahan)), set()).add(r.kode_kelurahan)
            for a in filter(None, str(r.aliases or "").split("|")):
                self.alias.setdefault(compact(norm_place(a)), set()).add(r.kode_kelurahan)
        self.kecamatan = {compact(norm_place(n)): c for c, n in self.kec_name.items()}
        outside = gazetteer[~gazetteer["kode_kelurahan"].isin(region_codes)]
        self.outside_names: dict[str, str] = {}
        for r in outside.itertuples():
            self.outside_names.setdefault(compact(norm_place(r.kelurahan)), r.kode_kelurahan)
        self.outside_kec = {compact(norm_place(n)) for n in outside["kecamatan"].unique()} - set(
            self.kecamatan
        )
        self.splits = {}
        if splits is not None:
            for r in splits.itertuples():
                if r.old_code in region_codes:
                    self.splits[r.old_code] = (
                        r.effective_from,
                        [self.names.get(c, c) for c in r.successor_codes],
                    )
        self.fuzzy_keys = list(self.alias)

    def match_kecamatan(self, text: str) -> tuple[str | None, bool]:
        """(region kecamatan code or None, whether the text names a kecamatan outside the region)."""
        key = compact(norm_place(text))
        if not key:
            return None, False
        if key in self.kecamatan:
            return self.kecamatan[key], False
        if key in self.outside_kec:
            return None, True
        hit = process.extractOne(key, list(self.kecamatan), scorer=OSA.distance)
        if hit and hit[1] <= allowed_edits(key):
            return self.kecamatan[hit[0]], False
        return None, False

    def match_one(self, kelurahan: str, kecamatan: str = "", before_split: bool = False) -> Match:
        """Match one place text; see the module docstring for the order of attempts."""
        raw = clean_text(kelurahan)
        text = norm_place(raw)
        m = _KEC_INSIDE.search(text)
        if m and m.group(1) and not clean_text(kecamatan):  # 'Kel. Jebres Kec. Jebres' in one field
            kecamatan, text = m.group(1), text[: m.start()].strip()
        key = compact(text)
        if not key:
            return Match(
                None, None, "kelurahan_unmatched", 0.0, "kelurahan is empty after removing prefixes"
            )
        kec_code, kec_outside = self.match_kecamatan(kecamatan)
        if kec_outside:
            return Match(
                None,
                None,
                "outside_region",
                0.0,
                "the kecamatan given is outside the region",
            )

        def within(codes: set[str]) -> set[str]:
            return {c for c in codes if kec_code is None or self.kec_of[c] == kec_code}

        for method, table, lookup in (("exact", self.exact, text), ("alias", self.alias, key)):
            codes = table.get(lookup, set())
            if codes and not within(codes):
                where = ", ".join(sorted(self.kec_name[self.kec_of[c]] for c in codes))
                return Match(
                    None,
                    None,
                    "kelurahan_ambiguous",
                    100.0,
                    f"the kelurahan given is in kecamatan {where}, but the row gives another kecamatan",
                )
            if len(within(codes)) == 1:
                return self._checked(within(codes).pop(), method, 100.0, raw, before_split)
            if len(within(codes)) > 1:
                names = " or ".join(sorted(self.names[c] for c in within(codes)))
                return Match(
                    None,
                    None,
                    "kelurahan_ambiguous",
                    100.0,
                    f"the kelurahan given could be {names}; give the kecamatan",
                )
        candidates = [k for k in self.fuzzy_keys if within(self.alias[k])]
        prefixed = {
            c
            for k in candidates
            if k.startswith(key) and len(key) >= 4
            for c in within(self.alias[k])
        }
        if prefixed:
            names = " or ".join(sorted(self.names[c] for c in prefixed))
            return Match(
                None,
                None,
                "kelurahan_ambiguous",
                0.0,
                f"the kelurahan given is only the start of {names}",
            )
        if key in self.outside_names:
            return Match(
                None,
                None,
                "outside_region",
                100.0,
                "the kelurahan given is a kelurahan/desa outside the region",
            )
        return self._fuzzy(raw, key, candidates, within, before_split)

    def _fuzzy(
        self, raw: str, key: str, candidates: list[str], within, before_split: bool
    ) -> Match:
        scored = process.extract(key, candidates, scorer=OSA.distance, limit=None)
        by_code: dict[str, int] = {}
        for cand, dist, _ in scored:
            for code in within(self.alias[cand]):
                by_code[code] = min(dist, by_code.get(code, dist))
        if not by_code:
            return Match(
                None, None, "kelurahan_unmatched", 0.0, "the kelurahan given matches no kelurahan"
            )
        ranked = sorted(by_code.items(), key=lambda kv: (kv[1], kv[0]))
        (best, d1), d2 = ranked[0], ranked[1][1] if len(ranked) > 1 else 99
        score = round(100 * (1 - d1 / max(len(key), len(compact(norm_place(self.names[best]))))), 1)
        limit = allowed_edits(key)
        if d1 <= limit and d2 > d1:
            return self._checked(best, "fuzzy", score, raw, before_split)
        if d1 <= limit + 1:
            tied = [self.names[c] for c, d in ranked if d == d1]
            why = (
                f"could be {' or '.join(sorted(tied))}"
                if len(tied) > 1
                else f"weak match to {self.names[best]} (score {score})"
            )
            return Match(None, None, "kelurahan_ambiguous", score, f"the kelurahan given {why}")
        return Match(
            None, None, "kelurahan_unmatched", score, "the kelurahan given matches no kelurahan"
        )

    def _checked(self, code: str, method: str, score: float, raw: str, before_split: bool) -> Match:
        if before_split and code in self.splits:
            _, successors = self.splits[code]
            return Match(
                None,
                None,
                "kelurahan_ambiguous",
                score,
                f"the kelurahan given was registered before the 2019 split into {', '.join(successors)}",
            )
        return Match(code, method, None, score, "")

    def match(
        self,
        kelurahan: pd.Series,
        kecamatan: pd.Series | None = None,
        registered_on: pd.Series | None = None,
    ) -> pd.DataFrame:
        """Match a column: returns kode_kelurahan, method, rule, score, detail aligned to the input.

        `registered_on` (dates) marks rows recorded before a kelurahan split, whose old name
        cannot say which successor they belong to.
        """
        pre = False
        if registered_on is not None and self.splits:
            first_split = min(when for when, _ in self.splits.values())
            pre = (registered_on < first_split).fillna(False).astype(bool)
        keys = pd.DataFrame(
            {
                "kel": kelurahan.fillna("").astype(str),
                "kec": (kecamatan.fillna("").astype(str) if kecamatan is not None else ""),
                "pre": pre,
            },
            index=kelurahan.index,
        )
        distinct = keys.drop_duplicates()
        results = []
        for r in distinct.itertuples():
            at = (r.kel, r.kec, bool(r.pre))
            if at not in self.memo:
                self.memo[at] = self.match_one(*at)
            results.append(self.memo[at])
        table = pd.DataFrame(
            [r.__dict__ for r in results],
            index=distinct.index,
            columns=["kode_kelurahan", "method", "rule", "score", "detail"],  # even for no rows
        )
        table = pd.concat([distinct, table], axis=1)
        out = keys.merge(table, on=["kel", "kec", "pre"], how="left")
        out.index = kelurahan.index
        return out[["kode_kelurahan", "method", "rule", "score", "detail"]].replace({np.nan: None})
