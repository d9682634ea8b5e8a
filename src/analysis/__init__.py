"""Coverage of UMKM workers by BPJS Ketenagakerjaan in Kota Surakarta: tested helpers for the notebooks.

Submodules are imported on demand (``from analysis import coverage``) so that a notebook
pays only for what it uses.
"""

__version__ = "0.1.0"
