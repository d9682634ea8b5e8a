"""How `python -m analysis clean` scales: demo data at 10k … 10M roster workers, timed against a
bare DuckDB pipeline on the same files (read → normalise kelurahan → join on NIK → group by
kelurahan). Wall time and peak memory (RSS of the whole process tree, Dask workers included)
are measured from outside, by polling with psutil. A benchmark, never a test.

    .venv/bin/python benchmarks/clean_scale.py                       # 10k 100k 1m
    .venv/bin/python benchmarks/clean_scale.py --sizes 10k 100k 1m 10m --dask 10m

Data is generated once per size under benchmarks/out/data/ (git-ignored; CSV only); each timed
clean starts from a cold parquet cache (the conversion is part of the time), then runs again warm.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
PERIOD = "2026-10"
#: Businesses per size: the demo generator makes about 3.5 roster rows per business.
SIZES = {"10k": 2_860, "100k": 28_600, "1m": 286_000, "10m": 2_860_000}

DUCKDB_BASELINE = r"""
import sys, duckdb
raw, ref = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.execute(f'''
create temp table places as
  select kode_kelurahan, regexp_replace(lower(name), '[^a-z]', '', 'g') as key
  from (select kode_kelurahan, kelurahan as name from read_csv('{ref}/surakarta_kelurahan_codes.csv', all_varchar=true)
        union all
        select kode_kelurahan, unnest(string_split(aliases, '|')) from read_csv('{ref}/surakarta_kelurahan_codes.csv', all_varchar=true)
        where aliases is not null and aliases <> '')
''')
rows = con.execute(f'''
with biz as (
  select upper(trim("ID UMKM")) as id_umkm,
         regexp_replace(regexp_replace(lower(trim("Kelurahan")), '^(kelurahan|kel\.?)\s*', ''), '[^a-z]', '', 'g') as key
  from read_csv('{raw}/umkm.csv', all_varchar=true, delim=';')
), biz_kel as (
  select distinct on (id_umkm) id_umkm, p.kode_kelurahan from biz join places p using (key)
), wrk as (
  select distinct upper(trim("ID UMKM")) as id_umkm,
         regexp_replace(regexp_replace(trim("NIK"), '\.0$', ''), '[^0-9]', '', 'g') as nik
  from read_csv('{raw}/tenaga_kerja.csv', all_varchar=true, delim=';', encoding='utf-8')
), par as (
  select regexp_replace(regexp_replace(trim("NIK"), '\.0$', ''), '[^0-9]', '', 'g') as nik,
         upper(trim("STATUS")) = 'AKTIF' as aktif,
         try_cast(regexp_extract("BLN IURAN TERAKHIR", '(\d{{4}})', 1) as int) * 12 + coalesce(
           try_cast(regexp_extract("BLN IURAN TERAKHIR", '^(\d{{1,2}})/', 1) as int),
           try_cast(regexp_extract("BLN IURAN TERAKHIR", '-(\d{{2}})$', 1) as int),
           list_position(['jan','feb','mar','apr','mei','jun','jul','agu','sep','okt','nov','des'],
                         lower(left(trim("BLN IURAN TERAKHIR"), 3)))) as paid
  from read_csv('{raw}/peserta_bpjstk.csv', all_varchar=true)
), person as (
  select nik, bool_or(aktif) as active, bool_or(aktif and paid >= 2026 * 12 + 10) as effective
  from par group by nik
)
select b.kode_kelurahan, count(*) as workers, count(p.nik) as registered,
       count(*) filter (where p.active) as active, count(*) filter (where p.effective) as effective
from wrk w join biz_kel b using (id_umkm) left join person p using (nik)
where length(w.nik) = 16
group by b.kode_kelurahan order by 1
''').fetchall()
print(len(rows), sum(r[1] for r in rows), sum(r[4] for r in rows))
"""


def measure(cmd: list[str], log: Path) -> dict:
    """Run a command; wall seconds and the peak RSS summed over its process tree (polled every 50 ms)."""
    t0 = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        parent = psutil.Process(proc.pid)
        peak = 0
        while proc.poll() is None:
            try:
                rss = parent.memory_info().rss + sum(
                    c.memory_info().rss for c in parent.children(recursive=True)
                )
                peak = max(peak, rss)
            except psutil.Error:
                pass
            time.sleep(0.05)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed; see {log}")
    return {"seconds": round(seconds, 2), "peak_gb": round(peak / 1e9, 2)}


def ensure_data(label: str, businesses: int) -> Path:
    """Generate the demo month for this size once (CSV files), reuse it afterwards."""
    data = OUT / "data" / f"w{label}"
    manifest = data / "raw" / PERIOD / "_demo" / "manifest.json"
    if manifest.exists() and json.loads(manifest.read_text())["businesses"] == businesses:
        return data
    cmd = [sys.executable, "-m", "analysis", "demo-data", "--period", PERIOD, "--csv"]
    cmd += ["--data-dir", str(data), "--businesses", str(businesses), "--overwrite"]
    print(f"generating {label} ({businesses:,} businesses) …", file=sys.stderr, flush=True)
    took = measure(cmd, OUT / f"generate-{label}.log")
    print(f"  generated in {took['seconds']} s, peak {took['peak_gb']} GB", file=sys.stderr)
    return data


def rows_of(data: Path) -> dict:
    q = json.loads((data / "processed" / PERIOD / "quality.json").read_text())
    return {s: q[s]["rows_in"] for s in ("umkm", "tenaga_kerja", "peserta_bpjstk")}


def clean(data: Path, label: str, engine: str, cold: bool) -> dict:
    if cold:
        shutil.rmtree(data / "raw" / PERIOD / "_cache", ignore_errors=True)
    cmd = [sys.executable, "-m", "analysis", "clean", "--period", PERIOD, "--data-dir", str(data)]
    cmd += ["--engine", engine]
    tag = f"{label}-{engine}-{'cold' if cold else 'warm'}"
    return measure(cmd, OUT / f"clean-{tag}.log")


def duckdb_baseline(data: Path, label: str) -> dict:
    script = OUT / "duckdb_baseline.py"
    script.write_text(DUCKDB_BASELINE)
    cmd = [sys.executable, str(script), str(data / "raw" / PERIOD), str(ROOT / "data/reference")]
    return measure(cmd, OUT / f"duckdb-{label}.log")


def machine() -> str:
    mem = psutil.virtual_memory().total / 2**30
    cpu = platform.processor() or platform.machine()
    return f"{psutil.cpu_count(logical=True)} cores ({cpu}), {mem:.0f} GB RAM, Python {platform.python_version()}, {platform.system()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["10k", "100k", "1m"], choices=list(SIZES))
    parser.add_argument(
        "--dask",
        nargs="*",
        default=[],
        choices=list(SIZES),
        help="sizes to run on a 2-worker LocalCluster too",
    )
    parser.add_argument("--no-warm", action="store_true", help="skip the second (warm cache) run")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    results = []
    for label in args.sizes:
        data = ensure_data(label, SIZES[label])
        row = {"size": label}
        row["clean_cold"] = clean(data, label, "pandas", cold=True)
        row |= rows_of(data)
        if not args.no_warm:
            row["clean_warm"] = clean(data, label, "pandas", cold=False)
        row["duckdb"] = duckdb_baseline(data, label)
        if label in args.dask:
            row["dask_cold"] = clean(data, label, "dask", cold=True)
        results.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    (OUT / "clean_scale.json").write_text(
        json.dumps({"machine": machine(), "results": results}, indent=2)
    )
    print(f"Machine: {machine()}\n")
    print(
        "| workers (roster rows) | participant rows | clean, cold cache | clean, warm cache | bare DuckDB | ratio (cold / DuckDB) | s per M roster rows | Dask 2 workers, cold |"
    )
    print("|---|---|---|---|---|---|---|---|")

    def cell(m):
        return f"{m['seconds']} s / {m['peak_gb']} GB" if m else "–"

    for r in results:
        c, d = r["clean_cold"], r["duckdb"]
        print(
            f"| {r['tenaga_kerja']:,} | {r['peserta_bpjstk']:,} | {cell(c)} | {cell(r.get('clean_warm'))} | "
            f"{cell(d)} | {c['seconds'] / d['seconds']:.1f}× | {c['seconds'] / r['tenaga_kerja'] * 1e6:.1f} | "
            f"{cell(r.get('dask_cold'))} |"
        )


if __name__ == "__main__":
    main()
