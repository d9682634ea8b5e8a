"""The awareness survey (`survei_kesadaran`), one partition at a time: kelurahan matched, yes/no
answers and benefit lists typed, reasons coded, weights checked, id_responden re-keyed (a keyed
pseudonym: whatever was typed there never reaches processed data); the same id_responden
twice is found across the file afterwards. The survey is optional: `empty_survey` is its table when a
month has none."""

from __future__ import annotations

import pandas as pd

from analysis.ingest import schemas
from analysis.ingest.classify import reason_of, sector_of
from analysis.ingest.parse import (
    map_text,
    map_unique,
    parse_amount,
    parse_bool,
    parse_decimal,
    to_datetime_col,
    to_float_col,
)
from analysis.ingest.partitions import KeyRule
from analysis.ingest.pseudonyms import rekey
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
from analysis.ingest.vocab import BENEFITS, benefits_named, role_code

KEY_RULE: KeyRule = ("duplicate_key", "id_responden", "same id_responden")
#: The benefits asked about one by one (tahu_jkk, tahu_jkm, …).
_ASKED = ("JKK", "JKM", "JHT", "JP")


def _answers(frame: pd.DataFrame, flags: Flags, typed: pd.DataFrame) -> pd.Series:
    """Yes/no answers, the benefits known and the role, typed; words not understood flagged
    `bad_value`. Returns each row's (benefits known, unknown words)."""
    for col in ("tahu_bpjs_kesehatan", "tahu_bpjs_tk", "terdaftar"):
        raw_col = raw_column(frame, col)
        typed[col] = map_unique(raw_col, parse_bool).astype("boolean")
        flags.add(
            raw_col.ne("") & typed[col].isna(),
            "bad_value",
            col,
            (raw_col, f"{col} {{}} is not yes or no"),
        )
    manfaat_raw = raw_column(frame, "tahu_manfaat")
    manfaat = map_unique(manfaat_raw, benefits_named)
    flags.add(
        manfaat.map(lambda p: bool(p[1])),
        "bad_value",
        "tahu_manfaat",
        (manfaat_raw, "tahu_manfaat {} names an unknown benefit"),
    )
    peran_raw = raw_column(frame, "peran")
    typed["peran"] = map_unique(peran_raw, role_code, dtype="str")
    flags.add(
        typed["peran"].eq("?"),
        "bad_value",
        "peran",
        (peran_raw, "peran {} is not pemilik or pekerja"),
    )
    typed["peran"] = typed["peran"].mask(typed["peran"].eq("?"), None)
    return manfaat


def _numbers(frame: pd.DataFrame, flags: Flags, typed: pd.DataFrame) -> None:
    """Willingness to pay, income, weight and interview date, read (flagged where they cannot be;
    a weight column with an empty cell is `missing_required`; no weight column: every weight 1)."""
    for col, fn in (
        ("kesediaan_bayar", parse_amount),
        ("penghasilan_bulanan", parse_amount),
        ("bobot", parse_decimal),
    ):
        typed[col] = to_float_col(raw_column(frame, col), fn)
        flag_unparsed(flags, raw_column(frame, col), typed[col], "bad_number", col)
    if "bobot" in frame:
        flags.add(frame["bobot"].eq(""), "missing_required", "bobot", "bobot is empty")
    else:
        typed["bobot"] = 1.0
    typed["tanggal"] = to_datetime_col(raw_column(frame, "tanggal")).astype("datetime64[us]")
    flag_unparsed(flags, raw_column(frame, "tanggal"), typed["tanggal"], "bad_date", "tanggal")


def clean_survey(frame: pd.DataFrame, ctx: Context, file_name: str, extra: dict) -> CleanedPart:
    """Awareness survey: kelurahan matched, yes/no and benefit lists typed, reasons coded, weights checked."""
    flags = begin(frame, "survei_kesadaran")
    typed = pd.DataFrame(index=frame.index)
    manfaat = _answers(frame, flags, typed)
    _numbers(frame, flags, typed)
    flags.add_failures(schemas.failures(schemas.typed("survei_kesadaran", ctx.end), typed))
    places = flag_places(flags, frame, ctx, None)

    ok = ~flags.bad
    code = places["kode_kelurahan"][ok]
    knows = manfaat[ok].map(lambda p: set(p[0]))
    units_ = ctx.matcher.units.set_index("kode_kelurahan")
    clean = pd.DataFrame(
        {
            "id_responden": rekey(frame["id_responden"][ok], ctx.key, "id_responden"),
            "tanggal": typed["tanggal"][ok],
            "kode_kelurahan": code.astype("str"),
            "kode_kecamatan": map_text(code, units_["kode_kecamatan"]),
            "sektor": sector_of(raw_column(frame, "sektor")[ok], ctx.reference_dir),
            "peran": typed["peran"][ok].astype("str"),
            "tahu_bpjs_kesehatan": typed["tahu_bpjs_kesehatan"][ok].astype(bool),
            "tahu_bpjs_tk": typed["tahu_bpjs_tk"][ok].astype(bool),
            **{f"tahu_{p.lower()}": knows.map(lambda s, p=p: p in s).astype(bool) for p in _ASKED},
            "tahu_manfaat": knows.map(lambda s: bool(s & set(BENEFITS))).astype(bool),
            "terdaftar": typed["terdaftar"][ok],
            "alasan": reason_of(raw_column(frame, "alasan_tidak_daftar")[ok], ctx.reference_dir),
            "kesediaan_bayar": typed["kesediaan_bayar"][ok],
            "penghasilan_bulanan": typed["penghasilan_bulanan"][ok],
            "bobot": typed["bobot"][ok].astype(float),
            "_key": frame["id_responden"][ok].astype("str"),
            **match_notes(frame, places, ok),
        }
    ).reset_index(drop=True)
    return CleanedPart(clean, flags.quarantine(frame, file_name))


def empty_survey() -> pd.DataFrame:
    """The survey table of a month without a survey file: every column, no rows."""
    return empty_table(
        (
            ("id_responden", "str"),
            ("tanggal", "datetime64[us]"),
            ("kode_kelurahan", "str"),
            ("kode_kecamatan", "str"),
            ("sektor", "str"),
            ("peran", "str"),
            ("tahu_bpjs_kesehatan", bool),
            ("tahu_bpjs_tk", bool),
            ("tahu_jkk", bool),
            ("tahu_jkm", bool),
            ("tahu_jht", bool),
            ("tahu_jp", bool),
            ("tahu_manfaat", bool),
            ("terdaftar", "boolean"),
            ("alasan", "str"),
            ("kesediaan_bayar", float),
            ("penghasilan_bulanan", float),
            ("bobot", float),
        )
    )
