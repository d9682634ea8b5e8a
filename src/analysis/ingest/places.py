"""Kelurahan names → Kemendagri codes: exact → alias → fuzzy (rapidfuzz), never a guess.

Each distinct (kelurahan, kecamatan, registered-before-split) combination is matched once.
A match is `exact` after case, spacing and 'Kel.'/'Kelurahan' prefixes are normalised;
`alias` when it is a listed alias or the same letters without spaces (Kampung Baru →
Kampungbaru); `fuzzy` when one candidate is within a small edit distance and no other is as
close. Weak or tied matches are `kelurahan_ambiguous`, names of places outside the region are
`outside_region`, the rest `kelurahan_unmatched`: all three are quarantined by the caller.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import OSA

from analysis.ingest.parse import clean_text, quote

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
        self._within: dict[str | None, tuple[list[str], dict[str, set[str]]]] = {}

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
                f"kecamatan {quote(kecamatan)} is outside the region",
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
                    f"{quote(raw)} is in kecamatan {where}, but the row says {quote(kecamatan)}",
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
                    f"{quote(raw)} could be {names}; give the kecamatan",
                )
        candidates, inside = self._candidates(kec_code)
        prefixed = {c for k in candidates if k.startswith(key) and len(key) >= 4 for c in inside[k]}
        if prefixed:
            names = " or ".join(sorted(self.names[c] for c in prefixed))
            return Match(
                None, None, "kelurahan_ambiguous", 0.0, f"{quote(raw)} is only the start of {names}"
            )
        if key in self.outside_names:
            return Match(
                None,
                None,
                "outside_region",
                100.0,
                f"{quote(raw)} is a kelurahan/desa outside the region",
            )
        return self._fuzzy(raw, key, candidates, inside, before_split)

    def _candidates(self, kec_code: str | None) -> tuple[list[str], dict[str, set[str]]]:
        """The spellings a fuzzy match may pick within a kecamatan (None: anywhere) and the codes
        each stands for there; made once per kecamatan."""
        if kec_code not in self._within:
            inside = {
                k: {c for c in self.alias[k] if kec_code is None or self.kec_of[c] == kec_code}
                for k in self.fuzzy_keys
            }
            self._within[kec_code] = ([k for k in self.fuzzy_keys if inside[k]], inside)
        return self._within[kec_code]

    def _fuzzy(
        self,
        raw: str,
        key: str,
        candidates: list[str],
        inside: dict[str, set[str]],
        before_split: bool,
    ) -> Match:
        scored = process.extract(key, candidates, scorer=OSA.distance, limit=None)
        by_code: dict[str, int] = {}
        for cand, dist, _ in scored:
            for code in inside[cand]:
                by_code[code] = min(dist, by_code.get(code, dist))
        if not by_code:
            return Match(
                None, None, "kelurahan_unmatched", 0.0, f"{quote(raw)} matches no kelurahan"
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
            return Match(None, None, "kelurahan_ambiguous", score, f"{quote(raw)} {why}")
        return Match(None, None, "kelurahan_unmatched", score, f"{quote(raw)} matches no kelurahan")

    def _checked(self, code: str, method: str, score: float, raw: str, before_split: bool) -> Match:
        if before_split and code in self.splits:
            _, successors = self.splits[code]
            return Match(
                None,
                None,
                "kelurahan_ambiguous",
                score,
                f"{quote(raw)} was registered before the 2019 split into {', '.join(successors)}",
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
        n = len(kelurahan)
        pre = np.zeros(n, dtype=bool)
        if registered_on is not None and self.splits:
            first_split = min(when for when, _ in self.splits.values())
            pre = (registered_on < first_split).fillna(False).to_numpy(dtype=bool)
        kel = pd.factorize(kelurahan.fillna("").astype(str))
        kec = pd.factorize(kecamatan.fillna("").astype(str)) if kecamatan is not None else None
        # one code per distinct (kelurahan, kecamatan, before split), in order of first appearance
        combined = kel[0].astype("int64") * 2 + pre
        if kec is not None:
            combined = combined * max(len(kec[1]), 1) + kec[0]
        codes, distinct = pd.factorize(combined)
        first = np.empty(len(distinct), dtype="int64")
        first[codes[::-1]] = np.arange(n - 1, -1, -1)  # each code's first row
        results = []
        for k, c, b in zip(
            kel[1].take(kel[0][first]),
            kec[1].take(kec[0][first]) if kec is not None else [""] * len(first),
            pre[first],
            strict=True,
        ):
            at = (k, c, bool(b))
            if at not in self.memo:
                self.memo[at] = self.match_one(*at)
            results.append(self.memo[at])
        table = pd.DataFrame(
            [r.__dict__ for r in results],
            columns=["kode_kelurahan", "method", "rule", "score", "detail"],  # even for no rows
        ).replace({np.nan: None})
        out = table.take(codes)
        out.index = kelurahan.index
        return out
