"""Warmed kernels: a kernel that never answers at start-up is replaced, not waited on forever."""

import asyncio

import nbformat

from analysis.report import kernels
from analysis.report.run import kernel_name


def test_a_kernel_that_does_not_answer_is_replaced(tmp_path, monkeypatch):
    from jupyter_client.asynchronous.client import AsyncKernelClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import math")])
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    real = AsyncKernelClient.wait_for_ready
    calls = []

    async def first_never_answers(self, timeout=None):
        calls.append(timeout)
        if len(calls) == 1:  # as after a real wait: the channels' threads have their sockets
            await asyncio.sleep(0.5)
            raise RuntimeError("Kernel didn't respond in 0 seconds")
        return await real(self, timeout=timeout)

    monkeypatch.setattr(AsyncKernelClient, "wait_for_ready", first_never_answers)
    started = kernels.start_kernels([path], kernel_name(), tmp_path)
    km = started[path]
    try:
        assert len(calls) == 2
        assert asyncio.run(km.is_alive())
    finally:
        asyncio.run(km.shutdown_kernel(now=True))


def test_kernels_start_from_code_that_already_runs_an_event_loop(tmp_path):
    """A report started from JupyterLab (or beside Playwright) runs inside an event loop."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import math")])
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)

    async def inside_a_loop():
        return kernels.warm_kernels([path], kernel_name(), tmp_path, [None])

    (km,) = asyncio.run(inside_a_loop())
    try:
        assert kernels.reset(km) is True  # a kept kernel is emptied for its next notebook
    finally:
        kernels.shutdown([km])
    assert not asyncio.run(km.is_alive())
