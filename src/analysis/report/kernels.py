"""Kernels started ahead of time for the report run: all at once, each already importing what its
notebook imports — and, when a report has more notebooks than it runs at a time (a region of
several kabupaten/kota), kept for the next notebook and emptied in between (`reset`).

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
from queue import Empty

from analysis.paths import DEFAULT_REGION

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


def _run(coroutine):
    """Run a coroutine to its end from synchronous code — in a thread of its own when this one
    already runs an event loop (a report started from JupyterLab, or beside Playwright)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


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
PRELOAD = "import analysis.report.kernels as _kernels\n_kernels.preload({region!r})\ndel _kernels"


def preload(region: str = DEFAULT_REGION) -> None:
    """Import the heavy libraries the analysis uses lazily and read a region's boundaries once."""
    import importlib

    for name in (
        "matplotlib.pyplot",
        "geopandas",
        "mapclassify",
        "esda",
        "libpysal.weights",
        "scipy.special",
        "svy",
        "analysis.pages.maps",
    ):
        with contextlib.suppress(ImportError):  # an optional speed-up only
            importlib.import_module(name)
    from analysis.pages.maps import layers

    layers(region)


def warm_kernels(
    notebooks: list[Path], kernel_name: str, cwd: Path, preload_for: list[str | None]
) -> list:
    """Start one warmed kernel per notebook (started together), each also preloading the region
    given in `preload_for` (None: only the notebook's own imports); kernel managers in order."""
    warm = [
        import_lines(nb) + ("" if region is None else "\n" + PRELOAD.format(region=region))
        for nb, region in zip(notebooks, preload_for, strict=True)
    ]
    return _run(_start(kernel_name, cwd, warm))


def start_kernels(notebooks: list[Path], kernel_name: str, cwd: Path) -> dict[Path, object]:
    """Start one warmed kernel per notebook; returns notebook → kernel manager (papermill's `km`)."""
    # the first notebook runs at once, so it only imports its own; the others also preload
    regions = [None if i == 0 else DEFAULT_REGION for i in range(len(notebooks))]
    return dict(zip(notebooks, warm_kernels(notebooks, kernel_name, cwd, regions), strict=True))


class _Kept:
    """A started kernel's manager as nbclient sees it when the kernel is to run more notebooks:
    everything passed through, except that shutting down and cleaning up are left to `shutdown`."""

    def __init__(self, km):
        self._km = km

    def __getattr__(self, name: str):
        return getattr(self._km, name)

    async def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        return None

    async def cleanup_resources(self, restart: bool = False) -> None:
        return None


def manager_class(km, keep: bool = False):
    """A kernel-manager 'class' for nbclient that hands over an already started kernel.

    Given as papermill's `kernel_manager_class`, nbclient treats the kernel as its own: it
    connects, runs the notebook, then stops its client and shuts the kernel down, as usual —
    unless `keep`: then the kernel stays up for the next notebook (`reset` empties it first).
    """
    from jupyter_client.manager import AsyncKernelManager

    given = _Kept(km) if keep else km

    class Started(AsyncKernelManager):
        def __new__(cls, *args, **kwargs):  # noqa: ARG004 (nbclient passes kernel_name, config)
            return given

    return Started


#: What empties a kept kernel between notebooks: the user's names (every notebook defines its
#: own from its parameters down), and the garbage they leave. Imported modules and the analysis'
#: caches of reference data stay: that is what keeping the kernel saves.
RESET = "%reset -f\nimport gc as _gc\n_gc.collect()\ndel _gc"


def reset(km) -> bool:
    """Empty a kernel for its next notebook (`RESET`); False if it no longer answers."""

    async def run() -> bool:
        if not await km.is_alive():
            return False
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=READY_SECONDS)
            msg_id = kc.execute(RESET, silent=True, store_history=False)
            while True:
                msg = await kc.get_iopub_msg(timeout=READY_SECONDS)
                if (
                    msg["parent_header"].get("msg_id") == msg_id
                    and msg["msg_type"] == "status"
                    and msg["content"].get("execution_state") == "idle"
                ):
                    return True
        except (RuntimeError, TimeoutError, Empty):  # no answer: replace the kernel
            return False
        finally:
            kc.stop_channels()

    return _run(run())


def shutdown(managers) -> None:
    """Stop every kernel that is still running (papermill leaves kernels it did not start alone)."""

    async def stop() -> None:
        await asyncio.gather(
            *(km.shutdown_kernel(now=True) for km in managers if km.has_kernel),
            return_exceptions=True,
        )

    _run(stop())
