"""Kernels started ahead of time for the report run: all at once, each already importing what its
notebook imports.

Starting a Jupyter kernel and importing pandas, matplotlib, geopandas and esda costs more than
most notebooks' own work. The report starts one kernel per notebook at the beginning (in
parallel) and has each run its notebook's import lines silently (no history, no output), while
the first notebook is still cleaning. Papermill then executes each notebook in its warmed
kernel (passed as `km`); the notebook itself is unchanged and still runs top to bottom.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

_IMPORT = re.compile(r"^(?:import [\w., ]+|from [\w.]+ import [\w., ()]+)\s*(?:#.*)?$")


def import_lines(notebook: Path) -> str:
    """The top-level import statements of a notebook's code cells (what warming may run early)."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    lines = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            lines += [line for line in source.splitlines() if _IMPORT.match(line)]
    return "\n".join(dict.fromkeys(lines))


#: How long a new kernel may take to answer before it is replaced by a fresh one (once).
READY_SECONDS = 45


async def _start(kernel_name: str, cwd: Path, warm: list[str]):
    from jupyter_client.manager import AsyncKernelManager

    async def launch():
        km = AsyncKernelManager(kernel_name=kernel_name)
        # kernels' own start-up chatter (e.g. ipykernel's TCP notice) stays off the console
        await km.start_kernel(cwd=str(cwd), stderr=subprocess.DEVNULL)
        return km

    async def ready(km):
        """The kernel once it answers. Kernels launched together now and then never answer
        (their ports raced); such a kernel is shut down and one fresh kernel takes its place."""
        for attempt in (1, 2):
            kc = km.client()
            kc.start_channels()
            try:
                await kc.wait_for_ready(timeout=READY_SECONDS)
                return km, kc
            except RuntimeError:
                kc.stop_channels()
                if attempt == 2:
                    raise
                with contextlib.suppress(Exception):
                    await km.shutdown_kernel(now=True)
                km = await launch()

    async def send(km, code: str):
        km, kc = await ready(km)
        try:
            if code:
                msg_id = kc.execute(code, silent=True, store_history=False)
                while (
                    True
                ):  # leave once the kernel has taken the request; it goes on importing alone
                    msg = await kc.get_iopub_msg(timeout=30)
                    if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status":
                        break
        finally:
            kc.stop_channels()
        return km

    managers = await asyncio.gather(*(launch() for _ in warm))
    return await asyncio.gather(*(send(km, code) for km, code in zip(managers, warm, strict=True)))


#: Run in every warmed kernel after the notebook's own imports: the libraries the analysis modules
#: import inside their functions, and the region's boundaries (a cached read), so that the first
#: chart or estimate of a notebook does not pay for them.
PRELOAD = "import analysis.report.kernels as _kernels\n_kernels.preload()\ndel _kernels"


def preload() -> None:
    """Import the heavy libraries the analysis uses lazily and read the default boundaries once."""
    import importlib

    for name in (
        "matplotlib.pyplot",
        "geopandas",
        "mapclassify",
        "esda",
        "libpysal.weights",
        "statsmodels.stats.proportion",
        "svy",
        "analysis.pages.maps",
    ):
        with contextlib.suppress(ImportError):  # an optional speed-up only
            importlib.import_module(name)
    from analysis.pages.maps import layers

    layers()


def _run(coroutine):
    """`asyncio.run`, also where this thread's event loop is already running (publishing from
    JupyterLab, or beside Playwright's sync API in the browser tests): then in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def start_kernels(notebooks: list[Path], kernel_name: str, cwd: Path) -> dict[Path, object]:
    """Start one warmed kernel per notebook; returns notebook → kernel manager (papermill's `km`)."""
    # the first notebook runs at once, so it only imports its own; the others also preload
    warm = [import_lines(nb) + ("" if i == 0 else f"\n{PRELOAD}") for i, nb in enumerate(notebooks)]
    managers = _run(_start(kernel_name, cwd, warm))
    return dict(zip(notebooks, managers, strict=True))


def manager_class(km):
    """A kernel-manager 'class' for nbclient that hands over an already started kernel.

    Given as papermill's `kernel_manager_class`, nbclient treats the kernel as its own: it
    connects, runs the notebook, then stops its client and shuts the kernel down, as usual.
    """
    from jupyter_client.manager import AsyncKernelManager

    class Started(AsyncKernelManager):
        def __new__(cls, *args, **kwargs):  # noqa: ARG004 (nbclient passes kernel_name, config)
            return km

    return Started


def shutdown(managers) -> None:
    """Stop every kernel that is still running (papermill leaves kernels it did not start alone)."""

    async def stop() -> None:
        await asyncio.gather(
            *(km.shutdown_kernel(now=True) for km in managers if km.has_kernel),
            return_exceptions=True,
        )

    _run(stop())
