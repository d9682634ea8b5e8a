"""The outreach log (`sosialisasi`), one partition at a time: the day of each activity read the
Indonesian way ('Senin, 12 Oktober 2026', '12/10/2026'), its kelurahan matched, the kind of
activity coded, attendees and businesses reached counted. The log is optional: `empty_outreach`
is its table when a month has none.

One row is one activity in one kelurahan. Two activities on the same day in the same kelurahan
are both kept (a morning meeting and an afternoon registration desk); an exact repeat of a row
is an exact duplicate, as in every file. Free-text columns (notes, speakers, venues) are not
read, so nothing personal can come through.
"""

from __future__ import annotations

import re

import pandas as pd

from analysis.ingest import schemas
from analysis.ingest.classify import activity_of
from analysis.ingest.parse import (
    clean_text,
    parse_date,
    parse_int,
    to_datetime_col,
    to_float_col,
)
from analysis.ingest.rules import (
    CleanedPart,
    Context,
    Flags,
    begin,
    empty_table,
    flag_places,
    flag_unparsed,
    match_notes,
    raw_column,
)

#: The kind of activity when the log has no such column or the cell is empty.
DEFAULT_KIND = "sosialisasi"
_WEEKDAY = re.compile(
    r"^(senin|selasa|rabu|kamis|jum'?at|sabtu|minggu|ahad|monday|tuesday|wednesday|thursday"
    r"|friday|saturday|sunday)\s*[,/-]?\s*",
    re.IGNORECASE,
)
_COUNT_WORDS = re.compile(
    r"\s*(orang|org|peserta|umkm|ukm|usaha|pelaku usaha|unit|pelaku)\.?$", re.IGNORECASE
)


def activity_day(value: object):
    """The day of an activity: a date as `parse_date` reads it, after an optional weekday
    ('Senin, 12 Oktober 2026', 'Jumat 2/10/2026')."""
    return parse_date(_WEEKDAY.sub("", clean_text(value)))


def activity_count(value: object) -> int | None:
    """People or businesses at an activity: '25', '25 orang', '12 UMKM', '30 peserta'."""
    return parse_int(_COUNT_WORDS.sub("", clean_text(value)))


def _typed(frame: pd.DataFrame, flags: Flags, ctx: Context) -> pd.DataFrame:
    """The day, attendees and businesses reached, read and checked."""
    typed = pd.DataFrame(index=frame.index)
    day_raw = frame["tanggal"]
    typed["tanggal"] = to_datetime_col(day_raw, activity_day).astype("datetime64[us]")
    flag_unparsed(flags, day_raw, typed["tanggal"], "bad_date", "tanggal")
    for col in ("peserta", "usaha"):
        raw = raw_column(frame, col)
        typed[col] = to_float_col(raw, activity_count).astype("Int64")
        flag_unparsed(flags, raw, typed[col], "bad_number", col)
    flags.add_failures(schemas.failures(schemas.typed("sosialisasi", ctx.end), typed))
    return typed


def clean_outreach(frame: pd.DataFrame, ctx: Context, file_name: str, extra: dict) -> CleanedPart:
    """Outreach activities: day read, kelurahan matched, kind coded, counts typed."""
    flags = begin(frame, "sosialisasi")
    typed = _typed(frame, flags, ctx)
    places = flag_places(flags, frame, ctx, None)

    ok = ~flags.bad
    code = places["kode_kelurahan"][ok]
    units_ = ctx.matcher.units.set_index("kode_kelurahan")
    kind = activity_of(raw_column(frame, "kegiatan")[ok], ctx.reference_dir)
    day = typed["tanggal"][ok]
    clean = pd.DataFrame(
        {
            "tanggal": day,
            "bulan": day.dt.strftime("%Y-%m").astype("str"),
            "kode_kelurahan": code.astype("str"),
            "kode_kecamatan": code.map(units_["kode_kecamatan"]).astype("str"),
            "kelurahan": code.map(units_["kelurahan"]).astype("str"),
            "kecamatan": code.map(units_["kecamatan"]).astype("str"),
            "kegiatan": kind.mask(kind.eq("tidak_diketahui"), DEFAULT_KIND).astype("str"),
            "peserta": typed["peserta"][ok],
            "usaha": typed["usaha"][ok],
            "kelurahan_match": places["method"][ok].astype("str"),
            **match_notes(frame, places, ok),
        }
    ).reset_index(drop=True)
    return CleanedPart(clean, flags.quarantine(frame, file_name))


def empty_outreach() -> pd.DataFrame:
    """The outreach table of a month without a log: every column, no rows."""
    return empty_table(
        (
            ("tanggal", "datetime64[us]"),
            ("bulan", "str"),
            ("kode_kelurahan", "str"),
            ("kode_kecamatan", "str"),
            ("kelurahan", "str"),
            ("kecamatan", "str"),
            ("kegiatan", "str"),
            ("peserta", "Int64"),
            ("usaha", "Int64"),
            ("kelurahan_match", "str"),
        )
    )
