"""The UMKM registry (`umkm`), one partition at a time: kelurahan matched, counts and amounts typed,
sector from the KBLI code (or the sector words), size class from turnover (or the stated size),
owner NIK pseudonymised, NIB kept only in its 13-digit shape; the same id_umkm twice is found
across the file afterwards."""

from __future__ import annotations

import pandas as pd

from analysis.ingest import schemas
from analysis.ingest.classify import kbli_of, sector_and_match, size_class, stated_size
from analysis.ingest.nik import check_niks
from analysis.ingest.parse import (
    clean_text,
    map_text,
    map_unique,
    parse_int,
    to_datetime_col,
    to_float_col,
)
from analysis.ingest.partitions import KeyRule
from analysis.ingest.pseudonyms import pseudonymise
from analysis.ingest.rules import (
    CleanedPart,
    Context,
    Flags,
    begin,
    flag_places,
    flag_unparsed,
    raw_column,
    safe_quote,
)
from analysis.reference import UNKNOWN

KEY_RULE: KeyRule = ("duplicate_key", "id_umkm", "same id_umkm")
#: A NIB (Nomor Induk Berusaha, OSS) has 13 digits; anything else is dropped (a longer run may
#: hold an owner's NIK) and counted in quality.json (`nib_not_13_digits`).
NIB_DIGITS = 13


def _typed(frame: pd.DataFrame, flags: Flags, ctx: Context) -> pd.DataFrame:
    """Declared workers, yearly turnover and registration date, read and checked."""
    n_raw, omzet_raw, date_raw = (
        frame["jumlah_tenaga_kerja"],
        raw_column(frame, "omzet_tahunan"),
        raw_column(frame, "tanggal_daftar"),
    )
    typed = pd.DataFrame(index=frame.index)
    typed["jumlah_tenaga_kerja"] = to_float_col(n_raw, parse_int).astype("Int64")
    typed["omzet_tahunan"] = to_float_col(omzet_raw)
    typed["tanggal_daftar"] = to_datetime_col(date_raw).astype("datetime64[us]")
    flag_unparsed(flags, n_raw, typed["jumlah_tenaga_kerja"], "bad_number", "jumlah_tenaga_kerja")
    flag_unparsed(flags, omzet_raw, typed["omzet_tahunan"], "bad_number", "omzet_tahunan")
    flag_unparsed(flags, date_raw, typed["tanggal_daftar"], "bad_date", "tanggal_daftar")
    flags.add_failures(schemas.failures(schemas.typed("umkm", ctx.end), typed))
    return typed


def _sector(frame: pd.DataFrame, flags: Flags, ctx: Context) -> pd.DataFrame:
    """Sector by KBLI code where the registry gives one (a code that does not exist is quarantined,
    never guessed), else by the sector words; KBLI code and kategori; words no keyword knows."""
    kbli_raw = raw_column(frame, "kbli")
    kbli = kbli_of(kbli_raw, ctx.reference_dir)
    bad = kbli["problem"].ne("")
    detail = pd.Series("", index=frame.index, dtype=object)
    if bad.any():  # the value as written, then why it cannot be used
        detail[bad] = [
            f"kbli {safe_quote(v)} {why}"
            for v, why in zip(kbli_raw[bad], kbli["problem"][bad], strict=True)
        ]
    flags.add(bad, "bad_value", "kbli", detail)
    words, unmatched = sector_and_match(raw_column(frame, "sektor"), ctx.reference_dir)
    coded = kbli["kbli"].ne("")
    return pd.DataFrame(
        {
            "sektor": words.where(~coded, kbli["sektor"]),
            "kbli": kbli["kbli"].where(coded, None),
            "kbli_kategori": kbli["kategori"].where(coded, None),
            "_sector_unmatched": unmatched & ~coded & raw_column(frame, "sektor").ne(""),
        }
    )


def _size(frame: pd.DataFrame, typed: pd.DataFrame, flags: Flags, ctx: Context) -> pd.DataFrame:
    """Size class from yearly turnover (the regulation of the registration date); where turnover is
    missing, the size the registry states ('Skala Usaha'). Where both are given and differ, the
    turnover's class holds and the row is counted (quality.json), never silently resolved."""
    stated_raw = raw_column(frame, "skala_usaha")
    stated, unreadable = stated_size(stated_raw)
    flags.add(
        unreadable,
        "bad_value",
        "skala_usaha",
        (stated_raw, "skala_usaha {} is not mikro, kecil, menengah or besar"),
    )
    by_sales = size_class(typed["omzet_tahunan"], typed["tanggal_daftar"], ctx.reference_dir)
    has_sales, has_stated = by_sales.ne(UNKNOWN), stated.ne(UNKNOWN)
    return pd.DataFrame(
        {
            "kelas_usaha": by_sales.where(has_sales, stated),
            "_size_stated_used": ~has_sales & has_stated,
            "_size_disagrees": has_sales & has_stated & by_sales.ne(stated),
        }
    )


def clean_businesses(frame: pd.DataFrame, ctx: Context, file_name: str, extra: dict) -> CleanedPart:
    """Businesses: kelurahan matched, counts and amounts typed, sector and size class, owner NIK
    pseudonymised."""
    flags = begin(frame, "umkm")
    typed = _typed(frame, flags, ctx)
    sector = _sector(frame, flags, ctx)
    size = _size(frame, typed, flags, ctx)
    places = flag_places(flags, frame, ctx, typed["tanggal_daftar"])
    ids = frame["id_umkm"].str.upper()

    owners = check_niks(raw_column(frame, "nik_pemilik"))
    nib = raw_column(frame, "nib").str.replace(r"\D", "", regex=True)
    nib_ok = nib.str.fullmatch(rf"\d{{{NIB_DIGITS}}}")
    ok = ~flags.bad
    units_ = ctx.matcher.units.set_index("kode_kelurahan")
    code = places["kode_kelurahan"][ok]
    clean = pd.DataFrame(
        {
            "id_umkm": ids[ok].astype("str"),
            "nib": nib[ok].where(nib_ok[ok], None).astype("str"),
            "owner_hash": pseudonymise(owners["nik"][ok], ctx.key),
            "kode_kelurahan": code.astype("str"),
            "kelurahan": map_text(code, units_["kelurahan"]),
            "kode_kecamatan": map_text(code, units_["kode_kecamatan"]),
            "kecamatan": map_text(code, units_["kecamatan"]),
            "sektor": sector["sektor"][ok].astype("str"),
            "kbli": sector["kbli"][ok].astype("str"),
            "kbli_kategori": sector["kbli_kategori"][ok].astype("str"),
            "kelas_usaha": size["kelas_usaha"][ok].astype("str"),
            "jumlah_tenaga_kerja": typed["jumlah_tenaga_kerja"][ok].astype("int64"),
            "omzet_tahunan": typed["omzet_tahunan"][ok],
            "tanggal_daftar": typed["tanggal_daftar"][ok],
            "kelurahan_match": places["method"][ok].astype("str"),
            "_row": frame["source_row"][ok].astype("int64"),
            "_key": ids[ok].astype("str"),
            "_raw_kel": map_unique(frame["kelurahan"][ok], clean_text, dtype="str"),
            "_score": places["score"][ok].astype("float64"),
            "_nib_invalid": (nib.ne("") & ~nib_ok)[ok].astype(bool),
            "_sector_unmatched": sector["_sector_unmatched"][ok].astype(bool),
            "_size_stated_used": size["_size_stated_used"][ok].astype(bool),
            "_size_disagrees": size["_size_disagrees"][ok].astype(bool),
            "_owner_unusable": (
                ~owners["status"].isin(["ok", "repaired"]) & owners["status"].ne("missing")
            )[ok].astype(bool),
        }
    ).reset_index(drop=True)
    return CleanedPart(clean, flags.quarantine(frame, file_name), ids.astype("str"))
