"""Command line: `python -m analysis demo-data | clean | inspect | report | check-privacy | lab-lang`.

Errors the user can fix print one sentence to stderr and exit 2, without a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import NoReturn

from analysis.errors import AnalysisError
from analysis.ingest.memory import plan_for_month
from analysis.paths import DEMO_PERIOD, Paths

PARTITION_ROWS = (
    500_000  # = analysis.ingest.cache.PARTITION_ROWS (not imported, so the CLI starts fast)
)


# Help texts of the arguments several commands share.
DATA_DIR_HELP = "data folder (default: the project's data/)"
PERIOD_HELP = "month YYYY-MM (default %(default)s)"


def _log(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def _demo(args: argparse.Namespace) -> int:
    from analysis.demo import generate

    out = generate(
        args.period,
        args.data_dir,
        seed=args.seed,
        businesses=args.businesses,
        log=_log,
        overwrite=args.overwrite,
        csv=args.csv,
        region=args.region,
        outreach=args.outreach_effect,
    )
    print(f"Demo data for {args.period} written to {out}")
    return 0


def _clean(args: argparse.Namespace) -> int:
    # No linear algebra here: OpenBLAS's helper threads (one per copy of it, numpy's and scipy's)
    # would only spin, ~0.1 s of CPU each, while the month is cleaned. Set before numpy loads.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # what the run does with memory it frees, from the month's size (set before pyarrow loads)
    plan_for_month(Paths.of(args.data_dir, region=args.region).raw(args.period), args.engine)
    from analysis.pipeline import clean_period

    t = time.perf_counter()
    result = clean_period(
        args.period,
        args.data_dir,
        region=args.region,
        log=_log,
        engine=args.engine,
        scheduler=args.scheduler,
        partition_rows=args.partition_rows,
    )
    print(f"Cleaned {args.period} in {time.perf_counter() - t:.1f} s → {result.out_dir}")
    return 0


def _overrides(pairs: list[str]) -> dict[str, str]:
    """`--set NAME=VALUE` pairs as a dict (the values are typed and checked by the settings)."""
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise AnalysisError(f"--set takes NAME=VALUE (for example min_cell=10), not {pair!r}.")
        out[name.strip()] = value.strip()
    return out


def _inspect(args: argparse.Namespace) -> int:
    from analysis.ingest.inspect import inspect_period, listing, snippet

    files = inspect_period(args.period, args.data_dir, args.region)
    print(listing(files), file=sys.stderr)
    print(snippet(args.period, files, args.region))
    return 0


def _report(args: argparse.Namespace) -> int:
    from analysis.report.publish import publish_report
    from analysis.settings import publication

    changes = _overrides(args.set)
    index = publish_report(
        args.period,
        data_dir=args.data_dir,
        reports_dir=args.reports_dir,
        lang=args.lang,
        log=_log,
        region=args.region,
        settings=publication().with_(**changes) if changes else None,
    )
    print(f"Report for {args.period} published: {index}")
    return 0


def _check_privacy(args: argparse.Namespace) -> int:
    from analysis.report.privacy import check_privacy, check_published

    raw = Paths.of(args.data_dir, region=args.region).raw(args.period) if args.period else None
    targets = [Path(p) for p in args.paths]
    missing = [str(p) for p in targets if not p.exists()]
    if missing:
        raise AnalysisError(f"Nothing to check at {', '.join(missing)}.")
    findings = check_privacy(targets, raw)
    for folder in targets:  # published folders: every table gated, no small count outside one
        if folder.is_dir() and (
            (folder / "manifest.json").exists() or (folder / "index.html").exists()
        ):
            findings += check_published(folder)
    for finding in findings:
        print(f"LEAK {finding}")
    against = (
        f"the raw files of {args.period}"
        if raw
        else "the NIK shape only (give --period to look for raw NIKs and names)"
    )
    print(f"{len(findings)} leak(s) found; checked against {against}.", file=sys.stderr)
    return 1 if findings else 0


def _lab_lang(args: argparse.Namespace) -> int:
    from analysis.report.lab_lang import switch

    for path, n in switch(args.lang, [Path(p) for p in args.notebooks] or None).items():
        print(f"{path.name}: {n} cell(s) changed")
    print("Close and reopen notebooks that are open in JupyterLab to see the change.")
    return 0


def _add_period_and_data_dir(
    p: argparse.ArgumentParser, *, default: str | None = DEMO_PERIOD, period_help: str = PERIOD_HELP
) -> None:
    """Add --period and --data-dir, which every data command takes, in the usage line's order."""
    p.add_argument("--period", default=default, help=period_help)
    p.add_argument("--data-dir", default=None, help=DATA_DIR_HELP)


def _add_region(p: argparse.ArgumentParser, region_help: str) -> None:
    """Add --region (default surakarta), with the command's own help text."""
    p.add_argument("--region", default="surakarta", help=region_help)


def _add_demo(sub: argparse._SubParsersAction) -> None:
    """The `demo-data` command: synthetic raw extracts for a period."""
    p = sub.add_parser(
        "demo-data", help="write synthetic raw extracts (with planted dirt) for a period"
    )
    _add_period_and_data_dir(p)
    p.add_argument("--seed", type=int, default=2019, help="random seed (default %(default)s)")
    p.add_argument(
        "--businesses",
        type=int,
        default=None,
        help="number of registered UMKM (default: 3000 for surakarta; for another region 6%% of "
        "its kabupaten/kota's registered UMKM, e.g. 21,000 for soloraya)",
    )
    _add_region(
        p,
        "region id from data/reference/regions.csv (default %(default)s); any other region "
        "is written to data/raw/<region>/<period>/",
    )
    p.add_argument(
        "--overwrite", action="store_true", help="replace existing demo data for the period"
    )
    p.add_argument(
        "--csv",
        action="store_true",
        help="write every file as UTF-8 CSV (no XLSX, no Windows-1252), as benchmarks want",
    )
    p.add_argument(
        "--outreach-effect",
        type=float,
        default=None,
        metavar="N",
        help="also write the month's outreach log (sosialisasi.csv) and plant N extra registrations "
        "a month per visited kelurahan (at 30 attendees; 0 = a campaign without effect)",
    )
    p.set_defaults(run=_demo)


def _add_clean(sub: argparse._SubParsersAction) -> None:
    """The `clean` command: raw extracts into data/processed/<period>/."""
    p = sub.add_parser("clean", help="clean a period's raw extracts into data/processed/<period>/")
    _add_period_and_data_dir(p)
    _add_region(p, "region id from data/reference/regions.csv")
    p.add_argument(
        "--engine",
        choices=["pandas", "dask"],
        default="pandas",
        help="where the partitions are cleaned: this process, or a Dask cluster (default %(default)s)",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        help="Dask scheduler address tcp://HOST:PORT (with --engine dask; default: a local cluster)",
    )
    p.add_argument(
        "--partition-rows",
        type=int,
        default=PARTITION_ROWS,
        help="raw rows cleaned at a time, one Dask task each (default %(default)s)",
    )
    p.set_defaults(run=_clean)


def _add_inspect(sub: argparse._SubParsersAction) -> None:
    """The `inspect` command: what each raw file's headers were recognised as."""
    p = sub.add_parser(
        "inspect",
        help="list each raw file's headers and what they were recognised as (stderr), and print a "
        "ready-to-edit headers.toml mapping (stdout)",
    )
    _add_period_and_data_dir(p)
    _add_region(p, "region whose raw files --period means")
    p.set_defaults(run=_inspect)


def _add_report(sub: argparse._SubParsersAction) -> None:
    """The `report` command: run the notebooks and publish a period's HTML report."""
    p = sub.add_parser(
        "report",
        help="run every notebook for a period and publish HTML to reports/<period>/ "
        "(reports/<region>/<period>/ for another region)",
    )
    _add_period_and_data_dir(p)
    p.add_argument(
        "--reports-dir", default=None, help="reports folder (default: the project's reports/)"
    )
    p.add_argument(
        "--lang", choices=["id", "en"], default="id", help="report language (default %(default)s)"
    )
    _add_region(
        p,
        "region id from data/reference/regions.csv (default %(default)s); a region of "
        "several kabupaten/kota (soloraya) gets an overview and pages for each",
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override one publication setting of config/publication.toml for this run "
        "(repeatable; privacy settings cannot go below their floors)",
    )
    p.set_defaults(run=_report)


def _add_check_privacy(sub: argparse._SubParsersAction) -> None:
    """The `check-privacy` command: look for NIKs and names in files or folders."""
    p = sub.add_parser(
        "check-privacy",
        help="fail if a NIK-shaped string, or a NIK or name from the raw files, is in PATHs",
    )
    p.add_argument(
        "paths",
        nargs="+",
        help="files or folders to scan (processed data, reports, notebooks, logs)",
    )
    _add_period_and_data_dir(
        p, default=None, period_help="month whose raw files list the NIKs and names to look for"
    )
    _add_region(p, "region whose raw files --period means")
    p.set_defaults(run=_check_privacy)


def _add_lab_lang(sub: argparse._SubParsersAction) -> None:
    """The `lab-lang` command: which language's narrative JupyterLab shows."""
    p = sub.add_parser(
        "lab-lang",
        help="show one language's narrative in JupyterLab (off: both, as the report needs)",
    )
    p.add_argument("lang", choices=["id", "en", "off"], help="the language to show")
    p.add_argument("notebooks", nargs="*", help="notebooks to switch (default: all in notebooks/)")
    p.set_defaults(run=_lab_lang)


def _parser() -> argparse.ArgumentParser:
    """The argument parser: one subcommand each, in the order `--help` lists them."""
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for add in (
        _add_demo,
        _add_clean,
        _add_inspect,
        _add_report,
        _add_check_privacy,
        _add_lab_lang,
    ):
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run one command; AnalysisError → one line on stderr, exit code 2."""
    return _run(_parser().parse_args(argv))


def _run(args: argparse.Namespace) -> int:
    """Run the parsed command (see `main`)."""
    try:
        return args.run(args)
    except AnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _leave(command: str, code: int) -> NoReturn:
    """Exit with `code`. After `clean`, without the interpreter's teardown, which frees every
    module and object one by one (0.4 s after a month of a million workers) when all is done:
    every file the command wrote is closed and in place, its threads finished, output flushed."""
    if command != "clean":
        sys.exit(code)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    _args = _parser().parse_args()
    _leave(_args.command, _run(_args))
