"""Where cleaning partitions run: in this process on two threads, or on a Dask cluster.

`clean_period` splits each raw file into partitions (record batches of the cache) and
maps one plain function over them; the engine only decides where that function runs. Both
return results in partition order, so the global steps after them (exact duplicates across
partitions, duplicate keys and persons, linking) see the same input and give the same output.

A Dask cluster must see the same file system as this process (the partitions and their
results are files under `data/raw/<period>/_cache/`), and receives the pseudonym key with each
task, so nobody else may connect to it: the local cluster runs with temporary TLS certificates
(only this process's client holds them), and `--scheduler` accepts `tcp://` only on this
machine; a remote scheduler must be `tls://`, with the cluster's certificates in Dask's
configuration (`distributed.comm.tls.ca-file`, `.client.cert`, `.client.key`).
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

import duckdb

from analysis.errors import AnalysisError

#: Told (partitions done, partitions in all) as partitions finish, for progress on long runs.
Progress = Callable[[int, int], None]


_THREAD = threading.local()


@contextlib.contextmanager
def duckdb_over(**tables: Any) -> Iterator[Any]:
    """This thread's in-memory DuckDB connection, made once (a new one costs ~13 ms, paid per
    partition and column otherwise), with Arrow `tables` registered by name until the block ends."""
    if getattr(_THREAD, "duckdb", None) is None:
        _THREAD.duckdb = duckdb.connect()
    con = _THREAD.duckdb
    try:
        for name, table in tables.items():
            con.register(name, table)
        yield con
    finally:
        for name in tables:
            con.unregister(name)  # nothing of the caller's data stays referenced


#: Container allocations between two young-generation collections while a month is cleaned
#: (Python's default is 700).
COLLECT_EVERY = 50_000


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Python's cycle collector run less often in the block, as it was before after it: cleaning
    makes millions of short-lived containers (pandas, Arrow conversions), and collecting every
    700 of them spent 3% of a month's CPU finding next to nothing."""
    old = gc.get_threshold()
    gc.set_threshold(COLLECT_EVERY, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*old)


class LocalEngine:
    """Run partitions in this process on `workers` threads, results in partition order.

    A partition's work is mostly Arrow, DuckDB, NumPy and the C HMAC, which run without the
    GIL, so two threads keep two cores busy; memory holds `workers` partitions at a time. The
    threads are shared by every `map` of a run, so files that do not depend on each other can
    be cleaned side by side (`concurrent_files`) without more partitions in flight.
    """

    name = "pandas"
    concurrent_files = True

    def __init__(self, workers: int = 2):
        self.workers = workers
        self.pool = ThreadPoolExecutor(workers) if workers > 1 else None
        self.slots = threading.BoundedSemaphore(workers)

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        """One of the `workers` places for work that holds a partition's worth of memory: each
        partition takes one, and so does a file's work across its partitions (`finish_file`),
        so files cleaned side by side never hold more than `workers` such at once."""
        with self.slots:
            yield

    def _in_slot(self, fn: Callable, item: Any, **shared: Any) -> Any:
        with self.slot():
            return fn(item, **shared)

    def map(
        self, fn: Callable, items: Sequence, progress: Progress | None = None, **shared: Any
    ) -> list:
        if self.pool is None or len(items) < 2:
            out = []
            for item in items:
                with self.slot():
                    out.append(fn(item, **shared))
                if progress is not None:
                    progress(len(out), len(items))
            return out
        futures = [self.pool.submit(self._in_slot, fn, item, **shared) for item in items]
        try:
            if progress is not None:
                for done, _ in enumerate(as_completed(futures), 1):
                    progress(done, len(futures))
            return [f.result() for f in futures]
        finally:
            for f in futures:
                f.cancel()  # after a failure, partitions not started yet are not run

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


class DaskEngine:
    """Run partitions on a Dask `distributed` cluster: the given scheduler, or a LocalCluster."""

    name = "dask"
    concurrent_files = False

    def __init__(self, scheduler: str | None = None, workers: int = 2):
        # distributed is imported only here and in map: 0.25 s, and only --engine dask needs it
        from distributed import Client, LocalCluster, Security

        self.cluster = None
        if scheduler:
            security = Security()  # the certificates of Dask's configuration, for tls://
            if check_scheduler(scheduler).startswith("tls://") and not security.get_connection_args(
                "client"
            ).get("ssl_context"):
                raise AnalysisError(
                    f"{scheduler} needs the cluster's TLS certificates in Dask's configuration "
                    "(distributed.comm.tls.ca-file, client.cert and client.key)."
                )
            self.client = Client(scheduler, security=security)
        else:
            self.cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                memory_limit=0,
                security=Security.temporary(),  # nobody else can connect and read the key
            )
            self.client = Client(self.cluster)

    def map(
        self, fn: Callable, items: Sequence, progress: Progress | None = None, **shared: Any
    ) -> list:
        if not items:
            return []
        from distributed import as_completed

        scattered = {
            k: self.client.scatter([v], broadcast=True, hash=False)[0] for k, v in shared.items()
        }
        futures = self.client.map(fn, list(items), pure=False, **scattered)
        if progress is not None:
            for done, _ in enumerate(as_completed(futures), 1):
                progress(done, len(futures))
        return self.client.gather(futures)  # in partition order, whatever order they finished

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        """Files are cleaned one after another here: nothing to share (`LocalEngine.slot`)."""
        yield

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


#: Scheduler hosts that are this machine.
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0:0:0:0:0:0:0:1"}


def check_scheduler(address: str) -> str:
    """The scheduler address if the pseudonym key may travel to it: `tls://` anywhere, `tcp://`
    only on this machine (plain TCP anyone on the network can read, and connect to)."""
    scheme, sep, rest = address.partition("://")
    if not sep:
        scheme, rest = "tcp", address
    host = rest.rsplit(":", 1)[0].strip("[]").lower() if ":" in rest else rest.lower()
    if scheme == "tls":
        return address
    if scheme == "tcp" and host in LOCAL_HOSTS:
        return address
    raise AnalysisError(
        f"--scheduler {address}: the pseudonym key travels with every task, so a scheduler on "
        "another machine must use tls:// (with the cluster's certificates), never plain tcp://."
    )


def make_engine(engine: str = "pandas", scheduler: str | None = None, workers: int = 2):
    """The engine named on the command line (`--engine pandas|dask`, `--scheduler tcp://…`)."""
    if engine == "pandas":
        return LocalEngine(workers)
    if engine == "dask":
        if scheduler:
            check_scheduler(scheduler)
        return DaskEngine(scheduler, workers)
    raise ValueError(f"unknown engine {engine!r}")
