"""Coverage of UMKM workers by BPJS Ketenagakerjaan in Kota Surakarta: tested helpers for the notebooks.

Submodules are imported on demand (``from analysis import coverage``) so that a notebook
pays only for what it uses.

Importing the package first (as `python -m analysis` does) also tells Arrow's memory allocator
(mimalloc) not to use transparent huge pages, unless the environment already says otherwise
(`MIMALLOC_ALLOW_THP`). It reserves memory a gigabyte at a time marked for huge pages and hands
freed pieces back as it goes, so every piece used again is a fresh 2 MB page for the kernel to
zero. On the build machine (a virtual machine) that zeroing took up to 43% of a cleaning run's
CPU: a month of a million roster workers took 7.6 s instead of 4.4 s (with freed memory kept
for reuse, `analysis.ingest.memory`, ten million took 37.1 s with them and 34.8 s without). mimalloc turns huge pages
off for the whole process (numpy's arrays too) and the processes it starts (report kernels,
Dask workers), with `prctl`. Read when pyarrow loads: set before it is imported anywhere.
`python -m analysis clean` also decides what Arrow's allocator does with memory it frees
(`analysis.ingest.memory`).
"""

import os as _os

_os.environ.setdefault("MIMALLOC_ALLOW_THP", "0")

__version__ = "0.1.0"
