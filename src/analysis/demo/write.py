"""Writing one period of demo data: the raw files in their source systems' formats (XLSX with a
title block, semicolon Windows-1252 CSV, UTF-8 CSV with BOM), the planted truth beside them
(`_demo/truth.parquet`) and a manifest of their SHA-256. With `outreach`, also the month's
outreach log (`sosialisasi.csv`) and the registrations the campaign caused (`demo.outreach`;
the planted effect per kelurahan and month in `_demo/outreach.parquet`).

Bytes repeat for a seed: the workbook's zip is normalised, and large populations are made chunk
by chunk (`CHUNK_BUSINESSES`), each chunk with its own generator derived from the seed.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.demo.dirt import DIRT
from analysis.demo.files import participant_file, roster_file, survey_file, umkm_file
from analysis.demo.outreach import Outreach, campaign, extra_records, log_file, planted
from analysis.demo.shape import Shape, no_records
from analysis.demo.words import MONTH_FULL
from analysis.demo.world import UMKM_FILE, Chunk, coverage_logit, make_world
from analysis.errors import AnalysisError
from analysis.ingest.pseudonyms import DEMO_KEY, hmac_hex
from analysis.paths import DEMO_DIR, Paths, check_inside, check_period, sha256_file
from analysis.reference import DEFAULT_REGION, read_table, units

DEFAULT_SEED = 2019
DEFAULT_BUSINESSES = 3000
#: The share of a region's registered UMKM its demo generates (regions other than the city).
DEMO_SHARE = 0.06
XLSX_MAX_BUSINESSES = 100_000
#: Populations above this many businesses are generated chunk by chunk (bounded memory).
CHUNK_BUSINESSES = 250_000
LINKS = ["registered", "active", "effective"]
TRUTH_COLUMNS = ["file", "source_row", "expected", "key", "kode_kelurahan", "dirt", *LINKS]


@dataclass(frozen=True)
class _Output:
    """Where and how one generation writes: the raw folder, the month, file names and formats."""

    folder: Path
    period: str
    names: dict[str, str]  # stem → file name
    xlsx: bool  # the registry as a workbook (one chunk, small, not `plain`, the city's)
    plain: bool  # every file as UTF-8 CSV
    region: str = DEFAULT_REGION
    shape: Shape | None = None  # a small or lopsided month
    outreach: Outreach | None = None  # the outreach campaign and its planted effect, if any


def generate(
    period: str,
    data_dir: str | Path | None = None,
    seed: int = DEFAULT_SEED,
    businesses: int | None = None,
    log: Callable[[str], None] | None = None,
    overwrite: bool = False,
    csv: bool = False,
    region: str = DEFAULT_REGION,
    shape: Shape | None = None,
    outreach: float | None = None,
) -> Path:
    """Write one period of synthetic raw extracts + the planted truth; returns the raw folder.

    `region` (regions.csv) decides where the businesses are (`world.Layout`) and the folder
    (`data/raw/<region>/<period>/` for any region but the default); `businesses` None is the
    region's default (`default_businesses`). `csv` writes every file as UTF-8 CSV, the business
    registry too even when small (it is XLSX up to `XLSX_MAX_BUSINESSES` for the city, the
    rosters Windows-1252), as benchmarks want; populations above `CHUNK_BUSINESSES` are
    generated chunk by chunk, so ten million workers fit in a few GB of memory. A `shape`
    (`analysis.demo.shape.Shape`) makes a small or lopsided month, from one business up.
    `outreach` (extra registrations a month per visited kelurahan at 30 attendees; 0 = none)
    also writes the month's outreach log and plants that effect (`analysis.demo.outreach`);
    without it the files are exactly those of earlier versions.
    """
    check_period(period)
    paths = Paths.of(data_dir, region=region)
    businesses = default_businesses(region, paths.reference) if businesses is None else businesses
    if businesses < (1 if shape is not None else 200):
        raise AnalysisError(
            "--businesses must be at least 200 so that every kind of planted dirt occurs."
        )
    if outreach is not None and not 0 <= outreach <= 50:
        raise AnalysisError(
            f"--outreach-effect must be between 0 and 50 extra registrations a month, not {outreach}."
        )
    out = check_inside(paths.raw(period), paths.data_dir)
    _clear(out, overwrite)
    say = log or (lambda _m: None)
    where = "" if region == DEFAULT_REGION else f" in {region}"
    say(f"generating {businesses:,} synthetic businesses{where} for {period} (seed {seed})")
    out.mkdir(parents=True, exist_ok=True)
    n_chunks = -(-businesses // CHUNK_BUSINESSES)
    city = region == DEFAULT_REGION  # a compiled regional extract comes as CSV
    xlsx = businesses <= XLSX_MAX_BUSINESSES and n_chunks == 1 and not csv and city
    names = {
        "umkm": "umkm.xlsx" if xlsx else "umkm.csv",
        "tenaga_kerja": "tenaga_kerja.csv",
        "peserta_bpjstk": "peserta_bpjstk.csv",
        "survei_kesadaran": "survei_kesadaran.csv",
    }
    if shape is not None and not shape.survey:
        del names["survei_kesadaran"]
    plan = None if outreach is None else Outreach(float(outreach), seed)
    if plan is not None:
        names["sosialisasi"] = "sosialisasi.csv"
    target = _Output(out, period, names, xlsx, csv, region, shape, plan)
    (out / DEMO_DIR).mkdir()
    sizes = [businesses // n_chunks + (i < businesses % n_chunks) for i in range(n_chunks)]
    _write_chunks(target, seed, sizes, paths.reference, say)
    say(f"wrote {', '.join(names.values())} to {out}")
    _write_manifest(target, seed, businesses)
    return out


def default_businesses(region: str = DEFAULT_REGION, reference_dir: Path | None = None) -> int:
    """How many synthetic businesses a region's demo has: 3,000 for Kota Surakarta (the
    registered UMKM of the 2019 article); for another region its kabupaten/kota's registered UMKM
    (`world.UMKM_FILE`) at DEMO_SHARE, so that many desa have few workers, as they will."""
    if region == DEFAULT_REGION:
        return DEFAULT_BUSINESSES
    counts = read_table(UMKM_FILE, reference_dir).set_index("kode_kabkota")["umkm_registered"]
    kab = units(region, reference_dir)["kode_kelurahan"].str[:5].unique()
    return int(round(counts.reindex(kab).astype(float).sum() * DEMO_SHARE, -2))


def load_truth(raw_dir: Path) -> pd.DataFrame:
    """The planted truth of a demo folder (tests compare the cleaning with it)."""
    return pd.read_parquet(raw_dir / DEMO_DIR / "truth.parquet")


def _clear(out: Path, overwrite: bool) -> None:
    """Empty the raw folder if it holds earlier demo data and `overwrite` says so; refuse to
    touch files the generator did not write."""
    if out.exists() and any(out.iterdir()):
        if not (out / DEMO_DIR).exists():
            raise AnalysisError(
                f"{out} holds files the demo generator did not write; refusing to touch it."
            )
        if not overwrite:
            raise AnalysisError(
                f"{out} already holds demo data; pass --overwrite to generate it again."
            )
        shutil.rmtree(out)


def _write_chunks(
    target: _Output, seed: int, sizes: list[int], ref: Path, say: Callable[[str], None]
) -> None:
    """Generate and append each chunk: files continue row numbers, the truth is one parquet."""
    n_chunks, businesses = len(sizes), sum(sizes)
    logit = None
    if n_chunks > 1:  # one spatial pattern for the whole population
        logit = coverage_logit(
            units(target.region, ref), ref, np.random.default_rng(seed), target.region
        )
    rows = dict.fromkeys(target.names, 0)
    truth_writer = None
    try:
        for c, size in enumerate(sizes):
            rng = np.random.default_rng(seed if n_chunks == 1 else [seed, c + 1])
            chunk = Chunk(businesses, 1 + sum(sizes[:c]), 120 * c, logit, c == 0)
            plan = target.outreach if c == 0 else None  # the campaign lives in the first chunk
            texts, truth, effects = _generate_chunk(
                rng, target.period, size, ref, chunk, target.region, target.shape, plan
            )
            if effects is not None:
                effects.drop(columns="from_day").to_parquet(
                    target.folder / DEMO_DIR / "outreach.parquet", index=False
                )
            for stem, text in texts.items():
                if text is None:
                    continue
                truth_part = truth[truth["file"].eq(stem)]
                truth.loc[truth_part.index, "source_row"] += rows[stem]
                if stem == "umkm":
                    text["No"] = np.arange(1, len(text) + 1) + rows[stem]
                _write_text(target, stem, text, rows[stem] == 0)
                rows[stem] += len(text)
            table = pa.Table.from_pandas(truth, preserve_index=False)
            if truth_writer is None:
                path = target.folder / DEMO_DIR / "truth.parquet"
                truth_writer = pq.ParquetWriter(path, table.schema)
            truth_writer.write_table(table.cast(truth_writer.schema))
            say(
                f"chunk {c + 1}/{n_chunks}: {rows['umkm']:,} business rows, {rows['tenaga_kerja']:,} roster rows, "
                f"{rows['peserta_bpjstk']:,} participant records, {rows.get('survei_kesadaran', 0):,} survey answers"
            )
    finally:
        if truth_writer is not None:
            truth_writer.close()


def _write_manifest(target: _Output, seed: int, businesses: int) -> None:
    """`_demo/manifest.json`: what was generated and the SHA-256 of each file — a record for
    people; whether data is demo data is decided by the hashes shipped in the code
    (`analysis.ingest.demo_hashes`), never by this file."""
    region = {} if target.region == DEFAULT_REGION else {"region": target.region}
    manifest = {
        "period": target.period,
        **region,
        "seed": seed,
        "businesses": businesses,
        "dirt_rates": DIRT,
        "note": "Synthetic people only, generated by 'python -m analysis demo-data'. Not real data.",
        "files": {
            name: sha256_file(target.folder / name) for name in sorted(target.names.values())
        },
    }
    (target.folder / DEMO_DIR / "manifest.json").write_text(
        json.dumps(manifest, indent=2) + "\n", encoding="utf-8"
    )


# ---------------------------------------------------------------- one chunk


def _generate_chunk(
    rng: np.random.Generator,
    period: str,
    businesses: int,
    ref: Path,
    chunk: Chunk,
    region: str = DEFAULT_REGION,
    shape: Shape | None = None,
    plan: Outreach | None = None,
) -> tuple[dict[str, pd.DataFrame | None], pd.DataFrame, pd.DataFrame | None]:
    """The text rows of each file and their truth, for one chunk of the synthetic population
    (with `plan`: the outreach log, the planted registrations and the planted effects)."""
    if shape is not None and not shape.survey:
        chunk = replace(chunk, survey=False)
    world = make_world(rng, period, businesses, ref, chunk, region, shape)
    umkm_text, umkm_truth = umkm_file(world, rng).finish()
    first = umkm_truth[~umkm_truth["expected"].isin(["duplicate", "duplicate_key"])]
    clean_ids = set(first.loc[first["expected"].eq("clean"), "id_umkm"])
    workers_text, workers_truth = roster_file(world, rng, clean_ids).finish()
    part_text, part_truth = no_records(*participant_file(world, rng).finish(), shape)
    survey_text, survey_truth = survey_file(world, rng).finish() if chunk.survey else (None, None)
    log_text = log_truth = effects = None
    if plan is not None:  # drawn after the world, from streams of its own
        log = campaign(plan.seed, world.units)
        effects = planted(plan.seed, log, period, plan.effect)
        extra_text, extra_truth = extra_records(
            plan.seed, world, effects, workers_truth, part_truth, period
        )
        if extra_text is not None:
            extra_truth.insert(0, "source_row", np.arange(1, len(extra_truth) + 1) + len(part_text))
            part_text = pd.concat([part_text, extra_text], ignore_index=True)
            part_truth = pd.concat([part_truth, extra_truth.assign(file="peserta_bpjstk")])
            part_truth = part_truth.reset_index(drop=True)
        log_text, log_truth = log_file(plan.seed, world, log, period)
    workers_truth = _truth_links(workers_truth, part_truth)

    # `key` joins the truth to processed rows: id_umkm, the demo-key HMAC of the NIK, or of the
    # id_responden (re-keyed at cleaning, `analysis.ingest.pseudonyms.rekey`)
    umkm_truth["key"] = umkm_truth["id_umkm"]
    workers_truth["key"] = hmac_hex(workers_truth["nik"].tolist(), DEMO_KEY)
    part_truth["key"] = hmac_hex(part_truth["nik"].tolist(), DEMO_KEY)
    parts = [("umkm", umkm_truth), ("tenaga_kerja", workers_truth), ("peserta_bpjstk", part_truth)]
    if survey_truth is not None:
        ids = [f"id_responden:{v}" for v in survey_text["ID Responden"].astype(str).str.strip()]
        survey_truth["key"] = hmac_hex(ids, DEMO_KEY)
        parts.append(("survei_kesadaran", survey_truth))
    texts = {
        "umkm": umkm_text,
        "tenaga_kerja": workers_text,
        "peserta_bpjstk": part_text,
        "survei_kesadaran": survey_text,
    }
    if log_truth is not None:
        parts.append(("sosialisasi", log_truth))
        texts["sosialisasi"] = log_text
    return texts, _truth_table(parts), effects


def _truth_links(workers: pd.DataFrame, participants: pd.DataFrame) -> pd.DataFrame:
    """For clean roster rows: registered/active/effective from the participant records that stay clean."""
    kept = participants[participants["expected"].eq("clean")]
    by_person = (
        kept.assign(active=kept["record_status"].eq("AKTIF"))
        .groupby("nik")
        .agg(active=("active", "any"), effective=("record_effective", "any"))
    )
    out = workers.join(by_person, on="nik")
    out["registered"] = out["nik"].isin(by_person.index)
    for col in LINKS:
        out[col] = out[col].fillna(False).astype(bool) & out["expected"].eq("clean")
    return out


def _truth_table(parts: list[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    """The truth of every file of a chunk in one table with fixed columns and types."""
    truth = pd.concat([t.assign(file=stem) for stem, t in parts], ignore_index=True)
    truth = truth[TRUTH_COLUMNS]
    truth[LINKS] = truth[LINKS].astype("boolean")
    truth["kode_kelurahan"] = truth["kode_kelurahan"].astype("str")
    return truth


# ---------------------------------------------------------------- file formats


def _write_text(target: _Output, stem: str, text: pd.DataFrame, first: bool) -> None:
    """Write (or append) one file's text rows the way its source system exports them
    (`plain`: every file as UTF-8 CSV, for benchmarks and other tools)."""
    path = target.folder / target.names[stem]
    if stem == "umkm" and target.xlsx:
        _write_xlsx(path, text, target.period)
        return
    sep, encoding = {
        "umkm": (";", "utf-8"),
        "tenaga_kerja": (";", "utf-8" if target.plain else "cp1252"),
        "peserta_bpjstk": (",", "utf-8-sig" if first else "utf-8"),
        "survei_kesadaran": (",", "utf-8"),
        "sosialisasi": (";", "utf-8"),
    }[stem]
    text.to_csv(
        path,
        index=False,
        sep=sep,
        encoding=encoding,
        errors="replace",
        mode="w" if first else "a",
        header=first,
    )


def _write_xlsx(path: Path, text: pd.DataFrame, period: str) -> None:
    """A Dinas-style workbook: a title block, a blank row, then the header and data (deterministic bytes)."""
    from openpyxl import Workbook  # lazily: openpyxl takes ~0.2 s to import, only XLSX needs it

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Data UMKM")
    year, month = period.split("-")
    sheet.append(["DATA UMKM KOTA SURAKARTA"])
    sheet.append(["Dinas Koperasi, Usaha Kecil dan Menengah, dan Perindustrian"])
    sheet.append(
        [f"Keadaan s.d. {MONTH_FULL[int(month)].title()} {year} (data sintetis untuk demo)"]
    )
    sheet.append([])
    sheet.append(list(text.columns))
    for row in text.itertuples(index=False):
        sheet.append([None if (isinstance(v, str) and v == "") else v for v in row])
    fixed = datetime(2026, 1, 1)
    book.properties.created = book.properties.modified = fixed
    book.save(path)
    _normalise_zip(path)


def _normalise_zip(path: Path) -> None:
    """Rewrite a zip with fixed timestamps and no 'modified now' metadata, so bytes repeat for a seed."""
    items = []
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            data = z.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>",
                    b'<dcterms:modified xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z</dcterms:modified>',
                    data,
                )
            items.append((info.filename, data))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in items:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
