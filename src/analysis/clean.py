"""Clean one period: raw extracts → typed, pseudonymised tables + quarantine + quality.json.

`clean_period` is what notebook 01 and `python -m analysis clean` run. For each raw file:
read as text → drop exact duplicate rows → check required values (pandera) → parse Indonesian
dates, months, Rupiah, yes/no → check typed values (pandera) → match kelurahan → validate NIKs →
pseudonymise. A failing row is quarantined with the first rule it breaks (`schemas.RULES`
order) and the run goes on; every file satisfies
`rows_in == rows_clean + rows_quarantined + rows_duplicate`, checked on every run.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import schemas
from analysis.classes import reason_of, sector_of, size_class
from analysis.coverage import kelurahan_counts
from analysis.errors import AnalysisError
from analysis.identity import check_niks, key_id, load_key, nik_region, pseudonymise
from analysis.linkage import link, record_flags
from analysis.parse import (
    clean_text,
    map_unique,
    parse_amount,
    parse_bool,
    parse_decimal,
    parse_int,
    parse_month,
    quote,
    split_codes,
    to_datetime_col,
    to_float_col,
)
from analysis.paths import RAW_STEMS, REQUIRED_STEMS, Paths, check_period
from analysis.places import PlaceMatcher
from analysis.read import PERSONAL, REQUIRED, RawTable, find_raw_file, read_raw
from analysis.reference import DEFAULT_REGION, gazetteer, splits, units

PROGRAMS = ("JKK", "JKM", "JHT", "JP", "JKP")
BENEFITS = ("JKK", "JKM", "JHT")
_STATUS = {
    "aktif": "AKTIF",
    "active": "AKTIF",
    "a": "AKTIF",
    "nonaktif": "NONAKTIF",
    "non aktif": "NONAKTIF",
    "tidak aktif": "NONAKTIF",
    "tdk aktif": "NONAKTIF",
    "inactive": "NONAKTIF",
    "na": "NONAKTIF",
    "non": "NONAKTIF",
}
_SEGMEN = {
    "pu": "PU",
    "penerima upah": "PU",
    "formal": "PU",
    "ppu": "PU",
    "bpu": "BPU",
    "bukan penerima upah": "BPU",
    "informal": "BPU",
    "mandiri": "BPU",
    "pbpu": "BPU",
    "jakon": "JAKON",
    "jasa konstruksi": "JAKON",
}
_SEX = {
    "l": "L",
    "laki laki": "L",
    "laki": "L",
    "pria": "L",
    "m": "L",
    "male": "L",
    "lk": "L",
    "p": "P",
    "perempuan": "P",
    "wanita": "P",
    "f": "P",
    "female": "P",
    "pr": "P",
}
_ROLE = {
    "pemilik": "pemilik",
    "pemilik usaha": "pemilik",
    "owner": "pemilik",
    "pengusaha": "pemilik",
    "pekerja": "pekerja",
    "karyawan": "pekerja",
    "buruh": "pekerja",
    "tenaga kerja": "pekerja",
    "worker": "pekerja",
}


def _key(value: object) -> str:
    return " ".join(
        clean_text(value).lower().replace("-", " ").replace("_", " ").replace(".", " ").split()
    )


@dataclass
class Context:
    """What every file's cleaning needs: the period, the place matcher, the pseudonym key."""

    period: str
    matcher: PlaceMatcher
    key: bytes
    reference_dir: Path

    @property
    def start(self) -> pd.Timestamp:
        return pd.Timestamp(f"{self.period}-01")

    @property
    def end(self) -> pd.Timestamp:
        return self.start + pd.offsets.MonthEnd(0)


class Flags:
    """The first-priority quarantine rule (with column and detail) of each row of a frame."""

    def __init__(self, index: pd.Index):
        self.index = index
        self.prio = np.full(len(index), len(schemas.RULES), dtype="int64")
        self.rule = np.full(len(index), None, dtype=object)
        self.column = np.full(len(index), None, dtype=object)
        self.detail = np.full(len(index), None, dtype=object)
        self.pos = pd.Series(np.arange(len(index)), index=index)

    def add(
        self, mask: pd.Series | np.ndarray, rule: str, column: str | None, detail: str | pd.Series
    ) -> None:
        """Flag rows where `mask` holds, unless they already carry a higher-priority rule."""
        p = schemas.RULES.index(rule)
        m = np.asarray(mask, dtype=bool) & (self.prio > p)
        if not m.any():
            return
        self.prio[m], self.rule[m], self.column[m] = p, rule, column
        self.detail[m] = detail if isinstance(detail, str) else np.asarray(detail, dtype=object)[m]

    def add_failures(self, fails: pd.DataFrame) -> None:
        """Flag the cells pandera reported (see `schemas.failures`)."""
        for row in fails.itertuples():
            mask = np.zeros(len(self.index), dtype=bool)
            mask[self.pos[row.index]] = True
            self.add(mask, row.rule, row.column, row.detail)

    @property
    def bad(self) -> np.ndarray:
        return self.rule != None  # noqa: E711 (element-wise)

    def quarantine(self, raw: pd.DataFrame, file_name: str) -> pd.DataFrame:
        bad = self.bad
        return pd.DataFrame(
            {
                "source_file": file_name,
                "source_row": raw["source_row"].to_numpy()[bad].astype("int64"),
                "rule": self.rule[bad].astype(str),
                "column": self.column[bad],
                "detail": self.detail[bad].astype(str),
            }
        )


@dataclass
class FileResult:
    """One raw file's outcome: clean rows, quarantine, counts and notes for quality.json."""

    stem: str
    clean: pd.DataFrame
    quarantine: pd.DataFrame
    raw: RawTable | None
    duplicates: int = 0
    notes: dict = field(default_factory=dict)
    seconds: float = 0.0

    def quality(self) -> dict:
        q = self.quarantine
        entry = {
            "file": self.raw.path.name if self.raw else None,
            "rows_in": self.raw.rows_in if self.raw else 0,
            "rows_clean": len(self.clean),
            "rows_quarantined": len(q),
            "rows_duplicate": self.duplicates,
            "quarantined_by_rule": {
                r: int(n) for r, n in q["rule"].value_counts().sort_index().items()
            },
        }
        if self.raw:
            entry |= {
                "header_row": self.raw.header_row,
                "encoding": self.raw.encoding,
                "delimiter": self.raw.delimiter,
                "columns_used": sorted(set(self.raw.columns_mapped.values())),
                "columns_ignored": self.raw.columns_ignored,
                "blank_rows_skipped": self.raw.blank_rows,
            }
        return entry | self.notes

    def check_accounting(self) -> None:
        q = self.quality()
        if q["rows_in"] != q["rows_clean"] + q["rows_quarantined"] + q["rows_duplicate"]:
            raise AssertionError(
                f"{self.stem}: rows_in {q['rows_in']} != clean {q['rows_clean']} + quarantined "
                f"{q['rows_quarantined']} + duplicate {q['rows_duplicate']}"
            )


# ------------------------------------------------------------------ shared steps


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    return df[name] if name in df else pd.Series("", index=df.index, dtype="str")


def _unparsed(flags: Flags, raw: pd.Series, parsed: pd.Series, rule: str, column: str) -> None:
    bad = raw.ne("") & parsed.isna()
    if column in PERSONAL:
        flags.add(bad, rule, column, f"{column} cannot be read")
    else:
        flags.add(
            bad, rule, column, map_unique(raw, lambda v: f"{column} {quote(v)} cannot be read")
        )


def _start(raw: RawTable, stem: str) -> tuple[pd.DataFrame, int, Flags]:
    """Drop exact duplicates (on every column read), then check required values are present."""
    frame = raw.frame
    dup = (
        frame.drop(columns="source_row").duplicated(keep="first")
        if len(frame)
        else pd.Series([], dtype=bool)
    )
    frame = frame[~dup.to_numpy()]
    flags = Flags(frame.index)
    flags.add_failures(schemas.failures(schemas.present(REQUIRED[stem]), frame))
    return frame, int(dup.sum()), flags


def _malformed(raw: RawTable) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_file": raw.path.name,
            "source_row": [n for n, _ in raw.malformed],
            "rule": "malformed_row",
            "column": None,
            "detail": [f"row {m}" for _, m in raw.malformed],
        }
    )


def _places(
    flags: Flags, frame: pd.DataFrame, ctx: Context, registered_on: pd.Series | None
) -> pd.DataFrame:
    places = ctx.matcher.match(
        frame["kelurahan"],
        _col(frame, "kecamatan") if "kecamatan" in frame else None,
        registered_on,
    )
    for rule in ("kelurahan_unmatched", "kelurahan_ambiguous", "outside_region"):
        flags.add(places["rule"].eq(rule), rule, "kelurahan", places["detail"])
    return places


def _niks(flags: Flags, raw: pd.Series, column: str) -> pd.DataFrame:
    niks = check_niks(raw)
    flags.add(niks["status"].eq("excel_mangled"), "nik_excel_mangled", column, niks["detail"])
    flags.add(niks["status"].eq("invalid"), "nik_invalid", column, niks["detail"])
    return niks


def _duplicate_key(
    flags: Flags, frame: pd.DataFrame, key: pd.Series, rule: str, column: str, what: str
) -> None:
    """Among rows not otherwise quarantined, the second and later rows with the same key."""
    ok = pd.Series(~flags.bad, index=frame.index)
    first = frame["source_row"][ok].groupby(key[ok]).transform("first")
    dup = key[ok].duplicated(keep="first")
    detail = pd.Series("", index=frame.index, dtype="object")
    detail[dup[dup].index] = what + " as row " + first[dup].astype(str)
    flags.add(dup.reindex(frame.index, fill_value=False), rule, column, detail)


def _match_method(places: pd.DataFrame, frame: pd.DataFrame, ctx: Context) -> list[dict]:
    """The non-exact kelurahan matches made (raw text → code, name, method, score, rows) for quality.json."""
    made = places[places["method"].isin(["alias", "fuzzy"])]
    if made.empty:
        return []
    table = pd.DataFrame(
        {
            "raw": frame.loc[made.index, "kelurahan"].map(clean_text),
            "kode_kelurahan": made["kode_kelurahan"],
            "kelurahan": made["kode_kelurahan"].map(ctx.matcher.names),
            "method": made["method"],
            "score": made["score"],
        }
    )
    grouped = (
        table.groupby(["raw", "kode_kelurahan", "kelurahan", "method", "score"])
        .size()
        .reset_index(name="rows")
    )
    return grouped.sort_values(["method", "score", "raw"]).to_dict("records")


# ------------------------------------------------------------------ one function per raw file


def clean_umkm(raw: RawTable, ctx: Context) -> FileResult:
    """Businesses: kelurahan matched, counts and amounts typed, owner NIK pseudonymised."""
    frame, dups, flags = _start(raw, "umkm")
    n_raw, omzet_raw, date_raw = (
        frame["jumlah_tenaga_kerja"],
        _col(frame, "omzet_tahunan"),
        _col(frame, "tanggal_daftar"),
    )
    typed = pd.DataFrame(index=frame.index)
    typed["jumlah_tenaga_kerja"] = to_float_col(n_raw, parse_int).astype("Int64")
    typed["omzet_tahunan"] = to_float_col(omzet_raw)
    typed["tanggal_daftar"] = to_datetime_col(date_raw).astype("datetime64[us]")
    _unparsed(flags, n_raw, typed["jumlah_tenaga_kerja"], "bad_number", "jumlah_tenaga_kerja")
    _unparsed(flags, omzet_raw, typed["omzet_tahunan"], "bad_number", "omzet_tahunan")
    _unparsed(flags, date_raw, typed["tanggal_daftar"], "bad_date", "tanggal_daftar")
    flags.add_failures(schemas.failures(schemas.typed("umkm", ctx.end), typed))
    places = _places(flags, frame, ctx, typed["tanggal_daftar"])
    ids = frame["id_umkm"].str.upper()
    _duplicate_key(flags, frame, ids, "duplicate_key", "id_umkm", "same id_umkm")

    owners = check_niks(_col(frame, "nik_pemilik"))
    ok = ~flags.bad
    units_ = ctx.matcher.units.set_index("kode_kelurahan")
    code = places["kode_kelurahan"][ok]
    clean = pd.DataFrame(
        {
            "id_umkm": ids[ok].astype("str"),
            "nib": _col(frame, "nib")[ok]
            .str.replace(r"\D", "", regex=True)
            .replace("", None)
            .astype("str"),
            "owner_hash": pseudonymise(owners["nik"][ok], ctx.key),
            "kode_kelurahan": code.astype("str"),
            "kelurahan": code.map(units_["kelurahan"]).astype("str"),
            "kode_kecamatan": code.map(units_["kode_kecamatan"]).astype("str"),
            "kecamatan": code.map(units_["kecamatan"]).astype("str"),
            "sektor": sector_of(_col(frame, "sektor")[ok], ctx.reference_dir),
            "kelas_usaha": size_class(
                typed["omzet_tahunan"][ok], typed["tanggal_daftar"][ok], ctx.reference_dir
            ),
            "jumlah_tenaga_kerja": typed["jumlah_tenaga_kerja"][ok].astype("int64"),
            "roster_workers": 0,
            "workers": typed["jumlah_tenaga_kerja"][ok].astype("int64"),
            "omzet_tahunan": typed["omzet_tahunan"][ok],
            "tanggal_daftar": typed["tanggal_daftar"][ok],
            "kelurahan_match": places["method"][ok].astype("str"),
        }
    ).reset_index(drop=True)
    notes = {
        "kelurahan_matches": _match_method(places[ok], frame, ctx),
        "owner_nik_unusable": int(
            (~owners["status"].isin(["ok", "repaired"]) & owners["status"].ne("missing"))[ok].sum()
        ),
        "sector_unrecognised": int(clean["sektor"].eq("lainnya").sum()),
    }
    quarantine = pd.concat([_malformed(raw), flags.quarantine(frame, raw.path.name)])
    return FileResult("umkm", clean, quarantine, raw, dups, notes)


def clean_workers(
    raw: RawTable, ctx: Context, businesses: pd.DataFrame, quarantined_ids: set[str]
) -> FileResult:
    """Roster workers: NIK validated and pseudonymised, linked to a clean business, one row a person."""
    frame, dups, flags = _start(raw, "tenaga_kerja")
    niks = _niks(flags, frame["nik"], "nik")
    income_raw, birth_raw = _col(frame, "penghasilan_bulanan"), _col(frame, "tanggal_lahir")
    typed = pd.DataFrame(index=frame.index)
    typed["penghasilan_bulanan"] = to_float_col(income_raw)
    typed["tanggal_lahir"] = to_datetime_col(birth_raw).astype("datetime64[us]")
    _unparsed(flags, income_raw, typed["penghasilan_bulanan"], "bad_number", "penghasilan_bulanan")
    _unparsed(flags, birth_raw, typed["tanggal_lahir"], "bad_date", "tanggal_lahir")
    flags.add_failures(schemas.failures(schemas.typed("tenaga_kerja", ctx.end), typed))
    ids = frame["id_umkm"].str.upper()
    known = ids.isin(set(businesses["id_umkm"]))
    in_quarantine = ids.isin(quarantined_ids)
    flags.add(
        ~known & in_quarantine & ids.ne(""),
        "business_quarantined",
        "id_umkm",
        "the business of this worker is quarantined in umkm",
    )
    flags.add(
        ~known & ~in_quarantine & ids.ne(""),
        "unknown_business",
        "id_umkm",
        map_unique(ids, lambda v: f"id_umkm {quote(v)} is not in the registry"),
    )
    _duplicate_key(flags, frame, niks["nik"].fillna(""), "duplicate_person", "nik", "same NIK")

    ok = ~flags.bad
    biz = businesses.set_index("id_umkm")
    sex = map_unique(_col(frame, "jenis_kelamin")[ok], lambda v: _SEX.get(_key(v)), dtype="str")
    birth = typed["tanggal_lahir"][ok]
    age = (
        ctx.end.year
        - birth.dt.year
        - (
            (birth.dt.month > ctx.end.month)
            | ((birth.dt.month == ctx.end.month) & (birth.dt.day > ctx.end.day))
        )
    ).astype("Int64")
    clean = pd.DataFrame(
        {
            "nik_hash": pseudonymise(niks["nik"][ok], ctx.key),
            "id_umkm": ids[ok].astype("str"),
            "kode_kelurahan": ids[ok].map(biz["kode_kelurahan"]).astype("str"),
            "kode_kecamatan": ids[ok].map(biz["kode_kecamatan"]).astype("str"),
            "sektor": ids[ok].map(biz["sektor"]).astype("str"),
            "kelas_usaha": ids[ok].map(biz["kelas_usaha"]).astype("str"),
            "jenis_kelamin": sex,
            "umur": age,
            "nik_kabkota": nik_region(niks["nik"][ok]).astype("str"),
            "penghasilan_bulanan": typed["penghasilan_bulanan"][ok],
        }
    ).reset_index(drop=True)
    notes = {
        "nik_repaired": int(niks["status"].eq("repaired")[ok].sum()),
        "nik_registered_outside_region": int(
            (
                ~clean["nik_kabkota"].str.startswith(
                    ctx.matcher.units["kode_kelurahan"].iloc[0][:5].replace(".", "")
                )
            ).sum()
        ),
    }
    quarantine = pd.concat([_malformed(raw), flags.quarantine(frame, raw.path.name)])
    return FileResult("tenaga_kerja", clean, quarantine, raw, dups, notes)


def clean_participants(raw: RawTable, ctx: Context) -> FileResult:
    """BPJS Ketenagakerjaan records: NIK and KPJ pseudonymised, status, programmes and months typed."""
    frame, dups, flags = _start(raw, "peserta_bpjstk")
    niks = _niks(flags, frame["nik"], "nik")
    typed = pd.DataFrame(index=frame.index)
    seg_raw, status_raw = _col(frame, "segmen"), frame["status"]
    typed["segmen"] = map_unique(
        seg_raw, lambda v: _SEGMEN.get(_key(v), "?" if _key(v) else None), dtype="str"
    )
    typed["status"] = map_unique(
        status_raw,
        lambda v: _STATUS.get(
            _key(v).replace("non ", "non"), _STATUS.get(_key(v), "?" if _key(v) else None)
        ),
        dtype="str",
    )
    for col, raw_col in (("segmen", seg_raw), ("status", status_raw)):
        unknown = typed[col].eq("?")
        flags.add(
            unknown,
            "bad_value",
            col,
            map_unique(raw_col, lambda v, c=col: f"{c} {quote(v)} is not a known value"),
        )
        typed[col] = typed[col].mask(unknown, None)
    prog_raw = _col(frame, "program")
    progs = map_unique(prog_raw, lambda v: split_codes(v, set(PROGRAMS)))
    bad_prog = progs.map(lambda p: bool(p[1]))
    flags.add(
        bad_prog,
        "bad_value",
        "program",
        map_unique(prog_raw, lambda v: f"program {quote(v)} names an unknown programme"),
    )
    upah_raw, tgl_raw, iuran_raw = (
        _col(frame, "upah_dilaporkan"),
        _col(frame, "tgl_kepesertaan"),
        frame["iuran_terakhir"],
    )
    typed["upah_dilaporkan"] = to_float_col(upah_raw)
    typed["tgl_kepesertaan"] = to_datetime_col(tgl_raw).astype("datetime64[us]")
    typed["iuran_terakhir"] = to_datetime_col(iuran_raw, parse_month).astype("datetime64[us]")
    _unparsed(flags, upah_raw, typed["upah_dilaporkan"], "bad_number", "upah_dilaporkan")
    _unparsed(flags, tgl_raw, typed["tgl_kepesertaan"], "bad_date", "tgl_kepesertaan")
    _unparsed(flags, iuran_raw, typed["iuran_terakhir"], "bad_date", "iuran_terakhir")
    flags.add_failures(schemas.failures(schemas.typed("peserta_bpjstk", ctx.end), typed))

    ok = ~flags.bad
    held = progs[ok].map(lambda p: set(p[0]))
    kpj = _col(frame, "kpj")[ok].str.replace(r"\D", "", regex=True)
    clean = pd.DataFrame(
        {
            "nik_hash": pseudonymise(niks["nik"][ok], ctx.key),
            "kpj_hash": pseudonymise(kpj.mask(kpj.eq("")), ctx.key),
            "segmen": typed["segmen"][ok].astype("str"),
            **{p.lower(): held.map(lambda s, p=p: p in s).astype(bool) for p in PROGRAMS},
            "upah_dilaporkan": typed["upah_dilaporkan"][ok],
            "tgl_kepesertaan": typed["tgl_kepesertaan"][ok],
            "status": typed["status"][ok].astype("str"),
            "iuran_terakhir": typed["iuran_terakhir"][ok],
        }
    ).reset_index(drop=True)
    clean = record_flags(clean, ctx.start)
    notes = {
        "nik_repaired": int(niks["status"].eq("repaired")[ok].sum()),
        "people": int(clean["nik_hash"].nunique()),
    }
    quarantine = pd.concat([_malformed(raw), flags.quarantine(frame, raw.path.name)])
    return FileResult("peserta_bpjstk", clean, quarantine, raw, dups, notes)


def clean_survey(raw: RawTable, ctx: Context) -> FileResult:
    """Awareness survey: kelurahan matched, yes/no and benefit lists typed, reasons coded, weights checked."""
    frame, dups, flags = _start(raw, "survei_kesadaran")
    typed = pd.DataFrame(index=frame.index)
    for col in ("tahu_bpjs_kesehatan", "tahu_bpjs_tk", "terdaftar"):
        raw_col = _col(frame, col)
        typed[col] = map_unique(raw_col, parse_bool).astype("boolean")
        flags.add(
            raw_col.ne("") & typed[col].isna(),
            "bad_value",
            col,
            map_unique(raw_col, lambda v, c=col: f"{c} {quote(v)} is not yes or no"),
        )
    manfaat_raw = _col(frame, "tahu_manfaat")
    manfaat = map_unique(
        manfaat_raw,
        lambda v: (
            ([], [])
            if _key(v) in {"", "tidak tahu", "tidak ada", "tdk tahu", "belum tahu", "0"}
            else split_codes(v, set(PROGRAMS))
        ),
    )
    flags.add(
        manfaat.map(lambda p: bool(p[1])),
        "bad_value",
        "tahu_manfaat",
        map_unique(manfaat_raw, lambda v: f"tahu_manfaat {quote(v)} names an unknown benefit"),
    )
    peran_raw = _col(frame, "peran")
    typed["peran"] = map_unique(
        peran_raw, lambda v: _ROLE.get(_key(v), "?" if _key(v) else None), dtype="str"
    )
    flags.add(
        typed["peran"].eq("?"),
        "bad_value",
        "peran",
        map_unique(peran_raw, lambda v: f"peran {quote(v)} is not pemilik or pekerja"),
    )
    typed["peran"] = typed["peran"].mask(typed["peran"].eq("?"), None)
    for col, fn in (
        ("kesediaan_bayar", parse_amount),
        ("penghasilan_bulanan", parse_amount),
        ("bobot", parse_decimal),
    ):
        typed[col] = to_float_col(_col(frame, col), fn)
        _unparsed(flags, _col(frame, col), typed[col], "bad_number", col)
    if "bobot" in frame:
        flags.add(frame["bobot"].eq(""), "missing_required", "bobot", "bobot is empty")
    else:
        typed["bobot"] = 1.0
    typed["tanggal"] = to_datetime_col(_col(frame, "tanggal")).astype("datetime64[us]")
    _unparsed(flags, _col(frame, "tanggal"), typed["tanggal"], "bad_date", "tanggal")
    flags.add_failures(schemas.failures(schemas.typed("survei_kesadaran", ctx.end), typed))
    places = _places(flags, frame, ctx, None)
    _duplicate_key(
        flags, frame, frame["id_responden"], "duplicate_key", "id_responden", "same id_responden"
    )

    ok = ~flags.bad
    code = places["kode_kelurahan"][ok]
    knows = manfaat[ok].map(lambda p: set(p[0]))
    units_ = ctx.matcher.units.set_index("kode_kelurahan")
    clean = pd.DataFrame(
        {
            "id_responden": frame["id_responden"][ok].astype("str"),
            "tanggal": typed["tanggal"][ok],
            "kode_kelurahan": code.astype("str"),
            "kode_kecamatan": code.map(units_["kode_kecamatan"]).astype("str"),
            "sektor": sector_of(_col(frame, "sektor")[ok], ctx.reference_dir),
            "peran": typed["peran"][ok].astype("str"),
            "tahu_bpjs_kesehatan": typed["tahu_bpjs_kesehatan"][ok].astype(bool),
            "tahu_bpjs_tk": typed["tahu_bpjs_tk"][ok].astype(bool),
            **{
                f"tahu_{p.lower()}": knows.map(lambda s, p=p: p in s).astype(bool)
                for p in ("JKK", "JKM", "JHT", "JP")
            },
            "tahu_manfaat": knows.map(lambda s: bool(s & set(BENEFITS))).astype(bool),
            "terdaftar": typed["terdaftar"][ok],
            "alasan": reason_of(_col(frame, "alasan_tidak_daftar")[ok], ctx.reference_dir),
            "kesediaan_bayar": typed["kesediaan_bayar"][ok],
            "penghasilan_bulanan": typed["penghasilan_bulanan"][ok],
            "bobot": typed["bobot"][ok].astype(float),
        }
    ).reset_index(drop=True)
    notes = {"kelurahan_matches": _match_method(places[ok], frame, ctx)}
    quarantine = pd.concat([_malformed(raw), flags.quarantine(frame, raw.path.name)])
    return FileResult("survei_kesadaran", clean, quarantine, raw, dups, notes)


# ------------------------------------------------------------------ the period


@dataclass
class CleanResult:
    """What a cleaning run produced: the processed tables (also written to disk) and quality."""

    period: str
    out_dir: Path
    tables: dict[str, pd.DataFrame]
    quality: dict
    seconds: dict[str, float]


def _empty_survey() -> pd.DataFrame:
    return pd.DataFrame(
        {
            name: pd.Series(dtype=dt)
            for name, dt in (
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
        }
    )


def read_period(period: str, paths: Paths) -> dict[str, RawTable | None]:
    """Find and read the period's raw files; missing required files stop the run with one sentence."""
    raw_dir = paths.raw(period)
    if not raw_dir.is_dir():
        raise AnalysisError(
            f"No raw data for {period}: folder {raw_dir} does not exist (generate demo data with "
            f"'python -m analysis demo-data --period {period}' or put the extracts there)."
        )
    tables: dict[str, RawTable | None] = {}
    for stem in RAW_STEMS:
        path = find_raw_file(raw_dir, stem)
        if path is None:
            if stem in REQUIRED_STEMS:
                raise AnalysisError(
                    f"{raw_dir} has no {stem}.csv or {stem}.xlsx, which every period needs."
                )
            tables[stem] = None
            continue
        tables[stem] = read_raw(stem, path)
    return tables


def clean_period(
    period: str,
    data_dir: str | Path | None = None,
    region: str = DEFAULT_REGION,
    log: Callable[[str], None] | None = None,
) -> CleanResult:
    """Clean one period's raw extracts and write every processed file of DESIGN.md atomically."""
    from analysis.demo import is_untouched_demo

    check_period(period)
    paths = Paths.of(data_dir)
    say = log or (lambda _msg: None)
    ref = paths.reference
    demo = is_untouched_demo(paths.raw(period))
    ctx = Context(
        period, PlaceMatcher(units(region, ref), gazetteer(ref), splits(ref)), load_key(demo), ref
    )
    seconds: dict[str, float] = {}

    t0 = time.perf_counter()
    raw = read_period(period, paths)
    seconds["read"] = time.perf_counter() - t0
    say(f"read {', '.join(t.path.name for t in raw.values() if t)} in {seconds['read']:.1f} s")

    def timed(stem, fn, *args) -> FileResult:
        t = time.perf_counter()
        res = fn(*args)
        res.seconds = seconds[stem] = time.perf_counter() - t
        q = res.quality()
        say(
            f"{stem}: {q['rows_in']:,} rows → {q['rows_clean']:,} clean, {q['rows_quarantined']:,} quarantined, "
            f"{q['rows_duplicate']:,} exact duplicates ({res.seconds:.1f} s)"
        )
        return res

    biz = timed("umkm", clean_umkm, raw["umkm"], ctx)
    bad_ids = set(biz.raw.frame["id_umkm"].str.upper()) - set(biz.clean["id_umkm"])
    wrk = timed("tenaga_kerja", clean_workers, raw["tenaga_kerja"], ctx, biz.clean, bad_ids)
    par = timed("peserta_bpjstk", clean_participants, raw["peserta_bpjstk"], ctx)
    if raw["survei_kesadaran"] is not None:
        srv = timed("survei_kesadaran", clean_survey, raw["survei_kesadaran"], ctx)
    else:
        srv = FileResult(
            "survei_kesadaran",
            _empty_survey(),
            pd.DataFrame(columns=["source_file", "source_row", "rule", "column", "detail"]),
            None,
            notes={"missing": True},
        )
        say("survei_kesadaran: no file this period")

    t = time.perf_counter()
    roster = wrk.clean.groupby("id_umkm").size()
    businesses = biz.clean.copy()
    businesses["roster_workers"] = businesses["id_umkm"].map(roster).fillna(0).astype("int64")
    businesses["workers"] = np.maximum(
        businesses["jumlah_tenaga_kerja"], businesses["roster_workers"]
    ).astype("int64")
    workers, on_roster = link(wrk.clean, par.clean)
    participants = par.clean.assign(on_roster=on_roster.to_numpy())
    coverage = kelurahan_counts(businesses, workers, ctx.matcher.units)
    seconds["link"] = time.perf_counter() - t

    results = [biz, wrk, par, srv]
    for res in results:
        res.check_accounting()
    quarantine = pd.concat([r.quarantine for r in results], ignore_index=True)
    quarantine = quarantine.astype(
        {
            "source_file": "str",
            "source_row": "int64",
            "rule": "str",
            "column": "str",
            "detail": "str",
        }
    )
    quality = {
        "period": period,
        "region": region,
        "demo": demo,
        "key_id": key_id(ctx.key),
        **{r.stem: r.quality() for r in results},
        "links": {
            "roster_workers": len(workers),
            "registered": int(workers["registered"].sum()),
            "active": int(workers["active"].sum()),
            "effective": int(workers["effective"].sum()),
            "participants_not_on_roster": int((~participants["on_roster"]).sum()),
        },
    }
    quality["kelurahan_matches"] = quality["umkm"].pop("kelurahan_matches") + quality[
        "survei_kesadaran"
    ].pop("kelurahan_matches", [])
    tables = {
        "businesses": schemas.conform(schemas.BUSINESSES, businesses),
        "workers": schemas.conform(schemas.WORKERS, workers),
        "participants": schemas.conform(schemas.PARTICIPANTS, participants),
        "survey": schemas.conform(schemas.SURVEY, srv.clean),
        "quarantine": schemas.conform(schemas.QUARANTINE, quarantine),
        "coverage_kelurahan": schemas.COVERAGE_COUNTS.validate(coverage),
    }
    out_dir = paths.processed(period)
    write_processed(out_dir, tables, quality)
    say(f"wrote {out_dir} ({len(tables)} tables + quality.json)")
    return CleanResult(period, out_dir, tables, quality, seconds)


def write_processed(out_dir: Path, tables: dict[str, pd.DataFrame], quality: dict) -> None:
    """Write the tables and quality.json to a staging folder, then swap it in (never half-written)."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    stage.chmod(0o755)
    try:
        for name, table in tables.items():
            table.to_parquet(stage / f"{name}.parquet", index=False)
        (stage / "quality.json").write_text(
            json.dumps(quality, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
        )
        old = out_dir.with_name(f".{out_dir.name}-old")
        if out_dir.exists():
            shutil.rmtree(old, ignore_errors=True)
            out_dir.rename(old)
        stage.rename(out_dir)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def load_processed(period: str, data_dir: str | Path | None = None) -> dict:
    """Read a cleaned period back: the tables by name and `quality`; a clear error if not cleaned yet."""
    out_dir = Paths.of(data_dir).processed(period)
    if not (out_dir / "quality.json").exists():
        raise AnalysisError(
            f"{period} has not been cleaned yet: run notebook 01 or 'python -m analysis clean --period {period}'."
        )
    tables = {p.stem: pd.read_parquet(p) for p in sorted(out_dir.glob("*.parquet"))}
    tables["quality"] = json.loads((out_dir / "quality.json").read_text(encoding="utf-8"))
    return tables
