"""The report's disclosure audit: every published table together, as an attacker would see them.

Each gated table a notebook displays carries its audit record (`analysis.pages.text.TABLE_MIME`:
its cells with their statuses, the values of the shown ones, and the relations of its universe;
never a hidden value). `collect_records` reads them back from the executed notebooks, like the
cover cards; tables the report writes itself (downloads) add their `Published.record()`.
`check_disclosure` rebuilds, per universe, the attacker's linear programme from those records
alone (`analysis.metrics.universe.audit_records`) and refuses publication when any '<k' cell
(or a hidden zero of the group rule) can be narrowed to one value.
"""

from __future__ import annotations

import json
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.metrics.universe import RecordsAudit, audit_records
from analysis.pages.text import TABLE_MIME


def collect_records(executed: list[Path]) -> list[dict]:
    """Every gated table's record the executed notebooks displayed, in notebook order."""
    records = []
    for path in executed:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if "remove" in cell.get("metadata", {}).get("tags", []):
                continue  # analyst-only outputs are not published, so not audited
            for output in cell.get("outputs", []):
                record = output.get("data", {}).get(TABLE_MIME)
                if record:
                    records.append(record)
    return records


def check_disclosure(records: list[dict], period: str) -> RecordsAudit:
    """The audit of all published tables; one-sentence error when any cell can be narrowed."""
    result = audit_records(records)
    if not result.ok:
        weak = result.weak
        tables = sorted({_table_of(records, name) for name in weak["name"]})
        raise AnalysisError(
            f"Disclosure audit failed, so the report for {period} was not published: "
            f"{len(weak)} suppressed cell(s) can be worked out exactly from the published "
            f"totals (tables {', '.join(tables)}); protect those tables together "
            "(analysis.metrics.universe)."
        )
    return result


def _table_of(records: list[dict], name) -> str:
    """The first published table that shows (or hides) a cell."""
    for rec in records:
        if any(tuple(c[:3]) == tuple(name) for c in rec.get("cells", [])):
            return rec["name"]
    return "?"
