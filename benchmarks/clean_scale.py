"""How `python -m analysis clean` scales: demo data at 10k … 10M roster workers, timed against a
bare DuckDB pipeline on the same files (read → normalise kelurahan → join on NIK → group by
kelurahan) and against the floor the privacy contract sets (the same pipeline plus every NIK
pseudonymised with HMAC-SHA256 and the person tables written as parquet): "clean ÷ floor" is
the figure with a target (≤ 2.0, issue 19). Wall time and peak memory (RSS of the whole
process tree, Dask workers included) are measured from outside, by polling with psutil. A
benchmark, never a test.

    .venv/bin/python benchmarks/clean_scale.py                       # 10k 100k 1m
    .venv/bin/python benchmarks/clean_scale.py --sizes 10k 100k 1m 10m --dask 10m
    .venv/bin/python benchmarks/clean_scale.py --sizes 1m --repeat 5     # medians of 5 runs

Data is generated once per size under benchmarks/out/data/ (git-ignored; CSV only); each timed
clean starts from a cold parquet cache (the conversion is part of the time), then runs again warm.
"""

from __future__ import annotations

import argparse
import json
import os
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

#: The bare pipeline (read → normalise kelurahan → join on NIK → group by kelurahan) as one query.
#: With a folder as third argument (the floor), the same steps plus the least the contracts add:
#: every person's NIK pseudonymised (HMAC-SHA256 as sha256(opad || sha256(ipad || nik)), the form
#: `identity` uses) and the person-level tables written there as parquet. Neither validates,
#: parses dates or amounts, or keeps a quarantine.
DUCKDB_BASELINE = r"""
import os, sys, duckdb
raw, ref, floor = sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None
con = duckdb.connect()
key = os.urandom(32).hex().encode()  # ASCII, so both pads are text
pads = {f: bytes(b ^ x for b in key.ljust(64, b"\0")).decode() for f, x in (("i", 0x36), ("o", 0x5C))}
hmac = lambda v: f"sha256($o || unhex(sha256($i || {v})))" if floor else "null"
nik = lambda c: f"regexp_replace(regexp_replace(trim({c}), '\.0$', ''), '[^0-9]', '', 'g')"
con.execute(f'''
create temp table places as
  select kode_kelurahan, regexp_replace(lower(name), '[^a-z]', '', 'g') as key
  from (select kode_kelurahan, kelurahan as name from read_csv('{ref}/surakarta_kelurahan_codes.csv', all_varchar=true)
        union all
        select kode_kelurahan, unnest(string_split(aliases, '|')) from read_csv('{ref}/surakarta_kelurahan_codes.csv', all_varchar=true)
        where aliases is not null and aliases <> '')
''')
tables = {
  "biz_kel": f'''select distinct on (id_umkm) id_umkm, p.kode_kelurahan, owner_hash from (
    select upper(trim("ID UMKM")) as id_umkm, {hmac(nik('"NIK Pemilik"'))} as owner_hash,
           regexp_replace(regexp_replace(lower(trim("Kelurahan")), '^(kelurahan|kel\.?)\s*', ''), '[^a-z]', '', 'g') as key
    from read_csv('{raw}/umkm.csv', all_varchar=true, delim=';')) join places p using (key)''',
  "wrk": f'''select id_umkm, nik, {hmac("nik")} as nik_hash from (
    select distinct upper(trim("ID UMKM")) as id_umkm, {nik('"NIK"')} as nik
    from read_csv('{raw}/tenaga_kerja.csv', all_varchar=true, delim=';', encoding='utf-8'))''',
  "par": f'''select nik, {hmac("nik")} as nik_hash, aktif, paid from (
    select {nik('"NIK"')} as nik,
         upper(trim("STATUS")) = 'AKTIF' as aktif,
         try_cast(regexp_extract("BLN IURAN TERAKHIR", '(\d{{4}})', 1) as int) * 12 + coalesce(
           try_cast(regexp_extract("BLN IURAN TERAKHIR", '^(\d{{1,2}})/', 1) as int),
           try_cast(regexp_extract("BLN IURAN TERAKHIR", '-(\d{{2}})$', 1) as int),
           list_position(['jan','feb','mar','apr','mei','jun','jul','agu','sep','okt','nov','des'],
                         lower(left(trim("BLN IURAN TERAKHIR"), 3)))) as paid
    from read_csv('{raw}/peserta_bpjstk.csv', all_varchar=true))''',
}
aggregate = '''person as (
  select nik, bool_or(aktif) as active, bool_or(aktif and paid >= 2026 * 12 + 10) as effective
  from par group by nik
)
select b.kode_kelurahan, count(*) as workers, count(p.nik) as registered,
       count(*) filter (where p.active) as active, count(*) filter (where p.effective) as effective
from wrk w join biz_kel b using (id_umkm) left join person p using (nik)
where length(w.nik) = 16
group by b.kode_kelurahan order by 1'''
if floor:
    for name, sql in tables.items():
        con.execute(f"create temp table {name} as {sql}", pads)
    con.execute(f"copy (select id_umkm, kode_kelurahan, owner_hash from biz_kel) to '{floor}/businesses.parquet'")
    con.execute(f"copy (select id_umkm, nik_hash, kode_kelurahan from wrk join biz_kel using (id_umkm) where length(nik) = 16) to '{floor}/workers.parquet'")
    con.execute(f"copy (select nik_hash, aktif, paid from par) to '{floor}/participants.parquet'")
    rows = con.execute("with " + aggregate).fetchall()
else:
    rows = con.execute("with " + ", ".join(f"{n} as ({s})" for n, s in tables.items()) + ", " + aggregate).fetchall()
print(len(rows), sum(r[1] for r in rows), sum(r[4] for r in rows))
"""


def measure(cmd: list[str], log: Path) -> dict:
    """Run a command; wall seconds and the peak RSS summed over its process tree (polled every 50 ms).
    Files written by earlier runs are flushed to disk first: their writeback is not timed here."""
    os.sync()
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


def duckdb_baseline(data: Path, label: str, floor: bool = False) -> dict:
    """The bare DuckDB pipeline on the same files; with `floor`, plus pseudonyms and written tables."""
    script = OUT / "duckdb_baseline.py"
    script.write_text(DUCKDB_BASELINE)
    cmd = [sys.executable, str(script), str(data / "raw" / PERIOD), str(ROOT / "data/reference")]
    tables = OUT / "floor-tables"  # written, timed, thrown away
    cmd += [str(tables)] if floor else []
    tables.mkdir(exist_ok=True)
    try:
        return measure(cmd, OUT / f"duckdb-{'floor-' if floor else ''}{label}.log")
    finally:
        shutil.rmtree(tables, ignore_errors=True)


def median(measured: list[dict]) -> dict:
    """The run of median wall time (peak memory: the highest of all runs), with every run's seconds."""
    ordered = sorted(measured, key=lambda m: m["seconds"])
    middle = dict(ordered[(len(ordered) - 1) // 2])
    middle["peak_gb"] = max(m["peak_gb"] for m in measured)
    return middle | ({"runs": [m["seconds"] for m in measured]} if len(measured) > 1 else {})


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
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="cold clean, bare DuckDB and floor each run this many times (median reported)",
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    # timed as a user runs it, with the package's bytecode compiled (Python compiles a changed
    # module on first import and keeps it; where PYTHONDONTWRITEBYTECODE is set, every run would
    # compile the modules changed since, and a change would look slower than it is)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=True)
    results = []
    for label in args.sizes:
        data = ensure_data(label, SIZES[label])
        row = {"size": label}
        # the runs of one size alternate (clean, bare, floor, clean, …): a slow minute of the
        # machine falls on all three alike, and each figure is the median of its runs
        runs: dict[str, list[dict]] = {"clean_cold": [], "duckdb": [], "duckdb_floor": []}
        for _ in range(args.repeat):
            runs["clean_cold"].append(clean(data, label, "pandas", cold=True))
            runs["duckdb"].append(duckdb_baseline(data, label))
            runs["duckdb_floor"].append(duckdb_baseline(data, label, floor=True))
        row |= {name: median(measured) for name, measured in runs.items()}
        row |= rows_of(data)
        if not args.no_warm:
            row["clean_warm"] = clean(data, label, "pandas", cold=False)
        if label in args.dask:
            row["dask_cold"] = clean(data, label, "dask", cold=True)
        results.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    (OUT / "clean_scale.json").write_text(
        json.dumps({"machine": machine(), "results": results}, indent=2)
    )
    print(f"Machine: {machine()}\n")
    print(
        "| workers (roster rows) | participant rows | clean, cold cache | clean, warm cache "
        "| bare DuckDB | DuckDB floor (+ pseudonyms + tables written) | **clean ÷ floor** (target ≤ 2.0) "
        "| clean ÷ bare DuckDB | s per M roster rows | Dask 2 workers, cold |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")

    def cell(m):
        return f"{m['seconds']} s / {m['peak_gb']} GB" if m else "–"

    for r in results:  # the ratio with a target to two decimals: 2.04 must not read as 2.0
        c, d, f = r["clean_cold"], r["duckdb"], r["duckdb_floor"]
        print(
            f"| {r['tenaga_kerja']:,} | {r['peserta_bpjstk']:,} | {cell(c)} | {cell(r.get('clean_warm'))} | "
            f"{cell(d)} | {cell(f)} | **{c['seconds'] / f['seconds']:.2f}×** | {c['seconds'] / d['seconds']:.1f}× | "
            f"{c['seconds'] / r['tenaga_kerja'] * 1e6:.1f} | {cell(r.get('dask_cold'))} |"
        )


if __name__ == "__main__":
    main()
