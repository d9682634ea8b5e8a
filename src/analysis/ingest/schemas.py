"""Pandera schemas: the checks that decide which raw rows are quarantined, and the contracts
of the processed tables (typed, strict columns, pseudonyms only).

Checks on raw and typed rows carry their rule code in the error text ('bad_value: …'), so a
failure maps straight to a quarantine rule; `failures` turns pandera's report into one row per
failing cell.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

#: Quarantine rule codes in priority order (a row failing several gets the first). Contract:
#: codes may be added, never renamed.
RULES = (
    "missing_required",
    "malformed_row",
    "nik_excel_mangled",
    "nik_invalid",
    "kelurahan_unmatched",
    "kelurahan_ambiguous",
    "outside_region",
    "bad_number",
    "bad_date",
    "bad_value",
    "duplicate_key",
    "unknown_business",
    "business_quarantined",
    "duplicate_person",
)
MAX_WORKERS = 99  # BPS headcount classes: 100+ workers is a large business, not UMKM
MAX_MONTHLY_INCOME = 1_000_000_000
HASH = r"^[0-9a-f]{64}$"


def _c(rule: str, text: str) -> str:
    return f"{rule}: {text}"


def present(columns: list[str]) -> pa.DataFrameSchema:
    """Raw text schema: the required columns must not be empty."""
    return pa.DataFrameSchema(
        {
            c: pa.Column(
                str, pa.Check.str_length(min_value=1, error=_c("missing_required", f"{c} is empty"))
            )
            for c in columns
        },
        strict=False,
    )


def _date_range(col: str, end: pd.Timestamp, start: str = "1900-01-01") -> list[pa.Check]:
    return [
        pa.Check.le(end, error=_c("bad_date", f"{col} is after the end of the period")),
        pa.Check.ge(pd.Timestamp(start), error=_c("bad_date", f"{col} is before {start[:4]}")),
    ]


def _monthly_amount(col: str) -> pa.Column:
    """A monthly income or wage in Rupiah, if given: from 0 to Rp1 miliar."""
    return pa.Column(
        float,
        pa.Check.in_range(
            0,
            MAX_MONTHLY_INCOME,
            error=_c("bad_value", f"{col} is negative or above Rp1 miliar"),
        ),
        nullable=True,
        required=False,
    )


def _typed_umkm(period_end: pd.Timestamp) -> dict[str, pa.Column]:
    """Businesses: declared workers 1–99, turnover not negative, registered since 1945."""
    f = pa.Column
    opt = {"nullable": True, "required": False}
    return {
        "jumlah_tenaga_kerja": f(
            "Int64",
            pa.Check.in_range(
                1,
                MAX_WORKERS,
                error=_c("bad_value", f"jumlah_tenaga_kerja is not between 1 and {MAX_WORKERS}"),
            ),
            nullable=True,
        ),
        "omzet_tahunan": f(
            float, pa.Check.ge(0, error=_c("bad_value", "omzet_tahunan is negative")), **opt
        ),
        "tanggal_daftar": f(
            "datetime64[us]", _date_range("tanggal_daftar", period_end, "1945-01-01"), **opt
        ),
    }


def _typed_roster(period_end: pd.Timestamp) -> dict[str, pa.Column]:
    """Roster workers: income within bounds, born at least ten years before the period ends."""
    f = pa.Column
    opt = {"nullable": True, "required": False}
    return {
        "penghasilan_bulanan": _monthly_amount("penghasilan_bulanan"),
        "tanggal_lahir": f(
            "datetime64[us]",
            _date_range("tanggal_lahir", period_end - pd.DateOffset(years=10)),
            **opt,
        ),
    }


def _typed_participants(period_end: pd.Timestamp) -> dict[str, pa.Column]:
    """Participation records: known status and segment, wage within bounds, dates since 1977
    (the last month paid up to a year ahead)."""
    f = pa.Column
    opt = {"nullable": True, "required": False}
    return {
        "status": f(
            str,
            pa.Check.isin(
                ["AKTIF", "NONAKTIF"], error=_c("bad_value", "status is not AKTIF or NONAKTIF")
            ),
            nullable=True,
        ),
        "segmen": f(
            str,
            pa.Check.isin(
                ["PU", "BPU", "JAKON"], error=_c("bad_value", "segmen is not PU, BPU or JAKON")
            ),
            **opt,
        ),
        "upah_dilaporkan": _monthly_amount("upah_dilaporkan"),
        "tgl_kepesertaan": f(
            "datetime64[us]", _date_range("tgl_kepesertaan", period_end, "1977-01-01"), **opt
        ),
        "iuran_terakhir": f(
            "datetime64[us]",
            _date_range("iuran_terakhir", period_end + pd.DateOffset(months=12), "1977-01-01"),
            **opt,
        ),
    }


def _typed_survey(period_end: pd.Timestamp) -> dict[str, pa.Column]:
    """Survey answers: known role, interview since 2000, amounts within bounds, positive weight."""
    f = pa.Column
    opt = {"nullable": True, "required": False}
    return {
        "peran": f(
            str,
            pa.Check.isin(
                ["pemilik", "pekerja"], error=_c("bad_value", "peran is not pemilik or pekerja")
            ),
            **opt,
        ),
        "tanggal": f("datetime64[us]", _date_range("tanggal", period_end, "2000-01-01"), **opt),
        "kesediaan_bayar": f(
            float,
            pa.Check.in_range(
                0,
                10_000_000,
                error=_c("bad_value", "kesediaan_bayar is negative or implausible"),
            ),
            **opt,
        ),
        "penghasilan_bulanan": _monthly_amount("penghasilan_bulanan"),
        "bobot": f(float, pa.Check.gt(0, error=_c("bad_value", "bobot is not positive")), **opt),
    }


#: The city's sosialisasi on BPJS Ketenagakerjaan began in December 2018 (the founding article).
OUTREACH_SINCE = "2018-12-01"
#: More people or businesses than this at one activity is a typing slip, not an event.
MAX_OUTREACH_COUNT = 5_000


def _typed_outreach(period_end: pd.Timestamp) -> dict[str, pa.Column]:
    """Outreach activities: held since the programme began and not after the period; attendees and
    businesses reached from 0 to MAX_OUTREACH_COUNT."""
    f = pa.Column
    opt = {"nullable": True, "required": False}

    def count(col: str) -> pa.Column:
        return f(
            "Int64",
            pa.Check.in_range(
                0,
                MAX_OUTREACH_COUNT,
                error=_c("bad_value", f"{col} is negative or above {MAX_OUTREACH_COUNT:,}"),
            ),
            **opt,
        )

    return {
        "tanggal": f(
            "datetime64[us]", _date_range("tanggal", period_end, OUTREACH_SINCE), nullable=True
        ),
        "peserta": count("peserta"),
        "usaha": count("usaha"),
    }


_TYPED = {
    "umkm": _typed_umkm,
    "tenaga_kerja": _typed_roster,
    "peserta_bpjstk": _typed_participants,
    "survei_kesadaran": _typed_survey,
    "sosialisasi": _typed_outreach,
}


def typed(stem: str, period_end: pd.Timestamp) -> pa.DataFrameSchema:
    """Typed-row schema of one raw file kind, for the period ending on `period_end`."""
    return pa.DataFrameSchema(_TYPED[stem](period_end), strict=False, coerce=False)


def failures(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame:
    """One row per failing cell: index (of `frame`), column, rule, detail."""
    empty = pd.DataFrame(
        {"index": pd.Series([], dtype="int64"), "column": [], "rule": [], "detail": []}
    )
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
        cases = cases[cases["index"].notna()]
        if cases.empty:
            raise
        text = cases["check"].astype(str)
        rule = text.str.split(":").str[0]
        rule = rule.where(rule.isin(RULES), "bad_value").mask(
            text.eq("not_nullable"), "missing_required"
        )
        detail = text.str.partition(": ")[2].mask(
            text.eq("not_nullable"), cases["column"].astype(str) + " is empty"
        )
        return pd.DataFrame(
            {
                "index": cases["index"].astype("int64").to_numpy(),
                "column": cases["column"].astype(str).to_numpy(),
                "rule": rule.to_numpy(),
                "detail": detail.to_numpy(),
            }
        )
    return empty


# ----------------------------------------------------------------- processed outputs (contract)


def conform(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame:
    """Select the schema's columns in its order and validate them (a failure here is a bug, not bad data)."""
    return schema.validate(frame[list(schema.columns)])


_s = {"nullable": False}
_n = {"nullable": True}


def _hash(nullable: bool = False) -> pa.Column:
    return pa.Column(str, pa.Check.str_matches(HASH), nullable=nullable)


def _place() -> dict[str, pa.Column]:
    return {
        "kode_kelurahan": pa.Column(str, pa.Check.str_matches(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")),
        "kode_kecamatan": pa.Column(str, pa.Check.str_matches(r"^\d{2}\.\d{2}\.\d{2}$")),
    }


BUSINESSES = pa.DataFrameSchema(
    {
        "id_umkm": pa.Column(str, unique=True),
        "nib": pa.Column(str, **_n),
        "owner_hash": _hash(True),
        **_place(),
        "kelurahan": pa.Column(str),
        "kecamatan": pa.Column(str),
        "sektor": pa.Column(str),
        "kbli": pa.Column(str, pa.Check.str_matches(r"^\d{2}(\d{3})?$"), **_n),
        "kbli_kategori": pa.Column(str, pa.Check.str_matches(r"^[A-U]$"), **_n),
        "kelas_usaha": pa.Column(str),
        "jumlah_tenaga_kerja": pa.Column("int64", pa.Check.ge(1)),
        "roster_workers": pa.Column("int64", pa.Check.ge(0)),
        "workers": pa.Column("int64", pa.Check.ge(1)),
        "omzet_tahunan": pa.Column(float, **_n),
        "tanggal_daftar": pa.Column("datetime64[us]", **_n),
        "kelurahan_match": pa.Column(str),
    },
    strict=True,
    ordered=True,
)

WORKERS = pa.DataFrameSchema(
    {
        "nik_hash": _hash(),
        "id_umkm": pa.Column(str),
        **_place(),
        "sektor": pa.Column(str),
        "kelas_usaha": pa.Column(str),
        "jenis_kelamin": pa.Column(str, pa.Check.isin(["L", "P"]), **_n),
        "umur": pa.Column("Int64", **_n),
        "nik_kabkota": pa.Column(str, pa.Check.str_matches(r"^\d{4}$")),
        "penghasilan_bulanan": pa.Column(float, **_n),
        "registered": pa.Column(bool),
        "active": pa.Column(bool),
        "effective": pa.Column(bool),
        "segmen": pa.Column(str, **_n),
        "paid_through": pa.Column("datetime64[us]", **_n),
    },
    strict=True,
    ordered=True,
    unique=["nik_hash"],
)

PARTICIPANTS = pa.DataFrameSchema(
    {
        "nik_hash": _hash(),
        "kpj_hash": _hash(True),
        "segmen": pa.Column(str, **_n),
        "jkk": pa.Column(bool),
        "jkm": pa.Column(bool),
        "jht": pa.Column(bool),
        "jp": pa.Column(bool),
        "jkp": pa.Column(bool),
        "upah_dilaporkan": pa.Column(float, **_n),
        "tgl_kepesertaan": pa.Column("datetime64[us]", **_n),
        "status": pa.Column(str, pa.Check.isin(["AKTIF", "NONAKTIF"])),
        "iuran_terakhir": pa.Column("datetime64[us]", **_n),
        "paid_up": pa.Column(bool),
        "effective": pa.Column(bool),
        "on_roster": pa.Column(bool),
    },
    strict=True,
    ordered=True,
)

SURVEY = pa.DataFrameSchema(
    {
        "id_responden": pa.Column(str, unique=True),
        "tanggal": pa.Column("datetime64[us]", **_n),
        **_place(),
        "sektor": pa.Column(str),
        "peran": pa.Column(str, **_n),
        "tahu_bpjs_kesehatan": pa.Column(bool),
        "tahu_bpjs_tk": pa.Column(bool),
        "tahu_jkk": pa.Column(bool),
        "tahu_jkm": pa.Column(bool),
        "tahu_jht": pa.Column(bool),
        "tahu_jp": pa.Column(bool),
        "tahu_manfaat": pa.Column(bool),
        "terdaftar": pa.Column("boolean", **_n),
        "alasan": pa.Column(str),
        "kesediaan_bayar": pa.Column(float, **_n),
        "penghasilan_bulanan": pa.Column(float, **_n),
        "bobot": pa.Column(float, pa.Check.gt(0)),
    },
    strict=True,
    ordered=True,
)

OUTREACH = pa.DataFrameSchema(
    {
        "tanggal": pa.Column("datetime64[us]"),
        "bulan": pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{2}$")),
        **_place(),
        "kelurahan": pa.Column(str),
        "kecamatan": pa.Column(str),
        "kegiatan": pa.Column(str),
        "peserta": pa.Column("Int64", pa.Check.ge(0), **_n),
        "usaha": pa.Column("Int64", pa.Check.ge(0), **_n),
        "kelurahan_match": pa.Column(str),
    },
    strict=True,
    ordered=True,
)

QUARANTINE = pa.DataFrameSchema(
    {
        "source_file": pa.Column(str),
        "source_row": pa.Column("int64", pa.Check.ge(1)),
        "rule": pa.Column(str, pa.Check.isin(list(RULES))),
        "column": pa.Column(str, **_n),
        "detail": pa.Column(str),
    },
    strict=True,
    ordered=True,
)

COVERAGE_COUNTS = pa.DataFrameSchema(
    {
        "kode_kelurahan": pa.Column(str, unique=True),
        "kelurahan": pa.Column(str),
        "kode_kecamatan": pa.Column(str),
        "kecamatan": pa.Column(str),
        **{
            c: pa.Column("int64", pa.Check.ge(0))
            for c in (
                "businesses",
                "workers",
                "roster_workers",
                "registered",
                "active",
                "effective",
            )
        },
    },
    strict=False,
)
