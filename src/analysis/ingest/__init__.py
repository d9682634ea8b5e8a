"""Raw extracts → processed data (docs/design.md): read, validate, match, pseudonymise, link, write.

`clean.clean_period` runs the stage; `analysis.pipeline.clean_period` adds the tables metrics
derive from it. Never imports metrics, pages, report or demo.

- reading: `headers` (canonical columns and header spellings), `read` (CSV/XLSX as text),
  `cache` (the cache of raw files, an Arrow file read partition by partition)
- values: `parse` (dates, months, Rupiah, yes/no), `vocab` (coded words), `classify` (sector,
  reason, size class, kind of outreach activity), `places` (kelurahan matching), `nik` (NIK
  rules), `pseudonyms` (HMAC key)
- rules: `schemas` (pandera schemas, rule order), `rules` (first rule wins, shared checks)
- one module per raw file: `businesses`, `roster`, `participants`, `survey`, `outreach`
- across partitions: `engine` (this process or Dask), `memory` (freed memory kept or handed
  back), `partitions` (clean, park, finish a file),
  `keys` (sorted positions, text lookup, repeats)
- after: `link` (workers ↔ participation records, counts per kelurahan), `write` (every
  processed table and quality.json), `clean` (the orchestration)
"""
