"""What a cleaning run does with the memory it frees: hands it back to the operating system, or
keeps it for the next partition.

Cleaning frees and allocates hundreds of megabytes per partition, in two allocators: Arrow's
(mimalloc: Arrow tables, DuckDB results converted) and the C library's (numpy and pandas). Memory
handed back and asked for again is, to the kernel, a fresh page to zero each time, and on a
virtual machine that returns free pages to its host (as the build machine does) a fresh page
is dearer still. Measured on the build machine (`python -m analysis clean`, the code before and
after alternated):

- a month that is not large (`LARGE_MONTH_BYTES`, cleaned by `python -m analysis clean`, which
  then exits): nothing handed back while it runs (`keep_freed_memory`). A million roster
  workers, six cleans each: 4.57 → 4.06 s, 904k → 525k page faults, peak 1.33 → 1.69 GB;
- a large month, whose peak must stay bounded (2 GB at ten million roster workers): Arrow's
  allocator keeps freed memory for `PURGE_DELAY_MS` before handing it back, so the next partition
  reuses it, and each partition hands back only the C library's (`release_memory(arrow=False)`);
  the whole of both is handed back after each file and each processed table. Ten million, three
  cleans each: 41.4 → 38.4 s (kernel CPU 24.7 → 17.5 s), peak 1.78 → 1.81 GB.

Anywhere else (a notebook, the report) the allocators do with freed memory what they do by default.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import os
import sys
from pathlib import Path

from analysis.paths import LARGE_MONTH_BYTES, raw_size

#: How long Arrow's allocator keeps freed memory before handing it back while a large month is
#: cleaned (mimalloc's own default: 10 ms, shorter than a partition). Ten seconds took the peak
#: at ten million roster workers to 2.0 GB, three seconds left it at 1.8 GB.
PURGE_DELAY_MS = 3000
#: The C library's settings for a process that keeps what it frees (`mallopt` parameters): freed
#: memory at the top of the heap is kept up to 1 GB, and blocks up to 32 MB (numpy's arrays of a
#: partition) come from the heap, reused, rather than each mapped afresh and unmapped when freed.
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3
KEEP_MALLOPT = {_M_TRIM_THRESHOLD: 1 << 30, _M_TOP_PAD: 64 << 20, _M_MMAP_THRESHOLD: 32 << 20}

_KEEPING = False


@functools.cache
def _libc() -> ctypes.CDLL:
    """The C library, looked up once (`find_library` runs a program each time it is asked)."""
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")


def plan_for_month(raw_dir: Path) -> str:
    """Set how this process (`python -m analysis clean`, which exits after one month) uses the
    memory it frees, from the size of the month's raw files: 'keep' for a month that is not
    large, 'bounded' for a large one (see the module docstring). Arrow's allocator reads its
    setting (`MIMALLOC_PURGE_DELAY`, left alone if the environment has one) when it starts: in a
    process that has loaded pyarrow already (a test, a notebook) nothing changes ('as is')."""
    if "pyarrow" in sys.modules:
        return "as is"
    if raw_size(raw_dir) >= LARGE_MONTH_BYTES:
        os.environ.setdefault("MIMALLOC_PURGE_DELAY", str(PURGE_DELAY_MS))
        return "bounded"
    os.environ.setdefault("MIMALLOC_PURGE_DELAY", "-1")  # never
    keep_freed_memory()
    return "keep"


def keep_freed_memory() -> None:
    """From now on this process keeps the memory it frees for reuse (`release_memory` does
    nothing; the C library keeps its heap): for a run that exits when done, never for a notebook's
    kernel, which would hold its largest month's memory for the rest of the session."""
    global _KEEPING
    with contextlib.suppress(OSError, AttributeError):  # not glibc (macOS, musl): its defaults
        for param, value in KEEP_MALLOPT.items():
            _libc().mallopt(param, value)
    _KEEPING = True


def keeping() -> bool:
    """Whether this process keeps the memory it frees (`keep_freed_memory`)."""
    return _KEEPING


def release_memory(arrow: bool = True) -> None:
    """Hand memory freed so far back to the operating system: Arrow's pool (unless `arrow` is
    false: it then hands back what stays unused for `PURGE_DELAY_MS` on its own), then the C
    library's heap, which otherwise keeps it. Nothing in a process that keeps what it frees."""
    if _KEEPING:
        return
    if arrow:
        import pyarrow as pa  # loaded by then (imported here: `plan_for_month` runs before it)

        pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):  # not glibc (macOS, musl): no trim
        _libc().malloc_trim(0)
