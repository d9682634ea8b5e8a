"""Reference data that does not change monthly: places (codes, aliases, boundaries), population,
minimum wages.

Everything is read from the reference folder (`Paths.reference`), keyed by `kode_kelurahan`.
A *region* (`regions.csv`) is the set of kelurahan/desa a report covers; Kota Surakarta is the
default, any kota or kabupaten whose codes and boundaries are in the folder can be chosen.
Dated tables (minimum wages, contribution rules) hold each row from `valid_from` to `valid_to`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis.errors import AnalysisError
from analysis.paths import PROJECT_REFERENCE_DIR

DEFAULT_REGION = "surakarta"
#: The code of a category (sector, size class, reason) that the data does not tell.
UNKNOWN = "tidak_diketahui"
UNIT_COLUMNS = ["kode_kelurahan", "kelurahan", "kode_kecamatan", "kecamatan", "aliases"]
#: Where every map made from these boundaries credits them.
BOUNDARY_CREDIT = "Batas kelurahan: Kemendagri/BIG via cahyadsn/wilayah_boundaries (MIT)"
#: Minimum wages (UMK of a kota/kabupaten, UMP of a province) by region code and year.
MINIMUM_WAGE_FILE = "umk.csv"


def _ref(reference_dir: Path | None) -> Path:
    return Path(reference_dir) if reference_dir is not None else PROJECT_REFERENCE_DIR


def read_table(name: str, reference_dir: Path | None = None) -> pd.DataFrame:
    """Read one reference CSV as text columns (codes keep their dots and leading zeros)."""
    path = _ref(reference_dir) / name
    if not path.exists():
        raise AnalysisError(f"Reference file {path} is missing; restore it from git.")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def regions(reference_dir: Path | None = None) -> pd.DataFrame:
    """The regions a report can be made for (`regions.csv`), indexed by region id."""
    return read_table("regions.csv", reference_dir).set_index("region")


def _region_row(region: str, reference_dir: Path | None) -> pd.Series:
    table = regions(reference_dir)
    if region not in table.index:
        known = ", ".join(table.index)
        raise AnalysisError(f"Region {region!r} is not in regions.csv (known: {known}).")
    return table.loc[region]


@lru_cache(maxsize=16)
def _units_cached(region: str, reference_dir: str) -> pd.DataFrame:
    ref = Path(reference_dir)
    row = _region_row(region, ref)
    raw = read_table(row["codes_file"], ref)
    out = raw.rename(
        columns={row["unit_code_col"]: "kode_kelurahan", row["unit_name_col"]: "kelurahan"}
    )
    out = out[out["kode_kelurahan"].str.startswith(row["code_prefix"])]
    if "aliases" not in out:
        out["aliases"] = ""
    return out[UNIT_COLUMNS].sort_values("kode_kelurahan").reset_index(drop=True)


def units(region: str = DEFAULT_REGION, reference_dir: Path | None = None) -> pd.DataFrame:
    """The kelurahan/desa of a region: code, name, kecamatan code and name, aliases ('|'-separated)."""
    return _units_cached(region, str(_ref(reference_dir))).copy()


def gazetteer(reference_dir: Path | None = None) -> pd.DataFrame:
    """Every known place (all code lists in the folder), to recognise places outside the region."""
    ref = _ref(reference_dir)
    frames = [units(r, ref) for r in regions(ref).index]
    return pd.concat(frames).drop_duplicates("kode_kelurahan").reset_index(drop=True)


def splits(reference_dir: Path | None = None) -> pd.DataFrame:
    """Kelurahan split into several (old name, successor codes, date from which the split holds)."""
    table = read_table("kelurahan_splits.csv", reference_dir)
    table["effective_from"] = pd.to_datetime(table["effective_from"])
    table["successor_codes"] = table["successor_codes"].str.split("|")
    return table


def boundaries(region: str = DEFAULT_REGION, reference_dir: Path | None = None):
    """The region's polygons as a GeoDataFrame keyed by `kode_kelurahan` (EPSG:4326)."""
    import geopandas as gpd  # lazy: ~1 s to import, and only maps need it

    ref = _ref(reference_dir)
    row = _region_row(region, ref)
    gdf = gpd.read_file(ref / row["boundaries_file"])
    gdf = gdf.rename(
        columns={row["unit_code_col"]: "kode_kelurahan", row["unit_name_col"]: "kelurahan"}
    )
    gdf = gdf[gdf["kode_kelurahan"].str.startswith(row["code_prefix"])]
    gdf = gdf[["kode_kelurahan", "kelurahan", "kode_kecamatan", "kecamatan", "geometry"]]
    return (
        gdf.sort_values("kode_kelurahan")
        .reset_index(drop=True)
        .set_crs("EPSG:4326", allow_override=True)
    )


def population_2010(reference_dir: Path | None = None) -> pd.DataFrame:
    """BPS 2010 census population by kelurahan (2010 boundaries: split kelurahan share one row)."""
    table = read_table("surakarta_kelurahan_population.csv", reference_dir)
    table["population"] = table["population"].astype("int64")
    return table


def sectors(reference_dir: Path | None = None) -> pd.DataFrame:
    """The sector list: code `sektor`, Indonesian and English labels, transport flag (PP 50/2025)."""
    table = read_table("sectors.csv", reference_dir)
    table["transport"] = table["transport"].str.lower().eq("true")
    return table


def kbli_divisions(reference_dir: Path | None = None) -> pd.DataFrame:
    """KBLI 2020 golongan pokok (`kbli2`, two digits) → kategori (A–U), titles, the project's
    sector and the PP 50/2025 transport flag (`kbli2020.csv`), indexed by `kbli2`."""
    table = read_table("kbli2020.csv", reference_dir)
    table["pp50_2025_transport"] = table["pp50_2025_transport"].str.lower().eq("true")
    return table.set_index("kbli2")


def targets(region: str, reference_dir: Path | None = None) -> pd.DataFrame:
    """Coverage targets on record for a region (`targets.csv`), with source, year and whether verified."""
    table = read_table("targets.csv", reference_dir)
    table = table[table["region"] == region].copy()
    table["target_workers"] = table["target_workers"].astype("int64")
    table["year"] = table["year"].astype("int64")
    table["verified"] = table["verified"].str.lower().eq("true")
    return table.reset_index(drop=True)


# ------------------------------------------------------------------------- dated tables


def as_date(on: date | datetime | pd.Timestamp | str) -> pd.Timestamp:
    """A day from a date, a Timestamp, 'YYYY-MM-DD' or a month 'YYYY-MM' (its first day)."""
    try:
        day = pd.Timestamp(on)
    except (ValueError, TypeError):
        raise ValueError(f"{on!r} is not a date (use YYYY-MM-DD or a month YYYY-MM)") from None
    if pd.isna(day):
        raise ValueError("the date is missing")
    return day.normalize().tz_localize(None) if day.tzinfo else day.normalize()


def read_dated(name: str, reference_dir: Path | None = None) -> pd.DataFrame:
    """Read a reference CSV whose rows hold from `valid_from` to `valid_to` (inclusive; empty
    `valid_to` = still in force), both parsed as Timestamps."""
    table = read_table(name, reference_dir)
    for col in ("valid_from", "valid_to"):
        table[col] = pd.to_datetime(table[col].replace("", None), format="%Y-%m-%d")
    if table["valid_from"].isna().any():
        raise ValueError(f"{name}: every row needs a valid_from date")
    return table


def in_force(table: pd.DataFrame, on: pd.Timestamp) -> pd.Series:
    """Which rows of a dated table hold on a day."""
    return (table["valid_from"] <= on) & (table["valid_to"].isna() | (on <= table["valid_to"]))


def validity_span(table: pd.DataFrame) -> str:
    """The days a dated table covers, for error messages ('2015-01-01 to 2026-12-31')."""
    start = table["valid_from"].min()
    end = None if table["valid_to"].isna().any() else table["valid_to"].max()
    return f"{start:%Y-%m-%d} to {end:%Y-%m-%d}" if end is not None else f"{start:%Y-%m-%d} onwards"


def minimum_wages(reference_dir: Path | None = None) -> pd.DataFrame:
    """The minimum-wage table (`umk.csv`): region code, kind (UMK/UMP), amount, validity, decree."""
    return read_dated(MINIMUM_WAGE_FILE, reference_dir)


def minimum_wage(
    on, region_code: str = "33.72", kind: str = "UMK", reference_dir: Path | None = None
) -> float:
    """The minimum wage (UMK of a kota/kabupaten, or UMP of a province) in force on a date."""
    table = minimum_wages(reference_dir)
    day = as_date(on)
    rows = table[(table["region_code"] == region_code) & (table["kind"] == kind)]
    if rows.empty:
        raise ValueError(f"no {kind} for region {region_code!r} in {MINIMUM_WAGE_FILE}")
    live = rows[in_force(rows, day)]
    if live.empty:
        raise ValueError(
            f"{day:%Y-%m-%d} is outside the {kind} table for {region_code} "
            f"(it covers {validity_span(rows)})"
        )
    return float(Decimal(live["minimum_wage"].iloc[0]))
