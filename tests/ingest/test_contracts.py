"""The processed tables' contracts checked fast (`contracts.conform`) accept and refuse exactly
what pandera's full validation (`schemas.conform`) accepts and refuses."""

import numpy as np
import pandas as pd
import pytest
from pandera.errors import SchemaError

from analysis.ingest import contracts, schemas

TABLES = {
    "businesses": schemas.BUSINESSES,
    "workers": schemas.WORKERS,
    "participants": schemas.PARTICIPANTS,
    "survey": schemas.SURVEY,
    "quarantine": schemas.QUARANTINE,
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_the_cleaned_tables_pass_both_checks_unchanged(cleaned, name):
    frame = pd.read_parquet(cleaned.out_dir / f"{name}.parquet")
    shuffled = frame.sample(frac=1, random_state=1)[list(reversed(frame.columns))]
    got = contracts.conform(TABLES[name], shuffled)
    pd.testing.assert_frame_equal(got, schemas.conform(TABLES[name], shuffled))
    assert list(got.columns) == list(TABLES[name].columns)


def _twice(values: pd.Series) -> pd.Series:
    out = values.copy()
    out.iloc[5] = out.iloc[2]
    return out


BROKEN = {
    "pseudonym in upper case": ("workers", lambda f: f.assign(nik_hash=f["nik_hash"].str.upper())),
    "pseudonym of 63 characters": (
        "workers",
        lambda f: f.assign(nik_hash=f["nik_hash"].str.slice(0, 63)),
    ),
    "pseudonym of 65 characters": ("workers", lambda f: f.assign(nik_hash=f["nik_hash"] + "0")),
    "pseudonym with a letter beyond f": (
        "participants",
        lambda f: f.assign(nik_hash=f["nik_hash"].str.replace("a", "g")),
    ),
    "pseudonym with a non-ASCII digit": (
        "participants",
        lambda f: f.assign(kpj_hash=f["kpj_hash"].str.replace("1", "١")),
    ),
    "missing pseudonym": (
        "workers",
        lambda f: f.assign(nik_hash=f["nik_hash"].where(np.arange(len(f)) != 3)),
    ),
    "the same person twice": ("workers", lambda f: f.assign(nik_hash=_twice(f["nik_hash"]))),
    "the same business twice": ("businesses", lambda f: f.assign(id_umkm=_twice(f["id_umkm"]))),
    "the same respondent twice": (
        "survey",
        lambda f: f.assign(id_responden=_twice(f["id_responden"])),
    ),
    "a bad kelurahan code": (
        "businesses",
        lambda f: f.assign(kode_kelurahan=f["kode_kelurahan"].str.replace(".", "-")),
    ),
    "a kab/kota of three digits": (
        "workers",
        lambda f: f.assign(nik_kabkota=f["nik_kabkota"].where(np.arange(len(f)) != 4, "337")),
    ),
    "a wrong type": ("workers", lambda f: f.assign(umur=f["umur"].astype("float64"))),
    "an unknown sex": ("workers", lambda f: f.assign(jenis_kelamin="X")),
    "a column too many": ("businesses", lambda f: f.assign(extra=1)),
}


def _verdict(conform, schema, frame) -> str:
    try:
        conform(schema, frame)
    except SchemaError:
        return "refused"
    return "accepted"


def test_unicode_digits_are_judged_as_pandera_judges_them(cleaned):
    """pandas reads `\\d` in a pattern as pandera does (here: whatever that is, the same)."""
    frame = pd.read_parquet(cleaned.out_dir / "workers.parquet")
    frame["nik_kabkota"] = frame["nik_kabkota"].where(np.arange(len(frame)) != 4, "３３７２")
    assert _verdict(contracts.conform, schemas.WORKERS, frame) == _verdict(
        schemas.conform, schemas.WORKERS, frame
    )


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_table_is_refused_by_both(cleaned, case):
    name, breaking = BROKEN[case]
    frame = breaking(pd.read_parquet(cleaned.out_dir / f"{name}.parquet"))
    if case == "a column too many":  # both select the schema's columns first: not an error
        pd.testing.assert_frame_equal(
            contracts.conform(TABLES[name], frame), schemas.conform(TABLES[name], frame)
        )
        return
    assert _verdict(schemas.conform, TABLES[name], frame) == "refused"
    assert _verdict(contracts.conform, TABLES[name], frame) == "refused"


def test_an_optional_pseudonym_may_be_missing(cleaned):
    frame = pd.read_parquet(cleaned.out_dir / "participants.parquet")
    frame["kpj_hash"] = frame["kpj_hash"].where(np.arange(len(frame)) % 3 != 0)
    pd.testing.assert_frame_equal(
        contracts.conform(schemas.PARTICIPANTS, frame), schemas.conform(schemas.PARTICIPANTS, frame)
    )
