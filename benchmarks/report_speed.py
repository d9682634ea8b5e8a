"""How long the demo month's report takes, against the floor of running as many trivial notebooks.

The floor is what papermill costs anyway: the same number of notebooks, each only a parameters
cell and `1 + 1`, executed in one Python process (kernel start-up dominates). The report is
`publish_report` for the demo month on freshly generated demo data (cleaning, every notebook,
HTML export, index, manifest, privacy check). Prints both wall times and the ratio; the target
is a ratio of at most 2.

    .venv/bin/python benchmarks/report_speed.py [--repeat 3] [--lang id]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import nbformat


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
                'period = "2026-10"\ndata_dir = ""\nlang = "id"', metadata={"tags": ["parameters"]}
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
            {"period": "2026-10", "data_dir": "", "lang": "id"},
            folder,
        )
    return time.perf_counter() - started


def report_seconds(work: Path, lang: str, run: int) -> float:
    from analysis.demo import generate
    from analysis.paths import DEMO_PERIOD
    from analysis.report.publish import publish_report

    data = work / f"data{run}"
    generate(DEMO_PERIOD, data)
    started = time.perf_counter()
    publish_report(DEMO_PERIOD, data_dir=data, reports_dir=work / f"reports{run}", lang=lang)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each (the median is reported)"
    )
    parser.add_argument("--lang", default="id")
    args = parser.parse_args()
    import papermill  # noqa: F401  (imported once, as in the report process)

    from analysis.report.run import notebooks

    n = len(notebooks())
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        floors, reports = [], []
        for r in range(args.repeat):
            (work / f"f{r}").mkdir()
            floors.append(floor_seconds(n, work / f"f{r}"))
            reports.append(report_seconds(work, args.lang, r))
            print(f"run {r + 1}: floor {floors[-1]:.1f} s, report {reports[-1]:.1f} s", flush=True)
    floor, report = statistics.median(floors), statistics.median(reports)
    print(f"\nnotebooks: {n}")
    print(f"floor  ({n} trivial notebooks through papermill, one process): {floor:.1f} s")
    print(f"report (demo month, {args.lang}, everything):                 {report:.1f} s")
    print(f"ratio: {report / floor:.2f}  (target ≤ 2.0)")


if __name__ == "__main__":
    main()
