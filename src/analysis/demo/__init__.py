"""Synthetic registries shaped like the real ones, with planted dirt and the truth beside them.

`generate` writes `umkm.xlsx` (a Dinas export with a title block), `tenaga_kerja.csv`
(semicolon, Windows-1252), `peserta_bpjstk.csv` (UTF-8 with BOM, a BPJS-style extract) and
`survei_kesadaran.csv` for one period, all synthetic people, deterministic for a seed. Beside
them, `_demo/truth.parquet` says for every written row what the cleaning must conclude
(clean with which kelurahan, exact duplicate, or quarantined under which rule) and, for
roster workers, whether they are registered, active and effectively covered;
`_demo/manifest.json` records the SHA-256 of each file (for people: whether a folder is demo
data, cleaned with the public demo key, is decided by the hashes of the demo months shipped in
`analysis.ingest.demo_hashes`, never by a file beside the data). The planted rates are in `DIRT` (documented in the README).

Modules: `world` (the true population), `dirt` (rates and ways text goes wrong), `files` (the
four raw files), `outreach` (the optional outreach log and the planted effect of its visits),
`write` (formats, chunks, truth, manifest), `words` (name lists in `names/`, date and amount
formats), `shape` (small and lopsided months). Chunk size is `write.CHUNK_BUSINESSES` (patch it there).
"""

from analysis.demo.dirt import DIRT
from analysis.demo.shape import Shape
from analysis.demo.write import DEFAULT_BUSINESSES, DEFAULT_SEED, generate, load_truth

__all__ = ["DEFAULT_BUSINESSES", "DEFAULT_SEED", "DIRT", "Shape", "generate", "load_truth"]
