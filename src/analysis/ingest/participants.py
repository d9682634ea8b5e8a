"""The BPJS Ketenagakerjaan participant extract (`peserta_bpjstk`), one partition at a time: NIK and
KPJ pseudonymised, status, segment, programmes and months typed, each record marked paid up and
effective. A person may hold several records, so no key is compared across the file."""

from __future__ import annotations

import pandas as pd

from analysis.ingest import schemas
from analysis.ingest.link import record_flags
from analysis.ingest.nik import nik_number
from analysis.ingest.parse import map_unique, parse_month, to_datetime_col, to_float_col
from analysis.ingest.pseudonyms import pseudonymise
from analysis.ingest.rules import (
    CleanedPart,
    Context,
    Flags,
    begin,
    flag_niks,
    flag_unparsed,
    raw_column,
)
from analysis.ingest.vocab import PROGRAMS, programs_named, segment_code, status_code


def _coded(frame: pd.DataFrame, flags: Flags, typed: pd.DataFrame) -> pd.Series:
    """Segment and status as codes, and the programme list checked; unknown words flagged
    `bad_value`. Returns the raw programme column."""
    seg_raw, status_raw = raw_column(frame, "segmen"), frame["status"]
    typed["segmen"] = map_unique(seg_raw, segment_code, dtype="str")
    typed["status"] = map_unique(status_raw, status_code, dtype="str")
    for col, raw_col in (("segmen", seg_raw), ("status", status_raw)):
        unknown = typed[col].eq("?")
        flags.add(
            unknown,
            "bad_value",
            col,
            (raw_col, f"{col} {{}} is not a known value"),
        )
        typed[col] = typed[col].mask(unknown, None)
    prog_raw = raw_column(frame, "program")
    bad_prog = map_unique(prog_raw, lambda v: bool(programs_named(v)[1]), dtype=bool)
    flags.add(
        bad_prog,
        "bad_value",
        "program",
        (prog_raw, "program {} names an unknown programme"),
    )
    return prog_raw


def _dated(frame: pd.DataFrame, flags: Flags, typed: pd.DataFrame) -> None:
    """Reported wage, membership date and last month paid, read (flagged where they cannot be)."""
    upah_raw, tgl_raw, iuran_raw = (
        raw_column(frame, "upah_dilaporkan"),
        raw_column(frame, "tgl_kepesertaan"),
        frame["iuran_terakhir"],
    )
    typed["upah_dilaporkan"] = to_float_col(upah_raw)
    typed["tgl_kepesertaan"] = to_datetime_col(tgl_raw).astype("datetime64[us]")
    typed["iuran_terakhir"] = to_datetime_col(iuran_raw, parse_month).astype("datetime64[us]")
    flag_unparsed(flags, upah_raw, typed["upah_dilaporkan"], "bad_number", "upah_dilaporkan")
    flag_unparsed(flags, tgl_raw, typed["tgl_kepesertaan"], "bad_date", "tgl_kepesertaan")
    flag_unparsed(flags, iuran_raw, typed["iuran_terakhir"], "bad_date", "iuran_terakhir")


def clean_participants(
    frame: pd.DataFrame, ctx: Context, file_name: str, extra: dict
) -> CleanedPart:
    """BPJS Ketenagakerjaan records: NIK and KPJ pseudonymised, status, programmes and months typed."""
    flags = begin(frame, "peserta_bpjstk")
    niks = flag_niks(flags, frame["nik"], "nik")
    typed = pd.DataFrame(index=frame.index)
    prog_raw = _coded(frame, flags, typed)
    _dated(frame, flags, typed)
    flags.add_failures(schemas.failures(schemas.typed("peserta_bpjstk", ctx.end), typed))

    ok = ~flags.bad
    kpj = raw_column(frame, "kpj")[ok].str.replace(r"\D", "", regex=True)
    nik = niks["nik"][ok]
    clean = pd.DataFrame(
        {
            "nik_hash": pseudonymise(nik, ctx.key),
            "kpj_hash": pseudonymise(kpj.mask(kpj.eq("")), ctx.key),
            "segmen": typed["segmen"][ok].astype("str"),
            **{
                p.lower(): map_unique(
                    prog_raw[ok], lambda v, p=p: p in programs_named(v)[0], dtype=bool
                )
                for p in PROGRAMS
            },
            "upah_dilaporkan": typed["upah_dilaporkan"][ok],
            "tgl_kepesertaan": typed["tgl_kepesertaan"][ok],
            "status": typed["status"][ok].astype("str"),
            "iuran_terakhir": typed["iuran_terakhir"][ok],
        }
    ).reset_index(drop=True)
    clean = record_flags(clean, ctx.start)
    clean["_row"] = frame["source_row"][ok].to_numpy(dtype="int64")
    clean["_nik"] = nik_number(nik)
    clean["_repaired"] = niks["status"].eq("repaired")[ok].to_numpy(dtype=bool)
    return CleanedPart(clean, flags.quarantine(frame, file_name))
