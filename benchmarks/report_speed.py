"""How long the demo month's report takes, per region, against the floor of running trivial notebooks.

The floor is what papermill costs anyway: the same number of notebooks as the city's report,
each only a parameters cell and `1 + 1`, executed in one Python process (kernel start-up
dominates). A report is `publish_report` for the demo month on freshly generated demo data
(cleaning, every notebook, HTML export, index, manifest, privacy check), for each region given:
Kota Surakarta (4 notebooks) and Soloraya (the overview and 3 pages for each of its 7
kabupaten/kota: 23 notebook runs). Each run times the floor and every region one after the other,
so they share the machine's load, which is printed (1-minute load average, before and after).
Targets: the city's report at most 2× the floor; Soloraya's at most 6× the city's.

    .venv/bin/python benchmarks/report_speed.py [--repeat 3] [--lang id] [--regions surakarta,soloraya]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import nbformat

CITY = "surakarta"


def trivial_notebooks(folder: Path, n: int) -> list[Path]:
    paths = []
    for i in range(n):
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        nb.cells = [
            nbformat.v4.new_code_cell(
                'period = "2026-10"\ndata_dir = ""\nlang = "id"\npublish = False',
                metadata={"tags": ["parameters"]},
            ),
            nbformat.v4.new_code_cell("1 + 1"),
        ]
        path = folder / f"{i:02d}_trivial.ipynb"
        nbformat.write(nb, path)
        paths.append(path)
    return paths


def floor_seconds(n: int, work: Path) -> float:
    from analysis.report.run import run_notebook

    folder = work / "trivial"
    folder.mkdir()
    nbs = trivial_notebooks(folder, n)
    started = time.perf_counter()
    for nb in nbs:
        run_notebook(
            nb,
            folder / f"out_{nb.name}",
            {"period": "2026-10", "data_dir": "", "lang": "id", "publish": True},
            folder,
        )
    return time.perf_counter() - started


def report_seconds(work: Path, lang: str, run: int, region: str) -> float:
    from analysis.demo import generate
    from analysis.paths import DEMO_PERIOD
    from analysis.report.publish import publish_report

    data = work / f"data{run}-{region}"
    generate(DEMO_PERIOD, data, region=region)
    started = time.perf_counter()
    publish_report(
        DEMO_PERIOD, data_dir=data, reports_dir=work / f"reports{run}", lang=lang, region=region
    )
    return time.perf_counter() - started


def notebook_runs(region: str) -> int:
    """How many notebooks the region's report runs."""
    from analysis.reference import areas
    from analysis.report.run import notebooks, plan

    return len(plan(notebooks(), areas(region)))


def load() -> float:
    return os.getloadavg()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each (the median is reported)"
    )
    parser.add_argument("--lang", default="id")
    parser.add_argument(
        "--regions", default=f"{CITY},soloraya", help="comma-separated region ids (the city first)"
    )
    args = parser.parse_args()
    regions = args.regions.split(",")
    import papermill  # noqa: F401  (imported once, as in the report process)

    from analysis.report.run import notebooks

    n = len(notebooks())
    floors: list[float] = []
    times: dict[str, list[float]] = {r: [] for r in regions}
    loads: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for r in range(args.repeat):
            before = load()
            (work / f"f{r}").mkdir()
            floors.append(floor_seconds(n, work / f"f{r}"))
            for region in regions:
                times[region].append(report_seconds(work, args.lang, r, region))
            loads.append((before, load()))
            each = ", ".join(f"{g} {times[g][-1]:.1f} s" for g in regions)
            print(
                f"run {r + 1}: floor {floors[-1]:.1f} s, {each} "
                f"(load average {loads[-1][0]:.1f} → {loads[-1][1]:.1f} on {os.cpu_count()} cores)",
                flush=True,
            )
    floor = statistics.median(floors)
    medians = {g: statistics.median(v) for g, v in times.items()}
    print(f"\nfloor ({n} trivial notebooks through papermill, one process): {floor:.1f} s")
    print(f"{'region':<12}{'notebook runs':>15}{'report (median)':>18}{'× floor':>10}{'× city':>9}")
    city = medians.get(CITY)
    for g, seconds in medians.items():
        vs_city = f"{seconds / city:.2f}" if city else "–"
        print(
            f"{g:<12}{notebook_runs(g):>15}{seconds:>16.1f} s{seconds / floor:>10.2f}{vs_city:>9}"
        )
    print("targets: the city's report ≤ 2.0 × floor; Soloraya's ≤ 6.0 × the city's")
    print(
        f"machine load (1-minute average) during the runs: "
        f"{min(min(p) for p in loads):.1f}–{max(max(p) for p in loads):.1f} on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
