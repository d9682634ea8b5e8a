"""Kelurahan names → Kemendagri codes: exact → alias → fuzzy (rapidfuzz), never a guess.

Each distinct (kelurahan, kecamatan, kab/kota, registered-before-split) combination is matched
once. A match is `exact` after case, spacing and 'Kel.'/'Kelurahan'/'Desa' prefixes are
normalised; `alias` when it is a listed alias or the same letters without spaces (Kampung Baru →
Kampungbaru); `fuzzy` when one candidate is within a small edit distance and no other is as
close. Weak or tied matches are `kelurahan_ambiguous`, names of places outside the region are
`outside_region`, the rest `kelurahan_unmatched`: all three are quarantined by the caller.
A detail names official places only, never the text as typed (which may hold anything: a
name, a NIK); the typed spellings are kept for analysts in the raw folder (`SPELLINGS_FILE`).

Desa names repeat: a third of Soloraya's 1,568 desa/kelurahan share their name with another
(Jetis 8 times, 4 of them in Klaten), and one kecamatan name is used twice (Sidoharjo, in
Wonogiri and in Sragen). So the row's kecamatan and kab/kota, when given, narrow the candidates
(a kecamatan is read within the row's kab/kota), and a name that still fits several places is
ambiguous — even when one of them is spelt exactly as typed and another only without its
spaces (Karang Tengah, Sragen; Karangtengah, Sukoharjo and Wonogiri).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

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
    """Lower-case, strip accents, punctuation and 'Kel.'/'Kelurahan'/'Desa'/'Kec.' prefixes (but
    not the whole name)."""
    return _norm_place(clean_text(value))


@lru_cache(maxsize=1 << 16)  # a kecamatan is normalised again for every kelurahan it comes with
def _norm_place(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9 ]+", " ", text.replace(".", ". "))
    text = " ".join(text.split())
    while (stripped := _PREFIX.sub("", text)) != text and stripped:  # a kelurahan of Klaten
        text = stripped  # is called 'Kabupaten': a prefix is never the whole name
    return text


def _kecamatan_inside(text: str, kecamatan: str) -> tuple[str, str]:
    """(kelurahan, kecamatan) of a normalised text that holds both ('Kel. Jebres Kec. Jebres' in
    one field) when the row gives no kecamatan of its own; otherwise both unchanged."""
    m = _KEC_INSIDE.search(text)
    if m and m.group(1) and not clean_text(kecamatan):
        return text[: m.start()].strip(), m.group(1)
    return text, kecamatan


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


def _keyed(names: dict[str, str]) -> dict[str, set[str]]:
    """Compact spelling → the codes of every name that has it (code → name given)."""
    out: dict[str, set[str]] = {}
    for code, name in names.items():
        out.setdefault(compact(norm_place(name)), set()).add(code)
    return out


class PlaceMatcher:
    """Matches free-text kelurahan (with optional kecamatan and kab/kota) against one region's
    code list; `kabkota` (reference.kabkota) names the kabupaten/kota a row may give."""

    def __init__(
        self,
        units: pd.DataFrame,
        gazetteer: pd.DataFrame,
        splits: pd.DataFrame | None = None,
        kabkota: pd.DataFrame | None = None,
    ):
        self.units = units.reset_index(drop=True)
        self.memo: dict[tuple[str, str, bool, str], Match] = {}  # names recur in every partition
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
        self.kecamatan = _keyed(self.kec_name)  # a name → its codes (Sidoharjo has two)
        self.region_kab = {c[:5] for c in region_codes}
        self.kab_name: dict[str, str] = {}
        self.kabkota: dict[str, set[str]] = {}  # a kab/kota name or alias → its codes
        for r in (kabkota if kabkota is not None else pd.DataFrame()).itertuples():
            self.kab_name[r.kode_kabkota] = r.kabkota
            for name in [r.kabkota, *filter(None, str(r.aliases or "").split("|"))]:
                self.kabkota.setdefault(compact(norm_place(name)), set()).add(r.kode_kabkota)
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
        self._within: dict[tuple, list[str]] = {}
        self._areas: dict[tuple[str, str], tuple | Match] = {}  # a few per file, each many times

    @staticmethod
    def _lookup(key: str, table: dict[str, set[str]]) -> set[str] | None:
        """The codes a name (compact) stands for: spelt as listed, or with one or two slips when
        only one listed name is that close; None when nothing is."""
        if key in table:
            return table[key]
        hit = process.extractOne(key, list(table), scorer=OSA.distance)
        if hit and hit[1] <= allowed_edits(key):
            return table[hit[0]]
        return None

    def match_kabkota(self, text: str) -> tuple[set[str] | None, bool]:
        """(the region's kab/kota codes the text names, or None when it names none; whether it
        names a kab/kota outside the region). Text naming no known kab/kota is not used."""
        key = compact(norm_place(text))
        codes = self._lookup(key, self.kabkota) if key and self.kabkota else None
        if codes is None:
            return None, False
        inside = codes & self.region_kab
        return (inside, False) if inside else (None, True)

    def match_kecamatan(
        self, text: str, kab: set[str] | None = None
    ) -> tuple[set[str] | None, bool]:
        """(the region's kecamatan codes the text names, read within the kab/kota codes `kab` when
        given — possibly none —, or None when it names none; whether it names a kecamatan outside
        the region)."""
        key = compact(norm_place(text))
        if not key:
            return None, False
        if key not in self.kecamatan and key in self.outside_kec:
            return None, True
        codes = self._lookup(key, self.kecamatan)
        if codes is None:
            return None, False
        return {c for c in codes if kab is None or c[:5] in kab}, False

    @staticmethod
    def _row_gives(kecamatan: str, kabkota: str) -> str:
        """What else the row gives ('another kecamatan'), never the text as typed."""
        parts = [
            "kecamatan" if clean_text(kecamatan) else "",
            "kab/kota" if clean_text(kabkota) else "",
        ]
        return "another " + " and ".join(filter(None, parts))

    def match_one(
        self,
        kelurahan: str,
        kecamatan: str = "",
        before_split: bool = False,
        kabkota: str = "",
    ) -> Match:
        """Match one place text; see the module docstring for the order of attempts."""
        raw = clean_text(kelurahan)
        text, kecamatan = _kecamatan_inside(norm_place(raw), kecamatan)
        key = compact(text)
        if not key:
            return Match(
                None, None, "kelurahan_unmatched", 0.0, "kelurahan is empty after removing prefixes"
            )
        area = self._area(kecamatan, kabkota)
        if isinstance(area, Match):
            return area
        kec_codes, kab_codes = area

        def within(codes: set[str]) -> set[str]:
            return {
                c
                for c in codes
                if (kec_codes is None or self.kec_of[c] in kec_codes)
                and (kab_codes is None or c[:5] in kab_codes)
            }

        named = self._by_name(text, key, within, raw, before_split, kecamatan, kabkota)
        if named is not None:
            return named
        candidates = self._candidates(kec_codes, kab_codes, within)
        started = self._by_start(key, candidates, within)
        if started is not None:
            return started
        if key in self.outside_names:
            return Match(
                None,
                None,
                "outside_region",
                100.0,
                "the kelurahan given is a kelurahan/desa outside the region",
            )
        return self._fuzzy(raw, key, candidates, within, before_split)

    def _area(
        self, kecamatan: str, kabkota: str
    ) -> tuple[set[str] | None, set[str] | None] | Match:
        """(kecamatan codes, kab/kota codes) the row narrows to (None: not narrowed), or an
        `outside_region` match when either names a place outside the region."""
        if (kecamatan, kabkota) not in self._areas:
            self._areas[kecamatan, kabkota] = self._narrowed(kecamatan, kabkota)
        return self._areas[kecamatan, kabkota]

    def _narrowed(
        self, kecamatan: str, kabkota: str
    ) -> tuple[set[str] | None, set[str] | None] | Match:
        kab_codes, kab_outside = self.match_kabkota(kabkota)
        if kab_outside:
            return Match(
                None,
                None,
                "outside_region",
                0.0,
                "the kab/kota given is outside the region",
            )
        kec_codes, kec_outside = self.match_kecamatan(kecamatan, kab_codes)
        if kec_outside:
            return Match(
                None,
                None,
                "outside_region",
                0.0,
                "the kecamatan given is outside the region",
            )
        return kec_codes, kab_codes

    def _by_name(
        self,
        text: str,
        key: str,
        within: Callable[[set[str]], set[str]],
        raw: str,
        before_split: bool,
        kecamatan: str,
        kabkota: str,
    ) -> Match | None:
        """The exact, then the alias attempt: a match, or ambiguous when the name is listed but
        fits no place or several within the row's area; None when the name is not listed."""
        spaced = self.alias.get(key, set())  # the same letters with or without spaces
        for method, table, lookup in (("exact", self.exact, text), ("alias", self.alias, key)):
            codes = table.get(lookup, set())
            if not codes:
                continue
            fits = within(codes | spaced)
            if not fits:
                where = ", ".join(sorted(self._place(c) for c in codes | spaced))
                return Match(
                    None,
                    None,
                    "kelurahan_ambiguous",
                    100.0,
                    f"the kelurahan given is in {where}, but the row gives {self._row_gives(kecamatan, kabkota)}",
                )
            if len(fits) == 1:
                code = fits.pop()
                how = method if code in codes else "alias"
                return self._checked(code, how, 100.0, raw, before_split)
            names = " or ".join(sorted(self._place(c) for c in fits))
            return Match(
                None,
                None,
                "kelurahan_ambiguous",
                100.0,
                f"the kelurahan given could be {names}; give the {self._telling}",
            )
        return None

    def _by_start(
        self, key: str, candidates: list[str], within: Callable[[set[str]], set[str]]
    ) -> Match | None:
        """Ambiguous when the text (4 letters or more) is only the start of listed names, which
        a fuzzy match would otherwise guess; None when it is not."""
        prefixed = {
            c
            for k in candidates
            if k.startswith(key) and len(key) >= 4
            for c in within(self.alias[k])
        }
        if not prefixed:
            return None
        names = " or ".join(sorted(self.names[c] for c in prefixed))
        return Match(
            None,
            None,
            "kelurahan_ambiguous",
            0.0,
            f"the kelurahan given is only the start of {names}",
        )

    def _candidates(
        self, kec_codes: set[str] | None, kab_codes: set[str] | None, within
    ) -> list[str]:
        """The spellings a fuzzy match may pick within the kecamatan and kab/kota a row gives (None:
        anywhere); made once per such pair."""
        at = (
            frozenset(kec_codes) if kec_codes is not None else None,
            frozenset(kab_codes) if kab_codes is not None else None,
        )
        if at not in self._within:
            self._within[at] = [k for k in self.fuzzy_keys if within(self.alias[k])]
        return self._within[at]

    @property
    def _telling(self) -> str:
        """What a row must give to tell places of the same name apart."""
        return "kecamatan and kab/kota" if len(self.region_kab) > 1 else "kecamatan"

    def _place(self, code: str) -> str:
        """'Jetis (kecamatan Delanggu, Kabupaten Klaten)': a unit with what tells it apart."""
        where = [f"kecamatan {self.kec_name[self.kec_of[code]]}"]
        if len(self.region_kab) > 1:
            where.append(self.kab_name.get(code[:5], code[:5]))
        return f"{self.names[code]} ({', '.join(where)})"

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
        kabkota: pd.Series | None = None,
    ) -> pd.DataFrame:
        """Match a column: returns kode_kelurahan, method, rule, score, detail aligned to the input.

        `registered_on` (dates) marks rows recorded before a kelurahan split, whose old name
        cannot say which successor they belong to; `kecamatan` and `kabkota` (texts), when
        given, narrow the places a name can be.
        """
        n = len(kelurahan)
        pre = np.zeros(n, dtype=bool)
        if registered_on is not None and self.splits:
            first_split = min(when for when, _ in self.splits.values())
            pre = (registered_on < first_split).fillna(False).to_numpy(dtype=bool)
        texts = [
            pd.factorize(s.fillna("").astype(str)) if s is not None else None
            for s in (kelurahan, kecamatan, kabkota)
        ]
        # one code per distinct (kelurahan, kecamatan, before split, kab/kota), by first appearance
        codes = pre.astype("int64")
        for part in texts:
            if part is not None:
                codes = pd.factorize(codes * max(len(part[1]), 1) + part[0])[0]
        codes, distinct = pd.factorize(codes)
        first = np.empty(len(distinct), dtype="int64")
        first[codes[::-1]] = np.arange(n - 1, -1, -1)  # each code's first row

        def at(i: int) -> list[str]:
            part = texts[i]
            return list(part[1].take(part[0][first])) if part is not None else [""] * len(first)

        results = []
        for kel, kec, before, kab in zip(at(0), at(1), pre[first], at(2), strict=True):
            key = (kel, kec, bool(before), kab)
            if key not in self.memo:
                self.memo[key] = self.match_one(*key)
            results.append(self.memo[key])
        table = pd.DataFrame(
            [r.__dict__ for r in results],
            columns=["kode_kelurahan", "method", "rule", "score", "detail"],  # even for no rows
        ).replace({np.nan: None})
        out = table.take(codes)
        out.index = kelurahan.index
        return out
