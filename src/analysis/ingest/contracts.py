"""The processed tables' contracts (`schemas.BUSINESSES`, `WORKERS`, …) checked on every part
written, at the cost of a few vectorised passes.

pandera checks what is cheap per column (types, nullability, strict and ordered columns, value
sets and bounds). The checks that cost most on millions of rows are done here with the same
meaning: a text pattern is matched on the column's distinct values (`str.match`, as pandera
does), a pseudonym's 64 lowercase hex characters by a byte test over the Arrow buffer
(`keys.all_hex64`), and "no value twice" by sorting 64-bit hashes (only a shared hash is looked
at in full). A failure is a bug, not bad data: it raises pandera's SchemaError, as validating
the whole schema would.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaError

from analysis.ingest.keys import all_hex64, contiguous, hash64
from analysis.ingest.parse import arrow_text
from analysis.ingest.schemas import HASH

#: Per schema (by id, the schema kept alive with it): (pandera's part, patterns, unique columns).
_SPLIT: dict[int, tuple] = {}


def _pattern(check: pa.Check) -> str | None:
    if getattr(check, "name", None) == "str_matches" and check.statistics:
        return str(check.statistics["pattern"])
    return None


def _split(schema: pa.DataFrameSchema) -> tuple[pa.DataFrameSchema, dict, list]:
    """The schema without its pattern and uniqueness checks, {column: patterns}, and the columns
    (or column groups) that must hold no value twice; made once per schema."""
    if id(schema) not in _SPLIT:
        patterns: dict[str, list[str]] = {}
        update, unique = {}, []
        for name, column in schema.columns.items():
            moved = [p for p in map(_pattern, column.checks) if p is not None]
            if moved or column.unique:
                kept = [c for c in column.checks if _pattern(c) is None]
                update[name] = {"checks": kept, "unique": False}
                patterns[name] = moved
            if column.unique:
                unique.append([name])
        light = schema.update_columns(update) if update else copy.deepcopy(schema)
        if schema.unique:
            light.unique = None
            unique.append(list(schema.unique))
        _SPLIT[id(schema)] = (schema, light, patterns, unique)
    return _SPLIT[id(schema)][1:]


def _matches(series: pd.Series, pattern: str) -> bool:
    """Every value given matches `pattern` as pandera's str_matches reads it (`str.match`), checked
    once per distinct value."""
    if pattern == HASH:
        return all_hex64(arrow_text(series))
    distinct = pd.Series(series.dropna().unique(), dtype=series.dtype)
    return bool(distinct.str.match(pattern).all())


def _no_repeats(frame: pd.DataFrame, columns: list[str]) -> bool:
    """No value (or combination) twice, missing values counting as values, as pandas'
    `duplicated`: 64-bit hashes sorted first, pandas only if two of them are equal."""
    if len(columns) == 1 and pd.api.types.is_string_dtype(frame[columns[0]].dtype):
        hashes = np.sort(hash64(contiguous(arrow_text(frame[columns[0]]))))
        if not (hashes[1:] == hashes[:-1]).any():
            return True
    return not frame.duplicated(subset=columns).any()


def _fail(schema: pa.DataFrameSchema, what: str) -> None:
    raise SchemaError(schema, None, f"{schema.name or 'table'}: {what}")


def conform(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame:
    """Select the schema's columns in its order and check the contract (what `schema.validate`
    checks, faster); returns the selected frame."""
    frame = frame[list(schema.columns)]
    light, patterns, unique = _split(schema)
    out = light.validate(frame)
    for name, wanted in patterns.items():
        for pattern in wanted:
            if not _matches(frame[name], pattern):
                _fail(schema, f"column {name} fails str_matches('{pattern}')")
    for columns in unique:
        if not _no_repeats(frame, columns):
            _fail(schema, f"column(s) {', '.join(columns)} hold a value twice")
    return out
