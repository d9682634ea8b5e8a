"""What a cleaning run does with the memory it frees: hands it back to the operating system, or
keeps it for the next partition.

Cleaning frees and allocates hundreds of megabytes per partition, in two allocators: Arrow's
(mimalloc: Arrow tables, DuckDB results converted) and the C library's (numpy and pandas). Memory
handed back and asked for again is, to the kernel, a fresh page to zero each time, and on a
virtual machine that returns free pages to its host (as the build machine does) a fresh page
is dearer still. Measured on the build machine (`python -m analysis clean`, the code before and
after alternated):

- a month cleaned in memory (`in_memory`: not large, `LARGE_MONTH_BYTES`, and not on Dask) by
  `python -m analysis clean`, which then exits: nothing handed back while it runs
  (`keep_freed_memory`). A million roster
  workers, six cleans each: 4.57 → 4.06 s, 904k → 525k page faults, peak 1.33 → 1.69 GB;
- any other month, whose peak must stay bounded (2 GB at ten million roster workers): Arrow's
  allocator keeps freed memory for `PURGE_DELAY_MS` before handing it back, so the next partition
  reuses it, and each partition hands back only the C library's (`release_memory(arrow=False)`);
  the whole of both is handed back after each file and each processed table. Ten million, three
  cleans each: 41.4 → 38.4 s (kernel CPU 24.7 → 17.5 s), peak 1.78 → 1.81 GB.

Anywhere else (a notebook, the report) the allocators keep their own settings; cleaning still
hands back all freed memory after each file and each processed table, Arrow's on its own 10 ms
after it is freed, the C library's after each partition.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import sys
from pathlib import Path

from analysis.paths import LARGE_MONTH_BYTES, raw_size

#: How long Arrow's allocator keeps freed memory before handing it back while a large month is
#: cleaned (mimalloc's own default: 10 ms, shorter than a partition). Ten seconds took the peak
#: at ten million roster workers to 2.0 GB, three seconds left it at 1.8 GB.
PURGE_DELAY_MS = 3000
#: The C library's settings for a process that keeps what it frees (`mallopt` parameter: value,
#: and the environment variable that, if set, chose for itself): freed memory at the top of the
#: heap is kept up to 1 GB, and blocks up to 32 MB (numpy's arrays of a partition; glibc's
#: largest allowed) come from the heap, reused, rather than each mapped afresh and unmapped.
KEEP_MALLOPT = {
    -1: (1 << 30, "MALLOC_TRIM_THRESHOLD_"),  # M_TRIM_THRESHOLD
    -2: (64 << 20, "MALLOC_TOP_PAD_"),  # M_TOP_PAD
    -3: (32 << 20, "MALLOC_MMAP_THRESHOLD_"),  # M_MMAP_THRESHOLD
}

_KEEPING = False


@functools.cache
def _libc() -> ctypes.CDLL:
    """The C library this process runs with (its symbols: no library looked up by name)."""
    return ctypes.CDLL(None)


def in_memory(raw_dir: Path, engine: str) -> bool:
    """Whether a month is cleaned in memory: in this process (not on Dask) and not large
    (`LARGE_MONTH_BYTES`): its partitions' results are parked in memory (`clean`), and the
    command line keeps what it frees (`plan_for_month`)."""
    return engine == "pandas" and raw_size(raw_dir) < LARGE_MONTH_BYTES


def plan_for_month(raw_dir: Path, engine: str = "pandas") -> str:
    """Set how this process (`python -m analysis clean`, which exits after one month) uses the
    memory it frees: 'keep' for a month cleaned in memory (`in_memory`), 'bounded' for any other
    (see the module docstring; Dask's local workers are started with the same setting). Arrow's
    allocator reads its setting (`MIMALLOC_PURGE_DELAY`, left alone if the environment has one)
    when it starts: in a process that has loaded pyarrow already (a test, a notebook) nothing
    changes ('as is')."""
    if "pyarrow" in sys.modules:
        return "as is"
    if not in_memory(raw_dir, engine):
        os.environ.setdefault("MIMALLOC_PURGE_DELAY", str(PURGE_DELAY_MS))
        return "bounded"
    os.environ.setdefault("MIMALLOC_PURGE_DELAY", "-1")  # never
    keep_freed_memory()
    return "keep"


def keep_freed_memory() -> dict[int, bool]:
    """From now on this process keeps the memory it frees for reuse (`release_memory` does
    nothing; the C library keeps its heap, `KEEP_MALLOPT`, where the environment did not choose):
    for a run that exits when done, never for a notebook's kernel, which would hold its largest
    month's memory for the rest of the session. Returns which C library settings it accepted."""
    global _KEEPING
    accepted = {}
    chosen = "malloc" in os.environ.get("GLIBC_TUNABLES", "")
    with contextlib.suppress(OSError, AttributeError):  # not glibc (macOS, musl): its defaults
        for param, (value, variable) in KEEP_MALLOPT.items():
            if not chosen and variable not in os.environ:
                accepted[param] = _libc().mallopt(param, value) == 1
    _KEEPING = True
    return accepted


def keeping() -> bool:
    """Whether this process keeps the memory it frees (`keep_freed_memory`)."""
    return _KEEPING


def release_memory(arrow: bool = True) -> None:
    """Hand memory freed so far back to the operating system: Arrow's pool (unless `arrow` is
    false: it then hands back on its own what stays unused for its purge delay, `PURGE_DELAY_MS`
    while the command line cleans a large month, 10 ms elsewhere), then the C library's heap,
    which otherwise keeps it. Nothing in a process that keeps what it frees."""
    if _KEEPING:
        return
    if arrow:
        import pyarrow as pa  # loaded by then (imported here: `plan_for_month` runs before it)

        pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):  # not glibc (macOS, musl): no trim
        _libc().malloc_trim(0)
