"""Clean one period: raw extracts → typed, pseudonymised tables + quarantine + quality.json.

`clean_period` is what notebook 01 and `python -m analysis clean` run. For each raw file:
read as text → drop exact duplicate rows → check required values (pandera) → parse Indonesian
dates, months, Rupiah, yes/no → check typed values (pandera) → match kelurahan → validate NIKs →
pseudonymise. A failing row is quarantined with the first rule it breaks (`schemas.RULES`
order) and the run goes on; every file satisfies
`rows_in == rows_clean + rows_quarantined + rows_duplicate`, checked on every run.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.errors import AnalysisError
from analysis.ingest import schemas
from analysis.ingest.classify import reason_of, sector_of, size_class
from analysis.ingest.engine import duckdb_over, release_memory
from analysis.ingest.link import person_status, record_flags
from analysis.ingest.nik import check_niks, nik_region
from analysis.ingest.parse import (
    arrow_text,
    clean_text,
    coded_text,
    map_unique,
    parse_amount,
    parse_bool,
    parse_decimal,
    parse_int,
    parse_month,
    quote,
    split_codes,
    text_of_codes,
    to_datetime_col,
    to_float_col,
)
from analysis.ingest.places import PlaceMatcher
from analysis.ingest.pseudonyms import key_id, load_key, pseudonymise
from analysis.ingest.read import (
    CACHE_DIR,
    PARTITION_ROWS,
    PERSONAL,
    REQUIRED,
    CachedRaw,
    cache_raw,
    find_raw_file,
)
from analysis.metrics.coverage import kelurahan_counts
from analysis.paths import PROCESSED_FILES, RAW_STEMS, REQUIRED_STEMS, Paths, check_period
from analysis.reference import DEFAULT_REGION, gazetteer, splits, units
from analysis.store import staged, write_quality

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


_PROGRAM_NAMES = {
    "jaminan kecelakaan kerja": "JKK", "jaminan kematian": "JKM", "jaminan hari tua": "JHT",
    "jaminan pensiun": "JP", "jaminan kehilangan pekerjaan": "JKP",
}  # fmt: skip


def _benefits(value: object) -> tuple[list[str], list[str]]:
    """Benefits a respondent knows: codes or full names ('Jaminan Hari Tua'); 'tidak'/'-' means none."""
    text = clean_text(value).lower()
    if (
        _key(text) in {"", "tidak tahu", "tidak ada", "tdk tahu", "belum tahu", "0"}
        or parse_bool(text) is False
    ):
        return [], []
    for name, code in _PROGRAM_NAMES.items():
        text = text.replace(name, f" {code} ")
    return split_codes(text, set(PROGRAMS))


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
        self,
        mask: pd.Series | np.ndarray,
        rule: str,
        column: str | None,
        detail: str | pd.Series | tuple[pd.Series, str],
    ) -> None:
        """Flag rows where `mask` holds, unless they already carry a higher-priority rule.

        `detail` is one text, one per row, or (raw values, "… {} …") to quote each flagged
        row's raw value into the template (done for flagged rows only: cheap on millions).
        """
        p = schemas.RULES.index(rule)
        m = np.asarray(mask, dtype=bool) & (self.prio > p)
        if not m.any():
            return
        self.prio[m], self.rule[m], self.column[m] = p, rule, column
        if isinstance(detail, tuple):  # (raw values, "… {} …"): quoted for the flagged rows only
            raw, template = detail
            failing = pd.Series(np.asarray(raw, dtype=object)[m])
            self.detail[m] = map_unique(failing, lambda v: template.format(quote(v))).to_numpy()
        else:
            self.detail[m] = (
                detail if isinstance(detail, str) else np.asarray(detail, dtype=object)[m]
            )

    def add_failures(self, fails: pd.DataFrame) -> None:
        """Flag the cells pandera reported (see `schemas.failures`), one mask per kind of failure."""
        if fails.empty:
            return
        at = self.pos.reindex(fails["index"]).to_numpy()
        for (rule, column, detail), rows in fails.groupby(
            ["rule", "column", "detail"], sort=False
        ).indices.items():
            mask = np.zeros(len(self.index), dtype=bool)
            mask[at[rows]] = True
            self.add(mask, rule, column, detail)

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


# ------------------------------------------------------------------ shared steps


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    return df[name] if name in df else pd.Series("", index=df.index, dtype="str")


def _unparsed(flags: Flags, raw: pd.Series, parsed: pd.Series, rule: str, column: str) -> None:
    bad = raw.ne("") & parsed.isna()
    if column in PERSONAL:
        flags.add(bad, rule, column, f"{column} cannot be read")
    else:
        flags.add(bad, rule, column, (raw, f"{column} {{}} cannot be read"))


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


# ------------------------------------------------------------------ one function per raw file
#
# Each `_local_*` cleans one partition of a raw file with the rules that need only the row
# itself (and, for rosters, the clean businesses). It returns the rows it keeps (with helper
# columns starting with '_'), the rows it quarantines, and per row the two hashes that find
# exact duplicates. The rules that compare rows — exact duplicates, the same key or person
# twice — come last in `schemas.RULES` order, so `_finish_file` applies them afterwards,
# across all partitions, with the same result as on the whole file at once.


@dataclass
class Local:
    """One partition's outcome before the rules that compare rows across the file."""

    clean: pd.DataFrame
    quarantine: pd.DataFrame
    ids: pd.Series | None = None  # umkm: every row's id_umkm (upper case)


def _begin(frame: pd.DataFrame, stem: str) -> Flags:
    """Check required values are present (the first rule of every file)."""
    flags = Flags(frame.index)
    flags.add_failures(schemas.failures(schemas.present(REQUIRED[stem]), frame))
    return flags


def _row_hashes(table: pa.Table) -> pd.DataFrame:
    """Every row's source_row and a 128-bit MD5 of its content (two int64 halves), to find exact
    duplicates across partitions. Each value is length-prefixed ('N' for none) so no two
    different rows give the same text; DuckDB hashes the partition on every core."""
    cells = ", ".join(
        f"coalesce(length({c})::varchar, 'N'), {c}"
        for c in (
            '"' + name.replace('"', '""') + '"'
            for name in table.column_names
            if name != "source_row"
        )
    )
    with duckdb_over(partition_rows=table) as con:
        out = con.sql(  # the MD5 once per row, then split
            "select source_row, (m >> 64)::ubigint as h1,"
            " (m & 18446744073709551615::uhugeint)::ubigint as h2 from ("
            f"select source_row, md5_number(concat_ws(chr(31), {cells})) as m from partition_rows)"
        ).fetchnumpy()
    return pd.DataFrame(  # own copies: nothing of DuckDB's result stays alive with them
        {
            "source_row": np.array(out["source_row"], dtype="int64"),
            **{h: np.array(out[h], dtype="uint64").view("int64") for h in ("h1", "h2")},
        }
    )


class TextLookup:
    """Positions of text values in a fixed list of distinct keys, built once and reused for every
    partition: keys sorted by a 64-bit hash, values found by binary search, each hit confirmed by
    comparing the text (Arrow's `index_in` rebuilds its hash table of millions of keys per call)."""

    def __init__(self, keys: pd.Series | pd.Index):
        self.keys = arrow_text(keys)
        hashes = _hash64(self.keys)
        self.order = np.argsort(hashes, kind="stable")
        self.hashes = hashes[self.order]
        self.unique = not (self.hashes[1:] == self.hashes[:-1]).any()

    def positions(self, values: pd.Series | pd.Index) -> np.ndarray:
        """Position of each value among the keys, -1 where absent (missing matches missing)."""
        values = arrow_text(values)
        if len(self.keys) == 0:
            return np.full(len(values), -1, dtype="int64")
        if not self.unique:  # repeated keys or a hash collision among them: Arrow's lookup
            return pc.fill_null(pc.index_in(values, value_set=self.keys), -1).to_numpy()
        at = _sorted_position(_hash64(values), self.hashes)
        pos = np.where(at >= 0, self.order[np.maximum(at, 0)], -1)
        found = self.keys.take(pa.array(np.maximum(pos, 0)))
        same = pc.or_(
            pc.fill_null(pc.equal(found, values), False),
            pc.and_(pc.is_null(found), pc.is_null(values)),
        )
        return np.where((pos >= 0) & same.to_numpy(zero_copy_only=False), pos, -1)


def _hash64(values: pa.Array) -> np.ndarray:
    """DuckDB's 64-bit hash of each text (as int64), on every core."""
    with duckdb_over(texts=pa.table({"v": values})) as con:
        out = con.sql("select hash(v) as h from texts").fetchnumpy()["h"]
    return np.asarray(out, dtype="uint64").view("int64")


def _sorted_position(values: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """Position of each value in an ascending key array, -1 where absent: a binary search of the
    values in sorted order (ten times faster on millions of keys than in random order, where every
    step misses the cache), which stays fast part after part (np.isin re-sorts the keys each time)."""
    if len(sorted_keys) == 0 or len(values) == 0:
        return np.full(len(values), -1, dtype="int64")
    order = np.argsort(values, kind="stable")
    pos = np.empty(len(values), dtype="int64")
    pos[order] = np.searchsorted(sorted_keys, values[order])
    clipped = np.minimum(pos, len(sorted_keys) - 1)
    return np.where(sorted_keys[clipped] == values, clipped, -1).astype("int64")


def _nik_int(nik: pd.Series) -> np.ndarray:
    """Valid 16-digit NIKs as int64, -1 for none (exact keys for duplicate persons and linking;
    never written out)."""
    return pc.fill_null(pc.cast(arrow_text(nik), pa.int64()), -1).to_numpy()


def _local_umkm(frame: pd.DataFrame, ctx: Context, file_name: str, extra: dict) -> Local:
    """Businesses: kelurahan matched, counts and amounts typed, owner NIK pseudonymised."""
    flags = _begin(frame, "umkm")
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
            "omzet_tahunan": typed["omzet_tahunan"][ok],
            "tanggal_daftar": typed["tanggal_daftar"][ok],
            "kelurahan_match": places["method"][ok].astype("str"),
            "_row": frame["source_row"][ok].astype("int64"),
            "_key": ids[ok].astype("str"),
            "_raw_kel": map_unique(frame["kelurahan"][ok], clean_text, dtype="str"),
            "_score": places["score"][ok].astype("float64"),
            "_owner_unusable": (
                ~owners["status"].isin(["ok", "repaired"]) & owners["status"].ne("missing")
            )[ok].astype(bool),
        }
    ).reset_index(drop=True)
    return Local(clean, flags.quarantine(frame, file_name), ids.astype("str"))


def _local_workers(frame: pd.DataFrame, ctx: Context, file_name: str, extra: dict) -> Local:
    """Roster workers: NIK validated and pseudonymised, linked to a clean business."""
    flags = _begin(frame, "tenaga_kerja")
    niks = _niks(flags, frame["nik"], "nik")
    income_raw, birth_raw = _col(frame, "penghasilan_bulanan"), _col(frame, "tanggal_lahir")
    typed = pd.DataFrame(index=frame.index)
    typed["penghasilan_bulanan"] = to_float_col(income_raw)
    typed["tanggal_lahir"] = to_datetime_col(birth_raw).astype("datetime64[us]")
    _unparsed(flags, income_raw, typed["penghasilan_bulanan"], "bad_number", "penghasilan_bulanan")
    _unparsed(flags, birth_raw, typed["tanggal_lahir"], "bad_date", "tanggal_lahir")
    flags.add_failures(schemas.failures(schemas.typed("tenaga_kerja", ctx.end), typed))
    ids = frame["id_umkm"].str.upper()
    biz = extra["businesses"]
    raw_pos = extra["registry_ids"].positions(ids)  # among every id of the registry file
    pos = np.where(raw_pos >= 0, extra["clean_position"][np.maximum(raw_pos, 0)], -1)
    known = pd.Series(pos >= 0, index=frame.index)
    in_quarantine = pd.Series(raw_pos >= 0, index=frame.index) & ~known
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
        (ids, "id_umkm {} is not in the registry"),
    )

    ok = ~flags.bad
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
    nik = niks["nik"][ok]
    clean = pd.DataFrame(
        {
            "nik_hash": pseudonymise(nik, ctx.key),
            "id_umkm": ids[ok].astype("str"),
            **{
                col: text_of_codes(codes[pos[ok.astype(bool)]], texts, nik.index)
                for col, (codes, texts) in biz.items()
            },
            "jenis_kelamin": sex,
            "umur": age,
            "nik_kabkota": nik_region(nik).astype("str"),
            "penghasilan_bulanan": typed["penghasilan_bulanan"][ok],
            "_row": frame["source_row"][ok].astype("int64"),
            "_biz": pos[ok.astype(bool)],  # the business's position among the clean businesses
            "_key": _nik_int(nik),
            "_repaired": niks["status"].eq("repaired")[ok].astype(bool),
        }
    ).reset_index(drop=True)
    return Local(clean, flags.quarantine(frame, file_name))


def _local_participants(frame: pd.DataFrame, ctx: Context, file_name: str, extra: dict) -> Local:
    """BPJS Ketenagakerjaan records: NIK and KPJ pseudonymised, status, programmes and months typed."""
    flags = _begin(frame, "peserta_bpjstk")
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
            (raw_col, f"{col} {{}} is not a known value"),
        )
        typed[col] = typed[col].mask(unknown, None)
    prog_raw = _col(frame, "program")
    bad_prog = map_unique(prog_raw, lambda v: bool(split_codes(v, set(PROGRAMS))[1]), dtype=bool)
    flags.add(
        bad_prog,
        "bad_value",
        "program",
        (prog_raw, "program {} names an unknown programme"),
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
    kpj = _col(frame, "kpj")[ok].str.replace(r"\D", "", regex=True)
    nik = niks["nik"][ok]
    clean = pd.DataFrame(
        {
            "nik_hash": pseudonymise(nik, ctx.key),
            "kpj_hash": pseudonymise(kpj.mask(kpj.eq("")), ctx.key),
            "segmen": typed["segmen"][ok].astype("str"),
            **{
                p.lower(): map_unique(
                    prog_raw[ok], lambda v, p=p: p in split_codes(v, set(PROGRAMS))[0], dtype=bool
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
    clean["_nik"] = _nik_int(nik)
    clean["_repaired"] = niks["status"].eq("repaired")[ok].to_numpy(dtype=bool)
    return Local(clean, flags.quarantine(frame, file_name))


def _local_survey(frame: pd.DataFrame, ctx: Context, file_name: str, extra: dict) -> Local:
    """Awareness survey: kelurahan matched, yes/no and benefit lists typed, reasons coded, weights checked."""
    flags = _begin(frame, "survei_kesadaran")
    typed = pd.DataFrame(index=frame.index)
    for col in ("tahu_bpjs_kesehatan", "tahu_bpjs_tk", "terdaftar"):
        raw_col = _col(frame, col)
        typed[col] = map_unique(raw_col, parse_bool).astype("boolean")
        flags.add(
            raw_col.ne("") & typed[col].isna(),
            "bad_value",
            col,
            (raw_col, f"{col} {{}} is not yes or no"),
        )
    manfaat_raw = _col(frame, "tahu_manfaat")
    manfaat = map_unique(manfaat_raw, _benefits)
    flags.add(
        manfaat.map(lambda p: bool(p[1])),
        "bad_value",
        "tahu_manfaat",
        (manfaat_raw, "tahu_manfaat {} names an unknown benefit"),
    )
    peran_raw = _col(frame, "peran")
    typed["peran"] = map_unique(
        peran_raw, lambda v: _ROLE.get(_key(v), "?" if _key(v) else None), dtype="str"
    )
    flags.add(
        typed["peran"].eq("?"),
        "bad_value",
        "peran",
        (peran_raw, "peran {} is not pemilik or pekerja"),
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
            "_row": frame["source_row"][ok].astype("int64"),
            "_key": frame["id_responden"][ok].astype("str"),
            "_raw_kel": map_unique(frame["kelurahan"][ok], clean_text, dtype="str"),
            "_score": places["score"][ok].astype("float64"),
            "_method": places["method"][ok].astype("str"),
        }
    ).reset_index(drop=True)
    return Local(clean, flags.quarantine(frame, file_name))


_LOCAL = {
    "umkm": _local_umkm,
    "tenaga_kerja": _local_workers,
    "peserta_bpjstk": _local_participants,
    "survei_kesadaran": _local_survey,
}
#: The rule that compares rows after the partitions: (rule, column, what the detail says).
_KEY_RULE = {
    "umkm": ("duplicate_key", "id_umkm", "same id_umkm"),
    "tenaga_kerja": ("duplicate_person", "nik", "same NIK"),
    "survei_kesadaran": ("duplicate_key", "id_responden", "same id_responden"),
}


#: Partitions at least this large hand their memory back to the OS when done.
RELEASE_MIN_ROWS = 50_000


def _clean_part(job: tuple, ctx: Context, extra: dict | None = None) -> dict:
    """Clean one partition (a row group of the cached raw file) and spill its rows to the work folder.

    Runs in this process or on a Dask worker; returns only what the cross-partition rules
    need: every row's hashes, and the key of each row kept.
    """
    stem, parquet, part, work, file_name = job
    import pyarrow.parquet as pq

    table = pq.ParquetFile(parquet).read_row_group(part)
    rows = _row_hashes(table)
    local = _LOCAL[stem](table.to_pandas(), ctx, file_name, extra or {})
    work = Path(work)
    _spill(local.clean, work / f"{stem}.clean.{part:05d}.arrow")
    _spill(local.quarantine, work / f"{stem}.quarantine.{part:05d}.arrow")
    out = {"rows": rows, "ids": local.ids, "n_clean": len(local.clean)}
    if "_key" in local.clean:
        out["keys"] = local.clean[["_row", "_key"]].copy(deep=True)  # not a view of the partition
    if table.num_rows >= RELEASE_MIN_ROWS:  # small partitions: not worth a trim each
        del local, table
        release_memory()
    return out


def _spill(frame: pd.DataFrame, path: Path) -> None:
    """Park a partition's result on disk until the file's cross-partition rules are known: an
    uncompressed Arrow file, written and read back at disk speed (parquet encodes and decodes)."""
    import pyarrow.feather as feather

    feather.write_feather(
        pa.Table.from_pandas(frame, preserve_index=False), path, compression="uncompressed"
    )


def _unspill(
    path: Path, columns: list[str] | None = None, drop: np.ndarray | None = None, row: str = "_row"
) -> pa.Table:
    """A parked partition (`columns` only), without the rows whose `row` number is in sorted `drop`."""
    import pyarrow.feather as feather

    dropping = drop is not None and len(drop) > 0
    extra = [row] if dropping and columns is not None and row not in columns else []
    table = feather.read_table(path, columns=None if columns is None else columns + extra)
    if dropping and table.num_rows:
        keep = _sorted_position(table.column(row).to_numpy(), drop) < 0
        table = table.filter(pa.array(keep))
    return table.drop_columns(extra)


@dataclass
class FileOutcome:
    """A raw file after every rule: which kept rows to drop, extra quarantine rows, counts."""

    stem: str
    raw: CachedRaw | None
    work: Path
    parts: int
    drop: np.ndarray  # source rows kept by their partition but removed after (duplicates)
    dups: np.ndarray  # source rows that exactly repeat an earlier row
    duplicates: int
    key_quarantine: pd.DataFrame
    ids: pd.Series | None = None

    def clean_parts(self, columns: list[str] | None = None):
        """The file's clean rows, partition by partition (rows removed by cross-partition rules left out)."""
        for part in range(self.parts):
            path = self.work / f"{self.stem}.clean.{part:05d}.arrow"
            yield _unspill(path, columns, self.drop).to_pandas()

    def quarantine(self) -> pd.DataFrame:
        """Every quarantined row of the file in source order (malformed records first)."""
        dups = np.sort(self.dups)  # exact duplicates are counted as such, not quarantined
        parts = [
            _unspill(
                self.work / f"{self.stem}.quarantine.{part:05d}.arrow", None, dups, "source_row"
            )
            for part in range(self.parts)
        ]
        parts.append(pa.Table.from_pandas(self.key_quarantine, preserve_index=False))
        rows = pa.concat_tables(parts, promote_options="permissive")
        del parts
        rows = rows.take(pc.sort_indices(rows, [("source_row", "ascending")]))  # stable
        if self.raw is not None and self.raw.malformed:
            rows = pa.concat_tables(
                [pa.Table.from_pandas(_malformed(self.raw), preserve_index=False), rows],
                promote_options="permissive",
            )
        return rows.to_pandas()


def _malformed(raw: CachedRaw) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_file": raw.path.name,
            "source_row": pd.Series([n for n, _ in raw.malformed], dtype="int64"),
            "rule": "malformed_row",
            "column": None,
            "detail": [f"row {m}" for _, m in raw.malformed],
        }
    )


def _repeat_flags(order: np.ndarray, same: np.ndarray, first: bool):
    """From rows in key order and whether each row's key equals the previous row's: repeats and
    (if asked) each row's first row."""
    n = len(order)
    repeated = np.zeros(n, dtype=bool)
    repeated[order[1:][same]] = True
    if not first:
        return repeated, None
    starts = np.concatenate([[True], ~same]) if n else np.array([], bool)
    firsts = np.empty(n, dtype="int64")
    firsts[order] = order[starts][np.cumsum(starts) - 1]
    return repeated, firsts


def _same_as_previous(keys: tuple[np.ndarray, ...], order: np.ndarray) -> tuple[np.ndarray, bool]:
    """Rows taken in `order`: whether each row's keys equal the previous row's, and whether the
    first key ties rows that the other keys tell apart (then `order` does not group equal keys)."""
    same = np.ones(max(len(order) - 1, 0), dtype=bool)
    split = False
    for i, key in enumerate(keys):
        ordered = key[order]
        equal = ordered[1:] == ordered[:-1]
        del ordered
        split = split or bool(i and (same & ~equal).any())
        same &= equal
    return same, split


def _repeats(*keys: np.ndarray, first: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
    """For rows keyed by one or more aligned arrays: which rows repeat an earlier row's key, and
    (if asked) the position of that key's first row. A stable sort (lower memory than hash tables
    on millions of rows); the first row of each group is the earliest in file order."""
    order = np.argsort(keys[0], kind="stable")  # the first key alone: one sort, not lexsort's
    same, split = _same_as_previous(keys, order)
    if split:  # a first key shared by different rows: sort by all keys
        order = np.lexsort(keys[::-1])
        same, _ = _same_as_previous(keys, order)
    return _repeat_flags(order, same, first)


def _finish_file(stem: str, raw: CachedRaw, results: list[dict], work: Path) -> FileOutcome:
    """Apply the rules that compare rows across partitions: exact duplicates, then the same key twice."""
    rows = [r.pop("rows") for r in results]  # the partitions' copies go before the sort
    source_row, h1, h2 = (np.concatenate([r[c].to_numpy() for r in rows]) for c in rows[0])
    del rows
    dup, _ = _repeats(h1, h2)
    dup_rows = source_row[dup]
    del source_row, h1, h2
    key_q = pd.DataFrame(columns=["source_file", "source_row", "rule", "column", "detail"])
    drop = np.sort(dup_rows)
    if stem in _KEY_RULE and results:
        rule, column, what = _KEY_RULE[stem]
        parts = [r.pop("keys") for r in results]
        kept_rows = np.concatenate([k["_row"].to_numpy(dtype="int64") for k in parts])
        keys = pd.concat([k["_key"] for k in parts], ignore_index=True)
        del parts
        kept = _sorted_position(kept_rows, drop) < 0  # exact duplicates are not compared again
        kept_rows, keys = kept_rows[kept], keys[kept]
        codes = pd.factorize(keys)[0] if keys.dtype != "int64" else keys.to_numpy()
        again, first = _repeats(codes, first=True)
        if again.any():
            key_q = pd.DataFrame(
                {
                    "source_file": raw.path.name,
                    "source_row": kept_rows[again],
                    "rule": rule,
                    "column": column,
                    "detail": what + " as row " + pd.Series(kept_rows[first[again]]).astype(str),
                }
            )
            drop = np.union1d(dup_rows, key_q["source_row"].to_numpy())
    ids = None
    if results and results[0]["ids"] is not None:
        ids = pd.concat([r["ids"] for r in results], ignore_index=True)
    return FileOutcome(stem, raw, work, len(results), drop, dup_rows, int(dup.sum()), key_q, ids)


def _match_notes(frames: list[pd.DataFrame], names: dict[str, str]) -> list[dict]:
    """The non-exact kelurahan matches made (raw text → code, name, method, score, rows) for quality.json."""
    made = [f for f in frames if len(f)]
    if not made:
        return []
    table = pd.concat(made, ignore_index=True)
    table = pd.DataFrame(
        {
            "raw": table["_raw_kel"],
            "kode_kelurahan": table["kode_kelurahan"],
            "kelurahan": table["kode_kelurahan"].map(names),
            "method": table["_method"],
            "score": table["_score"],
        }
    )
    grouped = (
        table.groupby(["raw", "kode_kelurahan", "kelurahan", "method", "score"])
        .size()
        .reset_index(name="rows")
    )
    return grouped.sort_values(["method", "score", "raw"]).to_dict("records")


# ------------------------------------------------------------------ the period


class ProcessedTables(Mapping):
    """The processed tables of a cleaned period, read from disk when first asked for (bounded memory)."""

    def __init__(self, out_dir: Path, names: list[str]):
        self.out_dir, self.names, self.loaded = out_dir, names, {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self.names:
            raise KeyError(name)
        if name not in self.loaded:
            self.loaded[name] = pd.read_parquet(self.out_dir / f"{name}.parquet")
        return self.loaded[name]

    def __iter__(self):
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


@dataclass
class CleanResult:
    """What a cleaning run produced: the processed tables (on disk, read on access) and quality."""

    period: str
    out_dir: Path
    tables: Mapping[str, pd.DataFrame]
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


#: Seconds between progress lines on long runs.
PROGRESS_SECONDS = 5.0


class Ticker:
    """Progress on long runs: says a line at most every PROGRESS_SECONDS, so short runs stay quiet."""

    def __init__(self, say: Callable[[str], None]):
        self.say, self.every, self.start = say, PROGRESS_SECONDS, time.perf_counter()
        self.last = self.start

    def __call__(self, message: str) -> None:
        now = time.perf_counter()
        if now - self.last >= self.every:
            self.say(f"{message} ({now - self.start:.0f} s)")
            self.last = now


def read_period(
    period: str,
    paths: Paths,
    partition_rows: int = PARTITION_ROWS,
    say: Callable[[str], None] | None = None,
) -> dict[str, CachedRaw | None]:
    """Find the period's raw files and convert each once to the parquet cache (progress to `say`
    on long conversions); missing required files stop the run with one sentence."""
    raw_dir = paths.raw(period)
    if not raw_dir.is_dir():
        raise AnalysisError(
            f"No raw data for {period}: folder {raw_dir} does not exist (generate demo data with "
            f"'python -m analysis demo-data --period {period}' or put the extracts there)."
        )
    found: dict[str, Path | None] = {}
    for stem in RAW_STEMS:
        path = find_raw_file(raw_dir, stem)
        if path is None and stem in REQUIRED_STEMS:
            raise AnalysisError(
                f"{raw_dir} has no {stem}.csv or {stem}.xlsx, which every period needs."
            )
        found[stem] = path
    tick = Ticker(say or (lambda _msg: None))
    cached: dict[str, CachedRaw | None] = {}
    for stem, path in found.items():
        cached[stem] = cache_raw(stem, path, partition_rows) if path is not None else None
        if path is not None:
            tick(f"{path.name} read into the parquet cache")
    return cached


class _TableWriter:
    """Write a processed table part by part to one parquet file, each part checked by its schema.

    Parquet encoding (which releases the GIL) runs in a background thread while the caller
    prepares the next part; at most one part waits to be written.
    """

    def __init__(self, path: Path, schema):
        self.path, self.schema, self.writer, self.empty = path, schema, None, None
        self.pool, self.pending = ThreadPoolExecutor(1), None

    def write(self, frame: pd.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        frame = schemas.conform(self.schema, frame)
        if frame.empty:
            self.empty = frame
            return
        table = pa.Table.from_pandas(frame, preserve_index=False)
        self._wait()
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, table.schema)
        self.pending = self.pool.submit(
            self.writer.write_table, table.cast(self.writer.schema), row_group_size=len(frame)
        )

    def _wait(self) -> None:
        if self.pending is not None:
            self.pending.result()  # a failed write raises here
            self.pending = None

    def close(self) -> None:
        try:
            self._wait()
        finally:
            self.pool.shutdown()
        if self.writer is None:
            (self.empty if self.empty is not None else pd.DataFrame()).to_parquet(
                self.path, index=False
            )
        else:
            self.writer.close()


def clean_period(
    period: str,
    data_dir: str | Path | None = None,
    region: str = DEFAULT_REGION,
    log: Callable[[str], None] | None = None,
    engine: str = "pandas",
    scheduler: str | None = None,
    partition_rows: int = PARTITION_ROWS,
) -> CleanResult:
    """Clean one period's raw extracts and write every processed file of docs/design.md atomically.

    Each raw file is converted once to a parquet cache and cleaned partition by partition
    (`partition_rows` rows at a time) by `engine` ('pandas': in this process; 'dask': on the
    cluster at `scheduler`, or a local one). The result does not depend on the engine or the
    partition size; only one partition's raw rows are in memory at a time.
    """
    from analysis.ingest.engine import make_engine
    from analysis.ingest.pseudonyms import is_untouched_demo

    check_period(period)
    paths = Paths.of(data_dir)
    say = log or (lambda _msg: None)
    ref = paths.reference
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    with ThreadPoolExecutor(1) as pool:  # the demo check reads every file: overlap it with reading
        demo_check = pool.submit(is_untouched_demo, paths.raw(period))
        raw = read_period(period, paths, partition_rows, say)
        demo = demo_check.result()
    units_ = units(region, ref)
    ctx = Context(period, PlaceMatcher(units_, gazetteer(ref), splits(ref)), load_key(demo), ref)
    seconds["read"] = time.perf_counter() - t0
    say(f"read {', '.join(t.path.name for t in raw.values() if t)} in {seconds['read']:.1f} s")

    work = paths.raw(period) / CACHE_DIR / f"work-{os.getpid()}-{time.time_ns()}"
    work.mkdir(parents=True, mode=0o700)
    runner = make_engine(engine, scheduler)
    try:
        out_dir = paths.processed(period)
        quality = _clean_all(period, region, demo, ctx, raw, work, runner, out_dir, seconds, say)
    finally:
        runner.close()
        shutil.rmtree(work, ignore_errors=True)
    tables = ProcessedTables(
        out_dir, [p[: -len(".parquet")] for p in PROCESSED_FILES if p.endswith(".parquet")]
    )
    say(f"wrote {out_dir} ({len(tables)} tables + quality.json)")
    return CleanResult(period, out_dir, tables, quality, seconds)


def _file_quality(
    out: FileOutcome | None, n_clean: int, quarantine: pd.DataFrame, notes: dict
) -> dict:
    raw = out.raw if out else None
    entry = {
        "file": raw.path.name if raw else None,
        "rows_in": raw.rows_in if raw else 0,
        "rows_clean": n_clean,
        "rows_quarantined": len(quarantine),
        "rows_duplicate": out.duplicates if out else 0,
        "quarantined_by_rule": {
            r: int(n) for r, n in quarantine["rule"].value_counts().sort_index().items()
        },
    }
    if raw:
        entry |= {
            "header_row": raw.header_row,
            "encoding": raw.encoding,
            "delimiter": raw.delimiter,
            "columns_used": sorted(set(raw.columns_mapped.values())),
            "columns_ignored": raw.columns_ignored,
            "blank_rows_skipped": raw.blank_rows,
        }
    entry |= notes
    if (
        entry["rows_in"]
        != entry["rows_clean"] + entry["rows_quarantined"] + entry["rows_duplicate"]
    ):
        raise AssertionError(
            f"{out.stem if out else 'file'}: rows_in {entry['rows_in']} != clean {entry['rows_clean']} + quarantined "
            f"{entry['rows_quarantined']} + duplicate {entry['rows_duplicate']}"
        )
    return entry


def _clean_all(period, region, demo, ctx, raw, work, runner, out_dir, seconds, say) -> dict:
    """Every file through its partitions and the cross-partition rules, then linking and writing."""

    def run(stem: str, extra: dict | None = None) -> FileOutcome | None:
        table = raw[stem]
        if table is None:
            say(f"{stem}: no file this period")
            return None
        t = time.perf_counter()
        jobs = [
            (stem, str(table.parquet), i, str(work), table.path.name) for i in range(table.parts)
        ]
        tick = Ticker(say)
        results = runner.map(
            _clean_part,
            jobs,
            progress=lambda done, total: (  # the last one is told by the summary below
                tick(f"{stem}: {done} of {total} partitions cleaned") if done < total else None
            ),
            ctx=ctx,
            extra=extra,
        )
        outcome = _finish_file(stem, table, results, work)
        del results
        release_memory()
        seconds[stem] = time.perf_counter() - t
        say(
            f"{stem}: {table.rows_in:,} rows, {outcome.duplicates:,} exact duplicates, "
            f"{table.parts} partition(s) ({seconds[stem]:.1f} s)"
        )
        return outcome

    biz = run("umkm")
    # the clean businesses every roster row is checked against (the rest of the row is not needed)
    lookup = (
        pd.concat(
            list(
                biz.clean_parts(
                    ["_row", "id_umkm", "kode_kelurahan", "kode_kecamatan", "sektor", "kelas_usaha"]
                )
            )
        )
        .drop(columns="_row")
        .reset_index(drop=True)
    )
    # one lookup of every id in the registry file; each id's position among the clean businesses
    # (-1: quarantined); place, sector and size as categories (a partition takes codes, not strings)
    registry_ids = TextLookup(biz.ids.drop_duplicates())
    biz.ids = None
    clean_position = np.full(len(registry_ids.keys), -1, dtype="int64")
    clean_position[registry_ids.positions(lookup["id_umkm"])] = np.arange(len(lookup))
    extra = {
        "businesses": {
            col: coded_text(lookup[col])
            for col in ("kode_kelurahan", "kode_kecamatan", "sektor", "kelas_usaha")
        },
        "registry_ids": registry_ids,
        "clean_position": clean_position,
    }
    wrk = run("tenaga_kerja", extra)
    del lookup, extra
    par = run("peserta_bpjstk")
    srv = run("survei_kesadaran")

    t = time.perf_counter()
    with staged(out_dir) as stage:
        quality = _write_all(period, region, demo, ctx, biz, wrk, par, srv, stage, Ticker(say))
    seconds["link_write"] = time.perf_counter() - t
    for stem in RAW_STEMS:
        q = quality[stem]
        if q["file"]:
            say(
                f"{stem}: {q['rows_in']:,} rows → {q['rows_clean']:,} clean, {q['rows_quarantined']:,} quarantined, "
                f"{q['rows_duplicate']:,} exact duplicates"
            )
    say(f"linked and wrote in {seconds['link_write']:.1f} s")
    return quality


def _write_awareness(stage: Path, units: pd.DataFrame) -> None:
    """awareness_kelurahan.parquet: weighted shares by kelurahan from the survey just written."""
    from analysis.metrics.awareness import FILE_NAME, awareness_kelurahan

    survey = pd.read_parquet(stage / "survey.parquet")
    awareness_kelurahan(survey, units).to_parquet(stage / FILE_NAME, index=False)


def _typed_quarantine(rows: pd.DataFrame) -> pd.DataFrame:
    """A file's quarantine rows in the dtypes of quarantine.parquet (empty ones included)."""
    return rows.astype(
        {
            "source_file": "str",
            "source_row": "int64",
            "rule": "str",
            "column": "str",
            "detail": "str",
        }
    )


def _write_all(period, region, demo, ctx, biz, wrk, par, srv, stage: Path, tick: Ticker) -> dict:
    """Link workers to participation records, then write every processed table and quality.json."""
    # roster counts per clean business: workers carry their business's position in the clean
    # businesses (`_biz`, in `biz.clean_parts()` order), so counting is a bincount
    biz_at = [part["_biz"].to_numpy(dtype="int64") for part in wrk.clean_parts(["_biz"])]
    roster_n = np.bincount(np.concatenate(biz_at)) if biz_at else np.array([], "int64")
    del biz_at
    quarantine = _TableWriter(stage / "quarantine.parquet", schemas.QUARANTINE)  # umkm rows first

    # businesses: roster counts, workers = max(declared, roster)
    writer = _TableWriter(stage / "businesses.parquet", schemas.BUSINESSES)
    biz_counts, matches = [], []
    owner_unusable = sector_other = n_biz = 0
    for part in biz.clean_parts():
        counts = np.zeros(len(part), dtype="int64")
        on_roster = roster_n[n_biz : n_biz + len(part)]
        counts[: len(on_roster)] = on_roster
        part["roster_workers"] = counts
        part["workers"] = np.maximum(part["jumlah_tenaga_kerja"], part["roster_workers"]).astype(
            "int64"
        )
        writer.write(part)
        biz_counts.append(part[["id_umkm", "kode_kelurahan", "workers", "roster_workers"]])
        matches.append(
            part.loc[part["kelurahan_match"].isin(["alias", "fuzzy"])].assign(
                _method=lambda f: f["kelurahan_match"]
            )
        )
        owner_unusable += int(part["_owner_unusable"].sum())
        sector_other += int(part["sektor"].eq("lainnya").sum())
        n_biz += len(part)
        tick(f"linking and writing: businesses.parquet, {n_biz:,} rows")
    writer.close()
    release_memory()
    biz_q = biz.quarantine()
    q_biz = _file_quality(
        biz,
        n_biz,
        biz_q,
        {
            "kelurahan_matches": _match_notes(matches, ctx.matcher.names),
            "owner_nik_unusable": owner_unusable,
            "sector_unrecognised": sector_other,
        },
    )
    quarantine.write(_typed_quarantine(biz_q))
    del biz_q, roster_n
    release_memory()

    # per person: the participation status (from the records kept)
    records = pd.concat(
        list(par.clean_parts(["_row", "_nik", "segmen", "status", "effective", "iuran_terakhir"]))
    )
    status = person_status(records)
    people = len(status)
    del records
    release_memory()

    # workers: linked, written part by part; keep what the counts need
    writer = _TableWriter(stage / "workers.parquet", schemas.WORKERS)
    by_person, worker_niks = [], []
    repaired = outside = n_workers = 0
    region_kabkota = set(ctx.matcher.units["kode_kelurahan"].str.slice(0, 5).str.replace(".", ""))
    status_keys = status.index.to_numpy(dtype="int64")  # sorted: groupby output
    # each person's status once, with a last slot for workers not in the extract
    per_person = {
        "active": np.append(status["active"].to_numpy(dtype=bool), False),
        "effective": np.append(status["effective"].to_numpy(dtype=bool), False),
        "paid_through": np.append(
            status["paid_through"].to_numpy(dtype="datetime64[us]"), np.datetime64("NaT", "us")
        ),
    }
    segment_codes, segment_texts = coded_text(status["segmen"])  # 'BPU', 'BPU+PU', …
    segment_codes = np.append(segment_codes, -1)
    del status
    release_memory()
    for part in wrk.clean_parts():
        at = _sorted_position(part["_key"].to_numpy(dtype="int64"), status_keys)
        idx = np.where(at >= 0, at, len(status_keys))
        linked = part.copy()
        linked["registered"] = at >= 0
        for col, values in per_person.items():
            linked[col] = values[idx]
        linked["segmen"] = text_of_codes(segment_codes[idx], segment_texts, part.index)
        writer.write(linked)
        by_person.append(  # counts per kelurahan: a few rows per part, not one per worker
            linked.groupby("kode_kelurahan")[["registered", "active", "effective"]].sum()
        )
        worker_niks.append(part["_key"].to_numpy())
        repaired += int(part["_repaired"].sum())
        outside += int((~part["nik_kabkota"].isin(region_kabkota)).sum())
        n_workers += len(part)
        tick(f"linking and writing: workers.parquet, {n_workers:,} rows")
    writer.close()
    del per_person, status_keys, segment_codes
    workers_counts = (
        pd.concat(by_person).groupby(level=0).sum().reset_index()
        if by_person
        else pd.DataFrame(
            {
                "kode_kelurahan": pd.Series(dtype="str"),
                **{m: pd.Series(dtype="int64") for m in ("registered", "active", "effective")},
            }
        )
    )
    # every roster NIK, sorted in place (repeats do no harm to a binary search)
    worker_niks = np.concatenate(worker_niks) if worker_niks else np.array([], "int64")
    worker_niks.sort()
    release_memory()
    wrk_q = wrk.quarantine()
    q_wrk = _file_quality(
        wrk, n_workers, wrk_q, {"nik_repaired": repaired, "nik_registered_outside_region": outside}
    )
    quarantine.write(_typed_quarantine(wrk_q))
    del wrk_q
    release_memory()

    # participants: on a roster or not
    writer = _TableWriter(stage / "participants.parquet", schemas.PARTICIPANTS)
    par_repaired = n_par = not_on_roster = 0
    for part in par.clean_parts():
        part["on_roster"] = _sorted_position(part["_nik"].to_numpy(dtype="int64"), worker_niks) >= 0
        writer.write(part)
        par_repaired += int(part["_repaired"].sum())
        not_on_roster += int((~part["on_roster"]).sum())
        n_par += len(part)
        tick(f"linking and writing: participants.parquet, {n_par:,} rows")
    writer.close()
    release_memory()
    par_q = par.quarantine()
    q_par = _file_quality(par, n_par, par_q, {"nik_repaired": par_repaired, "people": people})
    quarantine.write(_typed_quarantine(par_q))
    del par_q

    # survey
    writer = _TableWriter(stage / "survey.parquet", schemas.SURVEY)
    if srv is None:
        writer.write(_empty_survey())
        srv_q = pd.DataFrame(columns=["source_file", "source_row", "rule", "column", "detail"])
        q_srv = _file_quality(None, 0, srv_q, {"missing": True})
    else:
        survey_matches, n_srv = [], 0
        for part in srv.clean_parts():
            writer.write(part)
            survey_matches.append(part.loc[part["_method"].isin(["alias", "fuzzy"])])
            n_srv += len(part)
        srv_q = srv.quarantine()
        q_srv = _file_quality(
            srv,
            n_srv,
            srv_q,
            {"kelurahan_matches": _match_notes(survey_matches, ctx.matcher.names)},
        )
    writer.close()

    quarantine.write(_typed_quarantine(srv_q))
    quarantine.close()

    businesses = pd.concat(biz_counts, ignore_index=True)
    coverage = kelurahan_counts(businesses, workers_counts, ctx.matcher.units)
    schemas.COVERAGE_COUNTS.validate(coverage).to_parquet(
        stage / "coverage_kelurahan.parquet", index=False
    )
    _write_awareness(stage, ctx.matcher.units)
    quality = {
        "period": period,
        "region": region,
        "demo": demo,
        "key_id": key_id(ctx.key),
        "umkm": q_biz,
        "tenaga_kerja": q_wrk,
        "peserta_bpjstk": q_par,
        "survei_kesadaran": q_srv,
        "links": {
            "roster_workers": n_workers,
            "registered": int(workers_counts["registered"].sum()),
            "active": int(workers_counts["active"].sum()),
            "effective": int(workers_counts["effective"].sum()),
            "participants_not_on_roster": not_on_roster,
        },
    }
    quality["kelurahan_matches"] = quality["umkm"].pop("kelurahan_matches") + quality[
        "survei_kesadaran"
    ].pop("kelurahan_matches", [])
    write_quality(stage, quality)
    return quality
