"""The privacy scanner: no NIK or name from the raw extracts may appear in anything we write.

`check_privacy` looks through processed parquet files, HTML pages, executed notebooks, JSON
manifests and logs for (a) any NIK-shaped string — 16 digits standing alone — and (b) any NIK
or person's name found in that month's raw files. Names are matched as whole words, ignoring
case; one-word names shorter than `MIN_NAME_CHARS` letters are skipped (too many are ordinary
words, e.g. 'Sri', 'Agus' in 'Agustus'). A finding names the file and the kind of leak, never
the leaked value itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.errors import AnalysisError
from analysis.ingest.cache import PARTITION_ROWS, cache_raw
from analysis.ingest.nik import check_niks
from analysis.ingest.parse import clean_text
from analysis.ingest.read import find_raw_file
from analysis.paths import RAW_STEMS

NIK_SHAPED = re.compile(r"(?<![0-9A-Za-z])\d{16}(?![0-9A-Za-z])")
MIN_NAME_CHARS = 6
TEXT_SUFFIXES = {".html", ".htm", ".json", ".ipynb", ".log", ".txt", ".md", ".csv"}
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)


@dataclass(frozen=True)
class Finding:
    """One leak: which file, what kind ('nik_shaped', 'raw_nik', 'raw_name'), and how many."""

    path: Path
    kind: str
    count: int

    def __str__(self) -> str:
        what = {
            "nik_shaped": "NIK-shaped 16-digit strings",
            "raw_nik": "NIKs from the raw files",
            "raw_name": "names from the raw files",
        }[self.kind]
        return f"{self.path}: {self.count} {what}"


@dataclass
class Secrets:
    """What must never appear: normalised NIKs and lower-cased names (as word tuples)."""

    niks: set[str]
    names: set[tuple[str, ...]]

    @property
    def longest(self) -> int:
        return max((len(n) for n in self.names), default=1)


def _name_key(name: str) -> tuple[str, ...] | None:
    words = tuple(w.lower() for w in _WORD.findall(clean_text(name)))
    if not words or (len(words) == 1 and len(words[0]) < MIN_NAME_CHARS):
        return None
    return words


def secrets_from_raw(raw_dir: Path) -> Secrets:
    """Collect the NIKs and names in a period's raw files, partition by partition from the parquet
    cache the cleaning made (converting a file first if needed)."""

    niks, names = set(), set()
    for stem in RAW_STEMS:
        try:
            path = find_raw_file(raw_dir, stem)
            table = cache_raw(stem, path, PARTITION_ROWS) if path else None
        except AnalysisError:
            continue
        for i in range(table.parts if table else 0):
            frame = table.part(i)
            for col in ("nik", "nik_pemilik"):
                if col in frame:
                    checked = check_niks(frame[col])
                    niks |= set(checked["nik"].dropna())
                    digits = frame[col].str.replace(r"\D", "", regex=True)
                    niks |= set(digits[digits.str.len().between(15, 16)])
            for col in ("nama", "nama_pemilik"):
                if col in frame:
                    names |= {k for k in map(_name_key, frame[col].unique()) if k}
    return Secrets(niks, names)


_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]+")


def _scan_text(text: str, secrets: Secrets) -> dict[str, int]:
    text = _DATA_URI.sub(" ", text)  # embedded images: base64, not text anyone reads
    found: dict[str, int] = {}
    shaped = NIK_SHAPED.findall(text)
    if shaped:
        found["nik_shaped"] = len(shaped)
    raw = [s for s in shaped if s in secrets.niks]
    if raw:
        found["raw_nik"] = len(raw)
    if secrets.names:
        words = [w.lower() for w in _WORD.findall(text)]
        hits = 0
        for n in range(1, secrets.longest + 1):
            for i in range(len(words) - n + 1):
                if tuple(words[i : i + n]) in secrets.names:
                    hits += 1
        if hits:
            found["raw_name"] = hits
    return found


def _parquet_text(path: Path) -> str:
    frame = pd.read_parquet(path)
    parts = []
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_integer_dtype(s) or pd.api.types.is_float_dtype(s):
            s = s.dropna()
            big = s[(s.abs() >= 1e15) & (s.abs() < 1e16)]
            parts += [str(int(v)) for v in big]
        else:
            parts += [str(v) for v in s.dropna().astype(str).unique()]
        parts.append(str(col))
    return "\n".join(parts)


def scan_paths(paths: Iterable[Path], secrets: Secrets) -> list[Finding]:
    """Scan files and folders (recursively); returns one finding per file and kind of leak."""
    findings = []
    for root in paths:
        root = Path(root)
        files = (
            [root]
            if root.is_file()
            else sorted(p for p in root.rglob("*") if p.is_file())
            if root.exists()
            else []
        )
        for f in files:
            if f.suffix == ".parquet":
                text = _parquet_text(f)
            elif f.suffix.lower() in TEXT_SUFFIXES:
                text = f.read_text(encoding="utf-8", errors="replace")
            else:
                continue
            findings += [Finding(f, kind, n) for kind, n in _scan_text(text, secrets).items()]
    return findings


def check_privacy(paths: Iterable[Path], raw_dir: Path | None = None) -> list[Finding]:
    """Findings for the given outputs, against a period's raw files when given (else NIK shape only)."""
    secrets = (
        secrets_from_raw(raw_dir)
        if raw_dir is not None and raw_dir.exists()
        else Secrets(set(), set())
    )
    return scan_paths(paths, secrets)
