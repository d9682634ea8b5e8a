"""Keyed pseudonyms (HMAC-SHA256) and the key that makes them: raw identifiers stop here.

A pseudonym is the hex HMAC-SHA256 of a normalised identifier under the installation's secret
key. Demo data, and only untouched demo data — recognised extracts whose SHA-256 are exactly
one of the demo months shipped in the code (`analysis.ingest.demo_hashes`) — uses a fixed public
key so that demo results are the same everywhere.

The key is read from `$ANALYSIS_PSEUDONYM_KEY`, else from the file named by
`$ANALYSIS_PSEUDONYM_KEY_FILE` (keep it outside the project folder, away from the processed
data it unlocks), else from the git-ignored `.secrets/pseudonym.key` (created on first use with
real data). A key file is refused unless it is a regular file (not a link) readable by its
owner only; a key is refused if it is short, well known, repetitive or of low entropy. Anyone
holding the key and the processed data can reverse every `nik_hash` by trying the structured
NIK space of a region (tens of millions of candidates: about a minute), so key custody is the
protection.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import secrets
import stat
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from analysis.errors import AnalysisError
from analysis.ingest import fast_hmac
from analysis.ingest.demo_hashes import CAMPAIGN_MONTHS, DEMO_MONTHS, REGION_CAMPAIGN_MONTHS
from analysis.ingest.engine import duckdb_over
from analysis.ingest.parse import arrow_text
from analysis.ingest.read import find_raw_file
from analysis.paths import RAW_STEMS, SECRETS_DIR, sha256_files

#: Published on purpose: demo data is synthetic, so its pseudonyms need no secret and stay
#: identical on every machine. Real data refuses this key (see `load_key`).
DEMO_KEY = b"umkm-bpjstk demo key: synthetic people only, never for real data"


KEY_ENV = "ANALYSIS_PSEUDONYM_KEY"


KEY_FILE_ENV = "ANALYSIS_PSEUDONYM_KEY_FILE"


_WELL_KNOWN = {
    "",
    "changeme",
    "secret",
    "password",
    "test",
    "key",
    "demo",
    "0" * 64,
    DEMO_KEY.decode(),
}


MIN_KEY_CHARS = 32
#: A key must carry at least this many bits by its characters' frequencies (64 random hex
#: characters carry about 250; a repeated word far fewer), and this many different characters.
MIN_KEY_BITS, MIN_KEY_DISTINCT = 100, 10


#: From this many distinct values on, HMACs are computed in DuckDB (vectorised, all cores).
HMAC_VECTOR_MIN = 20_000


def _pads(key: bytes) -> tuple[bytes, bytes]:
    """HMAC's inner and outer padded keys (RFC 2104): the key, hashed if longer than a block."""
    k = (hashlib.sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in k), bytes(b ^ 0x5C for b in k)


def _hmac_arrow(values: pa.Array, key: bytes) -> pa.Array | None:
    """HMAC-SHA256 (hex) of an Arrow string array: by the optional C extension (`fast_hmac`), else
    in DuckDB's vectorised sha256 across cores, as sha256(opad || unhex(sha256(ipad || msg)));
    None where DuckDB would be needed but the padded key is not ASCII text (DuckDB's strings
    cannot carry it) or the batch is too small to be worth it."""
    ipad, opad = _pads(key)
    fast = fast_hmac.hmac_arrow(values, ipad, opad)
    if fast is not None:
        return fast
    if len(values) < HMAC_VECTOR_MIN or max(ipad) >= 0x80:
        return None
    with duckdb_over(hmac_input=pa.table({"v": values})) as con:
        out = con.sql(
            "select sha256($o || unhex(sha256($i || v))) as h from hmac_input",
            params={"i": ipad.decode("ascii"), "o": opad},
        ).to_arrow_table()
    return out.column("h").combine_chunks().cast(pa.string())


def hmac_hex(values: list[str], key: bytes) -> list[str]:
    """HMAC-SHA256 (hex) of each string, identical to `hmac.new(key, v.encode(), sha256)`:
    vectorised for large batches, Python's hmac for small ones and non-ASCII padded keys."""
    fast = _hmac_arrow(pa.array(values, pa.string()), key)
    if fast is not None:
        return fast.to_pylist()
    inner = hmac.new(key, digestmod=hashlib.sha256)
    hashed = []
    for value in values:
        h = inner.copy()
        h.update(value.encode())
        hashed.append(h.hexdigest())
    return hashed


def pseudonymise(values: pd.Series, key: bytes) -> pd.Series:
    """Keyed HMAC-SHA256 (hex) of each normalised identifier; NA stays NA.

    Large columns go to DuckDB as one Arrow array (no Python strings on the way); small ones
    hash each distinct value once in Python.
    """
    hashed = _hmac_arrow(arrow_text(values), key)
    if hashed is None:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        distinct = np.asarray(uniques, dtype=object).astype(str).tolist()
        table = pa.array(hmac_hex(distinct, key) + [None], pa.string())
        hashed = table.take(pa.array(np.where(codes < 0, len(uniques), codes)))
    return pd.Series(pd.arrays.ArrowStringArray(hashed), index=values.index).astype("str")


def rekey(values: pd.Series, key: bytes, domain: str) -> pd.Series:
    """A free identifier (id_responden, …) replaced by its keyed pseudonym within `domain`: a
    NIK or a name typed there does not survive cleaning, the same id still gets the same
    pseudonym, and no pseudonym equals the `nik_hash` of the same text."""
    return pseudonymise(domain + ":" + values.astype("str"), key)


def key_id(key: bytes) -> str:
    """A short, non-reversible name for a key, recorded in quality.json: pseudonyms made with
    different key ids never match, so months cleaned with different keys must not be linked."""
    return hmac.new(key, b"umkm-bpjstk key id", hashlib.sha256).hexdigest()[:12]


def key_file() -> Path:
    """The git-ignored file holding this installation's pseudonymisation key."""
    return Path(os.environ.get(KEY_FILE_ENV) or SECRETS_DIR / "pseudonym.key")


def _periodic(text: str) -> bool:
    """Whether text is one shorter piece repeated ('0123456789' × 4, 'password' × 4)."""
    n = len(text)
    return any(n % p == 0 and text == text[:p] * (n // p) for p in range(1, n // 2 + 1))


def key_bits(text: str) -> float:
    """Shannon bits of a key by its characters' frequencies (an upper bound of its entropy)."""
    counts = Counter(text)
    return -sum(c * math.log2(c / len(text)) for c in counts.values()) if text else 0.0


def _check_key(key: str, origin: str) -> bytes:
    k = key.strip()
    if k.lower() in _WELL_KNOWN or len(set(k)) < 4:
        raise AnalysisError(
            f"The pseudonymisation key from {origin} is empty or well known; set a random key of at least {MIN_KEY_CHARS} characters."
        )
    if len(k) < MIN_KEY_CHARS:
        raise AnalysisError(
            f"The pseudonymisation key from {origin} is shorter than {MIN_KEY_CHARS} characters; use a longer random key."
        )
    if _periodic(k) or len(set(k)) < MIN_KEY_DISTINCT or key_bits(k) < MIN_KEY_BITS:
        raise AnalysisError(
            f"The pseudonymisation key from {origin} is repetitive or too predictable; use a "
            "random key (for example: python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    return k.encode()


def _read_key_file(path: Path) -> str:
    """A key file's text, if it is a regular file (not a link) that only its owner can read."""
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode):
        raise AnalysisError(
            f"The key file {path} is a link or not a regular file; put the key itself there."
        )
    if info.st_mode & 0o077:
        raise AnalysisError(
            f"The key file {path} can be read by others (mode {stat.S_IMODE(info.st_mode):o}); "
            f"run 'chmod 600 {path}' and check who has seen it."
        )
    return path.read_text()


def load_key(demo: bool) -> bytes:
    """The pseudonymisation key: the fixed demo key for demo data, else the environment or key file.

    On first use with real data a random key is written to the key file (mode 600, in a folder
    of mode 700). The key is never printed or logged; keep a copy somewhere safe, as hashes
    change with it.
    """
    if demo:
        return DEMO_KEY
    if KEY_ENV in os.environ:
        return _check_key(os.environ[KEY_ENV], f"${KEY_ENV}")
    path = key_file()
    if not path.exists() and not path.is_symlink():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    return _check_key(_read_key_file(path), str(path))


def extract_hashes(raw_dir: Path) -> dict[str, str]:
    """SHA-256 of a raw folder's recognised extracts, by file name (what cleaning reads)."""
    found = [p for p in (find_raw_file(raw_dir, stem) for stem in RAW_STEMS) if p is not None]
    return {p.name: digest for p, digest in sha256_files(found).items()}


def is_untouched_demo(raw_dir: Path, hashes: dict[str, str] | None = None) -> bool:
    """Whether a raw folder's extracts are exactly one of the demo months shipped in the code
    (`hashes`: the folder's `extract_hashes`, if already computed)."""
    if not raw_dir.is_dir():
        return False
    hashes = extract_hashes(raw_dir) if hashes is None else hashes
    regions = [m for months in REGION_CAMPAIGN_MONTHS.values() for m in months.values()]
    shipped = [*DEMO_MONTHS.values(), *CAMPAIGN_MONTHS.values(), *regions]
    return any(hashes == month for month in shipped)
