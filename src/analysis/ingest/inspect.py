"""`python -m analysis inspect`: what each raw file's headers were recognised as, what is missing,
and a ready-to-edit header mapping (`headers.toml`, see `analysis.ingest.mapping`).

For the analyst's console only: it shows header cells (never a data value) and is never written
into processed data or reports. The mapping it prints keeps the lines already in force and
proposes lines for what is missing, each with a comment saying why: the NIB as the business id,
worker counts split by sex added up, and headers whose words contain a known spelling
('Kelurahan Usaha' → kelurahan). Every proposal is a guess to check.
"""

from __future__ import annotations

import csv
import json
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.ingest.headers import (
    COLUMNS,
    HEADER_SCAN_ROWS,
    REQUIRED,
    check_columns,
    map_header,
    norm_header,
)
from analysis.ingest.mapping import MAPPING_FILE, SUMMABLE, Mapping, apply_mapping, load_mapping
from analysis.ingest.read import (
    csv_start,
    find_raw_file,
    first_rows,
    no_header_error,
    open_xlsx,
    sniff,
    xlsx_header,
)
from analysis.paths import RAW_STEMS, REQUIRED_STEMS, Paths, check_period

#: Words of a worker count, and of each sex, in headers of counts split by sex.
WORKER_WORDS = {"tenaga", "tk", "pekerja", "karyawan", "naker", "buruh"}
SEX_WORDS = {
    "L": {"laki", "pria", "l", "lk", "male"},
    "P": {"perempuan", "wanita", "p", "pr", "female"},
}
MIN_GUESS_CHARS = 4  # a spelling this short ('kel', 'id') is too weak to guess from


@dataclass
class FileHeaders:
    """One raw file's header row and what the readers make of it."""

    stem: str
    path: Path | None
    row: int = 0
    header: list[str] = field(default_factory=list)
    found: bool = False  # a row naming known columns (else: the first non-empty row)
    meaning: dict[int, list[str]] = field(default_factory=dict)  # position → columns
    by_mapping: dict[str, list[int]] = field(default_factory=dict)
    mapping: Mapping | None = None
    problem: str | None = None  # the sentence the cleaning would stop with
    proposals: dict[str, tuple[list[int], str]] = field(default_factory=dict)

    @property
    def columns(self) -> set[str]:
        return {c for cs in self.meaning.values() for c in cs}

    def missing(self, required: bool) -> list[str]:
        wanted = REQUIRED[self.stem] if required else COLUMNS[self.stem]
        return [
            c
            for c in wanted
            if c not in self.columns and (required or c not in REQUIRED[self.stem])
        ]


def _tokens(key: str) -> list[str]:
    return [t for t in key.split("_") if t]


def _contains(key: str, variant: str) -> bool:
    """Whether a normalised header holds a known spelling as whole words ('kelurahan_usaha' ⊃ 'kelurahan')."""
    return re.search(rf"(?:^|_){re.escape(variant)}(?:_|$)", key) is not None


def _by_sex(keys: list[str], free: list[int]) -> list[int] | None:
    """Two unused headers of worker counts, one for men and one for women ('Jml TK Laki-laki', …)."""
    found = {}
    for i in free:
        words = set(_tokens(keys[i]))
        if not words & WORKER_WORDS and "tenaga_kerja" not in keys[i]:
            continue
        sexes = [s for s, ws in SEX_WORDS.items() if words & ws]
        if len(sexes) == 1 and sexes[0] not in found:
            found[sexes[0]] = i
    return [found["L"], found["P"]] if len(found) == 2 else None


def propose(stem: str, keys: list[str], free: list[int], missing: list[str]) -> dict:
    """Mapping lines for missing columns from unused headers: column → (positions, why)."""
    out: dict[str, tuple[list[int], str]] = {}
    taken: set[int] = set()
    nib = COLUMNS["umkm"]["nib"]
    for column in missing:
        options = [i for i in free if i not in taken]
        if column == "jumlah_tenaga_kerja" and (pair := _by_sex(keys, options)):
            out[column] = (pair, "the counts by sex, added up")
        elif column == "id_umkm" and (at := [i for i in range(len(keys)) if keys[i] in nib]):
            out[column] = ([at[0]], "the NIB, one number per business")
        else:
            scored = [
                (len(v), i)
                for i in options
                for v in COLUMNS[stem][column]
                if len(v) >= MIN_GUESS_CHARS and _contains(keys[i], v)
            ]
            if not scored:
                continue
            out[column] = ([max(scored)[1]], "guessed from the header's words")
        taken |= set(out[column][0])
    return out


def _first_row(rows: list[list[object]]) -> tuple[int, list[object]]:
    """The first row with any cell (0-based index and cells), or (0, [])."""
    for i, row in enumerate(rows):
        if any(str(c or "").strip() for c in row):
            return i, row
    return 0, []


def header_row(stem: str, path: Path, mapping: Mapping) -> tuple[int, list[str], bool]:
    """A raw file's header row as the readers find it (1-based row, cells, True), or, where no row
    names a known or mapped column, its first non-empty row (row, cells, False). Reads the
    header only: no data value leaves the file."""
    mapped = mapping.names()
    if path.suffix.lower() == ".xlsx":
        book = open_xlsx(path)
        try:
            found = xlsx_header(stem, book, mapped)
            if found is not None:
                _, where, header = found
                return where + 1, [str(c or "").strip() for c in header], True
            where, header = _first_row(first_rows(book.worksheets[0]))
        finally:
            book.close()
        return where + 1, [str(c or "").strip() for c in header], False
    _, head = csv_start(path)
    delim, where, header = sniff(stem, head, mapped)
    if where is not None:
        return where + 1, [c.strip() for c in header], True
    lines = head.splitlines()[: HEADER_SCAN_ROWS + 1]
    first = next((line for line in lines if line.strip()), "")
    widest = max((",", ";", "\t", "|"), key=lambda d: len(next(csv.reader([first], delimiter=d))))
    where, header = _first_row(list(csv.reader(lines, delimiter=widest)))
    return where + 1, [str(c).strip() for c in header], False


def inspect_file(stem: str, path: Path) -> FileHeaders:
    """What the readers make of one raw file's header row (the header only is read)."""
    info = FileHeaders(stem, path)
    try:
        info.mapping = load_mapping(stem, path)
        info.row, info.header, info.found = header_row(stem, path, info.mapping)
    except AnalysisError as exc:
        info.problem = str(exc)
        return info
    if not info.found:
        where = "rows of any sheet" if path.suffix.lower() == ".xlsx" else "lines"
        info.problem = str(no_header_error(stem, path, where))
    keys = [norm_header(c) for c in info.header]
    try:
        info.by_mapping = apply_mapping(info.mapping, keys, info.header, str(path))
    except AnalysisError as exc:
        info.problem = str(exc)
    columns = {c: list(at) for c, at in info.by_mapping.items()}
    for i, canon in map_header(stem, info.header)[0].items():
        if canon not in info.by_mapping:
            columns.setdefault(canon, []).append(i)
    for canon, at in columns.items():
        for i in at:
            info.meaning.setdefault(i, []).append(canon)
    if info.problem is None:
        try:
            check_columns(stem, path, columns, info.header, frozenset(info.by_mapping))
        except AnalysisError as exc:
            info.problem = str(exc)
    free = [i for i, k in enumerate(keys) if k and i not in info.meaning]
    wanted = info.missing(required=True) + info.missing(required=False)
    info.proposals = propose(stem, keys, free, wanted)
    return info


def inspect_period(period: str, data_dir: str | Path | None = None) -> list[FileHeaders]:
    """Every raw file of a month, inspected (a stem without a file has no path)."""
    raw_dir = Paths.of(data_dir).raw(check_period(period))
    if not raw_dir.is_dir():
        raise AnalysisError(f"No raw data for {period}: folder {raw_dir} does not exist.")
    out = []
    for stem in RAW_STEMS:
        path = find_raw_file(raw_dir, stem)
        out.append(inspect_file(stem, path) if path is not None else FileHeaders(stem, None))
    return out


# ------------------------------------------------------------------ what is printed


def listing(files: list[FileHeaders]) -> str:
    """For the console: each file's headers and what each was recognised as, what is missing."""
    lines = []
    for f in files:
        if f.path is None:
            need = "required" if f.stem in REQUIRED_STEMS else "optional"
            lines += [f"{f.stem}: no file this month ({need})", ""]
            continue
        where = f"header on row {f.row}" if f.found else f"no known header; row {f.row} shown"
        lines.append(f"{f.path.name} ({where})")
        width = min(40, max((len(h) for h in f.header), default=10))
        for i, cell in enumerate(f.header):
            if not cell:
                continue
            canon = f.meaning.get(i)
            if canon:
                what = ", ".join(
                    c + (" (headers.toml)" if c in f.by_mapping else "") for c in canon
                )
            else:
                what = "not used"
            lines.append(f"  {cell[:40]:<{width}}  → {what}")
        for required in (True, False):
            missing = f.missing(required)
            if missing:
                kind = "required, missing" if required else "optional, not found"
                lines.append(f"  {kind}: {', '.join(missing)}")
        if f.problem:
            lines.append(f"  the cleaning would stop: {f.problem}")
        lines.append("")
    return "\n".join(lines)


def _toml(header: list[str], at: list[int]) -> str:
    cells = [json.dumps(header[i], ensure_ascii=False) for i in at]
    return cells[0] if len(cells) == 1 else f"[{', '.join(cells)}]"


def _file_lines(f: FileHeaders) -> list[str]:
    """The `[stem]` table of the mapping for one file."""
    lines = [f"[{f.stem}]"]
    if f.path is None:
        return lines + ["# no file this month", ""]
    lines.append(f"# {f.path.name}, header on row {f.row}")
    for column, at in f.by_mapping.items():
        source = next((e.source for e in f.mapping.entries if e.column == column), MAPPING_FILE)
        lines.append(f"{column} = {_toml(f.header, at)}  # already in {source}")
    for column in f.missing(required=True) + f.missing(required=False):
        need = "required" if column in REQUIRED[f.stem] else "optional"
        if column in f.proposals:
            at, why = f.proposals[column]
            lines.append(f"{column} = {_toml(f.header, at)}  # {need}: {why} — check")
        elif need == "required":
            sums = " (a list of headers is added up)" if column in SUMMABLE else ""
            lines.append(f'# {column} = ""  # required: write the header that holds it{sums}')
    known = [
        f"{f.header[i]} → {', '.join(c for c in cs if c not in f.by_mapping)}"
        for i, cs in sorted(f.meaning.items())
        if any(c not in f.by_mapping for c in cs)
    ]
    proposed = {i for at, _ in f.proposals.values() for i in at}
    unused = [h for i, h in enumerate(f.header) if h and i not in f.meaning and i not in proposed]
    for title, items in (("recognised without a mapping", known), ("not used", unused)):
        if items:
            text = textwrap.fill(f"{title}: " + "; ".join(items), 96, break_on_hyphens=False)
            lines += ["# " + line for line in text.splitlines()]
    return lines + [""]


def snippet(period: str, files: list[FileHeaders]) -> str:
    """A ready-to-edit `headers.toml` for the month: lines in force, proposals for what is missing."""
    head = [
        f"# Header mapping for {period}, printed by 'python -m analysis inspect --period {period}'.",
        f"# Save it as data/raw/{period}/{MAPPING_FILE} (this month) or data/raw/{MAPPING_FILE}",
        "# (every month), check each line, then clean again. A line is",
        '#   column = "Header as in the file"     or     column = ["Header 1", "Header 2"] (added up);',
        "# lines starting with # are ignored.",
        "",
    ]
    return "\n".join(head + [line for f in files for line in _file_lines(f)])
