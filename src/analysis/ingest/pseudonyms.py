"""Keyed pseudonyms (HMAC-SHA256) and the key that makes them: raw identifiers stop here.

A pseudonym is the hex HMAC-SHA256 of a normalised identifier under the installation's secret
key. Demo data, and only untouched demo data, uses a fixed public key so that demo results are
the same everywhere.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from analysis.errors import AnalysisError
from analysis.ingest import fast_hmac
from analysis.ingest.engine import duckdb_over
from analysis.ingest.parse import arrow_text
from analysis.paths import DEMO_DIR, SECRETS_DIR, sha256_file

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


def key_id(key: bytes) -> str:
    """A short, non-reversible name for a key, recorded in quality.json: pseudonyms made with
    different key ids never match, so months cleaned with different keys must not be linked."""
    return hmac.new(key, b"umkm-bpjstk key id", hashlib.sha256).hexdigest()[:12]


def key_file() -> Path:
    """The git-ignored file holding this installation's pseudonymisation key."""
    return Path(os.environ.get(KEY_FILE_ENV) or SECRETS_DIR / "pseudonym.key")


def _check_key(key: str, origin: str) -> bytes:
    if key.strip().lower() in _WELL_KNOWN or len(set(key.strip())) < 4:
        raise AnalysisError(
            f"The pseudonymisation key from {origin} is empty or well known; set a random key of at least {MIN_KEY_CHARS} characters."
        )
    if len(key.strip()) < MIN_KEY_CHARS:
        raise AnalysisError(
            f"The pseudonymisation key from {origin} is shorter than {MIN_KEY_CHARS} characters; use a longer random key."
        )
    return key.strip().encode()


def load_key(demo: bool) -> bytes:
    """The pseudonymisation key: the fixed demo key for demo data, else the environment or key file.

    On first use with real data a random key is written to the git-ignored key file (mode 600).
    The key is never printed or logged; keep a copy somewhere safe, as hashes change with it.
    """
    if demo:
        return DEMO_KEY
    if KEY_ENV in os.environ:
        return _check_key(os.environ[KEY_ENV], f"${KEY_ENV}")
    path = key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    return _check_key(path.read_text(), str(path))


def is_untouched_demo(raw_dir: Path) -> bool:
    """Whether a raw folder holds exactly the files the demo generator wrote (checked by SHA-256)."""
    manifest = raw_dir / DEMO_DIR / "manifest.json"
    if not manifest.exists():
        return False
    try:
        files = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    except (ValueError, KeyError):
        return False
    present = {p.name for p in raw_dir.iterdir() if p.is_file()}
    return present == set(files) and all(
        sha256_file(raw_dir / name) == digest for name, digest in files.items()
    )
