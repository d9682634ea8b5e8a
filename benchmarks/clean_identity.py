"""Are the outputs of `python -m analysis clean` still the same, file for file? The cleaning code of
another commit (default: where this branch left `main`) and of this working tree clean the same
raw folder one after the other; every processed file (each parquet and quality.json) must be byte
for byte the same. Times both runs (wall, and CPU of the whole process tree, which a busy machine
inflates less) and records the 1-minute load. A check for speed work, never a test.

    .venv/bin/python benchmarks/clean_identity.py --data-dir benchmarks/out/data/w1m
    .venv/bin/python benchmarks/clean_identity.py --data-dir DIR --engine dask --partition-rows 100000 --cold

The reference outputs are kept in benchmarks/out/identity/ (per commit, folder, engine and
partition size) and reused; the raw folder must be one `clean` may write to (it writes its parquet
cache and the processed month there). A folder that is not an untouched demo month (a NIB-shaped
export, a hand-edited month) is pseudonymised with one fixed benchmark key in both runs, unless
$ANALYSIS_PSEUDONYM_KEY is set.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out" / "identity"
PERIOD = "2026-10"
#: The pseudonymisation key of both runs (synthetic data only; fixed, so kept reference outputs
#: stay comparable from one run of this script to the next).
BENCHMARK_KEY = hashlib.sha256(b"benchmarks/clean_identity.py").hexdigest()


def git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()


def source_of(commit: str) -> Path:
    """The `src/` of a commit, extracted once with what it reads beside it (config, reference data)."""
    where = OUT / f"tree-{commit[:12]}"
    if not (where / "src" / "analysis").is_dir():
        where.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", commit, "src", "config", "data/reference"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        subprocess.run(["tar", "-x", "-C", str(where)], input=archive.stdout, check=True)
    return where / "src"


def run_clean(
    src: Path | None, data: Path, engine: str, rows: int | None, cold: bool, log: Path
) -> dict:
    """`python -m analysis clean` with the code in `src` (None: this tree); wall, CPU and load."""
    if cold:
        shutil.rmtree(data / "raw" / PERIOD / "_cache", ignore_errors=True)
    # both trees timed with their bytecode compiled (where PYTHONDONTWRITEBYTECODE is set, an
    # uncompiled tree would compile every module on each run)
    code = src if src is not None else ROOT / "src"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(code)], check=True)
    env = dict(os.environ)
    # a folder that is not an untouched demo month is pseudonymised with the key of the code's
    # own key file (one per tree): both runs get one fixed key instead, so their hashes compare
    env.setdefault("ANALYSIS_PSEUDONYM_KEY", BENCHMARK_KEY)
    if src is not None:
        env["PYTHONPATH"] = str(src)  # before the editable install of this tree
    cmd = [sys.executable, "-m", "analysis", "clean", "--period", PERIOD, "--data-dir", str(data)]
    cmd += ["--engine", engine] + (["--partition-rows", str(rows)] if rows else [])
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    with log.open("w") as out:
        done = subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"clean failed ({'reference' if src else 'this tree'}); see {log}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "load_before": round(load, 2)}


def digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument(
        "--ref", default=None, help="commit of the reference code (default: merge-base with main)"
    )
    parser.add_argument("--engine", default="pandas", choices=["pandas", "dask"])
    parser.add_argument("--partition-rows", type=int, default=None)
    parser.add_argument(
        "--cold", action="store_true", help="drop the parquet cache before each run"
    )
    parser.add_argument(
        "--again", action="store_true", help="run the reference again even if its outputs are kept"
    )
    args = parser.parse_args()
    data = args.data_dir.resolve()
    commit = git("rev-parse", args.ref or git("merge-base", "HEAD", "main"))
    label = f"{data.name}-{args.engine}-{args.partition_rows or 'default'}"
    kept = OUT / f"{label}-{commit[:12]}"
    OUT.mkdir(parents=True, exist_ok=True)
    processed = data / "processed" / PERIOD
    report: dict = {
        "data": str(data),
        "reference": commit,
        "engine": args.engine,
        "partition_rows": args.partition_rows,
    }
    if args.again or not (kept / "quality.json").exists():
        report["reference_run"] = run_clean(
            source_of(commit),
            data,
            args.engine,
            args.partition_rows,
            args.cold,
            OUT / f"{label}-ref.log",
        )
        shutil.rmtree(kept, ignore_errors=True)
        shutil.copytree(processed, kept)
    report["this_tree"] = run_clean(
        None, data, args.engine, args.partition_rows, args.cold, OUT / f"{label}-new.log"
    )
    ours, theirs = digests(processed), digests(kept)
    report["files"] = {name: ours.get(name) == digest for name, digest in theirs.items()}
    report["extra_files"] = sorted(set(ours) - set(theirs))
    report["identical"] = all(report["files"].values()) and not report["extra_files"]
    print(json.dumps(report, indent=2))
    if not report["identical"]:
        raise SystemExit("outputs differ from the reference")


if __name__ == "__main__":
    main()
