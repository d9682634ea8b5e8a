"""Keyed pseudonyms: HMAC-SHA256 of the normalised NIK, vectorised (equal to Python's hmac) by the
optional C extension and by DuckDB without it, and the key rules."""

import hashlib
import hmac
import secrets
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from analysis.errors import AnalysisError
from analysis.ingest import fast_hmac
from analysis.ingest.pseudonyms import DEMO_KEY, KEY_ENV, hmac_hex, load_key, pseudonymise


@pytest.fixture(params=["c", "duckdb"])
def hmac_path(request, monkeypatch):
    """Each test of the vectorised HMAC runs with the C extension and with DuckDB (the fallback
    of a machine where the extension could not be built)."""
    if request.param == "c" and not fast_hmac.available():
        pytest.skip("the optional C extension is not built here")
    if request.param == "duckdb":
        monkeypatch.setattr(fast_hmac, "_fast_hmac", None)
    return request.param


def test_pseudonym_is_hmac_sha256_of_the_normalised_nik():
    key = b"k" * 40
    got = pseudonymise(pd.Series(["3372015708900001", None]), key)
    assert got.iloc[0] == hmac.new(key, b"3372015708900001", hashlib.sha256).hexdigest()
    assert pd.isna(got.iloc[1])


def test_demo_data_uses_the_public_demo_key_and_real_data_a_secret_one(monkeypatch):
    assert load_key(demo=True) == DEMO_KEY
    monkeypatch.setenv(KEY_ENV, "k3y-Sh0rt")
    with pytest.raises(AnalysisError, match="shorter"):
        load_key(demo=False)
    for bad in ("", "changeme", DEMO_KEY.decode(), "a" * 64):
        monkeypatch.setenv(KEY_ENV, bad)
        with pytest.raises(AnalysisError, match="empty or well known"):
            load_key(demo=False)


def test_a_key_file_is_created_once_private_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV)
    monkeypatch.setenv("ANALYSIS_PSEUDONYM_KEY_FILE", str(tmp_path / "k" / "pseudonym.key"))
    first = load_key(demo=False)
    assert (tmp_path / "k" / "pseudonym.key").stat().st_mode & 0o777 == 0o600
    assert load_key(demo=False) == first


@pytest.mark.parametrize(
    "key",
    [DEMO_KEY, secrets.token_hex(32).encode(), b"k" * 100, bytes(range(150, 230))],
    ids=["demo", "hex", "long", "non-ascii"],
)
def test_vectorised_hmac_equals_python_hmac(key, hmac_path):
    rng = np.random.default_rng(7)
    values = [str(v) for v in rng.integers(10**15, 10**16, 30_000)]
    values += ["", "é", "3372 0101 0190 0001", "x" * 500, "ÿ\x00"]
    expected = [hmac.new(key, v.encode(), hashlib.sha256).hexdigest() for v in values]
    assert hmac_hex(values, key) == expected


def test_pseudonymise_keeps_missing_and_repeats(hmac_path):
    s = pd.Series(["3372010101900001", None, "3372010101900001"], dtype="str")
    out = pseudonymise(s, DEMO_KEY)
    assert out.isna().tolist() == [False, True, False] and out[0] == out[2]
    assert out[0] == hmac.new(DEMO_KEY, b"3372010101900001", hashlib.sha256).hexdigest()


def test_vectorised_hmac_in_two_threads_at_once(hmac_path):
    rng = np.random.default_rng(11)
    batches = [[str(v) for v in rng.integers(10**15, 10**16, 25_000)] for _ in range(4)]
    with ThreadPoolExecutor(2) as pool:
        got = list(pool.map(lambda b: hmac_hex(b, DEMO_KEY), batches))
    for batch, hashed in zip(batches, got, strict=True):
        assert hashed == [hmac.new(DEMO_KEY, v.encode(), hashlib.sha256).hexdigest() for v in batch]


def test_large_columns_with_gaps_equal_python_hmac(hmac_path):
    """A partition-sized column (the C path splits it over two threads) with missing values,
    read through an Arrow slice (an offset into shared buffers), as pseudonymise receives it."""
    rng = np.random.default_rng(13)
    values = [str(v) if v % 7 else None for v in rng.integers(10**15, 10**16, 120_000)]
    values[:3] = ["", "x" * 55, "x" * 56]  # one SHA-256 block with its padding, and one more
    column = pd.Series(pa.array(["skipped"] + values, pa.large_string()).slice(1), dtype="str")
    got = pseudonymise(column, DEMO_KEY)
    expected = [
        None if v is None else hmac.new(DEMO_KEY, v.encode(), hashlib.sha256).hexdigest()
        for v in values
    ]
    assert got.to_numpy(dtype=object, na_value=None).tolist() == expected
    assert got.dtype == "str"


def test_the_c_extension_checks_its_buffers():
    if not fast_hmac.available():
        pytest.skip("the optional C extension is not built here")
    ipad, opad = b"6" * 64, b"\\" * 64
    offsets = np.array([0, 3, 99], "int64")  # the second value ends beyond the data
    out = np.empty(128, "uint8")
    with pytest.raises(ValueError, match="outside"):
        fast_hmac._fast_hmac.hex_into(
            ipad, opad, offsets, b"abc", None, 0, 2, np.array([0, 64, 128]), out
        )
    with pytest.raises(ValueError, match="do not match"):
        fast_hmac._fast_hmac.hex_into(
            ipad, opad, offsets, b"abc", None, 0, 3, np.array([0, 64, 128]), out
        )
